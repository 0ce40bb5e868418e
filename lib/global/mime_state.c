/*
 * mime_state - streaming MIME parser; see mime_state.h.
 *
 * State: either collecting a header block (MIME_STATE_HEAD, with the class
 * of the block) or passing body lines (MIME_STATE_BODY).  A stack of
 * frames records the enclosing multiparts with their boundaries; its
 * height is the nesting depth.  Attached messages need no frame.  The entity being
 * described by the current header block (type, encoding, boundary) is in
 * cur_*; the encoding that body lines are checked against is in
 * body_encoding.
 *
 * Nothing recurses.  A line may be looked at again after a state change
 * (a non-header line that ends a header block is body text of the new
 * state); each such step either reaches the body state or starts the
 * headers of an attached message, which the same line then ends, so a
 * line is looked at no more than three times.
 */
#include <string.h>
#include <strings.h>

#include "checked.h"
#include "header_opts.h"
#include "is_header.h"
#include "mime_state.h"
#include "mymalloc.h"
#include "vstring.h"

#define MIME_STATE_HEAD 1
#define MIME_STATE_BODY 2

/* Where the rest of a partly received line goes. */
#define MIME_DEST_HEADER 1
#define MIME_DEST_BODY 2
#define MIME_DEST_DROP 3

/* Content types that matter here. */
#define MIME_CTYPE_OTHER 0
#define MIME_CTYPE_MULTIPART 1
#define MIME_CTYPE_MESSAGE 2 /* an attached message to look into */

/* Encodings. */
#define MIME_ENC_7BIT 0
#define MIME_ENC_8BIT 1
#define MIME_ENC_BINARY 2
#define MIME_ENC_OTHER 3 /* quoted-printable, base64, unknown */

#define MIME_FRAME_MULTIPART 1

typedef struct MIME_FRAME {
    int kind;
    char *boundary; /* multipart only */
    size_t boundary_len;
    int digest;   /* multipart/digest */
    int encoding; /* for the epilogue */
} MIME_FRAME;

struct MIME_STATE {
    int flags;
    MIME_STATE_LIMITS limits;
    MIME_STATE_HEAD_OUT head_out;
    MIME_STATE_ANY_END head_end;
    MIME_STATE_BODY_OUT body_out;
    MIME_STATE_ANY_END body_end;
    MIME_STATE_ERR_PRINT err_print;
    void *context;

    int state;
    int hdr_class;
    int prev_rec; /* type of the previous record */
    int line_dest;
    VSTRING *hdr_buf; /* pending header */
    int hdr_pending;
    int hdr_truncated;
    int hdr_first_line; /* still in the header's first line */
    int head_end_done;
    int ended;

    int cur_ctype; /* entity of the current header block */
    int cur_digest;
    int cur_encoding;
    VSTRING *cur_boundary;      /* empty: none */
    VSTRING *cur_encoding_name; /* as written, for error reports */
    int body_encoding;

    MIME_FRAME *frames;
    size_t depth;
    size_t frames_size;

    int errors; /* reported bits */
};

static const MIME_STATE_DETAIL mime_state_details[] = {
    {MIME_ERR_NESTING, "5.6.0", "MIME nesting exceeds safety limit"},
    {MIME_ERR_TRUNC_HEADER, "5.6.0", "message header length exceeds safety limit"},
    {MIME_ERR_8BIT_IN_HEADER, "5.6.0", "improper use of 8-bit data in message header"},
    {MIME_ERR_8BIT_IN_7BIT_BODY, "5.6.0", "improper use of 8-bit data in message body"},
    {MIME_ERR_ENCODING_DOMAIN, "5.6.0", "invalid message/* or multipart/* encoding domain"},
};

const MIME_STATE_DETAIL *mime_state_detail(int err_code)
{
    for (size_t i = 0; i < sizeof(mime_state_details) / sizeof(mime_state_details[0]); i++)
        if (err_code & mime_state_details[i].code)
            return mime_state_details + i;
    return 0;
}

const char *mime_state_error(int err_code)
{
    const MIME_STATE_DETAIL *dp = mime_state_detail(err_code);

    return dp ? dp->text : "unknown MIME error";
}

/* Which MIME_OPT_REPORT_* flag enables each error. */
static int mime_state_report_flag(int err_code)
{
    switch (err_code) {
    case MIME_ERR_NESTING:
        return MIME_OPT_REPORT_NESTING;
    case MIME_ERR_TRUNC_HEADER:
        return MIME_OPT_REPORT_TRUNC_HEADER;
    case MIME_ERR_8BIT_IN_HEADER:
        return MIME_OPT_REPORT_8BIT_IN_HEADER;
    case MIME_ERR_8BIT_IN_7BIT_BODY:
        return MIME_OPT_REPORT_8BIT_IN_7BIT_BODY;
    case MIME_ERR_ENCODING_DOMAIN:
        return MIME_OPT_REPORT_ENCODING_DOMAIN;
    default:
        return 0;
    }
}

static void mime_state_error_found(MIME_STATE *ms, int err_code, const char *text, size_t len)
{
    if ((ms->flags & mime_state_report_flag(err_code)) == 0 || (ms->errors & err_code))
        return;
    ms->errors |= err_code;
    if (ms->err_print)
        ms->err_print(ms->context, err_code, text, len > 100 ? 100 : len);
}

static int mime_state_has_8bit(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) text[i] & 0x80)
            return 1;
    return 0;
}

MIME_STATE *mime_state_alloc(int flags, const MIME_STATE_LIMITS *limits,
                             MIME_STATE_HEAD_OUT head_out, MIME_STATE_ANY_END head_end,
                             MIME_STATE_BODY_OUT body_out, MIME_STATE_ANY_END body_end,
                             MIME_STATE_ERR_PRINT err_print, void *context)
{
    MIME_STATE *ms = mycalloc(1, sizeof(*ms));

    ms->flags = flags;
    if (limits)
        ms->limits = *limits;
    if (ms->limits.header_size_limit == 0)
        ms->limits.header_size_limit = MIME_DEF_HEADER_SIZE_LIMIT;
    if (ms->limits.nesting_limit == 0)
        ms->limits.nesting_limit = MIME_DEF_NESTING_LIMIT;
    if (ms->limits.boundary_length_limit == 0)
        ms->limits.boundary_length_limit = MIME_DEF_BOUNDARY_LENGTH_LIMIT;
    ms->head_out = head_out;
    ms->head_end = head_end;
    ms->body_out = body_out;
    ms->body_end = body_end;
    ms->err_print = err_print;
    ms->context = context;
    ms->state = MIME_STATE_HEAD;
    ms->hdr_class = MIME_HDR_PRIMARY;
    ms->prev_rec = MIME_REC_NORM;
    ms->hdr_buf = vstring_alloc(100);
    ms->cur_boundary = vstring_alloc(10);
    ms->cur_encoding_name = vstring_alloc(10);
    vstring_set_limit(ms->cur_encoding_name, 100);
    vstring_set_limit(ms->cur_boundary, ms->limits.boundary_length_limit);
    ms->cur_ctype = MIME_CTYPE_OTHER;
    ms->cur_encoding = MIME_ENC_7BIT;
    ms->body_encoding = MIME_ENC_7BIT;
    return ms;
}

static void mime_state_pop(MIME_STATE *ms, size_t depth)
{
    while (ms->depth > depth) {
        ms->depth--;
        if (ms->frames[ms->depth].boundary)
            myfree(ms->frames[ms->depth].boundary);
    }
}

void mime_state_free(MIME_STATE *ms)
{
    mime_state_pop(ms, 0);
    if (ms->frames)
        myfree(ms->frames);
    vstring_free(ms->hdr_buf);
    vstring_free(ms->cur_boundary);
    vstring_free(ms->cur_encoding_name);
    myfree(ms);
}

static MIME_FRAME *mime_state_push(MIME_STATE *ms, int kind)
{
    MIME_FRAME *fp;

    if (ms->depth == ms->frames_size) {
        ms->frames_size = ms->frames_size ? checked_mul(ms->frames_size, 2) : 4;
        ms->frames = myrealloc_array(ms->frames, ms->frames_size, sizeof(*ms->frames));
    }
    fp = ms->frames + ms->depth++;
    memset(fp, 0, sizeof(*fp));
    fp->kind = kind;
    return fp;
}

/*
 * A small RFC 2045 tokenizer for Content-Type and Content-Transfer-Encoding
 * values: skips white space (folding newlines included) and comments, and
 * returns a token, a quoted string (unquoted), or one special character.
 */
#define MIME_TSPECIALS "()<>@,;:\\\"/[]?="
#define MIME_TOK_END 0
#define MIME_TOK_WORD 1
#define MIME_TOK_SPECIAL 2

typedef struct {
    const char *cp;
    const char *end;
} MIME_LEXER;

static int mime_lex(MIME_LEXER *lp, VSTRING *tok)
{
    const char *cp = lp->cp;
    const char *end = lp->end;
    int ret;

    vstring_reset(tok);
    for (;;) {
        while (cp < end && (*cp == ' ' || *cp == '\t' || *cp == '\n' || *cp == '\r'))
            cp++;
        if (cp < end && *cp == '(') {
            size_t level = 0;

            for (; cp < end; cp++) {
                if (*cp == '\\' && cp + 1 < end)
                    cp++;
                else if (*cp == '(')
                    level++;
                else if (*cp == ')' && --level == 0) {
                    cp++;
                    break;
                }
            }
            continue;
        }
        break;
    }
    if (cp >= end) {
        ret = MIME_TOK_END;
    } else if (*cp == '"') {
        for (cp++; cp < end && *cp != '"'; cp++) {
            if (*cp == '\\' && cp + 1 < end)
                cp++;
            vstring_addch(tok, *cp);
        }
        if (cp < end)
            cp++;
        ret = MIME_TOK_WORD;
    } else if (strchr(MIME_TSPECIALS, *cp) || (unsigned char) *cp < ' ') {
        vstring_addch(tok, *cp++);
        ret = MIME_TOK_SPECIAL;
    } else {
        while (cp < end && (unsigned char) *cp > ' ' && !strchr(MIME_TSPECIALS, *cp))
            vstring_addch(tok, *cp++);
        ret = MIME_TOK_WORD;
    }
    lp->cp = cp;
    return ret;
}

static int mime_lex_is(int type, VSTRING *tok, const char *want)
{
    return type != MIME_TOK_END && strcasecmp(vstring_str(tok), want) == 0;
}

/* The value of a header: the text after its colon. */
static void mime_state_value(VSTRING *buf, MIME_LEXER *lp)
{
    const char *start = vstring_str(buf);
    const char *colon = memchr(start, ':', VSTRING_LEN(buf));

    lp->cp = colon ? colon + 1 : vstring_end(buf);
    lp->end = vstring_end(buf);
}

static void mime_state_content_type(MIME_STATE *ms, VSTRING *buf)
{
    MIME_LEXER lex;
    VSTRING *tok = vstring_alloc(32);
    VSTRING *attr = vstring_alloc(32);
    int type;

    vstring_set_limit(tok, ms->limits.boundary_length_limit);
    mime_state_value(buf, &lex);
    ms->cur_ctype = MIME_CTYPE_OTHER;
    ms->cur_digest = 0;
    vstring_reset(ms->cur_boundary);
    type = mime_lex(&lex, tok);
    if (mime_lex_is(type, tok, "multipart")) {
        ms->cur_ctype = MIME_CTYPE_MULTIPART;
        if (mime_lex(&lex, tok) == MIME_TOK_SPECIAL && *vstring_str(tok) == '/' &&
            mime_lex_is(mime_lex(&lex, tok), tok, "digest"))
            ms->cur_digest = 1;
    } else if (mime_lex_is(type, tok, "message")) {
        if (mime_lex(&lex, tok) == MIME_TOK_SPECIAL && *vstring_str(tok) == '/' &&
            mime_lex(&lex, tok) == MIME_TOK_WORD) {
            if (strcasecmp(vstring_str(tok), "rfc822") == 0 ||
                strcasecmp(vstring_str(tok), "global") == 0 ||
                ((ms->flags & MIME_OPT_RECURSE_ALL_MESSAGE) &&
                 strcasecmp(vstring_str(tok), "partial") != 0 &&
                 strcasecmp(vstring_str(tok), "external-body") != 0))
                ms->cur_ctype = MIME_CTYPE_MESSAGE;
        }
    }
    /* Parameters: look for the boundary; stop at the first syntax error. */
    if (ms->cur_ctype == MIME_CTYPE_MULTIPART) {
        for (;;) {
            while ((type = mime_lex(&lex, tok)) != MIME_TOK_END &&
                   !(type == MIME_TOK_SPECIAL && *vstring_str(tok) == ';'))
                /* skip to the next parameter */;
            if (type == MIME_TOK_END)
                break;
            if (mime_lex(&lex, attr) != MIME_TOK_WORD)
                continue;
            if ((type = mime_lex(&lex, tok)) != MIME_TOK_SPECIAL || *vstring_str(tok) != '=')
                continue;
            if ((type = mime_lex(&lex, tok)) != MIME_TOK_WORD)
                continue;
            if (strcasecmp(vstring_str(attr), "boundary") == 0 && VSTRING_LEN(tok) > 0) {
                vstring_memcpy(ms->cur_boundary, vstring_str(tok), VSTRING_LEN(tok));
                break;
            }
        }
    }
    /*
     * Postfix 3.7 follows nesting_limit + 2 levels of multipart (observed;
     * attached messages do not count) and names the Content-Type header
     * that goes too deep.
     */
    if (ms->cur_ctype == MIME_CTYPE_MULTIPART && VSTRING_LEN(ms->cur_boundary) > 0 &&
        ms->depth >= checked_add(ms->limits.nesting_limit, 2)) {
        mime_state_error_found(ms, MIME_ERR_NESTING, vstring_str(buf), VSTRING_LEN(buf));
        ms->cur_ctype = MIME_CTYPE_OTHER;
    }
    vstring_free(tok);
    vstring_free(attr);
}

static void mime_state_encoding(MIME_STATE *ms, VSTRING *buf)
{
    MIME_LEXER lex;
    VSTRING *tok = vstring_alloc(32);

    vstring_set_limit(tok, 64);
    mime_state_value(buf, &lex);
    if (mime_lex(&lex, tok) != MIME_TOK_WORD)
        ms->cur_encoding = MIME_ENC_OTHER;
    else
        vstring_strcpy(ms->cur_encoding_name, vstring_str(tok));
    if (VSTRING_LEN(tok) == 0)
        ms->cur_encoding = MIME_ENC_OTHER;
    else if (strcasecmp(vstring_str(tok), "7bit") == 0)
        ms->cur_encoding = MIME_ENC_7BIT;
    else if (strcasecmp(vstring_str(tok), "8bit") == 0)
        ms->cur_encoding = MIME_ENC_8BIT;
    else if (strcasecmp(vstring_str(tok), "binary") == 0)
        ms->cur_encoding = MIME_ENC_BINARY;
    else
        ms->cur_encoding = MIME_ENC_OTHER;
    vstring_free(tok);
}

/* Deliver the pending header, after looking at MIME headers. */
static void mime_state_flush_header(MIME_STATE *ms)
{
    const HEADER_OPTS *info;

    if (!ms->hdr_pending)
        return;
    ms->hdr_pending = 0;
    info = header_opts_find(vstring_str(ms->hdr_buf),
                            is_header_buf(vstring_str(ms->hdr_buf), VSTRING_LEN(ms->hdr_buf)));
    if (info && (ms->flags & MIME_OPT_DISABLE_MIME) == 0) {
        if (info->type == HEADER_TYPE_CONTENT_TYPE)
            mime_state_content_type(ms, ms->hdr_buf);
        else if (info->type == HEADER_TYPE_CONTENT_TRANSFER_ENCODING)
            mime_state_encoding(ms, ms->hdr_buf);
    }
    if (ms->head_out)
        ms->head_out(ms->context, ms->hdr_class, info, ms->hdr_buf);
}

/*
 * Add header text, keeping at most header_size_limit bytes, the way Postfix
 * 3.7 does (observed): the header's first line is cut at the limit; a
 * continuation line (or piece of one) that does not fit is dropped whole;
 * after the first cut or drop, the rest of the header is dropped.
 */
static void mime_state_header_truncated(MIME_STATE *ms)
{
    if (!ms->hdr_truncated) {
        ms->hdr_truncated = 1;
        mime_state_error_found(ms, MIME_ERR_TRUNC_HEADER, vstring_str(ms->hdr_buf),
                               VSTRING_LEN(ms->hdr_buf));
    }
}

static void mime_state_header_append(MIME_STATE *ms, const char *text, size_t len)
{
    size_t room = ms->limits.header_size_limit - VSTRING_LEN(ms->hdr_buf);

    if (ms->hdr_truncated)
        return;
    if (len > room) {
        if (ms->hdr_first_line)
            vstring_memcat(ms->hdr_buf, text, room);
        mime_state_header_truncated(ms);
        return;
    }
    vstring_memcat(ms->hdr_buf, text, len);
}

static void mime_state_header_add(MIME_STATE *ms, const char *text, size_t len)
{
    if (mime_state_has_8bit(text, len))
        mime_state_error_found(ms, MIME_ERR_8BIT_IN_HEADER, text, len);
    mime_state_header_append(ms, text, len);
}

/* Start a header block of the given class, with defaults for its entity. */
static void mime_state_head_start(MIME_STATE *ms, int hdr_class, int digest_part)
{
    ms->state = MIME_STATE_HEAD;
    ms->hdr_class = hdr_class;
    ms->cur_ctype = digest_part ? MIME_CTYPE_MESSAGE : MIME_CTYPE_OTHER;
    ms->cur_digest = 0;
    ms->cur_encoding = MIME_ENC_7BIT;
    vstring_reset(ms->cur_boundary);
    vstring_reset(ms->cur_encoding_name);
}

/*
 * The current header block has ended: decide how its entity's body is
 * processed.  With MIME disabled, everything after the primary headers is
 * body text.
 */
static void mime_state_head_done(MIME_STATE *ms, const char *text, size_t len)
{
    int ctype;

    mime_state_flush_header(ms); /* may be the Content-Type */
    ctype = ms->cur_ctype;
    if (ms->hdr_class == MIME_HDR_PRIMARY && !ms->head_end_done) {
        ms->head_end_done = 1;
        if (ms->head_end)
            ms->head_end(ms->context);
    }
    ms->state = MIME_STATE_BODY;
    ms->body_encoding = ms->cur_encoding;
    if (ms->flags & MIME_OPT_DISABLE_MIME)
        return;
    if (ctype == MIME_CTYPE_MULTIPART && VSTRING_LEN(ms->cur_boundary) == 0)
        ctype = MIME_CTYPE_OTHER;
    /* Postfix reports a bad encoding but still follows the structure. */
    if (ctype != MIME_CTYPE_OTHER && ms->cur_encoding == MIME_ENC_OTHER)
        mime_state_error_found(ms, MIME_ERR_ENCODING_DOMAIN, vstring_str(ms->cur_encoding_name),
                               VSTRING_LEN(ms->cur_encoding_name));
    if (ctype == MIME_CTYPE_MULTIPART) {
        MIME_FRAME *fp = mime_state_push(ms, MIME_FRAME_MULTIPART);

        fp->boundary = mymemdup(vstring_str(ms->cur_boundary), VSTRING_LEN(ms->cur_boundary));
        fp->boundary_len = VSTRING_LEN(ms->cur_boundary);
        fp->digest = ms->cur_digest;
        fp->encoding = ms->cur_encoding;
    } else if (ctype == MIME_CTYPE_MESSAGE) {
        /* An attached message needs no frame: it ends with its container. */
        mime_state_head_start(ms, MIME_HDR_NESTED, 0);
    }
}

/*
 * If the line is a boundary of an enclosing multipart, end what it ends
 * and return 1.  The innermost matching multipart wins.
 */
static int mime_state_boundary(MIME_STATE *ms, const char *text, size_t len)
{
    if (ms->depth == 0 || len < 2 || text[0] != '-' || text[1] != '-')
        return 0;
    for (size_t i = ms->depth; i-- > 0;) {
        MIME_FRAME *fp = ms->frames + i;

        if (fp->kind != MIME_FRAME_MULTIPART || len - 2 < fp->boundary_len ||
            memcmp(text + 2, fp->boundary, fp->boundary_len) != 0)
            continue;
        mime_state_flush_header(ms);
        if (len - 2 - fp->boundary_len >= 2 && text[2 + fp->boundary_len] == '-' &&
            text[3 + fp->boundary_len] == '-') {
            /* Closing delimiter: the epilogue is text of the enclosing entity. */
            int encoding = fp->encoding;

            mime_state_pop(ms, i);
            ms->state = MIME_STATE_BODY;
            ms->body_encoding = encoding;
        } else {
            int digest = fp->digest;

            mime_state_pop(ms, i + 1);
            mime_state_head_start(ms, MIME_HDR_MULTIPART, digest);
        }
        return 1;
    }
    return 0;
}

static void mime_state_body_line(MIME_STATE *ms, int rec_type, const char *text, size_t len)
{
    if (ms->body_encoding == MIME_ENC_7BIT && mime_state_has_8bit(text, len))
        mime_state_error_found(ms, MIME_ERR_8BIT_IN_7BIT_BODY, text, len);
    if (ms->body_out)
        ms->body_out(ms->context, rec_type, text, len);
}

int mime_state_update(MIME_STATE *ms, int rec_type, const char *text, size_t len)
{
    int line_start = ms->prev_rec != MIME_REC_CONT;
    size_t name_len;

    if (ms->ended)
        return ms->errors;
    if (rec_type != MIME_REC_CONT)
        rec_type = MIME_REC_NORM;
    ms->prev_rec = rec_type;

    /* The rest of a long line goes where its start went. */
    if (!line_start) {
        if (ms->line_dest == MIME_DEST_HEADER)
            mime_state_header_add(ms, text, len);
        else if (ms->line_dest == MIME_DEST_BODY)
            mime_state_body_line(ms, rec_type, text, len);
        return ms->errors;
    }

    for (;;) {
        if (ms->state == MIME_STATE_BODY) {
            if ((ms->flags & MIME_OPT_DISABLE_MIME) == 0)
                (void) mime_state_boundary(ms, text, len);
            ms->line_dest = MIME_DEST_BODY;
            mime_state_body_line(ms, rec_type, text, len);
            return ms->errors;
        }
        /* Header state. */
        if (ms->hdr_pending && len > 0 && (text[0] == ' ' || text[0] == '\t')) {
            ms->line_dest = MIME_DEST_HEADER;
            ms->hdr_first_line = 0;
            if (mime_state_has_8bit(text, len))
                mime_state_error_found(ms, MIME_ERR_8BIT_IN_HEADER, text, len);
            /* The newline and the line fit together or not at all. */
            if (!ms->hdr_truncated &&
                len >= ms->limits.header_size_limit - VSTRING_LEN(ms->hdr_buf))
                mime_state_header_truncated(ms);
            mime_state_header_append(ms, "\n", 1);
            mime_state_header_append(ms, text, len);
            return ms->errors;
        }
        if ((ms->flags & MIME_OPT_DISABLE_MIME) == 0 && mime_state_boundary(ms, text, len)) {
            ms->line_dest = MIME_DEST_BODY;
            mime_state_body_line(ms, rec_type, text, len);
            return ms->errors;
        }
        if ((name_len = is_header_buf(text, len)) > 0) {
            mime_state_flush_header(ms);
            vstring_reset(ms->hdr_buf);
            ms->hdr_pending = 1;
            ms->hdr_truncated = 0;
            ms->hdr_first_line = 1;
            ms->line_dest = MIME_DEST_HEADER;
            /* "Name :" is stored as "Name:", as Postfix does. */
            if (mime_state_has_8bit(text, len))
                mime_state_error_found(ms, MIME_ERR_8BIT_IN_HEADER, text, len);
            mime_state_header_append(ms, text, name_len);
            while (text[name_len] != ':')
                name_len++;
            mime_state_header_append(ms, text + name_len, len - name_len);
            return ms->errors;
        }
        /* End of the header block. */
        mime_state_head_done(ms, text, len);
        if (len == 0 && rec_type == MIME_REC_NORM) {
            ms->line_dest = MIME_DEST_BODY;
            if (ms->body_out)
                ms->body_out(ms->context, rec_type, text, len);
            return ms->errors;
        }
        /* Look at this line again in the new state. */
    }
}

int mime_state_end(MIME_STATE *ms)
{
    if (ms->ended)
        return ms->errors;
    ms->ended = 1;
    mime_state_flush_header(ms);
    if (!ms->head_end_done) {
        ms->head_end_done = 1;
        if (ms->head_end)
            ms->head_end(ms->context);
    }
    if (ms->body_end)
        ms->body_end(ms->context);
    return ms->errors;
}
