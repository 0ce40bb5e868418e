/*
 * dict_fail - the "fail" table (fail:reason): every operation fails; see dict_fail.c.
 */
#ifndef POSTERN_DICT_FAIL_H
#define POSTERN_DICT_FAIL_H

#include "dict.h"

#define DICT_TYPE_FAIL "fail"

extern DICT *dict_fail_open(const char *name, int open_flags, int dict_flags);

#endif
