/*
 * mail_queue_test - unit tests for queue file creation, renaming and
 * removal in a scratch queue directory.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_queue.h"
#include "ptest.h"
#include "queue_id.h"
#include "vstring.h"

static char top[64];

static void make_queue(void)
{
    static const char *dirs[] = {"incoming", "active", "deferred", "hold", "defer"};

    snprintf(top, sizeof(top), "/tmp/mail_queue_test.XXXXXX");
    if (mkdtemp(top) == 0) {
        perror("mkdtemp");
        exit(1);
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[128];

        snprintf(path, sizeof(path), "%s/%s", top, dirs[i]);
        mkdir(path, 0700);
    }
}

static void remove_queue(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", top);
}

static int count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (dp == 0)
        return -1;
    while ((de = readdir(dp)) != 0)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* A new file: mode 0600, named by a valid id made from its own inode. */
static void check_enter(int long_ids)
{
    MAIL_QUEUE_CONF conf = {top, 1, "deferred, defer", long_ids};
    VSTRING *id = vstring_alloc(10);
    VSTRING *path = vstring_alloc(10);
    struct timeval tv;
    struct stat st;
    char want[QUEUE_ID_BUFSIZE];
    int fd;

    make_queue();
    fd = mail_queue_enter(&conf, MAIL_QUEUE_INCOMING, 0600, id, &tv);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(queue_id_kind(vstring_str(id)), long_ids ? QUEUE_ID_LONG : QUEUE_ID_SHORT);
    PTEST_INT_EQ(fstat(fd, &st), 0);
    PTEST_INT_EQ(st.st_mode & 07777, 0600);
    if (long_ids)
        queue_id_long(want, tv.tv_sec, (long)tv.tv_usec, (unsigned long)st.st_ino);
    else
        queue_id_short(want, (long)tv.tv_usec, (unsigned long)st.st_ino);
    PTEST_STR_EQ(vstring_str(id), want);
    mail_queue_path(path, &conf, MAIL_QUEUE_INCOMING, vstring_str(id));
    PTEST_INT_EQ(access(vstring_str(path), F_OK), 0);
    vstring_sprintf(path, "%s/incoming", top);
    PTEST_INT_EQ(count_entries(vstring_str(path)), 1); /* no temporary left */
    PTEST_INT_EQ(write(fd, "x", 1), 1);

    /* To a hashed queue: the hash directory is made on demand. */
    PTEST_INT_EQ(mail_queue_rename(&conf, vstring_str(id), "incoming", "deferred"), 0);
    mail_queue_path(path, &conf, MAIL_QUEUE_DEFERRED, vstring_str(id));
    PTEST_INT_EQ(access(vstring_str(path), F_OK), 0);
    PTEST_INT_EQ(mail_queue_rename(&conf, vstring_str(id), "incoming", "deferred"), -1);
    PTEST_INT_EQ(errno, ENOENT);
    PTEST_INT_EQ(mail_queue_rename(&conf, vstring_str(id), "deferred", "hold"), 0);
    fd = mail_queue_open(&conf, MAIL_QUEUE_HOLD, vstring_str(id), O_RDONLY, 0);
    PTEST_CHECK(fd >= 0);
    close(fd);
    PTEST_INT_EQ(mail_queue_remove(&conf, MAIL_QUEUE_HOLD, vstring_str(id)), 0);
    PTEST_INT_EQ(mail_queue_remove(&conf, MAIL_QUEUE_HOLD, vstring_str(id)), -1);
    PTEST_INT_EQ(mail_queue_remove(&conf, MAIL_QUEUE_HOLD, "../../etc/passwd"), -1);
    PTEST_INT_EQ(errno, EINVAL);
    PTEST_INT_EQ(mail_queue_rename(&conf, "a/b", "hold", "active"), -1);
    PTEST_INT_EQ(errno, EINVAL);
    remove_queue();
    vstring_free(id);
    vstring_free(path);
}

static void test_enter_short(void)
{
    check_enter(0);
}

static void test_enter_long(void)
{
    check_enter(1);
}

/* Many files in a row: all ids distinct, all files present. */
static void test_enter_many(void)
{
    MAIL_QUEUE_CONF conf = {top, 2, "incoming", 0};
    VSTRING *id = vstring_alloc(10);
    VSTRING *path = vstring_alloc(10);
    int n = 300;

    make_queue();
    for (int i = 0; i < n; i++) {
        int fd = mail_queue_enter(&conf, MAIL_QUEUE_INCOMING, 0600, id, 0);

        if (fd < 0) {
            PTEST_FAIL("enter %d: %s", i, strerror(errno));
            break;
        }
        close(fd);
        /* Hashed: two levels below incoming/, as Postfix would place it. */
        mail_queue_path(path, &conf, MAIL_QUEUE_INCOMING, vstring_str(id));
        if (access(vstring_str(path), F_OK) != 0 ||
            strncmp(vstring_str(path) + strlen(top) + 10, vstring_str(id), 1) != 0)
            PTEST_FAIL("file %s missing or misplaced", vstring_str(path));
    }
    vstring_sprintf(path, "find '%s/incoming' -type f | wc -l", top);
    {
        FILE *fp = popen(vstring_str(path), "r");
        int got = -1;

        if (fp == 0 || fscanf(fp, "%d", &got) != 1)
            got = -1;
        if (fp)
            pclose(fp);
        PTEST_INT_EQ(got, n);
    }
    remove_queue();
    vstring_free(id);
    vstring_free(path);
}

/* A missing queue directory is an error, not a crash or a stray file. */
static void test_enter_no_dir(void)
{
    MAIL_QUEUE_CONF conf = {"/nonexistent/queue", 1, 0, 0};
    VSTRING *id = vstring_alloc(10);

    PTEST_INT_EQ(mail_queue_enter(&conf, MAIL_QUEUE_INCOMING, 0600, id, 0), -1);
    PTEST_INT_EQ(errno, ENOENT);
    vstring_free(id);
}

/* The configuration can come straight from the parameter variables. */
static void test_conf_params(void)
{
    MAIL_QUEUE_CONF conf;
    VSTRING *buf = vstring_alloc(10);

    var_queue_directory = "/var/spool/postfix";
    var_hash_queue_depth = 2;
    var_hash_queue_names = "hold";
    var_enable_long_queue_ids = 1;
    mail_queue_conf_params(&conf);
    PTEST_STR_EQ(vstring_str(mail_queue_path(buf, &conf, "hold", "A084DA7237E")),
                 "/var/spool/postfix/hold/A/0/A084DA7237E");
    PTEST_STR_EQ(vstring_str(mail_queue_path(buf, &conf, "deferred", "A084DA7237E")),
                 "/var/spool/postfix/deferred/A084DA7237E");
    PTEST_INT_EQ(conf.long_ids, 1);
    vstring_free(buf);
}

static const PTEST_CASE cases[] = {
    {"conf_params", test_conf_params},   {"enter_short", test_enter_short},
    {"enter_long", test_enter_long},     {"enter_many", test_enter_many},
    {"enter_no_dir", test_enter_no_dir},
};

PTEST_MAIN(cases)
