/*
 * Unit tests for trigger: FIFO and UNIX socket wake-ups arrive intact, a
 * FIFO without reader and a socket without listener fail at once instead
 * of hanging, a regular file in the FIFO's place is refused, a full listen
 * queue is waited out until the deadline, and any_trigger() finds the kind
 * of endpoint itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* A full listen queue is waited out until the deadline, then ETIMEDOUT. */
static void test_unix_trigger_full_queue(void)
{
    char buf[8];

    setup();
    int lfd = unix_listen(path, 0, BLOCKING);
    PTEST_CHECK(lfd >= 0);
    /* Fill the queue: with a backlog of 0, Linux queues one connection. */
    while (unix_trigger(path, "Q", 1, 0) == 0)
        /* void */;
    PTEST_INT_EQ(errno, ETIMEDOUT);
    int64_t start = mono_ms();
    PTEST_INT_EQ(unix_trigger(path, "A", 1, 200), -1);
    PTEST_INT_EQ(errno, ETIMEDOUT);
    int64_t took = mono_ms() - start;
    PTEST_CHECK(took >= 150 && took < 3000);
    /* Room made by a child after 100 ms lets a waiting trigger through. */
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, 0);
        close(sane_accept(lfd, 0, 0, 0)); /* room for one */
        _exit(0);
    }
    PTEST_INT_EQ(unix_trigger(path, "B", 1, 5000), 0);
    PTEST_INT_EQ(waitpid(pid, 0, 0), pid);
    non_blocking(lfd, 1);
    int conn = sane_accept(lfd, 0, 0, 0);
    while (conn >= 0) { /* the last one queued is ours */
        int n = read(conn, buf, sizeof(buf));
        close(conn);
        if (n == 1 && buf[0] == 'B')
            break;
        conn = sane_accept(lfd, 0, 0, 0);
    }
    PTEST_CHECK(conn >= 0);
    close(lfd);
    cleanup();
}

/* any_trigger: whatever kind of endpoint is there, with mail_trigger's errors. */
static void test_any_trigger(void)
{
    char buf[8];

    setup();
    signal(SIGPIPE, SIG_DFL);
    int lfd = unix_listen(path, 10, BLOCKING);
    PTEST_CHECK(lfd >= 0);
    PTEST_INT_EQ(any_trigger(path, "S", 1, 1000), 0);
    int conn = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(conn >= 0);
    PTEST_INT_EQ(poll_fd(conn, POLLIN, 1000), 1);
    PTEST_INT_EQ(read(conn, buf, sizeof(buf)), 1);
    PTEST_CHECK(buf[0] == 'S');
    close(conn);
    close(lfd);
    /* The socket file stays, nobody listens. */
    PTEST_INT_EQ(any_trigger(path, "S", 1, 1000), -1);
    PTEST_INT_EQ(errno, ECONNREFUSED);
    unlink(path);
    PTEST_INT_EQ(any_trigger(path, "S", 1, 1000), -1);
    PTEST_INT_EQ(errno, ENOENT);
    int fd = fifo_listen(path, 0622, NON_BLOCKING);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(any_trigger(path, "F", 1, 1000), 0);
    PTEST_INT_EQ(read(fd, buf, sizeof(buf)), 1);
    PTEST_CHECK(buf[0] == 'F');
    close(fd);
    PTEST_INT_EQ(any_trigger(path, "F", 1, 1000), -1);
    PTEST_INT_EQ(errno, ENXIO);
    unlink(path);
    close(open(path, O_CREAT | O_WRONLY, 0600));
    PTEST_INT_EQ(any_trigger(path, "W", 1, 1000), -1);
    PTEST_INT_EQ(errno, ENOTSOCK);
    cleanup();
}

static const PTEST_CASE cases[] = {
    {"fifo_trigger", test_fifo_trigger},
    {"unix_trigger", test_unix_trigger},
    {"unix_trigger_full_queue", test_unix_trigger_full_queue},
    {"any_trigger", test_any_trigger},
};

PTEST_MAIN(cases)
