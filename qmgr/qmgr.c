/*
 * qmgr - the Postern queue manager.
 *
 * qmgr moves mail from incoming/ (and, when its retry time has come, from
 * deferred/) into active/, asks trivial-rewrite where each recipient goes,
 * and hands the recipients to the delivery agents (private/<transport>)
 * in requests of at most <transport>_destination_recipient_limit
 * recipients, with at most <transport>_destination_concurrency_limit
 * requests in flight per destination.  All agent conversations run on one
 * event loop, so a slow destination never holds up another.  When every
 * recipient of a message is done it asks the bounce daemon for the
 * notifications that are due (non-delivery, delay warning, expiry,
 * success) and removes the file; otherwise the file goes to deferred/
 * with its next retry time as mtime.
 *
 * It runs as a trigger server (master.cf: "qmgr unix n - n 300 1 qmgr",
 * a fifo in public/), alone (MAIL_SERVER_SOLITARY) and for ever
 * (MAIL_SERVER_UNLIMITED).  Triggers, one byte each (PROTOCOLS.md):
 *   W, I   scan incoming/
 *   D      scan deferred/ (only files whose retry time has come)
 *   A      scan deferred/ ignoring the retry times (postqueue -f)
 *   F      forget dead transports and destinations
 * Timers: deferred/ is also scanned every queue_run_delay; dead
 * destinations come back after minimal_backoff_time, dead transports
 * after transport_retry_time.
 *
 * Limits: qmgr_message_active_limit files in active/ and about
 * qmgr_message_recipient_limit recipients in memory; the rest waits in
 * its queue.  Scanning alternates between incoming/ and deferred/ (one
 * file each) so that a backlog of one never starves the other.
 *
 * Files: incoming/, active/, deferred/ (hashed), corrupt/, and the logs
 * bounce/, defer/, trace/ (through the bounce daemon).  hold/ is never
 * looked at.  At start-up, files left in active/ go back to incoming/.
 *
 * Log lines (Postfix's wording):
 *   ID: from=<sender>, size=N, nrcpt=N (queue active)
 *   ID: removed
 *   ID: from=<sender>, status=expired, returned to sender
 *   warning: saving corrupt file "ID" from queue "active" to queue "corrupt"
 *   ID: to=<...>, relay=none, ..., status=deferred (reason)  (via bounce.h)
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"

static QMGR_SCAN *qmgr_incoming;
static QMGR_SCAN *qmgr_deferred;

/* Files taken from the queues per loop round: a few, to keep I/O moving. */
#define QMGR_FEED_PER_ROUND 20

static int qmgr_room(void)
{
    return qmgr_message_count < var_qmgr_message_active_limit &&
           qmgr_recipient_count < var_qmgr_message_recipient_limit;
}

/* qmgr_feed_one - activate the next file of one scan; 0 when it is over */
static int qmgr_feed_one(QMGR_SCAN *scan, VSTRING *path)
{
    const char *id;
    int flags;

    while ((id = qmgr_scan_next(scan, path, &flags)) != 0) {
        char *qid = mystrdup(id);
        int got = qmgr_active_feed(qmgr_scan_name(scan), vstring_str(path), qid, flags);

        myfree(qid);
        if (got)
            return 1;
    }
    return 0;
}

static void qmgr_deferred_timer(int event, void *context)
{
    qmgr_scan_request(qmgr_deferred, QMGR_SCAN_START);
    event_request_timer(qmgr_deferred_timer, 0, var_queue_run_delay * 1000);
}

static int qmgr_loop(char *service, char **argv)
{
    static VSTRING *path;
    int fed = 0;

    if (path == 0)
        path = vstring_alloc(100);
    qmgr_schedule();
    while (fed < QMGR_FEED_PER_ROUND && qmgr_room() &&
           (qmgr_scan_busy(qmgr_incoming) || qmgr_scan_busy(qmgr_deferred))) {
        int got = 0;

        if (qmgr_scan_busy(qmgr_incoming))
            got += qmgr_feed_one(qmgr_incoming, path);
        if (qmgr_room() && qmgr_scan_busy(qmgr_deferred))
            got += qmgr_feed_one(qmgr_deferred, path);
        fed += got;
        if (got == 0 && !qmgr_scan_busy(qmgr_incoming) && !qmgr_scan_busy(qmgr_deferred))
            break;
    }
    qmgr_schedule();
    if (qmgr_room() && (qmgr_scan_busy(qmgr_incoming) || qmgr_scan_busy(qmgr_deferred)))
        return 0;
    return -1;
}

static void qmgr_trigger(char *buf, ssize_t len, char *service, char **argv)
{
    for (ssize_t i = 0; i < len; i++) {
        switch (buf[i]) {
        case TRIGGER_REQ_WAKEUP:
        case QMGR_REQ_SCAN_INCOMING:
            qmgr_scan_request(qmgr_incoming, QMGR_SCAN_START);
            break;
        case QMGR_REQ_SCAN_DEFERRED:
            qmgr_scan_request(qmgr_deferred, QMGR_SCAN_START);
            break;
        case QMGR_REQ_SCAN_ALL:
            qmgr_scan_request(qmgr_deferred, QMGR_SCAN_START | QMGR_SCAN_ALL);
            break;
        case QMGR_REQ_FLUSH_DEAD:
            qmgr_transport_unthrottle_all();
            break;
        default:
            if (msg_verbose)
                msg_info("ignoring unknown trigger request %d", (unsigned char)buf[i]);
            break;
        }
    }
}

static void qmgr_post_init(char *service, char **argv)
{
    mail_queue_conf_params(&qmgr_queue_conf);
    qmgr_queue_conf.queue_dir = 0; /* the skeleton put us in the queue directory */
    if (var_qmgr_message_active_limit < 1)
        var_qmgr_message_active_limit = 1;
    if (var_qmgr_message_recipient_limit < 1)
        var_qmgr_message_recipient_limit = 1;
    qmgr_incoming = qmgr_scan_create(MAIL_QUEUE_INCOMING);
    qmgr_deferred = qmgr_scan_create(MAIL_QUEUE_DEFERRED);
    qmgr_active_recover();
    qmgr_scan_request(qmgr_incoming, QMGR_SCAN_START);
    qmgr_scan_request(qmgr_deferred, QMGR_SCAN_START);
    event_request_timer(qmgr_deferred_timer, 0, var_queue_run_delay * 1000);
}

int main(int argc, char **argv)
{
    trigger_server_main(argc, argv, qmgr_trigger,
                        MAIL_SERVER_POST_INIT, qmgr_post_init,
                        MAIL_SERVER_LOOP, qmgr_loop,
                        MAIL_SERVER_SOLITARY,
                        MAIL_SERVER_UNLIMITED,
                        MAIL_SERVER_END);
    return 0;
}
