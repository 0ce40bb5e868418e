/*
 * qmgr.h - the queue manager's internal interfaces (see qmgr.c for what
 * the program does as a whole).
 *
 * Data structures, from the top:
 *
 *   QMGR_TRANSPORT  one per transport name seen in a resolver reply
 *                   ("local", "smtp", ...): its limits (recipients per
 *                   request, connections per destination, connections in
 *                   all), how many deliveries are in progress, whether it
 *                   is dead (the agent could not be reached), and its
 *                   destination queues in a round-robin ring.
 *   QMGR_QUEUE      one per (transport, nexthop): the delivery requests
 *                   waiting for it (todo, FIFO), how many are in progress
 *                   (busy), and whether the destination is dead
 *                   (throttled after an agent failure).
 *   QMGR_ENTRY      one delivery request: a message and 1..recipient_limit
 *                   of its recipients for one queue.
 *   QMGR_MESSAGE    one file in active/: what the delivery request needs
 *                   (sender, sizes, DSN, client attributes), the batch of
 *                   recipients read so far, and how many entries of it are
 *                   still queued or in delivery (refcount).  When that
 *                   drops to zero the message is done with this batch
 *                   (qmgr_active_done).
 *
 * Modules:
 *   qmgr_backoff.c    pure policy: next retry delay, expiry, warning time
 *   qmgr_assign.c     pure grouping: sort resolved recipients and cut them
 *                     into requests of at most the recipient limit
 *   qmgr_transport.c  transports and their dead/alive state
 *   qmgr_queue.c      destination queues, entries, selection of the next
 *                     request under the concurrency limits
 *   qmgr_message.c    reading a queue file, resolving and assigning
 *   qmgr_active.c     moving files in and out of active/, finishing
 *   qmgr_scan.c       walking incoming/ and (hashed) deferred/
 *   qmgr_deliver.c    the non-blocking delivery request to an agent
 *   qmgr_defer.c      deferring recipients with a reason
 *   qmgr.c            the trigger server: triggers, timers, the loop
 */
#ifndef POSTERN_QMGR_H
#define POSTERN_QMGR_H

#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#include "dsn.h"
#include "htable.h"
#include "mail_queue.h"
#include "recipient.h"
#include "vstream.h"
#include "vstring.h"

typedef struct QMGR_TRANSPORT QMGR_TRANSPORT;
typedef struct QMGR_QUEUE QMGR_QUEUE;
typedef struct QMGR_ENTRY QMGR_ENTRY;
typedef struct QMGR_MESSAGE QMGR_MESSAGE;

/* ------------------------------------------------------------ backoff */

/*
 * qmgr_backoff_delay(age, min, max) - seconds until the next attempt for a
 * message that is age seconds old: the age clamped to [min, max].  Since
 * the next attempt comes when the message is about twice as old, the
 * interval doubles with each attempt, from minimal_backoff_time up to
 * maximal_backoff_time.
 * qmgr_backoff_expired(now, create, sender, max_life, bounce_life) - 1 when
 * a message created at create has been queued too long (bounce_life for
 * the null sender, max_life otherwise); a lifetime of 0 means "try once".
 * qmgr_backoff_warn_due(now, warn_time) - 1 when a delay warning is due
 * (warn_time > 0 and reached).
 */
extern long qmgr_backoff_delay(long age, long min_backoff, long max_backoff);
extern int qmgr_backoff_expired(time_t now, time_t create_time, const char *sender, long max_life,
                                long bounce_life);
extern int qmgr_backoff_warn_due(time_t now, time_t warn_time);

/* ------------------------------------------------------------ assign */

/*
 * A recipient after resolving: the queue file's recipient plus where it
 * goes.  qmgr_assign_sort() orders an array by (transport, nexthop,
 * address) so that recipients for one destination are adjacent;
 * qmgr_assign_next() then cuts the run that starts at *pos into a group of
 * at most limit recipients with the same transport and nexthop, and
 * returns its length (0 at the end).
 */
typedef struct QMGR_RCPT {
    RECIPIENT rcpt;  /* strings owned by the message */
    char *transport; /* from the resolver */
    char *nexthop;   /* lower case */
    int status;      /* QMGR_RCPT_ */
} QMGR_RCPT;

#define QMGR_RCPT_TODO     0 /* to be delivered */
#define QMGR_RCPT_HANDLED  1 /* deferred or bounced by qmgr itself */

extern void qmgr_assign_sort(QMGR_RCPT *list, int len);
extern int qmgr_assign_next(const QMGR_RCPT *list, int len, int *pos, int limit);

/* ------------------------------------------------------------ transport */

struct QMGR_TRANSPORT {
    char *name;
    int dest_limit;    /* <transport>_destination_concurrency_limit */
    int rcpt_limit;    /* <transport>_destination_recipient_limit */
    int proc_limit;    /* deliveries in progress for all destinations */
    int busy;          /* deliveries in progress */
    int dead;          /* agent unreachable: defer everything */
    char *dead_reason; /* why (a DSN reason), while dead */
    HTABLE *queues;    /* nexthop -> QMGR_QUEUE */
    QMGR_QUEUE *ring;  /* round-robin: queues with todo entries */
    QMGR_TRANSPORT *next; /* all transports */
};

extern QMGR_TRANSPORT *qmgr_transport_list;
extern QMGR_TRANSPORT *qmgr_transport_find(const char *name);
extern QMGR_TRANSPORT *qmgr_transport_create(const char *name);
extern void qmgr_transport_throttle(QMGR_TRANSPORT *transport, const char *reason);
extern void qmgr_transport_unthrottle(QMGR_TRANSPORT *transport);
extern void qmgr_transport_unthrottle_all(void);

/* ------------------------------------------------------------ queue */

struct QMGR_QUEUE {
    char *name;                 /* nexthop */
    QMGR_TRANSPORT *transport;
    int window;                 /* concurrency limit for this destination */
    int busy;                   /* deliveries in progress */
    int todo_len;               /* entries waiting */
    QMGR_ENTRY *todo_head;
    QMGR_ENTRY *todo_tail;
    int dead;                   /* throttled: defer until unthrottled */
    char *dead_reason;
    QMGR_QUEUE *ring_next;      /* transport ring (when in it) */
    QMGR_QUEUE *ring_prev;
    int in_ring;
};

struct QMGR_ENTRY {
    QMGR_MESSAGE *message;
    QMGR_QUEUE *queue;
    char *nexthop;            /* the resolver's nexthop, for the request */
    RECIPIENT_LIST rcpt_list; /* copies */
    QMGR_ENTRY *next;         /* todo list */
    QMGR_ENTRY *prev;
};

extern QMGR_QUEUE *qmgr_queue_find(QMGR_TRANSPORT *transport, const char *name);
extern QMGR_QUEUE *qmgr_queue_create(QMGR_TRANSPORT *transport, const char *name);
extern void qmgr_queue_free_if_idle(QMGR_QUEUE *queue);
extern void qmgr_queue_throttle(QMGR_QUEUE *queue, const char *reason);
extern void qmgr_queue_unthrottle(QMGR_QUEUE *queue);
extern QMGR_ENTRY *qmgr_entry_create(QMGR_QUEUE *queue, QMGR_MESSAGE *message, const char *nexthop);
extern QMGR_ENTRY *qmgr_entry_select(QMGR_TRANSPORT *transport);
extern void qmgr_entry_unselect(QMGR_ENTRY *entry);
extern void qmgr_entry_done(QMGR_ENTRY *entry, int was_busy);
extern void qmgr_entry_unlink(QMGR_ENTRY *entry);

/* ------------------------------------------------------------ message */

struct QMGR_MESSAGE {
    char *queue_id;
    char *queue_name;      /* where it came from: incoming or deferred */
    int fd;                /* active/ID, read-only; -1 when closed */
    struct timeval arrival_time;   /* T record */
    time_t create_time;    /* A create_time, or the arrival time */
    struct timeval active_arrival; /* when qmgr took it */
    time_t warn_time;      /* W record, 0 = none or sent */
    off_t warn_offset;     /* where the W record starts, -1 if none */
    long data_offset;      /* from the size record */
    long data_size;
    long rcpt_total;       /* recipients the size record counts */
    long smtputf8;
    char *sender;
    char *encoding;
    char *dsn_envid;
    int dsn_ret;
    int tflags;            /* DEL_REQ_FLAG_ from trace_flags / DSN */
    char *client_name;
    char *client_addr;
    char *client_helo;
    char *client_proto;
    char *log_origin;
    char *sasl_method;
    char *sasl_username;
    char *sasl_sender;
    off_t rcpt_offset;     /* where to read more recipients; 0 = all read */
    int rcpt_count;        /* recipients in this batch */
    QMGR_RCPT *rcpts;      /* this batch */
    int refcount;          /* entries queued or in delivery */
    int deferred;          /* some recipient was left for a retry */
    int force_expired;     /* postsuper -e/-f: group execute bit on the file */
    int corrupt;           /* set by an agent or a reader: to corrupt/ */
    QMGR_MESSAGE *next;    /* all active messages */
    QMGR_MESSAGE *prev;
};

extern QMGR_MESSAGE *qmgr_message_list;
extern int qmgr_message_count;   /* messages in active/ */
extern int qmgr_recipient_count; /* recipients in memory */

/* Results of qmgr_message_alloc(). */
#define QMGR_MESSAGE_OK      0
#define QMGR_MESSAGE_CORRUPT 1 /* moved to corrupt/ */
#define QMGR_MESSAGE_RETRY   2 /* left alone (locked, gone, ...) */

extern QMGR_MESSAGE *qmgr_message_alloc(const char *queue_name, const char *queue_id,
                                        int *status, VSTRING *why);
extern int qmgr_message_realloc(QMGR_MESSAGE *message, VSTRING *why);
extern void qmgr_message_assign(QMGR_MESSAGE *message);
extern void qmgr_message_free(QMGR_MESSAGE *message);
extern QMGR_MESSAGE *qmgr_message_find(const char *queue_id);
extern void qmgr_message_update_warn(QMGR_MESSAGE *message);

/* ------------------------------------------------------------ active */

extern MAIL_QUEUE_CONF qmgr_queue_conf;
extern void qmgr_active_recover(void);
extern int qmgr_active_feed(const char *queue_name, const char *path, const char *queue_id,
                            int flags);
extern void qmgr_active_done(QMGR_MESSAGE *message);
extern void qmgr_active_corrupt(const char *queue_id, const char *why);

/* ------------------------------------------------------------ scan */

typedef struct QMGR_SCAN QMGR_SCAN;

#define QMGR_SCAN_START (1 << 0) /* start now, or restart when done */
#define QMGR_SCAN_ALL   (1 << 1) /* ignore deferred/ file times */

extern QMGR_SCAN *qmgr_scan_create(const char *queue_name);
extern void qmgr_scan_request(QMGR_SCAN *scan, int flags);
extern const char *qmgr_scan_next(QMGR_SCAN *scan, VSTRING *path, int *flags);
extern int qmgr_scan_busy(const QMGR_SCAN *scan);
extern const char *qmgr_scan_name(const QMGR_SCAN *scan);

/* ------------------------------------------------------------ deliver */

#define QMGR_DELIVER_OK   0 /* in flight */
#define QMGR_DELIVER_BUSY 1 /* agent's listen queue full: later */
#define QMGR_DELIVER_DOWN 2 /* no such agent: transport unavailable */

extern int qmgr_deliver(QMGR_ENTRY *entry);
extern int qmgr_deliver_busy;   /* requests in flight */
extern int qmgr_deliver_format(VSTREAM *stream, QMGR_ENTRY *entry);

/* ------------------------------------------------------------ defer */

#define QMGR_DEFER_STATUS "4.3.0"

extern void qmgr_defer_recipient(QMGR_MESSAGE *message, RECIPIENT *rcpt, const char *status,
                                 const char *reason);
extern void qmgr_bounce_recipient(QMGR_MESSAGE *message, RECIPIENT *rcpt, const char *status,
                                  const char *reason);
extern void qmgr_defer_entry(QMGR_ENTRY *entry, const char *reason);
extern void qmgr_defer_todo(QMGR_QUEUE *queue, const char *reason);
extern void qmgr_defer_transport(QMGR_TRANSPORT *transport, const char *reason);

/* ------------------------------------------------------------ qmgr.c */

extern void qmgr_schedule(void);
extern void qmgr_wakeup_soon(void);

#endif
