#ifndef POSTERN_DELIVER_REQUEST_H
#define POSTERN_DELIVER_REQUEST_H

/*
 * deliver_request - the delivery agent's side of the qmgr -> agent protocol
 * (PROTOCOLS.md, "deliver").  Used by local, error, discard, and later smtp,
 * lmtp, pipe, virtual.
 *
 *   deliver_request_read(client)
 *       Send the hello, read one request and open its queue file (read-
 *       write, at the request's queue_name/queue_id, relative to the
 *       current directory: agents run with cwd = queue_directory).  Returns
 *       the request, or NULL when the client went away or sent something
 *       malformed (logged).  A request whose queue file cannot be opened is
 *       still returned with fp == NULL: the agent defers every recipient
 *       ("4.3.0 cannot open queue file").
 *   deliver_request_done(client, request, status)
 *       Send the reply (status: 0 = every recipient's outcome is recorded;
 *       DEL_STAT_DEFER = the agent could not record some outcome, qmgr must
 *       defer whatever is not marked done), close the queue file, free the
 *       request.  Returns 0, or -1 when the reply could not be sent.
 *
 * The agent records each recipient's outcome itself, before replying:
 *   delivered:  sent() then deliver_completed()
 *   bounced:    bounce_append() then, if it returned 0, deliver_completed()
 *   deferred:   defer_append() (the recipient stays in the queue file)
 * (bounce.h).
 */

#include "msg_stats.h"
#include "recipient.h"
#include "vstream.h"
#include "vstring.h"

/* Request flags (qmgr -> agent). */
#define DEL_REQ_FLAG_DEFLT    0
#define DEL_REQ_FLAG_MTA_VRFY (1 << 8)  /* address verification, MTA side */
#define DEL_REQ_FLAG_USR_VRFY (1 << 9)  /* sendmail -bv */
#define DEL_REQ_FLAG_RECORD   (1 << 10) /* sendmail -v: record in trace log */
#define DEL_REQ_FLAG_CONN_LOAD (1 << 11)
#define DEL_REQ_FLAG_SUCCESS  (1 << 12) /* DSN NOTIFY=SUCCESS seen somewhere */

/* Reply status (agent -> qmgr). */
#define DEL_STAT_OK    0
#define DEL_STAT_DEFER (1 << 0)

typedef struct DELIVER_REQUEST {
    VSTREAM *fp;          /* the queue file, open read-write, or NULL */
    int flags;            /* DEL_REQ_FLAG_ */
    char *queue_name;     /* "active" */
    char *queue_id;
    long data_offset;     /* where the message content (after M) starts */
    long data_size;       /* content bytes */
    char *nexthop;        /* the resolver's nexthop, e.g. "example.com" */
    char *encoding;       /* "7BIT", "8BITMIME" or "" */
    int smtputf8;
    char *sender;         /* "" for the null sender */
    char *dsn_envid;
    int dsn_ret;          /* DSN_RET_ or 0 */
    MSG_STATS msg_stats;
    RECIPIENT_LIST rcpt_list;
    char *client_name;    /* the client that sent the mail, for logging */
    char *client_addr;
    char *client_helo;
    char *client_proto;
    char *sasl_method;
    char *sasl_username;
    char *sasl_sender;
    char *log_origin;     /* "local", "127.0.0.1"... */
} DELIVER_REQUEST;

extern DELIVER_REQUEST *deliver_request_read(VSTREAM *client);
extern int deliver_request_done(VSTREAM *client, DELIVER_REQUEST *request, int status);

#endif
