/*
 * mail_queue - queue directory names, paths, and file creation (see
 * mail_queue.h).
 *
 * mail_queue_enter() costs open + fstat + renameat2 in the common case.
 * The rename refuses to replace an existing file (RENAME_NOREPLACE, or
 * link + unlink where the file system lacks it), so a clash of ids, which
 * needs the same microsecond and a reused inode, is retried with a new
 * time instead of destroying a queued message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include "mail_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_params.h"
#include "queue_id.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

MAIL_QUEUE_CONF *mail_queue_conf_params(MAIL_QUEUE_CONF *conf)
{
    conf->queue_dir = var_queue_directory;
    conf->hash_depth = var_hash_queue_depth;
    conf->hash_names = var_hash_queue_names;
    conf->long_ids = var_enable_long_queue_ids;
    return conf;
}

int mail_queue_hashed(const MAIL_QUEUE_CONF *conf, const char *queue)
{
    const char *names = conf->hash_names ? conf->hash_names : MAIL_QUEUE_DEF_HASH_NAMES;
    size_t qlen = strlen(queue);
    const char *cp = names;

    /* A list of names separated by commas and white space. */
    while (*cp) {
        size_t n = strcspn(cp, ", \t\r\n");

        if (n == qlen && strncmp(cp, queue, n) == 0)
            return 1;
        cp += n;
        cp += strspn(cp, ", \t\r\n");
    }
    return 0;
}

static int mail_queue_depth(const MAIL_QUEUE_CONF *conf)
{
    int depth = conf->hash_depth;

    if (depth < 1)
        depth = 1;
    if (depth > MAIL_QUEUE_MAX_HASH_DEPTH)
        depth = MAIL_QUEUE_MAX_HASH_DEPTH;
    return depth;
}

VSTRING *mail_queue_dir(VSTRING *buf, const MAIL_QUEUE_CONF *conf, const char *queue,
                        const char *id)
{
    char key[QUEUE_ID_HASH_KEYLEN + 1];

    vstring_reset(buf);
    if (conf->queue_dir && *conf->queue_dir)
        vstring_sprintf(buf, "%s/", conf->queue_dir);
    vstring_strcat(buf, queue);
    if (id && mail_queue_hashed(conf, queue) && queue_id_hash_key(id, key) == 0) {
        int depth = mail_queue_depth(conf);

        for (int i = 0; i < depth && key[i]; i++) {
            vstring_addch(buf, '/');
            vstring_addch(buf, key[i]);
        }
    }
    return buf;
}

VSTRING *mail_queue_path(VSTRING *buf, const MAIL_QUEUE_CONF *conf, const char *queue,
                         const char *id)
{
    mail_queue_dir(buf, conf, queue, id);
    vstring_addch(buf, '/');
    return vstring_strcat(buf, id);
}

int mail_queue_mkdirs(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id)
{
    VSTRING *dir = vstring_alloc(100);
    VSTRING *top = vstring_alloc(100);
    int ret = 0;

    /* Make each level below the queue directory itself. */
    mail_queue_dir(dir, conf, queue, id);
    mail_queue_dir(top, conf, queue, 0);
    for (size_t i = VSTRING_LEN(top) + 1; i <= VSTRING_LEN(dir); i++) {
        if (i == VSTRING_LEN(dir) || vstring_str(dir)[i] == '/') {
            char save = vstring_str(dir)[i];

            vstring_str(dir)[i] = 0;
            if (mkdir(vstring_str(dir), 0700) < 0 && errno != EEXIST)
                ret = -1;
            vstring_str(dir)[i] = save;
            if (ret < 0)
                break;
        }
    }
    vstring_free(dir);
    vstring_free(top);
    return ret;
}

/* mail_queue_move - rename without replacing, making hash directories */

static int mail_queue_move(const char *from, const char *to, const MAIL_QUEUE_CONF *conf,
                           const char *queue, const char *id)
{
    for (int tries = 0; tries < 2; tries++) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EINVAL || errno == ENOSYS) {
            /* File system without RENAME_NOREPLACE. */
            if (link(from, to) == 0) {
                (void)unlink(from);
                return 0;
            }
        }
        if (errno != ENOENT || tries > 0 || !mail_queue_hashed(conf, queue) ||
            mail_queue_mkdirs(conf, queue, id) < 0)
            return -1;
    }
    return -1;
}

int mail_queue_enter(const MAIL_QUEUE_CONF *conf, const char *queue, mode_t mode, VSTRING *id,
                     struct timeval *tvp)
{
    static unsigned long counter;
    VSTRING *tmp = vstring_alloc(100);
    VSTRING *path = vstring_alloc(100);
    char qid[QUEUE_ID_BUFSIZE];
    struct timeval tv;
    struct stat st;
    int fd;

    /* A temporary name with a '.', which no queue id has. */
    for (;;) {
        mail_queue_dir(tmp, conf, queue, 0);
        vstring_sprintf_append(tmp, "/%ld.%lu", (long)getpid(), counter++);
        if ((fd = open(vstring_str(tmp), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode)) >= 0)
            break;
        if (errno != EEXIST)
            goto fail;
    }
    if (fstat(fd, &st) < 0)
        goto fail_unlink;
    for (int tries = 0; /* void */; tries++) {
        gettimeofday(&tv, 0);
        if (conf->long_ids)
            queue_id_long(qid, tv.tv_sec, (long)tv.tv_usec, (unsigned long)st.st_ino);
        else
            queue_id_short(qid, (long)tv.tv_usec, (unsigned long)st.st_ino);
        mail_queue_path(path, conf, queue, qid);
        if (mail_queue_move(vstring_str(tmp), vstring_str(path), conf, queue, qid) == 0)
            break;
        if (errno != EEXIST || tries >= 1000)
            goto fail_unlink;
        usleep(1); /* the next microsecond gives a new id */
    }
    vstring_strcpy(id, qid);
    if (tvp)
        *tvp = tv;
    vstring_free(tmp);
    vstring_free(path);
    return fd;

fail_unlink : {
    int saved = errno;

    (void)unlink(vstring_str(tmp));
    (void)close(fd);
    errno = saved;
}
fail:
    vstring_free(tmp);
    vstring_free(path);
    return -1;
}

int mail_queue_open(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id, int flags,
                    mode_t mode)
{
    VSTRING *path;
    int fd;

    if (!queue_id_ok(id)) {
        errno = EINVAL;
        return -1;
    }
    path = mail_queue_path(vstring_alloc(100), conf, queue, id);
    fd = open(vstring_str(path), flags | O_CLOEXEC, mode);
    vstring_free(path);
    return fd;
}

int mail_queue_rename(const MAIL_QUEUE_CONF *conf, const char *id, const char *from, const char *to)
{
    VSTRING *old_path;
    VSTRING *new_path;
    int ret;

    if (!queue_id_ok(id)) {
        errno = EINVAL;
        return -1;
    }
    old_path = mail_queue_path(vstring_alloc(100), conf, from, id);
    new_path = mail_queue_path(vstring_alloc(100), conf, to, id);
    ret = rename(vstring_str(old_path), vstring_str(new_path));
    if (ret < 0 && errno == ENOENT && mail_queue_hashed(conf, to) &&
        access(vstring_str(old_path), F_OK) == 0 && mail_queue_mkdirs(conf, to, id) == 0)
        ret = rename(vstring_str(old_path), vstring_str(new_path));
    vstring_free(old_path);
    vstring_free(new_path);
    return ret;
}

int mail_queue_remove(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id)
{
    VSTRING *path;
    int ret;

    if (!queue_id_ok(id)) {
        errno = EINVAL;
        return -1;
    }
    path = mail_queue_path(vstring_alloc(100), conf, queue, id);
    ret = unlink(vstring_str(path));
    vstring_free(path);
    return ret;
}
