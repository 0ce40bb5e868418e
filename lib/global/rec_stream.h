#ifndef POSTERN_REC_STREAM_H
#define POSTERN_REC_STREAM_H

/*
 * rec_stream - queue-file records over a VSTREAM (a socket to cleanup, a
 * maildrop file read by pickup), sharing the stream's buffer with attr_*.
 * The record encoding is record.h's (type byte, base-128 length, data).
 *
 *   rec_vstream_put(stream, type, data, len)   buffer one record; returns
 *                                              type, or REC_TYPE_ERROR
 *   rec_vstream_fputs(stream, type, str)
 *   rec_vstream_fprintf(stream, type, fmt, ...)
 *   rec_vstream_get(stream, buf, maxlen)
 *       read one record into buf; returns its type, REC_TYPE_EOF at a clean
 *       end of input, or REC_TYPE_ERROR (truncated record, bad length, read
 *       error or timeout).  A record longer than maxlen (when maxlen > 0) is
 *       returned in pieces: every piece but the last as REC_TYPE_CONT when
 *       the type is REC_TYPE_NORM/CONT, otherwise REC_TYPE_ERROR.
 *   rec_vstream_forget(stream)
 *       (added by ipc) forget the unread rest of a long record on stream;
 *       call before closing a stream in the middle of a long record.
 */

#include <stddef.h>

#include "rec_type.h"
#include "vstream.h"
#include "vstring.h"

extern int rec_vstream_put(VSTREAM *stream, int type, const char *data, size_t len);
extern int rec_vstream_fputs(VSTREAM *stream, int type, const char *str);
extern int rec_vstream_fprintf(VSTREAM *stream, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern int rec_vstream_get(VSTREAM *stream, VSTRING *buf, size_t maxlen);
extern void rec_vstream_forget(VSTREAM *stream);

#endif
