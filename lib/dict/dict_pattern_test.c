/*
 * dict_pattern_test - unit tests for the shared pattern-table plumbing:
 * the logical-line reader, the $n substitution template and file loading.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict_pattern.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"
#include "dict_pattern_ptest.h"

/* Logical lines as "LINENO:TEXT|..." and the warnings. */
typedef struct READ_CASE {
    const char *name;
    const char *input;
    size_t len; /* 0: strlen(input) */
    const char *want_lines;
    const char *want_warnings;
} READ_CASE;

static const READ_CASE read_cases[] = {
    {"empty", "", 0, "", ""},
    {"one line", "a b\n", 0, "1:a b|", ""},
    {"no final newline", "a\nb", 0, "1:a|2:b|", ""},
    {"continuation", "a\n  b\n\tc\nd\n", 0, "1:a  b\tc|4:d|", ""},
    {"comments and blanks inside", "a\n# x\n\n   \n  b\n", 0, "1:a  b|", ""},
    {"indented comment", "a\n   # x\nb\n", 0, "1:a|3:b|", ""},
    {"crlf kept for the parser", "a\r\nb\r\n", 0, "1:a\r|2:b\r|", ""},
    {"leading white space dropped", "  x\n  y\nz\n", 0, "3:z|",
     "warning: F: logical line must not start with whitespace: \"  x  y\"\n"},
    {"leading white space long", "  0123456789012345678901234567890\n", 0, "",
     "warning: F: logical line must not start with whitespace: "
     "\"  0123456789012345678901234567...\"\n"},
    {"leading white space after comment", "# c\n\tx\n", 0, "",
     "warning: F: logical line must not start with whitespace: \"\tx\"\n"},
    {"only comments", "#a\n#b\n", 0, "", ""},
    {"nul line is text", "\0abc\nd\n", 6, "1:|2:d|", ""},
    {"nul after indent is text", "  \0x\nd\n", 6, "2:d|",
     "warning: F: logical line must not start with whitespace: \"  \"\n"},
    {"nul inside keeps line", "a\0b\nc\n", 6, "1:a|2:c|", ""},
    {"hash inside is text", "a # b\n", 0, "1:a # b|", ""},
};

static void test_read(void)
{
    VSTRING *got = vstring_alloc(100);
    VSTRING *line = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
        const READ_CASE *c = read_cases + i;
        VSTRING *log = pattern_ptest_log_start();
        DICT_PATTERN_READER rd;
        int lineno;
        int last = 0;

        dict_pattern_reader_init(&rd, "F", c->input, c->len ? c->len : strlen(c->input));
        vstring_reset(got);
        while (dict_pattern_read_line(&rd, line, &lineno)) {
            if (lineno <= last)
                PTEST_FAIL("%s: line numbers do not increase: %d after %d", c->name, lineno, last);
            last = lineno;
            vstring_sprintf_append(got, "%d:%s|", lineno, vstring_str(line));
        }
        if (strcmp(vstring_str(got), c->want_lines) != 0)
            PTEST_FAIL("%s: got \"%s\", want \"%s\"", c->name, vstring_str(got), c->want_lines);
        if (strcmp(vstring_str(log), c->want_warnings) != 0)
            PTEST_FAIL("%s: warnings: got \"%s\", want \"%s\"", c->name, vstring_str(log),
                       c->want_warnings);
    }
    msg_output_clear();
    vstring_free(got);
    vstring_free(line);
}

typedef struct SUBST_CASE {
    const char *name;
    const char *result;
    int want_ok;
    size_t want_max;
    const char *want_expanded; /* with groups 1="A", 2 unset, 3="" */
} SUBST_CASE;

static const SUBST_CASE subst_cases[] = {
    {"literal", "abc", 1, 0, "abc"},
    {"empty", "", 1, 0, ""},
    {"group", "<$1>", 1, 1, "<A>"},
    {"braces", "<${1}${3}>", 1, 3, "<A>"},
    {"parens", "$(1)x", 1, 1, "Ax"},
    {"unset group", "[$2]", 1, 2, "[]"},
    {"dollar", "$$1$$", 1, 0, "$1$"},
    {"two digits", "$12", 1, 12, ""},
    {"leading zeros", "$0001", 1, 1, "A"},
    {"wraps like atoi", "$4294967297", 1, 1, "A"},
    {"saturates like atoi", "$99999999999999999999", 1, (size_t)-1, 0},
    {"zero", "$0", 0, 0, 0},
    {"letters", "$1a", 0, 0, 0},
    {"bare dollar", "x$", 0, 0, 0},
    {"unterminated", "${1", 0, 0, 0},
    {"empty braces", "$()", 0, 0, 0},
    {"nested", "${{1}}", 0, 0, 0},
};

static void test_subst(void)
{
    static const DICT_PATTERN_STYLE style = {"regexp", "out-of-range"};
    static const size_t start[] = {0, 0, DICT_PATTERN_NOGROUP, 1};
    static const size_t end[] = {1, 1, DICT_PATTERN_NOGROUP, 1};
    VSTRING *out = vstring_alloc(10);

    pattern_ptest_log_start();
    for (size_t i = 0; i < sizeof(subst_cases) / sizeof(subst_cases[0]); i++) {
        const SUBST_CASE *c = subst_cases + i;
        DICT_PATTERN_SUBST subst;
        int ok = dict_pattern_subst_compile(&subst, c->result, &style, "F", 1) == 0;

        if (ok != c->want_ok) {
            PTEST_FAIL("%s: compile: got %d, want %d", c->name, ok, c->want_ok);
            continue;
        }
        if (!ok)
            continue;
        if (subst.max_group != c->want_max)
            PTEST_FAIL("%s: max_group: got %zu, want %zu", c->name, subst.max_group, c->want_max);
        if (c->want_expanded && c->want_max < 4) {
            dict_pattern_subst_expand(&subst, out, "AB", start, end, 4);
            if (strcmp(vstring_str(out), c->want_expanded) != 0)
                PTEST_FAIL("%s: expanded: got \"%s\", want \"%s\"", c->name, vstring_str(out),
                           c->want_expanded);
            if ((dict_pattern_subst_const(&subst) != 0) != (c->want_max == 0))
                PTEST_FAIL("%s: constant result not recognized", c->name);
        }
        dict_pattern_subst_free(&subst);
    }
    msg_output_clear();
    vstring_free(out);
}

static void test_keyword(void)
{
    PTEST_INT_EQ(dict_pattern_keyword("if /a/", "if"), 1);
    PTEST_INT_EQ(dict_pattern_keyword("IF/a/", "if"), 1);
    PTEST_INT_EQ(dict_pattern_keyword("if", "if"), 1);
    PTEST_INT_EQ(dict_pattern_keyword("ifx", "if"), 0);
    PTEST_INT_EQ(dict_pattern_keyword("if1", "if"), 0);
    PTEST_INT_EQ(dict_pattern_keyword("i", "if"), 0);
    PTEST_INT_EQ(dict_pattern_keyword("EndIf!", "endif"), 1);
}

static void test_load(void)
{
    char path[] = "/tmp/dict_pattern_test.XXXXXX";
    VSTRING *why = vstring_alloc(100);
    DICT_PATTERN_FILE file;
    char *big;
    int fd;

    if ((fd = mkstemp(path)) < 0)
        PTEST_FAIL("mkstemp: %m");
    /* Larger than the first read buffer guess would be for a pipe. */
    big = mymalloc(100000);
    memset(big, 'x', 100000);
    big[99999] = '\n';
    if (write(fd, big, 100000) != 100000)
        PTEST_FAIL("write: %m");
    close(fd);
    PTEST_INT_EQ(dict_pattern_load(path, &file, why), 0);
    PTEST_INT_EQ(file.len, 100000);
    PTEST_CHECK(memcmp(file.data, big, 100000) == 0);
    PTEST_INT_EQ(file.data[file.len], 0);
    dict_pattern_unload(&file);
    unlink(path);
    myfree(big);

    PTEST_INT_EQ(dict_pattern_load(path, &file, why), -1);
    PTEST_CHECK(strstr(vstring_str(why), "No such file or directory") != 0);
    PTEST_INT_EQ(dict_pattern_load("/", &file, why), -1);
    PTEST_STR_EQ(vstring_str(why), "read /: Is a directory");
    /* A /proc file: stat() says 0 bytes, the content is longer. */
    PTEST_INT_EQ(dict_pattern_load("/proc/version", &file, why), 0);
    PTEST_CHECK(file.len > 0);
    PTEST_INT_EQ(file.data[file.len - 1], '\n');
    PTEST_INT_EQ(file.data[file.len], 0);
    dict_pattern_unload(&file);
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"read", test_read},
    {"subst", test_subst},
    {"keyword", test_keyword},
    {"load", test_load},
};

PTEST_MAIN(cases)
