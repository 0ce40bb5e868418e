/*
 * header_opts - the table of headers with special meaning; see header_opts.h.
 *
 * The table is sorted case-insensitively so that a lookup is a binary
 * search (cleanup does one per header line); header_opts_test checks the
 * order.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "header_opts.h"

#define S HEADER_OPT_SENDER
#define R HEADER_OPT_RECIP
#define A HEADER_OPT_ADDR
#define X HEADER_OPT_EXTRACT
#define RS HEADER_OPT_RESENT
#define M HEADER_OPT_MIME
#define B HEADER_OPT_BCC
#define D HEADER_OPT_DEF_DROP

static const HEADER_OPTS header_opts[] = {
    {"Apparently-To", HEADER_TYPE_APPARENTLY_TO, R | A},
    {"Auto-Submitted", HEADER_TYPE_AUTO_SUBMITTED, 0},
    {"Bcc", HEADER_TYPE_BCC, R | A | X | B | D},
    {"Cc", HEADER_TYPE_CC, R | A | X},
    {"Content-Description", HEADER_TYPE_CONTENT_DESCRIPTION, M},
    {"Content-Disposition", HEADER_TYPE_CONTENT_DISPOSITION, M},
    {"Content-ID", HEADER_TYPE_CONTENT_ID, M},
    {"Content-Length", HEADER_TYPE_CONTENT_LENGTH, D},
    {"Content-Transfer-Encoding", HEADER_TYPE_CONTENT_TRANSFER_ENCODING, M},
    {"Content-Type", HEADER_TYPE_CONTENT_TYPE, M},
    {"Date", HEADER_TYPE_DATE, 0},
    {"Delivered-To", HEADER_TYPE_DELIVERED_TO, A},
    {"Disposition-Notification-To", HEADER_TYPE_DISP_NOTIFICATION, S | A},
    {"Errors-To", HEADER_TYPE_ERRORS_TO, S | A},
    {"From", HEADER_TYPE_FROM, S | A},
    {"Message-ID", HEADER_TYPE_MESSAGE_ID, 0},
    {"MIME-Version", HEADER_TYPE_MIME_VERSION, M},
    {"Received", HEADER_TYPE_RECEIVED, 0},
    {"Reply-To", HEADER_TYPE_REPLY_TO, S | A},
    {"Resent-Bcc", HEADER_TYPE_RESENT_BCC, R | A | X | B | D | RS},
    {"Resent-Cc", HEADER_TYPE_RESENT_CC, R | A | X | RS},
    {"Resent-Date", HEADER_TYPE_RESENT_DATE, RS},
    {"Resent-From", HEADER_TYPE_RESENT_FROM, S | A | RS},
    {"Resent-Message-ID", HEADER_TYPE_RESENT_MESSAGE_ID, RS},
    {"Resent-Reply-To", HEADER_TYPE_RESENT_REPLY_TO, S | A | RS},
    {"Resent-Sender", HEADER_TYPE_RESENT_SENDER, S | A | RS},
    {"Resent-To", HEADER_TYPE_RESENT_TO, R | A | X | RS},
    {"Return-Path", HEADER_TYPE_RETURN_PATH, S | A | D},
    {"Return-Receipt-To", HEADER_TYPE_RETURN_RECEIPT_TO, S | A},
    {"Sender", HEADER_TYPE_SENDER, S | A},
    {"TLS-Required", HEADER_TYPE_TLS_REQUIRED, 0},
    {"To", HEADER_TYPE_TO, R | A | X},
    {"X-Original-To", HEADER_TYPE_X_ORIGINAL_TO, A},
};

#define HEADER_OPTS_COUNT (sizeof(header_opts) / sizeof(header_opts[0]))
#define HEADER_OPTS_NAME_MAX 32 /* longer than any name in the table */

typedef struct {
    const char *name;
    size_t len;
} HEADER_OPTS_KEY;

static int header_opts_compare(const void *key, const void *elem)
{
    const HEADER_OPTS_KEY *kp = key;
    const HEADER_OPTS *hp = elem;
    size_t hlen = strlen(hp->name);
    int cmp = strncasecmp(kp->name, hp->name, kp->len < hlen ? kp->len : hlen);

    if (cmp != 0)
        return cmp;
    return kp->len < hlen ? -1 : kp->len > hlen ? 1 : 0;
}

const HEADER_OPTS *header_opts_find(const char *name, size_t len)
{
    HEADER_OPTS_KEY key = {name, len};

    if (len == 0 || len > HEADER_OPTS_NAME_MAX)
        return 0;
    return bsearch(&key, header_opts, HEADER_OPTS_COUNT, sizeof(header_opts[0]),
                   header_opts_compare);
}

const HEADER_OPTS *header_opts_table(size_t *count)
{
    *count = HEADER_OPTS_COUNT;
    return header_opts;
}
