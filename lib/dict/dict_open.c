/*
 * dict_open - the table type registry and "type:name" parsing; see dict.h.
 *
 * dict_open("hash:/etc/postfix/virtual", ...) splits at the first colon and
 * hands the name to the type's open function.  A missing colon, an empty
 * type or name, or an unknown type gives a surrogate table whose error text
 * says what was wrong (Postfix's wording, so administrators recognise it):
 *
 *   open dictionary: expecting "type:name" form instead of "TEXT"
 *   unsupported dictionary type: TYPE
 *
 * dict_type_list() walks the registry in alphabetical order, which is how
 * Postfix's "postconf -m" lists its types.
 */
#include <string.h>

#include "dict.h"
#include "dict_cdb.h"
#include "dict_cidr.h"
#include "dict_db.h"
#include "dict_env.h"
#include "dict_fail.h"
#include "dict_inline.h"
#include "dict_lmdb.h"
#include "dict_pcre.h"
#include "dict_proxy.h"
#include "dict_regexp.h"
#include "dict_static.h"
#include "dict_thash.h"
#include "dict_nis.h"
#include "dict_unix.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct DICT_TYPE_INFO {
    const char *type;
    DICT_OPEN_FN open;
} DICT_TYPE_INFO;

/* Keep sorted: dict_type_list() prints in this order. */
static const DICT_TYPE_INFO dict_types[] = {
    {DICT_TYPE_BTREE, dict_btree_open},   {DICT_TYPE_CDB, dict_cdb_open},
    {DICT_TYPE_CIDR, dict_cidr_open},     {DICT_TYPE_ENVIRON, dict_env_open},
    {DICT_TYPE_FAIL, dict_fail_open},     {DICT_TYPE_HASH, dict_hash_open},
    {DICT_TYPE_INLINE, dict_inline_open}, {DICT_TYPE_LMDB, dict_lmdb_open},
    {DICT_TYPE_NIS, dict_nis_open},       {DICT_TYPE_PCRE, dict_pcre_open},
    {DICT_TYPE_PROXY, dict_proxy_open},   {DICT_TYPE_REGEXP, dict_regexp_open},
    {DICT_TYPE_STATIC, dict_static_open}, {DICT_TYPE_THASH, dict_thash_open},
    {DICT_TYPE_UNIX, dict_unix_open},
};

static const DICT_TYPE_INFO *dict_type_find(const char *type)
{
    for (size_t i = 0; i < sizeof(dict_types) / sizeof(dict_types[0]); i++)
        if (strcmp(dict_types[i].type, type) == 0)
            return dict_types + i;
    return 0;
}

int dict_type_known(const char *type)
{
    return dict_type_find(type) != 0;
}

void dict_type_list(void (*fn)(const char *type))
{
    for (size_t i = 0; i < sizeof(dict_types) / sizeof(dict_types[0]); i++)
        fn(dict_types[i].type);
}

DICT *dict_open3(const char *type, const char *name, int open_flags, int dict_flags)
{
    const DICT_TYPE_INFO *info;
    DICT *dict;

    if (*type == 0 || *name == 0)
        return dict_surrogate(type, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "open dictionary: expecting \"type:name\" form instead of "
                              "\"%s:%s\"",
                              type, name);
    if ((info = dict_type_find(type)) == 0)
        return dict_surrogate(type, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "unsupported dictionary type: %s", type);
    dict = info->open(name, open_flags, dict_flags);
    if (dict == 0)
        msg_panic("dict_open3: %s:%s: type returned a null table", type, name);
    if (msg_verbose)
        msg_info("dict_open: %s:%s", type, name);
    return dict;
}

DICT *dict_open(const char *type_name, int open_flags, int dict_flags)
{
    const char *colon = strchr(type_name, ':');
    char *type;
    DICT *dict;

    if (colon == 0 || colon == type_name || colon[1] == 0)
        return dict_surrogate(colon ? "" : type_name, "", open_flags, dict_flags, DICT_ERR_CONFIG,
                              "open dictionary: expecting \"type:name\" form instead of \"%s\"",
                              type_name);
    type = mystrndup(type_name, (size_t)(colon - type_name));
    dict = dict_open3(type, colon + 1, open_flags, dict_flags);
    myfree(type);
    return dict;
}
