/*
 * mail_cmd_test - start-up of the set-gid commands: closed standard
 * descriptors are reopened on /dev/null, umask, the common options, and the
 * configuration step (directory check, environment, queue directory).
 *
 * Each case runs in its own process (ptest), so changing descriptors, the
 * environment and the working directory is safe.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail_cmd.h"
#include "msg.h"
#include "ptest.h"

static void test_start_reopens_closed_fds(void)
{
    struct stat st_fd, st_null;

    close(0);
    close(2);
    mail_cmd_start("mail_cmd_test");
    if (fstat(0, &st_fd) < 0 || stat("/dev/null", &st_null) < 0)
        PTEST_FAIL("fd 0 not open after mail_cmd_start");
    else
        PTEST_CHECK(st_fd.st_rdev == st_null.st_rdev);
    if (fstat(2, &st_fd) < 0)
        PTEST_FAIL("fd 2 not open after mail_cmd_start");
    PTEST_INT_EQ(umask(022), 077);
}

typedef struct OPTION_CASE {
    int ch;
    const char *arg;
    int want_handled;
    const char *want_dir;
    int want_verbose;
} OPTION_CASE;

static const OPTION_CASE option_cases[] = {
    {'c', "/etc/x", 1, "/etc/x", 0},
    {'v', 0, 1, 0, 1},
    {'r', 0, 0, 0, 0},
    {'?', 0, 0, 0, 0},
};

static void test_options(void)
{
    for (size_t i = 0; i < sizeof(option_cases) / sizeof(option_cases[0]); i++) {
        const OPTION_CASE *oc = option_cases + i;
        const char *dir = 0;

        msg_verbose = 0;
        PTEST_INT_EQ(mail_cmd_option(oc->ch, oc->arg, &dir), oc->want_handled);
        PTEST_STR_EQ(dir, oc->want_dir);
        PTEST_INT_EQ(msg_verbose, oc->want_verbose);
    }
}

/* A configuration directory whose queue_directory is queue (or a subdir). */
static char *make_config(char *tmpl, const char *queue_dir)
{
    char path[PATH_MAX];
    FILE *fp;

    if (mkdtemp(tmpl) == 0) {
        PTEST_FAIL("mkdtemp: %m");
        return 0;
    }
    snprintf(path, sizeof(path), "%s/main.cf", tmpl);
    if ((fp = fopen(path, "w")) == 0) {
        PTEST_FAIL("create %s: %m", path);
        return 0;
    }
    fprintf(fp, "queue_directory = %s\nimport_environment = KEEPME TZ\n", queue_dir ? queue_dir : tmpl);
    fclose(fp);
    return tmpl;
}

static void remove_config(const char *dir)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/main.cf", dir);
    unlink(path);
    rmdir(dir);
}

static void test_config(void)
{
    char tmpl[] = "/tmp/mail_cmd_test.XXXXXX";
    char cwd[PATH_MAX];
    char *dir = make_config(tmpl, 0);

    if (dir == 0)
        return;
    setenv("KEEPME", "1", 1);
    setenv("DROPME", "1", 1);
    PTEST_STR_EQ(mail_cmd_config("mail_cmd_test", dir, EX_TEMPFAIL), dir);
    PTEST_STR_EQ(getenv("KEEPME"), "1");
    PTEST_STR_EQ(getenv("DROPME"), 0);
    PTEST_STR_EQ(getenv("MAIL_CONFIG"), dir);
    PTEST_STR_EQ(getcwd(cwd, sizeof(cwd)), dir);
    remove_config(dir);
}

static void test_config_from_environment(void)
{
    char tmpl[] = "/tmp/mail_cmd_test.XXXXXX";
    char *dir = make_config(tmpl, 0);

    if (dir == 0)
        return;
    setenv("MAIL_CONFIG", dir, 1);
    PTEST_STR_EQ(mail_cmd_config("mail_cmd_test", 0, EX_TEMPFAIL), dir);
    PTEST_STR_EQ(getenv("MAIL_CONFIG"), dir);
    remove_config(dir);
}

static void test_relative_config_dir_refused(void)
{
    PTEST_EXPECT_EXIT(EX_NOPERM);
    mail_cmd_config("mail_cmd_test", "relative/dir", EX_TEMPFAIL);
}

static char bad_queue_tmpl[] = "/tmp/mail_cmd_test.XXXXXX";

static void remove_bad_queue_config(void)
{
    remove_config(bad_queue_tmpl);
}

static void test_bad_queue_directory(void)
{
    char *dir = make_config(bad_queue_tmpl, "/nonexistent/mail_cmd_test");

    if (dir == 0)
        return;
    msg_cleanup(remove_bad_queue_config); /* runs before the fatal exit */
    PTEST_EXPECT_EXIT(EX_UNAVAILABLE);
    mail_cmd_config("mail_cmd_test", dir, EX_UNAVAILABLE);
}

static const PTEST_CASE cases[] = {
    {"start reopens closed descriptors", test_start_reopens_closed_fds},
    {"common options", test_options},
    {"configuration directory", test_config},
    {"configuration directory from MAIL_CONFIG", test_config_from_environment},
    {"relative configuration directory refused", test_relative_config_dir_refused},
    {"queue directory that cannot be entered", test_bad_queue_directory},
};

PTEST_MAIN(cases)
