/*
 * ptest - the unit-test harness (header only; included by *_test.c files).
 *
 * A test file defines cases and a table, and ends with PTEST_MAIN(table):
 *
 *     static void test_split(void) { PTEST_STR_EQ(got, "want"); }
 *     static const PTEST_CASE cases[] = { {"split", test_split}, };
 *     PTEST_MAIN(cases)
 *
 * Each case runs in a child process, so a crash, msg_fatal() or a leak of
 * state cannot affect the next case.  Output is one line per case,
 * "ok - FILE: NAME" or "not ok - FILE: NAME", with "got ..., want ..."
 * details on the lines before it; tests/run.py counts these lines.  The
 * exit status is 1 when any case failed.  A case that expects to end the
 * process (e.g. with msg_fatal) uses PTEST_EXPECT_EXIT(status).
 */
#ifndef POSTERN_PTEST_H
#define POSTERN_PTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct PTEST_CASE {
    const char *name;
    void (*fn)(void);
} PTEST_CASE;

static int ptest_failed;
static int ptest_report_fd = -1;

#define PTEST_FAIL(...)                                                                            \
    do {                                                                                           \
        fprintf(stdout, "#   %s:%d: ", __FILE__, __LINE__);                                        \
        fprintf(stdout, __VA_ARGS__);                                                              \
        fputc('\n', stdout);                                                                       \
        ptest_failed = 1;                                                                          \
    } while (0)

#define PTEST_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            PTEST_FAIL("check failed: %s", #cond);                                                 \
    } while (0)

#define PTEST_STR_EQ(got, want)                                                                    \
    do {                                                                                           \
        const char *ptest_g = (got), *ptest_w = (want);                                            \
        if ((ptest_g == 0) != (ptest_w == 0) || (ptest_g && strcmp(ptest_g, ptest_w) != 0))        \
            PTEST_FAIL("%s: got \"%s\", want \"%s\"", #got, ptest_g ? ptest_g : "(null)",          \
                       ptest_w ? ptest_w : "(null)");                                              \
    } while (0)

#define PTEST_INT_EQ(got, want)                                                                    \
    do {                                                                                           \
        long long ptest_g = (long long) (got), ptest_w = (long long) (want);                       \
        if (ptest_g != ptest_w)                                                                    \
            PTEST_FAIL("%s: got %lld, want %lld", #got, ptest_g, ptest_w);                         \
    } while (0)

/* The rest of the case is expected to end the process with this exit status. */
static inline void ptest_expect_exit(int status)
{
    unsigned char msg[2] = {'E', (unsigned char) status};

    fflush(stdout);
    if (write(ptest_report_fd, msg, 2) != 2)
        _exit(3);
}
#define PTEST_EXPECT_EXIT(status) ptest_expect_exit(status)

static inline int ptest_run(const char *file, const PTEST_CASE *cases, size_t count)
{
    int failures = 0;
    const char *only = getenv("PTEST_ONLY");
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

    for (size_t i = 0; i < count; i++) {
        unsigned char verdict[2] = {0, 0};
        int pipefd[2];
        int status;
        int ok;
        pid_t pid;

        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        fflush(stdout);
        if (pipe(pipefd) < 0 || (pid = fork()) < 0) {
            perror("ptest");
            return 1;
        }
        if (pid == 0) {
            close(pipefd[0]);
            ptest_report_fd = pipefd[1];
            cases[i].fn();
            fflush(stdout);
            if (write(pipefd[1], ptest_failed ? "F" : "P", 1) != 1)
                _exit(3);
            _exit(0);
        }
        close(pipefd[1]);
        ssize_t got = read(pipefd[0], verdict, 2);
        close(pipefd[0]);
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status)) {
            printf("#   killed by signal %d\n", WTERMSIG(status));
            ok = 0;
        } else if (got >= 1 && verdict[0] == 'E') {
            ok = got == 2 && WEXITSTATUS(status) == verdict[1];
            if (!ok)
                printf("#   exit status %d, want %d\n", WEXITSTATUS(status), verdict[1]);
        } else if (got >= 1 && (verdict[0] == 'P' || verdict[0] == 'F')) {
            ok = verdict[0] == 'P' && WEXITSTATUS(status) == 0;
        } else {
            printf("#   case ended the process unexpectedly (exit status %d)\n",
                   WEXITSTATUS(status));
            ok = 0;
        }
        printf("%s - %s: %s\n", ok ? "ok" : "not ok", base, cases[i].name);
        failures += !ok;
    }
    fflush(stdout);
    return failures ? 1 : 0;
}

#define PTEST_MAIN(cases)                                                                          \
    int main(void)                                                                                 \
    {                                                                                              \
        return ptest_run(__FILE__, cases, sizeof(cases) / sizeof(cases[0]));                       \
    }

#endif
