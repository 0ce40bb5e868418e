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
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_file.h"
#include "argv.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
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
    char *real;
    int fd;

    /* A table reached through a symlink is rebuilt where the link points. */
    if (lstat(final, &old) == 0 && S_ISLNK(old.st_mode) && (real = realpath(final, 0)) != 0) {
        vstring_sprintf(tmp, "%s.tmp", real);
        free(real);
    } else {
        vstring_sprintf(tmp, "%s.tmp", final);
    }
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
    size_t len = strlen(tmp);
    char *target;
    int ret = 0;

    /* The target is the temporary name minus ".tmp" (a symlink's target, see above). */
    if (len <= 4 || strcmp(tmp + len - 4, ".tmp") != 0)
        msg_panic("dict_file_commit: bad temporary name %s for %s", tmp, final);
    target = mystrndup(tmp, len - 4);
    if (fsync(fd) < 0)
        ret = dict_fail(dict, DICT_ERR_RETRY, "fsync %s: %m", tmp);
    else if (rename(tmp, target) < 0)
        ret = dict_fail(dict, DICT_ERR_RETRY, "rename %s to %s: %m", tmp, target);
    myfree(target);
    return ret < 0 ? -1 : 0;
}

static const char dict_file_b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void dict_file_b64_encode(const unsigned char *in, size_t len, VSTRING *out)
{
    vstring_reset(out);
    for (size_t i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16;
        size_t n = len - i;

        if (n > 1)
            v |= (unsigned long)in[i + 1] << 8;
        if (n > 2)
            v |= in[i + 2];
        vstring_addch(out, dict_file_b64_chars[(v >> 18) & 63]);
        vstring_addch(out, dict_file_b64_chars[(v >> 12) & 63]);
        vstring_addch(out, n > 1 ? dict_file_b64_chars[(v >> 6) & 63] : '=');
        vstring_addch(out, n > 2 ? dict_file_b64_chars[v & 63] : '=');
    }
}

VSTRING *dict_file_from_b64(const char *value, VSTRING *out)
{
    size_t len = strlen(value);
    unsigned long v;
    int pad;

    vstring_reset(out);
    if (len % 4 != 0)
        return 0;
    for (size_t i = 0; i < len; i += 4) {
        v = 0;
        pad = 0;
        for (size_t j = 0; j < 4; j++) {
            const char *cp;
            int ch = value[i + j];

            if (ch == '=' && i + 4 == len && j >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            if (pad || ch == 0 || (cp = strchr(dict_file_b64_chars, ch)) == 0)
                return 0;
            v = (v << 6) | (unsigned long)(cp - dict_file_b64_chars);
        }
        vstring_addch(out, (int)((v >> 16) & 0xff));
        if (pad < 2)
            vstring_addch(out, (int)((v >> 8) & 0xff));
        if (pad < 1)
            vstring_addch(out, (int)(v & 0xff));
    }
    return out;
}

VSTRING *dict_file_to_b64(const char *names, VSTRING *out, VSTRING *why)
{
    ARGV *argv = argv_split(names, CHARS_COMMA_SP);
    VSTRING *raw = vstring_alloc(1024);
    char buf[8192];
    ssize_t n;
    int fd;

    for (size_t i = 0; i < argv->argc; i++) {
        size_t file_len = 0;

        if (i > 0)
            vstring_addch(raw, '\n');
        if ((fd = open(argv->argv[i], O_RDONLY | O_CLOEXEC)) < 0) {
            vstring_sprintf(why, "open %s: %m", argv->argv[i]);
            goto fail;
        }
        while ((n = read(fd, buf, sizeof(buf))) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                vstring_sprintf(why, "read %s: %m", argv->argv[i]);
                close(fd);
                goto fail;
            }
            file_len += (size_t)n;
            if (file_len > DICT_FILE_B64_LIMIT) {
                vstring_sprintf(why, "%s: file too large (limit %d bytes)", argv->argv[i],
                                DICT_FILE_B64_LIMIT);
                close(fd);
                goto fail;
            }
            vstring_memcat(raw, buf, (size_t)n);
        }
        close(fd);
    }
    dict_file_b64_encode((const unsigned char *)vstring_str(raw), VSTRING_LEN(raw), out);
    argv_free(argv);
    vstring_free(raw);
    return out;

fail:
    argv_free(argv);
    vstring_free(raw);
    return 0;
}
