/*
 * local_addr_test - taking recipient addresses apart, and Maildir names.
 */
#include <string.h>

#include "local.h"
#include "local_addr.h"
#include "ptest.h"
#include "vstring.h"

static void test_split_table(void)
{
    static const struct {
        const char *addr, *delims, *local, *user, *ext;
    } t[] = {
        {"paco@example.test", "+", "paco", "paco", 0},
        {"Paco+Ext@mail.example.test", "+", "paco+ext", "paco", "ext"},
        {"paco+a+b@x", "+", "paco+a+b", "paco", "a+b"},
        {"paco-a@x", "+-", "paco-a", "paco", "a"},
        {"paco+a@x", "", "paco+a", "paco+a", 0},
        {"+only@x", "+", "+only", "+only", 0},
        {"paco+@x", "+", "paco+", "paco", ""},
        {"owner-list@x", "-", "owner-list", "owner-list", 0},
        {"list-request@x", "-", "list-request", "list-request", 0},
        {"owner-list@x", "+", "owner-list", "owner-list", 0},
        {"Postmaster@x", "+", "postmaster", "postmaster", 0},
        {"mailer-daemon@x", "-", "mailer-daemon", "mailer-daemon", 0},
        {"paco", "+", "paco", "paco", 0},
        {"a@b@example.test", "+", "a@b", "a@b", 0},
        {"", "+", "", "", 0},
    };
    LOCAL_ADDR a;
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        local_addr_split(t[i].addr, t[i].delims, &a);
        PTEST_STR_EQ(a.local, t[i].local);
        PTEST_STR_EQ(a.user, t[i].user);
        PTEST_STR_EQ(a.extension, t[i].ext);
        local_addr_free(&a);
    }
}

/* Observed from Postfix: 1796227229.Vfe00Ia74958M63532.host.example.test */
static void test_maildir_name(void)
{
    struct timeval tv = {1796227229, 63532};
    VSTRING *name = vstring_alloc(10);
    VSTRING *host = vstring_alloc(10);

    local_maildir_name(name, &tv, 0xfe00, 10963288, "host.example.test");
    PTEST_STR_EQ(vstring_str(name), "1796227229.Vfe00Ia74958M63532.host.example.test");
    tv.tv_usec = 5;
    local_maildir_name(name, &tv, 0, 1, "h");
    PTEST_STR_EQ(vstring_str(name), "1796227229.V0I1M5.h");
    PTEST_STR_EQ(vstring_str(local_maildir_host(host, "a/b:c")), "a\\057b\\072c");
    PTEST_STR_EQ(vstring_str(local_maildir_host(host, "plain.example")), "plain.example");
    vstring_free(name);
    vstring_free(host);
}

static const PTEST_CASE cases[] = {
    {"local part, user and extension", test_split_table},
    {"Maildir file names", test_maildir_name},
};

PTEST_MAIN(cases)
