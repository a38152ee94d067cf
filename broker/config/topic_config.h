/*
 * topic_config.h - a topic's configuration, as data: the rows of the
 * topic keys Kafka's LogConfig has, and their values for one topic.
 */
#ifndef CONNECTD_TOPIC_CONFIG_H
#define CONNECTD_TOPIC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker_config.h"
#include "config_def.h"
#include "storage/log.h"

extern const config_def_t topic_config_defs[]; /* terminated by a row with name NULL */

/*
 * Topic configs: overrides are kept as text pairs; resolution falls back to
 * the broker's log.* defaults exactly as Kafka does (retention.ms <-
 * log.retention.ms, segment.bytes <- log.segment.bytes, ...).
 */
typedef struct topic_config_kv {
    char *key;
    char *value;
} topic_config_kv_t;

/* message.timestamp.type, as the index of its choice. */
enum topic_timestamp_type {
    TOPIC_TIMESTAMP_CREATE_TIME = 0,
    TOPIC_TIMESTAMP_LOG_APPEND_TIME = 1,
};

/* The settings of one topic, filled by its rows (topic_config_defs). */
typedef struct topic_config {
    log_config_t log;          /* segment.*, retention.*, index.interval.bytes, flush.messages */
    int32_t max_message_bytes; /* max.message.bytes */
    int64_t flush_ms;          /* flush.ms; INT64_MAX: only by message count */
    /* compression.type as the index of its choice: producer first, then the
     * codecs in batch attribute order (topic_config_codec). */
    int16_t compression_type;
    /* compression.gzip.level, .lz4.level and .zstd.level (KIP-390). */
    int32_t compression_gzip_level;
    int32_t compression_lz4_level;
    int32_t compression_zstd_level;
    int16_t message_timestamp_type;              /* enum topic_timestamp_type */
    int64_t message_timestamp_difference_max_ms; /* INT64_MAX: any timestamp */
    int32_t min_insync_replicas;                 /* acks=all needs this many replicas in the ISR */
} topic_config_t;

/* Checks that `key` is a topic config and `value` fits its row.  Keys that are
 * accepted but not enforced yet (cleanup.policy=compact) pass.
 * @locality any thread  @locks none (pure) */
bool topic_config_validate(const char *key, const char *value, char *errstr, size_t errstr_size);

/* The effective text value of a topic key given the overrides, and its source.
 * @locality any thread  @locks none of its own; the registry lock held while
 *           `overrides` are a topic's */
const char *topic_config_value(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                               const config_def_t *def, char *buf, size_t buf_size, broker_config_source_t *source);

/* The settings of a topic: overrides over broker defaults.
 * @locality any thread  @locks none of its own (as topic_config_value) */
void topic_config_resolve(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                          topic_config_t *out);

/* The codec (batch.h) the topic stores batches with and, in *level, the
 * level its compression.<codec>.level sets (0 for snappy and uncompressed);
 * -1 for compression.type=producer, which stores batches as they came.
 * @locality any thread  @locks none of its own (the registry lock held
 *           while `cfg` is a topic's) */
int topic_config_codec(const topic_config_t *cfg, int *level);

#endif
