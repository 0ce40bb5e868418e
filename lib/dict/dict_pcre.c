/*
 * dict_pcre - the "pcre" lookup table type (placeholder).
 *
 * Interface: dict_pcre_open(name, open_flags, dict_flags), see dict_pcre.h.
 * This first version only answers with a surrogate table so that the type
 * registry links; the real parser follows.
 */
#include "dict.h"
#include "dict_pcre.h"

DICT *dict_pcre_open(const char *name, int open_flags, int dict_flags)
{
    return dict_surrogate(DICT_TYPE_PCRE, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                          "%s:%s: not yet implemented", DICT_TYPE_PCRE, name);
}
