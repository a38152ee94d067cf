/*
 * client_conf.h - the librdkafka configuration of every client the worker
 * makes (internal topics, task producers and consumers), so that the
 * worker's `producer.` and `consumer.` settings reach all of them the same
 * way.
 */
#ifndef CONNECTD_CLIENT_CONF_H
#define CONNECTD_CLIENT_CONF_H

#include <librdkafka/rdkafka.h>

#include "properties.h"

/* bootstrap.servers, quiet librdkafka logs, then `defaults` (key, value
 * pairs ending in NULL; may be NULL), then the worker's keys starting with
 * `prefix` (prefix removed), which win.  A key librdkafka does not know is
 * logged and ignored. */
rd_kafka_conf_t *client_conf_new(const char *bootstrap, const properties_t *worker_props, const char *prefix,
                                 const char *const *defaults);

#endif
