/*
 * postlogd_file_test - one datagram is one line; appends; rotation.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg_postlog.h"
#include "postlogd_file.h"
#include "ptest.h"

static char *slurp(const char *path)
{
    static char buf[65536];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    if (fd >= 0)
        close(fd);
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

static void test_clean(void)
{
    static const struct {
        const char *name;
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"plain", "a b", 3, "a b"},
        {"trailing newline dropped", "line\n", 5, "line"},
        {"trailing CRLF dropped", "line\r\n", 6, "line"},
        {"only one newline dropped", "line\n\n", 6, "line?"},
        {"inner newline", "one\ntwo", 7, "one?two"},
        {"inner CR", "one\rtwo", 7, "one?two"},
        {"inner NUL", "one\0two", 7, "one?two"},
        {"tab kept", "a\tb", 3, "a\tb"},
        {"empty", "", 0, ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        size_t len;

        memcpy(buf, cases[i].in, cases[i].len);
        len = postlogd_clean(buf, cases[i].len);
        buf[len] = 0;
        if (len != strlen(cases[i].want) || strcmp(buf, cases[i].want) != 0)
            PTEST_FAIL("%s: got \"%s\" (%zu), want \"%s\"", cases[i].name, buf, len,
                       cases[i].want);
    }
}

static void test_clean_long(void)
{
    size_t big = MSG_LOGLINE_MAX + 100;
    char *buf = malloc(big);

    memset(buf, 'x', big);
    PTEST_INT_EQ(postlogd_clean(buf, big), MSG_LOGLINE_MAX - 1);
    free(buf);
}

static void test_append_and_rotate(void)
{
    char dir[] = "/tmp/postlogd_test.XXXXXX";
    char path[256], old[256];
    POSTLOGD_FILE *fp;

    if (mkdtemp(dir) == 0) {
        PTEST_FAIL("mkdtemp: %m");
        return;
    }
    snprintf(path, sizeof(path), "%s/maillog", dir);
    snprintf(old, sizeof(old), "%s/maillog.1", dir);
    if ((fp = postlogd_file_open(path)) == 0) {
        PTEST_FAIL("open %s: %m", path);
        return;
    }
    PTEST_INT_EQ(postlogd_file_write(fp, "first", 5), 0);
    PTEST_INT_EQ(postlogd_file_write(fp, "second", 6), 0);
    PTEST_STR_EQ(slurp(path), "first\nsecond\n");
    /* Same file at the path: nothing to do. */
    PTEST_INT_EQ(postlogd_file_check(fp, time(0) + 10), 0);
    /* Rotated away: the next check opens a new file. */
    PTEST_INT_EQ(rename(path, old), 0);
    PTEST_INT_EQ(postlogd_file_check(fp, time(0) + 20), 1);
    PTEST_INT_EQ(postlogd_file_write(fp, "third", 5), 0);
    PTEST_STR_EQ(slurp(old), "first\nsecond\n");
    PTEST_STR_EQ(slurp(path), "third\n");
    /* Checks are rate-limited to once a second. */
    unlink(path);
    PTEST_INT_EQ(postlogd_file_check(fp, time(0) + 20), 0);
    postlogd_file_close(fp);
    unlink(old);
    unlink(path);
    rmdir(dir);
}

static void test_symlink_refused(void)
{
    char dir[] = "/tmp/postlogd_test.XXXXXX";
    char path[256], target[256];

    if (mkdtemp(dir) == 0)
        return;
    snprintf(path, sizeof(path), "%s/maillog", dir);
    snprintf(target, sizeof(target), "%s/target", dir);
    PTEST_INT_EQ(symlink(target, path), 0);
    PTEST_CHECK(postlogd_file_open(path) == 0);
    PTEST_CHECK(access(target, F_OK) != 0);
    unlink(path);
    rmdir(dir);
}

static const PTEST_CASE cases[] = {
    {"clean", test_clean},
    {"clean long", test_clean_long},
    {"append and rotate", test_append_and_rotate},
    {"symlink refused", test_symlink_refused},
};

PTEST_MAIN(cases)
