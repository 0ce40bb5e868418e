/*
 * mail_addr - split internal-form addresses; see mail_addr.h.
 */
#include <string.h>
#include <strings.h>

#include "mail_addr.h"
#include "vstring.h"

int mail_addr_split(const char *addr, VSTRING *local, VSTRING *domain)
{
    const char *at = strrchr(addr, '@');

    if (local)
        vstring_strncpy(local, addr, at ? (size_t) (at - addr) : strlen(addr));
    if (domain)
        vstring_strcpy(domain, at ? at + 1 : "");
    return at != 0;
}

/* The length of the base part, or 0 when local must not be split. */
static size_t mail_addr_ext_offset(const char *local, size_t len, const char *delims,
                                   const char *double_bounce)
{
    size_t base;

    if (delims == 0 || *delims == 0)
        return 0;
    if ((len == strlen(MAIL_ADDR_POSTMASTER) &&
         strncasecmp(local, MAIL_ADDR_POSTMASTER, len) == 0) ||
        (len == strlen(MAIL_ADDR_MAIL_DAEMON) &&
         strncasecmp(local, MAIL_ADDR_MAIL_DAEMON, len) == 0) ||
        (double_bounce && len == strlen(double_bounce) &&
         strncasecmp(local, double_bounce, len) == 0))
        return 0;
    if (strchr(delims, '-')) {
        if (len >= 6 && strncasecmp(local, "owner-", 6) == 0)
            return 0;
        if (len > 8 && strncasecmp(local + len - 8, "-request", 8) == 0)
            return 0;
    }
    for (base = 0; base < len && strchr(delims, local[base]) == 0; base++)
        /* void */;
    return base < len ? base : 0;
}

int mail_addr_split_ext(const char *local, const char *delims, const char *double_bounce,
                        VSTRING *base, VSTRING *ext)
{
    size_t len = strlen(local);
    size_t off = mail_addr_ext_offset(local, len, delims, double_bounce);

    if (base)
        vstring_strncpy(base, local, off ? off : len);
    if (ext)
        vstring_strcpy(ext, off ? local + off + 1 : "");
    return off ? (unsigned char) local[off] : 0;
}

VSTRING *mail_addr_strip_ext(VSTRING *result, const char *addr, const char *delims,
                             const char *double_bounce)
{
    const char *at = strrchr(addr, '@');
    size_t len = at ? (size_t) (at - addr) : strlen(addr);
    size_t off = mail_addr_ext_offset(addr, len, delims, double_bounce);

    vstring_strncpy(result, addr, off ? off : len);
    if (at)
        vstring_strcat(result, at);
    return result;
}
