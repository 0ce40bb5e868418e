/*
 * Unit tests for user_acl: who may submit, list or flush.  Uses the
 * system's root (uid 0) and nobody (uid 65534) entries, a uid nobody has,
 * list files and tables the test writes, and a table that cannot answer
 * (which must deny: an access list fails closed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "ptest.h"
#include "user_acl.h"

#define NOBODY 65534
#define NOUSER 3999999

static const char *check(const char *acl, uid_t uid)
{
    return user_acl_denied("authorized_submit_users", acl, uid);
}

static void test_lists(void)
{
    PTEST_STR_EQ(check("static:anyone", 0), (const char *)0);
    PTEST_STR_EQ(check("static:anyone", NOBODY), (const char *)0);
    PTEST_STR_EQ(check("static:anyone", NOUSER), (const char *)0);
    PTEST_STR_EQ(check("root", 0), (const char *)0);
    PTEST_STR_EQ(check("root", NOBODY), "nobody");
    PTEST_STR_EQ(check("root, nobody", NOBODY), (const char *)0);
    PTEST_STR_EQ(check("!root, static:anyone", 0), "root");
    PTEST_STR_EQ(check("!root, static:anyone", NOBODY), (const char *)0);
    PTEST_STR_EQ(check("", 0), "root");             /* an empty list lets nobody */
    PTEST_STR_EQ(check("root", NOUSER), "unknown"); /* no passwd entry */
}

static void test_file_and_table(void)
{
    char dir[] = "/tmp/user_acl.XXXXXX";
    char path[100];
    char spec[120];
    FILE *fp;

    if (mkdtemp(dir) == 0)
        PTEST_FAIL("mkdtemp failed");
    snprintf(path, sizeof(path), "%s/users", dir);
    fp = fopen(path, "w");
    fputs("# who may\nnobody\n", fp);
    fclose(fp);
    PTEST_STR_EQ(check(path, NOBODY), (const char *)0);
    PTEST_STR_EQ(check(path, 0), "root");
    snprintf(path, sizeof(path), "%s/table", dir);
    fp = fopen(path, "w");
    fputs("nobody yes\n", fp);
    fclose(fp);
    snprintf(spec, sizeof(spec), "texthash:%s", path);
    PTEST_STR_EQ(check(spec, NOBODY), (const char *)0);
    PTEST_STR_EQ(check(spec, 0), "root");
    /* A table that cannot answer: denied, not allowed. */
    snprintf(spec, sizeof(spec), "hash:%s/missing", dir);
    PTEST_STR_EQ(check(spec, 0), "root");
    unlink(path);
    snprintf(path, sizeof(path), "%s/users", dir);
    unlink(path);
    rmdir(dir);
}

static const PTEST_CASE cases[] = {
    {"lists", test_lists},
    {"file_and_table", test_file_and_table},
};

PTEST_MAIN(cases)
