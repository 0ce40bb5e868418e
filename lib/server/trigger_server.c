/*
 * trigger_server - the skeleton of a daemon that is woken up by a few
 * bytes (pickup, qmgr, flush); see mail_server.h.
 *
 * Endpoints: a FIFO (master opened it read-write, so the process never sees
 * end of file when a writer goes away and never spins) or a UNIX stream
 * socket (each connection delivers one trigger: the bytes up to end of file,
 * at most TRIGGER_BUF_SIZE, read with a one-second deadline so a stuck
 * client cannot hold the daemon).  What is waiting when the process wakes
 * up is one service call: the bytes one FIFO read returns, or those of all
 * the connections already queued on the socket (up to TRIGGER_DRAIN_MAX,
 * concatenated in arrival order; TRIGGER_BUF_SIZE bytes at most per call).
 * Each call is bracketed by busy/available messages to master and counted
 * towards max_use.  MAIL_SERVER_TRIGGER_WAKEUP adds a timer that calls the
 * service function with "W" every N seconds.
 *
 * -z: the bytes on standard input (up to end of file) are one trigger; the
 * process exits afterwards.
 *
 * What can go wrong: read and accept errors are logged; the trigger is then
 * lost, which only delays work until the next wakeup.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "iostuff.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "msg.h"
#include "sock.h"

#define TRIGGER_BUF_SIZE  1024
#define TRIGGER_DRAIN_MAX 64 /* connections taken per wakeup */

static MAIL_SERVER_BUF_FN trigger_server_fn;

static void trigger_server_call(char *buf, ssize_t len)
{
    int done;

    mail_server_idle_cancel();
    mail_server_taken();
    mail_server_call_begin();
    trigger_server_fn(buf, len, mail_server.service, mail_server.argv);
    mail_server_call_end();
    done = mail_server_count_use();
    if (done || mail_server_stopping())
        mail_server_exit();
    mail_server_avail();
    mail_server_idle_arm();
}

/* Read up to TRIGGER_BUF_SIZE bytes until end of file, with a deadline. */
static ssize_t trigger_server_read_all(int fd, char *buf, size_t size, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    size_t got = 0;
    ssize_t n;

    while (got < size) {
        n = read(fd, buf + got, size - got);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return got > 0 ? (ssize_t)got : -1;
        if (timeout_ms < 0) {
            if (poll_fd(fd, POLLIN, -1) < 0)
                return -1;
        } else {
            int64_t left = deadline - mono_ms();

            if (left <= 0 || poll_fd(fd, POLLIN, (int)left) == 0)
                break; /* use what arrived */
        }
    }
    return (ssize_t)got;
}

/*
 * The endpoint is readable.  A FIFO: one read takes what is there (up to
 * TRIGGER_BUF_SIZE).  A socket: accept and read every connection that is
 * already waiting (at most TRIGGER_DRAIN_MAX), then make one service call
 * with all their bytes in arrival order, so that a burst of triggers costs
 * one call, one status pair and one wakeup instead of one each.  When the
 * bytes do not fit in one buffer, the buffer is passed on when full and
 * the rest goes into the next call.
 */
static void trigger_server_event(int event, void *ctx)
{
    int listen_fd = (int)(intptr_t)ctx;
    char buf[TRIGGER_BUF_SIZE];
    char one[TRIGGER_BUF_SIZE];
    ssize_t len;
    ssize_t n;
    int fd;

    if (strcmp(mail_server.transport, "fifo") == 0) {
        if ((len = read(listen_fd, buf, sizeof(buf))) < 0) {
            if (errno != EAGAIN && errno != EINTR)
                msg_warn("read trigger: %m");
            return;
        }
    } else {
        if (mail_server.pre_accept)
            mail_server.pre_accept(mail_server.service, mail_server.argv);
        len = 0;
        for (int i = 0; i < TRIGGER_DRAIN_MAX; i++) {
            if ((fd = sane_accept(listen_fd, 0, 0, SOCK_NONBLOCK)) < 0) {
                if (errno != EAGAIN)
                    msg_warn("accept connection: %m");
                break;
            }
            n = trigger_server_read_all(fd, one, sizeof(one), 1000);
            if (n < 0)
                msg_warn("read trigger: %m");
            close(fd);
            if (n <= 0)
                continue;
            if (len + n > (ssize_t)sizeof(buf)) {
                trigger_server_call(buf, len);
                len = 0;
            }
            memcpy(buf + len, one, (size_t)n);
            len += n;
        }
    }
    if (len > 0)
        trigger_server_call(buf, len);
}

static void trigger_server_wakeup(int event, void *ctx)
{
    char buf[2] = "W";

    event_request_timer(trigger_server_wakeup, 0, mail_server.trigger_wakeup * 1000);
    trigger_server_call(buf, 1);
}

void trigger_server_main(int argc, char **argv, MAIL_SERVER_BUF_FN fn, ...)
{
    va_list ap;

    trigger_server_fn = fn;
    va_start(ap, fn);
    mail_server_start(argc, argv, "trigger", ap);
    va_end(ap);

    if (mail_server.mode == MAIL_SERVER_MODE_STDIN) {
        char buf[TRIGGER_BUF_SIZE];
        ssize_t len = trigger_server_read_all(0, buf, sizeof(buf), -1);

        if (len < 0)
            msg_fatal("read trigger from standard input: %m");
        mail_server_call_begin();
        fn(buf, len, mail_server.service, mail_server.argv);
        mail_server_call_end();
        mail_server_exit();
    }
    for (int i = 0; i < mail_server.listen_count; i++)
        event_enable_read(mail_server.listen_fd[i], trigger_server_event,
                          (void *)(intptr_t)mail_server.listen_fd[i]);
    if (mail_server.trigger_wakeup > 0)
        event_request_timer(trigger_server_wakeup, 0, mail_server.trigger_wakeup * 1000);
    mail_server_idle_arm();
    mail_server_run();
}
