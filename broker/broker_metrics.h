/*
 * broker_metrics.h - what a broker node shows on GET /metrics: requests
 * and their latency per API, per-topic traffic, partitions and their logs,
 * consumer groups and their lag (docs/metrics.md lists every family).
 */
#ifndef CONNECTD_BROKER_METRICS_H
#define CONNECTD_BROKER_METRICS_H

#include <stdint.h>

#include "handlers/handlers.h"
#include "metrics.h"

broker_metrics_t *broker_metrics_create(void); /* aborts on OOM */
void broker_metrics_destroy(broker_metrics_t *stats); /* NULL is fine */

/* A request of API `api_key` took `elapsed_ns` from its frame to its
 * answer (server_done_fn).  Any network thread; lock-free. */
void broker_metrics_request_done(broker_metrics_t *stats, int16_t api_key, int64_t elapsed_ns);

/* Appends the broker's families to `out`.  Takes the coordinator lock, the
 * registry read lock and partition locks in turn (never several partition
 * locks at once); call with none of them held.  Any thread. */
void broker_metrics_write(broker_ctx_t *ctx, metrics_text_t *out);

#endif
