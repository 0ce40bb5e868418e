/*
 * deliver_outcome - give every recipient of a delivery request the same
 * outcome, for agents that decide per request, not per recipient (error,
 * retry, discard).
 *
 *   deliver_outcome_all(request, relay, outcome, status, reason)
 *       outcome DELIVER_OUTCOME_SENT (sent(), "delivered"),
 *       DELIVER_OUTCOME_BOUNCE (bounce_append(), "failed") or
 *       DELIVER_OUTCOME_DEFER (defer_append(), "delayed"), each logged as
 *       "relay=RELAY, dsn=STATUS, status=... (REASON)" by bounce.c.  A sent
 *       or bounced recipient is then marked done in the queue file
 *       (deliver_completed); a deferred one stays.  Without a queue file
 *       (request->fp null) nothing could be marked done, so every
 *       recipient is deferred with 4.3.0 "cannot open queue file" instead.
 *       Returns DEL_STAT_OK, or DEL_STAT_DEFER when an outcome could not
 *       be recorded (qmgr then retries what is not marked done).
 *
 * What can go wrong: see the return value; nothing is fatal here.
 */
#ifndef POSTERN_DELIVER_OUTCOME_H
#define POSTERN_DELIVER_OUTCOME_H

#include "deliver_request.h"

#define DELIVER_OUTCOME_SENT   1
#define DELIVER_OUTCOME_BOUNCE 2
#define DELIVER_OUTCOME_DEFER  3

extern int deliver_outcome_all(DELIVER_REQUEST *request, const char *relay, int outcome,
                               const char *status, const char *reason);

#endif
