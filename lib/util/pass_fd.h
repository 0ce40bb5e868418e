/*
 * pass_fd - send and receive an open descriptor over a UNIX-domain socket.
 *
 * master hands connected clients to "pass" services this way, and a
 * privileged helper can give an unprivileged process one opened file.
 *
 *   unix_send_fd(sock, fd)     send fd (SCM_RIGHTS) with one data byte; 0 or
 *                              -1 with errno
 *   unix_recv_fd(sock)         the received descriptor (close-on-exec), or -1:
 *                              errno EPIPE when the peer closed without
 *                              sending, EBADMSG when the message did not carry
 *                              exactly one descriptor and nothing else (extra,
 *                              truncated or foreign control data), EPROTO when
 *                              the data was not exactly the one byte.  Every
 *                              descriptor that arrived with a rejected message
 *                              is closed, so a peer cannot fill our descriptor
 *                              table.
 * Both restart after EINTR and work on blocking sockets (use poll_fd() first
 * for a deadline).
 */
#ifndef POSTERN_PASS_FD_H
#define POSTERN_PASS_FD_H

extern int unix_send_fd(int sock, int fd);
extern int unix_recv_fd(int sock);

#endif
