/*
 * maillog_client - choose the log outputs of a program from main.cf.
 *
 * With maillog_file set, a program sends each line as one datagram to the
 * postlogd service (PROTOCOLS.md "postlog"), through a unix-dgram socket
 * connected here, before any chroot: the absolute path
 * $queue_directory/public/postlog first, the relative "public/postlog"
 * (daemons run in the queue directory, also when chrooted there) when that
 * fails or after a postlogd restart.  While postlogd cannot be reached, a
 * line goes straight to maillog_file (opened here, while the program may
 * still be privileged) or, when that could not be opened, to standard
 * error: a line is never dropped silently.
 *
 * postlogd itself and master before postlogd exists pass
 * MAILLOG_CLIENT_FLAG_LOGWRITER and write the file directly.
 *
 * Every path is checked against maillog_file_prefixes first, as postlogd
 * does (a safety net against a typo that would make Postern append to an
 * arbitrary file as root); a path outside them falls back to syslog.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "maillog_client.h"
#include "mail_params.h"
#include "msg.h"
#include "msg_postlog.h"
#include "mymalloc.h"
#include "vstring.h"

#define MAILLOG_POSTLOG_REL "public/postlog"

int maillog_client_path_ok(const char *path, const char *prefixes)
{
    const char *cp = prefixes;
    size_t len;

    if (*path != '/')
        return 0;
    while (*cp) {
        cp += strspn(cp, ", \t\r\n");
        if ((len = strcspn(cp, ", \t\r\n")) == 0)
            break;
        if (strncmp(path, cp, len) == 0)
            return 1;
        cp += len;
    }
    return 0;
}

void maillog_client_init(const char *progname, int flags)
{
    /* Bound here so that fast-starting commands need not know the list. */
    static const char *const params[] = {"syslog_name", "syslog_facility", "maillog_file",
                                         "maillog_file_prefixes", "myhostname",
                                         "queue_directory", 0};
    static VSTRING *tag;
    static VSTRING *sock_path;
    int facility;
    int fd;

    if (tag == 0) {
        tag = vstring_alloc(40);
        sock_path = vstring_alloc(100);
        if (var_maillog_file == 0 || var_queue_directory == 0)
            mail_params_init_list(params);
    }
    vstring_sprintf(tag, "%s/%s", var_syslog_name, progname);
    msg_set_tag(vstring_str(tag));
    msg_output_clear();
    if (flags & MAILLOG_CLIENT_FLAG_STDERR)
        msg_stderr_init();
    if (*var_maillog_file) {
        msg_logline_host(var_myhostname);
        if (!maillog_client_path_ok(var_maillog_file, var_maillog_file_prefixes)) {
            fprintf(stderr,
                    "%s: maillog_file %s does not match maillog_file_prefixes (%s); "
                    "logging to syslog\n",
                    progname, var_maillog_file, var_maillog_file_prefixes);
        } else if (flags & MAILLOG_CLIENT_FLAG_LOGWRITER) {
            if (msg_logfile_init(var_maillog_file) == 0)
                return;
            fprintf(stderr, "%s: cannot open maillog_file %s: %s; logging to syslog\n", progname,
                    var_maillog_file, strerror(errno));
        } else {
            if (strcmp(var_maillog_file, "/dev/stdout") == 0)
                fd = dup(STDOUT_FILENO);
            else
                fd = open(var_maillog_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                          0600);
            if (fd >= 0)
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
            vstring_sprintf(sock_path, "%s/%s", var_queue_directory, MAILLOG_POSTLOG_REL);
            (void) msg_postlog_init(vstring_str(sock_path), MAILLOG_POSTLOG_REL, fd);
            return;
        }
    }
    if ((facility = msg_syslog_facility(var_syslog_facility)) < 0)
        facility = LOG_MAIL;
    msg_syslog_init(facility);
}
