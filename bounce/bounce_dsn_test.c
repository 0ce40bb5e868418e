/*
 * bounce_dsn_test - golden tests of the DSN composer: each case composes
 * a notification from fixed inputs and compares it byte for byte with
 * bounce/testdata/NAME.ref (POSTERN_UPDATE_REF=1 rewrites the files after
 * a deliberate change; review the diff).  Also checks the RET and
 * bounce_size_limit choices independently of the golden bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_dsn.h"
#include "bounce_log.h"
#include "dsn.h"
#include "ptest.h"

#define REF_DIR "bounce/testdata/"

static const char message[] = "Received: by mail.example.test (Postern, from userid 0)\n"
                              "\tid 0F002A74649; Wed,  2 Dec 2026 15:59:36 +0000 (UTC)\n"
                              "Subject: t2\n"
                              "From: Paco <paco@example.test>\n"
                              "\n"
                              "body line 1\n"
                              "\n"
                              "body line 3\n";

static BOUNCE_LOG_ENTRY *entry(const char *rcpt, const char *orcpt, const char *status,
                               const char *action, const char *reason, const char *dtype,
                               const char *dtext, const char *mtype, const char *mname)
{
    BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();

    vstring_strcpy(e->recipient, rcpt);
    vstring_strcpy(e->dsn_orcpt, orcpt);
    vstring_strcpy(e->status, status);
    vstring_strcpy(e->action, action);
    vstring_strcpy(e->reason, reason);
    vstring_strcpy(e->dtype, dtype);
    vstring_strcpy(e->dtext, dtext);
    vstring_strcpy(e->mtype, mtype);
    vstring_strcpy(e->mname, mname);
    return e;
}

static void base_info(BOUNCE_DSN_INFO *info, int kind)
{
    memset(info, 0, sizeof(*info));
    info->kind = kind;
    info->myhostname = "mail.example.test";
    info->from = "MAILER-DAEMON@example.test";
    info->to = "paco@example.test";
    info->queue_id = "0F002A74649";
    info->sender = "paco@example.test";
    info->envid = "";
    info->message_id = "20261202155936.184A8A74654@mail.example.test";
    info->size_limit = 50000;
    info->content_size = sizeof(message) - 1;
    info->arrival = 1796227176;
    info->now = 1796227176 + 7200;
    info->retry_until = 1796227176 + 5 * 86400;
    info->delay_hours = 2;
    info->lifetime_days = 5;
}

static void check_ref(const char *name, VSTRING *got)
{
    char path[256];
    char *want;
    long len;
    FILE *fp;

    snprintf(path, sizeof(path), REF_DIR "%s.ref", name);
    if (getenv("POSTERN_UPDATE_REF")) {
        fp = fopen(path, "w");
        if (fp == 0 || fwrite(vstring_str(got), 1, VSTRING_LEN(got), fp) != VSTRING_LEN(got))
            PTEST_FAIL("cannot write %s", path);
        if (fp)
            fclose(fp);
        return;
    }
    if ((fp = fopen(path, "r")) == 0) {
        PTEST_FAIL("cannot read %s (run from the top directory)", path);
        return;
    }
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    want = malloc((size_t) len + 1);
    if (fread(want, 1, (size_t) len, fp) != (size_t) len)
        PTEST_FAIL("short read %s", path);
    want[len] = 0;
    fclose(fp);
    if ((size_t) len != VSTRING_LEN(got) || memcmp(want, vstring_str(got), (size_t) len) != 0) {
        PTEST_FAIL("%s differs; got:\n%s", path, vstring_str(got));
    }
    free(want);
}

static void test_failure_full(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpts[2];
    VSTRING *out = vstring_alloc(1000);

    setenv("TZ", "UTC", 1);
    base_info(&info, BOUNCE_DSN_FAILURE);
    info.envid = "envX";
    rcpts[0] = entry("nosuch@example.test", "rfc822;nosuch@example.test", "5.1.1", "failed",
                     "unknown user: \"nosuch\"", "", "", "", "");
    rcpts[1] = entry("someone@remote.test", "", "5.7.1", "failed",
                     "host mx.remote.test[192.0.2.1] said: 554 5.7.1 <someone@remote.test>: "
                     "Relay access denied (in reply to RCPT TO command)",
                     "smtp", "554 5.7.1 <someone@remote.test>: Relay access denied", "dns",
                     "mx.remote.test");
    vstring_strcpy(rcpts[1]->orig_rcpt, "alias@example.test");
    bounce_dsn_compose(out, &info, rcpts, 2, message, sizeof(message) - 1);
    check_ref("failure_full", out);
}

static void test_failure_hdrs(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpt;
    VSTRING *out = vstring_alloc(1000);

    setenv("TZ", "UTC", 1);
    base_info(&info, BOUNCE_DSN_FAILURE);
    info.ret = DSN_RET_HDRS;
    rcpt = entry("nosuch@example.test", "", "5.1.1", "failed", "unknown user", "", "", "", "");
    bounce_dsn_compose(out, &info, &rcpt, 1, message, sizeof(message) - 1);
    check_ref("failure_hdrs", out);
}

static void test_delay(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpt;
    VSTRING *out = vstring_alloc(1000);

    setenv("TZ", "UTC", 1);
    base_info(&info, BOUNCE_DSN_DELAY);
    rcpt = entry("someone@remote.test", "rfc822;someone@remote.test", "4.4.1", "delayed",
                 "connect to 127.0.0.9[127.0.0.9]:2525: Connection refused", "", "", "", "");
    bounce_dsn_compose(out, &info, &rcpt, 1, message, sizeof(message) - 1);
    check_ref("delay", out);
}

static void test_success(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpt;
    VSTRING *out = vstring_alloc(1000);

    setenv("TZ", "UTC", 1);
    base_info(&info, BOUNCE_DSN_SUCCESS);
    rcpt = entry("enrique@example.test", "rfc822;enrique@example.test", "2.0.0", "delivered",
                 "delivered to mailbox", "", "", "", "");
    bounce_dsn_compose(out, &info, &rcpt, 1, message, sizeof(message) - 1);
    check_ref("success", out);
}

static void test_postmaster(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpt;
    VSTRING *out = vstring_alloc(1000);

    setenv("TZ", "UTC", 1);
    base_info(&info, BOUNCE_DSN_FAILURE);
    info.postmaster = 1;
    info.to = "postmaster";
    info.message_id = 0;
    rcpt = entry("nosuch@example.test", "", "5.1.1", "failed", "unknown user", "", "", "", "");
    bounce_dsn_compose(out, &info, &rcpt, 1, message, sizeof(message) - 1);
    check_ref("postmaster", out);
}

/* The choice of returned content, without golden bytes. */
static void test_return_choice(void)
{
    static const struct {
        const char *name;
        int kind, postmaster, ret;
        long limit;
        const char *want;
    } cases[] = {
        {"failure default", BOUNCE_DSN_FAILURE, 0, 0, 50000, "message/rfc822"},
        {"failure full", BOUNCE_DSN_FAILURE, 0, DSN_RET_FULL, 50000, "message/rfc822"},
        {"failure hdrs", BOUNCE_DSN_FAILURE, 0, DSN_RET_HDRS, 50000, "text/rfc822-headers"},
        {"failure too big", BOUNCE_DSN_FAILURE, 0, DSN_RET_FULL, 10, "text/rfc822-headers"},
        {"delay default", BOUNCE_DSN_DELAY, 0, 0, 50000, "text/rfc822-headers"},
        {"delay full", BOUNCE_DSN_DELAY, 0, DSN_RET_FULL, 50000, "message/rfc822"},
        {"success full", BOUNCE_DSN_SUCCESS, 0, DSN_RET_FULL, 50000, "text/rfc822-headers"},
        {"postmaster", BOUNCE_DSN_FAILURE, 1, DSN_RET_FULL, 50000, "text/rfc822-headers"},
    };
    BOUNCE_LOG_ENTRY *rcpt = entry("a@b", "", "5.0.0", "failed", "x", "", "", "", "");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        BOUNCE_DSN_INFO info;
        VSTRING *out = vstring_alloc(1000);
        char want[100];

        base_info(&info, cases[i].kind);
        info.postmaster = cases[i].postmaster;
        info.ret = cases[i].ret;
        info.size_limit = cases[i].limit;
        bounce_dsn_compose(out, &info, &rcpt, 1, message, sizeof(message) - 1);
        snprintf(want, sizeof(want), "Content-Type: %s\n", cases[i].want);
        if (strstr(vstring_str(out), want) == 0)
            PTEST_FAIL("%s: no \"%s\"", cases[i].name, cases[i].want);
        if ((strstr(vstring_str(out), "body line 3") != 0)
            != (strcmp(cases[i].want, "message/rfc822") == 0))
            PTEST_FAIL("%s: body presence does not match %s", cases[i].name, cases[i].want);
        vstring_free(out);
    }
}

static void test_no_content(void)
{
    BOUNCE_DSN_INFO info;
    BOUNCE_LOG_ENTRY *rcpt = entry("a@b", "", "5.0.0", "failed", "x", "", "", "", "");
    VSTRING *out = vstring_alloc(1000);

    base_info(&info, BOUNCE_DSN_FAILURE);
    bounce_dsn_compose(out, &info, &rcpt, 1, 0, 0);
    PTEST_CHECK(strstr(vstring_str(out), "message/rfc822") == 0);
    PTEST_CHECK(strstr(vstring_str(out), "rfc822-headers") == 0);
    PTEST_CHECK(strstr(vstring_str(out), "Action: failed\n") != 0);
}

static const PTEST_CASE cases[] = {
    {"failure full", test_failure_full},   {"failure hdrs", test_failure_hdrs},
    {"delay", test_delay},                 {"success", test_success},
    {"postmaster", test_postmaster},       {"return choice", test_return_choice},
    {"no content", test_no_content},
};

PTEST_MAIN(cases)
