/*
 * deliver_request - the delivery agent's side of the "deliver" protocol
 * (PROTOCOLS.md; interface in deliver_request.h).
 *
 * deliver_request_read() sends the hello, reads the request list and the
 * recipient lists strictly (every attribute, nothing else), and checks
 * every value before anything is opened:
 *
 *   flags            only DEL_REQ_FLAG_ bits
 *   queue_name       a message queue: active, incoming, deferred or hold
 *   queue_id         file-name safe (queue_id_ok)
 *   offset, size     content offset > 0, size >= 0, no overflow
 *   encoding         "", "7BIT" or "8BITMIME"
 *   smtputf8         >= 0
 *   ret_flags        0, DSN_RET_FULL or DSN_RET_HDRS
 *   arrival times    >= 0 microseconds
 *   recipient_count  1..DELIVER_REQUEST_MAX_RCPT
 *   each recipient   a non-empty address, offset > 0, notify_flags within
 *                    DSN_NOTIFY_NEVER | DSN_NOTIFY_ANY
 *
 * A malformed request is logged ("warning: <stream>: bad delivery request:
 * ...") and read as NULL: the agent drops the connection and qmgr defers.
 *
 * The queue file is opened read-write at mail_queue_path(queue_name,
 * queue_id) relative to the current directory (agents run in
 * queue_directory; hashed queues are honoured), with O_NOFOLLOW, and must
 * be a regular file that holds the content and every recipient offset.
 * The agent takes a shared flock() on it, without waiting, so that a tool
 * that takes an exclusive lock can tell the file is being delivered.  Any
 * failure here is logged and leaves fp NULL: the agent then defers every
 * recipient.
 *
 * msg_stats: incoming_arrival and active_arrival come from the request,
 * agent_handoff is the time the request was read.
 */
#include "deliver_request.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "attr.h"
#include "dsn.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "msg.h"
#include "myflock.h"
#include "mymalloc.h"
#include "queue_id.h"

#define DELIVER_REQUEST_MAX_RCPT 100000
#define DEL_REQ_FLAG_KNOWN                                                                         \
    (DEL_REQ_FLAG_MTA_VRFY | DEL_REQ_FLAG_USR_VRFY | DEL_REQ_FLAG_RECORD |                         \
     DEL_REQ_FLAG_CONN_LOAD | DEL_REQ_FLAG_SUCCESS)

static const char *const deliver_request_queues[] = {
    MAIL_QUEUE_ACTIVE, MAIL_QUEUE_INCOMING, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD, 0,
};

static int deliver_request_queue_ok(const char *name)
{
    for (const char *const *cp = deliver_request_queues; *cp; cp++)
        if (strcmp(*cp, name) == 0)
            return 1;
    return 0;
}

static void deliver_request_us_to_tv(struct timeval *tv, long us)
{
    tv->tv_sec = us / 1000000;
    tv->tv_usec = us % 1000000;
}

static void deliver_request_free(DELIVER_REQUEST *request)
{
    if (request->fp)
        vstream_fclose(request->fp);
    myfree(request->queue_name);
    myfree(request->queue_id);
    myfree(request->nexthop);
    myfree(request->encoding);
    myfree(request->sender);
    myfree(request->dsn_envid);
    myfree(request->client_name);
    myfree(request->client_addr);
    myfree(request->client_helo);
    myfree(request->client_proto);
    myfree(request->sasl_method);
    myfree(request->sasl_username);
    myfree(request->sasl_sender);
    myfree(request->log_origin);
    recipient_list_free(&request->rcpt_list);
    myfree(request);
}

/* deliver_request_open - open and check the queue file; fp stays NULL on failure */

static void deliver_request_open(DELIVER_REQUEST *request, long max_offset)
{
    static VSTRING *path;
    MAIL_QUEUE_CONF conf;
    struct stat st;
    int fd;

    if (path == 0)
        path = vstring_alloc(100);
    mail_queue_conf_params(&conf);
    conf.queue_dir = 0; /* relative to the current directory */
    mail_queue_path(path, &conf, request->queue_name, request->queue_id);
    if ((fd = open(vstring_str(path), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
        msg_warn("%s: open %s: %m", request->queue_id, vstring_str(path));
        return;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        msg_warn("%s: %s is not a regular file", request->queue_id, vstring_str(path));
        close(fd);
        return;
    }
    if (request->data_offset > st.st_size ||
        request->data_size > st.st_size - request->data_offset || max_offset >= st.st_size) {
        msg_warn("%s: %s: request offsets lie beyond the end of the file (%ld bytes)",
                 request->queue_id, vstring_str(path), (long)st.st_size);
        close(fd);
        return;
    }
    if (myflock(fd, MYFLOCK_STYLE_FLOCK, MYFLOCK_OP_SHARED | MYFLOCK_OP_NOWAIT) < 0) {
        msg_warn("%s: shared lock %s: %m", request->queue_id, vstring_str(path));
        close(fd);
        return;
    }
    /* Back to blocking mode: a regular file never waits, and vstream expects it. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    request->fp = vstream_fdopen(fd, VSTREAM_RDWR);
    vstream_set_path(request->fp, vstring_str(path));
}

/* deliver_request_bad - log why a request is refused */

static DELIVER_REQUEST *deliver_request_bad(VSTREAM *client, DELIVER_REQUEST *request,
                                            const char *why)
{
    msg_warn("%s: bad delivery request: %s", vstream_path(client), why);
    deliver_request_free(request);
    return 0;
}

DELIVER_REQUEST *deliver_request_read(VSTREAM *client)
{
    VSTRING *queue_name = vstring_alloc(20);
    VSTRING *queue_id = vstring_alloc(20);
    VSTRING *nexthop = vstring_alloc(50);
    VSTRING *encoding = vstring_alloc(10);
    VSTRING *sender = vstring_alloc(50);
    VSTRING *envid = vstring_alloc(10);
    VSTRING *client_name = vstring_alloc(50);
    VSTRING *client_addr = vstring_alloc(50);
    VSTRING *client_helo = vstring_alloc(50);
    VSTRING *client_proto = vstring_alloc(10);
    VSTRING *log_origin = vstring_alloc(10);
    VSTRING *sasl_method = vstring_alloc(10);
    VSTRING *sasl_username = vstring_alloc(10);
    VSTRING *sasl_sender = vstring_alloc(10);
    VSTRING *orcpt = vstring_alloc(50);
    VSTRING *rcpt = vstring_alloc(50);
    VSTRING *dsn_orcpt = vstring_alloc(50);
    DELIVER_REQUEST *request = 0;
    int flags, smtputf8, dsn_ret, rcpt_count;
    long data_offset, data_size, arrival, active;
    const char *why = 0;

    if (attr_print_hello(client, MAIL_PROTO_DELIVER) < 0)
        goto out;
    if (attr_scan(
            client, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &flags),
            RECV_ATTR_STR(MAIL_ATTR_QUEUE, queue_name), RECV_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id),
            RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &data_offset),
            RECV_ATTR_LONG(MAIL_ATTR_SIZE, &data_size), RECV_ATTR_STR(MAIL_ATTR_NEXTHOP, nexthop),
            RECV_ATTR_STR(MAIL_ATTR_ENCODING, encoding),
            RECV_ATTR_INT(MAIL_ATTR_SMTPUTF8, &smtputf8), RECV_ATTR_STR(MAIL_ATTR_SENDER, sender),
            RECV_ATTR_STR(MAIL_ATTR_DSN_ENVID, envid), RECV_ATTR_INT(MAIL_ATTR_DSN_RET, &dsn_ret),
            RECV_ATTR_LONG(MAIL_ATTR_ARRIVAL, &arrival),
            RECV_ATTR_LONG(MAIL_ATTR_ACT_ARRIVAL, &active),
            RECV_ATTR_STR(MAIL_ATTR_LOG_CLIENT_NAME, client_name),
            RECV_ATTR_STR(MAIL_ATTR_LOG_CLIENT_ADDR, client_addr),
            RECV_ATTR_STR(MAIL_ATTR_LOG_HELO_NAME, client_helo),
            RECV_ATTR_STR(MAIL_ATTR_LOG_PROTO_NAME, client_proto),
            RECV_ATTR_STR(MAIL_ATTR_LOG_ORIGIN, log_origin),
            RECV_ATTR_STR(MAIL_ATTR_SASL_METHOD, sasl_method),
            RECV_ATTR_STR(MAIL_ATTR_SASL_USERNAME, sasl_username),
            RECV_ATTR_STR(MAIL_ATTR_SASL_SENDER, sasl_sender),
            RECV_ATTR_INT(MAIL_ATTR_RCPT_COUNT, &rcpt_count), ATTR_TYPE_END) != 22) {
        if (!vstream_feof(client) || VSTRING_LEN(queue_name) > 0)
            msg_warn("%s: bad delivery request: malformed or incomplete attribute list",
                     vstream_path(client));
        goto out;
    }

    request = mycalloc(1, sizeof(*request));
    request->fp = 0;
    request->flags = flags;
    request->queue_name = mystrdup(vstring_str(queue_name));
    request->queue_id = mystrdup(vstring_str(queue_id));
    request->data_offset = data_offset;
    request->data_size = data_size;
    request->nexthop = mystrdup(vstring_str(nexthop));
    request->encoding = mystrdup(vstring_str(encoding));
    request->smtputf8 = smtputf8;
    request->sender = mystrdup(vstring_str(sender));
    request->dsn_envid = mystrdup(vstring_str(envid));
    request->dsn_ret = dsn_ret;
    request->client_name = mystrdup(vstring_str(client_name));
    request->client_addr = mystrdup(vstring_str(client_addr));
    request->client_helo = mystrdup(vstring_str(client_helo));
    request->client_proto = mystrdup(vstring_str(client_proto));
    request->sasl_method = mystrdup(vstring_str(sasl_method));
    request->sasl_username = mystrdup(vstring_str(sasl_username));
    request->sasl_sender = mystrdup(vstring_str(sasl_sender));
    request->log_origin = mystrdup(vstring_str(log_origin));
    recipient_list_init(&request->rcpt_list);

    if (flags & ~DEL_REQ_FLAG_KNOWN)
        why = "unknown flags";
    else if (!deliver_request_queue_ok(request->queue_name))
        why = "unknown queue name";
    else if (!queue_id_ok(request->queue_id))
        why = "bad queue id";
    else if (data_offset <= 0 || data_size < 0)
        why = "bad content offset or size";
    else if (*request->encoding && strcmp(request->encoding, MAIL_ATTR_ENC_7BIT) != 0 &&
             strcmp(request->encoding, MAIL_ATTR_ENC_8BIT) != 0)
        why = "bad encoding";
    else if (smtputf8 < 0)
        why = "bad smtputf8 flags";
    else if (dsn_ret != 0 && dsn_ret != DSN_RET_FULL && dsn_ret != DSN_RET_HDRS)
        why = "bad ret_flags";
    else if (arrival < 0 || active < 0)
        why = "bad arrival time";
    else if (rcpt_count < 1 || rcpt_count > DELIVER_REQUEST_MAX_RCPT)
        why = "bad recipient count";
    if (why) {
        request = deliver_request_bad(client, request, why);
        goto out;
    }

    long max_offset = 0;
    for (int i = 0; i < rcpt_count; i++) {
        long offset;
        int notify;

        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_ORCPT, orcpt),
                      RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
                      RECV_ATTR_LONG(MAIL_ATTR_OFFSET, &offset),
                      RECV_ATTR_STR(MAIL_ATTR_DSN_ORCPT, dsn_orcpt),
                      RECV_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, &notify), ATTR_TYPE_END) != 5) {
            request = deliver_request_bad(client, request, "malformed or missing recipient");
            goto out;
        }
        if (VSTRING_LEN(rcpt) == 0)
            why = "empty recipient";
        else if (offset <= 0)
            why = "bad recipient offset";
        else if (notify & ~(DSN_NOTIFY_NEVER | DSN_NOTIFY_ANY))
            why = "bad notify_flags";
        if (why) {
            request = deliver_request_bad(client, request, why);
            goto out;
        }
        if (offset > max_offset)
            max_offset = offset;
        recipient_list_add(&request->rcpt_list, offset, vstring_str(dsn_orcpt), notify,
                           vstring_str(orcpt), vstring_str(rcpt));
    }

    deliver_request_us_to_tv(&request->msg_stats.incoming_arrival, arrival);
    deliver_request_us_to_tv(&request->msg_stats.active_arrival, active);
    gettimeofday(&request->msg_stats.agent_handoff, 0);
    deliver_request_open(request, max_offset);

out:
    vstring_free(queue_name);
    vstring_free(queue_id);
    vstring_free(nexthop);
    vstring_free(encoding);
    vstring_free(sender);
    vstring_free(envid);
    vstring_free(client_name);
    vstring_free(client_addr);
    vstring_free(client_helo);
    vstring_free(client_proto);
    vstring_free(log_origin);
    vstring_free(sasl_method);
    vstring_free(sasl_username);
    vstring_free(sasl_sender);
    vstring_free(orcpt);
    vstring_free(rcpt);
    vstring_free(dsn_orcpt);
    return request;
}

int deliver_request_done(VSTREAM *client, DELIVER_REQUEST *request, int status)
{
    int ret;

    if (status != DEL_STAT_OK && status != DEL_STAT_DEFER)
        msg_panic("deliver_request_done: bad status %d", status);
    ret =
        attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status), ATTR_TYPE_END);
    if (ret == 0 && vstream_fflush(client) != 0)
        ret = -1;
    if (ret < 0)
        msg_warn("%s: %s: cannot send the delivery status: %m", vstream_path(client),
                 request->queue_id);
    deliver_request_free(request);
    return ret;
}
