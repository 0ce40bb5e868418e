/*
 * postlogd_file - the maillog_file as postlogd writes it.
 *
 *   postlogd_clean(buf, len)
 *       Make one datagram one log line: cut it to MSG_LOGLINE_MAX - 1
 *       bytes, drop one trailing newline (or CR LF) a sender may have
 *       added, and turn any other NUL, CR or LF into '?', so that no
 *       datagram can ever write two lines or hide text behind a NUL.
 *       Returns the new length; buf must have room for len bytes.
 *   postlogd_file_open(path)
 *       Open path for appending (O_APPEND|O_CREAT, mode 0600, no symlink
 *       followed; "/dev/stdout" means the process's standard output).
 *       Returns a handle, or NULL with errno.
 *   postlogd_file_write(fp, line, len)
 *       Append line and a newline with one write(2).  0, or -1 with errno
 *       (the caller reports it; the line cannot be retried meaningfully).
 *   postlogd_file_check(fp, now)
 *       At most once a second: when path now names another file than the
 *       open one (rotated away by a log rotator), open the new one and
 *       return 1.  If that fails (e.g. no permission after the privilege
 *       drop), keep writing to the old file and return -1 (at each check
 *       until it works: the caller warns once).  0: nothing changed.
 *   postlogd_file_close(fp)
 */
#ifndef POSTERN_POSTLOGD_FILE_H
#define POSTERN_POSTLOGD_FILE_H

#include <stddef.h>
#include <time.h>

typedef struct POSTLOGD_FILE POSTLOGD_FILE;

extern size_t postlogd_clean(char *buf, size_t len);
extern POSTLOGD_FILE *postlogd_file_open(const char *path);
extern int postlogd_file_write(POSTLOGD_FILE *fp, const char *line, size_t len);
extern int postlogd_file_check(POSTLOGD_FILE *fp, time_t now);
extern void postlogd_file_close(POSTLOGD_FILE *fp);

#endif
