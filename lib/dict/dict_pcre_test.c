/*
 * dict_pcre_test - unit tests for the pcre table type (dict_pcre.c on top
 * of dict_pattern_rx.c).
 *
 * Expected answers and warning texts were taken from Debian's Postfix 3.7
 * (postfix-pcre) postmap -q on the same table text.
 */
#include <string.h>

#include "dict.h"
#include "dict_pcre.h"
#include "msg.h"
#include "vstring.h"
#include "dict_pattern_ptest.h"

#define W(text)  "warning: pcre map T, line " text "\n"
#define FOUND    DICT_STAT_FOUND
#define NOTFOUND DICT_STAT_NOTFOUND

static const PATTERN_CASE flag_cases[] = {
    {"default ignores case", "/A/ r\n", "a", FOUND, "r", ""},
    {"i toggles case off", "/A/i r\n", "a", NOTFOUND, 0, ""},
    {"dot matches newline by default", "/j.k/ r\n", "j\nk", FOUND, "r", ""},
    {"s toggles dotall off", "/j.k/s r\n", "j\nk", NOTFOUND, 0, ""},
    {"m multiline", "/^b/m r\n", "a\nb", FOUND, "r", ""},
    {"no multiline by default", "/^b/ r\n", "a\nb", NOTFOUND, 0, ""},
    {"mm toggles back", "/^b/mm r\n", "a\nb", NOTFOUND, 0, ""},
    {"x extended", "/a b/x r\n", "ab", FOUND, "r", ""},
    {"A anchored", "/d/A r\n", "xd", NOTFOUND, 0, ""},
    {"A anchored match", "/d/A r\n", "dx", FOUND, "r", ""},
    {"E dollar end only", "/e$/E r\n", "e\n", NOTFOUND, 0, ""},
    {"dollar before final newline", "/e$/ r\n", "e\n", FOUND, "r", ""},
    {"U ungreedy", "/(f.*g)/U [$1]\n", "fgg", FOUND, "[fg]", ""},
    {"X obsolete", "/l/X r\n", "l", FOUND, "r", W("1: ignoring obsolete regexp option \"X\"")},
    {"unknown flag", "/m/Q r\n", "m", NOTFOUND, 0,
     W("1: unknown regexp option \"Q\": skipping this rule")},
    {"X then unknown", "/m/Xu r\n", "m", NOTFOUND, 0,
     W("1: ignoring obsolete regexp option \"X\"")
         W("1: unknown regexp option \"u\": skipping this rule")},
    {"perl classes", "/^\\d+$/ digits\n", "123", FOUND, "digits", ""},
    {"bytes not utf-8", "/^..$/ two\n", "\xc3\xa9", FOUND, "two", ""},
};

static const PATTERN_CASE rule_cases[] = {
    {"group", "/a(b)c/ x${1}y\n", "abc", FOUND, "xby", ""},
    {"optional group unset", "/(c)(d)?/ [$2][$1]\n", "c", FOUND, "[][c]", ""},
    {"alternation unset", "/^(a)|(b)$/ [$1][$2]\n", "b", FOUND, "[][b]", ""},
    {"named group counts", "/(?<n>a)(b)/ $1$2\n", "ab", FOUND, "ab", ""},
    {"non-capturing group", "/(?:a)(b)/ $1\n", "ab", FOUND, "b", ""},
    {"non-capturing out of range", "/(?:a)(b)/ $2\n", "ab", NOTFOUND, 0,
     W("1: out of range replacement index \"2\": skipping this rule")},
    {"zero", "/(a)/ $0\n", "a", NOTFOUND, 0,
     W("1: out of range replacement index \"0\"")
         W("1: bad replacement syntax: skipping this rule")},
    {"no closing delimiter", "/bad( x\n", "a", NOTFOUND, 0,
     W("1: no closing regexp delimiter \"/\": ignoring this rule")},
    {"compile error", "/(/ r\n", "a", NOTFOUND, 0,
     W("1: error in regex at offset 1: missing closing parenthesis")},
    {"class error", "/[a/ s\n", "a", NOTFOUND, 0,
     W("1: error in regex at offset 2: missing terminating ] for character class")},
    {"pcre accepts a{1", "/a{1/ r\n", "a{1", FOUND, "r", ""},
    {"negative with group", "!/neg(x)/ $1\n", "y", NOTFOUND, 0,
     W("1: $number found in negative match replacement text: skipping this rule")},
    {"negation", "!/a/ not\n", "b", FOUND, "not", ""},
    {"if", "if /a/\n/b/ r1\nendif\n/./ r2\n", "xb", FOUND, "r2", ""},
    {"if extra", "if /a/ extra\nendif\n", "a", NOTFOUND, 0,
     W("1: ignoring extra text after IF statement: \"extra\"")
         W("1: do not prepend whitespace to statements between IF and ENDIF")},
    {"if unclosed", "IF /b/\n", "b", NOTFOUND, 0, W("1: IF has no matching ENDIF")},
    {"endif unmatched", "endif\n", "b", NOTFOUND, 0, W("1: ignoring ENDIF without matching IF")},
    {"unrecognized", "xabcx\n", "b", NOTFOUND, 0, W("1: ignoring unrecognized request")},
    {"no two-pattern form", "/a/!/b/ r\n", "a", NOTFOUND, 0,
     W("1: unknown regexp option \"!\": skipping this rule")},
    {"no result", "/(b)/\n", "b", FOUND, "", W("1: no replacement text: using empty string")},
    {"lookbehind backref", "/(a)\\1(?<=aa)/ dbl\n", "aa", FOUND, "dbl", ""},
    {"backslash K", "/a\\Kb/ [$0]\n", "ab", NOTFOUND, 0,
     W("1: out of range replacement index \"0\"")
         W("1: bad replacement syntax: skipping this rule")},
};

/* A match that runs into PCRE2's backtracking limit: warned, then treated as no match. */
static const PATTERN_CASE limit_cases[] = {
    {"catastrophic backtracking", "/^(a+)+$/ r\n/./ next\n",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", FOUND, "next", W("1: match limit exceeded")},
};

static void test_flags(void)
{
    PATTERN_PTEST_RUN(dict_pcre_open_buf, flag_cases, DICT_FLAG_DEFAULT);
}

static void test_rules(void)
{
    PATTERN_PTEST_RUN(dict_pcre_open_buf, rule_cases, DICT_FLAG_DEFAULT);
}

static void test_limit(void)
{
    PATTERN_PTEST_RUN(dict_pcre_open_buf, limit_cases, DICT_FLAG_DEFAULT);
}

static void test_fold(void)
{
    static const PATTERN_CASE cases[] = {
        {"fold_mul lowers the key", "/A/i upper\n/(a)/i [$1]\n", "A", FOUND, "[a]", ""},
    };

    PATTERN_PTEST_RUN(dict_pcre_open_buf, cases, DICT_FLAG_DEFAULT | DICT_FLAG_FOLD_MUL);
}

static void test_read_only(void)
{
    DICT *dict = dict_pcre_open("/nonexistent/table", 0, DICT_FLAG_DEFAULT);
    const char *value;

    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "x", &value), DICT_STAT_FAIL);
    PTEST_STR_EQ(dict_errtext(dict), "open /nonexistent/table: No such file or directory");
    dict_close(dict);

    dict = dict_pcre_open_buf("T", "/a/ b\n", 6, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_put(dict, "a", "c"), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    PTEST_INT_EQ(dict_get(dict, "a", &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "b");
    dict_close(dict);
}

static const PTEST_CASE cases[] = {
    {"flags", test_flags}, {"rules", test_rules},         {"limit", test_limit},
    {"fold", test_fold},   {"read_only", test_read_only},
};

PTEST_MAIN(cases)
