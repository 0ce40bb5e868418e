/*
 * qmgr_deliver - send one delivery request to a delivery agent and handle
 * its reply, without blocking the queue manager.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_deliver(entry)
 *       Connect to private/<transport> (non-blocking; a UNIX socket
 *       connects at once or not at all), write the request (PROTOCOLS.md,
 *       "deliver"), and wait on the event loop for the agent's hello and
 *       then its reply, so that a slow destination never holds up others.
 *       Returns QMGR_DELIVER_OK (in flight), QMGR_DELIVER_BUSY (the agent's
 *       listen queue is full: try later) or QMGR_DELIVER_DOWN (no such
 *       service: the transport is unavailable).
 *   qmgr_deliver_format(stream, entry)
 *       Write and flush the request (deliver_request_write): the message's
 *       attributes and the entry's recipients.
 *
 * When the request is finished:
 *   reply DEL_STAT_OK    each recipient's outcome is recorded by the agent;
 *                        recipients still marked 'R' in the queue file were
 *                        deferred by it, so the message goes to deferred/.
 *   reply DEL_STAT_DEFER, a broken connection, a protocol mismatch
 *                        every recipient of the request that is not marked
 *                        done is deferred ("4.3.0 unknown mail transport
 *                        error") and the destination is throttled.
 * Whether a recipient is done is read from its record's type byte in the
 * queue file (one pread for the request when its records are close
 * together): the file, not the agent's word, is what a retry will see.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attr.h"
#include "deliver_request.h"
#include "deliver_request_clnt.h"
#include "events.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "rec_type.h"

int qmgr_deliver_busy;

#define QMGR_DELIVER_HELLO 0
#define QMGR_DELIVER_REPLY 1

#define QMGR_RANGE_MAX (64 * 1024)

typedef struct QMGR_DELIVERY {
    QMGR_ENTRY *entry;
    VSTREAM *stream;
    int state;
} QMGR_DELIVERY;

static const char *qmgr_nn(const char *s)
{
    return s ? s : "";
}

int qmgr_deliver_format(VSTREAM *stream, QMGR_ENTRY *e)
{
    QMGR_MESSAGE *m = e->message;
    DELIVER_REQUEST_SEND req;

    req.flags = m->tflags;
    req.queue_name = MAIL_QUEUE_ACTIVE;
    req.queue_id = m->queue_id;
    req.data_offset = m->data_offset;
    req.data_size = m->data_size;
    req.nexthop = e->nexthop;
    req.encoding = qmgr_nn(m->encoding);
    req.smtputf8 = (int)m->smtputf8;
    req.sender = qmgr_nn(m->sender);
    req.dsn_envid = qmgr_nn(m->dsn_envid);
    req.dsn_ret = m->dsn_ret;
    req.arrival_time = m->arrival_time;
    req.active_arrival = m->active_arrival;
    req.client_name = qmgr_nn(m->client_name);
    req.client_addr = qmgr_nn(m->client_addr);
    req.client_helo = qmgr_nn(m->client_helo);
    req.client_proto = qmgr_nn(m->client_proto);
    req.log_origin = qmgr_nn(m->log_origin);
    req.sasl_method = qmgr_nn(m->sasl_method);
    req.sasl_username = qmgr_nn(m->sasl_username);
    req.sasl_sender = qmgr_nn(m->sasl_sender);
    req.rcpt = e->rcpt_list.info;
    req.rcpt_count = e->rcpt_list.len;
    return deliver_request_write(stream, &req);
}

/* qmgr_deliver_undone - which recipients are still 'R' in the file */
static int qmgr_deliver_undone(QMGR_ENTRY *e, char *undone)
{
    QMGR_MESSAGE *m = e->message;
    RECIPIENT *info = e->rcpt_list.info;
    long lo = info[0].offset;
    long hi = info[0].offset;
    int count = 0;

    for (int i = 1; i < e->rcpt_list.len; i++) {
        if (info[i].offset < lo)
            lo = info[i].offset;
        if (info[i].offset > hi)
            hi = info[i].offset;
    }
    if (hi - lo < QMGR_RANGE_MAX) {
        size_t len = (size_t)(hi - lo + 1);
        char *buf = mymalloc(len);
        ssize_t got = pread(m->fd, buf, len, lo);

        for (int i = 0; i < e->rcpt_list.len; i++) {
            long at = info[i].offset - lo;

            undone[i] = !(got > at && buf[at] != REC_TYPE_RCPT);
            count += undone[i];
        }
        myfree(buf);
    } else {
        for (int i = 0; i < e->rcpt_list.len; i++) {
            char ch;

            undone[i] = !(pread(m->fd, &ch, 1, info[i].offset) == 1 && ch != REC_TYPE_RCPT);
            count += undone[i];
        }
    }
    return count;
}

/* qmgr_deliver_finish - the request is over: account for its outcome */
static void qmgr_deliver_finish(QMGR_DELIVERY *d, int status)
{
    QMGR_ENTRY *e = d->entry;
    QMGR_QUEUE *q = e->queue;
    char *undone = mymalloc((size_t)e->rcpt_list.len);
    int count;

    event_disable_readwrite(vstream_fileno(d->stream));
    (void)vstream_fclose(d->stream);
    myfree(d);
    qmgr_deliver_busy--;

    count = qmgr_deliver_undone(e, undone);
    if (status == DEL_STAT_OK) {
        if (count > 0)
            e->message->deferred = 1;
        if (count < e->rcpt_list.len && q->window < q->transport->dest_limit)
            q->window++;
    } else {
        for (int i = 0; i < e->rcpt_list.len; i++)
            if (undone[i])
                qmgr_defer_recipient(e->message, e->rcpt_list.info + i, QMGR_DEFER_STATUS,
                                     "unknown mail transport error");
    }
    myfree(undone);
    if (status != DEL_STAT_OK) {
        /* The entry is still busy, so the queue cannot go away here. */
        qmgr_queue_throttle(q, "unknown mail transport error");
    }
    /* The loop hook starts the next requests (no recursion from here). */
    qmgr_entry_done(e, 1);
}

static void qmgr_deliver_event(int event, void *context)
{
    QMGR_DELIVERY *d = context;
    int status;

    if (d->state == QMGR_DELIVER_HELLO) {
        if (deliver_request_hello(d->stream) < 0) {
            msg_warn("%s: %s: lost connection to the %s delivery agent",
                     d->entry->message->queue_id, d->entry->queue->transport->name,
                     d->entry->queue->transport->name);
            qmgr_deliver_finish(d, DEL_STAT_DEFER);
            return;
        }
        d->state = QMGR_DELIVER_REPLY;
        if (vstream_peek(d->stream) == 0)
            return;
    }
    if (deliver_request_reply(d->stream, &status) < 0) {
        msg_warn("%s: bad or missing reply from the %s delivery agent",
                 d->entry->message->queue_id, d->entry->queue->transport->name);
        status = DEL_STAT_DEFER;
    } else if (status != DEL_STAT_OK) {
        status = DEL_STAT_DEFER;
    }
    qmgr_deliver_finish(d, status);
}

int qmgr_deliver(QMGR_ENTRY *e)
{
    struct sockaddr_un sun;
    QMGR_DELIVERY *d;
    VSTREAM *stream;
    int fd;
    int n;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", MAIL_CLASS_PRIVATE,
                 e->queue->transport->name);
    if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
        return QMGR_DELIVER_DOWN;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
        msg_warn("socket: %m");
        return QMGR_DELIVER_BUSY;
    }
    while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        int err = errno;

        if (err == EINTR)
            continue;
        close(fd);
        if (err == EAGAIN || err == EWOULDBLOCK || err == EMFILE || err == ENFILE)
            return QMGR_DELIVER_BUSY;
        if (msg_verbose)
            msg_info("connect to %s: %s", sun.sun_path, strerror(err));
        return QMGR_DELIVER_DOWN;
    }
    stream = vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK);
    vstream_set_path(stream, sun.sun_path);
    vstream_set_timeouts(stream, var_qmgr_ipc_timeout * 1000, var_qmgr_ipc_timeout * 1000);
    d = mycalloc(1, sizeof(*d));
    d->entry = e;
    d->stream = stream;
    d->state = QMGR_DELIVER_HELLO;
    qmgr_deliver_busy++;
    if (qmgr_deliver_format(stream, e) < 0) {
        msg_warn("%s: write delivery request to %s: %m", e->message->queue_id, sun.sun_path);
        qmgr_deliver_finish(d, DEL_STAT_DEFER);
        return QMGR_DELIVER_OK;
    }
    event_enable_read(fd, qmgr_deliver_event, d);
    return QMGR_DELIVER_OK;
}
