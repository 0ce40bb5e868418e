#ifndef POSTERN_DSN_H
#define POSTERN_DSN_H

/*
 * dsn - delivery status information, as RFC 3463/3464 describe it.
 *
 * A DSN says what happened to one recipient: the enhanced status code
 * ("2.0.0", "4.4.1", "5.1.1"), the action ("delivered", "relayed",
 * "expanded", "delayed", "failed"), a human reason (what Postfix logs in
 * parentheses after status=...), and optionally the remote diagnostic
 * ("smtp", "550 5.1.1 no such user") and the reporting MTA ("dns",
 * "mx.example.com").  The strings are borrowed, not copied.
 *
 *   DSN_SIMPLE(dsn, status, action, reason) fill in the three main fields
 *   dsn_valid(status)        1 when status is "[245].d{1,3}.d{1,3}"
 *   dsn_class(status)        '2', '4' or '5' (the first character)
 *
 * DSN NOTIFY and RET flags (the values Postfix keeps in queue files):
 */

#define DSN_NOTIFY_NEVER   (1 << 0)
#define DSN_NOTIFY_SUCCESS (1 << 1)
#define DSN_NOTIFY_FAILURE (1 << 2)
#define DSN_NOTIFY_DELAY   (1 << 3)
#define DSN_NOTIFY_ANY     (DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY)
#define DSN_RET_FULL (1 << 0)
#define DSN_RET_HDRS (1 << 1)

typedef struct DSN {
    const char *status; /* "5.1.1" */
    const char *action; /* "failed" */
    const char *reason; /* human text, logged in (...) */
    const char *dtype;  /* diagnostic type ("smtp") or "" */
    const char *dtext;  /* diagnostic text or "" */
    const char *mtype;  /* reporting MTA type ("dns") or "" */
    const char *mname;  /* reporting MTA name or "" */
} DSN;

#define DSN_SIMPLE(dp, st, ac, re)                                                                 \
    ((dp)->status = (st), (dp)->action = (ac), (dp)->reason = (re), (dp)->dtype = "",             \
     (dp)->dtext = "", (dp)->mtype = "", (dp)->mname = "")

extern int dsn_valid(const char *status);
#define dsn_class(status) ((status)[0])

#endif
