/*
 * dict_cdb - the "cdb" table (tinycdb, file NAME.cdb); see dict_cdb.c.
 */
#ifndef POSTERN_DICT_CDB_H
#define POSTERN_DICT_CDB_H

#include "dict.h"

#define DICT_TYPE_CDB "cdb"

extern DICT *dict_cdb_open(const char *name, int open_flags, int dict_flags);

#endif
