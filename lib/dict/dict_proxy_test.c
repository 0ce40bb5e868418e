/*
 * Unit tests for the proxy: table client: the golden bytes of open,
 * lookup, update and delete, and how each reply status is reported (found,
 * not found, DENY with Postfix's words, RETRY as a temporary failure, a
 * broken connection never as "not found").
 *
 * The fake proxymap is the other end of a socketpair whose replies are
 * written before the client runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dict.h"
#include "dict_proxy.h"
#include "msg.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

#define HELLO "protocol\0proxymap/1\0\0"
#define B(s)  s, sizeof(s) - 1

static int server_fd;

static VSTREAM *fake_server(const char *bytes, size_t len)
{
    int sv[2];
    VSTREAM *stream;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        PTEST_FAIL("socketpair: %s", strerror(errno));
    if (write(sv[1], bytes, len) != (ssize_t)len)
        PTEST_FAIL("write server bytes");
    shutdown(sv[1], SHUT_WR);
    server_fd = sv[1];
    stream = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_timeouts(stream, 2000, 2000);
    vstream_set_path(stream, "private/proxymap");
    return stream;
}

static void expect_sent(const char *want, size_t want_len)
{
    char buf[2000];
    ssize_t n = read(server_fd, buf, sizeof(buf));

    if (n < 0 || (size_t)n != want_len || memcmp(buf, want, want_len) != 0) {
        VSTRING *got = vstring_alloc(100);

        for (ssize_t i = 0; i < n; i++)
            vstring_sprintf_append(got, buf[i] ? "%c" : "\\0", buf[i]);
        PTEST_FAIL("sent \"%s\" (%zd bytes), want %zu bytes", vstring_str(got), n, want_len);
        vstring_free(got);
    }
    close(server_fd);
}

static void test_reader_bytes(void)
{
    /* open OK (server flags: fixed), lookup found, lookup not found */
    VSTREAM *s = fake_server(B(HELLO "status\0"
                                     "0\0flags\0"
                                     "16\0\0"
                                     "status\0"
                                     "0\0value\0root:x:0:0\0\0"
                                     "status\0"
                                     "1\0value\0\0\0"));
    DICT *dict = dict_proxy_open_stream(s, "unix:passwd.byname", O_RDONLY, DICT_FLAG_FOLD_FIX);
    const char *value;

    PTEST_INT_EQ(dict_open_error(dict), 0);
    PTEST_STR_EQ(dict->type, "proxy");
    PTEST_STR_EQ(dict->name, "unix:passwd.byname");
    PTEST_CHECK(dict->flags & DICT_FLAG_FIXED);
    PTEST_INT_EQ(dict_get(dict, "root", &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "root:x:0:0");
    PTEST_INT_EQ(dict_get(dict, "nobody-here", &value), DICT_STAT_NOTFOUND);
    dict_close(dict);
    expect_sent(B("request\0open\0table\0unix:passwd.byname\0flags\0"
                  "16384\0\0"
                  "request\0lookup\0table\0unix:passwd.byname\0flags\0"
                  "16384\0key\0root\0\0"
                  "request\0lookup\0table\0unix:passwd.byname\0flags\0"
                  "16384\0key\0"
                  "nobody-here\0\0"));
}

static void test_writer_bytes(void)
{
    VSTREAM *s = fake_server(B(HELLO "status\0"
                                     "0\0flags\0"
                                     "16\0\0"
                                     "status\0"
                                     "0\0\0"
                                     "status\0"
                                     "1\0\0"));
    DICT *dict = dict_proxy_open_stream(s, "btree:/x/cache", O_RDWR, DICT_FLAG_DUP_REPLACE);

    PTEST_INT_EQ(dict_put(dict, "k", "v"), DICT_STAT_FOUND);
    PTEST_INT_EQ(dict_del(dict, "gone"), DICT_STAT_NOTFOUND);
    dict_close(dict);
    expect_sent(B("request\0open\0table\0btree:/x/cache\0flags\0"
                  "128\0\0"
                  "request\0update\0table\0btree:/x/cache\0flags\0"
                  "128\0key\0k\0value\0v\0\0"
                  "request\0delete\0table\0btree:/x/cache\0flags\0"
                  "128\0key\0gone\0\0"));
}

static void test_deny_is_a_config_surrogate(void)
{
    VSTREAM *s = fake_server(B(HELLO "status\0"
                                     "4\0flags\0"
                                     "0\0\0"));
    DICT *dict = dict_proxy_open_stream(s, "texthash:/etc/secret", O_RDONLY, 0);
    const char *value;

    PTEST_CHECK(dict_open_error(dict));
    PTEST_STR_EQ(dict_errtext(dict),
                 "proxymap service is not configured for table \"texthash:/etc/secret\"");
    PTEST_INT_EQ(dict_get(dict, "k", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    dict_close(dict);
    close(server_fd);
}

static void test_retry_and_broken_connection(void)
{
    /* lookup answered RETRY, then the connection ends: both are failures. */
    VSTREAM *s = fake_server(B(HELLO "status\0"
                                     "0\0flags\0"
                                     "0\0\0"
                                     "status\0"
                                     "2\0value\0\0\0"));
    DICT *dict = dict_proxy_open_stream(s, "hash:/x", O_RDONLY, 0);
    const char *value;

    PTEST_INT_EQ(dict_get(dict, "a", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_RETRY);
    PTEST_INT_EQ(dict_get(dict, "b", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_RETRY);
    /* And once the connection is gone it stays a failure, not "not found". */
    PTEST_INT_EQ(dict_get(dict, "c", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_RETRY);
    dict_close(dict);
    close(server_fd);
}

static void test_wrong_hello_and_nesting(void)
{
    VSTREAM *s = fake_server(B("protocol\0proxymap/0\0\0"));
    DICT *dict = dict_proxy_open_stream(s, "hash:/x", O_RDONLY, 0);
    const char *value;

    PTEST_INT_EQ(dict_get(dict, "a", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_RETRY);
    dict_close(dict);
    close(server_fd);

    dict = dict_open("proxy:proxy:hash:/x", O_RDONLY, 0);
    PTEST_CHECK(dict_open_error(dict));
    PTEST_CHECK(strstr(dict_errtext(dict), "cannot name another proxy table") != 0);
    dict_close(dict);
    PTEST_INT_EQ(dict_type_known("proxy"), 1);
}

static const PTEST_CASE cases[] = {
    {"reader request bytes", test_reader_bytes},
    {"writer request bytes", test_writer_bytes},
    {"deny is a configuration error", test_deny_is_a_config_surrogate},
    {"retry and broken connection", test_retry_and_broken_connection},
    {"wrong hello and nesting", test_wrong_hello_and_nesting},
};

PTEST_MAIN(cases)
