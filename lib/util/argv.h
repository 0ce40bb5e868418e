/*
 * argv - growable, null-terminated string arrays.
 *
 * argv->argv[argv->argc] is always a null pointer, so the array can be handed
 * to execv().  Every string is a private copy owned by the ARGV.
 */
#ifndef POSTERN_ARGV_H
#define POSTERN_ARGV_H

#include <stddef.h>

typedef struct ARGV {
    size_t argc;
    size_t size;                        /* slots allocated */
    char **argv;
} ARGV;

extern ARGV *argv_alloc(size_t init);
extern void argv_free(ARGV *argvp);
extern ARGV *argv_add(ARGV *argvp, const char *str);
extern ARGV *argv_addn(ARGV *argvp, const char *str, size_t len);
extern ARGV *argv_truncate(ARGV *argvp, size_t len);
extern ARGV *argv_delete(ARGV *argvp, size_t first, size_t count);
extern ARGV *argv_insert(ARGV *argvp, size_t where, const char *str);
/* Split on any of the delimiter characters; empty fields are dropped. */
extern ARGV *argv_split(const char *str, const char *delim);
extern ARGV *argv_split_append(ARGV *argvp, const char *str, const char *delim);
/* Split a Postfix list: commas and white space, with {...} grouping kept. */
extern ARGV *argv_split_list(const char *str);

#endif
