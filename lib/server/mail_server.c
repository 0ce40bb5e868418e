/*
 * mail_server - the start-up, privilege handling and event loop that every
 * skeleton shares (see mail_server.h for the contract, mail_server_int.h
 * for the functions here, master_proto.h for the status protocol).
 *
 * Order of start-up, as mail_server.h promises:
 *   options -> main.cf, -o overrides, mail_params_init() -> log tag
 *   "$syslog_name/$process_name" and outputs (maillog_client_init; a
 *   MAIL_SERVER_LOG_WRITER daemon writes maillog_file itself) ->
 *   chdir(queue_directory) -> PRE_INIT (still root) -> chroot (-r) and drop
 *   to mail_owner (-u) -> POST_INIT -> signals -> the loop.
 *
 * Decisions:
 *   - max_use and max_idle are the main.cf parameters (with the service's
 *     -o overrides); master does not pass them.  They do not apply to the
 *     stand-alone modes (-z, -S), where an exit would surprise the tester,
 *     nor to MAIL_SERVER_UNLIMITED daemons.
 *   - SIGTERM: a process that is waiting for work exits at once (after the
 *     EXIT hook); one inside a service call gets MAIL_SERVER_TERM_GRACE
 *     seconds to finish (mail_server_stopping() says 1 meanwhile), then
 *     exits without further ado.
 *   - A watchdog runs during each service call; a call that hangs longer
 *     than daemon_timeout is ended with "fatal: watchdog timeout".  It
 *     costs no system call per call: see "The watchdog" below.
 *   - A daemon that is not MAIL_SERVER_PRIVILEGED refuses to run as root
 *     without -u (master passes -u when the unpriv column is y or "-").
 *     When the process is not root (a developer running -S or -z), -u and
 *     -r are skipped with a warning.
 *
 * What can go wrong: bad options or configuration are msg_fatal (master
 * logs the exit status and throttles the service).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "events.h"
#include "iostuff.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_server.h"
#include "mail_server_int.h"
#include "maillog_client.h"
#include "master_ent.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "set_ugid.h"
#include "sock.h"
#include "stringops.h"

#define MAIL_SERVER_TERM_GRACE 5 /* seconds a busy process gets after SIGTERM */

MAIL_SERVER mail_server;
char *mail_server_service_name;

static volatile sig_atomic_t mail_server_term; /* SIGTERM arrived */
static volatile sig_atomic_t mail_server_in_call;
static volatile sig_atomic_t mail_server_gone; /* master went away */
static int mail_server_wake_pipe[2] = {-1, -1};

int mail_server_stopping(void)
{
    return mail_server_term || mail_server_gone;
}

/* Signals. */

/*
 * The watchdog.  Calling alarm() at the start and the end of every service
 * call cost two system calls per request (14 per message in postlogd).
 * Instead, every call records its own deadline (call start plus
 * daemon_timeout, read from the vDSO clock: no system call), and the alarm
 * is (re)armed only when none is pending or the pending one would go off
 * within half a timeout.  When SIGALRM arrives the handler looks at the
 * call in progress: past its deadline -> "watchdog timeout"; still within
 * it -> the alarm is armed again for the rest; no call in progress -> the
 * alarm was left over from an earlier call and nothing happens.  A stuck
 * call is therefore still ended daemon_timeout seconds (rounded up to a
 * whole second) after it began, and a call shorter than half a timeout is
 * never interrupted by the watchdog.  After SIGTERM the 5-second grace
 * alarm replaces all of this.
 */
static volatile int64_t mail_server_wd_pending;  /* when the armed alarm goes off, 0: none */
static volatile int64_t mail_server_wd_deadline; /* the current call's deadline */

static void mail_server_wd_arm(int64_t now, unsigned secs)
{
    mail_server_wd_pending = now + (int64_t)secs * 1000;
    alarm(secs);
}

static void mail_server_sigterm(int sig)
{
    int saved = errno;

    mail_server_term = 1;
    if (mail_server_in_call) {
        mail_server_wd_arm(mono_ms(), MAIL_SERVER_TERM_GRACE);
    } else if (mail_server_wake_pipe[1] >= 0) {
        ssize_t n = write(mail_server_wake_pipe[1], "T", 1); /* full: wakes anyway */

        (void)n;
    }
    errno = saved;
}

static void mail_server_sigalrm(int sig)
{
    int saved = errno;
    int64_t now;
    int64_t left;

    mail_server_wd_pending = 0;
    if (!mail_server_in_call) {
        errno = saved;
        return; /* left over from an earlier call */
    }
    if (mail_server_term)
        _exit(0);
    now = mono_ms();
    if ((left = mail_server_wd_deadline - now) <= 0)
        msg_fatal("watchdog timeout");
    mail_server_wd_arm(now, (unsigned)((left + 999) / 1000));
    errno = saved;
}

static void mail_server_wake_event(int event, void *ctx)
{
    char buf[16];

    while (read(mail_server_wake_pipe[0], buf, sizeof(buf)) > 0)
        /* drain */;
}

/* The master connection. */

static void mail_server_master_event(int event, void *ctx)
{
    char buf[64];
    ssize_t n = recv(MASTER_STATUS_FD, buf, sizeof(buf), MSG_DONTWAIT);

    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        return;
    if (msg_verbose)
        msg_info("master disconnect -- exiting");
    mail_server_gone = 1;
    event_disable_readwrite(MASTER_STATUS_FD);
}

/*
 * Status messages.  The process id is cached (glibc's getpid() is a system
 * call; a pthread_atfork() child handler forgets it, should a service ever
 * call the skeleton from a forked child).
 *
 * A process whose service has maxproc 1 (master passed -l) reports only its
 * first TAKEN/AVAIL pair.  Master uses the reports for two things: whether
 * to fork another process when a client waits and nobody is available,
 * which it never does at maxproc 1 (the one process exists and the limit is
 * reached, so the client waits for it either way), and whether a process
 * that dies abnormally had taken a client (then it is not "bad command
 * startup"), which the first TAKEN settles for good.  After the first pair
 * master counts the process as available for the rest of its life and does
 * not watch the endpoint, which is also what it ends up doing at maxproc 1
 * when it watches it.  This saves two messages per trigger in qmgr and
 * pickup (and master's reads of them).
 */
static pid_t mail_server_pid;
static int mail_server_reported; /* -l: the first pair was sent */

static void mail_server_forget_pid(void)
{
    mail_server_pid = 0;
}

static void mail_server_notify(int avail)
{
    if (mail_server.mode != MAIL_SERVER_MODE_MASTER || mail_server_gone)
        return;
    if (mail_server.solitary_ok && mail_server_reported)
        return;
    if (mail_server_pid == 0) {
        static int registered;

        if (!registered) {
            registered = 1;
            (void)pthread_atfork(0, 0, mail_server_forget_pid);
        }
        mail_server_pid = getpid();
    }
    if (master_notify(mail_server_pid, mail_server.gen, avail) < 0 && msg_verbose)
        msg_info("status to master: %m");
    if (avail == MASTER_STAT_AVAIL)
        mail_server_reported = 1;
}

void mail_server_taken(void)
{
    mail_server_notify(MASTER_STAT_TAKEN);
}

void mail_server_avail(void)
{
    mail_server_notify(MASTER_STAT_AVAIL);
}

void mail_server_call_begin(void)
{
    int64_t now;
    int64_t timeout_ms;

    if (mail_server_term) {
        mail_server_in_call = 1;
        mail_server_wd_arm(mono_ms(), MAIL_SERVER_TERM_GRACE);
        return;
    }
    if (var_daemon_timeout <= 0) {
        mail_server_in_call = 1;
        return;
    }
    now = mono_ms();
    timeout_ms = (int64_t)var_daemon_timeout * 1000;
    mail_server_wd_deadline = now + timeout_ms;
    mail_server_in_call = 1;
    /* The handler may run from here on; it re-arms for this call itself. */
    if (mail_server_wd_pending == 0 || mail_server_wd_pending - now < timeout_ms / 2)
        mail_server_wd_arm(now, (unsigned)var_daemon_timeout);
}

void mail_server_call_end(void)
{
    mail_server_in_call = 0;
    /* A pending alarm stays armed for the next call (see the watchdog). */
    if (mail_server_term && mail_server_wd_pending) {
        alarm(0);
        mail_server_wd_pending = 0;
    }
}

int mail_server_count_use(void)
{
    mail_server.use_count++;
    return mail_server.max_use > 0 && mail_server.use_count >= mail_server.max_use;
}

static void mail_server_idle_event(int event, void *ctx)
{
    if (msg_verbose)
        msg_info("idle timeout -- exiting");
    mail_server_exit();
}

void mail_server_idle_arm(void)
{
    if (mail_server.max_idle > 0)
        event_request_timer(mail_server_idle_event, 0, mail_server.max_idle * 1000);
}

void mail_server_idle_cancel(void)
{
    if (mail_server.max_idle > 0)
        event_cancel_timer(mail_server_idle_event, 0);
}

void mail_server_exit(void)
{
    if (mail_server.exit_fn)
        mail_server.exit_fn();
    exit(0);
}

/* -z: read fd 0, write fd 1. */

static ssize_t mail_server_stdout_write(VSTREAM *stream, void *buf, size_t len, int timeout_ms,
                                        void *ctx)
{
    ssize_t n;

    for (;;) {
        n = write(1, buf, len);
        if (n >= 0 || (errno != EAGAIN && errno != EINTR))
            return n;
        if (errno == EAGAIN && poll_fd(1, POLLOUT, timeout_ms) == 0)
            return -1; /* ETIMEDOUT */
    }
}

VSTREAM *mail_server_stdin_stream(void)
{
    VSTREAM *stream = vstream_fdopen(0, VSTREAM_RDWR | VSTREAM_NOCLOSE);

    vstream_set_io(stream, 0, mail_server_stdout_write, 0);
    return stream;
}

/* Start-up. */

static void mail_server_hooks(va_list ap)
{
    int key;

    while ((key = va_arg(ap, int)) != MAIL_SERVER_END) {
        switch (key) {
        case MAIL_SERVER_PRE_INIT:
            mail_server.pre_init = va_arg(ap, MAIL_SERVER_INIT_FN);
            break;
        case MAIL_SERVER_POST_INIT:
            mail_server.post_init = va_arg(ap, MAIL_SERVER_INIT_FN);
            break;
        case MAIL_SERVER_LOOP:
            mail_server.loop = va_arg(ap, MAIL_SERVER_LOOP_FN);
            break;
        case MAIL_SERVER_EXIT:
            mail_server.exit_fn = va_arg(ap, MAIL_SERVER_EXIT_FN);
            break;
        case MAIL_SERVER_PRE_ACCEPT:
            mail_server.pre_accept = va_arg(ap, MAIL_SERVER_INIT_FN);
            break;
        case MAIL_SERVER_PRE_DISCONN:
            mail_server.pre_disconn = va_arg(ap, MAIL_SERVER_DISCONN_FN);
            break;
        case MAIL_SERVER_SOLITARY:
            mail_server.solitary = 1;
            break;
        case MAIL_SERVER_UNLIMITED:
            mail_server.unlimited = 1;
            break;
        case MAIL_SERVER_PRIVILEGED:
            mail_server.privileged = 1;
            break;
        case MAIL_SERVER_TRIGGER_WAKEUP:
            mail_server.trigger_wakeup = va_arg(ap, int);
            break;
        case MAIL_SERVER_POST_ACCEPT:
            /* Trigger and dgram servers hand no client stream to anyone. */
            if (strcmp(mail_server.kind, "trigger") == 0 || strcmp(mail_server.kind, "dgram") == 0)
                msg_panic("%s_server_main: MAIL_SERVER_POST_ACCEPT is for stream servers "
                          "(single, multi, event) only",
                          mail_server.kind);
            mail_server.post_accept = va_arg(ap, MAIL_SERVER_STREAM_FN);
            break;
        case MAIL_SERVER_LOG_WRITER:
            mail_server.log_writer = 1;
            break;
        default:
            msg_panic("%s_server_main: unknown option key %d", mail_server.kind, key);
        }
    }
}

/* Open the -S endpoint, of the kind -t names. */
static int mail_server_listen_path(const char *path)
{
    const char *t = mail_server.transport;
    int fd;

    if (strcmp(t, "fifo") == 0)
        fd = fifo_listen(path, 0622, NON_BLOCKING);
    else if (strcmp(t, "unix-dgram") == 0)
        fd = unix_dgram_listen(path, NON_BLOCKING);
    else if (strcmp(t, "inet") == 0)
        fd = inet_listen(path, 100, NON_BLOCKING);
    else
        fd = unix_listen(path, 100, NON_BLOCKING);
    if (fd < 0)
        msg_fatal("listen on %s (%s): %m", path, t);
    return fd;
}

void mail_server_start(int argc, char **argv, const char *kind, va_list ap)
{
    ARGV *overrides = argv_alloc(4);
    const char *sa_path = 0;
    int chroot_flag = 0;
    int unpriv_flag = 0;
    int solitary_ok = 0;
    int listen_count = 1;
    int log_flags;
    int ch;
    char *name;
    char *value;
    struct sigaction sa;

    mail_server.kind = kind;
    mail_server.transport = strcmp(kind, "dgram") == 0 ? "unix-dgram" : "unix";
    msg_init(argc > 0 && argv[0] ? argv[0] : kind);
    msg_stderr_init(); /* until main.cf says where logging goes */
    mail_server_hooks(ap);

    opterr = 0;
    optind = 1;
    while ((ch = getopt(argc, argv, "+c:dDln:o:rs:S:t:uvz")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            if (setenv("MAIL_CONFIG", optarg, 1) < 0)
                msg_fatal("setenv: %m");
            break;
        case 'd':
            mail_server.debug = 1;
            break;
        case 'D':
            break; /* debugger_command: not supported, ignored */
        case 'l':
            solitary_ok = 1;
            break;
        case 'n':
            mail_server.service = optarg;
            break;
        case 'o':
            argv_add(overrides, optarg);
            break;
        case 'r':
            chroot_flag = 1;
            break;
        case 's': {
            unsigned long n;

            if (!safe_strtoul(optarg, &n) || n < 1 || n > MAIL_SERVER_MAX_LISTEN)
                msg_fatal("invalid listener count: -s %s", optarg);
            listen_count = (int)n;
            break;
        }
        case 'S':
            sa_path = optarg;
            mail_server.mode = MAIL_SERVER_MODE_SOCKET;
            break;
        case 't':
            mail_server.transport = optarg;
            break;
        case 'u':
            unpriv_flag = 1;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'z':
            mail_server.mode = MAIL_SERVER_MODE_STDIN;
            break;
        default:
            msg_fatal("invalid option -- %c", optopt ? optopt : '?');
        }
    }
    mail_server.argv = argv + optind;
    if (mail_server.service == 0)
        mail_server.service = (char *)msg_program;
    mail_server_service_name = mail_server.service;
    mail_server.solitary_ok = solitary_ok;

    /* Configuration: main.cf, then the service's overrides. */
    mail_conf_update("service_name", mail_server.service);
    for (size_t i = 0; i < overrides->argc; i++) {
        if (!master_ent_option(overrides->argv[i], &name, &value))
            msg_fatal("bad -o option: \"%s\": need name=value", overrides->argv[i]);
        mail_conf_update(name, value);
        myfree(name);
        myfree(value);
    }
    argv_free(overrides);
    mail_conf_read();
    mail_params_init();
    log_flags = MAILLOG_CLIENT_FLAG_NONE;
    if (mail_server.debug || mail_server.mode != MAIL_SERVER_MODE_MASTER)
        log_flags |= MAILLOG_CLIENT_FLAG_STDERR;
    if (mail_server.log_writer)
        log_flags |= MAILLOG_CLIENT_FLAG_LOGWRITER;
    maillog_client_init(var_process_name, log_flags);
    if (msg_verbose)
        msg_info("daemon started (%s server, service %s, transport %s)", kind, mail_server.service,
                 mail_server.transport);

    if (mail_server.mode == MAIL_SERVER_MODE_MASTER) {
        if (mail_server.solitary && !solitary_ok)
            msg_fatal("service %s requires a process limit of 1", mail_server.service);
        if (mail_server.unlimited == 0) {
            mail_server.max_use = var_max_use;
            mail_server.max_idle = var_max_idle;
        }
        mail_server.gen = master_gen_from_env();
    }

    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir(\"%s\"): %m", var_queue_directory);

    /* Endpoints: opened while privileged, before PRE_INIT like Postfix's
     * inherited ones. */
    switch (mail_server.mode) {
    case MAIL_SERVER_MODE_MASTER:
        mail_server.listen_count = listen_count;
        for (int i = 0; i < listen_count; i++) {
            int fd = MASTER_LISTEN_FD + i;

            if (fcntl(fd, F_GETFD) < 0)
                msg_fatal("no listening descriptor %d (not started by master? use -S or -z)", fd);
            close_on_exec(fd, 1);
            non_blocking(fd, NON_BLOCKING);
            mail_server.listen_fd[i] = fd;
        }
        if (fcntl(MASTER_STATUS_FD, F_GETFD) < 0)
            msg_fatal("no master status descriptor %d", MASTER_STATUS_FD);
        close_on_exec(MASTER_STATUS_FD, 1);
        break;
    case MAIL_SERVER_MODE_SOCKET:
        mail_server.listen_count = 1;
        mail_server.listen_fd[0] = mail_server_listen_path(sa_path);
        break;
    default:
        mail_server.listen_count = 0;
        break;
    }

    if (mail_server.pre_init)
        mail_server.pre_init(mail_server.service, mail_server.argv);

    /* Privileges. */
    if (geteuid() != 0) {
        if (chroot_flag || unpriv_flag)
            msg_warn("not running as root: ignoring%s%s", chroot_flag ? " -r" : "",
                     unpriv_flag ? " -u" : "");
    } else {
        if (!unpriv_flag && !mail_server.privileged)
            msg_fatal("service %s must run unprivileged: master.cf must not say \"n\" in its "
                      "unpriv column (or pass -u)",
                      mail_server.service);
        chroot_uid(chroot_flag ? var_queue_directory : 0, unpriv_flag ? var_mail_owner : 0);
    }

    if (mail_server.post_init)
        mail_server.post_init(mail_server.service, mail_server.argv);

    /* Signals. */
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, 0);
    if (pipe2(mail_server_wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        msg_fatal("pipe: %m");
    sa.sa_handler = mail_server_sigterm;
    sigaction(SIGTERM, &sa, 0);
    sa.sa_handler = mail_server_sigalrm;
    sa.sa_flags = SA_RESTART; /* a re-arming alarm must not break a read */
    sigaction(SIGALRM, &sa, 0);
    sa.sa_flags = 0;
    event_enable_read(mail_server_wake_pipe[0], mail_server_wake_event, 0);
    if (mail_server.mode == MAIL_SERVER_MODE_MASTER)
        event_enable_read(MASTER_STATUS_FD, mail_server_master_event, 0);
}

void mail_server_run(void)
{
    int wait_ms;
    int secs;

    for (;;) {
        if (mail_server_term || mail_server_gone)
            mail_server_exit();
        wait_ms = -1;
        if (mail_server.loop &&
            (secs = mail_server.loop(mail_server.service, mail_server.argv)) >= 0)
            wait_ms = secs * 1000;
        if (mail_server_term || mail_server_gone)
            mail_server_exit();
        event_loop(wait_ms);
    }
}
