/*
 * config_tail.h - a distributed worker's view of the config topic, the
 * cluster's source of truth: a thread reads config.storage.topic from its
 * start and keeps following it, as Kafka's KafkaConfigBackingStore does,
 * keeping the connectors, their configs and their committed task configs
 * (a "commit-<connector>" record makes the task configs before it count;
 * until then a connector has the tasks of its previous commit).
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
#include "store/connect_records.h"

typedef struct config_tail config_tail_t;

/* Called on the reader's thread when a connector appears, goes or gets a
 * new config, or commits task configs. */
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

/* Connector `name`'s config, a copy (properties_destroy), or NULL when
 * there is no such connector. */
properties_t *config_tail_connector_config(config_tail_t *tail, const char *name);

/* What connector `name` is to be (its target-state record; STARTED when it
 * has none, or there is no such connector). */
connect_target_state_t config_tail_target_state(config_tail_t *tail, const char *name);

/* Connector `name`'s committed task configs, copies (an array of *n,
 * freed by config_tail_task_configs_free), or NULL with *n 0 when there is
 * no such connector. */
properties_t **config_tail_task_configs(config_tail_t *tail, const char *name, int32_t *n);
void config_tail_task_configs_free(properties_t **tasks, int32_t n);

void config_tail_stop(config_tail_t *tail); /* NULL is fine */

#endif
