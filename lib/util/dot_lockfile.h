/*
 * dot_lockfile - mailbox locking with PATH.lock files.
 *
 * The convention shared by mail programs (mutt, procmail, Dovecot, mailx):
 * whoever creates PATH.lock (exclusively) owns the lock on PATH; deleting it
 * releases the lock; a lock file older than a few minutes was left behind by
 * a crashed program and may be removed by anyone who wants the lock.
 *
 *   dot_lockfile(path, opts, why)   create path.lock with O_CREAT | O_EXCL
 *                                   (never through a symbolic link).  While it
 *                                   exists, try again up to opts->attempts
 *                                   times, waiting opts->delay_ms before the
 *                                   second try and twice as long each time
 *                                   after (at most 8 * delay_ms, with a little
 *                                   random jitter so that waiters do not move
 *                                   in step).  A lock file whose modification
 *                                   time is more than opts->stale_seconds in
 *                                   the past is removed and does not use up an
 *                                   attempt.  opts may be null for the
 *                                   defaults below (Postfix's
 *                                   deliver_lock_attempts, deliver_lock_delay
 *                                   and stale_lock_time).  Returns 0, or -1
 *                                   with errno (EEXIST: still locked after all
 *                                   attempts) and a reason in why.  Errors other
 *                                   than EEXIST (e.g. EACCES: no permission in
 *                                   the directory) fail at once.
 *   dot_unlockfile(path)            remove path.lock (a missing one is fine)
 *   dot_lockfile_as(path, opts, why, uid, gid)
 *                                   dot_lockfile() with the effective IDs of
 *                                   uid/gid (see set_eugid), for spool
 *                                   directories where the recipient, not the
 *                                   delivery agent, may create files.  Needs
 *                                   root; the IDs are restored before return.
 *
 * The lock file is empty, mode 0600.  Removing a stale lock can race with
 * another remover that has already created a fresh lock; that is inherent in
 * the convention, which is why a stale time of minutes, not seconds, is used.
 */
#ifndef POSTERN_DOT_LOCKFILE_H
#define POSTERN_DOT_LOCKFILE_H

#include <sys/types.h>

#include "vstring.h"

typedef struct DOT_LOCK_OPTS {
    int attempts;      /* at least 1 */
    int delay_ms;      /* before the 2nd attempt */
    int stale_seconds; /* older lock files are removed */
} DOT_LOCK_OPTS;

#define DOT_LOCK_ATTEMPTS      20
#define DOT_LOCK_DELAY_MS      1000
#define DOT_LOCK_STALE_SECONDS 500

extern int dot_lockfile(const char *path, const DOT_LOCK_OPTS *opts, VSTRING *why);
extern void dot_unlockfile(const char *path);
extern int dot_lockfile_as(const char *path, const DOT_LOCK_OPTS *opts, VSTRING *why, uid_t uid,
                           gid_t gid);

#endif
