/*
 * mail_addr - split internal-form addresses into their parts.
 *
 * mail_addr_split(addr, local, domain)
 *     Splits at the LAST "@" (the local part may itself contain "@" when
 *     it came from a quoted string).  Returns 1 and fills both when there
 *     is an "@"; returns 0 and puts all of addr into local (domain empty)
 *     when there is none.  Either output may be null.
 *
 * mail_addr_split_ext(local, delims, double_bounce, base, ext)
 *     Strips an address extension (recipient_delimiter) from a local
 *     part: "user+foo" with delims "+" gives base "user", ext "foo", and
 *     returns the delimiter character that was found ('+').  delims is a
 *     set of characters (Postfix 2.11+: "+-" means either); the extension
 *     starts at the first of them.  Returns 0, with base = local and ext
 *     empty, when the address must not be split:
 *       - delims is null or empty, or no delimiter occurs;
 *       - the delimiter is the first character ("+foo": base would be
 *         empty);
 *       - local is postmaster, MAILER-DAEMON or double_bounce (case
 *         insensitive; double_bounce may be null);
 *       - delims contains '-' and local is "owner-..." or "...-request"
 *         (mailing-list conventions older than extensions).
 *     A trailing delimiter ("user+") splits with an empty extension.
 *     base and ext may be null.
 *
 * mail_addr_strip_ext(result, addr, delims, double_bounce)
 *     The whole address with the extension removed from its local part:
 *     "user+foo@example.com" -> "user@example.com".  Returns result.
 *
 * The inputs are internal forms (no quoting); nothing here allocates
 * beyond the caller's VSTRINGs, and all work is linear in the length.
 */
#ifndef POSTERN_MAIL_ADDR_H
#define POSTERN_MAIL_ADDR_H

#include "vstring.h"

#define MAIL_ADDR_POSTMASTER "postmaster"
#define MAIL_ADDR_MAIL_DAEMON "MAILER-DAEMON"

extern int mail_addr_split(const char *addr, VSTRING *local, VSTRING *domain);
extern int mail_addr_split_ext(const char *local, const char *delims, const char *double_bounce,
                               VSTRING *base, VSTRING *ext);
extern VSTRING *mail_addr_strip_ext(VSTRING *result, const char *addr, const char *delims,
                                    const char *double_bounce);

#endif
