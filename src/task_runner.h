/*
 * task_runner.h - one connector task on its own thread (DESIGN §3, §5).
 *
 * Source: poll() -> converters -> librdkafka producer; source offsets of
 * records the broker acknowledged are committed every
 * offset.flush.interval.ms and at stop.  Sink: consumer in group
 * connect-<connector> -> converters -> put(); every
 * offset.flush.interval.ms, at a rebalance and at stop, flush() and then
 * the consumed offsets are committed.  Either way: at least once, nothing
 * acknowledged lost.  A task whose callback fails, or whose records cannot
 * be converted or produced, is FAILED with the reason in its trace; the
 * worker and other tasks go on.
 */
#ifndef CONNECTD_TASK_RUNNER_H
#define CONNECTD_TASK_RUNNER_H

#include "offset_store.h"
#include "plugin_loader.h"
#include "properties.h"
#include "worker_config.h"

typedef enum task_state {
    TASK_UNASSIGNED,
    TASK_RUNNING,
    TASK_FAILED,
    TASK_STOPPED,
    TASK_PAUSED,
} task_state_t;

const char *task_state_name(task_state_t state); /* Kafka's names: "RUNNING", ... */

typedef struct task_runner task_runner_t;

typedef struct task_env {
    const worker_config_t *wcfg;
    const char *bootstrap;
    offset_store_t *offsets;       /* source offsets */
    const plugin_info_t *plugin;
    const char *connector;
    int task_id;
    const properties_t *config;    /* the task's config (copied) */
    /* Told every state change, from the task's thread (may be NULL). */
    void (*on_state)(void *opaque, const char *connector, int task_id, task_state_t state, const char *trace);
    void *on_state_opaque;
} task_env_t;

/* Starts the task's thread, paused or not. */
task_runner_t *task_runner_start(const task_env_t *env, bool paused);

/* Asks the task to stop, waits for it (flush and commit included) and
 * frees it.  NULL is fine. */
void task_runner_stop(task_runner_t *runner);

/* PUT /connectors/{c}/pause and resume: a paused source does not poll, a
 * paused sink consumes nothing (its partitions are paused, so it stays in
 * its group).  Any thread. */
void task_runner_set_paused(task_runner_t *runner, bool paused);

/* The state and, when FAILED, the trace (copied into trace, "" otherwise). */
task_state_t task_runner_state(task_runner_t *runner, char *trace, size_t trace_size);

#endif
