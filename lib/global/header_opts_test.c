/*
 * Unit tests for is_header and header_opts.
 */
#include <string.h>
#include <strings.h>

#include "header_opts.h"
#include "is_header.h"
#include "ptest.h"

static void test_is_header(void)
{
    static const struct {
        const char *in;
        size_t len; /* bytes to look at; 0: strlen */
        size_t want;
    } cases[] = {
        {"Subject: hi", 0, 7},
        {"Subject:", 0, 7},
        {"Subject :x", 0, 7},
        {"Subject \t :x", 0, 7},
        {"X-Foo-Bar:baz", 0, 9},
        {"a:", 0, 1},
        {":foo", 0, 0},
        {" Subject: x", 0, 0},
        {"\tcontinued", 0, 0},
        {"Subject", 0, 0},
        {"Subject x:", 0, 0},
        {"Sub ject:", 0, 0},
        {"", 0, 0},
        {"From foo@bar Mon Jan  1 00:00:00 2026", 0, 0},
        {">From: x", 0, 5},
        {"Sub\xc3\xa9"
         "ct: x",
         0, 0},
        {"Sub\001ject: x", 0, 0},
        {"Sub\177ject: x", 0, 0},
        {"~!@#$%^&*()_+{}|\"<>?`-=[]\\;',./: x", 0, 31},
        {"Subject: x", 7, 0}, /* colon beyond len */
        {"Subject: x", 8, 7},
        {"Subject  : x", 9, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        size_t got = is_header_buf(cases[i].in, len);
        if (got != cases[i].want)
            PTEST_FAIL("is_header_buf(\"%s\", %zu): got %zu, want %zu", cases[i].in, len, got,
                       cases[i].want);
        if (cases[i].len == 0 && is_header(cases[i].in) != got)
            PTEST_FAIL("is_header(\"%s\") differs from is_header_buf", cases[i].in);
    }
    /* Embedded null bytes are not name characters. */
    PTEST_INT_EQ(is_header_buf("Sub\0ject: x", 11), 0);
}

static void test_find(void)
{
    static const struct {
        const char *name;
        const char *canon; /* null: not found */
        int type;
        int flags;
    } cases[] = {
        {"From", "From", HEADER_TYPE_FROM, HEADER_OPT_SENDER | HEADER_OPT_ADDR},
        {"from", "From", HEADER_TYPE_FROM, HEADER_OPT_SENDER | HEADER_OPT_ADDR},
        {"FROM", "From", HEADER_TYPE_FROM, HEADER_OPT_SENDER | HEADER_OPT_ADDR},
        {"To", "To", HEADER_TYPE_TO, HEADER_OPT_RECIP | HEADER_OPT_ADDR | HEADER_OPT_EXTRACT},
        {"bcc", "Bcc", HEADER_TYPE_BCC,
         HEADER_OPT_RECIP | HEADER_OPT_ADDR | HEADER_OPT_EXTRACT | HEADER_OPT_BCC |
             HEADER_OPT_DEF_DROP},
        {"Resent-To", "Resent-To", HEADER_TYPE_RESENT_TO,
         HEADER_OPT_RECIP | HEADER_OPT_ADDR | HEADER_OPT_EXTRACT | HEADER_OPT_RESENT},
        {"message-id", "Message-ID", HEADER_TYPE_MESSAGE_ID, 0},
        {"Content-Type", "Content-Type", HEADER_TYPE_CONTENT_TYPE, HEADER_OPT_MIME},
        {"content-transfer-encoding", "Content-Transfer-Encoding",
         HEADER_TYPE_CONTENT_TRANSFER_ENCODING, HEADER_OPT_MIME},
        {"Mime-Version", "MIME-Version", HEADER_TYPE_MIME_VERSION, HEADER_OPT_MIME},
        {"Content-Length", "Content-Length", HEADER_TYPE_CONTENT_LENGTH, HEADER_OPT_DEF_DROP},
        {"Return-Path", "Return-Path", HEADER_TYPE_RETURN_PATH,
         HEADER_OPT_SENDER | HEADER_OPT_ADDR | HEADER_OPT_DEF_DROP},
        {"Delivered-To", "Delivered-To", HEADER_TYPE_DELIVERED_TO, HEADER_OPT_ADDR},
        {"X-Original-To", "X-Original-To", HEADER_TYPE_X_ORIGINAL_TO, HEADER_OPT_ADDR},
        {"Subject", 0, 0, 0},
        {"T", 0, 0, 0},
        {"Tox", 0, 0, 0},
        {"", 0, 0, 0},
        {"X-Original-To-And-Some-Very-Long-Name-Beyond-Limit", 0, 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const HEADER_OPTS *hp = header_opts_find(cases[i].name, strlen(cases[i].name));
        if (cases[i].canon == 0) {
            if (hp)
                PTEST_FAIL("\"%s\": got \"%s\", want not found", cases[i].name, hp->name);
            continue;
        }
        if (hp == 0) {
            PTEST_FAIL("\"%s\": not found", cases[i].name);
            continue;
        }
        if (strcmp(hp->name, cases[i].canon) || hp->type != cases[i].type ||
            hp->flags != cases[i].flags)
            PTEST_FAIL("\"%s\": got \"%s\" %d 0x%x, want \"%s\" %d 0x%x", cases[i].name, hp->name,
                       hp->type, (unsigned) hp->flags, cases[i].canon, cases[i].type,
                       (unsigned) cases[i].flags);
    }
    /* The name may be the start of a header line. */
    const char *line = "cc: a@b";
    const HEADER_OPTS *hp = header_opts_find(line, is_header(line));
    PTEST_CHECK(hp && hp->type == HEADER_TYPE_CC);
}

/* The binary search needs the table in case-insensitive order; every entry is findable. */
static void test_table(void)
{
    size_t n;
    const HEADER_OPTS *table = header_opts_table(&n);

    PTEST_CHECK(n > 30);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcasecmp(table[i - 1].name, table[i].name) >= 0)
            PTEST_FAIL("table order: \"%s\" before \"%s\"", table[i - 1].name, table[i].name);
        if (header_opts_find(table[i].name, strlen(table[i].name)) != table + i)
            PTEST_FAIL("\"%s\" not found", table[i].name);
        if ((table[i].flags & (HEADER_OPT_SENDER | HEADER_OPT_RECIP)) &&
            !(table[i].flags & HEADER_OPT_ADDR))
            PTEST_FAIL("\"%s\": sender/recipient header without ADDR", table[i].name);
        if (((table[i].flags & HEADER_OPT_RESENT) != 0) !=
            (strncasecmp(table[i].name, "Resent-", 7) == 0))
            PTEST_FAIL("\"%s\": RESENT flag", table[i].name);
        for (size_t j = 0; j < i; j++)
            if (table[j].type == table[i].type)
                PTEST_FAIL("\"%s\" and \"%s\" share a type", table[j].name, table[i].name);
    }
}

static const PTEST_CASE cases[] = {
    {"is_header", test_is_header},
    {"find", test_find},
    {"table", test_table},
};

PTEST_MAIN(cases)
