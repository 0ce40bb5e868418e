/*
 * vstream - buffered streams with deadlines; see vstream.h.
 *
 * Buffers: the read buffer holds rbuf[rpos..rlen) unread; the write buffer
 * holds wbuf[0..wlen) unsent.  A memory stream opened for reading points
 * rbuf at the VSTRING's bytes (rsize 0: not ours to free or write); one
 * opened for writing buffers like a descriptor stream and "writes" by
 * appending to the VSTRING.
 *
 * Deadlines are computed lazily: the clock is read only when a call has to
 * wait for the descriptor, so a read served from the buffer costs nothing.
 *
 * Request/reply: on a non-blocking descriptor, a read that follows our own
 * write is often too early (the peer has not answered yet), and
 * read-EAGAIN-poll-read costs three system calls where poll-read costs
 * two.  Each stream learns which case it is in: after a read that follows
 * a write (within VS_REPLY_NS) said EAGAIN, the next such read polls
 * first; when that poll finds the data already there (it returns within
 * VS_READY_NS), the stream goes back to reading first.  So a client of
 * trivial-rewrite polls first, an SMTP server whose client answers at
 * once does not, and a read long after the write (an event loop that
 * waited for readiness) always reads at once.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "checked.h"
#include "iostuff.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"

/* State bits. */
#define VS_EOF     (1 << 0)
#define VS_ERR     (1 << 1)
#define VS_TIMEOUT (1 << 2)
#define VS_NOSEEK  (1 << 3) /* lseek() said ESPIPE */
#define VS_MEM     (1 << 4)
#define VS_NBSEEN  (1 << 5) /* read(2) said EAGAIN: the descriptor is non-blocking */

#define VS_POLLFIRST (1 << 6) /* replies to our writes usually come late */

#define VS_REPLY_NS 1000000 /* see "Request/reply" above */
#define VS_READY_NS 5000

#define VSTREAM_MEM_BUFSIZE 4096

struct VSTREAM {
    int fd;
    int flags; /* open flags */
    int state;
    char *rbuf;
    size_t rsize; /* 0: rbuf is not ours */
    size_t rpos;
    size_t rlen;
    char *wbuf;
    size_t wsize;
    size_t wlen;
    int read_ms;
    int write_ms;
    VSTREAM_IO_FN read_fn;  /* null: read(2) */
    VSTREAM_IO_FN write_fn; /* null: write(2)/writev(2) */
    void *io_context;
    VSTRING *mem;
    char *path;
    int64_t wrote_ns; /* CLOCK_MONOTONIC of the last flush, 0: read since */
};

static int64_t vstream_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static VSTREAM *vstream_std_streams[3];

/* Milliseconds left before *deadline (set on first use); -1 for no limit. */
static int vstream_time_left(int timeout_ms, int64_t *deadline)
{
    if (timeout_ms < 0)
        return -1;
    int64_t now = mono_ms();
    if (*deadline == 0) {
        *deadline = now + timeout_ms;
        return timeout_ms;
    }
    return *deadline > now ? (int)(*deadline - now) : 0;
}

static VSTREAM *vstream_alloc(int fd, int flags)
{
    VSTREAM *stream = mycalloc(1, sizeof(*stream));

    stream->fd = fd;
    stream->flags = flags;
    stream->read_ms = -1;
    stream->write_ms = -1;
    return stream;
}

VSTREAM *vstream_fdopen(int fd, int flags)
{
    if (fd < 0)
        msg_panic("vstream_fdopen: bad descriptor %d", fd);
    if ((flags & VSTREAM_RDWR) == 0)
        msg_panic("vstream_fdopen: neither VSTREAM_READ nor VSTREAM_WRITE");
    if ((flags & VSTREAM_NONBLOCK) && non_blocking(fd, NON_BLOCKING) < 0)
        msg_warn("vstream_fdopen: make descriptor %d non-blocking: %m", fd);
    return vstream_alloc(fd, flags);
}

VSTREAM *vstream_memopen(VSTRING *vp, int flags)
{
    VSTREAM *stream;

    switch (flags & VSTREAM_RDWR) {
    case VSTREAM_READ:
        stream = vstream_alloc(-1, VSTREAM_READ);
        stream->rbuf = vstring_str(vp);
        stream->rlen = VSTRING_LEN(vp);
        break;
    case VSTREAM_WRITE:
        stream = vstream_alloc(-1, VSTREAM_WRITE);
        break;
    default:
        msg_panic("vstream_memopen: flags must be VSTREAM_READ or VSTREAM_WRITE");
    }
    stream->state |= VS_MEM;
    stream->mem = vp;
    return stream;
}

static void vstream_std_flush(void)
{
    if (vstream_std_streams[1])
        vstream_fflush(vstream_std_streams[1]);
}

VSTREAM *vstream_std(int fd)
{
    static const int std_flags[3] = {
        VSTREAM_READ | VSTREAM_NOCLOSE,
        VSTREAM_WRITE | VSTREAM_NOCLOSE,
        VSTREAM_WRITE | VSTREAM_NOCLOSE | VSTREAM_AUTOFLUSH,
    };
    static int registered;

    if (fd < 0 || fd > 2)
        msg_panic("vstream_std: bad descriptor %d", fd);
    if (vstream_std_streams[fd] == 0) {
        vstream_std_streams[fd] = vstream_alloc(fd, std_flags[fd]);
        if (fd == 1 && !registered) {
            registered = 1;
            atexit(vstream_std_flush);
        }
    }
    return vstream_std_streams[fd];
}

void vstream_set_timeouts(VSTREAM *stream, int read_ms, int write_ms)
{
    stream->read_ms = read_ms < 0 ? -1 : read_ms;
    stream->write_ms = write_ms < 0 ? -1 : write_ms;
}

void vstream_set_io(VSTREAM *stream, VSTREAM_IO_FN read_fn, VSTREAM_IO_FN write_fn, void *context)
{
    if (stream->state & VS_MEM)
        msg_panic("vstream_set_io: memory stream");
    stream->read_fn = read_fn;
    stream->write_fn = write_fn;
    stream->io_context = context;
}

void vstream_fpurge(VSTREAM *stream, int how)
{
    if (how & VSTREAM_PURGE_READ)
        stream->rpos = stream->rlen;
    if (how & VSTREAM_PURGE_WRITE)
        stream->wlen = 0;
}

void vstream_set_path(VSTREAM *stream, const char *path)
{
    myfree(stream->path);
    stream->path = path ? mystrdup(path) : 0;
}

const char *vstream_path(VSTREAM *stream)
{
    return stream->path ? stream->path : (stream->state & VS_MEM) ? "memory stream" : "stream";
}

int vstream_fileno(VSTREAM *stream)
{
    return stream->fd;
}

int vstream_feof(VSTREAM *stream)
{
    return (stream->state & VS_EOF) != 0;
}

int vstream_ferror(VSTREAM *stream)
{
    return (stream->state & VS_ERR) != 0;
}

int vstream_ftimeout(VSTREAM *stream)
{
    return (stream->state & VS_TIMEOUT) != 0;
}

void vstream_clearerr(VSTREAM *stream)
{
    stream->state &= ~(VS_EOF | VS_ERR | VS_TIMEOUT);
}

/* Record a failed operation: ETIMEDOUT also sets the timeout flag. */
static void vstream_set_error(VSTREAM *stream, int err)
{
    stream->state |= VS_ERR;
    if (err == ETIMEDOUT)
        stream->state |= VS_TIMEOUT;
    errno = err;
}

/* --- raw I/O ----------------------------------------------------------------- */

/* One read(): bytes read, 0 at end of file, -1 with errno (ETIMEDOUT). */
static ssize_t vstream_raw_read(VSTREAM *stream, void *buf, size_t len, int64_t *deadline)
{
    int waited = 0;

    if (stream->read_fn) {
        ssize_t got;
        while (
            (got = stream->read_fn(stream, buf, len, vstream_time_left(stream->read_ms, deadline),
                                   stream->io_context)) < 0 &&
            errno == EINTR)
            /* retry */;
        return got;
    }
    /* A reply we asked for a moment ago is probably not there yet. */
    int after_write = 0;
    if (stream->wrote_ns != 0) {
        int64_t now = vstream_now_ns();
        after_write = now - stream->wrote_ns < VS_REPLY_NS;
        stream->wrote_ns = 0;
        if (after_write && (stream->state & VS_POLLFIRST)) {
            if (poll_fd(stream->fd, POLLIN, vstream_time_left(stream->read_ms, deadline)) <= 0)
                return -1;
            if (vstream_now_ns() - now < VS_READY_NS)
                stream->state &= ~VS_POLLFIRST; /* it was there: read first next time */
            waited = 1;
            after_write = 0;
        }
    }
    for (;;) {
        /* A blocking descriptor with a deadline must not be read before it is ready. */
        if (!waited && stream->read_ms >= 0 && !(stream->flags & VSTREAM_NONBLOCK)) {
            int ready = poll_fd(stream->fd, POLLIN, vstream_time_left(stream->read_ms, deadline));
            if (ready <= 0)
                return -1;
        }
        ssize_t got = read(stream->fd, buf, len);
        if (got >= 0)
            return got;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        stream->state |= VS_NBSEEN;
        if (after_write)
            stream->state |= VS_POLLFIRST;
        after_write = 0;
        if (poll_fd(stream->fd, POLLIN, vstream_time_left(stream->read_ms, deadline)) <= 0)
            return -1;
        waited = 1;
    }
}

/* Write all of iov[0..count); 0 or -1 with errno (ETIMEDOUT). Modifies iov. */
static int vstream_raw_writev(VSTREAM *stream, struct iovec *iov, int count)
{
    int64_t deadline = 0;

    if (stream->state & VS_MEM) {
        for (int i = 0; i < count; i++) {
            vstring_memcat(stream->mem, iov[i].iov_base, iov[i].iov_len);
            if (vstring_overflowed(stream->mem)) {
                errno = EFBIG;
                return -1;
            }
        }
        return 0;
    }
    while (count > 0 && stream->write_fn) {
        if (iov[0].iov_len == 0) {
            iov++;
            count--;
            continue;
        }
        ssize_t put =
            stream->write_fn(stream, iov[0].iov_base, iov[0].iov_len,
                             vstream_time_left(stream->write_ms, &deadline), stream->io_context);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0) {
            if (put == 0)
                errno = EIO;
            return -1;
        }
        iov[0].iov_base = (char *)iov[0].iov_base + put;
        iov[0].iov_len -= (size_t)put;
    }
    while (count > 0) {
        if (iov[0].iov_len == 0) {
            iov++;
            count--;
            continue;
        }
        if (stream->write_ms >= 0 && !(stream->flags & VSTREAM_NONBLOCK)) {
            int ready =
                poll_fd(stream->fd, POLLOUT, vstream_time_left(stream->write_ms, &deadline));
            if (ready <= 0)
                return -1;
        }
        ssize_t put = count == 1 ? write(stream->fd, iov[0].iov_base, iov[0].iov_len)
                                 : writev(stream->fd, iov, count);
        if (put < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            if (poll_fd(stream->fd, POLLOUT, vstream_time_left(stream->write_ms, &deadline)) <= 0)
                return -1;
            continue;
        }
        size_t done = (size_t)put;
        while (count > 0 && done >= iov[0].iov_len) {
            done -= iov[0].iov_len;
            iov++;
            count--;
        }
        if (count > 0) {
            iov[0].iov_base = (char *)iov[0].iov_base + done;
            iov[0].iov_len -= done;
        }
    }
    return 0;
}

/* --- writing ------------------------------------------------------------------ */

int vstream_fflush(VSTREAM *stream)
{
    struct iovec iov[1];

    if (stream->wlen == 0)
        return 0;
    iov[0].iov_base = stream->wbuf;
    iov[0].iov_len = stream->wlen;
    stream->wlen = 0; /* on error the data is lost either way */
    if (vstream_raw_writev(stream, iov, 1) < 0) {
        vstream_set_error(stream, errno);
        return VSTREAM_EOF;
    }
    if (!(stream->state & VS_MEM) && stream->read_fn == 0 && (stream->flags & VSTREAM_READ) &&
        (stream->flags & VSTREAM_NONBLOCK || stream->state & VS_NBSEEN))
        stream->wrote_ns = vstream_now_ns();
    return 0;
}

/*
 * Make the stream ready for output.  On a seekable read-write descriptor the
 * file offset is past the read-ahead; move it back so that output lands at
 * the logical position.  Returns 0, or -1 when the stream has failed.
 */
static int vstream_prepare_write(VSTREAM *stream)
{
    if (!(stream->flags & VSTREAM_WRITE))
        msg_panic("%s: write to a stream not opened for writing", vstream_path(stream));
    if (stream->state & VS_ERR)
        return -1;
    if (stream->wbuf == 0) {
        stream->wsize = (stream->state & VS_MEM) ? VSTREAM_MEM_BUFSIZE : VSTREAM_BUFSIZE;
        stream->wbuf = mymalloc(stream->wsize);
    }
    if (stream->rpos < stream->rlen && !(stream->state & (VS_NOSEEK | VS_MEM))) {
        off_t back = (off_t)(stream->rlen - stream->rpos);
        if (lseek(stream->fd, -back, SEEK_CUR) >= 0) {
            stream->rpos = stream->rlen = 0;
            stream->state &= ~VS_EOF;
        } else if (errno == ESPIPE) {
            stream->state |= VS_NOSEEK;
        } else {
            vstream_set_error(stream, errno);
            return -1;
        }
    }
    return 0;
}

static int vstream_after_write(VSTREAM *stream)
{
    if ((stream->flags & VSTREAM_AUTOFLUSH) && vstream_fflush(stream) < 0)
        return -1;
    return 0;
}

size_t vstream_fwrite(VSTREAM *stream, const void *buf, size_t len)
{
    const char *cp = buf;

    if (vstream_prepare_write(stream) < 0)
        return 0;
    size_t room = stream->wsize - stream->wlen;
    if (len <= room) {
        memcpy(stream->wbuf + stream->wlen, cp, len);
        stream->wlen += len;
    } else if (len >= stream->wsize) {
        /* Large write: buffered data and the caller's in one system call. */
        struct iovec iov[2];
        iov[0].iov_base = stream->wbuf;
        iov[0].iov_len = stream->wlen;
        iov[1].iov_base = (void *)cp;
        iov[1].iov_len = len;
        stream->wlen = 0;
        if (vstream_raw_writev(stream, iov, 2) < 0) {
            vstream_set_error(stream, errno);
            return 0;
        }
    } else {
        memcpy(stream->wbuf + stream->wlen, cp, room);
        stream->wlen = stream->wsize;
        if (vstream_fflush(stream) < 0)
            return 0;
        memcpy(stream->wbuf, cp + room, len - room);
        stream->wlen = len - room;
    }
    if (vstream_after_write(stream) < 0)
        return 0;
    return len;
}

int vstream_fputc(VSTREAM *stream, int ch)
{
    unsigned char c = (unsigned char)ch;

    if (stream->wbuf && stream->wlen < stream->wsize && stream->rpos >= stream->rlen &&
        !(stream->state & VS_ERR) && !(stream->flags & VSTREAM_AUTOFLUSH)) {
        stream->wbuf[stream->wlen++] = (char)c;
        return c;
    }
    return vstream_fwrite(stream, &c, 1) == 1 ? c : VSTREAM_EOF;
}

int vstream_fputs(VSTREAM *stream, const char *str)
{
    size_t len = strlen(str);

    return vstream_fwrite(stream, str, len) == len ? 0 : VSTREAM_EOF;
}

int vstream_vfprintf(VSTREAM *stream, const char *fmt, va_list ap)
{
    va_list ap2;

    if (vstream_prepare_write(stream) < 0)
        return VSTREAM_EOF;
    size_t room = stream->wsize - stream->wlen;
    va_copy(ap2, ap);
    int need = vsnprintf(stream->wbuf + stream->wlen, room, fmt, ap2);
    va_end(ap2);
    if (need < 0)
        msg_panic("vstream_vfprintf: bad format \"%s\"", fmt);
    if ((size_t)need < room) {
        stream->wlen += (size_t)need;
        if (vstream_after_write(stream) < 0)
            return VSTREAM_EOF;
        return need;
    }
    VSTRING *tmp = vstring_alloc((size_t)need);
    vstring_vsprintf_append(tmp, fmt, ap);
    size_t put = vstream_fwrite(stream, vstring_str(tmp), VSTRING_LEN(tmp));
    vstring_free(tmp);
    return put == (size_t)need ? need : VSTREAM_EOF;
}

int vstream_fprintf(VSTREAM *stream, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int ret = vstream_vfprintf(stream, fmt, ap);
    va_end(ap);
    return ret;
}

/* --- reading ------------------------------------------------------------------ */

/* Before waiting for input: check the mode and state, send pending output. */
static int vstream_prepare_read(VSTREAM *stream)
{
    if (!(stream->flags & VSTREAM_READ))
        msg_panic("%s: read from a stream not opened for reading", vstream_path(stream));
    if (stream->state & (VS_EOF | VS_ERR))
        return -1;
    if (stream->state & VS_MEM) {
        stream->state |= VS_EOF;
        return -1;
    }
    if (stream->wlen > 0 && vstream_fflush(stream) < 0)
        return -1;
    return 0;
}

/* Refill an empty read buffer: bytes read, or 0 at end of file / error / timeout. */
static size_t vstream_fill(VSTREAM *stream, int64_t *deadline)
{
    if (vstream_prepare_read(stream) < 0)
        return 0;
    if (stream->rbuf == 0) {
        stream->rsize = VSTREAM_BUFSIZE;
        stream->rbuf = mymalloc(stream->rsize);
    }
    stream->rpos = stream->rlen = 0;
    ssize_t got = vstream_raw_read(stream, stream->rbuf, stream->rsize, deadline);
    if (got > 0) {
        stream->rlen = (size_t)got;
        return (size_t)got;
    }
    if (got == 0)
        stream->state |= VS_EOF;
    else
        vstream_set_error(stream, errno);
    return 0;
}

int vstream_getc(VSTREAM *stream)
{
    int64_t deadline = 0;

    if (stream->rpos >= stream->rlen && vstream_fill(stream, &deadline) == 0)
        return VSTREAM_EOF;
    return (unsigned char)stream->rbuf[stream->rpos++];
}

int vstream_ungetc(VSTREAM *stream, int ch)
{
    if (ch == VSTREAM_EOF || stream->rpos == 0)
        return VSTREAM_EOF;
    if ((unsigned char)stream->rbuf[stream->rpos - 1] != (unsigned char)ch) {
        if (stream->rsize == 0) /* memory stream: not our bytes */
            return VSTREAM_EOF;
        stream->rbuf[stream->rpos - 1] = (char)ch;
    }
    stream->rpos--;
    stream->state &= ~VS_EOF;
    return (unsigned char)ch;
}

size_t vstream_peek(VSTREAM *stream)
{
    return stream->rlen - stream->rpos;
}

size_t vstream_fread(VSTREAM *stream, void *buf, size_t len)
{
    char *cp = buf;
    size_t done = 0;
    int64_t deadline = 0;

    while (done < len) {
        size_t avail = stream->rlen - stream->rpos;
        if (avail > 0) {
            size_t take = avail < len - done ? avail : len - done;
            memcpy(cp + done, stream->rbuf + stream->rpos, take);
            stream->rpos += take;
            done += take;
            continue;
        }
        if (len - done >= VSTREAM_BUFSIZE) {
            /* Large read: straight into the caller's memory. */
            if (vstream_prepare_read(stream) < 0)
                break;
            ssize_t got = vstream_raw_read(stream, cp + done, len - done, &deadline);
            if (got > 0) {
                done += (size_t)got;
                continue;
            }
            if (got == 0)
                stream->state |= VS_EOF;
            else
                vstream_set_error(stream, errno);
            break;
        }
        if (vstream_fill(stream, &deadline) == 0)
            break;
    }
    return done;
}

int vstream_get_line(VSTREAM *stream, VSTRING *vp, size_t maxlen, int flags)
{
    size_t taken = 0;   /* bytes consumed for this line */
    int pending_cr = 0; /* a CR ended the last chunk */
    int64_t deadline = 0;

    if (maxlen < 2)
        msg_panic("vstream_get_line: maxlen %zu < 2", maxlen);
    if (!(flags & VSTREAM_LINE_APPEND))
        vstring_reset(vp);
    for (;;) {
        if (stream->rpos >= stream->rlen && vstream_fill(stream, &deadline) == 0) {
            if (pending_cr)
                vstring_addch(vp, '\r');
            if (stream->state & VS_TIMEOUT)
                return VSTREAM_LINE_TIMEOUT;
            if (stream->state & VS_ERR)
                return VSTREAM_LINE_ERROR;
            return taken ? VSTREAM_LINE_NOEOL : VSTREAM_LINE_EOF;
        }
        char *cp = stream->rbuf + stream->rpos;
        size_t avail = stream->rlen - stream->rpos;
        size_t window = avail < maxlen - taken ? avail : maxlen - taken;
        char *lf = memchr(cp, '\n', window);

        if (lf) {
            size_t before = (size_t)(lf - cp);
            int crlf = before ? cp[before - 1] == '\r' : pending_cr;
            if (before && pending_cr)
                vstring_addch(vp, '\r'); /* CR then data: just data */
            vstring_memcat(vp, cp, before - (before && crlf));
            if (!(flags & VSTREAM_LINE_STRIP))
                vstring_memcat(vp, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
            stream->rpos += before + 1;
            return crlf ? VSTREAM_LINE_CRLF : VSTREAM_LINE_LF;
        }
        if (pending_cr)
            vstring_addch(vp, '\r');
        pending_cr = cp[window - 1] == '\r';
        vstring_memcat(vp, cp, window - pending_cr);
        stream->rpos += window;
        taken += window;
        if (taken >= maxlen) {
            /* Never split CR from a LF that may follow: leave the CR unread. */
            if (pending_cr)
                stream->rpos--;
            return VSTREAM_LINE_LONG;
        }
    }
}

/* --- positioning and closing ----------------------------------------------------- */

off_t vstream_fseek(VSTREAM *stream, off_t offset, int whence)
{
    if (vstream_fflush(stream) < 0)
        return -1;
    if (stream->state & VS_MEM) {
        off_t base = whence == SEEK_SET   ? 0
                     : whence == SEEK_CUR ? (off_t)stream->rpos
                                          : (off_t)VSTRING_LEN(stream->mem);
        off_t pos = base + offset;
        if (!(stream->flags & VSTREAM_READ) || whence < SEEK_SET || whence > SEEK_END || pos < 0 ||
            pos > (off_t)stream->rlen) {
            errno = EINVAL;
            return -1;
        }
        stream->rpos = (size_t)pos;
        stream->state &= ~VS_EOF;
        return pos;
    }
    if (whence == SEEK_CUR)
        offset -= (off_t)(stream->rlen - stream->rpos);
    off_t pos = lseek(stream->fd, offset, whence);
    if (pos < 0)
        return -1;
    stream->rpos = stream->rlen = 0;
    stream->state &= ~VS_EOF;
    return pos;
}

off_t vstream_ftell(VSTREAM *stream)
{
    if (stream->state & VS_MEM)
        return (stream->flags & VSTREAM_READ) ? (off_t)stream->rpos
                                              : (off_t)(VSTRING_LEN(stream->mem) + stream->wlen);
    off_t pos = lseek(stream->fd, 0, SEEK_CUR);
    if (pos < 0)
        return -1;
    return pos - (off_t)(stream->rlen - stream->rpos) + (off_t)stream->wlen;
}

int vstream_fclose(VSTREAM *stream)
{
    int ret = 0;
    int err = 0;

    if ((stream->flags & VSTREAM_WRITE) && vstream_fflush(stream) < 0) {
        ret = VSTREAM_EOF;
        err = errno;
    }
    if (stream->fd >= 0 && !(stream->flags & VSTREAM_NOCLOSE) && close(stream->fd) < 0 &&
        ret == 0) {
        ret = VSTREAM_EOF;
        err = errno;
    }
    for (int i = 0; i < 3; i++)
        if (vstream_std_streams[i] == stream)
            vstream_std_streams[i] = 0;
    if (stream->rsize)
        myfree(stream->rbuf);
    myfree(stream->wbuf);
    myfree(stream->path);
    myfree(stream);
    if (ret)
        errno = err;
    return ret;
}
