/*
 * record_test - unit tests for the queue file record codec.
 *
 * Covers the length encoding at every 7-bit boundary, round trips through
 * memory, a file and a pipe, every truncation of a valid stream, hostile
 * lengths (2^31, 2^63, beyond the input, beyond the caller's limit),
 * pointer and padding records (following, loops, bad targets), and the
 * in-place updates.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mymalloc.h"
#include "ptest.h"
#include "record.h"
#include "vstring.h"

static int tmp_file(void)
{
    char path[] = "/tmp/record_test.XXXXXX";
    int fd = mkstemp(path);

    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    unlink(path);
    return fd;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 3 * i, "%02x ", p[i]);
    if (n == 0)
        *out = 0;
}

/* Length encoding at the 7-bit group boundaries. */
static void test_len_encode(void)
{
    static const struct {
        size_t len;
        const char *want;
    } cases[] = {
        {0, "00 "},
        {1, "01 "},
        {127, "7f "},
        {128, "80 01 "},
        {129, "81 01 "},
        {16383, "ff 7f "},
        {16384, "80 80 01 "},
        {2097151, "ff ff 7f "},
        {2097152, "80 80 80 01 "},
        {268435455, "ff ff ff 7f "},
        {268435456, "80 80 80 80 01 "},
        {INT_MAX, "ff ff ff ff 07 "},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char buf[REC_LEN_ENCODE_MAX];
        char got[3 * REC_LEN_ENCODE_MAX + 1];
        size_t n = rec_len_encode(buf, cases[i].len);

        hex(got, buf, n);
        if (strcmp(got, cases[i].want) != 0)
            PTEST_FAIL("len %zu: got \"%s\", want \"%s\"", cases[i].len, got, cases[i].want);
    }
}

/* A record as written: type, length bytes, data. */
static void test_put_layout(void)
{
    VSTRING *b = vstring_alloc(10);
    char got[64];

    rec_put_str(b, 'S', "a@b");
    rec_put_buf(b, 'N', "", 0);
    rec_sprintf(b, 'T', "%d %d", 12, 34);
    hex(got, (unsigned char *)vstring_str(b), VSTRING_LEN(b));
    PTEST_STR_EQ(got, "53 03 61 40 62 4e 00 54 05 31 32 20 33 34 ");
    vstring_free(b);
}

/* Records of every boundary length survive a round trip. */
static const size_t boundary_lens[] = {0, 1, 127, 128, 129, 16383, 16384, 16385, 70000, 300000};

static VSTRING *make_stream(void)
{
    VSTRING *b = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(boundary_lens) / sizeof(boundary_lens[0]); i++) {
        char *data = mymalloc(boundary_lens[i] + 1);

        for (size_t j = 0; j < boundary_lens[i]; j++)
            data[j] = (char)((i * 31 + j * 7) & 0xff);
        rec_put_buf(b, i % 2 ? 'N' : 'L', data, boundary_lens[i]);
        myfree(data);
    }
    rec_put_buf(b, 'E', "", 0);
    return b;
}

static void check_stream(REC_READER *rp)
{
    VSTRING *d = vstring_alloc(10);
    off_t want_off = 0;
    int type;

    for (size_t i = 0; i < sizeof(boundary_lens) / sizeof(boundary_lens[0]); i++) {
        size_t len = boundary_lens[i];
        size_t hdr = len < 128 ? 2 : len < 16384 ? 3 : 4;
        size_t j;

        type = rec_get(rp, d);
        PTEST_INT_EQ(type, i % 2 ? 'N' : 'L');
        PTEST_INT_EQ(VSTRING_LEN(d), len);
        PTEST_INT_EQ(rec_reader_offset(rp), want_off);
        PTEST_INT_EQ(rec_reader_record_offset(rp), want_off);
        for (j = 0; j < len && j < VSTRING_LEN(d); j++)
            if (vstring_str(d)[j] != (char)((i * 31 + j * 7) & 0xff))
                break;
        if (j < len)
            PTEST_FAIL("record %zu: data differs at byte %zu", i, j);
        want_off += (off_t)(hdr + len);
    }
    PTEST_INT_EQ(rec_get(rp, d), 'E');
    PTEST_INT_EQ(rec_get(rp, d), REC_TYPE_EOF);
    vstring_free(d);
}

static void test_roundtrip_mem(void)
{
    VSTRING *b = make_stream();
    REC_READER *rp = rec_reader_mem(vstring_str(b), VSTRING_LEN(b), 0, REC_FLAG_NONE);

    check_stream(rp);
    rec_reader_free(rp);
    vstring_free(b);
}

static void test_roundtrip_file(void)
{
    VSTRING *b = make_stream();
    size_t len = VSTRING_LEN(b);
    int fd = tmp_file();
    REC_READER *rp;

    PTEST_INT_EQ(rec_write_batch(fd, b), 0);
    PTEST_INT_EQ(VSTRING_LEN(b), 0);
    PTEST_INT_EQ(lseek(fd, 0, SEEK_END), len);
    /* A regular file is read from its start, wherever its offset is... */
    rp = rec_reader_fd(fd, 0, REC_FLAG_NONE);
    check_stream(rp);
    /* ...and the reader leaves the descriptor's offset alone. */
    PTEST_INT_EQ(lseek(fd, 0, SEEK_CUR), len);
    rec_reader_free(rp);
    close(fd);
    vstring_free(b);
}

static void test_roundtrip_pipe(void)
{
    VSTRING *b = make_stream();
    int pfd[2];
    pid_t pid;
    REC_READER *rp;

    if (pipe(pfd) < 0)
        exit(1);
    if ((pid = fork()) == 0) {
        close(pfd[0]);
        _exit(rec_write_batch(pfd[1], b) == 0 ? 0 : 1);
    }
    close(pfd[1]);
    rp = rec_reader_fd(pfd[0], 0, REC_FLAG_NONE);
    check_stream(rp);
    rec_reader_free(rp);
    close(pfd[0]);
    waitpid(pid, 0, 0);
    vstring_free(b);
}

/* Every cut of a valid stream: EOF exactly at record boundaries, else ERROR. */
static void test_truncations(void)
{
    VSTRING *b = vstring_alloc(100);
    VSTRING *d = vstring_alloc(100);
    char big[200];
    size_t bounds[8];
    size_t nb = 0;

    memset(big, 'x', sizeof(big));
    bounds[nb++] = 0;
    rec_put_str(b, 'S', "sender@example.com");
    bounds[nb++] = VSTRING_LEN(b);
    rec_put_buf(b, 'N', big, sizeof(big));
    bounds[nb++] = VSTRING_LEN(b);
    rec_put_buf(b, 'X', "", 0);
    bounds[nb++] = VSTRING_LEN(b);
    for (size_t cut = 0; cut <= VSTRING_LEN(b); cut++) {
        REC_READER *rp = rec_reader_mem(vstring_str(b), cut, 0, REC_FLAG_NONE);
        int type;
        int at_boundary = 0;

        for (size_t i = 0; i < nb; i++)
            at_boundary |= bounds[i] == cut;
        while ((type = rec_get(rp, d)) > 0)
            /* void */;
        if (type != (at_boundary ? REC_TYPE_EOF : REC_TYPE_ERROR))
            PTEST_FAIL("cut at %zu: got %d, want %d (%s)", cut, type,
                       at_boundary ? REC_TYPE_EOF : REC_TYPE_ERROR, rec_reader_error(rp));
        rec_reader_free(rp);
    }
    vstring_free(b);
    vstring_free(d);
}

/* Hostile length fields. */
static void test_hostile_lengths(void)
{
    static const struct {
        const char *name;
        const char *input;
        size_t len;
        size_t maxlen;
        const char *want_error;
    } cases[] = {
        {"2^63", "N\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11, 0, "too many length bits"},
        {"six length bytes", "N\x81\x80\x80\x80\x80\x00", 7, 0, "too many length bits"},
        {"2^31",
         "N\x80\x80\x80\x80\x08"
         "abc",
         9, INT_MAX, "illegal length"},
        {"2^35-1", "N\xff\xff\xff\xff\x7f", 6, INT_MAX, "illegal length"},
        {"beyond input",
         "N\x80\x80\x80\x01"
         "abc",
         8, INT_MAX, "unexpected EOF in data"},
        {"over limit", "N\x80\x01", 3, 100, "exceeds limit"},
        {"no length", "N", 1, 0, "unexpected EOF reading length"},
        {"cut length", "N\x80", 2, 0, "unexpected EOF reading length"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        REC_READER *rp = rec_reader_mem(cases[i].input, cases[i].len, cases[i].maxlen, 0);
        VSTRING *d = vstring_alloc(10);
        int type = rec_get(rp, d);

        if (type != REC_TYPE_ERROR || strstr(rec_reader_error(rp), cases[i].want_error) == 0)
            PTEST_FAIL("%s: got type %d error \"%s\", want ERROR \"%s\"", cases[i].name, type,
                       rec_reader_error(rp), cases[i].want_error);
        rec_reader_free(rp);
        vstring_free(d);
    }
}

/* A redundant zero group is still a valid length (Postfix reads it too). */
static void test_padded_length(void)
{
    static const char input[] = "N\x83\x80\x80\x80\x00"
                                "abcE\x00";
    REC_READER *rp = rec_reader_mem(input, sizeof(input) - 1, 0, 0);
    VSTRING *d = vstring_alloc(10);

    PTEST_INT_EQ(rec_get(rp, d), 'N');
    PTEST_STR_EQ(vstring_str(d), "abc");
    PTEST_INT_EQ(rec_get(rp, d), 'E');
    rec_reader_free(rp);
    vstring_free(d);
}

/* Pointer records: jump, zero pointer, padding, loops, bad targets. */
static void test_pointers(void)
{
    VSTRING *b = vstring_alloc(100);
    VSTRING *d = vstring_alloc(100);
    REC_READER *rp;
    off_t p1, r_off, p2, back;

    rec_put_str(b, 'S', "s"); /* 0 */
    p1 = (off_t)VSTRING_LEN(b);
    rec_put_ptr(b, 0); /* placeholder */
    rec_put_str(b, 'N', "skipped");
    back = (off_t)VSTRING_LEN(b);
    rec_put_buf(b, 'w', "pad", 3);
    rec_put_ptr(b, 0); /* zero: continue */
    rec_put_str(b, 'M', "");
    rec_put_str(b, 'E', "");
    r_off = (off_t)VSTRING_LEN(b);
    rec_put_str(b, 'R', "r@x"); /* appended */
    p2 = (off_t)VSTRING_LEN(b);
    rec_sprintf(b, 'p', "%15ld", (long)back);

    /* Patch the placeholder through the in-place interface on a file. */
    {
        int fd = tmp_file();
        VSTRING *copy = vstring_alloc(100);

        vstring_memcpy(copy, vstring_str(b), VSTRING_LEN(b));
        PTEST_INT_EQ(rec_write_batch(fd, copy), 0);
        PTEST_INT_EQ(rec_ptr_update(fd, p1, (long)r_off), 0);
        PTEST_INT_EQ(rec_ptr_update(fd, 0, 5), -1); /* not a 'p' record */
        lseek(fd, 0, SEEK_SET);
        rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
        PTEST_INT_EQ(rec_get(rp, d), 'S');
        PTEST_INT_EQ(rec_get(rp, d), 'R');
        PTEST_INT_EQ(rec_reader_offset(rp), p1); /* where reading started */
        PTEST_INT_EQ(rec_reader_record_offset(rp), r_off);
        PTEST_INT_EQ(rec_get(rp, d), 'M');
        PTEST_INT_EQ(rec_reader_offset(rp), p2);
        PTEST_INT_EQ(rec_get(rp, d), 'E');
        rec_reader_free(rp);
        /* Without following, every record shows. */
        rp = rec_reader_fd(fd, 0, REC_FLAG_NONE);
        PTEST_INT_EQ(rec_get(rp, d), 'S');
        PTEST_INT_EQ(rec_get(rp, d), 'p');
        PTEST_INT_EQ(rec_get(rp, d), 'N');
        PTEST_INT_EQ(rec_get(rp, d), 'w');
        rec_reader_free(rp);
        close(fd);
        vstring_free(copy);
    }

    /* A pointer to itself is a loop, not a hang. */
    vstring_reset(b);
    rec_put_str(b, 'S', "s");
    rec_sprintf(b, 'p', "%15ld", 3L);
    rp = rec_reader_mem(vstring_str(b), VSTRING_LEN(b), 0, REC_FLAG_FOLLOW_PTR);
    PTEST_INT_EQ(rec_get(rp, d), 'S');
    PTEST_INT_EQ(rec_get(rp, d), REC_TYPE_ERROR);
    PTEST_CHECK(strstr(rec_reader_error(rp), "loop") != 0);
    rec_reader_free(rp);

    /* Target beyond the end, and a malformed value. */
    static const char *bad[] = {"%15ld", "abc", "", "-5", "12 3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vstring_reset(b);
        if (i == 0)
            rec_sprintf(b, 'p', "%15ld", 1000000L);
        else
            rec_put_str(b, 'p', bad[i]);
        rec_put_str(b, 'E', "");
        rp = rec_reader_mem(vstring_str(b), VSTRING_LEN(b), 0, REC_FLAG_FOLLOW_PTR);
        if (rec_get(rp, d) != REC_TYPE_ERROR)
            PTEST_FAIL("pointer case %zu: got a record, want ERROR", i);
        rec_reader_free(rp);
    }
    vstring_free(b);
    vstring_free(d);
}

/* Mark a recipient done in place; update the size record. */
static void test_in_place(void)
{
    VSTRING *b = vstring_alloc(100);
    VSTRING *d = vstring_alloc(100);
    REC_SIZE sz = {123, 456, 2, 0, 123, 0};
    REC_SIZE got;
    REC_READER *rp;
    off_t r2 = 0;
    int fd = tmp_file();

    rec_size_format(b, &sz);
    PTEST_INT_EQ(VSTRING_LEN(b), 2 + REC_TYPE_SIZE_WIDTH);
    rec_put_str(b, 'R', "one@x");
    r2 = (off_t)VSTRING_LEN(b);
    rec_put_str(b, 'R', "two@x");
    rec_put_str(b, 'E', "");
    PTEST_INT_EQ(rec_write_batch(fd, b), 0);

    PTEST_INT_EQ(rec_update_type(fd, r2, 'R', 'D'), 0);
    PTEST_INT_EQ(rec_update_type(fd, r2, 'R', 'D'), -1); /* already done */
    PTEST_INT_EQ(errno, EINVAL);
    sz.data_size = 9876543210L;
    sz.rcpt_count = 1;
    PTEST_INT_EQ(rec_size_update(fd, &sz), 0);

    lseek(fd, 0, SEEK_SET);
    rp = rec_reader_fd(fd, 0, REC_FLAG_NONE);
    PTEST_INT_EQ(rec_get(rp, d), 'C');
    PTEST_INT_EQ(rec_size_parse(vstring_str(d), &got), 0);
    PTEST_INT_EQ(got.data_size, 9876543210L);
    PTEST_INT_EQ(got.data_offset, 456);
    PTEST_INT_EQ(got.rcpt_count, 1);
    PTEST_INT_EQ(rec_get(rp, d), 'R');
    PTEST_INT_EQ(rec_get(rp, d), 'D');
    PTEST_STR_EQ(vstring_str(d), "two@x");
    PTEST_INT_EQ(rec_get(rp, d), 'E');
    rec_reader_free(rp);

    /* A value too wide for the fixed field is refused, the file unchanged. */
    sz.data_size = 1234567890123456L;
    PTEST_INT_EQ(rec_size_update(fd, &sz), -1);
    close(fd);
    vstring_free(b);
    vstring_free(d);
}

static void test_size_parse(void)
{
    static const struct {
        const char *in;
        int want;
    } cases[] = {
        {"            269             262               1               0             269 "
         "              0",
         0},
        {"10 99 1", 0}, /* old three-field form */
        {"10 99", -1},
        {"abc", -1},
        {"1 2 3 4 5 6 7", -1},
        {"10 0 1", -1}, /* no content offset */
        {"10 99 1x", -1},
        {"99999999999999999999 1 1", -1},
        {"", -1},
    };
    REC_SIZE sz;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = rec_size_parse(cases[i].in, &sz);

        if (got != cases[i].want)
            PTEST_FAIL("\"%s\": got %d, want %d", cases[i].in, got, cases[i].want);
    }
}

static const PTEST_CASE cases[] = {
    {"len_encode", test_len_encode},
    {"put_layout", test_put_layout},
    {"roundtrip_mem", test_roundtrip_mem},
    {"roundtrip_file", test_roundtrip_file},
    {"roundtrip_pipe", test_roundtrip_pipe},
    {"truncations", test_truncations},
    {"hostile_lengths", test_hostile_lengths},
    {"padded_length", test_padded_length},
    {"pointers", test_pointers},
    {"in_place", test_in_place},
    {"size_parse", test_size_parse},
};

PTEST_MAIN(cases)
