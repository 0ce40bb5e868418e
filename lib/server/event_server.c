/*
 * event_server - the skeleton of a daemon that runs many non-blocking
 * sessions on its own event loop (postscreen); see mail_server.h.
 *
 * Unlike multi_server, the service function is called once per accepted
 * connection, with a non-blocking stream: it registers its own read, write
 * and timer events (lib/util/events.h) and drives the session from them,
 * then ends it with event_server_disconnect().  master hears "busy" when
 * the first session starts and "available" when the last one ends; max_idle
 * counts from then.  max_use counts connections: once reached the process
 * stops accepting and exits when its last session has ended.  The
 * POST_ACCEPT hook runs on each new session just before the service
 * function, and may end it with event_server_disconnect().
 *
 * -z: standard input/output is the one session; the process exits when
 * the service disconnects it.
 *
 * What can go wrong: accept() errors are logged and the process keeps
 * going; disconnecting a stream the skeleton did not hand out is a bug
 * (msg_panic).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "htable.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "msg.h"
#include "sock.h"
#include "vstream.h"

static MAIL_SERVER_STREAM_FN event_server_fn;
static HTABLE *event_server_sessions; /* key: stream address */
static int event_server_closing;      /* max_use reached: no more accepts */

static const char *event_server_key(VSTREAM *stream, char *buf, size_t len)
{
    snprintf(buf, len, "%p", (void *)stream);
    return buf;
}

static void event_server_start_session(VSTREAM *stream)
{
    char key[32];

    htable_enter(event_server_sessions, event_server_key(stream, key, sizeof(key)), stream);
    if (event_server_sessions->used == 1) {
        mail_server_idle_cancel();
        mail_server_taken();
    }
    mail_server_call_begin();
    if (mail_server.post_accept)
        mail_server.post_accept(stream, mail_server.service, mail_server.argv);
    /* The POST_ACCEPT hook may have ended the session already. */
    if (htable_find(event_server_sessions, key) == stream)
        event_server_fn(stream, mail_server.service, mail_server.argv);
    mail_server_call_end();
}

void event_server_disconnect(VSTREAM *stream)
{
    char key[32];

    event_server_key(stream, key, sizeof(key));
    if (htable_find(event_server_sessions, key) != stream)
        msg_panic("event_server_disconnect: unknown stream");
    event_disable_readwrite(vstream_fileno(stream));
    if (mail_server.pre_disconn)
        mail_server.pre_disconn(stream, mail_server.service, mail_server.argv);
    htable_delete(event_server_sessions, key, (void (*)(void *))0);
    (void)vstream_fclose(stream);
    if (event_server_sessions->used == 0) {
        if (mail_server.mode == MAIL_SERVER_MODE_STDIN || event_server_closing ||
            mail_server_stopping())
            mail_server_exit();
        mail_server_avail();
        mail_server_idle_arm();
    }
}

static void event_server_accept(int event, void *ctx)
{
    int listen_fd = (int)(intptr_t)ctx;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd;

    if (mail_server.pre_accept)
        mail_server.pre_accept(mail_server.service, mail_server.argv);
    if ((fd = sane_accept(listen_fd, (struct sockaddr *)&ss, &len, 0)) < 0) {
        if (errno != EAGAIN)
            msg_warn("accept connection: %m");
        return;
    }
    if (mail_server_count_use()) {
        event_server_closing = 1;
        for (int i = 0; i < mail_server.listen_count; i++)
            event_disable_readwrite(mail_server.listen_fd[i]);
    }
    event_server_start_session(vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK));
}

void event_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...)
{
    va_list ap;

    event_server_fn = fn;
    event_server_sessions = htable_create(100);
    va_start(ap, fn);
    mail_server_start(argc, argv, "event", ap);
    va_end(ap);

    if (mail_server.mode == MAIL_SERVER_MODE_STDIN) {
        event_server_start_session(mail_server_stdin_stream());
    } else {
        for (int i = 0; i < mail_server.listen_count; i++)
            event_enable_read(mail_server.listen_fd[i], event_server_accept,
                              (void *)(intptr_t)mail_server.listen_fd[i]);
        mail_server_idle_arm();
    }
    mail_server_run();
}
