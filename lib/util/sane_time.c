/*
 * sane_time - time helpers; see sane_time.h.
 */
#include <errno.h>
#include <sys/time.h>

#include "msg.h"
#include "sane_time.h"

time_t sane_time(void)
{
    static time_t last;
    time_t now = time((time_t *)0);

    if (now < last) {
        static time_t warned;
        if (warned != last) {
            warned = last;
            msg_warn("system clock went back %ld seconds; holding the time until it catches up",
                     (long)(last - now));
        }
        return last;
    }
    return last = now;
}

int64_t wall_us(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        msg_panic("clock_gettime(CLOCK_REALTIME): %m");
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sleep_ms(int ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        /* the rest of the time is in ts */;
}
