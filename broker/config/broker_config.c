/*
 * broker_config.c - the broker's configuration table and its rules.
 *
 * A broker config keeps the text of every key given (canonical, as
 * config_def_normalize wrote it back); broker_config_set checks a value
 * against its row before keeping it, and broker_config_finish fills the
 * typed fields from those texts through the rows (config_def_fill), then
 * resolves Kafka's derived settings:
 *   log.retention.ms > log.retention.minutes > log.retention.hours
 *   log.roll.ms > log.roll.hours
 * Topic configs (topic_config.c) are overrides over these values.
 *
 * Values are normalised before they are checked, as Kafka's ConfigDef does
 * (config_def.h): surrounding whitespace is trimmed (the properties parser
 * keeps a value's trailing whitespace, as Java does, so "num.partitions=3 "
 * must still mean 3), list items lose the whitespace around their commas,
 * and the stored text is canonical ("TRUE" is kept as "true", "+007" as
 * "7"), which is what DescribeConfigs shows.
 */
#include "broker_config.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define I32_MAX 2147483647LL
#define I64_MAX 9223372036854775807LL
#define LONG_MAX_TEXT "9223372036854775807"

static const char *const compression_types[] = {"producer", "uncompressed", "gzip", "snappy",
                                                "lz4",      "zstd",         NULL};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const ssl_store_types[] = {"PEM", NULL};
static const char *const ssl_client_auths[] = {"none", "requested", "required", NULL};
static const char *const ssl_protocols[] = {"TLSv1.2", "TLSv1.3", NULL};

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

/* listeners / advertised.listeners: a comma-separated list of listeners
 * (parsed, so no whitespace around the commas). */
static config_def_problem_t listeners_check(const config_def_t *def, const char *name, const char *value,
                                            const char **canonical, char *why, size_t why_size)
{
    const char *item = value;
    for (;;) {
        const char *comma = strchr(item, ',');
        size_t len = comma ? (size_t)(comma - item) : strlen(item);
        if (!listener_valid(item, len)) {
            snprintf(why, why_size, "expected PLAINTEXT://host:port");
            return CONFIG_DEF_REFUSED;
        }
        if (!comma) {
            return CONFIG_DEF_OK;
        }
        item = comma + 1;
    }
}

config_def_problem_t broker_config_gzip_level_check(const config_def_t *def, const char *name, const char *value,
                                                    const char **canonical, char *why, size_t why_size)
{
    if (strcmp(value, "0") == 0) {
        snprintf(why, why_size, "expected -1 (zlib's default) or a level between 1 and 9");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static config_def_problem_t log_dirs_check(const config_def_t *def, const char *name, const char *value,
                                           const char **canonical, char *why, size_t why_size)
{
    if (strspn(value, ",") == strlen(value)) {
        snprintf(why, why_size, "expected at least one directory");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static config_def_problem_t process_roles_check(const config_def_t *def, const char *name, const char *value,
                                                const char **canonical, char *why, size_t why_size)
{
    for (const char *item = value;;) {
        size_t len = strcspn(item, ",");
        if (!((len == 6 && strncmp(item, "broker", 6) == 0) || (len == 10 && strncmp(item, "controller", 10) == 0))) {
            snprintf(why, why_size, "expected broker, controller or broker,controller");
            return CONFIG_DEF_REFUSED;
        }
        if (!item[len]) {
            return CONFIG_DEF_OK;
        }
        item += len + 1;
    }
}

/* "host:port" with a decimal port 1..65535 and a host of listener_valid's
 * characters (an IPv6 address in brackets); the host may not be empty. */
static bool host_port_valid(const char *item, size_t len)
{
    const char *colon = memrchr(item, ':', len);
    if (!colon || colon == item) {
        return false;
    }
    char listener[300];
    if (len > 250) {
        return false;
    }
    snprintf(listener, sizeof(listener), "X://%.*s", (int)len, item);
    const char *port = colon + 1, *end = item + len;
    return port < end && !(end - port == 1 && *port == '0') && listener_valid(listener, strlen(listener));
}

/* controller.quorum.bootstrap.servers: host:port,... */
static config_def_problem_t host_ports_check(const config_def_t *def, const char *name, const char *value,
                                             const char **canonical, char *why, size_t why_size)
{
    for (const char *item = value;;) {
        size_t len = strcspn(item, ",");
        if (!host_port_valid(item, len)) {
            snprintf(why, why_size, "expected host:port,...");
            return CONFIG_DEF_REFUSED;
        }
        if (!item[len]) {
            return CONFIG_DEF_OK;
        }
        item += len + 1;
    }
}

/* controller.quorum.voters: id@host:port,... with each id and address once. */
static config_def_problem_t voters_check(const config_def_t *def, const char *name, const char *value,
                                         const char **canonical, char *why, size_t why_size)
{
    for (const char *item = value;;) {
        size_t len = strcspn(item, ",");
        const char *at = memchr(item, '@', len);
        size_t digits = at ? strspn(item, "0123456789") : 0;
        if (!at || digits == 0 || item + digits != at || digits > 10 || strtoll(item, NULL, 10) > I32_MAX ||
            !host_port_valid(at + 1, len - (size_t)(at + 1 - item))) {
            snprintf(why, why_size, "expected id@host:port,... (e.g. 1@localhost:9093), not '%.*s'", (int)len, item);
            return CONFIG_DEF_REFUSED;
        }
        if (!item[len]) {
            return CONFIG_DEF_OK;
        }
        item += len + 1;
    }
}

/* A listener name: Kafka's are upper-case words ("CONTROLLER"). */
static config_def_problem_t names_check(const config_def_t *def, const char *name, const char *value,
                                        const char **canonical, char *why, size_t why_size)
{
    for (const char *c = value; *c; c++) {
        if (*c != ',' && !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", *c)) {
            snprintf(why, why_size, "expected listener names such as CONTROLLER");
            return CONFIG_DEF_REFUSED;
        }
    }
    if (!value[0]) {
        snprintf(why, why_size, "expected listener names such as CONTROLLER");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

/* Kafka's security protocols, in enum broker_security_protocol's order. */
static const char *const security_protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL};

static bool security_protocol_parse(const char *text, size_t len, broker_security_protocol_t *out)
{
    for (int i = 0; security_protocols[i]; i++) {
        if (strlen(security_protocols[i]) == len && strncasecmp(security_protocols[i], text, len) == 0) {
            *out = (broker_security_protocol_t)i;
            return true;
        }
    }
    return false;
}

/* listener.security.protocol.map: NAME:PROTOCOL,... with one of Kafka's
 * four protocols (any case, as Kafka upper-cases them). */
static config_def_problem_t protocol_map_check(const config_def_t *def, const char *name, const char *value,
                                               const char **canonical, char *why, size_t why_size)
{
    for (const char *item = value;;) {
        size_t len = strcspn(item, ",");
        const char *colon = memchr(item, ':', len);
        broker_security_protocol_t proto;
        size_t name_len = colon ? (size_t)(colon - item) : 0;
        if (!colon || name_len == 0 ||
            strspn(item, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != name_len ||
            !security_protocol_parse(colon + 1, len - name_len - 1, &proto)) {
            snprintf(why, why_size, "expected NAME:PROTOCOL,... with PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, "
                     "not '%.*s'", (int)len, item);
            return CONFIG_DEF_REFUSED;
        }
        if (!item[len]) {
            return CONFIG_DEF_OK;
        }
        item += len + 1;
    }
}

/* "not used yet" rows are accepted so server.properties files copied from
 * Kafka start without warnings; their doc says they have no effect. */
const config_def_t broker_config_defs[] = {
    {.name = "node.id", .type = CONFIG_DEF_INT, .default_value = "0", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, node_id),
     .doc = "Id of this node in the cluster (broker.id is a synonym); a single node uses 0."},
    {.name = "listeners", .type = CONFIG_DEF_LIST, .default_value = "PLAINTEXT://:9092", .validate = listeners_check,
     CONFIG_DEF_FIELD(broker_config_t, listeners),
     .doc = "Where the broker listens for Kafka clients, NAME://host:port; an empty host means all interfaces. "
            "The listener's security protocol comes from listener.security.protocol.map. A listener other hosts "
            "can reach is warned about at start unless it requires client certificates (docs/security.md)."},
    {.name = "advertised.listeners", .type = CONFIG_DEF_LIST, .validate = listeners_check,
     CONFIG_DEF_FIELD(broker_config_t, advertised_listeners),
     .doc = "Address given to clients in Metadata; null means the address each client connected to."},
    {.name = "log.dirs", .type = CONFIG_DEF_LIST, .default_value = "/tmp/connectd-logs", .validate = log_dirs_check,
     CONFIG_DEF_FIELD(broker_config_t, log_dirs),
     .doc = "Directories holding partition logs (log.dir is a synonym); partitions are spread over them."},
    {.name = "num.partitions", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, 100000),
     CONFIG_DEF_FIELD(broker_config_t, num_partitions),
     .doc = "Partitions of a topic created without a count (auto-creation, CreateTopics with -1)."},
    {.name = "default.replication.factor", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, 1),
     CONFIG_DEF_FIELD(broker_config_t, default_replication_factor),
     .doc = "Replication factor of auto-created topics; a single node supports only 1."},
    {.name = "auto.create.topics.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     CONFIG_DEF_FIELD(broker_config_t, auto_create_topics_enable),
     .doc = "Create a topic when a producer writes to it or a client asks for its metadata."},
    {.name = "delete.topic.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     CONFIG_DEF_FIELD(broker_config_t, delete_topic_enable), .doc = "Allow DeleteTopics."},
    {.name = "log.segment.bytes", .type = CONFIG_DEF_INT, .default_value = "1073741824", CONFIG_DEF_RANGE(14, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_segment_bytes),
     .doc = "Maximum size of one segment file before a new one is rolled."},
    {.name = "log.roll.ms", .type = CONFIG_DEF_LONG, CONFIG_DEF_RANGE(1, I64_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_roll_ms),
     .doc = "Roll a new segment after this long even if not full (overrides log.roll.hours)."},
    {.name = "log.roll.hours", .type = CONFIG_DEF_INT, .default_value = "168", CONFIG_DEF_RANGE(1, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_roll_hours), .doc = "Roll a new segment after this many hours."},
    {.name = "log.retention.ms", .type = CONFIG_DEF_LONG, CONFIG_DEF_RANGE(-1, I64_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_retention_ms),
     .doc = "Delete segments older than this; -1 keeps them forever (overrides minutes and hours)."},
    {.name = "log.retention.minutes", .type = CONFIG_DEF_INT, CONFIG_DEF_RANGE(-1, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_retention_minutes),
     .doc = "Retention in minutes (overrides log.retention.hours)."},
    {.name = "log.retention.hours", .type = CONFIG_DEF_INT, .default_value = "168", CONFIG_DEF_RANGE(-1, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_retention_hours), .doc = "Retention in hours."},
    {.name = "log.retention.bytes", .type = CONFIG_DEF_LONG, .default_value = "-1", CONFIG_DEF_RANGE(-1, I64_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_retention_bytes),
     .doc = "Delete the oldest segments while a partition is larger than this; -1 means no limit."},
    {.name = "log.retention.check.interval.ms", .type = CONFIG_DEF_LONG, .default_value = "300000",
     CONFIG_DEF_RANGE(1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, log_retention_check_interval_ms),
     .doc = "How often retention is enforced."},
    {.name = "log.flush.interval.messages", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT,
     CONFIG_DEF_RANGE(1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, log_flush_interval_messages),
     .doc = "fsync a partition after this many unflushed messages; the default leaves it to the OS."},
    {.name = "log.flush.interval.ms", .type = CONFIG_DEF_LONG, CONFIG_DEF_RANGE(0, I64_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_flush_interval_ms),
     .doc = "fsync a partition at least this often; null means only by message count."},
    {.name = "log.index.interval.bytes", .type = CONFIG_DEF_INT, .default_value = "4096", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, log_index_interval_bytes),
     .doc = "Bytes between two entries of the sparse offset and time indexes."},
    {.name = "message.max.bytes", .type = CONFIG_DEF_INT, .default_value = "1048588", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, message_max_bytes),
     .doc = "Largest record batch the broker accepts (topic override: max.message.bytes)."},
    {.name = "socket.request.max.bytes", .type = CONFIG_DEF_INT, .default_value = "104857600",
     CONFIG_DEF_RANGE(1024, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, socket_request_max_bytes),
     .doc = "Largest request frame; a bigger one closes the connection."},
    {.name = "sasl.server.max.receive.size", .type = CONFIG_DEF_INT, .default_value = "524288",
     CONFIG_DEF_RANGE(1024, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, sasl_server_max_receive_size),
     .doc = "On a SASL listener, the largest request frame before the client is authenticated, as Kafka's; a "
            "bigger one closes the connection (socket.request.max.bytes applies once authenticated)."},
    {.name = "fetch.max.bytes", .type = CONFIG_DEF_INT, .default_value = "57671680", CONFIG_DEF_RANGE(1024, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, fetch_max_bytes),
     .doc = "Most bytes one Fetch response carries, whatever the client asks for."},
    {.name = "num.network.threads", .type = CONFIG_DEF_INT, .default_value = "3", CONFIG_DEF_RANGE(1, 64),
     CONFIG_DEF_FIELD(broker_config_t, num_network_threads),
     .doc = "Threads, each with its own event loop, that serve client connections."},
    {.name = "max.connections", .type = CONFIG_DEF_INT, .default_value = "2147483647", CONFIG_DEF_RANGE(0, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, max_connections),
     .doc = "The maximum number of connections the broker allows at once; a connection beyond it is closed at "
            "once (Kafka's broker instead waits to accept it)."},
    {.name = "max.connections.per.ip", .type = CONFIG_DEF_INT, .default_value = "2147483647",
     CONFIG_DEF_RANGE(0, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, max_connections_per_ip),
     .doc = "The maximum number of connections allowed from each ip address; a connection beyond it is closed at "
            "once, as Kafka does."},
    {.name = "connections.max.idle.ms", .type = CONFIG_DEF_LONG, .default_value = "600000",
     CONFIG_DEF_RANGE(1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, connections_max_idle_ms),
     .doc = "Idle connections timeout: the broker closes a connection that has sent and received nothing for "
            "this long (a request waiting for its answer does not count as idle)."},
    /* Kafka's default is -1 (unbounded).  Bounded here because the broker
     * often runs inside the Connect worker's process (the embedded broker),
     * where ten unfinished 100 MB frames would take the connectors' memory
     * too; 500 MB is five maximal requests (socket.request.max.bytes) at once. */
    {.name = "queued.max.request.bytes", .type = CONFIG_DEF_LONG, .default_value = "524288000",
     CONFIG_DEF_RANGE(-1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, queued_max_request_bytes),
     .doc = "The number of queued bytes allowed before no more requests are read: the bytes of request frames "
            "being received, across all connections. A connection whose frame would go past it stops being read "
            "until memory frees. -1 is unbounded (Kafka's default; connectd bounds it because the broker may run "
            "inside the worker's process)."},
    {.name = "compression.type", .type = CONFIG_DEF_STRING, .default_value = "producer", .choices = compression_types,
     .doc = "The codec of stored batches for topics without their own compression.type: producer keeps each "
            "batch as the producer compressed it; uncompressed, gzip, snappy, lz4 or zstd rewrites batches of "
            "another codec with this one."},
    {.name = "compression.gzip.level", .type = CONFIG_DEF_INT, .default_value = "-1", CONFIG_DEF_RANGE(-1, 9),
     .validate = broker_config_gzip_level_check,
     .doc = "gzip level (1-9, -1 for zlib's default) where the broker compresses with gzip."},
    {.name = "compression.lz4.level", .type = CONFIG_DEF_INT, .default_value = "9", CONFIG_DEF_RANGE(1, 17),
     .doc = "lz4 level (1-17; 3 and up use LZ4HC) where the broker compresses with lz4."},
    {.name = "compression.zstd.level", .type = CONFIG_DEF_INT, .default_value = "3", CONFIG_DEF_RANGE(-131072, 22),
     .doc = "zstd level (-131072 to 22) where the broker compresses with zstd."},
    {.name = "log.message.timestamp.type", .type = CONFIG_DEF_STRING, .default_value = "CreateTime",
     .choices = timestamp_types,
     .doc = "The timestamps of stored records for topics without their own message.timestamp.type: CreateTime "
            "keeps the producer's, LogAppendTime gives every record of a batch the time the broker appended it."},
    {.name = "log.message.timestamp.difference.max.ms", .type = CONFIG_DEF_LONG, .default_value = LONG_MAX_TEXT,
     CONFIG_DEF_RANGE(0, I64_MAX),
     .doc = "With CreateTime, a batch holding a record whose timestamp is further than this from the broker's "
            "clock is refused (topic override: message.timestamp.difference.max.ms)."},
    {.name = "min.insync.replicas", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, I32_MAX),
     .doc = "The min.insync.replicas of topics without their own: with acks=all, a produce is refused with "
            "NOT_ENOUGH_REPLICAS while fewer replicas are in sync; a single node is its own ISR."},
    {.name = "offsets.topic.replication.factor", .type = CONFIG_DEF_INT, .default_value = "1",
     CONFIG_DEF_RANGE(1, 32767), .doc = "Accepted for compatibility; not used by connectd yet."},
    {.name = "offsets.retention.minutes", .type = CONFIG_DEF_INT, .default_value = "10080",
     CONFIG_DEF_RANGE(1, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, offsets_retention_minutes),
     .doc = "Committed offsets of a group with no members are deleted this long after the group became empty."},
    {.name = "offsets.retention.check.interval.ms", .type = CONFIG_DEF_LONG, .default_value = "600000",
     CONFIG_DEF_RANGE(1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, offsets_retention_check_interval_ms),
     .doc = "How often expired committed offsets are looked for."},
    {.name = "offsets.topic.num.partitions", .type = CONFIG_DEF_INT, .default_value = "50", CONFIG_DEF_RANGE(1, 1000),
     CONFIG_DEF_FIELD(broker_config_t, offsets_topic_num_partitions),
     .doc = "Partitions of __consumer_offsets, created on first use; a group lives in one of them."},
    {.name = "offsets.topic.segment.bytes", .type = CONFIG_DEF_INT, .default_value = "104857600",
     CONFIG_DEF_RANGE(14, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, offsets_topic_segment_bytes),
     .doc = "segment.bytes of __consumer_offsets."},
    {.name = "offset.metadata.max.bytes", .type = CONFIG_DEF_INT, .default_value = "4096",
     CONFIG_DEF_RANGE(0, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, offset_metadata_max_bytes),
     .doc = "Longest metadata string an OffsetCommit may attach to an offset."},
    {.name = "group.initial.rebalance.delay.ms", .type = CONFIG_DEF_INT, .default_value = "3000",
     CONFIG_DEF_RANGE(0, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, group_initial_rebalance_delay_ms),
     .doc = "How long the first rebalance of an empty group waits for more members to join."},
    {.name = "group.min.session.timeout.ms", .type = CONFIG_DEF_INT, .default_value = "6000",
     CONFIG_DEF_RANGE(0, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, group_min_session_timeout_ms),
     .doc = "Smallest session.timeout.ms a group member may ask for."},
    {.name = "group.max.session.timeout.ms", .type = CONFIG_DEF_INT, .default_value = "1800000",
     CONFIG_DEF_RANGE(0, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, group_max_session_timeout_ms),
     .doc = "Largest session.timeout.ms a group member may ask for."},
    {.name = "group.max.size", .type = CONFIG_DEF_INT, .default_value = "2147483647", CONFIG_DEF_RANGE(1, I32_MAX),
     CONFIG_DEF_FIELD(broker_config_t, group_max_size), .doc = "Most members one consumer group may have."},
    {.name = "transaction.state.log.replication.factor", .type = CONFIG_DEF_INT, .default_value = "1",
     CONFIG_DEF_RANGE(1, 32767), .doc = "Accepted for compatibility; connectd has no transactions."},
    {.name = "transaction.state.log.min.isr", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, 32767),
     .doc = "Accepted for compatibility; connectd has no transactions."},
    {.name = "num.io.threads", .type = CONFIG_DEF_INT, .default_value = "8", CONFIG_DEF_RANGE(1, I32_MAX),
     .doc = "Accepted for compatibility; requests run on the network threads."},
    {.name = "num.recovery.threads.per.data.dir", .type = CONFIG_DEF_INT, .default_value = "1",
     CONFIG_DEF_RANGE(1, I32_MAX), .doc = "Accepted for compatibility; recovery runs on one thread."},
    {.name = "socket.send.buffer.bytes", .type = CONFIG_DEF_INT, .default_value = "102400",
     CONFIG_DEF_RANGE(-1, I32_MAX), .doc = "Accepted for compatibility; the kernel's defaults are used."},
    {.name = "socket.receive.buffer.bytes", .type = CONFIG_DEF_INT, .default_value = "102400",
     CONFIG_DEF_RANGE(-1, I32_MAX), .doc = "Accepted for compatibility; the kernel's defaults are used."},
    {.name = "zookeeper.connect", .type = CONFIG_DEF_STRING, .doc = "Accepted for compatibility; ignored."},
    {.name = "zookeeper.connection.timeout.ms", .type = CONFIG_DEF_INT, CONFIG_DEF_RANGE(0, I32_MAX),
     .doc = "Accepted for compatibility; ignored."},
    /* KRaft mode (docs/cluster.md): with process.roles unset the broker is
     * the single node it always was, and these keys are not looked at. */
    {.name = "process.roles", .type = CONFIG_DEF_LIST, .validate = process_roles_check,
     CONFIG_DEF_FIELD(broker_config_t, process_roles),
     .doc = "The roles of this node in a cluster: broker, controller (a voter of the metadata quorum) or both. "
            "Null runs the single node of connectd's default set-up, without a quorum."},
    {.name = "controller.quorum.voters", .type = CONFIG_DEF_LIST, .validate = voters_check,
     CONFIG_DEF_FIELD(broker_config_t, controller_quorum_voters),
     .doc = "The voters of the metadata quorum, id@host:port of each controller's CONTROLLER listener, the same "
            "list on every node; needed by every node with process.roles."},
    {.name = "controller.quorum.bootstrap.servers", .type = CONFIG_DEF_LIST, .validate = host_ports_check,
     CONFIG_DEF_FIELD(broker_config_t, controller_quorum_bootstrap_servers),
     .doc = "host:port of controllers, for Kafka's dynamic quorums; accepted, but connectd's quorum is "
            "static and every node needs controller.quorum.voters."},
    {.name = "controller.listener.names", .type = CONFIG_DEF_LIST, .validate = names_check,
     CONFIG_DEF_FIELD(broker_config_t, controller_listener_names),
     .doc = "Names of the listeners the controller serves (the first is the quorum's). A controller has the "
            "first in listeners; a broker-only node must not."},
    {.name = "inter.broker.listener.name", .type = CONFIG_DEF_STRING, .validate = names_check,
     CONFIG_DEF_FIELD(broker_config_t, inter_broker_listener_name),
     .doc = "The listener brokers use between themselves and register with the controller; null means "
            "PLAINTEXT. It must be in listeners and must not be a controller listener."},
    {.name = "metadata.log.dir", .type = CONFIG_DEF_STRING, CONFIG_DEF_FIELD(broker_config_t, metadata_log_dir),
     .doc = "Directory holding the metadata quorum's log (__cluster_metadata-0); null means the first of "
            "log.dirs."},
    {.name = "broker.session.timeout.ms", .type = CONFIG_DEF_INT, .default_value = "9000",
     CONFIG_DEF_RANGE(1, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, broker_session_timeout_ms),
     .doc = "A broker that has not heartbeaten the active controller for this long is fenced."},
    {.name = "replica.lag.time.max.ms", .type = CONFIG_DEF_LONG, .default_value = "30000",
     CONFIG_DEF_RANGE(1, I64_MAX), CONFIG_DEF_FIELD(broker_config_t, replica_lag_time_max_ms),
     .doc = "A follower that has not caught up with its leader's log end for this long leaves the ISR; it comes "
            "back once it has caught up to the high watermark."},
    {.name = "broker.heartbeat.interval.ms", .type = CONFIG_DEF_INT, .default_value = "2000",
     CONFIG_DEF_RANGE(1, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, broker_heartbeat_interval_ms),
     .doc = "How often a broker heartbeats the active controller."},
    {.name = "controller.quorum.election.timeout.ms", .type = CONFIG_DEF_INT, .default_value = "1000",
     CONFIG_DEF_RANGE(10, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, controller_quorum_election_timeout_ms),
     .doc = "How long a voter goes without hearing from a leader before it stands for election (raft's "
            "election timeout; the leader heartbeats ten times as often)."},
    {.name = "metadata.snapshot.interval.entries", .type = CONFIG_DEF_INT, .default_value = "1024",
     CONFIG_DEF_RANGE(2, I32_MAX), CONFIG_DEF_FIELD(broker_config_t, metadata_snapshot_interval_entries),
     .doc = "A controller snapshots the metadata image after this many new metadata log entries (connectd's: "
            "canonical raft counts entries where Kafka's metadata.log.max.record.bytes.between.snapshots "
            "counts bytes)."},
    {.name = "listener.security.protocol.map", .type = CONFIG_DEF_LIST, .validate = protocol_map_check,
     CONFIG_DEF_FIELD(broker_config_t, listener_security_protocol_map),
     .doc = "The security protocol of each listener, NAME:PROTOCOL,... (PLAINTEXT, SSL, SASL_PLAINTEXT, "
            "SASL_SSL). Null is Kafka's default: those four names map to themselves and the controller "
            "listeners to PLAINTEXT. A listener whose protocol the broker cannot serve stops start-up "
            "(docs/security.md)."},
    /* The SSL listener's keys (broker/net/tls.c), as Kafka's; each may be
     * given for one listener as listener.name.<name>.ssl.... */
    {.name = "ssl.keystore.type", .type = CONFIG_DEF_STRING, .default_value = "PEM", .choices = ssl_store_types,
     .doc = "The format of the key store: PEM (Kafka's default, JKS, cannot be read; convert a JKS or PKCS12 "
            "store to PEM with keytool and openssl)."},
    {.name = "ssl.keystore.location", .type = CONFIG_DEF_STRING,
     .doc = "A PEM file holding the listener's private key and its certificate chain (server first)."},
    {.name = "ssl.keystore.password", .type = CONFIG_DEF_PASSWORD,
     .doc = "Refused with a PEM key store, as Kafka refuses it; an encrypted key takes ssl.key.password."},
    {.name = "ssl.key.password", .type = CONFIG_DEF_PASSWORD,
     .doc = "The password of an encrypted private key (in ssl.keystore.location or ssl.keystore.key)."},
    {.name = "ssl.keystore.key", .type = CONFIG_DEF_PASSWORD,
     .doc = "The private key itself, PEM text, instead of ssl.keystore.location."},
    {.name = "ssl.keystore.certificate.chain", .type = CONFIG_DEF_PASSWORD,
     .doc = "The certificate chain itself, PEM text (server first), with ssl.keystore.key."},
    {.name = "ssl.truststore.type", .type = CONFIG_DEF_STRING, .default_value = "PEM", .choices = ssl_store_types,
     .doc = "The format of the trust store: PEM."},
    {.name = "ssl.truststore.location", .type = CONFIG_DEF_STRING,
     .doc = "A PEM file of the certificate authorities client certificates are checked against."},
    {.name = "ssl.truststore.password", .type = CONFIG_DEF_PASSWORD,
     .doc = "Refused with a PEM trust store, as Kafka refuses it."},
    {.name = "ssl.truststore.certificates", .type = CONFIG_DEF_PASSWORD,
     .doc = "The trusted certificates themselves, PEM text, instead of ssl.truststore.location."},
    {.name = "ssl.client.auth", .type = CONFIG_DEF_STRING, .default_value = "none", .choices = ssl_client_auths,
     .doc = "Client certificates: none; requested (checked against the trust store when given); required "
            "(mutual TLS: a client without a trusted certificate is refused). The principal is User: and the "
            "certificate's subject (User:CN=...), as Kafka's default principal builder."},
    {.name = "ssl.enabled.protocols", .type = CONFIG_DEF_LIST, .default_value = "TLSv1.2,TLSv1.3",
     .choices = ssl_protocols, .doc = "The TLS versions the listener accepts."},
    {.name = "ssl.cipher.suites", .type = CONFIG_DEF_LIST,
     .doc = "The cipher suites the listener accepts, by their IANA names as Kafka's "
            "(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256); null: OpenSSL's defaults."},
    /* SASL listeners (broker/handlers/sasl.c), as Kafka's; listener.name.<name>. in front for one listener. */
    {.name = "sasl.enabled.mechanisms", .type = CONFIG_DEF_LIST, .default_value = "GSSAPI",
     .doc = "The SASL mechanisms a SASL listener offers: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. Kafka's default, "
            "GSSAPI (Kerberos), is not supported: a SASL listener without this key stops start-up."},
    {.name = "sasl.jaas.config", .type = CONFIG_DEF_PASSWORD,
     .doc = "Read per listener and mechanism, as Kafka's brokers read it: "
            "listener.name.<listener>.plain.sasl.jaas.config holds PLAIN's users, "
            "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"secret\";."},
    {.name = "connections.max.reauth.ms", .type = CONFIG_DEF_LONG, .default_value = "0", CONFIG_DEF_AT_LEAST(0),
     .doc = "How long a SASL authentication holds (told to the client as its session lifetime, KIP-368); a "
            "connection that has not re-authenticated by then is closed at its next request. 0: forever."},
    {.name = NULL},
};

/* The text of a broker key: as given, else its row's default; NULL: null. */
static const char *text_of(const broker_config_t *cfg, const config_def_t *def)
{
    const char *v = properties_get(cfg->given, def->name);
    return v ? v : def->default_value;
}

static bool is_null(const broker_config_t *cfg, const char *name)
{
    return text_of(cfg, config_def_find(broker_config_defs, name)) == NULL;
}

broker_config_t *broker_config_create(void)
{
    broker_config_t *cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        abort();
    }
    cfg->given = properties_create();
    char err[256];
    bool ok = broker_config_finish(cfg, err, sizeof(err));
    assert(ok); /* the defaults always resolve (test_config checks every row) */
    (void)ok;
    return cfg;
}

static void voters_free(broker_config_t *cfg)
{
    for (size_t i = 0; i < cfg->n_voters; i++) {
        free(cfg->voters[i].host);
    }
    free(cfg->voters);
    cfg->voters = NULL;
    cfg->n_voters = 0;
}

void broker_config_destroy(broker_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    voters_free(cfg);
    config_def_free(broker_config_defs, cfg);
    properties_destroy(cfg->given);
    free(cfg);
}

#define LISTENER_PREFIX "listener.name."

/* The row a key is checked against: a listener's own value of an ssl.* or
 * sasl.* key, "listener.name.ssl.ssl.keystore.location", is checked as the
 * key after the listener's name (Kafka's per-listener prefix), a
 * mechanism's "listener.name.sasl_ssl.plain.sasl.jaas.config" as
 * sasl.jaas.config; any other key as itself. */
static const char *listener_key_row(const char *key)
{
    if (strncmp(key, LISTENER_PREFIX, strlen(LISTENER_PREFIX)) != 0) {
        return key;
    }
    const char *name = key + strlen(LISTENER_PREFIX);
    const char *dot = strchr(name, '.');
    if (!dot || dot == name) {
        return key;
    }
    const char *rest = dot + 1;
    if (strncmp(rest, "ssl.", 4) == 0 || strncmp(rest, "sasl.", 5) == 0 ||
        strcmp(rest, "connections.max.reauth.ms") == 0) {
        return rest;
    }
    /* listener.name.<listener>.<mechanism>.sasl.jaas.config */
    const char *jaas = strstr(rest, ".sasl.jaas.config");
    return jaas && jaas > rest && strcmp(jaas, ".sasl.jaas.config") == 0 ? jaas + 1 : key;
}

const char *broker_config_listener_text(const broker_config_t *cfg, const char *listener, const char *key)
{
    char prefixed[256];
    int n = snprintf(prefixed, sizeof(prefixed), LISTENER_PREFIX "%s.%s", listener, key);
    for (int i = (int)strlen(LISTENER_PREFIX); i < n && prefixed[i] != '.'; i++) {
        prefixed[i] = (char)tolower((unsigned char)prefixed[i]); /* Kafka's prefix has the name in lower case */
    }
    const char *v = properties_get(cfg->given, prefixed);
    const config_def_t *def = config_def_find(broker_config_defs, key);
    return v ? v : def ? text_of(cfg, def) : NULL;
}

broker_config_set_result_t broker_config_set(broker_config_t *cfg, const char *key, const char *value,
                                             char *errstr, size_t errstr_size)
{
    if (strcmp(key, "broker.id") == 0) {
        key = "node.id";
    } else if (strcmp(key, "log.dir") == 0) {
        /* log.dirs wins over log.dir, as in Kafka. */
        if (properties_get(cfg->given, "log.dirs")) {
            return BROKER_CONFIG_SET_OK;
        }
        key = "log.dirs";
    }
    const config_def_t *def = config_def_find(broker_config_defs, listener_key_row(key));
    if (!def) {
        return BROKER_CONFIG_SET_UNKNOWN;
    }
    char *text;
    bool ok = config_def_normalize(def, key, value, &text, errstr, errstr_size);
    if (ok) {
        properties_set(cfg->given, key, text);
    }
    free(text);
    return ok ? BROKER_CONFIG_SET_OK : BROKER_CONFIG_SET_INVALID;
}

bool broker_config_listener_find(const char *list, const char *name, char **host, int *port)
{
    size_t name_len = strlen(name);
    for (const char *item = list; item && *item;) {
        size_t len = strcspn(item, ",");
        if (len > name_len + 3 && strncmp(item, name, name_len) == 0 && strncmp(item + name_len, "://", 3) == 0) {
            const char *h = item + name_len + 3, *end = item + len;
            const char *colon = memrchr(h, ':', (size_t)(end - h));
            const char *hs = h, *he = colon;
            if (hs < he && *hs == '[' && he[-1] == ']') {
                hs++;
                he--;
            }
            *host = strndup(hs, (size_t)(he - hs));
            *port = (int)strtol(colon + 1, NULL, 10);
            return true;
        }
        item += len + (item[len] == ',');
    }
    return false;
}

const broker_config_voter_t *broker_config_voter_find(const broker_config_t *cfg, int32_t id)
{
    for (size_t i = 0; i < cfg->n_voters; i++) {
        if (cfg->voters[i].id == id) {
            return &cfg->voters[i];
        }
    }
    return NULL;
}

/* Whether the comma-separated `list` has the item `name`. */
static bool list_has(const char *list, const char *name, size_t name_len)
{
    for (const char *item = list; item && *item;) {
        size_t len = strcspn(item, ",");
        if (len == name_len && strncmp(item, name, len) == 0) {
            return true;
        }
        item += len + (item[len] == ',');
    }
    return false;
}

static int voter_cmp(const void *a, const void *b)
{
    const broker_config_voter_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Parses controller.quorum.voters (voters_check has checked its form) and
 * refuses an id or an address given twice. */
static bool voters_parse(broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    voters_free(cfg);
    for (const char *item = cfg->controller_quorum_voters; item && *item;) {
        size_t len = strcspn(item, ",");
        const char *at = memchr(item, '@', len);
        const char *colon = memrchr(at, ':', len - (size_t)(at - item));
        const char *hs = at + 1, *he = colon;
        if (hs < he && *hs == '[' && he[-1] == ']') {
            hs++;
            he--;
        }
        cfg->voters = realloc(cfg->voters, (cfg->n_voters + 1) * sizeof(*cfg->voters));
        if (!cfg->voters) {
            abort();
        }
        broker_config_voter_t *v = &cfg->voters[cfg->n_voters++];
        v->id = (int32_t)strtol(item, NULL, 10);
        v->host = strndup(hs, (size_t)(he - hs));
        v->port = (int)strtol(colon + 1, NULL, 10);
        item += len + (item[len] == ',');
    }
    if (cfg->n_voters > 1) {
        qsort(cfg->voters, cfg->n_voters, sizeof(*cfg->voters), voter_cmp);
    }
    for (size_t i = 0; i < cfg->n_voters; i++) {
        for (size_t j = i + 1; j < cfg->n_voters; j++) {
            if (cfg->voters[i].id == cfg->voters[j].id) {
                snprintf(errstr, errstr_size, "controller.quorum.voters: voter id %d is given twice; give each "
                         "controller its own node.id", cfg->voters[i].id);
                return false;
            }
            if (cfg->voters[i].port == cfg->voters[j].port &&
                strcmp(cfg->voters[i].host, cfg->voters[j].host) == 0) {
                snprintf(errstr, errstr_size, "controller.quorum.voters: voters %d and %d share the address %s:%d",
                         cfg->voters[i].id, cfg->voters[j].id, cfg->voters[i].host, cfg->voters[i].port);
                return false;
            }
        }
    }
    return true;
}

const char *broker_security_protocol_name(broker_security_protocol_t proto)
{
    return security_protocols[proto];
}

bool broker_config_listener_protocol(const broker_config_t *cfg, const char *name, size_t name_len,
                                     broker_security_protocol_t *proto)
{
    const char *map = cfg->listener_security_protocol_map;
    if (!map) {
        /* Kafka's default map, plus KRaft's rule that controller listeners
         * missing from a default map are PLAINTEXT. */
        if (security_protocol_parse(name, name_len, proto)) {
            return true;
        }
        *proto = BROKER_SECURITY_PLAINTEXT;
        return list_has(cfg->controller_listener_names, name, name_len);
    }
    for (const char *item = map; *item;) {
        size_t len = strcspn(item, ",");
        const char *colon = memchr(item, ':', len);
        if ((size_t)(colon - item) == name_len && strncasecmp(item, name, name_len) == 0) {
            return security_protocol_parse(colon + 1, len - name_len - 1, proto);
        }
        item += len + (item[len] == ',');
    }
    return false;
}

/* Every listener has a security protocol (Kafka refuses a listener missing
 * from listener.security.protocol.map), and every advertised listener is
 * one of the listeners, by name. */
static bool listeners_security_finish(const broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    for (const char *item = cfg->listeners; *item;) {
        size_t len = strcspn(item, ",");
        size_t name_len = (size_t)((const char *)memmem(item, len, "://", 3) - item);
        broker_security_protocol_t proto;
        if (!broker_config_listener_protocol(cfg, item, name_len, &proto)) {
            snprintf(errstr, errstr_size, "listener.security.protocol.map: no security protocol for the listener "
                     "%.*s of listeners; add %.*s:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to it",
                     (int)name_len, item, (int)name_len, item);
            return false;
        }
        item += len + (item[len] == ',');
    }
    for (const char *item = cfg->advertised_listeners; item && *item;) {
        size_t len = strcspn(item, ",");
        size_t name_len = (size_t)((const char *)memmem(item, len, "://", 3) - item);
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)name_len, item);
        char *host;
        int port;
        if (!broker_config_listener_find(cfg->listeners, name, &host, &port)) {
            snprintf(errstr, errstr_size, "advertised.listeners: the listener %s is not in listeners '%s'; "
                     "advertise only listeners the broker serves", name, cfg->listeners);
            return false;
        }
        free(host);
        item += len + (item[len] == ',');
    }
    return true;
}

/* Every listener has a name of its own (Kafka refuses a name twice). */
static bool listener_names_unique(const char *list, char *errstr, size_t errstr_size)
{
    for (const char *item = list; *item;) {
        size_t len = strcspn(item, ",");
        size_t name_len = (size_t)((const char *)memmem(item, len, "://", 3) - item);
        const char *next = item + len + (item[len] == ',');
        for (const char *other = next; *other;) {
            size_t olen = strcspn(other, ",");
            if (strncmp(other, item, name_len) == 0 && strncmp(other + name_len, "://", 3) == 0) {
                snprintf(errstr, errstr_size, "listeners: the listener name %.*s is used twice; each listener "
                         "needs a name of its own", (int)name_len, item);
                return false;
            }
            other += olen + (other[olen] == ',');
        }
        item = next;
    }
    return true;
}

/*
 * KRaft mode's rules, Kafka's KafkaConfig ones where it has them: node.id
 * is given; a controller is one of the voters and serves the first
 * controller listener, at the port the voters name for it; a broker-only
 * node is no voter and serves no controller listener; a broker serves its
 * inter-broker listener, which is no controller listener.  Without
 * process.roles nothing here applies.
 */
static bool kraft_finish(broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    cfg->roles = 0;
    voters_free(cfg);
    if (!cfg->process_roles) {
        return true;
    }
    cfg->roles = (list_has(cfg->process_roles, "broker", 6) ? BROKER_ROLE_BROKER : 0) |
                 (list_has(cfg->process_roles, "controller", 10) ? BROKER_ROLE_CONTROLLER : 0);
    if (!properties_get(cfg->given, "node.id")) {
        snprintf(errstr, errstr_size, "node.id: required with process.roles; give each node of the cluster its own");
        return false;
    }
    if (!voters_parse(cfg, errstr, errstr_size) || !listener_names_unique(cfg->listeners, errstr, errstr_size)) {
        return false;
    }
    if (!cfg->controller_listener_names) {
        snprintf(errstr, errstr_size, "controller.listener.names: required with process.roles (e.g. CONTROLLER)");
        return false;
    }
    const char *first = cfg->controller_listener_names;
    size_t first_len = strcspn(first, ",");
    char *host = NULL;
    int port = 0;
    bool has_controller = false;
    for (const char *name = first; *name;) {
        size_t len = strcspn(name, ",");
        char nm[128];
        snprintf(nm, sizeof(nm), "%.*s", (int)len, name);
        if (broker_config_listener_find(cfg->listeners, nm, &host, &port)) {
            free(host);
            host = NULL;
            has_controller = true;
        }
        name += len + (name[len] == ',');
    }
    const char *ibl = cfg->inter_broker_listener_name ? cfg->inter_broker_listener_name : "PLAINTEXT";
    if (cfg->roles & BROKER_ROLE_CONTROLLER) {
        if (cfg->n_voters == 0) {
            snprintf(errstr, errstr_size, "controller.quorum.voters: required on a controller (id@host:port of "
                     "every controller, the same list on every node)");
            return false;
        }
        const broker_config_voter_t *self = broker_config_voter_find(cfg, cfg->node_id);
        if (!self) {
            snprintf(errstr, errstr_size, "controller.quorum.voters: node.id %d is not among the voters '%s'; a "
                     "controller must be one of them (or drop controller from process.roles)", cfg->node_id,
                     cfg->controller_quorum_voters);
            return false;
        }
        char nm[128];
        snprintf(nm, sizeof(nm), "%.*s", (int)first_len, first);
        if (!broker_config_listener_find(cfg->listeners, nm, &host, &port)) {
            snprintf(errstr, errstr_size, "controller.listener.names: the controller listener %s is not in "
                     "listeners '%s'; add %s://host:port to listeners", nm, cfg->listeners, nm);
            return false;
        }
        free(host);
        if (port != self->port) {
            snprintf(errstr, errstr_size, "controller.quorum.voters names %d@%s:%d, but this node's %s listener "
                     "is at port %d; make the two agree", self->id, self->host, self->port, nm, port);
            return false;
        }
    } else {
        if (broker_config_voter_find(cfg, cfg->node_id)) {
            snprintf(errstr, errstr_size, "controller.quorum.voters: node.id %d is a voter, but process.roles "
                     "is only broker; add controller to process.roles or use another node.id", cfg->node_id);
            return false;
        }
        if (has_controller) {
            snprintf(errstr, errstr_size, "listeners: a broker-only node serves no controller listener (%s); "
                     "remove it from listeners", cfg->controller_listener_names);
            return false;
        }
        if (cfg->n_voters == 0) {
            /* Kafka's dynamic quorums (KIP-853) let a broker find the
             * controllers from controller.quorum.bootstrap.servers alone;
             * the quorum here is static, so the voters are needed. */
            snprintf(errstr, errstr_size, "controller.quorum.voters: a broker needs it to find the controllers "
                     "(controller.quorum.bootstrap.servers alone is not supported yet)");
            return false;
        }
    }
    if (cfg->roles & BROKER_ROLE_BROKER) {
        if (list_has(cfg->controller_listener_names, ibl, strlen(ibl))) {
            snprintf(errstr, errstr_size, "inter.broker.listener.name: %s is a controller listener; brokers "
                     "need a listener of their own", ibl);
            return false;
        }
        if (!broker_config_listener_find(cfg->listeners, ibl, &host, &port)) {
            snprintf(errstr, errstr_size, "inter.broker.listener.name: the listener %s is not in listeners '%s'",
                     ibl, cfg->listeners);
            return false;
        }
        free(host);
    } else {
        snprintf(errstr, errstr_size, "process.roles: a controller-only node is not supported yet; use "
                 "broker,controller (docs/cluster.md)");
        return false;
    }
    if (cfg->broker_heartbeat_interval_ms >= cfg->broker_session_timeout_ms) {
        snprintf(errstr, errstr_size, "broker.heartbeat.interval.ms (%d) must be below broker.session.timeout.ms "
                 "(%d)", cfg->broker_heartbeat_interval_ms, cfg->broker_session_timeout_ms);
        return false;
    }
    return true;
}

bool broker_config_finish(broker_config_t *cfg, char *errstr, size_t errstr_size)
{
    if (!config_def_fill(broker_config_defs, cfg, cfg->given, 0, errstr, errstr_size)) {
        return false;
    }
    /* Kafka's derived settings: the first key of each chain that is set. */
    if (is_null(cfg, "log.roll.ms")) {
        cfg->log_roll_ms = (int64_t)cfg->log_roll_hours * 3600000;
    }
    if (is_null(cfg, "log.retention.ms")) {
        bool minutes = !is_null(cfg, "log.retention.minutes");
        int64_t n = minutes ? cfg->log_retention_minutes : cfg->log_retention_hours;
        cfg->log_retention_ms = n < 0 ? -1 : n * (minutes ? 60000 : 3600000);
    }
    if (is_null(cfg, "log.flush.interval.ms")) {
        cfg->log_flush_interval_ms = -1;
    }
    cfg->offsets_retention_ms = (int64_t)cfg->offsets_retention_minutes * 60000;
    return kraft_finish(cfg, errstr, errstr_size) && listeners_security_finish(cfg, errstr, errstr_size);
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

static const struct derived_key *derived_find(const config_def_t *def)
{
    for (size_t i = 0; i < sizeof(derived_keys) / sizeof(derived_keys[0]); i++) {
        if (strcmp(derived_keys[i].key, def->name) == 0) {
            return &derived_keys[i];
        }
    }
    return NULL;
}

const char *broker_config_value(const broker_config_t *cfg, const config_def_t *def, char *buf, size_t buf_size)
{
    const struct derived_key *derived = derived_find(def);
    if (derived) {
        int64_t v;
        memcpy(&v, (const char *)cfg + derived->offset, sizeof(v));
        snprintf(buf, buf_size, "%lld", (long long)v);
        return buf;
    }
    const char *v = text_of(cfg, def);
    if (!v) {
        return NULL;
    }
    snprintf(buf, buf_size, "%s", v);
    return buf;
}

broker_config_source_t broker_config_source(const broker_config_t *cfg, const config_def_t *def)
{
    bool set = properties_get(cfg->given, def->name) != NULL;
    const struct derived_key *derived = derived_find(def);
    for (size_t i = 0; derived && i < 2 && derived->synonyms[i]; i++) {
        set |= properties_get(cfg->given, derived->synonyms[i]) != NULL;
    }
    return set ? BROKER_CONFIG_SOURCE_STATIC_BROKER : BROKER_CONFIG_SOURCE_DEFAULT;
}
