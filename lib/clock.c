/* clock.c - the process's clocks (clock.h). */
#include "clock.h"

#include <time.h>

static struct timespec now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts;
}

static int64_t to_ms(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
    return to_ms(now(CLOCK_MONOTONIC));
}

int64_t clock_mono_ns(void)
{
    struct timespec ts = now(CLOCK_MONOTONIC);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_mono_coarse_ms(void)
{
    return to_ms(now(CLOCK_MONOTONIC_COARSE));
}

int64_t clock_wall_ms(void)
{
    return to_ms(now(CLOCK_REALTIME));
}
