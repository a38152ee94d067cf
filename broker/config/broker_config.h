/*
 * broker_config.h - the broker's configuration, as data (topic_config.h
 * has the topics').
 *
 * Every setting is one row of a table (config_def.h: name, type, default,
 * bounds, doc, the field it fills), in the style of Fluent Bit's
 * flb_config_map and nginx's ngx_command_t.  Parsing, defaults,
 * DescribeConfigs and the reference in docs/broker.md all come from these
 * rows, never from a second list.
 *
 * Names and defaults follow Apache Kafka's server.properties / topic configs.
 *
 * Threads: a broker_config_t is built and finished by one thread before the
 * broker starts, and only read after that (broker_create takes it), so the
 * readers below need no lock.  The tables are constant.
 */
#ifndef CONNECTD_BROKER_CONFIG_H
#define CONNECTD_BROKER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_def.h"
#include "properties.h"

/* Where a value came from; numbers are DescribeConfigs' ConfigSource. */
typedef enum broker_config_source {
    BROKER_CONFIG_SOURCE_DYNAMIC_TOPIC = 1,
    BROKER_CONFIG_SOURCE_STATIC_BROKER = 4,
    BROKER_CONFIG_SOURCE_DEFAULT = 5,
} broker_config_source_t;

/* process.roles, as bits; 0 is the single node of old (no process.roles). */
enum broker_config_role {
    BROKER_ROLE_BROKER = 1 << 0,
    BROKER_ROLE_CONTROLLER = 1 << 1,
};

/* A listener's security protocol, as Kafka's SecurityProtocol. */
typedef enum broker_security_protocol {
    BROKER_SECURITY_PLAINTEXT,
    BROKER_SECURITY_SSL,
    BROKER_SECURITY_SASL_PLAINTEXT,
    BROKER_SECURITY_SASL_SSL,
} broker_security_protocol_t;

/* One voter of controller.quorum.voters ("1@localhost:9093"). */
typedef struct broker_config_voter {
    int32_t id;
    char *host; /* owned by the config */
    int port;
} broker_config_voter_t;

/* The broker's resolved configuration.  Strings are owned by the struct. */
typedef struct broker_config {
    int32_t node_id;
    char *listeners;            /* "PLAINTEXT://:9092" */
    char *advertised_listeners; /* NULL: advertise the address each client connected to */
    char *log_dirs;             /* comma-separated; the first one holds internal files */
    int32_t num_partitions;
    int16_t default_replication_factor;
    bool auto_create_topics_enable;
    bool delete_topic_enable;
    int64_t log_segment_bytes;
    int64_t log_roll_ms; /* resolved from .ms / .hours */
    int32_t log_roll_hours;
    int64_t log_retention_ms;      /* resolved from .ms / .minutes / .hours; -1 = forever */
    int32_t log_retention_minutes; /* 0 when null */
    int32_t log_retention_hours;
    int64_t log_retention_bytes;
    int64_t log_retention_check_interval_ms;
    int64_t log_flush_interval_messages;
    int64_t log_flush_interval_ms; /* -1: only by message count */
    int32_t log_index_interval_bytes;
    int32_t message_max_bytes;
    int32_t socket_request_max_bytes;
    int32_t sasl_server_max_receive_size;
    int32_t fetch_max_bytes;
    int32_t num_network_threads;
    int32_t max_connections;        /* max.connections: more are closed at once */
    int32_t max_connections_per_ip; /* max.connections.per.ip */
    int64_t connections_max_idle_ms;
    int64_t queued_max_request_bytes; /* -1: unbounded */
    int64_t offsets_retention_ms;     /* from offsets.retention.minutes */
    int32_t offsets_retention_minutes;
    int64_t offsets_retention_check_interval_ms;
    int32_t offsets_topic_num_partitions;
    int32_t offsets_topic_segment_bytes;
    int32_t offset_metadata_max_bytes;
    int32_t group_initial_rebalance_delay_ms;
    int32_t group_min_session_timeout_ms;
    int32_t group_max_session_timeout_ms;
    int32_t group_max_size;
    /* Each listener's security protocol; NULL: Kafka's default (broker_config_listener_protocol). */
    char *listener_security_protocol_map;
    /* KRaft mode (docs/cluster.md); all null or defaults on a single node. */
    char *process_roles;
    char *controller_quorum_voters;
    char *controller_quorum_bootstrap_servers;
    char *controller_listener_names;
    char *inter_broker_listener_name;
    char *metadata_log_dir;
    int32_t broker_session_timeout_ms;
    int64_t replica_lag_time_max_ms;
    int32_t broker_heartbeat_interval_ms;
    int32_t controller_quorum_election_timeout_ms;
    int32_t metadata_snapshot_interval_entries;
    /* Resolved by broker_config_finish from the KRaft keys above: the roles,
     * the parsed voters (owned; sorted by id) and the listener names. */
    unsigned roles; /* enum broker_config_role bits */
    broker_config_voter_t *voters;
    size_t n_voters;
    /* The keys given (broker_config_set), by row name, in canonical text;
     * a key not here has its row's default.  The fields above are filled
     * from these by broker_config_finish. */
    properties_t *given;
} broker_config_t;

extern const config_def_t broker_config_defs[]; /* terminated by a row with name NULL */

/* A config with every default applied.  Never NULL (aborts on OOM); destroy
 * accepts NULL.
 * @locality the thread building the config, or the broker's at shut-down
 * @locks none */
broker_config_t *broker_config_create(void);
void broker_config_destroy(broker_config_t *cfg);

typedef enum broker_config_set_result {
    BROKER_CONFIG_SET_OK = 0,
    BROKER_CONFIG_SET_UNKNOWN = 1, /* not a broker key: caller warns and goes on */
    BROKER_CONFIG_SET_INVALID = 2, /* malformed value: errstr names the key and what was expected */
} broker_config_set_result_t;

/*
 * Sets one key from its text value, e.g. ("log.retention.hours", "168").
 * `broker.id` is accepted as a synonym of `node.id`.  Validation errors look like:
 * "log.segment.bytes: expected an integer between 14 and 2147483647, got 'ten'".
 * An ssl.* key may be given for one listener as listener.name.<name>.ssl.*
 * (broker_config_listener_text reads it).
 * @locality the thread building the config, before the broker starts
 * @locks none
 */
broker_config_set_result_t broker_config_set(broker_config_t *cfg, const char *key, const char *value, char *errstr,
                                             size_t errstr_size);

/* Resolves derived values (retention hours/minutes/ms precedence as in Kafka)
 * and cross-checks; false with errstr on an inconsistent config.
 * @locality the thread building the config, before the broker starts
 * @locks none */
bool broker_config_finish(broker_config_t *cfg, char *errstr, size_t errstr_size);

/* The "host:port" of the listener named `name` ("CONTROLLER") in a
 * listener list; false when the list has no such listener.  *host is
 * malloc'd (empty for every interface, an IPv6 address without brackets).
 * @locality any thread  @locks none (pure) */
bool broker_config_listener_find(const char *list, const char *name, char **host, int *port);

/* The security protocol of the listener named by the `name_len` bytes at
 * `name`, from listener.security.protocol.map (names match in any case, as
 * Kafka's); false when the map gives it none.  broker_config_finish has
 * checked that every listener of `listeners` has one.
 * @locality any thread  @locks none (the config is read-only by then) */
bool broker_config_listener_protocol(const broker_config_t *cfg, const char *name, size_t name_len,
                                     broker_security_protocol_t *proto);
/* "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL".
 * @locality any thread  @locks none (pure) */
const char *broker_security_protocol_name(broker_security_protocol_t proto);

/* The text of `key` (an ssl.* or sasl.* row, or "plain.sasl.jaas.config")
 * for the listener `listener` ("SSL"): listener.name.<listener in lower
 * case>.<key> when given, else the key's own value or default (none for a
 * mechanism's JAAS config, read only per listener as Kafka's brokers
 * read it), as Kafka's per-listener prefix; NULL for null.
 * @locality any thread  @locks none (the config is read-only by then) */
const char *broker_config_listener_text(const broker_config_t *cfg, const char *listener, const char *key);

/* The voter with this id, or NULL.
 * @locality any thread  @locks none (the config is read-only by then) */
const broker_config_voter_t *broker_config_voter_find(const broker_config_t *cfg, int32_t id);

/* Text of a broker key's current value (for DescribeConfigs); writes into buf
 * and returns buf, or returns NULL for a null value.
 * @locality any thread  @locks none (the config is read-only by then) */
const char *broker_config_value(const broker_config_t *cfg, const config_def_t *def, char *buf, size_t buf_size);
/* Where a broker key's value came from (for DescribeConfigs).
 * @locality any thread  @locks none (the config is read-only by then) */
broker_config_source_t broker_config_source(const broker_config_t *cfg, const config_def_t *def);

/* The validator of compression.gzip.level, broker and topic rows alike:
 * its range is [-1, 9] and 0 is none of Kafka's levels.
 * @locality any thread  @locks none (pure) */
config_def_problem_t broker_config_gzip_level_check(const config_def_t *def, const char *name, const char *value,
                                                    const char **canonical, char *why, size_t why_size);

#endif
