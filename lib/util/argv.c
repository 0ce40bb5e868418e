/*
 * argv - string arrays; see argv.h.
 */
#include <string.h>

#include "argv.h"
#include "checked.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

ARGV *argv_alloc(size_t init)
{
    ARGV *argvp = mymalloc(sizeof(*argvp));

    argvp->size = init < 4 ? 4 : init;
    argvp->argc = 0;
    argvp->argv = mymalloc_array(argvp->size + 1, sizeof(char *));
    argvp->argv[0] = 0;
    return argvp;
}

void argv_free(ARGV *argvp)
{
    if (argvp == 0)
        return;
    for (size_t i = 0; i < argvp->argc; i++)
        myfree(argvp->argv[i]);
    myfree(argvp->argv);
    myfree(argvp);
}

static void argv_grow(ARGV *argvp)
{
    if (argvp->argc >= argvp->size) {
        argvp->size = checked_mul(argvp->size, 2);
        argvp->argv = myrealloc_array(argvp->argv, checked_add(argvp->size, 1), sizeof(char *));
    }
}

ARGV *argv_addn(ARGV *argvp, const char *str, size_t len)
{
    argv_grow(argvp);
    argvp->argv[argvp->argc++] = mystrndup(str, len);
    argvp->argv[argvp->argc] = 0;
    return argvp;
}

ARGV *argv_add(ARGV *argvp, const char *str)
{
    return argv_addn(argvp, str, strlen(str));
}

ARGV *argv_truncate(ARGV *argvp, size_t len)
{
    while (argvp->argc > len)
        myfree(argvp->argv[--argvp->argc]);
    argvp->argv[argvp->argc] = 0;
    return argvp;
}

ARGV *argv_delete(ARGV *argvp, size_t first, size_t count)
{
    if (first > argvp->argc || count > argvp->argc - first)
        msg_panic("argv_delete: bad range %zu+%zu of %zu", first, count, argvp->argc);
    for (size_t i = first; i < first + count; i++)
        myfree(argvp->argv[i]);
    memmove(argvp->argv + first, argvp->argv + first + count,
            (argvp->argc - first - count + 1) * sizeof(char *));
    argvp->argc -= count;
    return argvp;
}

ARGV *argv_insert(ARGV *argvp, size_t where, const char *str)
{
    if (where > argvp->argc)
        msg_panic("argv_insert: position %zu past %zu", where, argvp->argc);
    argv_grow(argvp);
    memmove(argvp->argv + where + 1, argvp->argv + where,
            (argvp->argc - where + 1) * sizeof(char *));
    argvp->argv[where] = mystrdup(str);
    argvp->argc++;
    return argvp;
}

ARGV *argv_split_append(ARGV *argvp, const char *str, const char *delim)
{
    const char *cp = str;

    for (;;) {
        cp += strspn(cp, delim);
        if (*cp == 0)
            break;
        size_t len = strcspn(cp, delim);
        argv_addn(argvp, cp, len);
        cp += len;
    }
    return argvp;
}

ARGV *argv_split(const char *str, const char *delim)
{
    return argv_split_append(argv_alloc(4), str, delim);
}

ARGV *argv_split_list(const char *str)
{
    ARGV *argvp = argv_alloc(4);
    char *copy = mystrdup(str);
    char *bp = copy;
    char *tok;

    while ((tok = mystrtokq(&bp, CHARS_COMMA_SP, "{}")) != 0)
        argv_add(argvp, tok);
    myfree(copy);
    return argvp;
}
