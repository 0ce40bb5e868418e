/*
 * error_text - split an error/retry nexthop (see error_text.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "error_text.h"

/* error_text_code - length of a leading "D.DDD.DDD" code, or 0 */

static size_t error_text_code(const char *s)
{
    size_t i = 0;
    size_t n;
    int part;

    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return 0;
    i = 1;
    for (part = 0; part < 2; part++) {
        if (s[i] != '.')
            return 0;
        i++;
        for (n = 0; isdigit((unsigned char)s[i]) && n < 4; n++)
            i++;
        if (n < 1 || n > 3)
            return 0;
    }
    return (s[i] == 0 || isspace((unsigned char)s[i])) ? i : 0;
}

void error_text_split(const char *nexthop, int class, char *status, size_t size,
                      const char **reason)
{
    const char *cp = nexthop;
    size_t len;

    while (isspace((unsigned char)*cp))
        cp++;
    if ((len = error_text_code(cp)) > 0) {
        snprintf(status, size, "%.*s", (int)len, cp);
        cp += len;
        while (isspace((unsigned char)*cp))
            cp++;
    } else {
        snprintf(status, size, "%c.0.0", class);
    }
    if (size > 0)
        status[0] = (char)class;
    *reason = *cp ? cp : ERROR_TEXT_DEFAULT;
}
