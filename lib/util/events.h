/*
 * events - a single-threaded event loop over epoll, with timers.
 *
 * A daemon registers interest and calls event_loop() in a loop; each call
 * waits once and runs the callbacks that are due:
 *
 *   event_enable_read(fd, fn, ctx)    call fn(EVENT_READ, ctx) whenever fd is
 *                                     readable (also on hangup or error, as
 *                                     EVENT_READ | EVENT_XCPT, so that the
 *                                     read reports it); replaces an earlier
 *                                     read callback for fd
 *   event_enable_read_exclusive(fd, fn, ctx)
 *                                     the same for a listening socket that
 *                                     several processes wait on: a new
 *                                     connection wakes one of them, not all
 *                                     (EPOLLEXCLUSIVE).  fd must not be
 *                                     registered yet, and can then only be
 *                                     disabled, never changed
 *   event_enable_write(fd, fn, ctx)   likewise for writability (EVENT_WRITE)
 *   event_disable_readwrite(fd)       forget both; call before close(fd)
 *   event_request_timer(fn, ctx, ms)  call fn(EVENT_TIME, ctx) once, ms from
 *                                     now; requesting the same fn and ctx
 *                                     again replaces the earlier request
 *   event_cancel_timer(fn, ctx)       1 if a timer was cancelled, else 0
 *   event_loop(ms)                    wait at most ms (-1: until something
 *                                     happens) and run what is due: first the
 *                                     expired timers (earliest first), then the
 *                                     I/O callbacks
 *   event_time()                      wall-clock seconds as of the latest
 *                                     event_loop() wake-up (cheap, cached)
 *   event_fork()                      in a child after fork(): give the child
 *                                     its own epoll instance with the same
 *                                     registrations
 *
 * Read and write interest are independent: a descriptor may have both, each
 * with its own callback and context.  A callback may enable, disable or
 * close any descriptor and request or cancel any timer; an event that was
 * already reported for a descriptor whose registration changed during the
 * same round is dropped, so a callback is never called for a descriptor it
 * no longer owns.  A timer requested from a timer callback runs at the
 * earliest in the next round, so a zero-delay timer cannot starve I/O.
 * Timers use a monotonic clock; they are kept in a binary heap with a hash
 * index on fn+ctx (request, replace, cancel and expiry are O(log n)).
 *
 * What can go wrong: epoll_create/epoll_ctl failures are msg_fatal (out of
 * resources); a bad descriptor is msg_panic.
 */
#ifndef POSTERN_EVENTS_H
#define POSTERN_EVENTS_H

#include <time.h>

#define EVENT_READ  (1 << 0)
#define EVENT_WRITE (1 << 1)
#define EVENT_XCPT  (1 << 2)
#define EVENT_TIME  (1 << 3)

typedef void (*EVENT_FN)(int event, void *context);

extern void event_enable_read(int fd, EVENT_FN fn, void *context);
extern void event_enable_read_exclusive(int fd, EVENT_FN fn, void *context);
extern void event_enable_write(int fd, EVENT_FN fn, void *context);
extern void event_disable_readwrite(int fd);
extern void event_request_timer(EVENT_FN fn, void *context, int delay_ms);
extern int event_cancel_timer(EVENT_FN fn, void *context);
extern void event_loop(int timeout_ms);
extern time_t event_time(void);
extern void event_fork(void);

#endif
