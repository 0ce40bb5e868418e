/*
 * msg_postlog - maillog_file lines and the postlogd client output; see
 * msg_postlog.h for the interface and the line format.
 *
 * Cost: one send(2) per line when postlogd runs (the line is formatted
 * once, the time is one vDSO clock call); no extra system call otherwise.
 * The process id is cached (glibc no longer caches getpid(), which was
 * one more system call per line); a pthread_atfork() child handler
 * forgets it, so a forked child logs its own pid.
 * A reconnect attempt happens at most once a second while postlogd is
 * away, so a burst of lines does not become a burst of connect(2) calls.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iostuff.h"
#include "msg.h"
#include "msg_postlog.h"
#include "sock.h"

static char msg_logline_hostname[256];
static pid_t msg_logline_pid;

static void msg_logline_forget_pid(void)
{
    msg_logline_pid = 0;
}

/* msg_logline_getpid - getpid() without a system call per log line */

static pid_t msg_logline_getpid(void)
{
    static int registered;

    if (msg_logline_pid == 0) {
        if (!registered) {
            registered = 1;
            (void) pthread_atfork((void (*)(void)) 0, (void (*)(void)) 0,
                                  msg_logline_forget_pid);
        }
        msg_logline_pid = getpid();
    }
    return msg_logline_pid;
}

void msg_logline_host(const char *name)
{
    snprintf(msg_logline_hostname, sizeof(msg_logline_hostname), "%s", name);
    msg_logline_hostname[strcspn(msg_logline_hostname, ".")] = 0;
}

size_t msg_logline(char *buf, size_t size, int level, const char *text)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    int len;

    if (size == 0)
        return 0;
    if (msg_logline_hostname[0] == 0) {
        char host[256];

        if (gethostname(host, sizeof(host) - 1) < 0)
            strcpy(host, "localhost");
        host[sizeof(host) - 1] = 0;
        msg_logline_host(host);
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    /* Postfix's maillog_file: zero-padded day, no sub-second part. */
    strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm);
    len = snprintf(buf, size, "%s %s %s[%ld]: %s%s", stamp, msg_logline_hostname, msg_tag,
                   (long) msg_logline_getpid(), msg_level_prefix(level), text);
    if (len < 0)
        return 0;
    return (size_t) len >= size ? size - 1 : (size_t) len;
}

/* --- the postlogd client output ------------------------------------------ */

static char msg_postlog_path[512];
static char msg_postlog_alt[512];
static int msg_postlog_fd = -1;
static int msg_postlog_fallback = -1;
static time_t msg_postlog_last_try;
static int msg_postlog_ok;

static int msg_postlog_connect(void)
{
    if (msg_postlog_fd >= 0) {
        close(msg_postlog_fd);
        msg_postlog_fd = -1;
    }
    msg_postlog_last_try = time((time_t *) 0);
    if (msg_postlog_path[0])
        msg_postlog_fd = unix_dgram_connect(msg_postlog_path, BLOCKING);
    if (msg_postlog_fd < 0 && msg_postlog_alt[0])
        msg_postlog_fd = unix_dgram_connect(msg_postlog_alt, BLOCKING);
    return msg_postlog_fd;
}

static int msg_postlog_send(const char *line, size_t len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (msg_postlog_fd < 0) {
            /* Rate-limit reconnects, except right after a failed send. */
            if (attempt == 0 && time((time_t *) 0) == msg_postlog_last_try)
                return -1;
            if (msg_postlog_connect() < 0)
                return -1;
        }
        for (;;) {
            if (send(msg_postlog_fd, line, len, MSG_NOSIGNAL) >= 0)
                return 0;
            if (errno != EINTR)
                break;
        }
        /* postlogd went away or was restarted: the next try reconnects. */
        close(msg_postlog_fd);
        msg_postlog_fd = -1;
        msg_postlog_last_try = 0;
    }
    return -1;
}

static void msg_postlog_output(int level, const char *text)
{
    char line[MSG_LOGLINE_MAX + 1];
    size_t len = msg_logline(line, MSG_LOGLINE_MAX, level, text);
    int fd;

    if (msg_postlog_send(line, len) == 0) {
        msg_postlog_ok = 1;
        return;
    }
    msg_postlog_ok = 0;
    /* Not lost: the file itself, or standard error. */
    line[len++] = '\n';
    fd = msg_postlog_fallback >= 0 ? msg_postlog_fallback : STDERR_FILENO;
    if (write(fd, line, len) < 0 && fd != STDERR_FILENO && write(STDERR_FILENO, line, len) < 0) {
        /* Nowhere left to report it. */
    }
}

int msg_postlog_init(const char *path, const char *alt_path, int fallback_fd)
{
    snprintf(msg_postlog_path, sizeof(msg_postlog_path), "%s", path ? path : "");
    snprintf(msg_postlog_alt, sizeof(msg_postlog_alt), "%s", alt_path ? alt_path : "");
    msg_postlog_fallback = fallback_fd;
    msg_output_add(msg_postlog_output);
    msg_postlog_ok = msg_postlog_connect() >= 0;
    return msg_postlog_ok ? 0 : -1;
}

int msg_postlog_connected(void)
{
    return msg_postlog_ok;
}
