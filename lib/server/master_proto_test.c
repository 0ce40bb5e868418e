/*
 * master_proto_test - the child side of the status protocol: one whole
 * MASTER_STATUS per send on MASTER_STATUS_FD, EPIPE once master is gone,
 * and the generation from the environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "master_proto.h"
#include "ptest.h"

static int status_pair(void)
{
    int sv[2];
    int mine;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
        return -1;
    /* Keep master's end clear of descriptor 3, which dup2() takes over. */
    mine = fcntl(sv[0], F_DUPFD, 10);
    close(sv[0]);
    if (mine < 0 || dup2(sv[1], MASTER_STATUS_FD) < 0)
        return -1;
    if (sv[1] != MASTER_STATUS_FD)
        close(sv[1]);
    return mine;
}

static void test_notify_messages(void)
{
    int master = status_pair();
    MASTER_STATUS st;

    PTEST_CHECK(master >= 0);
    PTEST_INT_EQ(master_notify(1234, 7, MASTER_STAT_TAKEN), 0);
    PTEST_INT_EQ(master_notify(1234, 7, MASTER_STAT_AVAIL), 0);
    PTEST_INT_EQ(recv(master, &st, sizeof(st), 0), sizeof(st));
    PTEST_INT_EQ(st.pid, 1234);
    PTEST_INT_EQ(st.gen, 7);
    PTEST_INT_EQ(st.avail, MASTER_STAT_TAKEN);
    PTEST_INT_EQ(recv(master, &st, sizeof(st), 0), sizeof(st));
    PTEST_INT_EQ(st.avail, MASTER_STAT_AVAIL);
}

static void test_master_gone(void)
{
    int master = status_pair();
    char c;

    close(master);
    PTEST_INT_EQ(master_notify(1, 1, MASTER_STAT_AVAIL), -1);
    PTEST_INT_EQ(errno, EPIPE);
    /* What the skeleton watches: end of file on the status descriptor. */
    PTEST_INT_EQ(recv(MASTER_STATUS_FD, &c, 1, MSG_DONTWAIT), 0);
}

static void test_gen_from_env(void)
{
    unsetenv(MASTER_GEN_ENV);
    PTEST_INT_EQ(master_gen_from_env(), 0);
    setenv(MASTER_GEN_ENV, "42", 1);
    PTEST_INT_EQ(master_gen_from_env(), 42);
    setenv(MASTER_GEN_ENV, "x1", 1);
    PTEST_INT_EQ(master_gen_from_env(), 0);
}

static const PTEST_CASE cases[] = {
    {"status messages arrive whole and in order", test_notify_messages},
    {"master gone: EPIPE on send, EOF on read", test_master_gone},
    {"generation from the environment", test_gen_from_env},
};

PTEST_MAIN(cases)
