/*
 * safe_open - open or create a file without being tricked by links; see
 * safe_open.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "safe_open.h"
#include "set_ugid.h"

#define SAFE_OPEN_TRIES 4
/* Flags safe_open() decides about itself. */
#define SAFE_OPEN_OWN_FLAGS (O_CREAT | O_EXCL | O_TRUNC | O_NONBLOCK)

static int safe_open_fail(VSTRING *why, int err, const char *fmt, const char *detail)
{
    vstring_sprintf(why, fmt, detail);
    errno = err;
    return -1;
}

int safe_open_verify(int fd, const char *path, struct stat *st, uid_t user, gid_t group,
                     VSTRING *why)
{
    struct stat fst;
    struct stat lst;

    if (fstat(fd, &fst) < 0)
        return safe_open_fail(why, errno, "cannot get file status: %s", strerror(errno));
    /* The name must still lead to this very file, and not through a link. */
    if (lstat(path, &lst) < 0)
        return safe_open_fail(why, errno, "file was removed while being opened: %s",
                              strerror(errno));
    if (S_ISLNK(lst.st_mode))
        return safe_open_fail(why, EPERM, "file is a symbolic link%s", "");
    if (lst.st_dev != fst.st_dev || lst.st_ino != fst.st_ino)
        return safe_open_fail(why, EPERM, "file was replaced while being opened%s", "");
    if (!S_ISREG(fst.st_mode))
        return safe_open_fail(why, EPERM, "file is not a regular file%s", "");
    if (fst.st_nlink != 1) {
        vstring_sprintf(why, "file has %lu hard links", (unsigned long)fst.st_nlink);
        errno = EPERM;
        return -1;
    }
    if (user != SAFE_OPEN_ANY_UID && fst.st_uid != user) {
        vstring_sprintf(why, "file has owner uid %ld, expected %ld", (long)fst.st_uid, (long)user);
        errno = EPERM;
        return -1;
    }
    if (group != SAFE_OPEN_ANY_GID && fst.st_gid != group) {
        vstring_sprintf(why, "file has group gid %ld, expected %ld", (long)fst.st_gid, (long)group);
        errno = EPERM;
        return -1;
    }
    if (st)
        *st = fst;
    return 0;
}

/* Explain a failed open() of an existing file, without following links. */
static int safe_open_explain(const char *path, int err, VSTRING *why)
{
    struct stat lst;

    if (err != ENOENT && lstat(path, &lst) == 0) {
        if (S_ISLNK(lst.st_mode))
            return safe_open_fail(why, EPERM, "file is a symbolic link%s", "");
        if (!S_ISREG(lst.st_mode))
            return safe_open_fail(why, EPERM, "file is not a regular file%s", "");
    }
    return safe_open_fail(why, err, "cannot open file: %s", strerror(err));
}

/* Open an existing file: the descriptor, -1 with errno (ENOENT: absent). */
static int safe_open_exist(const char *path, int flags, struct stat *st, uid_t user, gid_t group,
                           VSTRING *why)
{
    int open_flags =
        (flags & ~SAFE_OPEN_OWN_FLAGS) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd;

    if ((fd = open(path, open_flags)) < 0)
        return safe_open_explain(path, errno, why);
    if (safe_open_verify(fd, path, st, user, group, why) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK) < 0) {
        int err = errno;
        close(fd);
        return safe_open_fail(why, err, "cannot clear non-blocking mode: %s", strerror(err));
    }
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
        if (ftruncate(fd, 0) < 0) {
            int err = errno;
            close(fd);
            return safe_open_fail(why, err, "cannot truncate file: %s", strerror(err));
        }
        if (st && fstat(fd, st) < 0) {
            int err = errno;
            close(fd);
            return safe_open_fail(why, err, "cannot get file status: %s", strerror(err));
        }
    }
    return fd;
}

/* Create a new file: the descriptor, -1 with errno (EEXIST: already there). */
static int safe_open_create(const char *path, int flags, mode_t mode, struct stat *st, uid_t user,
                            gid_t group, VSTRING *why)
{
    int open_flags = (flags & ~O_TRUNC) | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
    int fd;

    if ((fd = open(path, open_flags, mode)) < 0) {
        int err = errno;
        struct stat lst;
        if (err == EEXIST && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            vstring_strcpy(why, "file is a symbolic link");
        else
            vstring_sprintf(why, "cannot create file: %s", strerror(err));
        errno = err;
        return -1;
    }
    if ((user != SAFE_OPEN_ANY_UID || group != SAFE_OPEN_ANY_GID) && fchown(fd, user, group) < 0) {
        int err = errno;
        close(fd);
        return safe_open_fail(why, err, "cannot change file ownership: %s", strerror(err));
    }
    if (st && fstat(fd, st) < 0) {
        int err = errno;
        close(fd);
        return safe_open_fail(why, err, "cannot get file status: %s", strerror(err));
    }
    return fd;
}

int safe_open(const char *path, int flags, mode_t mode, struct stat *st, uid_t user, gid_t group,
              VSTRING *why)
{
    int fd = -1;

    vstring_reset(why);
    switch (flags & (O_CREAT | O_EXCL)) {
    case O_CREAT | O_EXCL:
        return safe_open_create(path, flags, mode, st, user, group, why);
    case O_CREAT:
        /* Existing or new; a file that comes and goes in between is retried. */
        for (int tries = 0; tries < SAFE_OPEN_TRIES; tries++) {
            if ((fd = safe_open_exist(path, flags, st, user, group, why)) >= 0 || errno != ENOENT)
                return fd;
            if ((fd = safe_open_create(path, flags, mode, st, user, group, why)) >= 0 ||
                errno != EEXIST)
                return fd;
            /* A symbolic link that appeared: no reason to try again. */
            if (strcmp(vstring_str(why), "file is a symbolic link") == 0)
                return -1;
        }
        return safe_open_fail(why, EAGAIN, "file keeps appearing and disappearing%s", "");
    default:
        return safe_open_exist(path, flags, st, user, group, why);
    }
}

int open_as(const char *path, int flags, mode_t mode, struct stat *st, uid_t uid, gid_t gid,
            VSTRING *why)
{
    uid_t saved_uid = geteuid();
    gid_t saved_gid = getegid();

    if (saved_uid == uid && saved_gid == gid)
        return safe_open(path, flags, mode, st, SAFE_OPEN_ANY_UID, SAFE_OPEN_ANY_GID, why);
    if (saved_uid != 0) {
        vstring_sprintf(why, "cannot open as uid %ld: not privileged", (long)uid);
        errno = EPERM;
        return -1;
    }
    SET_EUGID_SAVED saved;
    set_eugid_enter(&saved, uid, gid);
    int fd = safe_open(path, flags, mode, st, SAFE_OPEN_ANY_UID, SAFE_OPEN_ANY_GID, why);
    int err = errno;
    set_eugid_leave(&saved);
    errno = err;
    return fd;
}
