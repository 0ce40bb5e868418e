/*
 * dict_pattern_fuzz - the body shared by the fuzz targets of the pattern
 * tables (dict_regexp_fuzz.c, dict_pcre_fuzz.c, dict_cidr_fuzz.c).
 * Header only; included by fuzz targets, never by the library.
 *
 * Input: the first line is the lookup key (its first byte, when it is
 * 0x01, also selects DICT_FLAG_FOLD_MUL | DICT_FLAG_NO_REGSUB), the rest is
 * the table text.  The table is parsed from memory, looked up with the key,
 * with the empty key and with every line of the table as a key (so that
 * rules meet the text they were written for), and closed.
 *
 * Invariants checked (abort() on failure): a lookup answers FOUND with a
 * value or NOTFOUND, never FAIL, since a parsed table has nothing left to
 * fail on; the same lookup twice gives the same answer.
 */
#ifndef POSTERN_DICT_PATTERN_FUZZ_H
#define POSTERN_DICT_PATTERN_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "msg.h"
#include "mymalloc.h"

typedef DICT *(*FUZZ_OPEN_BUF)(const char *name, const char *buf, size_t len, int dict_flags);

static void fuzz_discard(int level, const char *text)
{
    (void)level;
    (void)text;
}

static void fuzz_lookup(DICT *dict, const char *key)
{
    const char *value = 0;
    char *first = 0;
    int status;

    status = dict_get(dict, key, &value);
    if (status == DICT_STAT_FOUND) {
        if (value == 0)
            abort();
        first = mystrdup(value);
    } else if (status != DICT_STAT_NOTFOUND) {
        fprintf(stderr, "lookup \"%s\": status %d (%s)\n", key, status, dict_errtext(dict));
        abort();
    }
    if (dict_get(dict, key, &value) != status || (first && strcmp(first, value) != 0)) {
        fprintf(stderr, "lookup \"%s\": second answer differs\n", key);
        abort();
    }
    if (first)
        myfree(first);
}

static inline int fuzz_pattern_table(const uint8_t *data, size_t size, FUZZ_OPEN_BUF open_buf,
                                     size_t max_key, size_t max_table)
{
    static int initialized;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t klen = nl ? (size_t)(nl - data) : size;
    const char *table = nl ? (const char *)nl + 1 : "";
    size_t tlen = nl ? size - klen - 1 : 0;
    int flags = DICT_FLAG_DEFAULT;
    char *key;
    char *lines;
    char *cp;
    char *line;
    DICT *dict;

    if (!initialized) {
        msg_output_clear();
        msg_output_add(fuzz_discard);
        initialized = 1;
    }
    if (klen > max_key || tlen > max_table)
        return 0;
    if (klen > 0 && data[0] == 1) {
        flags |= DICT_FLAG_FOLD_MUL | DICT_FLAG_NO_REGSUB;
        data++;
        klen--;
    }
    key = mystrndup((const char *)data, klen);
    dict = open_buf("fuzz", table, tlen, flags);
    fuzz_lookup(dict, key);
    fuzz_lookup(dict, "");
    lines = mystrndup(table, tlen);
    for (cp = lines; (line = strsep(&cp, "\n")) != 0;)
        if (strlen(line) <= max_key)
            fuzz_lookup(dict, line);
    dict_close(dict);
    myfree(lines);
    myfree(key);
    return 0;
}

#endif
