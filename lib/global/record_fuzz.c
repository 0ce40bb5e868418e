/*
 * record_fuzz - fuzz target for the queue file record reader and checker.
 *
 * The input is a queue file.  Invariants checked: reading without pointer
 * following walks the input from start to end (each record starts where the
 * previous one ended, EOF only at the exact end, the data never exceeds the
 * limit); re-encoding the records read gives back the input up to the first
 * error (lengths may only have been encoded with redundant zero groups);
 * reading with pointer following and qfile_check() terminate without
 * crashing, whatever the pointers say.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qfile.h"
#include "record.h"
#include "vstring.h"

#define FUZZ_MAXLEN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    REC_READER *rp = rec_reader_mem(data, size, FUZZ_MAXLEN, REC_FLAG_NONE);
    VSTRING *rec = vstring_alloc(100);
    VSTRING *again = vstring_alloc(100);
    VSTRING *why = vstring_alloc(100);
    off_t expect = 0;
    int type;

    /* Sequential reading. */
    while ((type = rec_get(rp, rec)) >= 0) {
        if (rec_reader_record_offset(rp) != expect || VSTRING_LEN(rec) > FUZZ_MAXLEN)
            abort();
        expect = rec_reader_next_offset(rp);
        if (expect > (off_t)size)
            abort();
        rec_put_buf(again, type, vstring_str(rec), VSTRING_LEN(rec));
    }
    if (type == REC_TYPE_EOF && expect != (off_t)size)
        abort();
    if (type != REC_TYPE_EOF && type != REC_TYPE_ERROR)
        abort();
    /* A minimal re-encoding can only be shorter than the input. */
    if (VSTRING_LEN(again) > (size_t)expect)
        abort();
    if (VSTRING_LEN(again) == (size_t)expect && memcmp(vstring_str(again), data, expect) != 0)
        abort();
    rec_reader_free(rp);

    /* Pointer following must end, loops and wild targets included. */
    rp = rec_reader_mem(data, size, FUZZ_MAXLEN, REC_FLAG_FOLLOW_PTR);
    for (size_t n = 0; (type = rec_get(rp, rec)) >= 0; n++)
        if (n > size)
            abort();
    rec_reader_free(rp);

    rp = rec_reader_mem(data, size, FUZZ_MAXLEN, REC_FLAG_FOLLOW_PTR);
    (void)qfile_check(rp, QFILE_FLAG_NONE, 0, why);
    rec_reader_free(rp);
    rp = rec_reader_mem(data, size, FUZZ_MAXLEN, REC_FLAG_FOLLOW_PTR);
    (void)qfile_check(rp, QFILE_FLAG_MAILDROP, 0, why);
    rec_reader_free(rp);

    vstring_free(rec);
    vstring_free(again);
    vstring_free(why);
    return 0;
}
