/*
 * Unit tests for rec_stream: golden bytes of records written to a stream
 * (the same bytes record.c puts in queue files), reading them back, long
 * records in pieces, and truncated or malformed input.
 */
#include <string.h>

#include "ptest.h"
#include "rec_stream.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

static void test_put_golden(void)
{
    VSTRING *buf = vstring_alloc(100);
    VSTRING *batch = vstring_alloc(100);
    VSTREAM *fp = vstream_memopen(buf, VSTREAM_WRITE);
    char big[200];

    memset(big, 'x', sizeof(big));
    PTEST_INT_EQ(rec_vstream_fputs(fp, REC_TYPE_NORM, "hello"), REC_TYPE_NORM);
    PTEST_INT_EQ(rec_vstream_put(fp, REC_TYPE_CONT, "", 0), REC_TYPE_CONT);
    PTEST_INT_EQ(rec_vstream_fprintf(fp, REC_TYPE_RCPT, "%s@%d", "u", 7), REC_TYPE_RCPT);
    PTEST_INT_EQ(rec_vstream_put(fp, REC_TYPE_NORM, big, sizeof(big)), REC_TYPE_NORM);
    PTEST_INT_EQ(vstream_fclose(fp), 0);

    static const char want_head[] = "N\005helloL\000R\003u@7N\310\001";
    PTEST_INT_EQ(VSTRING_LEN(buf), sizeof(want_head) - 1 + sizeof(big));
    PTEST_CHECK(memcmp(vstring_str(buf), want_head, sizeof(want_head) - 1) == 0);

    /* Identical to what record.c writes into a queue file. */
    rec_put_str(batch, REC_TYPE_NORM, "hello");
    rec_put_buf(batch, REC_TYPE_CONT, "", 0);
    rec_put_str(batch, REC_TYPE_RCPT, "u@7");
    rec_put_buf(batch, REC_TYPE_NORM, big, sizeof(big));
    PTEST_INT_EQ(VSTRING_LEN(batch), VSTRING_LEN(buf));
    PTEST_CHECK(memcmp(vstring_str(batch), vstring_str(buf), VSTRING_LEN(buf)) == 0);
}

static void test_get(void)
{
    VSTRING *in = vstring_alloc(100);
    VSTRING *rec = vstring_alloc(10);

    rec_put_str(in, REC_TYPE_NORM, "hello");
    rec_put_buf(in, REC_TYPE_NORM, "a\0b", 3);
    rec_put_str(in, REC_TYPE_RCPT, "");
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 0), REC_TYPE_NORM);
    PTEST_STR_EQ(vstring_str(rec), "hello");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 100), REC_TYPE_NORM);
    PTEST_INT_EQ(VSTRING_LEN(rec), 3);
    PTEST_CHECK(memcmp(vstring_str(rec), "a\0b", 3) == 0);
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 100), REC_TYPE_RCPT);
    PTEST_INT_EQ(VSTRING_LEN(rec), 0);
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 100), REC_TYPE_EOF);
    vstream_fclose(fp);
}

/* A long N record comes back as L pieces then the N rest; a long R is an error. */
static void test_long_pieces(void)
{
    VSTRING *in = vstring_alloc(100);
    VSTRING *rec = vstring_alloc(10);

    rec_put_str(in, REC_TYPE_NORM, "abcdefghij");
    rec_put_str(in, REC_TYPE_CONT, "0123");
    rec_put_str(in, REC_TYPE_NORM, "xyz");
    rec_put_str(in, REC_TYPE_RCPT, "toolong");
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_CONT);
    PTEST_STR_EQ(vstring_str(rec), "abcd");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_CONT);
    PTEST_STR_EQ(vstring_str(rec), "efgh");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_NORM);
    PTEST_STR_EQ(vstring_str(rec), "ij");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_CONT);
    PTEST_STR_EQ(vstring_str(rec), "0123");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_NORM);
    PTEST_STR_EQ(vstring_str(rec), "xyz");
    PTEST_INT_EQ(rec_vstream_get(fp, rec, 4), REC_TYPE_ERROR);
    vstream_fclose(fp);

    /* Two streams in the middle of long records at once do not mix. */
    VSTRING *in2 = vstring_alloc(100);
    rec_put_str(in2, REC_TYPE_NORM, "ABCDEFG");
    VSTREAM *a = vstream_memopen(in, VSTREAM_READ);
    VSTREAM *b = vstream_memopen(in2, VSTREAM_READ);
    PTEST_INT_EQ(rec_vstream_get(a, rec, 4), REC_TYPE_CONT);
    PTEST_INT_EQ(rec_vstream_get(b, rec, 4), REC_TYPE_CONT);
    PTEST_STR_EQ(vstring_str(rec), "ABCD");
    PTEST_INT_EQ(rec_vstream_get(a, rec, 4), REC_TYPE_CONT);
    PTEST_STR_EQ(vstring_str(rec), "efgh");
    PTEST_INT_EQ(rec_vstream_get(b, rec, 4), REC_TYPE_NORM);
    PTEST_STR_EQ(vstring_str(rec), "EFG");
    rec_vstream_forget(a);
    vstream_fclose(a);
    vstream_fclose(b);
}

typedef struct BAD_CASE {
    const char *name;
    const char *input;
    size_t len;
} BAD_CASE;

#define IN(s) s, sizeof(s) - 1

static const BAD_CASE bad_cases[] = {
    {"type only", IN("N")},
    {"length cut", IN("N\200")},
    {"data cut", IN("N\005hel")},
    {"length too many bytes", IN("N\200\200\200\200\200\001")},
    {"length above INT_MAX", IN("N\377\377\377\377\017")},
};

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        VSTRING *in = vstring_alloc(10);
        VSTRING *rec = vstring_alloc(10);

        vstring_memcpy(in, bad_cases[i].input, bad_cases[i].len);
        VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
        int got = rec_vstream_get(fp, rec, 0);
        if (got != REC_TYPE_ERROR)
            PTEST_FAIL("%s: got %d, want REC_TYPE_ERROR", bad_cases[i].name, got);
        vstream_fclose(fp);
    }
}

static const PTEST_CASE cases[] = {
    {"put golden bytes", test_put_golden},
    {"get", test_get},
    {"long records in pieces", test_long_pieces},
    {"bad input", test_bad},
};

PTEST_MAIN(cases)
