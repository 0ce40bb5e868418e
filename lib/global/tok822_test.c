/*
 * Unit tests for tok822: tokenizing, address grouping, internal and
 * external forms, rewriting, limits and hostile input.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "argv.h"
#include "mymalloc.h"
#include "ptest.h"
#include "quote_822_local.h"
#include "tok822.h"
#include "vstring.h"

/* The internal forms of every address in the tree, joined with "|". */
static char *addr_join(TOK822 *tree)
{
    VSTRING *out = vstring_alloc(100);
    VSTRING *buf = vstring_alloc(100);
    int n = 0;

    for (TOK822 *tp = tree; tp; tp = tp->next) {
        if (tp->type != TOK822_ADDR)
            continue;
        if (n++)
            vstring_addch(out, '|');
        vstring_strcat(out, vstring_str(tok822_internalize(buf, tp, TOK822_STR_NONE)));
    }
    vstring_free(buf);
    return vstring_export(out);
}

typedef struct {
    const char *name;
    const char *in;
    const char *addrs; /* internal forms joined by "|" */
    const char *ext;   /* externalized tree */
} PARSE_CASE;

static const PARSE_CASE parse_cases[] = {
    {"plain", "user@example.com", "user@example.com", "user@example.com"},
    {"display name", "Joe Q. Public <john.q.public@example.com>", "john.q.public@example.com",
     "Joe Q. Public <john.q.public@example.com>"},
    {"two", "a@b,c@d", "a@b|c@d", "a@b, c@d"},
    {"empty slot", "a@b,,c@d", "a@b|c@d", "a@b,, c@d"},
    {"empty group", "undisclosed-recipients:;", "", "undisclosed-recipients:;"},
    {"group", "grp: a@b, c@d; e@f", "a@b|c@d|e@f", "grp: a@b, c@d; e@f"},
    {"null address", "<>", "", "<>"},
    {"null and other", "<>, a@b", "|a@b", "<>, a@b"},
    {"angle junk", "<<<@>>>", "<<@", "<<<@>>>"},
    {"unterminated quote", "\"unterminated", "unterminated", "\"unterminated\""},
    {"unterminated angle", "<a@b", "a@b", "<a@b"},
    {"unterminated angle then next", "<a@b, c@d>", "a@b|c@d>", "<a@b, c@d>"},
    {"unterminated literal", "u@[1.2", "u@[1.2]", "u@[1.2]"},
    {"unterminated comment", "a@b (note", "a@b", "a@b (note)"},
    {"nested comment", "a@b (x (y) z)", "a@b", "a@b (x (y) z)"},
    {"unterminated nested", "a@b (x (y", "a@b", "a@b (x (y))"},
    {"double at", "a@b@c", "a@b@c", "a@b@c"},
    {"unbracketed route is a group", "@route:user@dom", "user@dom", "@route: user@dom"},
    {"route", "<@a,@b:user@dom>", "@a,@b:user@dom", "<@a,@b:user@dom>"},
    {"route with name", "X <@a:u@d>, y@z", "@a:u@d|y@z", "X <@a:u@d>, y@z"},
    {"quoted at", "\"quoted@at\"@dom", "quoted@at@dom", "\"quoted@at\"@dom"},
    {"quoted space", "\"a b\"@dom", "a b@dom", "\"a b\"@dom"},
    {"escaped quote", "\"a\\\"b\"@c", "a\"b@c", "\"a\\\"b\"@c"},
    {"escaped space in atom", "a\\ b@c", "a b@c", "a\\ b@c"},
    {"trailing backslash", "a@b\\", "a@b", "a@b"},
    {"trailing backslash in quote", "\"ab\\", "ab", "\"ab\""},
    {"percent hack", "user%dom@relay", "user%dom@relay", "user%dom@relay"},
    {"bang path", "host!user", "host!user", "host!user"},
    {"empty", "", "", ""},
    {"all spaces", " \t\r\n  ", "", ""},
    {"comment only", "(just a comment)", "", "(just a comment)"},
    {"comment after", "a@b (Comment)", "a@b", "a@b (Comment)"},
    {"comment inside", "user(c)@dom", "user@dom", "user (c)@dom"},
    {"quoted name with comma", "\"Last, First\" <lf@x>", "lf@x", "\"Last, First\" <lf@x>"},
    {"phrase without angle", "a b c", "abc", "a b c"},
    {"literal domain", "u@[1.2.3.4]", "u@[1.2.3.4]", "u@[1.2.3.4]"},
    {"ipv6 literal", "u@[IPv6:::1]", "u@[IPv6:::1]", "u@[IPv6:::1]"},
    {"utf8", "J\xc3\xb6hn <j\xc3\xb6hn@ex\xc3\xa4mple.org>", "j\xc3\xb6hn@ex\xc3\xa4mple.org",
     "J\xc3\xb6hn <j\xc3\xb6hn@ex\xc3\xa4mple.org>"},
    {"8bit junk", "\xff\xfe@\x80", "\xff\xfe@\x80", "\xff\xfe@\x80"},
    {"control char", "a\001b@c", "a\001b@c", "a\001b@c"},
    {"folded", "a@b,\r\n\tc@d", "a@b|c@d", "a@b, c@d"},
    {"two angles one slot", "<a@b> <c@d>", "a@b|c@d", "<a@b> <c@d>"},
    {"stray close", "a@b>", "a@b>", "a@b>"},
    {"group name colon", "foo:bar@x", "bar@x", "foo: bar@x"},
    {"names and comments", "Foo <a@b> (x), (y) <c@d>", "a@b|c@d", "Foo <a@b> (x), (y) <c@d>"},
    {"only separators", ",;:,", "", ",; :,"},
};

static void test_parse_table(void)
{
    VSTRING *ext = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const PARSE_CASE *pc = parse_cases + i;
        int trunc = -1;
        TOK822 *tree = tok822_parse(pc->in, 0, &trunc);
        char *got = addr_join(tree);

        if (strcmp(got, pc->addrs) != 0)
            PTEST_FAIL("%s: addresses: got \"%s\", want \"%s\"", pc->name, got, pc->addrs);
        tok822_externalize(ext, tree, TOK822_STR_LIST);
        if (strcmp(vstring_str(ext), pc->ext) != 0)
            PTEST_FAIL("%s: external: got \"%s\", want \"%s\"", pc->name, vstring_str(ext),
                       pc->ext);
        if (trunc != 0)
            PTEST_FAIL("%s: truncated: got %d, want 0", pc->name, trunc);
        /* The external form must parse back to the same addresses. */
        TOK822 *again = tok822_parse(vstring_str(ext), 0, 0);
        char *got2 = addr_join(again);
        if (strcmp(got2, got) != 0)
            PTEST_FAIL("%s: reparse: got \"%s\", want \"%s\"", pc->name, got2, got);
        myfree(got2);
        tok822_free_tree(again);
        myfree(got);
        tok822_free_tree(tree);
    }
    vstring_free(ext);
}

static void test_token_types(void)
{
    TOK822 *list = tok822_scan("Joe (c) \"q s\" <a.b@[1.2]>;", 0, 0);
    static const int want[] = {TOK822_ATOM,
                               TOK822_COMMENT,
                               TOK822_QSTRING,
                               '<',
                               TOK822_ATOM,
                               '.',
                               TOK822_ATOM,
                               '@',
                               TOK822_DOMLIT,
                               '>',
                               ';'};
    size_t n = 0;

    for (TOK822 *tp = list; tp; tp = tp->next, n++) {
        if (n < sizeof(want) / sizeof(want[0]) && tp->type != want[n])
            PTEST_FAIL("token %zu: got type %d, want %d", n, tp->type, want[n]);
    }
    PTEST_INT_EQ(n, sizeof(want) / sizeof(want[0]));
    PTEST_STR_EQ(vstring_str(list->next->vstr), "c");
    PTEST_STR_EQ(vstring_str(list->next->next->vstr), "q s");
    tok822_free_tree(list);
}

static void test_deep_comment(void)
{
    size_t depth = 100000;
    char *in = mymalloc(depth + 1);
    VSTRING *ext = vstring_alloc(100);

    memset(in, '(', depth);
    in[depth] = 0;
    TOK822 *tree = tok822_parse(in, 0, 0);
    PTEST_CHECK(tree != 0 && tree->type == TOK822_COMMENT && tree->next == 0);
    tok822_externalize(ext, tree, TOK822_STR_LIST);
    PTEST_INT_EQ(VSTRING_LEN(ext), 2 * depth);
    PTEST_INT_EQ(vstring_str(ext)[depth - 1], '(');
    PTEST_INT_EQ(vstring_str(ext)[depth], ')');
    tok822_free_tree(tree);
    vstring_free(ext);
    myfree(in);
}

static void test_truncation(void)
{
    VSTRING *in = vstring_alloc(100);
    int trunc = 0;
    size_t n = 0;

    for (int i = 0; i < 20000; i++)
        vstring_strcat(in, "a ");
    TOK822 *list = tok822_scan(vstring_str(in), 100, &trunc);
    for (TOK822 *tp = list; tp; tp = tp->next)
        n++;
    PTEST_INT_EQ(n, 100);
    PTEST_INT_EQ(trunc, 1);
    tok822_free_tree(list);
    /* Exactly at the limit is not truncation. */
    list = tok822_scan("a b c", 3, &trunc);
    PTEST_INT_EQ(trunc, 0);
    tok822_free_tree(list);
    list = tok822_scan("a b c d", 3, &trunc);
    PTEST_INT_EQ(trunc, 1);
    tok822_free_tree(list);
    /* The default limit applies when 0 is given. */
    list = tok822_scan(vstring_str(in), 0, &trunc);
    PTEST_INT_EQ(trunc, 1);
    tok822_free_tree(list);
    vstring_free(in);
}

/* A long header must take linear time: 200000 addresses well within a second. */
static void test_linear_time(void)
{
    VSTRING *in = vstring_alloc(100);
    int trunc;

    for (int i = 0; i < 200000; i++)
        vstring_strcat(in, "Name <a@b>, ");
    clock_t t0 = clock();
    ARGV *argv = tok822_addr_list(vstring_str(in), 2000000, &trunc);
    double secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
    PTEST_INT_EQ(argv->argc, 200000);
    PTEST_INT_EQ(trunc, 0);
    if (secs > 2.0)
        PTEST_FAIL("parsing took %.2f seconds", secs);
    argv_free(argv);
    vstring_free(in);
}

static void test_scan_addr(void)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"@route:user@dom", "@route:user@dom"}, {"\"a b\"@c", "a b@c"}, {"", ""},
        {"user (comment) @ dom", "user@dom"},   {"a,b", "a,b"},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TOK822 *addr = tok822_scan_addr(cases[i].in, 0, 0);
        PTEST_INT_EQ(addr->type, TOK822_ADDR);
        PTEST_STR_EQ(vstring_str(tok822_internalize(buf, addr, TOK822_STR_NONE)), cases[i].want);
        tok822_free_tree(addr);
    }
    vstring_free(buf);
}

/* Rewriting: append a domain to unqualified addresses, keep names and comments. */
static void test_addr_set(void)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"joe", "joe@origin.example"},
        {"Joe <joe>, (boss) ann@x.example", "Joe <joe@origin.example>, (boss) ann@x.example"},
        {"\"a b\"", "\"a b\"@origin.example"},
        {"grp: x, y; z", "grp: x@origin.example, y@origin.example; z@origin.example"},
        {"<>", "<>"},
        {"x (c)", "x@origin.example (c)"},
    };
    VSTRING *buf = vstring_alloc(10);
    VSTRING *ext = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TOK822 *tree = tok822_parse(cases[i].in, 0, 0);
        size_t n;
        TOK822 **addrs = tok822_grep(tree, TOK822_ADDR, &n);

        for (size_t j = 0; j < n; j++) {
            tok822_internalize(buf, addrs[j], TOK822_STR_NONE);
            if (VSTRING_LEN(buf) && strchr(vstring_str(buf), '@') == 0) {
                vstring_strcat(buf, "@origin.example");
                tok822_addr_set(addrs[j], vstring_str(buf));
            }
        }
        PTEST_CHECK(addrs[n] == 0);
        myfree(addrs);
        tok822_externalize(ext, tree, TOK822_STR_LIST);
        if (strcmp(vstring_str(ext), cases[i].want) != 0)
            PTEST_FAIL("\"%s\": got \"%s\", want \"%s\"", cases[i].in, vstring_str(ext),
                       cases[i].want);
        tok822_free_tree(tree);
    }
    /* Setting the null address in a bare slot must keep an address there. */
    TOK822 *tree = tok822_parse("a@b, c@d", 0, 0);
    tok822_addr_set(tree, "");
    tok822_externalize(ext, tree, TOK822_STR_LIST);
    PTEST_STR_EQ(vstring_str(ext), "\"\", c@d");
    TOK822 *again = tok822_parse(vstring_str(ext), 0, 0);
    char *joined = addr_join(again);
    PTEST_STR_EQ(joined, "|c@d");
    myfree(joined);
    tok822_free_tree(again);
    tok822_free_tree(tree);
    vstring_free(buf);
    vstring_free(ext);
}

static void test_fold(void)
{
    TOK822 *tree = tok822_parse("a@b, c@d", 0, 0);
    VSTRING *ext = vstring_alloc(10);

    tok822_externalize(ext, tree, TOK822_STR_LIST | TOK822_STR_FOLD);
    PTEST_STR_EQ(vstring_str(ext), "a@b,\n\tc@d");
    /* Without LIST only the first token (here: the first address) is written. */
    tok822_externalize(ext, tree, TOK822_STR_NONE);
    PTEST_STR_EQ(vstring_str(ext), "a@b");
    tok822_externalize(ext, tree, TOK822_STR_APPEND);
    PTEST_STR_EQ(vstring_str(ext), "a@ba@b");
    tok822_free_tree(tree);
    vstring_free(ext);
}

static void test_addr_list(void)
{
    int trunc = -1;
    ARGV *argv = tok822_addr_list("A <a@x>, \"b c\"@y, grp:;", 0, &trunc);

    PTEST_INT_EQ(argv->argc, 2);
    PTEST_STR_EQ(argv->argv[0], "a@x");
    PTEST_STR_EQ(argv->argv[1], "b c@y");
    PTEST_INT_EQ(trunc, 0);
    argv_free(argv);
}

static const PTEST_CASE cases[] = {
    {"parse_table", test_parse_table},   {"token_types", test_token_types},
    {"deep_comment", test_deep_comment}, {"truncation", test_truncation},
    {"linear_time", test_linear_time},   {"scan_addr", test_scan_addr},
    {"addr_set", test_addr_set},         {"fold", test_fold},
    {"addr_list", test_addr_list},
};

PTEST_MAIN(cases)
