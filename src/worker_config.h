/*
 * worker_config.h - a Connect worker's settings (Kafka's WorkerConfig and
 * StandaloneConfig keys), resolved from the worker properties file.
 *
 * Keys starting with `broker.` belong to the embedded broker, and the
 * `producer.`, `consumer.` and `admin.` prefixes pass settings to the
 * worker's librdkafka clients (as Kafka passes them to its Java clients);
 * `key.converter.`, `value.converter.` and `header.converter.` settings go
 * to the converters with the prefix removed.  Other unknown keys are
 * logged and ignored, as Kafka does.
 */
#ifndef CONNECTD_WORKER_CONFIG_H
#define CONNECTD_WORKER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "properties.h"

typedef struct worker_config {
    const properties_t *props;      /* everything, borrowed */
    const char *bootstrap_servers;  /* NULL: start the embedded broker */
    const char *key_converter;
    const char *value_converter;
    const char *header_converter;
    const char *offset_file;        /* offset.storage.file.filename; NULL: the offsets topic */
    const char *offset_topic;
    const char *config_topic;
    const char *status_topic;
    const char *plugin_path;        /* may be NULL */
    const char *listeners;          /* REST, "http://:8083" */
    int64_t offset_flush_interval_ms;
    int64_t offset_flush_timeout_ms;
    int64_t task_shutdown_timeout_ms;
} worker_config_t;

/* Resolves `props` (borrowed for the config's life).  Returns false with
 * errstr naming the key when a value is malformed. */
bool worker_config_init(worker_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size);

#endif
