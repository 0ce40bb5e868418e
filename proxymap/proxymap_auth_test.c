/*
 * Unit tests for proxymap_auth: only "proxy:" entries of the list approve
 * a table, without the prefix, braces kept as the client names them.
 */
#include "proxymap_auth.h"
#include "ptest.h"

static void test_parse(void)
{
    HTABLE *t = proxymap_auth_parse("hash:/etc/postfix/virtual proxy:unix:passwd.byname,"
                                    "proxy:hash:/etc/aliases  proxy:inline:{ a=b, c=d }"
                                    " proxy: proxy:unix:passwd.byname");

    PTEST_CHECK(htable_find(t, "unix:passwd.byname") != 0);
    PTEST_CHECK(htable_find(t, "hash:/etc/aliases") != 0);
    PTEST_CHECK(htable_find(t, "inline:{ a=b, c=d }") != 0);
    PTEST_CHECK(htable_find(t, "hash:/etc/postfix/virtual") == 0);
    PTEST_CHECK(htable_find(t, "") == 0);
    PTEST_INT_EQ(t->used, 3);
    htable_free(t, 0);
    t = proxymap_auth_parse("");
    PTEST_INT_EQ(t->used, 0);
    htable_free(t, 0);
}

static const PTEST_CASE cases[] = {
    {"approved tables", test_parse},
};

PTEST_MAIN(cases)
