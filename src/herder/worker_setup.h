/*
 * worker_setup.h - what a worker is assembled from before herder_create:
 * its connector plugins and its three stores (source offsets, connector
 * configs, statuses), opened as Kafka Connect opens them.  `connectd
 * standalone` and the herder's unit tests build their workers with these,
 * so a test runs the herder on the same pieces the daemon does.
 */
#ifndef CONNECTD_WORKER_SETUP_H
#define CONNECTD_WORKER_SETUP_H

#include <stddef.h>

#include "config/worker_config.h"
#include "plugin/plugin_loader.h"
#include "store/kvtopic.h"
#include "store/offset_store.h"

/* The plugins on plugin.path, then the built-in connectors
 * (plugin_builtin_dir); their transforms and predicates are registered for
 * transforms=.  Never fails: refusals are logged.  The caller frees it with
 * plugin_registry_destroy once the herder is gone. */
plugin_registry_t *worker_plugins_load(const worker_config_t *wcfg);

typedef struct worker_stores {
    offset_store_t *offsets; /* the caller's: closed after herder_destroy */
    kvtopic_t *configs;      /* config.storage.topic; herder_create takes it */
    kvtopic_t *statuses;     /* status.storage.topic; herder_create takes it */
} worker_stores_t;

/*
 * Opens the offset store (offset.storage.file.filename, else
 * offset.storage.topic) and the config and status topics on `bootstrap`,
 * creating the topics with Kafka's partition counts when they do not exist.
 * -1 with errstr set, and nothing left open, when any of them fails.
 */
int worker_stores_open(worker_stores_t *stores, const worker_config_t *wcfg, const char *bootstrap, char *errstr,
                       size_t errstr_size);

/* As worker_stores_open, for a distributed worker: the offsets are always
 * in offset.storage.topic (the caller warns that a file is ignored), and
 * the offset and status topics are made with the partition counts given
 * (offset.storage.partitions, status.storage.partitions; -1: the broker's
 * default). */
int worker_stores_open_shared(worker_stores_t *stores, const worker_config_t *wcfg, const char *bootstrap,
                              int offset_partitions, int status_partitions, char *errstr, size_t errstr_size);

/* Closes what is still the caller's (a member herder_create took must be
 * set to NULL first) and zeroes `stores`. */
void worker_stores_close(worker_stores_t *stores);

#endif
