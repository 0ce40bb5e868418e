/*
 * error - the error and retry delivery agents: fail every recipient of a
 * delivery request with the text the transport map gave.
 *
 * master.cf runs this program twice, as "error" and as "retry":
 *
 *   error unix - - y - - error    bounce each recipient (status 5.x.x)
 *   retry unix - - y - - error    defer each recipient (status 4.x.x)
 *
 * The nexthop of the request is the reason, optionally led by an enhanced
 * status code: transport "error:5.1.1 User unknown" bounces with dsn=5.1.1
 * and "(User unknown)"; a bare "error" gives 5.0.0 "(Address is
 * undeliverable)" (lib/global/dsn_text.h).  Log lines (by bounce_append and
 * defer_append), as Postfix's:
 *
 *   ID: to=<a@b>, orig_to=<a>, relay=none, delay=0.03,
 *       delays=0.01/0.01/0/0.01, dsn=5.7.1, status=bounced (go away)
 *
 * A bounced recipient is then marked done in the queue file; a deferred
 * one stays.  When an outcome cannot be recorded, qmgr is told
 * DEL_STAT_DEFER and retries what is not marked done.  The agent runs
 * unprivileged (-u) and reads nothing but the request.
 */
#include <string.h>
#include <sys/time.h>

#include "bounce.h"
#include "deliver_request.h"
#include "dsn.h"
#include "dsn_text.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"

#define ERROR_RELAY "none"
#define ERROR_TEXT_DEFAULT "Address is undeliverable"

static void error_service(VSTREAM *client, char *service, char **argv)
{
    DELIVER_REQUEST *request;
    RECIPIENT *rcpt;
    const char *reason;
    char status[DSN_TEXT_STATUS_SIZE];
    int retry = strcmp(service, MAIL_SERVICE_RETRY) == 0;
    int result = DEL_STAT_OK;
    DSN dsn;
    int i;

    if ((request = deliver_request_read(client)) == 0)
        return;
    if (request->msg_stats.agent_handoff.tv_sec == 0)
        gettimeofday(&request->msg_stats.agent_handoff, 0);

    if (request->fp == 0) {
        /* Without the queue file nothing can be marked done: try later. */
        retry = 1;
        strcpy(status, "4.3.0");
        reason = "cannot open queue file";
    } else {
        reason = dsn_text_split(request->nexthop, retry ? '4' : '5', status, sizeof(status));
        if (*reason == 0)
            reason = ERROR_TEXT_DEFAULT;
    }
    for (i = 0; i < request->rcpt_list.len; i++) {
        rcpt = request->rcpt_list.info + i;
        if (retry) {
            DSN_SIMPLE(&dsn, status, "delayed", reason);
            if (defer_append(request->flags, request->queue_id, &request->msg_stats, rcpt,
                             ERROR_RELAY, &dsn) != 0)
                result = DEL_STAT_DEFER;
        } else {
            DSN_SIMPLE(&dsn, status, "failed", reason);
            if (bounce_append(request->flags, request->queue_id, &request->msg_stats, rcpt,
                              ERROR_RELAY, &dsn) == 0)
                deliver_completed(request->fp, rcpt->offset);
            else
                result = DEL_STAT_DEFER;
        }
    }
    deliver_request_done(client, request, result);
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, error_service, MAIL_SERVER_END);
    return 0;
}
