/*
 * Unit tests for attr: golden bytes of attr_print(), and attr_scan() against
 * good and hostile input (bad names, bad numbers, overflow, bad base64,
 * values too long, duplicates, missing terminator, EXTRA/MISSING/MORE), the
 * hello exchange, and a read deadline.
 */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

/* --- captured warnings --------------------------------------------------------- */

static VSTRING *warnings;
static int warning_count;

static void capture(int level, const char *text)
{
    if (warnings == 0)
        warnings = vstring_alloc(100);
    vstring_sprintf_append(warnings, "%s%s\n", msg_level_prefix(level), text);
    warning_count++;
}

static void capture_start(void)
{
    msg_output_clear();
    msg_output_add(capture);
    if (warnings)
        vstring_reset(warnings);
    warning_count = 0;
}

static const char *captured(void)
{
    return warnings ? vstring_str(warnings) : "";
}

/* Print a C literal with embedded NULs for failure messages. */
static const char *visible(const char *data, size_t len)
{
    static VSTRING *buf;

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_reset(buf);
    for (size_t i = 0; i < len; i++) {
        if (data[i] == 0)
            vstring_strcat(buf, "\\0");
        else
            vstring_addch(buf, data[i]);
    }
    return vstring_str(buf);
}

#define BYTES_EQ(got, got_len, want, want_len)                                                     \
    do {                                                                                           \
        if ((got_len) != (want_len) || memcmp((got), (want), (want_len)) != 0) {                   \
            char *g_ = mystrdup(visible((got), (got_len)));                                        \
            PTEST_FAIL("got \"%s\", want \"%s\"", g_, visible((want), (want_len)));                \
            myfree(g_);                                                                            \
        }                                                                                          \
    } while (0)

/* --- attr_print golden bytes -------------------------------------------------- */

static VSTREAM *out_open(VSTRING **buf)
{
    *buf = vstring_alloc(100);
    return vstream_memopen(*buf, VSTREAM_WRITE);
}

#define WANT(s) s, sizeof(s) - 1

static void test_print_golden(void)
{
    VSTRING *buf;
    VSTREAM *fp = out_open(&buf);

    PTEST_INT_EQ(attr_print(fp, ATTR_FLAG_NONE, SEND_ATTR_INT("a", 1), ATTR_TYPE_END), 0);
    PTEST_INT_EQ(attr_print(fp, ATTR_FLAG_NONE, SEND_ATTR_STR("name", "value x"),
                            SEND_ATTR_LONG("size", -1234567890123L), SEND_ATTR_INT("neg", INT_MIN),
                            ATTR_TYPE_END),
                 0);
    PTEST_INT_EQ(attr_print(fp, ATTR_FLAG_NONE, SEND_ATTR_DATA("d", 5, "hello"),
                            SEND_ATTR_DATA("e", 0, ""), SEND_ATTR_DATA("f", 4, "\0\377\0\1"),
                            SEND_ATTR_STR("empty", ""), ATTR_TYPE_END),
                 0);
    PTEST_INT_EQ(attr_print(fp, ATTR_FLAG_MORE, SEND_ATTR_INT("request", 7), ATTR_TYPE_END), 0);
    PTEST_INT_EQ(attr_print(fp, ATTR_FLAG_NONE, ATTR_TYPE_END), 0);
    PTEST_INT_EQ(vstream_fclose(fp), 0);
    static const char want[] = ("a\0"
                                "1\0\0"
                                "name\0value x\0size\0-1234567890123\0neg\0-2147483648\0\0"
                                "d\0aGVsbG8=\0e\0\0f\0AP8AAQ==\0empty\0\0\0"
                                "request\0"
                                "7\0\0");
    BYTES_EQ(vstring_str(buf), VSTRING_LEN(buf), want, sizeof(want) - 1);
    vstring_free(buf);
}

static void test_print_too_long(void)
{
    VSTRING *buf;
    VSTREAM *fp = out_open(&buf);
    size_t len = ATTR_VALUE_MAX + 1;
    char *big = mymalloc(len + 1);

    memset(big, 'x', len);
    big[len] = 0;
    capture_start();
    /* Nothing of the list is written, not even the good first attribute. */
    PTEST_INT_EQ(attr_print(fp, 0, SEND_ATTR_INT("a", 1), SEND_ATTR_STR("big", big), ATTR_TYPE_END),
                 -1);
    PTEST_INT_EQ(attr_print(fp, 0, SEND_ATTR_DATA("big", len, big), ATTR_TYPE_END), -1);
    /* The largest value that fits is fine. */
    big[ATTR_VALUE_MAX] = 0;
    PTEST_INT_EQ(attr_print(fp, 0, SEND_ATTR_STR("ok", big), ATTR_TYPE_END), 0);
    vstream_fclose(fp);
    PTEST_INT_EQ(VSTRING_LEN(buf), 3 + ATTR_VALUE_MAX + 2);
    PTEST_INT_EQ(warning_count, 2);
    myfree(big);
    vstring_free(buf);
}

static void test_print_bad_name(void)
{
    /* A bad name is a bug in the caller: msg_panic, which aborts. */
    static const char *bad[] = {"Bad", "", "a-b", "a b"};

    for (size_t n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
        pid_t pid = fork();
        int status;

        if (pid == 0) {
            VSTRING *buf;
            VSTREAM *fp = out_open(&buf);

            capture_start();
            attr_print(fp, 0, SEND_ATTR_INT(bad[n], 1), ATTR_TYPE_END);
            _exit(0);
        }
        PTEST_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            PTEST_FAIL("name \"%s\": child did not abort (status 0x%x)", bad[n], status);
    }
}

/* --- attr_scan table ----------------------------------------------------------- */

typedef struct SCAN_CASE {
    const char *name;
    const char *input;
    size_t input_len;
    int flags;
    int want_ret;
    int want_i;         /* "i" */
    const char *want_s; /* "s" */
    long want_l;        /* "l" */
    const char *want_d; /* "d", decoded */
    size_t want_d_len;
    const char *want_log; /* substring of the warnings, or 0 for none */
} SCAN_CASE;

#define IN(s) s, sizeof(s) - 1
#define NOD   "", 0

static const SCAN_CASE scan_cases[] = {
    {"all four in order",
     IN("i\0-5\0s\0text\0l\0"
        "9000000000\0d\0aGVsbG8=\0\0"),
     ATTR_FLAG_STRICT, 4, -5, "text", 9000000000L, "hello", 5, 0},
    {"any order",
     IN("d\0AP8=\0l\0"
        "0\0s\0\0i\0"
        "2147483647\0\0"),
     ATTR_FLAG_STRICT, 4, INT_MAX, "", 0, "\0\377", 2, 0},
    {"empty list", IN("\0"), ATTR_FLAG_NONE, 0, 0, "", 0, NOD, 0},
    {"missing attributes counted",
     IN("i\0"
        "1\0\0"),
     ATTR_FLAG_NONE, 1, 1, "", 0, NOD, 0},
    {"missing attributes logged",
     IN("i\0"
        "1\0\0"),
     ATTR_FLAG_MISSING, 1, 1, "", 0, NOD, "missing attribute \"s\""},
    {"extra skipped",
     IN("x\0whatever\0i\0"
        "3\0\0"),
     ATTR_FLAG_NONE, 1, 3, "", 0, NOD, 0},
    {"extra rejected",
     IN("x\0whatever\0i\0"
        "3\0\0"),
     ATTR_FLAG_EXTRA, -1, 0, "", 0, NOD, "unexpected attribute \"x\""},
    {"eof before anything", IN(""), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, 0},
    {"eof in a name", IN("i"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, 0},
    {"eof in a value",
     IN("i\0"
        "12"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, 0},
    {"eof instead of terminator",
     IN("i\0"
        "12\0"),
     ATTR_FLAG_NONE, -1, 12, "", 0, NOD, 0},
    {"upper case name",
     IN("I\0"
        "1\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad attribute name \"I\""},
    {"name with space",
     IN("a b\0"
        "1\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad attribute name"},
    {"name with control byte",
     IN("a\nb\0"
        "1\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad attribute name \"a?b\""},
    {"name too long",
     IN("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaa"
        "aaaaaaaaaa\0"
        "1\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "name longer than 100 bytes"},
    {"int with plus", IN("i\0+1\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer \"+1\""},
    {"int with space", IN("i\0 1\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int trailing junk",
     IN("i\0"
        "1x\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int empty", IN("i\0\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer \"\""},
    {"int minus only", IN("i\0-\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int hex",
     IN("i\0"
        "0x10\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int overflow",
     IN("i\0"
        "2147483648\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int underflow", IN("i\0-2147483649\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad integer"},
    {"int min", IN("i\0-2147483648\0\0"), ATTR_FLAG_NONE, 1, INT_MIN, "", 0, NOD, 0},
    {"long overflow",
     IN("l\0"
        "9223372036854775808\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad number"},
    {"long max",
     IN("l\0"
        "9223372036854775807\0\0"),
     ATTR_FLAG_NONE, 1, 0, "", LONG_MAX, NOD, 0},
    {"base64 bad char", IN("d\0aGV*bG8=\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad base64"},
    {"base64 bad length", IN("d\0aGVsbG8\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad base64"},
    {"base64 pad in middle", IN("d\0aG==bG8=\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD,
     "bad base64"},
    {"base64 non-zero pad bits", IN("d\0AP9=\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD,
     "bad base64"},
    {"base64 triple pad", IN("d\0A===\0\0"), ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "bad base64"},
    {"base64 empty", IN("d\0\0\0"), ATTR_FLAG_NONE, 1, 0, "", 0, NOD, 0},
    {"duplicate requested",
     IN("i\0"
        "1\0i\0"
        "2\0\0"),
     ATTR_FLAG_NONE, -1, 1, "", 0, NOD, "attribute \"i\" received twice"},
    {"duplicate unrequested",
     IN("x\0"
        "1\0x\0"
        "2\0\0"),
     ATTR_FLAG_NONE, -1, 0, "", 0, NOD, "attribute \"x\" received twice"},
    {"string with high bytes", IN("s\0\303\244\377\0\0"), ATTR_FLAG_NONE, 1, 0, "\303\244\377", 0,
     NOD, 0},
    {"more stops early",
     IN("s\0a\0i\0"
        "1\0l\0"
        "2\0d\0\0"),
     ATTR_FLAG_MORE, 4, 1, "a", 2, NOD, 0},
};

static void test_scan_table(void)
{
    for (size_t n = 0; n < sizeof(scan_cases) / sizeof(scan_cases[0]); n++) {
        const SCAN_CASE *tc = scan_cases + n;
        VSTRING *in = vstring_alloc(100);
        VSTRING *s = vstring_alloc(10);
        VSTRING *d = vstring_alloc(10);
        int i = 0;
        long l = 0;
        int ret;

        vstring_memcpy(in, tc->input, tc->input_len);
        VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
        capture_start();
        ret = attr_scan(fp, tc->flags, RECV_ATTR_INT("i", &i), RECV_ATTR_STR("s", s),
                        RECV_ATTR_LONG("l", &l), RECV_ATTR_DATA("d", d), ATTR_TYPE_END);
        if (ret != tc->want_ret)
            PTEST_FAIL("%s: ret: got %d, want %d (log: %s)", tc->name, ret, tc->want_ret,
                       captured());
        if (i != tc->want_i)
            PTEST_FAIL("%s: i: got %d, want %d", tc->name, i, tc->want_i);
        if (ret >= 0 && strcmp(vstring_str(s), tc->want_s) != 0)
            PTEST_FAIL("%s: s: got \"%s\", want \"%s\"", tc->name, vstring_str(s), tc->want_s);
        if (l != tc->want_l)
            PTEST_FAIL("%s: l: got %ld, want %ld", tc->name, l, tc->want_l);
        if (ret >= 0 && (VSTRING_LEN(d) != tc->want_d_len ||
                         memcmp(vstring_str(d), tc->want_d, tc->want_d_len) != 0))
            PTEST_FAIL("%s: d: got \"%s\"", tc->name, visible(vstring_str(d), VSTRING_LEN(d)));
        if (tc->want_log == 0 && warning_count != 0)
            PTEST_FAIL("%s: unexpected log: %s", tc->name, captured());
        if (tc->want_log && strstr(captured(), tc->want_log) == 0)
            PTEST_FAIL("%s: log: got \"%s\", want \"%s\"", tc->name, captured(), tc->want_log);
        if (tc->want_log && strstr(captured(), "memory stream") == 0)
            PTEST_FAIL("%s: log does not name the stream: %s", tc->name, captured());
        vstream_fclose(fp);
        vstring_free(in);
        vstring_free(s);
        vstring_free(d);
    }
}

/* A value exactly at the limit is fine; one byte more is an error. */
static void test_scan_value_limit(void)
{
    for (int extra = 0; extra <= 1; extra++) {
        VSTRING *in = vstring_alloc(ATTR_VALUE_MAX + 10);
        VSTRING *s = vstring_alloc(10);

        vstring_memcpy(in, "s\0", 2);
        memset(vstring_space(in, ATTR_VALUE_MAX + extra), 'v', ATTR_VALUE_MAX + extra);
        vstring_set_len(in, 2 + ATTR_VALUE_MAX + extra);
        vstring_memcat(in, "\0\0", 2);
        VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
        capture_start();
        int ret = attr_scan(fp, 0, RECV_ATTR_STR("s", s), ATTR_TYPE_END);
        PTEST_INT_EQ(ret, extra ? -1 : 1);
        if (extra)
            PTEST_CHECK(strstr(captured(), "attribute \"s\": value too long") != 0);
        else
            PTEST_INT_EQ(VSTRING_LEN(s), ATTR_VALUE_MAX);
        vstream_fclose(fp);
        vstring_free(in);
        vstring_free(s);
    }
    /* Also for an attribute that was not asked for (it is still bounded). */
    VSTRING *in = vstring_alloc(ATTR_VALUE_MAX + 10);
    vstring_memcpy(in, "x\0", 2);
    memset(vstring_space(in, ATTR_VALUE_MAX + 1), 'v', ATTR_VALUE_MAX + 1);
    vstring_set_len(in, 3 + ATTR_VALUE_MAX);
    vstring_memcat(in, "\0\0", 2);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    capture_start();
    PTEST_INT_EQ(attr_scan(fp, 0, ATTR_TYPE_END), -1);
    vstream_fclose(fp);
    vstring_free(in);
}

/* The caller's VSTRING limit is honoured: overflow is a protocol error. */
static void test_scan_caller_limit(void)
{
    VSTRING *in = vstring_alloc(100);
    VSTRING *s = vstring_set_limit(vstring_alloc(10), 4);

    vstring_memcpy(in,
                   "s\0"
                   "12345\0\0",
                   9);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    capture_start();
    PTEST_INT_EQ(attr_scan(fp, 0, RECV_ATTR_STR("s", s), ATTR_TYPE_END), -1);
    PTEST_CHECK(strstr(captured(), "value too long") != 0);
    vstream_fclose(fp);
}

static void test_scan_too_many_pairs(void)
{
    VSTRING *in = vstring_alloc(100);
    int i = 0;

    for (int n = 0; n <= ATTR_LIST_MAX; n++)
        vstring_sprintf_append(in, "x%d%c1%c", n, 0, 0);
    vstring_addch(in, 0);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    capture_start();
    PTEST_INT_EQ(attr_scan(fp, 0, RECV_ATTR_INT("i", &i), ATTR_TYPE_END), -1);
    PTEST_CHECK(strstr(captured(), "more than 1024 attributes") != 0);
    vstream_fclose(fp);
}

/* MORE: read the request name, then the rest of the same list. */
static void test_scan_more(void)
{
    VSTRING *in = vstring_alloc(100);
    VSTRING *req = vstring_alloc(10);
    VSTRING *s = vstring_alloc(10);
    int i = 0;

    static const char list[] = "request\0rewrite\0s\0abc\0i\0"
                               "42\0\0next\0"
                               "1\0\0";
    vstring_memcpy(in, list, sizeof(list) - 1);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    capture_start();
    PTEST_INT_EQ(attr_scan(fp, ATTR_FLAG_MORE | ATTR_FLAG_STRICT, RECV_ATTR_STR("request", req),
                           ATTR_TYPE_END),
                 1);
    PTEST_STR_EQ(vstring_str(req), "rewrite");
    PTEST_INT_EQ(attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_STR("s", s), RECV_ATTR_INT("i", &i),
                           ATTR_TYPE_END),
                 2);
    PTEST_STR_EQ(vstring_str(s), "abc");
    PTEST_INT_EQ(i, 42);
    /* The next list starts right after the terminator. */
    PTEST_INT_EQ(attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_INT("next", &i), ATTR_TYPE_END), 1);
    PTEST_INT_EQ(i, 1);
    PTEST_INT_EQ(attr_scan(fp, 0, ATTR_TYPE_END), -1);
    PTEST_INT_EQ(warning_count, 0);
    vstream_fclose(fp);
}

/* MORE when the list ends before every attribute arrived: the count says so. */
static void test_scan_more_short(void)
{
    VSTRING *in = vstring_alloc(100);
    VSTRING *s = vstring_alloc(10);
    int i = 0;

    vstring_memcpy(in,
                   "i\0"
                   "5\0\0",
                   5);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    PTEST_INT_EQ(
        attr_scan(fp, ATTR_FLAG_MORE, RECV_ATTR_INT("i", &i), RECV_ATTR_STR("s", s), ATTR_TYPE_END),
        1);
    vstream_fclose(fp);
}

/* Whatever attr_print writes, attr_scan reads back. */
static void test_roundtrip(void)
{
    VSTRING *buf;
    VSTREAM *fp = out_open(&buf);
    unsigned char bin[300];
    VSTRING *s = vstring_alloc(10);
    VSTRING *d = vstring_alloc(10);
    int i;
    long l;

    for (size_t n = 0; n < sizeof(bin); n++)
        bin[n] = (unsigned char)(n * 7);
    for (size_t len = 0; len <= 7; len++)
        attr_print(fp, 0, SEND_ATTR_DATA("d", len, bin), SEND_ATTR_INT("i", -(int)len),
                   SEND_ATTR_LONG("l", LONG_MIN), SEND_ATTR_STR("s", "x\001\377y"), ATTR_TYPE_END);
    attr_print(fp, 0, SEND_ATTR_DATA("d", sizeof(bin), bin), ATTR_TYPE_END);
    vstream_fclose(fp);

    fp = vstream_memopen(buf, VSTREAM_READ);
    for (size_t len = 0; len <= 7; len++) {
        PTEST_INT_EQ(attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_DATA("d", d), RECV_ATTR_INT("i", &i),
                               RECV_ATTR_LONG("l", &l), RECV_ATTR_STR("s", s), ATTR_TYPE_END),
                     4);
        PTEST_INT_EQ(VSTRING_LEN(d), len);
        PTEST_CHECK(memcmp(vstring_str(d), bin, len) == 0);
        PTEST_INT_EQ(i, -(int)len);
        PTEST_INT_EQ(l, LONG_MIN);
        PTEST_STR_EQ(vstring_str(s), "x\001\377y");
    }
    PTEST_INT_EQ(attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_DATA("d", d), ATTR_TYPE_END), 1);
    PTEST_INT_EQ(VSTRING_LEN(d), sizeof(bin));
    PTEST_CHECK(memcmp(vstring_str(d), bin, sizeof(bin)) == 0);
    vstream_fclose(fp);
}

/* --- hello ---------------------------------------------------------------------- */

static void test_hello(void)
{
    int sv[2];

    PTEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    VSTREAM *server = vstream_fdopen(sv[0], VSTREAM_RDWR);
    VSTREAM *client = vstream_fdopen(sv[1], VSTREAM_RDWR);
    vstream_set_path(client, "private/test");
    capture_start();

    PTEST_INT_EQ(attr_print_hello(server, "test/1"), 0);
    PTEST_INT_EQ(attr_scan_hello(client, "test/1"), 0);

    /* A mismatch is logged once per protocol, however often it happens. */
    for (int n = 0; n < 3; n++) {
        PTEST_INT_EQ(attr_print_hello(server, "test/2"), 0);
        PTEST_INT_EQ(attr_scan_hello(client, "test/1"), -1);
    }
    PTEST_INT_EQ(warning_count, 1);
    PTEST_STR_EQ(captured(), "warning: private/test: protocol mismatch: got \"test/2\", "
                             "want \"test/1\"; run \"postfix reload\"\n");
    PTEST_INT_EQ(attr_print_hello(server, "other/2"), 0);
    PTEST_INT_EQ(attr_scan_hello(client, "other/1"), -1);
    PTEST_INT_EQ(warning_count, 2);

    /* A list without "protocol" is a mismatch too. */
    attr_print(server, 0, SEND_ATTR_STR("nope", "x"), ATTR_TYPE_END);
    vstream_fflush(server);
    PTEST_INT_EQ(attr_scan_hello(client, "third/1"), -1);
    PTEST_CHECK(strstr(captured(), "got \"\", want \"third/1\"") != 0);

    /* End of file is a failure with its own message. */
    vstream_fclose(server);
    PTEST_INT_EQ(attr_scan_hello(client, "test/1"), -1);
    PTEST_CHECK(strstr(captured(), "connection closed before the \"test/1\" protocol hello") != 0);
    vstream_fclose(client);
}

static void test_hello_timeout(void)
{
    int sv[2];

    PTEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    VSTREAM *client = vstream_fdopen(sv[1], VSTREAM_RDWR);
    vstream_set_timeouts(client, 100, 100);
    capture_start();
    PTEST_INT_EQ(attr_scan_hello(client, "test/1"), -1);
    PTEST_CHECK(vstream_ftimeout(client));
    PTEST_CHECK(strstr(captured(), "timeout waiting for the \"test/1\" protocol hello") != 0);
    vstream_fclose(client);
    close(sv[0]);
}

static const PTEST_CASE cases[] = {
    {"print golden bytes", test_print_golden},
    {"print rejects a value that is too long", test_print_too_long},
    {"print panics on a bad name", test_print_bad_name},
    {"scan table", test_scan_table},
    {"scan value limit", test_scan_value_limit},
    {"scan honours the caller's VSTRING limit", test_scan_caller_limit},
    {"scan too many pairs", test_scan_too_many_pairs},
    {"scan MORE reads a list in parts", test_scan_more},
    {"scan MORE with a short list", test_scan_more_short},
    {"print/scan round trip", test_roundtrip},
    {"hello match, mismatch logged once, eof", test_hello},
    {"hello timeout", test_hello_timeout},
};

PTEST_MAIN(cases)
