/*
 * cleanup_maps - a *_maps parameter: a list of lookup tables searched in
 * order (canonical_maps, virtual_alias_maps, header_checks, ...).
 *
 *   maps = cleanup_maps_create(title, list, dict_flags)
 *       open every "type:name" in list (commas or white space); a table
 *       that cannot be opened becomes a surrogate whose lookups fail, so
 *       the mail that needs it is deferred, never misrouted.  An empty
 *       list gives a maps with no tables (every lookup: not found).
 *   cleanup_maps_find(maps, key, &value)
 *       CLEANUP_MAPS_FOUND (value valid until the next lookup),
 *       CLEANUP_MAPS_NOTFOUND, or CLEANUP_MAPS_FAIL when a table could not
 *       answer (logged with the table's reason).  The first table that has
 *       the key wins; a failing table stops the search (a later table must
 *       not answer for an earlier one that was unavailable).
 *   cleanup_maps_free(maps)
 */
#include <fcntl.h>

#include "cleanup.h"

#include "argv.h"
#include "msg.h"
#include "mymalloc.h"

CLEANUP_MAPS *cleanup_maps_create(const char *title, const char *list, int dict_flags)
{
    CLEANUP_MAPS *maps = mycalloc(1, sizeof(*maps));
    ARGV *names = argv_split_list(list ? list : "");

    maps->title = mystrdup(title);
    maps->dicts = mycalloc(names->argc + 1, sizeof(DICT *));
    for (size_t i = 0; i < names->argc; i++) {
        DICT *d = dict_open(names->argv[i], O_RDONLY, dict_flags);

        if (dict_open_error(d))
            msg_warn("%s: %s: %s", title, names->argv[i], dict_errtext(d));
        maps->dicts[maps->count++] = d;
    }
    argv_free(names);
    return maps;
}

int cleanup_maps_find(CLEANUP_MAPS *maps, const char *key, const char **value)
{
    for (size_t i = 0; i < maps->count; i++) {
        DICT *d = maps->dicts[i];
        int st = dict_get(d, key, value);

        if (st == DICT_STAT_FOUND)
            return CLEANUP_MAPS_FOUND;
        if (st == DICT_STAT_FAIL) {
            msg_warn("%s lookup error for \"%s\": %s:%s: %s", maps->title, key, d->type, d->name,
                     dict_errtext(d));
            return CLEANUP_MAPS_FAIL;
        }
    }
    return CLEANUP_MAPS_NOTFOUND;
}

void cleanup_maps_free(CLEANUP_MAPS *maps)
{
    if (maps == 0)
        return;
    for (size_t i = 0; i < maps->count; i++)
        dict_close(maps->dicts[i]);
    myfree(maps->dicts);
    myfree(maps->title);
    myfree(maps);
}
