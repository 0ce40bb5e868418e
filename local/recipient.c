/*
 * recipient - the delivery chain for one address, and recording its
 * outcome (see local.h: local_deliver_address, local_record).
 *
 * local_deliver_address() is called by local.c for each recipient of a
 * request, and again by alias.c for each local address an alias expands
 * to: alias_maps first, then the user's mailbox.  The per-request
 * duplicate filter (at most duplicate_filter_limit entries) drops the
 * same address at the same nesting level, as Postfix does, so that
 * "a: b, b" delivers to b once.
 *
 * local_record() logs and records state->address with the top-level
 * recipient's original address and queue file offset: Postfix's
 * "to=<paco@host>, orig_to=<postmaster>".  The caller (local.c) marks the
 * top-level recipient done only when every address it led to is final;
 * a deferred alias member keeps the whole recipient queued (members that
 * were delivered are delivered again on retry, as with Postfix).
 */
#include <string.h>
#include <sys/time.h>

#include "bounce.h"
#include "dsn.h"
#include "htable.h"
#include "local.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "stringops.h"

#define LOCAL_RELAY "local"

/* local_record - see local.h */

int local_record(LOCAL_STATE *state)
{
    DELIVER_REQUEST *request = state->request;
    LOCAL_WHY *why = state->why;
    RECIPIENT rcpt = *state->rcpt;
    DSN dsn;

    /* The address delivered now; orig_to and the offset stay qmgr's. */
    rcpt.address = (char *)state->address;
    switch (why->kind) {
    case LOCAL_WHY_SENT:
        DSN_SIMPLE(&dsn, why->status, "delivered", vstring_str(why->reason));
        return sent(request->flags, request->queue_id, &request->msg_stats, &rcpt, LOCAL_RELAY,
                    &dsn) == 0
                   ? 0
                   : -1;
    case LOCAL_WHY_BOUNCE:
    case LOCAL_WHY_UNKNOWN:
        DSN_SIMPLE(&dsn, why->status, "failed", vstring_str(why->reason));
        switch (bounce_append(request->flags, request->queue_id, &request->msg_stats, &rcpt,
                              LOCAL_RELAY, &dsn)) {
        case 0:
            return 0;
        case BOUNCE_DEFERRED: /* soft_bounce: it stays queued */
            return 1;
        default:
            return -1;
        }
    case LOCAL_WHY_DEFER:
    default:
        DSN_SIMPLE(&dsn, why->status, "delayed", vstring_str(why->reason));
        return defer_append(request->flags, request->queue_id, &request->msg_stats, &rcpt,
                            LOCAL_RELAY, &dsn) == 0
                   ? 1
                   : -1;
    }
}

/* local_been_here - the per-request duplicate filter; 1 when seen */

static int local_been_here(LOCAL_STATE *state, const char *addr)
{
    VSTRING *key = vstring_alloc(100);
    int seen;

    vstring_sprintf(key, "%d %s", state->level, addr);
    lowercase(vstring_str(key));
    seen = htable_locate(state->dup_filter, vstring_str(key)) != 0;
    if (!seen && state->dup_filter->used < (size_t)var_duplicate_filter_limit)
        htable_enter(state->dup_filter, vstring_str(key), 0);
    vstring_free(key);
    return seen;
}

/* local_deliver_address - see local.h */

int local_deliver_address(LOCAL_STATE *state, const char *addr)
{
    LOCAL_ADDR saved_addr = state->addr;
    const char *saved_address = state->address;
    int saved_level = state->level;
    char *copy;
    int status;

    state->level++;
    if (local_been_here(state, addr)) {
        state->level = saved_level;
        return 0;
    }
    copy = mystrdup(addr);
    state->address = copy;
    local_addr_split(copy, var_recipient_delimiter, &state->addr);

    if (!local_alias(state, &status)) {
        /* .forward files will be tried here, before the mailbox. */
        local_mailbox(state);
        /* Nothing claimed the recipient. */
        if (state->why->kind == LOCAL_WHY_UNKNOWN)
            state->why->kind = LOCAL_WHY_BOUNCE;
        status = local_record(state);
    }
    local_addr_free(&state->addr);
    myfree(copy);
    state->addr = saved_addr;
    state->address = saved_address;
    state->level = saved_level;
    return status;
}
