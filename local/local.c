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
 *   2. alias_maps (alias.c): the local part, then the local part without
 *      its extension; each address of the value is delivered recursively
 *      in this process (recipient.c), with Postfix's loop rules;
 *      [.forward files will go here]
 *   3. the user's mailbox (mailbox.c, maildir.c); no such user: bounce
 *      5.1.1 "unknown user: \"name\"".
 *
 * Log lines (written by sent/bounce_append/defer_append), as Postfix's:
 *   ID: to=<paco@host>, orig_to=<paco>, relay=local, delay=0.03,
 *       delays=0.02/0.01/0/0, dsn=2.0.0, status=sent (delivered to mailbox)
 *
 * Parameters: alias_maps, allow_mail_to_commands, allow_mail_to_files,
 * duplicate_filter_limit, mail_spool_directory, home_mailbox, recipient_delimiter,
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
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "bounce.h"
#include "deliver_request.h"
#include "dsn.h"
#include "local.h"
#include "maps.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "myflock.h"
#include "mymalloc.h"
#include "set_ugid.h"
#include "stringops.h"

/* local_service - one delivery request */

static void local_service(VSTREAM *client, char *service, char **argv)
{
    DELIVER_REQUEST *request;
    LOCAL_STATE state;
    int status = DEL_STAT_OK;
    int outcome;
    int i;

    /* Parse the request with no more privilege than a mail_owner daemon. */
    set_eugid(local_owner_uid, local_owner_gid);

    if ((request = deliver_request_read(client)) != 0) {
        if (request->msg_stats.agent_handoff.tv_sec == 0)
            gettimeofday(&request->msg_stats.agent_handoff, 0);
        memset(&state, 0, sizeof(state));
        state.request = request;
        state.service = service;
        state.why = local_why_alloc();
        state.dup_filter = htable_create(10);
        for (i = 0; i < request->rcpt_list.len; i++) {
            state.rcpt = request->rcpt_list.info + i;
            state.address = state.rcpt->address;
            state.level = 0;
            state.exp_from = 0;
            gettimeofday(&state.start, 0);
            if (request->fp == 0) {
                local_why_dsn(state.why, "4.3.0", "cannot open queue file");
                outcome = local_record(&state);
            } else {
                outcome = local_deliver_address(&state, state.rcpt->address);
            }
            /* Done only when every address it expanded to is final. */
            if (outcome == 0)
                deliver_completed(request->fp, state.rcpt->offset);
            else if (outcome < 0)
                status = DEL_STAT_DEFER;
        }
        htable_free(state.dup_filter, 0);
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

    local_alias_init();
}

/* local_pre_accept - restart with fresh tables when one changed */

static void local_pre_accept(char *service, char **argv)
{
    const char *name;

    if ((name = maps_table_changed()) != 0) {
        msg_info("table %s has changed -- restarting", name);
        exit(0);
    }
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, local_service, MAIL_SERVER_PRE_INIT, local_pre_init,
                       MAIL_SERVER_PRE_ACCEPT, local_pre_accept, MAIL_SERVER_PRIVILEGED,
                       MAIL_SERVER_END);
    return 0;
}
