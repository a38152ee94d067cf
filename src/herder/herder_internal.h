/*
 * herder_internal.h - what herder.c (lifecycle) and herder_view.c (the
 * JSON documents REST shows) share.  Not for other files.
 */
#ifndef CONNECTD_HERDER_INTERNAL_H
#define CONNECTD_HERDER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

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
    char trace[2048];
    restart_policy_t policy;
    auto_restart_t restart;        /* the connector's own */
    auto_restart_t *task_restarts; /* one per task */
} connector_t;

struct herder {
    pthread_mutex_t lock;
    /* Serialises config changes (create, update, patch), whose plugin
     * validation runs outside `lock`, so a PATCH merges into the config
     * no other change is replacing meanwhile. */
    pthread_mutex_t write_lock;
    const worker_config_t *wcfg;
    const char *bootstrap;
    const plugin_registry_t *plugins;
    offset_store_t *offsets;
    kvtopic_t *configs;
    kvtopic_t *statuses;
    pthread_mutex_t status_lock; /* task threads write statuses */
    char *worker_id;
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
 * as "[hidden]"). */
bool herder_is_password(const connector_t *c, const char *key);

/* @locks h->lock.  Kafka's name of the connector instance's state:
 * RUNNING, PAUSED, STOPPED or FAILED. */
const char *herder_connector_state(const connector_t *c);

/* Kafka's message for a connector.class no loaded plugin has: "Failed
 * to find any class that implements Connector and which name matches X;
 * available connectors are: A, B". */
void herder_no_such_connector_class(herder_t *h, const char *cls, char *errstr, size_t errstr_size);

/* @locks h->lock.  The connector named `name`, or NULL. */
connector_t *herder_find(herder_t *h, const char *name);

/* Kafka's "Connector <name> not found" in errstr; returns HERDER_ERR_NOT_FOUND. */
herder_result_t herder_not_found(const char *name, char *errstr, size_t errstr_size);

/* @locks h->lock.  Stops task i of c and starts it again. */
void herder_task_restart(herder_t *h, connector_t *c, int i);
/* @locks h->lock.  Starts c afresh: new task configs, new tasks. */
void herder_connector_restart(herder_t *h, connector_t *c);

/* herder_topics.c: active topics.  The task runners' on_topic callback
 * (opaque: the herder); reading them back at start-up; forgetting (and
 * tombstoning) a connector's; freeing the table. */
void herder_topic_used(void *opaque, const char *connector, int task_id, const char *topic);
void herder_topics_restore(herder_t *h);
void herder_topics_drop(herder_t *h, const char *connector);
void herder_topics_free(herder_t *h);

/* @locks h->lock.  The connector's status document with the connector
 * (if `connector`) and each task i with tasks[i] shown RESTARTING. */
char *herder_json_restart_plan(herder_t *h, connector_t *c, bool connector, const bool *tasks);

/* herder_restarts.c: the thread that applies restart policies. */
void herder_supervisor_start(herder_t *h);
void herder_supervisor_stop(herder_t *h);
/* @locks h->lock.  The "auto_restart" member of a status, or NULL when
 * the connector has no restart policy. */
json_t *herder_auto_restart_json(const connector_t *c, const auto_restart_t *r);

#endif
