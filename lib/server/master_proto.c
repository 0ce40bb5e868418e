/*
 * master_proto - the child side of the master status protocol; see
 * master_proto.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "master_proto.h"
#include "stringops.h"

int master_notify(int pid, unsigned gen, int avail)
{
    MASTER_STATUS st;
    ssize_t n;

    st.pid = pid;
    st.gen = gen;
    st.avail = avail;
    do {
        n = send(MASTER_STATUS_FD, &st, sizeof(st), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != sizeof(st)) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

unsigned master_gen_from_env(void)
{
    const char *s = getenv(MASTER_GEN_ENV);
    unsigned long v;

    if (s == 0 || !safe_strtoul(s, &v))
        return 0;
    return (unsigned)v;
}
