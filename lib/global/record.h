/*
 * record - encode and decode queue file records.
 *
 * A record is one type byte, the data length in base-128 (7 bits per byte,
 * low-order group first, high bit set on every byte but the last), then
 * the data.  See QUEUE_FORMAT.md for the record types and their order.
 *
 * Writing: records are appended to a VSTRING batch in memory and the batch
 * goes to the file with one system call (rec_write_batch), so a writer
 * costs one write(2) per group of records, not one per record.
 *
 *   rec_put_buf(batch, type, data, len)    append one record
 *   rec_put_str(batch, type, str)          same for a C string
 *   rec_sprintf(batch, type, fmt, ...)     same with printf formatting
 *   rec_put_ptr(batch, target)             a 'p' record ("%15ld"), which
 *                                          can be updated in place later
 *   rec_len_encode(out, len)               encode a length into out[]
 *                                          (REC_LEN_ENCODE_MAX bytes room);
 *                                          returns the bytes used
 *   rec_write_batch(fd, batch)             write the whole batch (retrying
 *                                          short writes and EINTR), then
 *                                          empty it; 0 or -1 with errno
 *
 * Reading: a REC_READER reads records from a file descriptor (through a
 * 64 KB buffer, with pread() when the descriptor is a regular file, so the
 * descriptor's file offset is left alone and reading starts at offset 0;
 * a pipe is read from where it is) or from memory.  It never trusts
 * the input: a length that does not fit in 5 bytes or exceeds INT_MAX, a
 * record longer than the caller's maximum, and data cut short by the end of
 * input are errors, reported by REC_TYPE_ERROR and rec_reader_error().
 * An end of input exactly at a record boundary is REC_TYPE_EOF.
 *
 *   rec_reader_fd(fd, maxlen, flags)       maxlen 0 = REC_MAXLEN_DEFAULT
 *   rec_reader_mem(data, len, maxlen, flags)
 *   rec_get(rp, data)                      next record's type, its data in
 *                                          data (null-terminated, may hold
 *                                          null bytes); EOF; ERROR
 *   rec_reader_peek(rp)                    the type byte of the next record
 *                                          (not consumed), EOF or ERROR
 *   rec_reader_seek(rp, offset)            continue reading at offset
 *   rec_reader_seekable(rp)                0 for a pipe (forward only)
 *   rec_reader_offset(rp)                  where the last rec_get() started
 *                                          reading (before any pointer or
 *                                          padding record it skipped)
 *   rec_reader_record_offset(rp)           the offset of the returned
 *                                          record's type byte (for in-place
 *                                          updates)
 *   rec_reader_next_offset(rp)             offset after the last record
 *   rec_reader_error(rp)                   text of the last error
 *
 * With REC_FLAG_FOLLOW_PTR, rec_get() follows 'p' records (a non-zero
 * offset continues reading there; zero means "the next record") and skips
 * 'w' padding, as queue file readers must.  Pointer loops and targets
 * outside the file are errors.
 *
 * In-place updates, on a descriptor opened for writing (pwrite, one system
 * call each, the file offset is left alone):
 *
 *   rec_update_type(fd, offset, old, new)  change the type byte of the
 *                                          record at offset from old to new
 *                                          (e.g. 'R' -> 'D' when a recipient
 *                                          is done); fails if it is not old
 *   rec_size_update(fd, size)              rewrite the fields of the 'C'
 *                                          record at the start of the file
 *   rec_ptr_update(fd, offset, target)     rewrite a 'p' record's target
 *   rec_size_format(batch, size)           append a 'C' record
 *   rec_size_parse(data, size)             parse a 'C' record's data; 0 or -1
 *
 * Errors: writes return -1 with errno; readers never abort on bad input.
 */
#ifndef POSTERN_RECORD_H
#define POSTERN_RECORD_H

#include <stddef.h>
#include <sys/types.h>

#include "rec_type.h"
#include "vstring.h"

#define REC_LEN_MAXBYTES    5  /* 35 bits, lengths above INT_MAX rejected */
#define REC_LEN_ENCODE_MAX  10 /* any size_t */
#define REC_MAXLEN_DEFAULT  (1024 * 1024)
#define REC_FLAG_NONE       0
#define REC_FLAG_FOLLOW_PTR (1 << 0) /* follow 'p', skip 'w' */

/* The fields of the 'C' record, in file order. */
typedef struct REC_SIZE {
    long data_size;      /* bytes from the first content record to 'X' */
    long data_offset;    /* offset of the first content record */
    long rcpt_count;     /* recipients, as counted by cleanup */
    long qmgr_opts;      /* queue manager option flags */
    long content_length; /* message content length */
    long smtputf8;       /* SMTPUTF8 flags */
} REC_SIZE;

typedef struct REC_READER REC_READER;

extern size_t rec_len_encode(unsigned char *out, size_t len);
extern VSTRING *rec_put_buf(VSTRING *batch, int type, const void *data, size_t len);
extern VSTRING *rec_put_str(VSTRING *batch, int type, const char *str);
extern VSTRING *rec_sprintf(VSTRING *batch, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern VSTRING *rec_put_ptr(VSTRING *batch, long target);
extern VSTRING *rec_size_format(VSTRING *batch, const REC_SIZE *size);
extern int rec_size_parse(const char *data, REC_SIZE *size);
extern int rec_write_batch(int fd, VSTRING *batch);

extern REC_READER *rec_reader_fd(int fd, size_t maxlen, int flags);
extern REC_READER *rec_reader_mem(const void *data, size_t len, size_t maxlen, int flags);
extern void rec_reader_free(REC_READER *rp);
extern int rec_get(REC_READER *rp, VSTRING *data);
extern int rec_reader_peek(REC_READER *rp);
extern int rec_reader_seek(REC_READER *rp, off_t offset);
extern int rec_reader_seekable(const REC_READER *rp);
extern off_t rec_reader_offset(const REC_READER *rp);
extern off_t rec_reader_record_offset(const REC_READER *rp);
extern off_t rec_reader_next_offset(const REC_READER *rp);
extern const char *rec_reader_error(const REC_READER *rp);

extern int rec_update_type(int fd, off_t offset, int old_type, int new_type);
extern int rec_size_update(int fd, const REC_SIZE *size);
extern int rec_ptr_update(int fd, off_t offset, long target);

#endif
