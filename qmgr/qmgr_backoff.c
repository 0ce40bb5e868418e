/*
 * qmgr_backoff - the queue manager's retry and expiry policy, as pure
 * functions of times and parameters (unit-tested in qmgr_backoff_test.c).
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_backoff_delay(age, min, max)
 *       A message that could not be delivered waits age seconds (its age),
 *       at least minimal_backoff_time and at most maximal_backoff_time.
 *       Because the next attempt then finds it about twice as old, the
 *       interval between attempts doubles with each attempt (300s, 300s,
 *       600s, 1200s, 2400s, then 4000s with Postfix's defaults), which is
 *       the "exponential backoff" qmgr(8) describes.  A clock that went
 *       backwards (negative age) counts as age 0.
 *   qmgr_backoff_expired(now, create, sender, max_life, bounce_life)
 *       maximal_queue_lifetime for mail with a sender, bounce_queue_lifetime
 *       for the null sender (bounces); 0 means "deliver once, then return".
 *   qmgr_backoff_warn_due(now, warn_time)
 *       the W record holds the time a delay warning is due, 0 when none is
 *       (or it was sent).
 */
#include "qmgr.h"

long qmgr_backoff_delay(long age, long min_backoff, long max_backoff)
{
    long delay = age < 0 ? 0 : age;

    if (max_backoff < min_backoff)
        max_backoff = min_backoff;
    if (delay > max_backoff)
        delay = max_backoff;
    if (delay < min_backoff)
        delay = min_backoff;
    return delay;
}

int qmgr_backoff_expired(time_t now, time_t create_time, const char *sender, long max_life,
                         long bounce_life)
{
    long life = (sender && *sender) ? max_life : bounce_life;

    return now >= create_time + life;
}

int qmgr_backoff_warn_due(time_t now, time_t warn_time)
{
    return warn_time > 0 && now >= warn_time;
}
