/*
 * msg_postlog_test - the maillog_file line format and the postlogd client:
 * a line goes out as one datagram; with postlogd gone it goes to the
 * fallback file instead; a restarted postlogd gets lines again.
 */
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iostuff.h"
#include "msg.h"
#include "msg_postlog.h"
#include "ptest.h"
#include "sock.h"

static int matches(const char *text, const char *pattern)
{
    regex_t re;
    int ok;

    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    ok = regexec(&re, text, 0, 0, 0) == 0;
    regfree(&re);
    return ok;
}

static void test_format(void)
{
    char buf[MSG_LOGLINE_MAX];
    char want[200];
    size_t len;

    msg_set_tag("postfix/bounce");
    msg_logline_host("mail.example.test");
    len = msg_logline(buf, sizeof(buf), MSG_WARN, "text here");
    PTEST_INT_EQ(len, strlen(buf));
    snprintf(want, sizeof(want),
             "^[A-Z][a-z]{2} [0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] mail "
             "postfix/bounce\\[%ld\\]: warning: text here$",
             (long) getpid());
    if (!matches(buf, want))
        PTEST_FAIL("got \"%s\", want /%s/", buf, want);
    /* Cut to the buffer, never overrun. */
    len = msg_logline(buf, 20, MSG_INFO, "a long text that does not fit");
    PTEST_INT_EQ(len, 19);
    PTEST_INT_EQ(strlen(buf), 19);
}

static ssize_t recv_line(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

    buf[n < 0 ? 0 : n] = 0;
    return n;
}

static void test_send_and_fallback(void)
{
    char dir[] = "/tmp/msg_postlog_test.XXXXXX";
    char sock_path[256], file_path[256], buf[MSG_LOGLINE_MAX + 1];
    int lfd, ffd;

    if (mkdtemp(dir) == 0) {
        PTEST_FAIL("mkdtemp: %m");
        return;
    }
    snprintf(sock_path, sizeof(sock_path), "%s/postlog", dir);
    snprintf(file_path, sizeof(file_path), "%s/maillog", dir);
    lfd = unix_dgram_listen(sock_path, BLOCKING);
    ffd = open(file_path, O_RDWR | O_CREAT | O_APPEND, 0600);
    PTEST_CHECK(lfd >= 0 && ffd >= 0);
    msg_set_tag("postfix/test");
    msg_logline_host("mail");
    msg_output_clear();
    PTEST_INT_EQ(msg_postlog_init("/nonexistent/postlog", sock_path, ffd), 0);

    msg_info("%s: hello", "ABC123");
    PTEST_CHECK(recv_line(lfd, buf, sizeof(buf)) > 0);
    PTEST_CHECK(matches(buf, " mail postfix/test\\[[0-9]+\\]: ABC123: hello$"));
    PTEST_CHECK(msg_postlog_connected());

    /* postlogd goes away: the line lands in the file, with a newline. */
    close(lfd);
    unlink(sock_path);
    msg_warn("while away");
    PTEST_CHECK(!msg_postlog_connected());
    {
        char text[4096];
        ssize_t n = pread(ffd, text, sizeof(text) - 1, 0);

        text[n < 0 ? 0 : n] = 0;
        if (!matches(text, "^[^\n]* postfix/test\\[[0-9]+\\]: warning: while away\n$"))
            PTEST_FAIL("fallback file: \"%s\"", text);
    }

    /* postlogd is back (a new socket): lines go there again (within the
     * reconnect rate limit of a second). */
    lfd = unix_dgram_listen(sock_path, BLOCKING);
    sleep(1);
    msg_info("back");
    PTEST_CHECK(recv_line(lfd, buf, sizeof(buf)) > 0);
    PTEST_CHECK(matches(buf, "postfix/test\\[[0-9]+\\]: back$"));
    close(lfd);
    close(ffd);
    unlink(sock_path);
    unlink(file_path);
    rmdir(dir);
}

static const PTEST_CASE cases[] = {
    {"format", test_format},
    {"send and fallback", test_send_and_fallback},
};

PTEST_MAIN(cases)
