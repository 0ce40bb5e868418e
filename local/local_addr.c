/*
 * local_addr - take a recipient address apart (see local_addr.h).
 */
#include <string.h>

#include "local_addr.h"
#include "mymalloc.h"
#include "stringops.h"

/* local_addr_nosplit - names that keep their delimiter */

static int local_addr_nosplit(const char *local, const char *delimiters)
{
    size_t len = strlen(local);

    if (strcmp(local, "postmaster") == 0 || strcmp(local, "mailer-daemon") == 0)
        return 1;
    if (strchr(delimiters, '-') != 0 &&
        (strncmp(local, "owner-", 6) == 0 || (len > 8 && strcmp(local + len - 8, "-request") == 0)))
        return 1;
    return 0;
}

void local_addr_split(const char *addr, const char *delimiters, LOCAL_ADDR *parts)
{
    const char *at = strrchr(addr, '@');
    size_t len = at ? (size_t)(at - addr) : strlen(addr);
    char *local = mymalloc(len + 1);
    size_t pos;

    memcpy(local, addr, len);
    local[len] = 0;
    lowercase(local);
    parts->local = local;
    parts->extension = 0;
    parts->delim = 0;
    parts->user = mystrdup(local);
    if (delimiters == 0 || *delimiters == 0 || local_addr_nosplit(local, delimiters))
        return;
    pos = strcspn(local, delimiters);
    if (pos == 0 || local[pos] == 0)
        return;
    parts->delim = (unsigned char)local[pos];
    parts->user[pos] = 0;
    parts->extension = mystrdup(local + pos + 1);
}

void local_addr_free(LOCAL_ADDR *parts)
{
    myfree(parts->local);
    myfree(parts->user);
    if (parts->extension)
        myfree(parts->extension);
}
