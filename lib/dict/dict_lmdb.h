/*
 * dict_lmdb - the "lmdb" table (file NAME.lmdb, Postfix-compatible); see dict_lmdb.c.
 */
#ifndef POSTERN_DICT_LMDB_H
#define POSTERN_DICT_LMDB_H

#include "dict.h"

#define DICT_TYPE_LMDB "lmdb"

extern DICT *dict_lmdb_open(const char *name, int open_flags, int dict_flags);

#include <stddef.h>

/* Initial map size (Postfix's lmdb_map_size); the map grows when full. */
extern size_t dict_lmdb_map_size;

#endif
