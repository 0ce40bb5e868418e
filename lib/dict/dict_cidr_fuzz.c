/*
 * dict_cidr_fuzz - fuzz target for the cidr table parser and lookup
 * (dict_cidr.c, dict_pattern.c).  Input format and invariants: see
 * dict_pattern_fuzz.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "dict_cidr.h"
#include "dict_pattern_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pattern_table(data, size, dict_cidr_open_buf, 256, 65536);
}
