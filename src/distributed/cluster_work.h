/*
 * cluster_work.h - what a distributed worker runs: exactly the connectors
 * and tasks of its assignment (connect_member.h), with their configs from
 * the config topic (config_tail.h).
 *
 * For an assigned connector the worker asks the plugin for its task
 * configs and, when they differ from the committed ones, writes them to
 * the config topic with their commit-<connector> record, as Kafka's
 * worker running a connector does.  An assigned task runs once its config
 * is committed, and runs again when a new commit changes it.  Each task's
 * state goes to the status topic with this worker's id.
 *
 * Reconciling runs on a thread of its own: stopping a task may take
 * task.shutdown.graceful.timeout.ms, which must not hold up the group's
 * heartbeats or the config topic's reader.
 */
#ifndef CONNECTD_CLUSTER_WORK_H
#define CONNECTD_CLUSTER_WORK_H

#include <stdint.h>

#include "config/worker_config.h"
#include "config_tail.h"
#include "connect_protocol.h"
#include "plugin/plugin_loader.h"
#include "store/kvtopic.h"
#include "store/offset_store.h"

typedef struct cluster_work cluster_work_t;

/* Borrowed for the worker's life. */
typedef struct cluster_work_env {
    const worker_config_t *wcfg;
    const char *bootstrap;
    const plugin_registry_t *plugins;
    offset_store_t *offsets;
    kvtopic_t *configs;  /* where task configs and commits are written */
    kvtopic_t *statuses; /* where task and connector states are written */
    const char *worker_id;
    config_tail_t *tail;
    /* Called on the work thread, holding none of its locks, each time it
     * has made what runs match the assignment of `generation` (revoked
     * tasks stopped): a cooperative member rejoins only then, so the
     * leader never hands out work that still runs here.  NULL: none. */
    void (*on_settled)(void *ctx, int32_t generation);
    void *on_settled_ctx;
} cluster_work_env_t;

cluster_work_t *cluster_work_start(const cluster_work_env_t *env);

/* What the worker is to run from now on (`running->assigned`, borrowed
 * for the call; NULL: nothing).  Nothing once cluster_work_drain began.
 * @locality any thread; returns at once */
void cluster_work_set(cluster_work_t *cw, const connect_assignment_t *running, int32_t generation);

/* Waits until what runs matches the last cluster_work_set: an eager
 * member stops its work this way before it joins again.
 * @locality any thread but the work thread; hold no lock on_settled takes */
void cluster_work_wait(cluster_work_t *cw);

/* The config topic changed: connectors' configs or committed task configs
 * may differ from what runs.
 * @locality any thread; returns at once */
void cluster_work_config_changed(cluster_work_t *cw);

/* Stops every task (flushing and committing) and takes no more work, but
 * stays for cluster_work_set to call: a worker shutting down stops its
 * tasks while its member still heartbeats, and leaves the group after. */
void cluster_work_drain(cluster_work_t *cw);

/* Drains, if not yet done, and frees; NULL is fine. */
void cluster_work_stop(cluster_work_t *cw);

#endif
