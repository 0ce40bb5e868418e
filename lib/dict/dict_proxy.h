/*
 * dict_proxy - the "proxy:type:name" table: lookups (and, for writers,
 * updates and deletions) done by the proxymap service on the caller's
 * behalf, so that a chrooted or unprivileged daemon can use a table it
 * cannot open itself (proxy:unix:passwd.byname), and so that many processes
 * share one open table (one database connection, one file lock).
 *
 * A table opened O_RDONLY talks to private/$proxymap_service_name
 * ("proxymap"); any other open mode to private/$proxywrite_service_name
 * ("proxywrite").  The service must list the table in proxy_read_maps
 * (proxymap) or proxy_write_maps (proxywrite) as "proxy:type:name".
 *
 * The protocol ("proxymap/1", multi server, any number of requests per
 * connection; names from mail_proto.h and below):
 *
 *   S: {protocol="proxymap/1"}
 *   C: {request="open",   table=TYPE:NAME, flags=INT}
 *   S: {status=INT, flags=INT}        the server table's DICT_FLAG_*
 *   C: {request="lookup", table=TYPE:NAME, flags=INT, key=STR}
 *   S: {status=INT, value=STR}        value "" unless status is OK
 *   C: {request="update", table=TYPE:NAME, flags=INT, key=STR, value=STR}
 *   S: {status=INT}
 *   C: {request="delete", table=TYPE:NAME, flags=INT, key=STR}
 *   S: {status=INT}
 *
 * flags are the caller's DICT_FLAG_* (the server keeps only those that
 * change how a table answers: folding, null termination, locking,
 * duplicates, sync, paranoia, UTF-8); the server opens each distinct
 * (table, flags) once and keeps it open, reopening it when its file
 * changes.  status is a PROXY_STAT_* value below.  Unknown requests get
 * {status=PROXY_STAT_BAD} and the connection is closed; update and delete
 * on the read-only service are PROXY_STAT_DENY.
 *
 * Client behaviour:
 *   dict_proxy_open(name, open_flags, dict_flags)
 *       name is "type:table".  Sends "open" at once; a DENY answer gives a
 *       surrogate whose text is Postfix's "proxymap service is not
 *       configured for table "TYPE:NAME"" (so postmap -q prints exactly
 *       Postfix's fatal line), BAD and CONFIG a surrogate too.  A service
 *       that cannot be reached is NOT fatal: the table is returned and
 *       each lookup tries again, failing with DICT_ERR_RETRY meanwhile.
 *       "proxy:proxy:..." is refused.
 *   A request that finds the connection broken (the server exited after
 *   max_idle or max_use) reconnects and sends it once more.
 *
 * The socket is the relative path private/SERVICE when the caller is in
 * (or chrooted to) queue_directory, as daemons are; a command elsewhere
 * (postmap) reaches $queue_directory/private/SERVICE.
 *
 * For tests: dict_proxy_open_stream(stream, name, open_flags, dict_flags)
 * opens the table over an already connected stream (no reconnection).
 */
#ifndef POSTERN_DICT_PROXY_H
#define POSTERN_DICT_PROXY_H

#include "dict.h"
#include "vstream.h"

#define DICT_TYPE_PROXY "proxy"

#define MAIL_PROTO_PROXYMAP "proxymap/1"

/* Service names (master.cf column 1); belong in mail_proto.h. */
#ifndef MAIL_SERVICE_PROXYMAP
#define MAIL_SERVICE_PROXYMAP   "proxymap"
#define MAIL_SERVICE_PROXYWRITE "proxywrite"
#endif

#define PROXY_REQ_OPEN   "open"
#define PROXY_REQ_LOOKUP "lookup"
#define PROXY_REQ_UPDATE "update"
#define PROXY_REQ_DELETE "delete"

#define PROXY_ATTR_TABLE "table"
#define PROXY_ATTR_FLAGS "flags"
#define PROXY_ATTR_KEY   "key"
#define PROXY_ATTR_VALUE "value"

/* Postfix's values. */
#define PROXY_STAT_OK     0 /* found, done */
#define PROXY_STAT_NOKEY  1 /* not found */
#define PROXY_STAT_RETRY  2 /* temporary failure */
#define PROXY_STAT_BAD    3 /* malformed request */
#define PROXY_STAT_DENY   4 /* table not listed in proxy_{read,write}_maps */
#define PROXY_STAT_CONFIG 5 /* the table cannot be opened or used */

/* The flags a client may ask the server to apply. */
#define DICT_FLAG_PROXY_RQST_MASK                                                                  \
    (DICT_FLAG_FOLD_ANY | DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL | DICT_FLAG_LOCK |               \
     DICT_FLAG_DUP_WARN | DICT_FLAG_DUP_IGNORE | DICT_FLAG_DUP_REPLACE | DICT_FLAG_SYNC_UPDATE |   \
     DICT_FLAG_NO_REGSUB | DICT_FLAG_NO_UNAUTH | DICT_FLAG_UTF8_REQUEST)

/* The server table's flags a client takes over. */
#define DICT_FLAG_PROXY_INHERIT_MASK (DICT_FLAG_FIXED | DICT_FLAG_PATTERN)

extern DICT *dict_proxy_open(const char *name, int open_flags, int dict_flags);
extern DICT *dict_proxy_open_stream(VSTREAM *stream, const char *name, int open_flags,
                                    int dict_flags);

#endif
