/*
 * Unit tests for postdrop_clnt: the postdrop/1 answer is parsed strictly
 * (a wrong hello, a missing or malformed id is "no id", never a crash or a
 * bogus id in a reply), and postdrop_start/finish run a program with the
 * records on its stdin and its answer and exit status back.  The program
 * here is a small shell script standing in for postdrop; the real one is
 * exercised end to end by tests/test_smtpd_instance.py (sendmail -bs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail_params.h"
#include "msg.h"
#include "postdrop_clnt.h"
#include "ptest.h"
#include "vstream.h"
#include "vstring.h"

#define HELLO "protocol\0postdrop/1\0\0"

static int read_id(const char *bytes, size_t len, VSTRING *id)
{
    VSTRING *in = vstring_alloc(100);
    VSTREAM *s;
    int rc;

    vstring_memcpy(in, bytes, len);
    s = vstream_memopen(in, VSTREAM_READ);
    rc = postdrop_read_id(s, id);
    vstream_fclose(s);
    vstring_free(in);
    return rc;
}

#define B(s) s, sizeof(s) - 1

static void test_read_id(void)
{
    VSTRING *id = vstring_alloc(10);

    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0"
                                 "4XyZ12abCdz\0\0"),
                         id),
                 0);
    PTEST_STR_EQ(vstring_str(id), "4XyZ12abCdz");
    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0"
                                 "8CB9BA74033\0\0"),
                         id),
                 0);
    PTEST_STR_EQ(vstring_str(id), "8CB9BA74033");
    /* Postfix's own postdrop speaks another dialect: no id, no harm. */
    PTEST_INT_EQ(read_id(B("protocol\0postdrop_protocol\0queue_id\0"
                           "8CB9BA74033\0\0"),
                         id),
                 -1);
    PTEST_INT_EQ(read_id(B(""), id), -1);    /* said nothing */
    PTEST_INT_EQ(read_id(B(HELLO), id), -1); /* hello only */
    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0"
                                 "8CB9"),
                         id),
                 -1);                                                    /* cut short */
    PTEST_INT_EQ(read_id(B(HELLO "\0"), id), -1);                        /* empty list */
    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0x\0extra\0y\0\0"), id), -1); /* extra name */
    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0../../etc\0\0"), id), -1);   /* not an id */
    PTEST_INT_EQ(read_id(B(HELLO "queue_id\0\0\0"), id), -1);
    vstring_free(id);
}

/* A stand-in postdrop: answers, copies its stdin and args, exits $STATUS. */
static char *fake_postdrop(const char *answer_printf, int status)
{
    static char dir[] = "/tmp/pdclnt.XXXXXX";
    VSTRING *path = vstring_alloc(100);
    FILE *fp;

    if (mkdtemp(dir) == 0)
        msg_fatal("mkdtemp: %m");
    vstring_sprintf(path, "%s/postdrop", dir);
    if ((fp = fopen(vstring_str(path), "w")) == 0)
        msg_fatal("create %s: %m", vstring_str(path));
    fprintf(fp, "#!/bin/sh\nprintf '%s'\necho \"$@\" > %s/args\ncat > %s/in\nexit %d\n",
            answer_printf, dir, dir, status);
    fclose(fp);
    chmod(vstring_str(path), 0755);
    vstring_free(path);
    return dir;
}

static char *slurp(const char *dir, const char *name)
{
    static char buf[200];
    char path[200];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fp = fopen(path, "r")) == 0)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

static void test_start_finish(void)
{
    POSTDROP pd;
    VSTRING *id = vstring_alloc(10);
    const char *args[] = {"-v", 0};
    int wstat;

    var_command_directory = fake_postdrop("protocol\\000postdrop/1\\000\\000queue_id\\000"
                                          "ABCDEF0123\\000\\000",
                                          0);
    var_ipc_timeout = 10;
    PTEST_INT_EQ(postdrop_start(&pd, args), 0);
    PTEST_INT_EQ(postdrop_queue_id(&pd, id), 0);
    PTEST_STR_EQ(vstring_str(id), "ABCDEF0123");
    PTEST_INT_EQ(write(pd.fd, "records", 7), 7);
    wstat = postdrop_finish(&pd);
    PTEST_CHECK(WIFEXITED(wstat) && WEXITSTATUS(wstat) == 0);
    PTEST_STR_EQ(slurp(var_command_directory, "in"), "records");
    PTEST_STR_EQ(slurp(var_command_directory, "args"), "-r -v\n");
    vstring_free(id);
}

static void test_failure_status(void)
{
    POSTDROP pd;
    VSTRING *id = vstring_alloc(10);

    /* Says nothing and waits for its input: the reader gives up in time. */
    var_command_directory = fake_postdrop("", 75);
    var_ipc_timeout = 1;
    PTEST_INT_EQ(postdrop_start(&pd, 0), 0);
    PTEST_INT_EQ(postdrop_queue_id(&pd, id), -1);
    PTEST_CHECK(WEXITSTATUS(postdrop_finish(&pd)) == 75);
    /* A command directory without postdrop: the child says so and exits 69. */
    var_command_directory = "/nonexistent";
    PTEST_INT_EQ(postdrop_start(&pd, 0), 0);
    PTEST_INT_EQ(postdrop_queue_id(&pd, id), -1);
    PTEST_CHECK(WEXITSTATUS(postdrop_finish(&pd)) == 69);
    vstring_free(id);
}

static const PTEST_CASE cases[] = {
    {"read_id", test_read_id},
    {"start_finish", test_start_finish},
    {"failure_status", test_failure_status},
};

PTEST_MAIN(cases)
