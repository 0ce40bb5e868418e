/*
 * Unit tests for clean_env, proctitle and sane_time: the environment after
 * cleaning is exactly what the keep list allows (table-driven, with unsafe
 * names that must be dropped even when listed), the process title as ps
 * reads it from /proc, and the time helpers against the system clocks.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clean_env.h"
#include "iostuff.h"
#include "msg.h"
#include "proctitle.h"
#include "ptest.h"
#include "sane_time.h"
#include "vstring.h"

extern char **environ;

/* The environment as one sorted-by-position string "A=1 B=2". */
static const char *env_string(void)
{
    static VSTRING *buf;

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_reset(buf);
    for (char **cpp = environ; cpp && *cpp; cpp++)
        vstring_sprintf_append(buf, "%s%s", VSTRING_LEN(buf) ? " " : "", *cpp);
    return vstring_str(buf);
}

static void test_clean_env_table(void)
{
    static const struct {
        const char *name;
        const char *before[8];
        const char *keep[8];
        const char *want;
    } tests[] = {
        {"keep and set",
         {"TZ=UTC", "HOME=/root", "MAIL_CONFIG=/etc/postfix", 0},
         {"MAIL_CONFIG", "TZ", "LANG=C", 0},
         "MAIL_CONFIG=/etc/postfix TZ=UTC LANG=C"},
        {"absent names are not invented", {"A=1", 0}, {"B", "C", 0}, ""},
        {"explicit value wins", {"LANG=de_DE", 0}, {"LANG=C", 0}, "LANG=C"},
        {"empty value kept", {"EMPTY=", 0}, {"EMPTY", 0}, "EMPTY="},
        {"value with =", {0}, {"X=a=b", 0}, "X=a=b"},
        {"loader and libc variables dropped even when listed",
         {"LD_PRELOAD=/tmp/evil.so", "GLIBC_TUNABLES=glibc.x=1", "TZ=UTC", 0},
         {"LD_PRELOAD", "LD_LIBRARY_PATH=/tmp", "GLIBC_TUNABLES", "TZ", 0},
         "TZ=UTC"},
        {"shell hooks dropped",
         {"BASH_ENV=/tmp/x", "IFS=/", 0},
         {"BASH_ENV", "IFS", "ENV=/tmp/y", "BASH_FUNC_ls%%=() { :; }", 0},
         ""},
        {"malformed entries dropped", {0}, {"=x", "", "OK=1", 0}, "OK=1"},
        {"empty keep list", {"A=1", "B=2", 0}, {0}, ""},
    };

    msg_output_clear(); /* warnings are expected */
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (clearenv() != 0)
            PTEST_FAIL("clearenv");
        for (const char *const *cpp = tests[i].before; *cpp; cpp++)
            putenv((char *)*cpp);
        clean_env((char *const *)tests[i].keep);
        if (strcmp(env_string(), tests[i].want) != 0)
            PTEST_FAIL("%s: got \"%s\", want \"%s\"", tests[i].name, env_string(), tests[i].want);
    }
    PTEST_INT_EQ(clean_env_is_unsafe("LD_AUDIT"), 1);
    PTEST_INT_EQ(clean_env_is_unsafe("MALLOC_CHECK_"), 1);
    PTEST_INT_EQ(clean_env_is_unsafe("TZ"), 0);
    PTEST_INT_EQ(clean_env_is_unsafe("LD"), 0);
}

static const char *read_cmdline(void)
{
    static char buf[256];
    int fd = open("/proc/self/cmdline", O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

    if (fd >= 0)
        close(fd);
    buf[got > 0 ? got : 0] = 0;
    return buf;
}

/* glibc hands argc, argv and envp to constructors too: the test's main() has none. */
static int saved_argc;
static char **saved_argv;
static char **saved_envp;

__attribute__((constructor)) static void save_args(int argc, char **argv, char **envp)
{
    saved_argc = argc;
    saved_argv = argv;
    saved_envp = envp;
}

static void test_proctitle(void)
{
    proctitle_init(saved_argc, saved_argv, saved_envp);
    proctitle_set("smtpd -n %s -t %s", "smtp", "inet");
    PTEST_STR_EQ(read_cmdline(), "smtpd -n smtp -t inet");
    /* Outside text is never a format. */
    proctitle_set("client %s", "%n%s%x");
    PTEST_STR_EQ(read_cmdline(), "client %n%s%x");
}

static void test_time_helpers(void)
{
    time_t before = time(0);
    time_t got = sane_time();
    PTEST_CHECK(got >= before && got <= time(0));
    PTEST_CHECK(sane_time() >= got);
    int64_t us = wall_us();
    PTEST_CHECK(us / 1000000 >= before && us / 1000000 <= time(0));

    int64_t start = mono_ms();
    sleep_ms(120);
    int64_t took = mono_ms() - start;
    PTEST_CHECK(took >= 120 && took < 1000);
    start = mono_ms();
    sleep_ms(0);
    sleep_ms(-5);
    PTEST_CHECK(mono_ms() - start < 20);
}

static const PTEST_CASE cases[] = {
    {"clean_env_table", test_clean_env_table},
    {"proctitle", test_proctitle},
    {"time_helpers", test_time_helpers},
};

PTEST_MAIN(cases)
