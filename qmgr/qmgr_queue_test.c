/*
 * Unit tests for qmgr_queue: request selection under the per-destination
 * window and the per-transport limit, round robin, dead destinations.
 */
#include <limits.h>
#include <string.h>

#include "mymalloc.h"
#include "ptest.h"
#include "qmgr.h"

static QMGR_TRANSPORT *make_transport(int dest_limit, int proc_limit)
{
    QMGR_TRANSPORT *t = mycalloc(1, sizeof(*t));

    t->name = mystrdup("smtp");
    t->dest_limit = dest_limit;
    t->rcpt_limit = 50;
    t->proc_limit = proc_limit;
    t->queues = htable_create(13);
    return t;
}

static QMGR_QUEUE *make_queue(QMGR_TRANSPORT *t, const char *name, int window)
{
    QMGR_QUEUE *q = qmgr_queue_create(t, name);

    q->window = window;
    return q;
}

/* A message that never finishes (an extra reference), for entry_done. */
static QMGR_MESSAGE *make_message(void)
{
    QMGR_MESSAGE *m = mycalloc(1, sizeof(*m));

    m->refcount = 1;
    return m;
}

static void test_window(void)
{
    QMGR_TRANSPORT *t = make_transport(2, INT_MAX);
    QMGR_QUEUE *q = make_queue(t, "a.example", 2);
    QMGR_MESSAGE *m = make_message();
    QMGR_ENTRY *e1, *e2;

    for (int i = 0; i < 5; i++)
        qmgr_entry_create(q, m, "a.example");
    PTEST_INT_EQ(q->todo_len, 5);
    e1 = qmgr_entry_select(t);
    e2 = qmgr_entry_select(t);
    PTEST_CHECK(e1 != 0 && e2 != 0);
    /* Two in flight: the window is full. */
    PTEST_CHECK(qmgr_entry_select(t) == 0);
    PTEST_INT_EQ(q->busy, 2);
    PTEST_INT_EQ(t->busy, 2);
    qmgr_entry_done(e1, 1);
    PTEST_INT_EQ(q->busy, 1);
    PTEST_CHECK((e1 = qmgr_entry_select(t)) != 0);
    PTEST_CHECK(qmgr_entry_select(t) == 0);
    /* Unselect puts it back at the head and frees the slot. */
    qmgr_entry_unselect(e1);
    PTEST_INT_EQ(q->busy, 1);
    PTEST_INT_EQ(q->todo_len, 3);
    PTEST_CHECK(qmgr_entry_select(t) == e1);
}

static void test_round_robin(void)
{
    QMGR_TRANSPORT *t = make_transport(10, INT_MAX);
    QMGR_QUEUE *a = make_queue(t, "a", 10);
    QMGR_QUEUE *b = make_queue(t, "b", 10);
    QMGR_QUEUE *c = make_queue(t, "c", 10);
    QMGR_MESSAGE *m = make_message();
    char order[16];
    int n = 0;
    QMGR_ENTRY *e;

    for (int i = 0; i < 3; i++)
        qmgr_entry_create(a, m, "a");
    qmgr_entry_create(b, m, "b");
    for (int i = 0; i < 2; i++)
        qmgr_entry_create(c, m, "c");
    while ((e = qmgr_entry_select(t)) != 0 && n < 15)
        order[n++] = e->queue->name[0];
    order[n] = 0;
    /* No destination gets a second turn before the others had one. */
    PTEST_STR_EQ(order, "abcaca");
}

static void test_process_limit(void)
{
    QMGR_TRANSPORT *t = make_transport(10, 3);
    QMGR_QUEUE *a = make_queue(t, "a", 10);
    QMGR_QUEUE *b = make_queue(t, "b", 10);
    QMGR_MESSAGE *m = make_message();
    int n = 0;

    for (int i = 0; i < 4; i++) {
        qmgr_entry_create(a, m, "a");
        qmgr_entry_create(b, m, "b");
    }
    while (qmgr_entry_select(t) != 0)
        n++;
    PTEST_INT_EQ(n, 3);
    PTEST_INT_EQ(t->busy, 3);
}

static void test_dead_queue_skipped(void)
{
    QMGR_TRANSPORT *t = make_transport(10, INT_MAX);
    QMGR_QUEUE *a = make_queue(t, "a", 10);
    QMGR_QUEUE *b = make_queue(t, "b", 10);
    QMGR_MESSAGE *m = make_message();
    QMGR_ENTRY *e;

    qmgr_entry_create(a, m, "a");
    qmgr_entry_create(b, m, "b");
    /* Marked dead by hand: throttling itself defers through bounce.h. */
    a->dead = 1;
    a->dead_reason = mystrdup("test");
    e = qmgr_entry_select(t);
    PTEST_CHECK(e != 0 && e->queue == b);
    PTEST_CHECK(qmgr_entry_select(t) == 0);
    t->dead = 1;
    qmgr_entry_unselect(e);
    PTEST_CHECK(qmgr_entry_select(t) == 0);
}

static void test_idle_queue_freed(void)
{
    QMGR_TRANSPORT *t = make_transport(10, INT_MAX);
    QMGR_QUEUE *a = make_queue(t, "a", 10);
    QMGR_MESSAGE *m = make_message();
    QMGR_ENTRY *e;

    qmgr_entry_create(a, m, "a");
    PTEST_INT_EQ(m->refcount, 2);
    e = qmgr_entry_select(t);
    PTEST_CHECK(qmgr_queue_find(t, "a") == a);
    qmgr_entry_done(e, 1);
    PTEST_CHECK(qmgr_queue_find(t, "a") == 0);
    PTEST_INT_EQ(m->refcount, 1);
    PTEST_INT_EQ(t->busy, 0);
}

static const PTEST_CASE cases[] = {
    {"window", test_window},
    {"round_robin", test_round_robin},
    {"process_limit", test_process_limit},
    {"dead_queue_skipped", test_dead_queue_skipped},
    {"idle_queue_freed", test_idle_queue_freed},
};

PTEST_MAIN(cases)
