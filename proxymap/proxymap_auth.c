/*
 * proxymap_auth - the approved table list; see proxymap_auth.h.
 */
#include "proxymap_auth.h"

#include <string.h>

#include "argv.h"
#include "dict_proxy.h"

HTABLE *proxymap_auth_parse(const char *list)
{
    HTABLE *table = htable_create(13);
    ARGV *argv = argv_split_list(list ? list : "");
    static const char prefix[] = DICT_TYPE_PROXY ":";

    for (size_t i = 0; i < argv->argc; i++) {
        const char *entry = argv->argv[i];

        if (strncmp(entry, prefix, sizeof(prefix) - 1) != 0)
            continue;
        entry += sizeof(prefix) - 1;
        if (*entry && htable_find(table, entry) == 0)
            htable_enter(table, entry, (void *)1);
    }
    argv_free(argv);
    return table;
}
