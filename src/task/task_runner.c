/*
 * task_runner.c - the task thread and its state; the source and sink loops
 * are in task_source.c and task_sink.c.
 */
#include "task_runner_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blog.h"
#include "config/file_confine.h"

const char *task_state_name(task_state_t state)
{
    static const char *const names[] = {"UNASSIGNED", "RUNNING", "FAILED", "STOPPED", "PAUSED"};
    return names[state];
}

void runner_set_state(task_runner_t *r, task_state_t state)
{
    pthread_mutex_lock(&r->lock);
    r->state = state;
    pthread_mutex_unlock(&r->lock);
    if (r->env.on_state) {
        r->env.on_state(r->env.on_state_opaque, r->env.connector, r->env.task_id, state, NULL);
    }
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
    if (r->env.on_state) {
        r->env.on_state(r->env.on_state_opaque, r->env.connector, r->env.task_id, TASK_FAILED, msg);
    }
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
    r->env.on_topic(r->env.on_state_opaque, r->env.connector, r->env.task_id, topic);
}

void task_runner_forget_topics(task_runner_t *r)
{
    atomic_store(&r->forget_topics, true);
}

static void *task_main(void *arg)
{
    task_runner_t *r = arg;
    if (r->config_error) {
        runner_fail(r, "%s", r->config_error);
        return NULL;
    }
    if (r->env.plugin->desc->kind == CD_KIND_SOURCE) {
        source_task_run(r);
    } else {
        sink_task_run(r);
    }
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
    r->state = TASK_UNASSIGNED;
    r->metrics.batch_time = metrics_summary_create();
    r->metrics.batch_size = metrics_summary_create();
    r->metrics.commit_time = metrics_summary_create();
    atomic_store(&r->paused, paused);
    r->ctx = task_context_new(env->connector, env->task_id, env->plugin->desc, r->config, env->offsets);
    pthread_create(&r->thread, NULL, task_main, r);
    return r;
}

void task_runner_stop(task_runner_t *r)
{
    if (!r) {
        return;
    }
    task_context_set_stopping(r->ctx);
    /* Under the lock: the task thread cannot reach stop() meanwhile, so
     * wakeup never touches freed state. */
    pthread_mutex_lock(&r->lock);
    if (r->env.plugin->desc->wakeup && r->started) {
        r->env.plugin->desc->wakeup(r->ctx, r->plugin_state);
    }
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    task_context_free(r->ctx);
    properties_destroy(r->config);
    free(r->connector);
    free(r->config_error);
    forget_topics(r);
    pthread_mutex_destroy(&r->lock);
    metrics_summary_destroy(r->metrics.batch_time);
    metrics_summary_destroy(r->metrics.batch_size);
    metrics_summary_destroy(r->metrics.commit_time);
    free(r);
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
    snprintf(trace, trace_size, "%s", state == TASK_FAILED ? r->trace : "");
    pthread_mutex_unlock(&r->lock);
    return state;
}

const task_metrics_t *task_runner_metrics(task_runner_t *r)
{
    return &r->metrics;
}
