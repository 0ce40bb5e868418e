/*
 * dict_lmdb - placeholder until the LMDB table lands.
 */
#include "dict.h"
#include "dict_lmdb.h"

size_t dict_lmdb_map_size = 16 * 1024 * 1024;

DICT *dict_lmdb_open(const char *name, int open_flags, int dict_flags)
{
    return dict_surrogate(DICT_TYPE_LMDB, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                          "%s:%s: not yet implemented", DICT_TYPE_LMDB, name);
}
