/*
 * dns_lookup_test - unit tests of dns_parse_reply() on hand-built replies:
 * MX (with a compression pointer), null MX, A, AAAA, CNAME chains, the
 * rcodes (NXDOMAIN and NODATA are "not found", SERVFAIL is "retry"), and
 * malformed records (lengths past the record or the message: "invalid",
 * never "not found").
 */
#include <string.h>

#include "dns_lookup.h"
#include "ptest.h"
#include "vstring.h"

typedef struct MSG {
    unsigned char b[512];
    size_t len;
} MSG;

static void put(MSG *m, const void *p, size_t n)
{
    memcpy(m->b + m->len, p, n);
    m->len += n;
}

static void put16(MSG *m, unsigned v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};

    put(m, x, 2);
}

static void put_name(MSG *m, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        unsigned char c = (unsigned char)n;

        put(m, &c, 1);
        put(m, name, n);
        name += n + (dot != 0);
    }
    put(m, "", 1);
}

/* header + question for example.test (name at offset 12) */
static void start(MSG *m, unsigned rcode, unsigned ancount, unsigned qtype)
{
    m->len = 0;
    put16(m, 0x1234);
    put16(m, 0x8180 | rcode);
    put16(m, 1);
    put16(m, ancount);
    put16(m, 0);
    put16(m, 0);
    put_name(m, "example.test");
    put16(m, qtype);
    put16(m, 1);
}

/* answer record header for the question name (pointer to offset 12) */
static void rr(MSG *m, unsigned type, unsigned rdlen)
{
    put16(m, 0xc00c);
    put16(m, type);
    put16(m, 1);
    put16(m, 0);
    put16(m, 300);
    put16(m, rdlen);
}

static int parse(MSG *m, unsigned type, DNS_RR **list)
{
    VSTRING *why = vstring_alloc(10);
    int st = dns_parse_reply(m->b, m->len, type, list, why);

    vstring_free(why);
    return st;
}

static void test_mx(void)
{
    MSG m;
    DNS_RR *list;

    start(&m, 0, 2, DNS_T_MX);
    rr(&m, DNS_T_MX, 2 + 7);
    put16(&m, 10);
    put(&m, "\004mail\300\014", 7); /* mail + pointer to example.test */
    rr(&m, DNS_T_MX, 2 + 1);
    put16(&m, 20);
    put(&m, "", 1);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_OK);
    PTEST_CHECK(list && list->next && !list->next->next);
    PTEST_INT_EQ(list->pref, 10);
    PTEST_STR_EQ(list->data, "mail.example.test");
    PTEST_INT_EQ(list->ttl, 300);
    PTEST_STR_EQ(list->next->data, "");
    PTEST_INT_EQ(dns_mx_is_null(list), 0); /* "." among real MXes is not a null MX */
    dns_rr_free(list);
}

static void test_null_mx(void)
{
    MSG m;
    DNS_RR *list;

    start(&m, 0, 1, DNS_T_MX);
    rr(&m, DNS_T_MX, 3);
    put16(&m, 0);
    put(&m, "", 1);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_OK);
    PTEST_INT_EQ(dns_mx_is_null(list), 1);
    dns_rr_free(list);
}

static void test_addresses(void)
{
    MSG m;
    DNS_RR *list;

    start(&m, 0, 1, DNS_T_A);
    rr(&m, DNS_T_A, 4);
    put(&m, "\177\0\0\1", 4);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_OK);
    PTEST_STR_EQ(list->data, "127.0.0.1");
    PTEST_INT_EQ(list->addr_len, 4);
    dns_rr_free(list);

    start(&m, 0, 1, DNS_T_AAAA);
    rr(&m, DNS_T_AAAA, 16);
    put(&m, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
    PTEST_INT_EQ(parse(&m, DNS_T_AAAA, &list), DNS_OK);
    PTEST_STR_EQ(list->data, "::1");
    dns_rr_free(list);
}

static void test_cname(void)
{
    MSG m;
    DNS_RR *list;

    /* example.test CNAME a.example.test; a.example.test A 10.0.0.1 */
    start(&m, 0, 2, DNS_T_A);
    rr(&m, 5, 4);
    put(&m, "\001a\300\014", 4);
    put(&m, "\001a\300\014", 4);
    put16(&m, DNS_T_A);
    put16(&m, 1);
    put16(&m, 0);
    put16(&m, 60);
    put16(&m, 4);
    put(&m, "\012\0\0\1", 4);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_OK);
    PTEST_CHECK(list && list->next == 0);
    PTEST_STR_EQ(list->data, "10.0.0.1");
    dns_rr_free(list);

    /* a CNAME only: no A record -> not found */
    start(&m, 0, 1, DNS_T_A);
    rr(&m, 5, 4);
    put(&m, "\001a\300\014", 4);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_NOTFOUND);
    PTEST_CHECK(list == 0);
}

static void test_rcodes(void)
{
    MSG m;
    DNS_RR *list;

    start(&m, 3, 0, DNS_T_MX);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_NOTFOUND); /* NXDOMAIN */
    start(&m, 0, 0, DNS_T_MX);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_NOTFOUND); /* NODATA */
    start(&m, 2, 0, DNS_T_MX);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_RETRY); /* SERVFAIL */
    start(&m, 5, 0, DNS_T_MX);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_INVAL); /* REFUSED */
    PTEST_CHECK(list == 0);
}

static void test_malformed(void)
{
    MSG m;
    DNS_RR *list;

    /* rdlength past the end of the message */
    start(&m, 0, 1, DNS_T_A);
    rr(&m, DNS_T_A, 4);
    put(&m, "\177\0", 2);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_INVAL);

    /* A record of the wrong size */
    start(&m, 0, 1, DNS_T_A);
    rr(&m, DNS_T_A, 3);
    put(&m, "\177\0\1", 3);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_INVAL);

    /* MX exchanger running past its rdata into the next bytes */
    start(&m, 0, 1, DNS_T_MX);
    rr(&m, DNS_T_MX, 4);
    put16(&m, 10);
    put(&m, "\004mail\0", 6);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_INVAL);

    /* MX rdata too short for a preference */
    start(&m, 0, 1, DNS_T_MX);
    rr(&m, DNS_T_MX, 1);
    put(&m, "", 1);
    PTEST_INT_EQ(parse(&m, DNS_T_MX, &list), DNS_INVAL);

    /* answer count larger than the records present */
    start(&m, 0, 2, DNS_T_A);
    rr(&m, DNS_T_A, 4);
    put(&m, "\177\0\0\1", 4);
    PTEST_INT_EQ(parse(&m, DNS_T_A, &list), DNS_INVAL);

    /* shorter than a header */
    PTEST_INT_EQ(dns_parse_reply((const unsigned char *)"\0\0\0", 3, DNS_T_A, &list, 0), DNS_INVAL);
    PTEST_CHECK(list == 0);
}

static const PTEST_CASE cases[] = {
    {"mx", test_mx},       {"null mx", test_null_mx}, {"a and aaaa", test_addresses},
    {"cname", test_cname}, {"rcodes", test_rcodes},   {"malformed", test_malformed},
};

PTEST_MAIN(cases)
