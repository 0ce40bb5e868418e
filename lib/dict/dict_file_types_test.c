/*
 * dict_file_types_test - unit tests for the file-based table types (hash,
 * btree, lmdb, cdb): build, reopen, lookups with and without trailing
 * nulls, duplicates, sequence, delete, atomic replacement, errors and
 * hostile sizes.  Each case runs over every type from one table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_file.h"
#include "dict_lmdb.h"
#include "ptest.h"
#include "vstring.h"

static const struct {
    const char *type;
    const char *suffix;
    int updatable; /* in place (postmap -i / -d) */
} types[] = {
    {"hash", ".db", 1},
    {"btree", ".db", 1},
    {"lmdb", ".lmdb", 1},
    {"cdb", ".cdb", 0},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static char dir[] = "/tmp/dict_file_types_XXXXXX";

static const char *tpath(const char *base)
{
    static VSTRING *buf;

    if (buf == 0) {
        buf = vstring_alloc(100);
        if (mkdtemp(dir) == 0) {
            perror("mkdtemp");
            exit(1);
        }
    }
    vstring_sprintf(buf, "%s/%s", dir, base);
    return vstring_str(buf);
}

/* Each case runs in its own process with its own directory; remove it. */
static void cleanup(void)
{
    VSTRING *cmd = vstring_alloc(100);

    vstring_sprintf(cmd, "rm -rf %s", dir);
    if (system(vstring_str(cmd)) != 0)
        fprintf(stderr, "cleanup failed\n");
    vstring_free(cmd);
}

static DICT *open_table(size_t t, const char *base, int open_flags, int dict_flags)
{
    char *path = strdup(tpath(base));
    DICT *dict = dict_open3(types[t].type, path, open_flags, dict_flags);

    free(path);
    return dict;
}

static void build(size_t t, const char *base, int dict_flags, const char *const *kv)
{
    DICT *dict = open_table(t, base, O_RDWR | O_CREAT | O_TRUNC, dict_flags);

    if (dict_open_error(dict)) {
        PTEST_FAIL("%s: open for build: %s", types[t].type, dict_errtext(dict));
        return;
    }
    for (; kv[0]; kv += 2)
        if (dict_put(dict, kv[0], kv[1]) == DICT_STAT_FAIL)
            PTEST_FAIL("%s: put %s: %s", types[t].type, kv[0], dict_errtext(dict));
    dict_close(dict);
}

static void expect(size_t t, DICT *dict, const char *key, int want_status, const char *want)
{
    const char *value;
    int status = dict_get(dict, key, &value);

    if (status != want_status)
        PTEST_FAIL("%s: get \"%.40s\": got status %d, want %d (%s)", types[t].type, key, status,
                   want_status, dict_errtext(dict));
    else if (status == DICT_STAT_FOUND && strcmp(value, want) != 0)
        PTEST_FAIL("%s: get \"%.40s\": got \"%s\", want \"%s\"", types[t].type, key, value, want);
}

static void test_build_and_lookup(void)
{
    static const char *const kv[] = {"Foo", "bar", "a", "1", "b", "two words", 0};

    for (size_t t = 0; t < NTYPES; t++) {
        for (int nulls = 0; nulls < 3; nulls++) {
            int wflags = DICT_FLAG_FOLD_FIX | DICT_FLAG_DUP_WARN |
                         (nulls == 1   ? DICT_FLAG_TRY0NULL
                          : nulls == 2 ? DICT_FLAG_TRY1NULL
                                       : 0);
            DICT *dict;

            build(t, "t1", wflags, kv);
            /* A reader does not know how the table was written. */
            dict = open_table(t, "t1", O_RDONLY, DICT_FLAG_DEFAULT | DICT_FLAG_LOCK);
            PTEST_CHECK(!dict_open_error(dict));
            expect(t, dict, "foo", DICT_STAT_FOUND, "bar");
            expect(t, dict, "FOO", DICT_STAT_FOUND, "bar");
            expect(t, dict, "b", DICT_STAT_FOUND, "two words");
            expect(t, dict, "nope", DICT_STAT_NOTFOUND, 0);
            expect(t, dict, "", DICT_STAT_NOTFOUND, 0);
            dict_close(dict);
            /* Without folding, the key was stored folded: "Foo" is not there. */
            dict = open_table(t, "t1", O_RDONLY, 0);
            expect(t, dict, "Foo", DICT_STAT_NOTFOUND, 0);
            expect(t, dict, "foo", DICT_STAT_FOUND, "bar");
            dict_close(dict);
        }
    }
    cleanup();
}

static void test_duplicates(void)
{
    static const char *const kv[] = {"k", "first", "K", "second", 0};
    static const struct {
        int flag;
        const char *want;
    } dups[] = {
        {DICT_FLAG_DUP_WARN, "first"},
        {DICT_FLAG_DUP_IGNORE, "first"},
        {DICT_FLAG_DUP_REPLACE, "second"},
    };

    for (size_t t = 0; t < NTYPES; t++) {
        for (size_t d = 0; d < sizeof(dups) / sizeof(dups[0]); d++) {
            DICT *dict;

            build(t, "dup", DICT_FLAG_FOLD_FIX | dups[d].flag, kv);
            dict = open_table(t, "dup", O_RDONLY, DICT_FLAG_DEFAULT);
            expect(t, dict, "k", DICT_STAT_FOUND, dups[d].want);
            dict_close(dict);
        }
    }
    cleanup();
}

static void test_sequence(void)
{
    static const char *const kv[] = {"a", "1", "b", "2", "c", "3", 0};

    for (size_t t = 0; t < NTYPES; t++) {
        DICT *dict;
        const char *key;
        const char *value;
        int seen = 0;
        int func = DICT_SEQ_FIRST;

        build(t, "seq", DICT_FLAG_DUP_WARN, kv);
        dict = open_table(t, "seq", O_RDONLY, DICT_FLAG_DEFAULT);
        while (dict_seq(dict, func, &key, &value) == DICT_STAT_FOUND) {
            if (strlen(key) != 1 || key[0] < 'a' || key[0] > 'c' || value[0] != key[0] - 'a' + '1')
                PTEST_FAIL("%s: sequence gave %s=%s", types[t].type, key, value);
            seen |= 1 << (key[0] - 'a');
            func = DICT_SEQ_NEXT;
        }
        PTEST_INT_EQ(dict->error, DICT_ERR_NONE);
        if (seen != 7)
            PTEST_FAIL("%s: sequence saw mask %d, want 7", types[t].type, seen);
        /* Past the end stays at the end. */
        PTEST_INT_EQ(dict_seq(dict, DICT_SEQ_NEXT, &key, &value), DICT_STAT_NOTFOUND);
        dict_close(dict);
    }
    cleanup();
}

static void test_update_delete(void)
{
    static const char *const kv[] = {"a", "1", "b", "2", 0};

    for (size_t t = 0; t < NTYPES; t++) {
        DICT *dict;

        build(t, "upd", DICT_FLAG_DUP_WARN, kv);
        dict =
            open_table(t, "upd", O_RDWR, DICT_FLAG_FOLD_FIX | DICT_FLAG_LOCK | DICT_FLAG_DUP_WARN);
        if (!types[t].updatable) {
            PTEST_INT_EQ(dict_put(dict, "c", "3"), DICT_STAT_FAIL);
            PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
            dict_close(dict);
            continue;
        }
        PTEST_INT_EQ(dict_put(dict, "C", "3"), 0);
        PTEST_INT_EQ(dict_put(dict, "a", "x"), 1);
        PTEST_INT_EQ(dict_del(dict, "b"), 0);
        PTEST_INT_EQ(dict_del(dict, "b"), 1);
        PTEST_INT_EQ(dict_del(dict, "nope"), 1);
        dict_close(dict);
        dict = open_table(t, "upd", O_RDONLY, DICT_FLAG_DEFAULT);
        expect(t, dict, "c", DICT_STAT_FOUND, "3");
        expect(t, dict, "a", DICT_STAT_FOUND, "1");
        expect(t, dict, "b", DICT_STAT_NOTFOUND, 0);
        dict_close(dict);
    }
    cleanup();
}

/* A reader that opened the old table keeps answering from it during a rebuild. */
static void test_atomic_replace(void)
{
    static const char *const old_kv[] = {"k", "old", 0};
    static const char *const new_kv[] = {"k", "new", 0};

    for (size_t t = 0; t < NTYPES; t++) {
        DICT *reader;
        DICT *writer;
        DICT *fresh;
        struct stat st;

        build(t, "atomic", DICT_FLAG_DUP_WARN, old_kv);
        reader = open_table(t, "atomic", O_RDONLY, DICT_FLAG_DEFAULT | DICT_FLAG_LOCK);
        writer = open_table(t, "atomic", O_RDWR | O_CREAT | O_TRUNC, DICT_FLAG_DUP_WARN);
        PTEST_INT_EQ(dict_put(writer, new_kv[0], new_kv[1]), 0);
        /* Mid-build: a new reader still sees the complete old table. */
        fresh = open_table(t, "atomic", O_RDONLY, DICT_FLAG_DEFAULT | DICT_FLAG_LOCK);
        expect(t, fresh, "k", DICT_STAT_FOUND, "old");
        dict_close(fresh);
        dict_close(writer);
        expect(t, reader, "k", DICT_STAT_FOUND, "old");
        PTEST_CHECK(dict_changed(reader));
        dict_close(reader);
        fresh = open_table(t, "atomic", O_RDONLY, DICT_FLAG_DEFAULT);
        expect(t, fresh, "k", DICT_STAT_FOUND, "new");
        PTEST_CHECK(!dict_changed(fresh));
        dict_close(fresh);
        /* The mode of the table being replaced is kept. */
        {
            VSTRING *p = vstring_alloc(100);

            vstring_sprintf(p, "%s%s", tpath("atomic"), types[t].suffix);
            PTEST_CHECK(chmod(vstring_str(p), 0640) == 0);
            build(t, "atomic", DICT_FLAG_DUP_WARN, old_kv);
            PTEST_CHECK(stat(vstring_str(p), &st) == 0);
            PTEST_INT_EQ(st.st_mode & 0777, 0640);
            vstring_free(p);
        }
    }
    cleanup();
}

/* A table file that is a symlink stays one; the file it points to is replaced. */
static void test_symlink(void)
{
    static const char *const kv1[] = {"k", "one", 0};
    static const char *const kv2[] = {"k", "two", 0};

    for (size_t t = 0; t < NTYPES; t++) {
        VSTRING *link = vstring_alloc(100);
        VSTRING *target = vstring_alloc(100);
        struct stat st;
        DICT *dict;

        build(t, "real", DICT_FLAG_DUP_WARN, kv1);
        vstring_sprintf(link, "%s%s", tpath("viaLink"), types[t].suffix);
        vstring_sprintf(target, "real%s", types[t].suffix);
        (void)unlink(vstring_str(link));
        PTEST_CHECK(symlink(vstring_str(target), vstring_str(link)) == 0);
        build(t, "viaLink", DICT_FLAG_DUP_WARN, kv2);
        PTEST_CHECK(lstat(vstring_str(link), &st) == 0 && S_ISLNK(st.st_mode));
        dict = open_table(t, "real", O_RDONLY, DICT_FLAG_DEFAULT);
        expect(t, dict, "k", DICT_STAT_FOUND, "two");
        dict_close(dict);
        vstring_free(link);
        vstring_free(target);
    }
    cleanup();
}

static void test_open_errors(void)
{
    for (size_t t = 0; t < NTYPES; t++) {
        DICT *dict = open_table(t, "missing", O_RDONLY, DICT_FLAG_DEFAULT);
        const char *value;
        VSTRING *want = vstring_alloc(100);

        PTEST_CHECK(dict_open_error(dict));
        vstring_sprintf(want, "open database %s%s: No such file or directory", tpath("missing"),
                        types[t].suffix);
        PTEST_STR_EQ(dict_errtext(dict), vstring_str(want));
        PTEST_INT_EQ(dict_get(dict, "k", &value), DICT_STAT_FAIL);
        dict_close(dict);
        vstring_free(want);
    }
    /* A file of the wrong format is an error, not an empty table. */
    for (size_t t = 0; t < NTYPES; t++) {
        VSTRING *p = vstring_alloc(100);
        FILE *fp;
        DICT *dict;

        vstring_sprintf(p, "%s%s", tpath("garbage"), types[t].suffix);
        fp = fopen(vstring_str(p), "w");
        for (int i = 0; i < 1000; i++)
            fputs("this is not a table\n", fp);
        fclose(fp);
        dict = open_table(t, "garbage", O_RDONLY, DICT_FLAG_DEFAULT);
        if (!dict_open_error(dict)) {
            const char *value;

            PTEST_CHECK(dict_get(dict, "this", &value) != DICT_STAT_FOUND);
        }
        dict_close(dict);
        vstring_free(p);
    }
    cleanup();
}

static void test_huge(void)
{
    size_t len = 1 << 20;
    char *big = malloc(len + 1);

    memset(big, 'x', len);
    big[len] = 0;
    for (size_t t = 0; t < NTYPES; t++) {
        DICT *dict = open_table(t, "huge", O_RDWR | O_CREAT | O_TRUNC, DICT_FLAG_DUP_WARN);
        int status = dict_put(dict, big, "v");

        if (strcmp(types[t].type, "lmdb") == 0) {
            /* LMDB keys are limited to 511 bytes: an error, never a crash. */
            PTEST_INT_EQ(status, DICT_STAT_FAIL);
            PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
        } else {
            PTEST_INT_EQ(status, 0);
        }
        PTEST_INT_EQ(dict_put(dict, "k", big), 0);
        dict_close(dict);
        dict = open_table(t, "huge", O_RDONLY, DICT_FLAG_DEFAULT);
        expect(t, dict, "k", DICT_STAT_FOUND, big);
        if (strcmp(types[t].type, "lmdb") != 0)
            expect(t, dict, big, DICT_STAT_FOUND, "v");
        else
            expect(t, dict, big, DICT_STAT_NOTFOUND, 0);
        dict_close(dict);
    }
    free(big);
    cleanup();
}

/* An LMDB map that starts far too small grows while building. */
static void test_lmdb_grow(void)
{
    DICT *dict;
    char key[32];
    char val[64];
    size_t t = 2;

    dict_lmdb_map_size = 32 * 1024;
    dict = open_table(t, "grow", O_RDWR | O_CREAT | O_TRUNC, DICT_FLAG_DUP_WARN);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        snprintf(val, sizeof(val), "value %d with some padding", i);
        if (dict_put(dict, key, val) != 0) {
            PTEST_FAIL("put %s: %s", key, dict_errtext(dict));
            break;
        }
    }
    dict_close(dict);
    dict = open_table(t, "grow", O_RDONLY, DICT_FLAG_DEFAULT);
    expect(t, dict, "key0", DICT_STAT_FOUND, "value 0 with some padding");
    expect(t, dict, "key19999", DICT_STAT_FOUND, "value 19999 with some padding");
    dict_close(dict);
    /* In-place updates grow it too. */
    dict_lmdb_map_size = 32 * 1024;
    dict = open_table(t, "grow", O_RDWR, DICT_FLAG_DUP_REPLACE);
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "new%d", i);
        if (dict_put(dict, key, "padding padding padding padding padding") != 0) {
            PTEST_FAIL("put %s: %s", key, dict_errtext(dict));
            break;
        }
    }
    dict_close(dict);
    cleanup();
}

static const PTEST_CASE cases[] = {
    {"build and lookup with both null conventions", test_build_and_lookup},
    {"duplicate keys", test_duplicates},
    {"sequence", test_sequence},
    {"update and delete in place", test_update_delete},
    {"atomic replacement", test_atomic_replace},
    {"symlinked table", test_symlink},
    {"open errors", test_open_errors},
    {"huge keys and values", test_huge},
    {"lmdb map growth", test_lmdb_grow},
};

PTEST_MAIN(cases)
