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
 *
 * Threads: the herder starts, stops and asks a runner from its threads;
 * the task's own thread runs the plugin and calls env's callbacks.  The
 * runner's lock (task_runner_internal.h) is held over nothing but the
 * plugin's wakeup(), never over a callback.
 *
 * Stopping is bounded, as Kafka's task.shutdown.graceful.timeout.ms: the
 * task is asked to stop (its stop flag and the plugin's wakeup()), then
 * waited for until a deadline.  A task whose thread has not ended by then
 * (a poll() or put() that never returns) is abandoned: logged as Kafka
 * logs it, its thread detached and left to end on its own, and from then
 * on everything it does is without effect on the worker (no state or
 * topic reports, no offset commits), so its connector may be deleted or
 * created again under the same name meanwhile.  The runner lives on, with
 * the plugin's state and the task's clients, until the thread ends: a
 * reference count, the owner's and the thread's.  Abandoned tasks whose
 * thread still runs are listed for GET /health (task_runner_abandoned).
 */
#ifndef CONNECTD_TASK_RUNNER_H
#define CONNECTD_TASK_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "store/offset_store.h"
#include "plugin/plugin_loader.h"
#include "plugin/plugin_metrics.h"
#include "properties.h"
#include "config/worker_config.h"

typedef enum task_state {
    TASK_UNASSIGNED,
    TASK_RUNNING,
    TASK_FAILED,
    TASK_STOPPED,
    TASK_PAUSED,
} task_state_t;

/* Kafka's names: "RUNNING", ...
 * @locality any thread
 * @locks none */
const char *task_state_name(task_state_t state);

typedef struct task_runner task_runner_t;

typedef struct task_env {
    const worker_config_t *wcfg;
    const char *bootstrap;
    offset_store_t *offsets;       /* source offsets */
    const plugin_info_t *plugin;
    const char *connector;
    int task_id;
    const properties_t *config;    /* the task's config (copied) */
    /* Set when the config could not be made (a ${provider:...} reference
     * that does not resolve): the task starts FAILED with this reason. */
    const char *config_error;
    /* Told every state change, from the task's thread, or from the
     * caller's for a pause or resume (task_runner_set_paused).  May be
     * NULL. */
    void (*on_state)(void *opaque, const char *connector, int task_id, task_state_t state, const char *trace);
    void *on_state_opaque;
    /* Told, from the task's thread, the first time the task produces to
     * or consumes from a topic, and again after task_runner_forget_topics
     * (Kafka's active topics, KIP-558).  May be NULL. */
    void (*on_topic)(void *opaque, const char *connector, int task_id, const char *topic);
} task_env_t;

/* Starts the task's thread, paused or not.
 * @locality any thread
 * @locks none */
task_runner_t *task_runner_start(const task_env_t *env, bool paused);

/* Asks the task to stop and waits for it (flush and commit included) at
 * most wcfg->task_shutdown_timeout_ms, abandoning it if it does not end in
 * time; then releases the runner.  NULL is fine.  task_runner_stop_begin,
 * task_runner_stop_wait and task_runner_release in one.
 * @locality any thread but the task's own
 * @locks takes the runner's lock */
void task_runner_stop(task_runner_t *runner);

/* Asks the task to stop: its stop flag and the plugin's wakeup(), then
 * returns.  Many tasks are asked at once and then waited for against one
 * deadline (shutdown, deleting a connector with many tasks).
 * @locality any thread but the task's own
 * @locks takes the runner's lock (over the plugin's wakeup()) */
void task_runner_stop_begin(task_runner_t *runner);

/* Waits until the task's thread has ended or until `deadline_ms`
 * (clock_mono_ms), whichever comes first.  True when the thread ended
 * (joined); false when it was abandoned (see the top): logged at error
 * level, its thread detached, its reports and commits turned off.  Either
 * way the runner stays readable (state, metrics) until task_runner_release.
 * @locality any thread but the task's own; after task_runner_stop_begin
 * @locks takes the runner's lock, then the abandoned list's and the
 *        runner's report lock; none of the caller's may be one the task's
 *        callbacks take (the herder's status_lock, topics_lock) */
bool task_runner_stop_wait(task_runner_t *runner, int64_t deadline_ms);

/* The owner lets go of the runner: freed now if its thread ended, else by
 * the thread when (if ever) it ends.  NULL is fine.
 * @locality any thread, after task_runner_stop_wait
 * @locks none */
void task_runner_release(task_runner_t *runner);

/* How many abandoned tasks' threads still run, and their names
 * ("connector-N", comma-separated) in `names` (may be NULL; truncated to
 * names_size).
 * @locality any thread
 * @locks takes the abandoned list's lock */
int task_runner_abandoned(char *names, size_t names_size);

/* PUT /connectors/{c}/pause and resume: a paused source does not poll, a
 * paused sink consumes nothing (its partitions are paused, so it stays in
 * its group).  Tells on_state, from the caller's thread.
 * @locality any thread
 * @locks takes the runner's lock, then calls on_state without it */
void task_runner_set_paused(task_runner_t *runner, bool paused);

/* Makes the task report every topic again as it next uses it (after the
 * connector's active topics were reset).
 * @locality any thread
 * @locks none */
void task_runner_forget_topics(task_runner_t *runner);

/* The state and, when FAILED, the trace (copied into trace, "" otherwise);
 * UNASSIGNED once the task is asked to stop, unless it FAILED.
 * @locality any thread, while the runner lives
 * @locks takes the runner's lock */
task_state_t task_runner_state(task_runner_t *runner, char *trace, size_t trace_size);

/*
 * What a task counts for GET /metrics: Kafka Connect's source-task-metrics
 * or sink-task-metrics, connector-task-metrics and task-error-metrics
 * (docs/metrics.md).  The task's thread updates them once per batch; any
 * thread may read them while the runner lives (the herder, under its lock).
 */
typedef struct task_metrics {
    /* Source: records poll() returned (source-record-poll).  Sink: records
     * consumed from Kafka (sink-record-read). */
    metrics_counter_t records_in;
    /* Source: records the broker acknowledged (source-record-write).  Sink:
     * records put() accepted (sink-record-send). */
    metrics_counter_t records_out;
    /* Failed attempts to process a record or batch: conversion, produce,
     * poll() or put() errors, retried ones included (total-record-failures). */
    metrics_counter_t record_failures;
    /* Records that failed for good (total-record-errors); without
     * errors.tolerance the first one fails the task. */
    metrics_counter_t record_errors;
    /* poll() or put() calls retried after CD_RETRY (total-retries). */
    metrics_counter_t retries;
    /* errors.tolerance=all (error_handler.h): records skipped
     * (total-records-skipped), errors logged (total-errors-logged), records
     * sent to the dead letter queue and those it refused
     * (deadletterqueue-produce-requests/failures). */
    metrics_counter_t records_skipped, errors_logged, dlq_requests, dlq_failures;
    /* Offset commits that succeeded and that failed or could not complete
     * (offset-commit-success/failure; a source's includes waiting for the
     * producer's acknowledgements, a sink's the task's flush()). */
    metrics_counter_t commits, commit_failures;
    metrics_summary_t *batch_time;  /* ns of each poll() that returned records / put() that succeeded */
    metrics_summary_t *batch_size;  /* records in each of those */
    metrics_summary_t *commit_time; /* ns of each offset commit */
} task_metrics_t;

/* The task's metrics, valid until task_runner_release().
 * @locality any thread, while the runner lives
 * @locks none */
const task_metrics_t *task_runner_metrics(task_runner_t *runner);

/* What the plugin reports of itself (plugin_metrics.h: ABI 1.3 metrics and
 * progress), valid until task_runner_release().
 * @locality any thread, while the runner lives
 * @locks the object's own */
plugin_metrics_t *task_runner_plugin_metrics(task_runner_t *runner);

#endif
