#ifndef POSTERN_MSG_STATS_H
#define POSTERN_MSG_STATS_H

/*
 * msg_stats - the time stamps behind Postfix's "delay=1.2, delays=a/b/c/d"
 * log fields:
 *   a = incoming_arrival .. active_arrival   (before the active queue)
 *   b = active_arrival .. agent_handoff      (in the active queue)
 *   c = agent_handoff .. conn_setup_done     (connection set-up)
 *   d = conn_setup_done .. deliver_done      (transmission)
 * A zero time stamp means "same as the previous one".
 */

#include <sys/time.h>

typedef struct MSG_STATS {
    struct timeval incoming_arrival;
    struct timeval active_arrival;
    struct timeval agent_handoff;
    struct timeval conn_setup_done;
    struct timeval deliver_done;
    int reuse_count;
} MSG_STATS;

#endif
