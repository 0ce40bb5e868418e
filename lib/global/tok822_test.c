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
     "Joe Q.Public <john.q.public@example.com>"},
    {"two", "a@b,c@d", "a@b|c@d", "a@b, c@d"},
    {"empty slot", "a@b,,c@d", "a@b|c@d", "a@b, , c@d"},
    {"empty group", "undisclosed-recipients:;", "", "undisclosed-recipients: ;"},
    {"group", "grp: a@b, c@d; e@f", "a@b|c@d|e@f", "grp: a@b, c@d;, e@f"},
    {"colon without semicolon", "foo:bar@x", "foo:bar@x", "foo:bar@x"},
    {"group name runs back to comma", "g1: a; g2: b;", "b", "g1:a;g2: b;"},
    {"null address", "<>", "", "<>"},
    {"null and other", "<>, a@b", "|a@b", "<>, a@b"},
    {"angle junk", "<<<@>>>", "@>>", "< < <@>>>"},
    {"nearest open angle", "<a <b> c>", "b>c", "<a <b>c>"},
    {"unterminated quote", "\"unterminated", "unterminated", "\"unterminated\""},
    {"unterminated angle", "<a@b", "<a@b", "<a@b"},
    {"comma inside angles", "<a@b, c@d>", "a@b, c@d", "<a@b, c@d>"},
    {"unterminated literal", "u@[1.2", "u@[1.2]", "u@[1.2]"},
    {"unterminated comment", "a@b (note", "a@b", "a@b (note)"},
    {"nested comment", "a@b (x (y) z)", "a@b", "a@b (x (y) z)"},
    {"unterminated nested", "a@b (x (y", "a@b", "a@b (x (y))"},
    {"double at", "a@b@c", "a@b@c", "a@b@c"},
    {"unbracketed route", "@route:user@dom", "@route:user@dom", "@route:user@dom"},
    {"route", "<@a,@b:user@dom>", "@a, @b:user@dom", "<@a, @b:user@dom>"},
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
    {"comment inside moves behind", "user(c)@dom", "user@dom", "user@dom (c)"},
    {"comments in angles go last", "<a(c)b@d>", "ab@d", "<a b@d (c)>"},
    {"quoted name with comma", "\"Last, First\" <lf@x>", "lf@x", "\"Last, First\" <lf@x>"},
    {"words without commas", "a b c", "a|b|c", "a, b, c"},
    {"words in angles", "<a b@c>", "ab@c", "<a b@c>"},
    {"quoted word in angles", "<\"a\"b@c>", "a b@c", "<\"a\" b@c>"},
    {"literal domain", "u@[1.2.3.4]", "u@[1.2.3.4]", "u@[1.2.3.4]"},
    {"ipv6 literal", "u@[IPv6:::1]", "u@[IPv6:::1]", "u@[IPv6:::1]"},
    {"utf8", "J\xc3\xb6hn <j\xc3\xb6hn@ex\xc3\xa4mple.org>", "j\xc3\xb6hn@ex\xc3\xa4mple.org",
     "J\xc3\xb6hn <j\xc3\xb6hn@ex\xc3\xa4mple.org>"},
    {"8bit junk", "\xff\xfe@\x80", "\xff\xfe@\x80", "\xff\xfe@\x80"},
    {"control char", "a\001b@c", "a\001b@c", "a\001b@c"},
    {"folded", "a@b,\r\n\tc@d", "a@b|c@d", "a@b, c@d"},
    {"two angles one slot", "<a@b> <c@d>", "a@b|c@d", "<a@b> <c@d>"},
    {"word after angle", "<a@b> c", "a@b|c", "<a@b>, c"},
    {"stray close", "a@b>", "a@b", "a@b>"},
    {"names and comments", "Foo <a@b> (x), (y) <c@d>", "a@b|c@d", "Foo <a@b>(x), (y) <c@d>"},
    {"only separators", ",;:,", ":", ", ;, :,"},
    {"semicolon splits", "a;b", "a|b", "a;, b"},
    {"newline in quoted string", "\"a\n b\"@c", "a  b@c", "\"a  b\"@c"},
    {"newline in comment", "y@c (com\n\tment)", "y@c", "y@c (com \tment)"},
    {"escaped newline in atom", "a\\\nb@c", "a b@c", "a\\ b@c"},
};

/*
 * What Postfix 3.7.11's cleanup wrote for "To: IN, zz" with
 * myorigin = origin.example (collected from a scratch instance; see
 * tok822.h).  The test replays cleanup: strip source routes, append
 * "@origin.example" to addresses without "@", replace each address with
 * tok822_addr_set(), externalize one address per line and fold at 70.
 */
typedef struct {
    const char *in;
    const char *want;
} GOLDEN_CASE;

static const GOLDEN_CASE golden_cases[] = {
    /* Folded input: newlines inside quotes, literals and comments become spaces. */
    {"\"a\n b\"@c.example", "To: \"a  b\"@c.example, zz@origin.example"},
    {"x@[1.2.\n 3.4]", "To: x@[1.2.  3.4], zz@origin.example"},
    {"y@c.example (com\n\tment)", "To: y@c.example (com \tment), zz@origin.example"},
    /* Folding: a line is joined while it stays under 70 bytes (tab not counted). */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example, zz@origin.example"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example, zz@origin.example"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example, zz@origin.example"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example,\n\tzz@origin.example"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example,\n\tzz@origin.example"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example",
     "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@d.example,\n\tzz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example, zz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example,\n\tzz@origin.example"},
    {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example, "
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example",
     "To: "
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc@d.example,"
     "\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@d.example,\n\tzz@origin.example"},
    {"grp: c@d.example", "To: \"grp:c\"@d.example, zz@origin.example"},
    {"grp:c", "To: \"grp:c\"@origin.example, zz@origin.example"},
    {"grp:c@d.example", "To: \"grp:c\"@d.example, zz@origin.example"},
    {"grp: c", "To: \"grp:c\"@origin.example, zz@origin.example"},
    {"a b@c.example", "To: a@origin.example, b@c.example, zz@origin.example"},
    {"a.b c", "To: a.b@origin.example, c@origin.example, zz@origin.example"},
    {"\"q\" a@b.example", "To: q@origin.example, a@b.example, zz@origin.example"},
    {"Name a@b.example", "To: Name@origin.example, a@b.example, zz@origin.example"},
    {"a@b.example c@d.example", "To: a@b.example, c@d.example, zz@origin.example"},
    {"a (c) b", "To: a@origin.example, b@origin.example (c), zz@origin.example"},
    {"<a@b.example> c", "To: <a@b.example>, c@origin.example, zz@origin.example"},
    {"x: a, b", "To: \"x:a\"@origin.example, b@origin.example, zz@origin.example"},
    {"x: y: a", "To: \"x:y:a\"@origin.example, zz@origin.example"},
    /* Postfix 3.7.11: To: a@b.example:c, zz@origin.example (we quote a domain that would not parse
       back) */
    {"a@b.example: c", "To: a@\"b.example:c\", zz@origin.example"},
    {"[1.2.3.4]", "To: \"[1.2.3.4]\"@origin.example, zz@origin.example"},
    {"a [1.2.3.4]", "To: a@origin.example, \"[1.2.3.4]\"@origin.example, zz@origin.example"},
    {"a@[1.2.3.4] b", "To: a@[1.2.3.4], b@origin.example, zz@origin.example"},
    {"@route:user@dom.example", "To: user@dom.example, zz@origin.example"},
    {"@r1,@r2:user@dom.example", "To: \"\"@r1, user@dom.example, zz@origin.example"},
    {"<@r1,@r2:user@dom.example>", "To: <user@dom.example>, zz@origin.example"},
    {"Joe Q. Public <joe.q>", "To: Joe Q.Public <joe.q@origin.example>, zz@origin.example"},
    {"a . b", "To: a.b@origin.example, zz@origin.example"},
    {"user(c)@dom", "To: user@dom (c), zz@origin.example"},
    {"\"a b\"", "To: \"a b\"@origin.example, zz@origin.example"},
    {"\"Last, First\" <lf@x.example> (x (y) z)",
     "To: \"Last, First\" <lf@x.example>(x (y) z), zz@origin.example"},
    {"<>", "To: <>, zz@origin.example"},
    /* Postfix 3.7.11: To: < < <""@>>>, zz@origin.example (we quote a domain that would not parse
       back) */
    {"<<<@>>>", "To: < < <\"\"@\">>\">, zz@origin.example"},
    {"<a@b, c@d>", "To: <\"a@b, c\"@d>, zz@origin.example"},
    {"a@b.example>", "To: a@b.example>, zz@origin.example"},
    {"<a <b> c>", "To: <a <\"b>c\"@origin.example>, zz@origin.example"},
    {"x <y", "To: \"x <y\"@origin.example, zz@origin.example"},
    {"\"unterminated", "To: \"unterminated, zz\"@origin.example"},
    {"[unterminated", "To: \"[unterminated, zz]\"@origin.example"},
    {"a\\ b", "To: \"a b\"@origin.example, zz@origin.example"},
    {";;;", "To: ;;;, zz@origin.example"},
    {":::", "To: \":::\"@origin.example, zz@origin.example"},
    {",,,", "To: , , , , zz@origin.example"},
    {"a;b", "To: a@origin.example;, b@origin.example, zz@origin.example"},
    {"<a;b>", "To: <\"a;b\"@origin.example>, zz@origin.example"},
    {"<a,b>", "To: <\"a, b\"@origin.example>, zz@origin.example"},
    {"<a:b>", "To: <\"a:b\"@origin.example>, zz@origin.example"},
    {"<@a:b>", "To: <b@origin.example>, zz@origin.example"},
    {"a<b", "To: \"a <b\"@origin.example, zz@origin.example"},
    {"a<b>c", "To: a <b@origin.example>, c@origin.example, zz@origin.example"},
    {"<a b@c.example>", "To: <ab@c.example>, zz@origin.example"},
    {"<a . b@c.example>", "To: <a.b@c.example>, zz@origin.example"},
    {"<a(c)b@c.example>", "To: <ab@c.example (c)>, zz@origin.example"},
    {"<\"a\"b@c.example>", "To: <\"a b\"@c.example>, zz@origin.example"},
    {"<a (c) @c.example>", "To: <a@c.example (c)>, zz@origin.example"},
    {"(c0) <a@b.example> (c1)", "To: (c0) <a@b.example>(c1), zz@origin.example"},
    {"Name (c) <a@b.example>", "To: Name (c) <a@b.example>, zz@origin.example"},
    {"(c1) a (c2) . (c3) b (c4) @ (c5) c (c6)",
     "To: a.b@c (c1) (c2) (c3) (c4) (c5) (c6), zz@origin.example"},
    /* Postfix 3.7.11: To: u@do main, zz@origin.example (we quote a domain that would not parse
       back) */
    {"u@\"do main\"", "To: u@\"do main\", zz@origin.example"},
    {"u@\"x, evil@y\"", "To: \"u@x, evil\"@y, zz@origin.example"},
    /* Postfix 3.7.11: To: u@do main, zz@origin.example (we quote a domain that would not parse
       back) */
    {"u@do\\ main", "To: u@\"do main\", zz@origin.example"},
    {"g: a, b;", "To: g: a@origin.example, b@origin.example;, zz@origin.example"},
    {"g: a, b; c",
     "To: g: a@origin.example, b@origin.example;, c@origin.example,\n\tzz@origin.example"},
    {"g: ; c", "To: g: ;, c@origin.example, zz@origin.example"},
    {"g: <a@b.example>, c ;", "To: g: <a@b.example>, c@origin.example;, zz@origin.example"},
    {"a, g: b; c",
     "To: a@origin.example, g: b@origin.example;, c@origin.example,\n\tzz@origin.example"},
    {"g1: a; g2: b;", "To: g1:a;g2: b@origin.example;, zz@origin.example"},
    {": a;", "To: : a@origin.example;, zz@origin.example"},
    {"a: b: c;", "To: a:b: c@origin.example;, zz@origin.example"},
    {"<a> <b>", "To: <a@origin.example> <b@origin.example>, zz@origin.example"},
    {"<a@b.example> (x) c", "To: <a@b.example>, c@origin.example (x), zz@origin.example"},
    {"a@b.example (x) c", "To: a@b.example, c@origin.example (x), zz@origin.example"},
    {"c <a@b.example> <d@e.example>", "To: c <a@b.example> <d@e.example>, zz@origin.example"},
    {"\"a\" \"b\" <c@d.example>", "To: \"a\" \"b\" <c@d.example>, zz@origin.example"},
    {"a.\"b\".c@d.example", "To: a.b.c@d.example, zz@origin.example"},
    {"a.b.@c.example", "To: \"a.b.\"@c.example, zz@origin.example"},
    {".a@b.example", "To: \".a\"@b.example, zz@origin.example"},
    {"<a\"b\"@c.example>", "To: <\"a b\"@c.example>, zz@origin.example"},
    {"<\"a\"\"b\"@c.example>", "To: <\"a b\"@c.example>, zz@origin.example"},
    {"<\"a\".b@c.example>", "To: <a.b@c.example>, zz@origin.example"},
    {"<a [b] c@d.example>", "To: <\"a [b] c\"@d.example>, zz@origin.example"},
    {"<a,b@c.example>", "To: <\"a, b\"@c.example>, zz@origin.example"},
    {"<a;b@c.example>", "To: <\"a;b\"@c.example>, zz@origin.example"},
    {"<a<b@c.example>", "To: <a <b@c.example>, zz@origin.example"},
    {"<a>b@c.example>", "To: <\"a>b\"@c.example>, zz@origin.example"},
    {"<a(c)(d)b@c.example>", "To: <ab@c.example (c) (d)>, zz@origin.example"},
    {"<a@b.example", "To: \"<a\"@b.example, zz@origin.example"},
    {"a@b.example>", "To: a@b.example>, zz@origin.example"},
    {"a > b", "To: a@origin.example>, b@origin.example, zz@origin.example"},
    {"g: <>;", "To: g: <>;, zz@origin.example"},
    {"\"x\" <>", "To: \"x\" <>, zz@origin.example"},
    {"(a)(b) c", "To: c@origin.example (a) (b), zz@origin.example"},
    {"c (a)(b)", "To: c@origin.example (a) (b), zz@origin.example"},
    {"<a@b.example>(c)<d@e.example>", "To: <a@b.example>(c) <d@e.example>, zz@origin.example"},
    {"\"q\"<a@b.example>", "To: \"q\" <a@b.example>, zz@origin.example"},
    {"[1.2.3.4]<a@b.example>", "To: [1.2.3.4] <a@b.example>, zz@origin.example"},
    {"<a@b.example>[x]", "To: <a@b.example>, \"[x]\"@origin.example, zz@origin.example"},
    {"<a@b.example>\"q\"", "To: <a@b.example>, q@origin.example, zz@origin.example"},
    {"a:b;c", "To: a: b@origin.example;, c@origin.example, zz@origin.example"},
    {"a;", "To: a@origin.example;, zz@origin.example"},
    {";a", "To: ;, a@origin.example, zz@origin.example"},
    {",a", "To: , a@origin.example, zz@origin.example"},
    {"a,", "To: a@origin.example, , zz@origin.example"},
    {"a@b@c", "To: \"a@b\"@c, zz@origin.example"},
};

static void test_postfix_golden(void)
{
    VSTRING *buf = vstring_alloc(100);
    VSTRING *out = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]); i++) {
        vstring_sprintf(buf, "%s, zz", golden_cases[i].in);
        TOK822 *tree = tok822_parse(vstring_str(buf), 0, 0);

        for (TOK822 *tp = tree; tp; tp = tp->next) {
            if (tp->type != TOK822_ADDR)
                continue;
            tok822_strip_route(tp);
            tok822_internalize(buf, tp, TOK822_STR_NONE);
            if (VSTRING_LEN(buf) && strchr(vstring_str(buf), '@') == 0)
                vstring_strcat(buf, "@origin.example");
            tok822_addr_set(tp, vstring_str(buf));
        }
        vstring_strcpy(out, "To: ");
        tok822_externalize(out, tree, TOK822_STR_LIST | TOK822_STR_APPEND | TOK822_STR_LINE);
        tok822_fold(out, 70);
        if (strcmp(vstring_str(out), golden_cases[i].want) != 0)
            PTEST_FAIL("\"%s\":\n#     got  \"%s\"\n#     want \"%s\"", golden_cases[i].in,
                       vstring_str(out), golden_cases[i].want);
        tok822_free_tree(tree);
    }
    vstring_free(buf);
    vstring_free(out);
}

static void test_strip_route(void)
{
    static const struct {
        const char *in;
        int stripped;
        const char *want;
    } cases[] = {
        {"@a,@b:user@dom", 1, "user@dom"},
        {"@a:user@dom", 1, "user@dom"},
        {"user@dom", 0, "user@dom"},
        {"@a:", 0, "@a:"},
        {"@a", 0, "@a"},
        {"", 0, ""},
        {"a:@b:c", 0, "a:@b:c"},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TOK822 *addr = tok822_scan_addr(cases[i].in, 0, 0);
        int got = tok822_strip_route(addr);
        tok822_internalize(buf, addr, TOK822_STR_NONE);
        if (got != cases[i].stripped || strcmp(vstring_str(buf), cases[i].want) != 0)
            PTEST_FAIL("\"%s\": got %d \"%s\", want %d \"%s\"", cases[i].in, got, vstring_str(buf),
                       cases[i].stripped, cases[i].want);
        tok822_free_tree(addr);
    }
    vstring_free(buf);
}

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
        {"user (comment) @ dom", "user@dom"},   {"a,b", "a, b"},        {"x<y", "x <y"},
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
        {"Joe <joe>, (boss) ann@x.example", "Joe <joe@origin.example>, ann@x.example (boss)"},
        {"\"a b\"", "\"a b\"@origin.example"},
        {"grp: x, y; z", "grp: x@origin.example, y@origin.example;, z@origin.example"},
        {"<x (c)>", "<x@origin.example (c)>"},
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
    static const struct {
        const char *in;
        size_t width;
        const char *want;
    } cases[] = {
        {"To: a\nb\nc", 70, "To: a b c"},
        {"To: a\nb\nc", 8, "To: a b\n\tc"},
        {"To: a\nb\nc", 7, "To: a\n\tb c"},
        {"To: a\nbbbbbbbbbbbb\nc", 5, "To: a\n\tbbbbbbbbbbbb\n\tc"},
        {"To: a", 70, "To: a"},
        {"", 70, ""},
        {"\n\n", 70, "  "},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vstring_strcpy(buf, cases[i].in);
        tok822_fold(buf, cases[i].width);
        if (strcmp(vstring_str(buf), cases[i].want) != 0)
            PTEST_FAIL("\"%s\" at %zu: got \"%s\", want \"%s\"", cases[i].in, cases[i].width,
                       vstring_str(buf), cases[i].want);
    }
    /* One address per line with TOK822_STR_LINE; without LIST only the first token. */
    TOK822 *tree = tok822_parse("a@b, c@d", 0, 0);
    tok822_externalize(buf, tree, TOK822_STR_LIST | TOK822_STR_LINE);
    PTEST_STR_EQ(vstring_str(buf), "a@b,\nc@d");
    tok822_externalize(buf, tree, TOK822_STR_NONE);
    PTEST_STR_EQ(vstring_str(buf), "a@b");
    tok822_externalize(buf, tree, TOK822_STR_APPEND);
    PTEST_STR_EQ(vstring_str(buf), "a@ba@b");
    tok822_free_tree(tree);
    vstring_free(buf);
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

/*
 * Postfix 3.7.11's sendmail parses each recipient argument as an address
 * list; these are the original_recipient records it wrote (postcat -e).
 */
static void test_sendmail_args(void)
{
    static const struct {
        const char *arg;
        const char *want; /* internal forms joined by "|" */
    } cases[] = {
        {"\"a b\"@x.example", "a b@x.example"},
        {"c(comment)@x.example", "c@x.example"},
        {"<d@x.example>", "d@x.example"},
        {"Joe <e@x.example>", "e@x.example"},
        {"f@x.example (F)", "f@x.example"},
        {"g@x.example, h@x.example", "g@x.example|h@x.example"},
        {"\"q@at\"@x.example", "q@at@x.example"},
        {"i.@x.example", "i.@x.example"},
        {"@r1,@r2:j@x.example", "@r1|@r2:j@x.example"},
        {"k\\ l@x.example", "k l@x.example"},
    };
    VSTRING *got = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ARGV *argv = tok822_addr_list(cases[i].arg, 0, 0);

        vstring_reset(got);
        for (size_t j = 0; j < argv->argc; j++) {
            if (j)
                vstring_addch(got, '|');
            vstring_strcat(got, argv->argv[j]);
        }
        if (strcmp(vstring_str(got), cases[i].want) != 0)
            PTEST_FAIL("\"%s\": got \"%s\", want \"%s\"", cases[i].arg, vstring_str(got),
                       cases[i].want);
        argv_free(argv);
    }
    vstring_free(got);
}

static const PTEST_CASE cases[] = {
    {"parse_table", test_parse_table},   {"token_types", test_token_types},
    {"deep_comment", test_deep_comment}, {"truncation", test_truncation},
    {"linear_time", test_linear_time},   {"scan_addr", test_scan_addr},
    {"addr_set", test_addr_set},         {"fold", test_fold},
    {"addr_list", test_addr_list},       {"postfix_golden", test_postfix_golden},
    {"strip_route", test_strip_route},   {"sendmail_args", test_sendmail_args},
};

PTEST_MAIN(cases)
