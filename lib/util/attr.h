#ifndef POSTERN_ATTR_H
#define POSTERN_ATTR_H

/*
 * attr - the attribute protocol that Postern's processes speak to each other.
 *
 * Every internal request and reply (cleanup, rewrite/resolve, bounce/defer/
 * trace, delivery requests from qmgr, showq, ...) is a list of named
 * attributes written with attr_print() and read with attr_scan().  What each
 * protocol sends is documented once, in lib/global/PROTOCOLS.md.
 *
 * Wire format (one list):
 *
 *     name NUL value NUL name NUL value NUL ... NUL
 *
 *   - a name is 1..ATTR_NAME_MAX bytes of [a-z0-9_]; anything else is a
 *     protocol error;
 *   - an INT or LONG value is its decimal text ("-" allowed, no spaces, no
 *     leading "+", must fit the C type);
 *   - a STR value is the string's bytes (a C string cannot hold NUL);
 *   - a DATA value is the bytes in base64 (RFC 4648, with padding);
 *   - a value holds at most ATTR_VALUE_MAX bytes on the wire;
 *   - the list ends with an empty name (a single NUL where a name would
 *     start).  With ATTR_FLAG_MORE the writer leaves the list open and the
 *     reader stops as soon as it has every attribute it asked for.
 *
 * Writing:
 *
 *   attr_print(stream, flags, SEND_ATTR_INT(name, int), SEND_ATTR_STR(name,
 *              const char *), SEND_ATTR_LONG(name, long), SEND_ATTR_DATA(name,
 *              size_t len, const void *ptr), ..., ATTR_TYPE_END)
 *       Buffers the list on the stream (no flush: the caller flushes, so
 *       several lists go out in one write).  Returns 0, or -1 when the stream
 *       is in error.  flags: ATTR_FLAG_MORE = do not write the terminator.
 *       A NULL string is a programming error (msg_panic).
 *
 * Reading:
 *
 *   attr_scan(stream, flags, RECV_ATTR_INT(name, int *), RECV_ATTR_STR(name,
 *             VSTRING *), RECV_ATTR_LONG(name, long *), RECV_ATTR_DATA(name,
 *             VSTRING *), ..., ATTR_TYPE_END)
 *       Reads name/value pairs until the terminator and stores each one whose
 *       name was asked for, in any order.  Returns the number of requested
 *       attributes that were received, or -1 on end of file, timeout, read
 *       error, or a protocol error (bad name, bad number, bad base64, value
 *       too long, a name received twice, more than ATTR_LIST_MAX pairs); a
 *       protocol error is logged with msg_warn naming the peer stream.
 *       flags:
 *         ATTR_FLAG_MISSING  log a warning for each requested attribute that
 *                            did not arrive (the count still says so);
 *         ATTR_FLAG_EXTRA    an attribute that was not asked for is a
 *                            protocol error (-1) instead of being skipped;
 *         ATTR_FLAG_MORE     stop as soon as every requested attribute has
 *                            arrived, without reading a terminator; used to
 *                            read a request name first and the rest after;
 *         ATTR_FLAG_STRICT   = ATTR_FLAG_MISSING | ATTR_FLAG_EXTRA.
 *       A caller checks the count: "attr_scan(...) != 3" means a bad reply.
 *
 *   attr_scan_hello(stream, proto_name) / attr_print_hello(stream, proto_name)
 *       The first list a server sends on every new connection is
 *       { "protocol" = proto_name } where proto_name carries a version, e.g.
 *       "cleanup/1".  attr_scan_hello() returns 0 when it matches, and -1
 *       otherwise, logging once per process and protocol "warning: <stream>:
 *       protocol mismatch: got "X", want "Y"; run "postfix reload"" (or the
 *       read error).  attr_print_hello() also flushes.
 *
 * All functions honour the stream's deadlines (vstream_set_timeouts).
 */

#include <stdarg.h>
#include <stddef.h>

#include "vstream.h"
#include "vstring.h"

#define ATTR_TYPE_END  0
#define ATTR_TYPE_INT  1
#define ATTR_TYPE_STR  2
#define ATTR_TYPE_LONG 3
#define ATTR_TYPE_DATA 4

#define SEND_ATTR_INT(name, val)       ATTR_TYPE_INT, (const char *)(name), (int)(val)
#define SEND_ATTR_STR(name, val)       ATTR_TYPE_STR, (const char *)(name), (const char *)(val)
#define SEND_ATTR_LONG(name, val)      ATTR_TYPE_LONG, (const char *)(name), (long)(val)
#define SEND_ATTR_DATA(name, len, ptr) ATTR_TYPE_DATA, (const char *)(name), (size_t)(len), (const void *)(ptr)

#define RECV_ATTR_INT(name, ptr)  ATTR_TYPE_INT, (const char *)(name), (int *)(ptr)
#define RECV_ATTR_STR(name, ptr)  ATTR_TYPE_STR, (const char *)(name), (VSTRING *)(ptr)
#define RECV_ATTR_LONG(name, ptr) ATTR_TYPE_LONG, (const char *)(name), (long *)(ptr)
#define RECV_ATTR_DATA(name, ptr) ATTR_TYPE_DATA, (const char *)(name), (VSTRING *)(ptr)

#define ATTR_FLAG_NONE    0
#define ATTR_FLAG_MISSING (1 << 0)
#define ATTR_FLAG_EXTRA   (1 << 1)
#define ATTR_FLAG_MORE    (1 << 2)
#define ATTR_FLAG_STRICT  (ATTR_FLAG_MISSING | ATTR_FLAG_EXTRA)

#define ATTR_NAME_MAX  100       /* bytes in a name */
#define ATTR_VALUE_MAX (1 << 20) /* bytes in a value on the wire */
#define ATTR_LIST_MAX  1024      /* pairs in one list */

#define ATTR_NAME_PROTOCOL "protocol"

extern int attr_print(VSTREAM *stream, int flags, ...);
extern int attr_vprint(VSTREAM *stream, int flags, va_list ap);
extern int attr_scan(VSTREAM *stream, int flags, ...);
extern int attr_vscan(VSTREAM *stream, int flags, va_list ap);
extern int attr_print_hello(VSTREAM *stream, const char *proto_name);
extern int attr_scan_hello(VSTREAM *stream, const char *proto_name);

#endif
