/*
 * pass_fd - descriptor passing with SCM_RIGHTS; see pass_fd.h.
 */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pass_fd.h"

/* Room for more descriptors than we accept, so extras can be seen and closed. */
#define PASS_FD_MAX 8

int unix_send_fd(int sock, int fd)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg;
    struct iovec iov;
    char byte = 'F';

    memset(&msg, 0, sizeof(msg));
    memset(&control, 0, sizeof(control));
    iov.iov_base = &byte;
    iov.iov_len = 1;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    for (;;) {
        ssize_t sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (sent == 1)
            return 0;
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent >= 0)
            errno = EIO;
        return -1;
    }
}

int unix_recv_fd(int sock)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(PASS_FD_MAX * sizeof(int))];
    } control;
    struct msghdr msg;
    struct iovec iov;
    char data[2];
    ssize_t got;
    int fds[PASS_FD_MAX];
    size_t nfds = 0;
    int foreign = 0;

    memset(&msg, 0, sizeof(msg));
    iov.iov_base = data;
    iov.iov_len = sizeof(data);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    while ((got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
        if (errno != EINTR)
            return -1;

    /* Collect every descriptor that arrived, whatever else is wrong. */
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
            cmsg->cmsg_len >= CMSG_LEN(0)) {
            size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                if (nfds < PASS_FD_MAX)
                    fds[nfds++] = fd;
                else
                    close(fd);
            }
        } else {
            foreign = 1;
        }
    }
    int err = 0;
    if (got == 0 && nfds == 0)
        err = EPIPE;
    else if (nfds != 1 || foreign || (msg.msg_flags & MSG_CTRUNC))
        err = EBADMSG;
    else if (got != 1 || (msg.msg_flags & MSG_TRUNC))
        err = EPROTO;
    if (err) {
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        errno = err;
        return -1;
    }
    return fds[0];
}
