/*
 * worker_config.h - a Connect worker's settings (Kafka's WorkerConfig and
 * StandaloneConfig keys), resolved from the worker properties file.
 *
 * Keys starting with `broker.` belong to the embedded broker, and the
 * `producer.`, `consumer.` and `admin.` prefixes pass settings to the
 * worker's librdkafka clients (as Kafka passes them to its Java clients),
 * and the unprefixed security.protocol, sasl.* and ssl.* to the worker's
 * own clients (client_conf_new_internal);
 * `key.converter.`, `value.converter.` and `header.converter.` settings go
 * to the converters with the prefix removed; `config.providers.` settings
 * configure the config providers (config_provider.h); log4j.rootLogger
 * and log4j.logger.<name> set log levels, as Kafka's connect-log4j.properties
 * does (checked by worker_config_init, applied with blog_log4j_apply).  Other unknown keys are logged and ignored, as Kafka does.
 */
#ifndef CONNECTD_WORKER_CONFIG_H
#define CONNECTD_WORKER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config_def.h"
#include "properties.h"

typedef struct worker_config {
    const properties_t *props; /* everything, borrowed */
    /* Filled by the rows of worker_config_defs; the strings are owned. */
    char *bootstrap_servers;   /* NULL: start the embedded broker */
    char *key_converter;
    char *value_converter;
    char *header_converter;
    char *offset_file;         /* offset.storage.file.filename; NULL: the offsets topic */
    char *offset_topic;
    char *config_topic;
    char *status_topic;
    char *worker_id;           /* worker.id: the prefix of this worker's stored records; may be NULL */
    char *plugin_path;         /* may be NULL */
    char *listeners;           /* REST, "http://:8083" */
    char *rest_bind;           /* rest.bind: the REST address, replacing listeners' host; may be NULL */
    char *rest_auth_file;      /* rest.basic.auth.credentials.file; NULL: no authentication */
    char *file_allowed_paths;  /* file.connectors.allowed.paths; NULL: the file connectors get no file */
    char *override_policy;     /* connector.client.config.override.policy: client_override_policy_parse */
    char *crash_journal_file;  /* crash.journal.file; NULL: next to the worker's other state (cmd_standalone.c) */
    bool topic_tracking;       /* topic.tracking.enable (KIP-558) */
    bool topic_tracking_reset; /* topic.tracking.allow.reset */
    int64_t offset_flush_interval_ms;
    int64_t offset_flush_timeout_ms;
    int64_t task_shutdown_timeout_ms;
    int32_t tasks_max_per_worker; /* tasks.max.per.worker: the sum over all connectors */
    int64_t rest_idle_ms;            /* rest.connections.max.idle.ms: idle REST connections are closed */
    int32_t rest_max_connections;    /* rest.max.connections: more are answered 503 */
    int32_t rest_max_connections_ip; /* rest.max.connections.per.ip: more from one address are closed */
} worker_config_t;

/* The worker keys, one row each (config_def.h), ending with a NULL name;
 * docs/configuration.md is generated from them (src/docs_config.c).  The
 * prefixes passed on (broker., producer., ...) are not rows. */
extern const config_def_t worker_config_defs[];

/* Resolves `props` (borrowed for the config's life) through the rows: an
 * empty value takes the default, as connectd has always read the worker
 * file.  Returns false with errstr naming the key when a value is
 * malformed ("offset.flush.interval.ms: expected an integer between 0 and
 * ..., got 'soon'"), having freed what it filled.  Files the config names
 * are checked here too, so a bad one stops start-up as a configuration
 * error: the config providers' settings (config_provider.h).  The REST
 * credentials file is the caller's to check (rest_auth_load), before
 * anything starts. */
bool worker_config_init(worker_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size);

/* Frees the strings init filled; a zeroed config is fine. */
void worker_config_free(worker_config_t *cfg);

#endif
