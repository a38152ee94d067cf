/* client_conf.c - librdkafka configurations for the worker; see client_conf.h. */
#include "client_conf.h"

#include <string.h>

#include "blog.h"

rd_kafka_conf_t *client_conf_new(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                 const char *const *defaults)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    for (const char *const *d = defaults; d && d[0]; d += 2) {
        rd_kafka_conf_set(conf, d[0], d[1], err, sizeof(err));
    }
    size_t plen = strlen(prefix);
    for (size_t i = 0; worker_props && i < properties_count(worker_props); i++) {
        const char *key = properties_key_at(worker_props, i);
        if (strncmp(key, prefix, plen) == 0 &&
            rd_kafka_conf_set(conf, key + plen, properties_value_at(worker_props, i), err, sizeof(err)) !=
                RD_KAFKA_CONF_OK) {
            blog_warn("worker config '%s' is not a librdkafka setting and is ignored: %s", key, err);
        }
    }
    return conf;
}
