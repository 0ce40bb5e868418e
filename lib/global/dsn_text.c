/*
 * dsn_text - split "[status] text" (see dsn_text.h).
 */
#include <ctype.h>
#include <stdio.h>

#include "dsn.h"
#include "dsn_text.h"

const char *dsn_text_split(const char *text, int class, char *status, size_t size)
{
    const char *cp = text;
    size_t len = 0;

    while (isspace((unsigned char)*cp))
        cp++;
    while (cp[len] && !isspace((unsigned char)cp[len]))
        len++;
    if (len > 0 && len < size) {
        snprintf(status, size, "%.*s", (int)len, cp);
        if (dsn_valid(status)) {
            cp += len;
            while (isspace((unsigned char)*cp))
                cp++;
            status[0] = (char)class;
            return cp;
        }
    }
    snprintf(status, size, "%c.0.0", class);
    return cp;
}
