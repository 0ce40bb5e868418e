/*
 * qmgr_defer - qmgr's own verdicts on recipients: defer (a temporary
 * problem qmgr found, or an agent that failed) and bounce (an address the
 * resolver calls malformed).
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_defer_recipient(message, rcpt, status, reason)
 *       defer_append() with relay "none" and action "delayed": the defer
 *       log gets the reason (mailq shows it, a delay warning or an expiry
 *       bounce quotes it) and Postfix's "status=deferred (reason)" line is
 *       logged.  The message will go to deferred/.
 *   qmgr_bounce_recipient(message, rcpt, status, reason)
 *       bounce_append(), then the recipient is marked done in the queue
 *       file (R -> D, fsync).  If the bounce log cannot be written the
 *       recipient is deferred instead, so that it is never lost.
 *   qmgr_defer_entry(entry, reason)        every recipient of a request
 *   qmgr_defer_todo(queue, reason)         every waiting request of a
 *                                          destination, finished one by one
 *   qmgr_defer_transport(t, reason)        of every destination of t
 */
#include <string.h>
#include <unistd.h>

#include "bounce.h"
#include "deliver_request.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "rec_type.h"
#include "record.h"

#define QMGR_RELAY_NONE "none"

static void qmgr_defer_stats(QMGR_MESSAGE *m, MSG_STATS *stats)
{
    memset(stats, 0, sizeof(*stats));
    stats->incoming_arrival = m->arrival_time;
    stats->active_arrival = m->active_arrival;
}

void qmgr_defer_recipient(QMGR_MESSAGE *m, RECIPIENT *rcpt, const char *status, const char *reason)
{
    MSG_STATS stats;
    DSN dsn;

    qmgr_defer_stats(m, &stats);
    DSN_SIMPLE(&dsn, status, "delayed", reason);
    if (defer_append(m->tflags, m->queue_id, &stats, rcpt, QMGR_RELAY_NONE, &dsn) != 0)
        msg_warn("%s: cannot record deferral of %s; the message stays queued", m->queue_id,
                 rcpt->address);
    m->deferred = 1;
}

void qmgr_bounce_recipient(QMGR_MESSAGE *m, RECIPIENT *rcpt, const char *status, const char *reason)
{
    MSG_STATS stats;
    DSN dsn;

    qmgr_defer_stats(m, &stats);
    DSN_SIMPLE(&dsn, status, "failed", reason);
    switch (bounce_append(m->tflags, m->queue_id, &stats, rcpt, QMGR_RELAY_NONE, &dsn)) {
    case 0:
        break;
    case BOUNCE_DEFERRED: /* soft_bounce: recorded as deferred, it stays queued */
        m->deferred = 1;
        return;
    default:
        qmgr_defer_recipient(m, rcpt, "4.3.0", "cannot record a bounce; will retry");
        return;
    }
    if (rec_update_type(m->fd, rcpt->offset, REC_TYPE_RCPT, REC_TYPE_DONE) < 0 ||
        fsync(m->fd) < 0)
        msg_warn("%s: cannot mark recipient %s done: %m", m->queue_id, rcpt->address);
}

void qmgr_defer_entry(QMGR_ENTRY *e, const char *reason)
{
    for (int i = 0; i < e->rcpt_list.len; i++)
        qmgr_defer_recipient(e->message, e->rcpt_list.info + i, QMGR_DEFER_STATUS, reason);
}

void qmgr_defer_todo(QMGR_QUEUE *q, const char *reason)
{
    /*
     * Finishing an entry may finish its message, which may free the queue
     * once it is idle; the last entry is therefore handled without looking
     * at the queue again.
     */
    char *why = mystrdup(reason);

    while (q->todo_len > 0) {
        QMGR_ENTRY *e = q->todo_head;
        int last = (q->todo_len == 1);

        qmgr_entry_unlink(e);
        qmgr_defer_entry(e, why);
        qmgr_entry_done(e, 0);
        if (last)
            break;
    }
    myfree(why);
}

void qmgr_defer_transport(QMGR_TRANSPORT *t, const char *reason)
{
    HTABLE_INFO **list = htable_list(t->queues);

    for (HTABLE_INFO **ht = list; *ht; ht++) {
        QMGR_QUEUE *q = (*ht)->value;

        if (q->todo_len > 0)
            qmgr_defer_todo(q, reason);
    }
    myfree(list);
}
