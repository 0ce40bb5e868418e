/*
 * Unit tests for myflock and dot_lockfile: lock contention between two
 * processes for each style (non-blocking refusal, blocking wait until the
 * holder lets go, shared locks coexisting), lock style names, dot lock
 * retries, stale lock removal, a symbolic link as lock file, and errors
 * that must fail at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dot_lockfile.h"
#include "iostuff.h"
#include "myflock.h"
#include "ptest.h"
#include "vstring.h"

static char dir[64];
static char path[128];
static char lock_path[140];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/myflock_testXXXXXX");
    if (mkdtemp(dir) == 0)
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/mbox", dir);
    snprintf(lock_path, sizeof(lock_path), "%s.lock", path);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    close(fd);
}

static void cleanup(void)
{
    unlink(lock_path);
    unlink(path);
    rmdir(dir);
}

/*
 * A child that locks the file with style/op and reports one byte on a pipe:
 * 'y' when it got the lock, 'n' when refused (EAGAIN), 'e' on other errors.
 * It then holds the lock until its stdin-like pipe closes.
 */
static int hold_write_end;

static pid_t locker(int style, int op, int report_fd, int hold_fd)
{
    pid_t pid = fork();

    if (pid == 0) {
        close(hold_write_end); /* else the pipe never closes */
        int fd = open(path, O_RDWR);
        char c = myflock(fd, style, op) == 0 ? 'y' : errno == EAGAIN ? 'n' : 'e';
        if (write(report_fd, &c, 1) != 1)
            _exit(1);
        char buf[1];
        if (read(hold_fd, buf, 1) < 0)
            _exit(1);
        _exit(0);
    }
    return pid;
}

static int wait_report(int fd, int ms)
{
    char c;

    if (poll_fd(fd, POLLIN, ms) <= 0)
        return 't'; /* timed out: still waiting */
    return read(fd, &c, 1) == 1 ? c : 'r';
}

static void contention(int style)
{
    int report[2], hold[2];

    setup();
    if (pipe(report) < 0 || pipe(hold) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    hold_write_end = hold[1];
    int fd = open(path, O_RDWR);
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_EXCLUSIVE), 0);

    /* Refused without waiting. */
    pid_t p1 = locker(style, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT, report[1], hold[0]);
    PTEST_INT_EQ(wait_report(report[0], 2000), 'n');
    pid_t p2 = locker(style, MYFLOCK_OP_SHARED | MYFLOCK_OP_NOWAIT, report[1], hold[0]);
    PTEST_INT_EQ(wait_report(report[0], 2000), 'n');

    /* A blocking request waits until the holder unlocks. */
    pid_t p3 = locker(style, MYFLOCK_OP_EXCLUSIVE, report[1], hold[0]);
    PTEST_INT_EQ(wait_report(report[0], 200), 't');
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_NONE), 0);
    PTEST_INT_EQ(wait_report(report[0], 2000), 'y');
    /* Now the child holds it: we are refused. */
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT), -1);
    PTEST_INT_EQ(errno, EAGAIN);

    close(hold[1]); /* let the children go */
    waitpid(p1, 0, 0);
    waitpid(p2, 0, 0);
    waitpid(p3, 0, 0);
    /* The holder exited: the lock is ours again. */
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT), 0);
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_NONE), 0);

    /* Shared locks coexist; an exclusive one is refused while they are held. */
    if (pipe(hold) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    hold_write_end = hold[1];
    PTEST_INT_EQ(myflock(fd, style, MYFLOCK_OP_SHARED), 0);
    pid_t p4 = locker(style, MYFLOCK_OP_SHARED | MYFLOCK_OP_NOWAIT, report[1], hold[0]);
    PTEST_INT_EQ(wait_report(report[0], 2000), 'y');
    pid_t p5 = locker(style, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT, report[1], hold[0]);
    PTEST_INT_EQ(wait_report(report[0], 2000), 'n');
    close(hold[1]);
    waitpid(p4, 0, 0);
    waitpid(p5, 0, 0);
    close(fd);
    cleanup();
}

static void test_flock_contention(void)
{
    contention(MYFLOCK_STYLE_FLOCK);
}

static void test_fcntl_contention(void)
{
    contention(MYFLOCK_STYLE_FCNTL);
}

static void test_style_names(void)
{
    static const struct {
        const char *list;
        int want;
        const char *why;
    } tests[] = {
        {"fcntl, dotlock", MYFLOCK_STYLE_FCNTL | MYFLOCK_STYLE_DOTLOCK, 0},
        {"flock", MYFLOCK_STYLE_FLOCK, 0},
        {"flock fcntl\tdotlock", MYFLOCK_STYLE_FLOCK | MYFLOCK_STYLE_FCNTL | MYFLOCK_STYLE_DOTLOCK,
         0},
        {"fcntl,fcntl", MYFLOCK_STYLE_FCNTL, 0},
        {"", 0, 0},
        {"fcntl, lockf", -1, "unsupported lock method: \"lockf\""},
        {"FCNTL", -1, "unsupported lock method: \"FCNTL\""},
    };
    VSTRING *why = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        vstring_reset(why);
        int got = myflock_style_mask(tests[i].list, why);
        if (got != tests[i].want)
            PTEST_FAIL("\"%s\": got %d, want %d", tests[i].list, got, tests[i].want);
        if (tests[i].why)
            PTEST_STR_EQ(vstring_str(why), tests[i].why);
    }
    PTEST_STR_EQ(myflock_style_names[0], "flock");
    PTEST_STR_EQ(myflock_style_names[1], "fcntl");
    PTEST_STR_EQ(myflock_style_names[2], "dotlock");
    PTEST_CHECK(myflock_style_names[3] == 0);
    vstring_free(why);
}

/* --- dot locks -------------------------------------------------------------------- */

static const DOT_LOCK_OPTS fast = {4, 20, 500};

static void test_dotlock_basic(void)
{
    VSTRING *why = vstring_alloc(10);
    struct stat st;

    setup();
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), 0);
    PTEST_INT_EQ(lstat(lock_path, &st), 0);
    PTEST_CHECK(S_ISREG(st.st_mode));
    /* Held: all attempts fail, after backing off 20 + 40 + 80 ms (plus jitter). */
    int64_t start = mono_ms();
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), -1);
    int64_t took = mono_ms() - start;
    PTEST_INT_EQ(errno, EEXIST);
    VSTRING *want = vstring_alloc(10);
    vstring_sprintf(want, "cannot create lock file %s: File exists", lock_path);
    PTEST_STR_EQ(vstring_str(why), vstring_str(want));
    PTEST_CHECK(took >= 140 && took < 1000);
    dot_unlockfile(path);
    PTEST_INT_EQ(lstat(lock_path, &st), -1);
    dot_unlockfile(path); /* twice: harmless */
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), 0);
    dot_unlockfile(path);
    cleanup();
    vstring_free(want);
    vstring_free(why);
}

static void test_dotlock_stale_removed(void)
{
    VSTRING *why = vstring_alloc(10);
    struct timeval old[2] = {{time(0) - 1000, 0}, {time(0) - 1000, 0}};
    struct timeval fresh[2] = {{time(0) - 100, 0}, {time(0) - 100, 0}};

    setup();
    int fd = open(lock_path, O_WRONLY | O_CREAT, 0600);
    close(fd);
    /* 100 seconds old, stale after 500: respected. */
    utimes(lock_path, fresh);
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), -1);
    /* 1000 seconds old: removed, and the lock is ours at once. */
    utimes(lock_path, old);
    int64_t start = mono_ms();
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), 0);
    PTEST_CHECK(mono_ms() - start < 100);
    struct stat st;
    PTEST_INT_EQ(stat(lock_path, &st), 0);
    PTEST_CHECK(st.st_mtime >= time(0) - 5);
    dot_unlockfile(path);
    cleanup();
    vstring_free(why);
}

/* Another process holds the lock for 150 ms; we get it once it lets go. */
static void test_dotlock_contention(void)
{
    VSTRING *why = vstring_alloc(10);
    DOT_LOCK_OPTS patient = {30, 10, 500};

    setup();
    PTEST_INT_EQ(dot_lockfile(path, &fast, why), 0);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(150000);
        dot_unlockfile(path);
        _exit(0);
    }
    int64_t start = mono_ms();
    PTEST_INT_EQ(dot_lockfile(path, &patient, why), 0);
    int64_t took = mono_ms() - start;
    PTEST_CHECK(took >= 140 && took < 2000);
    waitpid(pid, 0, 0);
    dot_unlockfile(path);
    cleanup();
    vstring_free(why);
}

/* A symbolic link as lock file is a lock held, never a way to create its target. */
static void test_dotlock_symlink(void)
{
    VSTRING *why = vstring_alloc(10);
    char victim[160];
    struct stat st;

    setup();
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    if (symlink(victim, lock_path) < 0)
        PTEST_FAIL("symlink: %s", strerror(errno));
    DOT_LOCK_OPTS once = {1, 10, 500};
    PTEST_INT_EQ(dot_lockfile(path, &once, why), -1);
    PTEST_INT_EQ(errno, EEXIST);
    PTEST_INT_EQ(lstat(victim, &st), -1);
    cleanup();
    vstring_free(why);
}

static void test_dotlock_hard_error_fails_at_once(void)
{
    VSTRING *why = vstring_alloc(10);

    int64_t start = mono_ms();
    PTEST_INT_EQ(dot_lockfile("/nonexistent-dir-postern/mbox", 0, why), -1);
    PTEST_INT_EQ(errno, ENOENT);
    PTEST_CHECK(mono_ms() - start < 100);
    PTEST_STR_EQ(vstring_str(why),
                 "cannot create lock file /nonexistent-dir-postern/mbox.lock: No such file or "
                 "directory");
    vstring_free(why);
}

static void test_dotlock_as_user(void)
{
    VSTRING *why = vstring_alloc(10);
    struct stat st;

    if (geteuid() != 0) {
        printf("# skipped: not root\n");
        return;
    }
    setup();
    /* A directory only the recipient (nobody) may write, like a home directory. */
    if (chown(dir, 65534, 65534) < 0)
        PTEST_FAIL("chown: %s", strerror(errno));
    chmod(dir, 0755);
    PTEST_INT_EQ(dot_lockfile_as(path, &fast, why, 65534, 65534), 0);
    PTEST_INT_EQ(lstat(lock_path, &st), 0);
    PTEST_INT_EQ(st.st_uid, 65534);
    PTEST_INT_EQ(geteuid(), 0);
    dot_unlockfile(path);
    cleanup();
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"flock_contention", test_flock_contention},
    {"fcntl_contention", test_fcntl_contention},
    {"style_names", test_style_names},
    {"dotlock_basic", test_dotlock_basic},
    {"dotlock_stale_removed", test_dotlock_stale_removed},
    {"dotlock_contention", test_dotlock_contention},
    {"dotlock_symlink", test_dotlock_symlink},
    {"dotlock_hard_error_fails_at_once", test_dotlock_hard_error_fails_at_once},
    {"dotlock_as_user", test_dotlock_as_user},
};

PTEST_MAIN(cases)
