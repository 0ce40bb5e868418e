/*
 * Unit tests for mime_state.  Each case feeds a message (lines split at
 * '\n'; a '|' inside a line splits it into a MIME_REC_CONT piece and the
 * rest) and compares the transcript of callbacks:
 *   P:/M:/N:<header>   head_out with class primary/multipart/nested
 *                      (folded lines shown with "\n" as "\\n")
 *   HE                 head_end
 *   B:<text>/C:<text>  body_out, MIME_REC_NORM / MIME_REC_CONT
 *   BE                 body_end
 *   E<bit>:<text>      err_print
 * and the returned error bits.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mime_state.h"
#include "mymalloc.h"
#include "ptest.h"
#include "vstring.h"

static VSTRING *transcript;

static void add_event(const char *prefix, const char *text, size_t len)
{
    vstring_strcat(transcript, prefix);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            vstring_strcat(transcript, "\\n");
        else
            vstring_addch(transcript, text[i]);
    }
    vstring_addch(transcript, '\n');
}

static void rec_head_out(void *context, int header_class, const HEADER_OPTS *info, VSTRING *buf)
{
    static const char *prefix[] = {"?:", "P:", "M:", "N:"};

    add_event(prefix[header_class], vstring_str(buf), VSTRING_LEN(buf));
}

static void rec_head_end(void *context)
{
    add_event("HE", "", 0);
}

static void rec_body_out(void *context, int rec_type, const char *text, size_t len)
{
    add_event(rec_type == MIME_REC_CONT ? "C:" : "B:", text, len);
}

static void rec_body_end(void *context)
{
    add_event("BE", "", 0);
}

static void rec_err_print(void *context, int err_code, const char *text, size_t len)
{
    char prefix[20];

    snprintf(prefix, sizeof(prefix), "E%d:", err_code);
    add_event(prefix, text, len);
}

#define ALL_REPORTS                                                                                \
    (MIME_OPT_REPORT_8BIT_IN_HEADER | MIME_OPT_REPORT_8BIT_IN_7BIT_BODY |                          \
     MIME_OPT_REPORT_ENCODING_DOMAIN | MIME_OPT_REPORT_TRUNC_HEADER | MIME_OPT_REPORT_NESTING)

/* Feed the message; return the error bits; the transcript is in the global. */
static int run(int flags, const MIME_STATE_LIMITS *limits, const char *msg)
{
    MIME_STATE *ms = mime_state_alloc(flags, limits, rec_head_out, rec_head_end, rec_body_out,
                                      rec_body_end, rec_err_print, 0);
    const char *cp = msg;
    int errs = 0;

    if (transcript == 0)
        transcript = vstring_alloc(1000);
    vstring_reset(transcript);
    while (*cp) {
        const char *nl = strchr(cp, '\n');
        const char *end = nl ? nl : cp + strlen(cp);
        const char *bar;

        while ((bar = memchr(cp, '|', (size_t) (end - cp))) != 0) {
            mime_state_update(ms, MIME_REC_CONT, cp, (size_t) (bar - cp));
            cp = bar + 1;
        }
        errs = mime_state_update(ms, MIME_REC_NORM, cp, (size_t) (end - cp));
        cp = nl ? nl + 1 : end;
    }
    int end_errs = mime_state_end(ms);
    if ((errs & ~end_errs) != 0)
        PTEST_FAIL("end errors 0x%x do not include update errors 0x%x", end_errs, errs);
    mime_state_free(ms);
    return end_errs;
}

typedef struct {
    const char *name;
    int flags;
    MIME_STATE_LIMITS limits;
    const char *in;
    const char *want;
    int want_errs;
} MIME_CASE;

static const MIME_CASE mime_cases[] = {
    {"simple",
     ALL_REPORTS,
     {0, 0, 0},
     "From: a@b\nSubject: hi\n there\n\nbody line\n",
     "P:From: a@b\nP:Subject: hi\\n there\nHE\nB:\nB:body line\nBE\n",
     0},
    {"headers only",
     ALL_REPORTS,
     {0, 0, 0},
     "From: a@b\nTo: c@d\n",
     "P:From: a@b\nP:To: c@d\nHE\nBE\n",
     0},
    {"empty message", ALL_REPORTS, {0, 0, 0}, "", "HE\nBE\n", 0},
    {"no blank line",
     ALL_REPORTS,
     {0, 0, 0},
     "From: a@b\nnot a header\nmore\n",
     "P:From: a@b\nHE\nB:not a header\nB:more\nBE\n",
     0},
    {"leading continuation",
     ALL_REPORTS,
     {0, 0, 0},
     " folded\nFrom: a@b\n",
     "HE\nB: folded\nB:From: a@b\nBE\n",
     0},
    {"space before colon",
     ALL_REPORTS,
     {0, 0, 0},
     "Subject \t :  x\n y\n",
     "P:Subject:  x\\n y\nHE\nBE\n",
     0},
    {"8bit error shows the line",
     MIME_OPT_REPORT_8BIT_IN_HEADER,
     {0, 0, 0},
     "Subject : caf\xc3\xa9\n",
     "E4:Subject : caf\xc3\xa9\nP:Subject: caf\xc3\xa9\nHE\nBE\n",
     MIME_ERR_8BIT_IN_HEADER},
    {"header after body starts",
     ALL_REPORTS,
     {0, 0, 0},
     "A: 1\n\nB: 2\n",
     "P:A: 1\nHE\nB:\nB:B: 2\nBE\n",
     0},
    {"multipart with nested message",
     ALL_REPORTS,
     {0, 0, 0},
     "From: a@b\n"
     "Content-Type: multipart/mixed; boundary=\"outer\"\n"
     "\n"
     "preamble\n"
     "--outer\n"
     "Content-Type: text/plain\n"
     "\n"
     "part one\n"
     "--outer\n"
     "Content-Type: message/rfc822\n"
     "\n"
     "Subject: inner\n"
     "Content-Type: multipart/alternative;\n"
     "\tboundary=outer-inner (comment)\n"
     "\n"
     "--outer-inner\n"
     "Content-Type: text/html\n"
     "\n"
     "<p>hi</p>\n"
     "--outer-inner--\n"
     "inner epilogue\n"
     "--outer--\n"
     "epilogue\n",
     "P:From: a@b\n"
     "P:Content-Type: multipart/mixed; boundary=\"outer\"\n"
     "HE\nB:\nB:preamble\nB:--outer\n"
     "M:Content-Type: text/plain\nB:\nB:part one\nB:--outer\n"
     "M:Content-Type: message/rfc822\nB:\n"
     "N:Subject: inner\n"
     "N:Content-Type: multipart/alternative;\\n\tboundary=outer-inner (comment)\nB:\n"
     "B:--outer-inner\nM:Content-Type: text/html\nB:\nB:<p>hi</p>\nB:--outer-inner--\n"
     "B:inner epilogue\nB:--outer--\nB:epilogue\nBE\n",
     0},
    {"digest parts are messages",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: x\n\ndigest body\n--d--\n",
     "P:Content-Type: multipart/digest; boundary=d\nHE\nB:\nB:--d\nB:\nN:From: x\nB:\n"
     "B:digest body\nB:--d--\nBE\n",
     0},
    {"boundary ends part headers",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nX-Part: 1\n--b\nX-Part: 2\n\nx\n--b--\n",
     "P:Content-Type: multipart/mixed; boundary=b\nHE\nB:\nB:--b\nM:X-Part: 1\nB:--b\n"
     "M:X-Part: 2\nB:\nB:x\nB:--b--\nBE\n",
     0},
    {"multipart without boundary is text",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/mixed\n\n--b\nX: 1\n",
     "P:Content-Type: multipart/mixed\nHE\nB:\nB:--b\nB:X: 1\nBE\n",
     0},
    {"case and whitespace in content-type",
     ALL_REPORTS,
     {0, 0, 0},
     "content-type :  MultiPart / Mixed ; charset=x; BOUNDARY = \"a\\\"b\"\n\n--a\"b\nX: 1\n",
     "P:content-type:  MultiPart / Mixed ; charset=x; BOUNDARY = \"a\\\"b\"\nHE\nB:\n"
     "B:--a\"b\nM:X: 1\nBE\n",
     0},
    {"8bit in header",
     ALL_REPORTS,
     {0, 0, 0},
     "Subject: caf\xc3\xa9\n\nx\n",
     "E4:Subject: caf\xc3\xa9\nP:Subject: caf\xc3\xa9\nHE\nB:\nB:x\nBE\n",
     MIME_ERR_8BIT_IN_HEADER},
    {"8bit in header not reported",
     0,
     {0, 0, 0},
     "Subject: caf\xc3\xa9\n",
     "P:Subject: caf\xc3\xa9\nHE\nBE\n",
     0},
    {"8bit in 7bit body",
     ALL_REPORTS,
     {0, 0, 0},
     "A: 1\n\nok\nna\xefve\nna\xefve\n",
     "P:A: 1\nHE\nB:\nB:ok\nE8:na\xefve\nB:na\xefve\nB:na\xefve\nBE\n",
     MIME_ERR_8BIT_IN_7BIT_BODY},
    {"8bit in 8bit body",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Transfer-Encoding: 8bit\n\nna\xefve\n",
     "P:Content-Transfer-Encoding: 8bit\nHE\nB:\nB:na\xefve\nBE\n",
     0},
    {"encoding domain",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\n--b\nX: 1\n",
     "P:Content-Type: multipart/mixed; boundary=b\nP:Content-Transfer-Encoding: base64\nHE\n"
     "E16:base64\nB:\nB:--b\nM:X: 1\nBE\n",
     MIME_ERR_ENCODING_DOMAIN},
    {"truncated header",
     ALL_REPORTS,
     {20, 0, 0},
     "Subject: 0123456789\n abcdefghij\nTo: x\n",
     "E2:Subject: 0123456789\nP:Subject: 0123456789\nP:To: x\nHE\nBE\n",
     MIME_ERR_TRUNC_HEADER},
    /* Postfix 3.7 follows limit + 2 multipart levels: here three. */
    {"nesting limit",
     ALL_REPORTS,
     {0, 1, 0},
     "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
     "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
     "Content-Type: multipart/mixed; boundary=c\n\n--c\n"
     "Content-Type: multipart/mixed; boundary=d\n\n--d\nX: 1\n--c--\n--b--\n--a--\n",
     "P:Content-Type: multipart/mixed; boundary=a\nHE\nB:\nB:--a\n"
     "M:Content-Type: multipart/mixed; boundary=b\nB:\nB:--b\n"
     "M:Content-Type: multipart/mixed; boundary=c\nB:\nB:--c\n"
     "E1:Content-Type: multipart/mixed; boundary=d\n"
     "M:Content-Type: multipart/mixed; boundary=d\nB:\nB:--d\nB:X: 1\nB:--c--\nB:--b--\n"
     "B:--a--\nBE\n",
     MIME_ERR_NESTING},
    {"attached messages do not count",
     ALL_REPORTS,
     {0, 1, 0},
     "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n"
     "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nX: deep\n",
     "P:Content-Type: message/rfc822\nHE\nB:\nN:Content-Type: message/rfc822\nB:\n"
     "N:Content-Type: message/rfc822\nB:\nN:Content-Type: message/rfc822\nB:\nN:X: deep\nBE\n",
     0},
    {"mime disabled",
     MIME_OPT_DISABLE_MIME | ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nX: 1\n\nx\n",
     "P:Content-Type: multipart/mixed; boundary=b\nHE\nB:\nB:--b\nB:X: 1\nB:\nB:x\nBE\n",
     0},
    {"long lines",
     ALL_REPORTS,
     {0, 0, 0},
     "Subject: a|b|c\n cont|inued\n\nbody|piece\n|\n",
     "P:Subject: abc\\n continued\nHE\nB:\nC:body\nB:piece\nC:\nB:\nBE\n",
     0},
    {"message/partial is not entered",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: message/partial; id=x\n\nFrom: y\n",
     "P:Content-Type: message/partial; id=x\nHE\nB:\nB:From: y\nBE\n",
     0},
    {"message/global is entered",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: message/global\n\nFrom: y\n\nz\n",
     "P:Content-Type: message/global\nHE\nB:\nN:From: y\nB:\nB:z\nBE\n",
     0},
    {"nested message ended by non-header",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: message/rfc822\n\ngarbage\n",
     "P:Content-Type: message/rfc822\nHE\nB:\nB:garbage\nBE\n",
     0},
    {"prefix boundaries",
     ALL_REPORTS,
     {0, 0, 0},
     "Content-Type: multipart/mixed; boundary=ab\n\n--abc\nX: 1\n\n--ab--\nY: 2\n",
     "P:Content-Type: multipart/mixed; boundary=ab\nHE\nB:\nB:--abc\nM:X: 1\nB:\nB:--ab--\n"
     "B:Y: 2\nBE\n",
     0},
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof(mime_cases) / sizeof(mime_cases[0]); i++) {
        const MIME_CASE *mc = mime_cases + i;
        int errs = run(mc->flags, &mc->limits, mc->in);

        if (strcmp(vstring_str(transcript), mc->want) != 0)
            PTEST_FAIL("%s:\ngot:\n%swant:\n%s", mc->name, vstring_str(transcript), mc->want);
        if (errs != mc->want_errs)
            PTEST_FAIL("%s: errors: got 0x%x, want 0x%x", mc->name, errs, mc->want_errs);
    }
}

/*
 * How Postfix 3.7.11's cleanup classified every line of these messages
 * (logged by WARN actions in header_checks "P", mime_header_checks "M",
 * nested_header_checks "N" and body_checks "B"; newlines and tabs in
 * headers show as '?', empty body lines are not checked).  cleanup sends
 * MIME headers and all multipart-part headers to mime_header_checks; we
 * replay that choice from the class and header_opts flags.
 */
static const struct {
    const char *name;
    const char *msg;
    const char *want;
} golden_cases[] = {
    {"01-nested",
     "From: a@b\nContent-Type: multipart/mixed; "
     "boundary=\"outer\"\n\npreamble\n--outer\nContent-Type: text/plain\n\npart "
     "one\n--outer\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: "
     "multipart/alternative;\n\tboundary=outer-inner (comment)\n\n--outer-inner\nContent-Type: "
     "text/html\n\n<p>hi</p>\n--outer-inner--\ninner epilogue\n--outer--\nepilogue\n",
     "P:From: a@b\nM:Content-Type: multipart/mixed; "
     "boundary=\"outer\"\nB:preamble\nB:--outer\nM:Content-Type: text/plain\nB:part "
     "one\nB:--outer\nM:Content-Type: message/rfc822\nN:Subject: inner\nM:Content-Type: "
     "multipart/alternative;??boundary=outer-inner (comment)\nB:--outer-inner\nM:Content-Type: "
     "text/html\nB:<p>hi</p>\nB:--outer-inner--\nB:inner epilogue\nB:--outer--\nB:epilogue\n"},
    {"02-digest",
     "Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: x\n\ndigest "
     "body\n--d\nContent-Type: text/plain\n\nplain part\n--d--\n",
     "M:Content-Type: multipart/digest; boundary=d\nB:--d\nN:From: x\nB:digest "
     "body\nB:--d\nM:Content-Type: text/plain\nB:plain part\nB:--d--\n"},
    {"03-boundary-ends-headers",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nX-Part: 1\n--b\nX-Part: 2\n\nx\n--b--\n",
     "M:Content-Type: multipart/mixed; boundary=b\nB:--b\nM:X-Part: 1\nB:--b\nM:X-Part: "
     "2\nB:x\nB:--b--\n"},
    {"04-no-boundary", "Content-Type: multipart/mixed\n\n--b\nX: 1\n",
     "M:Content-Type: multipart/mixed\nB:--b\nB:X: 1\n"},
    {"05-case",
     "content-type :  MultiPart / Mixed ; charset=x; BOUNDARY = \"a\\\"b\"\n\n--a\"b\nX: 1\n\ny\n",
     "M:content-type:  MultiPart / Mixed ; charset=x; BOUNDARY = \"a\\\"b\"\nB:--a\"b\nM:X: "
     "1\nB:y\n"},
    {"06-domain",
     "Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\n--b\nX: "
     "1\n\nz\n",
     "M:Content-Type: multipart/mixed; boundary=b\nM:Content-Transfer-Encoding: "
     "base64\nB:--b\nM:X: 1\nB:z\n"},
    {"07-prefix", "Content-Type: multipart/mixed; boundary=ab\n\n--abc\nX: 1\n\n--ab--\nY: 2\n",
     "M:Content-Type: multipart/mixed; boundary=ab\nB:--abc\nM:X: 1\nB:--ab--\nB:Y: 2\n"},
    {"08-partial", "Content-Type: message/partial; id=x\n\nFrom: y\n",
     "M:Content-Type: message/partial; id=x\nB:From: y\n"},
    {"09-global", "Content-Type: message/global\n\nFrom: y\n\nz\n",
     "M:Content-Type: message/global\nN:From: y\nB:z\n"},
    {"10-nested-garbage", "Content-Type: message/rfc822\n\ngarbage\nFrom: q\n",
     "M:Content-Type: message/rfc822\nB:garbage\nB:From: q\n"},
    {"11-no-blank", "From: a@b\nnot a header\nX-Foo: bar\n",
     "P:From: a@b\nB:not a header\nB:X-Foo: bar\n"},
    {"12-outer-boundary-closes-inner",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: "
     "n1\nContent-Type: multipart/mixed; boundary=c\n\n--c\nX-In: c\n\nc body\n--b\nX-After: "
     "b\n\nb body\n--b--\n",
     "M:Content-Type: multipart/mixed; boundary=b\nB:--b\nM:Content-Type: message/rfc822\nN:From: "
     "n1\nM:Content-Type: multipart/mixed; boundary=c\nB:--c\nM:X-In: c\nB:c "
     "body\nB:--b\nM:X-After: b\nB:b body\nB:--b--\n"},
    {"13-double-nested",
     "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nFrom: deep\n\nbody\n",
     "M:Content-Type: message/rfc822\nM:Content-Type: message/rfc822\nN:From: deep\nB:body\n"},
    {"14-two-ctypes",
     "Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=z\n\n--z\nX: 1\n",
     "M:Content-Type: text/plain\nM:Content-Type: multipart/mixed; boundary=z\nB:--z\nM:X: 1\n"},
    {"15-after-close",
     "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b\nContent-Type: "
     "text/plain\n\n--b--\nafter\n--b\nX: late\n",
     "M:Content-Type: multipart/mixed; boundary=b\nB:--b\nB:--b\nM:Content-Type: "
     "text/plain\nB:--b--\nB:after\nB:--b\nB:X: late\n"},
    {"16-space-boundary",
     "Content-Type: multipart/mixed; boundary=\"b c\"\n\n--b c\nX: 1\n\n--b c--\n",
     "M:Content-Type: multipart/mixed; boundary=\"b c\"\nB:--b c\nM:X: 1\nB:--b c--\n"},
    {"17-padding",
     "Content-Type: multipart/mixed; boundary=b\n\n--b  \nX: padded\n\n--b--  \nafter\n",
     "M:Content-Type: multipart/mixed; boundary=b\nB:--b  \nM:X: padded\nB:--b--  \nB:after\n"},
    {"18-folding", "Subject: x\n\tcontinued\n folded\n\nbody\n",
     "P:Subject: x??continued? folded\nB:body\n"},
};

static VSTRING *golden;

static void golden_add(const char *prefix, const char *text, size_t len)
{
    vstring_strcat(golden, prefix);
    for (size_t i = 0; i < len; i++)
        vstring_addch(golden, text[i] == '\n' || text[i] == '\t' ? '?' : text[i]);
    vstring_addch(golden, '\n');
}

static void golden_head_out(void *context, int header_class, const HEADER_OPTS *info, VSTRING *buf)
{
    const char *table =
        (info && (info->flags & HEADER_OPT_MIME)) || header_class == MIME_HDR_MULTIPART ? "M:"
        : header_class == MIME_HDR_PRIMARY                                              ? "P:"
                                                                                        : "N:";

    golden_add(table, vstring_str(buf), VSTRING_LEN(buf));
}

static void golden_body_out(void *context, int rec_type, const char *text, size_t len)
{
    if (len > 0)
        golden_add("B:", text, len);
}

static void test_postfix_golden(void)
{
    golden = vstring_alloc(1000);
    for (size_t i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]); i++) {
        MIME_STATE *ms =
            mime_state_alloc(MIME_OPT_NONE, 0, golden_head_out, 0, golden_body_out, 0, 0, 0);
        const char *cp = golden_cases[i].msg;
        const char *nl;

        vstring_reset(golden);
        while ((nl = strchr(cp, '\n')) != 0) {
            mime_state_update(ms, MIME_REC_NORM, cp, (size_t) (nl - cp));
            cp = nl + 1;
        }
        mime_state_end(ms);
        mime_state_free(ms);
        if (strcmp(vstring_str(golden), golden_cases[i].want) != 0)
            PTEST_FAIL("%s:\ngot:\n%swant:\n%s", golden_cases[i].name, vstring_str(golden),
                       golden_cases[i].want);
    }
    vstring_free(golden);
}

static void test_error_text(void)
{
    PTEST_STR_EQ(mime_state_error(MIME_ERR_NESTING), "MIME nesting exceeds safety limit");
    PTEST_STR_EQ(mime_state_error(MIME_ERR_8BIT_IN_HEADER | MIME_ERR_ENCODING_DOMAIN),
                 "improper use of 8-bit data in message header");
    PTEST_STR_EQ(mime_state_detail(MIME_ERR_TRUNC_HEADER)->dsn, "5.6.0");
    PTEST_CHECK(mime_state_detail(0) == 0);
    PTEST_STR_EQ(mime_state_error(0), "unknown MIME error");
}

/* Deep nesting and many boundary lines stay fast and bounded. */
static void test_hostile_structure(void)
{
    VSTRING *msg = vstring_alloc(1000);
    int errs;

    vstring_strcpy(msg, "Subject: deep\n");
    for (int i = 0; i < 5000; i++)
        vstring_sprintf_append(msg, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    for (int i = 0; i < 50000; i++)
        vstring_strcat(msg, "--b1\n--b2--\n");
    clock_t t0 = clock();
    errs = run(ALL_REPORTS, 0, vstring_str(msg));
    double secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
    PTEST_INT_EQ(errs, MIME_ERR_NESTING);
    if (secs > 3.0)
        PTEST_FAIL("took %.2f seconds", secs);
    /* Message/rfc822 all the way down: not nesting for Postfix, and no memory. */
    vstring_strcpy(msg, "");
    for (int i = 0; i < 100000; i++)
        vstring_strcat(msg, "Content-Type: message/rfc822\n\n");
    t0 = clock();
    errs = run(ALL_REPORTS, 0, vstring_str(msg));
    secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
    PTEST_INT_EQ(errs, 0);
    if (secs > 3.0)
        PTEST_FAIL("took %.2f seconds", secs);
    vstring_free(msg);
}

/* A huge header keeps only header_size_limit bytes. */
static void test_huge_header(void)
{
    MIME_STATE_LIMITS limits = {1000, 0, 0};
    VSTRING *msg = vstring_alloc(1000);

    vstring_strcpy(msg, "Subject: x\n");
    for (int i = 0; i < 100000; i++)
        vstring_strcat(msg, " continued|more\n");
    PTEST_INT_EQ(run(ALL_REPORTS, &limits, vstring_str(msg)), MIME_ERR_TRUNC_HEADER);
    /* transcript: error line, then the header line of at most 1000 bytes (+escapes) */
    const char *hdr = strstr(vstring_str(transcript), "\nP:");
    PTEST_CHECK(hdr != 0);
    const char *eol = hdr ? strchr(hdr + 1, '\n') : 0;
    PTEST_CHECK(eol && eol - hdr < 1200);
    vstring_free(msg);
}

/* header_size_limit = 300, as observed on Postfix 3.7.11. */
static void test_postfix_truncation(void)
{
    MIME_STATE_LIMITS limits = {300, 0, 0};
    VSTRING *msg = vstring_alloc(1000);
    VSTRING *want = vstring_alloc(1000);

    /* Six 41-byte continuation lines fit; a long one and everything after goes. */
    vstring_strcpy(msg, "Subject: start");
    for (int i = 1; i <= 6; i++)
        vstring_sprintf_append(msg, "\n continuation line %02d xxxxxxxxxxxxxxxxxxxx", i);
    vstring_strcpy(want, vstring_str(msg));
    vstring_strcat(msg, "\n yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    vstring_strcat(msg, "\n short\nTo: after@example.com\n\nbody\n");
    PTEST_INT_EQ(run(MIME_OPT_NONE, &limits, vstring_str(msg)), 0);
    const char *got = vstring_str(transcript);
    PTEST_CHECK(strncmp(got, "P:", 2) == 0);
    const char *eol = strchr(got, '\n');
    /* The transcript shows newlines inside a header as "\\n". */
    VSTRING *shown = vstring_alloc(100);
    for (const char *cp = vstring_str(want); *cp; cp++) {
        if (*cp == '\n')
            vstring_strcat(shown, "\\n");
        else
            vstring_addch(shown, *cp);
    }
    PTEST_INT_EQ(eol - got - 2, VSTRING_LEN(shown));
    PTEST_CHECK(strncmp(got + 2, vstring_str(shown), VSTRING_LEN(shown)) == 0);
    PTEST_CHECK(strstr(got, "\nP:To: after@example.com\n") != 0);
    PTEST_CHECK(strstr(got, "short") == 0);

    /* A first line longer than the limit is cut at exactly the limit. */
    vstring_strcpy(msg, "Subject: ");
    for (int i = 0; i < 400; i++)
        vstring_addch(msg, 'z');
    vstring_strcat(msg, "\n cont\nTo: after@example.com\n\nbody\n");
    PTEST_INT_EQ(run(MIME_OPT_REPORT_TRUNC_HEADER, &limits, vstring_str(msg)),
                 MIME_ERR_TRUNC_HEADER);
    got = strstr(vstring_str(transcript), "\nP:");
    eol = got ? strchr(got + 1, '\n') : 0;
    PTEST_CHECK(got && eol && eol - got - 3 == 300);
    PTEST_CHECK(strstr(vstring_str(transcript), "cont\n") == 0);
    vstring_free(shown);
    vstring_free(msg);
    vstring_free(want);
}

static const PTEST_CASE cases[] = {
    {"table", test_table},
    {"error_text", test_error_text},
    {"postfix_golden", test_postfix_golden},
    {"hostile_structure", test_hostile_structure},
    {"huge_header", test_huge_header},
    {"postfix_truncation", test_postfix_truncation},
};

PTEST_MAIN(cases)
