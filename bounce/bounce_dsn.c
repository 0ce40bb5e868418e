/*
 * bounce_dsn - compose RFC 3464 delivery status notifications; see
 * bounce_dsn.h.  The explanation texts are Postern's own.
 */
#include <string.h>

#include "bounce_dsn.h"
#include "dsn.h"
#include "mail_date.h"
#include "quote_822_local.h"
#include "stringops.h"

#define BOUNCE_DSN_WRAP 76 /* Diagnostic-Code lines are folded before this */

const char *bounce_dsn_subject(const BOUNCE_DSN_INFO *info)
{
    if (info->postmaster)
        return info->kind == BOUNCE_DSN_DELAY ? "Postmaster Warning: Delayed Mail"
                                              : "Postmaster Copy: Undelivered Mail";
    switch (info->kind) {
    case BOUNCE_DSN_DELAY:
        return "Delayed Mail (still being retried)";
    case BOUNCE_DSN_SUCCESS:
        return "Successful Mail Delivery Report";
    case BOUNCE_DSN_TRACE:
        return "Mail Delivery Status Report";
    case BOUNCE_DSN_FAILURE:
    default:
        return "Undelivered Mail Returned to Sender";
    }
}

static void bounce_dsn_explain(VSTRING *out, const BOUNCE_DSN_INFO *info)
{
    if (info->postmaster) {
        vstring_sprintf_append(out,
                               "Postmaster copy: delivery report for message %s from <%s>.\n\n",
                               info->queue_id, info->sender);
        return;
    }
    vstring_sprintf_append(out, "This is the mail system at host %s.\n\n", info->myhostname);
    switch (info->kind) {
    case BOUNCE_DSN_DELAY:
        vstring_sprintf_append(
            out,
            "*** This is a warning only: you do not need to send your message again. ***\n"
            "\n"
            "Your message has been waiting for delivery for %d hour(s).  The mail\n"
            "system will keep trying to deliver it until it is %d day(s) old.\n"
            "\n"
            "If you need help, please write to postmaster and include this\n"
            "report; you may leave your own text out of the attached message.\n",
            info->delay_hours, info->lifetime_days);
        break;
    case BOUNCE_DSN_SUCCESS:
        vstring_strcat(out,
                       "Your message was delivered to the recipient(s) listed below.  When\n"
                       "it went into a mailbox, this is the last you will hear of it; when\n"
                       "it was passed on to another system, that system may still report\n"
                       "problems to you.\n");
        break;
    case BOUNCE_DSN_TRACE:
        vstring_strcat(out, "You asked for a report on the delivery of your message.  The\n"
                            "status of each recipient is listed below.\n");
        break;
    case BOUNCE_DSN_FAILURE:
    default:
        vstring_strcat(out,
                       "Your message could not be delivered to one or more of its\n"
                       "recipients; the reasons are listed below.  Your message is\n"
                       "returned with this report.\n"
                       "\n"
                       "If you need help, please write to postmaster and include this\n"
                       "report; you may leave your own text out of the returned message.\n");
        break;
    }
    vstring_strcat(out, "\n                   The mail system\n\n");
}

/* "Name: value" folded at a space so that lines stay within
 * BOUNCE_DSN_WRAP columns where the words allow; continuation lines start
 * with four spaces. */
static void bounce_dsn_folded(VSTRING *out, const char *name, const char *value)
{
    size_t col = strlen(name) + 2;
    const char *cp = value;
    int first = 1;

    vstring_sprintf_append(out, "%s: ", name);
    for (;;) {
        size_t word = strcspn(cp, " ");

        if (!first) {
            if (word > 0 && col + 1 + word > BOUNCE_DSN_WRAP) {
                vstring_strcat(out, "\n    ");
                col = 4;
            } else {
                vstring_addch(out, ' ');
                col++;
            }
        }
        vstring_strncat(out, cp, word);
        col += word;
        cp += word;
        first = 0;
        if (*cp == 0)
            break;
        cp++; /* the space */
    }
    vstring_addch(out, '\n');
}

/* Headers of content: up to (not including) the first empty line. */
static size_t bounce_dsn_header_len(const char *content, size_t len)
{
    const char *cp = content, *end = content + len;

    while (cp < end) {
        const char *nl = memchr(cp, '\n', (size_t) (end - cp));

        if (nl == cp)
            return (size_t) (cp - content);
        if (nl == 0)
            return len;
        cp = nl + 1;
    }
    return len;
}

static void bounce_dsn_text(VSTRING *out, const char *text, size_t len)
{
    vstring_memcat(out, text, len);
    if (len > 0 && text[len - 1] != '\n')
        vstring_addch(out, '\n');
}

VSTRING *bounce_dsn_compose(VSTRING *out, const BOUNCE_DSN_INFO *info, BOUNCE_LOG_ENTRY **rcpts,
                            int count, const char *content, size_t content_len)
{
    VSTRING *boundary = vstring_alloc(100);
    VSTRING *tmp = vstring_alloc(100);
    const char *b;
    int full;

    vstring_sprintf(boundary, "%s.%ld/%s", info->queue_id, (long) info->now, info->myhostname);
    b = vstring_str(boundary);

    /* Top-level headers. */
    vstring_sprintf_append(out, "Date: %s\n", mail_date(info->now));
    vstring_sprintf_append(out, "From: Mail Delivery System <%s>\n", info->from);
    vstring_sprintf_append(out, "Subject: %s\n", bounce_dsn_subject(info));
    quote_822_local_flags(tmp, info->to, QUOTE_FLAG_NONE);
    vstring_sprintf_append(out, "To: %s\n", vstring_str(tmp));
    vstring_sprintf_append(out, "Auto-Submitted: %s\n",
                           info->postmaster ? "auto-generated" : "auto-replied");
    if (info->message_id)
        vstring_sprintf_append(out, "Message-Id: <%s>\n", info->message_id);
    vstring_strcat(out, "MIME-Version: 1.0\n");
    vstring_sprintf_append(out,
                           "Content-Type: multipart/report; report-type=delivery-status;\n"
                           "\tboundary=\"%s\"\n",
                           b);
    vstring_strcat(out, "Content-Transfer-Encoding: 8bit\n\n");
    vstring_strcat(out, "This is a MIME-encapsulated message.\n\n");

    /* 1. Human-readable explanation. */
    vstring_sprintf_append(out,
                           "--%s\nContent-Description: Notification\n"
                           "Content-Type: text/plain; charset=utf-8\n"
                           "Content-Transfer-Encoding: 8bit\n\n",
                           b);
    bounce_dsn_explain(out, info);
    for (int i = 0; i < count; i++)
        vstring_sprintf_append(out, "<%s>: %s\n", vstring_str(rcpts[i]->recipient),
                               vstring_str(rcpts[i]->reason));
    vstring_addch(out, '\n');

    /* 2. Machine-readable report. */
    vstring_sprintf_append(out,
                           "--%s\nContent-Description: Delivery report\n"
                           "Content-Type: message/delivery-status\n\n",
                           b);
    vstring_sprintf_append(out, "Reporting-MTA: dns; %s\n", info->myhostname);
    if (info->envid && *info->envid)
        vstring_sprintf_append(out, "Original-Envelope-Id: %s\n", info->envid);
    vstring_sprintf_append(out, "X-Postfix-Queue-ID: %s\n", info->queue_id);
    vstring_sprintf_append(out, "X-Postfix-Sender: rfc822; %s\n", info->sender);
    if (info->arrival)
        vstring_sprintf_append(out, "Arrival-Date: %s\n", mail_date(info->arrival));
    for (int i = 0; i < count; i++) {
        BOUNCE_LOG_ENTRY *e = rcpts[i];
        /* A decoded ORCPT may hold anything (xtext "+0A"): no line breaks here. */
        const char *orcpt = printable(vstring_str(e->dsn_orcpt), '?', PRINTABLE_UTF8);

        vstring_sprintf_append(out, "\nFinal-Recipient: rfc822; %s\n", vstring_str(e->recipient));
        if (*orcpt)
            vstring_sprintf_append(out, "Original-Recipient: %s\n", orcpt);
        else if (VSTRING_LEN(e->orig_rcpt))
            vstring_sprintf_append(out, "Original-Recipient: rfc822; %s\n",
                                   vstring_str(e->orig_rcpt));
        vstring_sprintf_append(out, "Action: %s\n", vstring_str(e->action));
        vstring_sprintf_append(out, "Status: %s\n", vstring_str(e->status));
        if (VSTRING_LEN(e->mtype) && VSTRING_LEN(e->mname))
            vstring_sprintf_append(out, "Remote-MTA: %s; %s\n", vstring_str(e->mtype),
                                   vstring_str(e->mname));
        if (VSTRING_LEN(e->dtype) && VSTRING_LEN(e->dtext))
            vstring_sprintf(tmp, "%s; %s", vstring_str(e->dtype), vstring_str(e->dtext));
        else
            vstring_sprintf(tmp, "X-Postfix; %s", vstring_str(e->reason));
        bounce_dsn_folded(out, "Diagnostic-Code", vstring_str(tmp));
        if (info->kind == BOUNCE_DSN_DELAY && info->retry_until)
            vstring_sprintf_append(out, "Will-Retry-Until: %s\n", mail_date(info->retry_until));
    }
    vstring_addch(out, '\n');

    /* 3. The original message or its headers. */
    if (content) {
        int undelivered = info->kind == BOUNCE_DSN_FAILURE || info->kind == BOUNCE_DSN_DELAY;

        if (info->postmaster || !undelivered)
            full = 0;
        else if (info->kind == BOUNCE_DSN_FAILURE)
            full = (info->ret & DSN_RET_HDRS) == 0;
        else
            full = (info->ret & DSN_RET_FULL) != 0;
        if (full && info->size_limit > 0
            && (content_len > (size_t) info->size_limit
                || info->content_size > (size_t) info->size_limit))
            full = 0;
        vstring_sprintf_append(out, "--%s\nContent-Description: %s%s\n", b,
                               undelivered ? "Undelivered Message" : "Message",
                               full ? "" : " Headers");
        vstring_sprintf_append(out, "Content-Type: %s\nContent-Transfer-Encoding: 8bit\n\n",
                               full ? "message/rfc822" : "text/rfc822-headers");
        vstring_sprintf_append(out, "Return-Path: <%s>\n", info->sender);
        bounce_dsn_text(out, content, full ? content_len : bounce_dsn_header_len(content,
                                                                                  content_len));
        vstring_addch(out, '\n');
    }
    vstring_sprintf_append(out, "--%s--\n", b);
    vstring_free(boundary);
    vstring_free(tmp);
    return out;
}
