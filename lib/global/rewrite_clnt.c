/*
 * rewrite_clnt - the rewrite client, and the connection to trivial-rewrite
 * that rewrite_clnt and resolve_clnt share (interface in rewrite_clnt.h,
 * protocol in PROTOCOLS.md "rewrite").
 *
 * One persistent connection to private/rewrite per process, opened on
 * first use (with the "rewrite/1" hello) and kept between requests.  It is
 * closed and opened again when it has been idle for more than
 * REWRITE_CLNT_IDLE seconds or open for more than REWRITE_CLNT_TTL seconds
 * (so that a trivial-rewrite restarted by postfix reload serves us with the
 * new configuration), and after any error.
 *
 * A request never fails: when the connection cannot be made, the hello is
 * wrong, the peer goes away, times out or answers with anything but a
 * well-formed reply, the client logs a warning, closes the connection,
 * sleeps one second and tries again, for as long as it takes.  A
 * temporary failure must not turn into a wrong answer (an address
 * rewritten wrongly, a recipient routed to the wrong transport).
 *
 * Only failures are retried, never answers: whatever well-formed reply the
 * server gives (even an empty address) is returned, so that no input can
 * make a client loop.
 *
 * Each client keeps its last answer; a repeated question within
 * REWRITE_CLNT_CACHE seconds on the same connection is answered from it.
 *
 * Shared with resolve_clnt.c (declared here, not in the contract):
 *
 *   rewrite_clnt_stream()   the connected stream (connects as above)
 *   rewrite_clnt_recover(why)
 *                           log "warning: private/rewrite: why; retrying",
 *                           close, sleep 1s
 *   rewrite_clnt_generation a counter bumped at every new connection;
 *                           caches compare it to forget answers from a
 *                           previous connection
 *
 * What can go wrong: an address longer than the protocol allows (1 MB)
 * is returned unchanged with a warning instead of being sent.
 */
#include "rewrite_clnt.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "vstream.h"

#define REWRITE_CLNT_IDLE  100  /* seconds idle before we hang up */
#define REWRITE_CLNT_TTL   1000 /* seconds before we reconnect anyway */
#define REWRITE_CLNT_CACHE 30   /* seconds an answer may be reused */

/* Shared with resolve_clnt.c. */
extern VSTREAM *rewrite_clnt_stream(void);
extern void rewrite_clnt_recover(const char *why);
extern unsigned long rewrite_clnt_generation;

unsigned long rewrite_clnt_generation;

static VSTREAM *rewrite_clnt_fp;
static time_t rewrite_clnt_opened;
static time_t rewrite_clnt_used;

static void rewrite_clnt_close(void)
{
    if (rewrite_clnt_fp) {
        vstream_fclose(rewrite_clnt_fp);
        rewrite_clnt_fp = 0;
    }
}

void rewrite_clnt_recover(const char *why)
{
    msg_warn("%s/%s: %s; retrying", MAIL_CLASS_PRIVATE, MAIL_SERVICE_REWRITE, why);
    rewrite_clnt_close();
    sleep(1);
}

VSTREAM *rewrite_clnt_stream(void)
{
    time_t now = time(0);

    if (rewrite_clnt_fp && (now - rewrite_clnt_used > REWRITE_CLNT_IDLE ||
                            now - rewrite_clnt_opened > REWRITE_CLNT_TTL))
        rewrite_clnt_close();
    while (rewrite_clnt_fp == 0) {
        VSTREAM *fp = mail_connect(MAIL_CLASS_PRIVATE, MAIL_SERVICE_REWRITE, 0);

        if (fp == 0) {
            msg_warn("connect to %s/%s: %m; retrying", MAIL_CLASS_PRIVATE, MAIL_SERVICE_REWRITE);
            sleep(1);
            continue;
        }
        if (attr_scan_hello(fp, MAIL_PROTO_REWRITE) != 0) {
            /* attr_scan_hello() said why. */
            vstream_fclose(fp);
            sleep(1);
            continue;
        }
        rewrite_clnt_fp = fp;
        rewrite_clnt_opened = now = time(0);
        rewrite_clnt_generation++;
    }
    rewrite_clnt_used = now;
    return rewrite_clnt_fp;
}

VSTRING *rewrite_clnt(const char *rule, const char *addr, VSTRING *result)
{
    static VSTRING *last_rule;
    static VSTRING *last_addr;
    static VSTRING *last_result;
    static unsigned long last_generation;
    static time_t last_time;
    int flags;

    if (last_rule == 0) {
        last_rule = vstring_alloc(10);
        last_addr = vstring_alloc(100);
        last_result = vstring_alloc(100);
    }
    if (strlen(addr) + strlen(rule) > ATTR_VALUE_MAX) {
        msg_warn("rewrite_clnt: address of %zu bytes is too long to rewrite", strlen(addr));
        vstring_strcpy(result, addr);
        return result;
    }
    /* An empty address (the null sender) stays empty, as in Postfix. */
    if (*addr == 0) {
        vstring_reset(result);
        return result;
    }
    if (last_generation == rewrite_clnt_generation && rewrite_clnt_fp != 0 &&
        time(0) - last_time <= REWRITE_CLNT_CACHE && strcmp(vstring_str(last_rule), rule) == 0 &&
        strcmp(vstring_str(last_addr), addr) == 0) {
        vstring_strcpy(result, vstring_str(last_result));
        return result;
    }

    for (;;) {
        VSTREAM *fp = rewrite_clnt_stream();

        if (attr_print(fp, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, "rewrite"),
                       SEND_ATTR_STR(MAIL_ATTR_RULE, rule), SEND_ATTR_STR(MAIL_ATTR_ADDR, addr),
                       ATTR_TYPE_END) != 0 ||
            vstream_fflush(fp) != 0) {
            rewrite_clnt_recover("cannot send a request");
            continue;
        }
        if (attr_scan(fp, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_FLAGS, &flags),
                      RECV_ATTR_STR(MAIL_ATTR_ADDR, result), ATTR_TYPE_END) != 2) {
            rewrite_clnt_recover("bad or missing reply");
            continue;
        }
        if (flags & RESOLVE_FLAG_FAIL) {
            rewrite_clnt_recover("table lookup failure in the server");
            continue;
        }
        if (flags != 0) {
            rewrite_clnt_recover("unexpected flags in the reply");
            continue;
        }
        break;
    }
    vstring_strcpy(last_rule, rule);
    vstring_strcpy(last_addr, addr);
    vstring_strcpy(last_result, vstring_str(result));
    last_generation = rewrite_clnt_generation;
    last_time = time(0);
    return result;
}

VSTRING *rewrite_clnt_internal(const char *rule, const char *addr, VSTRING *result)
{
    VSTRING *src = vstring_alloc(100);
    VSTRING *dst = vstring_alloc(100);

    if (*addr == 0) {
        vstring_reset(result);
    } else {
        quote_822_local(src, addr);
        rewrite_clnt(rule, vstring_str(src), dst);
        unquote_822_local(result, vstring_str(dst));
    }
    vstring_free(src);
    vstring_free(dst);
    return result;
}
