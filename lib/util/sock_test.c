/*
 * Unit tests for sock, sock_addr and pass_fd over real sockets: UNIX
 * stream and datagram endpoints in a temporary directory, TCP on 127.0.0.1
 * and ::1 with port 0, address syntax (table), connection refused, a full
 * listen queue turned into a timeout, FIFOs that never report end of file,
 * and descriptor passing with adversarial messages (two descriptors, none,
 * extra data) that must be rejected without leaking descriptors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iostuff.h"
#include "msg.h"
#include "mymalloc.h"
#include "pass_fd.h"
#include "ptest.h"
#include "sock.h"
#include "sock_addr.h"

static char dir[64];
static char sock_path[128];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sock_testXXXXXX");
    if (mkdtemp(dir) == 0)
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
    snprintf(sock_path, sizeof(sock_path), "%s/private-sock", dir);
}

static void cleanup(void)
{
    unlink(sock_path);
    rmdir(dir);
}

static int count_fds(void)
{
    DIR *dp = opendir("/proc/self/fd");
    int count = 0;

    if (dp == 0)
        return -1;
    while (readdir(dp))
        count++;
    closedir(dp);
    return count;
}

/* Send a line over a connection and check that the other end gets it. */
static void check_conversation(int client, int server)
{
    char buf[16];

    PTEST_INT_EQ(write(client, "ping", 4), 4);
    PTEST_INT_EQ(poll_fd(server, POLLIN, 2000), 1);
    PTEST_INT_EQ(read(server, buf, sizeof(buf)), 4);
    PTEST_INT_EQ(write(server, "pong", 4), 4);
    PTEST_INT_EQ(poll_fd(client, POLLIN, 2000), 1);
    PTEST_INT_EQ(read(client, buf, sizeof(buf)), 4);
    PTEST_CHECK(memcmp(buf, "pong", 4) == 0);
}

static void test_host_port_split(void)
{
    static const struct {
        const char *in;
        const char *host;
        const char *port;
        const char *err;
    } tests[] = {
        {"localhost:25", "localhost", "25", 0},
        {"127.0.0.1:smtp", "127.0.0.1", "smtp", 0},
        {"[::1]:587", "::1", "587", 0},
        {"[fe80::1%lo]:25", "fe80::1%lo", "25", 0},
        {":10025", "", "10025", 0},
        {"2525", "", "2525", 0},
        {"::1:25", 0, 0, "IPv6 address must be enclosed in \"[]\""},
        {"[::1", 0, 0, "missing \"]\" after IPv6 address"},
        {"[::1]", 0, 0, "missing \":port\" after \"]\""},
        {"[::1]x:25", 0, 0, "garbage after \"]\""},
        {"[]:25", 0, 0, "empty address in \"[]\""},
        {"host:", 0, 0, "missing port"},
        {"", 0, 0, "missing port"},
        {"host]:25", 0, 0, "unbalanced \"]\""},
        {"host:2 5", 0, 0, "bad character in port"},
        {"ho st:25", 0, 0, "space in host name"},
        {"host:65535", "host", "65535", 0},
        {"host:65536", 0, 0, "port number out of range"},
        {"host:0000000025", 0, 0, "port number out of range"},
    };

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        char *host = 0;
        char *port = 0;
        const char *err = host_port_split(tests[i].in, &host, &port);
        if (tests[i].err) {
            if (err == 0 || strcmp(err, tests[i].err) != 0)
                PTEST_FAIL("\"%s\": got error \"%s\", want \"%s\"", tests[i].in,
                           err ? err : "(none)", tests[i].err);
        } else if (err) {
            PTEST_FAIL("\"%s\": got error \"%s\", want %s and %s", tests[i].in, err, tests[i].host,
                       tests[i].port);
        } else {
            PTEST_STR_EQ(host, tests[i].host);
            PTEST_STR_EQ(port, tests[i].port);
            myfree(host);
            myfree(port);
        }
    }
}

static void test_unix_stream(void)
{
    struct stat st;

    setup();
    /* A stale socket file from an earlier run is replaced. */
    int old = unix_listen(sock_path, 10, BLOCKING);
    PTEST_CHECK(old >= 0);
    close(old);
    int lfd = unix_listen(sock_path, 10, NON_BLOCKING);
    PTEST_CHECK(lfd >= 0);
    PTEST_INT_EQ(stat(sock_path, &st), 0);
    PTEST_INT_EQ(st.st_mode & 0777, 0666);
    PTEST_CHECK(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
    PTEST_CHECK(fcntl(lfd, F_GETFL) & O_NONBLOCK);

    /* Nothing to accept yet: EAGAIN, not an error to log. */
    PTEST_INT_EQ(sane_accept(lfd, 0, 0, 0), -1);
    PTEST_INT_EQ(errno, EAGAIN);

    int client = unix_connect(sock_path, BLOCKING, 1000);
    PTEST_CHECK(client >= 0);
    PTEST_CHECK(!(fcntl(client, F_GETFL) & O_NONBLOCK));
    int server = sane_accept(lfd, 0, 0, SOCK_NONBLOCK);
    PTEST_CHECK(server >= 0);
    PTEST_CHECK(fcntl(server, F_GETFL) & O_NONBLOCK);
    PTEST_CHECK(fcntl(server, F_GETFD) & FD_CLOEXEC);
    check_conversation(client, server);
    close(client);
    close(server);
    close(lfd);

    /* Something that is not a socket is never removed. */
    unlink(sock_path);
    int fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    PTEST_INT_EQ(unix_listen(sock_path, 10, BLOCKING), -1);
    PTEST_INT_EQ(errno, EEXIST);
    PTEST_INT_EQ(stat(sock_path, &st), 0);
    PTEST_CHECK(S_ISREG(st.st_mode));
    cleanup();
}

static void test_unix_errors(void)
{
    char longpath[200];

    memset(longpath, 'x', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = 0;
    PTEST_INT_EQ(unix_listen(longpath, 10, BLOCKING), -1);
    PTEST_INT_EQ(errno, ENAMETOOLONG);
    PTEST_INT_EQ(unix_connect(longpath, BLOCKING, -1), -1);
    PTEST_INT_EQ(errno, ENAMETOOLONG);
    PTEST_INT_EQ(unix_connect("/nonexistent-postern/sock", BLOCKING, 100), -1);
    PTEST_INT_EQ(errno, ENOENT);
    setup();
    /* A socket file nobody listens on. */
    int lfd = unix_listen(sock_path, 10, BLOCKING);
    close(lfd);
    PTEST_INT_EQ(unix_connect(sock_path, BLOCKING, -1), -1);
    PTEST_INT_EQ(errno, ECONNREFUSED);
    cleanup();
}

/* A listener that never accepts: once its queue is full, connecting times out. */
static void test_unix_connect_timeout(void)
{
    int conns[64];
    int n = 0;

    setup();
    int lfd = unix_listen(sock_path, 1, BLOCKING);
    PTEST_CHECK(lfd >= 0);
    while (n < 64 && (conns[n] = unix_connect(sock_path, BLOCKING, 0)) >= 0)
        n++;
    PTEST_CHECK(n < 64); /* the queue did fill up */
    PTEST_INT_EQ(errno, ETIMEDOUT);
    int64_t start = mono_ms();
    PTEST_INT_EQ(unix_connect(sock_path, BLOCKING, 150), -1);
    int64_t took = mono_ms() - start;
    PTEST_INT_EQ(errno, ETIMEDOUT);
    PTEST_CHECK(took >= 140 && took < 2000);
    /* Once the server accepts one, the next attempt within the deadline succeeds. */
    int server = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(server >= 0);
    int client = unix_connect(sock_path, BLOCKING, 1000);
    PTEST_CHECK(client >= 0);
    close(client);
    close(server);
    while (n > 0)
        close(conns[--n]);
    close(lfd);
    cleanup();
}

static void test_unix_dgram(void)
{
    char buf[64];

    setup();
    int server = unix_dgram_listen(sock_path, NON_BLOCKING);
    PTEST_CHECK(server >= 0);
    int client = unix_dgram_connect(sock_path, BLOCKING);
    PTEST_CHECK(client >= 0);
    PTEST_INT_EQ(send(client, "one", 3, 0), 3);
    PTEST_INT_EQ(send(client, "two!", 4, 0), 4);
    PTEST_INT_EQ(recv(server, buf, sizeof(buf), 0), 3); /* record boundaries kept */
    PTEST_INT_EQ(recv(server, buf, sizeof(buf), 0), 4);
    PTEST_INT_EQ(recv(server, buf, sizeof(buf), 0), -1);
    PTEST_INT_EQ(errno, EAGAIN);
    close(client);
    close(server);
    cleanup();
}

static void test_inet_ipv4(void)
{
    char addr[64];

    int lfd = inet_listen("127.0.0.1:0", 10, NON_BLOCKING);
    PTEST_CHECK(lfd >= 0);
    int port = sock_local_port(lfd);
    PTEST_CHECK(port > 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    int client = inet_connect(addr, NON_BLOCKING, 1000);
    PTEST_CHECK(client >= 0);
    PTEST_CHECK(fcntl(client, F_GETFL) & O_NONBLOCK);
    PTEST_INT_EQ(poll_fd(lfd, POLLIN, 2000), 1);
    int server = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(server >= 0);
    check_conversation(client, server);
    close(client);
    close(server);

    /* A host name works too; a closed port is refused. */
    snprintf(addr, sizeof(addr), "localhost:%d", port);
    client = inet_connect(addr, BLOCKING, -1);
    PTEST_CHECK(client >= 0);
    close(client);
    close(lfd);
    PTEST_INT_EQ(inet_connect(addr, BLOCKING, 1000), -1);
    PTEST_INT_EQ(errno, ECONNREFUSED);
}

static void test_inet_any_and_ipv6(void)
{
    char addr[64];

    /* ":port" listens on every IPv4 interface. */
    int lfd = inet_listen(":0", 10, BLOCKING);
    PTEST_CHECK(lfd >= 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", sock_local_port(lfd));
    int client = inet_connect(addr, BLOCKING, 1000);
    PTEST_CHECK(client >= 0);
    close(client);
    close(lfd);

    lfd = inet_listen("[::1]:0", 10, BLOCKING);
    if (lfd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
        printf("# skipped: no IPv6 loopback\n");
        return;
    }
    PTEST_CHECK(lfd >= 0);
    snprintf(addr, sizeof(addr), "[::1]:%d", sock_local_port(lfd));
    client = inet_connect(addr, BLOCKING, 1000);
    PTEST_CHECK(client >= 0);
    int server = sane_accept(lfd, 0, 0, 0);
    check_conversation(client, server);
    close(client);
    close(server);
    close(lfd);
}

static void test_inet_errors(void)
{
    static const struct {
        const char *addr;
        int listen;
        int want_errno;
    } tests[] = {
        {"::1:25", 1, EINVAL},
        {"[::1", 0, EINVAL},
        {":25", 0, EINVAL}, /* connect needs a host */
        {"127.0.0.1:no-such-service-postern", 0, EINVAL},
        {"127.0.0.1:99999", 0, EINVAL},
        {"[::1]:-5", 1, EINVAL},
        {"127.0.0.1:", 1, EINVAL},
    };

    msg_output_clear(); /* the warnings are expected */
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        errno = 0;
        int fd = tests[i].listen ? inet_listen(tests[i].addr, 10, BLOCKING)
                                 : inet_connect(tests[i].addr, BLOCKING, 500);
        if (fd >= 0 || errno != tests[i].want_errno)
            PTEST_FAIL("\"%s\": got fd %d errno %s, want %s", tests[i].addr, fd, strerror(errno),
                       strerror(tests[i].want_errno));
        if (fd >= 0)
            close(fd);
    }
}

static void test_fifo(void)
{
    char buf[16];
    struct stat st;

    setup();
    int fd = fifo_listen(sock_path, 0622, NON_BLOCKING);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(stat(sock_path, &st), 0);
    PTEST_CHECK(S_ISFIFO(st.st_mode));
    PTEST_INT_EQ(st.st_mode & 0777, 0622);
    int writer = open(sock_path, O_WRONLY | O_NONBLOCK);
    PTEST_CHECK(writer >= 0);
    PTEST_INT_EQ(write(writer, "W", 1), 1);
    close(writer);
    PTEST_INT_EQ(read(fd, buf, sizeof(buf)), 1);
    /* The writer is gone, but there is no end of file: just nothing to read. */
    PTEST_INT_EQ(read(fd, buf, sizeof(buf)), -1);
    PTEST_INT_EQ(errno, EAGAIN);
    PTEST_INT_EQ(poll_fd(fd, POLLIN, 50), 0);
    close(fd);
    /* A regular file in the way is not removed. */
    unlink(sock_path);
    fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    PTEST_INT_EQ(fifo_listen(sock_path, 0622, BLOCKING), -1);
    PTEST_INT_EQ(errno, EEXIST);
    cleanup();
}

/* --- descriptor passing ------------------------------------------------------------ */

static void test_pass_fd(void)
{
    int sv[2], pfd[2];
    char buf[8];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(pfd) < 0) {
        PTEST_FAIL("socketpair/pipe: %s", strerror(errno));
        return;
    }
    PTEST_INT_EQ(unix_send_fd(sv[0], pfd[1]), 0);
    int got = unix_recv_fd(sv[1]);
    PTEST_CHECK(got >= 0 && got != pfd[1]);
    PTEST_CHECK(fcntl(got, F_GETFD) & FD_CLOEXEC);
    PTEST_INT_EQ(write(got, "via", 3), 3);
    PTEST_INT_EQ(read(pfd[0], buf, sizeof(buf)), 3);
    close(got);
    /* The peer goes away. */
    close(sv[0]);
    PTEST_INT_EQ(unix_recv_fd(sv[1]), -1);
    PTEST_INT_EQ(errno, EPIPE);
    close(sv[1]);
    close(pfd[0]);
    close(pfd[1]);
}

/* Send a hand-made message: nfds descriptors and len data bytes. */
static void send_raw(int sock, const int *fds, int nfds, const char *data, size_t len)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } control;
    struct msghdr msg;
    struct iovec iov;

    memset(&msg, 0, sizeof(msg));
    memset(&control, 0, sizeof(control));
    iov.iov_base = (void *)data;
    iov.iov_len = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (nfds > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
    }
    if (sendmsg(sock, &msg, 0) != (ssize_t)len)
        PTEST_FAIL("sendmsg: %s", strerror(errno));
}

static void test_pass_fd_adversarial(void)
{
    static const struct {
        const char *name;
        int nfds;
        const char *data;
        size_t len;
        int want_errno;
    } tests[] = {
        {"two descriptors", 2, "F", 1, EBADMSG},
        {"four descriptors", 4, "F", 1, EBADMSG},
        {"no descriptor", 0, "F", 1, EBADMSG},
        {"extra data", 1, "FX", 2, EPROTO},
        {"two descriptors and extra data", 2, "FXY", 3, EBADMSG},
    };
    int pfd[2];

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    int fds[4] = {pfd[0], pfd[1], pfd[0], pfd[1]};
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
            PTEST_FAIL("socketpair: %s", strerror(errno));
            return;
        }
        int before = count_fds();
        send_raw(sv[0], fds, tests[i].nfds, tests[i].data, tests[i].len);
        errno = 0;
        int got = unix_recv_fd(sv[1]);
        if (got >= 0 || errno != tests[i].want_errno)
            PTEST_FAIL("%s: got %d (%s), want -1 (%s)", tests[i].name, got, strerror(errno),
                       strerror(tests[i].want_errno));
        /* Whatever arrived was closed again. */
        if (count_fds() != before)
            PTEST_FAIL("%s: %d descriptors before, %d after", tests[i].name, before, count_fds());
        close(sv[0]);
        close(sv[1]);
    }
}

static const PTEST_CASE cases[] = {
    {"host_port_split", test_host_port_split},
    {"unix_stream", test_unix_stream},
    {"unix_errors", test_unix_errors},
    {"unix_connect_timeout", test_unix_connect_timeout},
    {"unix_dgram", test_unix_dgram},
    {"inet_ipv4", test_inet_ipv4},
    {"inet_any_and_ipv6", test_inet_any_and_ipv6},
    {"inet_errors", test_inet_errors},
    {"fifo", test_fifo},
    {"pass_fd", test_pass_fd},
    {"pass_fd_adversarial", test_pass_fd_adversarial},
};

PTEST_MAIN(cases)
