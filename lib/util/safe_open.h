/*
 * safe_open - open or create a file without being tricked by links.
 *
 * For files in directories that others can write (mail spools, users' home
 * directories), where a symbolic or hard link planted by an attacker could
 * make a privileged process append to /etc/passwd.
 *
 *   fd = safe_open(path, flags, mode, &st, user, group, why)
 *
 * flags are open(2) flags.  Without O_CREAT the file must exist; with
 * O_CREAT | O_EXCL it must not; with O_CREAT alone an existing file is opened
 * or else a new one created (a file that appears or disappears between the two
 * attempts is retried a few times).  The descriptor is always close-on-exec.
 *
 * An existing file is rejected unless all of these hold:
 *   - the last path component is not a symbolic link (O_NOFOLLOW; directory
 *     components are followed, as they belong to the administrator)
 *   - it is a regular file (opening a FIFO or device never blocks or has side
 *     effects: the open is non-blocking, and O_NONBLOCK is removed afterwards
 *     unless the caller asked for it)
 *   - it has exactly one hard link
 *   - its owner is user and its group is group, where given (pass
 *     SAFE_OPEN_ANY_UID / SAFE_OPEN_ANY_GID to skip either check)
 *   - the name still refers to the opened file (lstat and fstat agree on
 *     device and inode: nothing was swapped in between).
 * O_TRUNC is applied only after these checks, so a rejected file is never
 * truncated.  A new file is created with O_EXCL (which never follows a
 * symbolic link) and, when user or group is given, handed to them with
 * fchown().
 *
 * Returns the descriptor and fills *st (if not null) with the file's status,
 * or returns -1 with errno set and a reason in why, e.g. "file is a symbolic
 * link", "file has 2 hard links", "file is not a regular file", "file has
 * owner uid 0, expected 1000", "file was replaced while being opened".
 *
 *   safe_open_verify(fd, path, &st, user, group, why)
 * runs the checks for an existing file on a descriptor already open (e.g.
 * again after a lock was acquired): 0 if they pass, -1 with why otherwise.
 *
 *   fd = open_as(path, flags, mode, &st, uid, gid, why)
 * is safe_open() (without owner checks) performed with the effective user and
 * group IDs, and the supplementary groups, temporarily switched to uid and
 * gid, so that the kernel applies the recipient's permissions (local
 * delivery to a file or mailbox); new files belong to uid/gid.  The
 * caller's IDs and groups are restored before it returns.  Switching needs an
 * effective uid of 0 unless uid and gid are already the effective ones
 * (otherwise -1, errno EPERM).
 *
 * What can go wrong: everything is reported through the return value and
 * why, except that failing to restore root privileges in open_as() is
 * msg_fatal (the process would otherwise continue with the wrong IDs).
 */
#ifndef POSTERN_SAFE_OPEN_H
#define POSTERN_SAFE_OPEN_H

#include <sys/stat.h>
#include <sys/types.h>

#include "vstring.h"

#define SAFE_OPEN_ANY_UID ((uid_t)-1)
#define SAFE_OPEN_ANY_GID ((gid_t)-1)

extern int safe_open(const char *path, int flags, mode_t mode, struct stat *st, uid_t user,
                     gid_t group, VSTRING *why);
extern int safe_open_verify(int fd, const char *path, struct stat *st, uid_t user, gid_t group,
                            VSTRING *why);
extern int open_as(const char *path, int flags, mode_t mode, struct stat *st, uid_t uid, gid_t gid,
                   VSTRING *why);

#endif
