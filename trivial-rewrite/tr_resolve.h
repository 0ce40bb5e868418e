/*
 * tr_resolve - the "resolve" half of trivial-rewrite(8): where does mail
 * for a recipient go?
 *
 *   tr_resolve_init()
 *       Build the lists and open the tables from the parameters
 *       (mydestination, relay_domains, virtual_alias_domains,
 *       virtual_mailbox_domains, transport_maps, the sender-dependent
 *       maps).  Call again after changing parameters (tests).
 *   tr_resolve_addr(sender, addr, reply)
 *       addr is a recipient in internal form, sender the envelope sender
 *       ("" for the null sender).  Fills reply (RESOLVE_REPLY of
 *       rewrite_clnt.h): transport, nexthop, recipient (internal form,
 *       always user@domain) and flags.
 *
 * Rules (postconf(5) and transport(5) say which parameter does what):
 *   - The address is canonicalized first (tr_rewrite, local context).
 *   - Local domains are peeled off from the right, and what is left is
 *     examined again: "user%remote@local" and "remote!user@local" route
 *     through us (allow_percent_hack, swap_bangpath), as does a quoted
 *     local part with "@" in it ("\"u@remote\"@local",
 *     resolve_dequoted_address).  A domain is local when it is in
 *     mydestination (exact names; tables asked for the name), or is an
 *     address literal [ip] (resolve_numeric_domain: also a bare ip) of
 *     inet_interfaces or proxy_interfaces.
 *   - An empty local part is $empty_address_recipient (MAILER-DAEMON).
 *     An address without a domain gets @$myhostname; "user@" is an error
 *     unless resolve_null_domain.
 *   - Local: class LOCAL, $local_transport (nexthop $myhostname unless
 *     local_transport names one).  Remote, by the first match:
 *     virtual_alias_domains (class ALIAS: "error" with "5.1.1 User unknown
 *     in virtual alias table"), virtual_mailbox_domains (VIRTUAL,
 *     $virtual_transport, nexthop the domain), relay_domains (RELAY,
 *     $relay_transport), else DEFAULT ($sender_dependent_default_transport_
 *     maps or $default_transport).  RELAY and DEFAULT take their nexthop
 *     from the transport's ":nexthop", else sender_dependent_relayhost_maps,
 *     else relayhost, else the recipient domain.
 *   - transport_maps then overrides transport and/or nexthop (the full
 *     address, the address without its extension, the domain, its parents
 *     as ".parent" or "parent" per parent_domain_matches_subdomains, "*").
 *   - A remote domain that is not a valid host name or [address literal],
 *     or a digits-and-dots domain without brackets (unless
 *     resolve_numeric_domain), is RESOLVE_FLAG_ERROR.  A local part with
 *     "@", "!" or "%" left in it is RESOLVE_FLAG_ROUTED.
 *   - A table that fails sets RESOLVE_FLAG_FAIL: the caller must defer;
 *     a failed lookup never yields a guessed answer.
 * Fields that a failure or error leaves undecided hold Postfix's
 * placeholders ("CHANNEL NOT UPDATED", ...), which clients never use.
 */
#ifndef TR_RESOLVE_H
#define TR_RESOLVE_H

#include "rewrite_clnt.h"

extern void tr_resolve_init(void);
extern void tr_resolve_addr(const char *sender, const char *addr, RESOLVE_REPLY *reply);

#endif
