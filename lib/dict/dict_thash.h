/*
 * dict_thash - the "texthash" table: a postmap source file read into memory; see dict_thash.c.
 */
#ifndef POSTERN_DICT_THASH_H
#define POSTERN_DICT_THASH_H

#include "dict.h"

#define DICT_TYPE_THASH "texthash"

extern DICT *dict_thash_open(const char *name, int open_flags, int dict_flags);

#endif
