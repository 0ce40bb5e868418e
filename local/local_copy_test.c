/*
 * local_copy_test - the mailbox writer, byte for byte.
 *
 * Each case builds a queue file (records as cleanup writes them), copies
 * it into a mailbox file with local_copy() and compares the result with a
 * golden file (local/local_copy_*.ref, made with Debian's Postfix 3.7 as
 * the reference for the layout) or an inline expectation.  The time zone
 * is UTC so that the From line is stable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "local_copy.h"
#include "local_why.h"
#include "ptest.h"
#include "record.h"
#include "vstring.h"

#define NOW 1796227220 /* Wed Dec  2 16:00:20 2026 UTC */

/* A queue file: a few envelope records, M, the content, X, E. */
static int make_queue(const char *const *lines, int with_end, off_t *data_offset)
{
    char path[] = "/tmp/local_copy_test.qXXXXXX";
    VSTRING *b = vstring_alloc(1000);
    int fd = mkstemp(path);
    const char *const *lp;
    size_t len;

    unlink(path);
    rec_put_str(b, REC_TYPE_TIME, "1796227220 0");
    rec_put_str(b, REC_TYPE_FROM, "sender@example.test");
    rec_put_str(b, REC_TYPE_RCPT, "paco@example.test");
    rec_put_str(b, REC_TYPE_MESG, "");
    *data_offset = (off_t)VSTRING_LEN(b);
    for (lp = lines; *lp; lp++) {
        /* Lines of more than 40 bytes become 40-byte L pieces, then N. */
        len = strlen(*lp);
        const char *p = *lp;
        while (len > 40) {
            rec_put_buf(b, REC_TYPE_CONT, p, 40);
            p += 40;
            len -= 40;
        }
        rec_put_buf(b, REC_TYPE_NORM, p, len);
    }
    if (with_end) {
        rec_put_str(b, REC_TYPE_XTRA, "");
        rec_put_str(b, REC_TYPE_END, "");
    }
    if (rec_write_batch(fd, b) < 0)
        abort();
    vstring_free(b);
    return fd;
}

/* An append-only temporary mailbox holding old. */
static int mailbox(const char *old, char *path, size_t size)
{
    int fd;

    snprintf(path, size, "/tmp/local_copy_test.%ld.%d", (long)getpid(), rand());
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND, 0600);
    if (fd < 0 || write(fd, old, strlen(old)) != (ssize_t)strlen(old))
        abort();
    return fd;
}

static VSTRING *slurp(const char *path)
{
    VSTRING *v = vstring_alloc(1000);
    char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0) {
        vstring_sprintf(v, "(cannot open %s: %s)", path, strerror(errno));
        return v;
    }
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        vstring_memcat(v, buf, (size_t)n);
    close(fd);
    return v;
}

static const char *const message[] = {
    "Received: by mail.example.test (Postfix, from userid 0)",
    "\tid 66AB9A7490E; Wed,  2 Dec 2026 16:00:20 +0000 (UTC)",
    "Subject: test",
    "From: Sender <sender@example.test>",
    "",
    "From the start",
    ">From quoted",
    "From: not a header",
    "From  double",
    /* 40 x's, then a piece that starts with "From ": not a line start. */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxFrom yyyyyyy",
    "From",
    "last line",
    0,
};

static void run_golden(int flags, const char *sender, const char *orig, const char *ref)
{
    LOCAL_COPY_ATTR attr = {sender, orig, "paco+Ext@mail.example.test", NOW, flags, 0};
    LOCAL_WHY *why = local_why_alloc();
    char path[200];
    off_t off;
    int q = make_queue(message, 1, &off);
    int m = mailbox("", path, sizeof(path));
    VSTRING *got, *want;

    setenv("TZ", "UTC", 1);
    tzset();
    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_OK);
    got = slurp(path);
    want = slurp(ref);
    if (VSTRING_LEN(got) != VSTRING_LEN(want) ||
        memcmp(vstring_str(got), vstring_str(want), VSTRING_LEN(got)) != 0)
        PTEST_FAIL("%s: got\n%s\nwant\n%s", ref, vstring_str(got), vstring_str(want));
    unlink(path);
    close(q);
    close(m);
    local_why_free(why);
}

static void test_mbox_golden(void)
{
    run_golden(LOCAL_COPY_MBOX, "sender@example.test", "paco+Ext@mail.example.test",
               "local/local_copy_mbox.ref");
}

static void test_maildir_golden(void)
{
    run_golden(LOCAL_COPY_MAILDIR, "sender@example.test", "paco", "local/local_copy_maildir.ref");
}

static void test_null_sender_quoted(void)
{
    run_golden(LOCAL_COPY_MBOX, "", "Paco", "local/local_copy_nullsender.ref");
}

static void test_quoted_addresses(void)
{
    run_golden(LOCAL_COPY_MBOX, "a b@example.test", "", "local/local_copy_quoted.ref");
}

/* Appending after existing mail keeps it; the limit counts the whole file. */
static void test_limit_truncates(void)
{
    static const char *const big[] = {"Subject: big", "",
                                      "0123456789012345678901234567890123456789"
                                      "0123456789012345678901234567890123456789",
                                      0};
    LOCAL_COPY_ATTR attr = {"s@example.test", "p", "p@example.test", NOW, LOCAL_COPY_MBOX, 0};
    LOCAL_WHY *why = local_why_alloc();
    char path[200];
    off_t off;
    int q = make_queue(big, 1, &off);
    int m = mailbox("old mail\n\n", path, sizeof(path));
    struct stat st;
    VSTRING *got;

    /* Too small: EFBIG, 5.2.2, file back to its old size. */
    attr.limit = 100;
    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_WRITE);
    PTEST_STR_EQ(why->status, "5.2.2");
    PTEST_INT_EQ(why->kind, LOCAL_WHY_BOUNCE);
    PTEST_STR_EQ(vstring_str(why->reason), "error writing message: File too large");
    fstat(m, &st);
    PTEST_INT_EQ(st.st_size, 10);

    /* Exactly enough: fits. */
    attr.limit = 0;
    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_OK);
    fstat(m, &st);
    off_t need = st.st_size;
    PTEST_CHECK(ftruncate(m, 10) == 0);
    attr.limit = need;
    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_OK);
    attr.limit = need - 1;
    PTEST_CHECK(ftruncate(m, 10) == 0);
    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_WRITE);
    got = slurp(path);
    PTEST_STR_EQ(vstring_str(got), "old mail\n\n");
    unlink(path);
    local_why_free(why);
}

/* A queue file cut short inside the content: nothing is left behind. */
static void test_corrupt_truncates(void)
{
    static const char *const msg[] = {"Subject: cut", "", "body", 0};
    LOCAL_COPY_ATTR attr = {"s@example.test", "p", "p@example.test", NOW, LOCAL_COPY_MBOX, 0};
    LOCAL_WHY *why = local_why_alloc();
    char path[200];
    off_t off;
    int q = make_queue(msg, 0, &off);
    int m = mailbox("old\n", path, sizeof(path));
    VSTRING *got;

    PTEST_INT_EQ(local_copy(q, off, m, &attr, why), LOCAL_COPY_CORRUPT);
    PTEST_STR_EQ(why->status, "4.3.0");
    PTEST_INT_EQ(why->kind, LOCAL_WHY_DEFER);
    PTEST_STR_EQ(vstring_str(why->reason), "corrupted queue file");
    got = slurp(path);
    PTEST_STR_EQ(vstring_str(got), "old\n");
    unlink(path);
    local_why_free(why);
}

/* An envelope record inside the content is damage too. */
static void test_foreign_record(void)
{
    LOCAL_COPY_ATTR attr = {"s@example.test", "p", "p@example.test", NOW, LOCAL_COPY_MAILDIR, 0};
    LOCAL_WHY *why = local_why_alloc();
    VSTRING *b = vstring_alloc(100);
    char path[200];
    char qpath[] = "/tmp/local_copy_test.fXXXXXX";
    int q = mkstemp(qpath);
    int m = mailbox("", path, sizeof(path));
    struct stat st;

    unlink(qpath);
    rec_put_str(b, REC_TYPE_NORM, "Subject: x");
    rec_put_str(b, REC_TYPE_RCPT, "evil@example.test");
    rec_put_str(b, REC_TYPE_XTRA, "");
    rec_write_batch(q, b);
    PTEST_INT_EQ(local_copy(q, 0, m, &attr, why), LOCAL_COPY_CORRUPT);
    fstat(m, &st);
    PTEST_INT_EQ(st.st_size, 0);
    unlink(path);
    vstring_free(b);
    local_why_free(why);
}

/* The status chosen for each kind of write error. */
static void test_dsn_table(void)
{
    static const struct {
        int err;
        const char *want;
    } t[] = {
        {ENOSPC, "4.3.1"}, {EDQUOT, "5.2.2"}, {EFBIG, "5.2.2"},
        {EAGAIN, "4.2.0"}, {ESTALE, "4.2.0"}, {EIO, "4.3.0"},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        PTEST_STR_EQ(local_copy_dsn(t[i].err, "4.3.0"), t[i].want);
}

static const PTEST_CASE cases[] = {
    {"mbox layout matches the golden file", test_mbox_golden},
    {"maildir layout matches the golden file", test_maildir_golden},
    {"null sender is MAILER-DAEMON and <>", test_null_sender_quoted},
    {"addresses are quoted, empty X-Original-To left out", test_quoted_addresses},
    {"mailbox_size_limit: EFBIG and truncation", test_limit_truncates},
    {"truncated queue file: corrupt, truncation", test_corrupt_truncates},
    {"envelope record in the content is corrupt", test_foreign_record},
    {"dsn for write errors", test_dsn_table},
};

PTEST_MAIN(cases)
