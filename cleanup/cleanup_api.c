/*
 * cleanup_api - one message from the first record to the reply.
 *
 *   cleanup_open(state, flags)   create incoming/ID (mode 0600, not yet
 *                                complete), remember the request flags
 *   cleanup_record(state, type, data, len)
 *                                dispatch one client record by segment:
 *                                envelope until M, content until X,
 *                                extracted until E; anything after E, or
 *                                a record that does not fit its segment,
 *                                is CLEANUP_STAT_BAD
 *   cleanup_close(state)         decide the message's fate:
 *     - no error: the actions of header/body checks are applied (DISCARD:
 *       the file is removed and the client hears 0; REDIRECT, FILTER and
 *       BCC: extracted records; HOLD: the file moves to hold/ while still
 *       incomplete), then 'E', one write, fsync, mode 0700: complete;
 *     - no recipients: CLEANUP_STAT_RCPT;
 *     - a permanent error with CLEANUP_FLAG_BOUNCE (mail from pickup): the
 *       file is completed but left at mode 0600 (qmgr never takes it), each
 *       recipient is bounced through the bounce hook (which reads the file
 *       for the returned content), then the file is removed; the client
 *       hears 0 when every bounce was accepted, else CLEANUP_STAT_WRITE so
 *       it tries again later;
 *     - any other error: the file is removed and the status returned.
 *   cleanup_id(state)            the queue id, or "NOQUEUE"
 *
 * Nothing is acknowledged before it is on disk: the status is computed only
 * after qfile_writer_finish() returned (fsync and fchmod done).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "cleanup.h"

#include "cleanup_user.h"
#include "msg.h"
#include "mymalloc.h"

const char *cleanup_id(const CLEANUP_STATE *state)
{
    return VSTRING_LEN(state->queue_id) ? vstring_str(state->queue_id) : "NOQUEUE";
}

int cleanup_open(CLEANUP_STATE *state, int flags)
{
    state->flags = flags;
    state->w = qfile_writer_create(&state->conf->queue, MAIL_QUEUE_INCOMING, 0600);
    if (state->w == 0) {
        msg_warn("mail_queue_enter: create file %s: %m", MAIL_QUEUE_INCOMING);
        cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
        return -1;
    }
    vstring_strcpy(state->queue_id, qfile_writer_id(state->w));
    state->queue_name = MAIL_QUEUE_INCOMING;
    return 0;
}

void cleanup_record(CLEANUP_STATE *state, int type, const char *data, size_t len)
{
    switch (state->segment) {
    case CLEANUP_SEG_ENVELOPE:
        if (type != REC_TYPE_MESG) {
            cleanup_envelope_record(state, type, data, len);
            return;
        }
        cleanup_time_records(state);
        if (state->sender == 0) {
            msg_warn("%s: no sender record before message content", cleanup_id(state));
            cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
        }
        if (state->w && qfile_writer_content(state->w) < 0) {
            msg_warn("%s: write queue file: %m", cleanup_id(state));
            cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
        }
        cleanup_message_start(state);
        state->segment = CLEANUP_SEG_CONTENT;
        return;
    case CLEANUP_SEG_CONTENT:
        if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
            cleanup_message_record(state, type, data, len);
        } else if (type == REC_TYPE_XTRA) {
            cleanup_message_end(state);
            if (state->w && qfile_writer_extracted(state->w) < 0) {
                msg_warn("%s: write queue file: %m", cleanup_id(state));
                cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
            }
            state->segment = CLEANUP_SEG_EXTRACTED;
        } else {
            msg_warn("%s: unexpected record type %d in message content", cleanup_id(state), type);
            cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
        }
        return;
    case CLEANUP_SEG_EXTRACTED:
        if (type == REC_TYPE_END)
            state->segment = CLEANUP_SEG_DONE;
        else
            cleanup_extracted_record(state, type, data, len);
        return;
    default:
        msg_warn("%s: record type %d after the end of the message", cleanup_id(state), type);
        cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
        return;
    }
}

/* cleanup_remove - remove the queue file wherever it is now */

static void cleanup_remove(CLEANUP_STATE *state)
{
    if (state->w == 0)
        return;
    if (mail_queue_remove(&state->conf->queue, state->queue_name, cleanup_id(state)) < 0
        && errno != ENOENT)
        msg_warn("%s: remove %s/%s: %m", cleanup_id(state), state->queue_name, cleanup_id(state));
    qfile_writer_free(state->w);
    state->w = 0;
}

/* cleanup_finish - the extracted extras, 'E', write, fsync, chmod */

static int cleanup_finish(CLEANUP_STATE *state, mode_t mode)
{
    VSTRING *batch;

    if (state->w == 0)
        return -1;
    batch = qfile_writer_batch(state->w);
    if (state->redirect)
        rec_put_str(batch, REC_TYPE_RDR, state->redirect);
    if (state->filter)
        rec_put_str(batch, REC_TYPE_FILT, state->filter);
    if (qfile_writer_finish(state->w, mode) < 0) {
        msg_warn("%s: write queue file: %m", cleanup_id(state));
        cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
        return -1;
    }
    return 0;
}

/* cleanup_bounce_all - bounce every recipient of a rejected message */

static int cleanup_bounce_all(CLEANUP_STATE *state)
{
    int failed = 0;
    int deferred = 0;

    if (state->hooks->bounce == 0 || state->rcpts->argc == 0)
        return -1;
    if (cleanup_finish(state, 0600) < 0)
        return -1;
    for (size_t i = 0; i < state->rcpts->argc; i++) {
        char *copy = mystrdup(state->rcpts->argv[i]);
        char *notify = copy;
        char *orcpt = strchr(notify, '\n');
        char *orig = orcpt ? strchr(++orcpt, '\n') : 0;
        char *rcpt = orig ? strchr(++orig, '\n') : 0;

        if (rcpt == 0)
            msg_panic("cleanup_bounce_all: bad recipient entry");
        orcpt[-1] = orig[-1] = *rcpt++ = 0;
        switch (state->hooks->bounce(state, orig, rcpt, orcpt, atoi(notify),
                                     vstring_str(state->bounce_dsn),
                                     vstring_str(state->bounce_text))) {
        case 0:
            break;
        case BOUNCE_DEFERRED: /* soft_bounce: not returned, so not accepted */
            deferred = 1;
            break;
        default:
            failed = 1;
            break;
        }
        myfree(copy);
    }
    if (failed)
        msg_warn("%s: bounce message failure", cleanup_id(state));
    return failed || deferred ? -1 : 0;
}

int cleanup_close(CLEANUP_STATE *state)
{
    if (state->segment != CLEANUP_SEG_DONE && state->errs == 0)
        cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
    if (state->mime)
        cleanup_message_end(state);

    /* always_bcc, then the checks' BCC actions, end the extracted segment. */
    if (state->errs == 0 && !state->discard && state->segment == CLEANUP_SEG_DONE) {
        if (state->conf->always_bcc && *state->conf->always_bcc && (state->flags & CLEANUP_FLAG_BCC_OK))
            cleanup_bcc(state, state->conf->always_bcc);
        for (size_t i = 0; i < state->bcc->argc; i++)
            cleanup_bcc(state, state->bcc->argv[i]);
    }
    if (state->errs == 0 && state->discard) {
        cleanup_remove(state);
        return CLEANUP_STAT_OK;
    }
    if (state->errs == 0 && state->rcpt_count == 0)
        cleanup_set_error(state, CLEANUP_STAT_RCPT, "5.1.0 no recipients specified");

    if (state->errs == 0) {
        if (state->hold) {
            if (mail_queue_rename(&state->conf->queue, cleanup_id(state), MAIL_QUEUE_INCOMING,
                                  MAIL_QUEUE_HOLD) < 0) {
                msg_warn("%s: move to %s: %m", cleanup_id(state), MAIL_QUEUE_HOLD);
                cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
            } else {
                state->queue_name = MAIL_QUEUE_HOLD;
            }
        }
        if (state->errs == 0 && cleanup_finish(state, 0700) == 0) {
            qfile_writer_free(state->w);
            state->w = 0;
            return CLEANUP_STAT_OK;
        }
        cleanup_remove(state);
        return state->errs;
    }

    /* Rejected.  Mail that nobody waits for is returned to its sender. */
    if ((state->flags & CLEANUP_FLAG_BOUNCE) && (state->errs & CLEANUP_STAT_MASK_CANT_BOUNCE) == 0
        && state->segment == CLEANUP_SEG_DONE && state->rcpt_count > 0) {
        if (cleanup_bounce_all(state) == 0) {
            cleanup_remove(state);
            state->errs = CLEANUP_STAT_OK;
            return CLEANUP_STAT_OK;
        }
        state->errs |= CLEANUP_STAT_WRITE;
    }
    cleanup_remove(state);
    return state->errs;
}
