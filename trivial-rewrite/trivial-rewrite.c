/*
 * trivial-rewrite - the address rewriting and resolving daemon (Postfix's
 * trivial-rewrite(8)): cleanup asks it to canonicalize addresses, qmgr and
 * smtpd ask it where mail for a recipient goes.
 *
 * Service: "rewrite" in master.cf (private/rewrite), a multi server (one
 * process answers every client from one event loop), protocol "rewrite/1"
 * as documented in lib/global/PROTOCOLS.md:
 *
 *   S: {protocol="rewrite/1"}                       on every new connection
 *   C: {request="rewrite", rule=STR, address=STR}   S: {flags, address}
 *   C: {request="resolve", sender=STR, address=STR}
 *                           S: {flags, transport, nexthop, recipient}
 *
 * The rules are in tr_rewrite.h and tr_resolve.h; the tables and lists in
 * lib/global/maps.h and match_list.h; our own addresses (user@[ip]) in tr_iface.h.
 *
 * Tables are opened once, before privileges are dropped.  When a table
 * file changes, the process logs "table NAME has changed -- restarting"
 * and exits after answering the current request (master starts a new one
 * that opens the new file; clients reconnect), as Postfix does.
 *
 * What can go wrong:
 *   - a malformed request (missing or extra attributes, bad syntax) is
 *     logged and the client is disconnected; the daemon goes on;
 *   - an unknown request or rewrite rule is answered with
 *     flags=RESOLVE_FLAG_FAIL and the client is disconnected;
 *   - a table lookup failure is answered with RESOLVE_FLAG_FAIL (the client
 *     defers the mail);
 *   - a bad configuration (unreadable /file in a list) is fatal at start.
 *
 * The hello on a new connection is written by the skeleton's POST_ACCEPT
 * hook, before the first request is read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"
#include "rewrite_clnt.h"
#include "tr_iface.h"
#include "maps.h"
#include "match_list.h"
#include "tr_resolve.h"
#include "tr_rewrite.h"
#include "vstream.h"
#include "vstring.h"

static time_t tr_last_check;

/* Exit (master restarts us) when a table file changed. */
static void tr_check_tables(int force)
{
    time_t now = time(0);
    const char *name;

    if (!force && now == tr_last_check)
        return;
    tr_last_check = now;
    if ((name = maps_table_changed()) != 0) {
        msg_info("table %s has changed -- restarting", name);
        exit(0);
    }
}

/* Answer one rewrite request; 0 to keep the client, -1 to drop it. */
static int tr_serve_rewrite(VSTREAM *client)
{
    static VSTRING *rule, *addr, *result;
    int flags = 0;
    int keep = 0;

    if (rule == 0) {
        rule = vstring_alloc(20);
        addr = vstring_alloc(100);
        result = vstring_alloc(100);
    }
    if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_RULE, rule),
                  RECV_ATTR_STR(MAIL_ATTR_ADDR, addr), ATTR_TYPE_END) != 2) {
        msg_warn("%s: malformed rewrite request", vstream_path(client));
        return -1;
    }
    if (tr_rewrite_addr(vstring_str(rule), vstring_str(addr), result) < 0) {
        msg_warn("%s: unknown rewrite rule \"%.100s\"", vstream_path(client), vstring_str(rule));
        flags = RESOLVE_FLAG_FAIL;
        vstring_strcpy(result, vstring_str(addr));
        keep = -1;
    }
    if (msg_verbose)
        msg_info("rewrite %s: %s -> %s", vstring_str(rule), vstring_str(addr), vstring_str(result));
    attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, flags),
               SEND_ATTR_STR(MAIL_ATTR_ADDR, vstring_str(result)), ATTR_TYPE_END);
    return keep;
}

/* Answer one resolve request; 0 to keep the client, -1 to drop it. */
static int tr_serve_resolve(VSTREAM *client)
{
    static VSTRING *sender, *addr;
    static RESOLVE_REPLY reply;

    if (sender == 0) {
        sender = vstring_alloc(100);
        addr = vstring_alloc(100);
        reply.transport = vstring_alloc(20);
        reply.nexthop = vstring_alloc(100);
        reply.recipient = vstring_alloc(100);
    }
    if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_SENDER, sender),
                  RECV_ATTR_STR(MAIL_ATTR_ADDR, addr), ATTR_TYPE_END) != 2) {
        msg_warn("%s: malformed resolve request", vstream_path(client));
        return -1;
    }
    tr_resolve_addr(vstring_str(sender), vstring_str(addr), &reply);
    if (msg_verbose)
        msg_info("resolve %s (from %s): flags=%d transport=%s nexthop=%s recipient=%s",
                 vstring_str(addr), vstring_str(sender), reply.flags, vstring_str(reply.transport),
                 vstring_str(reply.nexthop), vstring_str(reply.recipient));
    attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, reply.flags),
               SEND_ATTR_STR(MAIL_ATTR_TRANSPORT, vstring_str(reply.transport)),
               SEND_ATTR_STR(MAIL_ATTR_NEXTHOP, vstring_str(reply.nexthop)),
               SEND_ATTR_STR(MAIL_ATTR_RECIP, vstring_str(reply.recipient)), ATTR_TYPE_END);
    return 0;
}

static void tr_service(VSTREAM *client, char *service, char **argv)
{
    static VSTRING *request;
    int n;
    int keep;

    if (request == 0)
        request = vstring_alloc(20);
    vstream_set_timeouts(client, var_ipc_timeout * 1000, var_ipc_timeout * 1000);
    n = attr_scan(client, ATTR_FLAG_MORE, RECV_ATTR_STR(MAIL_ATTR_REQ, request), ATTR_TYPE_END);
    if (n < 0) {
        /* End of file: the client is done (a protocol error was logged). */
        multi_server_disconnect(client);
        return;
    }
    if (n == 1 && strcmp(vstring_str(request), "rewrite") == 0) {
        keep = tr_serve_rewrite(client);
    } else if (n == 1 && strcmp(vstring_str(request), "resolve") == 0) {
        keep = tr_serve_resolve(client);
    } else {
        msg_warn("%s: unknown request \"%.100s\"", vstream_path(client),
                 n == 1 ? vstring_str(request) : "(none)");
        attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, RESOLVE_FLAG_FAIL),
                   ATTR_TYPE_END);
        keep = -1;
    }
    if (vstream_fflush(client) != 0) {
        if (errno != EPIPE)
            msg_warn("%s: write reply: %m", vstream_path(client));
        keep = -1;
    }
    if (keep < 0)
        multi_server_disconnect(client);
    tr_check_tables(0);
}

/* Before a new client: a table change means this process must go first. */
static void tr_pre_accept(char *service, char **argv)
{
    tr_check_tables(1);
}

/* The server speaks first: the protocol hello on a new connection. */
static void tr_post_accept(VSTREAM *client, char *service, char **argv)
{
    vstream_set_timeouts(client, var_ipc_timeout * 1000, var_ipc_timeout * 1000);
    if (attr_print_hello(client, MAIL_PROTO_REWRITE) != 0) {
        if (errno != EPIPE)
            msg_warn("%s: send protocol hello: %m", vstream_path(client));
        multi_server_disconnect(client);
    }
}

static void tr_pre_init(char *service, char **argv)
{
    /* While still privileged and before chroot: tables and interfaces. */
    tr_resolve_init();
    tr_iface_load();
}

static void tr_post_init(char *service, char **argv)
{
    tr_last_check = time(0);
}

int main(int argc, char **argv)
{
    multi_server_main(argc, argv, tr_service, MAIL_SERVER_PRE_INIT, tr_pre_init,
                      MAIL_SERVER_POST_INIT, tr_post_init, MAIL_SERVER_PRE_ACCEPT, tr_pre_accept,
                      MAIL_SERVER_POST_ACCEPT, tr_post_accept, MAIL_SERVER_END);
    return 0;
}
