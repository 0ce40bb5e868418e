/*
 * trigger - wake-up requests over FIFOs and UNIX sockets; see trigger.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iostuff.h"
#include "sock.h"
#include "trigger.h"

/* Write everything to a non-blocking descriptor within the deadline. */
static int trigger_write(int fd, int is_socket, const char *buf, size_t len, int timeout_ms)
{
    int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : 0;

    while (len > 0) {
        /* A socket peer that went away must not kill us with SIGPIPE. */
        ssize_t put = is_socket ? send(fd, buf, len, MSG_NOSIGNAL) : write(fd, buf, len);
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
        if (timeout_ms >= 0) {
            int64_t ms = deadline - mono_ms();
            left = ms > 0 ? (int)ms : 0;
        }
        if (poll_fd(fd, POLLOUT, left) <= 0)
            return -1;
    }
    return 0;
}

static int trigger_finish(int fd, int is_socket, const char *buf, size_t len, int timeout_ms)
{
    int ret = trigger_write(fd, is_socket, buf, len, timeout_ms);
    int err = errno;

    if (close(fd) < 0 && ret == 0)
        return -1;
    errno = err;
    return ret;
}

int fifo_trigger(const char *path, const char *buf, size_t len, int timeout_ms)
{
    struct stat st;
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    int err = fstat(fd, &st) < 0 ? errno : !S_ISFIFO(st.st_mode) ? EPERM : 0;
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return trigger_finish(fd, 0, buf, len, timeout_ms);
}

int unix_trigger(const char *path, const char *buf, size_t len, int timeout_ms)
{
    int fd = unix_connect(path, NON_BLOCKING, timeout_ms);

    if (fd < 0)
        return -1;
    return trigger_finish(fd, 1, buf, len, timeout_ms);
}
