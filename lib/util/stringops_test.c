/*
 * Unit tests for stringops, argv and vstring: the tokenizers every parser
 * of main.cf, master.cf and table files relies on.
 */
#include "argv.h"
#include "msg.h"
#include "mymalloc.h"
#include "ptest.h"
#include "stringops.h"
#include "vstring.h"

static char *joined(ARGV *argvp)
{
    VSTRING *buf = vstring_alloc(100);

    for (size_t i = 0; i < argvp->argc; i++)
        vstring_sprintf_append(buf, "%s[%s]", i ? " " : "", argvp->argv[i]);
    argv_free(argvp);
    return vstring_export(buf);
}

static void test_split_list(void)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"a, b,c  d", "[a] [b] [c] [d]"},
        {"", ""},
        {" ,,, ", ""},
        {"inline:{ a=b, c=d }, x", "[inline:{ a=b, c=d }] [x]"},
        {"{a {b c} d} e", "[{a {b c} d}] [e]"},
        {"unbalanced:{ a b", "[unbalanced:{ a b]"},
        {"stray} brace", "[stray}] [brace]"},
        {"\ttab\nnewline\r", "[tab] [newline]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = joined(argv_split_list(cases[i].in));
        PTEST_STR_EQ(got, cases[i].want);
        myfree(got);
    }
}

static void test_extpar(void)
{
    char buf1[] = "{ a b }";
    char *bp = buf1;
    PTEST_STR_EQ(extpar(&bp, CHARS_BRACE, EXTPAR_FLAG_STRIP), (const char *) 0);
    PTEST_STR_EQ(bp, "a b");

    char buf2[] = "{ a } b";
    bp = buf2;
    PTEST_STR_EQ(extpar(&bp, CHARS_BRACE, 0), "syntax error after '}'");

    char buf3[] = "{ a {b}";
    bp = buf3;
    PTEST_STR_EQ(extpar(&bp, CHARS_BRACE, 0), "missing '}'");

    char buf4[] = "plain";
    bp = buf4;
    PTEST_STR_EQ(extpar(&bp, CHARS_BRACE, 0), (const char *) 0);
    PTEST_STR_EQ(bp, "plain");
}

static void test_nameval(void)
{
    char buf[] = "  name =  some value  ";
    char *name;
    char *value;

    PTEST_STR_EQ(split_nameval(buf, &name, &value), (const char *) 0);
    PTEST_STR_EQ(name, "name");
    PTEST_STR_EQ(value, "some value");

    char bad[] = "novalue";
    PTEST_STR_EQ(split_nameval(bad, &name, &value), "missing '=' after attribute name");
    char empty[] = "   ";
    PTEST_STR_EQ(split_nameval(empty, &name, &value), "missing attribute name");
}

static void test_strtoul(void)
{
    unsigned long ul;
    long l;

    PTEST_CHECK(safe_strtoul("123", &ul) && ul == 123);
    PTEST_CHECK(!safe_strtoul("", &ul));
    PTEST_CHECK(!safe_strtoul("-1", &ul));
    PTEST_CHECK(!safe_strtoul("12x", &ul));
    PTEST_CHECK(!safe_strtoul("99999999999999999999999", &ul));
    PTEST_CHECK(safe_strtol("-5", &l) && l == -5);
}

static void test_vstring_limit(void)
{
    VSTRING *vp = vstring_set_limit(vstring_alloc(1), 5);

    vstring_strcpy(vp, "abc");
    PTEST_CHECK(!vstring_overflowed(vp));
    vstring_strcat(vp, "defg");
    PTEST_STR_EQ(vstring_str(vp), "abcde");
    PTEST_CHECK(vstring_overflowed(vp));
    vstring_sprintf(vp, "%d", 1234567);
    PTEST_STR_EQ(vstring_str(vp), "12345");
    vstring_reset(vp);
    PTEST_CHECK(!vstring_overflowed(vp));
    vstring_memcat(vp, "a\0b", 3);
    PTEST_INT_EQ(VSTRING_LEN(vp), 3);
    vstring_free(vp);
}

static void test_vstring_grow(void)
{
    VSTRING *vp = vstring_alloc(1);

    for (int i = 0; i < 1000; i++)
        vstring_sprintf_append(vp, "%04d", i);
    PTEST_INT_EQ(VSTRING_LEN(vp), 4000);
    PTEST_CHECK(strncmp(vstring_str(vp) + 3996, "0999", 4) == 0);
    vstring_free(vp);
}

static void test_valid_utf8(void)
{
    static const struct {
        const char *in;
        int ok;
    } cases[] = {
        {"", 1},
        {"plain ASCII", 1},
        {"caf\xc3\xa9", 1},              /* U+00E9 */
        {"\xe2\x82\xac", 1},             /* U+20AC */
        {"\xf0\x9f\x98\x80", 1},         /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 1},         /* U+10FFFF, the last code point */
        {"\xed\x9f\xbf", 1},             /* U+D7FF, just below the surrogates */
        {"\xff", 0},                     /* never in UTF-8 */
        {"\x80", 0},                     /* lone continuation byte */
        {"\xc3", 0},                     /* truncated two-byte form */
        {"\xe2\x82", 0},                 /* truncated three-byte form */
        {"\xc0\xaf", 0},                 /* overlong '/' */
        {"\xc1\xbf", 0},                 /* overlong */
        {"\xe0\x80\xaf", 0},             /* overlong three-byte '/' */
        {"\xf0\x80\x80\xaf", 0},         /* overlong four-byte '/' */
        {"\xed\xa0\x80", 0},             /* U+D800, a surrogate */
        {"\xf4\x90\x80\x80", 0},         /* U+110000 */
        {"\xf5\x80\x80\x80", 0},         /* lead byte above 0xf4 */
        {"\xc3\xa9\xc3", 0},             /* good, then truncated */
        {"\xe2\x28\xa1", 0},             /* bad second byte */
        {"\xe2\x82\x28", 0},             /* bad third byte */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (valid_utf8(cases[i].in, strlen(cases[i].in)) != cases[i].ok)
            PTEST_FAIL("case %zu: valid_utf8 should say %d", i, cases[i].ok);
    }
    /* An embedded NUL is U+0000: valid; the length, not the NUL, ends the input. */
    PTEST_INT_EQ(valid_utf8("a\0b", 3), 1);
    PTEST_INT_EQ(valid_utf8("\xc3\xa9", 1), 0);
}

static void test_printable(void)
{
    static const struct {
        const char *in;
        int flags;
        const char *want;
    } cases[] = {
        {"plain text", 1, "plain text"},
        {"tab\there", 1, "tab?here"},
        {"tab\there", 1 | PRINTABLE_TAB, "tab\there"},
        {"cr\rlf\nnul", 1, "cr?lf?nul"},
        {"del\x7f", 1, "del?"},
        {"caf\xc3\xa9", 1, "caf\xc3\xa9"},
        {"caf\xc3\xa9", 0, "caf??"},
        {"bad \xff byte", 1, "bad ? byte"},
        {"cut \xe2\x82", 1, "cut ??"},
        {"overlong \xc0\xaf", 1, "overlong ??"},
        {"\xf0\x9f\x98\x80!", 1, "\xf0\x9f\x98\x80!"},
        {"\xf0\x9f\x98", 1, "???"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *copy = strdup(cases[i].in);

        PTEST_STR_EQ(printable(copy, '?', cases[i].flags), cases[i].want);
        free(copy);
    }
}

static void test_fatal_exits(void)
{
    PTEST_EXPECT_EXIT(1);
    msg_fatal("expected fatal");
}

static const PTEST_CASE cases[] = {
    {"split_list", test_split_list}, {"extpar", test_extpar},
    {"nameval", test_nameval},       {"strtoul", test_strtoul},
    {"vstring_limit", test_vstring_limit}, {"vstring_grow", test_vstring_grow},
    {"valid_utf8", test_valid_utf8},       {"printable", test_printable},       {"fatal_exits", test_fatal_exits},
};

PTEST_MAIN(cases)
