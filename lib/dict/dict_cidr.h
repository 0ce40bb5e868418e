/*
 * dict_cidr - the "cidr" table type (cidr:/path/to/file); see dict_cidr.c.
 */
#ifndef POSTERN_DICT_CIDR_H
#define POSTERN_DICT_CIDR_H

#include "dict.h"

#define DICT_TYPE_CIDR "cidr"

extern DICT *dict_cidr_open(const char *name, int open_flags, int dict_flags);

#endif
