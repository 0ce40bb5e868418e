/*
 * maps_test - ordered table lists: first hit wins, a failure ends the
 * search, partial keys skip pattern tables, tables are opened once.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "maps.h"
#include "ptest.h"

static void test_find(void)
{
    char path[] = "/tmp/maps_test.XXXXXX";
    int fd = mkstemp(path);
    char spec[100];
    MAPS *maps;
    const char *value;

    if (write(fd, "/^k/ rx\n", 8) != 8)
        PTEST_FAIL("write %s", path);
    close(fd);
    snprintf(spec, sizeof(spec), "inline:{k1=v1}, regexp:%s", path);
    maps = maps_create("test_maps", spec, DICT_FLAG_DEFAULT);
    PTEST_STR_EQ(maps_title(maps), "test_maps");
    PTEST_INT_EQ(maps_empty(maps), 0);
    PTEST_INT_EQ(maps_find(maps, "k1", MAPS_FIND_ALL, &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "v1");
    PTEST_INT_EQ(maps_find(maps, "K1", MAPS_FIND_ALL, &value), DICT_STAT_FOUND);
    PTEST_INT_EQ(maps_find(maps, "k2", MAPS_FIND_ALL, &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "rx");
    PTEST_INT_EQ(maps_find(maps, "x", MAPS_FIND_ALL, &value), DICT_STAT_NOTFOUND);
    /* Partial keys never go to pattern tables. */
    PTEST_INT_EQ(maps_find(maps, "k2", MAPS_FIND_FIXED, &value), DICT_STAT_NOTFOUND);
    maps_free(maps);
    unlink(path);
}

static void test_fail(void)
{
    MAPS *maps = maps_create("test_maps", "fail:x, inline:{k=v}", DICT_FLAG_DEFAULT);
    const char *value;

    /* A later table never answers for an earlier one that failed. */
    PTEST_INT_EQ(maps_find(maps, "k", MAPS_FIND_ALL, &value), DICT_STAT_FAIL);
    maps_free(maps);
    maps = maps_create("test_maps", "inline:{k=v}, fail:x", DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(maps_find(maps, "k", MAPS_FIND_ALL, &value), DICT_STAT_FOUND);
    PTEST_INT_EQ(maps_find(maps, "j", MAPS_FIND_ALL, &value), DICT_STAT_FAIL);
    maps_free(maps);
}

static void test_spec(void)
{
    MAPS *maps = maps_create("test_maps", "", DICT_FLAG_DEFAULT);
    const char *value;

    PTEST_INT_EQ(maps_empty(maps), 1);
    PTEST_INT_EQ(maps_find(maps, "k", MAPS_FIND_ALL, &value), DICT_STAT_NOTFOUND);
    maps_free(maps);
    /* Not type:name: ignored with a warning. */
    maps = maps_create("test_maps", "junk, [1.2.3.4]", DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(maps_empty(maps), 1);
    maps_free(maps);
    PTEST_INT_EQ(maps_is_table("hash:/x"), 1);
    PTEST_INT_EQ(maps_is_table("[ipv6:1::2]"), 0);
    PTEST_INT_EQ(maps_is_table("example.com"), 0);
}

static void test_cache(void)
{
    char path[] = "/tmp/maps_test.XXXXXX";
    int fd = mkstemp(path);
    char spec[100];
    char db_path[100];
    DICT *dict;

    /* The same table text is opened once (per dict flags). */
    PTEST_CHECK(maps_table_open("inline:{k1=v1}", DICT_FLAG_DEFAULT) ==
                maps_table_open("inline:{k1=v1}", DICT_FLAG_DEFAULT));
    PTEST_CHECK(maps_table_open("inline:{k1=v1}", DICT_FLAG_DEFAULT) !=
                maps_table_open("inline:{k1=v1}", DICT_FLAG_NONE));
    /* proxy: goes through the proxymap client like any dict_open. */
    dict = maps_table_open("proxy:inline:{k1=v1}", DICT_FLAG_DEFAULT);
    PTEST_STR_EQ(dict->type, "proxy");
    PTEST_CHECK(maps_table_changed() == 0);

    /* A table file that was replaced is noticed. */
    close(fd);
    unlink(path);
    snprintf(spec, sizeof(spec), "hash:%s", path);
    snprintf(db_path, sizeof(db_path), "%s.db", path);
    dict = dict_open(spec, O_RDWR | O_CREAT | O_TRUNC, DICT_FLAG_DEFAULT | DICT_FLAG_TRY1NULL);
    PTEST_INT_EQ(dict_put(dict, "k", "v"), 0);
    dict_close(dict);
    (void)maps_table_open(spec, DICT_FLAG_DEFAULT);
    PTEST_CHECK(maps_table_changed() == 0);
    unlink(db_path);
    PTEST_STR_EQ(maps_table_changed(), spec);
}

static const PTEST_CASE cases[] = {
    {"find", test_find},
    {"fail", test_fail},
    {"spec", test_spec},
    {"cache", test_cache},
};

PTEST_MAIN(cases)
