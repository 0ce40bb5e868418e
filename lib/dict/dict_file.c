/*
 * dict_file - creation and locking helpers for file-based tables; see
 * dict_file.h.
 *
 * Race handling in dict_file_create_tmp(): two builders may open the same
 * FINAL.tmp; the loser of the lock may then hold a descriptor for a file
 * the winner has already renamed to FINAL.  After taking the lock we check
 * that the path still names our inode and start over if it does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_file.h"
#include "msg.h"
#include "vstring.h"

mode_t dict_file_create_mode = 0644;

int dict_file_lock(int fd, int style, int op)
{
    if (style == DICT_FILE_FCNTL) {
        struct flock fl;

        memset(&fl, 0, sizeof(fl));
        fl.l_whence = SEEK_SET;
        fl.l_type = op == DICT_LOCK_SHARED      ? F_RDLCK
                    : op == DICT_LOCK_EXCLUSIVE ? F_WRLCK
                                                : F_UNLCK;
        while (fcntl(fd, F_SETLKW, &fl) < 0)
            if (errno != EINTR)
                return -1;
        return 0;
    }
    while (flock(fd, op == DICT_LOCK_SHARED      ? LOCK_SH
                     : op == DICT_LOCK_EXCLUSIVE ? LOCK_EX
                                                 : LOCK_UN) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

int dict_file_create_tmp(DICT *dict, const char *final, VSTRING *tmp)
{
    struct stat fst;
    struct stat pst;
    struct stat old;
    int fd;

    vstring_sprintf(tmp, "%s.tmp", final);
    for (int attempt = 0;; attempt++) {
        if ((fd = open(vstring_str(tmp), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                       dict_file_create_mode)) < 0) {
            dict_fail(dict, DICT_ERR_RETRY, "open database %s: %m", vstring_str(tmp));
            return -1;
        }
        if (dict_file_lock(fd, DICT_FILE_FLOCK, DICT_LOCK_EXCLUSIVE) < 0) {
            dict_fail(dict, DICT_ERR_RETRY, "lock database %s: %m", vstring_str(tmp));
            close(fd);
            return -1;
        }
        if (fstat(fd, &fst) == 0 && lstat(vstring_str(tmp), &pst) == 0 &&
            fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino)
            break;
        close(fd);
        if (attempt > 100) {
            dict_fail(dict, DICT_ERR_RETRY, "open database %s: file keeps changing",
                      vstring_str(tmp));
            return -1;
        }
    }
    if (!S_ISREG(fst.st_mode)) {
        dict_fail(dict, DICT_ERR_CONFIG, "open database %s: not a regular file", vstring_str(tmp));
        close(fd);
        return -1;
    }
    if (ftruncate(fd, 0) < 0) {
        dict_fail(dict, DICT_ERR_RETRY, "truncate database %s: %m", vstring_str(tmp));
        close(fd);
        return -1;
    }
    /* Keep what the administrator set on the table being replaced. */
    if (stat(final, &old) == 0) {
        if ((old.st_uid != fst.st_uid || old.st_gid != fst.st_gid) &&
            fchown(fd, old.st_uid, old.st_gid) < 0 && msg_verbose)
            msg_info("fchown %s: %m", vstring_str(tmp));
        (void)fchmod(fd, old.st_mode & 07777);
    } else {
        (void)fchmod(fd, dict_file_create_mode);
    }
    return fd;
}

int dict_file_commit(DICT *dict, int fd, const char *tmp, const char *final)
{
    if (fsync(fd) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "fsync %s: %m", tmp), -1;
    if (rename(tmp, final) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "rename %s to %s: %m", tmp, final), -1;
    return 0;
}
