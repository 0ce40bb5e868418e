/*
 * sane_time - time helpers that survive clock adjustments.
 *
 *   sane_time()       wall-clock seconds, as time(), except that it never
 *                     goes backwards within this process: when the system
 *                     clock is set back, the last value is returned until the
 *                     clock catches up (a queue manager's "now" must not jump
 *                     into the past and make every deferred message due)
 *   wall_us()         wall-clock microseconds since the epoch (for log lines
 *                     and delay reports)
 *   sleep_ms(ms)      sleep, resuming after signals, for ms milliseconds
 *   mono_ms()         see iostuff.h: for deadlines and intervals
 */
#ifndef POSTERN_SANE_TIME_H
#define POSTERN_SANE_TIME_H

#include <stdint.h>
#include <time.h>

extern time_t sane_time(void);
extern int64_t wall_us(void);
extern void sleep_ms(int ms);

#endif
