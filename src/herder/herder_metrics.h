/*
 * herder_metrics.h - the worker's families for GET /metrics: connectors
 * and tasks by state, and what every task counts (docs/metrics.md).
 */
#ifndef CONNECTD_HERDER_METRICS_H
#define CONNECTD_HERDER_METRICS_H

#include "herder.h"
#include "metrics.h"

/* Appends the worker's families to `out`.
 * @locality any thread but a task's
 * @locks takes h->lock, then each task's lock briefly */
void herder_metrics_write(herder_t *h, metrics_text_t *out);

#endif
