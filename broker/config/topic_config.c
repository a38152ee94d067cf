/*
 * topic_config.c - the topic configuration table and its rules.
 *
 * A topic's configs are overrides (text pairs, as CreateTopics gives them)
 * over the broker's values, resolved the way Kafka's LogConfig falls back
 * to the broker's log.* keys (retention.ms <- log.retention.ms,
 * segment.bytes <- log.segment.bytes, ...); a key with neither has its
 * row's default.  Values are read by their rows (config_def.h), as the
 * broker's are.
 */
#include "topic_config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/batch.h"
#include "records/compression.h"

#define I32_MAX 2147483647LL
#define I64_MAX 9223372036854775807LL
#define LONG_MAX_TEXT "9223372036854775807"

static const char *const cleanup_policies[] = {"delete", "compact", NULL};
/* In batch attribute order after producer: a choice's index - 1 is its codec
 * (BATCH_CODEC_NONE 0 ... BATCH_CODEC_ZSTD 4), which topic_config_codec uses. */
static const char *const compression_types[] = {"producer", "uncompressed", "gzip", "snappy",
                                                "lz4",      "zstd",         NULL};
/* In the order of enum topic_timestamp_type. */
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};

/* Its choices check each item; Kafka also takes an empty list, which the
 * broker has always refused. */
static config_def_problem_t cleanup_policy_check(const config_def_t *def, const char *name, const char *value,
                                                 const char **canonical, char *why, size_t why_size)
{
    if (!*value) {
        snprintf(why, why_size, "expected delete, compact or both");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* Kafka's MetadataVersion names ("0.10.0", "0.10.0.0", "2.4-IV1", "3.0"):
 * numbers joined by dots, then perhaps an "-IV" and a number.  The value is
 * accepted for the tools that set it and has no effect, as in Kafka 3.x,
 * which always writes the newest message format. */
static config_def_problem_t format_version_check(const config_def_t *def, const char *name, const char *value,
                                                 const char **canonical, char *why, size_t why_size)
{
    const char *p = value;
    int numbers = 0;
    while (*p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9') {
            p++;
        }
        numbers++;
        if (*p != '.') {
            break;
        }
        p++;
    }
    if (numbers >= 2 && strncmp(p, "-IV", 3) == 0 && p[3] >= '0' && p[3] <= '9') {
        p += 4;
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (numbers < 2 || *p) {
        snprintf(why, why_size, "expected a Kafka version such as 0.10.0 or 3.0-IV1");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* Each topic row's broker fallback is named in its doc, for the reference. */
const config_def_t topic_config_defs[] = {
    {.name = "cleanup.policy", .type = CONFIG_DEF_LIST, .default_value = "delete", .choices = cleanup_policies,
     .validate = cleanup_policy_check,
     .doc = "delete: segments go by retention; compact is accepted but not enforced yet."},
    {.name = "compression.gzip.level", .type = CONFIG_DEF_INT, .default_value = "-1",
     CONFIG_DEF_RANGE(-1, COMPRESSION_GZIP_LEVEL_MAX),
     .validate = broker_config_gzip_level_check, CONFIG_DEF_FIELD(topic_config_t, compression_gzip_level),
     .doc = "gzip level (1-9, -1 for zlib's default) when compression.type is gzip (compression.gzip.level)."},
    {.name = "compression.lz4.level", .type = CONFIG_DEF_INT, .default_value = "9",
     CONFIG_DEF_RANGE(COMPRESSION_LZ4_LEVEL_MIN, COMPRESSION_LZ4_LEVEL_MAX),
     CONFIG_DEF_FIELD(topic_config_t, compression_lz4_level),
     .doc = "lz4 level (1-17) when compression.type is lz4 (compression.lz4.level)."},
    {.name = "compression.type", .type = CONFIG_DEF_STRING, .default_value = "producer", .choices = compression_types,
     CONFIG_DEF_FIELD(topic_config_t, compression_type),
     .doc = "producer stores batches as the producer compressed them; uncompressed, gzip, snappy, lz4 or zstd "
            "rewrites each batch of another codec with this one, offsets and records unchanged "
            "(compression.type)."},
    {.name = "compression.zstd.level", .type = CONFIG_DEF_INT, .default_value = "3",
     CONFIG_DEF_RANGE(COMPRESSION_ZSTD_LEVEL_MIN, COMPRESSION_ZSTD_LEVEL_MAX),
     CONFIG_DEF_FIELD(topic_config_t, compression_zstd_level),
     .doc = "zstd level (-131072 to 22) when compression.type is zstd (compression.zstd.level)."},
    {.name = "delete.retention.ms", .type = CONFIG_DEF_LONG, .default_value = "86400000",
     CONFIG_DEF_RANGE(0, I64_MAX), .doc = "Accepted; a log compaction setting, and logs are not compacted yet."},
    {.name = "file.delete.delay.ms", .type = CONFIG_DEF_LONG, .default_value = "60000", CONFIG_DEF_RANGE(0, I64_MAX),
     .doc = "Accepted; segments past retention are deleted at once."},
    {.name = "flush.messages", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT, CONFIG_DEF_RANGE(1, I64_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.flush_interval_messages),
     .doc = "fsync after this many unflushed messages (log.flush.interval.messages)."},
    {.name = "flush.ms", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT, CONFIG_DEF_RANGE(0, I64_MAX),
     CONFIG_DEF_FIELD(topic_config_t, flush_ms), .doc = "fsync at least this often (log.flush.interval.ms)."},
    {.name = "index.interval.bytes", .type = CONFIG_DEF_INT, .default_value = "4096", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.index_interval_bytes),
     .doc = "Bytes between index entries (log.index.interval.bytes)."},
    {.name = "max.message.bytes", .type = CONFIG_DEF_INT, .default_value = "1048588", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(topic_config_t, max_message_bytes), .doc = "Largest record batch accepted (message.max.bytes)."},
    {.name = "max.compaction.lag.ms", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT,
     CONFIG_DEF_RANGE(1, I64_MAX), .doc = "Accepted; a log compaction setting, and logs are not compacted yet."},
    {.name = "message.format.version", .type = CONFIG_DEF_STRING, .default_value = "3.0-IV1",
     .validate = format_version_check,
     .doc = "Accepted and ignored, as in Kafka 3.x: batches are stored in the v2 format."},
    {.name = "message.timestamp.difference.max.ms", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT,
     CONFIG_DEF_RANGE(0, I64_MAX), CONFIG_DEF_FIELD(topic_config_t, message_timestamp_difference_max_ms),
     .doc = "With CreateTime, a batch holding a record whose timestamp is further than this from the broker's "
            "clock is refused with INVALID_TIMESTAMP (log.message.timestamp.difference.max.ms)."},
    {.name = "message.timestamp.type", .type = CONFIG_DEF_STRING, .default_value = "CreateTime",
     .choices = timestamp_types, CONFIG_DEF_FIELD(topic_config_t, message_timestamp_type),
     .doc = "CreateTime keeps the producer's timestamps; LogAppendTime gives every record of a batch the time "
            "the broker appended it (log.message.timestamp.type)."},
    {.name = "min.cleanable.dirty.ratio", .type = CONFIG_DEF_DOUBLE, .default_value = "0.5", CONFIG_DEF_RANGE(0, 1),
     .doc = "Accepted; a log compaction setting, and logs are not compacted yet."},
    {.name = "min.compaction.lag.ms", .type = CONFIG_DEF_LONG, .default_value = "0", CONFIG_DEF_RANGE(0, I64_MAX),
     .doc = "Accepted; a log compaction setting, and logs are not compacted yet."},
    {.name = "min.insync.replicas", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, I32_MAX),
     CONFIG_DEF_FIELD(topic_config_t, min_insync_replicas),
     .doc = "With acks=all, a produce is refused with NOT_ENOUGH_REPLICAS while fewer replicas are in sync "
            "(min.insync.replicas); a single node is its own ISR."},
    {.name = "retention.bytes", .type = CONFIG_DEF_LONG, .default_value = "-1", CONFIG_DEF_RANGE(-1, I64_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.retention_bytes),
     .doc = "Delete the oldest segments while the partition is larger (log.retention.bytes)."},
    {.name = "retention.ms", .type = CONFIG_DEF_LONG, .default_value = "604800000", CONFIG_DEF_RANGE(-1, I64_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.retention_ms),
     .doc = "Delete segments older than this; -1 keeps them (log.retention.ms / .minutes / .hours)."},
    {.name = "segment.bytes", .type = CONFIG_DEF_INT, .default_value = "1073741824", CONFIG_DEF_RANGE(14, I32_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.segment_bytes), .doc = "Maximum segment size (log.segment.bytes)."},
    {.name = "segment.ms", .type = CONFIG_DEF_LONG, .default_value = "604800000", CONFIG_DEF_RANGE(1, I64_MAX),
     CONFIG_DEF_FIELD(topic_config_t, log.segment_ms),
     .doc = "Roll a segment after this long (log.roll.ms / log.roll.hours)."},
    {.name = NULL},
};

bool topic_config_validate(const char *key, const char *value, char *errstr, size_t errstr_size)
{
    const config_def_t *def = config_def_find(topic_config_defs, key);
    if (!def) {
        snprintf(errstr, errstr_size, "unknown topic config '%s'", key);
        return false;
    }
    char *text;
    bool ok = config_def_normalize(def, key, value, &text, errstr, errstr_size);
    free(text);
    return ok;
}

static const char *override_of(const topic_config_kv_t *overrides, size_t n, const char *key)
{
    for (size_t i = n; i-- > 0;) { /* the last one given wins */
        if (strcmp(overrides[i].key, key) == 0) {
            return overrides[i].value;
        }
    }
    return NULL;
}

/* The broker key a topic key falls back to, as Kafka's LogConfig does; the
 * rows' docs name the same key in parentheses for the reference. */
static const char *const topic_broker_keys[][2] = {
    {"retention.ms", "log.retention.ms"},
    {"retention.bytes", "log.retention.bytes"},
    {"segment.bytes", "log.segment.bytes"},
    {"segment.ms", "log.roll.ms"},
    {"max.message.bytes", "message.max.bytes"},
    {"index.interval.bytes", "log.index.interval.bytes"},
    {"flush.messages", "log.flush.interval.messages"},
    {"flush.ms", "log.flush.interval.ms"},
    {"min.insync.replicas", "min.insync.replicas"},
    {"compression.type", "compression.type"},
    {"compression.gzip.level", "compression.gzip.level"},
    {"compression.lz4.level", "compression.lz4.level"},
    {"compression.zstd.level", "compression.zstd.level"},
    {"message.timestamp.type", "log.message.timestamp.type"},
    {"message.timestamp.difference.max.ms", "log.message.timestamp.difference.max.ms"},
};

/* A topic key without an override: the broker key's effective value, or the
 * row's own default where the broker has none (flush.ms when
 * log.flush.interval.ms is null, keys without a broker counterpart). */
static const char *topic_default(const broker_config_t *b, const config_def_t *def, char *buf, size_t size,
                                 broker_config_source_t *source)
{
    for (size_t i = 0; i < sizeof(topic_broker_keys) / sizeof(topic_broker_keys[0]); i++) {
        if (strcmp(def->name, topic_broker_keys[i][0]) == 0) {
            const config_def_t *bdef = config_def_find(broker_config_defs, topic_broker_keys[i][1]);
            const char *v = broker_config_value(b, bdef, buf, size);
            if (v) {
                *source = broker_config_source(b, bdef);
                return v;
            }
        }
    }
    snprintf(buf, size, "%s", def->default_value);
    *source = BROKER_CONFIG_SOURCE_DEFAULT;
    return buf;
}

const char *topic_config_value(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                               const config_def_t *def, char *buf, size_t buf_size, broker_config_source_t *source)
{
    const char *v = override_of(overrides, n_overrides, def->name);
    if (v) {
        /* Overrides were checked when the topic was created; shown as read. */
        char *text = config_def_parse(def, v);
        *source = BROKER_CONFIG_SOURCE_DYNAMIC_TOPIC;
        snprintf(buf, buf_size, "%s", text ? text : v);
        free(text);
        return buf;
    }
    return topic_default(bcfg, def, buf, buf_size, source);
}

void topic_config_resolve(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                          topic_config_t *out)
{
    for (const config_def_t *def = topic_config_defs; def->name; def++) {
        char buf[512], err[256];
        broker_config_source_t source;
        const char *text = topic_config_value(bcfg, overrides, n_overrides, def, buf, sizeof(buf), &source);
        bool ok = config_def_set(def, out, text, err, sizeof(err));
        assert(ok); /* overrides were checked at creation, and every broker fallback fits its topic row */
        (void)ok;
    }
}

int topic_config_codec(const topic_config_t *cfg, int *level)
{
    int codec = cfg->compression_type - 1;
    switch (codec) {
    case BATCH_CODEC_GZIP:
        *level = cfg->compression_gzip_level;
        break;
    case BATCH_CODEC_LZ4:
        *level = cfg->compression_lz4_level;
        break;
    case BATCH_CODEC_ZSTD:
        *level = cfg->compression_zstd_level;
        break;
    default:
        *level = 0;
        break;
    }
    return codec;
}
