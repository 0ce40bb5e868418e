/*
 * local.h - what the modules of the local delivery agent share.
 *
 * local.c reads delivery requests and, for each recipient, builds a
 * LOCAL_STATE and walks the delivery chain (today: the user's mailbox;
 * aliases and .forward files will come before it).  Each step fills
 * state->why; local.c records the outcome (sent, bounce_append,
 * defer_append) in one place.
 *
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
    RECIPIENT *rcpt;
    LOCAL_ADDR addr;      /* the recipient taken apart */
    LOCAL_WHY *why;       /* the outcome */
    struct timeval start; /* when this recipient's delivery started */
} LOCAL_STATE;

extern uid_t local_owner_uid;
extern gid_t local_owner_gid;
extern int local_lock_mask;
extern const char *local_hostname;

extern void local_mailbox(LOCAL_STATE *state);
extern void local_mbox(LOCAL_STATE *state, const LOCAL_USER *user, const char *path, int spool);
extern void local_maildir(LOCAL_STATE *state, const LOCAL_USER *user, const char *path);
extern VSTRING *local_maildir_name(VSTRING *buf, const struct timeval *tv, unsigned long dev,
                                   unsigned long ino, const char *host);
extern VSTRING *local_maildir_host(VSTRING *buf, const char *hostname);

#endif
