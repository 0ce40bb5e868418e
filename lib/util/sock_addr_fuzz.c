/*
 * sock_addr_fuzz - fuzz target for host_port_split().
 *
 * Invariants: no crash; on success the port is non-empty and free of
 * separators, and joining host and port back ("[host]:port" when host has a
 * colon) gives a string that splits to the same host and port.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "sock_addr.h"
#include "vstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *str = mystrndup((const char *)data, size);
    char *host;
    char *port;

    if (host_port_split(str, &host, &port) == 0) {
        if (*port == 0 || strpbrk(port, ":[] "))
            abort();
        VSTRING *again = vstring_alloc(size + 4);
        if (strchr(host, ':'))
            vstring_sprintf(again, "[%s]:%s", host, port);
        else
            vstring_sprintf(again, "%s:%s", host, port);
        char *host2;
        char *port2;
        if (host_port_split(vstring_str(again), &host2, &port2) != 0 || strcmp(host, host2) != 0 ||
            strcmp(port, port2) != 0)
            abort();
        myfree(host2);
        myfree(port2);
        vstring_free(again);
        myfree(host);
        myfree(port);
    }
    myfree(str);
    return 0;
}
