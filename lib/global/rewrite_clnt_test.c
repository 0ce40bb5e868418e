/*
 * Unit tests for rewrite_clnt and resolve_clnt against a scripted fake
 * trivial-rewrite on private/rewrite: golden request bytes, the cache,
 * RESOLVE_FLAG_FAIL passed through (and not cached), and recovery from a
 * wrong hello, a dropped connection, a malformed reply, a server-side
 * table failure and unknown flags: the client retries until it gets a good
 * answer and never returns a wrong one.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "iostuff.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "ptest.h"
#include "rewrite_clnt.h"
#include "sock.h"
#include "vstream.h"
#include "vstring.h"

static VSTRING *log_text;

static void capture(int level, const char *text)
{
    vstring_sprintf_append(log_text, "%s%s\n", msg_level_prefix(level), text);
}

/* --- the scripted server ----------------------------------------------------------- */

enum { K_END, K_HELLO, K_REPLY, K_CLOSE };

typedef struct STEP {
    int kind;
    const char *data;
    size_t len;
} STEP;

#define HELLO(p)                                                                                   \
    {                                                                                              \
        K_HELLO, p, 0                                                                              \
    }
#define REPLY(s)                                                                                   \
    {                                                                                              \
        K_REPLY, s, sizeof(s) - 1                                                                  \
    }
#define CLOSE                                                                                      \
    {                                                                                              \
        K_CLOSE, 0, 0                                                                              \
    }
#define END                                                                                        \
    {                                                                                              \
        K_END, 0, 0                                                                                \
    }

typedef struct SERVER {
    pid_t pid;
    int pipe_fd; /* requests seen, as [size_t len][bytes] */
    char dir[64];
} SERVER;

/* read_list - one raw attribute list; 0 at end of file */

static int read_list(VSTREAM *fp, VSTRING *raw)
{
    int at_name = 1, name_len = 0, ch;

    vstring_reset(raw);
    while ((ch = vstream_getc(fp)) != VSTREAM_EOF) {
        vstring_addch(raw, ch);
        if (ch != 0) {
            name_len++;
            continue;
        }
        if (at_name && name_len == 0)
            return 1;
        at_name = !at_name;
        name_len = 0;
    }
    return 0;
}

static void server_start(SERVER *sv, const STEP *script)
{
    int pfd[2];
    int lfd = -1;

    log_text = vstring_alloc(100);
    msg_output_clear();
    msg_output_add(capture);
    signal(SIGPIPE, SIG_IGN);
    strcpy(sv->dir, "/tmp/rewrite_clnt_test.XXXXXX");
    if (mkdtemp(sv->dir) == 0 || chdir(sv->dir) < 0 || mkdir("private", 0700) < 0 ||
        (lfd = unix_listen("private/rewrite", 10, BLOCKING)) < 0 || pipe(pfd) < 0)
        PTEST_FAIL("setup: %s", strerror(errno));
    var_ipc_timeout = 5;
    if ((sv->pid = fork()) == 0) {
        VSTRING *raw = vstring_alloc(100);
        size_t i = 0;

        close(pfd[0]);
        while (script[i].kind != K_END) {
            VSTREAM *fp = vstream_fdopen(sane_accept(lfd, 0, 0, 0), VSTREAM_RDWR);

            if (script[i].kind == K_HELLO)
                attr_print_hello(fp, script[i++].data);
            while (script[i].kind != K_END && read_list(fp, raw)) {
                size_t len = VSTRING_LEN(raw);

                if (write(pfd[1], &len, sizeof(len)) != sizeof(len) ||
                    write(pfd[1], vstring_str(raw), len) != (ssize_t)len)
                    _exit(1);
                const STEP *st = script + i++;
                if (st->kind == K_CLOSE)
                    break;
                vstream_fwrite(fp, st->data, st->len);
                vstream_fflush(fp);
            }
            vstream_fclose(fp);
        }
        _exit(0);
    }
    close(lfd);
    close(pfd[1]);
    sv->pipe_fd = pfd[0];
}

/* server_requests - wait for the server, return the number of requests it saw */

static int server_finish(SERVER *sv, VSTRING *first)
{
    char cmd[100];
    size_t len;
    int count = 0;
    int status;

    /* The client's connection must go away for the server to finish. */
    kill(sv->pid, SIGTERM);
    waitpid(sv->pid, &status, 0);
    while (read(sv->pipe_fd, &len, sizeof(len)) == sizeof(len)) {
        char *buf = malloc(len ? len : 1);
        if (read(sv->pipe_fd, buf, len) != (ssize_t)len)
            PTEST_FAIL("short pipe read");
        if (count == 0 && first)
            vstring_memcpy(first, buf, len);
        free(buf);
        count++;
    }
    close(sv->pipe_fd);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", sv->dir);
    if (chdir("/") < 0 || system(cmd) != 0)
        PTEST_FAIL("cleanup failed");
    return count;
}

#define BYTES_EQ(vp, lit)                                                                          \
    do {                                                                                           \
        if (VSTRING_LEN(vp) != sizeof(lit) - 1 || memcmp(vstring_str(vp), lit, sizeof(lit) - 1))   \
            PTEST_FAIL("request bytes differ (%zu bytes, want %zu)", VSTRING_LEN(vp),              \
                       sizeof(lit) - 1);                                                           \
    } while (0)

/* --- tests ---------------------------------------------------------------------- */

static void test_rewrite(void)
{
    static const STEP script[] = {
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "0\0address\0user@example.com\0\0"),
        REPLY("flags\0"
              "0\0address\0other@example.com\0\0"),
        END,
    };
    SERVER sv;
    VSTRING *result = vstring_alloc(10);
    VSTRING *first = vstring_alloc(10);

    server_start(&sv, script);
    PTEST_STR_EQ(vstring_str(rewrite_clnt(REWRITE_LOCAL, "user", result)), "user@example.com");
    /* The same question again: answered from the cache. */
    PTEST_STR_EQ(vstring_str(rewrite_clnt(REWRITE_LOCAL, "user", result)), "user@example.com");
    PTEST_STR_EQ(vstring_str(rewrite_clnt(REWRITE_REMOTE, "other", result)), "other@example.com");
    /* The null address stays null without asking. */
    PTEST_STR_EQ(vstring_str(rewrite_clnt(REWRITE_LOCAL, "", result)), "");
    PTEST_INT_EQ(server_finish(&sv, first), 2);
    BYTES_EQ(first, "request\0rewrite\0rule\0local\0address\0user\0\0");
    PTEST_STR_EQ(vstring_str(log_text), "");
}

static void test_rewrite_internal(void)
{
    static const STEP script[] = {
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "0\0address\0\"a b\"@example.com\0\0"),
        END,
    };
    SERVER sv;
    VSTRING *result = vstring_alloc(10);
    VSTRING *first = vstring_alloc(10);

    server_start(&sv, script);
    PTEST_STR_EQ(vstring_str(rewrite_clnt_internal(REWRITE_LOCAL, "a b", result)),
                 "a b@example.com");
    PTEST_INT_EQ(server_finish(&sv, first), 1);
    BYTES_EQ(first, "request\0rewrite\0rule\0local\0address\0\"a b\"\0\0");
}

static void test_resolve(void)
{
    static const STEP script[] = {
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "257\0transport\0local\0nexthop\0mail.example.com\0"
              "recipient\0u@example.com\0\0"),
        REPLY("flags\0"
              "8\0transport\0\0nexthop\0\0recipient\0\0\0"),
        REPLY("flags\0"
              "8\0transport\0\0nexthop\0\0recipient\0\0\0"),
        END,
    };
    SERVER sv;
    RESOLVE_REPLY reply;
    VSTRING *first = vstring_alloc(10);

    server_start(&sv, script);
    resolve_clnt_init(&reply);
    resolve_clnt_query_from("s@example.org", "u@example.com", &reply);
    PTEST_INT_EQ(reply.flags, RESOLVE_FLAG_FINAL | RESOLVE_CLASS_LOCAL);
    PTEST_STR_EQ(vstring_str(reply.transport), "local");
    PTEST_STR_EQ(vstring_str(reply.nexthop), "mail.example.com");
    PTEST_STR_EQ(vstring_str(reply.recipient), "u@example.com");
    /* Cached. */
    resolve_clnt_query_from("s@example.org", "u@example.com", &reply);
    PTEST_STR_EQ(vstring_str(reply.transport), "local");
    /* A table failure is an answer, and is not cached. */
    resolve_clnt_query("x@example.net", &reply);
    PTEST_INT_EQ(reply.flags, RESOLVE_FLAG_FAIL);
    resolve_clnt_query("x@example.net", &reply);
    PTEST_INT_EQ(reply.flags, RESOLVE_FLAG_FAIL);
    PTEST_INT_EQ(server_finish(&sv, first), 3);
    BYTES_EQ(first, "request\0resolve\0sender\0s@example.org\0address\0u@example.com\0\0");
    resolve_clnt_free(&reply);
}

/* Every kind of failure is retried until a good answer arrives. */
static void test_rewrite_recovery(void)
{
    static const STEP script[] = {
        HELLO("rewrite/0"), /* wrong version */
        HELLO(MAIL_PROTO_REWRITE),
        CLOSE, /* dropped */
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0zz\0\0"), /* malformed */
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "8\0address\0\0\0"), /* table failure */
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "0\0address\0good@example.com\0\0"),
        END,
    };
    SERVER sv;
    VSTRING *result = vstring_alloc(10);

    server_start(&sv, script);
    PTEST_STR_EQ(vstring_str(rewrite_clnt(REWRITE_LOCAL, "good", result)), "good@example.com");
    PTEST_INT_EQ(server_finish(&sv, 0), 4);
    const char *log = vstring_str(log_text);
    PTEST_CHECK(strstr(log, "protocol mismatch: got \"rewrite/0\", want \"rewrite/1\"") != 0);
    PTEST_CHECK(strstr(log, "private/rewrite: bad or missing reply; retrying") != 0);
    PTEST_CHECK(strstr(log, "bad integer \"zz\"") != 0);
    PTEST_CHECK(strstr(log, "private/rewrite: table lookup failure in the server; retrying") != 0);
}

static void test_resolve_bad_flags(void)
{
    static const STEP script[] = {
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "65536\0transport\0smtp\0nexthop\0x\0recipient\0u@x\0\0"),
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "2048\0transport\0smtp\0nexthop\0x\0recipient\0u@x\0extra\0"
              "1\0\0"),
        HELLO(MAIL_PROTO_REWRITE),
        REPLY("flags\0"
              "2048\0transport\0smtp\0nexthop\0x\0recipient\0u@x\0\0"),
        END,
    };
    SERVER sv;
    RESOLVE_REPLY reply;

    server_start(&sv, script);
    resolve_clnt_init(&reply);
    resolve_clnt_query("u@x", &reply);
    PTEST_INT_EQ(reply.flags, RESOLVE_CLASS_RELAY);
    PTEST_STR_EQ(vstring_str(reply.transport), "smtp");
    PTEST_INT_EQ(server_finish(&sv, 0), 3);
    PTEST_CHECK(strstr(vstring_str(log_text), "unexpected flags in the reply; retrying") != 0);
    PTEST_CHECK(strstr(vstring_str(log_text), "unexpected attribute \"extra\"") != 0);
}

static const PTEST_CASE cases[] = {
    {"rewrite request bytes and cache", test_rewrite},
    {"rewrite internal form", test_rewrite_internal},
    {"resolve request bytes, cache, FAIL", test_resolve},
    {"rewrite retries every failure", test_rewrite_recovery},
    {"resolve refuses unknown flags and extras", test_resolve_bad_flags},
};

PTEST_MAIN(cases)
