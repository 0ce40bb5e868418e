/*
 * dot_lockfile - PATH.lock files; see dot_lockfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dot_lockfile.h"
#include "msg.h"
#include "mymalloc.h"
#include "set_ugid.h"

static const DOT_LOCK_OPTS dot_lock_defaults = {
    DOT_LOCK_ATTEMPTS,
    DOT_LOCK_DELAY_MS,
    DOT_LOCK_STALE_SECONDS,
};

static void dot_lock_sleep(int ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        /* keep sleeping */;
}

int dot_lockfile(const char *path, const DOT_LOCK_OPTS *opts, VSTRING *why)
{
    VSTRING *lock_path = vstring_alloc(100);
    int attempt = 0;
    int delay;
    int err;
    int fd;

    if (opts == 0)
        opts = &dot_lock_defaults;
    delay = opts->delay_ms > 0 ? opts->delay_ms : 1;
    vstring_sprintf(lock_path, "%s.lock", path);
    for (;;) {
        fd = open(vstring_str(lock_path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
        if (fd >= 0) {
            close(fd);
            vstring_free(lock_path);
            return 0;
        }
        if ((err = errno) != EEXIST)
            break;

        /* Left behind by a crashed program?  lstat: never look through a link. */
        struct stat st;
        if (lstat(vstring_str(lock_path), &st) == 0 &&
            st.st_mtime < time((time_t *)0) - opts->stale_seconds) {
            if (unlink(vstring_str(lock_path)) == 0) {
                msg_warn("%s: removed stale lock file", vstring_str(lock_path));
                continue;
            }
            if (errno != ENOENT) {
                err = errno;
                vstring_sprintf(why, "cannot remove stale lock file %s: %s", vstring_str(lock_path),
                                strerror(err));
                vstring_free(lock_path);
                errno = err;
                return -1;
            }
        }
        if (++attempt >= opts->attempts)
            break;
        /* Exponential backoff with up to 25% jitter. */
        int jitter = delay >= 4 ? (int)(random() % (delay / 4)) : 0;
        dot_lock_sleep(delay + jitter);
        if (delay < opts->delay_ms * 8)
            delay *= 2;
    }
    vstring_sprintf(why, "cannot create lock file %s: %s", vstring_str(lock_path), strerror(err));
    vstring_free(lock_path);
    errno = err;
    return -1;
}

void dot_unlockfile(const char *path)
{
    VSTRING *lock_path = vstring_alloc(100);

    vstring_sprintf(lock_path, "%s.lock", path);
    if (unlink(vstring_str(lock_path)) < 0 && errno != ENOENT)
        msg_warn("remove lock file %s: %m", vstring_str(lock_path));
    vstring_free(lock_path);
}

int dot_lockfile_as(const char *path, const DOT_LOCK_OPTS *opts, VSTRING *why, uid_t uid, gid_t gid)
{
    uid_t saved_uid = geteuid();
    gid_t saved_gid = getegid();

    if (saved_uid == uid && saved_gid == gid)
        return dot_lockfile(path, opts, why);
    if (saved_uid != 0) {
        vstring_sprintf(why, "cannot lock as uid %ld: not privileged", (long)uid);
        errno = EPERM;
        return -1;
    }
    SET_EUGID_SAVED saved;
    set_eugid_enter(&saved, uid, gid);
    int ret = dot_lockfile(path, opts, why);
    int err = errno;
    set_eugid_leave(&saved);
    errno = err;
    return ret;
}
