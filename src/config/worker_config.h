/*
 * worker_config.h - a Connect worker's settings (Kafka's WorkerConfig and
 * StandaloneConfig keys), resolved from the worker properties file.
 *
 * Keys starting with `broker.` belong to the embedded broker, and the
 * `producer.`, `consumer.` and `admin.` prefixes pass settings to the
 * worker's librdkafka clients (as Kafka passes them to its Java clients);
 * `key.converter.`, `value.converter.` and `header.converter.` settings go
 * to the converters with the prefix removed; `config.providers.` settings
 * configure the config providers (config_provider.h).  Other unknown keys
 * are logged and ignored, as Kafka does.
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
    const char *rest_bind;          /* rest.bind: the REST address, replacing listeners' host; may be NULL */
    const char *rest_auth_file;     /* rest.basic.auth.credentials.file; NULL: no authentication */
    bool topic_tracking;            /* topic.tracking.enable (KIP-558) */
    bool topic_tracking_reset;      /* topic.tracking.allow.reset */
    int64_t offset_flush_interval_ms;
    int64_t offset_flush_timeout_ms;
    int64_t task_shutdown_timeout_ms;
} worker_config_t;

/* One worker key, a row of the table worker_config.c reads and
 * docs/configuration.md is generated from (src/docs_config.c). */
typedef struct worker_key {
    const char *name;
    const char *default_value; /* NULL: none */
    const char *doc;
} worker_key_t;

/* The worker keys, ending with a NULL name; the prefixes passed on
 * (broker., producer., ...) are not rows. */
const worker_key_t *worker_config_keys(void);

/* Resolves `props` (borrowed for the config's life).  Returns false with
 * errstr naming the key when a value is malformed.  Files the config
 * names are checked here too, so a bad one stops start-up as a
 * configuration error: the config providers' settings
 * (config_provider.h).  The REST credentials file is the caller's to
 * check (rest_auth_load), before anything starts. */
bool worker_config_init(worker_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size);

#endif
