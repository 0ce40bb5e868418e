/*
 * qfile_writer_test - unit tests for the queue file writer.
 *
 * A written file must pass qfile_check(), carry a correct size record
 * (content offset and size, recipients, NOTIFY flags for qmgr), keep every
 * content line byte for byte (long lines as 2048-byte pieces), be mode 0700
 * only when finished, and survive the flush path of a large message.  A
 * full disk must come back as an error.  With QFILE_WRITE_DIR set, the
 * files are also left in that directory's hold/ for tests/test_queuefile.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mymalloc.h"
#include "ptest.h"
#include "qfile.h"
#include "qfile_writer.h"
#include "rec_type.h"
#include "record.h"

static char scratch[64];
static const char *top;

static void setup(void)
{
    char path[512];

    if ((top = getenv("QFILE_WRITE_DIR")) == 0) {
        snprintf(scratch, sizeof(scratch), "/tmp/qfile_writer_test.XXXXXX");
        if (mkdtemp(scratch) == 0)
            exit(1);
        top = scratch;
    }
    snprintf(path, sizeof(path), "%s/incoming", top);
    (void)mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/hold", top);
    (void)mkdir(path, 0700);
}

static void teardown(void)
{
    char cmd[128];

    if (top == scratch) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", scratch);
    }
}

/* write_message - a message with nlines extra lines of width bytes */

static QFILE_WRITER *write_message(size_t nlines, size_t width)
{
    MAIL_QUEUE_CONF conf = {top, 1, 0, 0};
    QFILE_WRITER *w = qfile_writer_create(&conf, "incoming", 0600);
    VSTRING *b;
    char *line = mymalloc(width + 1);
    struct stat st;

    PTEST_CHECK(w != 0);
    if (w == 0)
        return 0;
    b = qfile_writer_batch(w);
    rec_sprintf(b, REC_TYPE_TIME, "%ld %ld", (long)qfile_writer_time(w).tv_sec,
                (long)qfile_writer_time(w).tv_usec);
    rec_sprintf(b, REC_TYPE_ATTR, "%s=%ld", MAIL_ATTR_CREATE_TIME,
                (long)qfile_writer_time(w).tv_sec);
    rec_sprintf(b, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "remote");
    rec_put_str(b, REC_TYPE_FROM, "sender@example.org");
    rec_sprintf(b, REC_TYPE_WARN, REC_TYPE_WARN_FORMAT, 1795349622L);
    PTEST_INT_EQ(qfile_writer_rcpt(w, 0, 0, 0, 0, "one@example.com"), 0);
    PTEST_INT_EQ(qfile_writer_rcpt(w, 2 | 8, "rfc822", "Orig@Example.com", "orig@example.com",
                                   "two@example.com"),
                 0);
    PTEST_INT_EQ(qfile_writer_content(w), 0);
    PTEST_INT_EQ(qfile_writer_line(w, "Subject: writer test", 20), 0);
    PTEST_INT_EQ(qfile_writer_line(w, "", 0), 0);
    for (size_t i = 0; i < nlines; i++) {
        for (size_t j = 0; j < width; j++)
            line[j] = (char)('A' + (i + j) % 26);
        PTEST_INT_EQ(qfile_writer_line(w, line, width), 0);
    }
    PTEST_INT_EQ(qfile_writer_line(w, "last", 4), 0);
    PTEST_INT_EQ(qfile_writer_extracted(w), 0);
    PTEST_INT_EQ(qfile_writer_rcpt(w, 4, 0, 0, 0, "three@example.com"), 0);
    PTEST_INT_EQ(fstat(qfile_writer_fd(w), &st), 0);
    PTEST_INT_EQ(st.st_mode & 07777, 0600);
    PTEST_INT_EQ(qfile_writer_finish(w, 0700), 0);
    PTEST_INT_EQ(fstat(qfile_writer_fd(w), &st), 0);
    PTEST_INT_EQ(st.st_mode & 07777, 0700);
    myfree(line);
    return w;
}

/* check_file - checker, size record, and the content read back */

static void check_file(QFILE_WRITER *w, size_t nlines, size_t width)
{
    REC_READER *rp;
    VSTRING *why = vstring_alloc(100);
    VSTRING *d = vstring_alloc(100);
    QFILE_INFO info;
    size_t lines = 0;
    size_t pieces = 0;
    size_t bytes = 0;
    int type;

    rp = rec_reader_fd(qfile_writer_fd(w), 0, REC_FLAG_FOLLOW_PTR);
    if (qfile_check(rp, 0, &info, why) != 0)
        PTEST_FAIL("qfile_check: %s", vstring_str(why));
    PTEST_INT_EQ(info.size.rcpt_count, 3);
    PTEST_INT_EQ(info.rcpt_todo, 3);
    PTEST_INT_EQ(info.size.qmgr_opts, (2 | 8 | 4) << 1);
    PTEST_INT_EQ(info.size.data_size, info.size.content_length);
    rec_reader_free(rp);

    rp = rec_reader_fd(qfile_writer_fd(w), 0, REC_FLAG_FOLLOW_PTR);
    while ((type = rec_get(rp, d)) > 0 && type != REC_TYPE_MESG)
        /* void */;
    PTEST_INT_EQ(rec_reader_next_offset(rp), info.size.data_offset);
    while ((type = rec_get(rp, d)) == REC_TYPE_NORM || type == REC_TYPE_CONT) {
        if (VSTRING_LEN(d) > QFILE_WRITER_PIECE)
            PTEST_FAIL("piece of %zu bytes", VSTRING_LEN(d));
        pieces++;
        lines += type == REC_TYPE_NORM;
        bytes += VSTRING_LEN(d);
    }
    PTEST_INT_EQ(type, REC_TYPE_XTRA);
    PTEST_INT_EQ(rec_reader_record_offset(rp), info.size.data_offset + info.size.data_size);
    PTEST_INT_EQ(lines, nlines + 3);
    PTEST_INT_EQ(bytes, 20 + 4 + nlines * width);
    PTEST_INT_EQ(pieces, nlines * (width / QFILE_WRITER_PIECE + 1) + 3);
    rec_reader_free(rp);
    vstring_free(why);
    vstring_free(d);
}

static void finish_case(QFILE_WRITER *w)
{
    MAIL_QUEUE_CONF conf = {top, 1, 0, 0};

    if (getenv("QFILE_WRITE_DIR"))
        PTEST_INT_EQ(mail_queue_rename(&conf, qfile_writer_id(w), "incoming", "hold"), 0);
    qfile_writer_free(w);
}

static void test_small(void)
{
    QFILE_WRITER *w;

    setup();
    if ((w = write_message(3, 70)) != 0) {
        check_file(w, 3, 70);
        finish_case(w);
    }
    teardown();
}

/* Exact piece multiples: a 4096-byte line is L(2048) L(2048) N(0). */
static void test_piece_boundaries(void)
{
    QFILE_WRITER *w;

    setup();
    if ((w = write_message(2, 2 * QFILE_WRITER_PIECE)) != 0) {
        check_file(w, 2, 2 * QFILE_WRITER_PIECE);
        finish_case(w);
    }
    if ((w = write_message(2, QFILE_WRITER_PIECE + 1)) != 0) {
        check_file(w, 2, QFILE_WRITER_PIECE + 1);
        finish_case(w);
    }
    teardown();
}

/* More than one batch: the size record is patched on disk. */
static void test_large(void)
{
    QFILE_WRITER *w;

    setup();
    if ((w = write_message(3000, 100)) != 0) {
        check_file(w, 3000, 100);
        finish_case(w);
    }
    teardown();
}

/* A full disk is an error the caller can answer with 4xx. */
static void test_disk_full(void)
{
    MAIL_QUEUE_CONF conf = {0, 1, 0, 0};
    QFILE_WRITER *w;
    int full = open("/dev/full", O_WRONLY);

    setup();
    conf.queue_dir = top;
    w = qfile_writer_create(&conf, "incoming", 0600);
    PTEST_CHECK(w != 0 && full >= 0);
    if (w == 0 || full < 0)
        return;
    dup2(full, qfile_writer_fd(w));
    rec_put_str(qfile_writer_batch(w), REC_TYPE_FROM, "s@x");
    PTEST_INT_EQ(qfile_writer_content(w), 0);
    PTEST_INT_EQ(qfile_writer_line(w, "x", 1), 0);
    PTEST_INT_EQ(qfile_writer_extracted(w), 0);
    PTEST_INT_EQ(qfile_writer_finish(w, 0700), -1);
    PTEST_INT_EQ(errno, ENOSPC);
    PTEST_INT_EQ(qfile_writer_abort(w), 0);
    qfile_writer_free(w);
    close(full);
    teardown();
}

/* Abort removes the file; a missing queue directory fails cleanly. */
static void test_abort(void)
{
    MAIL_QUEUE_CONF conf = {0, 1, 0, 0};
    MAIL_QUEUE_CONF none = {"/nonexistent", 1, 0, 0};
    QFILE_WRITER *w;
    char path[512];

    setup();
    conf.queue_dir = top;
    w = qfile_writer_create(&conf, "incoming", 0600);
    PTEST_CHECK(w != 0);
    if (w == 0)
        return;
    snprintf(path, sizeof(path), "%s/incoming/%s", top, qfile_writer_id(w));
    PTEST_INT_EQ(access(path, F_OK), 0);
    PTEST_INT_EQ(qfile_writer_abort(w), 0);
    PTEST_INT_EQ(access(path, F_OK), -1);
    qfile_writer_free(w);
    PTEST_CHECK(qfile_writer_create(&none, "incoming", 0600) == 0);
    PTEST_INT_EQ(errno, ENOENT);
    teardown();
}

static const PTEST_CASE cases[] = {
    {"small", test_small}, {"piece_boundaries", test_piece_boundaries},
    {"large", test_large}, {"disk_full", test_disk_full},
    {"abort", test_abort},
};

PTEST_MAIN(cases)
