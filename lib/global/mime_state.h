/*
 * mime_state - streaming MIME structure parser for the cleanup daemon.
 *
 * The caller feeds message content one record at a time, as it arrives:
 * MIME_REC_NORM for a record that ends a line (the newline itself is not
 * included), MIME_REC_CONT for a piece of a long line whose rest follows
 * in the next record(s).  The parser tracks the MIME structure - primary
 * headers, multipart bodies with nested boundaries, message/rfc822
 * attachments - and hands everything back through callbacks, so that
 * header_checks, mime_header_checks, nested_header_checks and body_checks
 * can be applied and the content written to the queue file:
 *
 *   head_out(context, class, info, buf)
 *       one complete logical header: buf holds the header name, colon and
 *       value, with folded continuation lines joined by "\n" (as received,
 *       white space kept, except that white space between the name and
 *       the colon is removed: "Subject :" becomes "Subject:", as Postfix
 *       stores it).  class is MIME_HDR_PRIMARY (message headers),
 *       MIME_HDR_MULTIPART (headers of a multipart body part) or
 *       MIME_HDR_NESTED (headers of an attached message/rfc822).  info is
 *       the header_opts entry or null.  Postfix's cleanup picks the check
 *       table from both (verified against Postfix 3.7.11): a MIME header
 *       (info->flags & HEADER_OPT_MIME) in any block and every header of
 *       class MIME_HDR_MULTIPART go to mime_header_checks, other primary
 *       headers to header_checks, other nested ones to
 *       nested_header_checks; body_checks see the non-empty body lines.  The callback may read or
 * modify buf; it is reused afterwards. head_end(context) called once, when the primary headers end
 * (at the first line that is not a header or continuation, or at the end of the input).
 *   body_out(context, rec_type, text, len)
 *       every line that is not delivered through head_out, in order: the
 *       empty line that ends a header block, body text, preambles,
 *       epilogues, boundary lines.  Long lines arrive in the same
 *       MIME_REC_CONT/MIME_REC_NORM pieces as they were fed in.
 *   body_end(context)
 *       called once by mime_state_end().
 *   err_print(context, err_code, text, len)   (may be null)
 *       the first time each kind of error is found, with the offending
 *       text (at most 100 bytes of it).
 *
 * Interface:
 *   mime_state_alloc(flags, limits, head_out, head_end, body_out,
 *                    body_end, err_print, context)
 *   mime_state_update(state, rec_type, text, len)  feed one record;
 *       returns the MIME_ERR_* bits found so far (only those that the
 *       flags ask to report)
 *   mime_state_end(state)    flush a pending header, call head_end if
 *       still due, then body_end; returns the error bits; no more input
 *       may follow
 *   mime_state_free(state)
 *   mime_state_error(code)   text for one error bit (the lowest set), e.g.
 *       "MIME nesting exceeds safety limit"
 *   mime_state_detail(code)  the same with an RFC 3463 status ("5.6.0")
 *
 * Flags:
 *   MIME_OPT_DISABLE_MIME     no MIME processing: primary headers, then
 *                             everything is body
 *   MIME_OPT_REPORT_8BIT_IN_HEADER, MIME_OPT_REPORT_8BIT_IN_7BIT_BODY,
 *   MIME_OPT_REPORT_ENCODING_DOMAIN, MIME_OPT_REPORT_TRUNC_HEADER,
 *   MIME_OPT_REPORT_NESTING   which errors to return and report
 *   MIME_OPT_RECURSE_ALL_MESSAGE  look inside every message/(any) attachment,
 *                             not only message/rfc822 and message/global
 *                             (never message/partial or
 *                             message/external-body)
 *
 * Limits (MIME_STATE_LIMITS, from main.cf; 0 means the Postfix default):
 *   header_size_limit (102400)   bytes kept of one logical header; as in
 *                                Postfix 3.7 (observed) the first line is
 *                                cut at the limit, a continuation line
 *                                that does not fit is dropped whole, and
 *                                the rest of that header with it;
 *                                MIME_ERR_TRUNC_HEADER is set
 *   nesting_limit (100)          multipart nesting: like Postfix 3.7
 *                                (observed), nesting_limit + 2 levels of
 *                                multipart are followed; a deeper one is
 *                                plain body text and MIME_ERR_NESTING is
 *                                set.  Attached messages (message/rfc822)
 *                                do not count and cost no memory.
 *   boundary_length_limit (2048) bytes of a boundary string that are
 *                                kept and compared (as a prefix, as
 *                                Postfix does)
 *
 * Errors:
 *   MIME_ERR_NESTING             nesting deeper than the limit (text: the
 *                                Content-Type header of the multipart)
 *   MIME_ERR_TRUNC_HEADER        a header longer than header_size_limit
 *   MIME_ERR_8BIT_IN_HEADER      a byte >= 0x80 in any header
 *   MIME_ERR_8BIT_IN_7BIT_BODY   a byte >= 0x80 in an entity whose
 *                                encoding is (or defaults to) 7bit
 *   MIME_ERR_ENCODING_DOMAIN     multipart/(any) or message/(any) with an encoding
 *                                other than 7bit, 8bit or binary (text:
 *                                the encoding; the structure is still
 *                                followed, as in Postfix)
 *
 * Structure rules: a line is a header when its first record starts with
 * "Name:" (is_header_buf); a header name split over records is not seen.
 * A header block ends at an empty line (passed to
 * body_out), at a line that is not a header or continuation (passed on as
 * body), or at a boundary line.  Content-Type and Content-Transfer-Encoding
 * are honoured in every header block (MIME-Version is not required); the
 * last one of each wins.  Parts of multipart/digest default to
 * message/rfc822, all others to text/plain and 7bit.  A line is a boundary
 * when it starts with "--" and the boundary of any enclosing multipart;
 * the innermost match wins, and everything nested inside it ends.  A
 * multipart without a boundary parameter is plain text.
 *
 * Cost: each byte is looked at a bounded number of times; boundary lines
 * are compared against at most nesting_limit + 2 boundaries.  Memory is
 * bounded by header_size_limit plus (nesting_limit + 2) *
 * boundary_length_limit.
 */
#ifndef POSTERN_MIME_STATE_H
#define POSTERN_MIME_STATE_H

#include <stddef.h>

#include "header_opts.h"
#include "vstring.h"

#define MIME_REC_NORM 'N' /* ends a line */
#define MIME_REC_CONT 'L' /* piece of a longer line */

#define MIME_HDR_PRIMARY 1
#define MIME_HDR_MULTIPART 2
#define MIME_HDR_NESTED 3

#define MIME_OPT_NONE 0
#define MIME_OPT_DISABLE_MIME (1 << 0)
#define MIME_OPT_REPORT_8BIT_IN_HEADER (1 << 1)
#define MIME_OPT_REPORT_8BIT_IN_7BIT_BODY (1 << 2)
#define MIME_OPT_REPORT_ENCODING_DOMAIN (1 << 3)
#define MIME_OPT_REPORT_TRUNC_HEADER (1 << 4)
#define MIME_OPT_REPORT_NESTING (1 << 5)
#define MIME_OPT_RECURSE_ALL_MESSAGE (1 << 6)

#define MIME_ERR_NESTING (1 << 0)
#define MIME_ERR_TRUNC_HEADER (1 << 1)
#define MIME_ERR_8BIT_IN_HEADER (1 << 2)
#define MIME_ERR_8BIT_IN_7BIT_BODY (1 << 3)
#define MIME_ERR_ENCODING_DOMAIN (1 << 4)

typedef struct MIME_STATE_LIMITS {
    size_t header_size_limit;
    size_t nesting_limit;
    size_t boundary_length_limit;
} MIME_STATE_LIMITS;

#define MIME_DEF_HEADER_SIZE_LIMIT 102400
#define MIME_DEF_NESTING_LIMIT 100
#define MIME_DEF_BOUNDARY_LENGTH_LIMIT 2048

typedef void (*MIME_STATE_HEAD_OUT)(void *context, int header_class, const HEADER_OPTS *info,
                                    VSTRING *buf);
typedef void (*MIME_STATE_ANY_END)(void *context);
typedef void (*MIME_STATE_BODY_OUT)(void *context, int rec_type, const char *text, size_t len);
typedef void (*MIME_STATE_ERR_PRINT)(void *context, int err_code, const char *text, size_t len);

typedef struct MIME_STATE MIME_STATE;

typedef struct MIME_STATE_DETAIL {
    int code;
    const char *dsn;
    const char *text;
} MIME_STATE_DETAIL;

extern MIME_STATE *mime_state_alloc(int flags, const MIME_STATE_LIMITS *limits,
                                    MIME_STATE_HEAD_OUT head_out, MIME_STATE_ANY_END head_end,
                                    MIME_STATE_BODY_OUT body_out, MIME_STATE_ANY_END body_end,
                                    MIME_STATE_ERR_PRINT err_print, void *context);
extern int mime_state_update(MIME_STATE *state, int rec_type, const char *text, size_t len);
extern int mime_state_end(MIME_STATE *state);
extern void mime_state_free(MIME_STATE *state);
extern const char *mime_state_error(int err_code);
extern const MIME_STATE_DETAIL *mime_state_detail(int err_code);

#endif
