/*
 * msg - diagnostics.
 *
 * msg_info/msg_warn/msg_error/msg_fatal/msg_panic format a message (printf
 * syntax, %m included) and hand it to every registered output: standard
 * error, syslog (facility mail by default) and/or a log file.  The text never
 * carries a newline; outputs add their own framing.
 *
 *   msg_fatal  cannot continue (bad configuration, resource exhausted); runs
 *              the cleanup hook and exits with status 1.  master restarts a
 *              daemon that does this.
 *   msg_panic  a bug in Postern (an impossible state); aborts.
 *   msg_error  counts towards msg_error_limit (default 13), then fatal.
 *
 * msg_init() names the program (used by every output); msg_set_tag() changes
 * the syslog tag (e.g. "postfix/smtpd") once main.cf is read.
 */
#ifndef POSTERN_MSG_H
#define POSTERN_MSG_H

#include <stdarg.h>

#define MSG_INFO 0
#define MSG_WARN 1
#define MSG_ERROR 2
#define MSG_FATAL 3
#define MSG_PANIC 4

typedef void (*MSG_OUTPUT_FN)(int level, const char *text);
typedef void (*MSG_CLEANUP_FN)(void);

extern int msg_verbose;
extern int msg_utf8;                    /* logs may hold UTF-8 (smtputf8_enable) */
extern const char *msg_program;         /* e.g. "smtpd" */
extern const char *msg_tag;             /* e.g. "postfix/smtpd" */

extern void msg_init(const char *argv0);
extern void msg_set_tag(const char *tag);
extern void msg_output_add(MSG_OUTPUT_FN fn);
extern void msg_output_clear(void);
extern MSG_CLEANUP_FN msg_cleanup(MSG_CLEANUP_FN fn);
extern void msg_error_limit(int limit);
extern const char *msg_level_prefix(int level);

extern void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern void msg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
extern void msg_fatal_status(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
extern void msg_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
extern void msg_vprintf(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Outputs. */
extern void msg_stderr_init(void);      /* "prog: warning: text" on fd 2 */
extern void msg_syslog_init(int facility);      /* openlog(msg_tag) */
extern int msg_syslog_facility(const char *name);       /* "mail" -> LOG_MAIL, -1 if unknown */
extern int msg_logfile_init(const char *path);

#endif
