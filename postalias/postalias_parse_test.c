/*
 * postalias_parse_test - aliases(5) line parsing; every expected key and
 * value below was produced by Debian's postalias 3.7 from the same line.
 */
#include <string.h>

#include "postalias_parse.h"
#include "ptest.h"
#include "vstring.h"

typedef struct {
    const char *line;
    const char *key;   /* null: error */
    const char *value; /* or the error text */
} PARSE_CASE;

static const PARSE_CASE parse_cases[] = {
    {"Postmaster: root", "Postmaster", "root"},
    {"root:\tadmin@example.com,\tother", "root", "admin@example.com, other"},
    {"\"quoted name\": x", "quoted name", "x"},
    {"abuse : root", "abuse", "root"},
    {"f: \"|/bin/cmd arg\", /path/file, :include:/x", "f",
     "\"|/bin/cmd arg\", /path/file, :include:/x"},
    {"a: x,\t y,   z\t  w", "a", "x, y, z w"},
    {"c: \"A B\"@x", "c", "\"A B\"@x"},
    {"Q\\ Z: t", "Q Z", "t"},
    {"\"<a>\": v", "<a>", "v"},
    {"d: e # notcomment f", "d", "e # notcomment f"},
    {"a1: Joe Smith <joe@x.y> , (comment here) b", "a1", "Joe Smith <joe@x.y>, (comment here) b"},
    {"a2: b.c . d @ e", "a2", "b.c.d@e"},
    {"a3: x;y ; z", "a3", "x;y;z"},
    {"a4: [1.2.3.4] , \"q\\\"x\" ,  \\a", "a4", "[1.2.3.4], \"q\\\"x\", a"},
    {"a5:b", "a5", "b"},
    {"a6 : c:d:e", "a6", "c:d:e"},
    {"a7: <>", "a7", "<>"},
    {"a8: \"unterminated", "a8", "\"unterminated\""},
    {"a9: (open comment", "a9", "(open comment"},
    {"a10: x,,y", "a10", "x, , y"},
    {"a11: @", "a11", "@"},
    {"a13: a\tb", "a13", "a b"},
    {"a16: \"\"", "a16", "\"\""},
    {"a 17: y", "a 17", "y"},
    {"b1: <b> c", "b1", "<b>c"},
    {"b2: x <y> z", "b2", "x <y>z"},
    {"b3: <b>,<c>", "b3", "<b>, <c>"},
    {"b4: \"x\"(c)\"y\"[d]e", "b4", "\"x\" (c) \"y\" [d] e"},
    {"b5: a(c)", "b5", "a (c)"},
    {"b7: a <b@c> (d) , \"e f\" g", "b7", "a <b@c>(d), \"e f\" g"},
    {"b8: |/usr/bin/x -y", "b8", "|/usr/bin/x -y"},
    {"b9: a\\,b", "b9", "\"a,b\""},
    {"b10: a\\ b", "b10", "\"a b\""},
    {"b11: \"|cmd \\\"a\\\" b\"", "b11", "\"|cmd \\\"a\\\" b\""},
    {"b12: a<b", "b12", "a <b"},
    {"b13: >x", "b13", ">x"},
    {"b16 ( c ): x", "b16 ( c )", "x"},
    {"<k>: c", "<k>", "c"},
    {"k.x: y", "k.x", "y"},
    {"k2: [lit", "k2", "[lit]"},
    {"k3: \"a\\\\b\" \"c\\d\"", "k3", "\"a\\\\b\" \"cd\""},
    {"k4: x\\", "k4", "x"},
    {"\"k5\\\"q\": z", "k5\"q", "z"},
    {"k6: a) b", "k6", "a)b"},
    /* Errors. */
    {"bad line", 0, "need name:value pair"},
    {":nokey", 0, "need name:value pair"},
    {"e:", 0, "need name:value pair"},
    {"a12:    ", 0, "need name:value pair"},
    {"a,b: c", 0, "need name:value pair"},
    {"x@y: u", 0, "name must be local"},
    {"\"a14 x\"@z: n", 0, "name must be local"},
    {"a15@: n", 0, "name must be local"},
    {"", 0, "need name:value pair"},
    {"\\", 0, "need name:value pair"},
    {"((((((((((((((((((((", 0, "need name:value pair"},
    {"\"\"\"\"\"\"\"\"\"\"\"", 0, "need name:value pair"},
};

static void test_parse(void)
{
    VSTRING *key = vstring_alloc(10);
    VSTRING *value = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const PARSE_CASE *pc = parse_cases + i;
        const char *why;
        int status = postalias_parse(pc->line, key, value, &why);

        if (pc->key == 0) {
            if (status == 0)
                PTEST_FAIL("\"%s\": got key \"%s\" value \"%s\", want error \"%s\"", pc->line,
                           vstring_str(key), vstring_str(value), pc->value);
            else if (strcmp(why, pc->value) != 0)
                PTEST_FAIL("\"%s\": got error \"%s\", want \"%s\"", pc->line, why, pc->value);
        } else if (status != 0) {
            PTEST_FAIL("\"%s\": got error \"%s\", want key \"%s\"", pc->line, why, pc->key);
        } else if (strcmp(vstring_str(key), pc->key) != 0 ||
                   strcmp(vstring_str(value), pc->value) != 0) {
            PTEST_FAIL("\"%s\": got \"%s\" -> \"%s\", want \"%s\" -> \"%s\"", pc->line,
                       vstring_str(key), vstring_str(value), pc->key, pc->value);
        }
    }
    vstring_free(key);
    vstring_free(value);
}

static const PTEST_CASE cases[] = {
    {"aliases lines as Postfix stores them", test_parse},
};

PTEST_MAIN(cases)
