/*
 * qmgr_active - moving queue files into and out of active/.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_active_recover()
 *       At start-up, files left in active/ by a queue manager that died
 *       go back to incoming/ (mtime = now), as Postfix does: they are read
 *       again from scratch, and recipients an agent had marked done are
 *       skipped, so nothing is lost and nothing is delivered twice.
 *   qmgr_active_feed(queue_name, path, id)
 *       Take one file found by a scan: skip it if it is not complete
 *       (owner execute bit not set yet), if it is a deferred file whose
 *       retry time (mtime) has not come (unless the scan had
 *       QMGR_SCAN_ALL), or if a message with that id is already active.
 *       Otherwise rename it into active/, remove a stale defer log (the
 *       reasons of the previous attempt), read it, log
 *         ID: from=<sender>, size=N, nrcpt=N (queue active)
 *       and queue its delivery requests.  Returns 1 when a message was
 *       activated, 0 when the file was skipped.
 *   qmgr_active_done(message)
 *       Every request of the message's recipient batch is finished.  Read
 *       the next batch if there is one.  Then: a bounce log is turned
 *       into a non-delivery notice (bounce_flush); if some recipient is
 *       left (qmgr or an agent deferred it, or a defer log exists):
 *       past maximal_queue_lifetime (bounce_queue_lifetime for the null
 *       sender), or force-expired by postsuper -e/-f (the group execute
 *       bit on the file), every deferred recipient is returned (defer_flush, log
 *       "ID: from=<s>, status=expired, returned to sender") and the file
 *       removed; otherwise a due delay warning is sent (defer_warn, W
 *       record cleared) and the file goes to deferred/ with mtime = now +
 *       backoff.  With nothing left, a trace log is reported (trace_flush)
 *       and the file removed ("ID: removed").  A notification the bounce
 *       daemon cannot take keeps the message queued (minimal backoff).
 *   qmgr_active_corrupt(id, why)
 *       active/ID is unreadable: log why and move it to corrupt/.
 *
 * What can go wrong: failing to move or remove a queue file is fatal (the
 * queue is in an unknown state; master restarts qmgr, which recovers
 * active/); everything else is logged and retried later.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "bounce.h"
#include "events.h"
#include "htable.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "queue_id.h"

MAIL_QUEUE_CONF qmgr_queue_conf;

#define STR vstring_str

static int qmgr_active_log_exists(const char *queue, const char *id)
{
    VSTRING *path = mail_queue_path(vstring_alloc(100), &qmgr_queue_conf, queue, id);
    int ret = access(STR(path), F_OK) == 0;

    vstring_free(path);
    return ret;
}

void qmgr_active_recover(void)
{
    QMGR_SCAN *scan = qmgr_scan_create(MAIL_QUEUE_ACTIVE);
    VSTRING *path = vstring_alloc(100);
    VSTRING *dest = vstring_alloc(100);
    const char *id;
    int flags;
    int count = 0;

    qmgr_scan_request(scan, QMGR_SCAN_START);
    while ((id = qmgr_scan_next(scan, path, &flags)) != 0) {
        mail_queue_path(dest, &qmgr_queue_conf, MAIL_QUEUE_INCOMING, id);
        if (rename(STR(path), STR(dest)) < 0) {
            if (errno != ENOENT)
                msg_fatal("move %s to %s: %m", STR(path), STR(dest));
            continue;
        }
        (void)utimes(STR(dest), 0);
        count++;
    }
    if (count > 0)
        msg_info("moved %d file%s from active to incoming", count, count == 1 ? "" : "s");
    vstring_free(path);
    vstring_free(dest);
}

void qmgr_active_corrupt(const char *queue_id, const char *why)
{
    msg_warn("%s: %s", queue_id, why);
    msg_warn("saving corrupt file \"%s\" from queue \"%s\" to queue \"%s\"", queue_id,
             MAIL_QUEUE_ACTIVE, MAIL_QUEUE_CORRUPT);
    if (mail_queue_rename(&qmgr_queue_conf, queue_id, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_CORRUPT) < 0 &&
        errno != ENOENT)
        msg_fatal("%s: save corrupt file queue %s: %m", queue_id, MAIL_QUEUE_ACTIVE);
}

int qmgr_active_feed(const char *queue_name, const char *path, const char *queue_id, int flags)
{
    VSTRING *active = vstring_alloc(100);
    VSTRING *why = vstring_alloc(100);
    struct stat st;
    QMGR_MESSAGE *m;
    int status;
    int ret = 0;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        goto out;
    if ((st.st_mode & S_IXUSR) == 0) {
        if (msg_verbose)
            msg_info("%s: skip incomplete file %s", queue_id, path);
        goto out;
    }
    if (strcmp(queue_name, MAIL_QUEUE_DEFERRED) == 0 && (flags & QMGR_SCAN_ALL) == 0 &&
        st.st_mtime > event_time())
        goto out;
    if (qmgr_message_find(queue_id) != 0) {
        msg_warn("%s: a message with this id is already active; skipping %s", queue_id, path);
        goto out;
    }
    mail_queue_path(active, &qmgr_queue_conf, MAIL_QUEUE_ACTIVE, queue_id);
    if (rename(path, STR(active)) < 0) {
        if (errno != ENOENT)
            msg_fatal("move %s to %s: %m", path, STR(active));
        goto out;
    }
    /* The previous attempt's reasons are out of date now. */
    if (mail_queue_remove(&qmgr_queue_conf, MAIL_QUEUE_DEFER, queue_id) < 0 && errno != ENOENT)
        msg_warn("%s: remove defer log: %m", queue_id);
    if ((m = qmgr_message_alloc(queue_name, queue_id, &status, why)) == 0) {
        if (status == QMGR_MESSAGE_CORRUPT) {
            qmgr_active_corrupt(queue_id, STR(why));
        } else {
            msg_warn("%s: %s", queue_id, STR(why));
            if (rename(STR(active), path) < 0 && errno != ENOENT)
                msg_fatal("move %s back to %s: %m", STR(active), path);
        }
        goto out;
    }
    msg_info("%s: from=<%s>, size=%ld, nrcpt=%ld (queue active)", queue_id, m->sender,
             m->data_size, m->rcpt_total);
    ret = 1;
    m->force_expired = (st.st_mode & S_IXGRP) != 0;
    m->refcount++; /* hold while assigning, so it cannot finish early */
    qmgr_message_assign(m);
    if (--m->refcount == 0)
        qmgr_active_done(m);
out:
    vstring_free(active);
    vstring_free(why);
    return ret;
}

/* qmgr_active_defer - to deferred/ with mtime = now + delay */
static void qmgr_active_defer(QMGR_MESSAGE *m, long delay)
{
    VSTRING *path = mail_queue_path(vstring_alloc(100), &qmgr_queue_conf, MAIL_QUEUE_ACTIVE,
                                    m->queue_id);
    struct timeval tv[2];

    gettimeofday(&tv[0], 0);
    tv[1] = tv[0];
    tv[1].tv_sec += delay;
    tv[1].tv_usec = 0;
    /* Times first: a deferred scan must never see the old mtime. */
    if (utimes(STR(path), tv) < 0)
        msg_warn("%s: set retry time: %m", m->queue_id);
    if (mail_queue_rename(&qmgr_queue_conf, m->queue_id, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED) < 0)
        msg_fatal("%s: move from %s to %s: %m", m->queue_id, MAIL_QUEUE_ACTIVE,
                  MAIL_QUEUE_DEFERRED);
    vstring_free(path);
}

static void qmgr_active_remove(QMGR_MESSAGE *m)
{
    if (mail_queue_remove(&qmgr_queue_conf, MAIL_QUEUE_ACTIVE, m->queue_id) < 0 &&
        errno != ENOENT)
        msg_fatal("%s: remove %s/%s: %m", m->queue_id, MAIL_QUEUE_ACTIVE, m->queue_id);
    msg_info("%s: removed", m->queue_id);
}

void qmgr_active_done(QMGR_MESSAGE *m)
{
    VSTRING *why = vstring_alloc(100);
    time_t now;
    int deferred;
    int notify_failed = 0;

    /* More recipients to read: the message stays active. */
    while (m->rcpt_offset > 0 && m->refcount == 0) {
        if (qmgr_message_realloc(m, why) < 0) {
            msg_warn("%s: reading more recipients: %s", m->queue_id, STR(why));
            m->deferred = 1;
            break;
        }
        m->refcount++;
        qmgr_message_assign(m);
        if (--m->refcount > 0) {
            vstring_free(why);
            return;
        }
    }
    vstring_free(why);

    if (qmgr_active_log_exists(MAIL_QUEUE_BOUNCE, m->queue_id) &&
        bounce_flush(BOUNCE_FLAG_NONE, MAIL_QUEUE_ACTIVE, m->queue_id, m->encoding,
                     (int)m->smtputf8, m->sender, m->dsn_envid, m->dsn_ret) != 0) {
        msg_warn("%s: cannot send a non-delivery notification; will retry", m->queue_id);
        notify_failed = 1;
    }

    deferred = m->deferred || qmgr_active_log_exists(MAIL_QUEUE_DEFER, m->queue_id);
    now = event_time();
    if (deferred) {
        if (m->force_expired
            || qmgr_backoff_expired(now, m->create_time, m->sender, var_maximal_queue_lifetime,
                                    var_bounce_queue_lifetime)) {
            msg_info("%s: from=<%s>, status=expired, returned to sender", m->queue_id, m->sender);
            if (defer_flush(BOUNCE_FLAG_NONE, MAIL_QUEUE_ACTIVE, m->queue_id, m->encoding,
                            (int)m->smtputf8, m->sender, m->dsn_envid, m->dsn_ret) == 0)
                deferred = 0;
            else
                notify_failed = 1;
        } else if (qmgr_backoff_warn_due(now, m->warn_time)) {
            if (defer_warn(BOUNCE_FLAG_NONE, MAIL_QUEUE_ACTIVE, m->queue_id, m->encoding,
                           (int)m->smtputf8, m->sender, m->dsn_envid, m->dsn_ret) == 0)
                qmgr_message_update_warn(m);
            else
                msg_warn("%s: cannot send a delay warning; will retry", m->queue_id);
        }
    }
    if (!deferred && !notify_failed && qmgr_active_log_exists(MAIL_QUEUE_TRACE, m->queue_id) &&
        trace_flush(BOUNCE_FLAG_NONE, MAIL_QUEUE_ACTIVE, m->queue_id, m->encoding,
                    (int)m->smtputf8, m->sender, m->dsn_envid, m->dsn_ret) != 0) {
        msg_warn("%s: cannot send a delivery status report; will retry", m->queue_id);
        notify_failed = 1;
    }

    if (deferred)
        qmgr_active_defer(m, qmgr_backoff_delay((long)(now - m->arrival_time.tv_sec),
                                                var_minimal_backoff_time,
                                                var_maximal_backoff_time));
    else if (notify_failed)
        qmgr_active_defer(m, var_minimal_backoff_time);
    else
        qmgr_active_remove(m);
    qmgr_message_free(m);
}
