/*
 * proxymap_auth - which tables the proxymap service may serve.
 *
 *   proxymap_auth_parse(list)
 *       A table of the "type:name" strings that list (the expanded value of
 *       proxy_read_maps or proxy_write_maps) names as "proxy:type:name";
 *       every other entry is ignored (not an error: those lists name every
 *       table of the configuration, proxied or not).  Entries are separated
 *       by commas or white space; "{...}" groups one entry that contains
 *       spaces ("proxy:inline:{ a=b }" becomes "inline:{ a=b }" as the
 *       client names it).  The values are non-null markers.
 */
#ifndef POSTERN_PROXYMAP_AUTH_H
#define POSTERN_PROXYMAP_AUTH_H

#include "htable.h"

extern HTABLE *proxymap_auth_parse(const char *list);

#endif
