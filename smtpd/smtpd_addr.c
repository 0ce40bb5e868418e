/*
 * smtpd_addr - the MAIL FROM / RCPT TO argument parser and small syntax
 * checks used by smtpd and smtpd_check; see smtpd_addr.h.
 *
 * The address in brackets is scanned with RFC 5321 quoting in mind: a
 * quoted string or a backslash escape may hold '<', '>' or white space
 * without ending the address.  Route addresses (<@a,@b:user@dom>) are kept
 * as the client sent them: trivial-rewrite strips the route.
 */
#include <ctype.h>
#include <string.h>

#include "dsn.h"
#include "quote_822_local.h"
#include "smtpd_addr.h"
#include "stringops.h"

/* smtpd_addr_scan - end of an address that starts at cp, or null */
static char *smtpd_addr_scan(char *cp, int bracketed)
{
    int quoted = 0;

    for (; *cp; cp++) {
        if (*cp == '\\') {
            if (cp[1] == 0)
                return 0;
            cp++;
        } else if (*cp == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            if (bracketed && *cp == '>')
                return cp;
            if (!bracketed && (*cp == ' ' || *cp == '\t'))
                return cp;
        }
    }
    return bracketed || quoted ? 0 : cp;
}

int smtpd_addr_split(char *arg, int strict, char **addr, ARGV *params)
{
    char *cp = skipblanks(arg);
    char *end;
    char *start;
    char *word;

    if (*cp == '<') {
        start = cp + 1;
        if ((end = smtpd_addr_scan(start, 1)) == 0)
            return SMTPD_ADDR_SYNTAX;
        *end++ = 0;
        if (*end && *end != ' ' && *end != '\t')
            return SMTPD_ADDR_SYNTAX;
    } else {
        if (strict || *cp == 0)
            return SMTPD_ADDR_SYNTAX;
        start = cp;
        if ((end = smtpd_addr_scan(start, 0)) == 0)
            return SMTPD_ADDR_SYNTAX;
        if (*end)
            *end++ = 0;
    }
    for (const unsigned char *p = (const unsigned char *)start; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return SMTPD_ADDR_BADCHAR;
    /* A bare '<', '>' or blank outside quotes is never part of an address
     * ("<a b>" is two words, which Postfix calls illegal syntax). */
    {
        int quoted = 0;

        for (const char *p = start; *p; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                continue;
            }
            if (*p == '"')
                quoted = !quoted;
            else if (!quoted && (*p == '<' || *p == '>' || *p == ' ' || *p == '\t'))
                return SMTPD_ADDR_BADCHAR;
        }
    }
    *addr = start;
    while ((word = mystrtok(&end, " \t")) != 0)
        argv_add(params, word);
    return SMTPD_ADDR_OK;
}

VSTRING *smtpd_addr_internal(const char *addr, VSTRING *out)
{
    return unquote_822_local(out, addr);
}

int smtpd_addr_xtext_ok(const char *value)
{
    const unsigned char *cp;

    if (*value == 0)
        return 0;
    for (cp = (const unsigned char *)value; *cp; cp++) {
        if (*cp < 33 || *cp > 126 || *cp == '=')
            return 0;
        if (*cp == '+') {
            if (!isxdigit(cp[1]) || !isxdigit(cp[2]))
                return 0;
            if (islower(cp[1]) || islower(cp[2]))
                return 0;
            cp += 2;
        }
    }
    return 1;
}

VSTRING *smtpd_addr_xtext_decode(const char *value, VSTRING *out)
{
    vstring_reset(out);
    if (!smtpd_addr_xtext_ok(value))
        return 0;
    for (const char *cp = value; *cp; cp++) {
        if (*cp == '+') {
            int hi = isdigit((unsigned char)cp[1]) ? cp[1] - '0' : cp[1] - 'A' + 10;
            int lo = isdigit((unsigned char)cp[2]) ? cp[2] - '0' : cp[2] - 'A' + 10;
            int ch = hi * 16 + lo;

            if (ch == 0)
                return 0;
            vstring_addch(out, ch);
            cp += 2;
        } else {
            vstring_addch(out, *cp);
        }
    }
    return out;
}

int smtpd_addr_notify(const char *value)
{
    static const struct {
        const char *name;
        int mask;
    } words[] = {
        {"NEVER", DSN_NOTIFY_NEVER},
        {"SUCCESS", DSN_NOTIFY_SUCCESS},
        {"FAILURE", DSN_NOTIFY_FAILURE},
        {"DELAY", DSN_NOTIFY_DELAY},
    };
    const char *cp = value;
    int mask = 0;

    if (*cp == 0)
        return -1;
    while (*cp) {
        size_t len = strcspn(cp, ",");
        int found = 0;

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (len == strlen(words[i].name) && strncasecmp(cp, words[i].name, len) == 0) {
                if (mask & words[i].mask)
                    return -1;
                mask |= words[i].mask;
                found = 1;
            }
        }
        if (!found)
            return -1;
        cp += len;
        if (*cp == ',') {
            cp++;
            if (*cp == 0)
                return -1;
        }
    }
    if ((mask & DSN_NOTIFY_NEVER) && mask != DSN_NOTIFY_NEVER)
        return -1;
    return mask;
}

/* smtpd_addr_literal_ok - "[1.2.3.4]" or "[ipv6:...]" */
static int smtpd_addr_literal_ok(const char *name)
{
    size_t len = strlen(name);

    if (len < 3 || name[0] != '[' || name[len - 1] != ']')
        return 0;
    for (size_t i = 1; i < len - 1; i++)
        if (!isalnum((unsigned char)name[i]) && strchr(".:", name[i]) == 0)
            return 0;
    return 1;
}

int smtpd_addr_valid_hostname(const char *name)
{
    size_t total = 0;
    size_t label = 0;
    int prev = '.';
    int all_num = 1;

    if (smtpd_addr_literal_ok(name))
        return 1;
    if (*name == 0)
        return 0;
    for (const char *cp = name; *cp; cp++, total++) {
        int ch = (unsigned char)*cp;

        if (ch == '.') {
            if (prev == '.' || prev == '-')
                return 0;
            label = 0;
        } else if (isalnum(ch) || ch == '-' || ch == '_') {
            if (ch == '-' && prev == '.')
                return 0;
            if (++label > 63)
                return 0;
            if (!isdigit(ch))
                all_num = 0;
        } else {
            return 0;
        }
        prev = ch;
    }
    if (prev == '-' || total > 255)
        return 0;
    /* All-numeric names that are not a literal: a dotted quad is fine. */
    (void)all_num;
    return 1;
}

int smtpd_addr_fqdn(const char *domain)
{
    if (smtpd_addr_literal_ok(domain))
        return 1;
    if (strchr(domain, '.') == 0)
        return 0;
    return smtpd_addr_valid_hostname(domain);
}
