/*
 * quote_822_local - convert an address between internal and RFC 5322 form.
 *
 * Postern keeps addresses in *internal* form wherever it stores or looks
 * them up (queue files, tables, logs): the local part with its quotes and
 * backslash escapes removed, then "@", then the domain.  The *external*
 * form is what goes into a message header: a local part that is not a
 * plain dot-atom is written as a quoted string.
 *
 *   internal               external
 *   user@example.com       user@example.com
 *   a b@example.com        "a b"@example.com
 *   quoted@at@example.com  "quoted@at"@example.com
 *   (empty: null sender)   (empty)
 *
 * quote_822_local_flags(dst, src, flags)
 *     Writes the external form of the internal address src to dst.  The
 *     local part is everything before the LAST "@" (the whole of src when
 *     there is none, or with QUOTE_FLAG_BARE_LOCALPART).  It is quoted when
 *     it is empty but followed by "@", or is not a dot-atom (atext runs
 *     separated by single dots): specials, white space, control characters,
 *     leading/trailing/double dots.  Inside the quotes '"' and '\' get a
 *     backslash.  Bytes >= 0x80 count as atext (RFC 6532, SMTPUTF8) unless
 *     QUOTE_FLAG_QUOTE_8BIT is given.  The domain is copied as is when it
 *     is made of atext and dots, or is a domain literal "[...]" without
 *     '[', ']' or '\' inside; any other domain (which cannot be valid
 *     anyway) is quoted too, so that parsing the result with tok822 always
 *     gives back src exactly.
 * quote_822_local(dst, src)
 *     The same with QUOTE_FLAG_NONE.
 * unquote_822_local(dst, src)
 *     The inverse: removes quotes and backslash escapes from the local part
 *     of an external address (before the last "@" that is outside quotes);
 *     the domain is copied unchanged.  An unterminated quote ends at the
 *     end of the string.
 * quote_822_local_needed(local, len, flags)
 *     True when the local part local[0..len) must be quoted.
 * quote_822_append_quoted(dst, text, len)
 *     Appends '"' text '"' with '"' and '\' escaped (used by quote_821).
 *
 * All functions return dst.  QUOTE_FLAG_APPEND appends instead of
 * overwriting.  Input may be any bytes except null; output length is at
 * most 2 * strlen(src) + 4, and dst's own limit (if set) applies.
 */
#ifndef POSTERN_QUOTE_822_LOCAL_H
#define POSTERN_QUOTE_822_LOCAL_H

#include <stddef.h>

#include "vstring.h"

#define QUOTE_FLAG_NONE 0
#define QUOTE_FLAG_APPEND (1 << 0)         /* append to dst */
#define QUOTE_FLAG_BARE_LOCALPART (1 << 1) /* src is a local part only */
#define QUOTE_FLAG_QUOTE_8BIT (1 << 2)     /* 8-bit bytes are not atext */

extern VSTRING *quote_822_local_flags(VSTRING *dst, const char *src, int flags);
#define quote_822_local(dst, src) quote_822_local_flags((dst), (src), QUOTE_FLAG_NONE)
extern VSTRING *unquote_822_local(VSTRING *dst, const char *src);
extern int quote_822_local_needed(const char *local, size_t len, int flags);
extern VSTRING *quote_822_append_quoted(VSTRING *dst, const char *text, size_t len);

/* RFC 5322 atext: printable ASCII other than specials and space. */
#define QUOTE_822_SPECIALS "()<>@,;:\\\".[]"
extern int quote_822_is_atext(int ch, int flags);

#endif
