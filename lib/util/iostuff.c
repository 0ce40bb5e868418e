/*
 * iostuff - descriptor helpers; see iostuff.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "iostuff.h"
#include "msg.h"

int non_blocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL, 0);

    if (flags < 0)
        return -1;
    int was = (flags & O_NONBLOCK) != 0;
    if (was != (on != 0) && fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0)
        return -1;
    return was;
}

int close_on_exec(int fd, int on)
{
    int flags = fcntl(fd, F_GETFD, 0);

    if (flags < 0)
        return -1;
    int was = (flags & FD_CLOEXEC) != 0;
    if (was != (on != 0) && fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC) < 0)
        return -1;
    return was;
}

int64_t mono_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        msg_panic("clock_gettime(CLOCK_MONOTONIC): %m");
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int poll_fd(int fd, int events, int timeout_ms)
{
    struct pollfd pfd;
    int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : 0;
    int wait = timeout_ms;

    for (;;) {
        pfd.fd = fd;
        pfd.events = (short)events;
        pfd.revents = 0;
        int n = poll(&pfd, 1, wait);
        if (n > 0)
            return 1;
        if (n == 0) {
            errno = ETIMEDOUT;
            return 0;
        }
        if (errno != EINTR)
            return -1;
        if (timeout_ms >= 0) {
            int64_t left = deadline - mono_ms();
            wait = left > 0 ? (int)left : 0;
        }
    }
}
