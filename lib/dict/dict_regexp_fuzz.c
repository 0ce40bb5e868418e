/*
 * dict_regexp_fuzz - fuzz target for the regexp table parser, substitution
 * and lookup (dict_regexp.c, dict_pattern_rx.c, dict_pattern.c).  Input
 * format and invariants: see dict_pattern_fuzz.h.
 *
 * glibc's regcomp() builds an automaton whose size multiplies with nested
 * counted repetitions ("a{99}{99}{99}") or stacked operators ("a++++");
 * that is a property of the C library (Postfix has it too), not of our
 * parser, so such inputs are not run.
 */
#include <stddef.h>
#include <stdint.h>

#include "dict_regexp.h"
#include "dict_pattern_fuzz.h"

static int fuzz_is_quantifier(uint8_t c)
{
    return c == '*' || c == '+' || c == '?' || c == '}';
}

static int fuzz_too_costly(const uint8_t *data, size_t size)
{
    size_t counts = 0;
    size_t run = 0;

    for (size_t i = 0; i < size; i++) {
        /* "a++++": each stacked operator doubles glibc's parse tree. */
        run = fuzz_is_quantifier(data[i]) ? run + 1 : 0;
        if (run > 3)
            return 1;
    }
    for (size_t i = 0; i + 1 < size; i++) {
        if (data[i] == '{' && data[i + 1] >= '0' && data[i + 1] <= '9') {
            size_t n = 0;

            for (size_t j = i + 1; j < size && data[j] >= '0' && data[j] <= '9' && n < 1000; j++)
                n = n * 10 + (size_t)(data[j] - '0');
            if (n > 20 || ++counts > 2)
                return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_too_costly(data, size))
        return 0;
    return fuzz_pattern_table(data, size, dict_regexp_open_buf, 64, 4096);
}
