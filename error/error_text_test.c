/*
 * error_text_test - the error/retry nexthop splitter.
 */
#include "error_text.h"
#include "ptest.h"

static void test_table(void)
{
    static const struct {
        const char *nexthop;
        int class;
        const char *status, *reason;
    } t[] = {
        {"5.7.1 go away", '5', "5.7.1", "go away"},
        {"4.2.0 later", '4', "4.2.0", "later"},
        {"bare text", '5', "5.0.0", "bare text"},
        {"bare text", '4', "4.0.0", "bare text"},
        {"", '5', "5.0.0", ERROR_TEXT_DEFAULT},
        {"5.1.1", '5', "5.1.1", ERROR_TEXT_DEFAULT},
        {"  5.1.1   spaced", '5', "5.1.1", "spaced"},
        {"5.1.1 User unknown", '4', "4.1.1", "User unknown"}, /* retry defers */
        {"4.4.1 try", '5', "5.4.1", "try"},                   /* error bounces */
        {"5.1.1x not a code", '5', "5.0.0", "5.1.1x not a code"},
        {"6.1.1 no", '5', "5.0.0", "6.1.1 no"},
        {"5.1234.1 no", '5', "5.0.0", "5.1234.1 no"},
        {"5..1 no", '5', "5.0.0", "5..1 no"},
        {"5.100.999 ok", '5', "5.100.999", "ok"},
    };
    char status[16];
    const char *reason;
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        error_text_split(t[i].nexthop, t[i].class, status, sizeof(status), &reason);
        PTEST_STR_EQ(status, t[i].status);
        PTEST_STR_EQ(reason, t[i].reason);
    }
}

static const PTEST_CASE cases[] = {
    {"status and reason from the nexthop", test_table},
};

PTEST_MAIN(cases)
