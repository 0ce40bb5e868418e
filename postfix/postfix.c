/*
 * postfix - start, stop and look after the mail system.
 *
 * Usage: postfix [-c config_dir] [-Dv] command
 *
 * Commands (as Postfix's postfix(1); only root may run them):
 *   check            create missing queue directories (DESIGN.md section 3,
 *                    postfix_dirs.h) and warn about wrong owners and modes
 *                    of queue directories and of the set-gid commands
 *   set-permissions  the same, but repair owners and modes (owners of the
 *                    queue contents too) and make postdrop and postqueue in
 *                    command_directory root:setgid_group mode 2755
 *   start            check, then run "$daemon_directory/master -c DIR -w",
 *                    which returns once the master daemon has started
 *   start-fg         check, then run master in the foreground ("-s"; with
 *                    process id 1, exec "master -i" as Postfix does); a
 *                    SIGINT or SIGTERM to this command stops master
 *   stop             SIGTERM to master, then wait up to 5 seconds for it to
 *                    go; after that, SIGKILL to its process group
 *   abort            SIGTERM to master, without waiting
 *   reload           SIGHUP to master (re-read main.cf and master.cf)
 *   status           exit 0 if master runs, 1 if not
 *   flush            ask the queue manager to retry all deferred mail
 *                    (trigger "FA" on public/qmgr)
 *   upgrade-configuration   accepted; Postern has nothing to upgrade
 *   logrotate        rename maillog_file to FILE.SUFFIX (strftime of
 *                    maillog_file_rotate_suffix), SIGHUP to master when it
 *                    runs (postlogd starts a new file), wait a second, then
 *                    run maillog_file_compressor on the old file; Postfix's
 *                    errors ("empty 'NAME' parameter value - logfile
 *                    rotation failed", "not rotating '/dev/...'", "logfile
 *                    'FILE' rotation failed: WHY")
 *
 * Whether master runs is decided by the lock on
 * $queue_directory/pid/master.pid (fcntl or flock, both are tested), never
 * by the pid in the file alone.
 *
 * Messages: logged (syslog, or maillog_file when set) with the tag
 * "$syslog_name/postfix-script" and the same words as Postfix's
 * postfix-script ("starting the Postfix mail system", "the Postfix mail
 * system is running: PID: N", "fatal: the Postfix mail system is not
 * running", ...), because log watchers and monitoring scripts match that
 * text; the product name stays "Postfix" in these lines on purpose.  They
 * are also printed on standard error as "postfix/postfix-script: text"
 * (Postfix prints them only to a terminal; Postern always does, so that
 * scripts and service managers see why a command failed).  Exit status 0
 * on success, 1 on failure ("status": 1 when not running); a flush when
 * the mail system is down exits 69 (EX_UNAVAILABLE), as postqueue -f.
 *
 * Environment: the environment is reduced to import_environment before
 * master runs; MAIL_CONFIG names the configuration directory.
 *
 * Parameters: config_directory, queue_directory, data_directory,
 * daemon_directory, command_directory, mail_owner, setgid_group,
 * import_environment, syslog_name, maillog_file.
 *
 * What can go wrong: an unknown mail_owner or setgid_group, a mail_owner
 * with user id 0, or a setgid_group equal to the mail_owner's group is fatal
 * before anything is touched; a queue directory that cannot be created is
 * fatal for check and start; a missing master program is fatal for start.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "clean_env.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "postfix_dirs.h"
#include "stringops.h"
#include "vstring.h"

#define POSTFIX_USAGE "usage: %s [-c config_dir] [-Dv] command"
#define POSTFIX_COMMANDS                                                                           \
    "Usage: postfix start (or stop, reload, abort, flush, check, status, set-permissions, "        \
    "upgrade-configuration, logrotate)"
#define POSTFIX_PID_FILE  "pid/master.pid"
#define POSTFIX_STOP_WAIT 5 /* seconds, as postfix-script */

static int postfix_verbose;
static int postfix_debug;

/* "postfix/postfix-script: text" on standard error, as on Postfix's terminal. */
static void postfix_stderr_output(int level, const char *text)
{
    VSTRING *line = vstring_alloc(100);
    const char *cp;
    size_t left;

    vstring_sprintf(line, "%s: %s%s\n", msg_tag, msg_level_prefix(level), text);
    for (cp = vstring_str(line), left = VSTRING_LEN(line); left > 0;) {
        ssize_t n = write(STDERR_FILENO, cp, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        cp += n;
        left -= (size_t)n;
    }
    vstring_free(line);
}

/*
 * postfix_master_pid - the pid of a running master, or 0.  Running means
 * that someone holds a lock on pid/master.pid (the caller is in
 * queue_directory).  Both lock styles are tested, so the answer does not
 * depend on which one master uses.
 */
static pid_t postfix_master_pid(void)
{
    struct flock lk;
    char buf[64];
    ssize_t n;
    pid_t pid = 0;
    int locked = 0;
    int fd;

    if ((fd = open(POSTFIX_PID_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_warn("open %s: %m", POSTFIX_PID_FILE);
        return 0;
    }
    memset(&lk, 0, sizeof(lk));
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK) {
        locked = 1;
        pid = lk.l_pid;
    } else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            locked = 1;
    } else {
        (void)flock(fd, LOCK_UN);
    }
    if (locked) {
        long val;

        if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = 0;
            if (safe_strtol(skipblanks(trimblanks(buf)), &val) && val > 0)
                pid = (pid_t)val;
        }
        if (pid <= 0) /* locked, but no pid: say so rather than guess */
            pid = -1;
    }
    close(fd);
    return pid;
}

/* Look up mail_owner and setgid_group; their sanity is fatal. */
static void postfix_ids(POSTFIX_DIRS_CONF *dc)
{
    struct passwd *pw;
    struct group *gr;

    if ((pw = getpwnam(var_mail_owner)) == 0)
        msg_fatal("file %s: parameter mail_owner: unknown user name value: %s", mail_conf_file(),
                  var_mail_owner);
    if (pw->pw_uid == 0)
        msg_fatal("file %s: parameter mail_owner: user %s has privileged user ID", mail_conf_file(),
                  var_mail_owner);
    if ((gr = getgrnam(var_setgid_group)) == 0)
        msg_fatal("file %s: parameter setgid_group: unknown group name: %s", mail_conf_file(),
                  var_setgid_group);
    if (gr->gr_gid == 0)
        msg_fatal("file %s: parameter setgid_group: group %s has privileged group ID",
                  mail_conf_file(), var_setgid_group);
    if (gr->gr_gid == pw->pw_gid)
        msg_fatal("file %s: parameter setgid_group: group %s has same group ID as mail_owner "
                  "group %s",
                  mail_conf_file(), var_setgid_group, var_mail_owner);
    dc->queue_dir = var_queue_directory;
    dc->data_dir = var_data_directory;
    dc->mail_uid = pw->pw_uid;
    dc->mail_owner = var_mail_owner;
    dc->setgid_gid = gr->gr_gid;
    dc->setgid_group = var_setgid_group;
}

/* check and set-permissions; returns the number of problems left. */
static int postfix_check(int flags)
{
    POSTFIX_DIRS_CONF dc;
    VSTRING *path = vstring_alloc(100);
    struct stat st;
    int problems;
    static const char *const setgid_cmds[] = {"postdrop", "postqueue"};

    postfix_ids(&dc);
    if (stat(var_config_directory, &st) < 0 || !S_ISDIR(st.st_mode))
        msg_fatal("no Postfix configuration directory %s!", var_config_directory);
    /* The queue directory's parent must exist: never invent a tree. */
    if (stat(var_queue_directory, &st) < 0 && errno == ENOENT) {
        char *parent = mystrdup(var_queue_directory);
        char *slash = strrchr(parent, '/');

        if (slash && slash != parent)
            *slash = 0;
        if (slash && stat(parent, &st) < 0)
            msg_fatal("no Postfix queue directory %s!", var_queue_directory);
        myfree(parent);
    }
    problems = postfix_dirs_fix(&dc, flags);
    for (size_t i = 0; i < sizeof(setgid_cmds) / sizeof(setgid_cmds[0]); i++) {
        vstring_sprintf(path, "%s/%s", var_command_directory, setgid_cmds[i]);
        problems += postfix_dirs_setgid(vstring_str(path), dc.setgid_gid, dc.setgid_group, flags);
    }
    /* A queue directory that is still missing makes the system unusable. */
    for (size_t i = 0; i < postfix_dirs_count; i++) {
        vstring_sprintf(path, "%s/%s", var_queue_directory, postfix_dirs_table[i].name);
        if (stat(vstring_str(path), &st) < 0 || !S_ISDIR(st.st_mode))
            msg_fatal("unable to create missing queue directories");
    }
    vstring_free(path);
    return problems;
}

static void postfix_chdir_queue(int fatal_if_missing)
{
    if (chdir(var_queue_directory) < 0) {
        if (fatal_if_missing)
            msg_fatal("no Postfix queue directory %s!", var_queue_directory);
        msg_info("the Postfix mail system is not running");
        exit(1);
    }
}

/* Build master's command line. */
static ARGV *postfix_master_argv(const char *mode)
{
    ARGV *av = argv_alloc(8);
    VSTRING *path = vstring_alloc(100);

    vstring_sprintf(path, "%s/master", var_daemon_directory);
    argv_add(av, vstring_str(path));
    argv_add(av, "-c");
    argv_add(av, var_config_directory);
    for (int i = 0; i < postfix_verbose; i++)
        argv_add(av, "-v");
    if (postfix_debug)
        argv_add(av, "-D");
    if (mode)
        argv_add(av, mode);
    vstring_free(path);
    return av;
}

static void postfix_need_master(ARGV *av)
{
    if (access(av->argv[0], X_OK) < 0)
        msg_fatal("no Postfix master program %s!", av->argv[0]);
}

/* Run a child and return its exit status (-1 when killed). */
/* postfix_logrotate - the "logrotate" command, as Postfix's postfix-script */
static void postfix_logrotate(void)
{
    const char *names[] = {"maillog_file", "maillog_file_compressor", "maillog_file_rotate_suffix"};
    const char *values[] = {var_maillog_file, var_maillog_file_compressor,
                            var_maillog_file_rotate_suffix};
    char suffix[256];
    time_t now = time((time_t *)0);
    struct tm *tm = localtime(&now);
    VSTRING *rotated = vstring_alloc(100);
    pid_t pid;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (*values[i] == 0)
            msg_fatal("empty '%s' parameter value - logfile rotation failed", names[i]);
    if (strncmp(var_maillog_file, "/dev/", 5) == 0)
        msg_fatal("not rotating '%s'", var_maillog_file);
    if (tm == 0 || strftime(suffix, sizeof(suffix), var_maillog_file_rotate_suffix, tm) == 0)
        msg_fatal("logfile '%s' rotation failed: bad maillog_file_rotate_suffix '%s'",
                  var_maillog_file, var_maillog_file_rotate_suffix);
    vstring_sprintf(rotated, "%s.%s", var_maillog_file, suffix);
    if (rename(var_maillog_file, vstring_str(rotated)) < 0)
        msg_fatal("logfile '%s' rotation failed: rename to %s: %m", var_maillog_file,
                  vstring_str(rotated));
    /* A running master reloads, and postlogd starts a new file. */
    if (chdir(var_queue_directory) == 0 && (pid = postfix_master_pid()) > 0 &&
        kill(pid, SIGHUP) < 0)
        msg_fatal("logfile '%s' rotation failed: kill master process %ld: %m", var_maillog_file,
                  (long)pid);
    sleep(1);
    /* The compressor is a command name looked up in PATH ("gzip"), as the
     * shell finds it for Postfix. */
    switch (pid = fork()) {
    case -1:
        msg_fatal("fork: %m");
    case 0: {
        char *args[] = {var_maillog_file_compressor, vstring_str(rotated), 0};

        execvp(args[0], args);
        msg_fatal("logfile '%s' rotation failed: execute %s: %m", var_maillog_file, args[0]);
    }
    default:
        break;
    }
    {
        int status;

        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                msg_fatal("waitpid: %m");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            msg_fatal("logfile '%s' rotation failed: %s %s failed", var_maillog_file,
                      var_maillog_file_compressor, vstring_str(rotated));
    }
    vstring_free(rotated);
}

static int postfix_run(ARGV *av)
{
    pid_t pid;
    int status;

    switch (pid = fork()) {
    case -1:
        msg_fatal("fork: %m");
    case 0:
        execv(av->argv[0], av->argv);
        msg_fatal("execute %s: %m", av->argv[0]);
    default:
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR)
                msg_fatal("waitpid: %m");
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
}

static volatile sig_atomic_t postfix_fg_signal;

static void postfix_fg_handler(int sig)
{
    postfix_fg_signal = sig;
}

/* start-fg: master in the foreground, stopped by our SIGINT/SIGTERM. */
static int postfix_start_fg(ARGV *av)
{
    struct sigaction sa;
    pid_t pid;
    int status;

    if (getpid() == 1) {
        argv_truncate(av, av->argc - 1);
        argv_add(av, "-i");
        execv(av->argv[0], av->argv);
        msg_fatal("cannot start-fg the master daemon");
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = postfix_fg_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    sigaction(SIGHUP, &sa, 0);
    switch (pid = fork()) {
    case -1:
        msg_fatal("fork: %m");
    case 0:
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execv(av->argv[0], av->argv);
        msg_fatal("execute %s: %m", av->argv[0]);
    default:
        break;
    }
    for (;;) {
        pid_t got = waitpid(pid, &status, 0);

        if (got == pid)
            break;
        if (got < 0 && errno != EINTR)
            msg_fatal("waitpid: %m");
        if (postfix_fg_signal) {
            int sig = postfix_fg_signal == SIGHUP ? SIGHUP : SIGTERM;

            postfix_fg_signal = 0;
            if (sig == SIGTERM)
                msg_info("stopping the Postfix mail system");
            (void)kill(pid, sig);
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WTERMSIG(status) == SIGTERM ? 0 : 1;
}

/* stop: SIGTERM, wait, then SIGKILL the process group. */
static int postfix_stop(pid_t pid)
{
    msg_info("stopping the Postfix mail system");
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
        msg_fatal("kill master process %ld: %m", (long)pid);
    for (int tick = 1; tick <= POSTFIX_STOP_WAIT * 10; tick++) {
        struct timespec ts = {0, 100 * 1000 * 1000};

        if (postfix_master_pid() == 0)
            return 0;
        if (tick % 10 == 0)
            msg_info("waiting for the Postfix mail system to terminate");
        nanosleep(&ts, 0);
    }
    if (postfix_master_pid() == 0)
        return 0;
    msg_warn("stopping the Postfix mail system with force");
    if (kill(-pid, SIGKILL) < 0)
        (void)kill(pid, SIGKILL);
    return 0;
}

/* Keep only import_environment, and say where the configuration is. */
static void postfix_environment(void)
{
    ARGV *keep = argv_split_list(var_import_environment);

    clean_env(keep->argv);
    argv_free(keep);
    if (setenv("MAIL_CONFIG", var_config_directory, 1) < 0)
        msg_fatal("setenv: %m");
    /* As Postfix's postfix command: a known PATH for what it runs
     * (maillog_file_compressor). */
    if (setenv("PATH", "/bin:/usr/bin:/sbin:/usr/sbin", 1) < 0)
        msg_fatal("setenv: %m");
    if (msg_verbose && setenv("MAIL_VERBOSE", "1", 1) < 0)
        msg_fatal("setenv: %m");
}

int main(int argc, char **argv)
{
    const char *cmd;
    ARGV *av;
    pid_t pid;
    int ch;
    int rc = 0;

    /* Descriptors 0-2 must exist, or a file we open could become one. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFL) < 0 && open("/dev/null", O_RDWR) != fd)
            return 1;
    msg_init("postfix");
    msg_stderr_init();
    umask(022);
    while ((ch = getopt(argc, argv, "c:Dv")) != -1) {
        switch (ch) {
        case 'c':
            if (*optarg != '/')
                msg_fatal("-c requires absolute pathname");
            mail_conf_set_dir(optarg);
            break;
        case 'D':
            postfix_debug = 1;
            break;
        case 'v':
            msg_verbose++;
            postfix_verbose++;
            break;
        default:
            msg_fatal(POSTFIX_USAGE, msg_program);
        }
    }
    if (getuid() != 0)
        msg_fatal("to submit mail, use the Postfix sendmail command");
    mail_conf_read();
    mail_params_init();
    postfix_environment();
    maillog_client_init("postfix-script", MAILLOG_CLIENT_FLAG_LOGWRITER);
    msg_output_add(postfix_stderr_output);

    cmd = optind < argc ? argv[optind] : "";
    if (optind < argc && optind + 1 < argc && strcmp(cmd, "set-permissions") != 0 &&
        strcmp(cmd, "upgrade-configuration") != 0)
        msg_fatal("usage postfix %s (no arguments)", cmd);

    if (strcmp(cmd, "check") == 0) {
        (void)postfix_check(POSTFIX_DIRS_CREATE);
    } else if (strcmp(cmd, "set-permissions") == 0) {
        if (postfix_check(POSTFIX_DIRS_CREATE | POSTFIX_DIRS_REPAIR) > 0)
            msg_fatal("set-permissions: some owners or modes could not be repaired");
    } else if (strcmp(cmd, "upgrade-configuration") == 0) {
        /* Nothing to upgrade: Postern's master.cf needs no new services. */
    } else if (strcmp(cmd, "start") == 0 || strcmp(cmd, "start-fg") == 0) {
        int fg = strcmp(cmd, "start-fg") == 0;

        av = postfix_master_argv(fg ? "-s" : "-w");
        postfix_need_master(av);
        /* The queue directory may not exist yet: check creates it. */
        if (chdir(var_queue_directory) == 0 && postfix_master_pid() != 0)
            msg_fatal("the Postfix mail system is already running");
        (void)postfix_check(POSTFIX_DIRS_CREATE);
        postfix_chdir_queue(1);
        msg_info("starting the Postfix mail system");
        if (fg) {
            rc = postfix_start_fg(av);
        } else if (postfix_run(av) != 0) {
            msg_fatal("mail system startup failed");
        }
        argv_free(av);
    } else if (strcmp(cmd, "stop") == 0 || strcmp(cmd, "abort") == 0 ||
               strcmp(cmd, "reload") == 0) {
        postfix_chdir_queue(0);
        if ((pid = postfix_master_pid()) == 0)
            msg_fatal("the Postfix mail system is not running");
        if (pid < 0)
            msg_fatal("%s/%s is locked but names no process", var_queue_directory,
                      POSTFIX_PID_FILE);
        if (strcmp(cmd, "stop") == 0) {
            rc = postfix_stop(pid);
        } else if (strcmp(cmd, "abort") == 0) {
            msg_info("aborting the Postfix mail system");
            if (kill(pid, SIGTERM) < 0)
                msg_fatal("kill master process %ld: %m", (long)pid);
        } else {
            msg_info("refreshing the Postfix mail system");
            if (kill(pid, SIGHUP) < 0)
                msg_fatal("kill master process %ld: %m", (long)pid);
        }
    } else if (strcmp(cmd, "status") == 0) {
        postfix_chdir_queue(0);
        if ((pid = postfix_master_pid()) == 0) {
            msg_info("the Postfix mail system is not running");
            rc = 1;
        } else if (pid < 0) {
            msg_info("the Postfix mail system is running: PID: unknown");
        } else {
            msg_info("the Postfix mail system is running: PID: %ld", (long)pid);
        }
    } else if (strcmp(cmd, "flush") == 0) {
        static const char req[] = {QMGR_REQ_FLUSH_DEAD, QMGR_REQ_SCAN_ALL};

        postfix_chdir_queue(1);
        if (postfix_master_pid() == 0 ||
            mail_trigger(MAIL_CLASS_PUBLIC, var_queue_service_name, req, sizeof(req)) < 0)
            msg_fatal_status(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    } else if (strcmp(cmd, "logrotate") == 0) {
        postfix_logrotate();
    } else {
        msg_fatal("unknown command: '%s'. " POSTFIX_COMMANDS, cmd);
    }
    return rc;
}
