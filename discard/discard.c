/*
 * discard - the discard delivery agent: report every recipient of a
 * delivery request as delivered, and deliver nothing.
 *
 *   discard unix - - y - - discard
 *
 * The nexthop of the request (transport "discard:silently" gives
 * "silently"; a bare "discard" gives the recipient's domain, as the
 * resolver fills it in) is logged as the reason, as Postfix does:
 *
 *   ID: to=<a@b>, orig_to=<a>, relay=none, delay=0.03,
 *       delays=0.01/0.02/0/0, dsn=2.0.0, status=sent (silently)
 *
 * A leading enhanced status code in the nexthop is used with its class
 * forced to 2 ("discard:2.6.0 spam" -> dsn=2.6.0, "(spam)").  Each
 * recipient is marked done after sent() recorded it (sent() also writes
 * the trace log for sendmail -v and DSN NOTIFY=SUCCESS).  When an outcome
 * cannot be recorded, qmgr is told DEL_STAT_DEFER.  Runs unprivileged.
 */
#include <sys/time.h>

#include "deliver_outcome.h"
#include "dsn_text.h"
#include "mail_server.h"
#include "msg.h"

#define DISCARD_RELAY "none"

static void discard_service(VSTREAM *client, char *service, char **argv)
{
    DELIVER_REQUEST *request;
    const char *reason;
    char status[DSN_TEXT_STATUS_SIZE];

    if ((request = deliver_request_read(client)) == 0)
        return;
    if (request->msg_stats.agent_handoff.tv_sec == 0)
        gettimeofday(&request->msg_stats.agent_handoff, 0);

    /* "2.6.0 spam" -> dsn=2.6.0 (spam); a code alone is its own reason. */
    if (*(reason = dsn_text_split(request->nexthop, '2', status, sizeof(status))) == 0)
        reason = request->nexthop;
    deliver_request_done(client, request,
                         deliver_outcome_all(request, DISCARD_RELAY, DELIVER_OUTCOME_SENT, status,
                                             reason));
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, discard_service, MAIL_SERVER_END);
    return 0;
}
