/*
 * maildir - deliver one message into a Maildir, as the recipient.
 *
 *   local_maildir(state, user, path)
 *       path is the Maildir (a trailing "/" is allowed).  With the user's
 *       IDs: create path, path/tmp, path/new and path/cur (mode 0700) when
 *       missing; write the message (Return-Path, X-Original-To,
 *       Delivered-To, content; no From line, no quoting) to
 *       tmp/SEC.PPID.HOST (created exclusively, mode 0600); fsync; rename
 *       it to new/SEC.VdevIinoMusec.HOST, a name no other delivery can
 *       have (device and inode of the file, the delivery's start time);
 *       fsync new/ so that the rename survives a crash before success is
 *       reported.  On failure the file in tmp/ is removed.  Errors read
 *       "maildir delivery failed: ..." like Postfix.
 *   local_maildir_name(), local_maildir_host(): see local.h
 *
 * What can go wrong: a home directory the user cannot write (5.2.0
 * bounce, as Postfix), a full disk (4.3.1), mailbox_size_limit (5.2.2,
 * per message file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "local_copy.h"
#include "mail_params.h"
#include "msg.h"
#include "safe_open.h"
#include "set_ugid.h"

/* local_maildir_host - the host part of a Maildir file name */

VSTRING *local_maildir_host(VSTRING *buf, const char *hostname)
{
    const char *cp;

    vstring_reset(buf);
    for (cp = hostname; *cp; cp++) {
        if (*cp == '/')
            vstring_strcat(buf, "\\057");
        else if (*cp == ':')
            vstring_strcat(buf, "\\072");
        else
            vstring_addch(buf, *cp);
    }
    return buf;
}

/* local_maildir_name - the file name in new/ */

VSTRING *local_maildir_name(VSTRING *buf, const struct timeval *tv, unsigned long dev,
                            unsigned long ino, const char *host)
{
    return vstring_sprintf(buf, "%lu.V%lxI%lxM%lu.%s", (unsigned long)tv->tv_sec, dev, ino,
                           (unsigned long)tv->tv_usec, host);
}

/* local_maildir_mkdirs - make the Maildir and its three subdirectories */

static int local_maildir_mkdirs(const char *dir, VSTRING *err)
{
    static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
    VSTRING *path = vstring_alloc(100);
    char *cp;
    size_t i;
    int ret = 0;

    /* Missing parents first (e.g. $HOME/Mail/inbox/). */
    vstring_strcpy(path, dir);
    for (cp = vstring_str(path) + 1; (cp = strchr(cp, '/')) != 0; cp++) {
        *cp = 0;
        if (mkdir(vstring_str(path), 0700) < 0 && errno != EEXIST) {
            vstring_sprintf(err, "mkdir %s: %s", vstring_str(path), strerror(errno));
            ret = -1;
            break;
        }
        *cp = '/';
    }
    for (i = 0; ret == 0 && i < sizeof(subs) / sizeof(subs[0]); i++) {
        vstring_sprintf(path, "%s%s", dir, subs[i]);
        if (mkdir(vstring_str(path), 0700) < 0 && errno != EEXIST) {
            vstring_sprintf(err, "mkdir %s: %s", vstring_str(path), strerror(errno));
            ret = -1;
        }
    }
    vstring_free(path);
    return ret;
}

/* local_maildir - see above */

void local_maildir(LOCAL_STATE *state, const LOCAL_USER *user, const char *path)
{
    DELIVER_REQUEST *request = state->request;
    LOCAL_WHY *why = state->why;
    uid_t saved_uid;
    gid_t saved_gid;
    LOCAL_COPY_ATTR attr;
    VSTRING *dir = vstring_alloc(100);
    VSTRING *host = vstring_alloc(100);
    VSTRING *tmpfile = vstring_alloc(100);
    VSTRING *newfile = vstring_alloc(100);
    VSTRING *name = vstring_alloc(100);
    VSTRING *err = vstring_alloc(100);
    struct stat st;
    size_t len = strlen(path);
    int fd = -1;
    int dfd;
    int copy = LOCAL_COPY_WRITE;

    while (len > 1 && path[len - 1] == '/')
        len--;
    vstring_strncpy(dir, path, len);
    local_maildir_host(host, local_hostname);

    /*
     * local_service() runs each request as mail_owner with only its group;
     * set_eugid() back to that identity restores the same state as
     * set_eugid_leave() at 5 fewer system calls per delivery.
     */
    saved_uid = geteuid();
    saved_gid = getegid();
    set_eugid(user->uid, user->gid);

    vstring_sprintf(tmpfile, "%s/tmp/%lu.P%ld.%s", vstring_str(dir),
                    (unsigned long)state->start.tv_sec, (long)getpid(), vstring_str(host));
    fd = safe_open(vstring_str(tmpfile), O_WRONLY | O_CREAT | O_EXCL, 0600, &st, SAFE_OPEN_ANY_UID,
                   SAFE_OPEN_ANY_GID, err);
    if (fd < 0 && errno == ENOENT) {
        if (local_maildir_mkdirs(vstring_str(dir), err) < 0) {
            local_why_dsn(why, local_copy_dsn(errno, "5.2.0"), "create maildir file %s: %s",
                          vstring_str(tmpfile), vstring_str(err));
            goto done;
        }
        fd = safe_open(vstring_str(tmpfile), O_WRONLY | O_CREAT | O_EXCL, 0600, &st,
                       SAFE_OPEN_ANY_UID, SAFE_OPEN_ANY_GID, err);
    }
    if (fd < 0) {
        local_why_dsn(why, local_copy_dsn(errno, "5.2.0"), "create maildir file %s: %s",
                      vstring_str(tmpfile), vstring_str(err));
        goto done;
    }

    attr.sender = request->sender;
    attr.orig_rcpt = state->rcpt->orig_addr;
    attr.delivered = state->rcpt->address;
    attr.now = state->start.tv_sec;
    attr.flags = LOCAL_COPY_MAILDIR;
    /* enable_original_recipient = no: no X-Original-To, as Postfix. */
    if (!var_enable_original_recipient)
        attr.flags &= ~LOCAL_COPY_ORIG_RCPT;
    attr.limit = var_mailbox_size_limit;
    copy = local_copy(vstream_fileno(request->fp), request->data_offset, fd, &attr, why);
    if (close(fd) < 0 && copy == LOCAL_COPY_OK) {
        local_why_dsn(why, local_copy_dsn(errno, "4.3.0"), "error writing message: %s",
                      strerror(errno));
        copy = LOCAL_COPY_WRITE;
    }
    if (copy != LOCAL_COPY_OK) {
        (void)unlink(vstring_str(tmpfile));
        goto done;
    }

    local_maildir_name(name, &state->start, (unsigned long)st.st_dev, (unsigned long)st.st_ino,
                       vstring_str(host));
    vstring_sprintf(newfile, "%s/new/%s", vstring_str(dir), vstring_str(name));
    if (rename(vstring_str(tmpfile), vstring_str(newfile)) < 0) {
        local_why_dsn(why, local_copy_dsn(errno, "4.2.0"), "link to %s: %s", vstring_str(newfile),
                      strerror(errno));
        (void)unlink(vstring_str(tmpfile));
        goto done;
    }
    /* Make the new name durable before anyone hears "delivered". */
    vstring_sprintf(name, "%s/new", vstring_str(dir));
    if ((dfd = open(vstring_str(name), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) < 0) {
        local_why_dsn(why, "4.3.0", "cannot sync directory %s: %s", vstring_str(name),
                      strerror(errno));
        (void)unlink(vstring_str(newfile));
        if (dfd >= 0)
            (void)close(dfd);
        goto done;
    }
    (void)close(dfd);
    local_why_dsn(why, "2.0.0", "delivered to maildir");

done:
    if (why->kind != LOCAL_WHY_SENT && copy != LOCAL_COPY_CORRUPT)
        local_why_prepend(why, "maildir delivery failed: ");
    set_eugid(saved_uid, saved_gid);
    vstring_free(dir);
    vstring_free(host);
    vstring_free(tmpfile);
    vstring_free(newfile);
    vstring_free(name);
    vstring_free(err);
}
