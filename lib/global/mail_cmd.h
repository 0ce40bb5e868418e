/*
 * mail_cmd - the start-up that Postern's set-gid user commands (postdrop,
 * postqueue) share: they run on behalf of any local user, so their first
 * steps must be the same careful ones.
 *
 *   mail_cmd_start(name)
 *       Descriptors 0, 1 and 2 are opened on /dev/null when closed (else a
 *       file the command opens could become "standard output"); umask 077;
 *       msg_init(name) and logging to stderr.  Exits EX_OSERR when a
 *       descriptor cannot be opened (before any message can be logged).
 *   mail_cmd_option(ch, arg, &dir)
 *       The options every command takes, for a getopt() loop: 'c' (config
 *       directory: *dir = arg) and 'v' (msg_verbose++).  1 when ch was one of
 *       them, else 0 (the caller handles ch).
 *   mail_cmd_config(name, dir, chdir_status)
 *       dir is the -c argument or null (then MAIL_CONFIG is used).  A
 *       directory that is not absolute or that mail_conf_dir_allowed()
 *       refuses is fatal with EX_NOPERM ("uid=N: not allowed to use
 *       configuration directory DIR ...").  Then main.cf is read, the
 *       parameters bound (mail_params_init), the environment reduced to
 *       import_environment (with MAIL_CONFIG kept when a directory was
 *       given, for the programs the command runs), logging set up as
 *       "name" through maillog_client, and the working directory changed
 *       to queue_directory; when that fails the command exits with
 *       chdir_status.  Returns the configuration directory given, or null.
 *   mail_cmd_config_list(name, dir, chdir_status, params)
 *       The same, binding only the null-terminated list params
 *       (mail_params_init_list, plus smtputf8_enable for msg_utf8), for
 *       commands that must start fast (postdrop runs once per message).
 *       params must name every parameter the command and its library code
 *       use, including import_environment, queue_directory and the
 *       logging ones; null binds the whole registry.
 *
 * What can go wrong: every failure is fatal with a sysexits.h status, as
 * described; nothing is returned half-done.
 */
#ifndef POSTERN_MAIL_CMD_H
#define POSTERN_MAIL_CMD_H

extern void mail_cmd_start(const char *name);
extern int mail_cmd_option(int ch, const char *arg, const char **dir);
extern const char *mail_cmd_config(const char *name, const char *dir, int chdir_status);
extern const char *mail_cmd_config_list(const char *name, const char *dir, int chdir_status,
                                        const char *const *params);

#endif
