/*
 * Unit tests for qmgr_backoff: retry delays, expiry, delay warnings.
 */
#include "ptest.h"
#include "qmgr.h"

static void test_delay_table(void)
{
    static const struct {
        const char *name;
        long age, min, max, want;
    } cases[] = {
        {"new message waits the minimum", 0, 300, 4000, 300},
        {"young message waits the minimum", 120, 300, 4000, 300},
        {"waits its own age", 600, 300, 4000, 600},
        {"capped at the maximum", 100000, 300, 4000, 4000},
        {"clock went backwards", -50, 300, 4000, 300},
        {"max below min: min wins", 5000, 300, 100, 300},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long got = qmgr_backoff_delay(cases[i].age, cases[i].min, cases[i].max);

        if (got != cases[i].want)
            PTEST_FAIL("%s: got %ld, want %ld", cases[i].name, got, cases[i].want);
    }
}

/* Attempts at the retry times the delays give: the interval doubles. */
static void test_delay_doubles(void)
{
    long age = 0;
    long want[] = {300, 300, 600, 1200, 2400, 4000, 4000};

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        long delay = qmgr_backoff_delay(age, 300, 4000);

        if (delay != want[i])
            PTEST_FAIL("attempt %zu at age %ld: got %ld, want %ld", i, age, delay, want[i]);
        age += delay;
    }
}

static void test_expired(void)
{
    /* 5 days for mail, 1 day for bounces; 0 means one attempt only. */
    PTEST_INT_EQ(qmgr_backoff_expired(1000 + 432000 - 1, 1000, "a@b", 432000, 86400), 0);
    PTEST_INT_EQ(qmgr_backoff_expired(1000 + 432000, 1000, "a@b", 432000, 86400), 1);
    PTEST_INT_EQ(qmgr_backoff_expired(1000 + 86400, 1000, "", 432000, 86400), 1);
    PTEST_INT_EQ(qmgr_backoff_expired(1000 + 86399, 1000, "", 432000, 86400), 0);
    PTEST_INT_EQ(qmgr_backoff_expired(1000, 1000, "a@b", 0, 0), 1);
}

static void test_warn_due(void)
{
    PTEST_INT_EQ(qmgr_backoff_warn_due(5000, 0), 0);
    PTEST_INT_EQ(qmgr_backoff_warn_due(4999, 5000), 0);
    PTEST_INT_EQ(qmgr_backoff_warn_due(5000, 5000), 1);
}

static const PTEST_CASE cases[] = {
    {"delay_table", test_delay_table},
    {"delay_doubles", test_delay_doubles},
    {"expired", test_expired},
    {"warn_due", test_warn_due},
};

PTEST_MAIN(cases)
