#ifndef POSTERN_CLEANUP_USER_H
#define POSTERN_CLEANUP_USER_H

/*
 * cleanup_user - what a client of the cleanup service may ask for and what
 * cleanup answers (the flags and status values are Postfix's, so that the
 * REC_TYPE_FLGS record and log lines mean the same thing).
 *
 *   cleanup_strerror(status)   the text for the most serious status bit
 *   cleanup_stat_dsn(status)   its DSN status code ("4.3.0", "5.7.1", ...)
 */

/* Request flags (client -> cleanup, and kept in REC_TYPE_FLGS). */
#define CLEANUP_FLAG_NONE      0
#define CLEANUP_FLAG_BOUNCE    (1 << 0) /* bounce bad mail instead of rejecting */
#define CLEANUP_FLAG_FILTER    (1 << 1) /* apply header/body checks */
#define CLEANUP_FLAG_HOLD      (1 << 2) /* put the message on hold */
#define CLEANUP_FLAG_DISCARD   (1 << 3) /* discard the message */
#define CLEANUP_FLAG_BCC_OK    (1 << 4) /* always_bcc and friends apply */
#define CLEANUP_FLAG_MAP_OK    (1 << 5) /* canonical/virtual/masquerade apply */
#define CLEANUP_FLAG_MILTER    (1 << 6) /* run milters */
#define CLEANUP_FLAG_SMTP_REPLY (1 << 7) /* want an SMTP-style reason */
#define CLEANUP_FLAG_SMTPUTF8  (1 << 8) /* SMTPUTF8 requested */
#define CLEANUP_FLAG_AUTOUTF8  (1 << 9)
#define CLEANUP_FLAG_MASK_EXTERNAL (CLEANUP_FLAG_FILTER | CLEANUP_FLAG_BCC_OK | CLEANUP_FLAG_MAP_OK | CLEANUP_FLAG_MILTER)
#define CLEANUP_FLAG_MASK_INTERNAL CLEANUP_FLAG_MAP_OK

/* Reply status bits (cleanup -> client); 0 = accepted and safely queued. */
#define CLEANUP_STAT_OK    0
#define CLEANUP_STAT_BAD   (1 << 0) /* internal protocol error */
#define CLEANUP_STAT_WRITE (1 << 1) /* error writing the queue file */
#define CLEANUP_STAT_SIZE  (1 << 2) /* message too large */
#define CLEANUP_STAT_CONT  (1 << 3) /* rejected by content (header/body checks) */
#define CLEANUP_STAT_HOPS  (1 << 4) /* too many hops */
#define CLEANUP_STAT_RCPT  (1 << 6) /* no recipients */
#define CLEANUP_STAT_PROXY (1 << 7) /* before-queue filter error */
#define CLEANUP_STAT_DEFER (1 << 8) /* temporary rejection */
#define CLEANUP_STAT_NOPERM (1 << 9) /* denied by policy */
#define CLEANUP_STAT_MASK_CANT_BOUNCE (CLEANUP_STAT_BAD | CLEANUP_STAT_WRITE | CLEANUP_STAT_DEFER)
#define CLEANUP_STAT_MASK_INCOMPLETE  (CLEANUP_STAT_BAD | CLEANUP_STAT_WRITE | CLEANUP_STAT_SIZE)

extern const char *cleanup_strerror(unsigned status);
extern const char *cleanup_stat_dsn(unsigned status);

#endif
