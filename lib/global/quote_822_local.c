/*
 * quote_822_local - internal <-> external address form; see quote_822_local.h.
 *
 * Everything here is a single left-to-right pass over the input (plus one
 * memrchr-style scan for the last "@"), so cost is linear in the length.
 */
#include <string.h>

#include "quote_822_local.h"
#include "vstring.h"

int quote_822_is_atext(int ch, int flags)
{
    unsigned char c = (unsigned char) ch;

    if (c >= 0x80)
        return (flags & QUOTE_FLAG_QUOTE_8BIT) == 0;
    if (c <= ' ' || c == 0x7f)
        return 0;
    return strchr(QUOTE_822_SPECIALS, c) == 0;
}

int quote_822_local_needed(const char *local, size_t len, int flags)
{
    int prev_dot = 1; /* a leading dot is not allowed */

    if (len == 0)
        return 1;
    for (size_t i = 0; i < len; i++) {
        if (local[i] == '.') {
            if (prev_dot)
                return 1;
            prev_dot = 1;
        } else if (!quote_822_is_atext(local[i], flags)) {
            return 1;
        } else {
            prev_dot = 0;
        }
    }
    return prev_dot; /* a trailing dot is not allowed */
}

VSTRING *quote_822_append_quoted(VSTRING *dst, const char *text, size_t len)
{
    vstring_addch(dst, '"');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            vstring_addch(dst, '\\');
        vstring_addch(dst, text[i]);
    }
    return vstring_addch(dst, '"');
}

/* A domain that tok822 turns back into exactly the same text. */
static int quote_822_domain_plain(const char *dom, size_t len)
{
    if (len >= 2 && dom[0] == '[' && dom[len - 1] == ']') {
        for (size_t i = 1; i + 1 < len; i++)
            if (dom[i] == '[' || dom[i] == ']' || dom[i] == '\\')
                return 0;
        return 1;
    }
    for (size_t i = 0; i < len; i++)
        if (dom[i] != '.' && !quote_822_is_atext(dom[i], QUOTE_FLAG_NONE))
            return 0;
    return 1;
}

VSTRING *quote_822_local_flags(VSTRING *dst, const char *src, int flags)
{
    size_t len = strlen(src);
    const char *at = (flags & QUOTE_FLAG_BARE_LOCALPART) ? 0 : strrchr(src, '@');
    size_t local_len = at ? (size_t) (at - src) : len;

    if ((flags & QUOTE_FLAG_APPEND) == 0)
        vstring_reset(dst);
    if (len == 0)
        return dst; /* the null address stays empty */
    if (quote_822_local_needed(src, local_len, flags))
        quote_822_append_quoted(dst, src, local_len);
    else
        vstring_memcat(dst, src, local_len);
    if (at) {
        const char *dom = at + 1;
        size_t dom_len = len - local_len - 1;

        vstring_addch(dst, '@');
        if (quote_822_domain_plain(dom, dom_len))
            vstring_memcat(dst, dom, dom_len);
        else
            quote_822_append_quoted(dst, dom, dom_len);
    }
    return dst;
}

VSTRING *unquote_822_local(VSTRING *dst, const char *src)
{
    const char *at = 0;
    int in_quote = 0;
    const char *cp;

    /* Find the last "@" outside quotes: the start of the domain. */
    for (cp = src; *cp; cp++) {
        if (*cp == '\\') {
            if (cp[1] == 0)
                break;
            cp++;
        } else if (*cp == '"') {
            in_quote = !in_quote;
        } else if (*cp == '@' && !in_quote) {
            at = cp;
        }
    }
    vstring_reset(dst);
    for (cp = src; *cp && (at == 0 || cp < at); cp++) {
        if (*cp == '"')
            continue;
        if (*cp == '\\') {
            if (cp[1] == 0)
                break;
            cp++;
        }
        vstring_addch(dst, *cp);
    }
    if (at)
        vstring_strcat(dst, at);
    return dst;
}
