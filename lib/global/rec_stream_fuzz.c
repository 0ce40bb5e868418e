/*
 * rec_stream_fuzz - fuzz target for rec_vstream_get().
 *
 * The first input byte picks maxlen (0 = unlimited, else 1..255), the rest
 * is a record stream.  Invariants: no crash or sanitizer report; every
 * record returned is at most maxlen bytes; and the input is consumed to a
 * clean end of file or an error, without looping.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rec_stream.h"
#include "vstream.h"
#include "vstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t maxlen = data[0];
    VSTRING *in = vstring_alloc(size);
    VSTRING *rec = vstring_alloc(10);

    vstring_memcpy(in, data + 1, size - 1);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    for (size_t rounds = 0;; rounds++) {
        int type = rec_vstream_get(fp, rec, maxlen);

        if (type == REC_TYPE_EOF || type == REC_TYPE_ERROR)
            break;
        if (type < 0 || type > 255 || (maxlen && VSTRING_LEN(rec) > maxlen))
            abort();
        if (rounds > size)
            abort(); /* every record consumes at least two bytes */
    }
    rec_vstream_forget(fp);
    vstream_fclose(fp);
    vstring_free(in);
    vstring_free(rec);
    return 0;
}
