/*
 * bench_util.h - what loadgen.c and groupgen.c share: the clock, the exit
 * on error, and applying -X key=value settings to a librdkafka config.
 * Header-only, so each benchmark still builds from one command line.
 */
#ifndef CONNECTD_BENCH_UTIL_H
#define CONNECTD_BENCH_UTIL_H

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* The program name for error lines; each benchmark sets it in main(). */
static const char *bench_name = "bench";

static inline double now_s(void)
{
    return (double)clock_mono_ns() / 1e9;
}

static inline void die(const char *msg)
{
    fprintf(stderr, "%s: %s\n", bench_name, msg);
    exit(1);
}

static inline void bench_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        die(err);
    }
}

/* Applies n "key=value" settings (the -X flags). */
static inline void bench_conf_props(rd_kafka_conf_t *conf, const char *const *props, int n)
{
    for (int i = 0; i < n; i++) {
        char kv[512];
        snprintf(kv, sizeof(kv), "%s", props[i]);
        char *eq = strchr(kv, '=');
        if (!eq) {
            die("-X needs key=value");
        }
        *eq = '\0';
        bench_conf_set(conf, kv, eq + 1);
    }
}

#endif
