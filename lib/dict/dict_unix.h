/*
 * dict_unix - the "unix" table (unix:passwd.byname, unix:group.byname); see dict_unix.c.
 */
#ifndef POSTERN_DICT_UNIX_H
#define POSTERN_DICT_UNIX_H

#include "dict.h"

#define DICT_TYPE_UNIX "unix"

extern DICT *dict_unix_open(const char *name, int open_flags, int dict_flags);

#endif
