/*
 * Unit tests for the "deliver" protocol: golden bytes of qmgr's request
 * (deliver_request_write), a full exchange between qmgr's and the agent's
 * side over a socket, the agent's refusal of malformed or hostile requests,
 * and the checks on the queue file (missing, symlink, directory, too short).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "deliver_request.h"
#include "deliver_request_clnt.h"
#include "dsn.h"
#include "mail_proto.h"
#include "msg.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

static VSTRING *log_text;

static void capture(int level, const char *text)
{
    vstring_sprintf_append(log_text, "%s%s\n", msg_level_prefix(level), text);
}

static char queue_dir[] = "/tmp/deliver_request_test.XXXXXX";

#define QUEUE_ID  "A084DA7237E"
#define FILE_SIZE 1000

/* A queue directory with active/QUEUE_ID of FILE_SIZE bytes. */
static void setup(void)
{
    char buf[FILE_SIZE];
    int fd;

    log_text = vstring_alloc(100);
    msg_output_clear();
    msg_output_add(capture);
    signal(SIGPIPE, SIG_IGN);
    memset(buf, 'x', sizeof(buf));
    if (mkdtemp(queue_dir) == 0 || chdir(queue_dir) < 0 || mkdir("active", 0700) < 0 ||
        (fd = open("active/" QUEUE_ID, O_CREAT | O_WRONLY, 0600)) < 0 ||
        write(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd) < 0)
        PTEST_FAIL("setup: %s", strerror(errno));
}

static void teardown(void)
{
    char cmd[100];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", queue_dir);
    if (chdir("/") < 0 || system(cmd) != 0)
        PTEST_FAIL("cleanup of %s failed", queue_dir);
}

static const RECIPIENT sample_rcpt[] = {
    {"Orig@Example.COM", "user@example.com", 300, "rfc822;Orig@Example.COM", DSN_NOTIFY_SUCCESS},
    {"two@example.com", "two@example.com", 350, "", 0},
};

static void sample_request(DELIVER_REQUEST_SEND *req)
{
    memset(req, 0, sizeof(*req));
    req->flags = DEL_REQ_FLAG_SUCCESS;
    req->queue_name = "active";
    req->queue_id = QUEUE_ID;
    req->data_offset = 200;
    req->data_size = 90;
    req->nexthop = "example.com";
    req->encoding = "8BITMIME";
    req->smtputf8 = 0;
    req->sender = "sender@example.org";
    req->dsn_envid = "env1";
    req->dsn_ret = DSN_RET_HDRS;
    req->arrival_time.tv_sec = 1700000000;
    req->arrival_time.tv_usec = 250000;
    req->active_arrival.tv_sec = 1700000001;
    req->active_arrival.tv_usec = 5;
    req->client_name = "localhost";
    req->client_addr = "127.0.0.1";
    req->client_helo = "";
    req->client_proto = "ESMTP";
    req->log_origin = "localhost[127.0.0.1]";
    req->sasl_method = "";
    req->sasl_username = "";
    req->sasl_sender = "";
    req->rcpt = sample_rcpt;
    req->rcpt_count = 2;
}

static VSTRING *request_bytes(const DELIVER_REQUEST_SEND *req)
{
    VSTRING *buf = vstring_alloc(500);
    VSTREAM *fp = vstream_memopen(buf, VSTREAM_WRITE);

    if (deliver_request_write(fp, req) != 0)
        PTEST_FAIL("deliver_request_write failed");
    vstream_fclose(fp);
    return buf;
}

static void test_golden(void)
{
    DELIVER_REQUEST_SEND req;
    static const char want[] = "flags\0"
                               "4096\0"
                               "queue_name\0active\0"
                               "queue_id\0" QUEUE_ID "\0"
                               "offset\0"
                               "200\0"
                               "size\0"
                               "90\0"
                               "nexthop\0example.com\0"
                               "encoding\0"
                               "8BITMIME\0"
                               "smtputf8\0"
                               "0\0"
                               "sender\0sender@example.org\0"
                               "envelope_id\0env1\0"
                               "ret_flags\0"
                               "2\0"
                               "arrival_time\0"
                               "1700000000250000\0"
                               "active_arrival\0"
                               "1700000001000005\0"
                               "log_client_name\0localhost\0"
                               "log_client_address\0"
                               "127.0.0.1\0"
                               "log_helo_name\0\0"
                               "log_protocol_name\0ESMTP\0"
                               "log_message_origin\0localhost[127.0.0.1]\0"
                               "sasl_method\0\0"
                               "sasl_username\0\0"
                               "sasl_sender\0\0"
                               "recipient_count\0"
                               "2\0\0"
                               "original_recipient\0Orig@Example.COM\0"
                               "recipient\0user@example.com\0"
                               "offset\0"
                               "300\0"
                               "dsn_orig_rcpt\0rfc822;Orig@Example.COM\0"
                               "notify_flags\0"
                               "2\0\0"
                               "original_recipient\0two@example.com\0"
                               "recipient\0two@example.com\0"
                               "offset\0"
                               "350\0"
                               "dsn_orig_rcpt\0\0"
                               "notify_flags\0"
                               "0\0\0";

    sample_request(&req);
    VSTRING *got = request_bytes(&req);
    PTEST_INT_EQ(VSTRING_LEN(got), sizeof(want) - 1);
    PTEST_CHECK(memcmp(vstring_str(got), want, sizeof(want) - 1) == 0);
}

/* qmgr in a child process, the agent here; the reply status comes back. */
static void test_exchange(void)
{
    int sv[2];
    pid_t pid;
    int status;

    setup();
    PTEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    if ((pid = fork()) == 0) {
        DELIVER_REQUEST_SEND req;
        VSTREAM *agent = vstream_fdopen(sv[1], VSTREAM_RDWR);
        int st = -1;

        close(sv[0]);
        sample_request(&req);
        if (deliver_request_send(agent, &req) != 0 || deliver_request_reply(agent, &st) != 0)
            _exit(1);
        _exit(10 + st);
    }
    close(sv[1]);
    VSTREAM *client = vstream_fdopen(sv[0], VSTREAM_RDWR);
    DELIVER_REQUEST *rq = deliver_request_read(client);
    PTEST_CHECK(rq != 0);
    if (rq) {
        PTEST_CHECK(rq->fp != 0);
        PTEST_STR_EQ(rq->queue_name, "active");
        PTEST_STR_EQ(rq->queue_id, QUEUE_ID);
        PTEST_INT_EQ(rq->flags, DEL_REQ_FLAG_SUCCESS);
        PTEST_INT_EQ(rq->data_offset, 200);
        PTEST_INT_EQ(rq->data_size, 90);
        PTEST_STR_EQ(rq->nexthop, "example.com");
        PTEST_STR_EQ(rq->encoding, "8BITMIME");
        PTEST_STR_EQ(rq->sender, "sender@example.org");
        PTEST_STR_EQ(rq->dsn_envid, "env1");
        PTEST_INT_EQ(rq->dsn_ret, DSN_RET_HDRS);
        PTEST_INT_EQ(rq->msg_stats.incoming_arrival.tv_sec, 1700000000);
        PTEST_INT_EQ(rq->msg_stats.incoming_arrival.tv_usec, 250000);
        PTEST_INT_EQ(rq->msg_stats.active_arrival.tv_usec, 5);
        PTEST_CHECK(rq->msg_stats.agent_handoff.tv_sec > 1700000000);
        PTEST_STR_EQ(rq->client_name, "localhost");
        PTEST_STR_EQ(rq->client_addr, "127.0.0.1");
        PTEST_STR_EQ(rq->client_proto, "ESMTP");
        PTEST_STR_EQ(rq->log_origin, "localhost[127.0.0.1]");
        PTEST_INT_EQ(rq->rcpt_list.len, 2);
        PTEST_STR_EQ(rq->rcpt_list.info[0].orig_addr, "Orig@Example.COM");
        PTEST_STR_EQ(rq->rcpt_list.info[0].address, "user@example.com");
        PTEST_INT_EQ(rq->rcpt_list.info[0].offset, 300);
        PTEST_STR_EQ(rq->rcpt_list.info[0].dsn_orcpt, "rfc822;Orig@Example.COM");
        PTEST_INT_EQ(rq->rcpt_list.info[0].dsn_notify, DSN_NOTIFY_SUCCESS);
        PTEST_STR_EQ(rq->rcpt_list.info[1].address, "two@example.com");
        PTEST_INT_EQ(deliver_request_done(client, rq, DEL_STAT_DEFER), 0);
    }
    PTEST_CHECK(waitpid(pid, &status, 0) == pid);
    PTEST_CHECK(WIFEXITED(status));
    PTEST_INT_EQ(WEXITSTATUS(status), 10 + DEL_STAT_DEFER);
    PTEST_STR_EQ(vstring_str(log_text), "");
    vstream_fclose(client);
    teardown();
}

/* Feed raw request bytes to the agent side; returns the request or NULL. */
static DELIVER_REQUEST *agent_read(VSTRING *bytes)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
        write(sv[1], vstring_str(bytes), VSTRING_LEN(bytes)) != (ssize_t)VSTRING_LEN(bytes))
        PTEST_FAIL("socketpair: %s", strerror(errno));
    shutdown(sv[1], SHUT_WR);
    VSTREAM *client = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_timeouts(client, 2000, 2000);
    DELIVER_REQUEST *rq = deliver_request_read(client);
    /* The agent spoke first, with the hello. */
    VSTREAM *peer = vstream_fdopen(sv[1], VSTREAM_RDWR);
    if (attr_scan_hello(peer, MAIL_PROTO_DELIVER) != 0)
        PTEST_FAIL("no hello from the agent side");
    vstream_fclose(peer);
    vstream_fclose(client);
    return rq;
}

/* Replace the first occurrence of from (with its NUL) by to in buf. */
static void edit(VSTRING *buf, const char *from, size_t from_len, const char *to, size_t to_len)
{
    char *data = vstring_str(buf);
    size_t len = VSTRING_LEN(buf);

    for (size_t i = 0; i + from_len <= len; i++) {
        if (memcmp(data + i, from, from_len) == 0) {
            VSTRING *out = vstring_alloc(len);
            vstring_memcpy(out, data, i);
            vstring_memcat(out, to, to_len);
            vstring_memcat(out, data + i + from_len, len - i - from_len);
            vstring_memcpy(buf, vstring_str(out), VSTRING_LEN(out));
            vstring_free(out);
            return;
        }
    }
    PTEST_FAIL("edit: pattern not found");
}

#define EDIT(buf, from, to) edit((buf), from, sizeof(from) - 1, to, sizeof(to) - 1)

typedef struct BAD_CASE {
    const char *name;
    const char *from;
    size_t from_len;
    const char *to;
    size_t to_len;
    const char *want_log;
} BAD_CASE;

#define REPL(from, to) from, sizeof(from) - 1, to, sizeof(to) - 1

static const BAD_CASE bad_cases[] = {
    {"queue name not a queue", REPL("queue_name\0active\0", "queue_name\0corrupt\0"),
     "unknown queue name"},
    {"queue name with a path", REPL("queue_name\0active\0", "queue_name\0../active\0"),
     "unknown queue name"},
    {"queue id with a slash", REPL("queue_id\0" QUEUE_ID "\0", "queue_id\0../../etc/passwd\0"),
     "bad queue id"},
    {"empty queue id", REPL("queue_id\0" QUEUE_ID "\0", "queue_id\0\0"), "bad queue id"},
    {"unknown flags",
     REPL("flags\0"
          "4096\0",
          "flags\0"
          "1\0"),
     "unknown flags"},
    {"content offset zero",
     REPL("offset\0"
          "200\0",
          "offset\0"
          "0\0"),
     "bad content offset"},
    {"negative size",
     REPL("size\0"
          "90\0",
          "size\0-1\0"),
     "bad content offset or size"},
    {"bad encoding", REPL("8BITMIME\0", "base64\0"), "bad encoding"},
    {"bad ret",
     REPL("ret_flags\0"
          "2\0",
          "ret_flags\0"
          "3\0"),
     "bad ret_flags"},
    {"negative arrival",
     REPL("arrival_time\0"
          "1700000000250000\0",
          "arrival_time\0-1\0"),
     "bad arrival time"},
    {"no recipients",
     REPL("recipient_count\0"
          "2\0",
          "recipient_count\0"
          "0\0"),
     "bad recipient count"},
    {"too many recipients",
     REPL("recipient_count\0"
          "2\0",
          "recipient_count\0"
          "100001\0"),
     "bad recipient count"},
    {"count above what was sent",
     REPL("recipient_count\0"
          "2\0",
          "recipient_count\0"
          "3\0"),
     "malformed or missing recipient"},
    {"empty recipient", REPL("\0recipient\0two@example.com\0", "\0recipient\0\0"),
     "empty recipient"},
    {"bad recipient offset",
     REPL("offset\0"
          "350\0",
          "offset\0-350\0"),
     "bad recipient offset"},
    {"bad notify",
     REPL("notify_flags\0"
          "2\0",
          "notify_flags\0"
          "64\0"),
     "bad notify_flags"},
    {"unknown attribute", REPL("flags\0", "bogus\0x\0flags\0"), "unexpected attribute \"bogus\""},
    {"missing attribute", REPL("nexthop\0example.com\0", ""), "missing attribute \"nexthop\""},
    {"bad number",
     REPL("size\0"
          "90\0",
          "size\0"
          "9x\0"),
     "bad number"},
};

static void test_bad_requests(void)
{
    DELIVER_REQUEST_SEND req;

    setup();
    sample_request(&req);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const BAD_CASE *bc = bad_cases + i;
        VSTRING *bytes = request_bytes(&req);

        edit(bytes, bc->from, bc->from_len, bc->to, bc->to_len);
        vstring_reset(log_text);
        DELIVER_REQUEST *rq = agent_read(bytes);
        if (rq != 0)
            PTEST_FAIL("%s: request accepted", bc->name);
        if (strstr(vstring_str(log_text), bc->want_log) == 0)
            PTEST_FAIL("%s: log: got \"%s\", want \"%s\"", bc->name, vstring_str(log_text),
                       bc->want_log);
        vstring_free(bytes);
    }
    /* A connection closed before any request is not worth a warning. */
    vstring_reset(log_text);
    VSTRING *empty = vstring_alloc(1);
    PTEST_CHECK(agent_read(empty) == 0);
    PTEST_STR_EQ(vstring_str(log_text), "");
    teardown();
}

/* The queue file checks: the request is returned, with fp NULL. */
static void test_queue_file(void)
{
    static const struct {
        const char *name;
        const char *id;
        long data_offset;
        const char *want_log;
    } table[] = {
        {"ok", QUEUE_ID, 200, 0},
        {"missing", "B1234567890", 200, "open active/B1234567890: No such file"},
        {"symlink", "SYMLINK", 200, "open active/SYMLINK"},
        {"directory", "DIR", 200, "open active/DIR"},
        {"content beyond the end", QUEUE_ID, 950, "beyond the end of the file"},
    };
    DELIVER_REQUEST_SEND req;

    setup();
    PTEST_CHECK(symlink(QUEUE_ID, "active/SYMLINK") == 0);
    PTEST_CHECK(mkdir("active/DIR", 0700) == 0);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        sample_request(&req);
        req.queue_id = table[i].id;
        req.data_offset = table[i].data_offset;
        VSTRING *bytes = request_bytes(&req);
        vstring_reset(log_text);
        DELIVER_REQUEST *rq = agent_read(bytes);
        if (rq == 0) {
            PTEST_FAIL("%s: request refused: %s", table[i].name, vstring_str(log_text));
            continue;
        }
        if ((rq->fp != 0) != (table[i].want_log == 0))
            PTEST_FAIL("%s: fp %s", table[i].name, rq->fp ? "open" : "null");
        if (table[i].want_log && strstr(vstring_str(log_text), table[i].want_log) == 0)
            PTEST_FAIL("%s: log: got \"%s\", want \"%s\"", table[i].name, vstring_str(log_text),
                       table[i].want_log);
        if (rq->fp) {
            /* Open read-write, at the start of the file. */
            char ch;
            PTEST_INT_EQ(vstream_fread(rq->fp, &ch, 1), 1);
            PTEST_INT_EQ(vstream_fseek(rq->fp, 0, SEEK_SET), 0);
            PTEST_INT_EQ(vstream_fwrite(rq->fp, "y", 1), 1);
            PTEST_INT_EQ(vstream_fflush(rq->fp), 0);
        }
        /* deliver_request_done on a closed peer fails cleanly. */
        int sv[2];
        PTEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        close(sv[1]);
        VSTREAM *dead = vstream_fdopen(sv[0], VSTREAM_RDWR);
        PTEST_INT_EQ(deliver_request_done(dead, rq, DEL_STAT_OK), -1);
        vstream_fclose(dead);
        vstring_free(bytes);
    }
    teardown();
}

/* qmgr's side refuses a bad reply. */
static void test_bad_reply(void)
{
    static const struct {
        const char *input;
        size_t len;
        int want;
    } table[] = {
        {"status\0"
         "0\0\0",
         11, 0},
        {"status\0"
         "1\0\0",
         11, 0},
        {"status\0"
         "2\0\0",
         11, -1},
        {"status\0-1\0\0", 12, -1},
        {"status\0"
         "0\0x\0y\0\0",
         15, -1},
        {"\0", 1, -1},
        {"", 0, -1},
    };
    log_text = vstring_alloc(10);
    msg_output_clear();
    msg_output_add(capture);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        VSTRING *in = vstring_alloc(10);
        int st = 99;

        vstring_memcpy(in, table[i].input, table[i].len);
        VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
        int got = deliver_request_reply(fp, &st);
        if (got != table[i].want)
            PTEST_FAIL("case %zu: got %d, want %d", i, got, table[i].want);
        vstream_fclose(fp);
    }
}

static const PTEST_CASE cases[] = {
    {"request golden bytes", test_golden},
    {"qmgr and agent exchange", test_exchange},
    {"agent refuses bad requests", test_bad_requests},
    {"queue file checks", test_queue_file},
    {"qmgr refuses a bad reply", test_bad_reply},
};

PTEST_MAIN(cases)
