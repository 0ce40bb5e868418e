/*
 * postlogd_file - append log lines to maillog_file; see postlogd_file.h.
 *
 * One write(2) per line: the line and its newline are copied into one
 * buffer first, so lines of one postlogd never interleave with lines that
 * another writer (master, a command whose postlogd was away) appends with
 * O_APPEND at the same time.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg_postlog.h"
#include "mymalloc.h"
#include "postlogd_file.h"

struct POSTLOGD_FILE {
    char *path;
    int fd;
    int is_stdout;
    time_t last_check;
};

size_t postlogd_clean(char *buf, size_t len)
{
    if (len > MSG_LOGLINE_MAX - 1)
        len = MSG_LOGLINE_MAX - 1;
    if (len > 0 && buf[len - 1] == '\n') {
        len--;
        if (len > 0 && buf[len - 1] == '\r')
            len--;
    }
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == 0)
            buf[i] = '?';
    return len;
}

static int postlogd_file_fd(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

POSTLOGD_FILE *postlogd_file_open(const char *path)
{
    POSTLOGD_FILE *fp;
    int fd;

    if ((fd = postlogd_file_fd(path)) < 0)
        return 0;
    fp = (POSTLOGD_FILE *) mymalloc(sizeof(*fp));
    fp->path = mystrdup(path);
    fp->fd = fd;
    fp->is_stdout = strcmp(path, "/dev/stdout") == 0;
    fp->last_check = time((time_t *) 0);
    return fp;
}

int postlogd_file_write(POSTLOGD_FILE *fp, const char *line, size_t len)
{
    char buf[MSG_LOGLINE_MAX + 1];
    ssize_t n;

    if (len > MSG_LOGLINE_MAX - 1)
        len = MSG_LOGLINE_MAX - 1;
    memcpy(buf, line, len);
    buf[len++] = '\n';
    while ((n = write(fp->fd, buf, len)) < 0 && errno == EINTR)
        /* retry */ ;
    if (n < 0)
        return -1;
    if ((size_t) n != len) {
        errno = ENOSPC;
        return -1;
    }
    return 0;
}

int postlogd_file_check(POSTLOGD_FILE *fp, time_t now)
{
    struct stat path_st, fd_st;
    int fd;

    if (fp->is_stdout || now == fp->last_check)
        return 0;
    fp->last_check = now;
    if (fstat(fp->fd, &fd_st) < 0)
        return -1;
    if (lstat(fp->path, &path_st) == 0 && path_st.st_dev == fd_st.st_dev
        && path_st.st_ino == fd_st.st_ino)
        return 0;
    /* Rotated (renamed or removed): continue in a new file at path. */
    if ((fd = postlogd_file_fd(fp->path)) < 0)
        return -1;
    close(fp->fd);
    fp->fd = fd;
    return 1;
}

void postlogd_file_close(POSTLOGD_FILE *fp)
{
    close(fp->fd);
    myfree(fp->path);
    myfree(fp);
}
