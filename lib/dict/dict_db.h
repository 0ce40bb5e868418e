/*
 * dict_db - the "hash" and "btree" tables (Berkeley DB, file NAME.db, the
 * format Postfix's postmap writes); see dict_db.c.
 */
#ifndef POSTERN_DICT_DB_H
#define POSTERN_DICT_DB_H

#include <stddef.h>

#include "dict.h"

#define DICT_TYPE_HASH  "hash"
#define DICT_TYPE_BTREE "btree"

extern DICT *dict_hash_open(const char *name, int open_flags, int dict_flags);
extern DICT *dict_btree_open(const char *name, int open_flags, int dict_flags);

/* Berkeley DB cache sizes (berkeley_db_read/create_buffer_size). */
extern size_t dict_db_cache_size;

#endif
