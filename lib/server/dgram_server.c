/*
 * dgram_server - the skeleton of a daemon that reads datagrams from a
 * bound UNIX datagram socket (postlogd); see mail_server.h.
 *
 * Each datagram (at most DGRAM_BUF_SIZE bytes; longer ones are cut, as
 * the kernel does) is one service call.  The process does not send
 * busy/available messages per datagram (that would double the system
 * calls of the log path); it counts as always available, which is right
 * for a service with maxproc 1.  max_use counts datagrams, max_idle the
 * time since the last one; postlogd is normally MAIL_SERVER_UNLIMITED.
 *
 * -z: standard input, up to end of file, is one datagram.
 *
 * What can go wrong: receive errors are logged and the process goes on.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "msg.h"

#define DGRAM_BUF_SIZE 65536

static MAIL_SERVER_BUF_FN dgram_server_fn;
static char dgram_server_buf[DGRAM_BUF_SIZE + 1];

static void dgram_server_event(int event, void *ctx)
{
    int fd = (int)(intptr_t)ctx;
    ssize_t len;

    /* Drain what is queued, a bounded number at a time. */
    for (int i = 0; i < 64; i++) {
        if ((len = recv(fd, dgram_server_buf, DGRAM_BUF_SIZE, MSG_DONTWAIT)) < 0) {
            if (errno != EAGAIN && errno != EINTR)
                msg_warn("receive datagram: %m");
            break;
        }
        dgram_server_buf[len] = 0;
        mail_server_idle_cancel();
        mail_server_call_begin();
        dgram_server_fn(dgram_server_buf, len, mail_server.service, mail_server.argv);
        mail_server_call_end();
        if (mail_server_count_use() || mail_server_stopping())
            mail_server_exit();
    }
    mail_server_idle_arm();
}

void dgram_server_main(int argc, char **argv, MAIL_SERVER_BUF_FN fn, ...)
{
    va_list ap;

    dgram_server_fn = fn;
    va_start(ap, fn);
    mail_server_start(argc, argv, "dgram", ap);
    va_end(ap);

    if (mail_server.mode == MAIL_SERVER_MODE_STDIN) {
        size_t got = 0;
        ssize_t n;

        while (got < DGRAM_BUF_SIZE && (n = read(0, dgram_server_buf + got,
                                                 DGRAM_BUF_SIZE - got)) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                msg_fatal("read standard input: %m");
            }
            got += (size_t)n;
        }
        dgram_server_buf[got] = 0;
        mail_server_call_begin();
        fn(dgram_server_buf, (ssize_t)got, mail_server.service, mail_server.argv);
        mail_server_call_end();
        mail_server_exit();
    }
    for (int i = 0; i < mail_server.listen_count; i++)
        event_enable_read(mail_server.listen_fd[i], dgram_server_event,
                          (void *)(intptr_t)mail_server.listen_fd[i]);
    mail_server_idle_arm();
    mail_server_run();
}
