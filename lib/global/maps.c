/*
 * maps - ordered lookup-table lists and the process-wide table cache; see
 * maps.h.
 *
 * The cache is a small array searched linearly: a daemon opens a handful
 * of tables and keeps them for its life, so a hash table would not pay.
 */
#include <fcntl.h>
#include <string.h>

#include "argv.h"
#include "dict.h"
#include "maps.h"
#include "msg.h"
#include "mymalloc.h"

/* --- the table cache ---------------------------------------------------- */

typedef struct MAPS_TABLE {
    char *spec;
    int dict_flags;
    DICT *dict;
} MAPS_TABLE;

static MAPS_TABLE *maps_tables;
static size_t maps_table_count;

DICT *maps_table_open(const char *spec, int dict_flags)
{
    MAPS_TABLE *tp;

    for (size_t i = 0; i < maps_table_count; i++)
        if (maps_tables[i].dict_flags == dict_flags && strcmp(maps_tables[i].spec, spec) == 0)
            return maps_tables[i].dict;
    maps_tables = myrealloc_array(maps_tables, maps_table_count + 1, sizeof(*maps_tables));
    tp = maps_tables + maps_table_count++;
    tp->spec = mystrdup(spec);
    tp->dict_flags = dict_flags;
    tp->dict = dict_open(spec, O_RDONLY, dict_flags);
    if (dict_open_error(tp->dict))
        msg_warn("%s: %s", spec, dict_errtext(tp->dict));
    return tp->dict;
}

const char *maps_table_changed(void)
{
    for (size_t i = 0; i < maps_table_count; i++)
        if (dict_changed(maps_tables[i].dict))
            return maps_tables[i].spec;
    return 0;
}

int maps_is_table(const char *elem)
{
    return elem[0] != '[' && strchr(elem, ':') != 0;
}

/* --- maps --------------------------------------------------------------- */

struct MAPS {
    char *title;
    size_t count;
    DICT **dicts;
};

MAPS *maps_create(const char *title, const char *spec, int dict_flags)
{
    MAPS *maps = mymalloc(sizeof(*maps));
    ARGV *elems = argv_split_list(spec ? spec : "");

    maps->title = mystrdup(title);
    maps->count = 0;
    maps->dicts = mymalloc_array(elems->argc + 1, sizeof(DICT *));
    for (size_t i = 0; i < elems->argc; i++) {
        if (!maps_is_table(elems->argv[i])) {
            msg_warn("%s: table \"%s\": expecting \"type:name\" form; ignored", title,
                     elems->argv[i]);
            continue;
        }
        maps->dicts[maps->count++] = maps_table_open(elems->argv[i], dict_flags);
    }
    argv_free(elems);
    return maps;
}

int maps_find(MAPS *maps, const char *key, int flags, const char **value)
{
    for (size_t i = 0; i < maps->count; i++) {
        DICT *dict = maps->dicts[i];
        int status;

        if ((flags & MAPS_FIND_FIXED) && (dict->flags & DICT_FLAG_FIXED) == 0)
            continue;
        status = dict_get(dict, key, value);
        if (status == DICT_STAT_FOUND)
            return status;
        if (status == DICT_STAT_FAIL) {
            msg_warn("%s lookup error for \"%s\": %s:%s: %s", maps->title, key, dict->type,
                     dict->name, dict_errtext(dict));
            return status;
        }
    }
    return DICT_STAT_NOTFOUND;
}

int maps_empty(const MAPS *maps)
{
    return maps->count == 0;
}

const char *maps_title(const MAPS *maps)
{
    return maps->title;
}

void maps_free(MAPS *maps)
{
    /* The tables stay in the cache. */
    myfree(maps->title);
    myfree(maps->dicts);
    myfree(maps);
}
