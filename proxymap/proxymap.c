/*
 * proxymap - answer table lookups (and, as proxywrite, updates) for other
 * processes: the server side of proxy:type:name (lib/dict/dict_proxy.h has
 * the protocol and the client).
 *
 * master.cf (Debian): "proxymap unix - - n - - proxymap" and
 * "proxywrite unix - - n - 1 proxymap": a multi server, not chrooted (it
 * reads /etc/passwd and tables outside the queue directory for chrooted
 * clients), running as mail_owner.
 *
 * Which tables: the service named $proxywrite_service_name is the writer;
 * it serves only tables listed in proxy_write_maps, opens them O_RDWR |
 * O_CREAT, and accepts open, lookup, update and delete.  Every other
 * service name is a reader: tables listed in proxy_read_maps, opened
 * O_RDONLY, open and lookup only.  A list entry counts when it is
 * "proxy:type:name" (other entries are ignored: proxy_read_maps defaults to
 * every *_maps parameter, most of whose tables are not proxied).  A request
 * for any other table is refused with PROXY_STAT_DENY and logged as Postfix
 * does:
 *
 *   warning: request for unapproved table: "TYPE:NAME"
 *   warning: to approve this table for read-only access, list
 *            proxy:TYPE:NAME in main.cf:proxy_read_maps
 *
 * Tables are opened on first use with the client's flags (masked to
 * DICT_FLAG_PROXY_RQST_MASK) and kept open per (table, flags); a table
 * whose file changed (dict_changed) is reopened before it answers, so a
 * rebuilt postmap file is seen without a restart.  A table that cannot be
 * opened is PROXY_STAT_CONFIG (or RETRY), logged with its reason, and not
 * cached, so the next request tries again.
 *
 * Every new connection gets the protocol hello first (see
 * proxymap_pre_accept for how the multi skeleton is made to send it).
 *
 * What can go wrong: a malformed request is logged, answered with
 * PROXY_STAT_BAD when possible, and that client is disconnected; nothing a
 * client sends ends the process.
 *
 * Parameters: proxy_read_maps, proxy_write_maps, proxywrite_service_name,
 * ipc_timeout, plus whatever the served tables read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "dict.h"
#include "dict_proxy.h"
#include "htable.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "proxymap_auth.h"
#include "vstream.h"
#include "vstring.h"

#define PROXYMAP_MAX_PENDING 64

static int proxymap_writer;                        /* proxywrite: updates allowed */
static HTABLE *proxymap_auth;                      /* approved "type:name" */
static HTABLE *proxymap_tables;                    /* "flags:type:name" -> DICT */
static int proxymap_pending[PROXYMAP_MAX_PENDING]; /* descriptors to greet */
static int proxymap_pending_count;
static int proxymap_stdin_mode;

/* proxymap_find - the open table for a request, or null with *status */

static DICT *proxymap_find(const char *table, int flags, int *status)
{
    static VSTRING *key;
    DICT *dict;
    int open_flags = proxymap_writer ? O_RDWR | O_CREAT : O_RDONLY;

    if (key == 0)
        key = vstring_alloc(100);
    if (htable_find(proxymap_auth, table) == 0) {
        msg_warn("request for unapproved table: \"%.300s\"", table);
        msg_warn("to approve this table for %s access, list %s:%.300s in main.cf:%s",
                 proxymap_writer ? "read-write" : "read-only", DICT_TYPE_PROXY, table,
                 proxymap_writer ? "proxy_write_maps" : "proxy_read_maps");
        *status = PROXY_STAT_DENY;
        return 0;
    }
    flags &= DICT_FLAG_PROXY_RQST_MASK;
    /* A writer replaces what is there (Postfix does too): never die on a duplicate. */
    if (proxymap_writer)
        flags = (flags & ~(DICT_FLAG_DUP_WARN | DICT_FLAG_DUP_IGNORE)) | DICT_FLAG_DUP_REPLACE;
    vstring_sprintf(key, "%d:%s", flags, table);
    if ((dict = htable_find(proxymap_tables, vstring_str(key))) != 0) {
        if (!dict_changed(dict)) {
            *status = PROXY_STAT_OK;
            return dict;
        }
        if (msg_verbose)
            msg_info("table %s has changed -- reopening", table);
        htable_delete(proxymap_tables, vstring_str(key), 0);
        dict_close(dict);
    }
    dict = dict_open(table, open_flags, flags);
    if (dict_open_error(dict)) {
        msg_warn("open table %s: %s", table, dict_errtext(dict));
        *status = dict->error == DICT_ERR_RETRY ? PROXY_STAT_RETRY : PROXY_STAT_CONFIG;
        dict_close(dict);
        return 0;
    }
    htable_enter(proxymap_tables, vstring_str(key), dict);
    *status = PROXY_STAT_OK;
    return dict;
}

static int proxymap_dict_status(DICT *dict, int rc, const char *what, const char *table)
{
    switch (rc) {
    case DICT_STAT_FOUND:
        return PROXY_STAT_OK;
    case DICT_STAT_NOTFOUND:
        return PROXY_STAT_NOKEY;
    default:
        msg_warn("%s: table %s: %s", what, table, dict_errtext(dict));
        return dict->error == DICT_ERR_RETRY ? PROXY_STAT_RETRY : PROXY_STAT_CONFIG;
    }
}

/* proxymap_request - serve one request; 0 to keep the client, -1 to drop it */

static int proxymap_request(VSTREAM *client, const char *req)
{
    static VSTRING *table, *key, *value;
    int flags = 0;
    int status;
    int rc;
    const char *result = "";
    DICT *dict;

    if (table == 0) {
        table = vstring_alloc(100);
        key = vstring_alloc(100);
        value = vstring_alloc(100);
    }
    if (strcmp(req, PROXY_REQ_OPEN) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(PROXY_ATTR_TABLE, table),
                      RECV_ATTR_INT(PROXY_ATTR_FLAGS, &flags), ATTR_TYPE_END) != 2)
            return -1;
        dict = proxymap_find(vstring_str(table), flags, &status);
        attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status),
                   SEND_ATTR_INT(PROXY_ATTR_FLAGS, dict ? dict->flags : 0), ATTR_TYPE_END);
        return 0;
    }
    if (strcmp(req, PROXY_REQ_LOOKUP) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(PROXY_ATTR_TABLE, table),
                      RECV_ATTR_INT(PROXY_ATTR_FLAGS, &flags), RECV_ATTR_STR(PROXY_ATTR_KEY, key),
                      ATTR_TYPE_END) != 3)
            return -1;
        if ((dict = proxymap_find(vstring_str(table), flags, &status)) != 0) {
            rc = dict_get(dict, vstring_str(key), &result);
            status = proxymap_dict_status(dict, rc, "lookup", vstring_str(table));
            if (status != PROXY_STAT_OK || result == 0)
                result = "";
        }
        if (msg_verbose)
            msg_info("lookup %s %s: status %d", vstring_str(table), vstring_str(key), status);
        attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status),
                   SEND_ATTR_STR(PROXY_ATTR_VALUE, result), ATTR_TYPE_END);
        return 0;
    }
    if (strcmp(req, PROXY_REQ_UPDATE) == 0 || strcmp(req, PROXY_REQ_DELETE) == 0) {
        int update = strcmp(req, PROXY_REQ_UPDATE) == 0;
        int n = update ? attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(PROXY_ATTR_TABLE, table),
                                   RECV_ATTR_INT(PROXY_ATTR_FLAGS, &flags),
                                   RECV_ATTR_STR(PROXY_ATTR_KEY, key),
                                   RECV_ATTR_STR(PROXY_ATTR_VALUE, value), ATTR_TYPE_END)
                       : attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(PROXY_ATTR_TABLE, table),
                                   RECV_ATTR_INT(PROXY_ATTR_FLAGS, &flags),
                                   RECV_ATTR_STR(PROXY_ATTR_KEY, key), ATTR_TYPE_END);

        if (n != (update ? 4 : 3))
            return -1;
        if (!proxymap_writer) {
            msg_warn("%s: %s request for table %.300s on the read-only service",
                     vstream_path(client), req, vstring_str(table));
            status = PROXY_STAT_DENY;
        } else if ((dict = proxymap_find(vstring_str(table), flags, &status)) != 0) {
            rc = update ? dict_put(dict, vstring_str(key), vstring_str(value))
                        : dict_del(dict, vstring_str(key));
            status = proxymap_dict_status(dict, rc, req, vstring_str(table));
            if (update && rc == DICT_STAT_NOTFOUND)
                status = PROXY_STAT_OK; /* a duplicate that was ignored */
        }
        attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status), ATTR_TYPE_END);
        return 0;
    }
    msg_warn("%s: unknown request: \"%.100s\"", vstream_path(client), req);
    attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, PROXY_STAT_BAD),
               ATTR_TYPE_END);
    return -1;
}

static void proxymap_service(VSTREAM *client, char *service, char **argv)
{
    static VSTRING *request;
    int keep;
    int n;

    if (request == 0)
        request = vstring_alloc(20);
    vstream_set_timeouts(client, var_ipc_timeout * 1000, var_ipc_timeout * 1000);
    n = attr_scan(client, ATTR_FLAG_MORE, RECV_ATTR_STR(MAIL_ATTR_REQ, request), ATTR_TYPE_END);
    if (n != 1) {
        if (n == 0)
            msg_warn("%s: request without a request name", vstream_path(client));
        multi_server_disconnect(client);
        return;
    }
    keep = proxymap_request(client, vstring_str(request));
    if (vstream_fflush(client) != 0) {
        if (errno != EPIPE)
            msg_warn("%s: write reply: %m", vstream_path(client));
        keep = -1;
    }
    if (keep < 0)
        multi_server_disconnect(client);
}

/* Greet a new connection with the protocol hello. */
static void proxymap_greet(int fd)
{
    static VSTRING *hello;
    int type = 0;
    int listening = 1;
    socklen_t len = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
        return;
    len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || listening)
        return;
    if (hello == 0) {
        VSTREAM *mem;

        hello = vstring_alloc(40);
        mem = vstream_memopen(hello, VSTREAM_WRITE);
        attr_print_hello(mem, MAIL_PROTO_PROXYMAP);
        vstream_fclose(mem);
    }
    if (write(fd, vstring_str(hello), VSTRING_LEN(hello)) != (ssize_t)VSTRING_LEN(hello))
        msg_warn("send protocol hello on descriptor %d: %m", fd);
}

/*
 * The multi skeleton has no "new client" hook: note the descriptor that
 * accept() is about to return (the lowest free one) and greet it before the
 * next wait.  Nothing opens descriptors between here and the accept().
 */
static void proxymap_pre_accept(char *service, char **argv)
{
    int fd;

    if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0) {
        msg_warn("socket: %m");
        return;
    }
    close(fd);
    if (proxymap_pending_count < PROXYMAP_MAX_PENDING)
        proxymap_pending[proxymap_pending_count++] = fd;
}

static int proxymap_loop(char *service, char **argv)
{
    for (int i = 0; i < proxymap_pending_count; i++)
        proxymap_greet(proxymap_pending[i]);
    proxymap_pending_count = 0;
    return -1;
}

static void proxymap_post_init(char *service, char **argv)
{
    proxymap_writer = strcmp(service, var_proxywrite_service_name) == 0;
    proxymap_auth =
        proxymap_auth_parse(proxymap_writer ? var_proxy_write_maps : var_proxy_read_maps);
    proxymap_tables = htable_create(13);
    if (proxymap_stdin_mode)
        proxymap_greet(1);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-z") == 0)
            proxymap_stdin_mode = 1;
    multi_server_main(argc, argv, proxymap_service, MAIL_SERVER_POST_INIT, proxymap_post_init,
                      MAIL_SERVER_PRE_ACCEPT, proxymap_pre_accept, MAIL_SERVER_LOOP, proxymap_loop,
                      MAIL_SERVER_END);
}
