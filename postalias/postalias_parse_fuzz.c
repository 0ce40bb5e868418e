/*
 * postalias_parse_fuzz - fuzz target for the aliases(5) line tokenizer: no
 * crash, hang or leak on any input, and a successful parse always gives a
 * non-empty key and value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postalias_parse.h"
#include "vstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static VSTRING *key;
    static VSTRING *value;
    const char *why;
    char *text = malloc(size + 1);

    if (key == 0) {
        key = vstring_alloc(100);
        value = vstring_alloc(100);
    }
    memcpy(text, data, size);
    text[size] = 0;
    if (postalias_parse(text, key, value, &why) == 0) {
        if (VSTRING_LEN(value) == 0)
            abort();
    } else if (why == 0) {
        abort();
    }
    free(text);
    return 0;
}
