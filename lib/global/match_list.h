/*
 * match_list - Postfix's match lists: the parameters that list names,
 * domains or networks (mydestination, relay_domains, virtual_*_domains,
 * mynetworks, debug_peer_list, smtpd_*_exclusions, ...).
 *
 * A list is a parameter value: elements separated by commas or white
 * space ({} groups one element).  Elements are tried in order; the first
 * that matches decides.
 *   name          a name, compared case-insensitively
 *   !element      a match of the element means "no match" and ends the
 *                 search ("!!x" is "x")
 *   /file/name    the file's words are elements (commas or white space,
 *                 "#" starts a comment), read once at create time; with
 *                 "!" in front every element of the file is negated
 *   type:table    a key lookup; any value matches.  A table that cannot
 *                 answer is reported as a failure (-1), never as "no
 *                 match": the caller defers.
 * With MATCH_LIST_ADDR (host-or-address lists such as mynetworks) also:
 *   1.2.3.4, [1.2.3.4], ::1, [::1]             one address
 *   1.2.3.0/24, [2001:db8::]/32, 2001:db8::/32 a network (host bits must
 *                 be zero; anything else is a fatal configuration error,
 *                 as a typo there can open a relay)
 *
 * Kinds of lists (flags):
 *   0 (a string list: mydestination, virtual_alias_domains,
 *       virtual_mailbox_domains)  names match exactly; ".example.com"
 *       matches only ".example.com"; a table is asked for the name only.
 *   MATCH_LIST_HOST (a domain list: relay_domains, ...)  also parent
 *       domains: ".example.com" matches every subdomain of example.com
 *       (not example.com itself), and a table is asked for
 *       ".example.com", ".com" after "sub.example.com".
 *   MATCH_LIST_HOST | MATCH_LIST_PARENT  (the parameter is named in
 *       parent_domain_matches_subdomains; see match_list_parent_style)
 *       "example.com" also matches its subdomains, and a table is asked
 *       for "example.com", "com" instead of the dotted forms.
 *   MATCH_LIST_ADDR   with MATCH_LIST_HOST: a host-or-address list, for
 *       match_list_match_host().
 *
 *   match_list_create(title, spec, flags)
 *       title is the parameter name (log lines).  Tables are shared
 *       through maps_table_open() (maps.h), so maps_table_changed() sees
 *       them too.
 *   match_list_match(list, name)
 *       1 match, 0 no match, -1 a table failed (logged; defer).
 *   match_list_match_host(list, name, addr)
 *       the same for a client: name (may be null or "unknown": then names
 *       never match) is matched by the name elements, addr (a numeric
 *       IPv4 or IPv6 address, may be null) by the address and network
 *       elements; a table is asked for the name (and its parent forms),
 *       then for the address.
 *   match_list_empty(list)   1 when the list has no elements
 *   match_list_free(list)
 *   match_list_parent_style(param)
 *       1 when param is listed in parent_domain_matches_subdomains.
 *
 * What can go wrong: an unreadable /file or a bad network is fatal at
 * create time (the configuration is broken; master logs and throttles);
 * table failures are reported per lookup.
 */
#ifndef POSTERN_MATCH_LIST_H
#define POSTERN_MATCH_LIST_H

typedef struct MATCH_LIST MATCH_LIST;

#define MATCH_LIST_STRING 0
#define MATCH_LIST_HOST   (1 << 0)
#define MATCH_LIST_PARENT (1 << 1)
#define MATCH_LIST_ADDR   (1 << 2)

#define MATCH_LIST_FAIL (-1)

extern MATCH_LIST *match_list_create(const char *title, const char *spec, int flags);
extern int match_list_match(MATCH_LIST *list, const char *name);
extern int match_list_match_host(MATCH_LIST *list, const char *name, const char *addr);
extern int match_list_empty(const MATCH_LIST *list);
extern void match_list_free(MATCH_LIST *list);
extern int match_list_parent_style(const char *param);

#endif
