/*
 * deliver_request_clnt - qmgr's side of the "deliver" protocol (see
 * deliver_request_clnt.h and PROTOCOLS.md).
 *
 * The request and its recipients are buffered and go out with one flush.
 * The reply is read strictly and its value checked: anything but
 * DEL_STAT_OK or DEL_STAT_DEFER from an agent is a protocol error, which
 * the caller treats like a broken connection (defer what is not done).
 */
#include "deliver_request_clnt.h"

#include "attr.h"
#include "deliver_request.h"
#include "mail_proto.h"
#include "msg.h"

static long deliver_request_us(const struct timeval *tv)
{
    return (long)tv->tv_sec * 1000000L + (long)tv->tv_usec;
}

int deliver_request_hello(VSTREAM *agent)
{
    return attr_scan_hello(agent, MAIL_PROTO_DELIVER);
}

int deliver_request_write(VSTREAM *agent, const DELIVER_REQUEST_SEND *req)
{
    if (req->rcpt_count < 1 || req->rcpt == 0) {
        msg_warn("%s: %s: delivery request without recipients", vstream_path(agent), req->queue_id);
        return -1;
    }
    if (attr_print(agent, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, req->flags),
                   SEND_ATTR_STR(MAIL_ATTR_QUEUE, req->queue_name),
                   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, req->queue_id),
                   SEND_ATTR_LONG(MAIL_ATTR_OFFSET, req->data_offset),
                   SEND_ATTR_LONG(MAIL_ATTR_SIZE, req->data_size),
                   SEND_ATTR_STR(MAIL_ATTR_NEXTHOP, req->nexthop),
                   SEND_ATTR_STR(MAIL_ATTR_ENCODING, req->encoding),
                   SEND_ATTR_INT(MAIL_ATTR_SMTPUTF8, req->smtputf8),
                   SEND_ATTR_STR(MAIL_ATTR_SENDER, req->sender),
                   SEND_ATTR_STR(MAIL_ATTR_DSN_ENVID, req->dsn_envid),
                   SEND_ATTR_INT(MAIL_ATTR_DSN_RET, req->dsn_ret),
                   SEND_ATTR_LONG(MAIL_ATTR_ARRIVAL, deliver_request_us(&req->arrival_time)),
                   SEND_ATTR_LONG(MAIL_ATTR_ACT_ARRIVAL, deliver_request_us(&req->active_arrival)),
                   SEND_ATTR_STR(MAIL_ATTR_LOG_CLIENT_NAME, req->client_name),
                   SEND_ATTR_STR(MAIL_ATTR_LOG_CLIENT_ADDR, req->client_addr),
                   SEND_ATTR_STR(MAIL_ATTR_LOG_HELO_NAME, req->client_helo),
                   SEND_ATTR_STR(MAIL_ATTR_LOG_PROTO_NAME, req->client_proto),
                   SEND_ATTR_STR(MAIL_ATTR_LOG_ORIGIN, req->log_origin),
                   SEND_ATTR_STR(MAIL_ATTR_SASL_METHOD, req->sasl_method),
                   SEND_ATTR_STR(MAIL_ATTR_SASL_USERNAME, req->sasl_username),
                   SEND_ATTR_STR(MAIL_ATTR_SASL_SENDER, req->sasl_sender),
                   SEND_ATTR_INT(MAIL_ATTR_RCPT_COUNT, req->rcpt_count), ATTR_TYPE_END) < 0)
        return -1;
    for (int i = 0; i < req->rcpt_count; i++) {
        const RECIPIENT *rp = req->rcpt + i;

        if (attr_print(agent, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_ORCPT, rp->orig_addr),
                       SEND_ATTR_STR(MAIL_ATTR_RECIP, rp->address),
                       SEND_ATTR_LONG(MAIL_ATTR_OFFSET, rp->offset),
                       SEND_ATTR_STR(MAIL_ATTR_DSN_ORCPT, rp->dsn_orcpt),
                       SEND_ATTR_INT(MAIL_ATTR_DSN_NOTIFY, rp->dsn_notify), ATTR_TYPE_END) < 0)
            return -1;
    }
    return vstream_fflush(agent) == 0 ? 0 : -1;
}

int deliver_request_send(VSTREAM *agent, const DELIVER_REQUEST_SEND *req)
{
    if (deliver_request_hello(agent) < 0)
        return -1;
    return deliver_request_write(agent, req);
}

int deliver_request_reply(VSTREAM *agent, int *status)
{
    int st;

    if (attr_scan(agent, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &st), ATTR_TYPE_END) !=
        1)
        return -1;
    if (st != DEL_STAT_OK && st != DEL_STAT_DEFER) {
        msg_warn("%s: bad delivery status %d from agent", vstream_path(agent), st);
        return -1;
    }
    *status = st;
    return 0;
}
