/*
 * quote_821_local - SMTP envelope quoting; see quote_821_local.h.
 *
 * RFC 5321 atext and Dot-string are the same as RFC 5322's dot-atom, so the
 * local-part test is shared with quote_822_local; only the domain handling
 * differs.
 */
#include <string.h>

#include "quote_821_local.h"
#include "quote_822_local.h"
#include "vstring.h"

VSTRING *quote_821_local_flags(VSTRING *dst, const char *src, int flags)
{
    const char *at = (flags & QUOTE_FLAG_BARE_LOCALPART) ? 0 : strrchr(src, '@');
    size_t local_len = at ? (size_t) (at - src) : strlen(src);

    if ((flags & QUOTE_FLAG_APPEND) == 0)
        vstring_reset(dst);
    if (*src == 0)
        return dst;
    if (quote_822_local_needed(src, local_len, flags))
        quote_822_append_quoted(dst, src, local_len);
    else
        vstring_memcat(dst, src, local_len);
    if (at)
        vstring_strcat(dst, at);
    return dst;
}
