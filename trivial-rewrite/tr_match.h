/*
 * tr_match - the lookup tables and name lists trivial-rewrite consults.
 *
 * Tables are opened once per process (tr_table_open caches them by their
 * "type:name" text), because trivial-rewrite answers thousands of requests
 * per second and an open costs a file read or more.  When a table file
 * changes on disk, tr_table_changed() says so and the daemon exits after
 * the request it is serving, so that master starts a fresh process that
 * opens the new file (Postfix does the same: no half-reloaded state).
 *
 *   tr_table_open(spec)
 *       The DICT for "type:name" (read-only, Postfix's default flags),
 *       opened on first use.  "proxy:type:name" is opened as "type:name"
 *       directly (there is no proxymap yet; trivial-rewrite may read the
 *       tables itself).  A table that cannot be opened comes back as a
 *       surrogate whose lookups fail, so mail is deferred, never misrouted.
 *   tr_table_changed()
 *       The name of the first opened table whose file changed since it was
 *       opened, or null.
 *
 * Maps: a list of tables searched in order ("transport_maps = hash:a,
 * regexp:b").
 *   tr_maps_create(title, spec)     title is the parameter name (logging)
 *   tr_maps_find(maps, key, flags, &value)
 *       DICT_STAT_FOUND (value set, valid until the next lookup),
 *       DICT_STAT_NOTFOUND or DICT_STAT_FAIL (a warning is logged:
 *       "TITLE lookup error for KEY: REASON").  With TR_MAPS_FIXED only
 *       fixed-key tables are asked (hash, inline, ...): Postfix never asks
 *       a regexp table for a partial key such as a bare domain.
 *   tr_maps_empty(maps)             no tables configured
 *
 * Lists: Postfix's match lists for mydestination, relay_domains,
 * virtual_*_domains.  Elements (commas or white space, {} groups): a name,
 * "!element" (a match of the negated element means "no match" and ends
 * the search), "/file/name" (the file's words are elements, read once at
 * create time), or "type:table" (a key lookup; any value matches).  Names
 * compare case-insensitively.
 *   tr_list_create(title, spec, flags)
 *       TR_LIST_HOST: host name matching as in Postfix's domain lists:
 *           with TR_LIST_PARENT (the parameter is named in
 *           parent_domain_matches_subdomains) "example.com" also matches
 *           "sub.example.com", and a table is also asked for each parent
 *           domain "example.com"; without it ".example.com" matches the
 *           subdomains and a table is asked for ".example.com".
 *       without TR_LIST_HOST: exact strings only (Postfix's string lists:
 *           mydestination, virtual_alias_domains, virtual_mailbox_domains
 *           -- ".example.com" there matches nothing but itself).
 *   tr_list_match(list, name)   1 match, 0 no match, -1 a table failed
 *                               (logged; the caller must defer)
 *   tr_list_empty(list)
 *   tr_parent_style(param)      1 when param is listed in
 *                               parent_domain_matches_subdomains
 *
 * What can go wrong: an unreadable /file in a list is fatal (like Postfix:
 * the configuration is broken and master will log and throttle); table
 * failures are reported per lookup, never turned into "not found".
 */
#ifndef TR_MATCH_H
#define TR_MATCH_H

#include "dict.h"

typedef struct TR_MAPS TR_MAPS;
typedef struct TR_LIST TR_LIST;

#define TR_MAPS_ALL   0
#define TR_MAPS_FIXED (1 << 0)

#define TR_LIST_HOST   (1 << 0)
#define TR_LIST_PARENT (1 << 1)

extern DICT *tr_table_open(const char *spec);
extern const char *tr_table_changed(void);

extern TR_MAPS *tr_maps_create(const char *title, const char *spec);
extern int tr_maps_find(TR_MAPS *maps, const char *key, int flags, const char **value);
extern int tr_maps_empty(const TR_MAPS *maps);
extern void tr_maps_free(TR_MAPS *maps);

extern TR_LIST *tr_list_create(const char *title, const char *spec, int flags);
extern int tr_list_match(TR_LIST *list, const char *name);
extern int tr_list_empty(const TR_LIST *list);
extern void tr_list_free(TR_LIST *list);

extern int tr_parent_style(const char *param);

#endif
