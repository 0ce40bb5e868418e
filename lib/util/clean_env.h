/*
 * clean_env - replace the environment by a short, explicit list.
 *
 *   clean_env(keep)
 *
 * keep is a null-terminated list (e.g. an ARGV's argv built from
 * import_environment): "NAME" keeps NAME with its current value if it is
 * set, "NAME=value" sets NAME to value.  Everything else is removed.
 * Names that change how the dynamic loader, the C library or a shell
 * behave (LD_*, GLIBC_TUNABLES, GCONV_PATH, LOCPATH, NLSPATH, MALLOC_*,
 * HOSTALIASES, RES_OPTIONS, LOCALDOMAIN, IFS, BASH_ENV, ENV, SHELLOPTS,
 * BASHOPTS, CDPATH, PS4, GLOBIGNORE, ...) are dropped even when listed, with
 * a warning, because Postern passes its environment to commands it runs as
 * other users (mailbox_command, pipe).  A malformed entry (empty name, "=x")
 * is dropped with a warning.
 *
 *   clean_env_is_unsafe(name)   1 if name is one of the always-dropped names
 *
 * What can go wrong: nothing but out of memory (msg_fatal in mymalloc).
 */
#ifndef POSTERN_CLEAN_ENV_H
#define POSTERN_CLEAN_ENV_H

extern void clean_env(char *const *keep);
extern int clean_env_is_unsafe(const char *name);

#endif
