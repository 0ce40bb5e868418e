/*
 * Unit tests for mail_proto: mail_connect to the relative path class/name,
 * the stream's name and deadlines, mail_connect_wait giving up after
 * ipc_timeout, and mail_trigger to a FIFO, to a socket, and to things that
 * are neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attr.h"
#include "iostuff.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "ptest.h"
#include "sock.h"
#include "vstream.h"

static int warnings;

static void count_warning(int level, const char *text)
{
    warnings++;
}

static char queue_dir[] = "/tmp/mail_proto_test.XXXXXX";

/* Work in a fresh directory with public/ and private/, like queue_directory. */
static void enter_queue_dir(void)
{
    if (mkdtemp(queue_dir) == 0 || chdir(queue_dir) < 0 || mkdir("public", 0755) < 0 ||
        mkdir("private", 0700) < 0)
        PTEST_FAIL("setup: %s", strerror(errno));
    msg_output_clear();
    msg_output_add(count_warning);
}

static void leave_queue_dir(void)
{
    char cmd[100];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", queue_dir);
    if (chdir("/") < 0 || system(cmd) != 0)
        PTEST_FAIL("cleanup of %s failed", queue_dir);
}

static void test_connect(void)
{
    enter_queue_dir();
    var_ipc_timeout = 5;
    int lfd = unix_listen("private/rewrite", 10, BLOCKING);
    PTEST_CHECK(lfd >= 0);

    VSTREAM *client = mail_connect(MAIL_CLASS_PRIVATE, MAIL_SERVICE_REWRITE, BLOCKING);
    PTEST_CHECK(client != 0);
    PTEST_STR_EQ(vstream_path(client), "private/rewrite");
    int sfd = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(sfd >= 0);
    VSTREAM *server = vstream_fdopen(sfd, VSTREAM_RDWR);
    PTEST_INT_EQ(attr_print_hello(server, MAIL_PROTO_REWRITE), 0);
    PTEST_INT_EQ(attr_scan_hello(client, MAIL_PROTO_REWRITE), 0);
    vstream_fclose(client);
    vstream_fclose(server);

    /* Nothing listening: NULL with errno, nothing logged. */
    errno = 0;
    PTEST_CHECK(mail_connect(MAIL_CLASS_PRIVATE, "nosuch", BLOCKING) == 0);
    PTEST_INT_EQ(errno, ENOENT);
    PTEST_INT_EQ(warnings, 0);
    leave_queue_dir();
}

/* A silent server: the read deadline of ipc_timeout holds. */
static void test_connect_deadline(void)
{
    enter_queue_dir();
    var_ipc_timeout = 1;
    int lfd = unix_listen("private/slow", 10, BLOCKING);
    VSTREAM *client = mail_connect(MAIL_CLASS_PRIVATE, "slow", BLOCKING);
    PTEST_CHECK(client != 0);
    int64_t t0 = mono_ms();
    PTEST_INT_EQ(attr_scan_hello(client, "x/1"), -1);
    int64_t took = mono_ms() - t0;
    PTEST_CHECK(vstream_ftimeout(client));
    PTEST_CHECK(took >= 900 && took < 3000);
    vstream_fclose(client);
    close(lfd);
    leave_queue_dir();
}

static void test_connect_wait(void)
{
    enter_queue_dir();
    var_ipc_timeout = 2;
    PTEST_CHECK(mail_connect_wait(MAIL_CLASS_PRIVATE, "nosuch") == 0);
    PTEST_INT_EQ(warnings, 2);

    /* Succeeds at once when the service is there. */
    int lfd = unix_listen("private/there", 10, BLOCKING);
    warnings = 0;
    VSTREAM *stream = mail_connect_wait(MAIL_CLASS_PRIVATE, "there");
    PTEST_CHECK(stream != 0);
    PTEST_INT_EQ(warnings, 0);
    vstream_fclose(stream);
    close(lfd);
    leave_queue_dir();
}

static void test_trigger(void)
{
    char buf[16];

    enter_queue_dir();

    /* FIFO */
    int ffd = fifo_listen("public/qmgr", 0622, NON_BLOCKING);
    PTEST_CHECK(ffd >= 0);
    PTEST_INT_EQ(mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_QUEUE, "FA", 2), 0);
    PTEST_INT_EQ(read(ffd, buf, sizeof(buf)), 2);
    PTEST_CHECK(memcmp(buf, "FA", 2) == 0);
    close(ffd);

    /* UNIX socket */
    int lfd = unix_listen("public/pickup", 10, BLOCKING);
    PTEST_INT_EQ(mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_PICKUP, "W", 1), 0);
    int sfd = sane_accept(lfd, 0, 0, 0);
    PTEST_CHECK(sfd >= 0);
    PTEST_INT_EQ(read(sfd, buf, sizeof(buf)), 1);
    PTEST_INT_EQ(buf[0], 'W');
    close(sfd);
    close(lfd);

    /* Neither: a regular file, and nothing at all. */
    int fd = open("public/flush", O_CREAT | O_WRONLY, 0644);
    close(fd);
    PTEST_INT_EQ(mail_trigger(MAIL_CLASS_PUBLIC, MAIL_SERVICE_FLUSH, "W", 1), -1);
    PTEST_INT_EQ(errno, ENOTSOCK);
    PTEST_INT_EQ(mail_trigger(MAIL_CLASS_PUBLIC, "nosuch", "W", 1), -1);
    PTEST_INT_EQ(errno, ENOENT);
    /* A FIFO nobody reads fails at once instead of hanging. */
    PTEST_CHECK(mkfifo("public/dead", 0622) == 0);
    PTEST_INT_EQ(mail_trigger(MAIL_CLASS_PUBLIC, "dead", "W", 1), -1);
    leave_queue_dir();
}

static const PTEST_CASE cases[] = {
    {"connect to class/name", test_connect},
    {"connect deadline", test_connect_deadline},
    {"connect_wait retries and gives up", test_connect_wait},
    {"trigger fifo, socket, neither", test_trigger},
};

PTEST_MAIN(cases)
