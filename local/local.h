/*
 * local.h - what the modules of the local delivery agent share.
 *
 * local.c reads delivery requests and, for each recipient, builds a
 * LOCAL_STATE and walks the delivery chain (alias_maps, then the user's
 * mailbox; .forward files will come between them).  Each step fills
 * state->why and calls local_record(), which records the outcome of
 * state->address (sent, bounce_append, defer_append) in one place.
 *
 *   local_record(state)      record state->why for state->address (with
 *                            state->rcpt's original address and offset);
 *                            0 final (sent or bounced), 1 kept in the
 *                            queue (deferred, or soft_bounce), -1 could
 *                            not be recorded
 *   local_deliver_address(state, addr)   the delivery chain for one
 *                            address, top level or from an alias (local.c);
 *                            returns like local_record, the worst outcome
 *   local_alias_init(), local_alias(state, &status),
 *   local_alias_resolve(state, addr)     alias_maps (alias.c)
 *   local_mailbox(state)     deliver to the recipient's mailbox: mbox or
 *                            Maildir in mail_spool_directory or under
 *                            $HOME/home_mailbox (mailbox.c).  why->kind
 *                            LOCAL_WHY_UNKNOWN when there is no such user.
 *   local_mbox(state, user, path, spool)       mbox delivery (mailbox.c)
 *   local_maildir(state, user, path)           Maildir delivery (maildir.c)
 *   local_maildir_name(buf, tv, dev, ino, host) the unique file name in
 *                            new/: "SEC.VdevIinoMusec.host" (hex dev and
 *                            inode, decimal microseconds), like Postfix
 *   local_maildir_host(buf, hostname)         the host part, with "/" and
 *                            ":" written as \057 and \072
 *
 * Process-wide settings, filled in before the first request (local.c):
 *   local_owner_uid, local_owner_gid   mail_owner: the effective IDs the
 *                                      agent has between deliveries
 *   local_lock_mask                    mailbox_delivery_lock as
 *                                      MYFLOCK_STYLE_* bits
 *   local_hostname                     gethostname(), for Maildir names
 */
#ifndef POSTERN_LOCAL_H
#define POSTERN_LOCAL_H

#include <sys/time.h>
#include <sys/types.h>

#include "deliver_request.h"
#include "htable.h"
#include "local_addr.h"
#include "local_why.h"
#include "vstring.h"

typedef struct LOCAL_USER {
    char *name;
    uid_t uid;
    gid_t gid;
    char *home;
} LOCAL_USER;

typedef struct LOCAL_STATE {
    DELIVER_REQUEST *request;
    RECIPIENT *rcpt;      /* the recipient qmgr asked for (top level) */
    const char *address;  /* the address being delivered now: rcpt's, or
                           * one from an alias expansion */
    LOCAL_ADDR addr;      /* address taken apart */
    LOCAL_WHY *why;       /* the outcome */
    struct timeval start; /* when this recipient's delivery started */
    const char *service;  /* our master.cf service name ("local") */
    int level;            /* nesting of recipient/alias/resolve steps */
    const char *exp_from; /* the alias being expanded, or null */
    HTABLE *dup_filter;   /* "level address" already delivered, per request */
} LOCAL_STATE;

extern uid_t local_owner_uid;
extern gid_t local_owner_gid;
extern int local_lock_mask;
extern const char *local_hostname;

extern int local_record(LOCAL_STATE *state);
extern int local_deliver_address(LOCAL_STATE *state, const char *addr);
extern void local_alias_init(void);
extern int local_alias(LOCAL_STATE *state, int *status);
extern int local_alias_resolve(LOCAL_STATE *state, const char *addr);
extern void local_mailbox(LOCAL_STATE *state);
extern void local_mbox(LOCAL_STATE *state, const LOCAL_USER *user, const char *path, int spool);
extern void local_maildir(LOCAL_STATE *state, const LOCAL_USER *user, const char *path);
extern VSTRING *local_maildir_name(VSTRING *buf, const struct timeval *tv, unsigned long dev,
                                   unsigned long ino, const char *host);
extern VSTRING *local_maildir_host(VSTRING *buf, const char *hostname);

#endif
