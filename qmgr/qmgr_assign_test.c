/*
 * Unit tests for qmgr_assign: grouping recipients into requests by
 * transport and nexthop, under a recipient limit.
 */
#include <string.h>

#include "ptest.h"
#include "qmgr.h"
#include "vstring.h"

static QMGR_RCPT rc(const char *transport, const char *nexthop, const char *addr, long offset,
                    int status)
{
    QMGR_RCPT r;

    memset(&r, 0, sizeof(r));
    r.transport = (char *)transport;
    r.nexthop = (char *)nexthop;
    r.rcpt.address = addr;
    r.rcpt.offset = offset;
    r.status = status;
    return r;
}

/* groups - "transport/nexthop:addr,addr|..." for the grouping of list */
static const char *groups(QMGR_RCPT *list, int len, int limit, VSTRING *out)
{
    int pos = 0;
    int n;

    vstring_reset(out);
    qmgr_assign_sort(list, len);
    while ((n = qmgr_assign_next(list, len, &pos, limit)) > 0) {
        QMGR_RCPT *first = list + pos - n;

        if (VSTRING_LEN(out))
            vstring_strcat(out, "|");
        vstring_sprintf_append(out, "%s/%s:", first->transport, first->nexthop);
        for (int i = 0; i < n; i++)
            vstring_sprintf_append(out, "%s%s", i ? "," : "", first[i].rcpt.address);
    }
    return vstring_str(out);
}

static void test_group_by_destination(void)
{
    VSTRING *out = vstring_alloc(100);
    QMGR_RCPT list[] = {
        rc("smtp", "b.example", "x@b.example", 10, QMGR_RCPT_TODO),
        rc("local", "host", "root@host", 20, QMGR_RCPT_TODO),
        rc("smtp", "a.example", "y@a.example", 30, QMGR_RCPT_TODO),
        rc("smtp", "b.example", "w@b.example", 40, QMGR_RCPT_TODO),
    };

    PTEST_STR_EQ(groups(list, 4, 50, out),
                 "local/host:root@host|smtp/a.example:y@a.example|smtp/b.example:w@b.example,"
                 "x@b.example");
    vstring_free(out);
}

static void test_recipient_limit(void)
{
    VSTRING *out = vstring_alloc(100);
    QMGR_RCPT list[] = {
        rc("smtp", "a", "1@a", 1, QMGR_RCPT_TODO), rc("smtp", "a", "2@a", 2, QMGR_RCPT_TODO),
        rc("smtp", "a", "3@a", 3, QMGR_RCPT_TODO), rc("smtp", "a", "4@a", 4, QMGR_RCPT_TODO),
        rc("smtp", "a", "5@a", 5, QMGR_RCPT_TODO),
    };

    PTEST_STR_EQ(groups(list, 5, 2, out), "smtp/a:1@a,2@a|smtp/a:3@a,4@a|smtp/a:5@a");
    PTEST_STR_EQ(groups(list, 5, 1, out), "smtp/a:1@a|smtp/a:2@a|smtp/a:3@a|smtp/a:4@a|smtp/a:5@a");
    /* A limit below 1 is taken as 1, never as "no progress". */
    PTEST_STR_EQ(groups(list, 5, 0, out), "smtp/a:1@a|smtp/a:2@a|smtp/a:3@a|smtp/a:4@a|smtp/a:5@a");
    vstring_free(out);
}

static void test_handled_skipped(void)
{
    VSTRING *out = vstring_alloc(100);
    QMGR_RCPT list[] = {
        rc("", "", "bad@", 1, QMGR_RCPT_HANDLED),
        rc("smtp", "a", "2@a", 2, QMGR_RCPT_TODO),
        rc("", "", "fail@", 3, QMGR_RCPT_HANDLED),
        rc("smtp", "a", "4@a", 4, QMGR_RCPT_TODO),
    };

    PTEST_STR_EQ(groups(list, 4, 50, out), "smtp/a:2@a,4@a");
    vstring_free(out);
}

static void test_empty(void)
{
    VSTRING *out = vstring_alloc(100);
    QMGR_RCPT list[] = {rc("", "", "x", 1, QMGR_RCPT_HANDLED)};
    int pos = 0;

    PTEST_STR_EQ(groups(list, 0, 50, out), "");
    PTEST_STR_EQ(groups(list, 1, 50, out), "");
    PTEST_INT_EQ(qmgr_assign_next(list, 1, &pos, 50), 0);
    vstring_free(out);
}

static const PTEST_CASE cases[] = {
    {"group_by_destination", test_group_by_destination},
    {"recipient_limit", test_recipient_limit},
    {"handled_skipped", test_handled_skipped},
    {"empty", test_empty},
};

PTEST_MAIN(cases)
