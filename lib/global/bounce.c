/*
 * bounce - clients of the bounce, defer and trace services, and
 * deliver_completed() (interface in bounce.h, protocol in PROTOCOLS.md
 * "bounce").
 *
 * Every request is one connection: mail_connect_wait() to
 * private/<service> (bounce_service_name, defer_service_name,
 * trace_service_name), the server's hello, one request list, one
 * {status} reply read strictly.  Only a reply of status 0 counts as done;
 * a lost connection, a protocol error or any other status is -1 (logged
 * "<id>: <service> service failure"), and the caller leaves the recipient
 * in the queue file: the worst outcome is a second delivery attempt,
 * never a lost notification.
 *
 * What each per-recipient call does, in Postfix's order:
 *
 *   sent()           with DEL_REQ_FLAG_RECORD or NOTIFY=SUCCESS, first
 *                    trace_append() (the caller's action, "delivered" when
 *                    it is empty); if that fails,
 *                    no status=sent line and -1.  Then the status=sent line.
 *   bounce_append()  with soft_bounce = yes, a defer_append() with the DSN
 *                    class changed to 4 and action "delayed", and then
 *                    BOUNCE_DEFERRED: the recipient stays in the queue.  Otherwise,
 *                    with DEL_REQ_FLAG_RECORD a trace_append() (its failure
 *                    is only a warning), then the bounce service; on
 *                    success the status=bounced line.
 *   defer_append()   the same with the defer service and status=deferred.
 *   bounce_one()     one ONE request to the bounce service, then the
 *                    status=bounced line (soft_bounce: defer_append()).
 *
 * DSN fields are checked before they are sent: a status that is not a
 * valid enhanced status code is a bug in the caller (msg_panic), since
 * the bounce daemon would refuse it and the recipient would be retried
 * forever.
 *
 * deliver_completed(fp, offset): rec_update_type(R -> D) at offset, then
 * sync_file_range(SYNC_FILE_RANGE_WRITE): the write starts at once but
 * nobody waits for the device (see the function).  A byte that is already
 * D is fine (a request repeated after a crash).  offset -1 means "not in the queue file" and does
 * nothing.  Any other failure is fatal: the agent is restarted and the recipient is delivered
 * again.  The in-place write bypasses fp's buffer; agents do not read recipient records back
 * through fp.
 */
#define _GNU_SOURCE 1 /* sync_file_range */
#include "bounce.h"
#include "flush_clnt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "deliver_request.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "record.h"

#define BOUNCE_SERVICE(var, def) ((var) && *(var) ? (var) : (def))

/* bounce_check_dsn - reject what the bounce daemon would reject anyway */

static void bounce_check_dsn(const char *myname, const DSN *dsn)
{
    if (dsn == 0 || !dsn_valid(dsn->status) || dsn->action == 0 || dsn->reason == 0 ||
        dsn->dtype == 0 || dsn->dtext == 0 || dsn->mtype == 0 || dsn->mname == 0)
        msg_panic("%s: bad DSN (status \"%s\")", myname,
                  dsn && dsn->status ? dsn->status : "(null)");
}

/*
 * bounce_request - connect, read the hello, send the list, read {status}.
 * The list is passed as attr_vprint arguments.  Returns 0 or -1 (logged).
 */
static int bounce_request(const char *id, const char *service, ...)
{
    VSTREAM *stream;
    va_list ap;
    int status = -1;
    int ret = -1;

    if ((stream = mail_connect_wait(MAIL_CLASS_PRIVATE, service)) == 0) {
        msg_warn("%s: %s service failure", id, service);
        return -1;
    }
    if (attr_scan_hello(stream, MAIL_PROTO_BOUNCE) == 0) {
        va_start(ap, service);
        int printed = attr_vprint(stream, ATTR_FLAG_NONE, ap);
        va_end(ap);
        if (printed == 0 && vstream_fflush(stream) == 0 &&
            attr_scan(stream, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                      ATTR_TYPE_END) == 1 &&
            status == 0)
            ret = 0;
    }
    vstream_fclose(stream);
    if (ret < 0)
        msg_warn("%s: %s service failure", id, service);
    return ret;
}

/* bounce_append_to - an APPEND request to one of the three services */

static int bounce_append_to(const char *service, int flags, const char *id, RECIPIENT *rcpt,
                            DSN *dsn)
{
    return bounce_request(
        id, service, SEND_ATTR_INT(MAIL_ATTR_NREQ, BOUNCE_CMD_APPEND),
        SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags), SEND_ATTR_STR(MAIL_ATTR_QUEUEID, id),
        SEND_ATTR_STR(MAIL_ATTR_ORCPT, rcpt->orig_addr ? rcpt->orig_addr : ""),
        SEND_ATTR_STR(MAIL_ATTR_RECIP, rcpt->address),
        SEND_ATTR_LONG(MAIL_ATTR_OFFSET, rcpt->offset),
        SEND_ATTR_STR(MAIL_ATTR_DSN_ORCPT, rcpt->dsn_orcpt ? rcpt->dsn_orcpt : ""),
        SEND_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, rcpt->dsn_notify),
        SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, dsn->status),
        SEND_ATTR_STR(MAIL_ATTR_DSN_ACTION, dsn->action),
        SEND_ATTR_STR(MAIL_ATTR_REASON, dsn->reason),
        SEND_ATTR_STR(MAIL_ATTR_DSN_DTYPE, dsn->dtype),
        SEND_ATTR_STR(MAIL_ATTR_DSN_DTEXT, dsn->dtext),
        SEND_ATTR_STR(MAIL_ATTR_DSN_MTYPE, dsn->mtype),
        SEND_ATTR_STR(MAIL_ATTR_DSN_MNAME, dsn->mname), ATTR_TYPE_END);
}

static const char *bounce_service(void)
{
    return BOUNCE_SERVICE(var_bounce_service_name, MAIL_SERVICE_BOUNCE);
}

static const char *defer_service(void)
{
    return BOUNCE_SERVICE(var_defer_service_name, MAIL_SERVICE_DEFER);
}

static const char *trace_service(void)
{
    return BOUNCE_SERVICE(var_trace_service_name, MAIL_SERVICE_TRACE);
}

int trace_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                 DSN *dsn)
{
    bounce_check_dsn("trace_append", dsn);
    return bounce_append_to(trace_service(), flags, id, rcpt, dsn);
}

int sent(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay, DSN *dsn)
{
    DSN my_dsn = *dsn;

    bounce_check_dsn("sent", dsn);
    if (*my_dsn.action == 0) /* "relayed", "expanded" stay as they are */
        my_dsn.action = "delivered";
    if ((flags & DEL_REQ_FLAG_RECORD) || (rcpt->dsn_notify & DSN_NOTIFY_SUCCESS)) {
        if (trace_append(flags, id, stats, rcpt, relay, &my_dsn) != 0)
            return -1;
    }
    log_adhoc(id, stats, rcpt, relay, &my_dsn, "sent");
    return 0;
}

/* bounce_soft - the DSN of a soft bounce: class 4, action delayed */

static DSN *bounce_soft(DSN *my_dsn, char *status, size_t len, const DSN *dsn)
{
    *my_dsn = *dsn;
    snprintf(status, len, "4%s", dsn->status + 1);
    my_dsn->status = status;
    my_dsn->action = "delayed";
    return my_dsn;
}

/*
 * defer_flush_add - tell the fast flush service that mail for the
 * recipient's domain waits in the queue, so that ETRN and postqueue -s
 * find it.  flush_add() itself skips domains not in fast_flush_domains.
 */
static void defer_flush_add(const char *id, const char *address)
{
    const char *domain = strrchr(address, '@');

    if (domain == 0 || *++domain == 0)
        return;
    switch (flush_add(domain, id)) {
    case FLUSH_STAT_OK:
    case FLUSH_STAT_DENY:
        break;
    default:
        msg_warn("%s: %s service failure", id, MAIL_SERVICE_FLUSH);
        break;
    }
}

/* defer_append_as - defer_append() logging status=WHAT (soft_bounce says
 * SOFTBOUNCE, as Postfix 3.7 does) */
static int defer_append_as(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt,
                           const char *relay, DSN *dsn, const char *what)
{
    DSN my_dsn = *dsn;

    bounce_check_dsn("defer_append", dsn);
    my_dsn.action = "delayed";
    if ((flags & DEL_REQ_FLAG_RECORD) && trace_append(flags, id, stats, rcpt, relay, &my_dsn) != 0)
        msg_warn("%s: could not record the deferral of <%s> in the trace log", id, rcpt->address);
    if (bounce_append_to(defer_service(), flags, id, rcpt, &my_dsn) != 0)
        return -1;
    log_adhoc(id, stats, rcpt, relay, &my_dsn, what);
    defer_flush_add(id, rcpt->address);
    return 0;
}

int defer_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                 DSN *dsn)
{
    return defer_append_as(flags, id, stats, rcpt, relay, dsn, "deferred");
}

int bounce_append(int flags, const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay,
                  DSN *dsn)
{
    DSN my_dsn;
    char status[32];

    bounce_check_dsn("bounce_append", dsn);
    /* Deferred, not bounced: the recipient must stay in the queue file. */
    if (var_soft_bounce)
        return defer_append_as(flags, id, stats, rcpt, relay,
                               bounce_soft(&my_dsn, status, sizeof(status), dsn), "SOFTBOUNCE") == 0
                   ? BOUNCE_DEFERRED
                   : -1;
    my_dsn = *dsn;
    my_dsn.action = "failed";
    if ((flags & DEL_REQ_FLAG_RECORD) && trace_append(flags, id, stats, rcpt, relay, &my_dsn) != 0)
        msg_warn("%s: could not record the bounce of <%s> in the trace log", id, rcpt->address);
    if (bounce_append_to(bounce_service(), flags, id, rcpt, &my_dsn) != 0)
        return -1;
    log_adhoc(id, stats, rcpt, relay, &my_dsn, "bounced");
    return 0;
}

/* bounce_flush_to - FLUSH, WARN or TRACE for a whole message */

static int bounce_flush_to(const char *service, int cmd, int flags, const char *queue,
                           const char *id, const char *encoding, int smtputf8, const char *sender,
                           const char *dsn_envid, int dsn_ret)
{
    return bounce_request(
        id, service, SEND_ATTR_INT(MAIL_ATTR_NREQ, cmd), SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags),
        SEND_ATTR_STR(MAIL_ATTR_QUEUE, queue), SEND_ATTR_STR(MAIL_ATTR_QUEUEID, id),
        SEND_ATTR_STR(MAIL_ATTR_ENCODING, encoding ? encoding : ""),
        SEND_ATTR_INT(MAIL_ATTR_SMTPUTF8, smtputf8), SEND_ATTR_STR(MAIL_ATTR_SENDER, sender),
        SEND_ATTR_STR(MAIL_ATTR_DSN_ENVID, dsn_envid ? dsn_envid : ""),
        SEND_ATTR_INT(MAIL_ATTR_DSN_RET, dsn_ret), ATTR_TYPE_END);
}

int bounce_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                 const char *sender, const char *dsn_envid, int dsn_ret)
{
    return bounce_flush_to(bounce_service(), BOUNCE_CMD_FLUSH, flags, queue, id, encoding, smtputf8,
                           sender, dsn_envid, dsn_ret);
}

int defer_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                const char *sender, const char *dsn_envid, int dsn_ret)
{
    return bounce_flush_to(defer_service(), BOUNCE_CMD_FLUSH, flags, queue, id, encoding, smtputf8,
                           sender, dsn_envid, dsn_ret);
}

int defer_warn(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
               const char *sender, const char *dsn_envid, int dsn_ret)
{
    return bounce_flush_to(defer_service(), BOUNCE_CMD_WARN, flags, queue, id, encoding, smtputf8,
                           sender, dsn_envid, dsn_ret);
}

int trace_flush(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
                const char *sender, const char *dsn_envid, int dsn_ret)
{
    return bounce_flush_to(trace_service(), BOUNCE_CMD_TRACE, flags, queue, id, encoding, smtputf8,
                           sender, dsn_envid, dsn_ret);
}

int bounce_one(int flags, const char *queue, const char *id, const char *encoding, int smtputf8,
               const char *sender, const char *dsn_envid, int dsn_ret, MSG_STATS *stats,
               RECIPIENT *rcpt, const char *relay, DSN *dsn)
{
    DSN my_dsn;
    char status[32];

    bounce_check_dsn("bounce_one", dsn);
    if (var_soft_bounce)
        return defer_append_as(flags, id, stats, rcpt, relay,
                               bounce_soft(&my_dsn, status, sizeof(status), dsn), "SOFTBOUNCE") == 0
                   ? BOUNCE_DEFERRED
                   : -1;
    my_dsn = *dsn;
    my_dsn.action = "failed";
    if (bounce_request(id, bounce_service(), SEND_ATTR_INT(MAIL_ATTR_NREQ, BOUNCE_CMD_ONE),
                       SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags), SEND_ATTR_STR(MAIL_ATTR_QUEUE, queue),
                       SEND_ATTR_STR(MAIL_ATTR_QUEUEID, id),
                       SEND_ATTR_STR(MAIL_ATTR_ENCODING, encoding ? encoding : ""),
                       SEND_ATTR_INT(MAIL_ATTR_SMTPUTF8, smtputf8),
                       SEND_ATTR_STR(MAIL_ATTR_SENDER, sender),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_ENVID, dsn_envid ? dsn_envid : ""),
                       SEND_ATTR_INT(MAIL_ATTR_DSN_RET, dsn_ret),
                       SEND_ATTR_STR(MAIL_ATTR_ORCPT, rcpt->orig_addr ? rcpt->orig_addr : ""),
                       SEND_ATTR_STR(MAIL_ATTR_RECIP, rcpt->address),
                       SEND_ATTR_LONG(MAIL_ATTR_OFFSET, rcpt->offset),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_ORCPT, rcpt->dsn_orcpt ? rcpt->dsn_orcpt : ""),
                       SEND_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, rcpt->dsn_notify),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_STATUS, my_dsn.status),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_ACTION, my_dsn.action),
                       SEND_ATTR_STR(MAIL_ATTR_REASON, my_dsn.reason),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_DTYPE, my_dsn.dtype),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_DTEXT, my_dsn.dtext),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_MTYPE, my_dsn.mtype),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_MNAME, my_dsn.mname), ATTR_TYPE_END) != 0)
        return -1;
    log_adhoc(id, stats, rcpt, relay, &my_dsn, "bounced");
    return 0;
}

void deliver_completed(VSTREAM *fp, long offset)
{
    int fd = vstream_fileno(fp);

    if (offset == -1)
        return;
    if (offset <= 0)
        msg_panic("deliver_completed: bad offset %ld", offset);
    if (vstream_fflush(fp) != 0)
        msg_fatal("%s: flush: %m", vstream_path(fp));
    if (rec_update_type(fd, offset, REC_TYPE_RCPT, REC_TYPE_DONE) != 0) {
        /* Already done (a repeated request) is fine; anything else is not. */
        int saved = errno;
        if (saved != EINVAL || rec_update_type(fd, offset, REC_TYPE_DONE, REC_TYPE_DONE) != 0) {
            errno = saved;
            msg_fatal("%s: cannot mark the recipient at offset %ld done: %m", vstream_path(fp),
                      offset);
        }
    }
    /*
     * Start writing the block, but do not wait for a device flush: the
     * mailbox was flushed before we got here, so no crash can lose mail; a
     * power loss before the next flush may deliver this recipient again,
     * as Postfix (which writes the mark without any sync) may too.  This
     * saves one of the four device flushes a local delivery used to cost.
     */
    if (sync_file_range(fd, (off_t)offset, 1, SYNC_FILE_RANGE_WRITE) != 0)
        msg_fatal("%s: sync_file_range: %m", vstream_path(fp));
}
