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
 *
 * Values are normalised before they are checked, as Kafka's ConfigDef does:
 * surrounding whitespace is trimmed (the properties parser keeps a value's
 * trailing whitespace, as Java does, so "num.partitions=3 " must still mean
 * 3), list items lose the whitespace around their commas, and the stored
 * text is canonical ("TRUE" is kept as "true", "+007" as "7"), which is what
 * DescribeConfigs shows.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

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
    {"socket.request.max.bytes", CFG_INT, "104857600", 1024, I32_MAX, NULL, 0,
     "Largest request frame; a bigger one closes the connection."},
    {"fetch.max.bytes", CFG_INT, "57671680", 1024, I32_MAX, NULL, 0,
     "Most bytes one Fetch response carries, whatever the client asks for."},
    {"num.network.threads", CFG_INT, "3", 1, 64, NULL, 0,
     "Threads, each with its own event loop, that serve client connections."},
    {"compression.type", CFG_STRING, "producer", 0, 0, compression_types, 0,
     "Accepted for compatibility; batches are always stored as the producer compressed them."},
    {"min.insync.replicas", CFG_INT, "1", 1, I32_MAX, NULL, 0,
     "Accepted for compatibility; a single node is its own ISR."},
    {"offsets.topic.replication.factor", CFG_INT, "1", 1, 32767, NULL, 0,
     "Accepted for compatibility; not used by connectd yet."},
    {"offsets.retention.minutes", CFG_INT, "10080", 1, I32_MAX, NULL, 0,
     "Committed offsets of a group with no members are deleted this long after the group became empty."},
    {"offsets.retention.check.interval.ms", CFG_LONG, "600000", 1, I64_MAX, NULL, 0,
     "How often expired committed offsets are looked for."},
    {"offsets.topic.num.partitions", CFG_INT, "50", 1, 1000, NULL, 0,
     "Partitions of __consumer_offsets, created on first use; a group lives in one of them."},
    {"offsets.topic.segment.bytes", CFG_INT, "104857600", 14, I32_MAX, NULL, 0,
     "segment.bytes of __consumer_offsets."},
    {"offset.metadata.max.bytes", CFG_INT, "4096", 0, I32_MAX, NULL, 0,
     "Longest metadata string an OffsetCommit may attach to an offset."},
    {"group.initial.rebalance.delay.ms", CFG_INT, "3000", 0, I32_MAX, NULL, 0,
     "How long the first rebalance of an empty group waits for more members to join."},
    {"group.min.session.timeout.ms", CFG_INT, "6000", 0, I32_MAX, NULL, 0,
     "Smallest session.timeout.ms a group member may ask for."},
    {"group.max.session.timeout.ms", CFG_INT, "1800000", 0, I32_MAX, NULL, 0,
     "Largest session.timeout.ms a group member may ask for."},
    {"group.max.size", CFG_INT, "2147483647", 1, I32_MAX, NULL, 0,
     "Most members one consumer group may have."},
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

/* A value as Kafka's ConfigDef reads it: trimmed like Java's String.trim
 * (every byte up to ' '), and for lists without whitespace around commas.
 * Returns a new string. */
static char *normalize(const cfg_def_t *def, const char *value)
{
    while (*value && (unsigned char)*value <= ' ') {
        value++;
    }
    size_t len = strlen(value);
    while (len > 0 && (unsigned char)value[len - 1] <= ' ') {
        len--;
    }
    char *out = malloc(len + 1);
    if (!out) {
        abort();
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (def->type == CFG_LIST && (unsigned char)value[i] <= ' ') {
            size_t j = i;
            while (j < len && (unsigned char)value[j] <= ' ') {
                j++;
            }
            /* Whitespace inside an item stays; around a comma it goes. */
            if ((n > 0 && out[n - 1] == ',') || value[j] == ',') {
                i = j - 1;
                continue;
            }
        }
        out[n++] = value[i];
    }
    out[n] = '\0';
    return out;
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

/* One listener, "NAME://host:port", as Kafka's EndPoint regex reads it: any
 * name, a host of [0-9A-Za-z-%._:] (an IPv6 address in brackets), empty for
 * every interface, and a decimal port 0..65535. */
static bool listener_valid(const char *item, size_t len)
{
    const char *sep = memmem(item, len, "://", 3);
    if (!sep || sep == item) {
        return false;
    }
    const char *host = sep + 3, *end = item + len;
    const char *colon = memrchr(host, ':', (size_t)(end - host));
    if (!colon || colon + 1 == end || end - (colon + 1) > 5) {
        return false;
    }
    const char *h = host, *h_end = colon;
    if (h < h_end && *h == '[' && h_end[-1] == ']') {
        h++;
        h_end--;
    }
    for (; h < h_end; h++) {
        if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-%._:", *h)) {
            return false;
        }
    }
    long port = 0;
    for (const char *c = colon + 1; c < end; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        port = port * 10 + (*c - '0');
    }
    return port <= 65535;
}

/* The stored form of a valid value, so DescribeConfigs shows what the broker
 * uses: "+007" is 7, "TRUE" is true.  Frees `text`; returns a new string. */
static char *canonical(const cfg_def_t *def, char *text)
{
    char buf[32];
    int64_t v;
    if ((def->type == CFG_INT || def->type == CFG_LONG) && parse_int64(text, &v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)v);
    } else if (def->type == CFG_BOOL) {
        snprintf(buf, sizeof(buf), "%s", strcasecmp(text, "true") == 0 ? "true" : "false");
    } else {
        return text;
    }
    free(text);
    return xstrdup(buf);
}

/* listeners / advertised.listeners: a comma-separated list of listeners
 * (already normalised, so no whitespace around the commas). */
static bool listeners_valid(const char *key, const char *value, char *errstr, size_t errstr_size)
{
    const char *item = value;
    for (;;) {
        const char *comma = strchr(item, ',');
        size_t len = comma ? (size_t)(comma - item) : strlen(item);
        if (!listener_valid(item, len)) {
            snprintf(errstr, errstr_size, "%s: expected PLAINTEXT://host:port, got '%s'", key, value);
            return false;
        }
        if (!comma) {
            return true;
        }
        item = comma + 1;
    }
}

broker_config_t *broker_config_create(void)
{
    broker_config_t *cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        abort();
    }
    size_t n = n_broker_defs();
    cfg->values = calloc(n, sizeof(char *));
    cfg->is_set = calloc(n, sizeof(bool));
    if (!cfg->values || !cfg->is_set) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        cfg->values[i] = xstrdup(broker_config_defs[i].default_value);
    }
    char err[256];
    bool ok = broker_config_finish(cfg, err, sizeof(err));
    assert(ok); /* the defaults always resolve (test_config checks every row) */
    (void)ok;
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
    char *text = normalize(def, value);
    bool ok = value_valid(def, text, errstr, errstr_size);
    if (ok && (strcmp(key, "listeners") == 0 || strcmp(key, "advertised.listeners") == 0)) {
        ok = listeners_valid(key, text, errstr, errstr_size);
    }
    if (ok && strcmp(key, "log.dirs") == 0 && strspn(text, ",") == strlen(text)) {
        snprintf(errstr, errstr_size, "log.dirs: expected at least one directory, got '%s'", value);
        ok = false;
    }
    if (!ok) {
        free(text);
        return CFG_SET_INVALID;
    }
    text = canonical(def, text);
    size_t i = (size_t)(def - broker_config_defs);
    free(cfg->values[i]);
    cfg->values[i] = text;
    cfg->is_set[i] = true;
    return CFG_SET_OK;
}

static const char *raw(const broker_config_t *cfg, const char *name)
{
    const cfg_def_t *def = cfg_def_find(broker_config_defs, name);
    return cfg->values[def - broker_config_defs];
}

/* A numeric row's value.  Every stored text passed its row's check, so only
 * a null value is possible, and callers ask for those only when set. */
static int64_t num(const broker_config_t *cfg, const char *name)
{
    int64_t v = 0;
    bool ok = parse_int64(raw(cfg, name), &v);
    assert(ok);
    (void)ok;
    return v;
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

bool broker_config_finish(broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    cfg->node_id = (int32_t)num(cfg, "node.id");
    replace(&cfg->listeners, raw(cfg, "listeners"));
    replace(&cfg->advertised_listeners, raw(cfg, "advertised.listeners"));
    replace(&cfg->log_dirs, raw(cfg, "log.dirs"));
    cfg->num_partitions = (int32_t)num(cfg, "num.partitions");
    cfg->default_replication_factor = (int16_t)num(cfg, "default.replication.factor");
    cfg->auto_create_topics_enable = strcasecmp(raw(cfg, "auto.create.topics.enable"), "true") == 0;
    cfg->delete_topic_enable = strcasecmp(raw(cfg, "delete.topic.enable"), "true") == 0;
    cfg->log_segment_bytes = num(cfg, "log.segment.bytes");
    cfg->log_roll_ms = raw(cfg, "log.roll.ms") ? num(cfg, "log.roll.ms")
                                               : num(cfg, "log.roll.hours") * 3600000;
    if (raw(cfg, "log.retention.ms")) {
        cfg->log_retention_ms = num(cfg, "log.retention.ms");
    } else if (raw(cfg, "log.retention.minutes")) {
        int64_t m = num(cfg, "log.retention.minutes");
        cfg->log_retention_ms = m < 0 ? -1 : m * 60000;
    } else {
        int64_t h = num(cfg, "log.retention.hours");
        cfg->log_retention_ms = h < 0 ? -1 : h * 3600000;
    }
    cfg->log_retention_bytes = num(cfg, "log.retention.bytes");
    cfg->log_retention_check_interval_ms = num(cfg, "log.retention.check.interval.ms");
    cfg->log_flush_interval_messages = num(cfg, "log.flush.interval.messages");
    cfg->log_flush_interval_ms = raw(cfg, "log.flush.interval.ms") ? num(cfg, "log.flush.interval.ms") : -1;
    cfg->log_index_interval_bytes = (int32_t)num(cfg, "log.index.interval.bytes");
    cfg->message_max_bytes = (int32_t)num(cfg, "message.max.bytes");
    cfg->socket_request_max_bytes = (int32_t)num(cfg, "socket.request.max.bytes");
    cfg->fetch_max_bytes = (int32_t)num(cfg, "fetch.max.bytes");
    cfg->num_network_threads = (int32_t)num(cfg, "num.network.threads");
    cfg->offsets_retention_ms = num(cfg, "offsets.retention.minutes") * 60000;
    cfg->offsets_retention_check_interval_ms = num(cfg, "offsets.retention.check.interval.ms");
    cfg->offsets_topic_num_partitions = (int32_t)num(cfg, "offsets.topic.num.partitions");
    cfg->offsets_topic_segment_bytes = (int32_t)num(cfg, "offsets.topic.segment.bytes");
    cfg->offset_metadata_max_bytes = (int32_t)num(cfg, "offset.metadata.max.bytes");
    cfg->group_initial_rebalance_delay_ms = (int32_t)num(cfg, "group.initial.rebalance.delay.ms");
    cfg->group_min_session_timeout_ms = (int32_t)num(cfg, "group.min.session.timeout.ms");
    cfg->group_max_session_timeout_ms = (int32_t)num(cfg, "group.max.session.timeout.ms");
    cfg->group_max_size = (int32_t)num(cfg, "group.max.size");
    return true;
}

/*
 * Kafka's derived keys: a key whose effective value broker_config_finish
 * takes from the first of the key and its synonyms that is set (units
 * converted).  Such a key reports that effective value, and counts as set
 * when any of them is, as Kafka's DescribeConfigs synonyms do.
 */
static const struct derived_key {
    const char *key;
    const char *synonyms[2];
    size_t offset; /* the int64_t field of broker_config_t holding the effective value */
} derived_keys[] = {
    {"log.retention.ms", {"log.retention.minutes", "log.retention.hours"},
     offsetof(broker_config_t, log_retention_ms)},
    {"log.roll.ms", {"log.roll.hours", NULL}, offsetof(broker_config_t, log_roll_ms)},
};

static const struct derived_key *derived_find(const cfg_def_t *def)
{
    for (size_t i = 0; i < sizeof(derived_keys) / sizeof(derived_keys[0]); i++) {
        if (strcmp(derived_keys[i].key, def->name) == 0) {
            return &derived_keys[i];
        }
    }
    return NULL;
}

static bool key_set(const broker_config_t *cfg, const char *name)
{
    return cfg->is_set[cfg_def_find(broker_config_defs, name) - broker_config_defs];
}

const char *broker_config_value(const broker_config_t *cfg, const cfg_def_t *def, char *buf, size_t buf_size)
{
    const struct derived_key *derived = derived_find(def);
    if (derived) {
        int64_t v;
        memcpy(&v, (const char *)cfg + derived->offset, sizeof(v));
        snprintf(buf, buf_size, "%lld", (long long)v);
        return buf;
    }
    const char *v = cfg->values[def - broker_config_defs];
    if (!v) {
        return NULL;
    }
    snprintf(buf, buf_size, "%s", v);
    return buf;
}

cfg_source_t broker_config_source(const broker_config_t *cfg, const cfg_def_t *def)
{
    bool set = cfg->is_set[def - broker_config_defs];
    const struct derived_key *derived = derived_find(def);
    for (size_t i = 0; derived && i < 2 && derived->synonyms[i]; i++) {
        set |= key_set(cfg, derived->synonyms[i]);
    }
    return set ? CFG_SOURCE_STATIC_BROKER : CFG_SOURCE_DEFAULT;
}

/* ---- topics --------------------------------------------------------------- */

bool topic_config_validate(const char *key, const char *value, char *errstr, size_t errstr_size)
{
    const cfg_def_t *def = cfg_def_find(topic_config_defs, key);
    if (!def) {
        snprintf(errstr, errstr_size, "unknown topic config '%s'", key);
        return false;
    }
    char *text = normalize(def, value);
    bool ok = value_valid(def, text, errstr, errstr_size);
    bool is_producer = strcmp(text, "producer") == 0, is_create_time = strcmp(text, "CreateTime") == 0;
    free(text);
    if (!ok) {
        return false;
    }
    if (strcmp(key, "compression.type") == 0 && !is_producer) {
        snprintf(errstr, errstr_size,
                 "compression.type: only 'producer' is supported (the broker stores batches as the "
                 "producer compressed them)");
        return false;
    }
    if (strcmp(key, "message.timestamp.type") == 0 && !is_create_time) {
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
};

/* A topic key without an override: the broker key's effective value, or the
 * row's own default where the broker has none (flush.ms when
 * log.flush.interval.ms is null, keys without a broker counterpart). */
static const char *topic_default(const broker_config_t *b, const cfg_def_t *def, char *buf, size_t size,
                                 cfg_source_t *source)
{
    for (size_t i = 0; i < sizeof(topic_broker_keys) / sizeof(topic_broker_keys[0]); i++) {
        if (strcmp(def->name, topic_broker_keys[i][0]) == 0) {
            const cfg_def_t *bdef = cfg_def_find(broker_config_defs, topic_broker_keys[i][1]);
            const char *v = broker_config_value(b, bdef, buf, size);
            if (v) {
                *source = broker_config_source(b, bdef);
                return v;
            }
        }
    }
    snprintf(buf, size, "%s", def->default_value);
    *source = CFG_SOURCE_DEFAULT;
    return buf;
}

const char *topic_config_value(const broker_config_t *bcfg, const topic_config_kv_t *overrides, size_t n_overrides,
                               const cfg_def_t *def, char *buf, size_t buf_size, cfg_source_t *source)
{
    const char *v = override_of(overrides, n_overrides, def->name);
    if (v) {
        *source = CFG_SOURCE_DYNAMIC_TOPIC;
        char *text = normalize(def, v);
        snprintf(buf, buf_size, "%s", text);
        free(text);
        return buf;
    }
    return topic_default(bcfg, def, buf, buf_size, source);
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
                          log_config_t *out)
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
