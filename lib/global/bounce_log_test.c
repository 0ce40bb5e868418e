/*
 * bounce_log_test - the recipient status log: what Postfix 3.7 wrote is
 * read; what we write reads back the same; hostile values cannot forge
 * attribute lines or entries; broken entries are skipped, not trusted.
 */
#include <stdio.h>
#include <string.h>

#include "bounce_log.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

/* queue/defer/0/0F002A74649 from Debian's Postfix 3.7.11, with
 * backwards_bounce_logfile_compatibility = yes (the default), plus a
 * second entry as written with it set to no. */
static const char postfix_log[] =
    "\n"
    "<someone@remote.test>: connect to 127.0.0.9[127.0.0.9]:2525: Connection refused\n"
    "recipient=someone@remote.test\n"
    "offset=315\n"
    "dsn_orig_rcpt=rfc822;someone@remote.test\n"
    "notify_flags=14\n"
    "status=4.4.1\n"
    "action=delayed\n"
    "reason=connect to 127.0.0.9[127.0.0.9]:2525: Connection refused\n"
    "\n"
    "\n"
    "recipient=other@remote.test\n"
    "offset=396\n"
    "dsn_orig_rcpt=rfc822;other@remote.test\n"
    "notify_flags=14\n"
    "status=4.4.1\n"
    "action=delayed\n"
    "reason=connect to 127.0.0.9[127.0.0.9]:2525: Connection refused\n"
    "\n";

static VSTREAM *open_text(VSTRING *buf, const char *text, size_t len)
{
    vstring_memcpy(buf, text, len);
    return vstream_memopen(buf, VSTREAM_READ);
}

static void test_read_postfix(void)
{
    VSTRING *buf = vstring_alloc(100), *why = vstring_alloc(100);
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();
    VSTREAM *fp = open_text(buf, postfix_log, sizeof(postfix_log) - 1);

    PTEST_INT_EQ(bounce_log_read(fp, e, why), 1);
    PTEST_STR_EQ(vstring_str(e->recipient), "someone@remote.test");
    PTEST_STR_EQ(vstring_str(e->orig_rcpt), "");
    PTEST_INT_EQ(e->offset, 315);
    PTEST_STR_EQ(vstring_str(e->dsn_orcpt), "rfc822;someone@remote.test");
    PTEST_INT_EQ(e->notify, 14);
    PTEST_STR_EQ(vstring_str(e->status), "4.4.1");
    PTEST_STR_EQ(vstring_str(e->action), "delayed");
    PTEST_STR_EQ(vstring_str(e->reason), "connect to 127.0.0.9[127.0.0.9]:2525: Connection refused");
    PTEST_INT_EQ(bounce_log_read(fp, e, why), 1);
    PTEST_STR_EQ(vstring_str(e->recipient), "other@remote.test");
    PTEST_INT_EQ(e->offset, 396);
    PTEST_INT_EQ(bounce_log_read(fp, e, why), 0);
    vstream_fclose(fp);
}

/* Writing what Postfix wrote gives Postfix's bytes, in both modes. */
static void test_write_like_postfix(void)
{
    VSTRING *out = vstring_alloc(100), *why = vstring_alloc(100);
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();

    vstring_strcpy(e->recipient, "someone@remote.test");
    vstring_strcpy(e->orig_rcpt, "someone@remote.test"); /* same: left out */
    e->offset = 315;
    vstring_strcpy(e->dsn_orcpt, "rfc822;someone@remote.test");
    e->notify = 14;
    vstring_strcpy(e->status, "4.4.1");
    vstring_strcpy(e->action, "delayed");
    vstring_strcpy(e->reason, "connect to 127.0.0.9[127.0.0.9]:2525: Connection refused");
    PTEST_INT_EQ(bounce_log_format(out, e, 1, why), 0);
    vstring_strcpy(e->recipient, "other@remote.test");
    vstring_strcpy(e->orig_rcpt, "");
    e->offset = 396;
    vstring_strcpy(e->dsn_orcpt, "rfc822;other@remote.test");
    PTEST_INT_EQ(bounce_log_format(out, e, 0, why), 0);
    PTEST_STR_EQ(vstring_str(out), postfix_log);
}

static void test_round_trip_hostile(void)
{
    VSTRING *out = vstring_alloc(100), *why = vstring_alloc(100), *in = vstring_alloc(100);
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc(), *r = bounce_log_entry_alloc();
    VSTREAM *fp;

    vstring_strcpy(e->recipient, "\"odd=local\"@example.com");
    vstring_strcpy(e->orig_rcpt, "alias=x@example.com");
    e->offset = 123456789L;
    vstring_strcpy(e->dsn_orcpt, "utf-8;j\xc3\xbcrgen@example.de");
    e->notify = 6;
    vstring_strcpy(e->status, "5.1.1");
    vstring_strcpy(e->action, "failed");
    /* A remote reply trying to forge attributes and a second entry. */
    vstring_strcpy(e->reason, "550 no\nrecipient=evil@x\n\nrecipient=evil2@x\r\nstatus=2.0.0");
    vstring_strcpy(e->dtype, "smtp");
    vstring_strcpy(e->dtext, "550 5.1.1 <a@b>: unknown\naction=delivered");
    vstring_strcpy(e->mtype, "dns");
    vstring_strcpy(e->mname, "mx.example.com\n\nrecipient=evil3@x");
    PTEST_INT_EQ(bounce_log_format(out, e, 1, why), 0);

    fp = open_text(in, vstring_str(out), VSTRING_LEN(out));
    PTEST_INT_EQ(bounce_log_read(fp, r, why), 1);
    PTEST_STR_EQ(vstring_str(r->recipient), "\"odd=local\"@example.com");
    PTEST_STR_EQ(vstring_str(r->orig_rcpt), "alias=x@example.com");
    PTEST_INT_EQ(r->offset, 123456789L);
    PTEST_STR_EQ(vstring_str(r->dsn_orcpt), "utf-8;j\xc3\xbcrgen@example.de");
    PTEST_INT_EQ(r->notify, 6);
    PTEST_STR_EQ(vstring_str(r->status), "5.1.1");
    PTEST_STR_EQ(vstring_str(r->action), "failed");
    PTEST_STR_EQ(vstring_str(r->reason), "550 no recipient=evil@x  recipient=evil2@x  status=2.0.0");
    PTEST_STR_EQ(vstring_str(r->dtype), "smtp");
    PTEST_STR_EQ(vstring_str(r->dtext), "550 5.1.1 <a@b>: unknown action=delivered");
    PTEST_STR_EQ(vstring_str(r->mtype), "dns");
    PTEST_STR_EQ(vstring_str(r->mname), "mx.example.com  recipient=evil3@x");
    PTEST_INT_EQ(bounce_log_read(fp, r, why), 0);
    vstream_fclose(fp);
}

static void test_format_rejects(void)
{
    static const struct {
        const char *name;
        const char *rcpt, *orig, *dorcpt, *status, *action, *dtype, *mtype;
        long offset;
        int notify;
    } cases[] = {
        {"empty recipient", "", "", "", "5.1.1", "failed", "", "", 0, 0},
        {"newline in recipient", "a\n@b", "", "", "5.1.1", "failed", "", "", 0, 0},
        {"newline in orig", "a@b", "x\ny", "", "5.1.1", "failed", "", "", 0, 0},
        {"CR in dsn orcpt", "a@b", "", "rfc822;a\r@b", "5.1.1", "failed", "", "", 0, 0},
        {"bad status class", "a@b", "", "", "3.1.1", "failed", "", "", 0, 0},
        {"status too long", "a@b", "", "", "5.1234.1", "failed", "", "", 0, 0},
        {"status trailing", "a@b", "", "", "5.1.1 x", "failed", "", "", 0, 0},
        {"status short", "a@b", "", "", "5.1", "failed", "", "", 0, 0},
        {"bad action", "a@b", "", "", "5.1.1", "exploded", "", "", 0, 0},
        {"newline action", "a@b", "", "", "5.1.1", "failed\nx=y", "", "", 0, 0},
        {"bad diag type", "a@b", "", "", "5.1.1", "failed", "smtp\nx", "", 0, 0},
        {"bad mta type", "a@b", "", "", "5.1.1", "failed", "", "d ns", 0, 0},
        {"negative offset", "a@b", "", "", "5.1.1", "failed", "", "", -1, 0},
        {"bad notify", "a@b", "", "", "5.1.1", "failed", "", "", 0, 16},
    };
    VSTRING *out = vstring_alloc(100), *why = vstring_alloc(100);
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bounce_log_entry_reset(e);
        vstring_reset(out);
        vstring_strcpy(e->recipient, cases[i].rcpt);
        vstring_strcpy(e->orig_rcpt, cases[i].orig);
        vstring_strcpy(e->dsn_orcpt, cases[i].dorcpt);
        vstring_strcpy(e->status, cases[i].status);
        vstring_strcpy(e->action, cases[i].action);
        vstring_strcpy(e->dtype, cases[i].dtype);
        vstring_strcpy(e->mtype, cases[i].mtype);
        e->offset = cases[i].offset;
        e->notify = cases[i].notify;
        if (bounce_log_format(out, e, 1, why) != -1)
            PTEST_FAIL("%s: accepted", cases[i].name);
        else if (VSTRING_LEN(out) != 0)
            PTEST_FAIL("%s: wrote output before rejecting", cases[i].name);
    }
}

static void test_read_broken(void)
{
    static const char text[] =
        "recipient=ok1@x\nstatus=5.0.0\naction=failed\nreason=r\n\n"
        "status=5.0.0\nreason=no recipient\n\n"                    /* skipped */
        "recipient=bad@x\nstatus=9.9.9\n\n"                         /* skipped */
        "recipient=bad2@x\noffset=-5\n\n"                           /* skipped */
        "recipient=bad3@x\ngarbage line\n\n"                        /* skipped */
        "recipient=ok2@x\nfuture_attr=1\nstatus=4.0.0\n"            /* unknown name ok */
        "recipient_extra=1\n\n\n\n"
        "recipient=ok3@x\nstatus=5.0.0\nreason=cut short";          /* no final newline */
    static const int want[] = {1, -1, -1, -1, -1, 1, 1, 0};
    VSTRING *buf = vstring_alloc(100), *why = vstring_alloc(100);
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();
    VSTREAM *fp = open_text(buf, text, sizeof(text) - 1);

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int got = bounce_log_read(fp, e, why);

        if (got != want[i])
            PTEST_FAIL("entry %zu: got %d, want %d (%s)", i, got, want[i], vstring_str(why));
        if (i == 6)
            PTEST_STR_EQ(vstring_str(e->reason), "cut short");
    }
    vstream_fclose(fp);
}

static void test_status_ok(void)
{
    static const struct {
        const char *status;
        int want;
    } cases[] = {
        {"2.0.0", 1}, {"4.4.1", 1}, {"5.123.456", 1}, {"5.1.1", 1},   {"1.0.0", 0},
        {"5.1.", 0},  {"5..1", 0},  {"5.1.1.", 0},    {"51.1", 0},    {"", 0},
        {"5.1.1\n", 0}, {"5.1000.1", 0}, {"5.a.1", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (bounce_log_status_ok(cases[i].status) != cases[i].want)
            PTEST_FAIL("\"%s\": got %d, want %d", cases[i].status, !cases[i].want,
                       cases[i].want);
}

static const PTEST_CASE cases[] = {
    {"read postfix", test_read_postfix},
    {"write like postfix", test_write_like_postfix},
    {"round trip hostile", test_round_trip_hostile},
    {"format rejects", test_format_rejects},
    {"read broken", test_read_broken},
    {"status ok", test_status_ok},
};

PTEST_MAIN(cases)
