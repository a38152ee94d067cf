/*
 * proto.h - the Kafka wire codec: request decoders and response encoders.
 *
 * Pure functions over buffers: nothing here touches a socket, a log or a
 * lock, so every function is unit-tested with byte vectors taken from the
 * Apache Kafka JSON schemas (clients/src/main/resources/common/message).
 * Every function: @locality any thread, @locks none; a request struct, its
 * arena and its buffers are owned by one thread at a time.
 *
 * Conventions
 * - A decoder reads one request body of a given version from a reader and
 *   allocates its structs in the request's arena.  Strings and record bytes
 *   are kstr_t slices into the request frame, which outlives the arena.
 *   Decoders return false when the body is truncated or malformed; the caller
 *   closes the connection, as Kafka does for an unparseable request.
 * - Each request struct carries the result fields its response needs
 *   (error codes, offsets), filled in by the handler; the encoder then writes
 *   the response for the same version from the same struct.  Responses
 *   mirror their requests' topics and partitions in order, which librdkafka
 *   relies on.
 * - Flexible versions (KIP-482; the first one of each API is in api.c) use
 *   compact strings, bytes and arrays and end every struct with a tag
 *   section.  No tagged field is used yet: decoders skip them, encoders
 *   write empty sections.
 */
#ifndef CONNECTD_PROTO_H
#define CONNECTD_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

enum api_key {
    API_PRODUCE = 0,
    API_FETCH = 1,
    API_LIST_OFFSETS = 2,
    API_METADATA = 3,
    API_OFFSET_COMMIT = 8,
    API_OFFSET_FETCH = 9,
    API_FIND_COORDINATOR = 10,
    API_JOIN_GROUP = 11,
    API_HEARTBEAT = 12,
    API_LEAVE_GROUP = 13,
    API_SYNC_GROUP = 14,
    API_DESCRIBE_GROUPS = 15,
    API_LIST_GROUPS = 16,
    API_API_VERSIONS = 18,
    API_CREATE_TOPICS = 19,
    API_DELETE_TOPICS = 20,
    API_DELETE_RECORDS = 21,
    API_INIT_PRODUCER_ID = 22,
    API_OFFSET_FOR_LEADER_EPOCH = 23,
    API_DESCRIBE_CONFIGS = 32,
    API_ALTER_CONFIGS = 33,
    API_CREATE_PARTITIONS = 37,
    API_DELETE_GROUPS = 42,
    API_INCREMENTAL_ALTER_CONFIGS = 44,
    API_OFFSET_DELETE = 47,
    /* SASL listeners only (api_sasl_supported) */
    API_SASL_HANDSHAKE = 17,
    API_SASL_AUTHENTICATE = 36,
    API_DESCRIBE_USER_SCRAM_CREDENTIALS = 50,
    API_ALTER_USER_SCRAM_CREDENTIALS = 51,
};

/* ---- request header ------------------------------------------------------ */

typedef struct req_header {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    kstr_t client_id;
    bool flexible; /* header v2 (and compact body) */
} req_header_t;

/* Decodes the request header.  `flexible` must say whether (api_key,
 * api_version) is a flexible version; see api_is_flexible(). */
bool proto_decode_header(buf_reader_t *r, req_header_t *hdr, bool (*is_flexible)(int16_t, int16_t));

/* Writes the response header: correlation id, plus an empty tag section for
 * flexible responses other than ApiVersions (whose header is always v0). */
void proto_encode_response_header(buf_writer_t *w, const req_header_t *hdr);

/* ---- ApiVersions (18) ------------------------------------------------------ */

/* One row of the API table (api.c).  ApiVersions lists key, min and max. */
typedef struct api {
    int16_t key;
    const char *name;       /* Kafka's: "Produce", as log lines and metrics show it */
    int16_t min;
    int16_t max;
    int16_t first_flexible; /* KIP-482: header v2 and compact body from this version on */
} api_t;

/* first_flexible of an API without flexible versions. */
#define API_NEVER_FLEXIBLE INT16_MAX

typedef struct api_versions_req {
    kstr_t client_software_name; /* v3+ */
    kstr_t client_software_version;
    /* result */
    int16_t error;
    const api_t *apis;
    int n_apis;
} api_versions_req_t;

bool proto_decode_api_versions(buf_reader_t *r, int16_t v, arena_t *a, api_versions_req_t *req);
void proto_encode_api_versions(buf_writer_t *w, int16_t v, const api_versions_req_t *req);

/* ---- Metadata (3), v0-12 (flexible from v9) --------------------------------- */

typedef struct metadata_broker {
    int32_t node_id;
    const char *host;
    int32_t port;
} metadata_broker_t;

typedef struct metadata_partition {
    int16_t error;
    int32_t index;
    int32_t leader;
    /* A cluster's partition (metadata image); a single node's has replicas
     * NULL, meaning the leader alone at leader epoch 0. */
    int32_t leader_epoch;
    const int32_t *replicas;
    int32_t n_replicas;
    const int32_t *isr;
    int32_t n_isr;
} metadata_partition_t;

typedef struct metadata_topic {
    kstr_t name;      /* v10+ nullable: v12 asks by topic_id with a null name */
    kuuid_t topic_id; /* v10+; all zero when asked by name */
    /* result (the name and id too, when asked by the other) */
    int16_t error;
    bool is_internal;
    int32_t n_partitions;
    metadata_partition_t *partitions;
    int32_t authorized_operations; /* v8+; INT32_MIN when not asked for */
} metadata_topic_t;

typedef struct metadata_req {
    int32_t n_topics; /* -1: all topics (v1+ null array, or v0 empty array) */
    metadata_topic_t *topics;
    bool allow_auto_topic_creation; /* v4+; true below */
    bool include_cluster_authorized_operations; /* v8-10 */
    bool include_topic_authorized_operations;   /* v8+ */
    /* result */
    int32_t cluster_authorized_operations; /* v8-10; INT32_MIN when not asked for */
    int32_t n_brokers;
    metadata_broker_t *brokers;
    const char *cluster_id;
    int32_t controller_id;
    /* For "all topics" the handler fills these (n_topics stays -1). */
    int32_t n_result_topics;
    metadata_topic_t *result_topics;
} metadata_req_t;

bool proto_decode_metadata(buf_reader_t *r, int16_t v, arena_t *a, metadata_req_t *req);
void proto_encode_metadata(buf_writer_t *w, int16_t v, const metadata_req_t *req);

/* ---- Produce (0), v0-9 (flexible from v9) ------------------------------------ */

typedef struct produce_partition {
    int32_t index;
    uint8_t *records; /* mutable: the broker patches offsets in place */
    int32_t records_len; /* -1 for null */
    /* result */
    int16_t error;
    int64_t base_offset;
    int64_t log_append_time;
    int64_t log_start_offset;
    const char *error_message; /* v8+; NULL = null */
} produce_partition_t;

typedef struct produce_topic {
    kstr_t name;
    int32_t n_partitions;
    produce_partition_t *partitions;
} produce_topic_t;

typedef struct produce_req {
    kstr_t transactional_id;
    int16_t acks;
    int32_t timeout_ms;
    int32_t n_topics;
    produce_topic_t *topics;
} produce_req_t;

bool proto_decode_produce(buf_reader_t *r, int16_t v, arena_t *a, produce_req_t *req);
void proto_encode_produce(buf_writer_t *w, int16_t v, const produce_req_t *req);

/* ---- Fetch (1), v4-13 (flexible from v12) ----------------------------------- */

typedef struct fetch_partition {
    int32_t index;
    int32_t current_leader_epoch; /* v9+ */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* v12+; -1 below */
    int64_t log_start_offset; /* v5+ (follower only) */
    int32_t partition_max_bytes;
    /* result */
    int16_t error;
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t result_log_start_offset;
    size_t records_at;  /* offset of this partition's batches in the records buffer */
    size_t records_len;
} fetch_partition_t;

typedef struct fetch_topic {
    kstr_t name;      /* below v13; null from v13 */
    kuuid_t topic_id; /* v13+ (KIP-516) */
    int32_t n_partitions;
    fetch_partition_t *partitions;
} fetch_topic_t;

typedef struct fetch_req {
    int32_t replica_id;
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes; /* v3+ */
    int8_t isolation_level; /* v4+ */
    int32_t session_id; /* v7+ */
    int32_t session_epoch;
    int32_t n_topics;
    fetch_topic_t *topics;
    bool by_id; /* v13+: topics are named by topic_id */
    /* result */
    int16_t error; /* v7+ top level */
} fetch_req_t;

bool proto_decode_fetch(buf_reader_t *r, int16_t v, arena_t *a, fetch_req_t *req);
/* `records` holds the batches every partition points at (records_at/len). */
void proto_encode_fetch(buf_writer_t *w, int16_t v, const fetch_req_t *req, const uint8_t *records);

/* ---- ListOffsets (2), v1-7 (flexible from v6) -------------------------------- */

/* Special timestamps of a ListOffsets partition. */
#define LIST_OFFSETS_LATEST (-1)
#define LIST_OFFSETS_EARLIEST (-2)
#define LIST_OFFSETS_MAX_TIMESTAMP (-3) /* v7+ (KIP-734) */

typedef struct list_offsets_partition {
    int32_t index;
    int32_t current_leader_epoch; /* v4+; -1 below */
    int64_t timestamp;
    int32_t max_num_offsets; /* v0 only; 1 above */
    /* result */
    int16_t error;
    int64_t result_timestamp;
    int64_t offset;
    int32_t leader_epoch; /* v4+ */
} list_offsets_partition_t;

typedef struct list_offsets_topic {
    kstr_t name;
    int32_t n_partitions;
    list_offsets_partition_t *partitions;
} list_offsets_topic_t;

typedef struct list_offsets_req {
    int32_t replica_id;
    int8_t isolation_level; /* v2+ */
    int32_t n_topics;
    list_offsets_topic_t *topics;
} list_offsets_req_t;

/* ---- OffsetForLeaderEpoch (23), v0-3 (not flexible) -------------------------- */

typedef struct epoch_partition {
    int32_t index;
    int32_t current_leader_epoch; /* v2+; -1 below */
    int32_t leader_epoch;
    /* result */
    int16_t error;
    int32_t result_epoch; /* v1+ */
    int64_t end_offset;
} epoch_partition_t;

typedef struct epoch_topic {
    kstr_t name;
    int32_t n_partitions;
    epoch_partition_t *partitions;
} epoch_topic_t;

typedef struct epoch_req {
    int32_t replica_id; /* v3+; -2 (a debugging tool) below, as Kafka reads it */
    int32_t n_topics;
    epoch_topic_t *topics;
} epoch_req_t;

bool proto_decode_offset_for_leader_epoch(buf_reader_t *r, int16_t v, arena_t *a, epoch_req_t *req);
void proto_encode_offset_for_leader_epoch(buf_writer_t *w, int16_t v, const epoch_req_t *req);

bool proto_decode_list_offsets(buf_reader_t *r, int16_t v, arena_t *a, list_offsets_req_t *req);
void proto_encode_list_offsets(buf_writer_t *w, int16_t v, const list_offsets_req_t *req);

/* ---- CreateTopics (19) ------------------------------------------------------ */

typedef struct create_topic_config {
    kstr_t name;
    kstr_t value; /* len -1 = null */
} create_topic_config_t;

typedef struct create_topic {
    kstr_t name;
    int32_t num_partitions;
    int16_t replication_factor;
    int32_t n_assignments;
    int32_t n_configs;
    create_topic_config_t *configs;
    /* result */
    int16_t error;
    const char *error_message; /* arena or static */
    kuuid_t topic_id;                  /* v7+; zero when not created */
    int32_t result_partitions;         /* v5+; -1 when not created */
    int16_t result_replication_factor; /* v5+; -1 when not created */
    int32_t n_result_configs;          /* v5+; -1 = null (not created) */
    struct describe_config_entry *result_configs; /* name, value, read_only, source, is_sensitive */
} create_topic_t;

typedef struct create_topics_req {
    int32_t n_topics;
    create_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only;
} create_topics_req_t;

bool proto_decode_create_topics(buf_reader_t *r, int16_t v, arena_t *a, create_topics_req_t *req);
void proto_encode_create_topics(buf_writer_t *w, int16_t v, const create_topics_req_t *req);

/* ---- DeleteTopics (20) ------------------------------------------------------ */

typedef struct delete_topic {
    kstr_t name;      /* v6+: null when the topic is named by id; the result's name then */
    kuuid_t topic_id; /* v6+: all zero when named by name; the result's id then */
    /* result */
    int16_t error;
    const char *error_message; /* v5+ */
} delete_topic_t;

typedef struct delete_topics_req {
    int32_t n_topics;
    delete_topic_t *topics;
    int32_t timeout_ms;
} delete_topics_req_t;

bool proto_decode_delete_topics(buf_reader_t *r, int16_t v, arena_t *a, delete_topics_req_t *req);
void proto_encode_delete_topics(buf_writer_t *w, int16_t v, const delete_topics_req_t *req);

/* ---- CreatePartitions (37) -------------------------------------------------- */

typedef struct create_partitions_topic {
    kstr_t name;
    int32_t count;
    int32_t n_assignments; /* -1 = null */
    /* result */
    int16_t error;
    const char *error_message;
} create_partitions_topic_t;

typedef struct create_partitions_req {
    int32_t n_topics;
    create_partitions_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only;
} create_partitions_req_t;

bool proto_decode_create_partitions(buf_reader_t *r, int16_t v, arena_t *a,
                                    create_partitions_req_t *req);
void proto_encode_create_partitions(buf_writer_t *w, int16_t v, const create_partitions_req_t *req);

/* ---- DescribeConfigs (32) --------------------------------------------------- */

enum config_resource_type {
    RESOURCE_TOPIC = 2,
    RESOURCE_BROKER = 4,
};

/* Kafka's DescribeConfigsResponse ConfigType (v3+), ConfigDef.Type + 1. */
enum config_entry_type {
    CONFIG_TYPE_UNKNOWN = 0,
    CONFIG_TYPE_BOOLEAN = 1,
    CONFIG_TYPE_STRING = 2,
    CONFIG_TYPE_INT = 3,
    CONFIG_TYPE_SHORT = 4,
    CONFIG_TYPE_LONG = 5,
    CONFIG_TYPE_DOUBLE = 6,
    CONFIG_TYPE_LIST = 7,
    CONFIG_TYPE_CLASS = 8,
    CONFIG_TYPE_PASSWORD = 9,
};

typedef struct describe_config_entry {
    const char *name;
    const char *value; /* NULL = null */
    bool read_only;
    int8_t source;
    bool is_sensitive;
    bool is_default;           /* v0 only */
    int8_t config_type;        /* v3+ */
    const char *documentation; /* v3+, when asked for; NULL = null */
} describe_config_entry_t;

typedef struct describe_configs_resource {
    int8_t type;
    kstr_t name;
    int32_t n_keys; /* -1 = all */
    kstr_t *keys;
    /* result */
    int16_t error;
    const char *error_message;
    int32_t n_entries;
    describe_config_entry_t *entries;
} describe_configs_resource_t;

typedef struct describe_configs_req {
    int32_t n_resources;
    describe_configs_resource_t *resources;
    bool include_synonyms;      /* v1+ */
    bool include_documentation; /* v3+ */
} describe_configs_req_t;

bool proto_decode_describe_configs(buf_reader_t *r, int16_t v, arena_t *a,
                                   describe_configs_req_t *req);
void proto_encode_describe_configs(buf_writer_t *w, int16_t v, const describe_configs_req_t *req);

/* ---- AlterConfigs (33) and IncrementalAlterConfigs (44) ----------------------
 * One request struct for both: AlterConfigs entries carry no operation and
 * decode as SET; the responses have the same layout. */

typedef struct alter_config_entry {
    kstr_t name;
    int8_t op;    /* Kafka's OpType: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT; SET for AlterConfigs */
    kstr_t value; /* len -1 = null */
} alter_config_entry_t;

typedef struct alter_configs_resource {
    int8_t type;
    kstr_t name;
    int32_t n_configs;
    alter_config_entry_t *configs;
    /* result */
    int16_t error;
    const char *error_message;
} alter_configs_resource_t;

typedef struct alter_configs_req {
    int32_t n_resources;
    alter_configs_resource_t *resources;
    bool validate_only;
} alter_configs_req_t;

bool proto_decode_alter_configs(buf_reader_t *r, int16_t v, arena_t *a, alter_configs_req_t *req);
void proto_encode_alter_configs(buf_writer_t *w, int16_t v, const alter_configs_req_t *req);
bool proto_decode_incremental_alter_configs(buf_reader_t *r, int16_t v, arena_t *a, alter_configs_req_t *req);
void proto_encode_incremental_alter_configs(buf_writer_t *w, int16_t v, const alter_configs_req_t *req);

/* ---- DeleteRecords (21) ----------------------------------------------------- */

typedef struct delete_records_partition {
    int32_t index;
    int64_t offset;
    /* result */
    int64_t low_watermark;
    int16_t error;
} delete_records_partition_t;

typedef struct delete_records_topic {
    kstr_t name;
    int32_t n_partitions;
    delete_records_partition_t *partitions;
} delete_records_topic_t;

typedef struct delete_records_req {
    int32_t n_topics;
    delete_records_topic_t *topics;
    int32_t timeout_ms;
} delete_records_req_t;

bool proto_decode_delete_records(buf_reader_t *r, int16_t v, arena_t *a, delete_records_req_t *req);
void proto_encode_delete_records(buf_writer_t *w, int16_t v, const delete_records_req_t *req);

/* ---- InitProducerId (22) ---------------------------------------------------- */

typedef struct init_producer_id_req {
    kstr_t transactional_id;
    int32_t transaction_timeout_ms;
    int64_t current_producer_id;    /* v3+ (KIP-360), -1 below */
    int16_t current_producer_epoch; /* v3+, -1 below */
    /* result */
    int16_t error;
    int64_t producer_id;
    int16_t producer_epoch;
} init_producer_id_req_t;

bool proto_decode_init_producer_id(buf_reader_t *r, int16_t v, arena_t *a,
                                   init_producer_id_req_t *req);
void proto_encode_init_producer_id(buf_writer_t *w, int16_t v, const init_producer_id_req_t *req);

/* ---- FindCoordinator (10), v0-4 (flexible from v3) -------------------------- */

typedef struct find_coordinator_key {
    kstr_t key;
    /* result */
    int16_t error;
    const char *error_message;
    int32_t node_id;
    const char *host;
    int32_t port;
} find_coordinator_key_t;

/* Below v4 a request names one key, which the decoder makes a batch of one;
 * from v4 it names several (KIP-699), each answered on its own. */
typedef struct find_coordinator_req {
    int8_t key_type; /* v1+: 0 group, 1 transaction; for every key */
    int32_t n_keys;
    find_coordinator_key_t *keys;
} find_coordinator_req_t;

bool proto_decode_find_coordinator(buf_reader_t *r, int16_t v, arena_t *a,
                                   find_coordinator_req_t *req);
void proto_encode_find_coordinator(buf_writer_t *w, int16_t v, const find_coordinator_req_t *req);

/* ---- classic group APIs (proto_group.c) -------------------------------------
 * Member metadata and assignments are opaque
 * kstr_t byte slices (len -1 = null); result slices point at handler-owned
 * memory that must outlive the encode call. */

/* ---- OffsetCommit (8), v2-8 (flexible from v8) ---------------------------- */

typedef struct offset_commit_partition {
    int32_t index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+; -1 below */
    kstr_t metadata; /* nullable */
    int16_t error; /* result */
} offset_commit_partition_t;

typedef struct offset_commit_topic {
    kstr_t name;
    int32_t n_partitions;
    offset_commit_partition_t *partitions;
} offset_commit_topic_t;

typedef struct offset_commit_req {
    kstr_t group_id;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id;  /* v7+; nullable, null below */
    int64_t retention_time_ms; /* v2-4; -1 from v5 */
    int32_t n_topics;
    offset_commit_topic_t *topics;
} offset_commit_req_t;

bool proto_decode_offset_commit(buf_reader_t *r, int16_t v, arena_t *a, offset_commit_req_t *req);
void proto_encode_offset_commit(buf_writer_t *w, int16_t v, const offset_commit_req_t *req);

/* ---- OffsetFetch (9), v1-8 (flexible from v6) ----------------------------- */

typedef struct offset_fetch_partition {
    int32_t index;
    /* result */
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v5+ */
    kstr_t metadata; /* nullable */
    int16_t error;
} offset_fetch_partition_t;

typedef struct offset_fetch_topic {
    kstr_t name;
    int32_t n_partitions;
    offset_fetch_partition_t *partitions;
} offset_fetch_topic_t;

typedef struct offset_fetch_group {
    kstr_t group_id;
    /* -1: every committed topic (a null array from v2; from v6 an empty one
     * too, see proto_group.c).  The handler then replaces n_topics/topics
     * with the group's; the encoder writes -1 as empty. */
    int32_t n_topics;
    offset_fetch_topic_t *topics;
    /* result */
    int16_t error; /* v2+ */
} offset_fetch_group_t;

/* Below v8 a request names one group, which the decoder makes a batch of
 * one; from v8 it names several (KIP-709). */
typedef struct offset_fetch_req {
    int32_t n_groups;
    offset_fetch_group_t *groups;
    bool require_stable; /* v7+ */
} offset_fetch_req_t;

bool proto_decode_offset_fetch(buf_reader_t *r, int16_t v, arena_t *a, offset_fetch_req_t *req);
void proto_encode_offset_fetch(buf_writer_t *w, int16_t v, const offset_fetch_req_t *req);

/* ---- JoinGroup (11), v0-9 (flexible from v6) ------------------------------ */

typedef struct join_group_protocol {
    kstr_t name;
    kstr_t metadata;
} join_group_protocol_t;

typedef struct join_group_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* v5+; nullable */
    kstr_t metadata;
} join_group_member_t;

typedef struct join_group_req {
    kstr_t group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+; the session timeout at v0 */
    kstr_t member_id;
    kstr_t group_instance_id; /* v5+; null below */
    kstr_t protocol_type;
    int32_t n_protocols;
    join_group_protocol_t *protocols;
    kstr_t reason; /* v8+; nullable, null below */
    /* result */
    int16_t error;
    int32_t generation_id;
    kstr_t result_protocol_type; /* v7+; nullable */
    kstr_t protocol_name; /* nullable from v7; null goes out as "" below */
    kstr_t leader;
    kstr_t result_member_id;
    int32_t n_members; /* the leader's response only */
    join_group_member_t *members;
} join_group_req_t;

bool proto_decode_join_group(buf_reader_t *r, int16_t v, arena_t *a, join_group_req_t *req);
void proto_encode_join_group(buf_writer_t *w, int16_t v, const join_group_req_t *req);

/* ---- Heartbeat (12), v0-4 (flexible from v4) ------------------------------ */

typedef struct heartbeat_req {
    kstr_t group_id;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id; /* v3+; null below */
    int16_t error; /* result */
} heartbeat_req_t;

bool proto_decode_heartbeat(buf_reader_t *r, int16_t v, arena_t *a, heartbeat_req_t *req);
void proto_encode_heartbeat(buf_writer_t *w, int16_t v, const heartbeat_req_t *req);

/* ---- LeaveGroup (13), v0-5 (flexible from v4) ----------------------------- */

typedef struct leave_group_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* nullable */
    kstr_t reason;            /* v5+; nullable, null below */
    int16_t error;            /* result */
} leave_group_member_t;

/* v0-2 name one member by MemberId; v3+ a batch (KIP-345).  The decoder
 * gives v0-2 a batch of one, so the handler sees one shape; the encoder
 * writes only the top-level error there, which the handler makes the
 * member's. */
typedef struct leave_group_req {
    kstr_t group_id;
    int32_t n_members;
    leave_group_member_t *members;
    int16_t error; /* result */
} leave_group_req_t;

bool proto_decode_leave_group(buf_reader_t *r, int16_t v, arena_t *a, leave_group_req_t *req);
void proto_encode_leave_group(buf_writer_t *w, int16_t v, const leave_group_req_t *req);

/* ---- SyncGroup (14), v0-5 (flexible from v4) ------------------------------ */

typedef struct sync_group_assignment {
    kstr_t member_id;
    kstr_t assignment;
} sync_group_assignment_t;

typedef struct sync_group_req {
    kstr_t group_id;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id; /* v3+; null below */
    kstr_t protocol_type;     /* v5+; nullable, null below */
    kstr_t protocol_name;     /* v5+; nullable, null below */
    int32_t n_assignments; /* the leader's request only */
    sync_group_assignment_t *assignments;
    /* result */
    int16_t error;
    kstr_t result_protocol_type; /* v5+; nullable */
    kstr_t result_protocol_name; /* v5+; nullable */
    kstr_t assignment;
} sync_group_req_t;

bool proto_decode_sync_group(buf_reader_t *r, int16_t v, arena_t *a, sync_group_req_t *req);
void proto_encode_sync_group(buf_writer_t *w, int16_t v, const sync_group_req_t *req);

/* ---- DescribeGroups (15), v0-5 (flexible from v5) ------------------------- */

typedef struct describe_group_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* v4+; nullable */
    kstr_t client_id;
    kstr_t client_host;
    kstr_t metadata;
    kstr_t assignment;
} describe_group_member_t;

typedef struct describe_group {
    kstr_t group_id;
    /* result */
    int16_t error;
    const char *state;
    const char *protocol_type;
    const char *protocol_data;
    int32_t n_members;
    describe_group_member_t *members;
    int32_t authorized_operations; /* v3+; INT32_MIN when not asked for */
} describe_group_t;

typedef struct describe_groups_req {
    int32_t n_groups;
    describe_group_t *groups;
    bool include_authorized_operations; /* v3+ */
} describe_groups_req_t;

bool proto_decode_describe_groups(buf_reader_t *r, int16_t v, arena_t *a, describe_groups_req_t *req);
void proto_encode_describe_groups(buf_writer_t *w, int16_t v, const describe_groups_req_t *req);

/* ---- ListGroups (16), v0-4 (flexible from v3) ----------------------------- */

typedef struct list_groups_entry {
    kstr_t group_id;
    kstr_t protocol_type;
    kstr_t group_state; /* v4+ (KIP-518) */
} list_groups_entry_t;

typedef struct list_groups_req {
    int32_t n_states_filter; /* v4+; 0: every state */
    kstr_t *states_filter;
    /* result */
    int16_t error;
    int32_t n_groups;
    list_groups_entry_t *groups;
} list_groups_req_t;

bool proto_decode_list_groups(buf_reader_t *r, int16_t v, arena_t *a, list_groups_req_t *req);
void proto_encode_list_groups(buf_writer_t *w, int16_t v, const list_groups_req_t *req);

/* ---- DeleteGroups (42), v0-2 (flexible from v2) ----------------------------- */

typedef struct delete_group {
    kstr_t group_id;
    int16_t error; /* result */
} delete_group_t;

typedef struct delete_groups_req {
    int32_t n_groups;
    delete_group_t *groups;
} delete_groups_req_t;

bool proto_decode_delete_groups(buf_reader_t *r, int16_t v, arena_t *a, delete_groups_req_t *req);
void proto_encode_delete_groups(buf_writer_t *w, int16_t v, const delete_groups_req_t *req);

/* ---- OffsetDelete (47), v0 (KIP-496) ---------------------------------------- */

typedef struct offset_delete_partition {
    int32_t index;
    int16_t error; /* result */
} offset_delete_partition_t;

typedef struct offset_delete_topic {
    kstr_t name;
    int32_t n_partitions;
    offset_delete_partition_t *partitions;
} offset_delete_topic_t;

typedef struct offset_delete_req {
    kstr_t group_id;
    int32_t n_topics;
    offset_delete_topic_t *topics;
    /* result: a group-level error answers with no topics, as Kafka does */
    int16_t error;
} offset_delete_req_t;

bool proto_decode_offset_delete(buf_reader_t *r, int16_t v, arena_t *a, offset_delete_req_t *req);
void proto_encode_offset_delete(buf_writer_t *w, int16_t v, const offset_delete_req_t *req);

#endif
