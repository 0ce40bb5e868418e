/*
 * queue_id_test - unit tests for queue ids and queue paths.
 *
 * The expected ids and hashed directories were observed on Debian's
 * Postfix 3.7.11 (inode numbers from ls -i, the directory each file landed
 * in with hash_queue_depth 1 and 2), so these tests pin compatibility, not
 * just self-consistency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_queue.h"
#include "ptest.h"
#include "queue_id.h"
#include "vstring.h"

/* Ids Postfix made: time, microseconds, inode, and where the file was. */
static const struct {
    const char *id;
    long sec;
    long usec;
    unsigned long inode;
    const char *dir1; /* deferred/ with depth 1 */
    const char *dir2; /* deferred/ with depth 2 */
} observed[] = {
    {"A084DA7237E", 0, 0xA084D, 10953598, "deferred/A", "deferred/A/0"},
    {"52E0FA720F3", 0, 0x52E0F, 0xA720F3, "deferred/5", "deferred/5/2"},
    {"6835BA72130", 0, 0x6835B, 0xA72130, "deferred/6", "deferred/6/8"},
    {"4jXMNm4Fsyz1bXyn", 1795335400, 599974, 10952801, "deferred/9", "deferred/9/2"},
    {"4jXMPB36Nlz1bY37", 1795335422, 439127, 10952971, "deferred/6", "deferred/6/B"},
    {"4jXMPB3LS7z1bY39", 1795335422, 471751, 10952973, "deferred/7", "deferred/7/3"},
    {"4jXMPB3WSNz1bY3m", 1795335422, 496100, 10953004, "deferred/7", "deferred/7/9"},
};

static void test_make_observed(void)
{
    for (size_t i = 0; i < sizeof(observed) / sizeof(observed[0]); i++) {
        char buf[QUEUE_ID_BUFSIZE];

        if (observed[i].sec)
            queue_id_long(buf, observed[i].sec, observed[i].usec, observed[i].inode);
        else
            queue_id_short(buf, observed[i].usec, observed[i].inode);
        PTEST_STR_EQ(buf, observed[i].id);
        PTEST_INT_EQ(queue_id_kind(buf), observed[i].sec ? QUEUE_ID_LONG : QUEUE_ID_SHORT);
    }
}

static void test_hash_observed(void)
{
    VSTRING *buf = vstring_alloc(100);
    MAIL_QUEUE_CONF conf = {0, 1, "deferred, defer", 0};

    for (size_t i = 0; i < sizeof(observed) / sizeof(observed[0]); i++) {
        conf.hash_depth = 1;
        PTEST_STR_EQ(vstring_str(mail_queue_dir(buf, &conf, "deferred", observed[i].id)),
                     observed[i].dir1);
        conf.hash_depth = 2;
        PTEST_STR_EQ(vstring_str(mail_queue_dir(buf, &conf, "deferred", observed[i].id)),
                     observed[i].dir2);
    }
    vstring_free(buf);
}

static void test_paths(void)
{
    static const struct {
        const char *queue_dir;
        int depth;
        const char *names;
        const char *queue;
        const char *id;
        const char *want;
    } cases[] = {
        {0, 1, 0, "deferred", "A084DA7237E", "deferred/A/A084DA7237E"},
        {0, 1, 0, "defer", "A084DA7237E", "defer/A/A084DA7237E"},
        {0, 1, 0, "hold", "A084DA7237E", "hold/A084DA7237E"},
        {0, 1, 0, "incoming", "A084DA7237E", "incoming/A084DA7237E"},
        {"/var/spool/postfix", 1, "deferred, defer", "deferred", "4jXMNm4Fsyz1bXyn",
         "/var/spool/postfix/deferred/9/4jXMNm4Fsyz1bXyn"},
        {"", 3, "hold,deferred", "hold", "A084DA7237E", "hold/A/0/8/A084DA7237E"},
        {"", 2, "{hold} deferred", "deferred", "6835BA72130", "deferred/6/8/6835BA72130"},
        {"", 2, "deferreds", "deferred", "6835BA72130", "deferred/6835BA72130"},
        {"", 0, 0, "deferred", "6835BA72130", "deferred/6/6835BA72130"},         /* at least 1 */
        {"", 9, 0, "deferred", "6835BA72130", "deferred/6/8/3/5/B/6835BA72130"}, /* at most 5 */
        {"", 2, 0, "deferred", "Q", "deferred/Q/Q"},         /* neither form: own characters */
        {"", 1, 0, "deferred", "../etc", "deferred/../etc"}, /* not hashed: invalid */
    };
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        MAIL_QUEUE_CONF conf = {cases[i].queue_dir, cases[i].depth, cases[i].names, 0};

        mail_queue_path(buf, &conf, cases[i].queue, cases[i].id);
        if (strcmp(vstring_str(buf), cases[i].want) != 0)
            PTEST_FAIL("case %zu: got \"%s\", want \"%s\"", i, vstring_str(buf), cases[i].want);
    }
    vstring_free(buf);
}

static void test_ok(void)
{
    static const struct {
        const char *id;
        int ok;
        int kind;
    } cases[] = {
        {"A084DA7237E", 1, QUEUE_ID_SHORT},
        {"4jXMNm4Fsyz1bXyn", 1, QUEUE_ID_LONG},
        {"", 0, 0},
        {"../x", 0, 0},
        {"A084DA7237E/", 0, 0},
        {"A084D A7237E", 0, 0},
        {"A084DA7237E\n", 0, 0},
        {"caf\xc3\xa9", 0, 0},
        {"abc.def", 0, 0},
        {"ABCDEFABCDEFABCDEFABCDEFABCDEFAB", 1, 0},  /* 32: ok, neither form */
        {"ABCDEFABCDEFABCDEFABCDEFABCDEFABC", 0, 0}, /* 33 */
        {"A084Da7237E", 1, 0},                       /* lower case hex: not short */
        {"F4240A", 1, 0},                            /* microseconds >= 10^6 */
        {"A084D", 1, 0},                             /* no inode */
        {"4jXMNm4FsyzaeXyn", 1, 0},                  /* vowels are not base-51 digits */
        {"4jXMNm4Fsyz", 1, 0},                       /* no inode */
        {"4jXMNmzzzzz1bX", 1, 0},                    /* microseconds >= 10^6 */
        {"4jXMNm4Fsyz1bzyn", 1, 0},                  /* second separator */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (queue_id_ok(cases[i].id) != cases[i].ok)
            PTEST_FAIL("queue_id_ok(\"%s\"): got %d, want %d", cases[i].id,
                       queue_id_ok(cases[i].id), cases[i].ok);
        if (queue_id_kind(cases[i].id) != cases[i].kind)
            PTEST_FAIL("queue_id_kind(\"%s\"): got %d, want %d", cases[i].id,
                       queue_id_kind(cases[i].id), cases[i].kind);
    }
}

/* Made ids are always valid, and the hash key is the microseconds. */
static void test_roundtrip(void)
{
    srandom(12345);
    for (int i = 0; i < 20000; i++) {
        char buf[QUEUE_ID_BUFSIZE];
        char key[QUEUE_ID_HASH_KEYLEN + 1];
        char want[16];
        long usec = i < 4 ? (long[]){0, 1, 999999, 65536}[i] : random() % 1000000;
        unsigned long inode = i < 4 ? (unsigned long[]){0, 1, ~0UL, 51}[i]
                                    : ((unsigned long)random() << 31) ^ (unsigned long)random();
        long sec = i < 4 ? (long[]){0, 1, 4102444800L, 380204032L}[i] : random();

        snprintf(want, sizeof(want), "%05lX", usec);
        queue_id_short(buf, usec, inode);
        if (queue_id_kind(buf) != QUEUE_ID_SHORT || queue_id_hash_key(buf, key) != 0 ||
            strcmp(key, want) != 0)
            PTEST_FAIL("short %ld %lu: id %s key %s kind %d", usec, inode, buf, key,
                       queue_id_kind(buf));
        queue_id_long(buf, sec, usec, inode);
        if (queue_id_kind(buf) != QUEUE_ID_LONG || queue_id_hash_key(buf, key) != 0 ||
            strcmp(key, want) != 0)
            PTEST_FAIL("long %ld %ld %lu: id %s key %s kind %d", sec, usec, inode, buf, key,
                       queue_id_kind(buf));
        if (ptest_failed)
            break;
    }
}

/* Long ids sort by creation time (same-width prefixes). */
static void test_long_order(void)
{
    char a[QUEUE_ID_BUFSIZE];
    char b[QUEUE_ID_BUFSIZE];

    queue_id_long(a, 1795335400, 999999, 5);
    queue_id_long(b, 1795335401, 0, 4);
    PTEST_CHECK(strncmp(a, b, 10) < 0);
    queue_id_long(a, 1795335400, 12, 5);
    queue_id_long(b, 1795335400, 13, 4);
    PTEST_CHECK(strncmp(a, b, 10) < 0);
}

static const PTEST_CASE cases[] = {
    {"make_observed", test_make_observed},
    {"hash_observed", test_hash_observed},
    {"paths", test_paths},
    {"ok", test_ok},
    {"roundtrip", test_roundtrip},
    {"long_order", test_long_order},
};

PTEST_MAIN(cases)
