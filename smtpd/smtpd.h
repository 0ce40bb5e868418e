#ifndef POSTERN_SMTPD_H
#define POSTERN_SMTPD_H

/*
 * smtpd.h - the state of one SMTP session, shared by smtpd.c (the
 * dialogue), smtpd_peer.c (who the client is) and smtpd_check.c (access
 * restrictions).  Nothing here outlives one client connection.
 */

#include <sys/time.h>

#include "argv.h"
#include "postdrop_clnt.h"
#include "vstream.h"
#include "vstring.h"

/* How far the client's host name could be established. */
#define SMTPD_PEER_OK   0 /* name and address agree */
#define SMTPD_PEER_TEMP 1 /* a lookup failed temporarily */
#define SMTPD_PEER_PERM 2 /* no name, or it does not resolve back */

typedef struct SMTPD_STATE {
    VSTREAM *client;     /* the SMTP client */
    VSTRING *buffer;     /* the current command line */
    VSTRING *scratch;    /* for replies and log text */
    int standalone;      /* -z: stdin/stdout, sendmail -bs */
    /* Who the client is. */
    char *name;          /* verified host name or "unknown" */
    char *reverse_name;  /* PTR name or "unknown" */
    char *addr;          /* printable address */
    char *rfc_addr;      /* the address as an RFC 5321 literal body */
    char *port;          /* client port */
    char *namaddr;       /* name[addr] for logging */
    int name_status;     /* SMTPD_PEER_* */
    int reverse_name_status;
    int is_mynetworks;   /* the client matches mynetworks */
    int access_off;      /* stand-alone, not started by mail_owner: no checks */
    int xclient_ok;      /* smtpd_authorized_xclient_hosts matches */
    int xforward_ok;     /* smtpd_authorized_xforward_hosts matches */
    /* XFORWARD: the original client of the next transaction (null: unknown). */
    int fwd_set;
    char *fwd_name, *fwd_addr, *fwd_port, *fwd_proto, *fwd_helo, *fwd_ident, *fwd_source;
    int bare_lf_mode;    /* SMTPD_BARE_LF_* for this client */
    /* The session. */
    char *helo_name;     /* HELO/EHLO argument or null */
    const char *protocol; /* "SMTP" or "ESMTP" */
    const char *where;   /* the last command ("CONNECT", "DATA", ...) */
    int error_count;
    int junk_cmds;
    int pipelining_seen; /* the client wrote ahead before the greeting */
    ARGV *history;       /* the transcript (smtpd_chat.c), or null */
    int error_mask;      /* SMTPD_ERR_* classes of errors since the last flush */
    const char *reason;  /* why the session was aborted, or null */
    /* The transaction. */
    char *sender;        /* internal form, null: no MAIL yet */
    char *encoding;      /* BODY= value or null */
    char *envid;         /* ENVID= (decoded) or null */
    int ret_flags;       /* RET= */
    int smtputf8;
    long msg_size;       /* SIZE= */
    char *recipient;     /* the last accepted recipient (internal) */
    int rcpt_count;      /* accepted recipients */
    int rcpt_overshoot;
    ARGV *rcpt_list;     /* accepted recipients, for "for <...>" */
    VSTREAM *cleanup;    /* open queue file, or null */
    POSTDROP *postdrop;  /* stand-alone: cleanup is a pipe to this postdrop */
    char *queue_id;      /* its id, or null */
    long act_size;       /* bytes of content so far */
    int bdat_state;      /* 0 none, 1 chunks flowing, 2 error: skip to LAST */
    int bdat_bare_lf;    /* a bare LF was seen in BDAT content */
    int bdat_last;       /* the content ended with BDAT LAST */
    int data_prev_crlf;  /* BDAT: the previous chunk ended a line */
    VSTRING *bdat_line;  /* BDAT: a partial line carried between chunks */
    struct timeval arrival;
    /* What the access restrictions decided for this transaction. */
    int saved_flags;     /* CLEANUP_FLAG_HOLD, CLEANUP_FLAG_DISCARD */
    char *saved_filter;
    char *saved_redirect;
    ARGV *saved_bcc;
    ARGV *prepend;       /* headers from PREPEND actions */
    int discard;         /* DISCARD: accept, then throw away */
    int defer_if_permit; /* a defer_if_permit was seen in this list run */
    char *defer_if_permit_reply;
} SMTPD_STATE;

#define SMTPD_BARE_LF_NO        0 /* bare LF ends a line (Postfix < 3.9) */
#define SMTPD_BARE_LF_NORMALIZE 1 /* bare LF ends a line; only CRLF.CRLF ends DATA */
#define SMTPD_BARE_LF_REJECT    2 /* bare LF is rejected */

/* smtpd_peer.c */
/* smtpd.c */
extern int smtpd_input_transp; /* receive_override_options bits */

extern void smtpd_peer_init(SMTPD_STATE *state);
extern void smtpd_peer_reset(SMTPD_STATE *state);

#endif
