/*
 * tr_match_test - match lists, maps and our own addresses.
 *
 * The list semantics are Postfix's, as observed with its trivial-rewrite
 * (see tr_resolve_test.c): string lists match exact names only; host
 * lists match parent domains either as ".example.com" or, when the
 * parameter is in parent_domain_matches_subdomains, as "example.com"; a
 * negated element that matches ends the search with "no match".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "mail_params.h"
#include "ptest.h"
#include "tr_iface.h"
#include "tr_match.h"

typedef struct {
    const char *spec;
    int flags;
    const char *name;
    int want;
} LIST_CASE;

static const LIST_CASE list_cases[] = {
    /* string lists: exact, case-insensitive */
    {"a.test, b.test", 0, "a.test", 1},
    {"a.test, b.test", 0, "B.TEST", 1},
    {"a.test", 0, "x.a.test", 0},
    {".a.test", 0, "x.a.test", 0},
    {".a.test", 0, ".a.test", 1},
    {"inline:{a.test=1}", 0, "A.test", 1},
    {"inline:{.a.test=1}", 0, "x.a.test", 0},
    /* host lists, dot style */
    {".a.test", TR_LIST_HOST, "x.a.test", 1},
    {".a.test", TR_LIST_HOST, "a.test", 0},
    {"a.test", TR_LIST_HOST, "x.a.test", 0},
    {"inline:{.a.test=1}", TR_LIST_HOST, "y.x.a.test", 1},
    {"inline:{a.test=1}", TR_LIST_HOST, "x.a.test", 0},
    /* host lists, parent style */
    {"a.test", TR_LIST_HOST | TR_LIST_PARENT, "x.a.test", 1},
    {"a.test", TR_LIST_HOST | TR_LIST_PARENT, "xa.test", 0},
    {".a.test", TR_LIST_HOST | TR_LIST_PARENT, "x.a.test", 0},
    {"inline:{a.test=1}", TR_LIST_HOST | TR_LIST_PARENT, "y.x.a.test", 1},
    /* negation: first match wins */
    {"!no.a.test, a.test", TR_LIST_HOST | TR_LIST_PARENT, "no.a.test", 0},
    {"!no.a.test, a.test", TR_LIST_HOST | TR_LIST_PARENT, "x.no.a.test", 0},
    {"!no.a.test, a.test", TR_LIST_HOST | TR_LIST_PARENT, "yes.a.test", 1},
    {"a.test, !a.test", 0, "a.test", 1},
    /* table failures are not "no match" */
    {"fail:broken", 0, "a.test", -1},
    {"b.test, fail:broken", 0, "b.test", 1},
    {"", 0, "a.test", 0},
};

static void test_lists(void)
{
    for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
        const LIST_CASE *c = list_cases + i;
        TR_LIST *list = tr_list_create("test_list", c->spec, c->flags);
        int got = tr_list_match(list, c->name);

        if (got != c->want)
            PTEST_FAIL("list \"%s\" flags %d, name %s: got %d, want %d", c->spec, c->flags, c->name,
                       got, c->want);
        tr_list_free(list);
    }
}

static void test_list_file(void)
{
    char path[] = "/tmp/tr_match_test.XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    TR_LIST *list;

    fputs("# domains\nf1.test f2.test, !no.f3.test\n.f3.test\n", fp);
    fclose(fp);
    list = tr_list_create("test_list", path, TR_LIST_HOST);
    PTEST_INT_EQ(tr_list_match(list, "f2.test"), 1);
    PTEST_INT_EQ(tr_list_match(list, "x.f3.test"), 1);
    PTEST_INT_EQ(tr_list_match(list, "no.f3.test"), 0);
    PTEST_INT_EQ(tr_list_match(list, "domains"), 0);
    tr_list_free(list);
    unlink(path);
}

static void test_maps(void)
{
    char path[] = "/tmp/tr_match_test.XXXXXX";
    int fd = mkstemp(path);
    char spec[100];
    TR_MAPS *maps;
    const char *value;

    if (write(fd, "/^k/ rx\n", 8) != 8)
        PTEST_FAIL("write %s", path);
    close(fd);
    snprintf(spec, sizeof(spec), "inline:{k1=v1}, regexp:%s", path);
    maps = tr_maps_create("test_maps", spec);

    PTEST_INT_EQ(tr_maps_find(maps, "k1", TR_MAPS_ALL, &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "v1");
    PTEST_INT_EQ(tr_maps_find(maps, "k2", TR_MAPS_ALL, &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "rx");
    /* Partial keys never go to pattern tables. */
    PTEST_INT_EQ(tr_maps_find(maps, "k2", TR_MAPS_FIXED, &value), DICT_STAT_NOTFOUND);
    tr_maps_free(maps);
    unlink(path);
    maps = tr_maps_create("test_maps", "fail:x");
    PTEST_INT_EQ(tr_maps_find(maps, "k", TR_MAPS_ALL, &value), DICT_STAT_FAIL);
    tr_maps_free(maps);
    /* The same table text is opened once. */
    PTEST_CHECK(tr_table_open("inline:{k1=v1}") == tr_table_open("inline:{k1=v1}"));
    PTEST_CHECK(tr_table_changed() == 0);
}

static void test_parent_style(void)
{
    var_parent_domain_matches_subdomains = "debug_peer_list, relay_domains";
    PTEST_INT_EQ(tr_parent_style("relay_domains"), 1);
    PTEST_INT_EQ(tr_parent_style("transport_maps"), 0);
}

static void test_interfaces(void)
{
    var_inet_protocols = "ipv4";
    var_inet_interfaces = "loopback-only";
    var_proxy_interfaces = "192.0.2.7, [198.51.100.1]";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.1"), 1);
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.2"), 0);
    PTEST_INT_EQ(tr_iface_is_local("192.0.2.7"), 1);
    PTEST_INT_EQ(tr_iface_is_local("198.51.100.1"), 1);
    PTEST_INT_EQ(tr_iface_is_local("IPv6:::1"), 0); /* ipv4 only */
    PTEST_INT_EQ(tr_iface_is_local("127.1"), 0);
    PTEST_INT_EQ(tr_iface_is_local("junk"), 0);
    var_inet_protocols = "all";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("ipv6:::1"), 1);
    var_inet_interfaces = "127.0.0.3";
    var_proxy_interfaces = "";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.3"), 1);
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.1"), 0);
}

static const PTEST_CASE cases[] = {
    {"lists", test_lists},
    {"list_file", test_list_file},
    {"maps", test_maps},
    {"parent_style", test_parent_style},
    {"interfaces", test_interfaces},
};

PTEST_MAIN(cases)
