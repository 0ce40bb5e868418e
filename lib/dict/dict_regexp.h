/*
 * dict_regexp - the "regexp" table type (regexp:/path/to/file); see dict_regexp.c.
 */
#ifndef POSTERN_DICT_REGEXP_H
#define POSTERN_DICT_REGEXP_H

#include "dict.h"

#define DICT_TYPE_REGEXP "regexp"

extern DICT *dict_regexp_open(const char *name, int open_flags, int dict_flags);

#endif
