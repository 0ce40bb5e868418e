/*
 * dict_cdb - placeholder until the CDB table lands.
 */
#include "dict.h"
#include "dict_cdb.h"

DICT *dict_cdb_open(const char *name, int open_flags, int dict_flags)
{
    return dict_surrogate(DICT_TYPE_CDB, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                          "%s:%s: not yet implemented", DICT_TYPE_CDB, name);
}
