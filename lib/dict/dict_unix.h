/*
 * dict_unix - the "unix" table (unix:passwd.byname, unix:group.byname) and
 * the cached getpwnam()/getgrnam() behind it; see dict_unix.c for the
 * cache's rules (answers live at most DICT_UNIX_CACHE_TTL seconds, and are
 * dropped within a second of a change of /etc/passwd or /etc/group).
 *
 *   dict_unix_getpwnam(name, &pw, &err), dict_unix_getgrnam(name, &gr, &err)
 *       1: found, *pw (*gr) points at a copy that stays valid until the
 *          next call of either function; 0: no such entry; -1: the lookup
 *          failed with errno *err (an NSS service down or timing out).
 *   dict_unix_cache_source(source)
 *       For tests: the files whose change empties the cache, the lookup
 *       functions and the millisecond clock (monotonic) to use instead of
 *       /etc/passwd, /etc/group, getpwnam, getgrnam and CLOCK_MONOTONIC;
 *       all fields must be set.  A null pointer restores the system's.
 *       Either way the cache is emptied.
 */
#ifndef POSTERN_DICT_UNIX_H
#define POSTERN_DICT_UNIX_H

#include <grp.h>
#include <pwd.h>

#include "dict.h"

#define DICT_TYPE_UNIX "unix"

#define DICT_UNIX_CACHE_TTL 10   /* seconds an answer may be used */
#define DICT_UNIX_CACHE_MAX 1000 /* answers kept per database */

extern DICT *dict_unix_open(const char *name, int open_flags, int dict_flags);

extern int dict_unix_getpwnam(const char *name, const struct passwd **pw, int *err);
extern int dict_unix_getgrnam(const char *name, const struct group **gr, int *err);

typedef struct DICT_UNIX_SOURCE {
    const char *passwd_file; /* whose change empties the passwd cache */
    const char *group_file;  /* whose change empties the group cache */
    struct passwd *(*getpwnam)(const char *name);
    struct group *(*getgrnam)(const char *name);
    long long (*now_ms)(void); /* a monotonic clock, milliseconds */
} DICT_UNIX_SOURCE;

extern void dict_unix_cache_source(const DICT_UNIX_SOURCE *source);

#endif
