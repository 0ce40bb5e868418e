/*
 * postsuper - queue maintenance for the administrator: delete, hold,
 * release, requeue and expire messages, repair the queue structure and
 * purge temporary files left by crashes.
 *
 * Usage: postsuper [-psSv] [-c config_dir] [-d queue_id] [-e queue_id]
 *                  [-f queue_id] [-h queue_id] [-H queue_id] [-r queue_id]
 *                  [directory...]
 *
 * A queue_id of "-" reads ids from standard input, one per line; "ALL" (in
 * capitals) means every message in the operation's queues.  The directory
 * arguments narrow every operation to those queues.  What Debian's Postfix
 * 3.7 does, observed with strace on a scratch queue, and done the same way
 * here:
 *
 *   -d  searches maildrop, incoming, active, deferred, hold (first match);
 *       removes the message's bounce, defer and trace logs, then the file:
 *       "ID: removed".  -d ALL empties those queues of every file, whatever
 *       its name (only complete queue files are counted), and, unless queues
 *       were named, the bounce, defer and trace logs too.
 *   -h  searches incoming, active, deferred; renames to hold/: "ID: placed
 *       on hold"
 *   -H  searches hold; renames to deferred/ (hashed), modification time
 *       unchanged: "ID: released from hold"
 *   -r  searches incoming, active, deferred, hold; renames to maildrop/,
 *       where pickup and cleanup make a new message of it (logs are left
 *       alone), and sets the modification time to now (not with -r ALL):
 *       "ID: requeued"
 *   -e  searches incoming, active, deferred, hold; sets the group execute
 *       bit on the file, which tells qmgr to return the message as expired
 *       (a file that has it already is not counted): "ID: expired"
 *   -f  -e, then a message found in hold/ is released as with -H
 *   -p  removes files that are incomplete (owner execute bit clear) and
 *       older than 7 days from the message queues
 *   -s  (with -p, the default when no operation is given) moves files that are
 *       in the wrong hash subdirectory, removes subdirectories deeper than
 *       the queue's hashing, and renames message files whose name does not
 *       end in their inode number (short ids, and long ids when
 *       enable_long_queue_ids = no), with their logs, through a NAME#FIX
 *       stage so that an interrupted run is completed by the next one
 *   -S  -s, and long ids must match the inode number too
 *
 * -p, -s and -S run first, then the per-message operations in command-line
 * order (with ALL, only the summary is shown, as in Postfix); at the end
 * one summary line per kind of operation requested, in
 * Postfix's order: "Requeued: N messages", "Deleted:", "Force-expired:",
 * "Placed on hold:", "Released from hold:" ("1 message" in the singular).
 * Everything goes to standard error and to the mail log.
 *
 * Postfix's postsuper takes no lock on queue files (a file qmgr is
 * delivering is renamed or removed under it; qmgr copes), and neither does
 * this one.  Unlike Postfix, after a requeue it pokes pickup and after a
 * release qmgr, so the mail moves at once instead of at the next periodic
 * scan; a service that is not running is not an error.
 *
 * Privileges: only root (or the mail_owner user) may run it; it changes
 * to queue_directory and drops to mail_owner before touching anything.
 *
 * Configuration parameters: config_directory (-c, MAIL_CONFIG),
 * queue_directory, mail_owner, hash_queue_depth, hash_queue_names,
 * enable_long_queue_ids, syslog_name, syslog_facility, maillog_file.
 *
 * When -s renamed files and per-message operations were also requested,
 * those are not done (the ids given may name other messages now): an
 * error and a fatal "CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND".  A
 * fatal error once work has begun adds "OPERATION INCOMPLETE -- RERUN
 * COMMAND TO FIX THE QUEUE FIRST".
 *
 * What can go wrong: an invalid id is a warning ("invalid mail queue id");
 * a file that vanished in the meantime is skipped silently; a rename or
 * unlink that fails otherwise is a warning and the file is not counted;
 * an unknown directory argument, a missing queue directory or a failed
 * directory removal during -s is fatal.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "postsuper_qid.h"
#include "queue_id.h"
#include "set_ugid.h"
#include "vstring.h"

#define PS_USAGE                                                                                   \
    "usage: %s [-c config_dir] [-d queue_id (delete)] [-e queue_id (expire)] [-f queue_id "       \
    "(expire and/or un-hold)] [-h queue_id (hold)] [-H queue_id (un-hold)] [-p (purge "            \
    "temporary files)] [-r queue_id (requeue)] [-s (structure fix)] [-S (redundant structure "    \
    "fix)][-v (verbose)] [queue...]"

/* Per-message operations, in the order of their summary lines. */
#define PS_OP_REQUEUE 0
#define PS_OP_DELETE  1
#define PS_OP_EXPIRE  2 /* -e */
#define PS_OP_HOLD    3
#define PS_OP_RELEASE 4 /* -H */
#define PS_OP_EXPREL  5 /* -f: expire, then release if held */
#define PS_OP_COUNT   6

/* Counters, one per summary line. */
#define PS_CNT_REQUEUED 0
#define PS_CNT_DELETED  1
#define PS_CNT_EXPIRED  2
#define PS_CNT_HELD     3
#define PS_CNT_RELEASED 4
#define PS_CNT_COUNT    5

static const char *const ps_cnt_label[PS_CNT_COUNT] = {
    "Requeued", "Deleted", "Force-expired", "Placed on hold", "Released from hold",
};

/* The queues each operation searches, in Postfix's order. */
static const char *const ps_q_delete[] = {MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING,
                                          MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
                                          0};
static const char *const ps_q_hold[] = {MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
                                        MAIL_QUEUE_DEFERRED, 0};
static const char *const ps_q_release[] = {MAIL_QUEUE_HOLD, 0};
static const char *const ps_q_other[] = {MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
                                         MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, 0};

/* What -s and -p scan (Postfix's order), and which of them hold messages. */
static const char *const ps_q_scan[] = {MAIL_QUEUE_DEFER,    MAIL_QUEUE_BOUNCE,
                                        MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING,
                                        MAIL_QUEUE_ACTIVE,   MAIL_QUEUE_DEFERRED,
                                        MAIL_QUEUE_HOLD,     MAIL_QUEUE_FLUSH,
                                        0};
static const char *const ps_q_logs[] = {MAIL_QUEUE_BOUNCE, MAIL_QUEUE_DEFER, MAIL_QUEUE_TRACE, 0};

#define PS_MAX_TEMP_AGE (7 * 24 * 3600) /* -p: Postfix's limit, observed */
#define PS_FIX_SUFFIX   "#FIX"
#define PS_STDIN_LIMIT  1024

static MAIL_QUEUE_CONF ps_conf;
static ARGV *ps_dirs;              /* directory arguments, or null */
static int ps_count[PS_CNT_COUNT]; /* per summary line */
static int ps_wanted[PS_CNT_COUNT];
static int ps_quiet;               /* ALL: summaries only, as Postfix */

#define PS_INFO(...)                                                                               \
    do {                                                                                           \
        if (!ps_quiet)                                                                             \
            msg_info(__VA_ARGS__);                                                                 \
    } while (0)

/* ps_in_list - is name in a null-terminated list? */

static int ps_in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* ps_queue_wanted - does the command line allow this queue? */

static int ps_queue_wanted(const char *queue)
{
    if (ps_dirs == 0)
        return 1;
    for (size_t i = 0; i < ps_dirs->argc; i++)
        if (strcmp(ps_dirs->argv[i], queue) == 0)
            return 1;
    return 0;
}

/* ps_op_queues - the queues an operation searches */

static const char *const *ps_op_queues(int op)
{
    switch (op) {
    case PS_OP_DELETE:
        return ps_q_delete;
    case PS_OP_HOLD:
        return ps_q_hold;
    case PS_OP_RELEASE:
        return ps_q_release;
    case PS_OP_REQUEUE:
    case PS_OP_EXPIRE:
    case PS_OP_EXPREL:
        return ps_q_other;
    default:
        msg_panic("ps_op_queues: unknown operation %d", op);
    }
}

/* ps_plural - "1 message", "2 messages" */

static const char *ps_plural(int n)
{
    return n == 1 ? "" : "s";
}

/* ps_remove_logs - remove a message's bounce, defer and trace logs */

static void ps_remove_logs(const char *id)
{
    for (const char *const *q = ps_q_logs; *q; q++)
        if (mail_queue_remove(&ps_conf, *q, id) < 0 && errno != ENOENT)
            msg_warn("remove file %s/%s: %m", *q, id);
}

/* ps_move - rename the file at path to queue/ID (hashed as needed), as
 * Postfix does, with rename(2); 0 or -1 with errno */

static int ps_move(const char *path, const char *queue, const char *id)
{
    VSTRING *to = mail_queue_path(vstring_alloc(100), &ps_conf, queue, id);
    int ret = rename(path, vstring_str(to));

    if (ret < 0 && errno == ENOENT && access(path, F_OK) == 0 &&
        mail_queue_mkdirs(&ps_conf, queue, id) == 0)
        ret = rename(path, vstring_str(to));
    if (ret < 0 && errno != ENOENT)
        msg_warn("rename file %s as %s: %m", path, vstring_str(to));
    vstring_free(to);
    return ret;
}

/* ps_release - hold/ID to deferred/ID; 1 when moved */

static int ps_release(const char *path, const char *id)
{
    if (ps_move(path, MAIL_QUEUE_DEFERRED, id) < 0)
        return 0;
    PS_INFO("%s: released from hold", id);
    ps_count[PS_CNT_RELEASED]++;
    return 1;
}

/* ps_expire - set the expire bit; 1 when newly expired */

static int ps_expire(const char *file, const char *id)
{
    VSTRING *path = vstring_strcpy(vstring_alloc(100), file);
    struct stat st;
    int fd;
    int ret = 0;

    if ((fd = open(vstring_str(path), O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_warn("open file %s: %m", vstring_str(path));
    } else if (fstat(fd, &st) < 0) {
        msg_warn("fstat file %s: %m", vstring_str(path));
    } else if (!S_ISREG(st.st_mode)) {
        msg_warn("%s: not a regular file", vstring_str(path));
    } else if ((st.st_mode & S_IXUSR) != 0 && (st.st_mode & S_IXGRP) == 0) {
        /* Only a complete file (owner execute bit) can be expired. */
        if (fchmod(fd, (st.st_mode & 07777) | S_IXGRP) < 0) {
            msg_warn("change mode of file %s: %m", vstring_str(path));
        } else {
            PS_INFO("%s: expired", id);
            ps_count[PS_CNT_EXPIRED]++;
            ret = 1;
        }
    }
    if (fd >= 0)
        (void)close(fd);
    vstring_free(path);
    return ret;
}

/* ps_apply - one operation on message id, found at path in queue */

static void ps_apply(int op, const char *queue, const char *id, const char *path)
{
    struct timeval now[2];
    VSTRING *to;

    switch (op) {
    case PS_OP_DELETE:
        ps_remove_logs(id);
        if (unlink(path) == 0) {
            PS_INFO("%s: removed", id);
            ps_count[PS_CNT_DELETED]++;
        } else if (errno != ENOENT) {
            msg_warn("remove file %s: %m", path);
        }
        break;
    case PS_OP_HOLD:
        if (ps_move(path, MAIL_QUEUE_HOLD, id) == 0) {
            PS_INFO("%s: placed on hold", id);
            ps_count[PS_CNT_HELD]++;
        }
        break;
    case PS_OP_RELEASE:
        (void)ps_release(path, id);
        break;
    case PS_OP_REQUEUE:
        if (ps_move(path, MAIL_QUEUE_MAILDROP, id) < 0)
            break;
        /* A named message gets a fresh time (-r ALL leaves them, as Postfix). */
        if (ps_quiet)
            goto requeued;
        to = mail_queue_path(vstring_alloc(100), &ps_conf, MAIL_QUEUE_MAILDROP, id);
        gettimeofday(now, 0);
        now[0].tv_usec = 0;
        now[1] = now[0];
        if (utimes(vstring_str(to), now) < 0)
            msg_warn("set time of file %s: %m", vstring_str(to));
        vstring_free(to);
    requeued:
        PS_INFO("%s: requeued", id);
        ps_count[PS_CNT_REQUEUED]++;
        break;
    case PS_OP_EXPIRE:
        (void)ps_expire(path, id);
        break;
    case PS_OP_EXPREL:
        (void)ps_expire(path, id);
        if (strcmp(queue, MAIL_QUEUE_HOLD) == 0)
            (void)ps_release(path, id);
        break;
    default:
        msg_panic("ps_apply: unknown operation %d", op);
    }
}

/* ps_one - an operation on the message with this id, wherever it is */

static void ps_one(int op, const char *id)
{
    VSTRING *path;
    struct stat st;

    if (!queue_id_ok(id)) {
        msg_warn("invalid mail queue id: %s", id);
        return;
    }
    path = vstring_alloc(100);
    for (const char *const *q = ps_op_queues(op); *q; q++) {
        if (!ps_queue_wanted(*q))
            continue;
        mail_queue_path(path, &ps_conf, *q, id);
        if (lstat(vstring_str(path), &st) == 0 && S_ISREG(st.st_mode)) {
            ps_apply(op, *q, id, vstring_str(path));
            break;
        }
    }
    vstring_free(path);
}

/* ps_list_dir - the names in dir (files and subdirectories), sorted */

static ARGV *ps_list_dir(const char *dir)
{
    ARGV *names = argv_alloc(10);
    DIR *dp;
    struct dirent *de;

    if ((dp = opendir(dir)) == 0) {
        if (errno == ENOENT)
            return names;
        msg_fatal("open directory %s: %m", dir);
    }
    while ((de = readdir(dp)) != 0)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            argv_add(names, de->d_name);
    (void)closedir(dp);
    return names;
}

/* ps_wipe - -d ALL: every file under dir goes, queue id or not; real
 * messages are counted (Postfix's behaviour, observed) */

static void ps_wipe(const char *dir, int count)
{
    ARGV *names = ps_list_dir(dir);
    VSTRING *path = vstring_alloc(100);
    struct stat st;

    for (size_t i = 0; i < names->argc; i++) {
        vstring_sprintf(path, "%s/%s", dir, names->argv[i]);
        if (lstat(vstring_str(path), &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            ps_wipe(vstring_str(path), count);
        } else if (unlink(vstring_str(path)) < 0) {
            if (errno != ENOENT)
                msg_warn("remove file %s: %m", vstring_str(path));
        } else if (count && queue_id_kind(names->argv[i]) != 0 && (st.st_mode & S_IXUSR)) {
            if (ps_dirs)
                ps_remove_logs(names->argv[i]);
            ps_count[PS_CNT_DELETED]++;
        }
    }
    vstring_free(path);
    argv_free(names);
}

/* ps_collect - the paths of every message file under dir (recursively) */

static void ps_collect(const char *dir, ARGV *ids)
{
    ARGV *names = ps_list_dir(dir);
    VSTRING *path = vstring_alloc(100);
    struct stat st;

    for (size_t i = 0; i < names->argc; i++) {
        vstring_sprintf(path, "%s/%s", dir, names->argv[i]);
        if (lstat(vstring_str(path), &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            ps_collect(vstring_str(path), ids);
        else if (S_ISREG(st.st_mode) && queue_id_ok(names->argv[i]))
            argv_add(ids, vstring_str(path));
    }
    vstring_free(path);
    argv_free(names);
}

 /*
  * Structure check and repair (-s, -S) and purge (-p).
  */
typedef struct PS_FIX {
    int structure;  /* -s or -S */
    int strict;     /* -S */
    int purge;      /* -p */
    int renamed;    /* files renamed to match their inode */
    time_t now;
} PS_FIX;

static void ps_fix(PS_FIX *, int);

/* ps_all - an operation on every message in its queues */

static void ps_all(int op)
{
    if (op == PS_OP_DELETE) {
        for (const char *const *q = ps_q_delete; *q; q++)
            if (ps_queue_wanted(*q))
                ps_wipe(*q, 1);
        /* No messages left, so no logs either. */
        if (ps_dirs == 0)
            for (const char *const *q = ps_q_logs; *q; q++)
                ps_wipe(*q, 0);
        return;
    }
    /* Postfix looks over every queue first, naming files it cannot use. */
    {
        PS_FIX look = {0};

        ps_fix(&look, 0);
    }
    for (const char *const *q = ps_op_queues(op); *q; q++) {
        ARGV *ids;

        if (!ps_queue_wanted(*q))
            continue;
        /* List first: the operation may move files into other queues. */
        ids = argv_alloc(100);
        ps_collect(*q, ids);
        ps_quiet = 1;
        for (size_t i = 0; i < ids->argc; i++) {
            const char *slash = strrchr(ids->argv[i], '/');

            ps_apply(op, *q, slash ? slash + 1 : ids->argv[i], ids->argv[i]);
        }
        ps_quiet = 0;
        argv_free(ids);
    }
}

/* ps_stdin - an operation on each id read from standard input */

static void ps_stdin(int op)
{
    VSTRING *line = vstring_alloc(100);
    int ch;

    for (;;) {
        vstring_reset(line);
        while ((ch = getchar()) != EOF && ch != '\n')
            if (VSTRING_LEN(line) < PS_STDIN_LIMIT)
                vstring_addch(line, ch);
        if (ch == EOF && VSTRING_LEN(line) == 0)
            break;
        ps_one(op, vstring_str(line));
        if (ch == EOF)
            break;
    }
    vstring_free(line);
}


/* ps_move_noreplace - rename without replacing, making hash directories
 * for id in queue (queue null: none) */

static int ps_move_noreplace(const char *from, const char *to, const char *queue, const char *id)
{
    for (int tries = 0; tries < 2; tries++) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
            return 0;
        if ((errno == EINVAL || errno == ENOSYS) && link(from, to) == 0) {
            (void)unlink(from);
            return 0;
        }
        if (errno != ENOENT || tries > 0 || queue == 0 || access(from, F_OK) < 0 ||
            mail_queue_mkdirs(&ps_conf, queue, id) < 0)
            return -1;
    }
    return -1;
}

/* ps_fix_logs - give the logs of message old_id the name new_name */

static void ps_fix_logs(const char *old_id, const char *new_id, const char *new_name)
{
    VSTRING *from = vstring_alloc(100);
    VSTRING *to = vstring_alloc(100);

    for (const char *const *q = ps_q_logs; *q; q++) {
        mail_queue_path(from, &ps_conf, *q, old_id);
        mail_queue_dir(to, &ps_conf, *q, new_id);
        vstring_sprintf_append(to, "/%s", new_name);
        if (ps_move_noreplace(vstring_str(from), vstring_str(to), *q, new_id) < 0 &&
            errno != ENOENT)
            msg_warn("rename file %s as %s: %m", vstring_str(from), vstring_str(to));
    }
    vstring_free(from);
    vstring_free(to);
}

/* ps_name_bogus - a name that has no place in this queue */

static int ps_name_bogus(const char *queue, const char *name, int structure)
{
    int is_msg = !ps_in_list(ps_q_logs, queue) && strcmp(queue, MAIL_QUEUE_FLUSH) != 0;

    /* Any name must be safe; with -s, message files must be queue ids. */
    return (structure && is_msg) ? postsuper_qid_kind(name) == 0 : !queue_id_ok(name);
}

/* ps_fix_file - check one file found at path in queue */

static void ps_fix_file(PS_FIX *fix, const char *queue, const char *path, const char *name,
                        const struct stat *st)
{
    int is_msg = !ps_in_list(ps_q_logs, queue) && strcmp(queue, MAIL_QUEUE_FLUSH) != 0;
    char new_id[QUEUE_ID_BUFSIZE];
    VSTRING *want = vstring_alloc(100);
    size_t len = strlen(name);
    int ret;

    /* -p: an incomplete message file that nobody finished in a week. */
    if (fix->purge && is_msg && (st->st_mode & S_IXUSR) == 0 &&
        st->st_mtime < fix->now - PS_MAX_TEMP_AGE) {
        if (unlink(path) < 0 && errno != ENOENT)
            msg_warn("remove file %s: %m", path);
        goto done;
    }
    /* A NAME#FIX left by the first stage: the second stage finishes it. */
    if (len > strlen(PS_FIX_SUFFIX) &&
        strcmp(name + len - strlen(PS_FIX_SUFFIX), PS_FIX_SUFFIX) == 0)
        goto done;
    if (ps_name_bogus(queue, name, fix->structure)) {
        msg_warn("bogus file name: %s", path);
        goto done;
    }
    if (!fix->structure)
        goto done;
    ret = is_msg ? postsuper_qid_fixed(name, (unsigned long)st->st_ino,
                                       var_enable_long_queue_ids, fix->strict, new_id)
                 : 0;
    if (ret > 0) {
        /* Messages and their logs move to NEW#FIX first; see ps_fix_stage2. */
        mail_queue_dir(want, &ps_conf, queue, new_id);
        vstring_sprintf_append(want, "/%s%s", new_id, PS_FIX_SUFFIX);
        {
            char fixname[QUEUE_ID_BUFSIZE + sizeof(PS_FIX_SUFFIX)];

            snprintf(fixname, sizeof(fixname), "%s%s", new_id, PS_FIX_SUFFIX);
            ps_fix_logs(name, new_id, fixname);
        }
        if (ps_move_noreplace(path, vstring_str(want), queue, new_id) < 0)
            msg_warn("rename file %s as %s: %m", path, vstring_str(want));
        else
            fix->renamed++;
        goto done;
    }
    /* Right name, maybe the wrong hash subdirectory. */
    mail_queue_path(want, &ps_conf, queue, name);
    if (strcmp(vstring_str(want), path) != 0 &&
        ps_move_noreplace(path, vstring_str(want), queue, name) < 0)
        msg_warn("rename file %s as %s: %m", path, vstring_str(want));
done:
    vstring_free(want);
}

/* ps_fix_dir - scan dir, depth levels below the queue directory */

static void ps_fix_dir(PS_FIX *fix, const char *queue, const char *dir, int depth)
{
    ARGV *names = ps_list_dir(dir);
    VSTRING *path = vstring_alloc(100);
    int max_depth = mail_queue_hashed(&ps_conf, queue) ? ps_conf.hash_depth : 0;
    struct stat st;

    for (size_t i = 0; i < names->argc; i++) {
        vstring_sprintf(path, "%s/%s", dir, names->argv[i]);
        if (lstat(vstring_str(path), &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            ps_fix_dir(fix, queue, vstring_str(path), depth + 1);
            /* A subdirectory the hashing no longer uses goes away. */
            if (fix->structure && depth + 1 > max_depth && rmdir(vstring_str(path)) < 0)
                msg_fatal("remove directory %s: %m", vstring_str(path));
        } else if (S_ISREG(st.st_mode)) {
            ps_fix_file(fix, queue, vstring_str(path), names->argv[i], &st);
        }
    }
    vstring_free(path);
    argv_free(names);
}

/* ps_fix_stage2 - NAME#FIX becomes NAME, in every scanned directory; like
 * Postfix's second pass, it names bogus files again */

static void ps_fix_stage2(const char *queue, const char *dir)
{
    ARGV *names = ps_list_dir(dir);
    VSTRING *path = vstring_alloc(100);
    VSTRING *to = vstring_alloc(100);
    size_t slen = strlen(PS_FIX_SUFFIX);
    struct stat st;

    for (size_t i = 0; i < names->argc; i++) {
        const char *name = names->argv[i];
        size_t len = strlen(name);

        vstring_sprintf(path, "%s/%s", dir, name);
        if (lstat(vstring_str(path), &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            ps_fix_stage2(queue, vstring_str(path));
        } else if (!S_ISREG(st.st_mode)) {
            continue;
        } else if (len <= slen || strcmp(name + len - slen, PS_FIX_SUFFIX) != 0) {
            if (queue && ps_name_bogus(queue, name, 1))
                msg_warn("bogus file name: %s", vstring_str(path));
        } else {
            vstring_sprintf(to, "%s/%.*s", dir, (int)(len - slen), name);
            if (ps_move_noreplace(vstring_str(path), vstring_str(to), 0, 0) < 0)
                msg_warn("rename file %s as %s: %m", vstring_str(path), vstring_str(to));
        }
    }
    vstring_free(path);
    vstring_free(to);
    argv_free(names);
}

/* ps_fix - -s, -S and -p over every queue the command line allows;
 * more_ops: per-message operations follow, which must not run on ids the
 * administrator took from a listing made before the names changed */

static void ps_fix(PS_FIX *fix, int more_ops)
{
    struct stat st;

    fix->now = time(0);
    for (const char *const *q = ps_q_scan; *q; q++) {
        if (!ps_queue_wanted(*q))
            continue;
        if (stat(*q, &st) < 0)
            msg_fatal("scan_dir_push: open directory %s: %m", *q);
        ps_fix_dir(fix, *q, *q, 0);
    }
    if (fix->structure) {
        for (const char *const *q = ps_q_scan; *q; q++)
            if (ps_queue_wanted(*q))
                ps_fix_stage2(*q, *q);
        /* Postfix forgets trace/, leaving NAME#FIX there; finish it too. */
        for (const char *const *q = ps_q_logs; *q; q++)
            if (!ps_in_list(ps_q_scan, *q))
                ps_fix_stage2(0, *q);
    }
    if (fix->renamed > 0 && more_ops) {
        msg_error("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
        msg_fatal("CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND");
    }
    if (fix->renamed > 0) {
        msg_info("Renamed to match inode number: %d message%s", fix->renamed,
                 ps_plural(fix->renamed));
        msg_warn("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
    }
}

/* ps_check_dir_arg - a directory argument must name a queue */

static void ps_check_dir_arg(const char *name)
{
    static const char *const known[] = {
        MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED,
        MAIL_QUEUE_HOLD,     MAIL_QUEUE_BOUNCE,   MAIL_QUEUE_DEFER,  MAIL_QUEUE_TRACE,
        MAIL_QUEUE_FLUSH,    0};

    if (!ps_in_list(known, name))
        msg_fatal("invalid directory name: %s", name);
}

/* ps_privileges - root or mail_owner only; then become mail_owner */

static void ps_privileges(void)
{
    struct passwd *pw;

    if ((pw = getpwnam(var_mail_owner)) == 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    if (getuid() != 0 && getuid() != pw->pw_uid)
        msg_fatal("use of this command is reserved for the superuser");
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    if (geteuid() == 0)
        set_ugid(pw->pw_uid, pw->pw_gid);
}

/* ps_incomplete - said after a fatal error once work has started */

static void ps_incomplete(void)
{
    msg_warn("OPERATION INCOMPLETE -- RERUN COMMAND TO FIX THE QUEUE FIRST");
}

typedef struct PS_REQ {
    int op;
    const char *arg;
} PS_REQ;

int main(int argc, char **argv)
{
    static const char *const params[] = {"queue_directory", "mail_owner", "hash_queue_depth",
                                         "hash_queue_names", "enable_long_queue_ids",
                                         "trigger_timeout", "ipc_timeout", 0};
    PS_REQ *reqs = mymalloc(sizeof(*reqs) * (size_t)(argc + 1));
    int nreq = 0;
    PS_FIX fix = {0};
    int ch;
    int op;

    msg_init(argv[0]);
    msg_stderr_init();
    umask(077);
    if (getenv("MAIL_VERBOSE"))
        msg_verbose = 1;
    opterr = 0; /* our own message: the program name without its path */
    while ((ch = getopt(argc, argv, "c:d:e:f:h:H:pr:sSv")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            continue;
        case 'p':
            fix.purge = 1;
            continue;
        case 's':
            fix.structure = 1;
            continue;
        case 'S':
            fix.structure = fix.strict = 1;
            continue;
        case 'v':
            msg_verbose++;
            continue;
        case 'd':
            op = PS_OP_DELETE;
            ps_wanted[PS_CNT_DELETED] = 1;
            break;
        case 'e':
            op = PS_OP_EXPIRE;
            ps_wanted[PS_CNT_EXPIRED] = 1;
            break;
        case 'f':
            op = PS_OP_EXPREL;
            ps_wanted[PS_CNT_EXPIRED] = ps_wanted[PS_CNT_RELEASED] = 1;
            break;
        case 'h':
            op = PS_OP_HOLD;
            ps_wanted[PS_CNT_HELD] = 1;
            break;
        case 'H':
            op = PS_OP_RELEASE;
            ps_wanted[PS_CNT_RELEASED] = 1;
            break;
        case 'r':
            op = PS_OP_REQUEUE;
            ps_wanted[PS_CNT_REQUEUED] = 1;
            break;
        default:
            if (optopt && strchr("cdefhHr", optopt))
                fprintf(stderr, "%s: option requires an argument -- '%c'\n", msg_program, optopt);
            else
                fprintf(stderr, "%s: invalid option -- '%c'\n", msg_program, optopt);
            msg_fatal(PS_USAGE, msg_program);
        }
        reqs[nreq].op = op;
        reqs[nreq].arg = optarg;
        nreq++;
    }
    /* Nothing asked for: structure check and purge, as in Postfix. */
    if (nreq == 0 && !fix.purge && !fix.structure)
        fix.structure = fix.purge = 1;
    mail_conf_read();
    mail_params_init_list(params);
    maillog_client_init(msg_program, MAILLOG_CLIENT_FLAG_STDERR);
    if (optind < argc) {
        ps_dirs = argv_alloc(4);
        for (int i = optind; i < argc; i++) {
            ps_check_dir_arg(argv[i]);
            argv_add(ps_dirs, argv[i]);
        }
    }
    ps_privileges();
    mail_queue_conf_params(&ps_conf);
    ps_conf.queue_dir = 0; /* we are in it */

    msg_cleanup(ps_incomplete);
    if (fix.structure || fix.purge)
        ps_fix(&fix, nreq > 0);
    for (int i = 0; i < nreq; i++) {
        if (strcmp(reqs[i].arg, "ALL") == 0)
            ps_all(reqs[i].op);
        else if (strcmp(reqs[i].arg, "-") == 0)
            ps_stdin(reqs[i].op);
        else
            ps_one(reqs[i].op, reqs[i].arg);
    }
    for (int i = 0; i < PS_CNT_COUNT; i++)
        if (ps_wanted[i])
            msg_info("%s: %d message%s", ps_cnt_label[i], ps_count[i], ps_plural(ps_count[i]));

    /* Hints only: a service that does not run is no error. */
    if (ps_count[PS_CNT_REQUEUED] > 0 &&
        mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_PICKUP, "W", 1) < 0 && msg_verbose)
        msg_info("cannot wake up %s/%s: %m", MAIL_CLASS_PUBLIC, MAIL_SERVICE_PICKUP);
    if (ps_count[PS_CNT_RELEASED] > 0) {
        char req = QMGR_REQ_SCAN_DEFERRED;

        if (mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_QUEUE, &req, 1) < 0 && msg_verbose)
            msg_info("cannot wake up %s/%s: %m", MAIL_CLASS_PUBLIC, MAIL_SERVICE_QUEUE);
    }
    myfree(reqs);
    exit(0);
}
