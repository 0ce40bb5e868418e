/*
 * dict_static - the "static" table: every lookup finds the same value.
 *
 * Interface: dict_static_open(name, open_flags, dict_flags) (dict_static.h).
 * "static:text" answers "text"; "static:{ text with spaces }" answers the
 * text between the braces with surrounding white space removed.  Unbalanced
 * braces give a surrogate table ("bad static:name syntax: ...").  Only
 * lookups are supported.
 */
#include <string.h>

#include "dict.h"
#include "dict_static.h"
#include "mymalloc.h"
#include "stringops.h"

typedef struct DICT_STATIC {
    DICT dict;
    char *value;
} DICT_STATIC;

static int dict_static_lookup(DICT *dict, const char *key, const char **value)
{
    (void)key;
    *value = ((DICT_STATIC *)dict)->value;
    return DICT_STAT_FOUND;
}

static void dict_static_close(DICT *dict)
{
    myfree(((DICT_STATIC *)dict)->value);
    dict_free(dict);
}

DICT *dict_static_open(const char *name, int open_flags, int dict_flags)
{
    DICT_STATIC *sp;
    char *copy = mystrdup(name);
    char *cp = copy;
    const char *err;

    if (*cp == CHARS_BRACE[0] && (err = extpar(&cp, CHARS_BRACE, EXTPAR_FLAG_STRIP)) != 0) {
        DICT *dict =
            dict_surrogate(DICT_TYPE_STATIC, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                           "bad %s:name syntax: %s in \"%s\"", DICT_TYPE_STATIC, err, name);
        myfree(copy);
        return dict;
    }
    sp = (DICT_STATIC *)dict_alloc(DICT_TYPE_STATIC, name, sizeof(*sp));
    sp->value = mystrdup(cp);
    myfree(copy);
    sp->dict.open_flags = open_flags;
    sp->dict.flags = dict_flags | DICT_FLAG_FIXED;
    sp->dict.lookup = dict_static_lookup;
    sp->dict.close = dict_static_close;
    return &sp->dict;
}
