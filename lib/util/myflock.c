/*
 * myflock - flock()/fcntl() locking behind one call; see myflock.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "argv.h"
#include "msg.h"
#include "myflock.h"

const char *const myflock_style_names[] = {"flock", "fcntl", "dotlock", 0};
static const int myflock_style_bits[] = {MYFLOCK_STYLE_FLOCK, MYFLOCK_STYLE_FCNTL,
                                         MYFLOCK_STYLE_DOTLOCK};

int myflock(int fd, int style, int op)
{
    int kind = op & ~MYFLOCK_OP_NOWAIT;
    int nowait = (op & MYFLOCK_OP_NOWAIT) != 0;
    int ret;

    if (kind != MYFLOCK_OP_NONE && kind != MYFLOCK_OP_SHARED && kind != MYFLOCK_OP_EXCLUSIVE)
        msg_panic("myflock: bad operation 0x%x", op);
    switch (style) {
    case MYFLOCK_STYLE_FLOCK: {
        int how = kind == MYFLOCK_OP_NONE ? LOCK_UN : kind == MYFLOCK_OP_SHARED ? LOCK_SH : LOCK_EX;
        if (nowait)
            how |= LOCK_NB;
        while ((ret = flock(fd, how)) < 0 && errno == EINTR)
            /* retry */;
        break;
    }
    case MYFLOCK_STYLE_FCNTL: {
        struct flock lock;
        memset(&lock, 0, sizeof(lock));
        lock.l_type = kind == MYFLOCK_OP_NONE     ? F_UNLCK
                      : kind == MYFLOCK_OP_SHARED ? F_RDLCK
                                                  : F_WRLCK;
        lock.l_whence = SEEK_SET; /* l_start = l_len = 0: the whole file */
        while ((ret = fcntl(fd, nowait ? F_SETLK : F_SETLKW, &lock)) < 0 && errno == EINTR)
            /* retry */;
        break;
    }
    default:
        msg_panic("myflock: bad lock style %d", style);
    }
    if (ret < 0 && (errno == EWOULDBLOCK || errno == EACCES) && nowait)
        errno = EAGAIN;
    return ret;
}

int myflock_style_mask(const char *list, VSTRING *why)
{
    ARGV *names = argv_split(list, ", \t\r\n");
    int mask = 0;

    for (size_t i = 0; i < names->argc; i++) {
        size_t j;
        for (j = 0; myflock_style_names[j]; j++)
            if (strcmp(names->argv[i], myflock_style_names[j]) == 0)
                break;
        if (myflock_style_names[j] == 0) {
            vstring_sprintf(why, "unsupported lock method: \"%s\"", names->argv[i]);
            argv_free(names);
            return -1;
        }
        mask |= myflock_style_bits[j];
    }
    argv_free(names);
    return mask;
}
