/* worker_config.c - a Connect worker's settings; see worker_config.h. */
#include "worker_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"

/* The worker keys, with Kafka's defaults where connectd has the concept. */
static const struct worker_key {
    const char *name;
    const char *default_value;
} worker_keys[] = {
    {"bootstrap.servers", NULL},
    {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
    {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
    {"header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter"},
    {"offset.storage.file.filename", NULL},
    {"offset.storage.topic", "connect-offsets"},
    {"config.storage.topic", "connect-configs"},
    {"status.storage.topic", "connect-status"},
    {"plugin.path", NULL},
    {"listeners", "http://:8083"},
    {"offset.flush.interval.ms", "60000"},
    {"offset.flush.timeout.ms", "5000"},
    {"task.shutdown.graceful.timeout.ms", "5000"},
    /* Accepted for compatibility with Kafka's sample files. */
    {"rest.advertised.host.name", NULL},
    {"rest.advertised.port", NULL},
    {"offset.storage.replication.factor", NULL},
    {"config.storage.replication.factor", NULL},
    {"status.storage.replication.factor", NULL},
    {"group.id", NULL},
    {NULL, NULL},
};

static const char *const passed_prefixes[] = {
    "broker.", "producer.", "consumer.", "admin.", "key.converter.", "value.converter.", "header.converter.", NULL,
};

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
    for (size_t i = 0; i < properties_count(props); i++) {
        if (!known(properties_key_at(props, i))) {
            blog_warn("unknown worker config '%s' is ignored", properties_key_at(props, i));
        }
    }
    return get_ms(props, "offset.flush.interval.ms", &cfg->offset_flush_interval_ms, errstr, errstr_size) &&
           get_ms(props, "offset.flush.timeout.ms", &cfg->offset_flush_timeout_ms, errstr, errstr_size) &&
           get_ms(props, "task.shutdown.graceful.timeout.ms", &cfg->task_shutdown_timeout_ms, errstr, errstr_size);
}
