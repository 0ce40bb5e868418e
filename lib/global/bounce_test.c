/*
 * Unit tests for bounce.c and log_adhoc.c: delay formatting and whole log
 * lines (the expected values were produced by Debian's Postfix 3.7
 * log_adhoc/format_tv on the same inputs), golden bytes of an APPEND
 * request captured by a fake bounce/defer/trace server, service failures,
 * soft_bounce, and deliver_completed() on a real queue file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "bounce.h"
#include "deliver_request.h"
#include "iostuff.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "ptest.h"
#include "record.h"
#include "sock.h"
#include "vstream.h"
#include "vstring.h"

extern VSTRING *log_adhoc_delay(VSTRING *buf, long long usec, int max_dig);

static VSTRING *log_text;

static void capture(int level, const char *text)
{
    vstring_sprintf_append(log_text, "%s%s\n", msg_level_prefix(level), text);
}

static void capture_start(void)
{
    if (log_text == 0)
        log_text = vstring_alloc(100);
    vstring_reset(log_text);
    msg_output_clear();
    msg_output_add(capture);
}

/* --- delay formatting ------------------------------------------------------------ */

static void test_delay_format(void)
{
    static const struct {
        long long us;
        int max;
        const char *want;
    } table[] = {
        {0, 2, "0"},
        {4999, 2, "0"},
        {5000, 2, "0.01"},
        {9999, 2, "0.01"},
        {123456, 2, "0.12"},
        {125000, 2, "0.13"},
        {994999, 2, "0.99"},
        {995000, 2, "1"},
        {1000000, 2, "1"},
        {1234567, 2, "1.2"},
        {1250000, 2, "1.3"},
        {1960000, 2, "2"},
        {9960000, 2, "10"},
        {12345678, 2, "12"},
        {12500000, 2, "13"},
        {99500000, 2, "100"},
        {99499999, 2, "99"},
        {100500000, 2, "101"},
        {1092800000, 2, "1093"},
        {1234, 6, "0.0012"},
        {123456, 6, "0.12"},
        {1234, 0, "0"},
        {600000, 0, "1"},
        {12345, 3, "0.012"},
        {1023456, 3, "1"},
        {3600000000LL, 2, "3600"},
        {50, 6, "0.00005"},
        {5, 6, "0.000005"},
        {4, 5, "0"},
        {-5, 2, "0"},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        vstring_reset(buf);
        log_adhoc_delay(buf, table[i].us, table[i].max);
        if (strcmp(vstring_str(buf), table[i].want) != 0)
            PTEST_FAIL("%lld us, limit %d: got \"%s\", want \"%s\"", table[i].us, table[i].max,
                       vstring_str(buf), table[i].want);
    }
}

/* --- log lines ------------------------------------------------------------------- */

#define T 1700000000L

static void test_log_adhoc_phases(void)
{
    /* Which stamps are set (A active, H hand-off, C connection, D done). */
    static const struct {
        int mask;
        const char *want;
    } table[] = {
        {8 | 0, "delay=10, delays=10/0/0/0"}, {8 | 1, "delay=10, delays=2/8/0/0"},
        {8 | 2, "delay=10, delays=10/0/0/0"}, {8 | 3, "delay=10, delays=2/3/0/5"},
        {8 | 4, "delay=10, delays=10/0/0/0"}, {8 | 5, "delay=10, delays=2/8/0/0"},
        {8 | 6, "delay=10, delays=10/0/0/0"}, {8 | 7, "delay=10, delays=2/3/3/2"},
    };
    RECIPIENT rcpt = {"", "u@x", 0, "", 0};
    DSN dsn;

    var_delay_logging_resolution_limit = 2;
    DSN_SIMPLE(&dsn, "2.0.0", "delivered", "ok");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        MSG_STATS st;
        char want[200];
        int m = table[i].mask;

        memset(&st, 0, sizeof(st));
        st.incoming_arrival.tv_sec = T - 10;
        if (m & 1)
            st.active_arrival.tv_sec = T - 8;
        if (m & 2)
            st.agent_handoff.tv_sec = T - 5;
        if (m & 4)
            st.conn_setup_done.tv_sec = T - 2;
        if (m & 8)
            st.deliver_done.tv_sec = T;
        capture_start();
        log_adhoc("ID", &st, &rcpt, "r", &dsn, "sent");
        snprintf(want, sizeof(want), "ID: to=<u@x>, relay=r, %s, dsn=2.0.0, status=sent (ok)\n",
                 table[i].want);
        if (strcmp(vstring_str(log_text), want) != 0)
            PTEST_FAIL("mask %d: got \"%s\", want \"%s\"", m, vstring_str(log_text), want);
    }
}

static void test_log_adhoc_fields(void)
{
    MSG_STATS st;
    RECIPIENT rcpt = {"User@Example.com", "user@example.com", 0, "", 0};
    DSN dsn;

    var_delay_logging_resolution_limit = 2;
    memset(&st, 0, sizeof(st));
    st.incoming_arrival.tv_sec = T;
    st.active_arrival.tv_sec = T;
    st.active_arrival.tv_usec = 30000;
    st.agent_handoff.tv_sec = T;
    st.agent_handoff.tv_usec = 40000;
    st.deliver_done.tv_sec = T;
    st.deliver_done.tv_usec = 123000;
    DSN_SIMPLE(&dsn, "2.0.0", "delivered", "delivered to mailbox");

    /* orig_to differing only in case is not logged. */
    capture_start();
    log_adhoc("3F2A1B", &st, &rcpt, "local", &dsn, "sent");
    PTEST_STR_EQ(vstring_str(log_text),
                 "3F2A1B: to=<user@example.com>, relay=local, delay=0.12, "
                 "delays=0.03/0.01/0/0.08, dsn=2.0.0, status=sent (delivered to mailbox)\n");

    /* A different orig_to is logged, and so is a reused connection. */
    rcpt.orig_addr = "alias@example.com";
    st.reuse_count = 2;
    DSN_SIMPLE(&dsn, "5.1.1", "failed", "unknown user: \"x\"");
    capture_start();
    log_adhoc("3F2A1B", &st, &rcpt, "mx.example.com[192.0.2.1]:25", &dsn, "bounced");
    PTEST_STR_EQ(vstring_str(log_text),
                 "3F2A1B: to=<user@example.com>, orig_to=<alias@example.com>, "
                 "relay=mx.example.com[192.0.2.1]:25, conn_use=3, delay=0.12, "
                 "delays=0.03/0.01/0/0.08, dsn=5.1.1, status=bounced (unknown user: \"x\")\n");

    /* A clock step backwards is 0, not negative. */
    st.reuse_count = 0;
    rcpt.orig_addr = "";
    st.agent_handoff.tv_sec = T + 100;
    capture_start();
    log_adhoc("X", &st, &rcpt, "local", &dsn, "bounced");
    PTEST_STR_EQ(vstring_str(log_text), "X: to=<user@example.com>, relay=local, delay=0.12, "
                                        "delays=0.03/100/0/0, dsn=5.1.1, status=bounced (unknown "
                                        "user: \"x\")\n");
}

/* --- a fake bounce/defer/trace server -------------------------------------------- */

static char queue_dir[] = "/tmp/bounce_test.XXXXXX";

static void enter_queue_dir(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (mkdtemp(queue_dir) == 0 || chdir(queue_dir) < 0 || mkdir("private", 0700) < 0)
        PTEST_FAIL("setup: %s", strerror(errno));
    var_ipc_timeout = 1;
    var_delay_logging_resolution_limit = 2;
}

static void leave_queue_dir(void)
{
    char cmd[100];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", queue_dir);
    if (chdir("/") < 0 || system(cmd) != 0)
        PTEST_FAIL("cleanup of %s failed", queue_dir);
}

typedef struct FAKE {
    pid_t pid;
    int pipe_fd; /* the request's raw bytes arrive here */
    int lfd;
} FAKE;

/* Serve one request on private/<service>, reply {status=reply}. */
static void fake_start(FAKE *fake, const char *service, int reply)
{
    char path[100];
    int pfd[2];

    snprintf(path, sizeof(path), "private/%s", service);
    fake->lfd = unix_listen(path, 10, BLOCKING);
    if (fake->lfd < 0 || pipe(pfd) < 0)
        PTEST_FAIL("fake server: %s", strerror(errno));
    if ((fake->pid = fork()) == 0) {
        int fd = sane_accept(fake->lfd, 0, 0, 0);
        VSTREAM *client = vstream_fdopen(fd, VSTREAM_RDWR);
        VSTRING *raw = vstring_alloc(100);
        int at_name = 1, name_len = 0, ch;

        attr_print_hello(client, MAIL_PROTO_BOUNCE);
        while ((ch = vstream_getc(client)) != VSTREAM_EOF) {
            vstring_addch(raw, ch);
            if (ch != 0) {
                name_len++;
                continue;
            }
            if (at_name && name_len == 0)
                break;
            at_name = !at_name;
            name_len = 0;
        }
        attr_print(client, 0, SEND_ATTR_INT(MAIL_ATTR_STATUS, reply), ATTR_TYPE_END);
        vstream_fflush(client);
        if (write(pfd[1], vstring_str(raw), VSTRING_LEN(raw)) < 0)
            _exit(1);
        _exit(0);
    }
    close(pfd[1]);
    fake->pipe_fd = pfd[0];
}

static VSTRING *fake_finish(FAKE *fake)
{
    VSTRING *raw = vstring_alloc(100);
    char buf[4096];
    ssize_t n;
    int status;

    while ((n = read(fake->pipe_fd, buf, sizeof(buf))) > 0)
        vstring_memcat(raw, buf, (size_t)n);
    close(fake->pipe_fd);
    close(fake->lfd);
    waitpid(fake->pid, &status, 0);
    return raw;
}

static void sample(MSG_STATS *st, RECIPIENT *rcpt, DSN *dsn)
{
    memset(st, 0, sizeof(*st));
    st->incoming_arrival.tv_sec = T;
    st->active_arrival.tv_sec = T;
    st->agent_handoff.tv_sec = T;
    st->deliver_done.tv_sec = T + 1;
    rcpt->orig_addr = "orig@example.com";
    rcpt->address = "user@example.com";
    rcpt->offset = 123;
    rcpt->dsn_orcpt = "rfc822;orig@example.com";
    rcpt->dsn_notify = DSN_NOTIFY_FAILURE;
    dsn->status = "4.4.1";
    dsn->action = "delayed";
    dsn->reason = "connect to example.com: Connection refused";
    dsn->dtype = "";
    dsn->dtext = "";
    dsn->mtype = "dns";
    dsn->mname = "example.com";
}

static void test_append_golden(void)
{
    static const char want[] = "nrequest\0"
                               "0\0"
                               "flags\0"
                               "0\0"
                               "queue_id\0"
                               "ABC123\0"
                               "original_recipient\0orig@example.com\0"
                               "recipient\0user@example.com\0"
                               "offset\0"
                               "123\0"
                               "dsn_orig_rcpt\0rfc822;orig@example.com\0"
                               "notify_flags\0"
                               "4\0"
                               "status_code\0"
                               "4.4.1\0"
                               "action\0delayed\0"
                               "reason\0connect to example.com: Connection refused\0"
                               "diag_type\0\0"
                               "diag_text\0\0"
                               "mta_type\0dns\0"
                               "mta_name\0example.com\0\0";
    MSG_STATS st;
    RECIPIENT rcpt;
    DSN dsn;
    FAKE fake;

    enter_queue_dir();
    sample(&st, &rcpt, &dsn);
    fake_start(&fake, MAIL_SERVICE_DEFER, 0);
    capture_start();
    PTEST_INT_EQ(defer_append(0, "ABC123", &st, &rcpt, "none", &dsn), 0);
    VSTRING *raw = fake_finish(&fake);
    PTEST_INT_EQ(VSTRING_LEN(raw), sizeof(want) - 1);
    PTEST_CHECK(memcmp(vstring_str(raw), want, sizeof(want) - 1) == 0);
    PTEST_STR_EQ(vstring_str(log_text),
                 "ABC123: to=<user@example.com>, orig_to=<orig@example.com>, relay=none, "
                 "delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to example.com: "
                 "Connection refused)\n");
    leave_queue_dir();
}

/* The service says no, or is not there: -1, a warning, and no status line. */
static void test_service_failure(void)
{
    MSG_STATS st;
    RECIPIENT rcpt;
    DSN dsn;
    FAKE fake;

    enter_queue_dir();
    sample(&st, &rcpt, &dsn);
    dsn.status = "5.1.1";
    fake_start(&fake, MAIL_SERVICE_BOUNCE, -1);
    capture_start();
    PTEST_INT_EQ(bounce_append(0, "ABC123", &st, &rcpt, "none", &dsn), -1);
    vstring_free(fake_finish(&fake));
    PTEST_STR_EQ(vstring_str(log_text), "warning: ABC123: bounce service failure\n");

    capture_start();
    PTEST_INT_EQ(bounce_flush(0, "active", "ABC123", "", 0, "s@x", "", 0), -1);
    PTEST_CHECK(strstr(vstring_str(log_text), "warning: ABC123: bounce service failure") != 0);
    leave_queue_dir();
}

/* sent() with NOTIFY=SUCCESS goes to the trace service first. */
static void test_sent_trace(void)
{
    MSG_STATS st;
    RECIPIENT rcpt;
    DSN dsn;
    FAKE fake;

    enter_queue_dir();
    sample(&st, &rcpt, &dsn);
    rcpt.dsn_notify = DSN_NOTIFY_SUCCESS;
    DSN_SIMPLE(&dsn, "2.0.0", "", "delivered to mailbox");
    fake_start(&fake, MAIL_SERVICE_TRACE, 0);
    capture_start();
    PTEST_INT_EQ(sent(0, "ABC123", &st, &rcpt, "local", &dsn), 0);
    VSTRING *raw = fake_finish(&fake);
    static const char action[] = "action\0delivered\0";
    PTEST_CHECK(memmem(vstring_str(raw), VSTRING_LEN(raw), action, sizeof(action) - 1) != 0);
    PTEST_CHECK(strstr(vstring_str(log_text), "status=sent (delivered to mailbox)") != 0);

    /* Without the trace service, no status=sent and -1. */
    capture_start();
    PTEST_INT_EQ(sent(0, "ABC123", &st, &rcpt, "local", &dsn), -1);
    PTEST_CHECK(strstr(vstring_str(log_text), "status=sent") == 0);

    /* Without NOTIFY=SUCCESS or RECORD, no service is needed. */
    rcpt.dsn_notify = 0;
    capture_start();
    PTEST_INT_EQ(sent(0, "ABC123", &st, &rcpt, "local", &dsn), 0);
    PTEST_CHECK(strstr(vstring_str(log_text), "status=sent") != 0);
    leave_queue_dir();
}

/* soft_bounce turns a bounce into a deferral with a 4.x.x code. */
static void test_soft_bounce(void)
{
    MSG_STATS st;
    RECIPIENT rcpt;
    DSN dsn;
    FAKE fake;

    enter_queue_dir();
    sample(&st, &rcpt, &dsn);
    DSN_SIMPLE(&dsn, "5.1.1", "failed", "unknown user");
    var_soft_bounce = 1;
    fake_start(&fake, MAIL_SERVICE_DEFER, 0);
    capture_start();
    /* Deferred, not bounced: the caller must keep the recipient queued. */
    PTEST_INT_EQ(bounce_append(0, "ABC123", &st, &rcpt, "local", &dsn), BOUNCE_DEFERRED);
    VSTRING *raw = fake_finish(&fake);
    static const char code[] = "status_code\0"
                               "4.1.1\0action\0delayed\0";
    PTEST_CHECK(memmem(vstring_str(raw), VSTRING_LEN(raw), code, sizeof(code) - 1) != 0);
    PTEST_CHECK(strstr(vstring_str(log_text), "dsn=4.1.1, status=SOFTBOUNCE (unknown user)") != 0);
    var_soft_bounce = 0;
    leave_queue_dir();
}

/* FLUSH: the message attributes go to the right service with the right code. */
static void test_flush_golden(void)
{
    static const char want[] = "nrequest\0"
                               "2\0"
                               "flags\0"
                               "0\0"
                               "queue_name\0deferred\0"
                               "queue_id\0ABC123\0"
                               "encoding\0"
                               "7BIT\0"
                               "smtputf8\0"
                               "0\0"
                               "sender\0s@example.com\0"
                               "envelope_id\0\0"
                               "ret_flags\0"
                               "1\0\0";
    FAKE fake;

    enter_queue_dir();
    fake_start(&fake, MAIL_SERVICE_DEFER, 0);
    capture_start();
    PTEST_INT_EQ(defer_warn(0, "deferred", "ABC123", "7BIT", 0, "s@example.com", "", DSN_RET_FULL),
                 0);
    VSTRING *raw = fake_finish(&fake);
    PTEST_INT_EQ(VSTRING_LEN(raw), sizeof(want) - 1);
    PTEST_CHECK(memcmp(vstring_str(raw), want, sizeof(want) - 1) == 0);
    leave_queue_dir();
}

/* --- deliver_completed ------------------------------------------------------------- */

static void test_deliver_completed(void)
{
    char path[] = "/tmp/bounce_test_qf.XXXXXX";
    VSTRING *batch = vstring_alloc(100);
    int fd = mkstemp(path);
    unsigned char ch;

    rec_put_str(batch, REC_TYPE_RCPT, "a@x");
    long second = (long)VSTRING_LEN(batch);
    rec_put_str(batch, REC_TYPE_RCPT, "b@x");
    PTEST_INT_EQ(rec_write_batch(fd, batch), 0);
    VSTREAM *fp = vstream_fdopen(fd, VSTREAM_RDWR);
    capture_start();
    deliver_completed(fp, second);
    PTEST_INT_EQ(pread(fd, &ch, 1, second), 1);
    PTEST_INT_EQ(ch, REC_TYPE_DONE);
    PTEST_INT_EQ(pread(fd, &ch, 1, 0), 1);
    PTEST_INT_EQ(ch, REC_TYPE_RCPT);
    /* Again: already done is fine. */
    deliver_completed(fp, second);
    /* -1: not in the queue file, nothing happens. */
    deliver_completed(fp, -1);
    PTEST_STR_EQ(vstring_str(log_text), "");
    unlink(path);
    /* A byte that is neither R nor D is fatal. */
    PTEST_EXPECT_EXIT(1);
    deliver_completed(fp, 1);
}

static const PTEST_CASE cases[] = {
    {"delay formatting", test_delay_format},
    {"log_adhoc delays by phase", test_log_adhoc_phases},
    {"log_adhoc fields", test_log_adhoc_fields},
    {"APPEND golden bytes", test_append_golden},
    {"service failure", test_service_failure},
    {"sent with NOTIFY=SUCCESS", test_sent_trace},
    {"soft_bounce", test_soft_bounce},
    {"WARN golden bytes", test_flush_golden},
    {"deliver_completed", test_deliver_completed},
};

PTEST_MAIN(cases)
