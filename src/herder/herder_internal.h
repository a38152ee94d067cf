/*
 * herder_internal.h - what the herder's six files share: herder.c
 * (lifecycle, the config and status topics), herder_view.c (the JSON
 * documents REST shows), herder_offsets.c, herder_topics.c,
 * herder_restarts.c (the restart supervisor) and herder_metrics.c.  Not
 * for other files.
 *
 * Threads.  The main thread creates, restores and destroys the herder;
 * REST threads (and the main thread, for the connector files of the
 * command line) call the rest of herder.h; the supervisor thread restarts
 * FAILED instances; each task's thread reports its state and its topics
 * (on_state, on_topic: write_status, herder_topic_used).
 *
 * Locks, in the order they are taken (never an earlier one while holding
 * a later one):
 *   write_lock   serialises every change to conns and to a connector's
 *                tasks: create, update, patch, delete, target states,
 *                restarts (by hand and the supervisor's).  Held while
 *                tasks stop, so a change waits for the one before it.
 *   lock         conns and every connector_t in it (config, target,
 *                failed and trace, tasks and task configs, restart
 *                bookkeeping), `stopping` and the `wake` condition; and
 *                writes to the config topic and to a connector's offsets.
 *                Never held while a task stops: a change takes the
 *                runners to stop under it, lets go, stops them (at most
 *                task.shutdown.graceful.timeout.ms, then a stuck one is
 *                abandoned), and takes it again to release and replace
 *                them; write_lock keeps the connector as it was
 *                meanwhile.  So reads (GET, /health) never wait for a
 *                task.  Held while a plugin's task_configs() runs.
 *   topics_lock  the active topics (topics, n_topics; herder_topics.c).
 *   status_lock  writes to the status topic: kvtopic_t is not thread-safe
 *                and every thread writes statuses.
 * topics_lock and status_lock are leaves: no other lock is taken, and no
 * thread waited for, while one is held (herder_topics.c lets go of
 * topics_lock before writing to the status topic).  So are a task's own
 * locks (task_runner_internal.h; its lock is held over nothing but the
 * plugin's wakeup(), its report lock over on_state and on_topic, which
 * take only the leaves above) and the plugin catalog's
 * (plugin_catalog.c).  A task's thread takes only leaves, never `lock` or
 * write_lock.
 *
 * No lock: wcfg, bootstrap, plugins, offsets (thread-safe itself),
 * worker_id, cprov and the configs and statuses pointers never change
 * after herder_create.  herder_restore reads both topics without their
 * locks: before the REST server starts, while no task runs yet.
 *
 * "@locks h->lock held": the caller holds it.  "@locks takes X": the
 * function takes and releases X itself.
 */
#ifndef CONNECTD_HERDER_INTERNAL_H
#define CONNECTD_HERDER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "config/client_conf.h"
#include "config/config_provider.h"
#include "herder.h"
#include "restart_policy.h"
#include "task/task_runner.h"

/* Where an instance stands with its restart policy. */
typedef struct auto_restart {
    int attempts;        /* automatic restarts in a row */
    int64_t next_at_ms;  /* monotonic time of the next one; 0: none planned */
    int64_t started_ms;  /* monotonic time of the last (re)start */
} auto_restart_t;

typedef struct connector {
    char *name;
    properties_t *config;
    const plugin_info_t *plugin; /* NULL when the class is gone (restored config) */
    task_runner_t **tasks;
    properties_t **task_configs; /* what each task was started with */
    int n_tasks;
    herder_target_t target;
    bool failed;
    char trace[8192]; /* room for a crash's backtrace (crash_guard.h) */
    /* The crash journal names it: the trace it starts FAILED with instead
     * of running its plugin, until restarted, reconfigured or deleted
     * through REST.  NULL: none. */
    char *crash;
    restart_policy_t policy;
    auto_restart_t restart;        /* the connector's own */
    auto_restart_t *task_restarts; /* one per task */
} connector_t;

struct herder {
    pthread_mutex_t lock; /* conns and the connectors: see the top */
    /* Serialises config changes (create, update, patch, delete), whose
     * plugin validation runs outside `lock`, so a PATCH merges into the
     * config no other change is replacing meanwhile. */
    pthread_mutex_t write_lock;
    const worker_config_t *wcfg;
    const char *bootstrap;
    const plugin_registry_t *plugins;
    offset_store_t *offsets;
    kvtopic_t *configs;
    kvtopic_t *statuses;
    pthread_mutex_t status_lock; /* writes to `statuses`, from every thread */
    char *worker_id;
    /* Put before the key of every record this worker stores: "<worker.id>/"
     * or "" (herder.c, "the records of one worker").  Never changes. */
    char *scope;
    bool claimed; /* this worker's "<scope>worker" record is written (herder_claim.c) */
    config_provider_t *cprov; /* never changes: any thread */
    connector_t **conns;
    int n_conns;
    /* Active topics (herder_topics.c), under their own lock. */
    pthread_mutex_t topics_lock;
    struct active_topic *topics;
    int n_topics;
    /* The restart supervisor (herder_restarts.c). */
    pthread_t supervisor;
    pthread_cond_t wake;
    bool stopping;
};

/* Whether the connector's config table declares `key` a PASSWORD (shown
 * as "[hidden]").
 * @locality any thread but a task's
 * @locks h->lock held (c stays valid) */
bool herder_is_password(const connector_t *c, const char *key);

/* Kafka's name of the connector instance's state: RUNNING, PAUSED,
 * STOPPED or FAILED.
 * @locality any thread but a task's
 * @locks h->lock held */
const char *herder_connector_state(const connector_t *c);

/* Kafka's message for a connector.class no loaded plugin has: "Failed
 * to find any class that implements Connector and which name matches X;
 * available connectors are: A, B".
 * @locality any thread
 * @locks none */
void herder_no_such_connector_class(herder_t *h, const char *cls, char *errstr, size_t errstr_size);

/* The worker's connector.client.config.override.policy (checked when the
 * worker config was read).
 * @locality any thread
 * @locks none */
client_override_policy_t herder_override_policy(const herder_t *h);

/* The connector named `name`, or NULL.
 * @locality any thread but a task's
 * @locks h->lock held */
connector_t *herder_find(herder_t *h, const char *name);

/* Kafka's "Connector <name> not found" in errstr; returns HERDER_ERR_NOT_FOUND.
 * @locality any thread
 * @locks none */
herder_result_t herder_not_found(const char *name, char *errstr, size_t errstr_size);

/* The supervisor's restart: connector `name` afresh (task_id < 0: new
 * task configs, new tasks) or its task task_id, if it is still FAILED
 * when write_lock is had (a config change or a restart by hand may have
 * come first).
 * @locality the supervisor thread
 * @locks takes write_lock, then h->lock (released while tasks stop) */
void herder_auto_restart(herder_t *h, const char *name, int task_id);

/* The key of one of this worker's records: h->scope, then Kafka's key
 * made from `fmt`.
 * @locality any thread
 * @locks none */
void herder_key(const herder_t *h, char *key, size_t key_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* herder_claim.c: one running worker per worker.id. */
/* Whether this worker may take its worker.id, given the "<scope>worker"
 * record the config topic holds (NULL: none); -1 with errstr saying what
 * to change when another worker on this host runs with it.
 * @locality main thread, from herder_restore
 * @locks none */
int herder_claim_check(herder_t *h, const char *stored, size_t stored_len, char *errstr, size_t errstr_size);
/* Writes this worker's "<scope>worker" record.
 * @locality main thread, from herder_restore
 * @locks none */
void herder_claim_write(herder_t *h);
/* Tombstones it, if written: a clean stop leaves the id free.
 * @locality main thread, from herder_destroy
 * @locks none */
void herder_claim_release(herder_t *h);

/* herder_topics.c: active topics. */
/* The task runners' on_topic callback (opaque: the herder).
 * @locality the task's own thread
 * @locks takes topics_lock, releases it, then takes status_lock */
void herder_topic_used(void *opaque, const char *connector, int task_id, const char *topic);
/* Reads them back from the status topic.
 * @locality main thread, from herder_restore
 * @locks takes topics_lock (held while the status topic is read) */
void herder_topics_restore(herder_t *h);
/* Forgets (and tombstones) a connector's.
 * @locality any thread but a task's
 * @locks h->lock held by the callers; takes topics_lock, releases it,
 *        then takes status_lock */
void herder_topics_drop(herder_t *h, const char *connector);
/* Frees the table.
 * @locality main thread, from herder_destroy once no task runs
 * @locks none */
void herder_topics_free(herder_t *h);

/* The connector's status document with the connector (if `connector`) and
 * each task i with tasks[i] shown RESTARTING.
 * @locality any thread but a task's
 * @locks h->lock held; takes each task's lock */
char *herder_json_restart_plan(herder_t *h, connector_t *c, bool connector, const bool *tasks);

/* herder_restarts.c: the thread that applies restart policies, holding
 * h->lock while it looks, neither it nor write_lock while it sleeps. */
/* Starts the thread.
 * @locality main thread, from herder_create
 * @locks none */
void herder_supervisor_start(herder_t *h);
/* Stops the thread and waits for it.
 * @locality main thread, from herder_destroy
 * @locks takes h->lock to wake it */
void herder_supervisor_stop(herder_t *h);
/* The "auto_restart" member of a status, or NULL when the connector has
 * no restart policy.
 * @locality any thread but a task's
 * @locks h->lock held */
json_t *herder_auto_restart_json(const connector_t *c, const auto_restart_t *r);

#endif
