/*
 * iostuff - small descriptor helpers shared by streams, sockets and events.
 *
 *   non_blocking(fd, on)       set or clear O_NONBLOCK; returns the previous
 *                              setting (0 or 1), or -1 with errno
 *   close_on_exec(fd, on)      set or clear FD_CLOEXEC; same return convention
 *   poll_fd(fd, events, ms)    wait until fd is ready for POLLIN or POLLOUT
 *                              (events), at most ms milliseconds (-1: no
 *                              limit).  Returns 1 when ready (also on error or
 *                              hangup, so that the next read or write reports
 *                              it), 0 on timeout with errno ETIMEDOUT, -1 on a
 *                              poll() failure.  EINTR restarts the wait with
 *                              the time that is left.
 *   mono_ms()                  milliseconds of CLOCK_MONOTONIC (never jumps)
 *
 * What can go wrong: only what the system calls report; nothing here exits.
 */
#ifndef POSTERN_IOSTUFF_H
#define POSTERN_IOSTUFF_H

#include <stdint.h>

#define NON_BLOCKING 1
#define BLOCKING     0

extern int non_blocking(int fd, int on);
extern int close_on_exec(int fd, int on);
extern int poll_fd(int fd, int events, int timeout_ms);
extern int64_t mono_ms(void);

#endif
