#ifndef POSTERN_MAIL_PROTO_H
#define POSTERN_MAIL_PROTO_H

/*
 * mail_proto - names shared by Postern's processes: services, sockets,
 * attributes, protocol versions and trigger requests.  What each protocol
 * sends is in PROTOCOLS.md beside this file; the wire format of an
 * attribute list is in lib/util/attr.h.
 *
 *   mail_connect(class, name, block)
 *       Connect to the UNIX socket at the RELATIVE path class/name: every
 *       Postern daemon and command chdir()s to queue_directory before it
 *       talks to a service, so the same path works chrooted or not.
 *       Returns a stream with read/write deadlines of ipc_timeout, or NULL
 *       (errno set; nothing logged).
 *   mail_connect_wait(class, name)
 *       Like mail_connect(), but retries (1s apart, logging a warning each
 *       time) for up to ipc_timeout; NULL after that.
 *   mail_trigger(class, name, req, len)
 *       Poke a trigger service (relative path class/name, like
 *       mail_connect): writes the bytes to a fifo or sends them on a UNIX
 *       socket, whichever the endpoint is, within trigger_timeout; -1 on
 *       failure (errno).
 *
 * Service names (master.cf column 1 as Debian ships it) and classes.
 */

#include <stddef.h>

#include "rec_type.h" /* MAIL_ATTR_ names used inside queue files */
#include "vstream.h"

#define MAIL_CLASS_PUBLIC  "public"
#define MAIL_CLASS_PRIVATE "private"

#define MAIL_SERVICE_CLEANUP "cleanup"
#define MAIL_SERVICE_PICKUP  "pickup"
#define MAIL_SERVICE_QUEUE   "qmgr"
#define MAIL_SERVICE_REWRITE "rewrite"
#define MAIL_SERVICE_BOUNCE  "bounce"
#define MAIL_SERVICE_DEFER   "defer"
#define MAIL_SERVICE_TRACE   "trace"
#define MAIL_SERVICE_SHOWQ   "showq"
#define MAIL_SERVICE_LOCAL   "local"
#define MAIL_SERVICE_ERROR   "error"
#define MAIL_SERVICE_RETRY   "retry"
#define MAIL_SERVICE_DISCARD "discard"
#define MAIL_SERVICE_POSTLOG "postlog"
#define MAIL_SERVICE_FLUSH   "flush"

/* Protocol names with their version; see attr_scan_hello(). */
#define MAIL_PROTO_CLEANUP  "cleanup/1"
#define MAIL_PROTO_REWRITE  "rewrite/1"
#define MAIL_PROTO_BOUNCE   "bounce/1"
#define MAIL_PROTO_DELIVER  "deliver/1"
#define MAIL_PROTO_SHOWQ    "showq/1"
#define MAIL_PROTO_POSTDROP "postdrop/1"

/* Trigger requests (one byte each; several may arrive in one read). */
#define TRIGGER_REQ_WAKEUP     'W' /* anything new? (master's wakeup) */
#define QMGR_REQ_SCAN_INCOMING 'I' /* scan incoming/ now */
#define QMGR_REQ_SCAN_DEFERRED 'D' /* scan deferred/ now */
#define QMGR_REQ_SCAN_ALL      'A' /* ignore deferred/ file times */
#define QMGR_REQ_FLUSH_DEAD    'F' /* forget dead-destination state */

/* Attribute names on the wire (besides the MAIL_ATTR_ of rec_type.h). */
#define MAIL_ATTR_REQ          "request"
#define MAIL_ATTR_NREQ         "nrequest"
#define MAIL_ATTR_STATUS       "status"
#define MAIL_ATTR_REASON       "reason"
#define MAIL_ATTR_FLAGS        "flags"
#define MAIL_ATTR_QUEUE        "queue_name"
#define MAIL_ATTR_QUEUEID      "queue_id"
#define MAIL_ATTR_SENDER       "sender"
#define MAIL_ATTR_RECIP        "recipient"
#define MAIL_ATTR_ORCPT        "original_recipient"
#define MAIL_ATTR_OFFSET       "offset"
#define MAIL_ATTR_SIZE         "size"
#define MAIL_ATTR_TIME         "time"
#define MAIL_ATTR_NEXTHOP      "nexthop"
#define MAIL_ATTR_TRANSPORT    "transport"
#define MAIL_ATTR_ADDR         "address"
#define MAIL_ATTR_RULE         "rule"
#define MAIL_ATTR_RCPT_COUNT   "recipient_count"
#define MAIL_ATTR_SMTPUTF8     "smtputf8"
#define MAIL_ATTR_ARRIVAL      "arrival_time"
#define MAIL_ATTR_ACT_ARRIVAL  "active_arrival"
/* DSN attributes (a DSN is status, action, reason plus diagnostic/MTA). */
#define MAIL_ATTR_DSN_STATUS   "status_code"
#define MAIL_ATTR_DSN_ACTION   "action"
#define MAIL_ATTR_DSN_DTYPE    "diag_type"
#define MAIL_ATTR_DSN_DTEXT    "diag_text"
#define MAIL_ATTR_DSN_MTYPE    "mta_type"
#define MAIL_ATTR_DSN_MNAME    "mta_name"
/* Values of the encoding attribute (as in queue files); added by ipc. */
#define MAIL_ATTR_ENC_8BIT "8BITMIME"
#define MAIL_ATTR_ENC_7BIT "7BIT"
#define MAIL_ATTR_ENC_NONE ""
/* Client information that travels with a delivery request. */
#define MAIL_ATTR_LOG_CLIENT_NAME "log_client_name"
#define MAIL_ATTR_LOG_CLIENT_ADDR "log_client_address"
#define MAIL_ATTR_LOG_HELO_NAME   "log_helo_name"
#define MAIL_ATTR_LOG_PROTO_NAME  "log_protocol_name"
#define MAIL_ATTR_LOG_ORIGIN      "log_message_origin"
#define MAIL_ATTR_SASL_METHOD     "sasl_method"
#define MAIL_ATTR_SASL_USERNAME   "sasl_username"
#define MAIL_ATTR_SASL_SENDER     "sasl_sender"

extern VSTREAM *mail_connect(const char *class, const char *name, int block);
extern VSTREAM *mail_connect_wait(const char *class, const char *name);
extern int mail_trigger(const char *class, const char *name, const char *req, size_t len);

#endif
