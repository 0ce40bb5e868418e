/*
 * master_ent_test - master.cf parsing: fields, defaults, continuations,
 * -o overrides and { } groups, and errors that name the file and line.
 */
#include <string.h>

#include "argv.h"
#include "master_ent.h"
#include "mymalloc.h"
#include "ptest.h"
#include "vstring.h"

static MASTER_ENT *parse(const char *text, VSTRING *why)
{
    MASTER_ENT *list = 0;

    if (master_ent_parse(text, strlen(text), "/x/master.cf", &list, why) < 0)
        return 0;
    return list;
}

/* join - the command and arguments, separated by "|" */
static const char *join(const MASTER_ENT *ent)
{
    static VSTRING *buf;

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_reset(buf);
    for (size_t i = 0; i < ent->args->argc; i++) {
        if (i)
            vstring_addch(buf, '|');
        vstring_strcat(buf, ent->args->argv[i]);
    }
    return vstring_str(buf);
}

typedef struct {
    const char *text;
    const char *service, *type;
    const char *args;
    int private_flag, unpriv_flag, chroot_flag, wakeup, wakeup_if_used, max_proc, lineno;
} GOOD_CASE;

static const GOOD_CASE good_cases[] = {
    {"smtp      inet  n       -       y       -       -       smtpd\n", "smtp", "inet", "smtpd", 0,
     1, 1, 0, 0, -1, 1},
    {"pickup    unix  n       -       y       60      1       pickup", "pickup", "unix", "pickup",
     0, 1, 1, 60, 0, 1, 1},
    {"tlsmgr    unix  -       -       y       1000?   1       tlsmgr\n", "tlsmgr", "unix", "tlsmgr",
     1, 1, 1, 1000, 1, 1, 1},
    {"# c\n\nlocal     unix  -       n       n       -       -       local\n", "local", "unix",
     "local", 1, 0, 0, 0, 0, -1, 3},
    {"postlog   unix-dgram n  -       n       -       1       postlogd\n", "postlog", "unix-dgram",
     "postlogd", 0, 1, 0, 0, 0, 1, 1},
    {"relay     unix  -       -       y       -       -       smtp\n"
     "        -o syslog_name=postfix/$service_name\n",
     "relay", "unix", "smtp|-o|syslog_name=postfix/$service_name", 1, 1, 1, 0, 0, -1, 1},
    {"sub inet n - y - - smtpd\n  # comment between\n  -o { smtpd_client_restrictions = "
     "permit_sasl_authenticated, reject }\n",
     "sub", "inet", "smtpd|-o|smtpd_client_restrictions=permit_sasl_authenticated, reject", 0, 1, 1,
     0, 0, -1, 1},
    {"mm unix - n n - - pipe\n  flags=R user=list argv=/x { a b } {c} ${nexthop}\n", "mm", "unix",
     "pipe|flags=R|user=list|argv=/x|a b|c|${nexthop}", 1, 0, 0, 0, 0, -1, 1},
    {"127.0.0.1:10025 inet n - n - 0 smtpd -o content_filter=\n", "127.0.0.1:10025", "inet",
     "smtpd|-o|content_filter=", 0, 1, 0, 0, 0, 0, 1},
    {"f fifo n - n 60 1 pickup\r\n", "f", "fifo", "pickup", 0, 1, 0, 60, 0, 1, 1},
    {"p pass - - n - - smtpd\n", "p", "pass", "smtpd", 1, 1, 0, 0, 0, -1, 1},
};

static void test_good(void)
{
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
        const GOOD_CASE *c = &good_cases[i];
        MASTER_ENT *ent = parse(c->text, why);

        if (ent == 0) {
            PTEST_FAIL("case %zu: error %s", i, vstring_str(why));
            continue;
        }
        PTEST_STR_EQ(MASTER_ENT_SERVICE(ent), c->service);
        PTEST_STR_EQ(MASTER_ENT_TYPE(ent), c->type);
        PTEST_STR_EQ(join(ent), c->args);
        PTEST_INT_EQ(ent->private_flag, c->private_flag);
        PTEST_INT_EQ(ent->unpriv_flag, c->unpriv_flag);
        PTEST_INT_EQ(ent->chroot_flag, c->chroot_flag);
        PTEST_INT_EQ(ent->wakeup_time, c->wakeup);
        PTEST_INT_EQ(ent->wakeup_if_used, c->wakeup_if_used);
        PTEST_INT_EQ(ent->max_proc, c->max_proc);
        PTEST_INT_EQ(ent->lineno, c->lineno);
        PTEST_CHECK(ent->next == 0);
        master_ent_free(ent);
    }
    vstring_free(why);
}

static void test_list_order(void)
{
    VSTRING *why = vstring_alloc(10);
    MASTER_ENT *list = parse("a unix - - n - - x\n# c\nb unix - - n - - y\n  -o k=v\n"
                             "c unix - - n - - z\n",
                             why);
    const char *want[] = {"a", "b", "c"};
    const int lines[] = {1, 3, 5};
    const int last_lines[] = {1, 4, 5};
    size_t n = 0;

    for (MASTER_ENT *e = list; e; e = e->next, n++) {
        if (n < 3) {
            PTEST_STR_EQ(MASTER_ENT_SERVICE(e), want[n]);
            PTEST_INT_EQ(e->lineno, lines[n]);
            PTEST_INT_EQ(e->last_lineno, last_lines[n]);
        }
    }
    PTEST_INT_EQ(n, 3);
    master_ent_free(list);
    list = parse("", why);
    PTEST_CHECK(list == 0);
    PTEST_STR_EQ(vstring_str(why), "");
    vstring_free(why);
}

static void test_errors(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"a unix - -\n", "file /x/master.cf: line 1: bad field count"},
        {"# c\n\na unix - - - - -\n", "file /x/master.cf: line 3: bad field count"},
        {"a foo - - - - - x\n",
         "file /x/master.cf: line 1: invalid type field \"foo\" in \"a foo - - - - - x\""},
        {"a unix x - - - - x\n",
         "file /x/master.cf: line 1: invalid private field \"x\" in \"a unix x - - - - x\""},
        {"a unix - maybe - - - x\n", "file /x/master.cf: line 1: invalid unprivileged field "
                                     "\"maybe\" in \"a unix - maybe - - - x\""},
        {"a unix - - ? - - x\n",
         "file /x/master.cf: line 1: invalid chroot field \"?\" in \"a unix - - ? - - x\""},
        {"a unix - - - x - x\n",
         "file /x/master.cf: line 1: invalid wakeup field \"x\" in \"a unix - - - x - x\""},
        {"a unix - - - 10?? - x\n", "file /x/master.cf: line 1: invalid wakeup field \"10??\" in "
                                    "\"a unix - - - 10?? - x\""},
        {"a unix - - - ? - x\n",
         "file /x/master.cf: line 1: invalid wakeup field \"?\" in \"a unix - - - ? - x\""},
        {"a unix - - - - x x\n", "file /x/master.cf: line 1: invalid process_limit field \"x\" in "
                                 "\"a unix - - - - x x\""},
        {"a unix - - - - -1 x\n", "file /x/master.cf: line 1: invalid process_limit field \"-1\" "
                                  "in \"a unix - - - - -1 x\""},
        {"a unix - - - - 99999999999 x\n", "file /x/master.cf: line 1: invalid process_limit "
                                           "field \"99999999999\" in \"a unix - - - - 99999999999 "
                                           "x\""},
        {"ok unix - - - - - x\nb unix - - - - - x { unbalanced\n",
         "file /x/master.cf: line 2: missing '}' in \"{ unbalanced\""},
        {"  leading unix - - - - - x\n",
         "file /x/master.cf: line 1: entry must not start with white space"},
        {"a unix - - - - - x\0y\n", 0},
    };
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        MASTER_ENT *list = (MASTER_ENT *)1;
        const char *text = cases[i].text;
        size_t len = cases[i].want ? strlen(text) : 21;
        int ret = master_ent_parse(text, len, "/x/master.cf", &list, why);

        PTEST_INT_EQ(ret, -1);
        PTEST_CHECK(list == 0);
        if (cases[i].want)
            PTEST_STR_EQ(vstring_str(why), cases[i].want);
        else
            PTEST_STR_EQ(vstring_str(why), "file /x/master.cf: line 1: null byte in entry");
    }
    vstring_free(why);
}

static void test_option(void)
{
    static const struct {
        const char *arg, *name, *value;
    } cases[] = {
        {"a=b", "a", "b"}, {" a = b c ", "a", "b c"},
        {"a=", "a", ""},   {"a=b=c", "a", "b=c"},
        {"=b", 0, 0},      {"ab", 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = 0;
        char *v = 0;
        int ok = master_ent_option(cases[i].arg, &n, &v);

        PTEST_INT_EQ(ok, cases[i].name != 0);
        if (ok) {
            PTEST_STR_EQ(n, cases[i].name);
            PTEST_STR_EQ(v, cases[i].value);
            myfree(n);
            myfree(v);
        }
    }
}

static void test_read_file(void)
{
    VSTRING *why = vstring_alloc(10);
    MASTER_ENT *list = 0;

    PTEST_INT_EQ(master_ent_read("/nonexistent/master.cf", &list, why), -1);
    PTEST_CHECK(list == 0);
    PTEST_STR_EQ(vstring_str(why), "");
    /* The stock Debian file, if present, parses completely. */
    if (access("tests/postconf/debian/master.cf", R_OK) == 0) {
        size_t n = 0;

        PTEST_INT_EQ(master_ent_read("tests/postconf/debian/master.cf", &list, why), 0);
        for (MASTER_ENT *e = list; e; e = e->next)
            n++;
        PTEST_INT_EQ(n, 31);
        master_ent_free(list);
    }
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"good", test_good},     {"list_order", test_list_order}, {"errors", test_errors},
    {"option", test_option}, {"read_file", test_read_file},
};

PTEST_MAIN(cases)
