/*
 * maps - a *_maps parameter: an ordered list of "type:name" lookup tables
 * searched in order (transport_maps, virtual_alias_maps, relocated_maps,
 * sender_dependent_relayhost_maps, ...), with Postfix's semantics.
 *
 * Tables are opened once per process and shared: maps_table_open() keeps
 * every table it opened, by its "type:name" text and dict flags, for the
 * life of the process (a daemon opens a handful and answers thousands of
 * lookups with them; two parameters naming the same table share it).
 * When a table file changes on disk, maps_table_changed() says so; a
 * long-running daemon then finishes its current request and exits, so
 * that master starts a fresh process that opens the new file (as Postfix
 * does: no half-reloaded state).
 *
 *   maps_table_open(spec, dict_flags)
 *       The DICT for "type:name", read-only, opened on first use
 *       ("proxy:type:name" is a client of the proxymap service, like any
 *       other dict_open of it).  A table that cannot be opened comes back as a
 *       surrogate whose lookups fail (logged once here), so mail that needs
 *       it is deferred, never misrouted.
 *   maps_table_changed()
 *       The spec of the first opened table whose file changed since it was
 *       opened, or null.
 *
 *   maps_is_table(elem)
 *       1 when a list element names a table ("type:name": a colon, and not
 *       an "[address literal]"), else 0.
 *
 *   maps_create(title, spec, dict_flags)
 *       The tables in spec (commas or white space, {} groups), in order.
 *       title is the parameter name, for log lines.  An element that is not
 *       "type:name" is ignored with a warning.  Empty spec: no tables.
 *   maps_find(maps, key, flags, &value)
 *       DICT_STAT_FOUND (value set, valid until the next lookup on that
 *       table), DICT_STAT_NOTFOUND, or DICT_STAT_FAIL (logged as "TITLE
 *       lookup error for "KEY": type:name: REASON").  The first table that
 *       has the key wins; a failing table ends the search: a later table
 *       must never answer for an earlier one that could not.  With
 *       MAPS_FIND_FIXED only fixed-key tables are asked (hash, btree,
 *       inline, ...): Postfix never asks a regexp, pcre or cidr table for a
 *       partial key such as "@domain" or a parent domain.
 *   maps_empty(maps)    1 when no tables are configured
 *   maps_title(maps)    the title given to maps_create
 *   maps_free(maps)     the tables stay open in the process-wide cache
 *
 * What can go wrong: see above; nothing here is fatal.  A lookup failure is
 * never turned into "not found".
 */
#ifndef POSTERN_MAPS_H
#define POSTERN_MAPS_H

#include "dict.h"

typedef struct MAPS MAPS;

#define MAPS_FIND_ALL   0
#define MAPS_FIND_FIXED (1 << 0)

extern DICT *maps_table_open(const char *spec, int dict_flags);
extern const char *maps_table_changed(void);
extern int maps_is_table(const char *elem);

extern MAPS *maps_create(const char *title, const char *spec, int dict_flags);
extern int maps_find(MAPS *maps, const char *key, int flags, const char **value);
extern int maps_empty(const MAPS *maps);
extern const char *maps_title(const MAPS *maps);
extern void maps_free(MAPS *maps);

#endif
