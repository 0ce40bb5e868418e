/*
 * dict_ht - an in-memory table; see dict_ht.h.
 *
 * Duplicate keys on update follow the dict flags: DICT_FLAG_DUP_REPLACE
 * replaces, DICT_FLAG_DUP_IGNORE keeps the first silently, DICT_FLAG_DUP_WARN
 * keeps the first and warns; with none of them the last one wins (what
 * inline: does).  sequence() walks a snapshot taken at DICT_SEQ_FIRST, so an
 * update during a walk cannot invalidate it.
 */
#include <string.h>

#include "dict.h"
#include "dict_ht.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct DICT_HT {
    DICT dict;
    HTABLE *table;
    HTABLE_INFO **walk; /* snapshot for sequence() */
    size_t walk_pos;
} DICT_HT;

static int dict_ht_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_HT *ht = (DICT_HT *)dict;
    const char *val = htable_find(ht->table, dict_fold_key(dict, key));

    *value = val;
    return val ? DICT_STAT_FOUND : DICT_STAT_NOTFOUND;
}

static int dict_ht_update(DICT *dict, const char *key, const char *value)
{
    DICT_HT *ht = (DICT_HT *)dict;
    const char *fkey = dict_fold_key(dict, key);
    HTABLE_INFO *ent;

    if ((ent = htable_locate(ht->table, fkey)) != 0) {
        if (dict->flags & DICT_FLAG_DUP_REPLACE) {
            /* fall through to replace */
        } else if (dict->flags & DICT_FLAG_DUP_IGNORE) {
            return 1;
        } else if (dict->flags & DICT_FLAG_DUP_WARN) {
            msg_warn("%s:%s: duplicate entry: \"%s\"", dict->type, dict->name, fkey);
            return 1;
        }
        myfree(ent->value);
        ent->value = mystrdup(value);
        return 0;
    }
    htable_enter(ht->table, fkey, mystrdup(value));
    return 0;
}

static void dict_ht_walk_end(DICT_HT *ht)
{
    if (ht->walk) {
        myfree(ht->walk);
        ht->walk = 0;
    }
}

static int dict_ht_delete(DICT *dict, const char *key)
{
    DICT_HT *ht = (DICT_HT *)dict;
    const char *fkey = dict_fold_key(dict, key);

    if (htable_find(ht->table, fkey) == 0)
        return 1;
    dict_ht_walk_end(ht);
    htable_delete(ht->table, fkey, myfree);
    return 0;
}

static int dict_ht_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_HT *ht = (DICT_HT *)dict;
    HTABLE_INFO *ent;

    if (func == DICT_SEQ_FIRST) {
        dict_ht_walk_end(ht);
        ht->walk = htable_list(ht->table);
        ht->walk_pos = 0;
    } else if (func != DICT_SEQ_NEXT) {
        return dict_fail(dict, DICT_ERR_CONFIG, "%s:%s: bad sequence function %d", dict->type,
                         dict->name, func);
    }
    if (ht->walk == 0 || (ent = ht->walk[ht->walk_pos]) == 0) {
        dict_ht_walk_end(ht);
        return DICT_STAT_NOTFOUND;
    }
    ht->walk_pos++;
    *key = ent->key;
    *value = ent->value;
    return DICT_STAT_FOUND;
}

static void dict_ht_close(DICT *dict)
{
    DICT_HT *ht = (DICT_HT *)dict;

    dict_ht_walk_end(ht);
    htable_free(ht->table, myfree);
    dict_free(dict);
}

DICT *dict_ht_open(const char *type, const char *name, int open_flags, int dict_flags)
{
    DICT_HT *ht = (DICT_HT *)dict_alloc(type, name, sizeof(*ht));

    ht->table = htable_create(13);
    ht->dict.open_flags = open_flags;
    ht->dict.flags = dict_flags | DICT_FLAG_FIXED;
    ht->dict.lookup = dict_ht_lookup;
    ht->dict.update = dict_ht_update;
    ht->dict.delete = dict_ht_delete;
    ht->dict.sequence = dict_ht_sequence;
    ht->dict.close = dict_ht_close;
    return &ht->dict;
}
