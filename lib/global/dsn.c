/*
 * dsn - check enhanced status codes (see dsn.h).
 *
 * dsn_valid(status) accepts exactly what RFC 3463 allows in a reply:
 * class 2, 4 or 5, then a subject and a detail of 1..3 digits each,
 * separated by dots, and nothing else.  Used on every status code that
 * arrives from another process before it is logged or stored.
 */
#include "dsn.h"

/* dsn_digits - skip 1..3 digits; null when there are none or more than 3 */

static const char *dsn_digits(const char *cp)
{
    int n = 0;

    while (*cp >= '0' && *cp <= '9') {
        if (++n > 3)
            return 0;
        cp++;
    }
    return n ? cp : 0;
}

int dsn_valid(const char *status)
{
    const char *cp = status;

    if (cp == 0 || (cp[0] != '2' && cp[0] != '4' && cp[0] != '5') || cp[1] != '.')
        return 0;
    if ((cp = dsn_digits(cp + 2)) == 0 || *cp != '.')
        return 0;
    if ((cp = dsn_digits(cp + 1)) == 0 || *cp != 0)
        return 0;
    return 1;
}
