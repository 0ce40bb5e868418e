/*
 * attr_fuzz - fuzz target for attr_scan().
 *
 * The first input byte picks the scan flags, the rest is a stream of
 * attribute lists, read with requests for an int, a string, a long and a
 * data attribute until attr_scan() reports an error or end of file.  The
 * invariants checked: no crash or sanitizer report; the count is -1 or
 * 0..4; and whatever a successful scan returned, written again with
 * attr_print() and scanned strictly, gives the same values (so what we
 * accept, we can forward unchanged).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

static void quiet(int level, const char *text)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;

    if (!init) {
        msg_output_clear();
        msg_output_add(quiet);
        init = 1;
    }
    if (size < 1)
        return 0;
    int flags = data[0] & (ATTR_FLAG_MISSING | ATTR_FLAG_EXTRA | ATTR_FLAG_MORE);
    VSTRING *in = vstring_alloc(size);
    VSTRING *s = vstring_alloc(10);
    VSTRING *d = vstring_alloc(10);
    VSTRING *s2 = vstring_alloc(10);
    VSTRING *d2 = vstring_alloc(10);

    vstring_memcpy(in, data + 1, size - 1);
    VSTREAM *fp = vstream_memopen(in, VSTREAM_READ);
    for (int lists = 0; lists < 64; lists++) {
        int i = 0, i2 = 0;
        long l = 0, l2 = 0;

        vstring_reset(s);
        vstring_reset(d);
        int n = attr_scan(fp, flags, RECV_ATTR_INT("i", &i), RECV_ATTR_STR("s", s),
                          RECV_ATTR_LONG("l", &l), RECV_ATTR_DATA("d", d), ATTR_TYPE_END);
        if (n < -1 || n > 4)
            abort();
        if (n < 0)
            break;

        /* Round trip through attr_print. */
        VSTRING *buf = vstring_alloc(100);
        VSTREAM *out = vstream_memopen(buf, VSTREAM_WRITE);
        if (attr_print(out, 0, SEND_ATTR_INT("i", i), SEND_ATTR_STR("s", vstring_str(s)),
                       SEND_ATTR_LONG("l", l), SEND_ATTR_DATA("d", VSTRING_LEN(d), vstring_str(d)),
                       ATTR_TYPE_END) != 0)
            abort();
        vstream_fclose(out);
        VSTREAM *back = vstream_memopen(buf, VSTREAM_READ);
        if (attr_scan(back, ATTR_FLAG_STRICT, RECV_ATTR_INT("i", &i2), RECV_ATTR_STR("s", s2),
                      RECV_ATTR_LONG("l", &l2), RECV_ATTR_DATA("d", d2), ATTR_TYPE_END) != 4)
            abort();
        if (i != i2 || l != l2 || strcmp(vstring_str(s), vstring_str(s2)) != 0 ||
            VSTRING_LEN(d) != VSTRING_LEN(d2) ||
            memcmp(vstring_str(d), vstring_str(d2), VSTRING_LEN(d)) != 0)
            abort();
        vstream_fclose(back);
        vstring_free(buf);
    }
    vstream_fclose(fp);
    vstring_free(in);
    vstring_free(s);
    vstring_free(d);
    vstring_free(s2);
    vstring_free(d2);
    return 0;
}
