/*
 * dict_regexp - the "regexp" table type (regexp:/path/to/file); see dict_regexp.c.
 */
#ifndef POSTERN_DICT_REGEXP_H
#define POSTERN_DICT_REGEXP_H

#include <stddef.h>

#include "dict.h"

#define DICT_TYPE_REGEXP "regexp"

extern DICT *dict_regexp_open(const char *name, int open_flags, int dict_flags);

/* Parse a table held in memory (tests, fuzzing); name is used in messages. */
extern DICT *dict_regexp_open_buf(const char *name, const char *buf, size_t len, int dict_flags);

#endif
