/*
 * vstream_fuzz - fuzz target for vstream_get_line().
 *
 * The first input byte picks maxlen (2..257), the rest is the stream.  The
 * invariants checked: the pieces returned (terminators kept) concatenate to
 * exactly the input; no piece takes more than maxlen bytes; the status
 * agrees with how the piece ends; a LONG piece never ends in
 * the CR of a CR LF; the same
 * input read with VSTREAM_LINE_STRIP gives the same statuses; and the same
 * input delivered in small chunks (sizes 1..8 from a pseudo-random sequence
 * seeded by the input) through a custom read function gives the same
 * pieces, so buffer boundaries cannot change what a line is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vstream.h"
#include "vstring.h"

typedef struct CHUNKER {
    const char *data;
    size_t len;
    size_t pos;
    uint32_t rng;
} CHUNKER;

static ssize_t chunk_read(VSTREAM *stream, void *buf, size_t len, int timeout_ms, void *context)
{
    CHUNKER *ck = context;

    ck->rng = ck->rng * 1103515245u + 12345u;
    size_t n = 1 + (ck->rng >> 16) % 8;
    if (n > len)
        n = len;
    if (n > ck->len - ck->pos)
        n = ck->len - ck->pos;
    memcpy(buf, ck->data + ck->pos, n);
    ck->pos += n;
    return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t maxlen = 2 + data[0];
    VSTRING *in = vstring_alloc(size);
    VSTRING *line = vstring_alloc(10);
    VSTRING *stripped = vstring_alloc(10);
    VSTRING *joined = vstring_alloc(size);

    vstring_memcpy(in, data + 1, size - 1);
    VSTREAM *keep = vstream_memopen(in, VSTREAM_READ);
    VSTREAM *strip = vstream_memopen(in, VSTREAM_READ);
    CHUNKER ck = {vstring_str(in), VSTRING_LEN(in), 0, (uint32_t)size * 2654435761u};
    VSTREAM *chunked = vstream_fdopen(0, VSTREAM_READ | VSTREAM_NOCLOSE);
    VSTRING *line3 = vstring_alloc(10);
    vstream_set_io(chunked, chunk_read, 0, &ck);
    for (;;) {
        int st = vstream_get_line(keep, line, maxlen, 0);
        int st2 = vstream_get_line(strip, stripped, maxlen, VSTREAM_LINE_STRIP);
        int st3 = vstream_get_line(chunked, line3, maxlen, 0);
        size_t len = VSTRING_LEN(line);
        const char *cp = vstring_str(line);

        if (st != st2 || len > maxlen)
            abort();
        if (st != st3 || VSTRING_LEN(line3) != len || memcmp(vstring_str(line3), cp, len) != 0)
            abort();
        switch (st) {
        case VSTREAM_LINE_EOF:
            if (len != 0)
                abort();
            break;
        case VSTREAM_LINE_CRLF:
            if (len < 2 || memcmp(cp + len - 2, "\r\n", 2) != 0 || VSTRING_LEN(stripped) != len - 2)
                abort();
            break;
        case VSTREAM_LINE_LF:
            if (cp[len - 1] != '\n' || (len >= 2 && cp[len - 2] == '\r') ||
                VSTRING_LEN(stripped) != len - 1)
                abort();
            break;
        case VSTREAM_LINE_LONG:
            /* A CR that ends a piece is not the first half of a CR LF. */
            if (len == 0 || memchr(cp, '\n', len) ||
                (cp[len - 1] == '\r' && VSTRING_LEN(joined) + len < VSTRING_LEN(in) &&
                 vstring_str(in)[VSTRING_LEN(joined) + len] == '\n'))
                abort();
            break;
        case VSTREAM_LINE_NOEOL:
            if (len == 0 || memchr(cp, '\n', len))
                abort();
            break;
        default:
            abort();
        }
        if (memcmp(vstring_str(stripped), cp, VSTRING_LEN(stripped)) != 0)
            abort();
        vstring_memcat(joined, cp, len);
        if (st == VSTREAM_LINE_EOF)
            break;
    }
    if (VSTRING_LEN(joined) != VSTRING_LEN(in) ||
        memcmp(vstring_str(joined), vstring_str(in), VSTRING_LEN(in)) != 0)
        abort();
    vstream_fclose(keep);
    vstream_fclose(strip);
    vstream_fclose(chunked);
    vstring_free(line3);
    vstring_free(in);
    vstring_free(line);
    vstring_free(stripped);
    vstring_free(joined);
    return 0;
}
