/*
 * header_opts - what Postern knows about particular message headers.
 *
 * header_opts_find(name, len) looks up the header name name[0..len)
 * (case-insensitive; name need not be null-terminated, so the result of
 * is_header_buf() can be used directly) and returns its table entry, or a
 * null pointer for a header with no special meaning.  The entry gives the
 * canonical spelling, a HEADER_TYPE_* code for switch statements, and
 * HEADER_OPT_* flags:
 *
 *   HEADER_OPT_SENDER   holds sender addresses (From, Sender, Reply-To,
 *                       Errors-To, Return-Path, Return-Receipt-To,
 *                       Disposition-Notification-To, Resent-From,
 *                       Resent-Sender, Resent-Reply-To): sender_canonical
 *                       and masquerading apply
 *   HEADER_OPT_RECIP    holds recipient addresses (To, Cc, Bcc,
 *                       Apparently-To, Resent-To/-Cc/-Bcc):
 *                       recipient_canonical applies
 *   HEADER_OPT_ADDR     the value is an address list that cleanup parses
 *                       with tok822 and rewrites (SENDER and RECIP headers,
 *                       and Delivered-To, X-Original-To, which are only
 *                       parsed, never rewritten by canonical maps)
 *   HEADER_OPT_EXTRACT  "sendmail -t" takes recipients from it: To, Cc, Bcc,
 *                       or, when the message has Resent- headers, the
 *                       Resent- versions instead
 *   HEADER_OPT_RESENT   a Resent-* header
 *   HEADER_OPT_MIME     a MIME header (MIME-Version, Content-*)
 *   HEADER_OPT_BCC      a blind-copy header: with "sendmail -t" its
 *                       addresses are recipients, and the header is removed
 *                       from the message
 *   HEADER_OPT_DEF_DROP in the default message_drop_headers (Bcc,
 *                       Content-Length, Resent-Bcc, Return-Path); the
 *                       parameter itself decides, this only documents the
 *                       default
 *
 * header_opts_table(&count) returns the whole table (sorted by name,
 * case-insensitively), e.g. for tests and postconf-like listings.
 */
#ifndef POSTERN_HEADER_OPTS_H
#define POSTERN_HEADER_OPTS_H

#include <stddef.h>

typedef struct HEADER_OPTS {
    const char *name;
    int type;
    int flags;
} HEADER_OPTS;

#define HEADER_OPT_SENDER (1 << 0)
#define HEADER_OPT_RECIP (1 << 1)
#define HEADER_OPT_ADDR (1 << 2)
#define HEADER_OPT_EXTRACT (1 << 3)
#define HEADER_OPT_RESENT (1 << 4)
#define HEADER_OPT_MIME (1 << 5)
#define HEADER_OPT_BCC (1 << 6)
#define HEADER_OPT_DEF_DROP (1 << 7)

enum {
    HEADER_TYPE_APPARENTLY_TO = 1,
    HEADER_TYPE_AUTO_SUBMITTED,
    HEADER_TYPE_BCC,
    HEADER_TYPE_CC,
    HEADER_TYPE_CONTENT_DESCRIPTION,
    HEADER_TYPE_CONTENT_DISPOSITION,
    HEADER_TYPE_CONTENT_ID,
    HEADER_TYPE_CONTENT_LENGTH,
    HEADER_TYPE_CONTENT_TRANSFER_ENCODING,
    HEADER_TYPE_CONTENT_TYPE,
    HEADER_TYPE_DATE,
    HEADER_TYPE_DELIVERED_TO,
    HEADER_TYPE_DISP_NOTIFICATION,
    HEADER_TYPE_ERRORS_TO,
    HEADER_TYPE_FROM,
    HEADER_TYPE_MESSAGE_ID,
    HEADER_TYPE_MIME_VERSION,
    HEADER_TYPE_RECEIVED,
    HEADER_TYPE_REPLY_TO,
    HEADER_TYPE_RESENT_BCC,
    HEADER_TYPE_RESENT_CC,
    HEADER_TYPE_RESENT_DATE,
    HEADER_TYPE_RESENT_FROM,
    HEADER_TYPE_RESENT_MESSAGE_ID,
    HEADER_TYPE_RESENT_REPLY_TO,
    HEADER_TYPE_RESENT_SENDER,
    HEADER_TYPE_RESENT_TO,
    HEADER_TYPE_RETURN_PATH,
    HEADER_TYPE_RETURN_RECEIPT_TO,
    HEADER_TYPE_SENDER,
    HEADER_TYPE_TLS_REQUIRED,
    HEADER_TYPE_TO,
    HEADER_TYPE_X_ORIGINAL_TO,
};

extern const HEADER_OPTS *header_opts_find(const char *name, size_t len);
extern const HEADER_OPTS *header_opts_table(size_t *count);

#endif
