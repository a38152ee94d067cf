/* task_context.c - the context plugins' callbacks receive; see task_context.h. */
#include "task_context.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "data/data.h"
#include "plugin_metrics.h"

struct cd_task {
    char *name;
    int id;
    const cd_plugin_desc_t *desc;
    properties_t *config;
    offset_store_t *offsets;
    char *error;
    atomic_bool stopping;
    properties_t **task_configs;
    int n_task_configs;
    task_reject_fn reject; /* task_context_set_reject */
    void *reject_opaque;
    plugin_metrics_t *metrics;    /* metric_set, progress_set (ABI 1.3); NULL for a connector */
    bool metric_refusal_logged; /* a plugin calling metric_set wrongly is told once, not per call */
};

/* ---- the context functions of the host table ------------------------------------ */

/* A plugin's lines belong to logger "connectd.connector.<plugin>.<connector>"
 * (blog.h), so /admin/loggers can turn one connector's debug lines on. */
static void ctx_log(cd_task_t *task, cd_log_level_t level, const char *fmt, ...)
{
    blog_level_t lv = level == CD_LOG_ERROR ? BLOG_ERROR
                      : level == CD_LOG_WARN ? BLOG_WARN
                      : level == CD_LOG_DEBUG ? BLOG_DEBUG
                                              : BLOG_INFO;
    char logger[512] = "connectd.connector";
    if (task && task->desc && task->name) {
        snprintf(logger, sizeof(logger), "connectd.connector.%s.%s", task->desc->name, task->name);
    }
    if (!blog_named_enabled(logger, lv)) {
        return;
    }
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!task) {
        blog_named_write(logger, lv, "%s", msg);
    } else if (task->id < 0) {
        blog_named_write(logger, lv, "[%s] %s", task->name, msg);
    } else {
        blog_named_write(logger, lv, "[%s-%d] %s", task->name, task->id, msg);
    }
}

static void ctx_set_error(cd_task_t *task, const char *fmt, ...)
{
    if (!task) {
        return;
    }
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    free(task->error);
    task->error = strdup(msg);
}

static const char *ctx_config_get(cd_task_t *task, const char *key)
{
    const char *v = properties_get(task->config, key);
    if (v) {
        return v;
    }
    for (const cd_config_def_t *def = task->desc ? task->desc->config : NULL; def && def->name; def++) {
        if (strcmp(def->name, key) == 0) {
            return def->default_value;
        }
    }
    return NULL;
}

static const char *ctx_connector_name(cd_task_t *task)
{
    return task->name;
}

static int ctx_task_id(cd_task_t *task)
{
    return task->id;
}

static bool ctx_is_stopping(cd_task_t *task)
{
    return atomic_load(&task->stopping);
}

static int ctx_task_config_add(cd_task_t *conn)
{
    conn->task_configs = realloc(conn->task_configs, sizeof(properties_t *) * (size_t)(conn->n_task_configs + 1));
    if (!conn->task_configs) {
        abort();
    }
    properties_t *copy = properties_create();
    for (size_t i = 0; i < properties_count(conn->config); i++) {
        properties_set(copy, properties_key_at(conn->config, i), properties_value_at(conn->config, i));
    }
    conn->task_configs[conn->n_task_configs] = copy;
    return conn->n_task_configs++;
}

static void ctx_task_config_set(cd_task_t *conn, int index, const char *key, const char *value)
{
    if (index >= 0 && index < conn->n_task_configs && key && value) {
        properties_set(conn->task_configs[index], key, value);
    }
}

static cd_value_t *ctx_offset_read(cd_task_t *task, const cd_value_t *partition)
{
    if (!task->offsets || !partition) {
        return NULL;
    }
    char *key = data_value_to_json(partition);
    char *json = offset_store_get(task->offsets, task->name, key);
    free(key);
    if (!json) {
        return NULL;
    }
    char err[256];
    cd_value_t *v = data_value_from_json(json, strlen(json), err, sizeof(err));
    if (!v) {
        /* The offsets topic is anyone's to write: say so rather than
         * silently starting over. */
        blog_warn("[%s-%d] the stored offset %s is not JSON (%s); the connector starts without it", task->name,
                  task->id, json, err);
    }
    free(json);
    return v;
}

/* A record a sink refuses goes to the task's error handler (errors.tolerance,
 * log, dead letter queue); without one it is logged, with where it came
 * from, and skipped. */
static void ctx_record_reject(cd_task_t *task, const cd_record_t *rec, const char *reason)
{
    if (task->reject && rec) {
        task->reject(task->reject_opaque, rec, reason);
        return;
    }
    const char *topic = rec ? data_record_topic(rec) : NULL;
    blog_warn("[%s-%d] the connector rejected the record at %s-%d offset %lld: %s", task->name, task->id,
              topic ? topic : "?", rec ? data_record_partition(rec) : -1,
              (long long)(rec ? data_record_offset(rec) : -1), reason ? reason : "no reason given");
}

/* ABI 1.3.  A connector-level context has no metrics: its callbacks are
 * short calls, not a running task. */
static void ctx_metric_set(cd_task_t *task, const char *name, cd_metric_kind_t kind, const char *help, double value)
{
    char err[256];
    if (!task || !task->metrics ||
        plugin_metrics_set(task->metrics, name, kind, help, value, err, sizeof(err)) == 0 ||
        task->metric_refusal_logged) {
        return;
    }
    task->metric_refusal_logged = true;
    blog_warn("[%s-%d] plugin %s: %s (logged once per task)", task->name, task->id, task->desc->name, err);
}

/* One line, whatever the plugin wrote: control characters become spaces. */
static void ctx_progress_set(cd_task_t *task, const char *fmt, ...)
{
    if (!task || !task->metrics) {
        return;
    }
    if (!fmt) {
        plugin_metrics_set_progress(task->metrics, NULL);
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++) {
        *c = (unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c;
    }
    plugin_metrics_set_progress(task->metrics, msg);
}

static cd_host_api_t api;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void api_build(void)
{
    api.struct_size = sizeof(api);
    api.abi_major = CD_ABI_MAJOR;
    api.abi_minor = CD_ABI_MINOR;
    api.log = ctx_log;
    api.set_error = ctx_set_error;
    api.config_get = ctx_config_get;
    api.connector_name = ctx_connector_name;
    api.task_id = ctx_task_id;
    api.is_stopping = ctx_is_stopping;
    api.task_config_add = ctx_task_config_add;
    api.task_config_set = ctx_task_config_set;
    api.offset_read = ctx_offset_read;
    api.record_reject = ctx_record_reject;
    api.metric_set = ctx_metric_set;
    api.progress_set = ctx_progress_set;
    data_fill_host_api(&api);
}

const cd_host_api_t *worker_host_api(void)
{
    pthread_once(&api_once, api_build);
    return &api;
}

/* ---- the worker's side ---------------------------------------------------------- */

cd_task_t *task_context_new(const char *name, int task_id, const cd_plugin_desc_t *desc, const properties_t *config,
                            offset_store_t *offsets)
{
    cd_task_t *task = calloc(1, sizeof(*task));
    if (!task) {
        abort();
    }
    task->name = strdup(name);
    task->id = task_id;
    task->desc = desc;
    task->offsets = offsets;
    task->metrics = task_id >= 0 ? plugin_metrics_new() : NULL;
    task->config = properties_create();
    for (size_t i = 0; config && i < properties_count(config); i++) {
        properties_set(task->config, properties_key_at(config, i), properties_value_at(config, i));
    }
    return task;
}

void task_context_free(cd_task_t *task)
{
    if (!task) {
        return;
    }
    for (int i = 0; i < task->n_task_configs; i++) {
        properties_destroy(task->task_configs[i]);
    }
    free(task->task_configs);
    properties_destroy(task->config);
    plugin_metrics_free(task->metrics);
    free(task->error);
    free(task->name);
    free(task);
}

plugin_metrics_t *task_context_metrics(cd_task_t *task)
{
    return task->metrics;
}

const char *task_context_error(const cd_task_t *task)
{
    return task->error;
}

void task_context_clear_error(cd_task_t *task)
{
    free(task->error);
    task->error = NULL;
}

void task_context_set_reject(cd_task_t *task, task_reject_fn fn, void *opaque)
{
    task->reject = fn;
    task->reject_opaque = opaque;
}

void task_context_set_stopping(cd_task_t *task)
{
    atomic_store(&task->stopping, true);
}

int task_context_task_config_count(const cd_task_t *conn)
{
    return conn->n_task_configs;
}

const properties_t *task_context_task_config(const cd_task_t *conn, int i)
{
    return conn->task_configs[i];
}
