/*
 * sock - listening and connecting endpoints; see sock.h.
 */
#define _GNU_SOURCE /* accept4() */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "iostuff.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"
#include "sock_addr.h"

/* Close fd keeping errno; returns -1 for use in return statements. */
static int sock_fail(int fd)
{
    int err = errno;

    if (fd >= 0)
        close(fd);
    errno = err;
    return -1;
}

static int sock_finish(int fd, int blocking)
{
    if (non_blocking(fd, blocking == NON_BLOCKING) < 0)
        return sock_fail(fd);
    return fd;
}

static int unix_addr(const char *path, struct sockaddr_un *sun)
{
    size_t len = strlen(path);

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (len == 0 || len >= sizeof(sun->sun_path)) {
        errno = len ? ENAMETOOLONG : EINVAL;
        return -1;
    }
    memcpy(sun->sun_path, path, len + 1);
    return 0;
}

/* Remove whatever socket is in the way, but nothing that is not a socket or FIFO. */
static int unix_clear_path(const char *path, mode_t want_type)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if ((st.st_mode & S_IFMT) != want_type) {
        errno = EEXIST;
        return -1;
    }
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int unix_bind(const char *path, int type)
{
    struct sockaddr_un sun;
    int fd;

    if (unix_addr(path, &sun) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (unix_clear_path(path, S_IFSOCK) < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
        return sock_fail(fd);
    if (chmod(path, 0666) < 0)
        return sock_fail(fd);
    return fd;
}

int unix_listen(const char *path, int backlog, int blocking)
{
    int fd = unix_bind(path, SOCK_STREAM);

    if (fd < 0)
        return -1;
    if (listen(fd, backlog) < 0)
        return sock_fail(fd);
    return sock_finish(fd, blocking);
}

int unix_dgram_listen(const char *path, int blocking)
{
    int fd = unix_bind(path, SOCK_DGRAM);

    return fd < 0 ? -1 : sock_finish(fd, blocking);
}

int fifo_listen(const char *path, mode_t mode, int blocking)
{
    struct stat st;
    int fd;

    if (unix_clear_path(path, S_IFIFO) < 0)
        return -1;
    if (mkfifo(path, mode) < 0 || chmod(path, mode) < 0)
        return -1;
    /* Read-write: our own writer reference means no end of file, ever. */
    if ((fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return -1;
    if (fstat(fd, &st) < 0)
        return sock_fail(fd);
    if (!S_ISFIFO(st.st_mode)) {
        close(fd);
        errno = EPERM;
        return -1;
    }
    return sock_finish(fd, blocking);
}

/* Resolve "host:port"; the result is for freeaddrinfo().  Null with errno. */
static struct addrinfo *inet_resolve(const char *addr, int passive)
{
    struct addrinfo hints;
    struct addrinfo *res = 0;
    char *host;
    char *port;
    const char *err;
    int gai;

    if ((err = host_port_split(addr, &host, &port)) != 0) {
        msg_warn("bad network address \"%s\": %s", addr, err);
        errno = EINVAL;
        return 0;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    if (passive) {
        hints.ai_flags = AI_PASSIVE;
        if (*host == 0)
            hints.ai_family = AF_INET; /* all IPv4 interfaces */
    } else if (*host == 0) {
        msg_warn("bad network address \"%s\": missing host", addr);
        myfree(host);
        myfree(port);
        errno = EINVAL;
        return 0;
    }
    gai = getaddrinfo(*host ? host : 0, port, &hints, &res);
    if (gai != 0) {
        msg_warn("network address \"%s\": %s", addr,
                 gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
        errno = gai == EAI_SERVICE ? EINVAL : EHOSTUNREACH;
        res = 0;
    }
    myfree(host);
    myfree(port);
    return res;
}

int inet_listen(const char *addr, int backlog, int blocking)
{
    struct addrinfo *res = inet_resolve(addr, 1);
    int on = 1;
    int fd;

    if (res == 0)
        return -1;
    if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol)) < 0) {
        freeaddrinfo(res);
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
        (res->ai_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, backlog) < 0) {
        freeaddrinfo(res);
        return sock_fail(fd);
    }
    freeaddrinfo(res);
    return sock_finish(fd, blocking);
}

int sock_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    errno = EAFNOSUPPORT;
    return -1;
}

/*
 * connect() with a deadline.  The socket is non-blocking here.  A UNIX
 * socket whose listen queue is full says EAGAIN and must be retried; TCP
 * says EINPROGRESS and completes in the background.
 */
static int timed_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;

    for (;;) {
        if (connect(fd, sa, len) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        int64_t left = deadline - mono_ms();
        if (errno == EAGAIN) {
            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            struct timespec ts = {0, (left < 10 ? left : 10) * 1000000L};
            nanosleep(&ts, 0);
            continue;
        }
        if (errno != EINPROGRESS)
            return -1;
        if (poll_fd(fd, POLLOUT, left > 0 ? (int)left : 0) <= 0)
            return -1;
        int soerr = 0;
        socklen_t errlen = sizeof(soerr);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &errlen) < 0)
            return -1;
        if (soerr) {
            errno = soerr;
            return -1;
        }
        return 0;
    }
}

static int sock_connect(int fd, const struct sockaddr *sa, socklen_t len, int blocking,
                        int timeout_ms)
{
    if (timeout_ms >= 0) {
        if (non_blocking(fd, NON_BLOCKING) < 0 || timed_connect(fd, sa, len, timeout_ms) < 0)
            return sock_fail(fd);
    } else {
        while (connect(fd, sa, len) < 0)
            if (errno != EINTR)
                return sock_fail(fd);
    }
    return sock_finish(fd, blocking);
}

int unix_connect(const char *path, int blocking, int timeout_ms)
{
    struct sockaddr_un sun;
    int fd;

    if (unix_addr(path, &sun) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    return sock_connect(fd, (struct sockaddr *)&sun, sizeof(sun), blocking, timeout_ms);
}

int unix_dgram_connect(const char *path, int blocking)
{
    struct sockaddr_un sun;
    int fd;

    if (unix_addr(path, &sun) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    return sock_connect(fd, (struct sockaddr *)&sun, sizeof(sun), blocking, -1);
}

int inet_connect(const char *addr, int blocking, int timeout_ms)
{
    struct addrinfo *res = inet_resolve(addr, 0);
    int fd = -1;

    if (res == 0)
        return -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
            continue;
        if ((fd = sock_connect(fd, ai->ai_addr, ai->ai_addrlen, blocking, timeout_ms)) >= 0)
            break;
    }
    int err = errno;
    freeaddrinfo(res);
    errno = err;
    return fd;
}

int sane_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    int conn;

    while ((conn = accept4(fd, sa, len, flags | SOCK_CLOEXEC)) < 0) {
        switch (errno) {
        case EINTR:
            continue;
        /* The client went away, or the network hiccupped: nothing to accept now. */
        case ECONNABORTED:
        case EPROTO:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
        case ECONNRESET:
            errno = EAGAIN;
            return -1;
        default:
            return -1;
        }
    }
    return conn;
}
