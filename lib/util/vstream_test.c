/*
 * Unit tests for vstream: the bounded line reader (from memory and from a
 * socket that delivers one byte per read), deadlines against silent and
 * slow peers, partial writes on a full pipe, one system call per flush,
 * in-place file updates with fseek/ftell, memory streams and limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iostuff.h"
#include "mymalloc.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

/* --- the line reader ----------------------------------------------------------- */

typedef struct LINE_WANT {
    int status;
    const char *text; /* with \0 spelled as such: lengths given */
    size_t len;
} LINE_WANT;

#define W(s, t)                                                                                    \
    {                                                                                              \
        s, t, sizeof(t) - 1                                                                        \
    }
#define END                                                                                        \
    {                                                                                              \
        -99, 0, 0                                                                                  \
    }

typedef struct LINE_CASE {
    const char *name;
    const char *input;
    size_t input_len;
    size_t maxlen;
    int flags;
    LINE_WANT want[8];
} LINE_CASE;

#define IN(s) s, sizeof(s) - 1
#define STRIP VSTREAM_LINE_STRIP

static const LINE_CASE line_cases[] = {
    {"crlf lf noeol",
     IN("a\r\nb\nc"),
     100,
     STRIP,
     {W(VSTREAM_LINE_CRLF, "a"), W(VSTREAM_LINE_LF, "b"), W(VSTREAM_LINE_NOEOL, "c"),
      W(VSTREAM_LINE_EOF, ""), END}},
    {"keep terminators",
     IN("a\r\nb\n"),
     100,
     0,
     {W(VSTREAM_LINE_CRLF, "a\r\n"), W(VSTREAM_LINE_LF, "b\n"), W(VSTREAM_LINE_EOF, ""), END}},
    {"empty input", IN(""), 10, STRIP, {W(VSTREAM_LINE_EOF, ""), W(VSTREAM_LINE_EOF, ""), END}},
    {"empty lines",
     IN("\n\r\n"),
     10,
     STRIP,
     {W(VSTREAM_LINE_LF, ""), W(VSTREAM_LINE_CRLF, ""), W(VSTREAM_LINE_EOF, ""), END}},
    {"long line in pieces",
     IN("abcdefghij\r\n"),
     4,
     STRIP,
     {W(VSTREAM_LINE_LONG, "abcd"), W(VSTREAM_LINE_LONG, "efgh"), W(VSTREAM_LINE_CRLF, "ij"),
      W(VSTREAM_LINE_EOF, ""), END}},
    {"CR not split from LF at the limit",
     IN("abc\r\nx\n"),
     4,
     STRIP,
     {W(VSTREAM_LINE_LONG, "abc"), W(VSTREAM_LINE_CRLF, ""), W(VSTREAM_LINE_LF, "x"), END}},
    {"exact fit with CRLF", IN("abc\r\n"), 5, STRIP, {W(VSTREAM_LINE_CRLF, "abc"), END}},
    {"one over with CRLF",
     IN("abcd\r\n"),
     5,
     STRIP,
     {W(VSTREAM_LINE_LONG, "abcd"), W(VSTREAM_LINE_CRLF, ""), END}},
    {"exact fit with LF", IN("abcd\n"), 5, STRIP, {W(VSTREAM_LINE_LF, "abcd"), END}},
    {"one over with LF",
     IN("abcde\n"),
     5,
     STRIP,
     {W(VSTREAM_LINE_LONG, "abcde"), W(VSTREAM_LINE_LF, ""), END}},
    {"bare CR is data", IN("a\rb\r\n"), 100, STRIP, {W(VSTREAM_LINE_CRLF, "a\rb"), END}},
    {"CR CR LF", IN("a\r\r\n"), 100, STRIP, {W(VSTREAM_LINE_CRLF, "a\r"), END}},
    {"CR at end of file",
     IN("ab\r"),
     100,
     STRIP,
     {W(VSTREAM_LINE_NOEOL, "ab\r"), W(VSTREAM_LINE_EOF, ""), END}},
    {"only CRs, tiny limit",
     IN("\r\r\r"),
     2,
     STRIP,
     {W(VSTREAM_LINE_LONG, "\r"), W(VSTREAM_LINE_LONG, "\r"), W(VSTREAM_LINE_NOEOL, "\r"),
      W(VSTREAM_LINE_EOF, ""), END}},
    {"LF CR is not CRLF",
     IN("a\n\rb\n"),
     100,
     0,
     {W(VSTREAM_LINE_LF, "a\n"), W(VSTREAM_LINE_LF, "\rb\n"), END}},
    {"null bytes kept", IN("a\0b\n"), 100, STRIP, {W(VSTREAM_LINE_LF, "a\0b"), END}},
    {"smuggling shape",
     IN("x\n.\r\nMAIL\r\n"),
     100,
     STRIP,
     {W(VSTREAM_LINE_LF, "x"), W(VSTREAM_LINE_CRLF, "."), W(VSTREAM_LINE_CRLF, "MAIL"), END}},
};

static const char *line_status_name(int status)
{
    switch (status) {
    case VSTREAM_LINE_ERROR:
        return "ERROR";
    case VSTREAM_LINE_TIMEOUT:
        return "TIMEOUT";
    case VSTREAM_LINE_EOF:
        return "EOF";
    case VSTREAM_LINE_CRLF:
        return "CRLF";
    case VSTREAM_LINE_LF:
        return "LF";
    case VSTREAM_LINE_NOEOL:
        return "NOEOL";
    case VSTREAM_LINE_LONG:
        return "LONG";
    default:
        return "?";
    }
}

static void check_lines(const char *how, const LINE_CASE *tc, VSTREAM *stream)
{
    VSTRING *buf = vstring_alloc(10);

    for (const LINE_WANT *w = tc->want; w->status != -99; w++) {
        int got = vstream_get_line(stream, buf, tc->maxlen, tc->flags);
        if (got != w->status || VSTRING_LEN(buf) != w->len ||
            memcmp(vstring_str(buf), w->text, w->len) != 0) {
            PTEST_FAIL("%s: %s: line %zu: got %s \"%s\" (%zu bytes), want %s \"%s\" (%zu bytes)",
                       how, tc->name, (size_t)(w - tc->want) + 1, line_status_name(got),
                       vstring_str(buf), VSTRING_LEN(buf), line_status_name(w->status), w->text,
                       w->len);
            break;
        }
    }
    vstring_free(buf);
}

static void test_get_line_memory(void)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const LINE_CASE *tc = line_cases + i;
        VSTRING *in = vstring_alloc(10);
        vstring_memcpy(in, tc->input, tc->input_len);
        VSTREAM *stream = vstream_memopen(in, VSTREAM_READ);
        check_lines("memory", tc, stream);
        PTEST_INT_EQ(vstream_fclose(stream), 0);
        vstring_free(in);
    }
}

/*
 * Every byte in its own SOCK_SEQPACKET record: each read() returns one byte,
 * so every buffer-boundary case of the line reader is exercised.
 */
static void test_get_line_one_byte_reads(void)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const LINE_CASE *tc = line_cases + i;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
            PTEST_FAIL("socketpair: %s", strerror(errno));
            return;
        }
        for (size_t j = 0; j < tc->input_len; j++)
            if (write(sv[1], tc->input + j, 1) != 1)
                PTEST_FAIL("write: %s", strerror(errno));
        shutdown(sv[1], SHUT_WR);
        VSTREAM *stream = vstream_fdopen(sv[0], VSTREAM_READ);
        check_lines("one byte per read", tc, stream);
        PTEST_INT_EQ(vstream_fclose(stream), 0);
        close(sv[1]);
    }
}

static void test_get_line_append_and_limit(void)
{
    VSTRING *in = vstring_alloc(10);
    VSTRING *buf = vstring_alloc(10);

    vstring_strcpy(in, "one\ntwo\n");
    VSTREAM *stream = vstream_memopen(in, VSTREAM_READ);
    vstring_strcpy(buf, ">");
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_APPEND), VSTREAM_LINE_LF);
    PTEST_STR_EQ(vstring_str(buf), ">one\n");
    /* A limited VSTRING drops what exceeds its limit but the line is still consumed. */
    vstring_set_limit(buf, 2);
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, 0), VSTREAM_LINE_LF);
    PTEST_STR_EQ(vstring_str(buf), "tw");
    PTEST_CHECK(vstring_overflowed(buf));
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, 0), VSTREAM_LINE_EOF);
    vstream_fclose(stream);
    vstring_free(in);
    vstring_free(buf);
}

/* --- getc, ungetc, fread, peek ------------------------------------------------ */

static void test_getc_ungetc_fread(void)
{
    VSTRING *in = vstring_alloc(10);
    char buf[8];

    vstring_strcpy(in, "hello, world");
    VSTREAM *stream = vstream_memopen(in, VSTREAM_READ);
    PTEST_INT_EQ(vstream_getc(stream), 'h');
    PTEST_INT_EQ(vstream_ungetc(stream, 'h'), 'h');
    PTEST_INT_EQ(vstream_ungetc(stream, 'h'), VSTREAM_EOF); /* only one */
    PTEST_INT_EQ(vstream_peek(stream), 12);
    PTEST_INT_EQ(vstream_fread(stream, buf, 5), 5);
    PTEST_CHECK(memcmp(buf, "hello", 5) == 0);
    PTEST_INT_EQ(vstream_getc(stream), ',');
    /* Memory streams do not modify the caller's bytes. */
    PTEST_INT_EQ(vstream_ungetc(stream, 'X'), VSTREAM_EOF);
    PTEST_INT_EQ(vstream_ftell(stream), 6);
    PTEST_INT_EQ(vstream_fread(stream, buf, sizeof(buf)), 6);
    PTEST_CHECK(memcmp(buf, " world", 6) == 0);
    PTEST_CHECK(vstream_feof(stream));
    PTEST_CHECK(!vstream_ferror(stream));
    PTEST_INT_EQ(vstream_getc(stream), VSTREAM_EOF);
    PTEST_INT_EQ(vstream_fseek(stream, 7, SEEK_SET), 7);
    PTEST_CHECK(!vstream_feof(stream));
    PTEST_INT_EQ(vstream_getc(stream), 'w');
    PTEST_INT_EQ(vstream_fseek(stream, 100, SEEK_SET), -1);
    vstream_fclose(stream);
    vstring_free(in);
}

static void test_fread_large_file(void)
{
    char path[] = "/tmp/vstream_testXXXXXX";
    int fd = mkstemp(path);
    size_t len = 3 * VSTREAM_BUFSIZE + 123;
    char *data = mymalloc(len);
    char *back = mymalloc(len);

    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 7 + i / 251);
    VSTREAM *out = vstream_fdopen(fd, VSTREAM_WRITE);
    PTEST_INT_EQ(vstream_fwrite(out, data, 10), 10);
    PTEST_INT_EQ(vstream_fwrite(out, data + 10, len - 10), len - 10);
    PTEST_INT_EQ(vstream_fclose(out), 0);
    VSTREAM *in = vstream_fdopen(open(path, O_RDONLY), VSTREAM_READ);
    PTEST_INT_EQ(vstream_getc(in), (unsigned char)data[0]);
    PTEST_INT_EQ(vstream_fread(in, back + 1, len), len - 1);
    PTEST_CHECK(memcmp(back + 1, data + 1, len - 1) == 0);
    PTEST_CHECK(vstream_feof(in));
    vstream_fclose(in);
    unlink(path);
    myfree(data);
    myfree(back);
}

/* --- writing ------------------------------------------------------------------- */

static void test_memory_write_and_limit(void)
{
    VSTRING *out = vstring_alloc(10);

    VSTREAM *stream = vstream_memopen(out, VSTREAM_WRITE);
    vstream_fputs(stream, "a=");
    vstream_fprintf(stream, "%d,%s", 42, "x");
    vstream_fputc(stream, '\n');
    PTEST_INT_EQ(vstream_ftell(stream), 7);
    PTEST_INT_EQ(vstream_fclose(stream), 0);
    PTEST_STR_EQ(vstring_str(out), "a=42,x\n");

    /* Output beyond the VSTRING limit is a write error, not silent truncation. */
    vstring_reset(out);
    vstring_set_limit(out, 100);
    stream = vstream_memopen(out, VSTREAM_WRITE);
    for (int i = 0; i < 20; i++)
        vstream_fputs(stream, "0123456789");
    errno = 0;
    PTEST_INT_EQ(vstream_fclose(stream), VSTREAM_EOF);
    PTEST_INT_EQ(errno, EFBIG);
    vstring_free(out);
}

static void test_fprintf_larger_than_buffer(void)
{
    VSTRING *out = vstring_alloc(10);
    char *big = mymalloc(VSTREAM_BUFSIZE * 2);

    memset(big, 'x', VSTREAM_BUFSIZE * 2 - 1);
    big[VSTREAM_BUFSIZE * 2 - 1] = 0;
    VSTREAM *stream = vstream_memopen(out, VSTREAM_WRITE);
    vstream_fputs(stream, "<");
    PTEST_INT_EQ(vstream_fprintf(stream, "%s>", big), VSTREAM_BUFSIZE * 2);
    vstream_fclose(stream);
    PTEST_INT_EQ(VSTRING_LEN(out), VSTREAM_BUFSIZE * 2 + 1);
    PTEST_INT_EQ(vstring_str(out)[0], '<');
    PTEST_INT_EQ(vstring_str(out)[VSTREAM_BUFSIZE * 2], '>');
    myfree(big);
    vstring_free(out);
}

/* Each write() on a SOCK_SEQPACKET socket is one record: count them. */
static size_t count_records(int fd, size_t *total)
{
    static char buf[1 << 18];
    size_t records = 0;
    ssize_t got;

    *total = 0;
    non_blocking(fd, NON_BLOCKING);
    while ((got = read(fd, buf, sizeof(buf))) > 0) {
        records++;
        *total += (size_t)got;
    }
    return records;
}

static void test_one_write_per_flush(void)
{
    int sv[2];
    int size = 1 << 20;
    size_t total;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
        PTEST_FAIL("socketpair: %s", strerror(errno));
        return;
    }
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    VSTREAM *stream = vstream_fdopen(sv[0], VSTREAM_WRITE);
    size_t want = 0;
    for (int i = 0; i < 1000; i++)
        want += (size_t)vstream_fprintf(stream, "record %04d: some text\n", i);
    PTEST_INT_EQ(want, 23000);
    PTEST_INT_EQ(vstream_fflush(stream), 0);
    PTEST_INT_EQ(count_records(sv[1], &total), 1);
    PTEST_INT_EQ(total, want);

    /* A write larger than the buffer goes out with what was buffered, in one writev(). */
    char *big = mycalloc(1, 80000);
    vstream_fputs(stream, "head");
    PTEST_INT_EQ(vstream_fwrite(stream, big, 80000), 80000);
    PTEST_INT_EQ(vstream_fflush(stream), 0);
    PTEST_INT_EQ(count_records(sv[1], &total), 1);
    PTEST_INT_EQ(total, 80004);
    /* Flushing an empty buffer makes no system call at all. */
    PTEST_INT_EQ(vstream_fflush(stream), 0);
    PTEST_INT_EQ(count_records(sv[1], &total), 0);
    myfree(big);
    vstream_fclose(stream);
    close(sv[1]);
}

/* A slow reader: partial writes on a full non-blocking pipe must all arrive. */
static void test_partial_writes_full_pipe(void)
{
    int pfd[2];
    size_t len = 1 << 20;
    char *data = mymalloc(len);

    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i % 253);
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[1]);
        char buf[4096];
        size_t at = 0;
        ssize_t got;
        while ((got = read(pfd[0], buf, sizeof(buf))) > 0) {
            for (ssize_t i = 0; i < got; i++, at++)
                if (buf[i] != (char)(at % 253))
                    _exit(2);
            usleep(100);
        }
        _exit(at == len ? 0 : 1);
    }
    close(pfd[0]);
    VSTREAM *stream = vstream_fdopen(pfd[1], VSTREAM_WRITE | VSTREAM_NONBLOCK);
    vstream_set_timeouts(stream, -1, 10000);
    PTEST_INT_EQ(vstream_fwrite(stream, data, 1000), 1000);
    PTEST_INT_EQ(vstream_fwrite(stream, data + 1000, len - 1000), len - 1000);
    PTEST_INT_EQ(vstream_fclose(stream), 0);
    int status;
    waitpid(pid, &status, 0);
    PTEST_INT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
    myfree(data);
}

/* A reader that never reads: the write deadline must fire. */
static void test_write_timeout_silent_reader(void)
{
    int pfd[2];
    size_t len = 1 << 20;
    char *data = mycalloc(1, len);

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    VSTREAM *stream = vstream_fdopen(pfd[1], VSTREAM_WRITE | VSTREAM_NONBLOCK);
    vstream_set_timeouts(stream, -1, 200);
    int64_t start = mono_ms();
    PTEST_INT_EQ(vstream_fwrite(stream, data, len), 0);
    int64_t took = mono_ms() - start;
    PTEST_INT_EQ(errno, ETIMEDOUT);
    PTEST_CHECK(vstream_ftimeout(stream));
    PTEST_CHECK(vstream_ferror(stream));
    PTEST_CHECK(took >= 190 && took < 2000);
    /* A failed stream refuses further output without system calls. */
    PTEST_INT_EQ(vstream_fputs(stream, "more"), VSTREAM_EOF);
    vstream_fclose(stream);
    close(pfd[0]);
    myfree(data);
}

/* --- read deadlines ------------------------------------------------------------ */

static void read_timeout_silent(int flags)
{
    int pfd[2];
    VSTRING *buf = vstring_alloc(10);

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    if (write(pfd[1], "partial", 7) != 7)
        PTEST_FAIL("write");
    VSTREAM *stream = vstream_fdopen(pfd[0], VSTREAM_READ | flags);
    vstream_set_timeouts(stream, 150, -1);
    int64_t start = mono_ms();
    int got = vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP);
    int64_t took = mono_ms() - start;
    PTEST_STR_EQ(line_status_name(got), "TIMEOUT");
    PTEST_INT_EQ(errno, ETIMEDOUT);
    PTEST_STR_EQ(vstring_str(buf), "partial");
    PTEST_CHECK(vstream_ftimeout(stream));
    PTEST_CHECK(took >= 140 && took < 2000);
    /* The timeout is sticky until cleared. */
    PTEST_INT_EQ(vstream_getc(stream), VSTREAM_EOF);
    vstream_clearerr(stream);
    if (write(pfd[1], "x\n", 2) != 2)
        PTEST_FAIL("write");
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_LF);
    PTEST_STR_EQ(vstring_str(buf), "x");
    vstream_fclose(stream);
    close(pfd[1]);
    vstring_free(buf);
}

static void test_read_timeout_blocking(void)
{
    read_timeout_silent(0);
}

static void test_read_timeout_nonblocking(void)
{
    read_timeout_silent(VSTREAM_NONBLOCK);
}

/* One byte every 20 ms never completes a line: the deadline covers the whole call. */
static void test_read_deadline_slow_peer(void)
{
    int pfd[2];
    VSTRING *buf = vstring_alloc(10);

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        for (int i = 0; i < 200; i++) {
            if (write(pfd[1], "z", 1) != 1)
                _exit(0);
            usleep(20000);
        }
        _exit(0);
    }
    close(pfd[1]);
    VSTREAM *stream = vstream_fdopen(pfd[0], VSTREAM_READ);
    vstream_set_timeouts(stream, 300, -1);
    int64_t start = mono_ms();
    int got = vstream_get_line(stream, buf, 10000, 0);
    int64_t took = mono_ms() - start;
    PTEST_STR_EQ(line_status_name(got), "TIMEOUT");
    PTEST_CHECK(took >= 290 && took < 1500);
    PTEST_CHECK(VSTRING_LEN(buf) >= 5);
    vstream_fclose(stream);
    kill(pid, SIGKILL);
    waitpid(pid, 0, 0);
    vstring_free(buf);
}

/* Pending output is sent before a read waits, so request/reply does not deadlock. */
static void test_flush_before_read(void)
{
    int sv[2];
    VSTRING *buf = vstring_alloc(10);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        PTEST_FAIL("socketpair: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        VSTREAM *peer = vstream_fdopen(sv[1], VSTREAM_RDWR);
        VSTRING *line = vstring_alloc(10);
        while (vstream_get_line(peer, line, 100, VSTREAM_LINE_STRIP) > 0)
            vstream_fprintf(peer, "echo %s\r\n", vstring_str(line));
        _exit(0);
    }
    close(sv[1]);
    VSTREAM *stream = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_timeouts(stream, 5000, 5000);
    vstream_fputs(stream, "one\r\ntwo\r\n");
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_CRLF);
    PTEST_STR_EQ(vstring_str(buf), "echo one");
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_CRLF);
    PTEST_STR_EQ(vstring_str(buf), "echo two");
    /* Reading leaves read-ahead; writing on a socket must not disturb it. */
    vstream_fputs(stream, "three\r\n");
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_CRLF);
    PTEST_STR_EQ(vstring_str(buf), "echo three");
    vstream_fclose(stream);
    waitpid(pid, 0, 0);
    vstring_free(buf);
}

/*
 * Request/reply on a non-blocking stream whose peer answers late: after the
 * first late answer the stream polls before reading (vstream.c,
 * "Request/reply").  Answers must stay intact, a silent peer must still
 * time out on that path, and the stream must work again afterwards.
 */
static void test_late_replies_nonblocking(void)
{
    int sv[2];
    VSTRING *buf = vstring_alloc(10);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        PTEST_FAIL("socketpair: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        VSTREAM *peer = vstream_fdopen(sv[1], VSTREAM_RDWR);
        VSTRING *line = vstring_alloc(10);
        while (vstream_get_line(peer, line, 100, VSTREAM_LINE_STRIP) > 0) {
            if (strcmp(vstring_str(line), "silent") == 0)
                continue;
            usleep(2000);
            vstream_fprintf(peer, "re %s\n", vstring_str(line));
            vstream_fflush(peer);
        }
        _exit(0);
    }
    close(sv[1]);
    VSTREAM *stream = vstream_fdopen(sv[0], VSTREAM_RDWR | VSTREAM_NONBLOCK);
    vstream_set_timeouts(stream, 2000, 2000);
    for (int i = 0; i < 20; i++) {
        char want[32];

        vstream_fprintf(stream, "q%d\n", i);
        vstream_fflush(stream);
        snprintf(want, sizeof(want), "re q%d", i);
        PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_LF);
        PTEST_STR_EQ(vstring_str(buf), want);
    }
    /* No answer: the poll-first path must honour the deadline. */
    vstream_set_timeouts(stream, 150, 2000);
    vstream_fputs(stream, "silent\n");
    vstream_fflush(stream);
    int64_t start = mono_ms();
    PTEST_STR_EQ(line_status_name(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP)),
                 "TIMEOUT");
    int64_t took = mono_ms() - start;
    PTEST_CHECK(took >= 140 && took < 2000);
    PTEST_CHECK(vstream_ftimeout(stream));
    vstream_clearerr(stream);
    vstream_set_timeouts(stream, 2000, 2000);
    vstream_fputs(stream, "again\n");
    vstream_fflush(stream);
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_LF);
    PTEST_STR_EQ(vstring_str(buf), "re again");
    vstream_fclose(stream);
    waitpid(pid, 0, 0);
    vstring_free(buf);
}

/* --- files: seek, tell, update in place ------------------------------------------- */

static void test_update_in_place(void)
{
    char path[] = "/tmp/vstream_testXXXXXX";
    int fd = mkstemp(path);
    char buf[64];

    VSTREAM *stream = vstream_fdopen(fd, VSTREAM_RDWR);
    vstream_fputs(stream, "AAAA BBBB CCCC\n");
    PTEST_INT_EQ(vstream_ftell(stream), 15);
    PTEST_INT_EQ(vstream_fseek(stream, 0, SEEK_SET), 0);
    PTEST_INT_EQ(vstream_fread(stream, buf, 5), 5);
    PTEST_INT_EQ(vstream_ftell(stream), 5);
    /* Write after read lands at the logical position, not after the read-ahead. */
    vstream_fputs(stream, "XXXX");
    PTEST_INT_EQ(vstream_ftell(stream), 9);
    PTEST_INT_EQ(vstream_fread(stream, buf, 6), 6);
    PTEST_CHECK(memcmp(buf, " CCCC\n", 6) == 0);
    PTEST_INT_EQ(vstream_getc(stream), VSTREAM_EOF);
    /* SEEK_CUR counts from the logical position. */
    PTEST_INT_EQ(vstream_fseek(stream, -10, SEEK_CUR), 5);
    PTEST_INT_EQ(vstream_getc(stream), 'X');
    PTEST_INT_EQ(vstream_fseek(stream, 0, SEEK_END), 15);
    vstream_fputs(stream, "tail\n");
    PTEST_INT_EQ(vstream_fclose(stream), 0);

    fd = open(path, O_RDONLY);
    ssize_t got = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[got > 0 ? got : 0] = 0;
    PTEST_STR_EQ(buf, "AAAA XXXX CCCC\ntail\n");
    unlink(path);
}

static void test_std_err_autoflush(void)
{
    int pfd[2];
    char buf[32];

    if (pipe(pfd) < 0 || dup2(pfd[1], 2) < 0) {
        PTEST_FAIL("pipe/dup2: %s", strerror(errno));
        return;
    }
    vstream_fprintf(VSTREAM_ERR, "err %d", 1);
    non_blocking(pfd[0], NON_BLOCKING);
    ssize_t got = read(pfd[0], buf, sizeof(buf));
    PTEST_INT_EQ(got, 5);
    PTEST_INT_EQ(vstream_fileno(VSTREAM_ERR), 2);
    PTEST_INT_EQ(vstream_fileno(VSTREAM_IN), 0);
}

static void test_close_reports_errors(void)
{
    int pfd[2];

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    signal(SIGPIPE, SIG_IGN);
    close(pfd[0]);
    VSTREAM *stream = vstream_fdopen(pfd[1], VSTREAM_WRITE);
    vstream_set_path(stream, "test pipe");
    PTEST_STR_EQ(vstream_path(stream), "test pipe");
    vstream_fputs(stream, "lost");
    errno = 0;
    PTEST_INT_EQ(vstream_fclose(stream), VSTREAM_EOF);
    PTEST_INT_EQ(errno, EPIPE);
}

/* --- a custom I/O layer: ROT13, at most 3 bytes per call, recording timeouts --- */

static int io_last_timeout;
static int io_calls;

static void rot13(char *cp, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = cp[i];
        if (c >= 'a' && c <= 'z')
            cp[i] = (char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            cp[i] = (char)('A' + (c - 'A' + 13) % 26);
    }
}

static ssize_t rot13_read(VSTREAM *stream, void *buf, size_t len, int timeout_ms, void *context)
{
    io_last_timeout = timeout_ms;
    io_calls++;
    if (*(int *)context != 42)
        PTEST_FAIL("read context not passed");
    ssize_t got = read(vstream_fileno(stream), buf, len < 3 ? len : 3);
    if (got > 0)
        rot13(buf, (size_t)got);
    return got;
}

static ssize_t rot13_write(VSTREAM *stream, void *buf, size_t len, int timeout_ms, void *context)
{
    char tmp[3];
    size_t n = len < 3 ? len : 3;

    io_last_timeout = timeout_ms;
    io_calls++;
    memcpy(tmp, buf, n);
    rot13(tmp, n);
    return write(vstream_fileno(stream), tmp, n);
}

static void test_custom_io_layer(void)
{
    int sv[2];
    int context = 42;
    char raw[64];
    VSTRING *buf = vstring_alloc(10);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        PTEST_FAIL("socketpair: %s", strerror(errno));
        return;
    }
    VSTREAM *a = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_io(a, rot13_read, rot13_write, &context);
    vstream_set_timeouts(a, 5000, 4000);
    vstream_fputs(a, "Hello, World\r\n");
    PTEST_INT_EQ(vstream_fflush(a), 0);
    PTEST_CHECK(io_calls >= 5); /* 14 bytes, 3 at a time */
    PTEST_CHECK(io_last_timeout > 3000 && io_last_timeout <= 4000);
    ssize_t got = read(sv[1], raw, sizeof(raw) - 1);
    raw[got > 0 ? got : 0] = 0;
    PTEST_STR_EQ(raw, "Uryyb, Jbeyq\r\n");

    /* Reading through the layer, 3 bytes per call, across chunk boundaries. */
    if (write(sv[1], "Svefg\r\nfrpbaq\n", 14) != 14)
        PTEST_FAIL("write");
    io_calls = 0;
    PTEST_INT_EQ(vstream_get_line(a, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_CRLF);
    PTEST_STR_EQ(vstring_str(buf), "First");
    PTEST_INT_EQ(vstream_get_line(a, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_LF);
    PTEST_STR_EQ(vstring_str(buf), "second");
    PTEST_INT_EQ(io_calls, 5);
    PTEST_CHECK(io_last_timeout > 4000 && io_last_timeout <= 5000);
    vstream_fclose(a);
    close(sv[1]);
    vstring_free(buf);
}

/* Plain read()/write(), counted: the system-call budget of a pipelined session. */
static int counted_reads;
static int counted_writes;

static ssize_t counted_read(VSTREAM *stream, void *buf, size_t len, int timeout_ms, void *ctx)
{
    counted_reads++;
    return read(vstream_fileno(stream), buf, len);
}

static ssize_t counted_write(VSTREAM *stream, void *buf, size_t len, int timeout_ms, void *ctx)
{
    counted_writes++;
    return write(vstream_fileno(stream), buf, len);
}

static void test_syscalls_per_pipelined_batch(void)
{
    int sv[2];
    VSTRING *batch = vstring_alloc(40000);
    VSTRING *line = vstring_alloc(100);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        PTEST_FAIL("socketpair: %s", strerror(errno));
        return;
    }
    for (int i = 0; i < 1000; i++)
        vstring_sprintf_append(batch, "RCPT TO:<user%04d@example.com>\r\n", i);
    if (write(sv[1], vstring_str(batch), VSTRING_LEN(batch)) != (ssize_t)VSTRING_LEN(batch))
        PTEST_FAIL("write: %s", strerror(errno));
    VSTREAM *stream = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_io(stream, counted_read, counted_write, 0);
    int lines = 0;
    /* Answer each command; replies go out when no more input is buffered. */
    while (vstream_peek(stream) > 0 || lines == 0) {
        if (vstream_get_line(stream, line, 1000, VSTREAM_LINE_STRIP) != VSTREAM_LINE_CRLF)
            break;
        lines++;
        vstream_fputs(stream, "250 2.1.5 Ok\r\n");
    }
    vstream_fflush(stream);
    PTEST_INT_EQ(lines, 1000);
    PTEST_INT_EQ(counted_reads, 1);
    PTEST_INT_EQ(counted_writes, 1);
    vstream_fclose(stream);
    close(sv[1]);
    vstring_free(batch);
    vstring_free(line);
}

/* STARTTLS: pipelined plaintext after the command is thrown away. */
static void test_fpurge(void)
{
    VSTRING *in = vstring_alloc(10);
    VSTRING *out = vstring_alloc(10);
    VSTRING *buf = vstring_alloc(10);

    vstring_strcpy(in, "STARTTLS\r\nRSET\r\n");
    VSTREAM *stream = vstream_memopen(in, VSTREAM_READ);
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, VSTREAM_LINE_STRIP), VSTREAM_LINE_CRLF);
    PTEST_INT_EQ(vstream_peek(stream), 6);
    vstream_fpurge(stream, VSTREAM_PURGE_READ);
    PTEST_INT_EQ(vstream_peek(stream), 0);
    PTEST_INT_EQ(vstream_get_line(stream, buf, 100, 0), VSTREAM_LINE_EOF);
    vstream_fclose(stream);

    stream = vstream_memopen(out, VSTREAM_WRITE);
    vstream_fputs(stream, "discarded");
    vstream_fpurge(stream, VSTREAM_PURGE_WRITE);
    vstream_fputs(stream, "kept");
    vstream_fclose(stream);
    PTEST_STR_EQ(vstring_str(out), "kept");
    vstring_free(in);
    vstring_free(out);
    vstring_free(buf);
}

static const PTEST_CASE cases[] = {
    {"custom_io_layer", test_custom_io_layer},
    {"syscalls_per_pipelined_batch", test_syscalls_per_pipelined_batch},
    {"fpurge", test_fpurge},
    {"get_line_memory", test_get_line_memory},
    {"get_line_one_byte_reads", test_get_line_one_byte_reads},
    {"get_line_append_and_limit", test_get_line_append_and_limit},
    {"getc_ungetc_fread", test_getc_ungetc_fread},
    {"fread_large_file", test_fread_large_file},
    {"memory_write_and_limit", test_memory_write_and_limit},
    {"fprintf_larger_than_buffer", test_fprintf_larger_than_buffer},
    {"one_write_per_flush", test_one_write_per_flush},
    {"partial_writes_full_pipe", test_partial_writes_full_pipe},
    {"write_timeout_silent_reader", test_write_timeout_silent_reader},
    {"read_timeout_blocking", test_read_timeout_blocking},
    {"read_timeout_nonblocking", test_read_timeout_nonblocking},
    {"read_deadline_slow_peer", test_read_deadline_slow_peer},
    {"flush_before_read", test_flush_before_read},
    {"late_replies_nonblocking", test_late_replies_nonblocking},
    {"update_in_place", test_update_in_place},
    {"std_err_autoflush", test_std_err_autoflush},
    {"close_reports_errors", test_close_reports_errors},
};

PTEST_MAIN(cases)
