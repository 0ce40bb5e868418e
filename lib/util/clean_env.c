/*
 * clean_env - environment sanitising; see clean_env.h.
 */
#define _GNU_SOURCE /* clearenv() */
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "clean_env.h"
#include "msg.h"
#include "mymalloc.h"

/* Exact names; glibc's own secure-mode list plus the shells' start-up hooks. */
static const char *const clean_env_unsafe[] = {
    "GLIBC_TUNABLES",
    "GCONV_PATH",
    "GETCONF_DIR",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "LOCPATH",
    "NIS_PATH",
    "NLSPATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    "TMPDIR",
    "TZDIR",
    "IFS",
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "CDPATH",
    "PS4",
    "GLOBIGNORE",
    "PERL5OPT",
    "PERL5LIB",
    "PYTHONSTARTUP",
    "PYTHONPATH",
    0,
};
/* Prefixes. */
static const char *const clean_env_unsafe_prefix[] = {"LD_", "MALLOC_", "BASH_FUNC_", 0};

int clean_env_is_unsafe(const char *name)
{
    for (const char *const *cpp = clean_env_unsafe; *cpp; cpp++)
        if (strcmp(name, *cpp) == 0)
            return 1;
    for (const char *const *cpp = clean_env_unsafe_prefix; *cpp; cpp++)
        if (strncmp(name, *cpp, strlen(*cpp)) == 0)
            return 1;
    return 0;
}

void clean_env(char *const *keep)
{
    ARGV *names = argv_alloc(10);
    ARGV *values = argv_alloc(10);

    /* Copy what survives before the old environment goes away. */
    for (char *const *cpp = keep; cpp && *cpp; cpp++) {
        const char *eq = strchr(*cpp, '=');
        size_t name_len = eq ? (size_t)(eq - *cpp) : strlen(*cpp);
        char *name = mystrndup(*cpp, name_len);
        const char *value = eq ? eq + 1 : getenv(name);

        if (name_len == 0) {
            msg_warn("environment: ignoring malformed entry \"%s\"", *cpp);
        } else if (clean_env_is_unsafe(name)) {
            msg_warn("environment: not passing on unsafe variable %s", name);
        } else if (value) {
            argv_add(names, name);
            argv_add(values, value);
        }
        myfree(name);
    }
    if (clearenv() != 0)
        msg_fatal("clearenv failed");
    for (size_t i = 0; i < names->argc; i++)
        if (setenv(names->argv[i], values->argv[i], 1) < 0)
            msg_fatal("setenv %s: %m", names->argv[i]);
    argv_free(names);
    argv_free(values);
}
