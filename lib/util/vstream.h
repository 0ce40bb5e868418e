/*
 * vstream - buffered streams over a file descriptor or a VSTRING, with
 * deadlines and a bounded line reader.
 *
 * A VSTREAM has separate read and write buffers (VSTREAM_BUFSIZE each,
 * allocated on first use), so one stream serves both directions of a
 * socket.  The design goal is few system calls: a read fills the whole read
 * buffer, output is collected and sent with one write() (or one writev()
 * when a large vstream_fwrite() does not fit) per vstream_fflush().
 *
 * Opening and closing:
 *   vstream_fdopen(fd, flags)     flags: VSTREAM_READ, VSTREAM_WRITE or
 *                                 VSTREAM_RDWR, plus VSTREAM_NOCLOSE (fclose
 *                                 leaves the descriptor open), VSTREAM_NONBLOCK
 *                                 (put the descriptor in non-blocking mode, so
 *                                 that every read and write is tried first and
 *                                 poll() is called only when it would block: the
 *                                 cheapest mode, and the one in which a write
 *                                 deadline holds even for writes larger than a
 *                                 pipe or socket can take), VSTREAM_AUTOFLUSH
 *                                 (flush after every output call).
 *   vstream_memopen(vp, flags)    VSTREAM_READ: read the bytes of vp (not
 *                                 copied: vp must not change while the stream
 *                                 is open); VSTREAM_WRITE: output is appended to
 *                                 vp at each flush and at close (the VSTRING
 *                                 limit applies: overflow is a write error,
 *                                 errno EFBIG).
 *   vstream_fclose(s)             flush, close the descriptor (unless
 *                                 NOCLOSE), free; 0 or VSTREAM_EOF (errno set)
 *                                 when the flush or close failed.
 *   VSTREAM_IN, VSTREAM_OUT, VSTREAM_ERR   standard streams (ERR autoflushes).
 *
 * Deadlines: vstream_set_timeouts(s, read_ms, write_ms), -1 meaning none
 * (the default).  A timeout is a deadline for one whole call: a
 * vstream_get_line(), vstream_fread() or vstream_fflush() that has not
 * finished within that many milliseconds fails with errno ETIMEDOUT and sets
 * the timeout flag (vstream_ftimeout) as well as the error flag, so a peer
 * that sends one byte a minute cannot keep a line read alive forever.  Other
 * calls (getc, fwrite, implicit flushes) each get the full timeout.
 *
 * Reading:
 *   vstream_getc(s)               next byte, or VSTREAM_EOF on end of file,
 *                                 error or timeout (see the flags)
 *   vstream_ungetc(s, c)          push back the byte just read (one only)
 *   vstream_fread(s, buf, n)      up to n bytes; fewer only at end of file,
 *                                 error or timeout
 *   vstream_peek(s)               bytes buffered and not yet read (no I/O)
 *   vstream_get_line(s, vp, maxlen, flags)   read one line, see below
 *
 * Writing: vstream_fputc, vstream_fwrite, vstream_fputs, vstream_fprintf
 * return VSTREAM_EOF (or a short count) on error; vstream_fflush() sends what
 * is buffered.  Before a read has to wait for input, pending output is
 * flushed first, so a request/reply peer never deadlocks and pipelined
 * replies go out together.
 *
 * Files: vstream_fseek(s, offset, whence) flushes, discards read-ahead and
 * moves (returns the new offset or -1); vstream_ftell(s) reports the logical
 * position.  On a seekable descriptor opened VSTREAM_RDWR, writing after
 * reading moves the descriptor back over unread read-ahead first, so that a
 * queue file can be read and updated in place like a stdio stream.
 *
 * Other I/O layers (TLS): vstream_set_io(s, read_fn, write_fn, context)
 * replaces read(2) and write(2) for a descriptor stream; either may be null
 * to keep the system call.  Each is called as fn(s, buf, len, timeout_ms,
 * context) with the time left before the deadline (-1: none), must wait no
 * longer than that (failing with errno ETIMEDOUT), and returns the bytes
 * transferred (at least one; for read_fn 0 means end of file) or -1 with
 * errno.  vstream_fileno() still names the underlying descriptor.
 *
 * vstream_fpurge(s, VSTREAM_PURGE_READ | VSTREAM_PURGE_WRITE) discards
 * buffered input and/or unsent output: after STARTTLS, input that arrived
 * before the handshake must never be taken as if it came over TLS.
 *
 * Flags: vstream_feof, vstream_ferror, vstream_ftimeout; vstream_clearerr()
 * resets them.  They are sticky until then: after end of file, reads
 * report end of file (writes still work: a peer may half-close); after an
 * error or a timeout, reads and writes fail without a system call.
 *
 * The line reader.  vstream_get_line(s, vp, maxlen, flags) takes at most
 * maxlen bytes (maxlen >= 2) from the stream, the line terminator included,
 * and returns:
 *   VSTREAM_LINE_CRLF    a line ended by CR LF
 *   VSTREAM_LINE_LF      a line ended by a bare LF
 *   VSTREAM_LINE_NOEOL   the last bytes before end of file, with no LF
 *   VSTREAM_LINE_LONG    maxlen bytes without a LF: vp holds them, the rest of
 *                        the same line is returned by the next call(s).  A CR
 *                        is never separated from a LF that follows it: if the
 *                        piece would end in CR, that CR is left for the next
 *                        call.
 *   VSTREAM_LINE_EOF     end of file with no bytes
 *   VSTREAM_LINE_TIMEOUT the read deadline passed (vp holds what was read)
 *   VSTREAM_LINE_ERROR   a read error (errno set; vp holds what was read)
 * With VSTREAM_LINE_STRIP the terminator (LF or CR LF) is not stored in vp;
 * with VSTREAM_LINE_APPEND vp is appended to instead of replaced.  CR
 * characters that are not right before a LF are ordinary data: a caller that
 * must reject bare CR (SMTP) looks for them in vp.
 *
 * What can go wrong: I/O errors and timeouts are reported, never fatal.
 * Writing to a socket or pipe whose reader went away raises SIGPIPE like
 * write(2) does; daemons ignore SIGPIPE and then see EPIPE here.
 * Misuse (writing to a read-only stream, maxlen < 2) is a msg_panic.
 */
#ifndef POSTERN_VSTREAM_H
#define POSTERN_VSTREAM_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "vstring.h"

#define VSTREAM_BUFSIZE 65536
#define VSTREAM_EOF     (-1)

/* Open flags. */
#define VSTREAM_READ      (1 << 0)
#define VSTREAM_WRITE     (1 << 1)
#define VSTREAM_RDWR      (VSTREAM_READ | VSTREAM_WRITE)
#define VSTREAM_NOCLOSE   (1 << 2)
#define VSTREAM_NONBLOCK  (1 << 3)
#define VSTREAM_AUTOFLUSH (1 << 4)

/* vstream_get_line() results and flags. */
#define VSTREAM_LINE_ERROR   (-2)
#define VSTREAM_LINE_TIMEOUT (-1)
#define VSTREAM_LINE_EOF     0
#define VSTREAM_LINE_CRLF    1
#define VSTREAM_LINE_LF      2
#define VSTREAM_LINE_NOEOL   3
#define VSTREAM_LINE_LONG    4

#define VSTREAM_LINE_STRIP  (1 << 0)
#define VSTREAM_LINE_APPEND (1 << 1)

#define VSTREAM_PURGE_READ  (1 << 0)
#define VSTREAM_PURGE_WRITE (1 << 1)

typedef struct VSTREAM VSTREAM;
typedef ssize_t (*VSTREAM_IO_FN)(VSTREAM *stream, void *buf, size_t len, int timeout_ms,
                                 void *context);

extern VSTREAM *vstream_fdopen(int fd, int flags);
extern VSTREAM *vstream_memopen(VSTRING *vp, int flags);
extern int vstream_fclose(VSTREAM *stream);
extern VSTREAM *vstream_std(int fd);
#define VSTREAM_IN  (vstream_std(0))
#define VSTREAM_OUT (vstream_std(1))
#define VSTREAM_ERR (vstream_std(2))

extern void vstream_set_timeouts(VSTREAM *stream, int read_ms, int write_ms);
extern void vstream_set_io(VSTREAM *stream, VSTREAM_IO_FN read_fn, VSTREAM_IO_FN write_fn,
                           void *context);
extern void vstream_fpurge(VSTREAM *stream, int how);
extern void vstream_set_path(VSTREAM *stream, const char *path);
extern const char *vstream_path(VSTREAM *stream);
extern int vstream_fileno(VSTREAM *stream);

extern int vstream_getc(VSTREAM *stream);
extern int vstream_ungetc(VSTREAM *stream, int ch);
extern size_t vstream_fread(VSTREAM *stream, void *buf, size_t len);
extern size_t vstream_peek(VSTREAM *stream);
extern int vstream_get_line(VSTREAM *stream, VSTRING *vp, size_t maxlen, int flags);

extern int vstream_fputc(VSTREAM *stream, int ch);
extern size_t vstream_fwrite(VSTREAM *stream, const void *buf, size_t len);
extern int vstream_fputs(VSTREAM *stream, const char *str);
extern int vstream_fprintf(VSTREAM *stream, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
extern int vstream_vfprintf(VSTREAM *stream, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
extern int vstream_fflush(VSTREAM *stream);

extern off_t vstream_fseek(VSTREAM *stream, off_t offset, int whence);
extern off_t vstream_ftell(VSTREAM *stream);

extern int vstream_feof(VSTREAM *stream);
extern int vstream_ferror(VSTREAM *stream);
extern int vstream_ftimeout(VSTREAM *stream);
extern void vstream_clearerr(VSTREAM *stream);

#endif
