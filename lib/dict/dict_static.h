/*
 * dict_static - the "static" table (static:value, static:{ value }); see dict_static.c.
 */
#ifndef POSTERN_DICT_STATIC_H
#define POSTERN_DICT_STATIC_H

#include "dict.h"

#define DICT_TYPE_STATIC "static"

extern DICT *dict_static_open(const char *name, int open_flags, int dict_flags);

#endif
