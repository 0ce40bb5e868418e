/*
 * dict_env - the "environ" table: lookups in the process environment.
 *
 * Interface: dict_env_open(name, open_flags, dict_flags) (dict_env.h).  The
 * name after "environ:" is ignored but must be present, as in Postfix.  With
 * DICT_FLAG_FOLD_FIX (the default) the key is folded to lower case before
 * getenv(), again as in Postfix.  Updates call setenv().
 */
#include <errno.h>
#include <stdlib.h>

#include "dict.h"
#include "dict_env.h"

static int dict_env_lookup(DICT *dict, const char *key, const char **value)
{
    const char *val = getenv(dict_fold_key(dict, key));

    *value = val;
    return val ? DICT_STAT_FOUND : DICT_STAT_NOTFOUND;
}

static int dict_env_update(DICT *dict, const char *key, const char *value)
{
    if (setenv(dict_fold_key(dict, key), value, 1) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "setenv %s: %m", key);
    return 0;
}

DICT *dict_env_open(const char *name, int open_flags, int dict_flags)
{
    DICT *dict = dict_alloc(DICT_TYPE_ENVIRON, name, sizeof(*dict));

    dict->open_flags = open_flags;
    dict->flags = dict_flags | DICT_FLAG_FIXED;
    dict->lookup = dict_env_lookup;
    dict->update = dict_env_update;
    return dict;
}
