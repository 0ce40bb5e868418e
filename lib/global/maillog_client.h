#ifndef POSTERN_MAILLOG_CLIENT_H
#define POSTERN_MAILLOG_CLIENT_H

/*
 * maillog_client - where a Postern program's log lines go.
 *
 *   maillog_client_init(progname, flags)
 *       Call once main.cf is read (mail_params_init) and before chroot or a
 *       privilege drop.  Sets the log tag to "$syslog_name/progname" and the
 *       outputs: syslog (facility $syslog_facility) when maillog_file is
 *       empty, else the maillog_file (through the postlogd service when it
 *       runs, see PROTOCOLS.md "postlog"; directly when flags has
 *       MAILLOG_CLIENT_FLAG_LOGWRITER, as postlogd itself and master before
 *       postlogd exists do).  Standard error stays an output when flags has
 *       MAILLOG_CLIENT_FLAG_STDERR (commands run from a terminal).
 *
 *   maillog_client_path_ok(path, prefixes)
 *       1 when path is absolute and starts with one of the prefixes (a
 *       maillog_file_prefixes value: commas or white space), else 0.
 *       postlogd and direct writers refuse any other maillog_file.
 *
 * What can go wrong: a maillog_file that cannot be opened is reported on
 * standard error and syslog is used instead; logging never stops a program.
 */

#define MAILLOG_CLIENT_FLAG_NONE      0
#define MAILLOG_CLIENT_FLAG_LOGWRITER (1 << 0)
#define MAILLOG_CLIENT_FLAG_STDERR    (1 << 1)

extern void maillog_client_init(const char *progname, int flags);
extern int maillog_client_path_ok(const char *path, const char *prefixes);

#endif
