/*
 * Unit tests for flush_clnt: the golden bytes of every request, the
 * handling of replies (known statuses passed through; an unknown status, a
 * malformed reply or a wrong hello are FLUSH_STAT_FAIL, never OK), and the
 * fast_flush_domains matching that decides DENY without a connection.
 *
 * The fake server is the other end of a socketpair: its hello and reply are
 * written before the client runs (they fit in the socket buffer), and what
 * the client wrote is read back afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flush_clnt.h"
#include "mail_conf.h"
#include "msg.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

extern int flush_clnt_talk(VSTREAM *stream, const char *request, const char *site,
                           const char *queue_id);

#define HELLO "protocol\0flush/1\0\0"

typedef struct TALK_CASE {
    const char *name;
    const char *request, *site, *queue_id;
    const char *server; /* bytes the server sends */
    size_t server_len;
    int want_status;
    const char *want_sent; /* bytes the client must send */
    size_t want_len;
} TALK_CASE;

#define B(s) s, sizeof(s) - 1

static const TALK_CASE talk_cases[] = {
    {"add", "add", "example.com", "A084DA7237E",
     B(HELLO "status\0"
             "0\0\0"),
     FLUSH_STAT_OK, B("request\0add\0site\0example.com\0queue_id\0A084DA7237E\0\0")},
    {"send_site deny", "send_site", "example.com", 0,
     B(HELLO "status\0"
             "4\0\0"),
     FLUSH_STAT_DENY, B("request\0send_site\0site\0example.com\0\0")},
    {"send_file bad", "send_file", 0, "A084DA7237E",
     B(HELLO "status\0"
             "3\0\0"),
     FLUSH_STAT_BAD, B("request\0send_file\0queue_id\0A084DA7237E\0\0")},
    {"refresh", "refresh", 0, 0,
     B(HELLO "status\0"
             "0\0\0"),
     FLUSH_STAT_OK, B("request\0refresh\0\0")},
    {"purge fail", "purge", 0, 0, B(HELLO "status\0-1\0\0"), FLUSH_STAT_FAIL,
     B("request\0purge\0\0")},
    {"unknown status", "refresh", 0, 0,
     B(HELLO "status\0"
             "77\0\0"),
     FLUSH_STAT_FAIL, B("request\0refresh\0\0")},
    {"malformed reply", "refresh", 0, 0, B(HELLO "status\0zz\0\0"), FLUSH_STAT_FAIL,
     B("request\0refresh\0\0")},
    {"no reply", "refresh", 0, 0, B(HELLO), FLUSH_STAT_FAIL, B("request\0refresh\0\0")},
    {"wrong hello", "refresh", 0, 0,
     B("protocol\0flush/9\0\0status\0"
       "0\0\0"),
     FLUSH_STAT_FAIL, "", 0},
};

static void run_talk(const TALK_CASE *tc)
{
    int sv[2];
    VSTREAM *stream;
    char buf[1000];
    ssize_t n;
    int status;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        PTEST_FAIL("socketpair: %s", strerror(errno));
    if (write(sv[1], tc->server, tc->server_len) != (ssize_t)tc->server_len)
        PTEST_FAIL("write server bytes");
    shutdown(sv[1], SHUT_WR);
    stream = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_timeouts(stream, 2000, 2000);
    status = flush_clnt_talk(stream, tc->request, tc->site, tc->queue_id);
    vstream_fclose(stream);
    n = read(sv[1], buf, sizeof(buf));
    close(sv[1]);
    if (status != tc->want_status)
        PTEST_FAIL("%s: status: got %d, want %d", tc->name, status, tc->want_status);
    if (n < 0 || (size_t)n != tc->want_len || memcmp(buf, tc->want_sent, tc->want_len) != 0) {
        VSTRING *got = vstring_alloc(100);

        for (ssize_t i = 0; i < n; i++)
            vstring_sprintf_append(got, buf[i] ? "%c" : "\\0", buf[i]);
        PTEST_FAIL("%s: sent \"%s\" (%zd bytes), want %zu bytes", tc->name, vstring_str(got), n,
                   tc->want_len);
        vstring_free(got);
    }
}

static void test_talk(void)
{
    for (size_t i = 0; i < sizeof(talk_cases) / sizeof(talk_cases[0]); i++)
        run_talk(talk_cases + i);
}

typedef struct MATCH_CASE {
    const char *list;
    const char *site;
    int parent;
    int want;
} MATCH_CASE;

static const MATCH_CASE match_cases[] = {
    {"", "example.com", 1, 0},
    {"example.com", "example.com", 1, 1},
    {"example.com", "EXAMPLE.Com", 0, 1},
    {"example.com", "mx.example.com", 1, 1},
    {"example.com", "mx.example.com", 0, 0},
    {"example.com", "badexample.com", 1, 0},
    {".example.com", "mx.example.com", 0, 1},
    {".example.com", "example.com", 1, 0},
    {"!b.a.test, a.test", "b.a.test", 1, 0},
    {"a.test, !b.a.test", "b.a.test", 1, 1},
    {"!b.a.test a.test", "c.a.test", 1, 1},
    {"other.test,example.com", "example.com", 1, 1},
    {"inline:{example.com=x}", "example.com", 1, 1},
    {"inline:{example.com=x}", "mx.example.com", 1, 1},
    {"inline:{example.com=x}", "mx.example.com", 0, 0},
    {"inline:{.example.com=x}", "mx.example.com", 0, 1},
    {"fail:down", "example.com", 1, -1},
    {"nosuch.test fail:down", "example.com", 1, -1},
    {"example.com fail:down", "example.com", 1, 1},
};

static void test_domain_lists(void)
{
    for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
        const MATCH_CASE *mc = match_cases + i;
        int got = flush_domain_list_match(mc->list, mc->site, mc->parent);

        if (got != mc->want)
            PTEST_FAIL("list \"%s\" site %s parent %d: got %d, want %d", mc->list, mc->site,
                       mc->parent, got, mc->want);
    }
}

static void test_domain_file(void)
{
    char path[] = "/tmp/flush_clnt_test.XXXXXX";
    int fd = mkstemp(path);
    static const char text[] = "# comment\nlisted.test, other.test\n  third.test\n";
    VSTRING *list = vstring_alloc(100);

    if (fd < 0 || write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
        PTEST_FAIL("temp file: %s", strerror(errno));
    close(fd);
    vstring_sprintf(list, "first.test %s", path);
    PTEST_INT_EQ(flush_domain_list_match(vstring_str(list), "third.test", 1), 1);
    PTEST_INT_EQ(flush_domain_list_match(vstring_str(list), "sub.other.test", 1), 1);
    PTEST_INT_EQ(flush_domain_list_match(vstring_str(list), "comment", 1), 0);
    unlink(path);
    vstring_free(list);
    /* A list naming a file that cannot be read is a broken configuration. */
    PTEST_EXPECT_EXIT(1);
    (void)flush_domain_list_match(path, "third.test", 1);
}

/* With fast_flush_domains empty, add and send_site are refused at once. */
static void test_deny_without_connection(void)
{
    static const char text[] = "fast_flush_domains =\nflush_service_name = no-such-flush\n";
    VSTRING *why = vstring_alloc(100);

    if (mail_conf_parse(text, sizeof(text) - 1, "test", why) < 0)
        PTEST_FAIL("parse: %s", vstring_str(why));
    PTEST_INT_EQ(flush_add("example.com", "A084DA7237E"), FLUSH_STAT_DENY);
    PTEST_INT_EQ(flush_send_site("example.com"), FLUSH_STAT_DENY);
    /* These need the service, which is not there: FAIL, not OK. */
    PTEST_INT_EQ(flush_send_file("A084DA7237E"), FLUSH_STAT_FAIL);
    PTEST_INT_EQ(flush_refresh(), FLUSH_STAT_FAIL);
    vstring_free(why);
}

static void test_listed_site_needs_service(void)
{
    static const char text[] = "relay_domains = example.com\nflush_service_name = no-such-flush\n";
    VSTRING *why = vstring_alloc(100);

    if (mail_conf_parse(text, sizeof(text) - 1, "test", why) < 0)
        PTEST_FAIL("parse: %s", vstring_str(why));
    /* fast_flush_domains defaults to $relay_domains, with parent matching. */
    PTEST_INT_EQ(flush_domain_match("mx.example.com"), 1);
    PTEST_INT_EQ(flush_send_site("example.com"), FLUSH_STAT_FAIL);
    PTEST_INT_EQ(flush_send_site("other.com"), FLUSH_STAT_DENY);
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"request bytes and replies", test_talk},
    {"domain lists", test_domain_lists},
    {"domain list files", test_domain_file},
    {"deny without a connection", test_deny_without_connection},
    {"listed site needs the service", test_listed_site_needs_service},
};

PTEST_MAIN(cases)
