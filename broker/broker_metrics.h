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

/* Aborts on OOM; destroy accepts NULL.
 * @locality start-up and shut-down only (broker_create, broker_destroy, with
 *           the network threads not running)  @locks none */
broker_metrics_t *broker_metrics_create(void);
void broker_metrics_destroy(broker_metrics_t *stats);

/* A request of API `api_key` took `elapsed_ns` from its frame to its
 * answer (server_done_fn).
 * @locality any network thread  @locks none (lock-free atomics) */
void broker_metrics_request_done(broker_metrics_t *stats, int16_t api_key, int64_t elapsed_ns);

/* Appends the broker's families to `out`.
 * @locality any thread
 * @locks takes the registry read lock with partition locks under it, then
 *        the coordinator lock with the registry read lock and partition locks
 *        under it (one partition lock at a time, order in broker.h); call
 *        with none of them held */
void broker_metrics_write(broker_ctx_t *ctx, metrics_text_t *out);

#endif
