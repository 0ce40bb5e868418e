/*
 * dict_regexp_test - unit tests for the regexp table type (dict_regexp.c
 * and the shared rule engine in dict_pattern_rx.c).
 *
 * Expected answers and warning texts were taken from Debian's Postfix 3.7
 * postmap -q on the same table text; tests/test_pattern_tables.py keeps
 * comparing the two over a larger corpus.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dict_regexp.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"
#include "dict_pattern_ptest.h"

#define W(text)  "warning: regexp map T, line " text "\n"
#define FOUND    DICT_STAT_FOUND
#define NOTFOUND DICT_STAT_NOTFOUND

static const PATTERN_CASE match_cases[] = {
    {"first match wins", "/a/ one\n/ab/ two\n", "ab", FOUND, "one", ""},
    {"no match", "/a/ one\n", "b", NOTFOUND, 0, ""},
    {"empty table", "", "a", NOTFOUND, 0, ""},
    {"whole key offered", "/^ab$/ exact\n", "ab", FOUND, "exact", ""},
    {"default ignores case", "/FOO/ up\n", "foo", FOUND, "up", ""},
    {"i toggles case off", "/bar/i cs\n", "BAR", NOTFOUND, 0, ""},
    {"ii toggles back", "/A/ii r\n", "a", FOUND, "r", ""},
    {"x makes it basic", "/c+/x lit\n", "c+", FOUND, "lit", ""},
    {"x basic plus literal", "/c+/x lit\n", "cc", NOTFOUND, 0, ""},
    {"m flag accepted", "/^b/m multi\n", "a\nb", FOUND, "multi", ""},
    {"any delimiter", "|a\\|b| pipe\n", "a|b", FOUND, "pipe", ""},
    {"escaped delimiter stays escaped", "|a\\|b| pipe\n", "b", NOTFOUND, 0, ""},
    {"escaped slash", "/s\\/t/ slash\n", "s/t", FOUND, "slash", ""},
    {"underscore delimiter", "_u_ under\n", "u", FOUND, "under", ""},
    {"empty pattern matches", "// any\n", "x", FOUND, "any", ""},
    {"negation", "!/a/ not-a\n", "b", FOUND, "not-a", ""},
    {"negation no match", "!/a/ not-a\n", "a", NOTFOUND, 0, ""},
    {"double negation", "!!/d/ dbl\n", "d", FOUND, "dbl", ""},
    {"spaced negation", "! !/e/ sp\n", "e", FOUND, "sp", ""},
    {"triple negation", "!!!/f/ tr\n", "x", FOUND, "tr", ""},
    {"result keeps inner space", "/a/ b  c\n", "a", FOUND, "b  c", ""},
    {"trailing space trimmed", "/a/ value \t \n", "a", FOUND, "value", ""},
    {"crlf", "/a/ v\r\n", "a", FOUND, "v", ""},
    {"no newline at end", "/a/ v", "a", FOUND, "v", ""},
};

static const PATTERN_CASE subst_cases[] = {
    {"name runs into letters", "/a(b)c/ x$1y\n", "abc", NOTFOUND, 0,
     W("1: non-numeric replacement index \"1y\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"braced group", "/a(b)c/ x${1}y\n", "abc", FOUND, "xby", ""},
    {"paren group", "/a(b)c/ [$(1)]\n", "abc", FOUND, "[b]", ""},
    {"dollar dollar", "/(v)/ ${1}$$\n", "v", FOUND, "v$", ""},
    {"dollar dollar digit", "/(a)/ $$1\n", "a", FOUND, "$1", ""},
    {"close brace literal", "/(a)/ ${1}}\n", "a", FOUND, "a}", ""},
    {"leading zero", "/(a)/ $01\n", "a", FOUND, "a", ""},
    {"unset group is empty", "/^(a)|(b)$/ [$1][$2]\n", "b", FOUND, "[][b]", ""},
    {"two groups", "/^u(.*)@(.*)$/ $2 $1\n", "ujoe@example.com", FOUND, "example.com joe", ""},
    {"ten groups", "/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/ [$10$11]\n", "abcdefghijk", FOUND, "[jk]",
     ""},
    {"atoi wraps like postfix", "/(a)/ $4294967297\n", "a", FOUND, "a", ""},
    {"atoi saturates like postfix", "/(a)/ $1000000000000000000000\n", "a", NOTFOUND, 0,
     W("1: out of range replacement index \"-1\": skipping this rule")},
    {"out of range", "/a/ $2\n", "a", NOTFOUND, 0,
     W("1: out of range replacement index \"2\": skipping this rule")},
    {"out of range reports largest", "/(a)/ $3$2\n", "a", NOTFOUND, 0,
     W("1: out of range replacement index \"3\": skipping this rule")},
    {"zero", "/(a)/ $0\n", "a", NOTFOUND, 0,
     W("1: out-of-range replacement index \"0\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"double zero", "/(a)/ $00\n", "a", NOTFOUND, 0,
     W("1: out-of-range replacement index \"00\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"dollar at end", "/(v)/ $1$\n", "v", NOTFOUND, 0,
     "warning: empty macro name: \"$1$\"\n" W("1: bad replacement syntax: skipping this rule")},
    {"lone dollar", "/w/ $\n", "w", NOTFOUND, 0,
     "warning: empty macro name: \"$\"\n" W("1: bad replacement syntax: skipping this rule")},
    {"dollar space", "/(a)/ $ 1\n", "a", NOTFOUND, 0,
     "warning: empty macro name: \"$ 1\"\n" W("1: bad replacement syntax: skipping this rule")},
    {"empty braces", "/(a)/ [${}]\n", "a", NOTFOUND, 0,
     "warning: empty macro name: \"[${}]\"\n" W("1: bad replacement syntax: skipping this rule")},
    {"unterminated brace", "/(a)/ pre${1\n", "a", NOTFOUND, 0,
     "warning: truncated macro reference: \"pre${1\"\n" W(
         "1: bad replacement syntax: skipping this rule")},
    {"mismatched brackets", "/(a)/ ${1)\n", "a", NOTFOUND, 0,
     "warning: truncated macro reference: \"${1)\"\n" W(
         "1: bad replacement syntax: skipping this rule")},
    {"nested braces", "/(a)/ ${{1}}\n", "a", NOTFOUND, 0,
     W("1: non-numeric replacement index \"{1}\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"conditional form", "/(a)/ ${1?x}\n", "a", NOTFOUND, 0,
     W("1: non-numeric replacement index \"1?x\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"errors go on until syntax error", "/(a)/ $a $b ${\n", "a", NOTFOUND, 0,
     W("1: non-numeric replacement index \"a\"")
         W("1: non-numeric replacement index \"b\"") "warning: truncated macro reference: \"$a $b "
                                                     "${\"\n" W("1: bad replacement syntax: "
                                                                "skipping this rule")},
    {"negative with group", "!/neg(x)/ $1\n", "y", NOTFOUND, 0,
     W("1: $number found in negative match replacement text: skipping this rule")},
    {"negative with dollar", "!/x/ $$\n", "y", FOUND, "$", ""},
    {"negative checked before compile", "!/(/ $1\n", "y", NOTFOUND, 0,
     W("1: $number found in negative match replacement text: skipping this rule")},
    {"compile before range", "/(/ $2\n", "y", NOTFOUND, 0, W("1: Unmatched ( or \\(")},
};

static const PATTERN_CASE syntax_cases[] = {
    {"no closing delimiter", "/bad( x\n/z/ ok\n", "z", FOUND, "ok",
     W("1: no closing regexp delimiter \"/\": skipping this rule")},
    {"escape at end", "/a\\/ x\n", "a", NOTFOUND, 0,
     W("1: no closing regexp delimiter \"/\": skipping this rule")},
    {"unknown flag", "/a/ixq r\n", "a", NOTFOUND, 0,
     W("1: unknown regexp option \"q\": skipping this rule")},
    {"pcre flag is unknown here", "/a/s r\n", "a", NOTFOUND, 0,
     W("1: unknown regexp option \"s\": skipping this rule")},
    {"flags before result", "/a/q $a\n", "a", NOTFOUND, 0,
     W("1: unknown regexp option \"q\": skipping this rule")},
    {"bad regex", "/(/ r\n/[a/ s\n", "a", NOTFOUND, 0,
     W("1: Unmatched ( or \\(") W("2: Unmatched [, [^, [:, [., or [=")},
    {"no result", "/x/\n", "x", FOUND, "", W("1: no replacement text: using empty string")},
    {"no result then bad regex", "/(/\n", "x", NOTFOUND, 0,
     W("1: no replacement text: using empty string") W("1: Unmatched ( or \\(")},
    {"lone bang", "!\n", "x", NOTFOUND, 0, W("1: no regexp: skipping this rule")},
    {"unrecognized", "xabcx r\n1a1 r\n/ok/ y\n", "ok", FOUND, "y",
     W("1: ignoring unrecognized request") W("2: ignoring unrecognized request")},
    {"continuation", "/x/ r\n  more\n", "x", FOUND, "r  more", ""},
    {"continuation over comment and blank", "/x/ r\n#c\n\n   \n  more\n", "x", FOUND, "r  more",
     ""},
    {"line number of first line", "/x/ r\n/(/ r\n  more\n", "x", FOUND, "r",
     W("2: Unmatched ( or \\(")},
    {"leading white space", "  /lead/ rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\n  xx\n/x/ r\n", "x",
     FOUND, "r",
     "warning: T: logical line must not start with whitespace: "
     "\"  /lead/ rrrrrrrrrrrrrrrrrrrrr...\"\n"},
    {"leading white space dropped", "  /lead/ r\n/x/ r\n", "lead", NOTFOUND, 0,
     "warning: T: logical line must not start with whitespace: \"  /lead/ r\"\n"},
    {"two patterns", "/a/!/b/ r1\n", "a", FOUND, "r1", ""},
    {"two patterns second matches", "/a/!/b/ r1\n", "ab", NOTFOUND, 0, ""},
    {"two patterns groups from first", "/(c)/!/(d)/ $1\n", "c", FOUND, "c", ""},
    {"two patterns double bang", "/(a)/!!/b/ $1\n", "ab", FOUND, "a", ""},
    {"two patterns negated first", "!/a/!/b/ r\n", "x", FOUND, "r", ""},
    {"two patterns range before second compile", "/a/!/(/ $2\n", "a", NOTFOUND, 0,
     W("1: out of range replacement index \"2\": skipping this rule")},
    {"two patterns second bad", "/a/!/(/ r\n", "a", NOTFOUND, 0, W("1: Unmatched ( or \\(")},
    {"bang then space", "/a/! r\n", "a", NOTFOUND, 0,
     W("1: no closing regexp delimiter \"r\": skipping this rule")},
    {"third pattern is result", "/a/!/b/!/c/ r\n", "a", FOUND, "!/c/ r", ""},
    {"backslash delimiter never closes", "!\\(\\|!ix x\n", "a", NOTFOUND, 0,
     W("1: no closing regexp delimiter \"\\\": skipping this rule")},
    {"nul byte ends the text", "/x/ a\0b\n/y/ r\n", "x", FOUND, "a", ""},
};

static const PATTERN_CASE if_cases[] = {
    {"if matches", "if /a/\n/b/ r1\nendif\n/./ r3\n", "ab", FOUND, "r1", ""},
    {"if skips", "if /a/\n/b/ r1\nendif\n/./ r3\n", "xb", FOUND, "r3", ""},
    {"nested negated if", "if /a/\nif !/c/\n/d/ r2\nendif\nendif\n/./ r3\n", "ad", FOUND, "r2", ""},
    {"nested negated if skips", "if /a/\nif !/c/\n/d/ r2\nendif\nendif\n/./ r3\n", "acd", FOUND,
     "r3", ""},
    {"keywords ignore case", "IF /x/\n/x/ in\nENDIF\n", "x", FOUND, "in", ""},
    {"if without space", "if/q/\n/w/ r5\nendif\n", "qw", FOUND, "r5", ""},
    {"if extra text", "if /a/ extra\nendif\n", "a", NOTFOUND, 0,
     W("1: ignoring extra text after IF statement: \"extra\"")
         W("1: do not prepend whitespace to statements between IF and ENDIF")},
    {"indented rule inside if", "if /a/\n  /b/ r\nendif\n", "ab", NOTFOUND, 0,
     W("1: ignoring extra text after IF statement: \"/b/ r\"")
         W("1: do not prepend whitespace to statements between IF and ENDIF")},
    {"endif extra text", "if /a/\nendif extra\n/x/ r\n", "ax", FOUND, "r",
     W("2: ignoring extra text after ENDIF")},
    {"endif without if", "endif\n/x/ r\n", "x", FOUND, "r",
     W("1: ignoring ENDIF without matching IF")},
    {"endif without if beats extra text", "endif/\n", "x", NOTFOUND, 0,
     W("1: ignoring ENDIF without matching IF")},
    {"bad if leaves endif unmatched", "if /(/\n/./ r\nendif\n", "abc", FOUND, "r",
     W("1: Unmatched ( or \\(") W("3: ignoring ENDIF without matching IF")},
    {"bare if", "if\n/x/ r\n", "x", FOUND, "r", W("1: no regexp: skipping this rule")},
    {"ifx is not if", "ifx /a/ r\n", "a", NOTFOUND, 0, W("1: ignoring unrecognized request")},
    {"endifx is not endif", "endifx\n", "a", NOTFOUND, 0, W("1: ignoring unrecognized request")},
    {"unclosed ifs innermost first", "if /a/\nif /b/\nif /c/\n/./ r\n", "abc", FOUND, "r",
     W("3: IF has no matching ENDIF") W("2: IF has no matching ENDIF")
         W("1: IF has no matching ENDIF")},
    {"unclosed if still guards", "if /a/\n/./ r\n", "b", NOTFOUND, 0,
     W("1: IF has no matching ENDIF")},
    {"if has one pattern", "if /a/!/b/\n/./ r\nendif\n", "ab", FOUND, "r",
     W("1: ignoring extra text after IF statement: \"!/b/\"")
         W("1: do not prepend whitespace to statements between IF and ENDIF")},
    {"if ignores result groups", "/a/ r\nif !/(x)/ $1\nendif\n", "a", FOUND, "r",
     W("2: ignoring extra text after IF statement: \"$1\"")
         W("2: do not prepend whitespace to statements between IF and ENDIF")},
};

static void test_match(void)
{
    PATTERN_PTEST_RUN(dict_regexp_open_buf, match_cases, DICT_FLAG_DEFAULT);
}

static void test_subst(void)
{
    PATTERN_PTEST_RUN(dict_regexp_open_buf, subst_cases, DICT_FLAG_DEFAULT);
}

static void test_syntax(void)
{
    PATTERN_PTEST_RUN(dict_regexp_open_buf, syntax_cases, DICT_FLAG_DEFAULT);
}

static void test_if(void)
{
    PATTERN_PTEST_RUN(dict_regexp_open_buf, if_cases, DICT_FLAG_DEFAULT);
}

static void test_no_regsub(void)
{
    static const PATTERN_CASE cases[] = {
        {"substitution refused", "/(a)/ $1\n/a/ plain\n", "a", FOUND, "plain",
         W("1: regular expression substitution is not allowed: skipping this rule")},
        {"dollar dollar allowed", "/a/ $$\n", "a", FOUND, "$", ""},
    };

    PATTERN_PTEST_RUN(dict_regexp_open_buf, cases, DICT_FLAG_DEFAULT | DICT_FLAG_NO_REGSUB);
}

static void test_fold(void)
{
    static const PATTERN_CASE cases[] = {
        /* The key is lower-cased first, so a case-sensitive upper-case pattern cannot match. */
        {"fold_mul lowers the key", "/A/i upper\n/a/i lower\n", "A", FOUND, "lower", ""},
        {"fold keeps groups", "/(B)/i $1\n/(b)/i [$1]\n", "B", FOUND, "[b]", ""},
    };

    PATTERN_PTEST_RUN(dict_regexp_open_buf, cases, DICT_FLAG_DEFAULT | DICT_FLAG_FOLD_MUL);
}

/* Many groups, a long result, deep IF nesting: no fixed-size limits inside. */
static void test_big(void)
{
    VSTRING *table = vstring_alloc(1000);
    VSTRING *key = vstring_alloc(1000);
    VSTRING *want = vstring_alloc(1000);
    const char *value;
    DICT *dict;

    vstring_strcpy(table, "/^");
    for (int i = 0; i < 200; i++) {
        vstring_strcat(table, "(.)");
        vstring_addch(key, (char)('a' + i % 26));
    }
    vstring_strcat(table, "$/ ");
    for (int i = 200; i >= 1; i -= 7) {
        vstring_sprintf_append(table, "${%d}-", i);
        vstring_sprintf_append(want, "%c-", 'a' + (i - 1) % 26);
    }
    vstring_strcat(table, "\n");
    for (int i = 0; i < 5000; i++)
        vstring_strcat(table, "if /./\n");
    vstring_strcat(table, "/zz/ deep\n");
    for (int i = 0; i < 5000; i++)
        vstring_strcat(table, "endif\n");
    pattern_ptest_log_start();
    dict = dict_regexp_open_buf("T", vstring_str(table), VSTRING_LEN(table), DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_get(dict, vstring_str(key), &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, vstring_str(want));
    PTEST_INT_EQ(dict_get(dict, "zz", &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "deep");
    PTEST_STR_EQ(vstring_str(pattern_ptest_log), "");
    dict_close(dict);
    vstring_free(table);
    vstring_free(key);
    vstring_free(want);
}

static void test_file(void)
{
    char path[] = "/tmp/dict_regexp_test.XXXXXX";
    const char *value;
    DICT *dict;
    int fd;

    if ((fd = mkstemp(path)) < 0)
        PTEST_FAIL("mkstemp: %m");
    if (write(fd, "/^(.*)@example\\.com$/ $1\n", 25) != 25)
        PTEST_FAIL("write: %m");
    close(fd);

    dict = dict_regexp_open(path, O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_open_error(dict), 0);
    PTEST_INT_EQ(dict_get(dict, "joe@example.com", &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "joe");
    PTEST_INT_EQ(dict_get(dict, "joe@example.org", &value), DICT_STAT_NOTFOUND);
    PTEST_INT_EQ(dict->error, DICT_ERR_NONE);
    /* Read-only: updates, deletes and walks fail and say why. */
    PTEST_INT_EQ(dict_put(dict, "k", "v"), DICT_STAT_FAIL);
    PTEST_CHECK(strstr(dict_errtext(dict), "not supported") != 0);
    PTEST_INT_EQ(dict_del(dict, "k"), DICT_STAT_FAIL);
    dict_close(dict);

    dict = dict_regexp_open(path, O_RDWR, DICT_FLAG_DEFAULT);
    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "x", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    PTEST_CHECK(strstr(dict_errtext(dict), "map requires O_RDONLY access mode") != 0);
    dict_close(dict);
    unlink(path);

    dict = dict_regexp_open(path, O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "x", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    {
        VSTRING *want = vstring_alloc(100);

        vstring_sprintf(want, "open %s: No such file or directory", path);
        PTEST_STR_EQ(dict_errtext(dict), vstring_str(want));
        vstring_free(want);
    }
    dict_close(dict);

    dict = dict_regexp_open("/", O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "x", &value), DICT_STAT_FAIL);
    dict_close(dict);
}

static const PTEST_CASE cases[] = {
    {"match", test_match}, {"subst", test_subst},         {"syntax", test_syntax},
    {"if", test_if},       {"no_regsub", test_no_regsub}, {"fold", test_fold},
    {"big", test_big},     {"file", test_file},
};

PTEST_MAIN(cases)
