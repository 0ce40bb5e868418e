/*
 * rec_type - queue file record types.
 *
 * A queue file (see QUEUE_FORMAT.md beside this file) is a sequence of
 * records; the first byte of each record is one of the type letters below.
 * The letters are Postfix's own, so that a queue left by Postfix can be
 * taken over in place and Postfix's postcat(1) reads Postern's files.
 *
 *   rec_type_name(type)      the name postcat prints for a type
 *                            ("recipient", ...); "unknown_record_type"
 *                            for a letter that is not in the table
 *   rec_type_known(type)     1 if the type is in the table
 *   rec_type_envelope(type)  1 if the type may open a queue file (the
 *                            envelope set; a file whose first record is
 *                            not one of these is not a queue file)
 *
 * REC_TYPE_EOF and REC_TYPE_ERROR are negative pseudo-types returned by the
 * record readers; they never appear in a file.
 */
#ifndef POSTERN_REC_TYPE_H
#define POSTERN_REC_TYPE_H

/* Pseudo-types returned by readers. */
#define REC_TYPE_EOF   (-1) /* clean end of input, no record */
#define REC_TYPE_ERROR (-2) /* truncated or malformed input */

/* Envelope segment. */
#define REC_TYPE_SIZE       'C' /* fixed-width size fields, first record */
#define REC_TYPE_TIME       'T' /* arrival time: "seconds microseconds" */
#define REC_TYPE_CTIME      'c' /* create time (old form, now an attribute) */
#define REC_TYPE_FULL       'F' /* sender full name */
#define REC_TYPE_INSP       'I' /* content inspector (before delivery) */
#define REC_TYPE_FILT       'L' /* content filter (envelope only) */
#define REC_TYPE_FROM       'S' /* envelope sender */
#define REC_TYPE_DONE       'D' /* recipient already delivered */
#define REC_TYPE_DRCP       '/' /* canceled recipient */
#define REC_TYPE_RCPT       'R' /* recipient still to do */
#define REC_TYPE_ORCP       'O' /* original recipient (precedes its R) */
#define REC_TYPE_WARN       'W' /* time at which to send a delay warning */
#define REC_TYPE_ATTR       'A' /* named attribute: name=value */
#define REC_TYPE_KILL       'K' /* killed record */
#define REC_TYPE_RRTO       'r' /* return receipt to (obsolete) */
#define REC_TYPE_ERTO       'e' /* errors to (obsolete) */
#define REC_TYPE_PRIO       'P' /* priority (obsolete) */
#define REC_TYPE_VERP       'V' /* VERP delimiters */
#define REC_TYPE_FLGS       'f' /* cleanup flags (within a cleanup stream) */
#define REC_TYPE_DSN_RET    '<' /* DSN RET= flags */
#define REC_TYPE_RDR        '>' /* redirect target */
#define REC_TYPE_DSN_ENVID  'i' /* DSN ENVID= */
#define REC_TYPE_DSN_ORCPT  'o' /* DSN ORCPT= */
#define REC_TYPE_DSN_NOTIFY 'n' /* DSN NOTIFY= flags */

/* Segment markers. */
#define REC_TYPE_MESG 'M' /* start of message content */
#define REC_TYPE_XTRA 'X' /* start of extracted information */
#define REC_TYPE_END  'E' /* end of file */

/* Message content. */
#define REC_TYPE_NORM 'N' /* a line, or the last piece of a long line */
#define REC_TYPE_CONT 'L' /* a piece of a long line, more follows */

/* Structure, skipped by readers that follow pointers. */
#define REC_TYPE_PTR  'p' /* "%15ld" offset to continue at; 0 = next */
#define REC_TYPE_DTXT 'w' /* padding, ignored */

/* Field formats of records that are updated in place. */
#define REC_TYPE_SIZE_FORMAT "%15ld %15ld %15ld %15ld %15ld %15ld"
#define REC_TYPE_SIZE_WIDTH  95 /* 6 fields of 15 plus 5 spaces */
#define REC_TYPE_PTR_FORMAT  "%15ld"
#define REC_TYPE_PTR_WIDTH   15
#define REC_TYPE_WARN_FORMAT "%15ld"

/* Attribute names seen in 'A' records. */
#define MAIL_ATTR_CREATE_TIME "create_time"
#define MAIL_ATTR_RWR_CONTEXT "rewrite_context"
#define MAIL_ATTR_DSN_ORCPT   "dsn_orig_rcpt"
#define MAIL_ATTR_DSN_NOTIFY  "notify_flags"
#define MAIL_ATTR_DSN_RET     "ret_flags"
#define MAIL_ATTR_DSN_ENVID   "envelope_id"
#define MAIL_ATTR_ENCODING    "encoding"

extern const char *rec_type_name(int type);
extern int rec_type_known(int type);
extern int rec_type_envelope(int type);

#endif
