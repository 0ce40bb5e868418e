/*
 * dsn_text_test - the "[status] text" splitter of the error, retry and
 * discard agents.
 */
#include <string.h>

#include "dsn_text.h"
#include "ptest.h"

static void test_table(void)
{
    static const struct {
        const char *text;
        int class;
        const char *status, *rest;
    } t[] = {
        {"5.7.1 go away", '5', "5.7.1", "go away"},
        {"4.2.0 later", '4', "4.2.0", "later"},
        {"bare text", '5', "5.0.0", "bare text"},
        {"bare text", '4', "4.0.0", "bare text"},
        {"", '5', "5.0.0", ""},
        {"5.1.1", '5', "5.1.1", ""},
        {"  5.1.1   spaced", '5', "5.1.1", "spaced"},
        {"5.1.1 User unknown", '4', "4.1.1", "User unknown"}, /* retry defers */
        {"4.4.1 try", '5', "5.4.1", "try"},                   /* error bounces */
        {"5.1.1x not a code", '5', "5.0.0", "5.1.1x not a code"},
        {"6.1.1 no", '5', "5.0.0", "6.1.1 no"},
        {"5.1234.1 no", '5', "5.0.0", "5.1234.1 no"},
        {"5..1 no", '5', "5.0.0", "5..1 no"},
        {"5.100.999 ok", '5', "5.100.999", "ok"},
        {"5.1.1\tUser unknown", '5', "5.1.1", "User unknown"},
        {"2.6.0 spam", '2', "2.6.0", "spam"},                /* discard */
        {"5.7.1 policy", '2', "2.7.1", "policy"},            /* discard never fails */
        {"example.com", '2', "2.0.0", "example.com"},
        {"5.100.9999999999 long", '5', "5.0.0", "5.100.9999999999 long"},
    };
    char status[DSN_TEXT_STATUS_SIZE];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *rest = dsn_text_split(t[i].text, t[i].class, status, sizeof(status));

        PTEST_STR_EQ(status, t[i].status);
        PTEST_STR_EQ(rest, t[i].rest);
    }
}

static const PTEST_CASE cases[] = {
    {"status and text", test_table},
};

PTEST_MAIN(cases)
