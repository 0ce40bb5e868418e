/*
 * resolve_clnt - the resolve client (interface in rewrite_clnt.h, protocol
 * in PROTOCOLS.md "rewrite").
 *
 * Shares rewrite_clnt.c's persistent connection to private/rewrite and its
 * retry rule: a connection, hello or protocol failure is logged, the
 * connection closed, and the request tried again a second later, for as
 * long as it takes.  The reply is read strictly (four attributes, nothing
 * else) and its flags must be RESOLVE_FLAG_* and RESOLVE_CLASS_* bits only;
 * anything else counts as a protocol failure.  RESOLVE_FLAG_FAIL (a table
 * lookup failure inside trivial-rewrite) is an answer: it is returned to
 * the caller, which defers, and it is never cached.
 *
 * The last answer is kept for REWRITE_CLNT_CACHE seconds on the same
 * connection (qmgr resolves the same recipient for each message to a
 * mailing list, cleanup the same sender).
 */
#include <string.h>
#include <time.h>

#include "attr.h"
#include "mail_proto.h"
#include "msg.h"
#include "rewrite_clnt.h"
#include "vstream.h"

#define REWRITE_CLNT_CACHE 30 /* seconds; as in rewrite_clnt.c */

#define RESOLVE_FLAG_KNOWN                                                                         \
    (RESOLVE_FLAG_FINAL | RESOLVE_FLAG_ROUTED | RESOLVE_FLAG_ERROR | RESOLVE_FLAG_FAIL |           \
     RESOLVE_CLASS_MASK)

/* Shared with rewrite_clnt.c. */
extern VSTREAM *rewrite_clnt_stream(void);
extern void rewrite_clnt_recover(const char *why);
extern unsigned long rewrite_clnt_generation;

void resolve_clnt_init(RESOLVE_REPLY *reply)
{
    reply->transport = vstring_alloc(20);
    reply->nexthop = vstring_alloc(50);
    reply->recipient = vstring_alloc(50);
    reply->flags = 0;
}

void resolve_clnt_free(RESOLVE_REPLY *reply)
{
    vstring_free(reply->transport);
    vstring_free(reply->nexthop);
    vstring_free(reply->recipient);
    reply->transport = reply->nexthop = reply->recipient = 0;
}

static void resolve_clnt_copy(RESOLVE_REPLY *dst, const RESOLVE_REPLY *src)
{
    vstring_strcpy(dst->transport, vstring_str(src->transport));
    vstring_strcpy(dst->nexthop, vstring_str(src->nexthop));
    vstring_strcpy(dst->recipient, vstring_str(src->recipient));
    dst->flags = src->flags;
}

void resolve_clnt_query_from(const char *sender, const char *addr, RESOLVE_REPLY *reply)
{
    static RESOLVE_REPLY last;
    static VSTRING *last_sender;
    static VSTRING *last_addr;
    static unsigned long last_generation;
    static time_t last_time;
    static int have_last;

    if (last_addr == 0) {
        resolve_clnt_init(&last);
        last_sender = vstring_alloc(50);
        last_addr = vstring_alloc(50);
    }
    if (sender == 0)
        sender = "";
    if (strlen(addr) > ATTR_VALUE_MAX || strlen(sender) > ATTR_VALUE_MAX) {
        /* Cannot be sent; bad syntax is the honest answer. */
        msg_warn("resolve_clnt: address of %zu bytes is too long to resolve", strlen(addr));
        vstring_reset(reply->transport);
        vstring_reset(reply->nexthop);
        vstring_reset(reply->recipient);
        reply->flags = RESOLVE_FLAG_ERROR;
        return;
    }
    if (have_last && last_generation == rewrite_clnt_generation &&
        time(0) - last_time <= REWRITE_CLNT_CACHE && strcmp(vstring_str(last_addr), addr) == 0 &&
        strcmp(vstring_str(last_sender), sender) == 0) {
        resolve_clnt_copy(reply, &last);
        return;
    }

    for (;;) {
        VSTREAM *fp = rewrite_clnt_stream();

        if (attr_print(fp, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, "resolve"),
                       SEND_ATTR_STR(MAIL_ATTR_SENDER, sender), SEND_ATTR_STR(MAIL_ATTR_ADDR, addr),
                       ATTR_TYPE_END) != 0 ||
            vstream_fflush(fp) != 0) {
            rewrite_clnt_recover("cannot send a request");
            continue;
        }
        if (attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &reply->flags),
                      RECV_ATTR_STR(MAIL_ATTR_TRANSPORT, reply->transport),
                      RECV_ATTR_STR(MAIL_ATTR_NEXTHOP, reply->nexthop),
                      RECV_ATTR_STR(MAIL_ATTR_RECIP, reply->recipient), ATTR_TYPE_END) != 4) {
            rewrite_clnt_recover("bad or missing reply");
            continue;
        }
        if (reply->flags & ~RESOLVE_FLAG_KNOWN) {
            rewrite_clnt_recover("unexpected flags in the reply");
            continue;
        }
        break;
    }
    if (reply->flags & RESOLVE_FLAG_FAIL) {
        have_last = 0;
        return;
    }
    resolve_clnt_copy(&last, reply);
    vstring_strcpy(last_sender, sender);
    vstring_strcpy(last_addr, addr);
    last_generation = rewrite_clnt_generation;
    last_time = time(0);
    have_last = 1;
}

void resolve_clnt_query(const char *addr, RESOLVE_REPLY *reply)
{
    resolve_clnt_query_from("", addr, reply);
}
