/*
 * is_header - recognize a header line; see is_header.h.
 */
#include <stdint.h>
#include <string.h>

#include "is_header.h"

size_t is_header_buf(const char *buf, size_t len)
{
    size_t name_len = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char) buf[i];

        if (ch == ':')
            return name_len;
        if (ch == ' ' || ch == '\t') {
            if (name_len == 0)
                return 0;
            break;
        }
        if (ch < 33 || ch > 126)
            return 0;
        name_len++;
    }
    /* Optional white space between the name and the colon. */
    for (; i < len; i++) {
        if (buf[i] == ':')
            return name_len;
        if (buf[i] != ' ' && buf[i] != '\t')
            return 0;
    }
    return 0;
}

size_t is_header(const char *str)
{
    return is_header_buf(str, strlen(str));
}
