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
} EVENT_TIMER;

#define EVENT_MAX_BATCH 256

static int event_epfd = -1;
static EVENT_FDSLOT *event_slots;
static size_t event_slot_count;
static EVENT_TIMER *event_timers;
static size_t event_timer_count;
static size_t event_timer_size;
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

/* --- timers: a binary min-heap on (when, seq) --------------------------------- */

static int event_timer_before(const EVENT_TIMER *a, const EVENT_TIMER *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void event_timer_swap(size_t i, size_t j)
{
    EVENT_TIMER tmp = event_timers[i];

    event_timers[i] = event_timers[j];
    event_timers[j] = tmp;
}

static void event_timer_sift(size_t i)
{
    while (i > 0 && event_timer_before(event_timers + i, event_timers + (i - 1) / 2)) {
        event_timer_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t least = i;
        size_t left = 2 * i + 1;
        size_t right = left + 1;
        if (left < event_timer_count &&
            event_timer_before(event_timers + left, event_timers + least))
            least = left;
        if (right < event_timer_count &&
            event_timer_before(event_timers + right, event_timers + least))
            least = right;
        if (least == i)
            return;
        event_timer_swap(i, least);
        i = least;
    }
}

static void event_timer_remove(size_t i)
{
    event_timer_count--;
    if (i < event_timer_count) {
        event_timers[i] = event_timers[event_timer_count];
        event_timer_sift(i);
    }
}

static size_t event_timer_find(EVENT_FN fn, void *context)
{
    for (size_t i = 0; i < event_timer_count; i++)
        if (event_timers[i].fn == fn && event_timers[i].ctx == context)
            return i;
    return SIZE_MAX;
}

void event_request_timer(EVENT_FN fn, void *context, int delay_ms)
{
    size_t i = event_timer_find(fn, context);

    if (delay_ms < 0)
        delay_ms = 0;
    if (i == SIZE_MAX) {
        if (event_timer_count == event_timer_size) {
            event_timer_size = event_timer_size ? checked_mul(event_timer_size, 2) : 16;
            event_timers = myrealloc_array(event_timers, event_timer_size, sizeof(*event_timers));
        }
        i = event_timer_count++;
        event_timers[i].fn = fn;
        event_timers[i].ctx = context;
    }
    event_timers[i].when = mono_ms() + delay_ms;
    event_timers[i].seq = event_timer_seq++;
    event_timer_sift(i);
}

int event_cancel_timer(EVENT_FN fn, void *context)
{
    size_t i = event_timer_find(fn, context);

    if (i == SIZE_MAX)
        return 0;
    event_timer_remove(i);
    return 1;
}

/* Run the timers that are due, but none requested while running them. */
static void event_run_timers(void)
{
    uint64_t limit = event_timer_seq;
    int64_t now = mono_ms();

    while (event_timer_count > 0 && event_timers[0].when <= now && event_timers[0].seq < limit) {
        EVENT_TIMER due = event_timers[0];
        event_timer_remove(0);
        due.fn(EVENT_TIME, due.ctx);
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
        int64_t left = event_timers[0].when - mono_ms();
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
