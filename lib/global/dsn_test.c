/*
 * Unit tests for dsn_valid, cleanup_strerror/cleanup_stat_dsn (Postfix's
 * texts, codes and priority order) and the recipient list.
 */
#include "cleanup_user.h"
#include "dsn.h"
#include "ptest.h"
#include "recipient.h"

static void test_dsn_valid(void)
{
    static const struct {
        const char *status;
        int want;
    } table[] = {
        {"2.0.0", 1}, {"4.4.1", 1},  {"5.1.1", 1},  {"5.123.999", 1}, {"3.0.0", 0},
        {"5.1", 0},   {"5.1.1.", 0}, {"5..1", 0},   {"5.1234.1", 0},  {"5.1.1 ", 0},
        {"", 0},      {"5.a.1", 0},  {"55.1.1", 0}, {"5.1.1x", 0},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (dsn_valid(table[i].status) != table[i].want)
            PTEST_FAIL("dsn_valid(\"%s\"): got %d, want %d", table[i].status,
                       dsn_valid(table[i].status), table[i].want);
    PTEST_INT_EQ(dsn_valid(0), 0);
}

static void test_cleanup_strerror(void)
{
    static const struct {
        unsigned status;
        const char *text;
        const char *dsn;
    } table[] = {
        {CLEANUP_STAT_OK, "Success", "2.0.0"},
        {CLEANUP_STAT_BAD, "internal protocol error", "4.3.0"},
        {CLEANUP_STAT_WRITE, "queue file write error", "4.3.0"},
        {CLEANUP_STAT_SIZE, "message file too big", "5.3.4"},
        {CLEANUP_STAT_CONT, "message content rejected", "5.7.1"},
        {CLEANUP_STAT_HOPS, "too many hops", "5.4.0"},
        {CLEANUP_STAT_RCPT, "no recipients specified", "5.1.0"},
        {CLEANUP_STAT_PROXY, "queue file write error", "4.3.0"},
        {CLEANUP_STAT_DEFER, "service unavailable", "4.7.1"},
        {CLEANUP_STAT_NOPERM, "service denied", "5.7.1"},
        /* Several bits: the most serious wins, in Postfix's order. */
        {CLEANUP_STAT_WRITE | CLEANUP_STAT_SIZE, "message file too big", "5.3.4"},
        {CLEANUP_STAT_SIZE | CLEANUP_STAT_HOPS, "too many hops", "5.4.0"},
        {CLEANUP_STAT_BAD | CLEANUP_STAT_DEFER, "service unavailable", "4.7.1"},
        {CLEANUP_STAT_CONT | CLEANUP_STAT_NOPERM, "message content rejected", "5.7.1"},
        {CLEANUP_STAT_RCPT | CLEANUP_STAT_BAD, "internal protocol error", "4.3.0"},
        /* Unknown bits from a peer: temporary, never a crash. */
        {1u << 20, "internal protocol error", "4.3.0"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        PTEST_STR_EQ(cleanup_strerror(table[i].status), table[i].text);
        PTEST_STR_EQ(cleanup_stat_dsn(table[i].status), table[i].dsn);
    }
}

static void test_recipient_list(void)
{
    RECIPIENT_LIST list;
    char buf[32];

    recipient_list_init(&list);
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "u%d@example.com", i);
        recipient_list_add(&list, 100 + i, i ? "rfc822;x@y" : 0, DSN_NOTIFY_SUCCESS, i ? "orig" : 0,
                           buf);
        buf[0] = 'X'; /* the list must have copied it */
    }
    PTEST_INT_EQ(list.len, 10);
    PTEST_STR_EQ(list.info[0].address, "u0@example.com");
    PTEST_STR_EQ(list.info[0].orig_addr, "u0@example.com");
    PTEST_STR_EQ(list.info[0].dsn_orcpt, "");
    PTEST_STR_EQ(list.info[9].address, "u9@example.com");
    PTEST_STR_EQ(list.info[9].orig_addr, "orig");
    PTEST_STR_EQ(list.info[9].dsn_orcpt, "rfc822;x@y");
    PTEST_INT_EQ(list.info[9].offset, 109);
    PTEST_INT_EQ(list.info[9].dsn_notify, DSN_NOTIFY_SUCCESS);
    recipient_list_free(&list);
    PTEST_INT_EQ(list.len, 0);
}

static const PTEST_CASE cases[] = {
    {"dsn_valid", test_dsn_valid},
    {"cleanup_strerror and cleanup_stat_dsn", test_cleanup_strerror},
    {"recipient list", test_recipient_list},
};

PTEST_MAIN(cases)
