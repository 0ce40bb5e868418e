#ifndef POSTERN_DELIVER_REQUEST_CLNT_H
#define POSTERN_DELIVER_REQUEST_CLNT_H

/*
 * deliver_request_clnt - qmgr's side of the "deliver" protocol
 * (PROTOCOLS.md).  The agent's side is deliver_request.h.
 *
 * qmgr fills a DELIVER_REQUEST_SEND (strings are borrowed; none may be
 * NULL, use "" for "none") and, on a stream from mail_connect(MAIL_CLASS_
 * PRIVATE, transport, ...):
 *
 *   deliver_request_hello(agent)
 *       read and check the agent's hello ("deliver/1"); 0 or -1 (logged).
 *       An event-driven caller calls this when the stream is readable.
 *   deliver_request_write(agent, req)
 *       write the request list and one list per recipient, and flush;
 *       0, or -1 when the stream failed (or, logged, when req is unusable:
 *       no recipients, a value too long for the protocol).
 *   deliver_request_send(agent, req)
 *       deliver_request_hello() then deliver_request_write().
 *   deliver_request_reply(agent, &status)
 *       read the agent's {status}: 0 and status DEL_STAT_OK or
 *       DEL_STAT_DEFER, or -1 when the agent went away, timed out or sent
 *       anything else (logged, except a plain end of file).  On -1 qmgr
 *       defers every recipient of the request that is not marked done.
 *
 * Times travel as microseconds since the epoch.
 */

#include <sys/time.h>

#include "recipient.h"
#include "vstream.h"

typedef struct DELIVER_REQUEST_SEND {
    int flags;              /* DEL_REQ_FLAG_ */
    const char *queue_name; /* "active" */
    const char *queue_id;
    long data_offset; /* content start: the byte after M */
    long data_size;   /* content length */
    const char *nexthop;
    const char *encoding; /* "", "7BIT", "8BITMIME" */
    int smtputf8;
    const char *sender; /* "" for the null sender */
    const char *dsn_envid;
    int dsn_ret;                   /* DSN_RET_ or 0 */
    struct timeval arrival_time;   /* when the message arrived */
    struct timeval active_arrival; /* when it entered the active queue */
    const char *client_name;
    const char *client_addr;
    const char *client_helo;
    const char *client_proto;
    const char *log_origin;
    const char *sasl_method;
    const char *sasl_username;
    const char *sasl_sender;
    const RECIPIENT *rcpt; /* rcpt_count entries */
    int rcpt_count;
} DELIVER_REQUEST_SEND;

extern int deliver_request_hello(VSTREAM *agent);
extern int deliver_request_write(VSTREAM *agent, const DELIVER_REQUEST_SEND *req);
extern int deliver_request_send(VSTREAM *agent, const DELIVER_REQUEST_SEND *req);
extern int deliver_request_reply(VSTREAM *agent, int *status);

#endif
