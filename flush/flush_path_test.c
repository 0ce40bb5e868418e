/*
 * Unit tests for flush_path: Postfix's log names for destinations, and the
 * checks that keep a site or a directory entry from naming anything else.
 */
#include "flush_path.h"
#include <string.h>

#include "ptest.h"

static void test_names(void)
{
    static const struct {
        const char *site, *want;
    } cases[] = {
        {"example.com", "flush/example_com"},
        {"Mail.Example.COM", "flush/mail_example_com"},
        {"[10.0.0.1]", "flush/_10_0_0_1_"},
        {"../../etc/passwd", "flush/______etc_passwd"},
        {"a-b_c", "flush/a_b_c"},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        PTEST_STR_EQ(vstring_str(flush_path_site(buf, cases[i].site)), cases[i].want);
    vstring_free(buf);
}

static void test_checks(void)
{
    char long_site[300];

    memset(long_site, 'a', sizeof(long_site) - 1);
    long_site[sizeof(long_site) - 1] = 0;
    PTEST_INT_EQ(flush_path_site_ok("example.com"), 1);
    PTEST_INT_EQ(flush_path_site_ok("[10.0.0.1]"), 1);
    PTEST_INT_EQ(flush_path_site_ok(""), 0);
    PTEST_INT_EQ(flush_path_site_ok("a b"), 0);
    PTEST_INT_EQ(flush_path_site_ok("a\nb"), 0);
    PTEST_INT_EQ(flush_path_site_ok(long_site), 0);
    PTEST_INT_EQ(flush_path_ok("example_com"), 1);
    PTEST_INT_EQ(flush_path_ok("_10_0_0_1_"), 1);
    PTEST_INT_EQ(flush_path_ok("."), 0);
    PTEST_INT_EQ(flush_path_ok(".."), 0);
    PTEST_INT_EQ(flush_path_ok("Example_com"), 0);
    PTEST_INT_EQ(flush_path_ok("x.tmp"), 0);
    PTEST_INT_EQ(flush_path_ok(""), 0);
}

static const PTEST_CASE cases[] = {
    {"log names", test_names},
    {"site and entry checks", test_checks},
};

PTEST_MAIN(cases)
