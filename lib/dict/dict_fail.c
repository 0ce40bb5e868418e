/*
 * dict_fail - the "fail" table: every operation fails.
 *
 * Interface: dict_fail_open(name, open_flags, dict_flags) (dict_fail.h).
 * "fail:reason" makes lookups, updates, deletes and walks return
 * DICT_STAT_FAIL with DICT_ERR_RETRY, so that mail is deferred; the error
 * text names the table.  Useful to test error paths and to park a map.
 */
#include "dict.h"
#include "dict_fail.h"

static int dict_fail_now(DICT *dict)
{
    return dict_fail(dict, DICT_ERR_RETRY, "operation failed as configured");
}

static int dict_fail_lookup(DICT *dict, const char *key, const char **value)
{
    (void)key;
    *value = 0;
    return dict_fail_now(dict);
}

static int dict_fail_update(DICT *dict, const char *key, const char *value)
{
    (void)key;
    (void)value;
    return dict_fail_now(dict);
}

static int dict_fail_delete(DICT *dict, const char *key)
{
    (void)key;
    return dict_fail_now(dict);
}

static int dict_fail_sequence(DICT *dict, int func, const char **key, const char **value)
{
    (void)func;
    *key = *value = 0;
    return dict_fail_now(dict);
}

DICT *dict_fail_open(const char *name, int open_flags, int dict_flags)
{
    DICT *dict = dict_alloc(DICT_TYPE_FAIL, name, sizeof(*dict));

    dict->open_flags = open_flags;
    dict->flags = dict_flags | DICT_FLAG_PATTERN;
    dict->lookup = dict_fail_lookup;
    dict->update = dict_fail_update;
    dict->delete = dict_fail_delete;
    dict->sequence = dict_fail_sequence;
    return dict;
}
