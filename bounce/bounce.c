/*
 * bounce - the bounce, defer and trace services: per-recipient status logs
 * and the delivery status notifications made from them.
 *
 * One program serves three master.cf services (Debian's master.cf runs
 * "bounce" for all of them); the service name (-n) chooses the log:
 *
 *   bounce   bounce/ID   APPEND, FLUSH (non-delivery DSN, log removed),
 *                        ONE (one recipient, no log)
 *   defer    defer/ID    APPEND, FLUSH (expired: every deferred recipient
 *                        is returned as failed, log removed), WARN (delay
 *                        DSN, log kept)
 *   trace    trace/ID    APPEND, TRACE (delivery report, log removed)
 *
 * Protocol: PROTOCOLS.md "bounce" (bounce.h has the client side).  The log
 * format: lib/global/bounce_log.h.  The DSN text: bounce_dsn.h.
 *
 * Who gets what (Postfix's rules):
 *   - the sender gets the DSN, for the recipients whose DSN NOTIFY allows
 *     it (none given, or FAILURE for failures, DELAY for warnings);
 *     NOTIFY=NEVER recipients are never reported to the sender;
 *   - a copy with the headers only goes to bounce_notice_recipient
 *     (failures, "bounce" in notify_classes) or delay_notice_recipient
 *     (warnings, "delay"), from double_bounce_sender@myhostname;
 *   - mail from the null sender that fails (a bounce that bounced) goes
 *     to 2bounce_notice_recipient when "2bounce" is in notify_classes,
 *     else it is dropped (and logged);
 *   - mail from double_bounce_sender that fails is a postmaster
 *     notification that bounced: dropped and logged, never looped.
 * Each DSN is submitted to the cleanup service (public/cleanup,
 * "cleanup/1") with the null sender (double_bounce_sender for postmaster
 * copies), and logged as Postfix does:
 *   "ID: sender non-delivery notification: NEWID"
 *   "ID: postmaster non-delivery notification: NEWID"
 *   "ID: sender delay notification: NEWID" ("postmaster delay ...")
 *   "ID: sender delivery status notification: NEWID"
 *
 * Parameters: bounce_size_limit, notify_classes, bounce_notice_recipient,
 * 2bounce_notice_recipient, delay_notice_recipient, double_bounce_sender,
 * myhostname, myorigin, maximal_queue_lifetime, delay_warning_time,
 * backwards_bounce_logfile_compatibility, hash_queue_names,
 * hash_queue_depth, queue_directory.
 *
 * What can go wrong: a malformed request or a bad queue id is logged and
 * answered with status -1 (the client retries later or defers), never
 * fatal.  A log entry is on disk (fsync'ed) before APPEND answers 0, so a
 * bounced recipient that the agent then marks done is never forgotten.  A
 * DSN that cleanup does not accept leaves the log in place (status -1,
 * qmgr retries); the postmaster copy failing alone is only logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "bounce.h"
#include "bounce_dsn.h"
#include "bounce_log.h"
#include "bounce_qfile.h"
#include "cleanup_user.h"
#include "deliver_request.h"
#include "dsn.h"
#include "iostuff.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_id.h"
#include "rec_stream.h"
#include "vstream.h"
#include "vstring.h"

#define BOUNCE_MAX_ENTRIES 100000 /* recipients read from one log */

static MAIL_QUEUE_CONF bounce_queue_conf;

/* One request's message attributes (FLUSH, WARN, TRACE, ONE). */
typedef struct BOUNCE_REQ {
    int flags;
    VSTRING *queue_name;
    VSTRING *queue_id;
    VSTRING *encoding;
    int smtputf8;
    VSTRING *sender;
    VSTRING *envid;
    int ret;
} BOUNCE_REQ;

static BOUNCE_REQ req;
static BOUNCE_LOG_ENTRY *one_entry;
static VSTRING *why;

/* --- validation --------------------------------------------------------- */

static int bounce_text_ok(const char *text)
{
    for (const unsigned char *cp = (const unsigned char *) text; *cp; cp++)
        if (*cp < ' ' || *cp == 0x7f)
            return 0;
    return 1;
}

static int bounce_req_ok(const char *cmd)
{
    static const char *queues[] = {MAIL_QUEUE_ACTIVE,   MAIL_QUEUE_DEFERRED, MAIL_QUEUE_INCOMING,
                                   MAIL_QUEUE_HOLD,     MAIL_QUEUE_MAILDROP};
    int ok = 0;

    if (!queue_id_ok(vstring_str(req.queue_id))) {
        msg_warn("%s request: bad queue id \"%.40s\"", cmd, vstring_str(req.queue_id));
        return 0;
    }
    for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++)
        ok |= strcmp(vstring_str(req.queue_name), queues[i]) == 0;
    if (!ok) {
        msg_warn("%s: %s request: bad queue name \"%.40s\"", vstring_str(req.queue_id), cmd,
                 vstring_str(req.queue_name));
        return 0;
    }
    if (!bounce_text_ok(vstring_str(req.sender)) || !bounce_text_ok(vstring_str(req.envid))
        || !bounce_text_ok(vstring_str(req.encoding))) {
        msg_warn("%s: %s request: control character in sender, envelope id or encoding",
                 vstring_str(req.queue_id), cmd);
        return 0;
    }
    if (req.ret & ~(DSN_RET_FULL | DSN_RET_HDRS) || req.ret < 0) {
        msg_warn("%s: %s request: bad ret_flags %d", vstring_str(req.queue_id), cmd, req.ret);
        return 0;
    }
    return 1;
}

/* --- appending to a log --------------------------------------------------- */

static int bounce_append_service(const char *service, const char *id, BOUNCE_LOG_ENTRY *e)
{
    static VSTRING *text, *path;
    int fd, rc = 0;

    if (text == 0) {
        text = vstring_alloc(200);
        path = vstring_alloc(100);
    }
    if (!queue_id_ok(id)) {
        msg_warn("append request: bad queue id \"%.40s\"", id);
        return -1;
    }
    vstring_reset(text);
    if (bounce_log_format(text, e, var_backwards_bounce_logfile_compatibility, why) < 0) {
        msg_warn("%s: append request: %s", id, vstring_str(why));
        return -1;
    }
    mail_queue_path(path, &bounce_queue_conf, service, id);
    fd = open(vstring_str(path), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ENOENT && mail_queue_mkdirs(&bounce_queue_conf, service, id) == 0)
        fd = open(vstring_str(path), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0) {
        msg_warn("%s: open %s: %m", id, vstring_str(path));
        return -1;
    }
    /* One write: entries of concurrent appenders never interleave. */
    if (write(fd, vstring_str(text), VSTRING_LEN(text)) != (ssize_t) VSTRING_LEN(text)) {
        msg_warn("%s: write %s: %m", id, vstring_str(path));
        rc = -1;
    } else if (fsync(fd) < 0) {
        msg_warn("%s: fsync %s: %m", id, vstring_str(path));
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {
        msg_warn("%s: close %s: %m", id, vstring_str(path));
        rc = -1;
    }
    return rc;
}

/* --- submitting a DSN to cleanup ----------------------------------------- */

static int bounce_submit(const char *id, const char *env_from, const char *to,
                         BOUNCE_DSN_INFO *info, BOUNCE_LOG_ENTRY **rcpts, int count,
                         BOUNCE_QFILE *qf, VSTRING *new_id)
{
    static VSTRING *text, *msgid, *reason;
    VSTREAM *cl;
    const char *cp, *end, *nl;
    int status = -1;
    struct timespec now;
    struct tm tm;
    char stamp[32];

    if (text == 0) {
        text = vstring_alloc(4096);
        msgid = vstring_alloc(100);
        reason = vstring_alloc(100);
    }
    if ((cl = mail_connect(MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP, BLOCKING)) == 0) {
        msg_warn("%s: connect to %s/%s: %m", id, MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP);
        return -1;
    }
    if (attr_scan_hello(cl, MAIL_PROTO_CLEANUP) < 0
        || attr_scan(cl, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, new_id),
                     ATTR_TYPE_END) != 1
        || !queue_id_ok(vstring_str(new_id))) {
        msg_warn("%s: cleanup service: bad greeting", id);
        vstream_fclose(cl);
        return -1;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
    vstring_sprintf(msgid, "%s.%s@%s", stamp, vstring_str(new_id), var_myhostname);
    info->message_id = vstring_str(msgid);
    vstring_reset(text);
    bounce_dsn_compose(text, info, rcpts, count, qf ? vstring_str(qf->content) : 0,
                       qf ? VSTRING_LEN(qf->content) : 0);

    attr_print(cl, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, CLEANUP_FLAG_MASK_INTERNAL),
               ATTR_TYPE_END);
    rec_vstream_fprintf(cl, REC_TYPE_TIME, "%ld %ld", (long) now.tv_sec, now.tv_nsec / 1000);
    rec_vstream_fprintf(cl, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");
    rec_vstream_fputs(cl, REC_TYPE_FROM, env_from);
    rec_vstream_fputs(cl, REC_TYPE_RCPT, to);
    rec_vstream_put(cl, REC_TYPE_MESG, "", 0);
    for (cp = vstring_str(text), end = vstring_end(text); cp < end; cp = nl + 1) {
        if ((nl = memchr(cp, '\n', (size_t) (end - cp))) == 0)
            nl = end;
        rec_vstream_put(cl, REC_TYPE_NORM, cp, (size_t) (nl - cp));
    }
    rec_vstream_put(cl, REC_TYPE_XTRA, "", 0);
    rec_vstream_put(cl, REC_TYPE_END, "", 0);
    if (vstream_fflush(cl) != 0) {
        msg_warn("%s: send to cleanup service: %m", id);
    } else if (attr_scan(cl, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                         RECV_ATTR_STR(MAIL_ATTR_REASON, reason), ATTR_TYPE_END) != 2) {
        msg_warn("%s: cleanup service: no reply", id);
        status = -1;
    } else if (status != 0) {
        msg_warn("%s: cleanup service refused notification: %s", id,
                 VSTRING_LEN(reason) ? vstring_str(reason) : cleanup_strerror((unsigned) status));
    }
    vstream_fclose(cl);
    return status == 0 ? 0 : -1;
}

/* --- notifications -------------------------------------------------------- */

static int bounce_class_on(const char *name)
{
    const char *cp = var_notify_classes;
    size_t len, want = strlen(name);

    while (*cp) {
        cp += strspn(cp, ", \t\r\n");
        len = strcspn(cp, ", \t\r\n");
        if (len == want && strncasecmp(cp, name, len) == 0)
            return 1;
        cp += len;
    }
    return 0;
}

static int bounce_wanted(int kind, int notify)
{
    if (notify == 0)
        return kind != BOUNCE_DSN_SUCCESS;
    if (notify & DSN_NOTIFY_NEVER)
        return 0;
    switch (kind) {
    case BOUNCE_DSN_FAILURE:
        return (notify & DSN_NOTIFY_FAILURE) != 0;
    case BOUNCE_DSN_DELAY:
        return (notify & DSN_NOTIFY_DELAY) != 0;
    default:
        return 1;
    }
}

/*
 * Send the DSNs of one message for the given entries.  Returns 0 when the
 * sender's DSN (if any) was accepted by cleanup.
 */
static int bounce_notify(int kind, BOUNCE_LOG_ENTRY **entries, int count)
{
    static VSTRING *new_id, *from, *dbl;
    const char *id = vstring_str(req.queue_id);
    const char *sender = vstring_str(req.sender);
    BOUNCE_LOG_ENTRY **mine = (BOUNCE_LOG_ENTRY **) mymalloc_array(count ? count : 1,
                                                                   sizeof(*mine));
    BOUNCE_QFILE qf;
    BOUNCE_DSN_INFO info;
    VSTRING *path = vstring_alloc(100);
    int nmine = 0, rc = 0, have_content;
    const char *what, *pm_rcpt = 0;

    if (new_id == 0) {
        new_id = vstring_alloc(QUEUE_ID_BUFSIZE);
        from = vstring_alloc(100);
        dbl = vstring_alloc(100);
    }
    vstring_sprintf(from, "MAILER-DAEMON@%s", var_myorigin);
    vstring_sprintf(dbl, "%s@%s", var_double_bounce_sender, var_myhostname);
    what = kind == BOUNCE_DSN_DELAY     ? "delay"
           : kind == BOUNCE_DSN_FAILURE ? "non-delivery"
                                        : "delivery status";

    qf.content = vstring_alloc(1000);
    mail_queue_path(path, &bounce_queue_conf, vstring_str(req.queue_name), id);
    have_content = bounce_qfile_read(vstring_str(path), var_bounce_size_limit, &qf, why) == 0;
    if (!have_content && errno != ENOENT)
        msg_warn("%s: %s; the notification goes out without the message", id, vstring_str(why));

    memset(&info, 0, sizeof(info));
    info.kind = kind;
    info.myhostname = var_myhostname;
    info.from = vstring_str(from);
    info.queue_id = id;
    info.sender = sender;
    info.envid = vstring_str(req.envid);
    info.ret = req.ret;
    info.size_limit = var_bounce_size_limit;
    info.content_size = qf.content_size;
    info.arrival = qf.arrival;
    info.now = time((time_t *) 0);
    if (info.arrival) {
        info.retry_until = info.arrival + var_maximal_queue_lifetime;
        info.delay_hours = (int) ((info.now - info.arrival) / 3600);
    }
    info.lifetime_days = var_maximal_queue_lifetime / 86400;

    for (int i = 0; i < count; i++)
        if (bounce_wanted(kind, entries[i]->notify))
            mine[nmine++] = entries[i];

    if (*sender == 0 || strcasecmp(sender, vstring_str(dbl)) == 0) {
        /* Mail from the system itself: never back to its (null) sender. */
        if (strcasecmp(sender, vstring_str(dbl)) == 0) {
            if (kind == BOUNCE_DSN_FAILURE)
                msg_info("%s: undeliverable postmaster notification discarded", id);
        } else if (kind == BOUNCE_DSN_FAILURE && bounce_class_on("2bounce")) {
            pm_rcpt = var_twobounce_notice_recipient;
        } else if (kind == BOUNCE_DSN_FAILURE) {
            msg_info("%s: undeliverable bounce discarded (2bounce is not in notify_classes)",
                     id);
        }
    } else {
        if (nmine > 0) {
            info.to = sender;
            if (bounce_submit(id, "", sender, &info, mine, nmine, have_content ? &qf : 0,
                              new_id) == 0)
                msg_info("%s: sender %s notification: %s", id, what, vstring_str(new_id));
            else
                rc = -1;
        }
        if (kind == BOUNCE_DSN_FAILURE && bounce_class_on("bounce"))
            pm_rcpt = var_bounce_notice_recipient;
        else if (kind == BOUNCE_DSN_DELAY && bounce_class_on("delay"))
            pm_rcpt = var_delay_notice_recipient;
    }
    if (rc == 0 && pm_rcpt && *pm_rcpt && count > 0) {
        info.postmaster = 1;
        info.to = pm_rcpt;
        if (bounce_submit(id, vstring_str(dbl), pm_rcpt, &info, entries, count,
                          have_content ? &qf : 0, new_id) == 0)
            msg_info("%s: postmaster %s notification: %s", id, what, vstring_str(new_id));
        else if (*sender == 0)
            rc = -1; /* the only notification there is: retry */
    }
    vstring_free(qf.content);
    vstring_free(path);
    myfree(mine);
    return rc;
}

/* FLUSH, WARN, TRACE: notify from a log file, then remove it (not WARN). */
static int bounce_flush_log(const char *service, int cmd)
{
    static VSTRING *path;
    const char *id = vstring_str(req.queue_id);
    BOUNCE_LOG_ENTRY **entries = 0;
    int count = 0, avail = 0, rc, kind;
    VSTREAM *fp;
    int fd;

    if (path == 0)
        path = vstring_alloc(100);
    mail_queue_path(path, &bounce_queue_conf, service, id);
    if ((fd = open(vstring_str(path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        if (errno == ENOENT)
            return 0; /* nothing to report */
        msg_warn("%s: open %s: %m", id, vstring_str(path));
        return -1;
    }
    fp = vstream_fdopen(fd, VSTREAM_READ);
    for (;;) {
        BOUNCE_LOG_ENTRY *e = bounce_log_entry_alloc();

        rc = bounce_log_read(fp, e, why);
        if (rc <= 0) {
            bounce_log_entry_free(e);
            if (rc == 0)
                break;
            if (vstream_ferror(fp)) {
                msg_warn("%s: %s: %s", id, vstring_str(path), vstring_str(why));
                break;
            }
            msg_warn("%s: %s: skipping an entry: %s", id, vstring_str(path), vstring_str(why));
            continue;
        }
        /* A defer log read for expiry: the recipients have now failed. */
        if (cmd == BOUNCE_CMD_FLUSH && strcmp(service, MAIL_SERVICE_DEFER) == 0) {
            vstring_strcpy(e->action, "failed");
            if (*vstring_str(e->status) == '4')
                vstring_str(e->status)[0] = '5';
        }
        if (VSTRING_LEN(e->status) == 0)
            vstring_strcpy(e->status, cmd == BOUNCE_CMD_TRACE  ? "2.0.0"
                                      : cmd == BOUNCE_CMD_WARN ? "4.0.0"
                                                               : "5.0.0");
        if (VSTRING_LEN(e->action) == 0)
            vstring_strcpy(e->action, cmd == BOUNCE_CMD_TRACE  ? "delivered"
                                      : cmd == BOUNCE_CMD_WARN ? "delayed"
                                                               : "failed");
        if (count == avail) {
            avail = avail ? 2 * avail : 16;
            entries = (BOUNCE_LOG_ENTRY **) myrealloc_array(entries, (size_t) avail,
                                                            sizeof(*entries));
        }
        entries[count++] = e;
        if (count >= BOUNCE_MAX_ENTRIES) {
            msg_warn("%s: %s: more than %d entries; reporting the first ones", id,
                     vstring_str(path), BOUNCE_MAX_ENTRIES);
            break;
        }
    }
    rc = vstream_ferror(fp) ? -1 : 0;
    vstream_fclose(fp);

    if (rc == 0) {
        kind = cmd == BOUNCE_CMD_WARN    ? BOUNCE_DSN_DELAY
               : cmd == BOUNCE_CMD_TRACE ? ((req.flags & (DEL_REQ_FLAG_RECORD | DEL_REQ_FLAG_USR_VRFY))
                                                ? BOUNCE_DSN_TRACE
                                                : BOUNCE_DSN_SUCCESS)
                                         : BOUNCE_DSN_FAILURE;
        rc = bounce_notify(kind, entries, count);
    }
    if (rc == 0 && cmd != BOUNCE_CMD_WARN && unlink(vstring_str(path)) < 0 && errno != ENOENT) {
        msg_warn("%s: remove %s: %m", id, vstring_str(path));
        rc = -1;
    }
    for (int i = 0; i < count; i++)
        bounce_log_entry_free(entries[i]);
    if (entries)
        myfree(entries);
    return rc;
}

/* --- the service ---------------------------------------------------------- */

#define BOUNCE_RECV_REQ                                                                            \
    RECV_ATTR_INT(MAIL_ATTR_FLAGS, &req.flags), RECV_ATTR_STR(MAIL_ATTR_QUEUE, req.queue_name),   \
        RECV_ATTR_STR(MAIL_ATTR_QUEUEID, req.queue_id),                                            \
        RECV_ATTR_STR(MAIL_ATTR_ENCODING, req.encoding),                                           \
        RECV_ATTR_INT(MAIL_ATTR_SMTPUTF8, &req.smtputf8),                                          \
        RECV_ATTR_STR(MAIL_ATTR_SENDER, req.sender), RECV_ATTR_STR(MAIL_ATTR_DSN_ENVID, req.envid), \
        RECV_ATTR_INT(MAIL_ATTR_DSN_RET, &req.ret)
#define BOUNCE_REQ_COUNT 8

#define BOUNCE_RECV_RCPT(e)                                                                        \
    RECV_ATTR_STR(MAIL_ATTR_ORCPT, (e)->orig_rcpt), RECV_ATTR_STR(MAIL_ATTR_RECIP, (e)->recipient), \
        RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &(e)->offset),                                            \
        RECV_ATTR_STR(MAIL_ATTR_DSN_ORCPT, (e)->dsn_orcpt),                                        \
        RECV_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, &(e)->notify),                                         \
        RECV_ATTR_STR(MAIL_ATTR_DSN_STATUS, (e)->status),                                          \
        RECV_ATTR_STR(MAIL_ATTR_DSN_ACTION, (e)->action), RECV_ATTR_STR(MAIL_ATTR_REASON, (e)->reason), \
        RECV_ATTR_STR(MAIL_ATTR_DSN_DTYPE, (e)->dtype), RECV_ATTR_STR(MAIL_ATTR_DSN_DTEXT, (e)->dtext), \
        RECV_ATTR_STR(MAIL_ATTR_DSN_MTYPE, (e)->mtype), RECV_ATTR_STR(MAIL_ATTR_DSN_MNAME, (e)->mname)
#define BOUNCE_RCPT_COUNT 12

static int bounce_request(VSTREAM *client, const char *service, int cmd)
{
    static VSTRING *scratch;
    int n;

    if (scratch == 0)
        scratch = vstring_alloc(200);
    bounce_log_entry_reset(one_entry);
    switch (cmd) {
    case BOUNCE_CMD_APPEND:
        n = attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &req.flags),
                      RECV_ATTR_STR(MAIL_ATTR_QUEUEID, req.queue_id), BOUNCE_RECV_RCPT(one_entry),
                      ATTR_TYPE_END);
        if (n != 2 + BOUNCE_RCPT_COUNT) {
            msg_warn("malformed append request from %s", vstream_path(client));
            return -2;
        }
        return bounce_append_service(service, vstring_str(req.queue_id), one_entry);
    case BOUNCE_CMD_FLUSH:
    case BOUNCE_CMD_WARN:
    case BOUNCE_CMD_TRACE:
        n = attr_scan(client, ATTR_FLAG_STRICT, BOUNCE_RECV_REQ, ATTR_TYPE_END);
        if (n != BOUNCE_REQ_COUNT) {
            msg_warn("malformed request from %s", vstream_path(client));
            return -2;
        }
        if (!bounce_req_ok(cmd == BOUNCE_CMD_FLUSH  ? "flush"
                           : cmd == BOUNCE_CMD_WARN ? "warn"
                                                    : "trace"))
            return -1;
        if ((cmd == BOUNCE_CMD_FLUSH && strcmp(service, MAIL_SERVICE_TRACE) == 0)
            || (cmd == BOUNCE_CMD_WARN && strcmp(service, MAIL_SERVICE_DEFER) != 0)
            || (cmd == BOUNCE_CMD_TRACE && strcmp(service, MAIL_SERVICE_TRACE) != 0)) {
            msg_warn("%s: request %d is not served by the %s service", vstring_str(req.queue_id),
                     cmd, service);
            return -1;
        }
        return bounce_flush_log(service, cmd);
    case BOUNCE_CMD_ONE:
        n = attr_scan(client, ATTR_FLAG_STRICT, BOUNCE_RECV_REQ, BOUNCE_RECV_RCPT(one_entry),
                      ATTR_TYPE_END);
        if (n != BOUNCE_REQ_COUNT + BOUNCE_RCPT_COUNT) {
            msg_warn("malformed one-recipient request from %s", vstream_path(client));
            return -2;
        }
        if (!bounce_req_ok("one"))
            return -1;
        /* The same checks as a log entry gets. */
        vstring_reset(scratch);
        if (bounce_log_format(scratch, one_entry, 0, why) < 0) {
            msg_warn("%s: one-recipient request: %s", vstring_str(req.queue_id),
                     vstring_str(why));
            return -1;
        }
        return bounce_notify(BOUNCE_DSN_FAILURE, &one_entry, 1);
    default:
        msg_warn("unknown request %d from %s", cmd, vstream_path(client));
        return -2;
    }
}

static void bounce_service(VSTREAM *client, char *service, char **argv)
{
    int cmd, status;

    if (attr_print_hello(client, MAIL_PROTO_BOUNCE) != 0)
        return;
    /* One request per connection, as the clients in bounce.c send it. */
    if (attr_scan(client, ATTR_FLAG_MORE | ATTR_FLAG_MISSING, RECV_ATTR_INT(MAIL_ATTR_NREQ, &cmd),
                  ATTR_TYPE_END) != 1)
        return;
    status = bounce_request(client, service, cmd);
    if (status == -2)
        return; /* protocol error: close without an answer */
    attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status), ATTR_TYPE_END);
    vstream_fflush(client);
}

static void bounce_pre_init(char *service, char **argv)
{
    if (strcmp(service, MAIL_SERVICE_BOUNCE) != 0 && strcmp(service, MAIL_SERVICE_DEFER) != 0
        && strcmp(service, MAIL_SERVICE_TRACE) != 0)
        msg_fatal("service name \"%s\": want %s, %s or %s (it names the log directory)", service,
                  MAIL_SERVICE_BOUNCE, MAIL_SERVICE_DEFER, MAIL_SERVICE_TRACE);
    mail_queue_conf_params(&bounce_queue_conf);
    bounce_queue_conf.queue_dir = 0; /* the skeleton chdir'ed to queue_directory */
    req.queue_name = vstring_alloc(20);
    req.queue_id = vstring_alloc(QUEUE_ID_BUFSIZE);
    req.encoding = vstring_alloc(20);
    req.sender = vstring_alloc(100);
    req.envid = vstring_alloc(100);
    one_entry = bounce_log_entry_alloc();
    why = vstring_alloc(100);
}

int main(int argc, char **argv)
{
    msg_init(argv[0]);
    single_server_main(argc, argv, bounce_service, MAIL_SERVER_PRE_INIT, bounce_pre_init,
                       MAIL_SERVER_END);
}
