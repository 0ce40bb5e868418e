/*
 * cleanup - the daemon that turns submitted mail into queue files.
 *
 * Speaks "cleanup/1" (lib/global/PROTOCOLS.md) on public/cleanup, one
 * client at a time per process (single server): sends the hello and the
 * queue id of the file it created in incoming/, reads the request flags,
 * then the client's queue-file records (rec_vstream_get, in
 * line_length_limit pieces), processes them (cleanup_api.c and friends,
 * see cleanup.h), and answers {status, reason}.  Status 0 is sent only
 * after the queue file is complete: written, fsync'ed, mode 0700.  Then
 * qmgr is poked with "I" on public/$queue_service_name.
 *
 * Parameters: header_checks, mime_header_checks, nested_header_checks,
 * body_checks, body_checks_size_limit, canonical_maps,
 * sender_canonical_maps, recipient_canonical_maps, *_canonical_classes,
 * masquerade_domains, masquerade_exceptions, masquerade_classes,
 * virtual_alias_maps, virtual_alias_expansion_limit,
 * virtual_alias_recursion_limit, duplicate_filter_limit,
 * message_size_limit, header_size_limit, hopcount_limit,
 * message_drop_headers, always_add_missing_headers,
 * undisclosed_recipients_header, remote_header_rewrite_domain,
 * recipient_delimiter, propagate_unmatched_extensions, delay_warning_time,
 * enable_original_recipient, myhostname, line_length_limit.
 *
 * Files: incoming/ID (created, completed or removed), hold/ID (HOLD).
 * Services used: rewrite (trivial-rewrite), bounce (rejected local mail),
 * qmgr (trigger).
 *
 * What can go wrong: a client that breaks the protocol or disconnects gets
 * CLEANUP_STAT_BAD (if it is still there) and its file is removed; a full
 * disk is CLEANUP_STAT_WRITE (the client tries again later); an unreadable
 * table defers the message.  None of these ends the process.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attr.h"
#include "bounce.h"
#include "cleanup.h"
#include "cleanup_user.h"
#include "dsn.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "maps.h"
#include "mail_server.h"
#include "msg.h"
#include "msg_stats.h"
#include "rec_stream.h"
#include "recipient.h"
#include "rewrite_clnt.h"

static CLEANUP_CONF *cleanup_conf;

/*
 * A few recent rewrite answers.  Each message asks about the same
 * addresses more than once (envelope sender and From:, envelope recipient
 * and To:), in an order that defeats rewrite_clnt's one-entry cache; every
 * miss is a round trip to trivial-rewrite (4 system calls here, 5 there,
 * 2 context switches).  Answers depend only on main.cf, so they are kept
 * as long as rewrite_clnt keeps its own (CLEANUP_REWRITE_TTL seconds); a
 * reload restarts cleanup processes anyway.
 */
#define CLEANUP_REWRITE_SLOTS 8
#define CLEANUP_REWRITE_TTL   30

typedef struct CLEANUP_REWRITE_SLOT {
    VSTRING *rule;
    VSTRING *addr;
    VSTRING *result;
    time_t when; /* 0: empty */
} CLEANUP_REWRITE_SLOT;

static CLEANUP_REWRITE_SLOT cleanup_rewrite_cache[CLEANUP_REWRITE_SLOTS];
static int cleanup_rewrite_next;

static void cleanup_rewrite_hook(const char *rule, const char *addr, VSTRING *result)
{
    CLEANUP_REWRITE_SLOT *slot;
    time_t now = time((time_t *)0);
    int i;

    for (i = 0; i < CLEANUP_REWRITE_SLOTS; i++) {
        slot = cleanup_rewrite_cache + i;
        if (slot->when != 0 && now - slot->when <= CLEANUP_REWRITE_TTL && now >= slot->when &&
            strcmp(vstring_str(slot->addr), addr) == 0 && strcmp(vstring_str(slot->rule), rule) == 0) {
            vstring_strcpy(result, vstring_str(slot->result));
            return;
        }
    }
    slot = cleanup_rewrite_cache + cleanup_rewrite_next;
    cleanup_rewrite_next = (cleanup_rewrite_next + 1) % CLEANUP_REWRITE_SLOTS;
    if (slot->rule == 0) {
        slot->rule = vstring_alloc(10);
        slot->addr = vstring_alloc(100);
        slot->result = vstring_alloc(100);
    }
    /* Copy the question first: addr may live in result's buffer. */
    slot->when = 0;
    vstring_strcpy(slot->rule, rule);
    vstring_strcpy(slot->addr, addr);
    rewrite_clnt_internal(rule, vstring_str(slot->addr), result);
    vstring_strcpy(slot->result, vstring_str(result));
    slot->when = now;
}

static int cleanup_bounce_hook(CLEANUP_STATE *state, const char *orig, const char *rcpt,
                               const char *orcpt, int notify, const char *status, const char *text)
{
    MSG_STATS stats;
    RECIPIENT r;
    DSN dsn;

    memset(&stats, 0, sizeof(stats));
    stats.incoming_arrival = state->arrival;
    r.orig_addr = orig;
    r.address = rcpt;
    r.offset = 0;
    r.dsn_orcpt = orcpt;
    r.dsn_notify = notify;
    DSN_SIMPLE(&dsn, status, "failed", text);
    return bounce_one(BOUNCE_FLAG_NONE, state->queue_name, cleanup_id(state), "", 0,
                      state->sender ? state->sender : "",
                      state->dsn_envid ? state->dsn_envid : "", state->dsn_ret, &stats, &r,
                      "none", &dsn);
}

static const CLEANUP_HOOKS cleanup_hooks = {cleanup_rewrite_hook, cleanup_bounce_hook};

static void cleanup_service(VSTREAM *client, char *service, char **argv)
{
    CLEANUP_STATE *state = cleanup_state_alloc(cleanup_conf, &cleanup_hooks);
    VSTRING *buf = vstring_alloc(1024);
    int flags = 0;
    int status;
    int type;

    (void)cleanup_open(state, 0);
    if (attr_print_hello(client, MAIL_PROTO_CLEANUP) != 0
        || attr_print(client, ATTR_FLAG_NONE, 
                      SEND_ATTR_STR(MAIL_ATTR_QUEUEID, vstring_str(state->queue_id)),
                      ATTR_TYPE_END) != 0
        || vstream_fflush(client) != 0
        || attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &flags),
                     ATTR_TYPE_END) != 1) {
        /* The client is gone or speaks something else: nothing to answer. */
        cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
        (void)cleanup_close(state);
        cleanup_state_free(state);
        vstring_free(buf);
        return;
    }
    state->flags = flags;
    if (state->errs == 0) {
        for (;;) {
            type = rec_vstream_get(client, buf, (size_t)var_line_length_limit);
            if (type < 0) {
                msg_warn("%s: %s reading records from the client", cleanup_id(state),
                         type == REC_TYPE_EOF ? "unexpected end of input" : "bad record");
                cleanup_set_error(state, CLEANUP_STAT_BAD, "4.3.0 internal protocol error");
                break;
            }
            cleanup_record(state, type, vstring_str(buf), VSTRING_LEN(buf));
            if (type == REC_TYPE_END)
                break;
        }
    }
    status = cleanup_close(state);
    (void)attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status),
                     SEND_ATTR_STR(MAIL_ATTR_REASON, status ? vstring_str(state->reason) : ""),
                     ATTR_TYPE_END);
    (void)vstream_fflush(client);
    if (status == 0 && !state->discard && !state->hold && state->rcpt_count > 0
        && mail_trigger(MAIL_CLASS_PUBLIC, var_queue_service_name, "I", 1) < 0 && msg_verbose)
        msg_info("%s: cannot trigger %s: %m", cleanup_id(state), var_queue_service_name);
    cleanup_state_free(state);
    vstring_free(buf);
}

static void cleanup_pre_init(char *service, char **argv)
{
    cleanup_conf = cleanup_conf_from_params();
}

/* Before taking the next client: restart with fresh tables if one changed. */
static void cleanup_pre_accept(char *service, char **argv)
{
    const char *name;

    if ((name = maps_table_changed()) != 0) {
        msg_info("table %s has changed -- restarting", name);
        exit(0);
    }
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, cleanup_service, MAIL_SERVER_PRE_INIT, cleanup_pre_init,
                       MAIL_SERVER_PRE_ACCEPT, cleanup_pre_accept, MAIL_SERVER_END);
    return 0;
}
