/*
 * mail_proto - connect to and trigger Postern services (see mail_proto.h).
 *
 * Every Postern daemon and command chdir()s to queue_directory before it
 * talks to a service, so the endpoint is always the relative path
 * "class/name" (public/cleanup, private/rewrite, ...), whether or not the
 * process is chrooted.  Nothing here changes directory.
 *
 *   mail_connect(class, name, block)   one attempt; the connection itself is
 *                                      bounded by ipc_timeout, and the stream
 *                                      gets read and write deadlines of
 *                                      ipc_timeout; NULL with errno
 *   mail_connect_wait(class, name)     retry once a second, logging
 *                                      "connect #N to subsystem class/name:
 *                                      reason", until ipc_timeout has passed
 *   mail_trigger(class, name, req, len)
 *                                      any_trigger(): a socket gets
 *                                      unix_trigger(), a FIFO
 *                                      fifo_trigger(), anything else fails
 *                                      with ENOTSOCK.  The time limit is
 *                                      trigger_timeout, as in Postfix: a
 *                                      trigger is a hint and must not hang a
 *                                      command such as postqueue -f.
 *
 * The stream is non-blocking underneath (VSTREAM_NONBLOCK) so its deadlines
 * hold for every read and write, and it is named "class/name" for log
 * messages.  Parameters are read from var_ipc_timeout/var_trigger_timeout;
 * a process that has not bound them yet gets the Postfix defaults (3600s,
 * 10s).
 */
#include "mail_proto.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "iostuff.h"
#include "mail_params.h"
#include "msg.h"
#include "sock.h"
#include "trigger.h"
#include "vstring.h"

#define MAIL_PROTO_DEF_IPC_TIMEOUT     3600
#define MAIL_PROTO_DEF_TRIGGER_TIMEOUT 10

static int mail_proto_ipc_timeout(void)
{
    return var_ipc_timeout > 0 ? var_ipc_timeout : MAIL_PROTO_DEF_IPC_TIMEOUT;
}

static int mail_proto_trigger_timeout(void)
{
    return var_trigger_timeout > 0 ? var_trigger_timeout : MAIL_PROTO_DEF_TRIGGER_TIMEOUT;
}

/* mail_proto_ms - seconds to milliseconds without overflowing an int */

static int mail_proto_ms(int seconds)
{
    return seconds > 2000000 ? 2000000000 : seconds * 1000;
}

static VSTRING *mail_proto_path(const char *class, const char *name)
{
    static VSTRING *path;

    if (path == 0)
        path = vstring_alloc(100);
    return vstring_sprintf(path, "%s/%s", class, name);
}

VSTREAM *mail_connect(const char *class, const char *name, int block)
{
    const char *path = vstring_str(mail_proto_path(class, name));
    int timeout_ms = mail_proto_ms(mail_proto_ipc_timeout());
    VSTREAM *stream;
    int fd;

    if ((fd = unix_connect(path, block, timeout_ms)) < 0)
        return 0;
    stream = vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK);
    vstream_set_timeouts(stream, timeout_ms, timeout_ms);
    vstream_set_path(stream, path);
    return stream;
}

VSTREAM *mail_connect_wait(const char *class, const char *name)
{
    int timeout = mail_proto_ipc_timeout();
    VSTREAM *stream;

    for (int count = 1;; count++) {
        if ((stream = mail_connect(class, name, BLOCKING)) != 0)
            return stream;
        msg_warn("connect #%d to subsystem %s/%s: %m", count, class, name);
        if (count >= timeout)
            return 0;
        sleep(1);
    }
}

int mail_trigger(const char *class, const char *name, const char *req, size_t len)
{
    const char *path = vstring_str(mail_proto_path(class, name));
    int timeout_ms = mail_proto_ms(mail_proto_trigger_timeout());

    return any_trigger(path, req, len, timeout_ms);
}
