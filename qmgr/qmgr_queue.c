/*
 * qmgr_queue - destination queues and delivery requests (entries), and the
 * choice of the next request under the concurrency limits.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_queue_find(t, name) / qmgr_queue_create(t, name)
 *       One queue per transport and destination.  The destination is the
 *       resolver's nexthop, or the recipient itself when the transport's
 *       recipient limit is 1 (then the concurrency limit is per recipient,
 *       as postconf(5) describes for Postfix).  A queue starts with a
 *       window of initial_destination_concurrency parallel deliveries and
 *       grows by one with each successful delivery up to the transport's
 *       destination concurrency limit (slow start).
 *   qmgr_queue_free_if_idle(q)
 *       Forget a queue with nothing waiting, nothing in progress, and no
 *       dead state to remember.
 *   qmgr_queue_throttle(q, reason)
 *       The destination failed (the agent gave up on a whole request): it
 *       is dead for minimal_backoff_time or until an 'F' trigger.  Waiting
 *       requests are deferred with "delivery temporarily suspended: " and
 *       the reason; new recipients for it are deferred the same way.
 *   qmgr_queue_unthrottle(q)
 *
 *   qmgr_entry_create(q, msg, nexthop) a new request at the tail of q's todo
 *                                   list; the message's refcount counts it
 *   qmgr_entry_select(t)            the next request to send for transport
 *                                   t: round robin over its queues, skipping
 *                                   dead queues and queues at their window;
 *                                   null when the transport is dead, at its
 *                                   process limit, or has nothing sendable.
 *                                   The request counts as busy.
 *   qmgr_entry_unselect(e)          put a selected request back (the agent
 *                                   was busy): head of its queue, not busy
 *   qmgr_entry_unlink(e)            take a waiting request off its todo list
 *   qmgr_entry_done(e, was_busy)    the request is finished (delivered,
 *                                   deferred or bounced): free it, and when
 *                                   it was the message's last one, finish
 *                                   the message (qmgr_active_done)
 */
#include <limits.h>
#include <string.h>

#include "events.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"

static void qmgr_queue_ring_add(QMGR_QUEUE *q)
{
    QMGR_TRANSPORT *t = q->transport;

    if (q->in_ring)
        return;
    q->in_ring = 1;
    if (t->ring == 0) {
        q->ring_next = q->ring_prev = q;
        t->ring = q;
    } else {
        /* Insert before the current head: it is served last in this round. */
        q->ring_next = t->ring;
        q->ring_prev = t->ring->ring_prev;
        q->ring_prev->ring_next = q;
        t->ring->ring_prev = q;
    }
}

static void qmgr_queue_ring_del(QMGR_QUEUE *q)
{
    QMGR_TRANSPORT *t = q->transport;

    if (!q->in_ring)
        return;
    q->in_ring = 0;
    if (q->ring_next == q) {
        t->ring = 0;
    } else {
        q->ring_prev->ring_next = q->ring_next;
        q->ring_next->ring_prev = q->ring_prev;
        if (t->ring == q)
            t->ring = q->ring_next;
    }
    q->ring_next = q->ring_prev = 0;
}

QMGR_QUEUE *qmgr_queue_find(QMGR_TRANSPORT *t, const char *name)
{
    return htable_find(t->queues, name);
}

QMGR_QUEUE *qmgr_queue_create(QMGR_TRANSPORT *t, const char *name)
{
    QMGR_QUEUE *q = mycalloc(1, sizeof(*q));

    q->name = mystrdup(name);
    q->transport = t;
    q->window = var_initial_destination_concurrency > 0 ? var_initial_destination_concurrency : 1;
    if (q->window > t->dest_limit)
        q->window = t->dest_limit;
    htable_enter(t->queues, name, q);
    return q;
}

static void qmgr_queue_retry(int event, void *context)
{
    qmgr_queue_unthrottle((QMGR_QUEUE *)context);
    qmgr_wakeup_soon();
}

void qmgr_queue_free_if_idle(QMGR_QUEUE *q)
{
    if (q->todo_len > 0 || q->busy > 0 || q->dead)
        return;
    qmgr_queue_ring_del(q);
    htable_delete(q->transport->queues, q->name, 0);
    myfree(q->name);
    myfree(q);
}

void qmgr_queue_throttle(QMGR_QUEUE *q, const char *reason)
{
    if (!q->dead) {
        VSTRING *buf = vstring_alloc(100);

        vstring_sprintf(buf, "delivery temporarily suspended: %s", reason);
        q->dead = 1;
        q->dead_reason = vstring_export(buf);
        qmgr_queue_ring_del(q);
        event_request_timer(qmgr_queue_retry, q,
                            (var_minimal_backoff_time > 0 ? var_minimal_backoff_time : 1) * 1000);
        if (msg_verbose)
            msg_info("%s/%s: throttled: %s", q->transport->name, q->name, reason);
    }
    qmgr_defer_todo(q, q->dead_reason);
}

void qmgr_queue_unthrottle(QMGR_QUEUE *q)
{
    if (q->dead) {
        q->dead = 0;
        myfree(q->dead_reason);
        q->dead_reason = 0;
        event_cancel_timer(qmgr_queue_retry, q);
        if (q->todo_len > 0)
            qmgr_queue_ring_add(q);
        qmgr_queue_free_if_idle(q);
    }
}

QMGR_ENTRY *qmgr_entry_create(QMGR_QUEUE *q, QMGR_MESSAGE *message, const char *nexthop)
{
    QMGR_ENTRY *e = mycalloc(1, sizeof(*e));

    e->message = message;
    e->nexthop = mystrdup(nexthop);
    e->queue = q;
    recipient_list_init(&e->rcpt_list);
    e->prev = q->todo_tail;
    if (q->todo_tail)
        q->todo_tail->next = e;
    else
        q->todo_head = e;
    q->todo_tail = e;
    q->todo_len++;
    message->refcount++;
    if (!q->dead)
        qmgr_queue_ring_add(q);
    return e;
}

void qmgr_entry_unlink(QMGR_ENTRY *e)
{
    QMGR_QUEUE *q = e->queue;

    if (e->prev)
        e->prev->next = e->next;
    else
        q->todo_head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->todo_tail = e->prev;
    e->next = e->prev = 0;
    q->todo_len--;
    if (q->todo_len == 0)
        qmgr_queue_ring_del(q);
}

static int qmgr_queue_ready(const QMGR_QUEUE *q)
{
    return !q->dead && q->todo_len > 0 && q->busy < q->window;
}

QMGR_ENTRY *qmgr_entry_select(QMGR_TRANSPORT *t)
{
    QMGR_QUEUE *q;
    QMGR_QUEUE *start;
    QMGR_ENTRY *e;

    if (t->dead || t->busy >= t->proc_limit || (start = t->ring) == 0)
        return 0;
    q = start;
    do {
        if (qmgr_queue_ready(q)) {
            /* Round robin: the next selection starts after this queue. */
            t->ring = q->ring_next;
            e = q->todo_head;
            qmgr_entry_unlink(e);
            q->busy++;
            t->busy++;
            return e;
        }
        q = q->ring_next;
    } while (q != start);
    return 0;
}

void qmgr_entry_unselect(QMGR_ENTRY *e)
{
    QMGR_QUEUE *q = e->queue;

    q->busy--;
    q->transport->busy--;
    e->prev = 0;
    e->next = q->todo_head;
    if (q->todo_head)
        q->todo_head->prev = e;
    else
        q->todo_tail = e;
    q->todo_head = e;
    q->todo_len++;
    if (!q->dead)
        qmgr_queue_ring_add(q);
}

void qmgr_entry_done(QMGR_ENTRY *e, int was_busy)
{
    QMGR_QUEUE *q = e->queue;
    QMGR_MESSAGE *message = e->message;

    if (was_busy) {
        q->busy--;
        q->transport->busy--;
    }
    recipient_list_free(&e->rcpt_list);
    myfree(e->nexthop);
    myfree(e);
    qmgr_queue_free_if_idle(q);
    if (--message->refcount == 0)
        qmgr_active_done(message);
}
