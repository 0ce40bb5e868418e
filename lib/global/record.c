/*
 * record - encode and decode queue file records (see record.h).
 *
 * The reader keeps one buffer of file bytes [buf_off, buf_off + buf_len)
 * and copies record bytes out of it, refilling with one large read when a
 * record runs past its end, so a typical queue file is read with one or two
 * system calls.  Every length comes from outside and is checked before it
 * is used: at most REC_LEN_MAXBYTES length bytes, at most INT_MAX, at most
 * the caller's maximum, and never more than the input holds.
 */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"

#define REC_READ_BUFSIZE (64 * 1024)
#define REC_PTR_RECLEN   (1 + 1 + REC_TYPE_PTR_WIDTH) /* one 'p' record */

struct REC_READER {
    int fd;                   /* -1: memory */
    int seekable;             /* pread() works */
    const unsigned char *mem; /* memory input */
    size_t mem_len;
    unsigned char *buf; /* fd input buffer */
    off_t buf_off;      /* file offset of buf[0] */
    size_t buf_len;
    off_t pos;     /* where the next record starts */
    off_t start;   /* where the last rec_get() started */
    off_t rec_off; /* type byte of the last record */
    off_t size;    /* input size, -1 if unknown */
    size_t maxlen;
    int flags;
    size_t jumps; /* pointer records followed */
    size_t max_jumps;
    VSTRING *why;
};

/* rec_len_encode - base-128 length, low-order group first */

size_t rec_len_encode(unsigned char *out, size_t len)
{
    size_t n = 0;

    do {
        unsigned char ch = len & 0177;

        len >>= 7;
        out[n++] = ch | (len ? 0200 : 0);
    } while (len != 0);
    return n;
}

/* rec_put_buf - append one record to a batch */

VSTRING *rec_put_buf(VSTRING *batch, int type, const void *data, size_t len)
{
    unsigned char hdr[1 + REC_LEN_ENCODE_MAX];
    size_t hlen;

    if (type < 0 || type > 255)
        msg_panic("rec_put_buf: bad record type %d", type);
    if (len > INT_MAX)
        msg_panic("rec_put_buf: record length %zu too large", len);
    hdr[0] = (unsigned char)type;
    hlen = 1 + rec_len_encode(hdr + 1, len);
    vstring_memcat(batch, hdr, hlen);
    if (len > 0)
        vstring_memcat(batch, data, len);
    return batch;
}

VSTRING *rec_put_str(VSTRING *batch, int type, const char *str)
{
    return rec_put_buf(batch, type, str, strlen(str));
}

VSTRING *rec_sprintf(VSTRING *batch, int type, const char *fmt, ...)
{
    static VSTRING *tmp;
    va_list ap;

    if (tmp == 0)
        tmp = vstring_alloc(100);
    vstring_reset(tmp);
    va_start(ap, fmt);
    vstring_vsprintf_append(tmp, fmt, ap);
    va_end(ap);
    return rec_put_buf(batch, type, vstring_str(tmp), VSTRING_LEN(tmp));
}

VSTRING *rec_put_ptr(VSTRING *batch, long target)
{
    return rec_sprintf(batch, REC_TYPE_PTR, REC_TYPE_PTR_FORMAT, target);
}

/* rec_size_format - append the fixed-width 'C' record */

VSTRING *rec_size_format(VSTRING *batch, const REC_SIZE *sz)
{
    return rec_sprintf(batch, REC_TYPE_SIZE, REC_TYPE_SIZE_FORMAT, sz->data_size, sz->data_offset,
                       sz->rcpt_count, sz->qmgr_opts, sz->content_length, sz->smtputf8);
}

/* rec_size_parse - parse 'C' record data: 3 to 6 non-negative numbers */

int rec_size_parse(const char *data, REC_SIZE *sz)
{
    long *fields[6] = {&sz->data_size, &sz->data_offset,    &sz->rcpt_count,
                       &sz->qmgr_opts, &sz->content_length, &sz->smtputf8};
    const char *cp = data;
    size_t n;

    memset(sz, 0, sizeof(*sz));
    for (n = 0; n < 6; n++) {
        long val = 0;
        int digits = 0;

        while (*cp == ' ')
            cp++;
        if (*cp == 0)
            break;
        for (; *cp >= '0' && *cp <= '9'; cp++, digits++) {
            if (val > (LONG_MAX - (*cp - '0')) / 10)
                return -1;
            val = val * 10 + (*cp - '0');
        }
        if (digits == 0 || (*cp != ' ' && *cp != 0))
            return -1;
        *fields[n] = val;
    }
    while (*cp == ' ')
        cp++;
    if (*cp != 0 || n < 3 || sz->data_offset <= 0 || sz->data_size < 0)
        return -1;
    return 0;
}

/* rec_write_batch - write a batch with (normally) one system call */

int rec_write_batch(int fd, VSTRING *batch)
{
    const char *cp = vstring_str(batch);
    size_t left = VSTRING_LEN(batch);

    while (left > 0) {
        ssize_t n = write(fd, cp, left);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        cp += n;
        left -= (size_t)n;
    }
    vstring_reset(batch);
    return 0;
}

/* Reader construction. */

static unsigned char *rec_reader_spare; /* a free REC_READ_BUFSIZE buffer, or null */

static REC_READER *rec_reader_alloc(size_t maxlen, int flags)
{
    REC_READER *rp = mycalloc(1, sizeof(*rp));

    rp->fd = -1;
    rp->maxlen = maxlen ? maxlen : REC_MAXLEN_DEFAULT;
    if (rp->maxlen > INT_MAX)
        rp->maxlen = INT_MAX;
    rp->flags = flags;
    rp->why = vstring_alloc(100);
    rp->size = -1;
    return rp;
}

REC_READER *rec_reader_fd(int fd, size_t maxlen, int flags)
{
    REC_READER *rp = rec_reader_alloc(maxlen, flags);
    struct stat st;

    rp->fd = fd;
    /* One spare buffer is kept: a 64 KB malloc/free per queue-file read
     * made the heap grow and shrink (brk) once per delivery. */
    if (rec_reader_spare != 0) {
        rp->buf = rec_reader_spare;
        rec_reader_spare = 0;
    } else {
        rp->buf = mymalloc(REC_READ_BUFSIZE);
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        rp->seekable = 1;
        rp->size = st.st_size;
    }
    rp->max_jumps = rp->size > 0 ? (size_t)rp->size / REC_PTR_RECLEN + 1 : 1;
    return rp;
}

REC_READER *rec_reader_mem(const void *data, size_t len, size_t maxlen, int flags)
{
    REC_READER *rp = rec_reader_alloc(maxlen, flags);

    rp->mem = data;
    rp->mem_len = len;
    rp->seekable = 1;
    rp->size = (off_t)len;
    rp->max_jumps = len / REC_PTR_RECLEN + 1;
    return rp;
}

void rec_reader_free(REC_READER *rp)
{
    if (rp == 0)
        return;
    if (rp->buf != 0 && rec_reader_spare == 0)
        rec_reader_spare = rp->buf;
    else if (rp->buf != 0)
        myfree(rp->buf);
    vstring_free(rp->why);
    myfree(rp);
}

/* rec_fill - make the buffer start at offset and hold what the file has */

static int rec_fill(REC_READER *rp, off_t offset)
{
    ssize_t n;

    if (rp->seekable) {
        do {
            n = pread(rp->fd, rp->buf, REC_READ_BUFSIZE, offset);
        } while (n < 0 && errno == EINTR);
        rp->buf_off = offset;
    } else {
        /* A pipe: only forward, sequential reads. */
        if (offset != rp->buf_off + (off_t)rp->buf_len) {
            vstring_sprintf(rp->why, "cannot seek on this input");
            return -1;
        }
        do {
            n = read(rp->fd, rp->buf, REC_READ_BUFSIZE);
        } while (n < 0 && errno == EINTR);
        rp->buf_off = offset;
    }
    if (n < 0) {
        vstring_sprintf(rp->why, "read error: %s", strerror(errno));
        rp->buf_len = 0;
        return -1;
    }
    rp->buf_len = (size_t)n;
    return 0;
}

/*
 * rec_copy - copy up to len bytes at offset into dst (or skip them when dst
 * is null).  Returns the number of bytes available (short at end of input),
 * or -1 on a read error.
 */
static ssize_t rec_copy(REC_READER *rp, off_t offset, unsigned char *dst, size_t len)
{
    size_t done = 0;

    if (rp->mem) {
        if (offset < 0 || (size_t)offset >= rp->mem_len)
            return 0;
        done = rp->mem_len - (size_t)offset;
        if (done > len)
            done = len;
        if (dst)
            memcpy(dst, rp->mem + offset, done);
        return (ssize_t)done;
    }
    while (done < len) {
        off_t want = offset + (off_t)done;
        size_t avail;

        if (want < rp->buf_off || want >= rp->buf_off + (off_t)rp->buf_len) {
            if (rec_fill(rp, want) < 0)
                return -1;
            if (rp->buf_len == 0)
                break;
        }
        avail = rp->buf_len - (size_t)(want - rp->buf_off);
        if (avail > len - done)
            avail = len - done;
        if (dst)
            memcpy(dst + done, rp->buf + (want - rp->buf_off), avail);
        done += avail;
    }
    return (ssize_t)done;
}

/* rec_window - bytes at offset already in memory, without reading */

static const unsigned char *rec_window(REC_READER *rp, off_t offset, size_t *avail)
{
    if (rp->mem) {
        if (offset < 0 || (size_t)offset >= rp->mem_len)
            return 0;
        *avail = rp->mem_len - (size_t)offset;
        return rp->mem + offset;
    }
    if (offset < rp->buf_off || offset >= rp->buf_off + (off_t)rp->buf_len)
        return 0;
    *avail = rp->buf_len - (size_t)(offset - rp->buf_off);
    return rp->buf + (offset - rp->buf_off);
}

/* rec_get_raw - read one record at rp->pos, no pointer handling */

static int rec_get_raw(REC_READER *rp, VSTRING *data)
{
    unsigned char ch;
    ssize_t got;
    size_t len = 0;
    int shift;
    int nbytes;
    off_t off = rp->pos;
    int type;

    vstring_reset(data);
    rp->rec_off = off;

    /*
     * Fast path: the whole record is already in memory.  Anything unusual
     * (a record across the buffer end, a bad length) takes the slow path
     * below, which also words the errors.
     */
    {
        size_t avail;
        const unsigned char *cp = rec_window(rp, off, &avail);

        if (cp && avail > REC_LEN_MAXBYTES) {
            size_t n = 1;

            for (shift = 0; n <= REC_LEN_MAXBYTES; shift += 7) {
                ch = cp[n++];
                len |= (size_t)(ch & 0177) << shift;
                if ((ch & 0200) == 0)
                    break;
            }
            if ((ch & 0200) == 0 && len <= rp->maxlen && len <= INT_MAX && len <= avail - n) {
                vstring_memcpy(data, cp + n, len);
                rp->pos = off + (off_t)(n + len);
                return cp[0];
            }
            len = 0;
        }
    }
    if ((got = rec_copy(rp, off, &ch, 1)) < 0)
        return REC_TYPE_ERROR;
    if (got == 0)
        return REC_TYPE_EOF;
    type = ch;
    off += 1;
    for (shift = 0, nbytes = 0; /* void */; shift += 7, nbytes++) {
        if (nbytes >= REC_LEN_MAXBYTES) {
            vstring_sprintf(rp->why, "too many length bits, record type %d", type);
            return REC_TYPE_ERROR;
        }
        if ((got = rec_copy(rp, off, &ch, 1)) < 0)
            return REC_TYPE_ERROR;
        if (got == 0) {
            vstring_sprintf(rp->why, "unexpected EOF reading length, record type %d", type);
            return REC_TYPE_ERROR;
        }
        off += 1;
        len |= (size_t)(ch & 0177) << shift;
        if ((ch & 0200) == 0)
            break;
    }
    if (len > INT_MAX) {
        vstring_sprintf(rp->why, "illegal length %zu, record type %d", len, type);
        return REC_TYPE_ERROR;
    }
    if (len > rp->maxlen) {
        vstring_sprintf(rp->why, "record type %d length %zu exceeds limit %zu", type, len,
                        rp->maxlen);
        return REC_TYPE_ERROR;
    }
    /* Do not allocate for data the input cannot hold. */
    if (rp->size >= 0 && (off_t)len > rp->size - off) {
        vstring_sprintf(rp->why, "unexpected EOF in data, record type %d length %zu", type, len);
        return REC_TYPE_ERROR;
    }
    /* Grow in pieces when the input size is unknown (a pipe). */
    for (size_t done = 0; done < len; /* void */) {
        size_t chunk = len - done;
        unsigned char *dst;

        if (rp->size < 0 && chunk > REC_READ_BUFSIZE)
            chunk = REC_READ_BUFSIZE;
        dst = (unsigned char *)vstring_space(data, chunk);
        if ((got = rec_copy(rp, off + (off_t)done, dst, chunk)) < 0)
            return REC_TYPE_ERROR;
        if ((size_t)got != chunk) {
            vstring_sprintf(rp->why, "unexpected EOF in data, record type %d length %zu", type,
                            len);
            return REC_TYPE_ERROR;
        }
        done += chunk;
        vstring_set_len(data, done);
    }
    rp->pos = off + (off_t)len;
    return type;
}

/* rec_parse_ptr - strict "%15ld": optional spaces, digits, nothing else */

static int rec_parse_ptr(const char *cp, size_t len, long *target)
{
    long val = 0;
    size_t i = 0;

    while (i < len && cp[i] == ' ')
        i++;
    if (i == len)
        return -1;
    for (; i < len; i++) {
        if (cp[i] < '0' || cp[i] > '9' || val > (LONG_MAX - (cp[i] - '0')) / 10)
            return -1;
        val = val * 10 + (cp[i] - '0');
    }
    *target = val;
    return 0;
}

/* rec_get - next record, optionally following pointers */

int rec_get(REC_READER *rp, VSTRING *data)
{
    int type;
    long target;

    rp->start = rp->pos;
    for (;;) {
        if ((type = rec_get_raw(rp, data)) < 0)
            return type;
        if ((rp->flags & REC_FLAG_FOLLOW_PTR) == 0)
            return type;
        if (type == REC_TYPE_DTXT)
            continue;
        if (type != REC_TYPE_PTR)
            return type;
        if (rec_parse_ptr(vstring_str(data), VSTRING_LEN(data), &target) < 0) {
            vstring_sprintf(rp->why, "malformed pointer record value: %.100s", vstring_str(data));
            return REC_TYPE_ERROR;
        }
        if (target == 0)
            continue;
        if (rp->size >= 0 && target >= rp->size) {
            vstring_sprintf(rp->why, "pointer record target %ld beyond end of file", target);
            return REC_TYPE_ERROR;
        }
        if (++rp->jumps > rp->max_jumps) {
            vstring_sprintf(rp->why, "pointer record loop");
            return REC_TYPE_ERROR;
        }
        if (rec_reader_seek(rp, (off_t)target) < 0)
            return REC_TYPE_ERROR;
    }
}

int rec_reader_peek(REC_READER *rp)
{
    unsigned char ch;
    ssize_t got;

    if ((got = rec_copy(rp, rp->pos, &ch, 1)) < 0)
        return REC_TYPE_ERROR;
    return got == 0 ? REC_TYPE_EOF : ch;
}

int rec_reader_seekable(const REC_READER *rp)
{
    return rp->seekable;
}

int rec_reader_seek(REC_READER *rp, off_t offset)
{
    if (offset < 0) {
        vstring_sprintf(rp->why, "seek offset %lld out of range", (long long)offset);
        return -1;
    }
    if (!rp->seekable && offset < rp->pos) {
        vstring_sprintf(rp->why, "cannot seek backwards on this input");
        return -1;
    }
    rp->pos = offset;
    return 0;
}

off_t rec_reader_offset(const REC_READER *rp)
{
    return rp->start;
}

off_t rec_reader_record_offset(const REC_READER *rp)
{
    return rp->rec_off;
}

off_t rec_reader_next_offset(const REC_READER *rp)
{
    return rp->pos;
}

const char *rec_reader_error(const REC_READER *rp)
{
    return VSTRING_LEN(rp->why) ? vstring_str(rp->why) : "no error";
}

/* In-place updates. */

static int rec_pwrite_all(int fd, const void *buf, size_t len, off_t offset)
{
    ssize_t n;

    do {
        n = pwrite(fd, buf, len, offset);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static int rec_pread_all(int fd, void *buf, size_t len, off_t offset)
{
    ssize_t n;

    do {
        n = pread(fd, buf, len, offset);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int rec_update_type(int fd, off_t offset, int old_type, int new_type)
{
    unsigned char ch;

    if (rec_pread_all(fd, &ch, 1, offset) < 0)
        return -1;
    if (ch != (unsigned char)old_type) {
        errno = EINVAL;
        return -1;
    }
    ch = (unsigned char)new_type;
    return rec_pwrite_all(fd, &ch, 1, offset);
}

/* rec_fixed_update - overwrite the data of a fixed-width record in place */

static int rec_fixed_update(int fd, off_t offset, int type, const VSTRING *rec)
{
    unsigned char hdr[2];

    /* The new record must have the same header as the old one. */
    if (rec_pread_all(fd, hdr, 2, offset) < 0)
        return -1;
    if (hdr[0] != type || VSTRING_LEN(rec) < 2 || memcmp(hdr, vstring_str(rec), 2) != 0) {
        errno = EINVAL;
        return -1;
    }
    return rec_pwrite_all(fd, vstring_str(rec) + 2, VSTRING_LEN(rec) - 2, offset + 2);
}

int rec_size_update(int fd, const REC_SIZE *size)
{
    VSTRING *rec = vstring_alloc(REC_TYPE_SIZE_WIDTH + 2);
    int ret;

    rec_size_format(rec, size);
    ret = VSTRING_LEN(rec) == REC_TYPE_SIZE_WIDTH + 2 ? rec_fixed_update(fd, 0, REC_TYPE_SIZE, rec)
                                                      : (errno = ERANGE, -1);
    vstring_free(rec);
    return ret;
}

int rec_ptr_update(int fd, off_t offset, long target)
{
    VSTRING *rec = vstring_alloc(REC_TYPE_PTR_WIDTH + 2);
    int ret;

    rec_put_ptr(rec, target);
    ret = VSTRING_LEN(rec) == REC_TYPE_PTR_WIDTH + 2
              ? rec_fixed_update(fd, offset, REC_TYPE_PTR, rec)
              : (errno = ERANGE, -1);
    vstring_free(rec);
    return ret;
}
