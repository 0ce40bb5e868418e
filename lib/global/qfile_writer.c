/*
 * qfile_writer - write a complete queue file with few system calls (see
 * qfile_writer.h).
 *
 * The file's bytes are the bytes already written (w->written) followed by
 * the batch; an offset in the file is therefore w->written plus a position
 * in the batch.  The size record sits at offset 0 with a fixed width, so it
 * is patched in the batch when nothing was written yet, else on disk.
 */
#include "qfile_writer.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"
#include "record.h"

#define QW_ENVELOPE  0
#define QW_CONTENT   1
#define QW_EXTRACTED 2
#define QW_FINISHED  3

struct QFILE_WRITER {
    MAIL_QUEUE_CONF conf;
    char *queue;
    VSTRING *id;
    int fd;
    struct timeval tv;
    VSTRING *batch;
    off_t written; /* bytes already on disk */
    int state;
    int error; /* errno of the first failure */
    REC_SIZE size;
    off_t content_start;
    long notify_union;
    mode_t create_mode; /* the "incomplete" mode */
};

static off_t qw_offset(const QFILE_WRITER *w)
{
    return w->written + (off_t)VSTRING_LEN(w->batch);
}

/* qw_flush - write the batch once it is large */

static int qw_flush(QFILE_WRITER *w, size_t threshold)
{
    size_t len = VSTRING_LEN(w->batch);

    if (w->error) {
        errno = w->error;
        return -1;
    }
    if (len < threshold || len == 0)
        return 0;
    if (rec_write_batch(w->fd, w->batch) < 0) {
        w->error = errno ? errno : EIO;
        return -1;
    }
    w->written += (off_t)len;
    return 0;
}

QFILE_WRITER *qfile_writer_create(const MAIL_QUEUE_CONF *conf, const char *queue, mode_t mode)
{
    QFILE_WRITER *w = mycalloc(1, sizeof(*w));

    w->conf = *conf;
    w->create_mode = mode;
    w->queue = mystrdup(queue);
    w->id = vstring_alloc(32);
    w->batch = vstring_alloc(8192);
    if ((w->fd = mail_queue_enter(conf, queue, mode, w->id, &w->tv)) < 0) {
        int saved = errno;

        qfile_writer_free(w);
        errno = saved;
        return 0;
    }
    rec_size_format(w->batch, &w->size); /* placeholder, fixed width */
    return w;
}

const char *qfile_writer_id(const QFILE_WRITER *w)
{
    return vstring_str(w->id);
}

int qfile_writer_fd(const QFILE_WRITER *w)
{
    return w->fd;
}

struct timeval qfile_writer_time(const QFILE_WRITER *w)
{
    return w->tv;
}

VSTRING *qfile_writer_batch(QFILE_WRITER *w)
{
    return w->batch;
}

REC_SIZE *qfile_writer_size(QFILE_WRITER *w)
{
    return &w->size;
}

int qfile_writer_rcpt(QFILE_WRITER *w, int notify, const char *orcpt_type, const char *orcpt,
                      const char *orig, const char *rcpt)
{
    if (w->state != QW_ENVELOPE && w->state != QW_EXTRACTED)
        msg_panic("qfile_writer_rcpt: not in the envelope or extracted segment");
    if (notify > 0) {
        rec_sprintf(w->batch, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_NOTIFY, notify);
        /* As Postfix: what the MTA added does not count for the size record. */
        if (!(orcpt && *orcpt == 0))
            w->notify_union |= notify;
    }
    if (orcpt && *orcpt == 0)
        /* none at all: a recipient the MTA added itself (always_bcc, ...) */;
    else if (orcpt)
        rec_sprintf(w->batch, REC_TYPE_ATTR, "%s=%s;%s", MAIL_ATTR_DSN_ORCPT,
                    orcpt_type ? orcpt_type : "rfc822", orcpt);
    else
        rec_sprintf(w->batch, REC_TYPE_ATTR, "%s=rfc822;%s", MAIL_ATTR_DSN_ORCPT, rcpt);
    rec_put_str(w->batch, REC_TYPE_ORCP, orig ? orig : rcpt);
    rec_put_str(w->batch, REC_TYPE_RCPT, rcpt);
    w->size.rcpt_count++;
    return qw_flush(w, QFILE_WRITER_FLUSH);
}

int qfile_writer_content(QFILE_WRITER *w)
{
    if (w->state != QW_ENVELOPE)
        msg_panic("qfile_writer_content: content already started");
    rec_put_buf(w->batch, REC_TYPE_MESG, "", 0);
    w->content_start = qw_offset(w);
    w->state = QW_CONTENT;
    return qw_flush(w, QFILE_WRITER_FLUSH);
}

int qfile_writer_line(QFILE_WRITER *w, const char *line, size_t len)
{
    if (w->state != QW_CONTENT)
        msg_panic("qfile_writer_line: not in the content");
    while (len >= QFILE_WRITER_PIECE) {
        rec_put_buf(w->batch, REC_TYPE_CONT, line, QFILE_WRITER_PIECE);
        line += QFILE_WRITER_PIECE;
        len -= QFILE_WRITER_PIECE;
    }
    rec_put_buf(w->batch, REC_TYPE_NORM, line, len);
    return qw_flush(w, QFILE_WRITER_FLUSH);
}

int qfile_writer_extracted(QFILE_WRITER *w)
{
    if (w->state != QW_CONTENT)
        msg_panic("qfile_writer_extracted: content not started or already ended");
    w->size.data_offset = (long)w->content_start;
    w->size.data_size = (long)(qw_offset(w) - w->content_start);
    w->size.content_length = w->size.data_size;
    rec_put_buf(w->batch, REC_TYPE_XTRA, "", 0);
    w->state = QW_EXTRACTED;
    return qw_flush(w, QFILE_WRITER_FLUSH);
}

int qfile_writer_finish(QFILE_WRITER *w, mode_t mode)
{
    if (w->state != QW_EXTRACTED)
        msg_panic("qfile_writer_finish: extracted segment not started");
    rec_put_buf(w->batch, REC_TYPE_END, "", 0);
    w->size.qmgr_opts |= w->notify_union << 1;
    if (w->written == 0) {
        /* Still all in memory: fill in the size record before the write. */
        VSTRING *rec = vstring_alloc(REC_TYPE_SIZE_WIDTH + 2);

        rec_size_format(rec, &w->size);
        if (VSTRING_LEN(rec) != REC_TYPE_SIZE_WIDTH + 2) {
            vstring_free(rec);
            errno = ERANGE;
            return -1;
        }
        memcpy(vstring_str(w->batch), vstring_str(rec), VSTRING_LEN(rec));
        vstring_free(rec);
        if (qw_flush(w, 1) < 0)
            return -1;
    } else if (qw_flush(w, 1) < 0 || rec_size_update(w->fd, &w->size) < 0) {
        return -1;
    }
    /*
     * The mode is the "complete" mark, so it must be on disk before the
     * client hears 250: fchmod first, then one fsync for data and mode.
     * (fsync first left a window of up to a writeback interval in which a
     * crash kept an acknowledged file at 0600, which qmgr skips forever.)
     * A crash between the two leaves an unacknowledged file that may be
     * 0700 but short; qmgr's whole-file check sends it to corrupt/.
     */
    if (fchmod(w->fd, mode) < 0)
        return -1;
    if (fsync(w->fd) < 0) {
        int saved = errno;

        (void)fchmod(w->fd, w->create_mode); /* not complete after all */
        errno = saved;
        return -1;
    }
    w->state = QW_FINISHED;
    return 0;
}

int qfile_writer_abort(QFILE_WRITER *w)
{
    if (w->state == QW_FINISHED)
        msg_panic("qfile_writer_abort: file already finished");
    return mail_queue_remove(&w->conf, w->queue, vstring_str(w->id));
}

void qfile_writer_free(QFILE_WRITER *w)
{
    if (w == 0)
        return;
    if (w->fd >= 0)
        (void)close(w->fd);
    myfree(w->queue);
    vstring_free(w->id);
    vstring_free(w->batch);
    myfree(w);
}
