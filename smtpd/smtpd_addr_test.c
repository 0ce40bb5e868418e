/*
 * smtpd_addr_test - table-driven tests of the MAIL/RCPT argument parser.
 */
#include "dsn.h"
#include "ptest.h"
#include "smtpd_addr.h"

typedef struct {
    const char *in;
    int strict;
    int want_rc;
    const char *want_addr;
    const char *want_params; /* joined with '|' */
} SPLIT_CASE;

static const SPLIT_CASE split_cases[] = {
    {"<a@b>", 0, SMTPD_ADDR_OK, "a@b", ""},
    {"<>", 0, SMTPD_ADDR_OK, "", ""},
    {" enrique", 0, SMTPD_ADDR_OK, "enrique", ""},
    {" enrique", 1, SMTPD_ADDR_SYNTAX, 0, 0},
    {"<a@b> SIZE=10 BODY=8BITMIME", 0, SMTPD_ADDR_OK, "a@b", "SIZE=10|BODY=8BITMIME"},
    {"<\"a>b\"@c>", 0, SMTPD_ADDR_OK, "\"a>b\"@c", ""},
    {"<a\\>b@c>", 0, SMTPD_ADDR_OK, "a\\>b@c", ""},
    {"<a@b", 0, SMTPD_ADDR_SYNTAX, 0, 0},
    {"<a@b>x", 0, SMTPD_ADDR_SYNTAX, 0, 0},
    {"<a<b@c>", 0, SMTPD_ADDR_BADCHAR, 0, 0},
    {"<a\tb@c>", 0, SMTPD_ADDR_BADCHAR, 0, 0},
    {"<a b>", 0, SMTPD_ADDR_BADCHAR, 0, 0},
    {"<\"a b\"@c>", 0, SMTPD_ADDR_OK, "\"a b\"@c", ""},
    {"", 0, SMTPD_ADDR_SYNTAX, 0, 0},
    {"a@b c", 0, SMTPD_ADDR_OK, "a@b", "c"},
    {"<\"unterminated@b>", 0, SMTPD_ADDR_SYNTAX, 0, 0},
};

static void test_split(void)
{
    for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
        const SPLIT_CASE *c = split_cases + i;
        char *copy = strdup(c->in);
        ARGV *params = argv_alloc(2);
        char *addr = 0;
        int rc = smtpd_addr_split(copy, c->strict, &addr, params);

        PTEST_INT_EQ(rc, c->want_rc);
        if (rc == SMTPD_ADDR_OK) {
            char joined[256] = "";

            PTEST_STR_EQ(addr, c->want_addr);
            for (size_t j = 0; j < params->argc; j++) {
                if (j)
                    strcat(joined, "|");
                strcat(joined, params->argv[j]);
            }
            PTEST_STR_EQ(joined, c->want_params);
        }
        argv_free(params);
        free(copy);
    }
}

static void test_notify(void)
{
    PTEST_INT_EQ(smtpd_addr_notify("NEVER"), DSN_NOTIFY_NEVER);
    PTEST_INT_EQ(smtpd_addr_notify("success,FAILURE"), DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE);
    PTEST_INT_EQ(smtpd_addr_notify("NEVER,DELAY"), -1);
    PTEST_INT_EQ(smtpd_addr_notify("BOGUS"), -1);
    PTEST_INT_EQ(smtpd_addr_notify(""), -1);
    PTEST_INT_EQ(smtpd_addr_notify("DELAY,"), -1);
    PTEST_INT_EQ(smtpd_addr_notify("DELAY,DELAY"), -1);
}

static void test_xtext(void)
{
    VSTRING *out = vstring_alloc(10);

    PTEST_CHECK(smtpd_addr_xtext_decode("rfc822;a+2Bb@c", out) != 0);
    PTEST_STR_EQ(vstring_str(out), "rfc822;a+b@c");
    PTEST_CHECK(smtpd_addr_xtext_decode("a+2", out) == 0);
    PTEST_CHECK(smtpd_addr_xtext_decode("a+2b", out) == 0);
    PTEST_CHECK(smtpd_addr_xtext_decode("a=b", out) == 0);
    PTEST_CHECK(smtpd_addr_xtext_decode("a+00", out) == 0);
    vstring_free(out);
}

static void test_hostnames(void)
{
    PTEST_INT_EQ(smtpd_addr_valid_hostname("client.example.test"), 1);
    PTEST_INT_EQ(smtpd_addr_valid_hostname("[127.0.0.1]"), 1);
    PTEST_INT_EQ(smtpd_addr_valid_hostname("bad_name!"), 0);
    PTEST_INT_EQ(smtpd_addr_valid_hostname("a..b"), 0);
    PTEST_INT_EQ(smtpd_addr_valid_hostname("-a.b"), 0);
    PTEST_INT_EQ(smtpd_addr_fqdn("nodots"), 0);
    PTEST_INT_EQ(smtpd_addr_fqdn("a.b"), 1);
    PTEST_INT_EQ(smtpd_addr_fqdn("[1.2.3.4]"), 1);
}

static const PTEST_CASE cases[] = {
    {"split", test_split},
    {"notify", test_notify},
    {"xtext", test_xtext},
    {"hostnames", test_hostnames},
};

PTEST_MAIN(cases)
