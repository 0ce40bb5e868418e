/*
 * Unit tests for trigger: FIFO and UNIX socket wake-ups arrive intact, a
 * FIFO without reader and a socket without listener fail at once instead
 * of hanging, and a regular file in the FIFO's place is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iostuff.h"
#include "ptest.h"
#include "sock.h"
#include "trigger.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/trigger_testXXXXXX");
    if (mkdtemp(dir) == 0)
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/pickup", dir);
}

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

static void test_fifo_trigger(void)
{
    char buf[8];

    setup();
    int fd = fifo_listen(path, 0622, NON_BLOCKING);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(fifo_trigger(path, "W", 1, 1000), 0);
    PTEST_INT_EQ(fifo_trigger(path, "F", 1, 1000), 0);
    PTEST_INT_EQ(read(fd, buf, sizeof(buf)), 2);
    PTEST_CHECK(memcmp(buf, "WF", 2) == 0);
    close(fd);
    /* Nobody reads: fail at once, do not block. */
    int64_t start = mono_ms();
    PTEST_INT_EQ(fifo_trigger(path, "W", 1, 1000), -1);
    PTEST_INT_EQ(errno, ENXIO);
    PTEST_CHECK(mono_ms() - start < 100);
    /* Not a FIFO. */
    unlink(path);
    close(open(path, O_CREAT | O_WRONLY, 0600));
    PTEST_INT_EQ(fifo_trigger(path, "W", 1, 1000), -1);
    PTEST_INT_EQ(errno, EPERM);
    cleanup();
}

static void test_unix_trigger(void)
{
    char buf[8];

    setup();
    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would end this case */
    int lfd = unix_listen(path, 10, BLOCKING);
    PTEST_CHECK(lfd >= 0);
    PTEST_INT_EQ(unix_trigger(path, "AB", 2, 1000), 0);
    int conn = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(conn >= 0);
    PTEST_INT_EQ(poll_fd(conn, POLLIN, 1000), 1);
    PTEST_INT_EQ(read(conn, buf, sizeof(buf)), 2);
    PTEST_INT_EQ(read(conn, buf, sizeof(buf)), 0); /* and then closed */
    close(conn);
    close(lfd);
    PTEST_INT_EQ(unix_trigger(path, "A", 1, 1000), -1);
    PTEST_INT_EQ(errno, ECONNREFUSED);
    cleanup();
    PTEST_INT_EQ(unix_trigger(path, "A", 1, 1000), -1);
    PTEST_INT_EQ(errno, ENOENT);
}

static const PTEST_CASE cases[] = {
    {"fifo_trigger", test_fifo_trigger},
    {"unix_trigger", test_unix_trigger},
};

PTEST_MAIN(cases)
