/*
 * local_copy - write one queued message into a mailbox file (see
 * local_copy.h for the interface and the layout it produces).
 *
 * Implementation notes: output is collected in one VSTRING and written in
 * LOCAL_COPY_CHUNK pieces; the size limit is checked before each write so
 * that the file never grows past it.  Failure paths truncate the file to
 * its size at entry (the caller holds the mailbox locks, so nobody else
 * appended meanwhile).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "local_copy.h"
#include "msg.h"
#include "quote_822_local.h"
#include "rec_type.h"
#include "record.h"
#include "vstring.h"

#define LOCAL_COPY_CHUNK (64 * 1024)
#define MAILER_DAEMON    "MAILER-DAEMON"

typedef struct LOCAL_COPY_OUT {
    int fd;
    off_t size;  /* file size so far */
    off_t limit; /* 0 = none */
    VSTRING *buf;
} LOCAL_COPY_OUT;

static VSTRING *local_copy_outbuf; /* reused: see local_copy() */
static VSTRING *local_copy_data;

/* local_copy_dsn - enhanced status for a mailbox write error */

const char *local_copy_dsn(int err, const char *def)
{
    switch (err) {
    case ENOSPC:
        return "4.3.1";
    case EDQUOT:
    case EFBIG:
        return "5.2.2";
    case EAGAIN:
    case ESTALE:
        return "4.2.0";
    default:
        return def;
    }
}

/* local_copy_flush - write out what is buffered; -1 with errno */

static int local_copy_flush(LOCAL_COPY_OUT *out)
{
    const char *p = vstring_str(out->buf);
    size_t left = VSTRING_LEN(out->buf);
    ssize_t n;

    if (out->limit > 0 && (off_t)left > out->limit - out->size) {
        errno = EFBIG;
        return -1;
    }
    while (left > 0) {
        n = write(out->fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        left -= (size_t)n;
        out->size += n;
    }
    vstring_reset(out->buf);
    return 0;
}

/* local_copy_header - one "Name: address" line in external form */

static void local_copy_header(VSTRING *buf, VSTRING *tmp, const char *name, const char *addr,
                              int angle)
{
    quote_822_local(tmp, addr);
    vstring_sprintf_append(buf, angle ? "%s: <%s>\n" : "%s: %s\n", name, vstring_str(tmp));
}

/* local_copy_prologue - the From line and the headers local adds */

static void local_copy_prologue(VSTRING *buf, const LOCAL_COPY_ATTR *attr)
{
    VSTRING *tmp = vstring_alloc(100);
    struct tm *tm;
    char date[64];

    if (attr->flags & LOCAL_COPY_FROM) {
        /* asctime() form, "Wed Dec  2 16:00:20 2026", without its newline. */
        tm = localtime(&attr->now);
        if (tm == 0 || strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", tm) == 0)
            strcpy(date, "Thu Jan  1 00:00:00 1970");
        quote_822_local(tmp, attr->sender);
        vstring_sprintf_append(buf, "From %s  %s\n",
                               *attr->sender ? vstring_str(tmp) : MAILER_DAEMON, date);
    }
    if (attr->flags & LOCAL_COPY_RETURN)
        local_copy_header(buf, tmp, "Return-Path", attr->sender, 1);
    if ((attr->flags & LOCAL_COPY_ORIG_RCPT) && *attr->orig_rcpt)
        local_copy_header(buf, tmp, "X-Original-To", attr->orig_rcpt, 0);
    if (attr->flags & LOCAL_COPY_DELIVERED)
        local_copy_header(buf, tmp, "Delivered-To", attr->delivered, 0);
    vstring_free(tmp);
}

/* local_copy - see local_copy.h */

int local_copy(int src_fd, off_t data_offset, int dst_fd, const LOCAL_COPY_ATTR *attr,
               LOCAL_WHY *why)
{
    LOCAL_COPY_OUT out;
    REC_READER *rp;
    VSTRING *data;
    struct stat st;
    int type;
    int prev = REC_TYPE_NORM;
    int status = LOCAL_COPY_OK;
    int saved_errno;

    if (fstat(dst_fd, &st) < 0) {
        local_why_dsn(why, "4.3.0", "cannot stat mailbox file: %s", strerror(errno));
        return LOCAL_COPY_WRITE;
    }
    /*
     * The buffers are kept from one delivery to the next: allocating and
     * freeing 68 KB each time made malloc grow and trim the heap, two
     * brk(2) calls per delivery.
     */
    if (local_copy_outbuf == 0) {
        local_copy_outbuf = vstring_alloc(LOCAL_COPY_CHUNK + 4096);
        local_copy_data = vstring_alloc(4096);
    }
    out.fd = dst_fd;
    out.size = st.st_size;
    out.limit = attr->limit;
    out.buf = vstring_reset(local_copy_outbuf);
    data = local_copy_data;

    local_copy_prologue(out.buf, attr);

    rp = rec_reader_fd(src_fd, 0, REC_FLAG_FOLLOW_PTR);
    if (rec_reader_seek(rp, data_offset) < 0) {
        status = LOCAL_COPY_CORRUPT;
    } else {
        for (;;) {
            type = rec_get(rp, data);
            if (type == REC_TYPE_XTRA)
                break;
            if (type != REC_TYPE_NORM && type != REC_TYPE_CONT) {
                /* EOF, ERROR, or an envelope record inside the content. */
                if (type == REC_TYPE_ERROR)
                    msg_warn("queue file content at offset %ld: %s", (long)data_offset,
                             rec_reader_error(rp));
                status = LOCAL_COPY_CORRUPT;
                break;
            }
            if ((attr->flags & LOCAL_COPY_QUOTE) && prev == REC_TYPE_NORM &&
                VSTRING_LEN(data) >= 5 && memcmp(vstring_str(data), "From ", 5) == 0)
                vstring_addch(out.buf, '>');
            vstring_memcat(out.buf, vstring_str(data), VSTRING_LEN(data));
            if (type == REC_TYPE_NORM)
                vstring_addch(out.buf, '\n');
            prev = type;
            if (VSTRING_LEN(out.buf) >= LOCAL_COPY_CHUNK && local_copy_flush(&out) < 0) {
                status = LOCAL_COPY_WRITE;
                break;
            }
        }
    }
    rec_reader_free(rp);

    if (status == LOCAL_COPY_OK) {
        if (prev == REC_TYPE_CONT)
            vstring_addch(out.buf, '\n');
        if (attr->flags & LOCAL_COPY_BLANK)
            vstring_addch(out.buf, '\n');
        if (local_copy_flush(&out) < 0 || fsync(dst_fd) < 0)
            status = LOCAL_COPY_WRITE;
    }
    saved_errno = errno;
    vstring_reset(out.buf);

    if (status == LOCAL_COPY_OK)
        return LOCAL_COPY_OK;

    /* Never leave half a message behind. */
    if (ftruncate(dst_fd, st.st_size) < 0)
        msg_warn("cannot truncate mailbox file back to %ld bytes: %m", (long)st.st_size);
    if (status == LOCAL_COPY_CORRUPT)
        local_why_dsn(why, "4.3.0", "corrupted queue file");
    else
        local_why_dsn(why, local_copy_dsn(saved_errno, "4.3.0"), "error writing message: %s",
                      strerror(saved_errno));
    return status;
}
