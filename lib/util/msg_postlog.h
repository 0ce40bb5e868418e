/*
 * msg_postlog - log lines in maillog_file form, sent to the postlogd
 * service or written to a file, never lost silently.
 *
 * Line format (what Debian's Postfix 3.7 writes to maillog_file, observed):
 *
 *     Dec 02 15:59:36 mail postfix/bounce[20690]: warning: text
 *
 * that is strftime "%b %d %H:%M:%S" in local time (day zero-padded, no
 * microseconds), the first label of the host name, the log tag (msg_tag),
 * the process id, the level prefix and the text.
 *
 *   msg_logline_host(name)
 *       Set the host name field (its first label is used); the default is
 *       the first label of gethostname().  maillog_client passes myhostname.
 *   msg_logline(buf, size, level, text)
 *       Format one line into buf, without a newline, cut to size - 1 bytes
 *       (size <= MSG_LOGLINE_MAX is the datagram limit of PROTOCOLS.md);
 *       returns its length.
 *   msg_postlog_init(path, alt_path, fallback_fd)
 *       Add an output that sends each line as one datagram to the unix-dgram
 *       socket path (tried first; e.g. "$queue_directory/public/postlog")
 *       or alt_path (may be null; a path relative to the current directory,
 *       "public/postlog", that still works after chroot to the queue
 *       directory).  The socket is connected now when postlogd runs and
 *       again later when it was not (at most once a second), so a daemon
 *       that chroots keeps logging through the socket it opened.
 *       A line that cannot be sent is written (with a newline) to
 *       fallback_fd when it is >= 0 (the maillog_file opened directly),
 *       else to standard error.  Returns 0 when connected now, -1 when
 *       the lines go to the fallback for the time being (not an error).
 *   msg_postlog_connected()
 *       1 when the last line went to postlogd (tests, diagnostics).
 *
 * What can go wrong: postlogd restarted (the connected socket fails with
 * ECONNREFUSED): one reconnect is tried at once, then the fallback.  A full
 * postlogd queue blocks the sender (back pressure), as syslog(3) does.
 */
#ifndef POSTERN_MSG_POSTLOG_H
#define POSTERN_MSG_POSTLOG_H

#include <stddef.h>

#define MSG_LOGLINE_MAX 8192 /* bytes in one datagram, PROTOCOLS.md */

extern void msg_logline_host(const char *name);
extern size_t msg_logline(char *buf, size_t size, int level, const char *text);
extern int msg_postlog_init(const char *path, const char *alt_path, int fallback_fd);
extern int msg_postlog_connected(void);

#endif
