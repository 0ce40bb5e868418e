/*
 * postlock - run a command while a mailbox is locked the way local(8)
 * locks it, so that scripts can change a mailbox without racing delivery.
 *
 * Usage: postlock [-c config_dir] [-l lock_style] [-v] file command...
 *
 * The lock styles are those of mailbox_delivery_lock (or -l): "dotlock"
 * creates file.lock (retrying deliver_lock_attempts times,
 * deliver_lock_delay apart, removing a lock file older than
 * stale_lock_time), then the file is opened (created if missing, mode
 * 0600) and locked exclusively with fcntl() and/or flock(), waiting for
 * other holders.  The command runs directly (no shell) with the locks
 * held by postlock; when it ends, the dot lock is removed and the other
 * locks go with postlock's exit.
 *
 * Exit status: that of the command; 75 (EX_TEMPFAIL) when the file cannot
 * be locked or opened, a lock style is unknown, the arguments are wrong or
 * the command was killed by a signal; 1 when the command cannot be
 * executed.  Messages go to standard error prefixed with the program name
 * as invoked (as Postfix's postlock does) and to the mail log.
 *
 * Configuration parameters: config_directory (-c, MAIL_CONFIG),
 * mailbox_delivery_lock, deliver_lock_attempts, deliver_lock_delay,
 * stale_lock_time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dot_lockfile.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "maillog_client.h"
#include "msg.h"
#include "myflock.h"
#include "vstring.h"

#define POSTLOCK_TEMPFAIL 75
#define POSTLOCK_USAGE    "usage: %s [-c config_dir] [-l lock_style] [-v] folder command..."

/* postlock_bad_style - the first name in a lock style list that is unknown */

static const char *postlock_bad_style(const char *list)
{
    static VSTRING *name;
    VSTRING *why = vstring_alloc(100);
    const char *cp = list;
    size_t len;

    if (name == 0)
        name = vstring_alloc(20);
    vstring_strcpy(name, list);
    while (*cp) {
        cp += strspn(cp, ", \t\r\n");
        if ((len = strcspn(cp, ", \t\r\n")) == 0)
            break;
        vstring_strncpy(name, cp, len);
        if (myflock_style_mask(vstring_str(name), why) < 0)
            break;
        cp += len;
    }
    vstring_free(why);
    return vstring_str(name);
}

int main(int argc, char **argv)
{
    static const char *const params[] = {"mailbox_delivery_lock", "deliver_lock_attempts",
                                         "deliver_lock_delay", "stale_lock_time", 0};
    const char *style_list = 0;
    VSTRING *why = vstring_alloc(100);
    DOT_LOCK_OPTS opts;
    const char *folder;
    int styles;
    int fd;
    int ch;
    int status;
    pid_t pid;

    msg_init(argv[0]);
    msg_program = argv[0]; /* Postfix's postlock names itself as invoked */
    msg_stderr_init();
    if (getenv("MAIL_VERBOSE"))
        msg_verbose = 1;
    while ((ch = getopt(argc, argv, "+c:l:v")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'l':
            style_list = optarg;
            break;
        case 'v':
            msg_verbose++;
            break;
        default:
            msg_fatal_status(POSTLOCK_TEMPFAIL, POSTLOCK_USAGE, msg_program);
        }
    }
    if (argc - optind < 2)
        msg_fatal_status(POSTLOCK_TEMPFAIL, POSTLOCK_USAGE, msg_program);
    folder = argv[optind];
    mail_conf_read();
    mail_params_init_list(params);
    maillog_client_init("postlock", MAILLOG_CLIENT_FLAG_STDERR);
    msg_program = argv[0];
    if (style_list == 0)
        style_list = var_mailbox_delivery_lock;
    if ((styles = myflock_style_mask(style_list, why)) < 0)
        msg_fatal_status(POSTLOCK_TEMPFAIL, "unknown mailbox_delivery_lock value \"%s\" in \"%s\"",
                         postlock_bad_style(style_list), style_list);
    opts.attempts = var_deliver_lock_attempts > 0 ? var_deliver_lock_attempts : 1;
    opts.delay_ms = var_deliver_lock_delay * 1000;
    opts.stale_seconds = var_stale_lock_time;

    /* Dot lock first, as local(8) does, then the kernel locks. */
    if ((styles & MYFLOCK_STYLE_DOTLOCK) && dot_lockfile(folder, &opts, why) < 0) {
        const char *reason = vstring_str(why);

        /* Postfix's wording of the same reason. */
        if (strncmp(reason, "cannot create", 13) == 0)
            msg_fatal_status(POSTLOCK_TEMPFAIL, "open file %s: unable to create%s", folder,
                             reason + 13);
        msg_fatal_status(POSTLOCK_TEMPFAIL, "open file %s: %s", folder, reason);
    }
    if ((fd = open(folder, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        int saved = errno;

        if (styles & MYFLOCK_STYLE_DOTLOCK)
            dot_unlockfile(folder);
        errno = saved;
        msg_fatal_status(POSTLOCK_TEMPFAIL, "open file %s: %m", folder);
    }
    for (int style = MYFLOCK_STYLE_FLOCK; style <= MYFLOCK_STYLE_FCNTL; style <<= 1) {
        if ((styles & style) && myflock(fd, style, MYFLOCK_OP_EXCLUSIVE) < 0) {
            int saved = errno;

            if (styles & MYFLOCK_STYLE_DOTLOCK)
                dot_unlockfile(folder);
            errno = saved;
            msg_fatal_status(POSTLOCK_TEMPFAIL, "lock file %s: %m", folder);
        }
    }
    if (msg_verbose)
        msg_info("%s: locked with %s", folder, style_list);
    vstring_free(why);

    switch (pid = fork()) {
    case -1:
        if (styles & MYFLOCK_STYLE_DOTLOCK)
            dot_unlockfile(folder);
        msg_fatal_status(POSTLOCK_TEMPFAIL, "fork: %m");
    case 0:
        /* The descriptor is close-on-exec; the locks stay with the parent. */
        (void)signal(SIGINT, SIG_DFL);
        execvp(argv[optind + 1], argv + optind + 1);
        msg_fatal("execvp %s: %m", argv[optind + 1]);
    default:
        break;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    if (styles & MYFLOCK_STYLE_DOTLOCK)
        dot_unlockfile(folder);
    if (status != -1 && WIFEXITED(status))
        exit(WEXITSTATUS(status));
    if (status != -1 && WIFSIGNALED(status))
        msg_fatal_status(POSTLOCK_TEMPFAIL, "command %s killed by signal %d", argv[optind + 1],
                         WTERMSIG(status));
    msg_fatal_status(POSTLOCK_TEMPFAIL, "waitpid: %m");
}
