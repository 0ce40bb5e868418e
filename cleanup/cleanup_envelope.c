/*
 * cleanup_envelope - envelope and extracted-segment records.
 *
 * The file cleanup writes starts with the size record (qfile_writer), then
 * T (arrival time, the client's or now) and "A create_time=", then the
 * client's envelope records in their order, except that:
 *
 *   S    the sender is rewritten (cleanup_rewrite_addr, envelope_sender)
 *        and followed by W when delay_warning_time is set;
 *   R    each recipient is rewritten (envelope_recipient), expanded through
 *        virtual_alias_maps and written as a group [A notify_flags]
 *        A dsn_orig_rcpt O R, without duplicates; the client's preceding
 *        O, A notify_flags and A dsn_orig_rcpt (or old n/o records) are
 *        used for the group, and dsn_orig_rcpt defaults to
 *        "rfc822;<rewritten recipient>";
 *   A    rewrite_context=remote turns off the local-submission behaviour;
 *        log_* attributes (smtpd's client) are kept for log lines;
 *        create_time from the client is ignored;
 *   W, c, f, D, /   are not copied (cleanup computes its own W; done and
 *        canceled recipients need no delivery).
 *
 * A record that does not belong in the envelope (C, N, L in content
 * sense, p, w, unknown types) is a protocol error (CLEANUP_STAT_BAD).
 * In the extracted segment R/O/A groups are recipients (sendmail -t puts
 * them there), '>' and L pass through, D and / are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dsn.h"

#include "cleanup_user.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

static void cleanup_pass(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    if (state->w && (state->errs & CLEANUP_STAT_MASK_INCOMPLETE) == 0)
        rec_put_buf(qfile_writer_batch(state->w), type, data, len);
}

static void cleanup_bad(CLEANUP_STATE *state, const char *where, int type)
{
    msg_warn("%s: unexpected record type %d in %s", cleanup_id(state), type, where);
    cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
}

void cleanup_time_records(CLEANUP_STATE *state)
{
    if (state->time_done)
        return;
    state->time_done = 1;
    if (state->arrival.tv_sec == 0)
        gettimeofday(&state->arrival, (struct timezone *)0);
    if (state->w) {
        VSTRING *batch = qfile_writer_batch(state->w);

        rec_sprintf(batch, REC_TYPE_TIME, "%ld %ld", (long)state->arrival.tv_sec,
                    (long)state->arrival.tv_usec);
        rec_sprintf(batch, REC_TYPE_ATTR, "%s=%ld", MAIL_ATTR_CREATE_TIME,
                    (long)qfile_writer_time(state->w).tv_sec);
    }
}

static void cleanup_clear_pending(CLEANUP_STATE *state)
{
    state->pend_notify = 0;
    myfree(state->pend_orcpt);
    myfree(state->pend_orig);
    state->pend_orcpt = 0;
    state->pend_orig = 0;
}

void cleanup_recipient(CLEANUP_STATE *state, const char *addr)
{
    VSTRING *rcpt = vstring_alloc(100);
    VSTRING *orcpt = vstring_alloc(100);
    char *orig = mystrdup(state->pend_orig ? state->pend_orig : addr);
    ARGV *list;

    cleanup_rewrite_addr(state, CLEANUP_CANON_ENV_RECIP, addr, rcpt);
    if (state->pend_orcpt)
        vstring_strcpy(orcpt, state->pend_orcpt);
    else
        vstring_sprintf(orcpt, "rfc822;%s", vstring_str(rcpt));
    if ((list = cleanup_virtual_expand(state, vstring_str(rcpt))) != 0) {
        for (size_t i = 0; i < list->argc; i++)
            cleanup_out_recipient(state, vstring_str(orcpt), state->pend_notify, orig,
                                  list->argv[i]);
        argv_free(list);
    }
    cleanup_clear_pending(state);
    cleanup_bcc_lookup(state, state->conf->rcpt_bcc_maps, vstring_str(rcpt));
    myfree(orig);
    vstring_free(rcpt);
    vstring_free(orcpt);
}

/* cleanup_attr - A records, in the envelope or the extracted segment */

/* cleanup_set_envid, cleanup_set_ret - remember DSN ENVID= and RET= */

static void cleanup_set_envid(CLEANUP_STATE *state, const char *value)
{
    myfree(state->dsn_envid);
    state->dsn_envid = mystrdup(value);
}

static void cleanup_set_ret(CLEANUP_STATE *state, const char *value)
{
    long n;

    if (safe_strtol(value, &n) && n > 0 && n <= (DSN_RET_FULL | DSN_RET_HDRS))
        state->dsn_ret = (int)n;
}

static void cleanup_attr(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    char *copy = mystrndup(data, len);
    char *name;
    char *value;

    if (split_nameval(copy, &name, &value) != 0) {
        msg_warn("%s: malformed attribute record: %.100s", cleanup_id(state), data);
        cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
    } else if (strcmp(name, MAIL_ATTR_DSN_NOTIFY) == 0) {
        long n;

        if (safe_strtol(value, &n) && n > 0 && n < 16)
            state->pend_notify = (int)n;
    } else if (strcmp(name, MAIL_ATTR_DSN_ORCPT) == 0) {
        myfree(state->pend_orcpt);
        state->pend_orcpt = mystrdup(value);
    } else if (strcmp(name, MAIL_ATTR_CREATE_TIME) == 0) {
        /* ours is written instead */
    } else {
        if (strcmp(name, MAIL_ATTR_RWR_CONTEXT) == 0)
            state->local_context = strcmp(value, "remote") != 0;
        else if (strcmp(name, MAIL_ATTR_DSN_ENVID) == 0)
            cleanup_set_envid(state, value);
        else if (strcmp(name, MAIL_ATTR_DSN_RET) == 0)
            cleanup_set_ret(state, value);
        else if (strcmp(name, "log_protocol_name") == 0)
            myfree(state->log_proto), state->log_proto = mystrdup(value);
        else if (strcmp(name, "log_helo_name") == 0)
            myfree(state->log_helo), state->log_helo = mystrdup(value);
        else if (strcmp(name, "log_client_name") == 0)
            myfree(state->client_name), state->client_name = mystrdup(value);
        else if (strcmp(name, "log_client_address") == 0)
            myfree(state->client_addr), state->client_addr = mystrdup(value);
        if (state->client_name && state->client_addr) {
            myfree(state->origin);
            vstring_sprintf(state->temp, "%s[%s]", state->client_name, state->client_addr);
            state->origin = mystrdup(vstring_str(state->temp));
        }
        cleanup_pass(state, type, data, len);
    }
    myfree(copy);
}

/*
 * cleanup_recipient_record - a recipient and the records before it that
 * belong to it (original recipient, DSN notify and ORCPT), the same in the
 * envelope and in the extracted segment; a done recipient drops them.
 */
static void cleanup_recipient_record(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    long n;

    switch (type) {
    case REC_TYPE_ORCP:
        myfree(state->pend_orig);
        state->pend_orig = mystrndup(data, len);
        break;
    case REC_TYPE_RCPT:
        cleanup_recipient(state, data);
        break;
    case REC_TYPE_DSN_NOTIFY:
        if (safe_strtol(data, &n) && n > 0 && n < 16)
            state->pend_notify = (int)n;
        break;
    case REC_TYPE_DSN_ORCPT:
        myfree(state->pend_orcpt);
        state->pend_orcpt = mystrndup(data, len);
        break;
    default: /* REC_TYPE_DONE, REC_TYPE_DRCP */
        cleanup_clear_pending(state);
        break;
    }
}

void cleanup_envelope_record(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    if (type == REC_TYPE_TIME) {
        if (!state->time_done) {
            long sec = 0;
            long usec = 0;
            char *end;

            sec = strtol(data, &end, 10);
            if (*end == ' ')
                usec = strtol(end + 1, &end, 10);
            if (sec > 0 && usec >= 0 && usec < 1000000) {
                state->arrival.tv_sec = sec;
                state->arrival.tv_usec = usec;
            }
            cleanup_time_records(state);
        }
        return;
    }
    cleanup_time_records(state);
    switch (type) {
    case REC_TYPE_ATTR:
        cleanup_attr(state, type, data, len);
        break;
    case REC_TYPE_FULL:
        myfree(state->fullname);
        state->fullname = mystrndup(data, len);
        cleanup_pass(state, type, data, len);
        break;
    case REC_TYPE_FROM:
        if (state->sender) {
            msg_warn("%s: more than one sender record", cleanup_id(state));
            cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
            break;
        }
        cleanup_rewrite_addr(state, CLEANUP_CANON_ENV_SENDER, data, state->temp);
        state->sender = mystrdup(vstring_str(state->temp));
        cleanup_pass(state, type, state->sender, strlen(state->sender));
        if (state->conf->delay_warning_time > 0 && state->w
            && (state->errs & CLEANUP_STAT_MASK_INCOMPLETE) == 0)
            rec_sprintf(qfile_writer_batch(state->w), REC_TYPE_WARN, REC_TYPE_WARN_FORMAT,
                        (long)state->arrival.tv_sec + state->conf->delay_warning_time);
        cleanup_bcc_lookup(state, state->conf->send_bcc_maps, state->sender);
        break;
    case REC_TYPE_ORCP:
    case REC_TYPE_RCPT:
    case REC_TYPE_DSN_NOTIFY:
    case REC_TYPE_DSN_ORCPT:
    case REC_TYPE_DONE:
    case REC_TYPE_DRCP:
        cleanup_recipient_record(state, type, data, len);
        break;
    case REC_TYPE_WARN:
    case REC_TYPE_CTIME:
    case REC_TYPE_FLGS:
        break;
    case REC_TYPE_VERP:
    case REC_TYPE_INSP:
    case REC_TYPE_FILT:
    case REC_TYPE_PRIO:
    case REC_TYPE_KILL:
    case REC_TYPE_RRTO:
    case REC_TYPE_ERTO:
    case REC_TYPE_RDR:
        cleanup_pass(state, type, data, len);
        break;
    case REC_TYPE_DSN_ENVID:
    case REC_TYPE_DSN_RET: {
        char *copy = mystrndup(data, len);

        if (type == REC_TYPE_DSN_ENVID)
            cleanup_set_envid(state, copy);
        else
            cleanup_set_ret(state, copy);
        myfree(copy);
        cleanup_pass(state, type, data, len);
        break;
    }
    default:
        cleanup_bad(state, "message envelope", type);
        break;
    }
}

void cleanup_extracted_record(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    switch (type) {
    case REC_TYPE_ATTR:
        cleanup_attr(state, type, data, len);
        break;
    case REC_TYPE_ORCP:
    case REC_TYPE_RCPT:
    case REC_TYPE_DSN_NOTIFY:
    case REC_TYPE_DSN_ORCPT:
    case REC_TYPE_DONE:
    case REC_TYPE_DRCP:
        cleanup_recipient_record(state, type, data, len);
        break;
    case REC_TYPE_RDR:
    case REC_TYPE_FILT:
        cleanup_pass(state, type, data, len);
        break;
    default:
        cleanup_bad(state, "extracted segment", type);
        break;
    }
}
