/*
 * master_spawn - children: fork/exec, the status protocol, process limits,
 * throttling and wakeup triggers; see master.h and master_proto.h.
 *
 * Process management, per service generation:
 *   - master watches the service's endpoints only while none of its
 *     children is available (avail_proc == 0), fewer than maxproc exist and
 *     the service is not throttled; a readable endpoint then forks one more
 *     child, which counts as available until it reports TAKEN;
 *   - a child that exits abnormally ("exit status N" or "killed by signal
 *     N" is logged) before it ever took a client makes master throttle the
 *     service: "bad command startup -- throttling", no new children for
 *     service_throttle_time seconds;
 *   - when every child is busy at the limit, master logs Postfix's
 *     "service ... has reached its process limit" warning (at most once a
 *     minute per service).
 * Wakeups (master.cf column 6): every wakeup_time seconds master writes
 * "W" to the service's own endpoint (unix: connect and write; fifo: write),
 * the first one right after (re)start; with "?" only once the service has
 * had a child in this generation.  inet and pass services get no wakeups
 * (a warning once).
 *
 * What can go wrong: fork() failing (logged, retried on the next event);
 * exec() failing in the child (logged by the child, which exits 1 and gets
 * the service throttled); a wakeup that cannot be delivered (logged in
 * verbose mode only: a wakeup is a hint).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "htable.h"
#include "iostuff.h"
#include "mail_params.h"
#include "master.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "trigger.h"

typedef struct MASTER_PROC {
    pid_t pid;
    unsigned gen;
    int avail;
    int use_count;
    MASTER_SERV *serv; /* null once its generation was stopped */
} MASTER_PROC;

int master_stopping;

static HTABLE *master_procs; /* key: decimal pid */
static unsigned master_generation;
static sigset_t master_spawn_changed; /* signals whose disposition is not SIG_DFL */

static void master_avail_listen(MASTER_SERV *serv);
static void master_limit_warning(MASTER_SERV *serv);

/*
 * Which signals a child must reset before exec: those master (or whoever
 * started master) did not leave at SIG_DFL.  Looked up once here, so that a
 * child resets those few instead of every signal (about 60 rt_sigaction
 * calls per fork before).  execve() resets caught signals by itself, but not
 * ignored ones; the caught ones are reset too, so that a signal arriving
 * between fork and exec does not run master's handler in the child.
 */
void master_spawn_init(void)
{
    struct sigaction old;

    master_procs = htable_create(100);
    sigemptyset(&master_spawn_changed);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, 0, &old) == 0 &&
            old.sa_handler != SIG_DFL)
            sigaddset(&master_spawn_changed, sig);
}

static const char *master_pid_key(pid_t pid)
{
    static char buf[32];

    snprintf(buf, sizeof(buf), "%ld", (long)pid);
    return buf;
}

int master_spawn_children(void)
{
    return master_procs ? (int)master_procs->used : 0;
}

void master_spawn_kill_all(int sig)
{
    HTABLE_INFO **list = htable_list(master_procs);

    for (HTABLE_INFO **ht = list; *ht; ht++)
        (void)kill(((MASTER_PROC *)(*ht)->value)->pid, sig);
    myfree(list);
}

/* The child, after fork(): descriptors in place, then exec. */
static void master_spawn_child(MASTER_SERV *serv)
{
    int n = (int)serv->endpoints->argc;
    int *tmp = mymalloc_array((size_t)n + 1, sizeof(int));
    char gen[32];
    struct sigaction sa;
    sigset_t none;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&master_spawn_changed, sig) == 1)
            (void)sigaction(sig, &sa, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);

    /* Move the sources out of the way first: they may sit on 3, 4, ... */
    tmp[0] = fcntl(serv->status_fd[1], F_DUPFD_CLOEXEC, 100);
    for (int i = 0; i < n; i++)
        tmp[1 + i] = fcntl(serv->listen_fd[i], F_DUPFD_CLOEXEC, 100);
    for (int i = 0; i <= n; i++) {
        if (tmp[i] < 0 || dup2(tmp[i], MASTER_STATUS_FD + i) < 0)
            msg_fatal("%s: set up descriptor %d: %m", serv->path, MASTER_STATUS_FD + i);
        close(tmp[i]);
    }
    /* Postfix daemons expect blocking inherited endpoints; the skeleton
     * sets what it wants. */
    snprintf(gen, sizeof(gen), "%u", serv->gen);
    if (setenv(MASTER_GEN_ENV, gen, 1) < 0)
        msg_fatal("setenv: %m");
    execv(serv->path, serv->args->argv);
    msg_fatal("%s: exec %s: %m", serv->key, serv->path);
}

static void master_spawn(MASTER_SERV *serv)
{
    MASTER_PROC *proc;
    pid_t pid;

    if (serv->max_proc > 0 && serv->total_proc >= serv->max_proc)
        return;
    switch (pid = fork()) {
    case -1:
        msg_warn("%s: fork: %m -- throttling", serv->path);
        serv->flags |= MASTER_FLAG_THROTTLED;
        master_avail_listen(serv);
        return;
    case 0:
        master_spawn_child(serv);
        _exit(1);
    default:
        break;
    }
    if (msg_verbose)
        msg_info("spawn %s pid %ld for service %s", serv->path, (long)pid, serv->key);
    proc = mycalloc(1, sizeof(*proc));
    proc->pid = pid;
    proc->gen = serv->gen;
    proc->avail = 1;
    proc->serv = serv;
    htable_enter(master_procs, master_pid_key(pid), proc);
    serv->total_proc++;
    serv->avail_proc++;
    serv->flags |= MASTER_FLAG_USED;
    master_avail_listen(serv);
}

/* An endpoint is readable and nobody is waiting for it. */
static void master_avail_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;

    if (serv->avail_proc > 0 || (serv->flags & MASTER_FLAG_THROTTLED) != 0)
        return;
    if (serv->max_proc > 0 && serv->total_proc >= serv->max_proc) {
        /* A client waits and every child is busy: stop watching until
         * one becomes available or exits. */
        serv->flags |= MASTER_FLAG_LIMITED;
        master_limit_warning(serv);
        master_avail_listen(serv);
        return;
    }
    master_spawn(serv);
}

static void master_avail_listen(MASTER_SERV *serv)
{
    int want;

    if (serv->max_proc == 0 || serv->total_proc < serv->max_proc)
        serv->flags &= ~MASTER_FLAG_LIMITED;
    want = serv->avail_proc == 0 &&
           (serv->flags & (MASTER_FLAG_THROTTLED | MASTER_FLAG_LIMITED)) == 0 &&
           serv->status_fd[0] >= 0;

    if (want && (serv->flags & MASTER_FLAG_LISTENING) == 0) {
        for (size_t i = 0; i < serv->endpoints->argc; i++)
            event_enable_read(serv->listen_fd[i], master_avail_event, serv);
        serv->flags |= MASTER_FLAG_LISTENING;
    } else if (!want && (serv->flags & MASTER_FLAG_LISTENING) != 0) {
        for (size_t i = 0; i < serv->endpoints->argc; i++)
            event_disable_readwrite(serv->listen_fd[i]);
        serv->flags &= ~MASTER_FLAG_LISTENING;
    }
}

static void master_limit_warning(MASTER_SERV *serv)
{
    time_t now = time(0);

    if (serv->max_proc <= 1 || now - serv->limit_warned < 60)
        return;
    serv->limit_warned = now;
    msg_warn("service \"%s\" (%s) has reached its process limit \"%d\": new clients may "
             "experience noticeable delays",
             serv->name, serv->endpoints->argv[0], serv->max_proc);
    msg_warn("to avoid this condition, increase the process count in master.cf or reduce "
             "the service time per client");
}

/*
 * Status messages: read in batches with recvmmsg(), so that the messages
 * that are queued cost one system call, and a batch that is not full says
 * that the socket is drained (no extra read that ends in EAGAIN).
 */
#define MASTER_STATUS_BATCH 32

static void master_status_one(MASTER_SERV *serv, const MASTER_STATUS *st, size_t len)
{
    MASTER_PROC *proc;

    if (len != sizeof(*st)) {
        msg_warn("service %s: status message of %zu bytes ignored", serv->key, len);
        return;
    }
    proc = htable_find(master_procs, master_pid_key(st->pid));
    if (proc == 0 || proc->serv != serv || st->gen != serv->gen) {
        if (msg_verbose)
            msg_info("service %s: stale status from pid %d ignored", serv->key, st->pid);
        return;
    }
    if (st->avail == MASTER_STAT_TAKEN && proc->avail) {
        proc->avail = 0;
        proc->use_count++;
        serv->avail_proc--;
    } else if (st->avail == MASTER_STAT_AVAIL && !proc->avail) {
        proc->avail = 1;
        serv->avail_proc++;
    }
}

static void master_status_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;
    MASTER_STATUS st[MASTER_STATUS_BATCH];
    struct mmsghdr mh[MASTER_STATUS_BATCH];
    struct iovec iov[MASTER_STATUS_BATCH];
    int n;

    for (;;) {
        memset(mh, 0, sizeof(mh));
        for (int i = 0; i < MASTER_STATUS_BATCH; i++) {
            iov[i].iov_base = &st[i];
            iov[i].iov_len = sizeof(st[i]);
            mh[i].msg_hdr.msg_iov = &iov[i];
            mh[i].msg_hdr.msg_iovlen = 1;
        }
        n = recvmmsg(serv->status_fd[0], mh, MASTER_STATUS_BATCH, MSG_DONTWAIT | MSG_TRUNC, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                msg_warn("service %s: read status: %m", serv->key);
            break;
        }
        for (int i = 0; i < n; i++)
            master_status_one(serv, &st[i], mh[i].msg_len);
        if (n < MASTER_STATUS_BATCH)
            break;
    }
    master_avail_listen(serv);
}

static void master_unthrottle(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;

    serv->flags &= ~MASTER_FLAG_THROTTLED;
    master_avail_listen(serv);
}

static void master_throttle(MASTER_SERV *serv)
{
    msg_warn("%s: bad command startup -- throttling", serv->path);
    serv->flags |= MASTER_FLAG_THROTTLED;
    event_request_timer(master_unthrottle, serv, var_service_throttle_time * 1000);
    master_avail_listen(serv);
}

void master_spawn_reap(void)
{
    int status;
    pid_t pid;
    MASTER_PROC *proc;
    MASTER_SERV *serv;
    int bad;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        const char *key = master_pid_key(pid);

        if ((proc = htable_find(master_procs, key)) == 0) {
            if (msg_verbose)
                msg_info("reaped unknown pid %ld", (long)pid);
            continue;
        }
        serv = proc->serv;
        bad = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
            msg_warn("process %s pid %ld exit status %d", serv ? serv->path : "(stopped service)",
                     (long)pid, WEXITSTATUS(status));
            bad = 1;
        } else if (WIFSIGNALED(status) && !(master_stopping && WTERMSIG(status) == SIGTERM)) {
            msg_warn("process %s pid %ld killed by signal %d",
                     serv ? serv->path : "(stopped service)", (long)pid, WTERMSIG(status));
            bad = 1;
        }
        if (serv) {
            serv->total_proc--;
            if (proc->avail)
                serv->avail_proc--;
            if (bad && proc->use_count == 0 && !master_stopping &&
                (serv->flags & MASTER_FLAG_THROTTLED) == 0)
                master_throttle(serv);
            master_avail_listen(serv);
        }
        htable_delete(master_procs, key, myfree);
    }
}

/* Wakeups. */

static void master_wakeup_event(int event, void *ctx)
{
    MASTER_SERV *serv = ctx;
    const char *ep = serv->endpoints->argv[0];
    int r;

    if (serv->wakeup_time > 0)
        event_request_timer(master_wakeup_event, serv, serv->wakeup_time * 1000);
    if (serv->wakeup_if_used && (serv->flags & MASTER_FLAG_USED) == 0)
        return;
    if (serv->flags & MASTER_FLAG_THROTTLED)
        return;
    if (strcmp(serv->type, "unix") == 0)
        r = unix_trigger(ep, "W", 1, 1000);
    else if (strcmp(serv->type, "fifo") == 0)
        r = fifo_trigger(ep, "W", 1, 1000);
    else
        return;
    if (r < 0 && msg_verbose)
        msg_info("wakeup %s: %m", ep);
}

void master_spawn_start(MASTER_SERV *serv)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, serv->status_fd) < 0)
        msg_fatal("socketpair: %m");
    non_blocking(serv->status_fd[0], NON_BLOCKING);
    serv->gen = ++master_generation;
    serv->total_proc = serv->avail_proc = 0;
    serv->flags = MASTER_FLAG_STARTED;
    event_enable_read(serv->status_fd[0], master_status_event, serv);
    master_avail_listen(serv);
    if (serv->wakeup_time > 0) {
        if (strcmp(serv->type, "unix") != 0 && strcmp(serv->type, "fifo") != 0)
            msg_warn("service %s: wakeup requests are sent only to unix and fifo services",
                     serv->key);
        else
            event_request_timer(master_wakeup_event, serv, 0);
    }
}

void master_spawn_stop(MASTER_SERV *serv, int kill_children)
{
    HTABLE_INFO **list;

    if ((serv->flags & MASTER_FLAG_STARTED) == 0)
        return;
    event_cancel_timer(master_wakeup_event, serv);
    event_cancel_timer(master_unthrottle, serv);
    if (serv->flags & MASTER_FLAG_LISTENING) {
        for (size_t i = 0; i < serv->endpoints->argc; i++)
            event_disable_readwrite(serv->listen_fd[i]);
        serv->flags &= ~MASTER_FLAG_LISTENING;
    }
    event_disable_readwrite(serv->status_fd[0]);
    close(serv->status_fd[0]);
    close(serv->status_fd[1]);
    serv->status_fd[0] = serv->status_fd[1] = -1;
    list = htable_list(master_procs);
    for (HTABLE_INFO **ht = list; *ht; ht++) {
        MASTER_PROC *proc = (*ht)->value;

        if (proc->serv != serv)
            continue;
        if (kill_children)
            (void)kill(proc->pid, SIGTERM);
        proc->serv = 0;
    }
    myfree(list);
    serv->total_proc = serv->avail_proc = 0;
    serv->flags &= ~MASTER_FLAG_STARTED;
}
