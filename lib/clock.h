/*
 * clock.h - the process's clocks, in the units the code uses.
 *
 * Monotonic time measures intervals (timeouts, backoff, latencies): it
 * never jumps when the wall clock is set.  Wall time is for what leaves
 * the process or must survive it: record timestamps, segment and
 * retention ages, status times shown to users.
 */
#ifndef CONNECTD_CLOCK_H
#define CONNECTD_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC, in milliseconds and nanoseconds. */
int64_t clock_mono_ms(void);
int64_t clock_mono_ns(void);

/* CLOCK_MONOTONIC_COARSE: a few milliseconds coarse and much cheaper, for
 * the per-request paths that only need to know which second it is
 * (metrics' sliding windows). */
int64_t clock_mono_coarse_ms(void);

/* CLOCK_REALTIME: milliseconds since the epoch. */
int64_t clock_wall_ms(void);

#endif
