/*
 * herder_internal.h - what herder.c (lifecycle) and herder_view.c (the
 * JSON documents REST shows) share.  Not for other files.
 */
#ifndef CONNECTD_HERDER_INTERNAL_H
#define CONNECTD_HERDER_INTERNAL_H

#include <pthread.h>

#include "herder.h"
#include "task_runner.h"

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
} connector_t;

struct herder {
    pthread_mutex_t lock;
    const worker_config_t *wcfg;
    const char *bootstrap;
    const plugin_registry_t *plugins;
    offset_store_t *offsets;
    kvtopic_t *configs;
    kvtopic_t *statuses;
    pthread_mutex_t status_lock; /* task threads write statuses */
    char *worker_id;
    connector_t **conns;
    int n_conns;
};

/* @locks h->lock.  The connector named `name`, or NULL. */
connector_t *herder_find(herder_t *h, const char *name);

#endif
