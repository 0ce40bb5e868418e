/*
 * qmgr_schedule - start delivery requests while the limits allow.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_schedule()
 *       For each transport, send requests (qmgr_entry_select picks them
 *       under the limits) until none is ready.  An agent whose listen
 *       queue is full (BUSY) is tried again in a second; an agent that
 *       does not exist (DOWN: master.cf has no such service) makes the
 *       transport dead: "mail transport unavailable".
 *   qmgr_wakeup_soon()
 *       Make the event loop return soon, so that the loop hook runs the
 *       scheduler (after a dead destination or transport comes back).
 */
#include "events.h"
#include "qmgr.h"

static void qmgr_nothing(int event, void *context)
{
}

void qmgr_wakeup_soon(void)
{
    /* The loop hook runs after every event round; make one happen. */
    event_request_timer(qmgr_nothing, 0, 0);
}

void qmgr_schedule(void)
{
    for (QMGR_TRANSPORT *t = qmgr_transport_list; t; t = t->next) {
        QMGR_ENTRY *e;

        while ((e = qmgr_entry_select(t)) != 0) {
            int status = qmgr_deliver(e);

            if (status == QMGR_DELIVER_OK)
                continue;
            qmgr_entry_unselect(e);
            if (status == QMGR_DELIVER_BUSY) {
                event_request_timer(qmgr_nothing, (void *)1, 1000);
            } else {
                qmgr_transport_throttle(t, "mail transport unavailable");
            }
            break;
        }
    }
}

