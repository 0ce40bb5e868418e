/*
 * tr_match - tables and match lists for trivial-rewrite; see tr_match.h.
 *
 * The table cache is a small array: a daemon opens a handful of tables
 * (transport_maps, the *_domains lists, the sender-dependent maps) and
 * keeps them for its life.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "dict.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "tr_match.h"
#include "vstring.h"

/* --- the table cache ---------------------------------------------------- */

typedef struct TR_TABLE {
    char *spec;
    DICT *dict;
} TR_TABLE;

static TR_TABLE *tr_tables;
static size_t tr_table_count;

DICT *tr_table_open(const char *spec)
{
    const char *open_spec = spec;

    for (size_t i = 0; i < tr_table_count; i++)
        if (strcmp(tr_tables[i].spec, spec) == 0)
            return tr_tables[i].dict;
    /* No proxymap: read the table ourselves, as proxy would for us. */
    if (strncmp(open_spec, "proxy:", 6) == 0)
        open_spec += 6;
    tr_tables = myrealloc_array(tr_tables, tr_table_count + 1, sizeof(*tr_tables));
    tr_tables[tr_table_count].spec = mystrdup(spec);
    tr_tables[tr_table_count].dict = dict_open(open_spec, O_RDONLY, DICT_FLAG_DEFAULT);
    if (dict_open_error(tr_tables[tr_table_count].dict))
        msg_warn("%s: %s", spec, dict_errtext(tr_tables[tr_table_count].dict));
    return tr_tables[tr_table_count++].dict;
}

const char *tr_table_changed(void)
{
    for (size_t i = 0; i < tr_table_count; i++)
        if (dict_changed(tr_tables[i].dict))
            return tr_tables[i].spec;
    return 0;
}

/* A list element names a table when it has a colon and is not [literal]. */
static int tr_is_table(const char *elem)
{
    return elem[0] != '[' && strchr(elem, ':') != 0;
}

/* --- maps --------------------------------------------------------------- */

struct TR_MAPS {
    char *title;
    size_t count;
    DICT **dicts;
};

TR_MAPS *tr_maps_create(const char *title, const char *spec)
{
    TR_MAPS *maps = mymalloc(sizeof(*maps));
    ARGV *elems = argv_split_list(spec ? spec : "");

    maps->title = mystrdup(title);
    maps->count = 0;
    maps->dicts = mymalloc_array(elems->argc + 1, sizeof(DICT *));
    for (size_t i = 0; i < elems->argc; i++) {
        if (!tr_is_table(elems->argv[i])) {
            msg_warn("%s: table \"%s\": expecting \"type:name\" form; ignored", title,
                     elems->argv[i]);
            continue;
        }
        maps->dicts[maps->count++] = tr_table_open(elems->argv[i]);
    }
    argv_free(elems);
    return maps;
}

int tr_maps_find(TR_MAPS *maps, const char *key, int flags, const char **value)
{
    for (size_t i = 0; i < maps->count; i++) {
        DICT *dict = maps->dicts[i];
        int status;

        if ((flags & TR_MAPS_FIXED) && (dict->flags & DICT_FLAG_FIXED) == 0)
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

int tr_maps_empty(const TR_MAPS *maps)
{
    return maps->count == 0;
}

void tr_maps_free(TR_MAPS *maps)
{
    /* The tables stay in the cache. */
    myfree(maps->title);
    myfree(maps->dicts);
    myfree(maps);
}

/* --- match lists -------------------------------------------------------- */

typedef struct TR_ELEM {
    int negate;
    char *name; /* lower case, or a table spec */
    DICT *dict; /* null for a name */
} TR_ELEM;

struct TR_LIST {
    char *title;
    int flags;
    size_t count;
    size_t size;
    TR_ELEM *elems;
};

static void tr_list_add(TR_LIST *list, const char *elem, int depth);

/* "/file/name": every word in the file is an element. */
static void tr_list_add_file(TR_LIST *list, const char *path, int negate, int depth)
{
    FILE *fp;
    char line[4096];

    if (depth > 10)
        msg_fatal("%s: file %s: files nested too deeply", list->title, path);
    if ((fp = fopen(path, "r")) == 0)
        msg_fatal("%s: open file %s: %m", list->title, path);
    while (fgets(line, sizeof(line), fp) != 0) {
        char *cp = strchr(line, '#');
        ARGV *words;

        if (cp)
            *cp = 0;
        words = argv_split_list(line);
        for (size_t i = 0; i < words->argc; i++) {
            if (negate) {
                VSTRING *buf = vstring_alloc(100);

                vstring_sprintf(buf, "!%s", words->argv[i]);
                tr_list_add(list, vstring_str(buf), depth + 1);
                vstring_free(buf);
            } else {
                tr_list_add(list, words->argv[i], depth + 1);
            }
        }
        argv_free(words);
    }
    if (ferror(fp))
        msg_fatal("%s: read file %s: %m", list->title, path);
    fclose(fp);
}

static void tr_list_add(TR_LIST *list, const char *elem, int depth)
{
    int negate = 0;
    TR_ELEM *ep;

    while (*elem == '!') {
        negate = !negate;
        elem++;
    }
    if (*elem == 0) {
        msg_warn("%s: empty list element ignored", list->title);
        return;
    }
    if (*elem == '/') {
        tr_list_add_file(list, elem, negate, depth);
        return;
    }
    if (list->count == list->size) {
        list->size = list->size ? 2 * list->size : 4;
        list->elems = myrealloc_array(list->elems, list->size, sizeof(*list->elems));
    }
    ep = list->elems + list->count++;
    ep->negate = negate;
    if (tr_is_table(elem)) {
        ep->name = mystrdup(elem);
        ep->dict = tr_table_open(elem);
    } else {
        ep->name = lowercase(mystrdup(elem));
        ep->dict = 0;
    }
}

TR_LIST *tr_list_create(const char *title, const char *spec, int flags)
{
    TR_LIST *list = mycalloc(1, sizeof(*list));
    ARGV *elems = argv_split_list(spec ? spec : "");

    list->title = mystrdup(title);
    list->flags = flags;
    for (size_t i = 0; i < elems->argc; i++)
        tr_list_add(list, elems->argv[i], 0);
    argv_free(elems);
    return list;
}

/* One table lookup: 1 found, 0 not, -1 failed (logged). */
static int tr_list_lookup(TR_LIST *list, DICT *dict, const char *key)
{
    const char *value;
    int status = dict_get(dict, key, &value);

    if (status == DICT_STAT_FOUND)
        return 1;
    if (status == DICT_STAT_FAIL) {
        msg_warn("%s: %s:%s: table lookup problem for \"%s\": %s", list->title, dict->type,
                 dict->name, key, dict_errtext(dict));
        return -1;
    }
    return 0;
}

/* Does one element match name (lower case)?  1, 0, or -1 (table failure). */
static int tr_elem_match(TR_LIST *list, const TR_ELEM *ep, const char *name)
{
    int host = list->flags & TR_LIST_HOST;
    int parent = list->flags & TR_LIST_PARENT;
    size_t nlen = strlen(name);

    if (ep->dict) {
        int rc = tr_list_lookup(list, ep->dict, name);

        if (rc != 0 || !host)
            return rc;
        /* Parent domains: "sub.example.com" asks "example.com" or ".example.com". */
        for (const char *dot = strchr(name + 1, '.'); dot; dot = strchr(dot + 1, '.')) {
            if ((rc = tr_list_lookup(list, ep->dict, parent ? dot + 1 : dot)) != 0)
                return rc;
        }
        return 0;
    }
    if (strcmp(ep->name, name) == 0)
        return 1;
    if (!host)
        return 0;
    {
        size_t plen = strlen(ep->name);

        if (parent) {
            /* "example.com" matches "x.example.com" (a whole label before it). */
            return nlen > plen && name[nlen - plen - 1] == '.' &&
                   strcmp(name + nlen - plen, ep->name) == 0;
        }
        /* ".example.com" matches "x.example.com", not "example.com". */
        return ep->name[0] == '.' && nlen > plen && strcmp(name + nlen - plen, ep->name) == 0;
    }
}

int tr_list_match(TR_LIST *list, const char *name)
{
    char *lname = lowercase(mystrdup(name));
    int result = 0;

    for (size_t i = 0; i < list->count; i++) {
        int rc = tr_elem_match(list, list->elems + i, lname);

        if (rc < 0) {
            result = -1;
            break;
        }
        if (rc > 0) {
            result = list->elems[i].negate ? 0 : 1;
            break;
        }
    }
    myfree(lname);
    return result;
}

int tr_list_empty(const TR_LIST *list)
{
    return list->count == 0;
}

void tr_list_free(TR_LIST *list)
{
    for (size_t i = 0; i < list->count; i++)
        myfree(list->elems[i].name);
    myfree(list->elems);
    myfree(list->title);
    myfree(list);
}

int tr_parent_style(const char *param)
{
    ARGV *names = argv_split_list(var_parent_domain_matches_subdomains);
    int found = 0;

    for (size_t i = 0; i < names->argc && !found; i++)
        found = strcmp(names->argv[i], param) == 0;
    argv_free(names);
    return found;
}
