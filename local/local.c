/*
 * local - the local delivery agent: mail for users of this machine.
 *
 * Reads delivery requests from qmgr (PROTOCOLS.md "deliver",
 * deliver_request.h) and delivers each recipient to the user's mailbox,
 * recording every outcome (sent, bounced, deferred) with the bounce
 * clients before it answers qmgr.  A single server (one request at a time
 * per process) that runs as root (master starts it without -u) because it
 * writes as each recipient; between deliveries its effective IDs are
 * mail_owner's.
 *
 * Per recipient:
 *   1. strip the domain (qmgr sends local only what resolved to it),
 *      lowercase the local part, split off the extension at the first
 *      recipient_delimiter character (local_addr.h);
 *   2. [aliases and .forward files will go here]
 *   3. the user's mailbox (mailbox.c, maildir.c); no such user: bounce
 *      5.1.1 "unknown user: \"name\"".
 *
 * Log lines (written by sent/bounce_append/defer_append), as Postfix's:
 *   ID: to=<paco@host>, orig_to=<paco>, relay=local, delay=0.03,
 *       delays=0.02/0.01/0/0, dsn=2.0.0, status=sent (delivered to mailbox)
 *
 * Parameters: mail_spool_directory, home_mailbox, recipient_delimiter,
 * mailbox_delivery_lock, deliver_lock_attempts, deliver_lock_delay,
 * stale_lock_time, mailbox_size_limit (must not be below
 * message_size_limit), strict_mailbox_ownership, mail_owner.
 *
 * Files: the queue file (read, and recipients marked done in place), the
 * mailboxes.  What can go wrong: a configuration error is fatal at start;
 * anything about one recipient becomes that recipient's bounce or defer;
 * when an outcome cannot be recorded the reply to qmgr is DEL_STAT_DEFER
 * and qmgr retries what is not marked done (a duplicate at worst, never a
 * loss).
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "bounce.h"
#include "deliver_request.h"
#include "dsn.h"
#include "local.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "myflock.h"
#include "mymalloc.h"
#include "set_ugid.h"

#define LOCAL_RELAY "local"

/* local_record - record one recipient's outcome; 0, or -1 if it could not */

static int local_record(LOCAL_STATE *state)
{
    DELIVER_REQUEST *request = state->request;
    LOCAL_WHY *why = state->why;
    DSN dsn;

    switch (why->kind) {
    case LOCAL_WHY_SENT:
        DSN_SIMPLE(&dsn, why->status, "delivered", vstring_str(why->reason));
        if (sent(request->flags, request->queue_id, &request->msg_stats, state->rcpt, LOCAL_RELAY,
                 &dsn) != 0)
            return -1;
        deliver_completed(request->fp, state->rcpt->offset);
        return 0;
    case LOCAL_WHY_BOUNCE:
    case LOCAL_WHY_UNKNOWN:
        DSN_SIMPLE(&dsn, why->status, "failed", vstring_str(why->reason));
        switch (bounce_append(request->flags, request->queue_id, &request->msg_stats,
                              state->rcpt, LOCAL_RELAY, &dsn)) {
        case 0:
            deliver_completed(request->fp, state->rcpt->offset);
            return 0;
        case BOUNCE_DEFERRED: /* soft_bounce: it stays queued */
            return 0;
        default:
            return -1;
        }
    case LOCAL_WHY_DEFER:
    default:
        DSN_SIMPLE(&dsn, why->status, "delayed", vstring_str(why->reason));
        return defer_append(request->flags, request->queue_id, &request->msg_stats, state->rcpt,
                            LOCAL_RELAY, &dsn) == 0
                   ? 0
                   : -1;
    }
}

/* local_deliver_recipient - the delivery chain for one recipient */

static void local_deliver_recipient(LOCAL_STATE *state)
{
    local_addr_split(state->rcpt->address, var_recipient_delimiter, &state->addr);
    gettimeofday(&state->start, 0);

    /* Aliases and .forward files will be tried here, before the mailbox. */
    local_mailbox(state);

    /* Nothing claimed the recipient. */
    if (state->why->kind == LOCAL_WHY_UNKNOWN)
        state->why->kind = LOCAL_WHY_BOUNCE;
    local_addr_free(&state->addr);
}

/* local_service - one delivery request */

static void local_service(VSTREAM *client, char *service, char **argv)
{
    DELIVER_REQUEST *request;
    LOCAL_STATE state;
    int status = DEL_STAT_OK;
    int i;

    /* Parse the request with no more privilege than a mail_owner daemon. */
    set_eugid(local_owner_uid, local_owner_gid);

    if ((request = deliver_request_read(client)) != 0) {
        if (request->msg_stats.agent_handoff.tv_sec == 0)
            gettimeofday(&request->msg_stats.agent_handoff, 0);
        state.request = request;
        state.why = local_why_alloc();
        for (i = 0; i < request->rcpt_list.len; i++) {
            state.rcpt = request->rcpt_list.info + i;
            if (request->fp == 0)
                local_why_dsn(state.why, "4.3.0", "cannot open queue file");
            else
                local_deliver_recipient(&state);
            if (local_record(&state) != 0)
                status = DEL_STAT_DEFER;
        }
        local_why_free(state.why);
        deliver_request_done(client, request, status);
    }
    set_eugid(0, 0);
}

/* local_pre_init - settings that need root or must be checked once */

static void local_pre_init(char *service, char **argv)
{
    struct passwd *pw;
    VSTRING *why = vstring_alloc(100);
    static char hostname[256];

    if ((pw = getpwnam(var_mail_owner)) == 0)
        msg_fatal("file %s/main.cf: parameter mail_owner: unknown user name value: %s",
                  var_config_directory, var_mail_owner);
    local_owner_uid = pw->pw_uid;
    local_owner_gid = pw->pw_gid;
    if (local_owner_uid == 0)
        msg_fatal("mail_owner must not be the super-user");

    if ((local_lock_mask = myflock_style_mask(var_mailbox_delivery_lock, why)) < 0)
        msg_fatal("parameter mailbox_delivery_lock: %s", vstring_str(why));
    vstring_free(why);

    if (var_mailbox_size_limit > 0 && var_message_size_limit > 0 &&
        var_mailbox_size_limit < var_message_size_limit)
        msg_fatal("main.cf configuration error: mailbox_size_limit is smaller than "
                  "message_size_limit");

    if (gethostname(hostname, sizeof(hostname) - 1) < 0)
        msg_fatal("gethostname: %m");
    hostname[sizeof(hostname) - 1] = 0;
    local_hostname = hostname;
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, local_service, MAIL_SERVER_PRE_INIT, local_pre_init,
                       MAIL_SERVER_PRIVILEGED, MAIL_SERVER_END);
    return 0;
}
