/* worker_setup.c - a worker's plugins and stores; see worker_setup.h. */
#include "worker_setup.h"

#include <stdio.h>

#include "blog.h"
#include "plugin/task_context.h"
#include "transforms/transform_chain.h"

#define OFFSET_TOPIC_PARTITIONS 25 /* Kafka's offset.storage.partitions */
#define STATUS_TOPIC_PARTITIONS 5  /* Kafka's status.storage.partitions */

plugin_registry_t *worker_plugins_load(const worker_config_t *wcfg)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s%s%s", wcfg->plugin_path ? wcfg->plugin_path : "", wcfg->plugin_path ? "," : "",
             plugin_builtin_dir());
    plugin_registry_t *plugins = plugin_registry_load(path, worker_host_api());
    transform_plugins_register(plugins); /* transforms and predicates for transforms= */
    blog_info("%zu connector plugins loaded", plugin_registry_count(plugins));
    return plugins;
}

static int stores_open(worker_stores_t *stores, const worker_config_t *wcfg, const char *bootstrap,
                       const char *offset_file, int offset_partitions, int status_partitions, char *errstr,
                       size_t errstr_size)
{
    *stores = (worker_stores_t){0};
    if (offset_file) {
        stores->offsets = offset_store_open_file(offset_file, errstr, errstr_size);
    } else {
        kvtopic_t *kv = kvtopic_open(bootstrap, wcfg->offset_topic, offset_partitions, wcfg->props, errstr,
                                     errstr_size);
        stores->offsets = kv ? offset_store_open_topic(kv, errstr, errstr_size) : NULL;
    }
    if (stores->offsets) {
        stores->configs = kvtopic_open(bootstrap, wcfg->config_topic, 1, wcfg->props, errstr, errstr_size);
    }
    if (stores->configs) {
        stores->statuses = kvtopic_open(bootstrap, wcfg->status_topic, status_partitions, wcfg->props, errstr,
                                        errstr_size);
    }
    if (!stores->statuses) {
        worker_stores_close(stores);
        return -1;
    }
    return 0;
}

int worker_stores_open(worker_stores_t *stores, const worker_config_t *wcfg, const char *bootstrap, char *errstr,
                       size_t errstr_size)
{
    return stores_open(stores, wcfg, bootstrap, wcfg->offset_file, OFFSET_TOPIC_PARTITIONS, STATUS_TOPIC_PARTITIONS,
                       errstr, errstr_size);
}

int worker_stores_open_shared(worker_stores_t *stores, const worker_config_t *wcfg, const char *bootstrap,
                              int offset_partitions, int status_partitions, char *errstr, size_t errstr_size)
{
    return stores_open(stores, wcfg, bootstrap, NULL, offset_partitions, status_partitions, errstr, errstr_size);
}

void worker_stores_close(worker_stores_t *stores)
{
    kvtopic_close(stores->statuses);
    kvtopic_close(stores->configs);
    offset_store_close(stores->offsets);
    *stores = (worker_stores_t){0};
}
