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

#include "deliver_outcome.h"
#include "dsn_text.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"

#define ERROR_RELAY "none"
#define ERROR_TEXT_DEFAULT "Address is undeliverable"

static void error_service(VSTREAM *client, char *service, char **argv)
{
    DELIVER_REQUEST *request;
    const char *reason;
    char status[DSN_TEXT_STATUS_SIZE];
    int retry = strcmp(service, MAIL_SERVICE_RETRY) == 0;

    if ((request = deliver_request_read(client)) == 0)
        return;
    if (request->msg_stats.agent_handoff.tv_sec == 0)
        gettimeofday(&request->msg_stats.agent_handoff, 0);

    reason = dsn_text_split(request->nexthop, retry ? '4' : '5', status, sizeof(status));
    if (*reason == 0)
        reason = ERROR_TEXT_DEFAULT;
    /* Without the queue file, deliver_outcome_all() defers (4.3.0). */
    deliver_request_done(client, request,
                         deliver_outcome_all(request, ERROR_RELAY,
                                             retry ? DELIVER_OUTCOME_DEFER : DELIVER_OUTCOME_BOUNCE,
                                             status, reason));
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, error_service, MAIL_SERVER_END);
    return 0;
}
