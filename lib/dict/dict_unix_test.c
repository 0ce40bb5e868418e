/*
 * dict_unix_test - the cache behind unix:passwd.byname and unix:group.byname
 * (dict_unix.c): answers are reused, a change of the database file is seen
 * at the next once-a-second check, nothing lives longer than the TTL,
 * errors are never kept, and the tables still answer what NSS answers.
 *
 * The cache is pointed (dict_unix_cache_source) at passwd and group files
 * in a temporary directory, read with fgetpwent/fgetgrent by lookups that
 * count their calls, and at a clock the test moves by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_unix.h"
#include "ptest.h"

static char test_dir[] = "/tmp/dict_unix_test.XXXXXX";
static char passwd_file[64];
static char group_file[64];
static long long test_now = 1000000;
static int pw_calls;
static int gr_calls;

static struct passwd *test_getpwnam(const char *name)
{
    FILE *fp;
    struct passwd *pw = 0;

    pw_calls++;
    if (strcmp(name, "flaky") == 0) {
        errno = EIO;
        return 0;
    }
    if ((fp = fopen(passwd_file, "r")) == 0)
        return 0;
    while ((pw = fgetpwent(fp)) != 0 && strcmp(pw->pw_name, name) != 0)
        /* void */;
    fclose(fp);
    errno = 0;
    return pw;
}

static struct group *test_getgrnam(const char *name)
{
    FILE *fp;
    struct group *gr = 0;

    gr_calls++;
    if ((fp = fopen(group_file, "r")) == 0)
        return 0;
    while ((gr = fgetgrent(fp)) != 0 && strcmp(gr->gr_name, name) != 0)
        /* void */;
    fclose(fp);
    errno = 0;
    return gr;
}

static long long test_clock(void)
{
    return test_now;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (fp == 0 || fputs(text, fp) == EOF || fclose(fp) != 0) {
        PTEST_FAIL("write %s: %s", path, strerror(errno));
        exit(1);
    }
}

static void setup(const char *passwd_text, const char *group_text)
{
    DICT_UNIX_SOURCE src;

    if (mkdtemp(test_dir) == 0) {
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
        exit(1);
    }
    snprintf(passwd_file, sizeof(passwd_file), "%s/passwd", test_dir);
    snprintf(group_file, sizeof(group_file), "%s/group", test_dir);
    if (passwd_text)
        write_file(passwd_file, passwd_text);
    if (group_text)
        write_file(group_file, group_text);
    src.passwd_file = passwd_file;
    src.group_file = group_file;
    src.getpwnam = test_getpwnam;
    src.getgrnam = test_getgrnam;
    src.now_ms = test_clock;
    dict_unix_cache_source(&src);
}

static void cleanup(void)
{
    unlink(passwd_file);
    unlink(group_file);
    rmdir(test_dir);
}

/* lookup - one passwd.byname lookup: "NOTFOUND", "FAIL" or the value */
static const char *lookup(const char *table, const char *key)
{
    static DICT *dicts[2];
    int is_group = strcmp(table, "group.byname") == 0;
    const char *value;
    int status;

    if (dicts[is_group] == 0)
        dicts[is_group] = dict_open3(DICT_TYPE_UNIX, table, O_RDONLY, DICT_FLAG_DEFAULT);
    status = dict_get(dicts[is_group], key, &value);
    return status == DICT_STAT_FOUND ? value : status == DICT_STAT_NOTFOUND ? "NOTFOUND" : "FAIL";
}

#define ALICE "alice:x:1001:1001:Alice:/home/alice:/bin/sh\n"
#define BOB   "bob:x:1002:1002:Bob:/home/bob:/bin/sh\n"

static void test_answers_are_reused(void)
{
    setup(ALICE, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_INT_EQ(pw_calls, 1);
    PTEST_STR_EQ(lookup("passwd.byname", "bob"), "NOTFOUND");
    test_now += 5000;
    PTEST_STR_EQ(lookup("passwd.byname", "bob"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, 2);
    /* The key is folded before it is asked, and the folded key is cached. */
    PTEST_STR_EQ(lookup("passwd.byname", "ALICE"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_INT_EQ(pw_calls, 2);
    cleanup();
}

static void test_added_user_is_seen_within_a_second(void)
{
    setup(ALICE, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "bob"), "NOTFOUND");
    write_file(passwd_file, ALICE BOB);
    /* The file was checked less than a second ago. */
    test_now += 999;
    PTEST_STR_EQ(lookup("passwd.byname", "bob"), "NOTFOUND");
    test_now += 1;
    PTEST_STR_EQ(lookup("passwd.byname", "bob"), "bob:x:1002:1002:Bob:/home/bob:/bin/sh");
    PTEST_INT_EQ(pw_calls, 2);
    cleanup();
}

static void test_removed_user_is_seen(void)
{
    const struct passwd *pw;
    int err = 0;

    setup(ALICE BOB, 0);
    PTEST_INT_EQ(dict_unix_getpwnam("bob", &pw, &err), 1);
    PTEST_INT_EQ(pw->pw_uid, 1002);
    PTEST_STR_EQ(pw->pw_dir, "/home/bob");
    write_file(passwd_file, ALICE);
    test_now += 1000;
    PTEST_INT_EQ(dict_unix_getpwnam("bob", &pw, &err), 0);
    cleanup();
}

/* A file replaced by rename() with the same size and times is still seen. */
static void test_replaced_file_is_seen(void)
{
    char tmp[80];
    struct stat st;
    struct timespec times[2];

    setup(ALICE, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    if (stat(passwd_file, &st) < 0)
        PTEST_FAIL("stat: %s", strerror(errno));
    snprintf(tmp, sizeof(tmp), "%s/passwd+", test_dir);
    write_file(tmp, "alice:x:1001:1001:Alicia:/home/alice:/bin/s\n");
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    if (utimensat(AT_FDCWD, tmp, times, 0) < 0 || rename(tmp, passwd_file) < 0)
        PTEST_FAIL("utimensat/rename: %s", strerror(errno));
    test_now += 1000;
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alicia:/home/alice:/bin/s");
    cleanup();
}

/* An in-place rewrite of the same size with the old mtime put back: ctime. */
static void test_same_size_same_mtime_is_seen(void)
{
    struct stat st;
    struct timespec times[2];

    setup(ALICE, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    if (stat(passwd_file, &st) < 0)
        PTEST_FAIL("stat: %s", strerror(errno));
    usleep(20000); /* let the ctime move on a coarse file system clock */
    write_file(passwd_file, "alice:x:1001:1001:Alicia:/home/alice:/bin/s\n");
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    if (utimensat(AT_FDCWD, passwd_file, times, 0) < 0)
        PTEST_FAIL("utimensat: %s", strerror(errno));
    test_now += 1000;
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alicia:/home/alice:/bin/s");
    cleanup();
}

static void test_ttl(void)
{
    setup(ALICE, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_STR_EQ(lookup("passwd.byname", "nobody-here"), "NOTFOUND");
    test_now += DICT_UNIX_CACHE_TTL * 1000 - 1;
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_STR_EQ(lookup("passwd.byname", "nobody-here"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, 2);
    test_now += 1;
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "alice:x:1001:1001:Alice:/home/alice:/bin/sh");
    PTEST_STR_EQ(lookup("passwd.byname", "nobody-here"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, 4);
    cleanup();
}

static void test_errors_are_not_kept(void)
{
    const struct passwd *pw;
    int err = 0;

    setup(ALICE, 0);
    PTEST_INT_EQ(dict_unix_getpwnam("flaky", &pw, &err), -1);
    PTEST_INT_EQ(err, EIO);
    PTEST_INT_EQ(dict_unix_getpwnam("flaky", &pw, &err), -1);
    PTEST_INT_EQ(pw_calls, 2);
    /* The table makes it "not found" (uid 0 is there), and asks again. */
    PTEST_STR_EQ(lookup("passwd.byname", "flaky"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, 3);
    cleanup();
}

/* No file to watch (a chroot without /etc/passwd): nothing is cached. */
static void test_no_file_no_cache(void)
{
    setup(0, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "NOTFOUND");
    PTEST_STR_EQ(lookup("passwd.byname", "alice"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, 2);
    cleanup();
}

/* A key with "@" is asked like any other: NSS may have such a user. */
static void test_at_sign_keys_are_asked(void)
{
    setup(ALICE "joe@example.com:x:4321:4321::/nonexistent:/usr/sbin/nologin\n", 0);
    PTEST_STR_EQ(lookup("passwd.byname", "joe@example.com"),
                 "joe@example.com:x:4321:4321::/nonexistent:/usr/sbin/nologin");
    PTEST_STR_EQ(lookup("passwd.byname", "alice@example.com"), "NOTFOUND");
    cleanup();
}

static void test_group(void)
{
    setup(ALICE, "staff:x:50:alice,bob\nempty:x:51:\n");
    PTEST_STR_EQ(lookup("group.byname", "staff"), "staff:x:50:alice,bob");
    PTEST_STR_EQ(lookup("group.byname", "empty"), "empty:x:51:");
    PTEST_STR_EQ(lookup("group.byname", "staff"), "staff:x:50:alice,bob");
    PTEST_STR_EQ(lookup("group.byname", "wheel"), "NOTFOUND");
    PTEST_STR_EQ(lookup("group.byname", "wheel"), "NOTFOUND");
    PTEST_INT_EQ(gr_calls, 3);
    /* A change of /etc/passwd leaves the group answers alone, and back. */
    write_file(passwd_file, ALICE BOB);
    test_now += 1000;
    PTEST_STR_EQ(lookup("group.byname", "staff"), "staff:x:50:alice,bob");
    PTEST_INT_EQ(gr_calls, 3);
    write_file(group_file, "staff:x:50:alice\nwheel:x:10:root\n");
    test_now += 1000;
    PTEST_STR_EQ(lookup("group.byname", "staff"), "staff:x:50:alice");
    PTEST_STR_EQ(lookup("group.byname", "wheel"), "wheel:x:10:root");
    PTEST_INT_EQ(gr_calls, 5);
    cleanup();
}

static void test_size_bound(void)
{
    char name[32];

    setup(ALICE, 0);
    for (int i = 0; i <= DICT_UNIX_CACHE_MAX; i++) {
        snprintf(name, sizeof(name), "user%d", i);
        PTEST_STR_EQ(lookup("passwd.byname", name), "NOTFOUND");
    }
    PTEST_INT_EQ(pw_calls, DICT_UNIX_CACHE_MAX + 1);
    /* The newest is still there, the oldest went first. */
    PTEST_STR_EQ(lookup("passwd.byname", name), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, DICT_UNIX_CACHE_MAX + 1);
    PTEST_STR_EQ(lookup("passwd.byname", "user0"), "NOTFOUND");
    PTEST_INT_EQ(pw_calls, DICT_UNIX_CACHE_MAX + 2);
    cleanup();
}

/* The system's own databases, through the cache, as before. */
static void test_system_source(void)
{
    const struct passwd *pw;
    const struct group *gr;
    int err = 0;

    dict_unix_cache_source(0);
    PTEST_INT_EQ(dict_unix_getpwnam("root", &pw, &err), 1);
    PTEST_INT_EQ(pw->pw_uid, 0);
    PTEST_INT_EQ(dict_unix_getpwnam("root", &pw, &err), 1);
    PTEST_STR_EQ(pw->pw_name, "root");
    PTEST_INT_EQ(dict_unix_getpwnam("no-such-user-xyz", &pw, &err), 0);
    PTEST_INT_EQ(dict_unix_getgrnam("root", &gr, &err), 1);
    PTEST_INT_EQ(gr->gr_gid, 0);
    PTEST_STR_EQ(lookup("passwd.byname", "root"), "root:x:0:0:root:/root:/bin/bash");
}

static const PTEST_CASE cases[] = {
    {"found and not-found answers are reused", test_answers_are_reused},
    {"an added user is seen within a second", test_added_user_is_seen_within_a_second},
    {"a removed user is seen", test_removed_user_is_seen},
    {"a file replaced by rename is seen", test_replaced_file_is_seen},
    {"a same-size rewrite with the old mtime is seen", test_same_size_same_mtime_is_seen},
    {"no answer lives longer than the TTL", test_ttl},
    {"errors are not kept", test_errors_are_not_kept},
    {"no file to watch: no cache", test_no_file_no_cache},
    {"keys with @ are asked", test_at_sign_keys_are_asked},
    {"group.byname", test_group},
    {"the cache is bounded", test_size_bound},
    {"the system's databases", test_system_source},
};

PTEST_MAIN(cases)
