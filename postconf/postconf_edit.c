/*
 * postconf_edit - postconf -e, -X and -# on main.cf.
 *
 *   -e name=value ...   replace every "name = ..." entry in place (its
 *                       continuation lines go away; comment lines between
 *                       them stay) or append "name = value" at the end
 *   -X name ...         remove the entries
 *   -# name ...         comment them out ("#" before each of their lines)
 *
 * The new text is written to a temporary file in the same directory, synced
 * and renamed over main.cf, so a reader sees the old or the new file, never a
 * mixture; the file keeps its mode.  A name given more than once uses the
 * last value.
 *
 * What can go wrong: arguments with a newline, or without "=" for -e, are
 * fatal; an I/O error is fatal and leaves main.cf unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "htable.h"
#include "mail_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"
#include "stringops.h"
#include "vstring.h"

typedef struct PCF_EDIT {
    char *value; /* -e only */
    int found;
} PCF_EDIT;

static void pcf_edit_free(void *ptr)
{
    PCF_EDIT *e = ptr;

    if (e->value)
        myfree(e->value);
    myfree(e);
}

/* pcf_read_all - a whole file; empty when it does not exist */
VSTRING *pcf_read_all(const char *path, struct stat *st, int *exists)
{
    VSTRING *buf = vstring_alloc(4096);
    int fd;
    ssize_t got;

    *exists = 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_fatal("open %s: %m", path);
        return buf;
    }
    *exists = 1;
    if (fstat(fd, st) < 0)
        msg_fatal("fstat %s: %m", path);
    for (;;) {
        char *space = vstring_space(buf, 65536);

        if ((got = read(fd, space, 65536)) < 0) {
            if (errno == EINTR)
                continue;
            msg_fatal("read %s: %m", path);
        }
        if (got == 0)
            break;
        vstring_set_len(buf, VSTRING_LEN(buf) + (size_t)got);
    }
    close(fd);
    return buf;
}

/*
 * pcf_edit_lock - open and lock PATH.tmp, the edit lock of PATH.
 *
 * Two editors must not both read the old file and the later rename win with
 * the other's change lost: the temporary file is the lock (as in Postfix),
 * and whoever holds it reads the file only after getting it.  A lock on a
 * name that another editor has already renamed away is retried.
 */
static char *pcf_edit_tmp; /* remove on fatal errors */

static void pcf_edit_cleanup(void)
{
    if (pcf_edit_tmp)
        (void)unlink(pcf_edit_tmp);
}

int pcf_edit_lock(const char *path)
{
    VSTRING *tmp = vstring_alloc(100);
    struct stat fst, pst;
    int fd;

    vstring_sprintf(tmp, "%s.tmp", path);
    for (int tries = 0;; tries++) {
        if ((fd = open(vstring_str(tmp), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
            msg_fatal("create %s: %m", vstring_str(tmp));
        if (flock(fd, LOCK_EX) < 0)
            msg_fatal("lock %s: %m", vstring_str(tmp));
        if (fstat(fd, &fst) == 0 && stat(vstring_str(tmp), &pst) == 0 && fst.st_dev == pst.st_dev &&
            fst.st_ino == pst.st_ino)
            break;
        close(fd);
        if (tries > 100)
            msg_fatal("cannot lock %s: it keeps changing", vstring_str(tmp));
    }
    pcf_edit_tmp = vstring_export(tmp);
    msg_cleanup(pcf_edit_cleanup);
    if (ftruncate(fd, 0) < 0)
        msg_fatal("truncate %s: %m", pcf_edit_tmp);
    return fd;
}

/* pcf_write_atomic - write text to the locked PATH.tmp, fsync, rename */
void pcf_write_atomic(int fd, const char *path, const char *text, size_t len, mode_t mode)
{
    VSTRING *tmp = vstring_alloc(100);
    size_t done = 0;

    vstring_sprintf(tmp, "%s.tmp", path);
    while (done < len) {
        ssize_t got = write(fd, text + done, len - done);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            (void)unlink(vstring_str(tmp));
            msg_fatal("write %s: %m", vstring_str(tmp));
        }
        done += (size_t)got;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        (void)unlink(vstring_str(tmp));
        msg_fatal("write %s: %m", vstring_str(tmp));
    }
    /* Rename while still holding the lock; close releases it. */
    if (rename(vstring_str(tmp), path) < 0) {
        (void)unlink(vstring_str(tmp));
        msg_fatal("rename %s to %s: %m", vstring_str(tmp), path);
    }
    if (pcf_edit_tmp) {
        myfree(pcf_edit_tmp);
        pcf_edit_tmp = 0;
    }
    if (close(fd) < 0)
        msg_fatal("close %s: %m", path);
    /* Make the rename durable too. */
    {
        char *dir = mystrdup(path);
        char *slash = strrchr(dir, '/');
        int dfd;

        if (slash)
            *slash = 0;
        if ((dfd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY)) >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        myfree(dir);
    }
    vstring_free(tmp);
}

/* pcf_edit_abort - give up an edit: remove the lock file */
void pcf_edit_abort(int fd, const char *path)
{
    VSTRING *tmp = vstring_alloc(100);

    vstring_sprintf(tmp, "%s.tmp", path);
    (void)unlink(vstring_str(tmp));
    close(fd);
    vstring_free(tmp);
    if (pcf_edit_tmp) {
        myfree(pcf_edit_tmp);
        pcf_edit_tmp = 0;
    }
}

void pcf_edit_main(int cmd, char **args)
{
    VSTRING *path = vstring_alloc(100);
    HTABLE *table = htable_create(10);
    ARGV *order = argv_alloc(10);
    VSTRING *text;
    VSTRING *out = vstring_alloc(4096);
    struct stat st;
    int exists;
    int lock_fd;
    int editing = 0; /* inside an entry being edited */
    const char *bol;
    const char *end;

    vstring_sprintf(path, "%s/main.cf", mail_conf_dir());
    for (; *args; args++) {
        char *copy = mystrdup(*args);
        char *name = copy;
        char *value = 0;
        PCF_EDIT *e;

        if (strchr(copy, '\n') != 0)
            msg_fatal("-e, -X, or -# accepts no multi-line input");
        if (cmd == PCF_EDIT_SET) {
            char *eq = strchr(copy, '=');

            if (eq == 0)
                msg_fatal("missing '=' after attribute name: \"%s\"", copy);
            *eq = 0;
            value = eq + 1;
            value += strspn(value, CHARS_SPACE);
            trimblanks(value);
        } else if (strchr(copy, '=') != 0) {
            *strchr(copy, '=') = 0;
        }
        name += strspn(name, CHARS_SPACE);
        trimblanks(name);
        if (*name == 0)
            msg_fatal("missing parameter name in \"%s\"", *args);
        if ((e = htable_find(table, name)) == 0) {
            e = mycalloc(1, sizeof(*e));
            htable_enter(table, name, e);
            argv_add(order, name);
        }
        if (e->value)
            myfree(e->value);
        e->value = value ? mystrdup(value) : 0;
        myfree(copy);
    }

    st.st_mode = 0644;
    lock_fd = pcf_edit_lock(vstring_str(path));
    text = pcf_read_all(vstring_str(path), &st, &exists);
    end = vstring_end(text);
    for (bol = vstring_str(text); bol < end;) {
        const char *eol = memchr(bol, '\n', (size_t)(end - bol));
        const char *next = eol ? eol + 1 : end;
        size_t len = (size_t)((eol ? eol : end) - bol);
        const char *cp = bol;

        while (cp < bol + len && (*cp == ' ' || *cp == '\t' || *cp == '\r'))
            cp++;
        if (cp == bol + len || *cp == '#') {
            vstring_memcat(out, bol, len); /* blank or comment: keep */
            vstring_addch(out, '\n');
        } else if (cp > bol) { /* continuation */
            if (editing && cmd == PCF_EDIT_COMMENT) {
                vstring_addch(out, '#');
                vstring_memcat(out, bol, len);
                vstring_addch(out, '\n');
            } else if (!editing) {
                vstring_memcat(out, bol, len);
                vstring_addch(out, '\n');
            }
        } else {
            size_t name_len = strcspn(bol, " \t\r\n=");
            char *name = mystrndup(bol, name_len < len ? name_len : len);
            PCF_EDIT *e = htable_find(table, name);

            editing = e != 0;
            if (e) {
                if (e->found++)
                    msg_warn("%s: multiple entries for \"%s\"", vstring_str(path), name);
                if (cmd == PCF_EDIT_SET) {
                    vstring_sprintf_append(out, "%s = %s\n", name, e->value);
                } else if (cmd == PCF_EDIT_COMMENT) {
                    vstring_addch(out, '#');
                    vstring_memcat(out, bol, len);
                    vstring_addch(out, '\n');
                }
            } else {
                vstring_memcat(out, bol, len);
                vstring_addch(out, '\n');
            }
            myfree(name);
        }
        bol = next;
    }
    if (cmd == PCF_EDIT_SET) {
        for (size_t i = 0; i < order->argc; i++) {
            PCF_EDIT *e = htable_find(table, order->argv[i]);

            if (!e->found)
                vstring_sprintf_append(out, "%s = %s\n", order->argv[i], e->value);
        }
    }
    if (cmd == PCF_EDIT_SET || exists)
        pcf_write_atomic(lock_fd, vstring_str(path), vstring_str(out), VSTRING_LEN(out),
                         st.st_mode & 07777);
    else
        pcf_edit_abort(lock_fd, vstring_str(path));
    vstring_free(out);
    vstring_free(text);
    argv_free(order);
    htable_free(table, pcf_edit_free);
    vstring_free(path);
}
