/*
 * multi_server - the skeleton of a daemon that serves many clients from
 * one event loop (trivial-rewrite, anvil, scache, proxymap, verify); see
 * mail_server.h.
 *
 * Every accepted connection becomes a non-blocking VSTREAM registered with
 * the event loop; when it is readable the service function is called to
 * read and answer one request (and again while requests are already
 * buffered in the stream, so pipelined requests are not left waiting for
 * the descriptor to become readable again).  The function ends a client
 * with multi_server_disconnect().  master hears "busy" when the first
 * client arrives and "available" when the last one leaves; max_idle counts
 * from then.  max_use counts connections: once reached the process stops
 * accepting and exits when its last client has gone.  The POST_ACCEPT
 * hook runs once per client, after it is registered (so the hook may
 * disconnect it) and before its first request is read.
 *
 * -z: standard input/output is the one client; the process exits when the
 * service function disconnects it.
 *
 * What can go wrong: accept() errors are logged and the process keeps
 * going; a descriptor beyond the client table's size (very unlikely, the
 * table grows) is a msg_fatal from the allocator only.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"
#include "vstream.h"

static MAIL_SERVER_STREAM_FN multi_server_fn;
static VSTREAM **multi_server_clients; /* indexed by descriptor */
static int multi_server_slots;
static int multi_server_count;
static int multi_server_closing; /* max_use reached: no more accepts */

static void multi_server_read(int event, void *ctx);

static int multi_server_key(VSTREAM *stream)
{
    /* -z: fd 0 is the client; its slot is 0 like any other. */
    return vstream_fileno(stream);
}

static void multi_server_add(VSTREAM *stream)
{
    int fd = multi_server_key(stream);

    if (fd >= multi_server_slots) {
        int n = fd + 64;

        multi_server_clients = myrealloc_array(multi_server_clients, (size_t)n, sizeof(VSTREAM *));
        for (int i = multi_server_slots; i < n; i++)
            multi_server_clients[i] = 0;
        multi_server_slots = n;
    }
    multi_server_clients[fd] = stream;
    if (multi_server_count++ == 0) {
        mail_server_idle_cancel();
        mail_server_taken();
    }
    event_enable_read(fd, multi_server_read, stream);
}

void multi_server_disconnect(VSTREAM *stream)
{
    int fd = multi_server_key(stream);

    if (fd < 0 || fd >= multi_server_slots || multi_server_clients[fd] != stream)
        msg_panic("multi_server_disconnect: unknown stream");
    event_disable_readwrite(fd);
    if (mail_server.pre_disconn)
        mail_server.pre_disconn(stream, mail_server.service, mail_server.argv);
    multi_server_clients[fd] = 0;
    (void)vstream_fclose(stream);
    if (--multi_server_count == 0) {
        if (mail_server.mode == MAIL_SERVER_MODE_STDIN || multi_server_closing ||
            mail_server_stopping())
            mail_server_exit();
        mail_server_avail();
        mail_server_idle_arm();
    }
}

static void multi_server_read(int event, void *ctx)
{
    VSTREAM *stream = ctx;
    int fd = multi_server_key(stream);

    do {
        mail_server_call_begin();
        multi_server_fn(stream, mail_server.service, mail_server.argv);
        mail_server_call_end();
    } while (fd < multi_server_slots && multi_server_clients[fd] == stream &&
             vstream_peek(stream) > 0 && !mail_server_stopping());
}

/* A client arrived: register it, then let the POST_ACCEPT hook see it. */
static void multi_server_new_client(VSTREAM *stream)
{
    multi_server_add(stream);
    if (mail_server.post_accept) {
        mail_server_call_begin();
        mail_server.post_accept(stream, mail_server.service, mail_server.argv);
        mail_server_call_end();
    }
}

static void multi_server_accept(int event, void *ctx)
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
    multi_server_new_client(vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK));
    if (mail_server_count_use()) {
        multi_server_closing = 1;
        for (int i = 0; i < mail_server.listen_count; i++)
            event_disable_readwrite(mail_server.listen_fd[i]);
    }
}

void multi_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...)
{
    va_list ap;

    multi_server_fn = fn;
    va_start(ap, fn);
    mail_server_start(argc, argv, "multi", ap);
    va_end(ap);

    if (mail_server.mode == MAIL_SERVER_MODE_STDIN) {
        multi_server_new_client(mail_server_stdin_stream());
    } else {
        for (int i = 0; i < mail_server.listen_count; i++)
            event_enable_read(mail_server.listen_fd[i], multi_server_accept,
                              (void *)(intptr_t)mail_server.listen_fd[i]);
        mail_server_idle_arm();
    }
    mail_server_run();
}
