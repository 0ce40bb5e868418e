/*
 * dict_inline_fuzz - fuzz target for the inline: and static: name parsers:
 * any text (up to the first NUL) after "inline:" or "static:" must give a
 * table or a surrogate, never a crash; every key a table lists must be
 * found again by lookup.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "msg.h"
#include "vstring.h"

static void dict_inline_fuzz_quiet(int level, const char *text)
{
    (void)level;
    (void)text;
}

static void dict_inline_fuzz_one(const char *type, const char *text)
{
    VSTRING *name = vstring_alloc(100);
    DICT *dict;
    const char *key;
    const char *value;
    const char *again;
    int func = DICT_SEQ_FIRST;

    vstring_sprintf(name, "%s:%s", type, text);
    dict = dict_open(vstring_str(name), O_RDONLY, DICT_FLAG_DEFAULT);
    (void)dict_get(dict, "a", &value);
    (void)dict_get(dict, text, &value);
    if (!dict_open_error(dict) && strcmp(type, "inline") == 0) {
        while (dict_seq(dict, func, &key, &value) == DICT_STAT_FOUND) {
            char *copy = strdup(key);

            if (dict_get(dict, copy, &again) != DICT_STAT_FOUND)
                abort();
            free(copy);
            func = DICT_SEQ_NEXT;
        }
    }
    dict_close(dict);
    vstring_free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char *text;

    if (!init) {
        msg_output_clear();
        msg_output_add(dict_inline_fuzz_quiet);
        init = 1;
    }
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    dict_inline_fuzz_one("inline", text);
    dict_inline_fuzz_one("static", text);
    free(text);
    return 0;
}
