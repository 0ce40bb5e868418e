/*
 * qfile_write_test - write complete queue files with the record writer, the
 * way cleanup will, and check them with Postern's own reader.
 *
 * Each file is built in one VSTRING batch and written with one call, then
 * edited in place (a recipient marked done, the size record updated, a
 * pointer record aimed at an appended header), as cleanup and the delivery
 * agents do.  The result must pass qfile_check() and read back record for
 * record.
 *
 * With QFILE_WRITE_DIR set in the environment, the files are left in that
 * directory (laid out as a queue: hold/ID, deferred/X/ID, maildrop/ID) so
 * that tests/test_queuefile.py can show them with Debian's postcat and with
 * Postern's and compare the output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_queue.h"
#include "mymalloc.h"
#include "ptest.h"
#include "qfile.h"
#include "queue_id.h"
#include "record.h"
#include "vstring.h"

#define LINE_PIECE 2048 /* content records hold at most this */

static char scratch[64];
static const char *outdir;

static void setup(void)
{
    static const char *dirs[] = {"incoming", "hold", "deferred", "maildrop"};

    if ((outdir = getenv("QFILE_WRITE_DIR")) == 0) {
        snprintf(scratch, sizeof(scratch), "/tmp/qfile_write_test.XXXXXX");
        if (mkdtemp(scratch) == 0)
            exit(1);
        outdir = scratch;
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", outdir, dirs[i]);
        (void)mkdir(path, 0700);
    }
}

static void teardown(void)
{
    char cmd[128];

    if (outdir == scratch) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", scratch);
    }
}

/* put_line - one content line, split into 'L' pieces as needed */

static void put_line(VSTRING *b, const char *line, size_t len)
{
    while (len >= LINE_PIECE) {
        rec_put_buf(b, REC_TYPE_CONT, line, LINE_PIECE);
        line += LINE_PIECE;
        len -= LINE_PIECE;
    }
    rec_put_buf(b, REC_TYPE_NORM, line, len);
}

static void put_text(VSTRING *b, const char *text)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != 0) {
        put_line(b, text, (size_t)(nl - text));
        text = nl + 1;
    }
    if (*text)
        put_line(b, text, strlen(text));
}

typedef struct {
    const char *name;
    const char *sender;
    const char *rcpts[4];
    int done_rcpt; /* index marked done in place, or -1 */
    const char *content;
    size_t long_line; /* length of an extra long body line */
    int dsn;          /* DSN attributes */
    int warn;         /* warning time record */
    int pointer;      /* append a header via pointer records */
    const char *queue;
} MSG;

static const MSG msgs[] = {
    {"simple",
     "alice@example.org",
     {"bob@example.com"},
     -1,
     "Subject: simple\nFrom: alice@example.org\n\nHello world.\n",
     0,
     0,
     0,
     0,
     "hold"},
    {"multi",
     "",
     {"a@example.com", "b@example.com", "c@example.com"},
     1,
     "From: MAILER-DAEMON\nSubject: two left\n\nbody\n",
     0,
     0,
     1,
     0,
     "deferred"},
    {"dsn",
     "sender@example.org",
     {"r1@example.com", "r2@example.com"},
     -1,
     "Subject: dsn\n\n.\n..\n\n",
     0,
     1,
     1,
     0,
     "hold"},
    {"long",
     "long@example.org",
     {"lr@example.com"},
     -1,
     "Subject: long lines\nX-Folded: a\n\tb\n\nshort\n",
     10000,
     0,
     0,
     0,
     "hold"},
    {"pointer",
     "p@example.org",
     {"pr@example.com"},
     -1,
     "Subject: pointer\nFrom: p@example.org\n\nbody after inserted header\n",
     0,
     0,
     0,
     1,
     "hold"},
    {"8bit",
     "u@example.org",
     {"u1@example.com"},
     -1,
     "Subject: caf\xc3\xa9\n\ncaf\xc3\xa9 \x01\x7f\n",
     0,
     0,
     0,
     0,
     "hold"},
};

/* write_msg - build one queue file, write it in one call, edit in place */

static void write_msg(const MSG *m, VSTRING *path_out)
{
    MAIL_QUEUE_CONF conf = {outdir, 1, "deferred, defer", 0};
    VSTRING *b = vstring_alloc(4096);
    VSTRING *id = vstring_alloc(QUEUE_ID_BUFSIZE);
    REC_SIZE size = {0, 0, 0, 0, 0, 0};
    off_t rcpt_off[4] = {0, 0, 0, 0};
    off_t ptr_off = 0;
    off_t resume_off;
    off_t xtra_off;
    struct timeval tv;
    int nrcpt = 0;
    int fd;

    fd = mail_queue_enter(&conf, MAIL_QUEUE_INCOMING, 0600, id, &tv);
    if (fd < 0) {
        PTEST_FAIL("mail_queue_enter: %s", strerror(errno));
        return;
    }
    /* Envelope.  The size record is a placeholder, rewritten at the end. */
    rec_size_format(b, &size);
    rec_sprintf(b, REC_TYPE_TIME, "%ld %ld", 1795335222L, 421338L);
    rec_sprintf(b, REC_TYPE_ATTR, "%s=%ld", MAIL_ATTR_CREATE_TIME, 1795335244L);
    if (m->dsn) {
        rec_sprintf(b, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, "envid123");
        rec_sprintf(b, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_RET, 2);
    }
    rec_sprintf(b, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");
    rec_put_str(b, REC_TYPE_FULL, "Test User");
    rec_put_str(b, REC_TYPE_FROM, m->sender);
    if (m->warn)
        rec_sprintf(b, REC_TYPE_WARN, REC_TYPE_WARN_FORMAT, 1795349622L);
    for (int i = 0; i < 4 && m->rcpts[i]; i++) {
        if (m->dsn)
            rec_sprintf(b, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_NOTIFY, 14);
        rec_sprintf(b, REC_TYPE_ATTR, "%s=rfc822;%s", MAIL_ATTR_DSN_ORCPT, m->rcpts[i]);
        rec_put_str(b, REC_TYPE_ORCP, m->rcpts[i]);
        rcpt_off[i] = (off_t)VSTRING_LEN(b);
        rec_put_str(b, REC_TYPE_RCPT, m->rcpts[i]);
        nrcpt++;
    }
    rec_put_buf(b, REC_TYPE_MESG, "", 0);
    size.data_offset = (long)VSTRING_LEN(b);

    /* Content: headers, optional pointer to an appended header, body. */
    {
        const char *body = strstr(m->content, "\n\n");
        size_t hlen = body ? (size_t)(body - m->content) + 1 : strlen(m->content);
        char *headers = mystrndup(m->content, hlen);

        put_text(b, headers);
        myfree(headers);
        if (m->pointer) {
            ptr_off = (off_t)VSTRING_LEN(b);
            rec_put_ptr(b, 0);
        }
        resume_off = (off_t)VSTRING_LEN(b);
        if (body)
            put_text(b, body + 1);
        if (m->long_line) {
            char *line = mymalloc(m->long_line);

            for (size_t i = 0; i < m->long_line; i++)
                line[i] = (char)('a' + i % 26);
            put_line(b, line, m->long_line);
            myfree(line);
        }
    }
    xtra_off = (off_t)VSTRING_LEN(b);
    rec_put_buf(b, REC_TYPE_XTRA, "", 0);
    rec_put_buf(b, REC_TYPE_END, "", 0);
    size.data_size = (long)(xtra_off - size.data_offset);
    size.content_length = size.data_size;
    size.rcpt_count = nrcpt;

    /* Appended later: a header reached through the pointer records. */
    if (m->pointer) {
        off_t appended = (off_t)VSTRING_LEN(b);

        put_text(b, "X-Inserted: by a milter\n");
        rec_put_ptr(b, (long)resume_off);
        PTEST_INT_EQ(rec_write_batch(fd, b), 0);
        PTEST_INT_EQ(rec_ptr_update(fd, ptr_off, (long)appended), 0);
    } else {
        PTEST_INT_EQ(rec_write_batch(fd, b), 0);
    }
    PTEST_INT_EQ(rec_size_update(fd, &size), 0);
    if (m->done_rcpt >= 0)
        PTEST_INT_EQ(rec_update_type(fd, rcpt_off[m->done_rcpt], REC_TYPE_RCPT, REC_TYPE_DONE), 0);
    PTEST_INT_EQ(fsync(fd), 0);
    PTEST_INT_EQ(fchmod(fd, 0700), 0);

    /* It must pass the checker, with the right counts. */
    {
        REC_READER *rp;
        VSTRING *why = vstring_alloc(100);
        QFILE_INFO info;

        lseek(fd, 0, SEEK_SET);
        rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
        if (qfile_check(rp, 0, &info, why) != 0)
            PTEST_FAIL("%s: qfile_check: %s", m->name, vstring_str(why));
        PTEST_INT_EQ(info.rcpt_todo, nrcpt - (m->done_rcpt >= 0));
        PTEST_INT_EQ(info.rcpt_done, m->done_rcpt >= 0);
        PTEST_INT_EQ(info.size.data_size, size.data_size);
        rec_reader_free(rp);
        vstring_free(why);
    }
    close(fd);
    PTEST_INT_EQ(mail_queue_rename(&conf, vstring_str(id), MAIL_QUEUE_INCOMING, m->queue), 0);
    mail_queue_path(path_out, &conf, m->queue, vstring_str(id));
    vstring_free(b);
    vstring_free(id);
}

/* The content read back (pointers followed) is the content written. */
static void check_content(const char *path, const MSG *m)
{
    int fd = open(path, O_RDONLY);
    REC_READER *rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    VSTRING *d = vstring_alloc(100);
    VSTRING *text = vstring_alloc(100);
    int type;
    int in_content = 0;

    while ((type = rec_get(rp, d)) > 0 && type != REC_TYPE_XTRA) {
        if (type == REC_TYPE_MESG)
            in_content = 1;
        else if (in_content) {
            vstring_memcat(text, vstring_str(d), VSTRING_LEN(d));
            if (type == REC_TYPE_NORM)
                vstring_addch(text, '\n');
        }
    }
    if (m->pointer)
        PTEST_CHECK(strstr(vstring_str(text), "From: p@example.org\nX-Inserted: by a milter\n\n") !=
                    0);
    else if (m->long_line == 0)
        PTEST_STR_EQ(vstring_str(text), m->content);
    else
        PTEST_INT_EQ(VSTRING_LEN(text), strlen(m->content) + m->long_line + 1);
    rec_reader_free(rp);
    close(fd);
    vstring_free(d);
    vstring_free(text);
}

static void test_write(void)
{
    VSTRING *path = vstring_alloc(100);

    setup();
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        write_msg(&msgs[i], path);
        check_content(vstring_str(path), &msgs[i]);
        if (getenv("QFILE_WRITE_DIR"))
            printf("# wrote %s %s\n", msgs[i].name, vstring_str(path));
    }
    teardown();
    vstring_free(path);
}

/* A maildrop file, as postdrop writes it: no size record, no create time. */
static void test_write_maildrop(void)
{
    MAIL_QUEUE_CONF conf = {0, 1, 0, 0};
    VSTRING *b = vstring_alloc(100);
    VSTRING *id = vstring_alloc(100);
    VSTRING *why = vstring_alloc(100);
    REC_READER *rp;
    int fd;

    setup();
    conf.queue_dir = outdir;
    fd = mail_queue_enter(&conf, MAIL_QUEUE_MAILDROP, 0600, id, 0);
    PTEST_CHECK(fd >= 0);
    rec_sprintf(b, REC_TYPE_TIME, "%ld %ld", 1795335222L, 421338L);
    rec_sprintf(b, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");
    rec_put_str(b, REC_TYPE_FULL, "root");
    rec_put_str(b, REC_TYPE_FROM, "alice@example.org");
    rec_put_str(b, REC_TYPE_RCPT, "bob@example.com");
    rec_put_buf(b, REC_TYPE_MESG, "", 0);
    put_text(b, "Subject: dropped\n\nHello.\n");
    rec_put_buf(b, REC_TYPE_XTRA, "", 0);
    rec_put_buf(b, REC_TYPE_END, "", 0);
    PTEST_INT_EQ(rec_write_batch(fd, b), 0);
    PTEST_INT_EQ(fchmod(fd, 0744), 0);
    lseek(fd, 0, SEEK_SET);
    rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    if (qfile_check(rp, QFILE_FLAG_MAILDROP, 0, why) != 0)
        PTEST_FAIL("maildrop: %s", vstring_str(why));
    rec_reader_free(rp);
    /* Without the maildrop flag it is not a complete queue file. */
    lseek(fd, 0, SEEK_SET);
    rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    PTEST_INT_EQ(qfile_check(rp, 0, 0, why), -1);
    rec_reader_free(rp);
    close(fd);
    teardown();
    vstring_free(b);
    vstring_free(id);
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"write", test_write},
    {"write_maildrop", test_write_maildrop},
};

PTEST_MAIN(cases)
