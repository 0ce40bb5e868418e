/*
 * dict_nis - the "nis" table type (nis:mail.aliases is in Postfix's
 * default alias_maps).
 *
 * Postern has no NIS client.  On a machine without a NIS domain (the
 * kernel's domain name is empty or "(none)"), Postfix disables NIS lookups
 * with a warning and every lookup finds nothing; Postern does exactly that,
 * with the same warning ("dict_nis_init: NIS domain name not set - NIS
 * lookups disabled", once per process).  On a machine that does have a
 * NIS domain, a lookup cannot be answered: it fails (DICT_ERR_RETRY, "NIS
 * lookups are not supported by Postern"), so mail waits instead of being
 * delivered as if the table were empty.  Read-only.
 */
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dict_nis.h"
#include "msg.h"

int dict_nis_disabled(const char *domain)
{
    return domain == 0 || *domain == 0 || strcmp(domain, "(none)") == 0;
}

static int dict_nis_lookup(DICT *dict, const char *key, const char **value)
{
    char domain[256];

    (void)key;
    *value = 0;
    if (getdomainname(domain, sizeof(domain)) < 0 || dict_nis_disabled(domain))
        return DICT_STAT_NOTFOUND;
    return dict_fail(dict, DICT_ERR_RETRY, "NIS lookups are not supported by Postern");
}

DICT *dict_nis_open(const char *name, int open_flags, int dict_flags)
{
    static int warned;
    DICT *dict = dict_alloc(DICT_TYPE_NIS, name, sizeof(*dict));
    char domain[256];

    if ((getdomainname(domain, sizeof(domain)) < 0 || dict_nis_disabled(domain)) && !warned) {
        msg_warn("dict_nis_init: NIS domain name not set - NIS lookups disabled");
        warned = 1;
    }
    dict->open_flags = open_flags;
    dict->flags = dict_flags | DICT_FLAG_FIXED;
    dict->lookup = dict_nis_lookup;
    return dict;
}
