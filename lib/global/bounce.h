#ifndef POSTERN_BOUNCE_H
#define POSTERN_BOUNCE_H

/*
 * bounce - recording what happened to a recipient, and asking the bounce
 * daemon for delivery status notifications.  Clients of the bounce, defer
 * and trace services (PROTOCOLS.md, "bounce"); all are served by the
 * bounce daemon, which keeps one log file per message in
 * $queue_directory/{bounce,defer,trace}/<queue id>.
 *
 * Per recipient (called by delivery agents and qmgr); each also writes
 * Postfix's log line:
 *   "<id>: to=<rcpt>, orig_to=<orcpt>, relay=<relay>, delay=1.2,
 *    delays=0.01/0/0/1.2, dsn=5.1.1, status=bounced (reason)"
 * (orig_to only when it differs from to):
 *
 *   sent(flags, id, stats, rcpt, relay, dsn)
 *       status=sent.  When flags has DEL_REQ_FLAG_RECORD, or the recipient
 *       asked for DSN NOTIFY=SUCCESS, also appends to the trace log.
 *       Returns 0 or -1 (could not record: the caller must not mark the
 *       recipient done and replies DEL_STAT_DEFER).
 *   bounce_append(flags, id, stats, rcpt, relay, dsn)
 *       status=bounced, appended to the bounce log.  0 or -1 as above;
 *       with soft_bounce = yes it defers instead and returns
 *       BOUNCE_DEFERRED (> 0) when that was recorded: the caller must then
 *       leave the recipient in the queue file (not mark it done) and treat
 *       it like any deferred recipient.  bounce_one() likewise.
 *   defer_append(flags, id, stats, rcpt, relay, dsn)
 *       status=deferred, appended to the defer log.  0 or -1.
 *   trace_append(flags, id, stats, rcpt, relay, dsn)
 *       only the trace log (no log line).  0 or -1.
 *   log_adhoc(id, stats, rcpt, relay, dsn, status)
 *       only the log line ("sent", "bounced", "deferred", "expired", ...).
 *
 * Per message (called by qmgr when it is done with a message):
 *   bounce_flush(flags, queue, id, encoding, smtputf8, sender, envid, ret)
 *       send the sender a DSN (failure) for the bounce log, then remove
 *       the bounce log.  0 when done (or nothing to do), -1 to retry later.
 *   defer_flush(...)   same for the defer log: every deferred recipient is
 *                      bounced (used when the message expires).
 *   defer_warn(...)    send a delay warning for the defer log (keeps it).
 *   trace_flush(...)   send a delivery status report for the trace log
 *                      (sendmail -v, NOTIFY=SUCCESS) and remove it.
 *   bounce_one(flags, queue, id, encoding, smtputf8, sender, envid, ret,
 *              stats, rcpt, relay, dsn)
 *       bounce one recipient at once, without a bounce log (cleanup's
 *       unknown-recipient and content rejections on non-SMTP mail).
 *
 *   deliver_completed(fp, offset)
 *       mark the recipient whose R record starts at offset as done in the
 *       queue file (in place; the write is started, not waited for: after a
 *       power loss the recipient may be delivered again, as with Postfix,
 *       but never lost); a failure is fatal (the agent is restarted and the
 *       recipient delivered again: a duplicate, never a loss).
 *
 * The flags argument carries DEL_REQ_FLAG_ bits plus:
 */

#include "dsn.h"
#include "msg_stats.h"
#include "recipient.h"
#include "vstream.h"

#define BOUNCE_FLAG_NONE   0
#define BOUNCE_FLAG_CLEAN  (1 << 0) /* remove the log file on failure */
#define BOUNCE_FLAG_DELRCPT (1 << 2) /* caller will mark the recipient done */

/* Request codes on the wire (nrequest). */
#define BOUNCE_CMD_APPEND 0
#define BOUNCE_CMD_FLUSH  1
#define BOUNCE_CMD_WARN   2
#define BOUNCE_CMD_TRACE  3
#define BOUNCE_CMD_ONE    4

extern int sent(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay, DSN *dsn);
#define BOUNCE_DEFERRED 1 /* soft_bounce: recorded as deferred, keep the recipient */

extern int bounce_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                         DSN *dsn);
extern int defer_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                        DSN *dsn);
extern int trace_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                        DSN *dsn);
extern void log_adhoc(const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay, DSN *dsn,
                      const char *status);

extern int bounce_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                        const char *sender, const char *dsn_envid, int dsn_ret);
extern int defer_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                       const char *sender, const char *dsn_envid, int dsn_ret);
extern int defer_warn(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                      const char *sender, const char *dsn_envid, int dsn_ret);
extern int trace_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                       const char *sender, const char *dsn_envid, int dsn_ret);
extern int bounce_one(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                      const char *sender, const char *dsn_envid, int dsn_ret, MSG_STATS *stats,
                      RECIPIENT *rcpt, const char *relay, DSN *dsn);

extern void deliver_completed(VSTREAM *fp, long offset);

#endif
