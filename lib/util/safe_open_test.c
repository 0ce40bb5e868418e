/*
 * Unit tests for safe_open, open_as and set_ugid: symbolic and hard link
 * attacks, dangling links with O_CREAT, FIFOs and directories, owner checks,
 * O_TRUNC only after the checks, a file replaced between open and check,
 * and (as root) opening as another user and dropping privileges for good.
 */
#define _GNU_SOURCE /* nftw(), getresuid() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptest.h"
#include "safe_open.h"
#include "set_ugid.h"
#include "vstring.h"

#define NOBODY 65534

static char dir[64];
static char path_f[128];
static char path_target[128];

static void make_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
        PTEST_FAIL("create %s: %s", path, strerror(errno));
    close(fd);
}

static size_t file_size(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static void setup_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/safe_open_testXXXXXX");
    if (mkdtemp(dir) == 0 || chmod(dir, 0777) < 0)
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
    snprintf(path_f, sizeof(path_f), "%s/f", dir);
    snprintf(path_target, sizeof(path_target), "%s/target", dir);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static void cleanup_dir(void)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- setups --------------------------------------------------------------------- */

static void setup_absent(void)
{
}

static void setup_plain(void)
{
    make_file(path_f, "data");
}

static void setup_symlink(void)
{
    make_file(path_target, "data");
    if (symlink("target", path_f) < 0)
        PTEST_FAIL("symlink: %s", strerror(errno));
}

static void setup_dangling(void)
{
    if (symlink("target", path_f) < 0)
        PTEST_FAIL("symlink: %s", strerror(errno));
}

static void setup_hardlink(void)
{
    make_file(path_target, "data");
    if (link(path_target, path_f) < 0)
        PTEST_FAIL("link: %s", strerror(errno));
}

static void setup_dir_entry(void)
{
    if (mkdir(path_f, 0700) < 0)
        PTEST_FAIL("mkdir: %s", strerror(errno));
}

static void setup_fifo(void)
{
    if (mkfifo(path_f, 0600) < 0)
        PTEST_FAIL("mkfifo: %s", strerror(errno));
}

static void setup_nobody_file(void)
{
    make_file(path_f, "data");
    if (chown(path_f, NOBODY, NOBODY) < 0)
        PTEST_FAIL("chown: %s", strerror(errno));
}

typedef struct OPEN_CASE {
    const char *name;
    void (*setup)(void);
    int flags;
    uid_t user;
    gid_t group;
    const char *want_why; /* null: success */
    long want_size;       /* size of f after success, or of target */
} OPEN_CASE;

#define ANYU SAFE_OPEN_ANY_UID
#define ANYG SAFE_OPEN_ANY_GID

static const OPEN_CASE open_cases[] = {
    {"existing", setup_plain, O_RDWR, ANYU, ANYG, 0, 4},
    {"existing with O_CREAT", setup_plain, O_WRONLY | O_APPEND | O_CREAT, ANYU, ANYG, 0, 4},
    {"existing with O_TRUNC", setup_plain, O_WRONLY | O_TRUNC, ANYU, ANYG, 0, 0},
    {"absent, created", setup_absent, O_WRONLY | O_CREAT, ANYU, ANYG, 0, 0},
    {"absent, not created", setup_absent, O_RDWR, ANYU, ANYG,
     "cannot open file: No such file or directory", -1},
    {"O_EXCL on existing", setup_plain, O_WRONLY | O_CREAT | O_EXCL, ANYU, ANYG,
     "cannot create file: File exists", 4},
    {"symlink", setup_symlink, O_RDWR, ANYU, ANYG, "file is a symbolic link", 4},
    {"symlink with O_CREAT", setup_symlink, O_WRONLY | O_CREAT | O_TRUNC, ANYU, ANYG,
     "file is a symbolic link", 4},
    {"dangling symlink with O_CREAT", setup_dangling, O_WRONLY | O_CREAT, ANYU, ANYG,
     "file is a symbolic link", -1},
    {"dangling symlink with O_EXCL", setup_dangling, O_WRONLY | O_CREAT | O_EXCL, ANYU, ANYG,
     "file is a symbolic link", -1},
    {"hard link, no truncation", setup_hardlink, O_WRONLY | O_TRUNC, ANYU, ANYG,
     "file has 2 hard links", 4},
    {"directory", setup_dir_entry, O_RDONLY, ANYU, ANYG, "file is not a regular file", -1},
    {"fifo for writing does not block", setup_fifo, O_WRONLY | O_CREAT, ANYU, ANYG,
     "file is not a regular file", -1},
    {"fifo for reading does not block", setup_fifo, O_RDONLY, ANYU, ANYG,
     "file is not a regular file", -1},
    {"owner matches", setup_nobody_file, O_RDWR, NOBODY, NOBODY, 0, 4},
    {"wrong owner", setup_nobody_file, O_RDWR, 0, ANYG, "file has owner uid 65534, expected 0", 4},
    {"wrong group", setup_nobody_file, O_RDWR | O_TRUNC, ANYU, 0,
     "file has group gid 65534, expected 0", 4},
    {"new file handed over", setup_absent, O_WRONLY | O_CREAT | O_EXCL, NOBODY, NOBODY, 0, 0},
};

static void test_safe_open_table(void)
{
    VSTRING *why = vstring_alloc(100);

    for (size_t i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]); i++) {
        const OPEN_CASE *tc = open_cases + i;
        struct stat st;

        if (geteuid() != 0 &&
            (tc->user != ANYU || tc->group != ANYG || tc->setup == setup_nobody_file)) {
            printf("# skipped (not root): %s\n", tc->name);
            continue;
        }
        setup_dir();
        tc->setup();
        vstring_strcpy(why, "stale");
        int fd = safe_open(path_f, tc->flags, 0600, &st, tc->user, tc->group, why);
        if (tc->want_why == 0) {
            if (fd < 0) {
                PTEST_FAIL("%s: got error \"%s\", want success", tc->name, vstring_str(why));
            } else {
                if ((long)st.st_size != tc->want_size || (long)file_size(path_f) != tc->want_size)
                    PTEST_FAIL("%s: size %ld, want %ld", tc->name, (long)st.st_size, tc->want_size);
                if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC) || (fcntl(fd, F_GETFL) & O_NONBLOCK))
                    PTEST_FAIL("%s: descriptor flags wrong", tc->name);
                if (tc->user != ANYU && st.st_uid != tc->user)
                    PTEST_FAIL("%s: owner %ld, want %ld", tc->name, (long)st.st_uid,
                               (long)tc->user);
                close(fd);
            }
        } else {
            if (fd >= 0) {
                PTEST_FAIL("%s: got success, want \"%s\"", tc->name, tc->want_why);
                close(fd);
            } else if (strcmp(vstring_str(why), tc->want_why) != 0) {
                PTEST_FAIL("%s: got \"%s\", want \"%s\"", tc->name, vstring_str(why), tc->want_why);
            }
            /* Nothing was created through a link, nothing truncated. */
            long target = (long)file_size(path_target);
            if (tc->setup == setup_symlink || tc->setup == setup_hardlink ||
                tc->setup == setup_dangling) {
                if (target != tc->want_size)
                    PTEST_FAIL("%s: link target size %ld, want %ld", tc->name, target,
                               tc->want_size);
            } else if (tc->want_size >= 0 && (long)file_size(path_f) != tc->want_size) {
                PTEST_FAIL("%s: file size %ld, want %ld", tc->name, (long)file_size(path_f),
                           tc->want_size);
            }
        }
        cleanup_dir();
    }
    vstring_free(why);
}

/* The name is swapped for another file after the open: verify notices. */
static void test_verify_detects_replacement(void)
{
    VSTRING *why = vstring_alloc(100);
    char other[160];

    setup_dir();
    make_file(path_f, "data");
    snprintf(other, sizeof(other), "%s/other", dir);
    make_file(other, "evil");
    int fd = safe_open(path_f, O_RDWR, 0, 0, ANYU, ANYG, why);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(safe_open_verify(fd, path_f, 0, ANYU, ANYG, why), 0);
    if (rename(other, path_f) < 0)
        PTEST_FAIL("rename: %s", strerror(errno));
    PTEST_INT_EQ(safe_open_verify(fd, path_f, 0, ANYU, ANYG, why), -1);
    PTEST_STR_EQ(vstring_str(why), "file was replaced while being opened");
    unlink(path_f);
    PTEST_INT_EQ(safe_open_verify(fd, path_f, 0, ANYU, ANYG, why), -1);
    PTEST_STR_EQ(vstring_str(why),
                 "file was removed while being opened: No such file or directory");
    /* A symbolic link swapped in for the name. */
    if (symlink("somewhere", path_f) < 0)
        PTEST_FAIL("symlink: %s", strerror(errno));
    PTEST_INT_EQ(safe_open_verify(fd, path_f, 0, ANYU, ANYG, why), -1);
    PTEST_STR_EQ(vstring_str(why), "file is a symbolic link");
    close(fd);
    cleanup_dir();
    vstring_free(why);
}

static int count_groups(void)
{
    return getgroups(0, 0);
}

static void test_open_as(void)
{
    VSTRING *why = vstring_alloc(100);
    struct stat st;

    if (geteuid() != 0) {
        printf("# skipped: not root\n");
        return;
    }
    setup_dir();
    int groups_before = count_groups();
    int fd = open_as(path_f, O_WRONLY | O_CREAT | O_EXCL, 0600, &st, NOBODY, NOBODY, why);
    PTEST_CHECK(fd >= 0);
    PTEST_INT_EQ(st.st_uid, NOBODY);
    PTEST_INT_EQ(st.st_gid, NOBODY);
    close(fd);
    /* Privileges are back. */
    PTEST_INT_EQ(geteuid(), 0);
    PTEST_INT_EQ(getegid(), 0);
    PTEST_INT_EQ(count_groups(), groups_before);

    /* The recipient's permissions apply: root's private file is out of reach. */
    make_file(path_target, "secret");
    fd = open_as(path_target, O_RDONLY, 0, 0, NOBODY, NOBODY, why);
    PTEST_INT_EQ(fd, -1);
    PTEST_INT_EQ(errno, EACCES);
    PTEST_STR_EQ(vstring_str(why), "cannot open file: Permission denied");
    PTEST_INT_EQ(geteuid(), 0);
    /* And the link checks still apply. */
    unlink(path_f);
    if (symlink("target", path_f) < 0)
        PTEST_FAIL("symlink: %s", strerror(errno));
    PTEST_INT_EQ(open_as(path_f, O_WRONLY | O_APPEND | O_CREAT, 0600, 0, NOBODY, NOBODY, why), -1);
    PTEST_STR_EQ(vstring_str(why), "file is a symbolic link");
    cleanup_dir();
    vstring_free(why);
}

static void test_open_as_unprivileged(void)
{
    VSTRING *why = vstring_alloc(100);

    if (geteuid() == 0)
        set_ugid(NOBODY, NOBODY);
    setup_dir();
    PTEST_INT_EQ(open_as(path_f, O_WRONLY | O_CREAT, 0600, 0, 0, 0, why), -1);
    PTEST_INT_EQ(errno, EPERM);
    PTEST_STR_EQ(vstring_str(why), "cannot open as uid 0: not privileged");
    /* As oneself, no switch is needed. */
    int fd = open_as(path_f, O_WRONLY | O_CREAT, 0600, 0, geteuid(), getegid(), why);
    PTEST_CHECK(fd >= 0);
    close(fd);
    cleanup_dir();
    vstring_free(why);
}

static void test_set_ugid_drops_for_good(void)
{
    uid_t r, e, s;
    gid_t list[4];

    if (geteuid() != 0) {
        printf("# skipped: not root\n");
        return;
    }
    set_ugid(NOBODY, NOBODY);
    PTEST_INT_EQ(getresuid(&r, &e, &s), 0);
    PTEST_INT_EQ(r, NOBODY);
    PTEST_INT_EQ(e, NOBODY);
    PTEST_INT_EQ(s, NOBODY);
    PTEST_INT_EQ(getgid(), NOBODY);
    PTEST_INT_EQ(getgroups(4, list), 1);
    PTEST_INT_EQ(list[0], NOBODY);
    PTEST_INT_EQ(setuid(0), -1);
    PTEST_INT_EQ(seteuid(0), -1);
}

static void test_set_eugid_is_temporary(void)
{
    if (geteuid() != 0) {
        printf("# skipped: not root\n");
        return;
    }
    set_eugid(NOBODY, NOBODY);
    PTEST_INT_EQ(geteuid(), NOBODY);
    PTEST_INT_EQ(getuid(), 0);
    set_eugid(0, 0);
    PTEST_INT_EQ(geteuid(), 0);
    PTEST_INT_EQ(getegid(), 0);

    /* The bracket restores the supplementary groups too. */
    gid_t three[3] = {0, 4, 7};
    gid_t list[8];
    if (setgroups(3, three) < 0)
        PTEST_FAIL("setgroups: %s", strerror(errno));
    SET_EUGID_SAVED saved;
    set_eugid_enter(&saved, NOBODY, NOBODY);
    PTEST_INT_EQ(geteuid(), NOBODY);
    PTEST_INT_EQ(getgroups(8, list), 1);
    PTEST_INT_EQ(list[0], NOBODY);
    set_eugid_leave(&saved);
    PTEST_INT_EQ(geteuid(), 0);
    PTEST_INT_EQ(getgroups(8, list), 3);
    PTEST_INT_EQ(list[1], 4);
    PTEST_INT_EQ(list[2], 7);
}

static void test_set_ugid_unprivileged_is_fatal(void)
{
    if (geteuid() == 0)
        set_ugid(NOBODY, NOBODY);
    PTEST_EXPECT_EXIT(1);
    set_ugid(0, 0);
}

static void test_chroot_uid(void)
{
    if (geteuid() != 0 || getpwnam("nobody") == 0) {
        printf("# skipped: not root or no user nobody\n");
        return;
    }
    setup_dir();
    make_file(path_f, "inside");
    /* The chroot happens in a child, so that this process can clean up. */
    pid_t pid = fork();
    if (pid == 0) {
        uid_t want = getpwnam("nobody")->pw_uid;
        char cwd[64];
        chroot_uid(dir, "nobody");
        if (geteuid() != want || getuid() != want)
            _exit(2);
        if (access("/f", F_OK) != 0) /* the temp directory is now / */
            _exit(3);
        if (getcwd(cwd, sizeof(cwd)) == 0 || strcmp(cwd, "/") != 0)
            _exit(4);
        if (seteuid(0) == 0)
            _exit(5);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    PTEST_INT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
    cleanup_dir();
}

static void test_chroot_uid_unknown_user(void)
{
    PTEST_EXPECT_EXIT(1);
    chroot_uid(0, "no-such-user-postern-test");
}

static const PTEST_CASE cases[] = {
    {"safe_open_table", test_safe_open_table},
    {"verify_detects_replacement", test_verify_detects_replacement},
    {"open_as", test_open_as},
    {"open_as_unprivileged", test_open_as_unprivileged},
    {"set_ugid_drops_for_good", test_set_ugid_drops_for_good},
    {"set_eugid_is_temporary", test_set_eugid_is_temporary},
    {"set_ugid_unprivileged_is_fatal", test_set_ugid_unprivileged_is_fatal},
    {"chroot_uid", test_chroot_uid},
    {"chroot_uid_unknown_user", test_chroot_uid_unknown_user},
};

PTEST_MAIN(cases)
