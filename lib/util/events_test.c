/*
 * Unit tests for events: read and write callbacks on pipes and socketpairs,
 * hangup reporting, disabling a descriptor from another callback in the same
 * round, timer order/replace/cancel (checked against a sorted reference),
 * zero-delay timers not starving I/O, descriptor reuse and event_fork().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "iostuff.h"
#include "ptest.h"

static char trace[4096];

static void trace_add(const char *fmt, int a, int b)
{
    size_t len = strlen(trace);

    snprintf(trace + len, sizeof(trace) - len, fmt, a, b);
}

static void on_io(int event, void *context)
{
    trace_add("io%d:%d ", (int)(long)context, event);
}

static void test_read_and_write(void)
{
    int pfd[2];
    int sv[2];

    trace[0] = 0;
    if (pipe(pfd) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        PTEST_FAIL("pipe/socketpair: %s", strerror(errno));
        return;
    }
    event_enable_read(pfd[0], on_io, (void *)1);
    event_loop(0);
    PTEST_STR_EQ(trace, ""); /* nothing to read yet */
    if (write(pfd[1], "x", 1) != 1)
        PTEST_FAIL("write");
    event_loop(1000);
    PTEST_STR_EQ(trace, "io1:1 ");
    /* Level-triggered: still readable, reported again. */
    trace[0] = 0;
    event_loop(1000);
    PTEST_STR_EQ(trace, "io1:1 ");

    /* Read and write interest on one socket, each with its own callback. */
    trace[0] = 0;
    event_disable_readwrite(pfd[0]);
    event_enable_write(sv[0], on_io, (void *)2);
    event_enable_read(sv[0], on_io, (void *)3);
    event_loop(1000);
    PTEST_STR_EQ(trace, "io2:2 ");
    trace[0] = 0;
    if (write(sv[1], "y", 1) != 1)
        PTEST_FAIL("write");
    event_loop(1000);
    PTEST_STR_EQ(trace, "io3:1 io2:2 ");
    event_disable_readwrite(sv[0]);
    trace[0] = 0;
    event_loop(0);
    PTEST_STR_EQ(trace, "");
}

static void test_hangup(void)
{
    int pfd[2];

    trace[0] = 0;
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    event_enable_read(pfd[0], on_io, (void *)7);
    close(pfd[1]);
    event_loop(1000);
    PTEST_STR_EQ(trace, "io7:5 "); /* EVENT_READ | EVENT_XCPT */
}

/* The first callback to run disables (and closes) the other descriptor. */
static int pair_fds[2];

static void on_disable_other(int event, void *context)
{
    int me = (int)(long)context;
    int other = pair_fds[1 - me];

    trace_add("cb%d:%d ", me, event);
    event_disable_readwrite(other);
    close(other);
}

static void test_disable_in_same_round(void)
{
    int p1[2], p2[2];

    trace[0] = 0;
    if (pipe(p1) < 0 || pipe(p2) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    pair_fds[0] = p1[0];
    pair_fds[1] = p2[0];
    event_enable_read(p1[0], on_disable_other, (void *)0);
    event_enable_read(p2[0], on_disable_other, (void *)1);
    if (write(p1[1], "a", 1) != 1 || write(p2[1], "b", 1) != 1)
        PTEST_FAIL("write");
    event_loop(1000);
    /* Exactly one of the two ran, whichever epoll reported first. */
    if (strcmp(trace, "cb0:1 ") != 0 && strcmp(trace, "cb1:1 ") != 0)
        PTEST_FAIL("got \"%s\", want exactly one callback", trace);
}

/* A descriptor closed without disabling it, and its number reused. */
static void test_descriptor_reuse(void)
{
    int pfd[2];

    trace[0] = 0;
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    event_enable_read(pfd[0], on_io, (void *)1);
    event_loop(0);
    close(pfd[0]);
    close(pfd[1]);
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    event_enable_read(pfd[0], on_io, (void *)2);
    event_enable_write(pfd[1], on_io, (void *)3);
    event_loop(1000);
    PTEST_STR_EQ(trace, "io3:2 ");
    event_disable_readwrite(pfd[1]);
    close(pfd[1]);
    event_disable_readwrite(pfd[1]); /* after close: harmless */
}

/* --- timers --------------------------------------------------------------------- */

#define NTIMERS 200

static int fired[NTIMERS];
static int fired_count;

static void on_timer(int event, void *context)
{
    if (event != EVENT_TIME)
        PTEST_FAIL("timer event %d, want %d", event, EVENT_TIME);
    fired[fired_count++] = (int)(long)context;
}

static void test_timer_order_replace_cancel(void)
{
    int delay[NTIMERS];
    int cancelled[NTIMERS] = {0};

    /* Distinct delays 0..199 ms in a shuffled order. */
    for (int i = 0; i < NTIMERS; i++)
        delay[i] = i;
    srand(12345);
    for (int i = NTIMERS - 1; i > 0; i--) {
        int j = rand() % (i + 1);
        int tmp = delay[i];
        delay[i] = delay[j];
        delay[j] = tmp;
    }
    /* Ask first with a long delay, then replace: only the second request counts. */
    for (int i = 0; i < NTIMERS; i++)
        event_request_timer(on_timer, (void *)(long)i, 60000);
    /* The deadline is the request's time plus its delay: on a busy machine
     * the requests do not all happen within the same millisecond. */
    int64_t when[NTIMERS];

    for (int i = 0; i < NTIMERS; i++) {
        int64_t before = mono_ms();

        event_request_timer(on_timer, (void *)(long)i, delay[i]);
        when[i] = before + delay[i];
    }
    for (int i = 0; i < NTIMERS; i += 3) {
        PTEST_INT_EQ(event_cancel_timer(on_timer, (void *)(long)i), 1);
        PTEST_INT_EQ(event_cancel_timer(on_timer, (void *)(long)i), 0);
        cancelled[i] = 1;
    }
    int64_t start = mono_ms();
    while (mono_ms() - start < 2000 && fired_count < NTIMERS)
        event_loop(300);
    int want_count = 0;
    for (int i = 0; i < NTIMERS; i++)
        want_count += !cancelled[i];
    PTEST_INT_EQ(fired_count, want_count);
    /* Allow for the millisecond that may pass inside event_request_timer(). */
    for (int k = 1; k < fired_count; k++)
        if (when[fired[k - 1]] > when[fired[k]] + 1)
            PTEST_FAIL("timer order: deadline %lld fired before %lld",
                       (long long)when[fired[k - 1]], (long long)when[fired[k]]);
    for (int k = 0; k < fired_count; k++)
        if (cancelled[fired[k]])
            PTEST_FAIL("cancelled timer %d fired", fired[k]);
}

/* Random requests, re-requests and cancels against a model of what must fire. */
#define NMODEL 5000

static int64_t model_when[NMODEL]; /* 0: not active */
static int model_fired[NMODEL];
static int64_t model_last_when;
static int model_bad_order;
static int model_fire_count;

static void on_model_timer(int event, void *context)
{
    long id = (long)context;

    model_fire_count++;
    model_fired[id]++;
    /* Allow 2 ms of slack: the model's clock reading is not the library's. */
    if (model_when[id] + 2 < model_last_when)
        model_bad_order++;
    if (model_when[id] > model_last_when)
        model_last_when = model_when[id];
    model_when[id] = 0;
}

static void test_timer_model(void)
{
    int active = 0;

    srand(4242);
    for (int op = 0; op < 4 * NMODEL; op++) {
        long id = rand() % NMODEL;
        if (rand() % 4 == 0) {
            int got = event_cancel_timer(on_model_timer, (void *)id);
            if (got != (model_when[id] != 0))
                PTEST_FAIL("cancel %ld: got %d, want %d", id, got, model_when[id] != 0);
            active -= got;
            model_when[id] = 0;
        } else {
            int delay = rand() % 50;
            active += model_when[id] == 0;
            event_request_timer(on_model_timer, (void *)id, delay);
            model_when[id] = mono_ms() + delay;
        }
    }
    int64_t start = mono_ms();
    while (model_fire_count < active && mono_ms() - start < 3000)
        event_loop(100);
    PTEST_INT_EQ(model_fire_count, active);
    PTEST_INT_EQ(model_bad_order, 0);
    for (int i = 0; i < NMODEL; i++)
        if (model_fired[i] > 1 || model_when[i] != 0)
            PTEST_FAIL("timer %d fired %d times, still pending %d", i, model_fired[i],
                       model_when[i] != 0);
    /* Nothing is left: a cancel finds nothing. */
    PTEST_INT_EQ(event_cancel_timer(on_model_timer, (void *)1), 0);
}

static void test_timer_wait_is_bounded(void)
{
    fired_count = 0;
    event_request_timer(on_timer, (void *)1, 100);
    int64_t start = mono_ms();
    event_loop(-1); /* must wake up for the timer */
    int64_t took = mono_ms() - start;
    PTEST_INT_EQ(fired_count, 1);
    PTEST_CHECK(took >= 95 && took < 1000);
    /* No descriptors, no timers: the timeout alone bounds the wait. */
    start = mono_ms();
    event_loop(50);
    took = mono_ms() - start;
    PTEST_CHECK(took >= 45 && took < 1000);
    PTEST_CHECK(event_time() > 1700000000);
}

/* A timer that re-requests itself with no delay must not starve I/O. */
static int spin_count;

static void on_spin(int event, void *context)
{
    spin_count++;
    event_request_timer(on_spin, context, 0);
}

static void test_zero_delay_timer_no_starvation(void)
{
    int pfd[2];

    trace[0] = 0;
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    if (write(pfd[1], "x", 1) != 1)
        PTEST_FAIL("write");
    event_enable_read(pfd[0], on_io, (void *)1);
    event_request_timer(on_spin, 0, 0);
    event_loop(1000);
    PTEST_INT_EQ(spin_count, 1);
    PTEST_STR_EQ(trace, "io1:1 ");
    event_loop(1000);
    PTEST_INT_EQ(spin_count, 2);
    PTEST_INT_EQ(event_cancel_timer(on_spin, 0), 1);
}

static void test_fork(void)
{
    int pfd[2];

    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    event_enable_read(pfd[0], on_io, (void *)4);
    event_loop(0);
    pid_t pid = fork();
    if (pid == 0) {
        event_fork();
        /* The parent stops watching; the child's registrations are its own. */
        trace[0] = 0;
        event_loop(2000);
        _exit(strcmp(trace, "io4:1 ") == 0 ? 0 : 1);
    }
    event_disable_readwrite(pfd[0]);
    usleep(50000);
    if (write(pfd[1], "x", 1) != 1)
        PTEST_FAIL("write");
    int status;
    waitpid(pid, &status, 0);
    PTEST_INT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
}

/* An exclusive registration reports like a plain one, and can be dropped
 * and made again; registering it twice is a bug. */
static void test_read_exclusive(void)
{
    int pfd[2];

    trace[0] = 0;
    if (pipe(pfd) < 0) {
        PTEST_FAIL("pipe: %s", strerror(errno));
        return;
    }
    event_enable_read_exclusive(pfd[0], on_io, (void *)4);
    if (write(pfd[1], "x", 1) != 1)
        PTEST_FAIL("write");
    event_loop(1000);
    PTEST_STR_EQ(trace, "io4:1 ");
    trace[0] = 0;
    event_disable_readwrite(pfd[0]);
    event_loop(0);
    PTEST_STR_EQ(trace, "");
    event_enable_read_exclusive(pfd[0], on_io, (void *)5);
    event_loop(1000);
    PTEST_STR_EQ(trace, "io5:1 ");
    /* Registering it again is a bug in the caller: msg_panic, which aborts. */
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        event_enable_read_exclusive(pfd[0], on_io, (void *)6);
        _exit(0);
    }
    PTEST_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        PTEST_FAIL("second exclusive registration did not abort (status 0x%x)", status);
}

static const PTEST_CASE cases[] = {
    {"read_and_write", test_read_and_write},
    {"read_exclusive", test_read_exclusive},
    {"hangup", test_hangup},
    {"disable_in_same_round", test_disable_in_same_round},
    {"descriptor_reuse", test_descriptor_reuse},
    {"timer_order_replace_cancel", test_timer_order_replace_cancel},
    {"timer_model", test_timer_model},
    {"timer_wait_is_bounded", test_timer_wait_is_bounded},
    {"zero_delay_timer_no_starvation", test_zero_delay_timer_no_starvation},
    {"fork", test_fork},
};

PTEST_MAIN(cases)
