/*
 * herder.c - connectors, their tasks and their stored configs; see herder.h.
 */
#include "herder.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "herder_internal.h"
#include "config/config_provider.h"
#include "config/file_confine.h"
#include "connector_config.h"
#include "data/data.h"
#include "plugin/task_context.h"
#include "store/connect_records.h"
#include "task/crash_guard.h"
#include "task/task_runner.h"
#include "utf8.h"

herder_t *herder_create(const worker_config_t *wcfg, const char *bootstrap, const plugin_registry_t *plugins,
                        offset_store_t *offsets, kvtopic_t *configs, kvtopic_t *statuses, const char *worker_id)
{
    herder_t *h = calloc(1, sizeof(*h));
    if (!h) {
        abort();
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->write_lock, NULL);
    h->wcfg = wcfg;
    h->bootstrap = bootstrap;
    h->plugins = plugins;
    h->offsets = offsets;
    h->configs = configs;
    h->statuses = statuses;
    pthread_mutex_init(&h->status_lock, NULL);
    pthread_mutex_init(&h->topics_lock, NULL);
    h->worker_id = strdup(worker_id);
    /* The records of one worker.  Kafka's standalone worker keeps its
     * connector configs in memory and its offsets in a file; ours keeps
     * them in the cluster's topics, which several standalone workers may
     * share, each unaware of the others (Kafka's distributed workers share
     * them too, but coordinate through a group).  With Kafka's keys every
     * worker would restore and run every connector in the topic.  So a
     * worker puts its worker.id before every key it writes
     * ("host:8083/connector-local-file-source") and reads back only its
     * own; with the embedded broker and no worker.id the broker is this
     * worker's, and its records keep Kafka's keys (the quick start's
     * records, stored before worker.id existed, stay its own).  A worker
     * on bootstrap.servers with no worker.id takes the id its statuses
     * show, <host name>:<REST port>: stable across restarts, different for
     * two workers on one host; herder_claim.c refuses a second running
     * worker with the same one on this host. */
    const char *id = wcfg->worker_id ? wcfg->worker_id : wcfg->bootstrap_servers ? worker_id : NULL;
    size_t scope_len = id ? strlen(id) + 2 : 1;
    h->scope = malloc(scope_len);
    if (!h->scope) {
        abort();
    }
    snprintf(h->scope, scope_len, "%s%s", id ? id : "", id ? "/" : "");
    if (id && offsets) {
        offset_store_scope(offsets, h->scope);
    }
    char err[512];
    h->cprov = config_provider_create(wcfg->props, err, sizeof(err));
    if (!h->cprov) {
        blog_error("%s", err); /* worker_config_init has checked these keys */
        abort();
    }
    herder_supervisor_start(h);
    return h;
}

const char *herder_connector_state(const connector_t *c)
{
    return c->failed                        ? "FAILED"
           : c->target == HERDER_PAUSED  ? "PAUSED"
           : c->target == HERDER_STOPPED ? "STOPPED"
                                         : "RUNNING";
}

connector_t *herder_find(herder_t *h, const char *name)
{
    for (int i = 0; i < h->n_conns; i++) {
        if (strcmp(h->conns[i]->name, name) == 0) {
            return h->conns[i];
        }
    }
    return NULL;
}

const char *herder_result_name(herder_result_t res)
{
    switch (res) {
    case HERDER_OK:
        return "OK";
    case HERDER_CREATED:
        return "CREATED";
    case HERDER_ACCEPTED:
        return "ACCEPTED";
    case HERDER_DELETED:
        return "DELETED";
    case HERDER_ERR_INVALID:
        return "ERR_INVALID";
    case HERDER_ERR_FORBIDDEN:
        return "ERR_FORBIDDEN";
    case HERDER_ERR_NOT_FOUND:
        return "ERR_NOT_FOUND";
    case HERDER_ERR_CONFLICT:
        return "ERR_CONFLICT";
    case HERDER_ERR_INTERNAL:
        return "ERR_INTERNAL";
    }
    return "UNKNOWN";
}

void herder_key(const herder_t *h, char *key, size_t key_size, const char *fmt, ...)
{
    int len = snprintf(key, key_size, "%s", h->scope);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key + len, key_size - (size_t)len, fmt, ap);
    va_end(ap);
}

herder_result_t herder_not_found(const char *name, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "Connector %s not found", name);
    return HERDER_ERR_NOT_FOUND;
}

/* ---- the status topic ------------------------------------------------------------ */

/* Writes one status record ("status-connector-<c>" with task_id -1); a NULL
 * state writes the tombstone.  Failures are logged: a status is a report,
 * never a reason to stop a task. */
static void write_status(herder_t *h, const char *connector, int task_id, const char *state, const char *trace)
{
    if (!h->statuses) {
        return;
    }
    char key[1024];
    if (task_id < 0) {
        herder_key(h, key, sizeof(key), "status-connector-%s", connector);
    } else {
        herder_key(h, key, sizeof(key), "status-task-%s-%d", connector, task_id);
    }
    char *text = state ? connect_record_status(state, trace, h->worker_id, 0) : NULL;
    char err[512];
    pthread_mutex_lock(&h->status_lock);
    if (kvtopic_write(h->statuses, key, strlen(key), text, text ? strlen(text) : 0, err, sizeof(err)) < 0) {
        blog_warn("cannot record the status of %s: %s", key, err);
    }
    pthread_mutex_unlock(&h->status_lock);
    free(text);
}

static void on_task_state(void *opaque, const char *connector, int task_id, task_state_t state, const char *trace)
{
    write_status(opaque, connector, task_id, task_state_name(state), trace);
}

/* ---- starting and stopping ---------------------------------------------------- */

static void connector_fail(connector_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void connector_fail(connector_t *c, const char *fmt, ...)
{
    c->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->trace, sizeof(c->trace), fmt, ap);
    va_end(ap);
    blog_error("connector %s failed: %s", c->name, c->trace);
}

/* Starts task `i` of c with its stored config. */
static task_runner_t *task_start(herder_t *h, connector_t *c, int i)
{
    char why[1024];
    properties_t *resolved = config_provider_resolve(h->cprov, c->task_configs[i], why, sizeof(why));
    task_env_t env = {
        .wcfg = h->wcfg,
        .bootstrap = h->bootstrap,
        .offsets = h->offsets,
        .plugin = c->plugin,
        .connector = c->name,
        .task_id = i,
        .config = resolved ? resolved : c->task_configs[i],
        .config_error = resolved ? NULL : why, /* the task starts FAILED, saying why */
        .on_state = on_task_state,
        .on_state_opaque = h,
        .on_topic = herder_topic_used,
    };
    task_runner_t *runner = task_runner_start(&env, c->target == HERDER_PAUSED);
    properties_destroy(resolved);
    return runner;
}

/* @locks h->lock.  The tasks every connector but `except` runs now. */
static int tasks_elsewhere(herder_t *h, const connector_t *except)
{
    int n = 0;
    for (int i = 0; i < h->n_conns; i++) {
        n += h->conns[i] == except ? 0 : h->conns[i]->n_tasks;
    }
    return n;
}

/* @locks h->lock.  Whether `n` more tasks for connector `name` would take the
 * worker over tasks.max.per.worker; if so, why says so and what to change.
 * Each task is a thread and a librdkafka client with threads of its own, so
 * one connector asking for thousands wedges the machine and its shutdown. */
static bool over_task_cap(herder_t *h, const connector_t *except, const char *name, int n, char *why,
                          size_t why_size)
{
    int elsewhere = tasks_elsewhere(h, except), cap = h->wcfg->tasks_max_per_worker;
    if (elsewhere + n <= cap) {
        return false;
    }
    snprintf(why, why_size,
             "Connector %s would start %d task%s and this worker runs %d, more than tasks.max.per.worker=%d; lower "
             "the connector's tasks.max, stop or delete other connectors, or raise tasks.max.per.worker in the "
             "worker config",
             name, n, n == 1 ? "" : "s", elsewhere, cap);
    return true;
}

/* How many tasks connector `name` would start with `config` (unresolved):
 * the task configs its plugin makes, not tasks.max, which is only their
 * upper bound.  0 when it would start none (its config does not resolve, or
 * task_configs fails or makes too many: connector_start fails it then).
 * @locality any thread; calls the plugin's task_configs
 * @locks none needed */
static int planned_tasks(herder_t *h, const char *name, const plugin_info_t *plugin, const properties_t *config)
{
    const cd_plugin_desc_t *desc = plugin->desc;
    if (!desc->task_configs) {
        return 1;
    }
    char why[1024];
    properties_t *resolved = config_provider_resolve(h->cprov, config, why, sizeof(why));
    if (!resolved) {
        return 0;
    }
    cd_task_t *conn = task_context_new(name, -1, desc, resolved, h->offsets);
    int max_tasks = connector_config_tasks_max(resolved);
    crash_scope_t outer = crash_guard_enter(name, -1);
    int n = desc->task_configs(conn, max_tasks) < 0 ? 0 : task_context_task_config_count(conn);
    crash_guard_leave(outer);
    task_context_free(conn);
    properties_destroy(resolved);
    return n > max_tasks ? 0 : n;
}

/* Asks the plugin for task configs and starts one runner per config. */
static void connector_start(herder_t *h, connector_t *c)
{
    if (c->target == HERDER_STOPPED) {
        write_status(h, c->name, -1, "STOPPED", NULL);
        return;
    }
    char why[1024];
    if (!c->plugin || c->crash) {
        /* Listed, so the operator sees why and can delete it; never run. */
        if (c->crash) {
            connector_fail(c, "%s", c->crash);
        } else {
            herder_no_such_connector_class(h, properties_get(c->config, "connector.class"), why, sizeof(why));
            connector_fail(c,
                           "%s. The plugin of this stored connector is not installed on this worker (no plugin in "
                           "plugin.path has the class): install it and restart the connector, or delete the "
                           "connector",
                           why);
        }
        write_status(h, c->name, -1, "FAILED", c->trace);
        return;
    }
    const cd_plugin_desc_t *desc = c->plugin->desc;
    properties_t *resolved = config_provider_resolve(h->cprov, c->config, why, sizeof(why));
    if (!resolved) {
        connector_fail(c, "%s", why);
        write_status(h, c->name, -1, "FAILED", c->trace);
        return;
    }
    cd_task_t *conn = task_context_new(c->name, -1, desc, resolved, h->offsets);
    int max_tasks = connector_config_tasks_max(resolved);
    crash_scope_t outer = crash_guard_enter(c->name, -1);
    cd_rc_t configs_rc = desc->task_configs ? desc->task_configs(conn, max_tasks) : CD_OK;
    crash_guard_leave(outer);
    if (configs_rc < 0) {
        const char *reason = task_context_error(conn);
        connector_fail(c, "task_configs failed: %s", reason ? reason : "no reason given");
    } else if (task_context_task_config_count(conn) > max_tasks) {
        /* A plugin's answer is input too: it may not exceed what was asked. */
        connector_fail(c, "the connector made %d task configs, more than tasks.max=%d",
                       task_context_task_config_count(conn), max_tasks);
    } else if (over_task_cap(h, c, c->name, desc->task_configs ? task_context_task_config_count(conn) : 1, why,
                             sizeof(why))) {
        /* A stored connector (restored, resumed or restarted) that no longer
         * fits: FAILED with the reason, where REST shows it. */
        connector_fail(c, "%s", why);
    } else {
        int n = desc->task_configs ? task_context_task_config_count(conn) : 1;
        c->tasks = calloc((size_t)n + 1, sizeof(*c->tasks));
        c->task_configs = calloc((size_t)n + 1, sizeof(*c->task_configs));
        c->task_restarts = calloc((size_t)n + 1, sizeof(*c->task_restarts));
        for (int i = 0; i < n; i++) {
            const properties_t *config = desc->task_configs ? task_context_task_config(conn, i) : resolved;
            c->task_configs[i] = properties_create();
            for (size_t k = 0; k < properties_count(config); k++) {
                properties_set(c->task_configs[i], properties_key_at(config, k), properties_value_at(config, k));
            }
            /* Kept and shown with the references, never the secrets. */
            config_provider_reverse(c->config, resolved, c->task_configs[i]);
            c->task_restarts[i].started_ms = clock_mono_ms();
            c->tasks[c->n_tasks++] = task_start(h, c, i);
        }
        blog_info("connector %s (%s) started with %d task%s", c->name, desc->name, n, n == 1 ? "" : "s");
    }
    write_status(h, c->name, -1, c->failed ? "FAILED" : "RUNNING", c->failed ? c->trace : NULL);
    task_context_free(conn);
    properties_destroy(resolved);
}

/* Stops `runners` together: every one asked first, then all waited for
 * against one deadline, task.shutdown.graceful.timeout.ms from now, so n
 * stuck tasks cost one timeout, not n.  A task not ended by then is
 * abandoned (task_runner.h).  The runners stay where they are (in their
 * connector, readable) until released.
 * @locality any thread but a task's
 * @locks none of the herder's but write_lock: REST reads, which take only
 *        h->lock, go on answering meanwhile */
static void runners_stop(herder_t *h, task_runner_t *const *runners, int n)
{
    for (int i = 0; i < n; i++) {
        task_runner_stop_begin(runners[i]);
    }
    int64_t deadline = clock_mono_ms() + h->wcfg->task_shutdown_timeout_ms;
    for (int i = 0; i < n; i++) {
        task_runner_stop_wait(runners[i], deadline);
    }
}

/* c's tasks, stopped with h->lock released: a copy of c->tasks (caller
 * frees) taken under h->lock.  c stays valid meanwhile because the caller
 * holds write_lock, without which nothing adds, replaces or removes a
 * connector or its tasks.
 * @locks write_lock and h->lock held; releases h->lock while the tasks
 *        stop, holds it again on return */
static void tasks_stop_unlocked(herder_t *h, connector_t *c)
{
    int n = c->n_tasks;
    if (n == 0) {
        return;
    }
    task_runner_t **runners = malloc(sizeof(*runners) * (size_t)n);
    memcpy(runners, c->tasks, sizeof(*runners) * (size_t)n);
    pthread_mutex_unlock(&h->lock);
    runners_stop(h, runners, n);
    pthread_mutex_lock(&h->lock);
    free(runners);
}

/* @locks h->lock held, or c no longer listed.  Lets go of every task of
 * c, stopped (runners_stop) before, and forgets them. */
static void tasks_release_all(connector_t *c)
{
    for (int i = 0; i < c->n_tasks; i++) {
        task_runner_release(c->tasks[i]);
        properties_destroy(c->task_configs[i]);
    }
    free(c->tasks);
    free(c->task_configs);
    free(c->task_restarts);
    c->tasks = NULL;
    c->task_configs = NULL;
    c->task_restarts = NULL;
    c->n_tasks = 0;
}

/* Its tasks stopped before (runners_stop). */
static void connector_free(connector_t *c)
{
    tasks_release_all(c);
    properties_destroy(c->config);
    free(c->crash);
    free(c->name);
    free(c);
}

/* Takes connector i off the list, without freeing it. */
static connector_t *unlist_at(herder_t *h, int i)
{
    connector_t *c = h->conns[i];
    h->conns[i] = h->conns[--h->n_conns];
    return c;
}

void herder_destroy(herder_t *h)
{
    if (!h) {
        return;
    }
    herder_supervisor_stop(h);
    /* Every task asked to stop at once and waited for against one
     * deadline: SIGTERM takes at most one task.shutdown.graceful.timeout.ms
     * however many tasks are stuck. */
    int n = 0;
    for (int i = 0; i < h->n_conns; i++) {
        n += h->conns[i]->n_tasks;
    }
    task_runner_t **runners = calloc((size_t)n + 1, sizeof(*runners));
    n = 0;
    for (int i = 0; i < h->n_conns; i++) {
        for (int t = 0; t < h->conns[i]->n_tasks; t++) {
            runners[n++] = h->conns[i]->tasks[t];
        }
    }
    runners_stop(h, runners, n);
    free(runners);
    while (h->n_conns > 0) {
        connector_free(unlist_at(h, h->n_conns - 1));
    }
    herder_claim_release(h);
    free(h->conns);
    kvtopic_close(h->configs);
    kvtopic_close(h->statuses);
    herder_topics_free(h);
    pthread_mutex_destroy(&h->topics_lock);
    pthread_mutex_destroy(&h->status_lock);
    free(h->worker_id);
    free(h->scope);
    config_provider_destroy(h->cprov);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->write_lock);
    free(h);
}

int herder_abandoned_tasks(char *names, size_t names_size)
{
    return task_runner_abandoned(names, names_size);
}

/* ---- the config topic ------------------------------------------------------------ */

/* Kafka's target-state record (connect_records.h says why STOPPED is
 * written as PAUSED too), malloc'd. */
static char *target_record(herder_target_t target)
{
    return connect_record_target_state(target == HERDER_PAUSED    ? CONNECT_TARGET_PAUSED
                                       : target == HERDER_STOPPED ? CONNECT_TARGET_STOPPED
                                                                  : CONNECT_TARGET_STARTED);
}

static int store_target(herder_t *h, const char *name, const char *record, char *errstr, size_t errstr_size)
{
    char key[1024];
    herder_key(h, key, sizeof(key), "target-state-%s", name);
    return h->configs ? kvtopic_write(h->configs, key, strlen(key), record, record ? strlen(record) : 0, errstr,
                                      errstr_size)
                      : 0;
}

static int store_config(herder_t *h, const char *name, const properties_t *config, herder_target_t target,
                        char *errstr, size_t errstr_size)
{
    if (!h->configs) {
        return 0;
    }
    char key[1024];
    char *text = config ? connect_record_config(config) : NULL;
    herder_key(h, key, sizeof(key), "connector-%s", name);
    int rc = kvtopic_write(h->configs, key, strlen(key), text, text ? strlen(text) : 0, errstr, errstr_size);
    free(text);
    if (rc == 0) {
        char *record = config ? target_record(target) : NULL;
        rc = store_target(h, name, record, errstr, errstr_size);
        free(record);
    }
    return rc;
}

typedef struct restored {
    const char *scope; /* this worker's: herder_t.scope */
    char **names;
    properties_t **configs; /* NULL: deleted */
    herder_target_t *targets;
    int n;
    /* Connector config records of other workers (whole keys), the latest of
     * each: present or deleted.  Only counted, for the log. */
    char **foreign;
    bool *foreign_present;
    int n_foreign;
    char *claim; /* the "<scope>worker" record (herder_claim.c), or NULL */
    size_t claim_len;
} restored_t;

/* Notes another worker's connector config record (key `key`). */
static void on_foreign_record(restored_t *r, const char *key, size_t key_len, bool present)
{
    for (int i = 0; i < r->n_foreign; i++) {
        if (strlen(r->foreign[i]) == key_len && memcmp(r->foreign[i], key, key_len) == 0) {
            r->foreign_present[i] = present;
            return;
        }
    }
    r->foreign = realloc(r->foreign, sizeof(char *) * (size_t)(r->n_foreign + 1));
    r->foreign_present = realloc(r->foreign_present, sizeof(bool) * (size_t)(r->n_foreign + 1));
    r->foreign[r->n_foreign] = strndup(key, key_len);
    r->foreign_present[r->n_foreign++] = present;
}

/* The entry of connector `name` (added if new). */
static int restored_slot(restored_t *r, const char *name)
{
    for (int i = 0; i < r->n; i++) {
        if (strcmp(r->names[i], name) == 0) {
            return i;
        }
    }
    r->names = realloc(r->names, sizeof(char *) * (size_t)(r->n + 1));
    r->configs = realloc(r->configs, sizeof(properties_t *) * (size_t)(r->n + 1));
    r->targets = realloc(r->targets, sizeof(herder_target_t) * (size_t)(r->n + 1));
    r->names[r->n] = strdup(name);
    r->configs[r->n] = NULL;
    r->targets[r->n] = HERDER_STARTED;
    return r->n++;
}

static void on_target_record(restored_t *r, const char *name, const char *value, size_t value_len)
{
    /* A tombstone, or a state this worker cannot read, leaves it started. */
    connect_target_state_t state = CONNECT_TARGET_STARTED;
    char why[256];
    if (value && connect_record_target_state_read(value, value_len, &state, why, sizeof(why)) < 0) {
        state = CONNECT_TARGET_STARTED;
    }
    int i = restored_slot(r, name);
    r->targets[i] = state == CONNECT_TARGET_PAUSED    ? HERDER_PAUSED
                    : state == CONNECT_TARGET_STOPPED ? HERDER_STOPPED
                                                      : HERDER_STARTED;
}

static void on_config_record(void *opaque, const char *key, size_t key_len, const char *value, size_t value_len)
{
    restored_t *r = opaque;
    /* Every reading below takes the key as a C string from some offset, so
     * "connector-a\0x" would be connector a's: a key with a NUL names no
     * record (as connect_record_key_parse judges the keys it reads). */
    if (memchr(key, '\0', key_len)) {
        blog_warn("ignoring a record of the config topic whose key holds a NUL byte");
        return;
    }
    /* Whose record: this worker's keys start with its scope; another
     * worker's with its own ("<id>/"), or with none (Kafka's keys, written
     * by a worker with the embedded broker and no worker.id, or by
     * connectd before worker.id).  Neither worker.id nor a connector name
     * holds a '/', so the first one ends the scope. */
    size_t scope_len = strlen(r->scope);
    const char *slash = memchr(key, '/', key_len);
    bool mine = scope_len > 0 ? key_len > scope_len && memcmp(key, r->scope, scope_len) == 0 : !slash;
    if (!mine) {
        const char *rest = slash ? slash + 1 : key;
        size_t rest_len = key_len - (size_t)(rest - key);
        if (rest_len > 10 && strncmp(rest, "connector-", 10) == 0) {
            on_foreign_record(r, key, key_len, value != NULL);
        }
        return;
    }
    key += scope_len;
    key_len -= scope_len;
    if (scope_len > 0 && key_len == 6 && memcmp(key, "worker", 6) == 0) {
        free(r->claim);
        r->claim = value ? strndup(value, value_len) : NULL;
        r->claim_len = value ? value_len : 0;
        return;
    }
    if (key_len > 13 && strncmp(key, "target-state-", 13) == 0) {
        char *name = strndup(key + 13, key_len - 13);
        on_target_record(r, name, value, value_len);
        free(name);
        return;
    }
    if (key_len <= 10 || strncmp(key, "connector-", 10) != 0) {
        return; /* task configs: derived again at start */
    }
    char *name = strndup(key + 10, key_len - 10);
    char why[256];
    properties_t *config = value ? connect_record_config_read(value, value_len, why, sizeof(why)) : NULL;
    if (value && !config) {
        /* Not Kafka Connect's {"properties":{...}}: someone else wrote the
         * topic.  Skipped, never taken as a deletion. */
        blog_warn("config topic record %.*s is not {\"properties\":{...}} and is skipped", (int)key_len, key);
        free(name);
        return;
    }
    int i = restored_slot(r, name);
    properties_destroy(r->configs[i]);
    r->configs[i] = config;
    free(name);
}

static herder_result_t put_connector(herder_t *h, const char *name, const properties_t *config, bool update,
                                     herder_target_t initial, bool store, char *errstr, size_t errstr_size);
static bool same_config(const properties_t *a, const properties_t *b);

/* Logs, once, the connector configs of other workers this one leaves
 * alone, and frees their list. */
static void log_foreign(herder_t *h, restored_t *r)
{
    char names[1024] = "";
    size_t len = 0;
    int n = 0;
    for (int i = 0; i < r->n_foreign; i++) {
        if (r->foreign_present[i]) {
            const char *key = r->foreign[i], *slash = strchr(key, '/');
            const char *name = (slash ? slash + 1 : key) + 10;
            if (len + 64 < sizeof(names)) {
                len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s (%s%.*s)", n ? ", " : "", name,
                                        slash ? "worker " : "no worker.id", slash ? (int)(slash - key) : 0, key);
            }
            n++;
        }
        free(r->foreign[i]);
    }
    free(r->foreign);
    free(r->foreign_present);
    if (n > 0) {
        blog_info("ignoring %d connector config%s stored by other workers in %s: %s%s", n, n == 1 ? "" : "s",
                  h->wcfg->config_topic, names, len + 64 < sizeof(names) ? "" : ", ...");
    }
}


/* A stored connector restored FAILED without running any of its plugin's
 * code (not even validate): its plugin crashed the worker (`crash`, the
 * trace crash_guard_find made), or `plugin` is NULL, not installed.  Listed
 * all the same, so GET shows why and DELETE can remove it. */
static void restore_failed(herder_t *h, const char *name, const properties_t *config, herder_target_t target,
                           const plugin_info_t *plugin, const char *crash)
{
    connector_t *c = calloc(1, sizeof(*c));
    if (!c) {
        abort();
    }
    c->name = strdup(name);
    c->config = properties_create();
    properties_set(c->config, "name", name);
    for (size_t i = 0; i < properties_count(config); i++) {
        properties_set(c->config, properties_key_at(config, i), properties_value_at(config, i));
    }
    c->plugin = plugin;
    c->target = target;
    c->crash = crash ? strdup(crash) : NULL;
    restart_policy_parse(config, &c->policy);
    c->restart.started_ms = clock_mono_ms();
    pthread_mutex_lock(&h->write_lock); /* the supervisor may restart meanwhile */
    pthread_mutex_lock(&h->lock);
    h->conns = realloc(h->conns, sizeof(connector_t *) * (size_t)(h->n_conns + 1));
    h->conns[h->n_conns++] = c;
    connector_start(h, c);
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->write_lock);
}

/* The one of `given` that names connector `name`, or NULL. */
static const herder_given_t *given_find(const herder_given_t *given, int n_given, const char *name)
{
    for (int i = 0; i < n_given; i++) {
        if (strcmp(properties_get(given[i].config, "name"), name) == 0) {
            return &given[i];
        }
    }
    return NULL;
}

int herder_restore(herder_t *h, const herder_given_t *given, int n_given, char *errstr, size_t errstr_size)
{
    herder_topics_restore(h);
    if (!h->configs) {
        return 0;
    }
    restored_t r = {.scope = h->scope};
    char err[512];
    if (kvtopic_read_all(h->configs, on_config_record, &r, err, sizeof(err)) < 0) {
        blog_error("cannot read the stored connector configs: %s", err);
    }
    log_foreign(h, &r);
    int rc = h->scope[0] ? herder_claim_check(h, r.claim, r.claim_len, errstr, errstr_size) : 0;
    free(r.claim);
    if (rc == 0 && h->scope[0]) {
        herder_claim_write(h);
    }
    for (int i = 0; i < r.n; i++) {
        if (r.configs[i] && rc == 0) {
            pthread_mutex_lock(&h->lock);
            bool exists = herder_find(h, r.names[i]) != NULL;
            pthread_mutex_unlock(&h->lock);
            if (!exists) {
                const herder_given_t *file = given_find(given, n_given, r.names[i]);
                properties_t *stored = properties_create();
                properties_set(stored, "name", r.names[i]);
                for (size_t k = 0; k < properties_count(r.configs[i]); k++) {
                    properties_set(stored, properties_key_at(r.configs[i], k), properties_value_at(r.configs[i], k));
                }
                bool edited = file && !same_config(stored, file->config);
                properties_destroy(stored);
                if (edited) {
                    /* Started once, with the config the operator edited:
                     * starting the stored one first ran it for as long as
                     * its tasks took to stop again (a sink's consumer: a
                     * second), one connector after another, and let it
                     * write with the old settings meanwhile. */
                    blog_info("connector %s: %s was edited since the connector was stored in %s; starting it "
                              "with the file's config",
                              r.names[i], file->source, h->wcfg->config_topic);
                    pthread_mutex_lock(&h->write_lock);
                    put_connector(h, r.names[i], file->config, false, r.targets[i], true, err, sizeof(err));
                    pthread_mutex_unlock(&h->write_lock);
                    properties_destroy(r.configs[i]);
                    free(r.names[i]);
                    continue;
                }
                blog_info("restoring connector %s from %s", r.names[i], h->wcfg->config_topic);
                const char *cls = properties_get(r.configs[i], "connector.class");
                const plugin_info_t *plugin = cls ? plugin_registry_find(h->plugins, cls) : NULL;
                char crash[sizeof(((connector_t *)0)->trace)];
                if (crash_guard_find(r.names[i], crash, sizeof(crash))) {
                    /* The crash journal of an earlier run names it: running
                     * it again would take this worker down again. */
                    restore_failed(h, r.names[i], r.configs[i], r.targets[i], plugin, crash);
                } else if (cls && *cls && !plugin) {
                    restore_failed(h, r.names[i], r.configs[i], r.targets[i], NULL, NULL);
                } else {
                    /* In its stored target state from the start, and not written back. */
                    pthread_mutex_lock(&h->write_lock); /* the supervisor may restart meanwhile */
                    herder_result_t res =
                        put_connector(h, r.names[i], r.configs[i], false, r.targets[i], false, err, sizeof(err));
                    pthread_mutex_unlock(&h->write_lock);
                    if (res != HERDER_CREATED) {
                        blog_error("stored connector %s cannot start: %s", r.names[i], err);
                    }
                }
            }
        }
        properties_destroy(r.configs[i]);
        free(r.names[i]);
    }
    free(r.names);
    free(r.configs);
    free(r.targets);
    return rc;
}

/* ---- create, update, delete -------------------------------------------------------- */

/* Whether two configs have the same keys with the same values, in any order. */
static bool same_config(const properties_t *a, const properties_t *b)
{
    if (properties_count(a) != properties_count(b)) {
        return false;
    }
    for (size_t i = 0; i < properties_count(a); i++) {
        const char *other = properties_get(b, properties_key_at(a, i));
        if (!other || strcmp(other, properties_value_at(a, i)) != 0) {
            return false;
        }
    }
    return true;
}

client_override_policy_t herder_override_policy(const herder_t *h)
{
    int policy = client_override_policy_parse(h->wcfg->override_policy);
    return policy < 0 ? CLIENT_OVERRIDE_NONE : (client_override_policy_t)policy; /* worker_config_init refused it */
}

void herder_no_such_connector_class(herder_t *h, const char *cls, char *errstr, size_t errstr_size)
{
    size_t len = (size_t)snprintf(errstr, errstr_size,
                                  "Failed to find any class that implements Connector and which name matches %s; "
                                  "available connectors are:",
                                  cls);
    for (size_t i = 0; i < plugin_registry_count(h->plugins) && len < errstr_size; i++) {
        len += (size_t)snprintf(errstr + len, errstr_size - len, "%s %s", i ? "," : "",
                                plugin_registry_at(h->plugins, i)->desc->name);
    }
}

/* Creates or (update) replaces a connector; a new one starts in target
 * state `initial`.  `store` is false when restoring from the config topic,
 * which has the records already. */
static herder_result_t put_connector(herder_t *h, const char *name, const properties_t *config, bool update,
                                     herder_target_t initial, bool store, char *errstr, size_t errstr_size)
{
    const char *cls = properties_get(config, "connector.class");
    const char *cfg_name = properties_get(config, "name");
    if (!name || !*name) {
        snprintf(errstr, errstr_size, "Connector name is missing: set \"name\"");
        return HERDER_ERR_INVALID;
    }
    if (strlen(name) > HERDER_NAME_MAX || strchr(name, '/')) {
        snprintf(errstr, errstr_size, "Connector name must be at most %d bytes and contain no '/'", HERDER_NAME_MAX);
        return HERDER_ERR_INVALID;
    }
    if (!utf8_is_valid(name, strlen(name))) {
        /* A name from the URL: REST shows names in JSON strings. */
        snprintf(errstr, errstr_size, "Connector name %s must be valid UTF-8", name);
        return HERDER_ERR_INVALID;
    }
    /* Kafka's NonEmptyStringWithoutControlChars on name: a newline in a name
     * would start a forged line in every log line that names the connector.
     * Not echoed back, for the same reason.  U+0080..U+009F are C2 80..9F. */
    char controls[256] = "";
    size_t clen = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int code = *p < 0x20 || *p == 0x7f ? *p : p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? p[1] : -1;
        if (code >= 0 && clen < sizeof(controls) - 8) {
            clen += (size_t)snprintf(controls + clen, sizeof(controls) - clen, "%s%d", clen ? ", " : "", code);
        }
    }
    if (clen > 0) {
        snprintf(errstr, errstr_size,
                 "Invalid value for configuration name: String may not contain control sequences but had the "
                 "following ASCII chars: %s",
                 controls);
        return HERDER_ERR_INVALID;
    }
    if (cfg_name && strcmp(cfg_name, name) != 0) {
        snprintf(errstr, errstr_size, "Connector name configuration (%s) doesn't match connector name in the URL (%s)",
                 cfg_name, name);
        return HERDER_ERR_INVALID;
    }
    if (!cls || !*cls) {
        snprintf(errstr, errstr_size, "Connector config {...} contains no connector type: set \"connector.class\"");
        return HERDER_ERR_INVALID;
    }
    const plugin_info_t *plugin = plugin_registry_find(h->plugins, cls);
    if (!plugin) {
        herder_no_such_connector_class(h, cls, errstr, errstr_size);
        return HERDER_ERR_INVALID;
    }
    char problems[2048];
    /* Checked as the connector will see it: with ${provider:...} resolved. */
    properties_t *resolved = config_provider_resolve(h->cprov, config, problems, sizeof(problems));
    int n_problems = resolved ? connector_config_check(resolved, plugin, problems, sizeof(problems)) : 1;
    if (resolved) {
        /* The connector's client overrides, against the worker's policy and
         * the deny-list (client_conf.h), listed after the other problems as
         * Kafka's validateConnectorConfig lists them; then a file
         * connector's file against the worker's directories (file_confine.h).
         * A config restored from the config topic is not refused for its
         * file: it stays listed, and its task fails at start saying why. */
        cv_result_t *overrides = cv_result_new();
        int n_refused = client_conf_check_overrides(overrides, resolved, herder_override_policy(h));
        if (store) {
            n_refused += file_confine_check(overrides, resolved, plugin->desc->name, h->wcfg->file_allowed_paths);
        }
        size_t len = strlen(problems);
        if (n_refused > 0 && len + 1 < sizeof(problems)) {
            if (len > 0) {
                problems[len++] = '\n';
            }
            cv_result_messages(overrides, problems + len, sizeof(problems) - len);
        }
        n_problems += n_refused;
        cv_result_free(overrides);
    }
    if (n_problems == 0 && plugin->desc->validate) {
        /* The connector's own checks. */
        cd_task_t *conn = task_context_new(name, -1, plugin->desc, resolved, NULL);
        char why[1024] = "";
        crash_scope_t outer = crash_guard_enter(name, -1);
        cd_rc_t rc = plugin->desc->validate(conn, why, sizeof(why));
        crash_guard_leave(outer);
        why[sizeof(why) - 1] = '\0'; /* whatever the plugin wrote there */
        if (rc < 0) {
            const char *msg = why[0] ? why : task_context_error(conn);
            snprintf(problems, sizeof(problems), "%s", msg ? msg : "the connector refused its config");
            n_problems = 1;
        }
        task_context_free(conn);
    }
    restart_policy_t policy = {0};
    if (n_problems == 0) {
        restart_policy_parse(resolved, &policy);
    }
    properties_destroy(resolved);
    /* A restored connector is not refused (it would vanish from view):
     * connector_start fails it instead, saying why. */
    int planned = n_problems == 0 && store ? planned_tasks(h, name, plugin, config) : 0;
    if (n_problems > 0) {
        snprintf(errstr, errstr_size,
                 "Connector configuration is invalid and contains the following %d error(s):\n%s\nYou can also find "
                 "the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
                 n_problems, problems);
        return HERDER_ERR_INVALID;
    }
    pthread_mutex_lock(&h->lock);
    connector_t *old = herder_find(h, name);
    if (old && !update) {
        pthread_mutex_unlock(&h->lock);
        snprintf(errstr, errstr_size, "Connector %s already exists", name);
        return HERDER_ERR_CONFLICT;
    }
    properties_t *copy = properties_create();
    properties_set(copy, "name", name);
    for (size_t i = 0; i < properties_count(config); i++) {
        properties_set(copy, properties_key_at(config, i), properties_value_at(config, i));
    }
    if (old && same_config(old->config, copy) && !old->crash) {
        /* Nothing changed: nothing to store, nothing to restart (Kafka
         * restarts the connector and its tasks anyway, KAFKA-17719). */
        pthread_mutex_unlock(&h->lock);
        properties_destroy(copy);
        return HERDER_OK;
    }
    herder_target_t target = old ? old->target : initial;
    if (target != HERDER_STOPPED && over_task_cap(h, old, name, planned, errstr, errstr_size)) {
        pthread_mutex_unlock(&h->lock);
        properties_destroy(copy);
        return HERDER_ERR_INVALID;
    }
    if (store && store_config(h, name, copy, target, errstr, errstr_size) < 0) {
        pthread_mutex_unlock(&h->lock);
        properties_destroy(copy);
        return HERDER_ERR_INTERNAL;
    }
    if (store) {
        /* A new config is the operator's answer to a crash: it runs. */
        crash_guard_forget(name);
    }
    if (old) {
        /* The old instance's tasks stop before the new ones start (never two
         * instances of a task at once), with h->lock released: the old
         * config stays on show meanwhile, and write_lock keeps it listed. */
        tasks_stop_unlocked(h, old);
        for (int i = 0; i < h->n_conns; i++) {
            if (h->conns[i] == old) {
                connector_free(unlist_at(h, i));
                break;
            }
        }
    }
    connector_t *c = calloc(1, sizeof(*c));
    c->name = strdup(name);
    c->config = copy;
    c->plugin = plugin;
    c->target = target;
    c->policy = policy;
    c->restart.started_ms = clock_mono_ms();
    h->conns = realloc(h->conns, sizeof(connector_t *) * (size_t)(h->n_conns + 1));
    h->conns[h->n_conns++] = c;
    connector_start(h, c);
    pthread_mutex_unlock(&h->lock);
    return old ? HERDER_OK : HERDER_CREATED;
}

/* `config` with every "[hidden]" PASSWORD value replaced by the one the
 * existing connector has: a config read from REST (masked) and sent back
 * keeps its secrets, and counts as unchanged.  A new properties_t. */
static properties_t *unmask(herder_t *h, const char *name, const properties_t *config)
{
    properties_t *copy = properties_create();
    pthread_mutex_lock(&h->lock);
    connector_t *old = herder_find(h, name);
    for (size_t i = 0; i < properties_count(config); i++) {
        const char *key = properties_key_at(config, i), *value = properties_value_at(config, i);
        const char *stored = old ? properties_get(old->config, key) : NULL;
        bool masked = stored && strcmp(value, "[hidden]") == 0 && herder_is_password(old, key);
        properties_set(copy, key, masked ? stored : value);
    }
    pthread_mutex_unlock(&h->lock);
    return copy;
}

herder_result_t herder_put_connector(herder_t *h, const char *name, const properties_t *config, bool update,
                                     char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->write_lock);
    properties_t *unmasked = unmask(h, name, config);
    herder_result_t res = put_connector(h, name, unmasked, update, HERDER_STARTED, true, errstr, errstr_size);
    properties_destroy(unmasked);
    pthread_mutex_unlock(&h->write_lock);
    return res;
}

herder_result_t herder_create_connector(herder_t *h, const char *name, const properties_t *config,
                                        herder_target_t initial, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->write_lock);
    herder_result_t res = put_connector(h, name, config, false, initial, true, errstr, errstr_size);
    pthread_mutex_unlock(&h->write_lock);
    return res;
}

herder_result_t herder_patch_connector(herder_t *h, const char *name, const properties_t *set,
                                       const properties_t *removed, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->write_lock);
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    properties_t *merged = c ? properties_create() : NULL;
    for (size_t i = 0; c && i < properties_count(c->config); i++) {
        const char *key = properties_key_at(c->config, i);
        if (!properties_get(removed, key)) {
            properties_set(merged, key, properties_value_at(c->config, i));
        }
    }
    pthread_mutex_unlock(&h->lock);
    herder_result_t res;
    if (!merged) {
        res = herder_not_found(name, errstr, errstr_size);
    } else {
        for (size_t i = 0; i < properties_count(set); i++) {
            properties_set(merged, properties_key_at(set, i), properties_value_at(set, i));
        }
        properties_t *unmasked = unmask(h, name, merged);
        res = put_connector(h, name, unmasked, true, HERDER_STARTED, true, errstr, errstr_size);
        properties_destroy(unmasked);
        properties_destroy(merged);
    }
    pthread_mutex_unlock(&h->write_lock);
    return res;
}

static herder_result_t delete_connector(herder_t *h, const char *name, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->n_conns; i++) {
        if (strcmp(h->conns[i]->name, name) == 0) {
            if (store_config(h, name, NULL, HERDER_STARTED, errstr, errstr_size) < 0) {
                pthread_mutex_unlock(&h->lock);
                return HERDER_ERR_INTERNAL;
            }
            /* Off the list at once (deleted as far as REST can see), its
             * tasks stopped without h->lock: a stuck one holds up this
             * request for at most task.shutdown.graceful.timeout.ms and
             * no other. */
            connector_t *c = unlist_at(h, i);
            pthread_mutex_unlock(&h->lock);
            int n_tasks = c->n_tasks;
            runners_stop(h, c->tasks, n_tasks);
            connector_free(c);
            crash_guard_forget(name); /* a connector created later under this name starts clean */
            /* After the tasks' last reports, so none lands after its
             * tombstone (an abandoned task reports nothing more). */
            write_status(h, name, -1, NULL, NULL);
            for (int t = 0; t < n_tasks; t++) {
                write_status(h, name, t, NULL, NULL);
            }
            pthread_mutex_lock(&h->lock);
            herder_topics_drop(h, name); /* as Kafka: the active topics go with the connector */
            pthread_mutex_unlock(&h->lock);
            blog_info("connector %s deleted", name);
            return HERDER_DELETED;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return herder_not_found(name, errstr, errstr_size);
}

herder_result_t herder_delete_connector(herder_t *h, const char *name, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&h->write_lock);
    herder_result_t res = delete_connector(h, name, errstr, errstr_size);
    pthread_mutex_unlock(&h->write_lock);
    return res;
}

int herder_connector_count(herder_t *h)
{
    pthread_mutex_lock(&h->lock);
    int n = h->n_conns;
    pthread_mutex_unlock(&h->lock);
    return n;
}

bool herder_has_connector(herder_t *h, const char *name)
{
    pthread_mutex_lock(&h->lock);
    bool exists = herder_find(h, name) != NULL;
    pthread_mutex_unlock(&h->lock);
    return exists;
}


/* ---- restarts ----------------------------------------------------------------------- */

/* Restarts, with their tasks stopped while h->lock is released: the
 * connector instance (new task configs, every task anew) when `connector`,
 * else each task i of c with tasks[i].  c stays valid (write_lock).
 * @locks write_lock and h->lock held; h->lock released while tasks stop */
static void restart_locked(herder_t *h, connector_t *c, bool connector, const bool *tasks)
{
    if (connector) {
        tasks_stop_unlocked(h, c);
        c->failed = false;
        c->trace[0] = '\0';
        tasks_release_all(c);
        connector_start(h, c);
        return;
    }
    int n = 0;
    task_runner_t **runners = calloc((size_t)c->n_tasks + 1, sizeof(*runners));
    for (int i = 0; i < c->n_tasks; i++) {
        if (tasks[i]) {
            runners[n++] = c->tasks[i];
        }
    }
    if (n > 0) {
        pthread_mutex_unlock(&h->lock);
        runners_stop(h, runners, n);
        pthread_mutex_lock(&h->lock);
    }
    free(runners);
    for (int i = 0; i < c->n_tasks; i++) {
        if (tasks[i]) {
            task_runner_release(c->tasks[i]);
            c->tasks[i] = task_start(h, c, i);
        }
    }
}

/* Restarts task i of c alone.
 * @locks write_lock and h->lock held; h->lock released while it stops */
static void restart_task_locked(herder_t *h, connector_t *c, int i)
{
    bool *tasks = calloc((size_t)c->n_tasks, sizeof(bool));
    if (!tasks) {
        abort();
    }
    tasks[i] = true;
    restart_locked(h, c, false, tasks);
    free(tasks);
}

static bool task_failed(connector_t *c, int i)
{
    char trace[16];
    return task_runner_state(c->tasks[i], trace, sizeof(trace)) == TASK_FAILED;
}

void herder_auto_restart(herder_t *h, const char *name, int task_id)
{
    pthread_mutex_lock(&h->write_lock);
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    /* Chosen under h->lock a moment ago; a config change or a restart by
     * hand may have come first, so only what is still FAILED restarts. */
    if (c && c->target != HERDER_STOPPED) {
        if (task_id < 0 && c->failed) {
            restart_locked(h, c, true, NULL);
        } else if (task_id >= 0 && task_id < c->n_tasks && task_failed(c, task_id)) {
            restart_task_locked(h, c, task_id);
        }
    }
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->write_lock);
}

herder_result_t herder_restart_connector(herder_t *h, const char *name, bool include_tasks, bool only_failed,
                                         char **plan)
{
    pthread_mutex_lock(&h->write_lock);
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    if (!c) {
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_unlock(&h->write_lock);
        return HERDER_ERR_NOT_FOUND;
    }
    bool *tasks = calloc((size_t)c->n_tasks + 1, sizeof(bool));
    for (int i = 0; i < c->n_tasks; i++) {
        tasks[i] = include_tasks && (!only_failed || task_failed(c, i));
    }
    if (plan) {
        /* Kafka's RestartPlan: what is about to restart shows RESTARTING. */
        *plan = herder_json_restart_plan(h, c, c->failed || !only_failed, tasks);
    }
    bool whole = false;
    if (c->failed || !only_failed) {
        /* The connector instance is its config and task configs: starting it
         * again asks the plugin for task configs anew. */
        blog_info("restarting connector %s", name);
        c->restart = (auto_restart_t){.started_ms = clock_mono_ms()}; /* by hand: the policy starts over */
        if (c->crash) {
            /* The operator's call: the plugin runs again, and a crash
             * journals it again. */
            blog_info("connector %s: clearing its crash journal entries on restart", name);
            crash_guard_forget(name);
            free(c->crash);
            c->crash = NULL;
        }
        if (c->n_tasks == 0 || include_tasks) {
            whole = true;
        } else {
            c->failed = false;
            c->trace[0] = '\0';
        }
    }
    for (int i = 0; !whole && i < c->n_tasks; i++) {
        if (tasks[i]) {
            blog_info("restarting task %s-%d", name, i);
            c->task_restarts[i] = (auto_restart_t){.started_ms = clock_mono_ms()};
        }
    }
    restart_locked(h, c, whole, tasks);
    free(tasks);
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->write_lock);
    return HERDER_OK;
}

herder_result_t herder_restart_task(herder_t *h, const char *name, int task_id)
{
    pthread_mutex_lock(&h->write_lock);
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    herder_result_t res = c && task_id >= 0 && task_id < c->n_tasks ? HERDER_OK : HERDER_ERR_NOT_FOUND;
    if (res == HERDER_OK) {
        blog_info("restarting task %s-%d", name, task_id);
        c->task_restarts[task_id] = (auto_restart_t){.started_ms = clock_mono_ms()};
        restart_task_locked(h, c, task_id);
    }
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->write_lock);
    return res;
}

/* ---- target states -------------------------------------------------------------------- */

herder_result_t herder_set_target(herder_t *h, const char *name, herder_target_t target, char *errstr,
                                  size_t errstr_size)
{
    /* write_lock: stopping releases h->lock while the tasks stop. */
    pthread_mutex_lock(&h->write_lock);
    pthread_mutex_lock(&h->lock);
    connector_t *c = herder_find(h, name);
    if (!c) {
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_unlock(&h->write_lock);
        return herder_not_found(name, errstr, errstr_size);
    }
    if (c->target == HERDER_STOPPED && target != HERDER_STOPPED &&
        over_task_cap(h, c, name, c->plugin && !c->crash ? planned_tasks(h, name, c->plugin, c->config) : 0, errstr,
                      errstr_size)) {
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_unlock(&h->write_lock);
        return HERDER_ERR_INVALID;
    }
    char *record = target_record(target);
    int stored = store_target(h, name, record, errstr, errstr_size);
    free(record);
    if (stored < 0) {
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_unlock(&h->write_lock);
        return HERDER_ERR_INTERNAL;
    }
    herder_target_t before = c->target;
    c->target = target;
    if (target == HERDER_STOPPED) {
        tasks_stop_unlocked(h, c);
        tasks_release_all(c);
        write_status(h, c->name, -1, "STOPPED", NULL);
    } else if (before == HERDER_STOPPED) {
        connector_start(h, c); /* tasks start paused or not, as the target says */
    } else {
        for (int i = 0; i < c->n_tasks; i++) {
            task_runner_set_paused(c->tasks[i], target == HERDER_PAUSED);
        }
        write_status(h, c->name, -1, target == HERDER_PAUSED ? "PAUSED" : "RUNNING", NULL);
    }
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->write_lock);
    blog_info("connector %s is now %s", name,
              target == HERDER_PAUSED ? "PAUSED" : target == HERDER_STOPPED ? "STOPPED" : "STARTED");
    return HERDER_OK;
}
