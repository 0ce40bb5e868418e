/*
 * dgram_server - the skeleton of a daemon that reads datagrams from a
 * bound UNIX datagram socket (postlogd); see mail_server.h.
 *
 * Each datagram (at most DGRAM_BUF_SIZE bytes; longer ones are cut, as
 * the kernel does) is one service call.  Datagrams are received in batches
 * (recvmmsg), up to DGRAM_BATCH * DGRAM_ROUNDS per wakeup.  The process does not send
 * busy/available messages per datagram (that would double the system
 * calls of the log path); it counts as always available, which is right
 * for a service with maxproc 1.  max_use counts datagrams, max_idle the
 * time since the last one; postlogd is normally MAIL_SERVER_UNLIMITED.
 *
 * -z: standard input, up to end of file, is one datagram.
 *
 * What can go wrong: receive errors are logged and the process goes on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "msg.h"

#define DGRAM_BUF_SIZE 65536
#define DGRAM_BATCH    16 /* datagrams per recvmmsg() */
#define DGRAM_ROUNDS   4  /* batches per wakeup, so other events get a turn */

static MAIL_SERVER_BUF_FN dgram_server_fn;
static char dgram_server_buf[DGRAM_BATCH][DGRAM_BUF_SIZE + 1];

/*
 * Drain what is queued, a bounded number at a time.  recvmmsg() takes a
 * batch per system call; a batch that is not full means the socket is
 * empty, so there is no read that ends in EAGAIN.
 */
static void dgram_server_event(int event, void *ctx)
{
    int fd = (int)(intptr_t)ctx;
    struct mmsghdr mh[DGRAM_BATCH];
    struct iovec iov[DGRAM_BATCH];
    int want;
    int done = 0;
    int n;

    for (int round = 0; round < DGRAM_ROUNDS; round++) {
        /* Never take a datagram from the socket that max_use leaves for
         * the next process. */
        want = DGRAM_BATCH;
        if (mail_server.max_use > 0 && mail_server.max_use - mail_server.use_count < want)
            want = mail_server.max_use - mail_server.use_count;
        if (want < 1)
            want = 1;
        memset(mh, 0, sizeof(mh));
        for (int i = 0; i < DGRAM_BATCH; i++) {
            iov[i].iov_base = dgram_server_buf[i];
            iov[i].iov_len = DGRAM_BUF_SIZE;
            mh[i].msg_hdr.msg_iov = &iov[i];
            mh[i].msg_hdr.msg_iovlen = 1;
        }
        if ((n = recvmmsg(fd, mh, (unsigned)want, MSG_DONTWAIT, 0)) < 0) {
            if (errno != EAGAIN && errno != EINTR)
                msg_warn("receive datagram: %m");
            break;
        }
        for (int i = 0; i < n; i++) {
            ssize_t len = (ssize_t)mh[i].msg_len;

            dgram_server_buf[i][len] = 0;
            mail_server_idle_cancel();
            mail_server_call_begin();
            dgram_server_fn(dgram_server_buf[i], len, mail_server.service, mail_server.argv);
            mail_server_call_end();
            done |= mail_server_count_use();
        }
        /* A batch in hand is served to its end before an exit. */
        if (done || mail_server_stopping())
            mail_server_exit();
        if (n < want)
            break;
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

        while (got < DGRAM_BUF_SIZE &&
               (n = read(0, dgram_server_buf[0] + got, DGRAM_BUF_SIZE - got)) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                msg_fatal("read standard input: %m");
            }
            got += (size_t)n;
        }
        dgram_server_buf[0][got] = 0;
        mail_server_call_begin();
        fn(dgram_server_buf[0], (ssize_t)got, mail_server.service, mail_server.argv);
        mail_server_call_end();
        mail_server_exit();
    }
    for (int i = 0; i < mail_server.listen_count; i++)
        event_enable_read(mail_server.listen_fd[i], dgram_server_event,
                          (void *)(intptr_t)mail_server.listen_fd[i]);
    mail_server_idle_arm();
    mail_server_run();
}
