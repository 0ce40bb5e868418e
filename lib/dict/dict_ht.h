/*
 * dict_ht - an in-memory table (string keys and values), the storage behind
 * inline: and texthash:; see dict_ht.c.
 *
 * dict_ht_open(type, name, open_flags, dict_flags) returns an empty table of
 * the given type name that supports lookup, update, delete and sequence
 * (in insertion order).  Keys are folded on update and lookup according to
 * the dict flags (it is a fixed-string table).
 */
#ifndef POSTERN_DICT_HT_H
#define POSTERN_DICT_HT_H

#include "dict.h"

extern DICT *dict_ht_open(const char *type, const char *name, int open_flags, int dict_flags);

#endif
