/*
 * Unit tests for htable: insertion order, growth, deletion.
 */
#include <stdio.h>

#include "htable.h"
#include "mymalloc.h"
#include "ptest.h"

static void test_grow_and_order(void)
{
    HTABLE *t = htable_create(0);
    char key[32];

    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%ld", i);
        htable_enter(t, key, (void *) (i + 1));
    }
    PTEST_INT_EQ(t->used, 5000);
    PTEST_INT_EQ((long) htable_find(t, "k4321"), 4322);
    PTEST_CHECK(htable_find(t, "nope") == 0);
    htable_delete(t, "k0", 0);
    htable_delete(t, "k4999", 0);
    htable_delete(t, "absent", 0);
    HTABLE_INFO **list = htable_list(t);
    PTEST_STR_EQ(list[0]->key, "k1");
    PTEST_STR_EQ(list[4997]->key, "k4998");
    PTEST_CHECK(list[4998] == 0);
    myfree(list);
    /* Entering an existing key keeps the first value. */
    PTEST_INT_EQ((long) htable_enter(t, "k5", (void *) 99)->value, 6);
    htable_free(t, 0);
}

static const PTEST_CASE cases[] = {{"grow_and_order", test_grow_and_order}};

PTEST_MAIN(cases)
