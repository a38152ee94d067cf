/*
 * config_tail.h - a distributed worker's view of the config topic, the
 * cluster's source of truth: a thread reads config.storage.topic from its
 * start and keeps following it, as Kafka's KafkaConfigBackingStore does,
 * keeping which connectors exist and how many task configs each has
 * committed (a "commit-<connector>" record makes the task configs before
 * it count; until then a connector has the tasks of its previous commit).
 * The offset read so far is the worker's config offset in its group
 * metadata.
 *
 * Thread-safe: the reader's thread updates, any thread reads.
 */
#ifndef CONNECTD_CONFIG_TAIL_H
#define CONNECTD_CONFIG_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connect_assignor.h"
#include "properties.h"

typedef struct config_tail config_tail_t;

/* Called on the reader's thread when a connector appears or goes, or its
 * committed task count changes. */
typedef void(config_tail_changed_cb)(void *ctx);

/* Starts following `topic` (which exists: kvtopic_open made it) at
 * `bootstrap`, with the worker's `consumer.` settings from `worker_props`
 * (borrowed for the call).  NULL with errstr when no consumer can be made. */
config_tail_t *config_tail_start(const char *bootstrap, const char *topic, const properties_t *worker_props,
                                 config_tail_changed_cb *changed, void *ctx, char *errstr, size_t errstr_size);

/* The offset after the last record read (Kafka's config offset), -1 before
 * any. */
int64_t config_tail_offset(config_tail_t *tail);

/* Waits up to timeout_ms until everything written to the topic before the
 * call is read; false when the time ran out. */
bool config_tail_catch_up(config_tail_t *tail, int timeout_ms);

/* The connectors and their committed task counts, sorted by name: a
 * malloc'd array of *n (names malloc'd), freed by config_tail_snapshot_free. */
connect_assignor_connector_t *config_tail_snapshot(config_tail_t *tail, size_t *n);
void config_tail_snapshot_free(connect_assignor_connector_t *connectors, size_t n);

void config_tail_stop(config_tail_t *tail); /* NULL is fine */

#endif
