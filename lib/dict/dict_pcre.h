/*
 * dict_pcre - the "pcre" table type (pcre:/path/to/file); see dict_pcre.c.
 */
#ifndef POSTERN_DICT_PCRE_H
#define POSTERN_DICT_PCRE_H

#include <stddef.h>

#include "dict.h"

#define DICT_TYPE_PCRE "pcre"

extern DICT *dict_pcre_open(const char *name, int open_flags, int dict_flags);

/* Parse a table held in memory (tests, fuzzing); name is used in messages. */
extern DICT *dict_pcre_open_buf(const char *name, const char *buf, size_t len, int dict_flags);

#endif
