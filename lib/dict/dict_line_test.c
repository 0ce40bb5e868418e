/*
 * dict_line_test - the postmap source-file syntax: continuation lines,
 * comments, blank lines, trailing white space, line numbers, a leading
 * continuation, missing values and over-long lines.  Expected results were
 * checked against Debian's postmap 3.7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict_line.h"
#include "msg.h"
#include "ptest.h"
#include "vstring.h"

typedef struct {
    const char *name;
    const char *input;
    const char *want; /* "LINE:key=value|" per logical line, "LINE:!" = no value */
} LINE_CASE;

static const LINE_CASE line_cases[] = {
    {"simple", "a b\nc d\n", "1:a=b|2:c=d|"},
    {"no final newline", "a b", "1:a=b|"},
    {"value with spaces", "baz  qux quux\n", "1:baz=qux quux|"},
    {"continuation keeps white space", "a x,\t y\n\t  w\n", "1:a=x,\t y\t  w|"},
    {"blank and whitespace-only lines are skipped", "a x\n  \n  r\n\nb y\n", "1:a=x  r|5:b=y|"},
    {"comment inside a continued line", "b v  \t\n#c\n  cont2\n", "1:b=v  \t  cont2|"},
    {"comment lines", "# one\n  # two\na b\n", "3:a=b|"},
    {"trailing CR and blanks", "c d\r\ne f \t \n", "1:c=d|2:e=f|"},
    {"missing value", "a b\nbadline\nc d\n", "1:a=b|2:!|3:c=d|"},
    {"key then blanks only", "k   \n", "1:!|"},
    {"leading continuation is dropped", "  lead v\nz y\n", "2:z=y|"},
    {"hash inside a value is data", "a b # c\n", "1:a=b # c|"},
    {"empty input", "", ""},
    {"only comments", "#\n#\n", ""},
    {"tab separator", "k\tv\n", "1:k=v|"},
};

static void run_case(const LINE_CASE *lc, VSTRING *got)
{
    FILE *fp = fmemopen((void *)lc->input, strlen(lc->input), "r");
    DICT_LINE *lp;
    VSTRING *buf = vstring_alloc(10);
    int status;
    char *key;
    char *value;

    lp = dict_line_open(fp, lc->name);
    vstring_reset(got);
    while ((status = dict_line_read(lp, buf)) != DICT_LINE_EOF) {
        if (status != DICT_LINE_OK) {
            vstring_sprintf_append(got, "%d:ERR%d|", dict_line_number(lp), status);
            continue;
        }
        if (dict_line_split(vstring_str(buf), &key, &value) < 0)
            vstring_sprintf_append(got, "%d:!|", dict_line_number(lp));
        else
            vstring_sprintf_append(got, "%d:%s=%s|", dict_line_number(lp), key, value);
    }
    dict_line_close(lp);
    fclose(fp);
    vstring_free(buf);
}

static void test_lines(void)
{
    VSTRING *got = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        run_case(line_cases + i, got);
        if (strcmp(vstring_str(got), line_cases[i].want) != 0)
            PTEST_FAIL("%s: got \"%s\", want \"%s\"", line_cases[i].name, vstring_str(got),
                       line_cases[i].want);
    }
    vstring_free(got);
}

/* A logical line over the limit is reported, and the next line still parses. */
static void test_too_long(void)
{
    size_t n = DICT_LINE_LIMIT / 3 + 1; /* each adds 3 bytes */
    size_t size = 4 * n + 100;
    char *text = malloc(size);
    char *cp = text;
    FILE *fp;
    DICT_LINE *lp;
    VSTRING *buf = vstring_alloc(10);

    cp += sprintf(cp, "key v\n");
    for (size_t i = 0; i < n; i++) {
        memcpy(cp, " xx\n", 4);
        cp += 4;
    }
    cp += sprintf(cp, "next line\n");
    fp = fmemopen(text, (size_t)(cp - text), "r");
    lp = dict_line_open(fp, "long");
    PTEST_INT_EQ(dict_line_read(lp, buf), DICT_LINE_TOOLONG);
    PTEST_CHECK(VSTRING_LEN(buf) <= DICT_LINE_LIMIT);
    PTEST_INT_EQ(dict_line_read(lp, buf), DICT_LINE_OK);
    PTEST_STR_EQ(vstring_str(buf), "next line");
    PTEST_INT_EQ(dict_line_number(lp), (long long)n + 2);
    PTEST_INT_EQ(dict_line_read(lp, buf), DICT_LINE_EOF);
    dict_line_close(lp);
    fclose(fp);
    free(text);
    vstring_free(buf);
}

/* One physical line over the limit: flagged, memory bounded, next line fine. */
static void test_physical_too_long(void)
{
    size_t n = DICT_LINE_LIMIT + 1000;
    char *text = malloc(n + 20);
    FILE *fp;
    DICT_LINE *lp;
    VSTRING *buf = vstring_alloc(10);

    memcpy(text, "k ", 2);
    memset(text + 2, 'x', n - 2);
    strcpy(text + n, "\nz y\n");
    fp = fmemopen(text, strlen(text), "r");
    lp = dict_line_open(fp, "phys");
    PTEST_INT_EQ(dict_line_read(lp, buf), DICT_LINE_TOOLONG);
    PTEST_CHECK(VSTRING_LEN(buf) <= DICT_LINE_LIMIT);
    PTEST_INT_EQ(dict_line_read(lp, buf), DICT_LINE_OK);
    PTEST_STR_EQ(vstring_str(buf), "z y");
    PTEST_INT_EQ(dict_line_number(lp), 2);
    dict_line_close(lp);
    fclose(fp);
    free(text);
    vstring_free(buf);
}

static const PTEST_CASE cases[] = {
    {"over-long physical line", test_physical_too_long},
    {"logical lines", test_lines},
    {"over-long logical line", test_too_long},
};

PTEST_MAIN(cases)
