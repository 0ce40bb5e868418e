/*
 * mail_addr_host - host name and address syntax checks; see mail_addr_host.h.
 *
 * Each check is one pass over the input with small counters; input length
 * is bounded before anything is copied (only for the warning text).
 */
#include <string.h>
#include <strings.h>

#include "mail_addr_host.h"
#include "msg.h"

/* Log why text was rejected, made printable and cut to 100 bytes. */
static int mail_addr_reject(int flags, const char *fn, const char *why, const char *text)
{
    char safe[101];
    size_t i;

    if (flags & MAIL_ADDR_FLAG_GRIPE) {
        for (i = 0; i < sizeof(safe) - 1 && text[i]; i++)
            safe[i] = (text[i] > ' ' && text[i] < 0x7f) ? text[i] : '?';
        safe[i] = 0;
        msg_warn("%s: %s: \"%s\"", fn, why, safe);
    }
    return 0;
}

static int mail_addr_isdigit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int mail_addr_isalnum(int ch)
{
    return mail_addr_isdigit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int mail_addr_hexval(int ch)
{
    if (mail_addr_isdigit(ch))
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int mail_addr_valid_hostname(const char *name, int flags)
{
    static const char fn[] = "valid_hostname";
    const char *cp = name;
    size_t label_len = 0;
    int numeric = 1; /* only digits (and dots) so far */

    if (*name == 0)
        return mail_addr_reject(flags, fn, "empty hostname", name);
    if (strnlen(name, MAIL_ADDR_HOSTNAME_MAX + 1) > MAIL_ADDR_HOSTNAME_MAX)
        return mail_addr_reject(flags, fn, "hostname longer than 255 characters", name);
    if ((flags & MAIL_ADDR_FLAG_WILDCARD) && cp[0] == '*' && cp[1] == '.' && cp[2] != 0)
        cp += 2;
    for (; *cp; cp++) {
        int ch = (unsigned char) *cp;

        if (mail_addr_isalnum(ch) || ch == '_') {
            if (!mail_addr_isdigit(ch))
                numeric = 0;
        } else if (ch == '-') {
            if (label_len == 0 || cp[1] == '.' || cp[1] == 0)
                return mail_addr_reject(flags, fn, "misplaced hyphen", name);
            numeric = 0;
        } else if (ch == '.') {
            if (label_len == 0 || cp[1] == 0)
                return mail_addr_reject(flags, fn, "misplaced delimiter", name);
            label_len = 0;
            continue;
        } else {
            return mail_addr_reject(flags, fn, "invalid character", name);
        }
        if (++label_len > MAIL_ADDR_LABEL_MAX)
            return mail_addr_reject(flags, fn, "label longer than 63 characters", name);
    }
    if (numeric)
        return mail_addr_reject(flags, fn, "numeric hostname", name);
    return 1;
}

/* Dotted-quad syntax; the reason for rejection, or null. */
static const char *mail_addr_ipv4_error(const char *addr, int allow_zero_first)
{
    const char *cp = addr;
    int octets = 0;

    if (*addr == 0)
        return "empty address";
    for (;;) {
        unsigned val = 0;
        int digits = 0;

        while (mail_addr_isdigit(*cp)) {
            if (++digits > 3)
                return "octet has too many digits";
            val = val * 10 + (unsigned) (*cp++ - '0');
        }
        if (digits == 0)
            return "missing octet";
        if (val > 255)
            return "octet value too large";
        if (octets == 0 && val == 0 && !allow_zero_first)
            return "bad initial octet value";
        octets++;
        if (*cp == 0)
            break;
        if (*cp != '.' || octets == 4)
            return "invalid character or extra octet";
        cp++;
    }
    return octets == 4 ? 0 : "wrong number of octets";
}

int mail_addr_valid_ipv4(const char *addr, int flags)
{
    const char *why = mail_addr_ipv4_error(addr, 0);

    return why ? mail_addr_reject(flags, "valid_ipv4_hostaddr", why, addr) : 1;
}

int mail_addr_valid_ipv6(const char *addr, int flags)
{
    static const char fn[] = "valid_ipv6_hostaddr";
    const char *cp = addr;
    int groups = 0;     /* 16-bit groups seen */
    int compressed = 0; /* "::" seen */

    if (*addr == 0)
        return mail_addr_reject(flags, fn, "empty address", addr);
    if (strnlen(addr, MAIL_ADDR_IPV6_MAX + 1) > MAIL_ADDR_IPV6_MAX)
        return mail_addr_reject(flags, fn, "address too long", addr);
    if (cp[0] == ':') {
        if (cp[1] != ':')
            return mail_addr_reject(flags, fn, "leading single colon", addr);
        compressed = 1;
        cp += 2;
        if (*cp == 0)
            return 1; /* "::" */
    }
    for (;;) {
        const char *start = cp;
        int digits = 0;

        while (mail_addr_hexval(*cp) >= 0) {
            if (++digits > 4)
                break;
            cp++;
        }
        if (*cp == '.') {
            /* An embedded IPv4 address takes the last two groups. */
            if (mail_addr_ipv4_error(start, 1) != 0)
                return mail_addr_reject(flags, fn, "bad embedded IPv4 address", addr);
            groups += 2;
            break;
        }
        if (digits == 0 || digits > 4)
            return mail_addr_reject(flags, fn, "bad group of hex digits", addr);
        groups++;
        if (*cp == 0)
            break;
        if (*cp != ':')
            return mail_addr_reject(flags, fn, "invalid character", addr);
        cp++;
        if (*cp == ':') {
            if (compressed)
                return mail_addr_reject(flags, fn, "more than one \"::\"", addr);
            compressed = 1;
            cp++;
            if (*cp == 0)
                break;
        } else if (*cp == 0) {
            return mail_addr_reject(flags, fn, "trailing single colon", addr);
        }
    }
    if (groups > 8 || (compressed && groups > 7) || (!compressed && groups != 8))
        return mail_addr_reject(flags, fn, "wrong number of groups", addr);
    return 1;
}

int mail_addr_valid_hostaddr(const char *addr, int flags)
{
    if (strchr(addr, ':'))
        return mail_addr_valid_ipv6(addr, flags);
    return mail_addr_valid_ipv4(addr, flags);
}

int mail_addr_valid_mailhost_addr(const char *addr, int flags)
{
    if (strncasecmp(addr, "IPv6:", 5) == 0)
        return mail_addr_valid_ipv6(addr + 5, flags);
    return mail_addr_valid_ipv4(addr, flags);
}

int mail_addr_valid_mailhost_literal(const char *literal, int flags)
{
    static const char fn[] = "valid_mailhost_literal";
    size_t len = strnlen(literal, MAIL_ADDR_IPV6_MAX + 8);
    char inner[MAIL_ADDR_IPV6_MAX + 8];

    if (len < 2 || literal[0] != '[' || literal[len - 1] != ']' || literal[len] != 0)
        return mail_addr_reject(flags, fn, "not an address literal", literal);
    memcpy(inner, literal + 1, len - 2);
    inner[len - 2] = 0;
    return mail_addr_valid_mailhost_addr(inner, flags);
}
