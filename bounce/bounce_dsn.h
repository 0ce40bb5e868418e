/*
 * bounce_dsn - compose a delivery status notification (RFC 3464) as
 * message text, ready to be sent to cleanup line by line.
 *
 *   bounce_dsn_compose(out, info, rcpts, count, content, content_len)
 *       Append to out the whole message: top-level headers, then a
 *       multipart/report; report-type=delivery-status body with
 *         1. a text/plain explanation (Postern's own words, in the shape
 *            of Postfix's: who reports, what happened, then one
 *            "<recipient>: reason" line per recipient); a postmaster copy
 *            has only a one-line note and the recipient lines;
 *         2. a message/delivery-status part: Reporting-MTA,
 *            Original-Envelope-Id (when known), X-Postfix-Queue-ID,
 *            X-Postfix-Sender, Arrival-Date, then per recipient
 *            Final-Recipient, Original-Recipient (when known), Action,
 *            Status, Remote-MTA and Diagnostic-Code (X-Postfix; reason
 *            when there was no remote diagnostic), Will-Retry-Until for a
 *            delay;
 *         3. the original message (message/rfc822) or its headers
 *            (text/rfc822-headers), chosen by kind, RET and
 *            bounce_size_limit (see below); left out when content is null.
 *       Lines end in "\n".  Nothing here does I/O; the same inputs give
 *       the same bytes (golden tests).
 *
 * The X-Postfix-* field names are kept (not X-Postern-*): they are what
 * log analysers and bounce processors (Mailman, list managers) look for.
 *
 * What is returned: failure DSNs return the whole message when RET=FULL
 * or no RET was given, and the headers with RET=HDRS or when the content
 * is larger than bounce_size_limit (a cut message would be broken MIME);
 * delay warnings the whole message only with RET=FULL; success and trace
 * reports and postmaster copies only the headers.  A Return-Path: header
 * with the original sender is put in front, as Postfix does.
 */
#ifndef POSTERN_BOUNCE_DSN_H
#define POSTERN_BOUNCE_DSN_H

#include <stddef.h>
#include <time.h>

#include "bounce_log.h"
#include "vstring.h"

#define BOUNCE_DSN_FAILURE 1 /* "Undelivered Mail Returned to Sender" */
#define BOUNCE_DSN_DELAY   2 /* "Delayed Mail (still being retried)" */
#define BOUNCE_DSN_SUCCESS 3 /* "Successful Mail Delivery Report" */
#define BOUNCE_DSN_TRACE   4 /* "Mail Delivery Status Report" (sendmail -v) */

typedef struct BOUNCE_DSN_INFO {
    int kind;               /* BOUNCE_DSN_ */
    int postmaster;         /* a postmaster copy */
    const char *myhostname; /* Reporting-MTA, boundary */
    const char *from;       /* From: address ("MAILER-DAEMON@example.com") */
    const char *to;         /* To: address (internal form) */
    const char *queue_id;   /* the original message's id */
    const char *sender;     /* its envelope sender, "" for <> */
    const char *envid;      /* DSN ENVID or "" */
    const char *message_id; /* Message-Id: value without <>, or null */
    int ret;                /* DSN_RET_* or 0 */
    long size_limit;        /* bounce_size_limit */
    size_t content_size;    /* size of the whole original content (the
                             * content passed may be only its headers) */
    time_t arrival;         /* 0: unknown */
    time_t now;
    time_t retry_until;     /* delay: arrival + maximal_queue_lifetime */
    int delay_hours;        /* delay: how long it has been waiting */
    int lifetime_days;      /* delay: how long it will be tried */
} BOUNCE_DSN_INFO;

extern VSTRING *bounce_dsn_compose(VSTRING *out, const BOUNCE_DSN_INFO *info,
                                   BOUNCE_LOG_ENTRY **rcpts, int count, const char *content,
                                   size_t content_len);
extern const char *bounce_dsn_subject(const BOUNCE_DSN_INFO *info);

#endif
