/*
 * dict_pcre_fuzz - fuzz target for the pcre table parser, substitution and
 * lookup (dict_pcre.c, dict_pattern_rx.c, dict_pattern.c).  Input format
 * and invariants: see dict_pattern_fuzz.h.  Keys are kept short so that a
 * pattern that backtracks badly still finishes quickly.
 */
#include <stddef.h>
#include <stdint.h>

#include "dict_pcre.h"
#include "dict_pattern_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pattern_table(data, size, dict_pcre_open_buf, 24, 4096);
}
