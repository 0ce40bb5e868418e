/*
 * match_list_test - string, domain and host-or-address lists.
 *
 * The name semantics are Postfix's, as observed with its trivial-rewrite
 * (tests/test_trivial_rewrite.py compares them end to end): string lists
 * match exact names only; domain lists match parent domains either as
 * ".example.com" or, when the parameter is in
 * parent_domain_matches_subdomains, as "example.com"; a negated element
 * that matches ends the search with "no match"; a failing table is never
 * "no match".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "match_list.h"
#include "ptest.h"

#define HOST   MATCH_LIST_HOST
#define PARENT (MATCH_LIST_HOST | MATCH_LIST_PARENT)
#define NET    (MATCH_LIST_HOST | MATCH_LIST_PARENT | MATCH_LIST_ADDR)

/* flags with MATCH_LIST_ADDR: match_list_match_host(name, addr); else
 * match_list_match(name). */
typedef struct {
    const char *spec;
    int flags;
    const char *name;
    const char *addr;
    int want;
} LIST_CASE;

static const LIST_CASE list_cases[] = {
    /* string lists: exact, case-insensitive */
    {"a.test, b.test", 0, "a.test", 0, 1},
    {"a.test, b.test", 0, "B.TEST", 0, 1},
    {"A.Test", 0, "a.test", 0, 1},
    {"a.test", 0, "x.a.test", 0, 0},
    {".a.test", 0, "x.a.test", 0, 0},
    {".a.test", 0, ".a.test", 0, 1},
    {"inline:{a.test=1}", 0, "A.test", 0, 1},
    {"inline:{.a.test=1}", 0, "x.a.test", 0, 0},
    /* domain lists, dot style */
    {".a.test", HOST, "x.a.test", 0, 1},
    {".a.test", HOST, "a.test", 0, 0},
    {"a.test", HOST, "x.a.test", 0, 0},
    {"inline:{.a.test=1}", HOST, "y.x.a.test", 0, 1},
    {"inline:{a.test=1}", HOST, "x.a.test", 0, 0},
    /* domain lists, parent style */
    {"a.test", PARENT, "x.a.test", 0, 1},
    {"a.test", PARENT, "xa.test", 0, 0},
    {".a.test", PARENT, "x.a.test", 0, 0},
    {"inline:{a.test=1}", PARENT, "y.x.a.test", 0, 1},
    /* negation: the first match wins */
    {"!no.a.test, a.test", PARENT, "no.a.test", 0, 0},
    {"!no.a.test, a.test", PARENT, "x.no.a.test", 0, 0},
    {"!no.a.test, a.test", PARENT, "yes.a.test", 0, 1},
    {"!!a.test", 0, "a.test", 0, 1},
    {"a.test, !a.test", 0, "a.test", 0, 1},
    /* table failures are not "no match" */
    {"fail:broken", 0, "a.test", 0, MATCH_LIST_FAIL},
    {"b.test, fail:broken", 0, "b.test", 0, 1},
    {"", 0, "a.test", 0, 0},
    /* address literals are names in a name list */
    {"[1.2.3.4]", 0, "[1.2.3.4]", 0, 1},
    {"[1.2.3.4]", HOST, "[1.2.3.5]", 0, 0},
    /* host-or-address lists (mynetworks is a parent-style parameter) */
    {"127.0.0.0/8", NET, 0, "127.1.2.3", 1},
    {"127.0.0.0/8", NET, 0, "128.0.0.1", 0},
    {"127.0.0.0/8", NET, "localhost", 0, 0},
    {"[127.0.0.1]", NET, 0, "127.0.0.1", 1},
    {"192.0.2.1", NET, 0, "192.0.2.1", 1},
    {"192.0.2.1", NET, 0, "192.0.2.2", 0},
    {"192.0.2.0/25", NET, 0, "192.0.2.127", 1},
    {"192.0.2.0/25", NET, 0, "192.0.2.128", 0},
    {"0.0.0.0/0", NET, 0, "203.0.113.9", 1},
    {"0.0.0.0/0", NET, 0, "::1", 0},
    {"::1", NET, 0, "::1", 1},
    {"[::1]/128", NET, 0, "::1", 1},
    {"[2001:db8::]/32", NET, 0, "2001:db8:1::5", 1},
    {"2001:db8::/32", NET, 0, "2001:db9::5", 0},
    {"[2001:db8::]/33", NET, 0, "2001:db8:8000::1", 0},
    {"!192.0.2.7, 192.0.2.0/24", NET, 0, "192.0.2.7", 0},
    {"!192.0.2.7, 192.0.2.0/24", NET, 0, "192.0.2.8", 1},
    /* names: parent style (mynetworks is a parent-style parameter) */
    {"example.test", NET, "mx.example.test", "198.51.100.1", 1},
    {"example.test", NET, "MX.Example.Test", 0, 1},
    {"example.test", NET, "unknown", "198.51.100.1", 0},
    {"example.test", NET, 0, "198.51.100.1", 0},
    /* tables: the name (and its parents), then the address */
    {"inline:{example.test=ok}", NET, "a.example.test", "198.51.100.1", 1},
    {"inline:{198.51.100.1=ok}", NET, "a.example.test", "198.51.100.1", 1},
    {"inline:{198.51.100.1=ok}", NET, "a.example.test", "198.51.100.2", 0},
    {"fail:x", NET, "a.example.test", "198.51.100.1", MATCH_LIST_FAIL},
    {"192.0.2.0/24, fail:x", NET, 0, "192.0.2.1", 1},
};

static void test_lists(void)
{
    for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
        const LIST_CASE *c = list_cases + i;
        MATCH_LIST *list = match_list_create("test_list", c->spec, c->flags);
        int got = (c->flags & MATCH_LIST_ADDR) ? match_list_match_host(list, c->name, c->addr)
                                               : match_list_match(list, c->name);

        if (got != c->want)
            PTEST_FAIL("list \"%s\" flags %d, name %s, addr %s: got %d, want %d", c->spec, c->flags,
                       c->name ? c->name : "(null)", c->addr ? c->addr : "(null)", got, c->want);
        match_list_free(list);
    }
}

static void test_bad_mask(void)
{
    PTEST_EXPECT_EXIT(1);
    (void)match_list_create("mynetworks", "192.0.2.1/24", NET);
}

static void test_mask_too_long(void)
{
    PTEST_EXPECT_EXIT(1);
    (void)match_list_create("mynetworks", "192.0.2.0/33", NET);
}

static void test_list_file(void)
{
    char path[] = "/tmp/match_list_test.XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    char spec[100];
    MATCH_LIST *list;

    fputs("# domains\nf1.test f2.test, !no.f3.test\n.f3.test\n", fp);
    fclose(fp);
    list = match_list_create("test_list", path, HOST);
    PTEST_INT_EQ(match_list_match(list, "f2.test"), 1);
    PTEST_INT_EQ(match_list_match(list, "x.f3.test"), 1);
    PTEST_INT_EQ(match_list_match(list, "no.f3.test"), 0);
    PTEST_INT_EQ(match_list_match(list, "domains"), 0);
    PTEST_INT_EQ(match_list_empty(list), 0);
    match_list_free(list);
    /* "!/file": every element of the file is negated. */
    snprintf(spec, sizeof(spec), "!%s, .test", path);
    list = match_list_create("test_list", spec, HOST);
    PTEST_INT_EQ(match_list_match(list, "f1.test"), 0);
    PTEST_INT_EQ(match_list_match(list, "no.f3.test"), 1);
    PTEST_INT_EQ(match_list_match(list, "other.test"), 1);
    match_list_free(list);
    unlink(path);
}

static void test_missing_file(void)
{
    PTEST_EXPECT_EXIT(1);
    (void)match_list_create("test_list", "/nonexistent/match_list_test", 0);
}

static void test_parent_style(void)
{
    MATCH_LIST *list;

    var_parent_domain_matches_subdomains = "debug_peer_list, relay_domains";
    PTEST_INT_EQ(match_list_parent_style("relay_domains"), 1);
    PTEST_INT_EQ(match_list_parent_style("transport_maps"), 0);
    list = match_list_create("x", " , ", 0);
    PTEST_INT_EQ(match_list_empty(list), 1);
    match_list_free(list);
}

static const PTEST_CASE cases[] = {
    {"lists", test_lists},
    {"bad_mask", test_bad_mask},
    {"mask_too_long", test_mask_too_long},
    {"list_file", test_list_file},
    {"missing_file", test_missing_file},
    {"parent_style", test_parent_style},
};

PTEST_MAIN(cases)
