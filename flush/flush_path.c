/*
 * flush_path - names of the fast flush logs; see flush_path.h.
 */
#include "flush_path.h"

#include <ctype.h>
#include <string.h>

#include "mail_queue.h"

VSTRING *flush_path_site(VSTRING *buf, const char *site)
{
    vstring_sprintf(buf, "%s/", MAIL_QUEUE_FLUSH);
    for (const unsigned char *cp = (const unsigned char *)site; *cp; cp++)
        vstring_addch(buf, isascii(*cp) && isalnum(*cp) ? tolower(*cp) : '_');
    return buf;
}

int flush_path_site_ok(const char *site)
{
    size_t len = strlen(site);

    if (len == 0 || len > FLUSH_SITE_MAXLEN)
        return 0;
    for (const unsigned char *cp = (const unsigned char *)site; *cp; cp++)
        if (!isascii(*cp) || !isgraph(*cp))
            return 0;
    return 1;
}

int flush_path_ok(const char *name)
{
    if (*name == 0 || strlen(name) > FLUSH_SITE_MAXLEN)
        return 0;
    for (const unsigned char *cp = (const unsigned char *)name; *cp; cp++)
        if (!(isascii(*cp) && (islower(*cp) || isdigit(*cp))) && *cp != '_')
            return 0;
    return 1;
}
