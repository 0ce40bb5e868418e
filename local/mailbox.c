/*
 * mailbox - deliver to a user's mailbox: mbox or Maildir, in the mail
 * spool or under the user's home directory.
 *
 *   local_mailbox(state)
 *       Looks up state->addr.user in the passwd database (unknown ->
 *       why LOCAL_WHY_UNKNOWN, a lookup failure -> 4.3.0 defer), through
 *       dict_unix_getpwnam()'s cache (dict_unix.c), then:
 *         home_mailbox set:      $HOME/home_mailbox, a Maildir when the
 *                                value ends in "/", else an mbox file
 *         home_mailbox empty:    mail_spool_directory/user, a Maildir when
 *                                mail_spool_directory ends in "/"
 *       Address verification requests (DEL_REQ_FLAG_MTA_VRFY/USR_VRFY)
 *       deliver nothing: "delivers to mailbox" / "delivers to maildir".
 *   local_mbox(state, user, path, spool)
 *       Append to the mbox file path (see below).
 *
 * mbox delivery, step by step:
 *   1. with the IDs that may create files there: root in the spool (whose
 *      directory, root:mail 2775 on Debian, users cannot write), the user
 *      for a file under $HOME;
 *   2. "dotlock" in mailbox_delivery_lock: create path.lock (a lock held
 *      by someone else for deliver_lock_attempts tries -> 4.2.0 defer; any
 *      other error, e.g. no write permission in the directory, is logged
 *      and delivery goes on with the kernel locks alone, as Dovecot and
 *      mutt honour those too);
 *   3. open the file without following a symbolic link, refusing hard
 *      links and non-regular files (safe_open); a missing mailbox is
 *      created mode 0600 and, in the spool, given to the user;
 *   4. take the "fcntl" and/or "flock" locks, non-blocking, retried
 *      deliver_lock_attempts times deliver_lock_delay apart (then 4.2.0
 *      defer "unable to lock for exclusive access");
 *   5. check again that the name still is the file that is locked, and
 *      (strict_mailbox_ownership) that the user owns it;
 *   6. append as the user: From line, Return-Path, X-Original-To,
 *      Delivered-To, the message with "From " lines quoted, a blank line
 *      (local_copy: size limit mailbox_size_limit, fsync, truncation back
 *      to the old size on any failure);
 *   7. unlock, remove the dot lock.
 * Errors say "cannot update mailbox PATH for user NAME. ..." like
 * Postfix; the status follows the error (local_copy_dsn).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict_unix.h"
#include "dot_lockfile.h"
#include "local.h"
#include "local_copy.h"
#include "mail_params.h"
#include "msg.h"
#include "myflock.h"
#include "mymalloc.h"
#include "safe_open.h"
#include "sane_time.h"
#include "set_ugid.h"

#define TRACE_ONLY(flags) ((flags) & (DEL_REQ_FLAG_MTA_VRFY | DEL_REQ_FLAG_USR_VRFY))

/*
 * local_user_lookup - passwd entry; 1 found, 0 unknown, -1 lookup error.
 * Through dict_unix's per-process cache: a user added to or removed from
 * /etc/passwd is seen within a second, one from another NSS source within
 * DICT_UNIX_CACHE_TTL seconds (see dict_unix.c).
 */
static int local_user_lookup(const char *name, LOCAL_USER *user, int *err)
{
    const struct passwd *pw;
    int ret = dict_unix_getpwnam(name, &pw, err);

    if (ret > 0) {
        user->name = mystrdup(pw->pw_name);
        user->uid = pw->pw_uid;
        user->gid = pw->pw_gid;
        user->home = mystrdup(pw->pw_dir);
    }
    return ret;
}

static void local_user_free(LOCAL_USER *user)
{
    myfree(user->name);
    myfree(user->home);
}

/* local_mailbox - see above */

void local_mailbox(LOCAL_STATE *state)
{
    LOCAL_USER user;
    VSTRING *path;
    size_t len;
    int maildir;
    int err = 0;

    switch (local_user_lookup(state->addr.user, &user, &err)) {
    case 1:
        break;
    case 0:
        local_why_set(state->why, LOCAL_WHY_UNKNOWN, "5.1.1", "unknown user: \"%s\"",
                      state->addr.user);
        return;
    default:
        local_why_dsn(state->why, "4.3.0", "user lookup error for \"%s\": %s", state->addr.user,
                      strerror(err));
        return;
    }

    path = vstring_alloc(100);
    if (*var_home_mailbox) {
        vstring_sprintf(path, "%s/%s", user.home, var_home_mailbox);
        maildir = var_home_mailbox[strlen(var_home_mailbox) - 1] == '/';
    } else {
        len = strlen(var_mail_spool_directory);
        maildir = len > 0 && var_mail_spool_directory[len - 1] == '/';
        while (len > 1 && var_mail_spool_directory[len - 1] == '/')
            len--;
        vstring_strncpy(path, var_mail_spool_directory, len);
        vstring_sprintf_append(path, "/%s", user.name);
    }

    if (TRACE_ONLY(state->request->flags))
        local_why_dsn(state->why, "2.0.0", maildir ? "delivers to maildir" : "delivers to mailbox");
    else if (maildir)
        local_maildir(state, &user, vstring_str(path));
    else
        local_mbox(state, &user, vstring_str(path), *var_home_mailbox == 0);
    vstring_free(path);
    local_user_free(&user);
}

/* local_mbox_open - open or create the mbox file, never through a link */

static int local_mbox_open(const char *path, const LOCAL_USER *user, int spool, struct stat *st,
                           VSTRING *why)
{
    int fd;
    int tries;

    for (tries = 0; tries < 5; tries++) {
        fd = safe_open(path, O_WRONLY | O_APPEND, 0, st, SAFE_OPEN_ANY_UID, SAFE_OPEN_ANY_GID, why);
        if (fd >= 0 || errno != ENOENT)
            return fd;
        fd = safe_open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0600, st,
                       spool ? user->uid : SAFE_OPEN_ANY_UID, spool ? user->gid : SAFE_OPEN_ANY_GID,
                       why);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* local_mbox_lock - kernel locks, retried like Postfix's deliver_flock */

static int local_mbox_lock(int fd)
{
    static const int styles[] = {MYFLOCK_STYLE_FCNTL, MYFLOCK_STYLE_FLOCK};
    size_t i;
    int attempt;

    for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
        if ((local_lock_mask & styles[i]) == 0)
            continue;
        for (attempt = 1;; attempt++) {
            if (myflock(fd, styles[i], MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT) == 0)
                break;
            if (errno != EAGAIN || attempt >= var_deliver_lock_attempts)
                return -1;
            sleep_ms(var_deliver_lock_delay * 1000);
        }
    }
    return 0;
}

/* local_mbox - see above */

void local_mbox(LOCAL_STATE *state, const LOCAL_USER *user, const char *path, int spool)
{
    DELIVER_REQUEST *request = state->request;
    LOCAL_WHY *why = state->why;
    SET_EUGID_SAVED saved;
    DOT_LOCK_OPTS opts;
    LOCAL_COPY_ATTR attr;
    VSTRING *err = vstring_alloc(100);
    uid_t open_uid = spool ? 0 : user->uid;
    gid_t open_gid = spool ? 0 : user->gid;
    struct stat st;
    int dotlocked = 0;
    int fd = -1;
    int copy = LOCAL_COPY_WRITE;

    set_eugid_enter(&saved, open_uid, open_gid);

    /* 2. The dot lock, which works before the file exists. */
    if (local_lock_mask & MYFLOCK_STYLE_DOTLOCK) {
        opts.attempts = var_deliver_lock_attempts > 0 ? var_deliver_lock_attempts : 1;
        opts.delay_ms = var_deliver_lock_delay * 1000;
        opts.stale_seconds = var_stale_lock_time;
        if (dot_lockfile(path, &opts, err) == 0) {
            dotlocked = 1;
        } else if (errno == EEXIST) {
            /* Postfix's wording: "...lock: File exists". */
            local_why_dsn(why, "4.2.0", "unable to create lock file %s.lock: %s", path,
                          strerror(EEXIST));
            goto done;
        } else {
            msg_warn("%s: cannot create lock file %s.lock: %s; using kernel locks only",
                     request->queue_id, path, vstring_str(err));
        }
    }

    /* 3. Open. */
    if ((fd = local_mbox_open(path, user, spool, &st, err)) < 0) {
        local_why_dsn(why, local_copy_dsn(errno, "5.2.0"), "cannot open file: %s",
                      vstring_str(err));
        goto done;
    }

    /* 4. Kernel locks. */
    if (local_mbox_lock(fd) < 0) {
        local_why_dsn(why, local_copy_dsn(errno, "4.2.0"),
                      "unable to lock for exclusive access: %s", strerror(errno));
        goto done;
    }

    /* 5. Still the same file?  Owned by the recipient? */
    if (safe_open_verify(fd, path, &st, SAFE_OPEN_ANY_UID, SAFE_OPEN_ANY_GID, err) < 0) {
        local_why_dsn(why, "4.2.0", "cannot open file: %s", vstring_str(err));
        goto done;
    }
    if (var_strict_mailbox_ownership && st.st_uid != user->uid) {
        msg_warn("specify \"strict_mailbox_ownership = no\" to ignore mailbox ownership mismatch");
        local_why_dsn(why, "4.2.0", "destination %s is not owned by recipient", path);
        goto done;
    }

    /* 6. Append as the recipient. */
    if (open_uid != user->uid || open_gid != user->gid)
        set_eugid(user->uid, user->gid);
    attr.sender = request->sender;
    attr.orig_rcpt = state->rcpt->orig_addr;
    attr.delivered = state->rcpt->address;
    attr.now = sane_time();
    attr.flags = LOCAL_COPY_MBOX;
    /* enable_original_recipient = no: no X-Original-To, as Postfix. */
    if (!var_enable_original_recipient)
        attr.flags &= ~LOCAL_COPY_ORIG_RCPT;
    attr.limit = var_mailbox_size_limit;
    copy = local_copy(vstream_fileno(request->fp), request->data_offset, fd, &attr, why);
    if (copy == LOCAL_COPY_OK)
        local_why_dsn(why, "2.0.0", "delivered to mailbox");
    if (open_uid != user->uid || open_gid != user->gid)
        set_eugid(open_uid, open_gid);

done:
    /* A damaged queue file is not the mailbox's fault: no mailbox prefix. */
    if (why->kind != LOCAL_WHY_SENT && copy != LOCAL_COPY_CORRUPT)
        local_why_prepend(why, "cannot update mailbox %s for user %s. ", path, user->name);
    /* 7. Closing the descriptor drops the kernel locks. */
    if (fd >= 0 && close(fd) < 0)
        msg_warn("%s: close mailbox %s: %m", request->queue_id, path);
    if (dotlocked)
        dot_unlockfile(path);
    set_eugid_leave(&saved);
    vstring_free(err);
}
