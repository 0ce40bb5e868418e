/*
 * dict_pattern_ptest - helpers shared by the unit tests of the pattern
 * tables (dict_regexp_test.c, dict_pcre_test.c, dict_cidr_test.c).
 * Header only; included by tests, never by the library.
 *
 * A case gives a table's text, one key, and the expected lookup status,
 * value and warnings (every warning line the open and the lookup log,
 * "warning: " prefix included, each ending in a newline).  The table is
 * parsed from memory under the name "T", so messages read
 * "regexp map T, line 1: ...".
 */
#ifndef POSTERN_DICT_PATTERN_PTEST_H
#define POSTERN_DICT_PATTERN_PTEST_H

#include <string.h>

#include "dict.h"
#include "msg.h"
#include "ptest.h"
#include "vstring.h"

typedef struct PATTERN_CASE {
    const char *name;
    const char *table;
    const char *key;
    int want_status;           /* DICT_STAT_* */
    const char *want_value;    /* when DICT_STAT_FOUND */
    const char *want_warnings; /* "" for none */
} PATTERN_CASE;

typedef DICT *(*PATTERN_OPEN_BUF)(const char *name, const char *buf, size_t len, int dict_flags);

static VSTRING *pattern_ptest_log;

static void pattern_ptest_capture(int level, const char *text)
{
    vstring_sprintf_append(pattern_ptest_log, "%s%s\n", msg_level_prefix(level), text);
}

/* Send warnings to a buffer from now on; returns it. */
static inline VSTRING *pattern_ptest_log_start(void)
{
    if (pattern_ptest_log == 0)
        pattern_ptest_log = vstring_alloc(256);
    vstring_reset(pattern_ptest_log);
    msg_output_clear();
    msg_output_add(pattern_ptest_capture);
    return pattern_ptest_log;
}

static inline void pattern_ptest_run(PATTERN_OPEN_BUF open_buf, const PATTERN_CASE *cases,
                                     size_t count, int dict_flags)
{
    for (size_t i = 0; i < count; i++) {
        const PATTERN_CASE *c = cases + i;
        VSTRING *log = pattern_ptest_log_start();
        const char *value = 0;
        DICT *dict;
        int status;

        dict = open_buf("T", c->table, strlen(c->table), dict_flags);
        status = dict_get(dict, c->key, &value);
        if (status != c->want_status)
            PTEST_FAIL("%s: status: got %d, want %d", c->name, status, c->want_status);
        else if (status == DICT_STAT_FOUND && strcmp(value, c->want_value) != 0)
            PTEST_FAIL("%s: value: got \"%s\", want \"%s\"", c->name, value, c->want_value);
        if (strcmp(vstring_str(log), c->want_warnings) != 0)
            PTEST_FAIL("%s: warnings:\n got  \"%s\"\n want \"%s\"", c->name, vstring_str(log),
                       c->want_warnings);
        dict_close(dict);
    }
    msg_output_clear();
}

#define PATTERN_PTEST_RUN(open_buf, cases, flags)                                                  \
    pattern_ptest_run((open_buf), (cases), sizeof(cases) / sizeof((cases)[0]), (flags))

#endif
