/*
 * Unit tests for mail_addr (splitting, extensions) and mail_addr_host
 * (host name and address syntax), including a cross-check of the IPv6
 * parser against inet_pton().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mail_addr.h"
#include "mail_addr_host.h"
#include "msg.h"
#include "ptest.h"
#include "vstring.h"

static void test_split(void)
{
    static const struct {
        const char *in;
        int found;
        const char *local;
        const char *domain;
    } cases[] = {
        {"user@example.com", 1, "user", "example.com"},
        {"quoted@at@dom", 1, "quoted@at", "dom"},
        {"user", 0, "user", ""},
        {"", 0, "", ""},
        {"@", 1, "", ""},
        {"user@", 1, "user", ""},
        {"@dom", 1, "", "dom"},
    };
    VSTRING *local = vstring_alloc(10);
    VSTRING *domain = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int found = mail_addr_split(cases[i].in, local, domain);
        if (found != cases[i].found || strcmp(vstring_str(local), cases[i].local) ||
            strcmp(vstring_str(domain), cases[i].domain))
            PTEST_FAIL("\"%s\": got %d \"%s\" \"%s\", want %d \"%s\" \"%s\"", cases[i].in, found,
                       vstring_str(local), vstring_str(domain), cases[i].found, cases[i].local,
                       cases[i].domain);
    }
    PTEST_INT_EQ(mail_addr_split("a@b", 0, 0), 1);
    vstring_free(local);
    vstring_free(domain);
}

static void test_split_ext(void)
{
    static const struct {
        const char *local;
        const char *delims;
        int want_delim;
        const char *base;
        const char *ext;
    } cases[] = {
        {"user+foo", "+", '+', "user", "foo"},
        {"user+foo+bar", "+", '+', "user", "foo+bar"},
        {"user-foo+bar", "+-", '-', "user", "foo+bar"},
        {"user+", "+", '+', "user", ""},
        {"+foo", "+", 0, "+foo", ""},
        {"user", "+", 0, "user", ""},
        {"user+foo", "", 0, "user+foo", ""},
        {"user+foo", 0, 0, "user+foo", ""},
        {"postmaster", "s", 0, "postmaster", ""},
        {"PostMaster", "s", 0, "PostMaster", ""},
        {"mailer-daemon", "-", 0, "mailer-daemon", ""},
        {"double-bounce", "-", 0, "double-bounce", ""},
        {"owner-list", "-", 0, "owner-list", ""},
        {"owner-list", "+", 0, "owner-list", ""},
        {"list-request", "-", 0, "list-request", ""},
        {"list-request", "+-", 0, "list-request", ""},
        {"-request", "-", 0, "-request", ""},
        {"a-b", "-", '-', "a", "b"},
        {"owner+x", "+", '+', "owner", "x"},
        /* Checked against Postfix 3.7.11 with recipient_delimiter = +- */
        {"user+foo-bar", "+-", '+', "user", "foo-bar"},
        {"a-b-request", "+-", 0, "a-b-request", ""},
        {"x-request-y", "+-", '-', "x", "request-y"},
        {"list+request", "+-", '+', "list", "request"},
        {"MAILER-DAEMON", "+-", 0, "MAILER-DAEMON", ""},
    };
    VSTRING *base = vstring_alloc(10);
    VSTRING *ext = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = mail_addr_split_ext(cases[i].local, cases[i].delims, "double-bounce", base, ext);
        if (got != cases[i].want_delim || strcmp(vstring_str(base), cases[i].base) ||
            strcmp(vstring_str(ext), cases[i].ext))
            PTEST_FAIL("\"%s\" with \"%s\": got '%c' \"%s\" \"%s\", want '%c' \"%s\" \"%s\"",
                       cases[i].local, cases[i].delims ? cases[i].delims : "(null)",
                       got ? got : '0', vstring_str(base), vstring_str(ext),
                       cases[i].want_delim ? cases[i].want_delim : '0', cases[i].base,
                       cases[i].ext);
    }
    /* A null double_bounce name is allowed. */
    PTEST_INT_EQ(mail_addr_split_ext("double-bounce", "-", 0, base, 0), '-');
    PTEST_STR_EQ(vstring_str(base), "double");
    vstring_free(base);
    vstring_free(ext);
}

static void test_strip_ext(void)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"user+foo@example.com", "user@example.com"},
        {"user@example.com", "user@example.com"},
        {"user+foo", "user"},
        {"a+b@c+d@e", "a@e"},
        {"+x@y", "+x@y"},
        {"postmaster+x@y", "postmaster@y"},
        {"postmaster@y", "postmaster@y"},
        {"", ""},
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mail_addr_strip_ext(buf, cases[i].in, "+", 0);
        if (strcmp(vstring_str(buf), cases[i].want) != 0)
            PTEST_FAIL("\"%s\": got \"%s\", want \"%s\"", cases[i].in, vstring_str(buf),
                       cases[i].want);
    }
    vstring_free(buf);
}

typedef struct {
    const char *in;
    int want;
} VALID_CASE;

static void check_valid(const char *what, int (*fn)(const char *, int), const VALID_CASE *cases,
                        size_t n, int flags)
{
    for (size_t i = 0; i < n; i++) {
        int got = fn(cases[i].in, flags);
        if (got != cases[i].want)
            PTEST_FAIL("%s(\"%s\"): got %d, want %d", what, cases[i].in, got, cases[i].want);
    }
}

#define CHECK_VALID(fn, cases, flags)                                                              \
    check_valid(#fn, fn, cases, sizeof(cases) / sizeof(cases[0]), flags)

static char label63[64], label64[65], name255[256], name256[257];

static void make_long_names(void)
{
    memset(label63, 'a', 63);
    memset(label64, 'a', 64);
    /* 63+1+63+1+63+1+63 = 255 */
    snprintf(name255, sizeof(name255), "%s.%s.%s.%s", label63, label63, label63, label63);
    snprintf(name256, sizeof(name256), "%s.%s.%s.%sb", label63, label63, label63, label63);
}

static void test_hostname(void)
{
    make_long_names();
    const VALID_CASE cases[] = {
        {"example.com", 1},
        {"a", 1},
        {"mail-1.example.com", 1},
        {"under_score.example", 1},
        {"123.example.com", 1},
        /* Postfix rejects names that are all digits and dots, not a
         * numeric last label (observed: its smtpd with
         * reject_invalid_helo_hostname accepts "HELO a.1", "HELO a.b.123",
         * "HELO 1a.1" and rejects "HELO 123", "HELO 1.2.3", "HELO
         * 1.2.3.4.5"). */
        {"example.123", 1},
        {"u.a.1", 1},
        {"1a.1", 1},
        {"0.a", 1},
        {"_x.1", 1},
        {"1.2.3.4", 0},
        {"1.2.3", 0},
        {"1.2.3.4.5", 0},
        {"999.1.1.1", 0},
        {"123", 0},
        {"1", 0},
        {"", 0},
        {".example.com", 0},
        {"example.com.", 0},
        {"example..com", 0},
        {"-example.com", 0},
        {"example-.com", 0},
        {"ex-ample.c-", 0},
        {"exa mple.com", 0},
        {"ex\xc3\xa4mple.com", 0},
        {"[1.2.3.4]", 0},
        {"*.example.com", 0},
        {label63, 1},
        {label64, 0},
        {name255, 1},
        {name256, 0},
    };
    CHECK_VALID(mail_addr_valid_hostname, cases, MAIL_ADDR_FLAG_NONE);
    PTEST_INT_EQ(mail_addr_valid_hostname("*.example.com", MAIL_ADDR_FLAG_WILDCARD), 1);
    PTEST_INT_EQ(mail_addr_valid_hostname("*.", MAIL_ADDR_FLAG_WILDCARD), 0);
    PTEST_INT_EQ(mail_addr_valid_hostname("a.*.example", MAIL_ADDR_FLAG_WILDCARD), 0);
}

static const VALID_CASE ipv4_cases[] = {
    {"192.0.2.1", 1},  {"1.2.3.4", 1},  {"255.255.255.255", 1}, {"0.1.2.3", 0},
    {"256.1.1.1", 0},  {"1.2.3", 0},    {"1.2.3.4.5", 0},       {"1..3.4", 0},
    {"1.2.3.4.", 0},   {".1.2.3", 0},   {"1.2.3.a", 0},         {"", 0},
    {"0001.2.3.4", 0}, {"01.2.3.4", 1}, {"1.2.3.999", 0},       {" 1.2.3.4", 0},
};

static const VALID_CASE ipv6_cases[] = {
    {"::", 1},
    {"::1", 1},
    {"2001:db8::1", 1},
    {"2001:DB8:0:0:8:800:200C:417A", 1},
    {"1:2:3:4:5:6:7:8", 1},
    {"1:2:3:4:5:6:7:8:9", 0},
    {"1:2:3:4:5:6:7", 0},
    {"1::2::3", 0},
    {":1:2", 0},
    {"1:2:", 0},
    {"1::", 1},
    {"::ffff:192.0.2.1", 1},
    {"::ffff:0.0.0.0", 1},
    {"::ffff:1.2.3", 0},
    {"1:2:3:4:5:6:1.2.3.4", 1},
    {"1:2:3:4:5:6:7:1.2.3.4", 0},
    {"12345::1", 0},
    {"fe80::1%eth0", 0},
    {"g::1", 0},
    {"", 0},
    {":::", 0},
    {"1:2:3:4:5:6:7::", 1},
    {"1:2:3:4:5:6:7:8::", 0},
    {"0000:0000:0000:0000:0000:0000:0000:0000:", 0},
};

static void test_hostaddr(void)
{
    CHECK_VALID(mail_addr_valid_ipv4, ipv4_cases, MAIL_ADDR_FLAG_NONE);
    CHECK_VALID(mail_addr_valid_ipv6, ipv6_cases, MAIL_ADDR_FLAG_NONE);
    const VALID_CASE cases[] = {
        {"192.0.2.1", 1}, {"::1", 1}, {"example.com", 0}, {"[1.2.3.4]", 0}, {"1:2", 0},
    };
    CHECK_VALID(mail_addr_valid_hostaddr, cases, MAIL_ADDR_FLAG_NONE);
}

static void test_literal(void)
{
    const VALID_CASE cases[] = {
        {"[192.0.2.1]", 1},
        {"[IPv6:2001:db8::1]", 1},
        {"[ipv6:::1]", 1},
        {"[::1]", 0},
        {"[IPv6:192.0.2.1]", 0},
        {"192.0.2.1", 0},
        {"[192.0.2.1", 0},
        {"192.0.2.1]", 0},
        {"[]", 0},
        {"[", 0},
        {"", 0},
        {"[example.com]", 0},
        {"[IPv6:0000:0000:0000:0000:0000:0000:0000:0000:0000]", 0},
        {"[IPv6:0000:0000:0000:0000:0000:0000:255.255.255.255]", 1},
        {"[IPv6:0000:0000:0000:0000:0000:0000:255.255.255.2555]", 0},
    };
    CHECK_VALID(mail_addr_valid_mailhost_literal, cases, MAIL_ADDR_FLAG_NONE);
    PTEST_INT_EQ(mail_addr_valid_mailhost_addr("IPv6:::1", 0), 1);
    PTEST_INT_EQ(mail_addr_valid_mailhost_addr("10.0.0.1", 0), 1);
}

/* Our IPv6 parser agrees with the C library on every string of hex digits and colons. */
static void test_ipv6_vs_inet_pton(void)
{
    static const char alphabet[] = "0f:::";
    unsigned seed = 12345;
    char buf[48];
    unsigned char bin[16];
    int disagree = 0;

    for (int iter = 0; iter < 300000 && disagree < 5; iter++) {
        seed = seed * 1103515245 + 12345;
        size_t len = 1 + (seed >> 16) % 40;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        buf[len] = 0;
        int ours = mail_addr_valid_ipv6(buf, 0);
        int libc = inet_pton(AF_INET6, buf, bin) == 1;
        if (ours != libc) {
            PTEST_FAIL("\"%s\": ours %d, inet_pton %d", buf, ours, libc);
            disagree++;
        }
    }
}

static char last_warning[200];
static int warnings;

static void save_warn(int level, const char *text)
{
    if (level == MSG_WARN) {
        snprintf(last_warning, sizeof(last_warning), "%s", text);
        warnings++;
    }
}

static void test_gripe(void)
{
    msg_output_clear();
    msg_output_add(save_warn);
    PTEST_INT_EQ(mail_addr_valid_hostname("a-.b", MAIL_ADDR_FLAG_NONE), 0);
    PTEST_INT_EQ(warnings, 0);
    PTEST_INT_EQ(mail_addr_valid_hostname("a-.b", MAIL_ADDR_FLAG_GRIPE), 0);
    PTEST_INT_EQ(warnings, 1);
    PTEST_STR_EQ(last_warning, "valid_hostname: misplaced hyphen: \"a-.b\"");
    /* Non-printable bytes are masked in the log. */
    PTEST_INT_EQ(mail_addr_valid_hostname("a\n\033b", MAIL_ADDR_FLAG_GRIPE), 0);
    PTEST_STR_EQ(last_warning, "valid_hostname: invalid character: \"a??b\"");
    PTEST_INT_EQ(mail_addr_valid_mailhost_literal("[1.2.3.256]", MAIL_ADDR_FLAG_GRIPE), 0);
    PTEST_STR_EQ(last_warning, "valid_ipv4_hostaddr: octet value too large: \"1.2.3.256\"");
    PTEST_INT_EQ(warnings, 3);
}

static const PTEST_CASE cases[] = {
    {"split", test_split},
    {"split_ext", test_split_ext},
    {"strip_ext", test_strip_ext},
    {"hostname", test_hostname},
    {"hostaddr", test_hostaddr},
    {"literal", test_literal},
    {"ipv6_vs_inet_pton", test_ipv6_vs_inet_pton},
    {"gripe", test_gripe},
};

PTEST_MAIN(cases)
