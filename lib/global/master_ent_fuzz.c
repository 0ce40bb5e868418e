/*
 * master_ent_fuzz - fuzz target for the master.cf parser.
 *
 * Invariants (abort() when broken): a successful parse yields entries with
 * at least a command, line numbers that increase, and flags in range; a
 * failed parse yields no list and a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "master_ent.h"
#include "mymalloc.h"
#include "vstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VSTRING *why = vstring_alloc(100);
    MASTER_ENT *list = 0;
    int ret;
    int last_line = 0;

    if (size > 65536)
        size = 65536;
    ret = master_ent_parse((const char *)data, size, "fuzz.cf", &list, why);
    if (ret < 0) {
        if (list != 0 || VSTRING_LEN(why) == 0)
            abort();
    }
    for (MASTER_ENT *e = list; e; e = e->next) {
        if (e->args->argc < 1 || e->lineno <= last_line)
            abort();
        if (e->wakeup_time < 0 || e->max_proc < -1)
            abort();
        last_line = e->lineno;
        for (size_t a = 1; a + 1 < e->args->argc; a++) {
            char *n;
            char *v;

            if (strcmp(e->args->argv[a], "-o") == 0 &&
                master_ent_option(e->args->argv[a + 1], &n, &v)) {
                if (*n == 0)
                    abort();
                myfree(n);
                myfree(v);
            }
        }
    }
    master_ent_free(list);
    vstring_free(why);
    return 0;
}
