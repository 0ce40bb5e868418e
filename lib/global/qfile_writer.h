/*
 * qfile_writer - write a complete queue file with few system calls.
 *
 * The writer builds the file in one memory batch and writes it with one
 * write(2) at the end (a large message is written in 64 KB pieces as it
 * grows), so a typical message costs open, fstat, rename, write, fchmod,
 * fsync.  The size record is filled in before the single write; only when
 * the file was already partly written is it patched with one pwrite.  The
 * records and their order are those of Postfix's cleanup (QUEUE_FORMAT.md).
 *
 *   w = qfile_writer_create(conf, queue, mode)
 *                      make a new file (mail_queue_enter) with the given
 *                      mode (0600: incomplete) and start the batch with a
 *                      size record placeholder; null with errno on error
 *   qfile_writer_id(w), qfile_writer_fd(w), qfile_writer_time(w)
 *                      the queue id, the descriptor, the creation time
 *   qfile_writer_batch(w)   the batch, for envelope records the caller adds
 *                      itself with rec_put_* (T, A, F, S, W, V, ...)
 *   qfile_writer_size(w)    the size record fields; the caller may set
 *                      qmgr_opts and smtputf8, the rest is computed
 *   qfile_writer_rcpt(w, notify, orcpt_type, orcpt, orig, rcpt)
 *                      one recipient group: [A notify_flags] A dsn_orig_rcpt
 *                      O R; notify 0 means none given; orcpt null means
 *                      "rfc822;rcpt", orcpt "" no dsn_orig_rcpt record (a
 *                      recipient the MTA added: always_bcc and friends, as
 *                      Postfix writes them, its NOTIFY not counted in the
 *                      size record); orig null means rcpt.  Counts the
 *                      recipient and its NOTIFY flags for the size record
 *   qfile_writer_content(w)   the 'M' record; the content starts after it
 *   qfile_writer_line(w, line, len)   one content line (no newline): 'L'
 *                      pieces of exactly the piece size while at least that
 *                      much is left, then an 'N' with the rest (maybe empty),
 *                      as Postfix stores a line of 4096 bytes: L L N(0)
 *   qfile_writer_extracted(w)   the 'X' record; extracted records follow
 *   qfile_writer_finish(w, mode)
 *                      the 'E' record, the size record, the write(s),
 *                      fchmod(mode) (0700: complete), then one fsync that
 *                      makes content and mode durable together.  Returns
 *                      0, or -1 with errno (the file is left incomplete
 *                      for qfile_writer_abort)
 *   qfile_writer_abort(w)   remove the file (when not finished)
 *   qfile_writer_free(w)    close and free; a finished file stays
 *
 * Errors are returned, never fatal: a disk full or I/O error must become a
 * 4xx reply, not a dead daemon.  Calls in the wrong order are bugs
 * (msg_panic).
 */
#ifndef POSTERN_QFILE_WRITER_H
#define POSTERN_QFILE_WRITER_H

#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

#include "mail_queue.h"
#include "record.h"
#include "vstring.h"

#define QFILE_WRITER_PIECE 2048        /* content piece size, as Postfix */
#define QFILE_WRITER_FLUSH (64 * 1024) /* write the batch when it grows past this */

typedef struct QFILE_WRITER QFILE_WRITER;

extern QFILE_WRITER *qfile_writer_create(const MAIL_QUEUE_CONF *conf, const char *queue,
                                         mode_t mode);
extern const char *qfile_writer_id(const QFILE_WRITER *w);
extern int qfile_writer_fd(const QFILE_WRITER *w);
extern struct timeval qfile_writer_time(const QFILE_WRITER *w);
extern VSTRING *qfile_writer_batch(QFILE_WRITER *w);
extern REC_SIZE *qfile_writer_size(QFILE_WRITER *w);
extern int qfile_writer_rcpt(QFILE_WRITER *w, int notify, const char *orcpt_type, const char *orcpt,
                             const char *orig, const char *rcpt);
extern int qfile_writer_content(QFILE_WRITER *w);
extern int qfile_writer_line(QFILE_WRITER *w, const char *line, size_t len);
extern int qfile_writer_extracted(QFILE_WRITER *w);
extern int qfile_writer_finish(QFILE_WRITER *w, mode_t mode);
extern int qfile_writer_abort(QFILE_WRITER *w);
extern void qfile_writer_free(QFILE_WRITER *w);

#endif
