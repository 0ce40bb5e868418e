/*
 * trigger - wake up a service with a few bytes (pickup, qmgr, flush).
 *
 *   fifo_trigger(path, buf, len, timeout_ms)
 *                         open the FIFO without blocking (a FIFO nobody
 *                         reads fails at once with ENXIO instead of hanging
 *                         the sender), write buf, close
 *   unix_trigger(path, buf, len, timeout_ms)
 *                         connect to the UNIX stream socket (timeout_ms bounds
 *                         the connection and the write; a full listen queue
 *                         is waited out until then, else ETIMEDOUT), write
 *                         buf, close
 *   any_trigger(path, buf, len, timeout_ms)
 *                         the endpoint is either: unix_trigger() when path is
 *                         a socket, fifo_trigger() when it is a FIFO, else
 *                         ENOTSOCK; a socket nobody listens on is
 *                         ECONNREFUSED.  The socket is tried first, so the
 *                         common case needs no stat().
 *
 * All return 0, or -1 with errno.  unix_trigger() never raises SIGPIPE;
 * fifo_trigger() can if the reader closes the FIFO in mid-write (daemons
 * ignore SIGPIPE).  A trigger is a hint: a lost one only
 * delays work until the service's next periodic scan, so callers usually
 * log a failure and carry on.  Requests longer than PIPE_BUF may be split
 * or interleaved with other writers' on a FIFO; trigger requests are one or
 * a few bytes.
 */
#ifndef POSTERN_TRIGGER_H
#define POSTERN_TRIGGER_H

#include <stddef.h>

extern int fifo_trigger(const char *path, const char *buf, size_t len, int timeout_ms);
extern int unix_trigger(const char *path, const char *buf, size_t len, int timeout_ms);
extern int any_trigger(const char *path, const char *buf, size_t len, int timeout_ms);

#endif
