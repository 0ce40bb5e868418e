/*
 * attr - write and read attribute lists (the byte format is in attr.h).
 *
 * Interface: attr_print/attr_vprint, attr_scan/attr_vscan,
 * attr_print_hello/attr_scan_hello, as documented in attr.h.
 *
 * Writing validates the whole list first (names, value sizes) and only then
 * buffers bytes, so a list is never half written because of a bad argument.
 * A bad name or a NULL string is a bug in the caller (msg_panic); a value
 * that would exceed ATTR_VALUE_MAX on the wire is data-dependent, so it is
 * a warning and -1 (nothing written) rather than a crash.
 *
 * Reading takes one byte at a time from the stream buffer and never holds
 * more than ATTR_NAME_MAX + 1 bytes of a name or ATTR_VALUE_MAX + 1 bytes of
 * a value, so a peer cannot make us allocate without bound.  Everything a
 * peer sends is checked: name syntax, number syntax and range, base64
 * syntax (canonical: padding only at the end, unused bits zero), duplicate
 * names within one list, the number of pairs, and (with ATTR_FLAG_EXTRA)
 * names that were not asked for.  A protocol error is logged with msg_warn
 * naming the stream and the attribute, and reported as -1; end of file,
 * read errors and timeouts are -1 without a log line (the caller knows what
 * it was waiting for and says so).
 *
 * What can go wrong: after -1 the position in the stream is undefined (part
 * of a list may have been consumed); the caller drops the connection.
 */
#include "attr.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

#define ATTR_FLAG_ALL (ATTR_FLAG_MISSING | ATTR_FLAG_EXTRA | ATTR_FLAG_MORE)

/* One requested attribute of an attr_scan() call. */
typedef struct ATTR_WANT {
    int type;
    const char *name;
    void *ptr;
    int seen;
} ATTR_WANT;

/* attr_name_ok - 1..ATTR_NAME_MAX bytes of [a-z0-9_] */

static int attr_name_ok(const char *name)
{
    size_t len = 0;

    for (const char *cp = name; *cp; cp++, len++) {
        if (!((*cp >= 'a' && *cp <= 'z') || (*cp >= '0' && *cp <= '9') || *cp == '_'))
            return 0;
    }
    return len >= 1 && len <= ATTR_NAME_MAX;
}

/* --- base64 ------------------------------------------------------------------ */

static const char attr_b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* attr_b64_len - wire length of len bytes, or SIZE_MAX on overflow */

static size_t attr_b64_len(size_t len)
{
    if (len > (SIZE_MAX / 4) * 3 - 3)
        return SIZE_MAX;
    return (len + 2) / 3 * 4;
}

/* attr_b64_write - encode len bytes onto the stream */

static void attr_b64_write(VSTREAM *stream, const unsigned char *in, size_t len)
{
    char out[4 * 256];
    size_t n = 0;

    for (size_t i = 0; i < len; i += 3) {
        unsigned b0 = in[i];
        unsigned b1 = i + 1 < len ? in[i + 1] : 0;
        unsigned b2 = i + 2 < len ? in[i + 2] : 0;

        out[n++] = attr_b64_chars[b0 >> 2];
        out[n++] = attr_b64_chars[((b0 & 3) << 4) | (b1 >> 4)];
        out[n++] = i + 1 < len ? attr_b64_chars[((b1 & 15) << 2) | (b2 >> 6)] : '=';
        out[n++] = i + 2 < len ? attr_b64_chars[b2 & 63] : '=';
        if (n == sizeof(out)) {
            vstream_fwrite(stream, out, n);
            n = 0;
        }
    }
    if (n)
        vstream_fwrite(stream, out, n);
}

static int attr_b64_value(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* attr_b64_decode - canonical base64 to bytes; 0 on success, -1 on bad syntax */

static int attr_b64_decode(VSTRING *out, const char *in, size_t len)
{
    vstring_reset(out);
    if (len % 4 != 0)
        return -1;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;

        for (int k = 0; k < 4; k++) {
            int ch = (unsigned char)in[i + k];

            if (ch == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = attr_b64_value(ch)) < 0) {
                return -1; /* bad char, or data after '=' */
            }
        }
        unsigned n = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | v[3];
        /* The bits that padding drops must be zero, so each value has one encoding. */
        if ((pad == 1 && (n & 0xff)) || (pad == 2 && (n & 0xffff)))
            return -1;
        vstring_addch(out, (int)(n >> 16));
        if (pad < 2)
            vstring_addch(out, (int)((n >> 8) & 0xff));
        if (pad < 1)
            vstring_addch(out, (int)(n & 0xff));
    }
    return 0;
}

/* --- writing ------------------------------------------------------------------ */

/* attr_print_check - validate a list before anything is written */

static int attr_print_check(VSTREAM *stream, va_list ap)
{
    int type;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
        const char *name = va_arg(ap, const char *);

        if (name == 0 || !attr_name_ok(name))
            msg_panic("attr_print: bad attribute name \"%s\"", name ? name : "(null)");
        switch (type) {
        case ATTR_TYPE_INT:
            (void)va_arg(ap, int);
            break;
        case ATTR_TYPE_LONG:
            (void)va_arg(ap, long);
            break;
        case ATTR_TYPE_STR: {
            const char *str = va_arg(ap, const char *);

            if (str == 0)
                msg_panic("attr_print: null string for attribute \"%s\"", name);
            if (strlen(str) > ATTR_VALUE_MAX) {
                msg_warn("%s: attribute \"%s\": value of %zu bytes exceeds the %d byte limit",
                         vstream_path(stream), name, strlen(str), ATTR_VALUE_MAX);
                return -1;
            }
            break;
        }
        case ATTR_TYPE_DATA: {
            size_t len = va_arg(ap, size_t);
            const void *ptr = va_arg(ap, const void *);

            if (ptr == 0 && len > 0)
                msg_panic("attr_print: null data for attribute \"%s\"", name);
            if (attr_b64_len(len) > ATTR_VALUE_MAX) {
                msg_warn("%s: attribute \"%s\": %zu data bytes exceed the %d byte limit",
                         vstream_path(stream), name, len, ATTR_VALUE_MAX);
                return -1;
            }
            break;
        }
        default:
            msg_panic("attr_print: unknown attribute type %d", type);
        }
    }
    return 0;
}

int attr_vprint(VSTREAM *stream, int flags, va_list ap)
{
    va_list check;
    int type;
    int bad;

    if (flags & ~ATTR_FLAG_MORE)
        msg_panic("attr_print: bad flags 0x%x", (unsigned)flags);
    va_copy(check, ap);
    bad = attr_print_check(stream, check);
    va_end(check);
    if (bad)
        return -1;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
        const char *name = va_arg(ap, const char *);
        char num[32];

        vstream_fwrite(stream, name, strlen(name) + 1);
        switch (type) {
        case ATTR_TYPE_INT:
            snprintf(num, sizeof(num), "%d", va_arg(ap, int));
            vstream_fwrite(stream, num, strlen(num) + 1);
            break;
        case ATTR_TYPE_LONG:
            snprintf(num, sizeof(num), "%ld", va_arg(ap, long));
            vstream_fwrite(stream, num, strlen(num) + 1);
            break;
        case ATTR_TYPE_STR: {
            const char *str = va_arg(ap, const char *);

            vstream_fwrite(stream, str, strlen(str) + 1);
            break;
        }
        case ATTR_TYPE_DATA: {
            size_t len = va_arg(ap, size_t);
            const void *ptr = va_arg(ap, const void *);

            attr_b64_write(stream, ptr, len);
            vstream_fputc(stream, 0);
            break;
        }
        default:
            msg_panic("attr_print: unknown attribute type %d", type);
        }
    }
    if (!(flags & ATTR_FLAG_MORE))
        vstream_fputc(stream, 0);
    return vstream_ferror(stream) ? -1 : 0;
}

int attr_print(VSTREAM *stream, int flags, ...)
{
    va_list ap;
    int ret;

    va_start(ap, flags);
    ret = attr_vprint(stream, flags, ap);
    va_end(ap);
    return ret;
}

/* --- reading ------------------------------------------------------------------ */

/*
 * attr_read_token - read bytes up to a NUL into vp, at most max bytes.
 * Returns 0, ATTR_READ_EOF (end of file, error or timeout) or ATTR_READ_LONG.
 */
#define ATTR_READ_OK   0
#define ATTR_READ_EOF  1
#define ATTR_READ_LONG 2

static int attr_read_token(VSTREAM *stream, VSTRING *vp, size_t max)
{
    int ch;

    vstring_reset(vp);
    while ((ch = vstream_getc(stream)) != 0) {
        if (ch == VSTREAM_EOF)
            return ATTR_READ_EOF;
        if (VSTRING_LEN(vp) >= max)
            return ATTR_READ_LONG;
        vstring_addch(vp, ch);
    }
    return ATTR_READ_OK;
}

/*
 * attr_parse_long - strict decimal: optional '-', 1+ digits, within
 * [min, max].  Returns 0 and the value, or -1.
 */
static int attr_parse_long(const char *str, long min, long max, long *out)
{
    const char *cp = str;
    char *end;
    long val;

    if (*cp == '-')
        cp++;
    if (*cp < '0' || *cp > '9')
        return -1;
    for (; *cp; cp++)
        if (*cp < '0' || *cp > '9')
            return -1;
    errno = 0;
    val = strtol(str, &end, 10);
    if (errno == ERANGE || *end != 0 || val < min || val > max)
        return -1;
    *out = val;
    return 0;
}

/* attr_printable - the value in a warning: bounded and without control bytes */

static const char *attr_printable(VSTRING *buf, const char *str)
{
    vstring_reset(buf);
    for (const unsigned char *cp = (const unsigned char *)str; *cp; cp++) {
        if (VSTRING_LEN(buf) >= 60) {
            vstring_strcat(buf, "...");
            break;
        }
        vstring_addch(buf, (*cp < 32 || *cp >= 127) ? '?' : *cp);
    }
    return vstring_str(buf);
}

/* attr_collect - turn the argument list into an array of requests */

static ATTR_WANT *attr_collect(va_list ap, size_t *count)
{
    size_t n = 0;
    size_t size = 8;
    ATTR_WANT *want = mymalloc_array(size, sizeof(*want));
    int type;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
        const char *name = va_arg(ap, const char *);

        if (type != ATTR_TYPE_INT && type != ATTR_TYPE_STR && type != ATTR_TYPE_LONG &&
            type != ATTR_TYPE_DATA)
            msg_panic("attr_scan: unknown attribute type %d", type);
        if (name == 0 || !attr_name_ok(name))
            msg_panic("attr_scan: bad attribute name \"%s\"", name ? name : "(null)");
        for (size_t i = 0; i < n; i++)
            if (strcmp(want[i].name, name) == 0)
                msg_panic("attr_scan: attribute \"%s\" requested twice", name);
        if (n == size) {
            size *= 2;
            want = myrealloc_array(want, size, sizeof(*want));
        }
        want[n].type = type;
        want[n].name = name;
        want[n].ptr = va_arg(ap, void *);
        if (want[n].ptr == 0)
            msg_panic("attr_scan: null result pointer for attribute \"%s\"", name);
        want[n].seen = 0;
        n++;
    }
    *count = n;
    return want;
}

int attr_vscan(VSTREAM *stream, int flags, va_list ap)
{
    static VSTRING *name_buf;
    static VSTRING *value_buf;
    static VSTRING *why;
    ATTR_WANT *want;
    HTABLE *others = 0;
    size_t nwant;
    size_t pairs = 0;
    int received = 0;
    int ret = -1;
    const char *path = vstream_path(stream);

    if (flags & ~ATTR_FLAG_ALL)
        msg_panic("attr_scan: bad flags 0x%x", (unsigned)flags);
    if (name_buf == 0) {
        name_buf = vstring_alloc(ATTR_NAME_MAX + 1);
        value_buf = vstring_alloc(100);
        why = vstring_alloc(100);
    }
    want = attr_collect(ap, &nwant);

    for (;;) {
        ATTR_WANT *wp = 0;
        const char *name;
        int st;

        if ((flags & ATTR_FLAG_MORE) && (size_t)received == nwant) {
            ret = received;
            break;
        }
        st = attr_read_token(stream, name_buf, ATTR_NAME_MAX);
        if (st == ATTR_READ_EOF)
            break;
        name = vstring_str(name_buf);
        if (st == ATTR_READ_LONG) {
            msg_warn("%s: attribute protocol: name longer than %d bytes: \"%s\"", path,
                     ATTR_NAME_MAX, attr_printable(why, name));
            break;
        }
        if (*name == 0) { /* end of list */
            ret = received;
            break;
        }
        if (!attr_name_ok(name)) {
            msg_warn("%s: attribute protocol: bad attribute name \"%s\"", path,
                     attr_printable(why, name));
            break;
        }
        if (++pairs > ATTR_LIST_MAX) {
            msg_warn("%s: attribute protocol: more than %d attributes in one list", path,
                     ATTR_LIST_MAX);
            break;
        }
        for (size_t i = 0; i < nwant; i++) {
            if (strcmp(want[i].name, name) == 0) {
                wp = want + i;
                break;
            }
        }
        if (wp ? wp->seen : (others && htable_find(others, name) != 0)) {
            msg_warn("%s: attribute protocol: attribute \"%s\" received twice", path, name);
            break;
        }
        if (wp == 0 && (flags & ATTR_FLAG_EXTRA)) {
            msg_warn("%s: attribute protocol: unexpected attribute \"%s\"", path, name);
            break;
        }
        if (wp == 0) {
            if (others == 0)
                others = htable_create(16);
            htable_enter(others, name, (void *)1);
        }

        /* The value: read into the caller's VSTRING for strings, scratch otherwise. */
        VSTRING *into = (wp && wp->type == ATTR_TYPE_STR) ? wp->ptr : value_buf;
        st = attr_read_token(stream, into, ATTR_VALUE_MAX);
        if (st == ATTR_READ_EOF)
            break;
        if (st == ATTR_READ_LONG || vstring_overflowed(into)) {
            msg_warn("%s: attribute protocol: attribute \"%s\": value too long", path, name);
            break;
        }
        if (wp == 0)
            continue;

        long val;
        switch (wp->type) {
        case ATTR_TYPE_INT:
            if (attr_parse_long(vstring_str(into), INT_MIN, INT_MAX, &val) < 0) {
                msg_warn("%s: attribute protocol: attribute \"%s\": bad integer \"%s\"", path, name,
                         attr_printable(why, vstring_str(into)));
                goto done;
            }
            *(int *)wp->ptr = (int)val;
            break;
        case ATTR_TYPE_LONG:
            if (attr_parse_long(vstring_str(into), LONG_MIN, LONG_MAX, &val) < 0) {
                msg_warn("%s: attribute protocol: attribute \"%s\": bad number \"%s\"", path, name,
                         attr_printable(why, vstring_str(into)));
                goto done;
            }
            *(long *)wp->ptr = val;
            break;
        case ATTR_TYPE_STR:
            break;
        case ATTR_TYPE_DATA:
            if (attr_b64_decode(wp->ptr, vstring_str(into), VSTRING_LEN(into)) < 0 ||
                vstring_overflowed(wp->ptr)) {
                msg_warn("%s: attribute protocol: attribute \"%s\": bad base64 data", path, name);
                goto done;
            }
            break;
        default:
            msg_panic("attr_scan: unknown attribute type %d", wp->type);
        }
        wp->seen = 1;
        received++;
    }

done:
    if (ret >= 0 && (flags & ATTR_FLAG_MISSING)) {
        for (size_t i = 0; i < nwant; i++)
            if (!want[i].seen)
                msg_warn("%s: attribute protocol: missing attribute \"%s\"", path, want[i].name);
    }
    if (others)
        htable_free(others, 0);
    myfree(want);
    /* Do not keep a megabyte of scratch after one large value. */
    if (value_buf->size > 65536) {
        vstring_free(value_buf);
        value_buf = vstring_alloc(100);
    }
    return ret;
}

int attr_scan(VSTREAM *stream, int flags, ...)
{
    va_list ap;
    int ret;

    va_start(ap, flags);
    ret = attr_vscan(stream, flags, ap);
    va_end(ap);
    return ret;
}

/* --- hello --------------------------------------------------------------------- */

int attr_print_hello(VSTREAM *stream, const char *proto_name)
{
    if (attr_print(stream, ATTR_FLAG_NONE, SEND_ATTR_STR(ATTR_NAME_PROTOCOL, proto_name),
                   ATTR_TYPE_END) < 0)
        return -1;
    return vstream_fflush(stream) == 0 ? 0 : -1;
}

int attr_scan_hello(VSTREAM *stream, const char *proto_name)
{
    static HTABLE *warned;
    VSTRING *got = vstring_alloc(32);
    int ret = 0;
    int n;

    n = attr_scan(stream, ATTR_FLAG_NONE, RECV_ATTR_STR(ATTR_NAME_PROTOCOL, got), ATTR_TYPE_END);
    if (n < 0) {
        if (vstream_ftimeout(stream))
            msg_warn("%s: timeout waiting for the \"%s\" protocol hello", vstream_path(stream),
                     proto_name);
        else if (vstream_feof(stream))
            msg_warn("%s: connection closed before the \"%s\" protocol hello", vstream_path(stream),
                     proto_name);
        else if (vstream_ferror(stream))
            msg_warn("%s: read error waiting for the \"%s\" protocol hello: %m",
                     vstream_path(stream), proto_name);
        /* A protocol error was already logged by attr_scan(). */
        ret = -1;
    } else if (n != 1 || strcmp(vstring_str(got), proto_name) != 0) {
        if (warned == 0)
            warned = htable_create(8);
        if (htable_find(warned, proto_name) == 0) {
            VSTRING *why = vstring_alloc(64);

            htable_enter(warned, proto_name, (void *)1);
            msg_warn("%s: protocol mismatch: got \"%s\", want \"%s\"; run \"postfix reload\"",
                     vstream_path(stream), n == 1 ? attr_printable(why, vstring_str(got)) : "",
                     proto_name);
            vstring_free(why);
        }
        ret = -1;
    }
    vstring_free(got);
    return ret;
}
