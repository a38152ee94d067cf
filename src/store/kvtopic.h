/*
 * kvtopic.h - a compacted Kafka topic used as a key-value log: the worker's
 * internal topics (connector configs, source offsets, statuses), with
 * Kafka Connect's record formats.  Reached through librdkafka only, so it
 * works against the embedded broker, a connectd cluster or Apache Kafka.
 *
 * Not thread-safe: one owner thread, or the owner's lock.
 */
#ifndef CONNECTD_KVTOPIC_H
#define CONNECTD_KVTOPIC_H

#include <stddef.h>

#include "properties.h"

typedef struct kvtopic kvtopic_t;

/* Opens `topic` on `bootstrap`, creating it (cleanup.policy=compact,
 * `partitions` partitions) if it does not exist.  `client_props` are the
 * worker's properties: its `producer.` and `consumer.` keys are passed on.
 * NULL with errstr set when no broker answers or the topic cannot be made. */
kvtopic_t *kvtopic_open(const char *bootstrap, const char *topic, int partitions, const properties_t *client_props,
                        char *errstr, size_t errstr_size);
void kvtopic_close(kvtopic_t *kv); /* NULL is fine */

/* Calls `cb` for every record from the start to the current end, in order
 * per partition (a NULL value is a tombstone).  -1 with errstr on failure. */
typedef void(kvtopic_cb)(void *opaque, const char *key, size_t key_len, const char *value, size_t value_len);
int kvtopic_read_all(kvtopic_t *kv, kvtopic_cb *cb, void *opaque, char *errstr, size_t errstr_size);

/* Writes one record (value NULL: tombstone) and waits until the broker has
 * it.  -1 with errstr on failure. */
int kvtopic_write(kvtopic_t *kv, const char *key, size_t key_len, const char *value, size_t value_len,
                  char *errstr, size_t errstr_size);

typedef struct kvtopic_record {
    const char *key;
    size_t key_len;
    const char *value; /* NULL: tombstone */
    size_t value_len;
} kvtopic_record_t;

/* Writes `n` records and waits once until the broker has all of them.  -1
 * with errstr when any failed. */
int kvtopic_write_many(kvtopic_t *kv, const kvtopic_record_t *recs, size_t n, char *errstr, size_t errstr_size);

/* The cluster id the broker reports (malloc'd), or NULL. */
char *kvtopic_cluster_id(kvtopic_t *kv);

#endif
