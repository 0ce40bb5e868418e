/*
 * cleanup.h - the cleanup daemon's internal interfaces.
 *
 * cleanup turns a stream of queue-file records from a client (pickup,
 * smtpd, bounce, ...) into a complete queue file in incoming/ (or hold/).
 * The work is split so that everything but the IPC can be tested alone:
 *
 *   cleanup_state.c     CLEANUP_STATE: one message in progress
 *   cleanup_api.c       cleanup_open(), cleanup_record(), cleanup_close():
 *                       the record dispatcher (envelope, content,
 *                       extracted) and the end of a message (the queue file
 *                       completed, held, discarded or removed)
 *   cleanup_envelope.c  sender and recipient records
 *   cleanup_message.c   message content: headers (checks, address
 *                       rewriting, dropped and missing headers) and body
 *   cleanup_checks.c    header_checks/body_checks actions and log lines
 *   cleanup_addr.c      address rewriting: trivial-rewrite (through a
 *                       hook), canonical maps, masquerading, virtual alias
 *                       expansion with its limits, duplicate elimination
 *   cleanup.c           the daemon: the cleanup/1 protocol on top of these
 *
 * External services are reached through CLEANUP_HOOKS so the unit tests can
 * replace trivial-rewrite and bounce with fakes.
 *
 * The record interface:
 *
 *   state = cleanup_state_alloc(conf, hooks)
 *   cleanup_open(state, flags)     create the queue file (incoming/);
 *                                  0, or -1 (state->errs has
 *                                  CLEANUP_STAT_WRITE)
 *   cleanup_record(state, type, data, len)   one record from the client,
 *                                  in queue-file order; content arrives as
 *                                  N/L pieces of at most line_length_limit
 *   status = cleanup_close(state)  finish: writes, fsyncs and marks the
 *                                  file complete when there was no error;
 *                                  removes it otherwise (bouncing the
 *                                  message first when the client asked for
 *                                  CLEANUP_FLAG_BOUNCE and the error is a
 *                                  permanent one).  Returns CLEANUP_STAT_*
 *                                  (0 = safely queued, or discarded on
 *                                  purpose); state->reason has the text.
 *   cleanup_state_free(state)
 */
#ifndef POSTERN_CLEANUP_H
#define POSTERN_CLEANUP_H

#include <stddef.h>
#include <sys/time.h>

#include "argv.h"
#include "dict.h"
#include "header_opts.h"
#include "htable.h"
#include "mail_queue.h"
#include "maps.h"
#include "mime_state.h"
#include "qfile_writer.h"
#include "vstring.h"

/* The *_maps and *_checks parameters are lib/global/maps.h lists. */

/* Hooks to the outside world (cleanup.c sets the real ones). */
typedef struct CLEANUP_STATE CLEANUP_STATE;

typedef struct CLEANUP_HOOKS {
    /* trivial-rewrite: rule "local"/"remote", internal form in and out */
    void (*rewrite)(const char *rule, const char *addr, VSTRING *result);
    /* bounce one recipient of the finished file; 0 or -1 */
    int (*bounce)(CLEANUP_STATE *state, const char *orig, const char *rcpt, const char *orcpt,
                  int notify, const char *dsn_status, const char *text);
} CLEANUP_HOOKS;

/* Everything read from main.cf that cleanup uses, opened once. */
typedef struct CLEANUP_CONF {
    MAIL_QUEUE_CONF queue;
    const char *myhostname;
    const char *mail_name;
    MAPS *header_checks;
    MAPS *mime_header_checks;
    MAPS *nested_header_checks;
    MAPS *body_checks;
    MAPS *canonical_maps;
    MAPS *send_canon_maps;
    MAPS *rcpt_canon_maps;
    MAPS *virt_alias_maps;
    MAPS *send_bcc_maps;   /* sender_bcc_maps */
    MAPS *rcpt_bcc_maps;   /* recipient_bcc_maps */
    const char *always_bcc;
    int canon_classes;      /* CLEANUP_CANON_* for canonical_maps */
    int send_canon_classes; /* for sender_canonical_maps */
    int rcpt_canon_classes; /* for recipient_canonical_maps */
    ARGV *masq_domains;     /* masquerade_domains, lower case */
    ARGV *masq_exceptions;  /* masquerade_exceptions, lower case */
    int masq_classes;       /* CLEANUP_CANON_* */
    ARGV *drop_headers;     /* message_drop_headers, lower case */
    long message_size_limit;
    size_t header_size_limit;
    long body_checks_size_limit;
    int hopcount_limit;
    int virt_expan_limit;
    int virt_recur_limit;
    int dup_filter_limit;
    int always_add_headers;
    const char *undisclosed_header;
    const char *remote_header_domain;
    const char *recipient_delimiter;
    int delay_warning_time;
    int mime_options;
    int enable_orig_rcpt;
} CLEANUP_CONF;

#define CLEANUP_CANON_ENV_SENDER (1 << 0)
#define CLEANUP_CANON_ENV_RECIP  (1 << 1)
#define CLEANUP_CANON_HDR_SENDER (1 << 2)
#define CLEANUP_CANON_HDR_RECIP  (1 << 3)

extern int cleanup_canon_classes(const char *param, const char *value);
extern CLEANUP_CONF *cleanup_conf_from_params(void); /* cleanup_state.c */

/* Headers seen, for the missing-header logic. */
#define CLEANUP_HDR_FROM        (1 << 0)
#define CLEANUP_HDR_DATE        (1 << 1)
#define CLEANUP_HDR_MSGID       (1 << 2)
#define CLEANUP_HDR_DEST        (1 << 3) /* To, Cc, Bcc */
#define CLEANUP_HDR_RESENT_FROM  (1 << 4)
#define CLEANUP_HDR_RESENT_DATE  (1 << 5)
#define CLEANUP_HDR_RESENT_MSGID (1 << 6)
#define CLEANUP_HDR_RESENT_DEST  (1 << 7)
#define CLEANUP_HDR_RESENT_ANY   (1 << 8)

/* Where the client's records are. */
#define CLEANUP_SEG_ENVELOPE  0
#define CLEANUP_SEG_CONTENT   1
#define CLEANUP_SEG_EXTRACTED 2
#define CLEANUP_SEG_DONE      3

extern void cleanup_recipient(CLEANUP_STATE *state, const char *addr);

struct CLEANUP_STATE {
    const CLEANUP_CONF *conf;
    const CLEANUP_HOOKS *hooks;
    QFILE_WRITER *w;
    VSTRING *queue_id;
    int flags;  /* CLEANUP_FLAG_* */
    int errs;   /* CLEANUP_STAT_* */
    VSTRING *reason; /* "5.7.1 text" for the client */
    VSTRING *bounce_dsn; /* DSN status for a bounce of the message */
    VSTRING *bounce_text; /* reason logged in status=bounced (...) */
    int segment;
    int time_done;    /* T and create_time written */
    struct timeval arrival;
    int local_context; /* rewrite_context=local */
    char *sender;      /* rewritten, internal form; null before S */
    char *fullname;    /* F record, or null */
    char *first_rcpt;  /* for log lines */
    char *origin;      /* "local", or "name[addr]" */
    /* pending DSN information for the next recipient */
    int pend_notify;
    char *pend_orcpt;  /* "type;addr" */
    char *pend_orig;   /* O record */
    /* DSN ENVID= and RET= of the message, for bounces cleanup sends itself */
    char *dsn_envid;
    int dsn_ret;
    /* duplicate filter */
    HTABLE *dups;
    size_t dup_count;
    long rcpt_count;
    /* content */
    MIME_STATE *mime;
    int headers_seen;
    int hop_count;
    long content_size;
    long body_checked;
    int body_rec_type; /* type of the previous body piece */
    int in_body_line;  /* inside a long body line (after an L piece) */
    int body_started;  /* a body line was written */
    /* actions from header/body checks */
    int hold;
    int discard;
    char *redirect;
    char *filter;
    ARGV *bcc;          /* BCC action recipients */
    VSTRING *temp;      /* scratch */
    VSTRING *temp2;
    ARGV *rcpts;        /* "notify\norcpt\norig\nrcpt" per recipient, for bounces */
    const char *queue_name; /* where the file is now: incoming or hold */
    char *log_proto;    /* log_protocol_name, for log lines */
    char *log_helo;     /* log_helo_name */
    char *client_name;  /* log_client_name */
    char *client_addr;  /* log_client_address */
};

/* cleanup_state.c */
extern CLEANUP_STATE *cleanup_state_alloc(const CLEANUP_CONF *conf, const CLEANUP_HOOKS *hooks);
extern void cleanup_state_free(CLEANUP_STATE *state);
extern void cleanup_set_error(CLEANUP_STATE *state, int stat, const char *dsn_text);

/* cleanup_api.c */
extern int cleanup_open(CLEANUP_STATE *state, int flags);
extern void cleanup_record(CLEANUP_STATE *state, int type, const char *data, size_t len);
extern int cleanup_close(CLEANUP_STATE *state);
extern const char *cleanup_id(const CLEANUP_STATE *state);

/* cleanup_envelope.c */
extern void cleanup_envelope_record(CLEANUP_STATE *state, int type, const char *data, size_t len);
extern void cleanup_extracted_record(CLEANUP_STATE *state, int type, const char *data, size_t len);
extern void cleanup_time_records(CLEANUP_STATE *state);

/* cleanup_message.c */
extern void cleanup_message_start(CLEANUP_STATE *state);
extern void cleanup_message_record(CLEANUP_STATE *state, int type, const char *data, size_t len);
extern void cleanup_message_end(CLEANUP_STATE *state);

/* cleanup_checks.c */
#define CLEANUP_CHECK_KEEP    0 /* write the header/line */
#define CLEANUP_CHECK_DROP    1 /* do not write it */
extern int cleanup_checks_apply(CLEANUP_STATE *state, MAPS *maps, const char *what,
                                VSTRING *text, VSTRING *prepend);
extern void cleanup_log_action(CLEANUP_STATE *state, const char *action, const char *what,
                               const char *text, const char *optional);

/* cleanup_addr.c */
extern void cleanup_rewrite_addr(CLEANUP_STATE *state, int class, const char *addr,
                                 VSTRING *result);
extern int cleanup_canon_lookup(CLEANUP_STATE *state, MAPS *maps, const char *addr,
                                VSTRING *result);
extern int cleanup_masquerade(CLEANUP_STATE *state, VSTRING *addr);
extern ARGV *cleanup_virtual_expand(CLEANUP_STATE *state, const char *addr);
extern void cleanup_bcc(CLEANUP_STATE *state, const char *addr);
extern void cleanup_bcc_lookup(CLEANUP_STATE *state, MAPS *maps, const char *addr);
extern void cleanup_out_recipient(CLEANUP_STATE *state, const char *orcpt, int notify,
                                  const char *orig, const char *rcpt);

#endif
