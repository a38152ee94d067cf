/* worker_config.c - a Connect worker's settings; see worker_config.h. */
#include "worker_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blog.h"
#include "config_provider.h"

/* The worker keys, with Kafka's defaults where connectd has the concept. */
static const worker_key_t worker_keys[] = {
    {"bootstrap.servers", NULL,
     "The Kafka cluster the worker uses, as host:port pairs separated by commas. Unset: the worker starts "
     "its embedded broker (broker.* keys) and uses it."},
    {"key.converter", "org.apache.kafka.connect.json.JsonConverter",
     "Converter class used to convert between Kafka Connect format and the serialized form that is written "
     "to Kafka. This controls the format of the keys in messages written to or read from Kafka; a "
     "connector may set its own."},
    {"value.converter", "org.apache.kafka.connect.json.JsonConverter",
     "Converter class used to convert between Kafka Connect format and the serialized form that is written "
     "to Kafka. This controls the format of the values in messages written to or read from Kafka; a "
     "connector may set its own."},
    {"header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter",
     "HeaderConverter class used to convert between Kafka Connect format and the serialized form of header "
     "values written to or read from Kafka; a connector may set its own."},
    {"offset.storage.file.filename", NULL,
     "The file to store source connector offsets in (Kafka's standalone mode). Unset: offsets go to "
     "offset.storage.topic."},
    {"offset.storage.topic", "connect-offsets",
     "The name of the Kafka topic where source connector offsets are stored."},
    {"config.storage.topic", "connect-configs",
     "The name of the Kafka topic where connector configurations are stored."},
    {"status.storage.topic", "connect-status",
     "The name of the Kafka topic where connector and task status are stored."},
    {"plugin.path", NULL,
     "Directories (or .so files) holding connector plugins, separated by commas; each directory is "
     "searched one level of subdirectories deep. The built-in connectors load in any case."},
    {"listeners", "http://:8083",
     "The REST API's listener, http://host:port; an empty host means every interface."},
    /* connectd's own: the REST address (overrides the host of listeners)
     * and basic authentication from a file of hashed passwords. */
    {"rest.bind", NULL,
     "connectd's: the address the REST API binds to, replacing the host of listeners."},
    {"rest.basic.auth.credentials.file", NULL,
     "connectd's: a file of users and hashed passwords; when set, every REST request needs HTTP basic authentication."},
    /* Kafka's list of config providers; unset: env, file and dir. */
    {"config.providers", NULL,
     "Names of the config providers that resolve ${provider:path:key} references in connector configs, "
     "separated by commas, each configured by config.providers.<name>.class and .param.* keys. Unset: env, "
     "file and dir; empty: none."},
    {"offset.flush.interval.ms", "60000",
     "Interval at which to try committing offsets for tasks."},
    {"offset.flush.timeout.ms", "5000",
     "Maximum number of milliseconds to wait for records to flush and partition offset data to be "
     "committed to offset storage before cancelling the process and restoring the offset data to be "
     "committed in a future attempt."},
    {"task.shutdown.graceful.timeout.ms", "5000",
     "Amount of time to wait for tasks to shutdown gracefully. This is the total amount of time, not per task."},
    {"topic.tracking.enable", "true",
     "Enable tracking the set of active topics per connector during runtime."},
    {"topic.tracking.allow.reset", "true",
     "If set to true, it allows user requests to reset the set of active topics per connector."},
    /* Accepted for compatibility with Kafka's sample files. */
    {"rest.advertised.host.name", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {"rest.advertised.port", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {"offset.storage.replication.factor", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {"config.storage.replication.factor", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {"status.storage.replication.factor", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {"group.id", NULL,
     "Accepted for compatibility with Kafka's sample files; a standalone worker does not use it."},
    {NULL, NULL, NULL},
};

static const char *const passed_prefixes[] = {
    "broker.", "producer.", "consumer.", "admin.", "key.converter.", "value.converter.", "header.converter.",
    "config.providers.", NULL,
};

const worker_key_t *worker_config_keys(void)
{
    return worker_keys;
}

static const char *get(const properties_t *props, const char *key)
{
    const char *v = properties_get(props, key);
    if (v && *v) {
        return v;
    }
    for (const struct worker_key *k = worker_keys; k->name; k++) {
        if (strcmp(k->name, key) == 0) {
            return k->default_value;
        }
    }
    return NULL;
}

/* Kafka's BOOLEAN: "true" or "false", any case. */
static bool get_bool(const properties_t *props, const char *key, bool *out, char *errstr, size_t errstr_size)
{
    const char *text = get(props, key);
    if (strcasecmp(text, "true") != 0 && strcasecmp(text, "false") != 0) {
        snprintf(errstr, errstr_size, "%s: expected true or false, got '%s'", key, text);
        return false;
    }
    *out = strcasecmp(text, "true") == 0;
    return true;
}

static bool get_ms(const properties_t *props, const char *key, int64_t *out, char *errstr, size_t errstr_size)
{
    const char *text = get(props, key);
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < 0) {
        snprintf(errstr, errstr_size, "%s: expected a non-negative number of milliseconds, got '%s'", key, text);
        return false;
    }
    *out = v;
    return true;
}

static bool known(const char *key)
{
    for (const struct worker_key *k = worker_keys; k->name; k++) {
        if (strcmp(k->name, key) == 0) {
            return true;
        }
    }
    for (const char *const *p = passed_prefixes; *p; p++) {
        if (strncmp(key, *p, strlen(*p)) == 0) {
            return true;
        }
    }
    return false;
}

/* The config providers' settings, loaded once to be checked (the herder
 * loads its own).  The REST credentials file is checked by the command
 * that starts the REST server: configuration does not reach into REST. */
static bool check_files(const worker_config_t *cfg, char *errstr, size_t errstr_size)
{
    config_provider_t *cprov = config_provider_create(cfg->props, errstr, errstr_size);
    config_provider_destroy(cprov);
    return cprov != NULL;
}

bool worker_config_init(worker_config_t *cfg, const properties_t *props, char *errstr, size_t errstr_size)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->props = props;
    cfg->bootstrap_servers = get(props, "bootstrap.servers");
    cfg->key_converter = get(props, "key.converter");
    cfg->value_converter = get(props, "value.converter");
    cfg->header_converter = get(props, "header.converter");
    cfg->offset_file = get(props, "offset.storage.file.filename");
    cfg->offset_topic = get(props, "offset.storage.topic");
    cfg->config_topic = get(props, "config.storage.topic");
    cfg->status_topic = get(props, "status.storage.topic");
    cfg->plugin_path = get(props, "plugin.path");
    cfg->listeners = get(props, "listeners");
    cfg->rest_bind = get(props, "rest.bind");
    cfg->rest_auth_file = get(props, "rest.basic.auth.credentials.file");
    for (size_t i = 0; i < properties_count(props); i++) {
        if (!known(properties_key_at(props, i))) {
            blog_warn("unknown worker config '%s' is ignored", properties_key_at(props, i));
        }
    }
    return get_bool(props, "topic.tracking.enable", &cfg->topic_tracking, errstr, errstr_size) &&
           get_bool(props, "topic.tracking.allow.reset", &cfg->topic_tracking_reset, errstr, errstr_size) &&
           get_ms(props, "offset.flush.interval.ms", &cfg->offset_flush_interval_ms, errstr, errstr_size) &&
           get_ms(props, "offset.flush.timeout.ms", &cfg->offset_flush_timeout_ms, errstr, errstr_size) &&
           get_ms(props, "task.shutdown.graceful.timeout.ms", &cfg->task_shutdown_timeout_ms, errstr, errstr_size) &&
           check_files(cfg, errstr, errstr_size);
}
