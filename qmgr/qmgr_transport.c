/*
 * qmgr_transport - per-transport state: limits and dead/alive.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_transport_find(name) / qmgr_transport_create(name)
 *       A transport is created the first time a resolver reply names it.
 *       Its limits are read then, per transport name, like Postfix:
 *         <name>_destination_concurrency_limit
 *                (default_destination_concurrency_limit; 0 = no limit)
 *         <name>_destination_recipient_limit
 *                (default_destination_recipient_limit; 0 = no limit)
 *         default_process_limit: deliveries in progress for the whole
 *                transport (master runs at most maxproc agents; more
 *                connections would only wait in its listen queue)
 *       A name the registry knows (local_destination_concurrency_limit)
 *       takes the registry's value, with its own default.
 *   qmgr_transport_throttle(t, reason)
 *       The agent could not be reached ("mail transport unavailable"): the
 *       transport is dead, every request waiting for it is deferred with
 *       the reason, and new recipients for it are deferred at once, until
 *       transport_retry_time has passed or an 'F' trigger arrives.
 *   qmgr_transport_unthrottle(t), qmgr_transport_unthrottle_all()
 *       Forget the dead state ('F' trigger, or the retry timer).
 *
 * Transports live as long as the process: there are few of them.
 */
#include <limits.h>
#include <string.h>

#include "events.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"

QMGR_TRANSPORT *qmgr_transport_list;

/* qmgr_transport_param - a per-transport integer parameter */
static int qmgr_transport_param(const char *name, const char *suffix, int defval)
{
    VSTRING *full = vstring_alloc(100);
    const MAIL_PARAM *p;
    long value;

    vstring_sprintf(full, "%s%s", name, suffix);
    if ((p = mail_param_find(vstring_str(full))) != 0 && p->type == MAIL_PARAM_INT && p->var)
        value = *(int *)p->var;
    else
        value = mail_param_get_int2(name, suffix, defval, 0, 0);
    vstring_free(full);
    if (value <= 0 || value > INT_MAX)
        return INT_MAX;
    return (int)value;
}

QMGR_TRANSPORT *qmgr_transport_find(const char *name)
{
    for (QMGR_TRANSPORT *t = qmgr_transport_list; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    return 0;
}

QMGR_TRANSPORT *qmgr_transport_create(const char *name)
{
    QMGR_TRANSPORT *t = mycalloc(1, sizeof(*t));

    t->name = mystrdup(name);
    t->dest_limit = qmgr_transport_param(name, "_destination_concurrency_limit",
                                         var_default_destination_concurrency_limit);
    t->rcpt_limit = qmgr_transport_param(name, "_destination_recipient_limit",
                                         var_default_destination_recipient_limit);
    t->proc_limit = var_default_process_limit > 0 ? var_default_process_limit : INT_MAX;
    t->queues = htable_create(13);
    t->next = qmgr_transport_list;
    qmgr_transport_list = t;
    if (msg_verbose)
        msg_info("transport %s: destination concurrency %d, recipients per request %d",
                 name, t->dest_limit, t->rcpt_limit);
    return t;
}

static void qmgr_transport_retry(int event, void *context)
{
    qmgr_transport_unthrottle((QMGR_TRANSPORT *)context);
    qmgr_wakeup_soon();
}

void qmgr_transport_throttle(QMGR_TRANSPORT *t, const char *reason)
{
    if (!t->dead) {
        msg_warn("transport %s: %s", t->name, reason);
        t->dead = 1;
        t->dead_reason = mystrdup(reason);
        event_request_timer(qmgr_transport_retry, t,
                            (var_transport_retry_time > 0 ? var_transport_retry_time : 1) * 1000);
    }
    qmgr_defer_transport(t, t->dead_reason);
}

void qmgr_transport_unthrottle(QMGR_TRANSPORT *t)
{
    if (t->dead) {
        if (msg_verbose)
            msg_info("transport %s: retry", t->name);
        t->dead = 0;
        myfree(t->dead_reason);
        t->dead_reason = 0;
        event_cancel_timer(qmgr_transport_retry, t);
    }
}

void qmgr_transport_unthrottle_all(void)
{
    for (QMGR_TRANSPORT *t = qmgr_transport_list; t; t = t->next) {
        HTABLE_INFO **list = htable_list(t->queues);

        qmgr_transport_unthrottle(t);
        for (HTABLE_INFO **ht = list; *ht; ht++)
            qmgr_queue_unthrottle((QMGR_QUEUE *)(*ht)->value);
        myfree(list);
    }
}
