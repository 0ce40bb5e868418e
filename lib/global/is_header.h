/*
 * is_header - does a message line start a header?
 *
 * is_header_buf(buf, len) looks at the first len bytes of buf (which need
 * not be null-terminated) and returns the length of the header name when
 * they begin with "Name:" - one or more characters in the printable ASCII
 * range 33..126 other than ':', optionally followed by spaces or tabs
 * (obsolete RFC 822 syntax, "Subject :"), then ':' - and 0 otherwise.  The
 * returned length excludes that white space, so buf[0..n) is the name.
 * A line that starts with white space is a continuation, not a header; a
 * name with 8-bit or control bytes is not a header name.
 *
 * is_header(str) is the same for a null-terminated string.
 *
 * Cost is linear in the name length and never reads past len (or the
 * null byte).
 */
#ifndef POSTERN_IS_HEADER_H
#define POSTERN_IS_HEADER_H

#include <stddef.h>

extern size_t is_header_buf(const char *buf, size_t len);
extern size_t is_header(const char *str);

#endif
