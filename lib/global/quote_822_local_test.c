/*
 * Unit tests for quote_822_local and quote_821_local: quoting, unquoting,
 * and the round trip through tok822.
 */
#include <string.h>

#include "ptest.h"
#include "quote_821_local.h"
#include "quote_822_local.h"
#include "tok822.h"
#include "vstring.h"

typedef struct {
    const char *in;
    int flags;
    const char *want;
} QUOTE_CASE;

static const QUOTE_CASE quote_cases[] = {
    {"user@example.com", 0, "user@example.com"},
    {"a b@x", 0, "\"a b\"@x"},
    {"quoted@at@dom", 0, "\"quoted@at\"@dom"},
    {"", 0, ""},
    {"@dom", 0, "\"\"@dom"},
    {"user", 0, "user"},
    {".a@x", 0, "\".a\"@x"},
    {"a.@x", 0, "\"a.\"@x"},
    {"a..b@x", 0, "\"a..b\"@x"},
    {"a.b.c@x", 0, "a.b.c@x"},
    {"a\"b@x", 0, "\"a\\\"b\"@x"},
    {"a\\b@x", 0, "\"a\\\\b\"@x"},
    {"!#$%&'*+-/=?^_`{|}~@x", 0, "!#$%&'*+-/=?^_`{|}~@x"},
    {"j\xc3\xb6hn@x", 0, "j\xc3\xb6hn@x"},
    {"j\xc3\xb6hn@x", QUOTE_FLAG_QUOTE_8BIT, "\"j\xc3\xb6hn\"@x"},
    {"a\tb@x", 0, "\"a\tb\"@x"},
    {"a\001b@x", 0, "\"a\001b\"@x"},
    {"@a,@b:u@d", 0, "\"@a,@b:u\"@d"},
    {"u@[1.2.3.4]", 0, "u@[1.2.3.4]"},
    {"u@[IPv6:::1]", 0, "u@[IPv6:::1]"},
    {"u@do main", 0, "u@\"do main\""},
    {"u@a(b", 0, "u@\"a(b\""},
    {"u@[a", 0, "u@\"[a\""},
    {"u@[a]b]", 0, "u@\"[a]b]\""},
    {"u@", 0, "u@"},
    {"a@b", QUOTE_FLAG_BARE_LOCALPART, "\"a@b\""},
    {"user+ext@x", 0, "user+ext@x"},
};

static void test_quote(void)
{
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
        const QUOTE_CASE *qc = quote_cases + i;

        quote_822_local_flags(buf, qc->in, qc->flags);
        if (strcmp(vstring_str(buf), qc->want) != 0)
            PTEST_FAIL("quote \"%s\": got \"%s\", want \"%s\"", qc->in, vstring_str(buf), qc->want);
    }
    vstring_strcpy(buf, "x, ");
    quote_822_local_flags(buf, "a b@c", QUOTE_FLAG_APPEND);
    PTEST_STR_EQ(vstring_str(buf), "x, \"a b\"@c");
    vstring_free(buf);
}

static const QUOTE_CASE unquote_cases[] = {
    {"\"a b\"@x", 0, "a b@x"},     {"\"quoted@at\"@dom", 0, "quoted@at@dom"},
    {"a\\@b@c", 0, "a@b@c"},       {"\"unterminated@x", 0, "unterminated@x"},
    {"plain", 0, "plain"},         {"\"a\\\"b\"@x", 0, "a\"b@x"},
    {"\"\"@x", 0, "@x"},           {"", 0, ""},
    {"trailing\\", 0, "trailing"}, {"u@\"dom\"", 0, "u@\"dom\""},
};

static void test_unquote(void)
{
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(unquote_cases) / sizeof(unquote_cases[0]); i++) {
        unquote_822_local(buf, unquote_cases[i].in);
        if (strcmp(vstring_str(buf), unquote_cases[i].want) != 0)
            PTEST_FAIL("unquote \"%s\": got \"%s\", want \"%s\"", unquote_cases[i].in,
                       vstring_str(buf), unquote_cases[i].want);
    }
    vstring_free(buf);
}

static const QUOTE_CASE quote821_cases[] = {
    {"user@example.com", 0, "user@example.com"},
    {"a b@x", 0, "\"a b\"@x"},
    {"", 0, ""},
    {"u@do main", 0, "u@do main"},
    {"a\"b@x", 0, "\"a\\\"b\"@x"},
    {"j\xc3\xb6hn@x", QUOTE_FLAG_QUOTE_8BIT, "\"j\xc3\xb6hn\"@x"},
    {"j\xc3\xb6hn@x", 0, "j\xc3\xb6hn@x"},
    {"postmaster", 0, "postmaster"},
    /* What Postfix 3.7.11's smtp client sent for these (MAIL FROM / RCPT TO). */
    {"s x@a.example", 0, "\"s x\"@a.example"},
    {".a@x.example", 0, "\".a\"@x.example"},
    {"a,b@x.example", 0, "\"a,b\"@x.example"},
    {"a\\b@x.example", 0, "\"a\\\\b\"@x.example"},
    {"i.@x.example", 0, "\"i.\"@x.example"},
    {"q@at@x.example", 0, "\"q@at\"@x.example"},
    {"user+ext@x.example", 0, "user+ext@x.example"},
};

static void test_quote_821(void)
{
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(quote821_cases) / sizeof(quote821_cases[0]); i++) {
        const QUOTE_CASE *qc = quote821_cases + i;

        quote_821_local_flags(buf, qc->in, qc->flags);
        if (strcmp(vstring_str(buf), qc->want) != 0)
            PTEST_FAIL("quote_821 \"%s\": got \"%s\", want \"%s\"", qc->in, vstring_str(buf),
                       qc->want);
    }
    vstring_free(buf);
}

/* Quoting then parsing with tok822 gives back the internal form exactly. */
static void test_round_trip(void)
{
    static const char *internals[] = {
        "user@example.com", "a b@x",     "quoted@at@dom", "",      "@dom", ".a@x",      "a\"b\\c@x",
        "u@do main",        "u@[a",      "u@a(b)c",       "(x)@y", "<>@x", "a,b;c:d@e", "\r@x",
        "u@[a]b]",          "\xff@\xfe", "a@b@c",         "@",     "\"",   "\\",        "u@\"q\"",
    };
    VSTRING *ext = vstring_alloc(10);
    VSTRING *back = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(internals) / sizeof(internals[0]); i++) {
        quote_822_local(ext, internals[i]);
        TOK822 *addr = tok822_scan_addr(vstring_str(ext), 0, 0);
        tok822_internalize(back, addr, TOK822_STR_NONE);
        if (strcmp(vstring_str(back), internals[i]) != 0)
            PTEST_FAIL("\"%s\" -> \"%s\" -> \"%s\"", internals[i], vstring_str(ext),
                       vstring_str(back));
        tok822_free_tree(addr);
    }
    vstring_free(ext);
    vstring_free(back);
}

static const PTEST_CASE cases[] = {
    {"quote", test_quote},
    {"unquote", test_unquote},
    {"quote_821", test_quote_821},
    {"round_trip", test_round_trip},
};

PTEST_MAIN(cases)
