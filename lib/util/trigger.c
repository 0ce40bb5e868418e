/*
 * trigger - wake-up requests over FIFOs and UNIX sockets; see trigger.h.
 *
 * cleanup wakes qmgr once per message and postdrop wakes pickup once per
 * message, so the common case is kept to four system calls: socket() made
 * non-blocking and close-on-exec at once, connect(), send(), close().
 * Only a full listen queue (the service is behind) costs more: the socket
 * then waits in the kernel for room (blocking connect() bounded by
 * SO_SNDTIMEO), instead of retrying in fixed sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "iostuff.h"
#include "trigger.h"

/* Write everything to a non-blocking descriptor within the deadline. */
static int trigger_write(int fd, int is_socket, const char *buf, size_t len, int64_t deadline)
{
    while (len > 0) {
        /* A socket peer that went away must not kill us with SIGPIPE. */
        ssize_t put =
            is_socket ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, buf, len);
        if (put > 0) {
            buf += put;
            len -= (size_t)put;
            continue;
        }
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0 && errno != EAGAIN)
            return -1;
        int left = -1;
        if (deadline >= 0) {
            int64_t ms = deadline - mono_ms();
            left = ms > 0 ? (int)ms : 0;
        }
        if (poll_fd(fd, POLLOUT, left) <= 0)
            return -1;
    }
    return 0;
}

static int trigger_finish(int fd, int is_socket, const char *buf, size_t len, int64_t deadline)
{
    int ret = trigger_write(fd, is_socket, buf, len, deadline);
    int err = errno;

    if (close(fd) < 0 && ret == 0)
        return -1;
    errno = err;
    return ret;
}

/* The deadline for timeout_ms, or -1 for none. */
static int64_t trigger_deadline(int timeout_ms)
{
    return timeout_ms >= 0 ? mono_ms() + timeout_ms : -1;
}

int fifo_trigger(const char *path, const char *buf, size_t len, int timeout_ms)
{
    struct stat st;
    int64_t deadline = trigger_deadline(timeout_ms);
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    int err = fstat(fd, &st) < 0 ? errno : !S_ISFIFO(st.st_mode) ? EPERM : 0;
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return trigger_finish(fd, 0, buf, len, deadline);
}

/*
 * The listen queue is full: wait in the kernel until there is room, or
 * until the deadline (ETIMEDOUT, as unix_connect() says it).
 */
static int trigger_connect_wait(int fd, const struct sockaddr_un *sun, int64_t deadline)
{
    for (;;) {
        if (deadline >= 0) {
            int64_t left = deadline - mono_ms();
            struct timeval tv;

            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            tv.tv_sec = left / 1000;
            tv.tv_usec = (left % 1000) * 1000;
            if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                return -1;
        }
        if (non_blocking(fd, 0) < 0)
            return -1;
        if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
            return 0;
        if (errno != EINTR && errno != EAGAIN)
            return -1;
    }
}

/* Connect a new non-blocking socket to path; -1 and errno on failure. */
static int trigger_connect(const char *path, int64_t deadline)
{
    struct sockaddr_un sun;
    size_t len = strlen(path);
    int fd;
    int err;

    if (len == 0 || len >= sizeof(sun.sun_path)) {
        errno = len ? ENAMETOOLONG : EINVAL;
        return -1;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, len + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    for (;;) {
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
            return fd;
        if (errno != EINTR)
            break;
    }
    if (errno == EAGAIN && trigger_connect_wait(fd, &sun, deadline) == 0)
        return fd; /* blocking now; trigger_write() sends with MSG_DONTWAIT */
    err = errno;
    close(fd);
    errno = err;
    return -1;
}

int unix_trigger(const char *path, const char *buf, size_t len, int timeout_ms)
{
    int64_t deadline = trigger_deadline(timeout_ms);
    int fd = trigger_connect(path, deadline);

    if (fd < 0)
        return -1;
    return trigger_finish(fd, 1, buf, len, deadline);
}

int any_trigger(const char *path, const char *buf, size_t len, int timeout_ms)
{
    int64_t deadline = trigger_deadline(timeout_ms);
    int fd = trigger_connect(path, deadline);
    struct stat st;

    if (fd >= 0)
        return trigger_finish(fd, 1, buf, len, deadline);
    /* Linux says ECONNREFUSED both for a socket nobody listens on and for
     * a file that is not a socket; only now is the type worth a stat(). */
    if (errno != ECONNREFUSED)
        return -1;
    if (stat(path, &st) < 0)
        return -1;
    if (S_ISFIFO(st.st_mode))
        return fifo_trigger(path, buf, len, timeout_ms);
    errno = S_ISSOCK(st.st_mode) ? ECONNREFUSED : ENOTSOCK;
    return -1;
}
