/*
 * cluster_work.c - running a distributed worker's assignment (cluster_work.h).
 *
 * The wanted state (the assignment, a copy) is set by the group member's
 * thread and marked dirty, as is a change of the config topic; the work
 * thread then reconciles:
 *
 *   connectors  newly assigned, or with a new config: task configs from the
 *               plugin (task_configs), written with their commit record
 *               when they differ from the committed ones;
 *   tasks       assigned and committed: started, or started again when
 *               their committed config changed; running but no longer
 *               assigned (revoked, deleted): stopped.
 *
 * Target states, as Kafka's: a paused connector's tasks run paused (they
 * neither poll nor consume); a stopped one's worker commits an empty set of
 * task configs, so its tasks stop everywhere, and its status is STOPPED;
 * resumed, its task configs are made again.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "cluster_work.h"
#include "config/config_provider.h"
#include "herder/connector_config.h"
#include "plugin/task_context.h"
#include "store/connect_records.h"
#include "task/crash_guard.h"
#include "task/task_runner.h"
#include "xalloc.h"

typedef struct running_task {
    char *connector;
    int32_t task;
    properties_t *config; /* the committed config it runs with */
    task_runner_t *runner;
    bool paused;
} running_task_t;

typedef struct owned_connector {
    char *name;
    properties_t *config;          /* the config its task configs were made from */
    connect_target_state_t target; /* the target state they were made for */
} owned_connector_t;

struct cluster_work {
    cluster_work_env_t env;
    config_provider_t *cprov;
    pthread_t thread;

    pthread_mutex_t lock; /* guards wanted, generation, dirty, stopping, sets, settled, quiet */
    pthread_cond_t wake;
    pthread_cond_t settle; /* signalled when `settled` grows */
    connect_assignment_t *wanted;
    int32_t generation;
    bool dirty, stopping, drained;
    uint64_t sets;    /* cluster_work_set calls so far */
    uint64_t settled; /* of them, how many a finished pass covered */
    /* Tasks being stopped here, whose own state reports are dropped: by the
     * time one lands, the task may run on another worker, whose RUNNING it
     * must not overwrite.  task -2 stands for every task (draining). */
    running_task_t *quiet;
    size_t n_quiet;

    pthread_mutex_t status_lock; /* writes to env.statuses, from every task's thread */

    /* The work thread's own. */
    running_task_t *tasks;
    size_t n_tasks;
    owned_connector_t *conns;
    size_t n_conns;
};

static bool props_equal(const properties_t *a, const properties_t *b)
{
    if (!a || !b || properties_count(a) != properties_count(b)) {
        return a == b;
    }
    for (size_t i = 0; i < properties_count(a); i++) {
        const char *v = properties_get(b, properties_key_at(a, i));
        if (!v || strcmp(v, properties_value_at(a, i)) != 0) {
            return false;
        }
    }
    return true;
}

static properties_t *props_copy(const properties_t *from)
{
    properties_t *to = properties_create();
    for (size_t i = 0; i < properties_count(from); i++) {
        properties_set(to, properties_key_at(from, i), properties_value_at(from, i));
    }
    return to;
}

static bool wanted_has(const connect_assignment_t *wanted, const char *connector, int32_t task)
{
    for (size_t e = 0; wanted && e < wanted->n_assigned; e++) {
        for (size_t t = 0; strcmp(wanted->assigned[e].connector, connector) == 0 && t < wanted->assigned[e].n_tasks;
             t++) {
            if (wanted->assigned[e].tasks[t] == task) {
                return true;
            }
        }
    }
    return false;
}

/* A state record of the connector (task -1) or one of its tasks; a NULL
 * state writes a tombstone (the connector is deleted). */
static void write_status(cluster_work_t *cw, const char *connector, int task, const char *state, const char *trace)
{
    char *key = connect_record_key(task < 0 ? CONNECT_RECORD_STATUS_CONNECTOR : CONNECT_RECORD_STATUS_TASK, connector,
                                   task);
    pthread_mutex_lock(&cw->lock);
    int32_t generation = cw->generation;
    pthread_mutex_unlock(&cw->lock);
    char *value = state ? connect_record_status(state, trace, cw->env.worker_id, generation) : NULL;
    char err[512];
    pthread_mutex_lock(&cw->status_lock);
    if (kvtopic_write(cw->env.statuses, key, strlen(key), value, value ? strlen(value) : 0, err, sizeof(err)) < 0) {
        blog_warn("cannot record the status of %s: %s", key, err);
    }
    pthread_mutex_unlock(&cw->status_lock);
    free(value);
    free(key);
}

/* Drops (quiet) or takes back (!quiet) the state reports of a task being
 * stopped; task -2: every task.
 * @locks takes cw->lock */
static void task_quiet(cluster_work_t *cw, const char *connector, int32_t task, bool quiet)
{
    pthread_mutex_lock(&cw->lock);
    if (quiet) {
        cw->quiet = xrealloc(cw->quiet, (cw->n_quiet + 1) * sizeof(*cw->quiet));
        cw->quiet[cw->n_quiet++] = (running_task_t){.connector = xstrdup(connector ? connector : ""), .task = task};
    }
    for (size_t i = 0; !quiet && i < cw->n_quiet; i++) {
        if (cw->quiet[i].task == task && strcmp(cw->quiet[i].connector, connector) == 0) {
            free(cw->quiet[i].connector);
            cw->quiet[i] = cw->quiet[--cw->n_quiet];
            break;
        }
    }
    pthread_mutex_unlock(&cw->lock);
}

/* @locks takes cw->lock */
static bool task_is_quiet(cluster_work_t *cw, const char *connector, int32_t task)
{
    pthread_mutex_lock(&cw->lock);
    bool quiet = false;
    for (size_t i = 0; i < cw->n_quiet && !quiet; i++) {
        quiet = cw->quiet[i].task == -2 ||
                (cw->quiet[i].task == task && strcmp(cw->quiet[i].connector, connector) == 0);
    }
    pthread_mutex_unlock(&cw->lock);
    return quiet;
}

static void on_task_state(void *opaque, const char *connector, int task_id, task_state_t state, const char *trace)
{
    cluster_work_t *cw = opaque;
    if (task_is_quiet(cw, connector, task_id)) {
        return;
    }
    /* A task started paused reports RUNNING once it is up; it runs paused. */
    if (state == TASK_RUNNING && config_tail_target_state(cw->env.tail, connector) == CONNECT_TARGET_PAUSED) {
        state = TASK_PAUSED;
    }
    write_status(cw, connector, task_id, task_state_name(state), trace);
}

/* Asks connector `name`'s plugin for its task configs and writes them with
 * their commit record, unless the committed ones are the same.  False with
 * why when the connector cannot make them. */
static bool connector_publish(cluster_work_t *cw, const char *name, const properties_t *config, bool stopped, char *why,
                              size_t why_size)
{
    const plugin_info_t *plugin = plugin_registry_find(cw->env.plugins, properties_get(config, "connector.class"));
    if (!plugin) {
        snprintf(why, why_size, "no plugin on this worker has connector.class %s",
                 properties_get(config, "connector.class") ? properties_get(config, "connector.class") : "(unset)");
        return false;
    }
    properties_t *resolved = config_provider_resolve(cw->cprov, config, why, why_size);
    if (!resolved) {
        return false;
    }
    const cd_plugin_desc_t *desc = plugin->desc;
    cd_task_t *conn = task_context_new(name, -1, desc, resolved, cw->env.offsets);
    int max_tasks = connector_config_tasks_max(resolved);
    crash_scope_t outer = crash_guard_enter(name, -1);
    cd_rc_t rc = desc->task_configs ? desc->task_configs(conn, max_tasks) : CD_OK;
    crash_guard_leave(outer);
    int n = stopped ? 0 : desc->task_configs ? task_context_task_config_count(conn) : 1;
    bool ok = rc >= 0 && n <= max_tasks;
    if (!ok) {
        const char *reason = task_context_error(conn);
        snprintf(why, why_size, "task_configs failed: %s",
                 rc < 0 ? (reason ? reason : "no reason given") : "more task configs than tasks.max");
    }
    int32_t n_committed = 0;
    properties_t **committed = ok ? config_tail_task_configs(cw->env.tail, name, &n_committed) : NULL;
    properties_t **made = xcalloc((size_t)n + 1, sizeof(*made));
    bool same = ok && n_committed == n;
    for (int i = 0; ok && i < n; i++) {
        /* Kept with the references, never the secrets they resolve to. */
        made[i] = props_copy(desc->task_configs ? task_context_task_config(conn, i) : resolved);
        config_provider_reverse(config, resolved, made[i]);
        same = same && props_equal(made[i], committed[i]);
    }
    if (ok && !same) {
        kvtopic_record_t *recs = xcalloc((size_t)n + 1, sizeof(*recs));
        char **keys = xcalloc((size_t)n + 1, sizeof(char *)), **values = xcalloc((size_t)n + 1, sizeof(char *));
        for (int i = 0; i <= n; i++) {
            keys[i] = i < n ? connect_record_key(CONNECT_RECORD_TASK, name, i)
                            : connect_record_key(CONNECT_RECORD_COMMIT, name, -1);
            values[i] = i < n ? connect_record_config(made[i]) : connect_record_commit(n);
            recs[i] = (kvtopic_record_t){keys[i], strlen(keys[i]), values[i], strlen(values[i])};
        }
        ok = kvtopic_write_many(cw->env.configs, recs, (size_t)n + 1, why, why_size) == 0;
        if (ok) {
            blog_info("connector %s: %d task config%s written to the config topic", name, n, n == 1 ? "" : "s");
        }
        for (int i = 0; i <= n; i++) {
            free(keys[i]);
            free(values[i]);
        }
        free(keys);
        free(values);
        free(recs);
    }
    for (int i = 0; i < n; i++) {
        properties_destroy(made[i]);
    }
    free(made);
    config_tail_task_configs_free(committed, n_committed);
    task_context_free(conn);
    properties_destroy(resolved);
    return ok;
}

static void reconcile_connectors(cluster_work_t *cw, const connect_assignment_t *wanted)
{
    /* Let go of connectors no longer assigned. */
    for (size_t i = cw->n_conns; i-- > 0;) {
        properties_t *config = config_tail_connector_config(cw->env.tail, cw->conns[i].name);
        bool deleted = !config;
        properties_destroy(config);
        if (deleted) {
            /* Its last owner clears its state, as Kafka's. */
            blog_info("connector %s: deleted", cw->conns[i].name);
            write_status(cw, cw->conns[i].name, -1, NULL, NULL);
        }
        if (deleted || !wanted_has(wanted, cw->conns[i].name, CONNECT_PROTOCOL_CONNECTOR_TASK)) {
            blog_info("connector %s: no longer assigned to this worker", cw->conns[i].name);
            free(cw->conns[i].name);
            properties_destroy(cw->conns[i].config);
            cw->conns[i] = cw->conns[--cw->n_conns];
        }
    }
    for (size_t e = 0; wanted && e < wanted->n_assigned; e++) {
        const char *name = wanted->assigned[e].connector;
        if (!wanted_has(wanted, name, CONNECT_PROTOCOL_CONNECTOR_TASK)) {
            continue;
        }
        properties_t *config = config_tail_connector_config(cw->env.tail, name);
        connect_target_state_t target = config_tail_target_state(cw->env.tail, name);
        owned_connector_t *own = NULL;
        for (size_t i = 0; i < cw->n_conns && !own; i++) {
            own = strcmp(cw->conns[i].name, name) == 0 ? &cw->conns[i] : NULL;
        }
        /* Paused and started make the same task configs. */
        bool stopped = target == CONNECT_TARGET_STOPPED;
        if (!config ||
            (own && props_equal(own->config, config) && (own->target == CONNECT_TARGET_STOPPED) == stopped)) {
            if (own && config && own->target != target) {
                own->target = target;
                write_status(cw, name, -1, target == CONNECT_TARGET_PAUSED ? "PAUSED" : "RUNNING", NULL);
            }
            properties_destroy(config);
            continue;
        }
        char why[1024];
        bool ok = connector_publish(cw, name, config, stopped, why, sizeof(why));
        if (!ok) {
            blog_error("connector %s failed: %s", name, why);
        }
        write_status(cw, name, -1,
                     !ok                               ? "FAILED"
                     : stopped                         ? "STOPPED"
                     : target == CONNECT_TARGET_PAUSED ? "PAUSED"
                                                       : "RUNNING",
                     ok ? NULL : why);
        if (!own) {
            cw->conns = xrealloc(cw->conns, (cw->n_conns + 1) * sizeof(*cw->conns));
            own = &cw->conns[cw->n_conns++];
            *own = (owned_connector_t){.name = xstrdup(name)};
        }
        properties_destroy(own->config);
        own->config = config;
        own->target = target;
    }
}

static void task_stop_at(cluster_work_t *cw, size_t i)
{
    running_task_t *t = &cw->tasks[i];
    blog_info("task %s-%d: stopping", t->connector, t->task);
    task_quiet(cw, t->connector, t->task, true);
    task_runner_stop(t->runner);
    properties_t *config = config_tail_connector_config(cw->env.tail, t->connector);
    if (!config) {
        /* Deleted: its state goes with it, after the last one it wrote. */
        write_status(cw, t->connector, t->task, NULL, NULL);
    }
    properties_destroy(config);
    task_quiet(cw, t->connector, t->task, false);
    free(t->connector);
    properties_destroy(t->config);
    cw->tasks[i] = cw->tasks[--cw->n_tasks];
}

static void task_start(cluster_work_t *cw, const char *connector, int32_t task, properties_t *config)
{
    properties_t *cconfig = config_tail_connector_config(cw->env.tail, connector);
    const plugin_info_t *plugin = cconfig ? plugin_registry_find(cw->env.plugins,
                                                                 properties_get(cconfig, "connector.class"))
                                          : NULL;
    properties_destroy(cconfig);
    if (!plugin) {
        char why[512];
        snprintf(why, sizeof(why), "no plugin on this worker runs the connector's class");
        write_status(cw, connector, task, "FAILED", why);
        properties_destroy(config);
        return;
    }
    char why[1024];
    properties_t *resolved = config_provider_resolve(cw->cprov, config, why, sizeof(why));
    task_env_t env = {
        .wcfg = cw->env.wcfg,
        .bootstrap = cw->env.bootstrap,
        .offsets = cw->env.offsets,
        .plugin = plugin,
        .connector = connector,
        .task_id = task,
        .config = resolved ? resolved : config,
        .config_error = resolved ? NULL : why,
        .on_state = on_task_state,
        .on_state_opaque = cw,
    };
    bool paused = config_tail_target_state(cw->env.tail, connector) == CONNECT_TARGET_PAUSED;
    blog_info("task %s-%d: starting%s", connector, task, paused ? " paused" : "");
    task_runner_t *runner = task_runner_start(&env, paused);
    properties_destroy(resolved);
    cw->tasks = xrealloc(cw->tasks, (cw->n_tasks + 1) * sizeof(*cw->tasks));
    cw->tasks[cw->n_tasks++] = (running_task_t){xstrdup(connector), task, config, runner, paused};
}

static void reconcile_tasks(cluster_work_t *cw, const connect_assignment_t *wanted)
{
    /* Stop what is not assigned, or whose committed config is gone or changed. */
    for (size_t i = cw->n_tasks; i-- > 0;) {
        running_task_t *t = &cw->tasks[i];
        int32_t n = 0;
        properties_t **committed = config_tail_task_configs(cw->env.tail, t->connector, &n);
        bool keep = wanted_has(wanted, t->connector, t->task) && t->task < n &&
                    props_equal(t->config, committed[t->task]);
        config_tail_task_configs_free(committed, n);
        bool paused = config_tail_target_state(cw->env.tail, t->connector) == CONNECT_TARGET_PAUSED;
        if (!keep) {
            task_stop_at(cw, i);
        } else if (paused != t->paused) {
            blog_info("task %s-%d: %s", t->connector, t->task, paused ? "pausing" : "resuming");
            task_runner_set_paused(t->runner, paused);
            t->paused = paused;
        }
    }
    bool refreshed = false;
    for (size_t e = 0; wanted && e < wanted->n_assigned; e++) {
        const char *name = wanted->assigned[e].connector;
        int32_t n = 0;
        properties_t **committed = config_tail_task_configs(cw->env.tail, name, &n);
        for (size_t k = 0; k < wanted->assigned[e].n_tasks; k++) {
            int32_t task = wanted->assigned[e].tasks[k];
            bool runs = false;
            for (size_t i = 0; i < cw->n_tasks && !runs; i++) {
                runs = cw->tasks[i].task == task && strcmp(cw->tasks[i].connector, name) == 0;
            }
            if (task >= 0 && task < n && !runs) {
                if (!refreshed) {
                    /* The task may have run elsewhere since this worker read
                     * the offsets: it goes on from its last commit. */
                    char err[512];
                    if (offset_store_refresh(cw->env.offsets, err, sizeof(err)) < 0) {
                        blog_warn("cannot read the offsets topic again: %s; tasks start from the offsets read "
                                  "before",
                                  err);
                    }
                    refreshed = true;
                }
                task_start(cw, name, task, committed[task]);
                committed[task] = NULL; /* taken */
            }
        }
        config_tail_task_configs_free(committed, n);
    }
}

static void *work_main(void *arg)
{
    cluster_work_t *cw = arg;
    pthread_mutex_lock(&cw->lock);
    while (!cw->stopping) {
        if (!cw->dirty) {
            pthread_cond_wait(&cw->wake, &cw->lock);
            continue;
        }
        cw->dirty = false;
        uint64_t sets = cw->sets;
        int32_t generation = cw->generation;
        connect_assignment_t *wanted = NULL;
        if (cw->wanted) {
            uint8_t *buf;
            size_t len;
            char err[256];
            if (connect_assignment_encode(cw->wanted, &buf, &len, err, sizeof(err)) == 0) {
                wanted = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, buf, len, err, sizeof(err));
                free(buf);
            }
        }
        pthread_mutex_unlock(&cw->lock);
        reconcile_connectors(cw, wanted);
        reconcile_tasks(cw, wanted);
        connect_assignment_destroy(wanted);
        if (cw->env.on_settled) {
            cw->env.on_settled(cw->env.on_settled_ctx, generation);
        }
        pthread_mutex_lock(&cw->lock);
        cw->settled = sets;
        pthread_cond_broadcast(&cw->settle);
    }
    /* Whoever waits gets its answer from the drain, which stops everything. */
    cw->settled = cw->sets;
    pthread_cond_broadcast(&cw->settle);
    pthread_mutex_unlock(&cw->lock);
    return NULL;
}

cluster_work_t *cluster_work_start(const cluster_work_env_t *env)
{
    cluster_work_t *cw = xcalloc(1, sizeof(*cw));
    cw->env = *env;
    cw->generation = -1;
    char err[512];
    cw->cprov = config_provider_create(env->wcfg->props, err, sizeof(err));
    if (!cw->cprov) {
        blog_warn("config providers: %s", err);
    }
    pthread_mutex_init(&cw->lock, NULL);
    pthread_mutex_init(&cw->status_lock, NULL);
    pthread_cond_init(&cw->wake, NULL);
    pthread_cond_init(&cw->settle, NULL);
    if (pthread_create(&cw->thread, NULL, work_main, cw) != 0) {
        abort(); /* as xalloc does when memory runs out: nothing to run without it */
    }
    return cw;
}

void cluster_work_set(cluster_work_t *cw, const connect_assignment_t *running, int32_t generation)
{
    connect_assignment_t *copy = NULL;
    if (running) {
        uint8_t *buf;
        size_t len;
        char err[256];
        if (connect_assignment_encode(running, &buf, &len, err, sizeof(err)) == 0) {
            copy = connect_assignment_decode(CONNECT_PROTOCOL_COMPATIBLE, buf, len, err, sizeof(err));
            free(buf);
        }
    }
    pthread_mutex_lock(&cw->lock);
    if (cw->stopping) {
        pthread_mutex_unlock(&cw->lock);
        connect_assignment_destroy(copy);
        return;
    }
    connect_assignment_destroy(cw->wanted);
    cw->wanted = copy;
    cw->generation = generation;
    cw->sets++;
    cw->dirty = true;
    pthread_cond_signal(&cw->wake);
    pthread_mutex_unlock(&cw->lock);
}

void cluster_work_wait(cluster_work_t *cw)
{
    pthread_mutex_lock(&cw->lock);
    uint64_t sets = cw->sets;
    while (cw->settled < sets) {
        pthread_cond_wait(&cw->settle, &cw->lock);
    }
    pthread_mutex_unlock(&cw->lock);
}

void cluster_work_config_changed(cluster_work_t *cw)
{
    pthread_mutex_lock(&cw->lock);
    cw->dirty = true;
    pthread_cond_signal(&cw->wake);
    pthread_mutex_unlock(&cw->lock);
}

void cluster_work_drain(cluster_work_t *cw)
{
    pthread_mutex_lock(&cw->lock);
    bool drained = cw->drained;
    cw->stopping = true;
    cw->drained = true;
    pthread_cond_signal(&cw->wake);
    pthread_mutex_unlock(&cw->lock);
    if (drained) {
        return;
    }
    pthread_join(cw->thread, NULL);
    /* Every task asked at once, then waited for against one deadline. */
    int64_t deadline = clock_mono_ms() + cw->env.wcfg->task_shutdown_timeout_ms;
    task_quiet(cw, NULL, -2, true);
    for (size_t i = 0; i < cw->n_tasks; i++) {
        blog_info("task %s-%d: stopping", cw->tasks[i].connector, cw->tasks[i].task);
        task_runner_stop_begin(cw->tasks[i].runner);
    }
    for (size_t i = 0; i < cw->n_tasks; i++) {
        task_runner_stop_wait(cw->tasks[i].runner, deadline);
        task_runner_release(cw->tasks[i].runner);
        free(cw->tasks[i].connector);
        properties_destroy(cw->tasks[i].config);
    }
    free(cw->tasks);
    cw->tasks = NULL;
    cw->n_tasks = 0;
}

void cluster_work_stop(cluster_work_t *cw)
{
    if (!cw) {
        return;
    }
    cluster_work_drain(cw);
    for (size_t i = 0; i < cw->n_conns; i++) {
        free(cw->conns[i].name);
        properties_destroy(cw->conns[i].config);
    }
    free(cw->conns);
    for (size_t i = 0; i < cw->n_quiet; i++) {
        free(cw->quiet[i].connector);
    }
    free(cw->quiet);
    connect_assignment_destroy(cw->wanted);
    config_provider_destroy(cw->cprov);
    pthread_cond_destroy(&cw->wake);
    pthread_cond_destroy(&cw->settle);
    pthread_mutex_destroy(&cw->status_lock);
    pthread_mutex_destroy(&cw->lock);
    free(cw);
}
