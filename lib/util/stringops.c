/*
 * stringops - string helpers; see stringops.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "stringops.h"

char *mystrtok(char **bp, const char *sep)
{
    char *start = *bp + strspn(*bp, sep);
    char *end;

    if (*start == 0) {
        *bp = start;
        return 0;
    }
    end = start + strcspn(start, sep);
    if (*end)
        *end++ = 0;
    *bp = end;
    return start;
}

char *mystrtokq(char **bp, const char *sep, const char *parens)
{
    char *start = *bp + strspn(*bp, sep);
    char *cp;
    int level = 0;

    if (*start == 0) {
        *bp = start;
        return 0;
    }
    for (cp = start; *cp; cp++) {
        if (*cp == parens[0])
            level++;
        else if (level > 0 && *cp == parens[1])
            level--;
        else if (level == 0 && strchr(sep, *cp))
            break;
    }
    if (*cp)
        *cp++ = 0;
    *bp = cp;
    return start;
}

const char *extpar(char **bp, const char *parens, int flags)
{
    char *cp = *bp;
    size_t len;
    int level = 0;

    if (*cp != parens[0])
        return 0;
    len = strlen(cp);
    for (size_t i = 0; i < len; i++) {
        if (cp[i] == parens[0])
            level++;
        else if (cp[i] == parens[1] && --level == 0) {
            if (i != len - 1)
                return "syntax error after '}'";
            break;
        }
    }
    if (level != 0)
        return "missing '}'";
    cp[len - 1] = 0;
    cp++;
    if (flags & EXTPAR_FLAG_STRIP) {
        cp = skipblanks(cp);
        trimblanks(cp);
    }
    *bp = cp;
    return 0;
}

char *trimblanks(char *str)
{
    size_t len = strlen(str);

    while (len > 0 && isspace((unsigned char) str[len - 1]))
        len--;
    str[len] = 0;
    return str;
}

char *skipblanks(const char *str)
{
    while (isspace((unsigned char) *str))
        str++;
    return (char *) str;
}

char *lowercase(char *str)
{
    for (char *cp = str; *cp; cp++)
        *cp = (char) tolower((unsigned char) *cp);
    return str;
}

char *uppercase(char *str)
{
    for (char *cp = str; *cp; cp++)
        *cp = (char) toupper((unsigned char) *cp);
    return str;
}

int alldig(const char *str)
{
    if (*str == 0)
        return 0;
    for (; *str; str++)
        if (!isdigit((unsigned char) *str))
            return 0;
    return 1;
}

int allprint(const char *str)
{
    for (; *str; str++)
        if (!isprint((unsigned char) *str))
            return 0;
    return 1;
}

int valid_utf8(const char *str, size_t len)
{
    const unsigned char *cp = (const unsigned char *)str;
    const unsigned char *end = cp + len;

    while (cp < end) {
        unsigned char c = *cp++;
        int more;
        unsigned char lo = 0x80, hi = 0xbf; /* range of the first continuation byte */

        if (c < 0x80)
            continue;
        if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            if (c == 0xe0)
                lo = 0xa0; /* no overlong three-byte form */
            else if (c == 0xed)
                hi = 0x9f; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            if (c == 0xf0)
                lo = 0x90; /* no overlong four-byte form */
            else if (c == 0xf4)
                hi = 0x8f; /* nothing above U+10FFFF */
        } else {
            return 0; /* continuation byte, 0xc0/0xc1 or 0xf5..0xff */
        }
        if (end - cp < more || *cp < lo || *cp > hi)
            return 0;
        for (cp++, more--; more > 0; more--, cp++)
            if (*cp < 0x80 || *cp > 0xbf)
                return 0;
    }
    return 1;
}

/* utf8_seq_len - length of the valid UTF-8 sequence at cp, or 0 */
static size_t utf8_seq_len(const char *cp)
{
    const unsigned char c = (unsigned char)*cp;
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

    for (size_t i = 1; i < n; i++)
        if (cp[i] == 0)
            return 0;
    return valid_utf8(cp, n) ? n : 0;
}

char *printable(char *str, int repl, int flags)
{
    int utf8 = flags & PRINTABLE_UTF8;

    for (char *cp = str; *cp; cp++) {
        unsigned char c = (unsigned char)*cp;
        size_t n;

        if (c == '\t' && (flags & PRINTABLE_TAB)) {
            continue;
        } else if (c < 0x20 || c == 0x7f) {
            *cp = (char)repl;
        } else if (c >= 0x80) {
            if (utf8 && (n = utf8_seq_len(cp)) > 0)
                cp += n - 1;
            else
                *cp = (char)repl;
        }
    }
    return str;
}

const char *split_nameval(char *buf, char **name, char **value)
{
    char *np = skipblanks(buf);
    char *ep;
    char *vp;

    if (*np == 0)
        return "missing attribute name";
    ep = np + strcspn(np, "= \t\r\n");
    vp = skipblanks(ep);
    if (*vp != '=')
        return "missing '=' after attribute name";
    *ep = 0;
    vp = skipblanks(vp + 1);
    trimblanks(vp);
    *name = np;
    *value = vp;
    return 0;
}

char *split_at(char *str, int ch)
{
    char *cp = strchr(str, ch);

    if (cp == 0)
        return 0;
    *cp++ = 0;
    return cp;
}

char *split_at_right(char *str, int ch)
{
    char *cp = strrchr(str, ch);

    if (cp == 0)
        return 0;
    *cp++ = 0;
    return cp;
}

int safe_strtoul(const char *str, unsigned long *result)
{
    char *end;

    if (!isdigit((unsigned char) *str))
        return 0;
    errno = 0;
    *result = strtoul(str, &end, 10);
    return errno == 0 && *end == 0;
}

int safe_strtol(const char *str, long *result)
{
    char *end;
    const char *cp = str;

    if (*cp == '-' || *cp == '+')
        cp++;
    if (!isdigit((unsigned char) *cp))
        return 0;
    errno = 0;
    *result = strtol(str, &end, 10);
    return errno == 0 && *end == 0;
}
