/*
 * mime_state_fuzz - fuzz target for the header and MIME parsers
 * (mime_state, is_header, header_opts) and mail_date.  The input is a
 * message; lines longer than 64 bytes are fed as MIME_REC_CONT pieces.
 * Invariants, checked with abort():
 *   1. with a header limit larger than the input, the callbacks hand back
 *      every input byte exactly once and in order (headers with their
 *      folding newlines, body records with their line ends), apart from
 *      white space between a header name and its colon;
 *   2. head_end and body_end are called exactly once, primary headers
 *      come before head_end, body_end comes last;
 *   3. every header handed out starts with a header name that
 *      header_opts_find() resolves consistently;
 *   4. with small limits, no header exceeds header_size_limit.
 * The first input byte selects the options.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "header_opts.h"
#include "is_header.h"
#include "mail_date.h"
#include "mime_state.h"
#include "vstring.h"

typedef struct {
    VSTRING *out; /* reconstructed input */
    int head_end_calls;
    int body_end_calls;
    int after_body_end;
    size_t max_header;
} FUZZ_CTX;

static void fuzz_head_out(void *context, int header_class, const HEADER_OPTS *info, VSTRING *buf)
{
    FUZZ_CTX *fc = context;
    size_t name_len = is_header_buf(vstring_str(buf), VSTRING_LEN(buf));

    if (fc->body_end_calls || (header_class == MIME_HDR_PRIMARY && fc->head_end_calls))
        abort();
    if (header_class != MIME_HDR_PRIMARY && header_class != MIME_HDR_MULTIPART &&
        header_class != MIME_HDR_NESTED)
        abort();
    /* Only truncation can cut a header before its colon. */
    if (name_len == 0 && VSTRING_LEN(buf) != fc->max_header)
        abort();
    if (name_len == 0 && info != 0)
        abort();
    if (name_len > 0 && info != header_opts_find(vstring_str(buf), name_len))
        abort();
    if (info && (strlen(info->name) != name_len ||
                 strncasecmp(info->name, vstring_str(buf), name_len) != 0))
        abort();
    if (VSTRING_LEN(buf) > fc->max_header)
        abort();
    vstring_memcat(fc->out, vstring_str(buf), VSTRING_LEN(buf));
    vstring_addch(fc->out, '\n');
}

static void fuzz_head_end(void *context)
{
    FUZZ_CTX *fc = context;

    if (fc->head_end_calls++ || fc->body_end_calls)
        abort();
}

static void fuzz_body_out(void *context, int rec_type, const char *text, size_t len)
{
    FUZZ_CTX *fc = context;

    if (fc->body_end_calls || !fc->head_end_calls)
        abort();
    vstring_memcat(fc->out, text, len);
    if (rec_type == MIME_REC_NORM)
        vstring_addch(fc->out, '\n');
    else if (rec_type != MIME_REC_CONT)
        abort();
}

static void fuzz_body_end(void *context)
{
    FUZZ_CTX *fc = context;

    if (fc->body_end_calls++ || fc->head_end_calls != 1)
        abort();
}

static void fuzz_err_print(void *context, int err_code, const char *text, size_t len)
{
    if (len > 100 || mime_state_detail(err_code) == 0)
        abort();
}

/*
 * mime_state stores "Name :" as "Name:"; apply the same to every line that
 * looks like a header, on both sides, so that any other change shows.
 */
static void fuzz_canon(VSTRING *out, const char *text, size_t len)
{
    const char *cp = text;
    const char *end = text + len;

    vstring_reset(out);
    while (cp < end) {
        const char *nl = memchr(cp, '\n', (size_t) (end - cp));
        size_t line_len = (size_t) ((nl ? nl : end) - cp);
        size_t name_len = is_header_buf(cp, line_len);
        size_t i = name_len;

        vstring_memcat(out, cp, name_len);
        if (name_len)
            while (cp[i] != ':')
                i++;
        vstring_memcat(out, cp + i, line_len - i);
        if (nl)
            vstring_addch(out, '\n');
        cp = nl ? nl + 1 : end;
    }
}

static int fuzz_run(const uint8_t *data, size_t size, int flags, const MIME_STATE_LIMITS *limits,
                    FUZZ_CTX *fc)
{
    MIME_STATE *ms = mime_state_alloc(flags, limits, fuzz_head_out, fuzz_head_end, fuzz_body_out,
                                      fuzz_body_end, fuzz_err_print, fc);
    const char *cp = (const char *) data;
    const char *end = cp + size;
    int errs;

    while (cp < end) {
        const char *nl = memchr(cp, '\n', (size_t) (end - cp));
        const char *eol = nl ? nl : end;

        while (eol - cp > 64) {
            mime_state_update(ms, MIME_REC_CONT, cp, 64);
            cp += 64;
        }
        mime_state_update(ms, MIME_REC_NORM, cp, (size_t) (eol - cp));
        cp = nl ? nl + 1 : end;
    }
    errs = mime_state_end(ms);
    mime_state_free(ms);
    if (fc->head_end_calls != 1 || fc->body_end_calls != 1)
        abort();
    return errs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int reports = MIME_OPT_REPORT_8BIT_IN_HEADER | MIME_OPT_REPORT_8BIT_IN_7BIT_BODY |
                               MIME_OPT_REPORT_ENCODING_DOMAIN | MIME_OPT_REPORT_TRUNC_HEADER |
                               MIME_OPT_REPORT_NESTING;
    FUZZ_CTX fc;
    int flags = reports;

    if (size > 0) {
        if (data[0] & 1)
            flags |= MIME_OPT_DISABLE_MIME;
        if (data[0] & 2)
            flags |= MIME_OPT_RECURSE_ALL_MESSAGE;
        data++;
        size--;
    }

    /* 1-3: nothing lost with a header limit above the input size. */
    MIME_STATE_LIMITS big = {size + 1, 5, 40};
    memset(&fc, 0, sizeof(fc));
    fc.out = vstring_alloc(size + 2);
    fc.max_header = size + 1;
    int errs = fuzz_run(data, size, flags, &big, &fc);
    if (errs & MIME_ERR_TRUNC_HEADER)
        abort();
    /* Expected: the input with a line end after the last line. */
    VSTRING *raw = vstring_alloc(size + 2);
    VSTRING *want = vstring_alloc(size + 2);
    VSTRING *got = vstring_alloc(size + 2);
    vstring_memcpy(raw, (const char *) data, size);
    if (size > 0 && data[size - 1] != '\n')
        vstring_addch(raw, '\n');
    fuzz_canon(want, vstring_str(raw), VSTRING_LEN(raw));
    fuzz_canon(got, vstring_str(fc.out), VSTRING_LEN(fc.out));
    if (VSTRING_LEN(got) != VSTRING_LEN(want) ||
        memcmp(vstring_str(got), vstring_str(want), VSTRING_LEN(want)) != 0) {
        fprintf(stderr, "mime_state_fuzz: output differs from input\n");
        abort();
    }
    vstring_free(raw);
    vstring_free(want);
    vstring_free(got);
    vstring_free(fc.out);

    /* 4: tiny limits. */
    MIME_STATE_LIMITS small = {30, 2, 3};
    memset(&fc, 0, sizeof(fc));
    fc.out = vstring_alloc(size + 2);
    fc.max_header = 30;
    fuzz_run(data, size, flags, &small, &fc);
    if (VSTRING_LEN(fc.out) > size + 1)
        abort();
    vstring_free(fc.out);

    /* mail_date on any time the input names; it must always be well-formed. */
    if (size >= sizeof(int32_t)) {
        int32_t t32;
        memcpy(&t32, data, sizeof(t32));
        const char *date = mail_date((time_t) t32);
        if (strlen(date) < 31 || date[3] != ',' || date[19] != ':')
            abort();
    }
    return 0;
}
