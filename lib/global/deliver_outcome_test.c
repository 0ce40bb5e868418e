/*
 * deliver_outcome_test - one outcome for every recipient.  sent(),
 * bounce_append(), defer_append() and deliver_completed() are replaced by
 * fakes that record the calls (this file's definitions win over
 * libglobal's at link time), so each case checks which function saw which
 * recipient, status and reason, and which offsets were marked done.
 */
#include <string.h>

#include "bounce.h"
#include "deliver_outcome.h"
#include "ptest.h"
#include "vstring.h"

static VSTRING *calls;  /* "fn rcpt status action (reason);" ... */
static int fail_rcpt = -1; /* this recipient index's call fails */

static int fake_record(const char *fn, RECIPIENT *rcpt, const char *relay, DSN *dsn)
{
    vstring_sprintf_append(calls, "%s %s %s %s %s (%s);", fn, rcpt->address, relay, dsn->status,
                           dsn->action, dsn->reason);
    return rcpt->offset == fail_rcpt ? -1 : 0;
}

int sent(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay, DSN *dsn)
{
    return fake_record("sent", rcpt, relay, dsn);
}

int bounce_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                  DSN *dsn)
{
    return fake_record("bounce", rcpt, relay, dsn);
}

int defer_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                 DSN *dsn)
{
    return fake_record("defer", rcpt, relay, dsn);
}

void deliver_completed(VSTREAM *fp, long offset)
{
    vstring_sprintf_append(calls, "done %ld;", offset);
}

typedef struct OUTCOME_CASE {
    const char *name;
    int have_fp;
    int outcome;
    int fail;
    int want_result;
    const char *want_calls;
} OUTCOME_CASE;

static const OUTCOME_CASE outcome_cases[] = {
    {"sent", 1, DELIVER_OUTCOME_SENT, -1, DEL_STAT_OK,
     "sent a@x none 2.0.0 delivered (why);done 1;sent b@x none 2.0.0 delivered (why);done 2;"},
    {"bounce", 1, DELIVER_OUTCOME_BOUNCE, -1, DEL_STAT_OK,
     "bounce a@x none 2.0.0 failed (why);done 1;bounce b@x none 2.0.0 failed (why);done 2;"},
    {"defer marks nothing done", 1, DELIVER_OUTCOME_DEFER, -1, DEL_STAT_OK,
     "defer a@x none 2.0.0 delayed (why);defer b@x none 2.0.0 delayed (why);"},
    {"failed bounce is not done", 1, DELIVER_OUTCOME_BOUNCE, 1, DEL_STAT_DEFER,
     "bounce a@x none 2.0.0 failed (why);bounce b@x none 2.0.0 failed (why);done 2;"},
    {"failed defer", 1, DELIVER_OUTCOME_DEFER, 2, DEL_STAT_DEFER,
     "defer a@x none 2.0.0 delayed (why);defer b@x none 2.0.0 delayed (why);"},
    {"no queue file defers", 0, DELIVER_OUTCOME_SENT, -1, DEL_STAT_OK,
     "defer a@x none 4.3.0 delayed (cannot open queue file);"
     "defer b@x none 4.3.0 delayed (cannot open queue file);"},
};

static void test_outcomes(void)
{
    RECIPIENT rcpts[2];
    DELIVER_REQUEST request;

    calls = vstring_alloc(100);
    for (size_t i = 0; i < sizeof(outcome_cases) / sizeof(outcome_cases[0]); i++) {
        const OUTCOME_CASE *oc = outcome_cases + i;

        memset(&request, 0, sizeof(request));
        memset(rcpts, 0, sizeof(rcpts));
        rcpts[0].address = "a@x";
        rcpts[0].offset = 1;
        rcpts[1].address = "b@x";
        rcpts[1].offset = 2;
        request.rcpt_list.info = rcpts;
        request.rcpt_list.len = 2;
        request.queue_id = (char *)"ABCDEF";
        request.fp = oc->have_fp ? (VSTREAM *)&request : 0; /* never dereferenced by the fakes */
        fail_rcpt = oc->fail;
        vstring_reset(calls);
        PTEST_INT_EQ(deliver_outcome_all(&request, "none", oc->outcome, "2.0.0", "why"),
                     oc->want_result);
        if (strcmp(vstring_str(calls), oc->want_calls) != 0)
            PTEST_FAIL("%s: got \"%s\", want \"%s\"", oc->name, vstring_str(calls), oc->want_calls);
    }
    vstring_free(calls);
}

static const PTEST_CASE cases[] = {
    {"one outcome for every recipient", test_outcomes},
};

PTEST_MAIN(cases)
