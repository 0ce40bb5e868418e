/*
 * sock - listening and connecting endpoints: UNIX stream and datagram
 * sockets, TCP over IPv4/IPv6, FIFOs; accept() that tolerates transient
 * errors.
 *
 * Every descriptor returned is close-on-exec; blocking is BLOCKING or
 * NON_BLOCKING (iostuff.h) and sets O_NONBLOCK on the result.  All functions
 * return a descriptor, or -1 with errno set; none of them exits, so that
 * master can say which endpoint of master.cf failed.
 *
 * Listening:
 *   unix_listen(path, backlog, blocking)     a UNIX stream socket at path.  A
 *                                            stale socket file is removed
 *                                            first; the socket is mode 0666
 *                                            (access is controlled by the
 *                                            directory: private/, public/).
 *   unix_dgram_listen(path, blocking)        the same for datagrams (postlog)
 *   inet_listen(addr, backlog, blocking)     TCP on "host:port",
 *                                            "[ipv6]:port", ":port" or "port";
 *                                            an empty host means every IPv4
 *                                            interface ("[::]:port" every IPv6
 *                                            one; IPv6 sockets are V6ONLY so
 *                                            that both can be open).  Host names
 *                                            are resolved and the first address
 *                                            is used.  SO_REUSEADDR is set.
 *   fifo_listen(path, mode, blocking)        a FIFO, opened read-write so that
 *                                            it never reports end of file when
 *                                            a writer goes away; a non-FIFO at
 *                                            path is refused (errno EPERM)
 *   sock_local_port(fd)                      the port a TCP socket is bound to
 *                                            (after listening on port 0); -1
 *
 * Connecting, with timeout_ms (-1: none) bounding the connection attempt:
 *   unix_connect(path, blocking, timeout_ms)       a full listen queue is
 *                                                  retried until the timeout
 *   unix_dgram_connect(path, blocking)
 *   inet_connect(addr, blocking, timeout_ms)       "host:port" or
 *                                                  "[address]:port"; every
 *                                                  address of host is tried in
 *                                                  turn, each with the timeout
 * A timeout is errno ETIMEDOUT; a malformed address is EINVAL; a host name
 * that does not resolve is EHOSTUNREACH (the reason is logged with
 * msg_warn, as getaddrinfo errors have no errno).
 *
 * Accepting:
 *   sane_accept(fd, sa, &len, flags)   accept4() that restarts after EINTR
 *                                      and turns the errors Linux reports for
 *                                      a connection that went away before it
 *                                      was accepted (ECONNABORTED, EPROTO,
 *                                      ENETDOWN, EHOSTUNREACH, ...) into
 *                                      EAGAIN, so the caller simply tries again
 *                                      later.  flags: SOCK_NONBLOCK;
 *                                      SOCK_CLOEXEC is always added.
 */
#ifndef POSTERN_SOCK_H
#define POSTERN_SOCK_H

#include <sys/socket.h>
#include <sys/types.h>

#include "iostuff.h"

extern int unix_listen(const char *path, int backlog, int blocking);
extern int unix_dgram_listen(const char *path, int blocking);
extern int inet_listen(const char *addr, int backlog, int blocking);
extern int fifo_listen(const char *path, mode_t mode, int blocking);
extern int sock_local_port(int fd);

extern int unix_connect(const char *path, int blocking, int timeout_ms);
extern int unix_dgram_connect(const char *path, int blocking);
extern int inet_connect(const char *addr, int blocking, int timeout_ms);

extern int sane_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags);

#endif
