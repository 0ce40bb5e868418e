/*
 * deliver_outcome - one outcome for every recipient; see deliver_outcome.h.
 */
#include "bounce.h"
#include "deliver_outcome.h"
#include "dsn.h"

int deliver_outcome_all(DELIVER_REQUEST *request, const char *relay, int outcome,
                        const char *status, const char *reason)
{
    int result = DEL_STAT_OK;
    DSN dsn;

    if (request->fp == 0) {
        outcome = DELIVER_OUTCOME_DEFER;
        status = "4.3.0";
        reason = "cannot open queue file";
    }
    for (int i = 0; i < request->rcpt_list.len; i++) {
        RECIPIENT *rcpt = request->rcpt_list.info + i;
        int rc;

        switch (outcome) {
        case DELIVER_OUTCOME_SENT:
            DSN_SIMPLE(&dsn, status, "delivered", reason);
            rc = sent(request->flags, request->queue_id, &request->msg_stats, rcpt, relay, &dsn);
            break;
        case DELIVER_OUTCOME_BOUNCE:
            DSN_SIMPLE(&dsn, status, "failed", reason);
            rc = bounce_append(request->flags, request->queue_id, &request->msg_stats, rcpt, relay,
                               &dsn);
            break;
        default:
            DSN_SIMPLE(&dsn, status, "delayed", reason);
            if (defer_append(request->flags, request->queue_id, &request->msg_stats, rcpt, relay,
                             &dsn) != 0)
                result = DEL_STAT_DEFER;
            continue; /* a deferred recipient stays in the queue file */
        }
        if (rc == 0)
            deliver_completed(request->fp, rcpt->offset);
        else if (rc != BOUNCE_DEFERRED) /* soft_bounce leaves it queued */
            result = DEL_STAT_DEFER;
    }
    return result;
}
