/*
 * local_copy - write one queued message into a mailbox file, the way
 * Postfix's local(8) lays it out.
 *
 *   status = local_copy(src_fd, data_offset, dst_fd, attr, why)
 *
 * Reads the message content from the queue file src_fd, starting at
 * data_offset (the first record after 'M'; pointer records are followed),
 * up to the 'X' record, and appends it to dst_fd (opened O_APPEND, locked
 * by the caller).  attr->flags chooses what is added around the content:
 *
 *   LOCAL_COPY_FROM       "From sender  Www Mmm dd hh:mm:ss yyyy" first
 *                         (MAILER-DAEMON for the null sender; the date is
 *                         asctime() of attr->now in the local time zone)
 *   LOCAL_COPY_RETURN     "Return-Path: <sender>"
 *   LOCAL_COPY_ORIG_RCPT  "X-Original-To: orig_rcpt" (left out when empty)
 *   LOCAL_COPY_DELIVERED  "Delivered-To: delivered"
 *   LOCAL_COPY_QUOTE      ">" before content lines that start "From "
 *                         (only where a line starts, not inside the pieces
 *                         of a long line; ">From " is left alone)
 *   LOCAL_COPY_BLANK      an empty line after the message
 *   LOCAL_COPY_MBOX       all of the above (mbox files)
 *   LOCAL_COPY_MAILDIR    Return-Path, X-Original-To, Delivered-To only
 * Addresses are written in external form (quote_822_local).  Content
 * records become lines: 'N' is a line (a newline is added), 'L' a piece
 * of a longer line (no newline).
 *
 * The file may grow to attr->limit bytes (0: no limit); a message that
 * would make it larger fails with EFBIG ("File too large"), as a write
 * past RLIMIT_FSIZE would.  On success the data is fsync'ed before
 * local_copy returns; on any failure the file is truncated back to the
 * size it had when local_copy started, so a failed delivery never leaves a
 * half message in a mailbox.
 *
 * Returns LOCAL_COPY_OK, LOCAL_COPY_CORRUPT (the queue file is damaged:
 * why = 4.3.0 "corrupted queue file") or LOCAL_COPY_WRITE (why holds the
 * DSN chosen from errno, see local_copy_dsn, and "error writing message:
 * <strerror>").  Writes go out in 64 KB pieces, so a message costs a few
 * system calls, not one per line.
 *
 *   local_copy_dsn(err, def)   the enhanced status for a mailbox error:
 *                              ENOSPC 4.3.1, EDQUOT and EFBIG 5.2.2
 *                              (mailbox full), EAGAIN and ESTALE 4.2.0,
 *                              anything else def
 */
#ifndef POSTERN_LOCAL_COPY_H
#define POSTERN_LOCAL_COPY_H

#include <sys/types.h>
#include <time.h>

#include "local_why.h"

#define LOCAL_COPY_FROM      (1 << 0)
#define LOCAL_COPY_QUOTE     (1 << 1)
#define LOCAL_COPY_BLANK     (1 << 2)
#define LOCAL_COPY_RETURN    (1 << 3)
#define LOCAL_COPY_ORIG_RCPT (1 << 4)
#define LOCAL_COPY_DELIVERED (1 << 5)
#define LOCAL_COPY_MAILDIR   (LOCAL_COPY_RETURN | LOCAL_COPY_ORIG_RCPT | LOCAL_COPY_DELIVERED)
#define LOCAL_COPY_MBOX      (LOCAL_COPY_MAILDIR | LOCAL_COPY_FROM | LOCAL_COPY_QUOTE | LOCAL_COPY_BLANK)

#define LOCAL_COPY_OK      0
#define LOCAL_COPY_CORRUPT 1
#define LOCAL_COPY_WRITE   2

typedef struct LOCAL_COPY_ATTR {
    const char *sender;    /* internal form, "" = null sender */
    const char *orig_rcpt; /* internal form, "" = no X-Original-To */
    const char *delivered; /* internal form */
    time_t now;            /* for the From line */
    int flags;             /* LOCAL_COPY_ */
    off_t limit;           /* maximal file size, 0 = none */
} LOCAL_COPY_ATTR;

extern int local_copy(int src_fd, off_t data_offset, int dst_fd, const LOCAL_COPY_ATTR *attr,
                      LOCAL_WHY *why);
extern const char *local_copy_dsn(int err, const char *def);

#endif
