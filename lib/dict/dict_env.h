/*
 * dict_env - the "environ" table (environ:anything): the process environment; see dict_env.c.
 */
#ifndef POSTERN_DICT_ENV_H
#define POSTERN_DICT_ENV_H

#include "dict.h"

#define DICT_TYPE_ENVIRON "environ"

extern DICT *dict_env_open(const char *name, int open_flags, int dict_flags);

#endif
