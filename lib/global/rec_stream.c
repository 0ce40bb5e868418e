/*
 * rec_stream - queue-file records over a VSTREAM (see rec_stream.h).
 *
 * The encoding is record.h's, and the length encoder is record.c's
 * rec_len_encode(), so a record sent to cleanup and a record in a queue
 * file are the same bytes.
 *
 * Reading is bounded: a length field longer than REC_LEN_MAXBYTES bytes or
 * above INT_MAX is an error, and with maxlen > 0 a record is never held in
 * memory whole when it is longer than maxlen.  A long NORM/CONT record is
 * returned in maxlen pieces; the rest of that record is remembered per
 * stream in a small table (at most REC_STREAM_SLOTS streams in the middle of
 * a long record at one time).  Added to the contract:
 *
 *   rec_vstream_forget(stream)
 *       drop what is remembered about a record half read from stream;
 *       call it before closing a stream whose last record was not read to
 *       the end (the table is keyed by the stream's address, which a later
 *       stream may reuse).
 *
 * What can go wrong: truncated input, read errors and timeouts return
 * REC_TYPE_ERROR (nothing is logged; the stream's flags say which).
 */
#include "rec_stream.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "msg.h"
#include "record.h"

#define REC_STREAM_SLOTS 16

/* A long record that has been returned in part. */
typedef struct REC_STREAM_REST {
    VSTREAM *stream;  /* null: slot free */
    int type;         /* the record's own type */
    size_t remaining; /* data bytes not yet returned */
} REC_STREAM_REST;

static REC_STREAM_REST rec_stream_rest[REC_STREAM_SLOTS];

static REC_STREAM_REST *rec_stream_find(VSTREAM *stream)
{
    for (int i = 0; i < REC_STREAM_SLOTS; i++)
        if (rec_stream_rest[i].stream == stream)
            return rec_stream_rest + i;
    return 0;
}

void rec_vstream_forget(VSTREAM *stream)
{
    REC_STREAM_REST *rp = rec_stream_find(stream);

    if (rp)
        rp->stream = 0;
}

int rec_vstream_put(VSTREAM *stream, int type, const char *data, size_t len)
{
    unsigned char hdr[1 + REC_LEN_ENCODE_MAX];
    size_t n;

    if (type < 0 || type > 255)
        msg_panic("rec_vstream_put: bad record type %d", type);
    if (len > INT_MAX) {
        msg_warn("%s: record of %zu bytes is too long", vstream_path(stream), len);
        return REC_TYPE_ERROR;
    }
    hdr[0] = (unsigned char)type;
    n = 1 + rec_len_encode(hdr + 1, len);
    vstream_fwrite(stream, hdr, n);
    if (len)
        vstream_fwrite(stream, data, len);
    return vstream_ferror(stream) ? REC_TYPE_ERROR : type;
}

int rec_vstream_fputs(VSTREAM *stream, int type, const char *str)
{
    return rec_vstream_put(stream, type, str, strlen(str));
}

int rec_vstream_fprintf(VSTREAM *stream, int type, const char *fmt, ...)
{
    static VSTRING *buf;
    va_list ap;

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_reset(buf);
    va_start(ap, fmt);
    vstring_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    return rec_vstream_put(stream, type, vstring_str(buf), VSTRING_LEN(buf));
}

/* rec_stream_read - exactly len bytes into buf; -1 on a short read */

static int rec_stream_read(VSTREAM *stream, VSTRING *buf, size_t len)
{
    vstring_reset(buf);
    while (len > 0) {
        size_t chunk = len > 65536 ? 65536 : len;
        char *dst = vstring_space(buf, chunk);
        size_t got = vstream_fread(stream, dst, chunk);

        vstring_set_len(buf, VSTRING_LEN(buf) + got);
        if (got != chunk)
            return -1;
        len -= chunk;
    }
    return 0;
}

/* rec_stream_piece - return the next piece of a record of len bytes */

static int rec_stream_piece(VSTREAM *stream, VSTRING *buf, int type, size_t len, size_t maxlen)
{
    REC_STREAM_REST *rp = rec_stream_find(stream);

    if (maxlen == 0 || len <= maxlen) {
        if (rp)
            rp->stream = 0;
        return rec_stream_read(stream, buf, len) < 0 ? REC_TYPE_ERROR : type;
    }
    if (type != REC_TYPE_NORM && type != REC_TYPE_CONT) {
        if (rp)
            rp->stream = 0;
        return REC_TYPE_ERROR;
    }
    if (rp == 0) {
        for (int i = 0; i < REC_STREAM_SLOTS && rp == 0; i++)
            if (rec_stream_rest[i].stream == 0)
                rp = rec_stream_rest + i;
        if (rp == 0) {
            msg_warn("%s: too many streams in the middle of a long record", vstream_path(stream));
            return REC_TYPE_ERROR;
        }
    }
    rp->stream = stream;
    rp->type = type;
    rp->remaining = len - maxlen;
    if (rec_stream_read(stream, buf, maxlen) < 0) {
        rp->stream = 0;
        return REC_TYPE_ERROR;
    }
    return REC_TYPE_CONT;
}

int rec_vstream_get(VSTREAM *stream, VSTRING *buf, size_t maxlen)
{
    REC_STREAM_REST *rp;
    size_t len = 0;
    int type;
    int ch;

    /* The rest of a long record comes first. */
    if ((rp = rec_stream_find(stream)) != 0)
        return rec_stream_piece(stream, buf, rp->type, rp->remaining, maxlen);

    vstring_reset(buf);
    if ((type = vstream_getc(stream)) == VSTREAM_EOF)
        return vstream_ferror(stream) ? REC_TYPE_ERROR : REC_TYPE_EOF;
    for (int shift = 0, n = 0;; shift += 7, n++) {
        if (n >= REC_LEN_MAXBYTES || (ch = vstream_getc(stream)) == VSTREAM_EOF)
            return REC_TYPE_ERROR;
        len |= (size_t)(ch & 0177) << shift;
        if ((ch & 0200) == 0)
            break;
    }
    if (len > INT_MAX)
        return REC_TYPE_ERROR;
    return rec_stream_piece(stream, buf, type, len, maxlen);
}
