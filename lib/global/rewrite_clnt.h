#ifndef POSTERN_REWRITE_CLNT_H
#define POSTERN_REWRITE_CLNT_H

/*
 * rewrite_clnt, resolve_clnt - clients of trivial-rewrite (service
 * "rewrite", PROTOCOLS.md "rewrite").
 *
 *   rewrite_clnt(rule, addr, result)
 *       Rewrite an address in external (RFC 5322 quoted) form with the
 *       given rule ("local" = REWRITE_LOCAL, or "remote") to the canonical
 *       user@fully.qualified form, also external.  Returns result.  Keeps a
 *       one-entry cache; retries the connection until trivial-rewrite
 *       answers (a temporary failure never becomes a wrong answer).
 *   rewrite_clnt_internal(rule, addr, result)   same for an address in
 *       internal (unquoted) form: quoted, rewritten, unquoted.
 *
 *   resolve_clnt_init(&reply) / resolve_clnt_free(&reply)
 *   resolve_clnt_query(addr, &reply)
 *   resolve_clnt_query_from(sender, addr, &reply)
 *       Resolve a (rewritten, internal form) recipient to transport,
 *       nexthop and recipient, with the address class and flags.  Retries
 *       like rewrite_clnt().  A table lookup failure in trivial-rewrite
 *       comes back as RESOLVE_FLAG_FAIL: the caller defers.
 */

#include "vstring.h"

#define REWRITE_LOCAL  "local"
#define REWRITE_REMOTE "remote"

/* Flags (Postfix's values). */
#define RESOLVE_FLAG_FINAL  (1 << 0) /* final delivery */
#define RESOLVE_FLAG_ROUTED (1 << 1) /* routed destination (user@host@...) */
#define RESOLVE_FLAG_ERROR  (1 << 2) /* bad destination syntax */
#define RESOLVE_FLAG_FAIL   (1 << 3) /* temporary lookup failure */
#define RESOLVE_CLASS_LOCAL   (1 << 8)
#define RESOLVE_CLASS_ALIAS   (1 << 9)
#define RESOLVE_CLASS_VIRTUAL (1 << 10)
#define RESOLVE_CLASS_RELAY   (1 << 11)
#define RESOLVE_CLASS_DEFAULT (1 << 12)
#define RESOLVE_CLASS_FINAL (RESOLVE_CLASS_LOCAL | RESOLVE_CLASS_ALIAS | RESOLVE_CLASS_VIRTUAL)
#define RESOLVE_CLASS_MASK                                                                          \
    (RESOLVE_CLASS_LOCAL | RESOLVE_CLASS_ALIAS | RESOLVE_CLASS_VIRTUAL | RESOLVE_CLASS_RELAY |       \
     RESOLVE_CLASS_DEFAULT)

typedef struct RESOLVE_REPLY {
    VSTRING *transport;
    VSTRING *nexthop;
    VSTRING *recipient;
    int flags;
} RESOLVE_REPLY;

extern VSTRING *rewrite_clnt(const char *rule, const char *addr, VSTRING *result);
extern VSTRING *rewrite_clnt_internal(const char *rule, const char *addr, VSTRING *result);
extern void resolve_clnt_init(RESOLVE_REPLY *reply);
extern void resolve_clnt_free(RESOLVE_REPLY *reply);
extern void resolve_clnt_query(const char *addr, RESOLVE_REPLY *reply);
extern void resolve_clnt_query_from(const char *sender, const char *addr, RESOLVE_REPLY *reply);

#endif
