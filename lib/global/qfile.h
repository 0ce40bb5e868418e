/*
 * qfile - check that a queue file is complete and well formed.
 *
 * Every reader of a queue file must distrust it (it may be cut short by a
 * crash, damaged on disk, or written by a buggy or old program).  qmgr runs
 * qfile_check() before it schedules a file and moves a file that fails to
 * corrupt/; other readers use it to turn "garbage" into a clear log line.
 *
 *   qfile_check(rp, flags, info, why)  read every record from rp (which
 *                                      must follow pointers) and check:
 *                                      every type is known; the file opens
 *                                      with the size record (or, with
 *                                      QFILE_FLAG_MAILDROP, any envelope
 *                                      record, as postdrop writes); the
 *                                      segments come in order envelope,
 *                                      'M' content, 'X' extracted, 'E';
 *                                      each record is allowed in its
 *                                      segment; there is one sender; the
 *                                      size record's content offset is
 *                                      where the content starts; the input
 *                                      is not truncated and ends with 'E'.
 *                                      Returns 0, or -1 with the reason in
 *                                      why (including the record offset).
 *                                      info, if not null, receives counts.
 */
#ifndef POSTERN_QFILE_H
#define POSTERN_QFILE_H

#include <sys/types.h>

#include "record.h"
#include "vstring.h"

#define QFILE_FLAG_NONE     0
#define QFILE_FLAG_MAILDROP (1 << 0) /* a maildrop file: no size record */

typedef struct QFILE_INFO {
    int has_size;         /* a size record was seen */
    REC_SIZE size;        /* its fields */
    size_t rcpt_todo;     /* 'R' records */
    size_t rcpt_done;     /* 'D' and '/' records */
    off_t content_offset; /* first content record */
    off_t end_offset;     /* offset of the 'E' record */
} QFILE_INFO;

extern int qfile_check(REC_READER *rp, int flags, QFILE_INFO *info, VSTRING *why);

#endif
