/*
 * postfix_dirs - create, check and repair the queue directory tree; see
 * postfix_dirs.h for the table and the interface.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "postfix_dirs.h"
#include "vstring.h"

#define OWN_ROOT POSTFIX_DIRS_OWNER_ROOT
#define OWN_MAIL POSTFIX_DIRS_OWNER_MAIL

const POSTFIX_DIRS_ENTRY postfix_dirs_table[] = {
    {"", OWN_ROOT, 0, 0755, 0},         {"active", OWN_MAIL, 0, 0700, 1},
    {"bounce", OWN_MAIL, 0, 0700, 1},   {"corrupt", OWN_MAIL, 0, 0700, 1},
    {"defer", OWN_MAIL, 0, 0700, 1},    {"deferred", OWN_MAIL, 0, 0700, 1},
    {"flush", OWN_MAIL, 0, 0700, 1},    {"hold", OWN_MAIL, 0, 0700, 1},
    {"incoming", OWN_MAIL, 0, 0700, 1}, {"private", OWN_MAIL, 0, 0700, 0},
    {"maildrop", OWN_MAIL, 1, 0730, 0}, {"public", OWN_MAIL, 1, 0710, 0},
    {"pid", OWN_ROOT, 0, 0755, 0},      {"saved", OWN_MAIL, 0, 0700, 1},
    {"trace", OWN_MAIL, 0, 0700, 1},
};
const size_t postfix_dirs_count = sizeof(postfix_dirs_table) / sizeof(postfix_dirs_table[0]);

#define DIRS_MAX_DEPTH 8 /* hash_queue_depth is at most 5 */

/* Give everything below dir_fd the owner uid (never following links). */
static int dirs_chown_tree(int dir_fd, const char *path, uid_t uid, int depth)
{
    DIR *dp;
    struct dirent *de;
    struct stat st;
    int problems = 0;

    if (depth > DIRS_MAX_DEPTH) {
        msg_warn("%s: directories nested too deep; not repaired", path);
        return 1;
    }
    if ((dp = fdopendir(dir_fd)) == 0) {
        msg_warn("open directory %s: %m", path);
        close(dir_fd);
        return 1;
    }
    while ((de = readdir(dp)) != 0) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT) {
                msg_warn("stat %s/%s: %m", path, de->d_name);
                problems++;
            }
            continue;
        }
        if (st.st_uid != uid &&
            fchownat(dirfd(dp), de->d_name, uid, (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0) {
            msg_warn("chown %s/%s: %m", path, de->d_name);
            problems++;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            VSTRING *subpath = vstring_alloc(100);

            vstring_sprintf(subpath, "%s/%s", path, de->d_name);
            if (sub < 0) {
                msg_warn("open directory %s: %m", vstring_str(subpath));
                problems++;
            } else {
                problems += dirs_chown_tree(sub, vstring_str(subpath), uid, depth + 1);
            }
            vstring_free(subpath);
        }
    }
    closedir(dp);
    return problems;
}

/* Check (and with flags create/repair) one directory. */
static int dirs_one(const char *path, uid_t uid, const char *owner, gid_t gid, const char *group,
                    mode_t mode, int recursive, int flags)
{
    struct stat st;
    int problems = 0;

    if (lstat(path, &st) < 0) {
        if (errno != ENOENT) {
            msg_warn("stat %s: %m", path);
            return 1;
        }
        if ((flags & (POSTFIX_DIRS_CREATE | POSTFIX_DIRS_REPAIR)) == 0) {
            msg_warn("missing directory: %s", path);
            return 1;
        }
        if (mkdir(path, mode) < 0 && errno != EEXIST) {
            msg_warn("create directory %s: %m", path);
            return 1;
        }
        if (lstat(path, &st) < 0) {
            msg_warn("stat %s: %m", path);
            return 1;
        }
        /* A new directory always gets the table's owner and mode. */
        flags |= POSTFIX_DIRS_REPAIR;
        recursive = 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        msg_warn("not a directory: %s", path);
        return 1;
    }
    if (st.st_uid != uid || (gid != (gid_t)-1 && st.st_gid != gid)) {
        if (flags & POSTFIX_DIRS_REPAIR) {
            if (lchown(path, uid, gid) < 0) {
                msg_warn("chown %s: %m", path);
                problems++;
            }
        } else {
            if (st.st_uid != uid)
                msg_warn("not owned by %s: %s", owner, path);
            if (gid != (gid_t)-1 && st.st_gid != gid)
                msg_warn("not owned by group %s: %s", group, path);
            problems++;
        }
    }
    /* chown() may clear set-id bits, so the mode comes after it. */
    if ((st.st_mode & 07777) != mode || (flags & POSTFIX_DIRS_REPAIR)) {
        if (flags & POSTFIX_DIRS_REPAIR) {
            if (chmod(path, mode) < 0) {
                msg_warn("chmod %s: %m", path);
                problems++;
            }
        } else {
            msg_warn("bad mode %04o, should be %04o: %s", (unsigned)(st.st_mode & 07777),
                     (unsigned)mode, path);
            problems++;
        }
    }
    if (recursive && (flags & POSTFIX_DIRS_REPAIR)) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

        if (fd < 0) {
            msg_warn("open directory %s: %m", path);
            problems++;
        } else {
            problems += dirs_chown_tree(fd, path, uid, 1);
        }
    }
    return problems;
}

int postfix_dirs_fix(const POSTFIX_DIRS_CONF *conf, int flags)
{
    VSTRING *path = vstring_alloc(100);
    int problems = 0;

    for (size_t i = 0; i < postfix_dirs_count; i++) {
        const POSTFIX_DIRS_ENTRY *e = postfix_dirs_table + i;
        uid_t uid = e->owner == OWN_MAIL ? conf->mail_uid : 0;
        const char *owner = e->owner == OWN_MAIL ? conf->mail_owner : "root";

        if (*e->name)
            vstring_sprintf(path, "%s/%s", conf->queue_dir, e->name);
        else
            vstring_strcpy(path, conf->queue_dir);
        problems +=
            dirs_one(vstring_str(path), uid, owner, e->setgid_group ? conf->setgid_gid : (gid_t)-1,
                     conf->setgid_group, e->mode, e->recursive, flags);
    }
    if (conf->data_dir && *conf->data_dir)
        problems += dirs_one(conf->data_dir, conf->mail_uid, conf->mail_owner, (gid_t)-1, "", 0700,
                             0, flags);
    vstring_free(path);
    return problems;
}

int postfix_dirs_setgid(const char *path, gid_t gid, const char *group, int flags)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        msg_warn("stat %s: %m", path);
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        msg_warn("not a regular file: %s", path);
        return 1;
    }
    if (st.st_uid == 0 && st.st_gid == gid && (st.st_mode & 07777) == 02755)
        return 0;
    if ((flags & POSTFIX_DIRS_REPAIR) == 0) {
        if (st.st_gid != gid)
            msg_warn("not owned by group %s: %s", group, path);
        if ((st.st_mode & 02111) != 02111)
            msg_warn("not set-gid or not owner+group+world executable: %s", path);
        else if ((st.st_mode & 07777) != 02755 || st.st_uid != 0)
            msg_warn("bad owner or mode %04o, should be root and 2755: %s",
                     (unsigned)(st.st_mode & 07777), path);
        return 1;
    }
    if (lchown(path, 0, gid) < 0 || chmod(path, 02755) < 0) {
        msg_warn("set owner root, group %s, mode 2755 on %s: %m", group, path);
        return 1;
    }
    return 0;
}
