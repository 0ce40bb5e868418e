/*
 * postsuper_qid_test - the names postsuper -s gives queue files.  The
 * expected names were observed with Debian's Postfix 3.7 postsuper -s/-S
 * on copies of tests/queuefile/postfix (inode numbers from ls -i).
 */
#include "postsuper_qid.h"
#include "ptest.h"
#include "queue_id.h"

typedef struct {
    const char *name;
    const char *id;
    unsigned long inode;
    int long_ids;
    int strict;
    int want_ret;
    const char *want;
} QID_CASE;

static const QID_CASE qid_cases[] = {
    {"short matches", "B12C9A722E0", 10953440, 0, 0, 0, "B12C9A722E0"},
    {"short renamed", "B12C9A72734", 10953440, 0, 0, 1, "B12C9A722E0"},
    {"short kept short with long ids", "B12C9A72734", 10953440, 1, 0, 1, "B12C9A722E0"},
    {"long to short", "4jXMg33rMsz1bYmx", 10960945, 0, 0, 1, "84489A74031"},
    {"long to short 2", "4jXMg31Qlpz1bZ0s", 10952849, 0, 0, 1, "315B6A72091"},
    {"long kept without -S", "4jXMg33rMsz1bYmx", 10960945, 1, 0, 0, "4jXMg33rMsz1bYmx"},
    {"long -S renamed", "4jXMg33rMsz1bYmx", 10960945, 1, 1, 1, "4jXMg33rMsz1bc6T"},
    {"long -S renamed 2", "4jXMg31fT3z1bYmv", 10952866, 1, 1, 1, "4jXMg31fT3z1bY14"},
    {"bare hash key", "99999", 10953440, 0, 0, 1, "99999A722E0"},
    {"not an id", "abc", 5, 0, 0, -1, 0},
    {"temp name", "123.45", 5, 0, 0, -1, 0},
};

static void test_table(void)
{
    char out[QUEUE_ID_BUFSIZE];

    for (size_t i = 0; i < sizeof(qid_cases) / sizeof(qid_cases[0]); i++) {
        const QID_CASE *c = qid_cases + i;
        int ret = postsuper_qid_fixed(c->id, c->inode, c->long_ids, c->strict, out);

        if (ret != c->want_ret)
            PTEST_FAIL("%s: got %d, want %d", c->name, ret, c->want_ret);
        else if (ret >= 0 && strcmp(out, c->want) != 0)
            PTEST_FAIL("%s: got %s, want %s", c->name, out, c->want);
    }
}

static const PTEST_CASE cases[] = {
    {"fixed names", test_table},
};

PTEST_MAIN(cases)
