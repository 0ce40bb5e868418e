/*
 * sock_addr - split "host:port" strings; see sock_addr.h.
 */
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "sock_addr.h"

const char *host_port_split(const char *str, char **host, char **port)
{
    const char *host_start;
    size_t host_len;
    const char *port_start;

    if (*str == '[') {
        const char *end = strchr(str, ']');
        if (end == 0)
            return "missing \"]\" after IPv6 address";
        if (end[1] != ':')
            return end[1] ? "garbage after \"]\"" : "missing \":port\" after \"]\"";
        host_start = str + 1;
        host_len = (size_t)(end - host_start);
        if (host_len == 0)
            return "empty address in \"[]\"";
        if (memchr(host_start, '[', host_len))
            return "unbalanced \"[\"";
        port_start = end + 2;
    } else {
        const char *colon = strchr(str, ':');
        if (colon == 0) {
            host_start = str; /* "port" alone */
            host_len = 0;
            port_start = str;
        } else {
            if (strchr(colon + 1, ':'))
                return "IPv6 address must be enclosed in \"[]\"";
            host_start = str;
            host_len = (size_t)(colon - str);
            port_start = colon + 1;
        }
        if (memchr(host_start, ']', host_len) || strchr(port_start, ']'))
            return "unbalanced \"]\"";
    }
    if (*port_start == 0)
        return "missing port";
    if (strpbrk(port_start, " \t\r\n[]:/"))
        return "bad character in port";
    /* getaddrinfo() would silently take 99999 modulo 65536. */
    if (strspn(port_start, "0123456789") == strlen(port_start) &&
        (strlen(port_start) > 5 || atol(port_start) > 65535))
        return "port number out of range";
    if (host_len && memchr(host_start, ' ', host_len))
        return "space in host name";
    *host = mystrndup(host_start, host_len);
    *port = mystrdup(port_start);
    return 0;
}
