/*
 * master - the resident supervisor of a Postern instance.
 *
 * Synopsis:
 *   master [-dstvw] [-c config_dir] [-e exit_time] [-i]
 *
 * master runs as root.  It reads main.cf and master.cf, creates every
 * service's endpoint (inet, unix, unix-dgram, fifo, pass), forks daemons on
 * demand up to each service's maxproc, sends wakeup triggers, throttles
 * services whose daemons fail at start-up, re-reads its configuration on
 * SIGHUP and stops on SIGTERM.  The child side is in lib/server (the
 * skeletons), the protocol between the two in lib/server/master_proto.h,
 * services and endpoints in master_serv.c, children in master_spawn.c.
 *
 * Options:
 *   -c dir   configuration directory (also sets MAIL_CONFIG for the
 *            daemons, which also get "-c dir" when dir is not /etc/postfix)
 *   -d       debug: stay in the foreground and in the caller's session,
 *            keep standard input/output/error, log to stderr too
 *   -e secs  exit after secs seconds (children finish at their convenience)
 *   -i       init mode (only as process 1): no new session, stdout kept
 *   -s       keep standard output (for maillog_file = /dev/stdout)
 *   -t       test: exit 0 when no master runs for this queue directory
 *            (the pid file is missing or not locked), 1 when one does
 *   -v       verbose logging, passed on to every daemon
 *   -w       wait: fork; the foreground process exits 0 once the background
 *            master has finished initializing (pid file locked, every
 *            endpoint open), 1 if it failed (its fatal message is printed on
 *            stderr and logged) or did not report within 60 seconds
 *
 * How "postfix start/stop/reload/status" drive master:
 *   start    run "$daemon_directory/master [-c DIR] -w" (as root, with
 *            MAIL_CONFIG or -c naming the config); exit status 0 means
 *            running.  Before, "master [-c DIR] -t" says whether one runs.
 *   pid      $queue_directory/pid/master.pid, the pid right-aligned in 10
 *            columns and a newline (Postfix's format), locked with flock()
 *            (LOCK_EX) for as long as master runs.  A pid file that is not
 *            locked is stale.
 *   stop     SIGTERM to that pid: master sends SIGTERM to every daemon,
 *            waits up to 10 seconds for them (SIGKILL after that) and exits
 *            0; when the master pid is gone, so are its daemons.
 *   abort    the same (children get SIGTERM; there is no gentler stop).
 *   reload   SIGHUP to that pid; master logs "reload -- version V,
 *            configuration DIR".
 *   status   "master -t": exit 1 = running.
 *   Log lines: "daemon started -- version V, configuration DIR" (then one
 *   warning per main.cf setting Postern does not implement yet,
 *   mail_params_unsupported.h, also after a reload),
 *            "terminating on signal 15", and "fatal: the Postern mail system
 *            is already running" when a second master finds the lock held
 *            ($mail_name fills in "Postern").
 *
 * Parameters: queue_directory, daemon_directory, default_process_limit,
 * service_throttle_time, master_service_disable, inet_interfaces,
 * inet_protocols, import_environment, mail_name, syslog_name,
 * maillog_file.  Daemons read max_use and max_idle themselves.
 *
 * Files: $config_directory/main.cf, master.cf; $queue_directory/pid/
 * master.pid; the endpoints under $queue_directory/private and public
 * (those directories must exist: "postfix start" creates them).
 *
 * What can go wrong: not root, a bad master.cf or main.cf, an endpoint that
 * cannot be opened, another master on the same queue: fatal at start-up
 * (with -w the foreground process reports it and exits 1).  At reload a
 * bad master.cf is logged and the running configuration kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "clean_env.h"
#include "events.h"
#include "iostuff.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_params_unsupported.h"
#include "maillog_client.h"
#include "master.h"
#include "msg.h"
#include "mymalloc.h"
#include "myflock.h"
#include "stringops.h"
#include "vstring.h"

#define MASTER_PID_DIR   "pid"
#define MASTER_PID_FILE  "pid/master.pid"
#define MASTER_WAIT_SECS 60
#define MASTER_STOP_SECS 10

static int master_sig_pipe[2] = {-1, -1};
static int master_debug;
static const char *master_config_dir;

/* Signals arrive through a pipe, so that all work happens in the loop. */
static void master_sig_handler(int sig)
{
    int saved = errno;
    char c = (char)sig;
    ssize_t n = write(master_sig_pipe[1], &c, 1);

    (void)n; /* a full pipe already holds a wakeup */
    errno = saved;
}

static void master_terminate(int sig)
{
    time_t deadline;

    msg_info("terminating on signal %d", sig);
    master_stopping = 1;
    master_spawn_kill_all(SIGTERM);
    deadline = time(0) + MASTER_STOP_SECS;
    while (master_spawn_children() > 0) {
        master_spawn_reap();
        if (master_spawn_children() == 0)
            break;
        if (time(0) >= deadline) {
            msg_warn("%d daemon process(es) did not stop within %d seconds: killing",
                     master_spawn_children(), MASTER_STOP_SECS);
            master_spawn_kill_all(SIGKILL);
            deadline = time(0) + MASTER_STOP_SECS;
        }
        poll(0, 0, 20);
    }
    exit(0);
}

static void master_reload(void)
{
    VSTRING *why = vstring_alloc(100);
    MASTER_SERV *list;

    msg_info("reload -- version %s, configuration %s", MAIL_VERSION_NUMBER, master_config_dir);
    mail_conf_read();
    mail_params_init();
    maillog_client_init("master", MAILLOG_CLIENT_FLAG_LOGWRITER |
                                      (master_debug ? MAILLOG_CLIENT_FLAG_STDERR : 0));
    mail_params_warn_unsupported();
    if ((list = master_serv_load(master_config_dir, why)) == 0 && VSTRING_LEN(why) > 0) {
        msg_warn("%s; keeping the running configuration", vstring_str(why));
    } else {
        master_serv_apply(list, 0);
    }
    vstring_free(why);
}

static void master_sig_event(int event, void *ctx)
{
    char buf[32];
    ssize_t n;
    int reap = 0;
    int reload = 0;

    while ((n = read(master_sig_pipe[0], buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            switch (buf[i]) {
            case SIGCHLD:
                reap = 1;
                break;
            case SIGHUP:
                reload = 1;
                break;
            case SIGTERM:
            case SIGINT:
            case SIGQUIT:
                master_terminate(buf[i]);
                break;
            default:
                break;
            }
        }
    }
    if (reap)
        master_spawn_reap();
    if (reload)
        master_reload();
}

static void master_exit_event(int event, void *ctx)
{
    msg_info("terminating after the exit time given with -e");
    exit(0);
}

/* The pid file, locked for as long as this master runs. */
static int master_pid_open(int must_exist)
{
    int fd;

    if (mkdir(MASTER_PID_DIR, 0755) < 0 && errno != EEXIST)
        msg_fatal("mkdir %s/%s: %m", var_queue_directory, MASTER_PID_DIR);
    fd = open(MASTER_PID_FILE, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (must_exist ? 0 : O_CREAT), 0644);
    if (fd < 0 && !(must_exist && errno == ENOENT))
        msg_fatal("open lock file %s/%s: %m", var_queue_directory, MASTER_PID_FILE);
    return fd;
}

static void master_pid_lock(void)
{
    int fd = master_pid_open(0);
    char buf[32];
    int len;

    if (myflock(fd, MYFLOCK_STYLE_FLOCK, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT) < 0) {
        if (errno == EAGAIN)
            msg_fatal("the %s mail system is already running", var_mail_name);
        msg_fatal("lock %s/%s: %m", var_queue_directory, MASTER_PID_FILE);
    }
    len = snprintf(buf, sizeof(buf), "%*lu\n", 10, (unsigned long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len || fsync(fd) < 0)
        msg_fatal("update %s/%s: %m", var_queue_directory, MASTER_PID_FILE);
    /* fd stays open (close-on-exec) and locked until master exits. */
}

static int master_pid_test(void)
{
    int fd = master_pid_open(1);

    if (fd < 0)
        return 0;
    if (myflock(fd, MYFLOCK_STYLE_FLOCK, MYFLOCK_OP_EXCLUSIVE | MYFLOCK_OP_NOWAIT) < 0) {
        if (errno == EAGAIN)
            return 1;
        msg_fatal("lock %s/%s: %m", var_queue_directory, MASTER_PID_FILE);
    }
    close(fd);
    return 0;
}

/* -w: the foreground process waits for the background master's word. */
static int master_wait_fork(void)
{
    int fds[2];
    char c;
    ssize_t n;

    if (pipe2(fds, O_CLOEXEC) < 0)
        msg_fatal("pipe: %m");
    switch (fork()) {
    case -1:
        msg_fatal("fork: %m");
    case 0:
        close(fds[0]);
        return fds[1];
    default:
        close(fds[1]);
        if (poll_fd(fds[0], POLLIN, MASTER_WAIT_SECS * 1000) == 0) {
            msg_warn("mail system startup timed out after %d seconds", MASTER_WAIT_SECS);
            _exit(1);
        }
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 && c == 'y' ? 0 : 1);
    }
}

static void master_devnull(int fd)
{
    int nul = open("/dev/null", O_RDWR);

    if (nul < 0)
        msg_fatal("open /dev/null: %m");
    if (nul != fd) {
        if (dup2(nul, fd) < 0)
            msg_fatal("dup2 /dev/null: %m");
        close(nul);
    }
}

static void master_usage(void)
{
    msg_fatal("usage: master [-dstvw] [-c config_dir] [-e exit_time] [-i]");
}

int main(int argc, char **argv)
{
    VSTRING *why = vstring_alloc(100);
    MASTER_SERV *list;
    int wait_flag = 0;
    int test_flag = 0;
    int keep_stdout = 0;
    int init_mode = 0;
    int exit_time = 0;
    int ready_fd = -1;
    int ch;
    unsigned long num;
    struct sigaction sa;
    ARGV *env;

    /* Descriptors 0-2 must exist, or sockets would land on them. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            master_devnull(fd);
    msg_init("master");
    msg_stderr_init();

    while ((ch = getopt(argc, argv, "c:dDe:istvw")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            if (setenv("MAIL_CONFIG", optarg, 1) < 0)
                msg_fatal("setenv: %m");
            break;
        case 'd':
            master_debug = 1;
            break;
        case 'D':
            break; /* debugger_command: not supported */
        case 'e':
            if (!safe_strtoul(optarg, &num) || num < 1 || num > 1000000)
                msg_fatal("bad -e exit time: %s", optarg);
            exit_time = (int)num;
            break;
        case 'i':
            if (getpid() != 1)
                msg_fatal("-i is allowed only for process 1");
            init_mode = 1;
            keep_stdout = 1;
            break;
        case 's':
            keep_stdout = 1;
            break;
        case 't':
            test_flag = 1;
            break;
        case 'v':
            msg_verbose++;
            master_verbose_children++;
            break;
        case 'w':
            wait_flag = 1;
            break;
        default:
            master_usage();
        }
    }
    if (optind < argc)
        master_usage();
    if (geteuid() != 0)
        msg_fatal("the master command is reserved for the superuser");

    mail_conf_read();
    mail_params_init();
    master_config_dir = mystrdup(mail_conf_dir());
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    if (test_flag)
        exit(master_pid_test());

    maillog_client_init("master", MAILLOG_CLIENT_FLAG_LOGWRITER | MAILLOG_CLIENT_FLAG_STDERR);
    if (wait_flag && !master_debug)
        ready_fd = master_wait_fork();
    if (!master_debug && !init_mode && setsid() < 0 && getsid(0) != getpid())
        msg_warn("setsid: %m");
    umask(022);

    /* A clean environment for the daemons. */
    env = argv_split_list(var_import_environment);
    clean_env(env->argv);
    argv_free(env);
    if (strcmp(master_config_dir, MASTER_DEF_CONFIG_DIR) != 0 &&
        setenv("MAIL_CONFIG", master_config_dir, 1) < 0)
        msg_fatal("setenv: %m");

    master_pid_lock();

    /* Signals, through the pipe to the event loop. */
    if (pipe2(master_sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        msg_fatal("pipe: %m");
    event_enable_read(master_sig_pipe[0], master_sig_event, 0);
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, 0);
    sa.sa_handler = master_sig_handler;
    sigaction(SIGCHLD, &sa, 0);
    sigaction(SIGHUP, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGQUIT, &sa, 0);

    master_spawn_init();
    if ((list = master_serv_load(master_config_dir, why)) == 0 && VSTRING_LEN(why) > 0)
        msg_fatal("%s", vstring_str(why));
    master_serv_apply(list, 1);
    if (exit_time > 0)
        event_request_timer(master_exit_event, 0, exit_time * 1000);
    msg_info("daemon started -- version %s, configuration %s", MAIL_VERSION_NUMBER,
             master_config_dir);
    mail_params_warn_unsupported();

    /* Ready: let go of the terminal (or the caller's pipes). */
    if (!master_debug) {
        maillog_client_init("master", MAILLOG_CLIENT_FLAG_LOGWRITER);
        master_devnull(0);
        if (!keep_stdout)
            master_devnull(1);
        master_devnull(2);
    }
    if (ready_fd >= 0) {
        if (write(ready_fd, "y", 1) != 1)
            msg_warn("tell the foreground process: %m");
        close(ready_fd);
    }
    vstring_free(why);

    for (;;)
        event_loop(-1);
}
