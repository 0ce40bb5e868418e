/*
 * dict_inline - the "inline" table (inline:{ k=v, { k = v w } }); see dict_inline.c.
 */
#ifndef POSTERN_DICT_INLINE_H
#define POSTERN_DICT_INLINE_H

#include "dict.h"

#define DICT_TYPE_INLINE "inline"

extern DICT *dict_inline_open(const char *name, int open_flags, int dict_flags);

#endif
