/*
 * task_runner.c - the task thread, its state and its end; the source and
 * sink loops are in task_source.c and task_sink.c.
 *
 * A runner's end (task_runner.h): the owner asks the thread to stop and
 * waits for `ended` until a deadline.  If the thread ends in time it is
 * joined and the owner frees the runner when it lets go of it.  If not,
 * the runner goes on the abandoned list and its thread is detached: the
 * thread frees the runner when it ends, whoever of the two lets go last.
 * What an abandoned task holds beyond the runner (the plugin's state, its
 * producer or consumer, its converters) is released only if its thread
 * ever ends; until then it is leaked, on purpose: freeing it under a
 * thread that may still use it would be worse than the leak.
 */
#include "task_runner_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blog.h"
#include "clock.h"
#include "config/file_confine.h"
#include "crash_guard.h"

const char *task_state_name(task_state_t state)
{
    static const char *const names[] = {"UNASSIGNED", "RUNNING", "FAILED", "STOPPED", "PAUSED"};
    return names[state];
}

/* Abandoned tasks whose threads still run, for GET /health.  Its lock is
 * taken under a runner's lock, never the other way round. */
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;
static task_runner_t **abandoned_list;
static int n_abandoned;

/* @locks abandoned_lock held */
static void abandoned_remove(task_runner_t *r)
{
    for (int i = 0; i < n_abandoned; i++) {
        if (abandoned_list[i] == r) {
            abandoned_list[i] = abandoned_list[--n_abandoned];
            break;
        }
    }
    if (n_abandoned == 0) {
        free(abandoned_list);
        abandoned_list = NULL;
    }
}

bool runner_report_begin(task_runner_t *r)
{
    pthread_mutex_lock(&r->report_lock);
    return !atomic_load(&r->cancelled);
}

void runner_report_end(task_runner_t *r)
{
    pthread_mutex_unlock(&r->report_lock);
}

void runner_set_state(task_runner_t *r, task_state_t state)
{
    pthread_mutex_lock(&r->lock);
    r->state = state;
    pthread_mutex_unlock(&r->lock);
    if (runner_report_begin(r) && r->env.on_state) {
        r->env.on_state(r->env.on_state_opaque, r->env.connector, r->env.task_id, state, NULL);
    }
    runner_report_end(r);
}

void runner_fail(task_runner_t *r, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&r->lock);
    r->state = TASK_FAILED;
    snprintf(r->trace, sizeof(r->trace), "%s", msg);
    pthread_mutex_unlock(&r->lock);
    blog_error("task %s-%d failed: %s", r->env.connector, r->env.task_id, msg);
    if (runner_report_begin(r) && r->env.on_state) {
        r->env.on_state(r->env.on_state_opaque, r->env.connector, r->env.task_id, TASK_FAILED, msg);
    }
    runner_report_end(r);
}

const char *runner_plugin_error(task_runner_t *r, const char *what)
{
    const char *err = task_context_error(r->ctx);
    snprintf(r->scratch, sizeof(r->scratch), "%s: %s", what, err ? err : "the connector gave no reason");
    return r->scratch;
}

/* Worker-level converter `kind` ("key.converter"), overridden per
 * connector, with its prefixed settings from the same place. */
static converter_t *runner_converter(task_runner_t *r, const char *kind, const char *worker_default, char *errstr,
                              size_t errstr_size)
{
    const properties_t *from = properties_get(r->env.config, kind) ? r->env.config : r->env.wcfg->props;
    const char *cls = properties_get(from, kind) ? properties_get(from, kind) : worker_default;
    properties_t *settings = properties_create();
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s.", kind);
    for (size_t i = 0; i < properties_count(from); i++) {
        const char *key = properties_key_at(from, i);
        if (strncmp(key, prefix, strlen(prefix)) == 0) {
            properties_set(settings, key + strlen(prefix), properties_value_at(from, i));
        }
    }
    converter_t *conv = converter_create(cls, strcmp(kind, "key.converter") == 0, settings, errstr, errstr_size);
    properties_destroy(settings);
    return conv;
}

bool runner_converters(task_runner_t *r, converter_t **key, converter_t **value, converter_t **header, char *errstr,
                       size_t errstr_size)
{
    *key = runner_converter(r, "key.converter", r->env.wcfg->key_converter, errstr, errstr_size);
    *value = *key ? runner_converter(r, "value.converter", r->env.wcfg->value_converter, errstr, errstr_size) : NULL;
    *header = *value ? runner_converter(r, "header.converter", r->env.wcfg->header_converter, errstr, errstr_size)
                     : NULL;
    return *header != NULL;
}

void runner_stop_plugin(task_runner_t *r)
{
    pthread_mutex_lock(&r->lock);
    r->started = false;
    pthread_mutex_unlock(&r->lock);
    r->env.plugin->desc->stop(r->ctx, r->plugin_state);
}

static bool runner_stopping(void *opaque)
{
    task_runner_t *r = opaque;
    return worker_host_api()->is_stopping(r->ctx);
}

error_handler_t *runner_error_handler(task_runner_t *r, char *errstr, size_t errstr_size)
{
    error_handler_env_t env = {.connector = r->env.connector, .task_id = r->env.task_id, .config = r->env.config,
                               .bootstrap = r->env.bootstrap, .worker_props = r->env.wcfg->props,
                               .override_policy = r->env.wcfg->override_policy,
                               .metrics = &r->metrics, .stopping = runner_stopping, .opaque = r};
    return error_handler_create(&env, errstr, errstr_size);
}

bool runner_client_overrides(task_runner_t *r, rd_kafka_conf_t *conf, const char *prefix, char *errstr,
                             size_t errstr_size)
{
    char who[300], why[768];
    snprintf(who, sizeof(who), "task %s-%d", r->env.connector, r->env.task_id);
    int policy = client_override_policy_parse(r->env.wcfg->override_policy);
    if (!client_conf_apply_overrides(conf, r->env.config, prefix,
                                     policy < 0 ? CLIENT_OVERRIDE_NONE : (client_override_policy_t)policy, who, why,
                                     sizeof(why))) {
        /* Kafka's Worker: "Client Config Overrides not allowed". */
        snprintf(errstr, errstr_size, "Client Config Overrides not allowed: %s", why);
        return false;
    }
    return true;
}

int runner_dlq_flush(task_runner_t *r, error_handler_t *eh)
{
    char err[1024];
    int dlq = error_handler_flush(eh, (int)r->env.wcfg->offset_flush_timeout_ms, err, sizeof(err));
    if (dlq == 0) {
        return 0;
    }
    metrics_counter_add(&r->metrics.commit_failures, 1);
    if (dlq < 0) {
        runner_fail(r, "%s", err);
        return -1;
    }
    blog_warn("task %s-%d: the dead letter queue has records in flight after offset.flush.timeout.ms; offsets are "
              "committed later", r->env.connector, r->env.task_id);
    return 1;
}

bool runner_start_plugin(task_runner_t *r)
{
    if (r->env.plugin->desc->start(r->ctx, &r->plugin_state) < 0) {
        runner_fail(r, "%s", runner_plugin_error(r, "start failed"));
        return false;
    }
    r->started = true;
    runner_set_state(r, TASK_RUNNING);
    return true;
}

static void forget_topics(task_runner_t *r)
{
    for (int i = 0; i < r->n_topics_seen; i++) {
        free(r->topics_seen[i]);
    }
    free(r->topics_seen);
    r->topics_seen = NULL;
    r->n_topics_seen = 0;
}

void runner_topic_used(task_runner_t *r, const char *topic)
{
    if (atomic_exchange(&r->forget_topics, false)) {
        forget_topics(r);
    }
    if (!r->env.on_topic) {
        return;
    }
    for (int i = 0; i < r->n_topics_seen; i++) {
        if (strcmp(r->topics_seen[i], topic) == 0) {
            return;
        }
    }
    r->topics_seen = realloc(r->topics_seen, sizeof(char *) * (size_t)(r->n_topics_seen + 1));
    r->topics_seen[r->n_topics_seen++] = strdup(topic);
    if (runner_report_begin(r)) {
        r->env.on_topic(r->env.on_state_opaque, r->env.connector, r->env.task_id, topic);
    }
    runner_report_end(r);
}

void task_runner_forget_topics(task_runner_t *r)
{
    atomic_store(&r->forget_topics, true);
}

static void runner_free(task_runner_t *r)
{
    task_context_free(r->ctx);
    properties_destroy(r->config);
    free(r->connector);
    free(r->config_error);
    forget_topics(r);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->ended_cond);
    pthread_mutex_destroy(&r->report_lock);
    metrics_summary_destroy(r->metrics.batch_time);
    metrics_summary_destroy(r->metrics.batch_size);
    metrics_summary_destroy(r->metrics.commit_time);
    free(r);
}

/* One of the two references goes; the last frees the runner. */
static void runner_unref(task_runner_t *r)
{
    if (atomic_fetch_sub(&r->refs, 1) == 1) {
        runner_free(r);
    }
}

/* The thread's name in top, perf and gdb: "<connector>-<task>", cut to
 * the 15 bytes Linux keeps from its end, where the task number is (the
 * thread would otherwise keep the name of the REST thread that made it). */
static void name_thread(const task_runner_t *r)
{
    char name[256];
    int n = snprintf(name, sizeof(name), "%s-%d", r->connector, r->env.task_id);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(name) ? (size_t)n : sizeof(name) - 1;
    pthread_setname_np(pthread_self(), name + (len > 15 ? len - 15 : 0));
}

static void *task_main(void *arg)
{
    task_runner_t *r = arg;
    name_thread(r);
    if (r->config_error) {
        runner_fail(r, "%s", r->config_error);
    } else {
        /* Everything this thread runs is for this task: a plugin that
         * crashes the process is named in the log and the crash journal.
         * r->connector outlives the scope: the thread holds a reference to
         * the runner until it returns. */
        crash_guard_enter(r->connector, r->env.task_id);
        if (r->env.plugin->desc->kind == CD_KIND_SOURCE) {
            source_task_run(r);
        } else {
            sink_task_run(r);
        }
        crash_guard_leave((crash_scope_t){.connector = NULL});
    }
    pthread_mutex_lock(&r->lock);
    r->ended = true;
    pthread_cond_signal(&r->ended_cond);
    if (r->abandoned) {
        pthread_mutex_lock(&abandoned_lock);
        abandoned_remove(r);
        pthread_mutex_unlock(&abandoned_lock);
        blog_warn("abandoned task %s-%d ended %lld ms after it was abandoned", r->env.connector, r->env.task_id,
                  (long long)(clock_mono_ms() - r->abandoned_at_ms));
    }
    pthread_mutex_unlock(&r->lock);
    runner_unref(r);
    return NULL;
}

task_runner_t *task_runner_start(const task_env_t *env, bool paused)
{
    task_runner_t *r = calloc(1, sizeof(*r));
    if (!r) {
        abort();
    }
    r->env = *env;
    r->env.config = NULL;
    r->config = properties_create();
    for (size_t i = 0; i < properties_count(env->config); i++) {
        properties_set(r->config, properties_key_at(env->config, i), properties_value_at(env->config, i));
    }
    r->env.config = r->config;
    r->env.connector = r->connector = strdup(env->connector);
    r->env.config_error = r->config_error = env->config_error ? strdup(env->config_error) : NULL;
    /* A file connector gets the worker's directories, and a config stored
     * before they were set fails here rather than open its file. */
    char why[1024];
    if (!file_confine_task_config(r->config, env->plugin->desc->name, env->wcfg->file_allowed_paths, why,
                                  sizeof(why)) &&
        !r->config_error) {
        r->env.config_error = r->config_error = strdup(why);
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->report_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->ended_cond, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&r->refs, 2); /* the owner's and the thread's */
    r->state = TASK_UNASSIGNED;
    r->metrics.batch_time = metrics_summary_create();
    r->metrics.batch_size = metrics_summary_create();
    r->metrics.commit_time = metrics_summary_create();
    atomic_store(&r->paused, paused);
    r->ctx = task_context_new(env->connector, env->task_id, env->plugin->desc, r->config, env->offsets);
    pthread_create(&r->thread, NULL, task_main, r);
    return r;
}

void task_runner_stop_begin(task_runner_t *r)
{
    if (!r) {
        return;
    }
    task_context_set_stopping(r->ctx);
    /* Under the lock: the task thread cannot reach stop() meanwhile, so
     * wakeup never touches freed state. */
    pthread_mutex_lock(&r->lock);
    if (r->env.plugin->desc->wakeup && r->started) {
        crash_scope_t outer = crash_guard_enter(r->connector, r->env.task_id);
        r->env.plugin->desc->wakeup(r->ctx, r->plugin_state);
        crash_guard_leave(outer);
    }
    pthread_mutex_unlock(&r->lock);
}

bool task_runner_stop_wait(task_runner_t *r, int64_t deadline_ms)
{
    pthread_mutex_lock(&r->lock);
    while (!r->ended && clock_mono_ms() < deadline_ms) {
        struct timespec until = {.tv_sec = (time_t)(deadline_ms / 1000),
                                 .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
        pthread_cond_timedwait(&r->ended_cond, &r->lock, &until);
    }
    if (r->ended) {
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->thread, NULL); /* it has returned or is returning: no wait */
        return true;
    }
    /* Listed under the runner's lock, so the thread, taking it to end,
     * finds itself on the list and takes itself off. */
    r->abandoned = true;
    r->abandoned_at_ms = clock_mono_ms();
    pthread_mutex_lock(&abandoned_lock);
    abandoned_list = realloc(abandoned_list, sizeof(*abandoned_list) * (size_t)(n_abandoned + 1));
    if (!abandoned_list) {
        abort();
    }
    abandoned_list[n_abandoned++] = r;
    pthread_mutex_unlock(&abandoned_lock);
    pthread_mutex_unlock(&r->lock);
    pthread_detach(r->thread);
    /* Kafka's Worker.awaitStopTask: "Graceful stop of task {} failed." and
     * then cancels the task; so do we.  After this no report or commit of
     * the task's is under way, and none follows. */
    blog_error("Graceful stop of task %s-%d failed: it did not stop within task.shutdown.graceful.timeout.ms=%lld "
               "ms and is abandoned; its thread is left to end on its own and nothing it does counts any more",
               r->env.connector, r->env.task_id, (long long)r->env.wcfg->task_shutdown_timeout_ms);
    pthread_mutex_lock(&r->report_lock);
    atomic_store(&r->cancelled, true);
    pthread_mutex_unlock(&r->report_lock);
    return false;
}

void task_runner_release(task_runner_t *r)
{
    if (r) {
        runner_unref(r);
    }
}

void task_runner_stop(task_runner_t *r)
{
    if (!r) {
        return;
    }
    task_runner_stop_begin(r);
    task_runner_stop_wait(r, clock_mono_ms() + r->env.wcfg->task_shutdown_timeout_ms);
    task_runner_release(r);
}

int task_runner_abandoned(char *names, size_t names_size)
{
    size_t len = 0;
    if (names && names_size > 0) {
        names[0] = '\0';
    }
    pthread_mutex_lock(&abandoned_lock);
    int n = n_abandoned;
    for (int i = 0; names && i < n_abandoned && len < names_size; i++) {
        len += (size_t)snprintf(names + len, names_size - len, "%s%s-%d", i ? ", " : "",
                                abandoned_list[i]->env.connector, abandoned_list[i]->env.task_id);
    }
    pthread_mutex_unlock(&abandoned_lock);
    return n;
}

void task_runner_set_paused(task_runner_t *r, bool paused)
{
    atomic_store(&r->paused, paused);
    /* The state is the lock's: the task's thread may be changing it. */
    pthread_mutex_lock(&r->lock);
    bool running = r->state == TASK_RUNNING;
    pthread_mutex_unlock(&r->lock);
    if (r->env.on_state && running) {
        r->env.on_state(r->env.on_state_opaque, r->env.connector, r->env.task_id,
                        paused ? TASK_PAUSED : TASK_RUNNING, NULL);
    }
}

task_state_t task_runner_state(task_runner_t *r, char *trace, size_t trace_size)
{
    pthread_mutex_lock(&r->lock);
    task_state_t state = r->state == TASK_RUNNING && atomic_load(&r->paused) ? TASK_PAUSED : r->state;
    if (state != TASK_FAILED && runner_stopping(r)) {
        /* Being stopped by a restart, delete or config change, which let
         * go of the herder's lock meanwhile: UNASSIGNED, what Kafka's
         * worker writes for a task it shuts down, until the herder
         * replaces or forgets it. */
        state = TASK_UNASSIGNED;
    }
    snprintf(trace, trace_size, "%s", state == TASK_FAILED ? r->trace : "");
    pthread_mutex_unlock(&r->lock);
    return state;
}

const task_metrics_t *task_runner_metrics(task_runner_t *r)
{
    return &r->metrics;
}

plugin_metrics_t *task_runner_plugin_metrics(task_runner_t *r)
{
    return task_context_metrics(r->ctx);
}
