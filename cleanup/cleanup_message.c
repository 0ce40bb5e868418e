/*
 * cleanup_message - the message content: headers and body.
 *
 * Content records go through mime_state (lib/global/mime_state.h), which
 * hands back whole logical headers and body lines.  For each header:
 *
 *   - header_checks (primary headers), mime_header_checks (MIME headers
 *     and headers of multipart parts) or nested_header_checks (headers of
 *     attached messages), when the client set CLEANUP_FLAG_FILTER;
 *   - in the primary headers: Received: and Delivered-To: count as hops;
 *     which of From/Date/Message-Id/To/Cc/Bcc (and Resent-*) were seen is
 *     remembered; a header named in message_drop_headers (Bcc, Return-Path,
 *     ...) is not written; sender and recipient address headers are
 *     rewritten (cleanup_rewrite_addr) and, when an address changed,
 *     written back in tok822's external form, folded at 70 columns;
 *     "message-id=<...>" is logged.
 *
 * When the primary headers end, the missing ones are added - only for
 * local submissions (rewrite_context=local) unless
 * always_add_missing_headers = yes - in Postfix's order and form:
 *
 *   Message-Id: <YYYYMMDDhhmmss.QUEUEID@myhostname>   (UTC, queue file time)
 *   Date: <arrival time, mail_date()>
 *   From: Full Name <sender>          (just "From: sender" without F)
 *   undisclosed_recipients_header     when set and there is no To/Cc/Bcc
 *
 * (Resent-Message-Id/-Date/-From when the message has Resent- headers.)
 * Body lines go to body_checks (up to body_checks_size_limit bytes of
 * body) and are written as they are; a line longer than the record piece
 * size is joined and rewritten as Postfix's L...L N pieces.  The content is
 * counted against message_size_limit (CLEANUP_STAT_SIZE, "5.3.4 message
 * file too big").  More than hopcount_limit hops is CLEANUP_STAT_HOPS.
 */
#include <string.h>
#include <time.h>

#include "cleanup.h"

#include "cleanup_user.h"
#include "is_header.h"
#include "mail_date.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "stringops.h"
#include "tok822.h"

#define CLEANUP_FOLD_WIDTH 70

/* cleanup_out_line - one content line (no newline) to the queue file */

static void cleanup_out_line(CLEANUP_STATE *state, const char *text, size_t len)
{
    if (state->w == 0 || (state->errs & CLEANUP_STAT_MASK_INCOMPLETE))
        return;
    if (qfile_writer_line(state->w, text, len) < 0) {
        msg_warn("%s: write queue file: %m", cleanup_id(state));
        cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
    }
}

/* cleanup_out_header - a header, one record per physical line */

static void cleanup_out_header(CLEANUP_STATE *state, const char *text)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != 0) {
        cleanup_out_line(state, text, (size_t)(nl - text));
        text = nl + 1;
    }
    cleanup_out_line(state, text, strlen(text));
}

static int cleanup_drop_header(CLEANUP_STATE *state, const char *name, size_t len)
{
    const ARGV *drop = state->conf->drop_headers;

    for (size_t i = 0; drop && i < drop->argc; i++)
        if (strlen(drop->argv[i]) == len && strncasecmp(drop->argv[i], name, len) == 0)
            return 1;
    return 0;
}

static void cleanup_seen(CLEANUP_STATE *state, const HEADER_OPTS *info)
{
    if (info == 0)
        return;
    if (info->flags & HEADER_OPT_RESENT)
        state->headers_seen |= CLEANUP_HDR_RESENT_ANY;
    switch (info->type) {
    case HEADER_TYPE_FROM:
        state->headers_seen |= CLEANUP_HDR_FROM;
        break;
    case HEADER_TYPE_DATE:
        state->headers_seen |= CLEANUP_HDR_DATE;
        break;
    case HEADER_TYPE_MESSAGE_ID:
        state->headers_seen |= CLEANUP_HDR_MSGID;
        break;
    case HEADER_TYPE_TO:
    case HEADER_TYPE_CC:
    case HEADER_TYPE_BCC:
        state->headers_seen |= CLEANUP_HDR_DEST;
        break;
    case HEADER_TYPE_RESENT_FROM:
        state->headers_seen |= CLEANUP_HDR_RESENT_FROM;
        break;
    case HEADER_TYPE_RESENT_DATE:
        state->headers_seen |= CLEANUP_HDR_RESENT_DATE;
        break;
    case HEADER_TYPE_RESENT_MESSAGE_ID:
        state->headers_seen |= CLEANUP_HDR_RESENT_MSGID;
        break;
    case HEADER_TYPE_RESENT_TO:
    case HEADER_TYPE_RESENT_CC:
    case HEADER_TYPE_RESENT_BCC:
        state->headers_seen |= CLEANUP_HDR_RESENT_DEST;
        break;
    case HEADER_TYPE_RECEIVED:
    case HEADER_TYPE_DELIVERED_TO:
        state->hop_count++;
        break;
    default:
        break;
    }
}

/*
 * cleanup_rewrite_header - rewrite the addresses in an address header;
 * buf is replaced when one changed.
 */
static void cleanup_rewrite_header(CLEANUP_STATE *state, const HEADER_OPTS *info, VSTRING *buf,
                                   size_t name_len)
{
    int class = (info->flags & HEADER_OPT_SENDER) ? CLEANUP_CANON_HDR_SENDER
                                                  : CLEANUP_CANON_HDR_RECIP;
    const char *colon = strchr(vstring_str(buf), ':');
    int truncated = 0;
    TOK822 *tree;
    TOK822 **addrs;
    size_t count = 0;
    int changed = 0;
    VSTRING *internal;
    VSTRING *rewritten;

    if (colon == 0)
        return;
    tree = tok822_parse(colon + 1, (size_t)var_header_address_token_limit, &truncated);
    if (tree == 0)
        return;
    if (truncated)
        msg_warn("%s: header address token limit exceeded in %.*s: header", cleanup_id(state),
                 (int)name_len, vstring_str(buf));
    internal = vstring_alloc(100);
    rewritten = vstring_alloc(100);
    addrs = tok822_grep(tree, TOK822_ADDR, &count);
    for (size_t i = 0; i < count; i++) {
        if (addrs[i]->head == 0)
            continue; /* <> */
        tok822_internalize(internal, addrs[i]->head, TOK822_STR_LIST);
        cleanup_rewrite_addr(state, class, vstring_str(internal), rewritten);
        if (strcmp(vstring_str(internal), vstring_str(rewritten)) != 0) {
            tok822_addr_set(addrs[i], vstring_str(rewritten));
            changed = 1;
        }
    }
    if (changed) {
        VSTRING *out = vstring_alloc(VSTRING_LEN(buf) + 50);

        vstring_strncpy(out, vstring_str(buf), name_len);
        vstring_strcat(out, ": ");
        tok822_externalize(out, tree, TOK822_STR_APPEND | TOK822_STR_LIST | TOK822_STR_LINE);
        tok822_fold(out, CLEANUP_FOLD_WIDTH);
        vstring_strcpy(buf, vstring_str(out));
        vstring_free(out);
    }
    myfree(addrs);
    tok822_free_tree(tree);
    vstring_free(internal);
    vstring_free(rewritten);
}

static void cleanup_head_out(void *context, int class, const HEADER_OPTS *info, VSTRING *buf)
{
    CLEANUP_STATE *state = context;
    MAPS *maps;
    VSTRING *prepend = vstring_alloc(10);
    size_t name_len = is_header(vstring_str(buf));

    if ((state->flags & CLEANUP_FLAG_FILTER) && (state->errs & CLEANUP_STAT_MASK_INCOMPLETE) == 0) {
        if ((info && (info->flags & HEADER_OPT_MIME)) || class == MIME_HDR_MULTIPART)
            maps = state->conf->mime_header_checks;
        else if (class == MIME_HDR_PRIMARY)
            maps = state->conf->header_checks;
        else
            maps = state->conf->nested_header_checks;
        if (cleanup_checks_apply(state, maps, "header", buf, prepend) == CLEANUP_CHECK_DROP) {
            vstring_free(prepend);
            return;
        }
        if (VSTRING_LEN(prepend))
            cleanup_out_header(state, vstring_str(prepend));
        /* REPLACE may have changed the header into another one. */
        name_len = is_header(vstring_str(buf));
        info = name_len ? header_opts_find(vstring_str(buf), name_len) : 0;
    }
    vstring_free(prepend);
    if (class == MIME_HDR_PRIMARY && name_len) {
        cleanup_seen(state, info);
        if (info && info->type == HEADER_TYPE_MESSAGE_ID) {
            const char *value = vstring_str(buf) + name_len + 1;

            while (*value == ' ' || *value == '\t' || *value == '\n')
                value++;
            msg_info("%s: message-id=%.200s", cleanup_id(state), value);
        }
        if (cleanup_drop_header(state, vstring_str(buf), name_len))
            return;
        if (info && (info->flags & HEADER_OPT_ADDR)
            && (info->flags & (HEADER_OPT_SENDER | HEADER_OPT_RECIP)))
            cleanup_rewrite_header(state, info, buf, name_len);
    }
    cleanup_out_header(state, vstring_str(buf));
}

static void cleanup_from_header(CLEANUP_STATE *state, const char *prefix)
{
    VSTRING *hdr = vstring_alloc(100);
    VSTRING *addr = vstring_alloc(100);
    const char *name = state->fullname;

    if (state->sender && *state->sender)
        quote_822_local(addr, state->sender);
    else
        vstring_strcpy(addr, "MAILER-DAEMON");
    vstring_sprintf(hdr, "%sFrom: ", prefix);
    if (name && *name) {
        int plain = 1;

        for (const char *cp = name; *cp; cp++)
            if (*cp != ' ' && *cp != '\t' && !quote_822_is_atext((unsigned char)*cp, 0))
                plain = 0;
        if (plain)
            vstring_strcat(hdr, name);
        else
            quote_822_append_quoted(hdr, name, strlen(name));
        vstring_sprintf_append(hdr, " <%s>", vstring_str(addr));
    } else {
        vstring_strcat(hdr, vstring_str(addr));
    }
    cleanup_out_header(state, vstring_str(hdr));
    vstring_free(hdr);
    vstring_free(addr);
}

static void cleanup_head_end(void *context)
{
    CLEANUP_STATE *state = context;
    int resent = (state->headers_seen & CLEANUP_HDR_RESENT_ANY) != 0;
    const char *prefix = resent ? "Resent-" : "";
    VSTRING *hdr = state->temp;

    if (state->conf->hopcount_limit > 0 && state->hop_count >= state->conf->hopcount_limit) {
        msg_warn("%s: message rejected: hopcount exceeded", cleanup_id(state));
        cleanup_set_error(state, CLEANUP_STAT_HOPS, "5.4.6 too many hops");
    }
    if (!state->local_context && !state->conf->always_add_headers)
        return;
    if ((state->headers_seen & (resent ? CLEANUP_HDR_RESENT_MSGID : CLEANUP_HDR_MSGID)) == 0) {
        time_t when = state->w ? qfile_writer_time(state->w).tv_sec : time((time_t *)0);
        struct tm *tm = gmtime(&when);
        char stamp[32];

        if (tm == 0 || strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", tm) == 0)
            strcpy(stamp, "19700101000000");
        vstring_sprintf(hdr, "%sMessage-Id: <%s.%s@%s>", prefix, stamp, cleanup_id(state),
                        state->conf->myhostname);
        cleanup_out_header(state, vstring_str(hdr));
        msg_info("%s: %smessage-id=<%s.%s@%s>", cleanup_id(state), resent ? "resent-" : "", stamp,
                 cleanup_id(state), state->conf->myhostname);
    }
    if ((state->headers_seen & (resent ? CLEANUP_HDR_RESENT_DATE : CLEANUP_HDR_DATE)) == 0) {
        vstring_sprintf(hdr, "%sDate: ", prefix);
        mail_date_format(hdr, state->arrival.tv_sec, MAIL_DATE_APPEND);
        cleanup_out_header(state, vstring_str(hdr));
    }
    if ((state->headers_seen & (resent ? CLEANUP_HDR_RESENT_FROM : CLEANUP_HDR_FROM)) == 0)
        cleanup_from_header(state, prefix);
    if ((state->headers_seen & (resent ? CLEANUP_HDR_RESENT_DEST : CLEANUP_HDR_DEST)) == 0
        && state->conf->undisclosed_header && *state->conf->undisclosed_header)
        cleanup_out_header(state, state->conf->undisclosed_header);
}

static void cleanup_body_out(void *context, int rec_type, const char *text, size_t len)
{
    CLEANUP_STATE *state = context;
    VSTRING *line = state->temp;

    /*
     * The header section ended at a line that is not a header: separate
     * the body with an empty line, as Postfix does, so that line is not
     * read as a broken header.
     */
    if (!state->body_started) {
        state->body_started = 1;
        if (len > 0 || rec_type == MIME_REC_CONT)
            cleanup_out_line(state, "", 0);
    }
    /* Join the pieces of a long line; check and write it when it ends. */
    if (!state->in_body_line)
        vstring_strcpy(line, "");
    vstring_memcat(line, text, len);
    if (rec_type == MIME_REC_CONT) {
        state->in_body_line = 1;
        return;
    }
    state->in_body_line = 0;
    if ((state->flags & CLEANUP_FLAG_FILTER) && VSTRING_LEN(line) > 0
        && state->conf->body_checks && !maps_empty(state->conf->body_checks)
        && state->body_checked < state->conf->body_checks_size_limit
        && (state->errs & CLEANUP_STAT_MASK_INCOMPLETE) == 0) {
        VSTRING *prepend = vstring_alloc(10);
        int drop;

        state->body_checked += (long)VSTRING_LEN(line);
        drop = cleanup_checks_apply(state, state->conf->body_checks, "body", line, prepend);
        if (VSTRING_LEN(prepend))
            cleanup_out_line(state, vstring_str(prepend), VSTRING_LEN(prepend));
        vstring_free(prepend);
        if (drop == CLEANUP_CHECK_DROP)
            return;
    }
    cleanup_out_line(state, vstring_str(line), VSTRING_LEN(line));
}

static void cleanup_body_end(void *context)
{
}

static void cleanup_mime_error(void *context, int code, const char *text, size_t len)
{
    CLEANUP_STATE *state = context;

    msg_info("%s: %s: %.*s", cleanup_id(state), mime_state_error(code), (int)(len > 100 ? 100 : len),
             text);
}

void cleanup_message_start(CLEANUP_STATE *state)
{
    MIME_STATE_LIMITS limits = {state->conf->header_size_limit, 0, 0};

    state->mime = mime_state_alloc(state->conf->mime_options, &limits, cleanup_head_out,
                                   cleanup_head_end, cleanup_body_out, cleanup_body_end,
                                   cleanup_mime_error, state);
}

void cleanup_message_record(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    long limit = state->conf->message_size_limit;

    state->content_size += (long)len + (type == REC_TYPE_NORM);
    if (limit > 0 && state->content_size > limit && (state->errs & CLEANUP_STAT_SIZE) == 0) {
        msg_warn("%s: queue file size limit exceeded", cleanup_id(state));
        cleanup_set_error(state, CLEANUP_STAT_SIZE, "5.3.4 message file too big");
    }
    /* After an error that nothing can fix, keep reading, do nothing. */
    if (state->errs & (CLEANUP_STAT_MASK_INCOMPLETE | CLEANUP_STAT_MASK_CANT_BOUNCE))
        return;
    (void)mime_state_update(state->mime, type == REC_TYPE_CONT ? MIME_REC_CONT : MIME_REC_NORM,
                            data, len);
}

void cleanup_message_end(CLEANUP_STATE *state)
{
    if (state->mime) {
        if ((state->errs & (CLEANUP_STAT_MASK_INCOMPLETE | CLEANUP_STAT_MASK_CANT_BOUNCE)) == 0)
            (void)mime_state_end(state->mime);
        mime_state_free(state->mime);
        state->mime = 0;
    }
}
