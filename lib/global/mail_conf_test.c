/*
 * mail_conf_test - main.cf parsing, $name expansion, and parameter binding.
 *
 * Table-driven: each case parses a main.cf text from memory and compares
 * looked-up or expanded values with the wanted text; hostile inputs (loops,
 * unbalanced braces, deep nesting, huge expansions) must fail cleanly.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "ptest.h"
#include "vstring.h"

static void load(const char *text)
{
    VSTRING *why = vstring_alloc(10);

    mail_conf_reset();
    if (mail_conf_parse(text, strlen(text), "main.cf", why) < 0)
        PTEST_FAIL("parse error: %s", vstring_str(why));
    vstring_free(why);
}

typedef struct {
    const char *conf;
    const char *name;
    const char *want; /* raw lookup; null: not set */
    int lineno;
} PARSE_CASE;

static const PARSE_CASE parse_cases[] = {
    {"myhostname = a.example\n", "myhostname", "a.example", 1},
    {"myhostname=a.example", "myhostname", "a.example", 1},
    {"  \n# c\nmyhostname   =    spaced   \t\n", "myhostname", "spaced", 3},
    {"relayhost = a # not a comment\n", "relayhost", "a # not a comment", 1},
    {"mydestination = one\n  two\n# comment\n   three\n", "mydestination", "one  two   three", 1},
    {"mydestination = one\n  # indented comment\n\tx\n", "mydestination", "one\tx", 1},
    {"relayhost = a\r\n", "relayhost", "a", 1},
    {"relayhost = first\nrelayhost = second\n", "relayhost", "second", 2},
    {"relayhost =\n", "relayhost", "", 1},
    {"relayhost = x\n", "mydomain", 0, 0},
    {"unknown_thing = 5\n", "unknown_thing", "5", 1},
    {"a = b = c\n", "a", "b = c", 1},
    {"  = leading\n  more\nrelayhost = x\n", "relayhost", "x", 3},
    {"  = leading\nrelayhost = x\n", "", 0, 0},
};

static void test_parse(void)
{
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const PARSE_CASE *c = &parse_cases[i];

        load(c->conf);
        PTEST_STR_EQ(mail_conf_lookup(c->name), c->want);
        PTEST_INT_EQ(mail_conf_lineno(c->name), c->lineno);
    }
}

static void test_parse_errors(void)
{
    static const struct {
        const char *conf;
        const char *want;
    } cases[] = {
        {"bogus line here\n",
         "main.cf, line 1: missing '=' after attribute name: \"bogus line here\""},
        {"a = 1\n\nb\n", "main.cf, line 3: missing '=' after attribute name: \"b\""},
        {"= x\n", "main.cf, line 1: missing '=' after attribute name: \"= x\""},
    };
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mail_conf_reset();
        vstring_reset(why);
        PTEST_INT_EQ(mail_conf_parse(cases[i].conf, strlen(cases[i].conf), "main.cf", why), -1);
        PTEST_STR_EQ(vstring_str(why), cases[i].want);
    }
    vstring_free(why);
}

typedef struct {
    const char *conf;
    const char *text;
    const char *want; /* null: expansion must fail */
} EXPAND_CASE;

static const EXPAND_CASE expand_cases[] = {
    {"x = X\n", "$x", "X"},
    {"x = X\n", "${x}", "X"},
    {"x = X\n", "$(x)", "X"},
    {"x = X\n", "a$x.b", "aX.b"},
    {"x = X\n", "$$x", "$x"},
    {"x = X\n", "${x?yes}", "yes"},
    {"x = X\n", "${y?yes}", ""},
    {"x = X\n", "${x:no}", ""},
    {"x = X\n", "${y:no}", "no"},
    {"x =\n", "${x:empty}", "empty"},
    {"x = X\n", "${x?{a}:{b}}", "a"},
    {"x = X\n", "${y?{a}:{b}}", "b"},
    {"x = X\n", "${x?{a} : {b}}", "a"},
    {"x = X\n", "${x?{braced}}", "braced"},
    {"x = X\ny = Y\n", "${x?{$y}:{b}}", "Y"},
    {"x = X\n", "${x?$x$x}", "XX"},
    {"", "${{abc} == {abc} ? {eq} : {ne}}", "eq"},
    {"", "${{abc} != {abc} ? {eq} : {ne}}", "ne"},
    {"", "${{2} < {10} ? {lt} : {ge}}", "lt"},
    {"", "${{10} <= {9} ? {le} : {gt}}", "gt"},
    {"", "${{b} > {a} ? {x} : {y}}", "x"},
    {"", "${{10}>{9}?{gt}:{le}}", "gt"},
    {"", "${{10} > {9} ? {gt}}", "gt"},
    {"", "${{1.2} <=level {1.10} ? {le} : {gt}}", "le"},
    {"", "${{3.6} ==level {3.6.0} ? {eq} : {ne}}", "eq"},
    {"compatibility_level = 3.6\n", "${{$compatibility_level} <level {2} ? {subnet} : {host}}",
     "host"},
    {"", "${{$compatibility_level} <level {2} ? {subnet} : {host}}", "subnet"},
    {"a = $b\nb = $c\nc = end\n", "$a", "end"},
    {"", "$undefined_name_xyz", ""},
    /* Hostile input. */
    {"a = $b\nb = $a\n", "$a", 0},
    {"a = $a\n", "${a}", 0},
    {"", "${x", 0},
    {"", "$(x", 0},
    {"", "${x?{a}:{b}", 0},
    {"", "$", 0},
    {"", "a $ b", 0},
    {"", "$-x", 0},
    {"", "${-x}", 0},
    {"", "${x!y}", 0},
    {"", "${{a} = {b} ? {x} : {y}}", 0},
    {"", "${{a}}", 0},
    {"", "${{a} == {a} ? {x} : {y} junk}", 0},
    {"", "${{a} == {a} {x}}", 0},
    {"", "${{1.x} <level {2} ? {x} : {y}}", 0},
    {"", "${{99999999999999999999999} <level {2} ? {x}}", 0},
    {"x = X\n", "${x?{a}junk}", 0},
};

static void test_expand(void)
{
    VSTRING *out = vstring_alloc(10);
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++) {
        const EXPAND_CASE *c = &expand_cases[i];
        int ret;

        load(c->conf);
        ret = mail_conf_expand_text(out, c->text, why);
        if (c->want == 0) {
            if (ret != -1)
                PTEST_FAIL("case %zu \"%s\": got \"%s\", want an error", i, c->text,
                           vstring_str(out));
            else if (VSTRING_LEN(why) == 0)
                PTEST_FAIL("case %zu \"%s\": error without a reason", i, c->text);
        } else if (ret != 0) {
            PTEST_FAIL("case %zu \"%s\": error \"%s\", want \"%s\"", i, c->text, vstring_str(why),
                       c->want);
        } else if (strcmp(vstring_str(out), c->want) != 0) {
            PTEST_FAIL("case %zu \"%s\": got \"%s\", want \"%s\"", i, c->text, vstring_str(out),
                       c->want);
        }
    }
    vstring_free(out);
    vstring_free(why);
}

static void test_expand_messages(void)
{
    static const struct {
        const char *conf, *text, *want;
    } cases[] = {
        {"a = $b\nb = $a\n", "$a", "unreasonable macro call nesting: \"a\""},
        {"", "${d", "truncated macro reference: \"${d\""},
        {"", "a $ b", "empty macro name: \"a $ b\""},
    };
    VSTRING *out = vstring_alloc(10);
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load(cases[i].conf);
        mail_conf_expand_text(out, cases[i].text, why);
        PTEST_STR_EQ(vstring_str(why), cases[i].want);
    }
    vstring_free(out);
    vstring_free(why);
}

/* Exponential growth and deep nesting must stop at the limits. */
static void test_expand_bombs(void)
{
    VSTRING *conf = vstring_alloc(100);
    VSTRING *out = vstring_alloc(10);
    VSTRING *why = vstring_alloc(10);

    for (int i = 0; i < 40; i++)
        vstring_sprintf_append(conf, "p%d = $p%d$p%d$p%d$p%d\n", i, i + 1, i + 1, i + 1, i + 1);
    vstring_strcat(conf, "p40 = xxxxxxxxxxxxxxxx\n");
    load(vstring_str(conf));
    PTEST_INT_EQ(mail_conf_expand_text(out, "$p0", why), -1);
    PTEST_CHECK(VSTRING_LEN(out) <= MAIL_CONF_EXPAND_LIMIT);

    /* A chain of 150 names is deeper than the limit. */
    vstring_reset(conf);
    for (int i = 0; i < 150; i++)
        vstring_sprintf_append(conf, "q%d = $q%d\n", i, i + 1);
    load(vstring_str(conf));
    PTEST_INT_EQ(mail_conf_expand_text(out, "$q0", why), -1);

    /* Each level tests and then uses the next: must not take 2^60 steps. */
    vstring_reset(conf);
    for (int i = 0; i < 60; i++)
        vstring_sprintf_append(conf, "c%d = ${c%d?{$c%d$c%d}:{none}}\n", i, i + 1, i + 1, i + 1);
    vstring_strcat(conf, "c60 = x\n");
    load(vstring_str(conf));
    PTEST_INT_EQ(mail_conf_expand_text(out, "$c50", why), 0);
    PTEST_INT_EQ(VSTRING_LEN(out), 1024);
    PTEST_INT_EQ(mail_conf_expand_text(out, "$c0", why), -1);

    /* A huge literal value is fine up to the limit, an error beyond it. */
    {
        size_t big = MAIL_CONF_EXPAND_LIMIT / 2;
        char *text = mymalloc(big + 1);

        memset(text, 'x', big);
        text[big] = 0;
        load("");
        PTEST_INT_EQ(mail_conf_expand_text(out, text, why), 0);
        PTEST_INT_EQ(VSTRING_LEN(out), big);
        vstring_sprintf(conf, "h = %s\n", text);
        load(vstring_str(conf));
        PTEST_INT_EQ(mail_conf_expand_text(out, "$h$h", why), 0);
        PTEST_INT_EQ(mail_conf_expand_text(out, "$h$h$h", why), -1);
        PTEST_CHECK(strstr(vstring_str(why), "too long") != 0);
        myfree(text);
    }

    /* Deeply nested braces in one value. */
    vstring_reset(conf);
    for (int i = 0; i < 5000; i++)
        vstring_strcat(conf, "${x?");
    for (int i = 0; i < 5000; i++)
        vstring_strcat(conf, "}");
    load("x = X\n");
    PTEST_INT_EQ(mail_conf_expand_text(out, vstring_str(conf), why), -1);
    vstring_free(conf);
    vstring_free(out);
    vstring_free(why);
}

static void test_eval_defaults(void)
{
    load("myhostname = mail.example.com\nsmtpd_banner = $myhostname hi\n");
    PTEST_STR_EQ(mail_conf_eval("mydomain"), "example.com");
    PTEST_STR_EQ(mail_conf_eval("myorigin"), "mail.example.com");
    PTEST_STR_EQ(mail_conf_eval("smtpd_banner"), "mail.example.com hi");
    PTEST_STR_EQ(mail_conf_eval("mydestination"),
                 "mail.example.com, localhost.example.com, localhost");
    PTEST_STR_EQ(mail_conf_eval("no_such_parameter"), 0);
    /* RAW parameters are never expanded. */
    PTEST_STR_EQ(mail_conf_eval("mailbox_command"), "");
    load("mailbox_command = /usr/bin/procmail -a \"$EXTENSION\"\n");
    PTEST_STR_EQ(mail_conf_eval("mailbox_command"), "/usr/bin/procmail -a \"$EXTENSION\"");
    /* Overrides win and invalidate cached expansions. */
    load("myhostname = a.example.org\n");
    PTEST_STR_EQ(mail_conf_eval("myorigin"), "a.example.org");
    mail_conf_update("myhostname", "b.example.org");
    PTEST_STR_EQ(mail_conf_eval("myorigin"), "b.example.org");
    load("mydomain = example.net\n");
    {
        char host[256];
        char want[300];

        gethostname(host, sizeof(host));
        host[255] = 0;
        if (strchr(host, '.') == 0) {
            snprintf(want, sizeof(want), "%s.example.net", host);
            PTEST_STR_EQ(mail_conf_eval("myhostname"), want);
        }
    }
}

typedef struct {
    const char *name;
    const char *value;
    const char *want_error; /* null: good */
    long want;
} CHECK_CASE;

static const CHECK_CASE check_cases[] = {
    {"smtpd_recipient_limit", "abc", "bad numerical configuration: smtpd_recipient_limit = abc", 0},
    {"smtpd_recipient_limit", "12", 0, 12},
    {"smtpd_recipient_limit", "0", "invalid smtpd_recipient_limit parameter value 0 < 1", 0},
    {"smtpd_recipient_limit", "99999999999",
     "bad numerical configuration: "
     "smtpd_recipient_limit = 99999999999",
     0},
    {"smtpd_recipient_limit", "", "bad numerical configuration: smtpd_recipient_limit = ", 0},
    {"smtpd_recipient_limit", "12x", "bad numerical configuration: smtpd_recipient_limit = 12x", 0},
    {"message_size_limit", "99999999999", 0, 99999999999L},
    {"biff", "yes", 0, 1},
    {"biff", "NO", 0, 0},
    {"biff", "maybe", "bad boolean configuration: biff = maybe", 0},
    {"queue_run_delay", "300s", 0, 300},
    {"queue_run_delay", "5m", 0, 300},
    {"queue_run_delay", "2h", 0, 7200},
    {"queue_run_delay", "1d", 0, 86400},
    {"queue_run_delay", "1w", 0, 604800},
    {"queue_run_delay", "10", 0, 10},
    {"maximal_queue_lifetime", "2", 0, 2 * 86400},
    {"delay_warning_time", "4", 0, 4 * 3600},
    {"queue_run_delay", "5x", "parameter queue_run_delay: bad time value or unit: 5x", 0},
    {"queue_run_delay", "s", "parameter queue_run_delay: bad time value or unit: s", 0},
    {"queue_run_delay", "5ss", "parameter queue_run_delay: bad time value or unit: 5ss", 0},
    {"queue_run_delay", "0", "invalid queue_run_delay: 0 (min 1)", 0},
    {"queue_run_delay", "9999999999w",
     "parameter queue_run_delay: bad time value or unit: "
     "9999999999w",
     0},
    {"myhostname", "", "bad string length 0 < 1: myhostname = ", 0},
};

static void test_check(void)
{
    for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
        const CHECK_CASE *c = &check_cases[i];
        const MAIL_PARAM *p = mail_param_find(c->name);
        long num = -12345;
        const char *why;

        if (p == 0) {
            PTEST_FAIL("%s: not in the registry", c->name);
            continue;
        }
        why = mail_param_check(p, c->value, &num);
        PTEST_STR_EQ(why, c->want_error);
        if (why == 0 && p->type != MAIL_PARAM_STR && num != c->want)
            PTEST_FAIL("%s = %s: got %ld, want %ld", c->name, c->value, num, c->want);
    }
}

static void test_registry(void)
{
    /* Unique names, sane bounds, and every default passes its own check. */
    load("");
    for (size_t i = 0; i < mail_param_count; i++) {
        const MAIL_PARAM *p = &mail_param_table[i];
        long num;
        const char *why;
        const char *value;

        if (mail_param_find(p->name) != p)
            PTEST_FAIL("%s: duplicate registry row", p->name);
        if (p->max != 0 && p->max < p->min)
            PTEST_FAIL("%s: max %ld < min %ld", p->name, p->max, p->min);
        value = p->type == MAIL_PARAM_RAW ? mail_param_default(p) : mail_conf_eval(p->name);
        if ((why = mail_param_check(p, value, &num)) != 0)
            PTEST_FAIL("%s: default does not pass: %s", p->name, why);
    }
    PTEST_CHECK(mail_param_count >= 250);
}

static void test_init_binds(void)
{
    load("smtpd_recipient_limit = 77\nbiff = no\nqueue_run_delay = 2m\n"
         "myhostname = h.example.com\nmessage_size_limit = 5000000000\n");
    mail_params_init();
    PTEST_INT_EQ(var_smtpd_recipient_limit, 77);
    PTEST_INT_EQ(var_biff, 0);
    PTEST_INT_EQ(var_queue_run_delay, 120);
    PTEST_INT_EQ(var_message_size_limit, 5000000000L);
    PTEST_STR_EQ(var_myorigin, "h.example.com");
    PTEST_STR_EQ(var_mail_name, "Postern");
    PTEST_INT_EQ(var_smtpd_hard_error_limit, 20);
    PTEST_INT_EQ(var_smtpd_timeout, 300);
}

static void test_myorigin_file(void)
{
    char path[] = "/tmp/mail_conf_test.XXXXXX";
    int fd = mkstemp(path);
    VSTRING *conf = vstring_alloc(100);

    if (fd < 0 || write(fd, "  mail.example.net \nsecond line\n", 32) != 32) {
        PTEST_FAIL("mkstemp/write: %m");
        return;
    }
    close(fd);
    vstring_sprintf(conf, "myorigin = %s\n", path);
    load(vstring_str(conf));
    mail_params_init();
    unlink(path);
    PTEST_STR_EQ(var_myorigin, "mail.example.net");
    /* The unexpanded and expanded values stay the path, as Debian's postconf shows. */
    PTEST_STR_EQ(mail_conf_eval("myorigin"), path);
    vstring_free(conf);
}

static void test_myorigin_missing_file(void)
{
    load("myorigin = /nonexistent/mailname\n");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    mail_params_init();
}

static void test_init_fatal(void)
{
    load("smtpd_recipient_limit = abc\n");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    mail_params_init();
}

static void test_eval_loop_fatal(void)
{
    load("myorigin = $mydomain\nmydomain = $myorigin\n");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    (void)mail_conf_eval("myorigin");
}

static void test_missing_main_cf(void)
{
    mail_conf_reset();
    mail_conf_set_dir("/nonexistent/postern-test");
    PTEST_STR_EQ(mail_conf_dir(), "/nonexistent/postern-test");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    mail_conf_read();
}

/* Computed defaults that refer back to each other must not recurse forever. */
static void test_computed_default_loops(void)
{
    static const char *confs[] = {
        "myhostname = $mydomain\n",         "mydomain = $myhostname\n",
        "mynetworks_style = $mynetworks\n", "inet_protocols = $mynetworks\n",
        "mynetworks_style = bogus\n",
    };
    VSTRING *out = vstring_alloc(10);
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        load(confs[i]);
        (void)mail_conf_expand_text(out, "$myhostname $mydomain $mynetworks", why);
    }
    vstring_free(out);
    vstring_free(why);
}

static void test_bad_mynetworks_style_fatal(void)
{
    load("mynetworks_style = bogus\n");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    mail_params_init();
}

static void test_dir_allowed(void)
{
    mail_conf_reset();
    PTEST_INT_EQ(mail_conf_dir_allowed("/etc/postfix"), 1);
    PTEST_INT_EQ(mail_conf_dir_allowed("/etc/postfix/"), 1);
    if (getuid() == 0) {
        PTEST_INT_EQ(mail_conf_dir_allowed("/tmp/elsewhere"), 1);
        if (setgid(65534) < 0 || setuid(65534) < 0) {
            PTEST_FAIL("setuid: %m");
            return;
        }
    }
    /* Unprivileged: only what /etc/postfix/main.cf lists (nothing here). */
    if (access("/etc/postfix/main.cf", F_OK) != 0)
        PTEST_INT_EQ(mail_conf_dir_allowed("/tmp/elsewhere"), 0);
    PTEST_INT_EQ(mail_conf_dir_allowed("/etc/postfix"), 1);
}

/* Values are lists after expansion: commas, white space, { } groups. */
static void test_list_values(void)
{
    static const struct {
        const char *conf, *name, *want;
    } cases[] = {
        {"myhostname = h.example\n", "mydestination", "h.example|localhost.example|localhost"},
        {"mydestination = a,b , c\n\td\n", "mydestination", "a|b|c|d"},
        {"mydestination = ,, ,\n", "mydestination", ""},
        {"x = p q\nmydestination = $x, {r s}, ${x?{t}}\n", "mydestination", "p|q|{r s}|t"},
        {"smtpd_recipient_restrictions = permit_mynetworks,\n reject_unauth_destination\n",
         "smtpd_recipient_restrictions", "permit_mynetworks|reject_unauth_destination"},
    };
    VSTRING *got = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ARGV *argv;

        load(cases[i].conf);
        argv = argv_split_list(mail_conf_eval(cases[i].name));
        vstring_reset(got);
        for (size_t j = 0; j < argv->argc; j++)
            vstring_sprintf_append(got, "%s%s", j ? "|" : "", argv->argv[j]);
        PTEST_STR_EQ(vstring_str(got), cases[i].want);
        argv_free(argv);
    }
    vstring_free(got);
}

/* Overrides win over main.cf in either order; a second read replaces the first. */
static void test_override_and_reread(void)
{
    char dir[] = "/tmp/mail_conf_test.XXXXXX";
    char path[sizeof(dir) + 10];
    FILE *fp;

    if (mkdtemp(dir) == 0) {
        PTEST_FAIL("mkdtemp: %m");
        return;
    }
    snprintf(path, sizeof(path), "%s/main.cf", dir);
    if ((fp = fopen(path, "w")) == 0)
        return;
    fputs("relayhost = file\nmydomain = one.example\n", fp);
    fclose(fp);
    mail_conf_reset();
    mail_conf_set_dir(dir);
    mail_conf_update("relayhost", "override");
    mail_conf_read();
    PTEST_STR_EQ(mail_conf_lookup("relayhost"), "override");
    PTEST_STR_EQ(mail_conf_lookup("config_directory"), dir);
    if ((fp = fopen(path, "w")) == 0)
        return;
    fputs("myorigin = two.example\n", fp);
    fclose(fp);
    mail_conf_read();
    PTEST_STR_EQ(mail_conf_lookup("mydomain"), 0);
    PTEST_STR_EQ(mail_conf_lookup("myorigin"), "two.example");
    PTEST_STR_EQ(mail_conf_eval("myorigin"), "two.example");
    PTEST_STR_EQ(mail_conf_lookup("relayhost"), "override");
    unlink(path);
    rmdir(dir);
}

static void test_get2(void)
{
    load("relay_destination_concurrency_limit = 7\nrelay_time_limit = 2m\n"
         "x_destination_concurrency_limit = $default_destination_concurrency_limit\n");
    PTEST_INT_EQ(mail_param_get_int2("relay", "_destination_concurrency_limit", 20, 0, 0), 7);
    PTEST_INT_EQ(mail_param_get_int2("smtp", "_destination_concurrency_limit", 20, 0, 0), 20);
    PTEST_INT_EQ(mail_param_get_int2("x", "_destination_concurrency_limit", 3, 0, 0), 20);
    PTEST_INT_EQ(mail_param_get_time2("relay", "_time_limit", "1000s", 1, 0), 120);
    PTEST_INT_EQ(mail_param_get_time2("pipe", "_time_limit", "$command_time_limit", 1, 0), 1000);
}

/* A name the registry knows takes the registry default, not the caller's. */
static void test_get2_registry_default(void)
{
    load("default_destination_recipient_limit = 30\n");
    PTEST_INT_EQ(mail_param_get_int2("local", "_destination_recipient_limit", 50, 0, 0), 1);
    PTEST_INT_EQ(mail_param_get_int2("relay", "_destination_recipient_limit", 30, 0, 0), 30);
    load("local_destination_recipient_limit = 5\n");
    PTEST_INT_EQ(mail_param_get_int2("local", "_destination_recipient_limit", 50, 0, 0), 5);
    mail_conf_update("local_destination_recipient_limit", "7");
    PTEST_INT_EQ(mail_param_get_int2("local", "_destination_recipient_limit", 50, 0, 0), 7);
}

static void test_get2_bad(void)
{
    load("relay_destination_concurrency_limit = lots\n");
    PTEST_EXPECT_EXIT(1);
    msg_output_clear();
    (void)mail_param_get_int2("relay", "_destination_concurrency_limit", 20, 0, 0);
}

static const PTEST_CASE cases[] = {
    {"get2", test_get2},
    {"get2_bad", test_get2_bad},
    {"get2_registry_default", test_get2_registry_default},
    {"override_and_reread", test_override_and_reread},
    {"dir_allowed", test_dir_allowed},
    {"list_values", test_list_values},
    {"computed_default_loops", test_computed_default_loops},
    {"bad_mynetworks_style_fatal", test_bad_mynetworks_style_fatal},
    {"parse", test_parse},
    {"parse_errors", test_parse_errors},
    {"expand", test_expand},
    {"expand_messages", test_expand_messages},
    {"expand_bombs", test_expand_bombs},
    {"eval_defaults", test_eval_defaults},
    {"check", test_check},
    {"registry", test_registry},
    {"init_binds", test_init_binds},
    {"init_fatal", test_init_fatal},
    {"myorigin_file", test_myorigin_file},
    {"myorigin_missing_file", test_myorigin_missing_file},
    {"eval_loop_fatal", test_eval_loop_fatal},
    {"missing_main_cf", test_missing_main_cf},
};

PTEST_MAIN(cases)
