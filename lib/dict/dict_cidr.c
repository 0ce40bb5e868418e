/*
 * dict_cidr - the "cidr" lookup table type (placeholder).
 *
 * Interface: dict_cidr_open(name, open_flags, dict_flags), see dict_cidr.h.
 * This first version only answers with a surrogate table so that the type
 * registry links; the real parser follows.
 */
#include "dict.h"
#include "dict_cidr.h"

DICT *dict_cidr_open(const char *name, int open_flags, int dict_flags)
{
    return dict_surrogate(DICT_TYPE_CIDR, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                          "%s:%s: not yet implemented", DICT_TYPE_CIDR, name);
}
