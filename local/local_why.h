/*
 * local_why - the outcome of one delivery attempt, before it is recorded.
 *
 * Delivery code (mailbox, maildir, later aliases and .forward) says what
 * happened in a LOCAL_WHY and leaves recording to one place (local.c), so
 * that every path logs and records in the same way:
 *
 *   kind     LOCAL_WHY_SENT, _BOUNCE, _DEFER, or _UNKNOWN (no such user;
 *            the caller tries the next delivery method or bounces)
 *   status   the enhanced status code ("2.0.0", "5.1.1", ...)
 *   reason   the text logged in parentheses after status=...
 *
 *   local_why_alloc(), local_why_free(why)
 *   local_why_set(why, kind, status, fmt, ...)    fill in all three
 *   local_why_prepend(why, fmt, ...)              put text before reason
 *   local_why_dsn(why, status, fmt, ...)          kind from the status
 *                                                 class: 2 sent, 4 defer,
 *                                                 5 bounce
 */
#ifndef POSTERN_LOCAL_WHY_H
#define POSTERN_LOCAL_WHY_H

#include "vstring.h"

#define LOCAL_WHY_SENT    0
#define LOCAL_WHY_BOUNCE  1
#define LOCAL_WHY_DEFER   2
#define LOCAL_WHY_UNKNOWN 3

typedef struct LOCAL_WHY {
    int kind;
    char status[16];
    VSTRING *reason;
} LOCAL_WHY;

extern LOCAL_WHY *local_why_alloc(void);
extern void local_why_free(LOCAL_WHY *why);
extern void local_why_set(LOCAL_WHY *why, int kind, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
extern void local_why_dsn(LOCAL_WHY *why, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern void local_why_prepend(LOCAL_WHY *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
