/*
 * dict_cidr - the "cidr" table type (cidr:/path/to/file); see dict_cidr.c.
 */
#ifndef POSTERN_DICT_CIDR_H
#define POSTERN_DICT_CIDR_H

#include <stddef.h>

#include "dict.h"

#define DICT_TYPE_CIDR "cidr"

extern DICT *dict_cidr_open(const char *name, int open_flags, int dict_flags);

/* Parse a table held in memory (tests, fuzzing); name is used in messages. */
extern DICT *dict_cidr_open_buf(const char *name, const char *buf, size_t len, int dict_flags);

#endif
