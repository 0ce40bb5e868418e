/*
 * msg - diagnostics; see msg.h.
 *
 * Messages are formatted once into a fixed buffer (longer text is truncated
 * with "..."), then passed to each output.  A message raised while another is
 * being output (e.g. a write error inside an output) goes to standard error
 * only, so that outputs can never recurse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "stringops.h"
#include "msg_postlog.h"

#define MSG_MAX_OUTPUTS 4
#define MSG_BUFSIZE 4096

int msg_utf8 = 1;
int msg_verbose;
const char *msg_program = "postern";
const char *msg_tag = "postfix/postern";

static MSG_OUTPUT_FN msg_outputs[MSG_MAX_OUTPUTS];
static int msg_output_count;
static MSG_CLEANUP_FN msg_cleanup_fn;
static int msg_error_max = 13;
static int msg_error_count;
static int msg_busy;
static char msg_tag_buf[256];
static int msg_logfile_fd = -1;

static const char *msg_prefixes[] = {"", "warning: ", "error: ", "fatal: ", "panic: "};

const char *msg_level_prefix(int level)
{
    return (level >= 0 && level <= MSG_PANIC) ? msg_prefixes[level] : "";
}

void msg_init(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');

    msg_program = slash ? slash + 1 : argv0;
    snprintf(msg_tag_buf, sizeof(msg_tag_buf), "postfix/%s", msg_program);
    msg_tag = msg_tag_buf;
}

void msg_set_tag(const char *tag)
{
    snprintf(msg_tag_buf, sizeof(msg_tag_buf), "%s", tag);
    msg_tag = msg_tag_buf;
}

void msg_output_add(MSG_OUTPUT_FN fn)
{
    if (msg_output_count >= MSG_MAX_OUTPUTS)
        msg_panic("msg_output_add: too many outputs");
    msg_outputs[msg_output_count++] = fn;
}

void msg_output_clear(void)
{
    msg_output_count = 0;
}

MSG_CLEANUP_FN msg_cleanup(MSG_CLEANUP_FN fn)
{
    MSG_CLEANUP_FN old = msg_cleanup_fn;

    msg_cleanup_fn = fn;
    return old;
}

void msg_error_limit(int limit)
{
    msg_error_max = limit;
}

static void msg_stderr_output(int level, const char *text)
{
    char buf[MSG_BUFSIZE + 512];
    int len;

    len = snprintf(buf, sizeof(buf), "%s: %s%s\n", msg_program, msg_level_prefix(level), text);
    if (len > (int) sizeof(buf) - 1)
        len = (int) sizeof(buf) - 1;
    /* One write per line, so that concurrent writers do not interleave. */
    if (write(STDERR_FILENO, buf, (size_t) len) < 0) {
        /* Nothing sensible to do: stderr is gone. */
    }
}

void msg_vprintf(int level, const char *fmt, va_list ap)
{
    char text[MSG_BUFSIZE];
    int saved_errno = errno;
    int len;
    int i;

    errno = saved_errno;                /* %m uses errno */
    len = vsnprintf(text, sizeof(text), fmt, ap);
    if (len >= (int) sizeof(text))
        memcpy(text + sizeof(text) - 4, "...", 4);
    /* Never let a control character or broken UTF-8 from outside input
     * reach a log line (smtputf8_enable = no: nothing but ASCII). */
    printable(text, '?', PRINTABLE_TAB | (msg_utf8 ? PRINTABLE_UTF8 : 0));
    if (msg_busy || msg_output_count == 0) {
        msg_stderr_output(level, text);
    } else {
        msg_busy = 1;
        for (i = 0; i < msg_output_count; i++)
            msg_outputs[i](level, text);
        msg_busy = 0;
    }
    errno = saved_errno;
}

#define MSG_FORWARD(level)                                                                         \
    do {                                                                                           \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        msg_vprintf(level, fmt, ap);                                                               \
        va_end(ap);                                                                                \
    } while (0)

void msg_info(const char *fmt, ...)
{
    MSG_FORWARD(MSG_INFO);
}

void msg_warn(const char *fmt, ...)
{
    MSG_FORWARD(MSG_WARN);
}

void msg_error(const char *fmt, ...)
{
    MSG_FORWARD(MSG_ERROR);
    if (++msg_error_count >= msg_error_max)
        msg_fatal("too many errors - program terminated");
}

static void __attribute__((noreturn)) msg_exit(int status)
{
    static int dying;

    if (!dying) {
        dying = 1;
        if (msg_cleanup_fn)
            msg_cleanup_fn();
    }
    sleep(0);
    _exit(status);
}

void msg_fatal(const char *fmt, ...)
{
    MSG_FORWARD(MSG_FATAL);
    msg_exit(1);
}

void msg_fatal_status(int status, const char *fmt, ...)
{
    MSG_FORWARD(MSG_FATAL);
    msg_exit(status);
}

void msg_panic(const char *fmt, ...)
{
    MSG_FORWARD(MSG_PANIC);
    abort();
}

/* --- outputs ---------------------------------------------------------------- */

void msg_stderr_init(void)
{
    msg_output_add(msg_stderr_output);
}

static const int msg_syslog_prio[] = {LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_CRIT};

static void msg_syslog_output(int level, const char *text)
{
    syslog(msg_syslog_prio[level] | 0, "%s%s", msg_level_prefix(level), text);
}

void msg_syslog_init(int facility)
{
    openlog(msg_tag, LOG_PID | LOG_NDELAY, facility);
    msg_output_add(msg_syslog_output);
}

int msg_syslog_facility(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } facilities[] = {
        {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };

    for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (strcasecmp(name, facilities[i].name) == 0)
            return facilities[i].code;
    return -1;
}

/*
 * The log file gets the line Postfix writes to maillog_file (msg_logline(),
 * msg_postlog.c).  One O_APPEND write per line keeps concurrent writers from
 * interleaving.
 */
static void msg_logfile_output(int level, const char *text)
{
    char buf[MSG_LOGLINE_MAX + 1];
    size_t len;

    len = msg_logline(buf, MSG_LOGLINE_MAX, level, text);
    buf[len++] = '\n';
    if (write(msg_logfile_fd, buf, len) < 0)
        msg_stderr_output(MSG_WARN, "cannot write maillog_file");
}

int msg_logfile_init(const char *path)
{
    int fd;

    /* /dev/stdout is a symlink on Linux; it names this process's stdout. */
    if (strcmp(path, "/dev/stdout") == 0)
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    else
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0)
        return -1;
    if (msg_logfile_fd >= 0)
        close(msg_logfile_fd);
    msg_logfile_fd = fd;
    msg_output_add(msg_logfile_output);
    return 0;
}
