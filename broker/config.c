/*
 * config.c - the broker and topic configuration tables and their rules.
 *
 * A broker config keeps the text of every row (defaults filled in at
 * creation); broker_config_set validates a value against its row before
 * storing it, and broker_config_finish parses the texts into the typed
 * fields and resolves Kafka's derived settings:
 *   log.retention.ms > log.retention.minutes > log.retention.hours
 *   log.roll.ms > log.roll.hours
 * Topic configs are overrides over those broker values, resolved the same
 * way Kafka's LogConfig falls back to the broker's log.* keys.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define I32_MAX 2147483647LL
#define I64_MAX 9223372036854775807LL
#define LONG_MAX_TEXT "9223372036854775807"

static const char *const cleanup_policies[] = {"delete", "compact", "compact,delete", "delete,compact",
                                               NULL};
static const char *const compression_types[] = {"producer", "uncompressed", "gzip", "snappy",
                                                "lz4",      "zstd",         NULL};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};

/* "not used yet" rows are accepted so server.properties files copied from
 * Kafka start without warnings; their doc says they have no effect. */
const cfg_def_t broker_config_defs[] = {
    {"node.id", CFG_INT, "0", 0, I32_MAX, NULL, 0,
     "Id of this node in the cluster (broker.id is a synonym); a single node uses 0."},
    {"listeners", CFG_LIST, "PLAINTEXT://:9092", 0, 0, NULL, 0,
     "Where the broker listens for Kafka clients; an empty host means all interfaces."},
    {"advertised.listeners", CFG_LIST, NULL, 0, 0, NULL, 0,
     "Address given to clients in Metadata; null means the address each client connected to."},
    {"log.dirs", CFG_LIST, "/tmp/connectd-logs", 0, 0, NULL, 0,
     "Directories holding partition logs (log.dir is a synonym); partitions are spread over them."},
    {"num.partitions", CFG_INT, "1", 1, 100000, NULL, 0,
     "Partitions of a topic created without a count (auto-creation, CreateTopics with -1)."},
    {"default.replication.factor", CFG_INT, "1", 1, 1, NULL, 0,
     "Replication factor of auto-created topics; a single node supports only 1."},
    {"auto.create.topics.enable", CFG_BOOL, "true", 0, 0, NULL, 0,
     "Create a topic when a producer writes to it or a client asks for its metadata."},
    {"delete.topic.enable", CFG_BOOL, "true", 0, 0, NULL, 0, "Allow DeleteTopics."},
    {"log.segment.bytes", CFG_INT, "1073741824", 14, I32_MAX, NULL, 0,
     "Maximum size of one segment file before a new one is rolled."},
    {"log.roll.ms", CFG_LONG, NULL, 1, I64_MAX, NULL, 0,
     "Roll a new segment after this long even if not full (overrides log.roll.hours)."},
    {"log.roll.hours", CFG_INT, "168", 1, I32_MAX, NULL, 0, "Roll a new segment after this many hours."},
    {"log.retention.ms", CFG_LONG, NULL, -1, I64_MAX, NULL, 0,
     "Delete segments older than this; -1 keeps them forever (overrides minutes and hours)."},
    {"log.retention.minutes", CFG_INT, NULL, -1, I32_MAX, NULL, 0,
     "Retention in minutes (overrides log.retention.hours)."},
    {"log.retention.hours", CFG_INT, "168", -1, I32_MAX, NULL, 0, "Retention in hours."},
    {"log.retention.bytes", CFG_LONG, "-1", -1, I64_MAX, NULL, 0,
     "Delete the oldest segments while a partition is larger than this; -1 means no limit."},
    {"log.retention.check.interval.ms", CFG_LONG, "300000", 1, I64_MAX, NULL, 0,
     "How often retention is enforced."},
    {"log.flush.interval.messages", CFG_LONG, LONG_MAX_TEXT, 1, I64_MAX, NULL, 0,
     "fsync a partition after this many unflushed messages; the default leaves it to the OS."},
    {"log.flush.interval.ms", CFG_LONG, NULL, 0, I64_MAX, NULL, 0,
     "fsync a partition at least this often; null means only by message count."},
    {"log.index.interval.bytes", CFG_INT, "4096", 0, I32_MAX, NULL, 0,
     "Bytes between two entries of the sparse offset and time indexes."},
    {"message.max.bytes", CFG_INT, "1048588", 0, I32_MAX, NULL, 0,
     "Largest record batch the broker accepts (topic override: max.message.bytes)."},
    {"socket.request.max.bytes", CFG_INT, "104857600", 1, I32_MAX, NULL, 0,
     "Largest request frame; a bigger one closes the connection."},
    {"num.network.threads", CFG_INT, "3", 1, 64, NULL, 0,
     "Threads, each with its own event loop, that serve client connections."},
    {"compression.type", CFG_STRING, "producer", 0, 0, compression_types, 0,
     "Accepted for compatibility; batches are always stored as the producer compressed them."},
    {"min.insync.replicas", CFG_INT, "1", 1, I32_MAX, NULL, 0,
     "Accepted for compatibility; a single node is its own ISR."},
    {"offsets.topic.replication.factor", CFG_INT, "1", 1, 32767, NULL, 0,
     "Accepted for compatibility; not used by connectd yet."},
    {"offsets.retention.minutes", CFG_INT, "10080", 1, I32_MAX, NULL, 0,
     "Accepted for compatibility; used once consumer groups land."},
    {"group.initial.rebalance.delay.ms", CFG_INT, "3000", 0, I32_MAX, NULL, 0,
     "Accepted for compatibility; used once consumer groups land."},
    {"group.min.session.timeout.ms", CFG_INT, "6000", 0, I32_MAX, NULL, 0,
     "Accepted for compatibility; used once consumer groups land."},
    {"group.max.session.timeout.ms", CFG_INT, "1800000", 0, I32_MAX, NULL, 0,
     "Accepted for compatibility; used once consumer groups land."},
    {"transaction.state.log.replication.factor", CFG_INT, "1", 1, 32767, NULL, 0,
     "Accepted for compatibility; connectd has no transactions."},
    {"transaction.state.log.min.isr", CFG_INT, "1", 1, 32767, NULL, 0,
     "Accepted for compatibility; connectd has no transactions."},
    {"num.io.threads", CFG_INT, "8", 1, I32_MAX, NULL, 0,
     "Accepted for compatibility; requests run on the network threads."},
    {"num.recovery.threads.per.data.dir", CFG_INT, "1", 1, I32_MAX, NULL, 0,
     "Accepted for compatibility; recovery runs on one thread."},
    {"socket.send.buffer.bytes", CFG_INT, "102400", -1, I32_MAX, NULL, 0,
     "Accepted for compatibility; the kernel's defaults are used."},
    {"socket.receive.buffer.bytes", CFG_INT, "102400", -1, I32_MAX, NULL, 0,
     "Accepted for compatibility; the kernel's defaults are used."},
    {"zookeeper.connect", CFG_STRING, NULL, 0, 0, NULL, 0, "Accepted for compatibility; ignored."},
    {"zookeeper.connection.timeout.ms", CFG_INT, NULL, 0, I32_MAX, NULL, 0,
     "Accepted for compatibility; ignored."},
    {"process.roles", CFG_LIST, NULL, 0, 0, NULL, 0, "Accepted for compatibility; ignored."},
    {"controller.quorum.voters", CFG_LIST, NULL, 0, 0, NULL, 0, "Accepted for compatibility; ignored."},
    {"controller.listener.names", CFG_LIST, NULL, 0, 0, NULL, 0, "Accepted for compatibility; ignored."},
    {"inter.broker.listener.name", CFG_STRING, NULL, 0, 0, NULL, 0, "Accepted for compatibility; ignored."},
    {"listener.security.protocol.map", CFG_LIST, NULL, 0, 0, NULL, 0,
     "Accepted for compatibility; only PLAINTEXT is supported."},
    {NULL, 0, NULL, 0, 0, NULL, 0, NULL},
};

/* Each topic row's broker fallback is named in its doc, for the reference. */
const cfg_def_t topic_config_defs[] = {
    {"cleanup.policy", CFG_LIST, "delete", 0, 0, cleanup_policies, 0,
     "delete: segments go by retention; compact is accepted but not enforced yet."},
    {"compression.type", CFG_STRING, "producer", 0, 0, compression_types, 0,
     "Only producer: batches are stored as the producer compressed them."},
    {"flush.messages", CFG_LONG, LONG_MAX_TEXT, 1, I64_MAX, NULL, 0,
     "fsync after this many unflushed messages (log.flush.interval.messages)."},
    {"flush.ms", CFG_LONG, LONG_MAX_TEXT, 0, I64_MAX, NULL, 0,
     "fsync at least this often (log.flush.interval.ms)."},
    {"index.interval.bytes", CFG_INT, "4096", 0, I32_MAX, NULL, 0,
     "Bytes between index entries (log.index.interval.bytes)."},
    {"max.message.bytes", CFG_INT, "1048588", 0, I32_MAX, NULL, 0,
     "Largest record batch accepted (message.max.bytes)."},
    {"message.timestamp.type", CFG_STRING, "CreateTime", 0, 0, timestamp_types, 0,
     "CreateTime only: LogAppendTime is not supported yet."},
    {"min.insync.replicas", CFG_INT, "1", 1, I32_MAX, NULL, 0, "Accepted; a single node is its own ISR."},
    {"retention.bytes", CFG_LONG, "-1", -1, I64_MAX, NULL, 0,
     "Delete the oldest segments while the partition is larger (log.retention.bytes)."},
    {"retention.ms", CFG_LONG, "604800000", -1, I64_MAX, NULL, 0,
     "Delete segments older than this; -1 keeps them (log.retention.ms / .minutes / .hours)."},
    {"segment.bytes", CFG_INT, "1073741824", 14, I32_MAX, NULL, 0,
     "Maximum segment size (log.segment.bytes)."},
    {"segment.ms", CFG_LONG, "604800000", 1, I64_MAX, NULL, 0,
     "Roll a segment after this long (log.roll.ms / log.roll.hours)."},
    {NULL, 0, NULL, 0, 0, NULL, 0, NULL},
};

static char *xstrdup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d) {
        abort();
    }
    return d;
}

const cfg_def_t *cfg_def_find(const cfg_def_t *defs, const char *name)
{
    for (const cfg_def_t *def = defs; def->name; def++) {
        if (strcmp(def->name, name) == 0) {
            return def;
        }
    }
    return NULL;
}

static size_t n_broker_defs(void)
{
    size_t n = 0;
    while (broker_config_defs[n].name) {
        n++;
    }
    return n;
}

/* Full-string integer parse with overflow detection. */
static bool parse_int64(const char *text, int64_t *out)
{
    if (!text || !*text) {
        return false;
    }
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

/* Checks a value against its row; errstr names the key and what is expected. */
static bool value_valid(const cfg_def_t *def, const char *value, char *errstr, size_t errstr_size)
{
    int64_t v;
    switch (def->type) {
    case CFG_INT:
    case CFG_LONG:
        if (!parse_int64(value, &v) || v < def->min || v > def->max) {
            snprintf(errstr, errstr_size, "%s: expected an integer between %lld and %lld, got '%s'",
                     def->name, (long long)def->min, (long long)def->max, value);
            return false;
        }
        return true;
    case CFG_BOOL:
        if (strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0) {
            snprintf(errstr, errstr_size, "%s: expected true or false, got '%s'", def->name, value);
            return false;
        }
        return true;
    case CFG_STRING:
    case CFG_LIST:
        if (def->choices) {
            for (const char *const *c = def->choices; *c; c++) {
                if (strcmp(*c, value) == 0) {
                    return true;
                }
            }
            char list[256] = "";
            size_t len = 0;
            for (const char *const *c = def->choices; *c && len < sizeof(list); c++) {
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", c == def->choices ? "" : ", ", *c);
            }
            snprintf(errstr, errstr_size, "%s: expected one of %s, got '%s'", def->name, list, value);
            return false;
        }
        return true;
    }
    return false;
}

/* listeners / advertised.listeners: NAME://host:port[,...] */
static bool listeners_valid(const char *key, const char *value, char *errstr, size_t errstr_size)
{
    char *copy = xstrdup(value);
    bool ok = *copy != '\0';
    for (char *save, *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        const char *sep = strstr(tok, "://");
        const char *colon = strrchr(tok, ':');
        int64_t port;
        ok = sep && sep != tok && colon && colon > sep + 2 && parse_int64(colon + 1, &port) && port >= 0 &&
             port <= 65535;
    }
    free(copy);
    if (!ok) {
        snprintf(errstr, errstr_size, "%s: expected PLAINTEXT://host:port, got '%s'", key, value);
    }
    return ok;
}

broker_config_t *broker_config_create(void)
{
    broker_config_t *cfg = calloc(1, sizeof(*cfg));
    size_t n = n_broker_defs();
    cfg->values = calloc(n, sizeof(char *));
    cfg->is_set = calloc(n, sizeof(bool));
    if (!cfg || !cfg->values || !cfg->is_set) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        cfg->values[i] = xstrdup(broker_config_defs[i].default_value);
    }
    char err[256];
    broker_config_finish(cfg, err, sizeof(err)); /* the defaults always resolve */
    return cfg;
}

void broker_config_destroy(broker_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    size_t n = n_broker_defs();
    for (size_t i = 0; i < n; i++) {
        free(cfg->values[i]);
    }
    free(cfg->values);
    free(cfg->is_set);
    free(cfg->listeners);
    free(cfg->advertised_listeners);
    free(cfg->log_dirs);
    free(cfg);
}

cfg_set_result_t broker_config_set(broker_config_t *cfg, const char *key, const char *value, char *errstr,
                                   size_t errstr_size)
{
    if (strcmp(key, "broker.id") == 0) {
        key = "node.id";
    } else if (strcmp(key, "log.dir") == 0) {
        /* log.dirs wins over log.dir, as in Kafka. */
        const cfg_def_t *dirs = cfg_def_find(broker_config_defs, "log.dirs");
        if (cfg->is_set[dirs - broker_config_defs]) {
            return CFG_SET_OK;
        }
        key = "log.dirs";
    }
    const cfg_def_t *def = cfg_def_find(broker_config_defs, key);
    if (!def) {
        return CFG_SET_UNKNOWN;
    }
    if (!value_valid(def, value, errstr, errstr_size)) {
        return CFG_SET_INVALID;
    }
    if ((strcmp(key, "listeners") == 0 || strcmp(key, "advertised.listeners") == 0) &&
        !listeners_valid(key, value, errstr, errstr_size)) {
        return CFG_SET_INVALID;
    }
    if (strcmp(key, "log.dirs") == 0 && strspn(value, ", ") == strlen(value)) {
        snprintf(errstr, errstr_size, "log.dirs: expected at least one directory, got '%s'", value);
        return CFG_SET_INVALID;
    }
    size_t i = (size_t)(def - broker_config_defs);
    free(cfg->values[i]);
    cfg->values[i] = xstrdup(value);
    cfg->is_set[i] = true;
    return CFG_SET_OK;
}

static const char *raw(const broker_config_t *cfg, const char *name)
{
    const cfg_def_t *def = cfg_def_find(broker_config_defs, name);
    return cfg->values[def - broker_config_defs];
}

static int64_t num(const broker_config_t *cfg, const char *name, int64_t fallback)
{
    int64_t v;
    return parse_int64(raw(cfg, name), &v) ? v : fallback;
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

bool broker_config_finish(broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    cfg->node_id = (int32_t)num(cfg, "node.id", 0);
    replace(&cfg->listeners, raw(cfg, "listeners"));
    replace(&cfg->advertised_listeners, raw(cfg, "advertised.listeners"));
    replace(&cfg->log_dirs, raw(cfg, "log.dirs"));
    cfg->num_partitions = (int32_t)num(cfg, "num.partitions", 1);
    cfg->default_replication_factor = (int16_t)num(cfg, "default.replication.factor", 1);
    cfg->auto_create_topics_enable = strcasecmp(raw(cfg, "auto.create.topics.enable"), "true") == 0;
    cfg->delete_topic_enable = strcasecmp(raw(cfg, "delete.topic.enable"), "true") == 0;
    cfg->log_segment_bytes = num(cfg, "log.segment.bytes", 1073741824);
    cfg->log_roll_ms = raw(cfg, "log.roll.ms") ? num(cfg, "log.roll.ms", 0)
                                               : num(cfg, "log.roll.hours", 168) * 3600000;
    if (raw(cfg, "log.retention.ms")) {
        cfg->log_retention_ms = num(cfg, "log.retention.ms", -1);
    } else if (raw(cfg, "log.retention.minutes")) {
        int64_t m = num(cfg, "log.retention.minutes", -1);
        cfg->log_retention_ms = m < 0 ? -1 : m * 60000;
    } else {
        int64_t h = num(cfg, "log.retention.hours", 168);
        cfg->log_retention_ms = h < 0 ? -1 : h * 3600000;
    }
    cfg->log_retention_bytes = num(cfg, "log.retention.bytes", -1);
    cfg->log_retention_check_interval_ms = num(cfg, "log.retention.check.interval.ms", 300000);
    cfg->log_flush_interval_messages = num(cfg, "log.flush.interval.messages", I64_MAX);
    cfg->log_flush_interval_ms = raw(cfg, "log.flush.interval.ms") ? num(cfg, "log.flush.interval.ms", -1) : -1;
    cfg->log_index_interval_bytes = (int32_t)num(cfg, "log.index.interval.bytes", 4096);
    cfg->message_max_bytes = (int32_t)num(cfg, "message.max.bytes", 1048588);
    cfg->socket_request_max_bytes = (int32_t)num(cfg, "socket.request.max.bytes", 104857600);
    cfg->num_network_threads = (int32_t)num(cfg, "num.network.threads", 3);
    if (cfg->socket_request_max_bytes < 1024) {
        snprintf(errstr, errstr_size, "socket.request.max.bytes: %d is too small for any request; use at least 1024",
                 cfg->socket_request_max_bytes);
        return false;
    }
    return true;
}

const char *broker_config_value(const broker_config_t *cfg, const cfg_def_t *def, char *buf, size_t buf_size)
{
    const char *v = cfg->values[def - broker_config_defs];
    if (!v) {
        return NULL;
    }
    snprintf(buf, buf_size, "%s", v);
    return buf;
}

cfg_source_t broker_config_source(const broker_config_t *cfg, const cfg_def_t *def)
{
    return cfg->is_set[def - broker_config_defs] ? CFG_SOURCE_STATIC_BROKER : CFG_SOURCE_DEFAULT;
}

/* ---- topics --------------------------------------------------------------- */

bool topic_config_validate(const char *key, const char *value, char *errstr, size_t errstr_size)
{
    const cfg_def_t *def = cfg_def_find(topic_config_defs, key);
    if (!def) {
        snprintf(errstr, errstr_size, "unknown topic config '%s'", key);
        return false;
    }
    if (!value_valid(def, value, errstr, errstr_size)) {
        return false;
    }
    if (strcmp(key, "compression.type") == 0 && strcmp(value, "producer") != 0) {
        snprintf(errstr, errstr_size,
                 "compression.type: only 'producer' is supported (the broker stores batches as the "
                 "producer compressed them)");
        return false;
    }
    if (strcmp(key, "message.timestamp.type") == 0 && strcmp(value, "CreateTime") != 0) {
        snprintf(errstr, errstr_size, "message.timestamp.type: only CreateTime is supported yet");
        return false;
    }
    return true;
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

/* The broker-derived default of a topic key, as text. */
static void topic_default(const broker_config_t *b, const cfg_def_t *def, char *buf, size_t size,
                          cfg_source_t *source)
{
    const char *name = def->name;
    const char *broker_key = NULL;
    long long v = 0;
    bool numeric = true;
    if (strcmp(name, "retention.ms") == 0) {
        v = b->log_retention_ms;
        bool set = false;
        const char *keys[] = {"log.retention.ms", "log.retention.minutes", "log.retention.hours"};
        for (int i = 0; i < 3; i++) {
            set |= b->is_set[cfg_def_find(broker_config_defs, keys[i]) - broker_config_defs];
        }
        *source = set ? CFG_SOURCE_STATIC_BROKER : CFG_SOURCE_DEFAULT;
    } else if (strcmp(name, "segment.ms") == 0) {
        v = b->log_roll_ms;
        bool set = b->is_set[cfg_def_find(broker_config_defs, "log.roll.ms") - broker_config_defs] ||
                   b->is_set[cfg_def_find(broker_config_defs, "log.roll.hours") - broker_config_defs];
        *source = set ? CFG_SOURCE_STATIC_BROKER : CFG_SOURCE_DEFAULT;
    } else if (strcmp(name, "flush.ms") == 0) {
        v = b->log_flush_interval_ms < 0 ? I64_MAX : b->log_flush_interval_ms;
        broker_key = "log.flush.interval.ms";
    } else {
        numeric = false;
        static const char *const map[][2] = {
            {"retention.bytes", "log.retention.bytes"}, {"segment.bytes", "log.segment.bytes"},
            {"max.message.bytes", "message.max.bytes"}, {"index.interval.bytes", "log.index.interval.bytes"},
            {"flush.messages", "log.flush.interval.messages"}, {"min.insync.replicas", "min.insync.replicas"},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            if (strcmp(name, map[i][0]) == 0) {
                broker_key = map[i][1];
            }
        }
        if (broker_key) {
            snprintf(buf, size, "%s", raw(b, broker_key));
        } else {
            snprintf(buf, size, "%s", def->default_value ? def->default_value : "");
            *source = CFG_SOURCE_DEFAULT;
            return;
        }
    }
    if (numeric) {
        snprintf(buf, size, "%lld", v);
    }
    if (broker_key) {
        *source = b->is_set[cfg_def_find(broker_config_defs, broker_key) - broker_config_defs]
                      ? CFG_SOURCE_STATIC_BROKER
                      : CFG_SOURCE_DEFAULT;
    }
}

const char *topic_config_value(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                               const cfg_def_t *def, char *buf, size_t buf_size, cfg_source_t *source)
{
    const char *v = override_of(overrides, n_overrides, def->name);
    if (v) {
        *source = CFG_SOURCE_DYNAMIC_TOPIC;
        snprintf(buf, buf_size, "%s", v);
        return buf;
    }
    topic_default(bcfg, def, buf, buf_size, source);
    return buf;
}

static int64_t topic_num(const broker_config_t *b, const topic_config_kv_t *ov, size_t n, const char *key)
{
    char buf[64];
    cfg_source_t source;
    int64_t v = 0;
    parse_int64(topic_config_value(b, ov, n, cfg_def_find(topic_config_defs, key), buf, sizeof(buf), &source), &v);
    return v;
}

void topic_config_resolve(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                          plog_config_t *out)
{
    out->segment_bytes = topic_num(bcfg, overrides, n_overrides, "segment.bytes");
    out->segment_ms = topic_num(bcfg, overrides, n_overrides, "segment.ms");
    out->retention_ms = topic_num(bcfg, overrides, n_overrides, "retention.ms");
    out->retention_bytes = topic_num(bcfg, overrides, n_overrides, "retention.bytes");
    out->index_interval_bytes = (int32_t)topic_num(bcfg, overrides, n_overrides, "index.interval.bytes");
    out->flush_interval_messages = topic_num(bcfg, overrides, n_overrides, "flush.messages");
}

int32_t topic_config_max_message_bytes(const broker_config_t *bcfg, const topic_config_kv_t *overrides,
                                       size_t n_overrides)
{
    return (int32_t)topic_num(bcfg, overrides, n_overrides, "max.message.bytes");
}
