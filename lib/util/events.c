/*
 * events - epoll event loop with timers; see events.h.
 *
 * Each descriptor has a slot with its read and write callbacks, the epoll
 * mask it is registered with, and a generation number.  The generation goes
 * into the epoll event's data with the descriptor and changes whenever the
 * descriptor is disabled, so an event reported for a descriptor that was
 * disabled (and perhaps closed and reused) earlier in the same round is
 * recognised as stale and dropped.  epoll is level-triggered: nothing is lost
 * by dropping, the next round reports it again if it still holds.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "checked.h"
#include "events.h"
#include "iostuff.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct EVENT_FDSLOT {
    EVENT_FN read_fn;
    void *read_ctx;
    EVENT_FN write_fn;
    void *write_ctx;
    uint32_t mask; /* registered EPOLLIN/EPOLLOUT, 0: not */
    uint32_t gen;
} EVENT_FDSLOT;

typedef struct EVENT_TIMER {
    int64_t when; /* mono_ms() deadline */
    uint64_t seq; /* request order, breaks ties */
    EVENT_FN fn;
    void *ctx;
    size_t heap_index;             /* where it is in event_timers */
    struct EVENT_TIMER *hash_next; /* chain in event_timer_hash */
} EVENT_TIMER;

#define EVENT_MAX_BATCH 256

static int event_epfd = -1;
static EVENT_FDSLOT *event_slots;
static size_t event_slot_count;
static EVENT_TIMER **event_timers; /* the heap */
static size_t event_timer_count;
static size_t event_timer_size;
static EVENT_TIMER **event_timer_hash; /* (fn, ctx) -> timer */
static size_t event_timer_buckets;
static uint64_t event_timer_seq;
static time_t event_present;

static void event_init(void)
{
    if (event_epfd >= 0)
        return;
    if ((event_epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        msg_fatal("epoll_create1: %m");
    event_present = time((time_t *)0);
}

static EVENT_FDSLOT *event_slot(int fd, const char *who)
{
    if (fd < 0)
        msg_panic("%s: bad descriptor %d", who, fd);
    if ((size_t)fd >= event_slot_count) {
        size_t count = checked_mul(event_slot_count ? event_slot_count : 64, 2);
        if (count <= (size_t)fd)
            count = checked_add((size_t)fd, 1);
        event_slots = myrealloc_array(event_slots, count, sizeof(*event_slots));
        memset(event_slots + event_slot_count, 0,
               (count - event_slot_count) * sizeof(*event_slots));
        event_slot_count = count;
    }
    return event_slots + fd;
}

/* Tell epoll about a slot's new mask. */
static void event_update(int fd, EVENT_FDSLOT *slot, uint32_t mask)
{
    struct epoll_event ev;
    int op;

    if (mask == slot->mask)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.events = mask;
    ev.data.u64 = (uint64_t)(uint32_t)fd | ((uint64_t)slot->gen << 32);
    op = slot->mask == 0 ? EPOLL_CTL_ADD : mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    int rc = epoll_ctl(event_epfd, op, fd, &ev);
    /* A descriptor closed without event_disable_readwrite() and then reused. */
    if (rc < 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
        rc = epoll_ctl(event_epfd, op = EPOLL_CTL_ADD, fd, &ev);
    else if (rc < 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
        rc = epoll_ctl(event_epfd, op = EPOLL_CTL_MOD, fd, &ev);
    /* Disabling a descriptor that was already closed is fine. */
    if (rc < 0 && !(op == EPOLL_CTL_DEL && (errno == ENOENT || errno == EBADF))) {
        if (errno == EBADF || errno == EPERM)
            msg_panic("epoll_ctl: descriptor %d: %m", fd);
        msg_fatal("epoll_ctl: descriptor %d: %m", fd);
    }
    slot->mask = mask;
}

void event_enable_read(int fd, EVENT_FN fn, void *context)
{
    event_init();
    EVENT_FDSLOT *slot = event_slot(fd, "event_enable_read");
    slot->read_fn = fn;
    slot->read_ctx = context;
    event_update(fd, slot, slot->mask | EPOLLIN);
}

void event_enable_read_exclusive(int fd, EVENT_FN fn, void *context)
{
    event_init();
    EVENT_FDSLOT *slot = event_slot(fd, "event_enable_read_exclusive");
    /* epoll cannot change an exclusive registration: only add or delete. */
    if (slot->mask != 0)
        msg_panic("event_enable_read_exclusive: descriptor %d is registered already", fd);
    slot->read_fn = fn;
    slot->read_ctx = context;
    event_update(fd, slot, EPOLLIN | EPOLLEXCLUSIVE);
}

void event_enable_write(int fd, EVENT_FN fn, void *context)
{
    event_init();
    EVENT_FDSLOT *slot = event_slot(fd, "event_enable_write");
    slot->write_fn = fn;
    slot->write_ctx = context;
    event_update(fd, slot, slot->mask | EPOLLOUT);
}

void event_disable_readwrite(int fd)
{
    if (fd < 0 || (size_t)fd >= event_slot_count)
        return;
    EVENT_FDSLOT *slot = event_slots + fd;
    event_update(fd, slot, 0);
    slot->read_fn = slot->write_fn = 0;
    slot->read_ctx = slot->write_ctx = 0;
    slot->gen++;
}

/*
 * Timers: a binary min-heap on (when, seq) of pointers, each timer knowing
 * its heap position, plus a hash table on (fn, ctx) so that replacing or
 * cancelling a timer costs O(1) to find and O(log n) to re-order, even with
 * thousands of sessions each holding one.
 */

static size_t event_timer_bucket(EVENT_FN fn, void *context, size_t buckets)
{
    uint64_t h = (uint64_t)(uintptr_t)fn * 0x9e3779b97f4a7c15ULL;

    h ^= (uint64_t)(uintptr_t)context + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return (size_t)(h ^ (h >> 33)) & (buckets - 1);
}

static void event_timer_rehash(size_t buckets)
{
    EVENT_TIMER **table = mycalloc(buckets, sizeof(*table));

    for (size_t i = 0; i < event_timer_count; i++) {
        EVENT_TIMER *t = event_timers[i];
        size_t b = event_timer_bucket(t->fn, t->ctx, buckets);
        t->hash_next = table[b];
        table[b] = t;
    }
    myfree(event_timer_hash);
    event_timer_hash = table;
    event_timer_buckets = buckets;
}

static EVENT_TIMER **event_timer_link(EVENT_FN fn, void *context)
{
    EVENT_TIMER **tpp = event_timer_hash + event_timer_bucket(fn, context, event_timer_buckets);

    while (*tpp && !((*tpp)->fn == fn && (*tpp)->ctx == context))
        tpp = &(*tpp)->hash_next;
    return tpp;
}

static int event_timer_before(const EVENT_TIMER *a, const EVENT_TIMER *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void event_timer_place(EVENT_TIMER *t, size_t i)
{
    event_timers[i] = t;
    t->heap_index = i;
}

static void event_timer_sift(size_t i)
{
    EVENT_TIMER *t = event_timers[i];

    while (i > 0 && event_timer_before(t, event_timers[(i - 1) / 2])) {
        event_timer_place(event_timers[(i - 1) / 2], i);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t least = i;
        EVENT_TIMER *least_t = t;
        size_t left = 2 * i + 1;
        if (left < event_timer_count && event_timer_before(event_timers[left], least_t))
            least_t = event_timers[least = left];
        if (left + 1 < event_timer_count && event_timer_before(event_timers[left + 1], least_t))
            least_t = event_timers[least = left + 1];
        if (least == i)
            break;
        event_timer_place(least_t, i);
        i = least;
    }
    event_timer_place(t, i);
}

/* Take a timer out of the heap and the hash table, and free it. */
static void event_timer_remove(EVENT_TIMER *t)
{
    EVENT_TIMER **tpp = event_timer_link(t->fn, t->ctx);
    size_t i = t->heap_index;

    *tpp = t->hash_next;
    event_timer_count--;
    if (i < event_timer_count) {
        event_timer_place(event_timers[event_timer_count], i);
        event_timer_sift(i);
    }
    myfree(t);
}

void event_request_timer(EVENT_FN fn, void *context, int delay_ms)
{
    EVENT_TIMER *t;

    if (delay_ms < 0)
        delay_ms = 0;
    if (event_timer_buckets == 0)
        event_timer_rehash(64);
    if ((t = *event_timer_link(fn, context)) == 0) {
        if (event_timer_count == event_timer_size) {
            event_timer_size = event_timer_size ? checked_mul(event_timer_size, 2) : 16;
            event_timers = myrealloc_array(event_timers, event_timer_size, sizeof(*event_timers));
        }
        t = mymalloc(sizeof(*t));
        t->fn = fn;
        t->ctx = context;
        event_timer_place(t, event_timer_count++);
        size_t b = event_timer_bucket(fn, context, event_timer_buckets);
        t->hash_next = event_timer_hash[b];
        event_timer_hash[b] = t;
        if (event_timer_count > 2 * event_timer_buckets)
            event_timer_rehash(checked_mul(event_timer_buckets, 4));
    }
    t->when = mono_ms() + delay_ms;
    t->seq = event_timer_seq++;
    event_timer_sift(t->heap_index);
}

int event_cancel_timer(EVENT_FN fn, void *context)
{
    EVENT_TIMER *t;

    if (event_timer_buckets == 0 || (t = *event_timer_link(fn, context)) == 0)
        return 0;
    event_timer_remove(t);
    return 1;
}

/* Run the timers that are due, but none requested while running them. */
static void event_run_timers(void)
{
    uint64_t limit = event_timer_seq;
    int64_t now = mono_ms();

    while (event_timer_count > 0 && event_timers[0]->when <= now && event_timers[0]->seq < limit) {
        EVENT_FN fn = event_timers[0]->fn;
        void *ctx = event_timers[0]->ctx;
        event_timer_remove(event_timers[0]);
        fn(EVENT_TIME, ctx);
    }
}

/* --- the loop ------------------------------------------------------------------- */

time_t event_time(void)
{
    if (event_present == 0)
        event_present = time((time_t *)0);
    return event_present;
}

void event_loop(int timeout_ms)
{
    struct epoll_event events[EVENT_MAX_BATCH];
    int wait = timeout_ms < 0 ? -1 : timeout_ms;

    event_init();
    if (event_timer_count > 0) {
        int64_t left = event_timers[0]->when - mono_ms();
        if (left < 0)
            left = 0;
        if (wait < 0 || left < wait)
            wait = left > INT32_MAX ? INT32_MAX : (int)left;
    }
    int count = epoll_wait(event_epfd, events, EVENT_MAX_BATCH, wait);
    if (count < 0) {
        if (errno != EINTR)
            msg_fatal("epoll_wait: %m");
        count = 0;
    }
    event_present = time((time_t *)0);
    event_run_timers();
    for (int i = 0; i < count; i++) {
        int fd = (int)(uint32_t)events[i].data.u64;
        uint32_t gen = (uint32_t)(events[i].data.u64 >> 32);
        uint32_t got = events[i].events;
        int xcpt = (got & (EPOLLERR | EPOLLHUP)) ? EVENT_XCPT : 0;

        if ((size_t)fd >= event_slot_count || event_slots[fd].gen != gen)
            continue;
        if ((got & (EPOLLIN | EPOLLERR | EPOLLHUP)) && event_slots[fd].read_fn)
            event_slots[fd].read_fn(EVENT_READ | xcpt, event_slots[fd].read_ctx);
        /* The read callback may have disabled or replaced this descriptor. */
        if (event_slots[fd].gen != gen)
            continue;
        if ((got & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && event_slots[fd].write_fn &&
            (event_slots[fd].mask & EPOLLOUT))
            event_slots[fd].write_fn(EVENT_WRITE | xcpt, event_slots[fd].write_ctx);
    }
}

void event_fork(void)
{
    if (event_epfd < 0)
        return;
    close(event_epfd);
    event_epfd = -1;
    event_init();
    for (size_t fd = 0; fd < event_slot_count; fd++) {
        uint32_t mask = event_slots[fd].mask;
        if (mask) {
            event_slots[fd].mask = 0;
            event_update((int)fd, event_slots + fd, mask);
        }
    }
}
