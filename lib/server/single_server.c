/*
 * single_server - the skeleton of a daemon that serves one client at a
 * time (smtpd, cleanup, local, smtp, bounce, showq, ...); see
 * mail_server.h.
 *
 * Each process waits on the service's listening endpoint(s) together with
 * its idle siblings; the one that accepts a connection tells master it is
 * busy, calls the service function with a VSTREAM on the connection (in
 * non-blocking mode: the stream waits with its own deadlines), closes the
 * connection when the function returns, and tells master it is available
 * again, or exits after max_use clients.  The POST_ACCEPT hook runs on
 * the new stream, under the same watchdog, just before the service
 * function.
 *
 * Transport "pass": the connection carries a descriptor (pass_fd.h); the
 * service function gets a stream on that descriptor instead.
 *
 * -z: the service function is called once with a stream that reads
 * standard input and writes standard output, then the process exits.
 *
 * What can go wrong: accept() errors other than "nothing to accept" are
 * logged and the process keeps waiting; a pass connection that delivers no
 * descriptor within 10 seconds is dropped with a warning.
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
#include "pass_fd.h"
#include "sock.h"
#include "vstream.h"

static MAIL_SERVER_STREAM_FN single_server_fn;

static void single_server_serve(int fd)
{
    VSTREAM *stream;
    int done;

    mail_server_idle_cancel();
    mail_server_taken();
    stream = vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK);
    mail_server_call_begin();
    if (mail_server.post_accept)
        mail_server.post_accept(stream, mail_server.service, mail_server.argv);
    single_server_fn(stream, mail_server.service, mail_server.argv);
    if (mail_server.pre_disconn)
        mail_server.pre_disconn(stream, mail_server.service, mail_server.argv);
    mail_server_call_end();
    (void)vstream_fclose(stream);
    done = mail_server_count_use();
    if (done || mail_server_stopping())
        mail_server_exit();
    mail_server_avail();
    mail_server_idle_arm();
}

static void single_server_accept(int event, void *ctx)
{
    int listen_fd = (int)(intptr_t)ctx;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd;
    int passed;

    if (mail_server.pre_accept)
        mail_server.pre_accept(mail_server.service, mail_server.argv);
    if ((fd = sane_accept(listen_fd, (struct sockaddr *)&ss, &len, 0)) < 0) {
        if (errno != EAGAIN)
            msg_warn("accept connection: %m");
        return;
    }
    if (strcmp(mail_server.transport, "pass") == 0) {
        if (poll_fd(fd, POLLIN, 10000) <= 0 || (passed = unix_recv_fd(fd)) < 0) {
            msg_warn("receive passed connection: %m");
            close(fd);
            return;
        }
        close(fd);
        fd = passed;
    }
    single_server_serve(fd);
}

void single_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...)
{
    va_list ap;

    single_server_fn = fn;
    va_start(ap, fn);
    mail_server_start(argc, argv, "single", ap);
    va_end(ap);

    if (mail_server.mode == MAIL_SERVER_MODE_STDIN) {
        VSTREAM *stream = mail_server_stdin_stream();

        mail_server_call_begin();
        if (mail_server.post_accept)
            mail_server.post_accept(stream, mail_server.service, mail_server.argv);
        fn(stream, mail_server.service, mail_server.argv);
        if (mail_server.pre_disconn)
            mail_server.pre_disconn(stream, mail_server.service, mail_server.argv);
        mail_server_call_end();
        (void)vstream_fclose(stream);
        mail_server_exit();
    }
    for (int i = 0; i < mail_server.listen_count; i++)
        /* Idle processes share the listener: one wakes per client. */
        event_enable_read_exclusive(mail_server.listen_fd[i], single_server_accept,
                                    (void *)(intptr_t)mail_server.listen_fd[i]);
    mail_server_idle_arm();
    mail_server_run();
}
