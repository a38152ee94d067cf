/*
 * embedded_broker.h - the broker a standalone worker runs in its own
 * process when no bootstrap.servers is given (DESIGN §1): the `broker.`
 * keys of the worker's file configure it, and it runs its libuv loop on a
 * thread of its own, so the worker's threads only ever talk to it through
 * librdkafka, exactly as they would to a remote cluster.
 */
#ifndef CONNECTD_EMBEDDED_BROKER_H
#define CONNECTD_EMBEDDED_BROKER_H

#include <stddef.h>

#include "properties.h"

typedef struct embedded_broker embedded_broker_t;

/* The embedded broker's listener when broker.listeners is not set: loopback
 * only (a `connectd broker` listens on every interface, as Kafka does). */
#define EMBEDDED_BROKER_LISTENERS "PLAINTEXT://127.0.0.1:9092"

/* Starts the broker and returns once it listens.  *bootstrap gets the
 * address the worker should use ("127.0.0.1:9092").  NULL with errstr set
 * when the configuration is invalid (*usage_error = 1) or the broker
 * cannot start (port in use, unusable log dir). */
embedded_broker_t *embedded_broker_start(const properties_t *worker_props, char *bootstrap, size_t bootstrap_size,
                                         int *usage_error, char *errstr, size_t errstr_size);

/* The first of its log.dirs, where it keeps its internal files; valid
 * until embedded_broker_stop. */
const char *embedded_broker_data_dir(const embedded_broker_t *eb);

/* Stops it cleanly (flush, checkpoints) and joins its thread.  NULL is fine. */
void embedded_broker_stop(embedded_broker_t *eb);

#endif
