/*
 * kerr.h - the one error enum of the broker.
 *
 * Values >= 0 are Apache Kafka protocol error codes and keep their numbers, so
 * a handler can put a kerr_t straight into a response.  Values < -1 are local
 * errors that never travel on the wire (-1 is Kafka's UNKNOWN_SERVER_ERROR).
 * The names, messages and retriability all come from the single table below
 * (the libuv UV_ERRNO_MAP pattern), so kerr_name() and kerr_str() can never
 * drift from the enum.
 *
 * Pure functions over a constant table: @locality any thread, @locks none.
 */
#ifndef CONNECTD_KERR_H
#define CONNECTD_KERR_H

#include <stdbool.h>

/*     name                                code retriable  message */
#define KERR_MAP(X)                                                                        \
    X(IO,                                  -10, false, "local I/O error")                   \
    X(NOMEM,                               -9,  false, "out of memory")                     \
    X(TRUNCATED,                           -8,  false, "buffer truncated")                  \
    X(UNKNOWN_SERVER_ERROR,                -1,  false, "unknown server error")              \
    X(NONE,                                0,   false, "success")                           \
    X(OFFSET_OUT_OF_RANGE,                 1,   false, "offset out of range")               \
    X(CORRUPT_MESSAGE,                     2,   true,  "corrupt message (CRC mismatch)")    \
    X(UNKNOWN_TOPIC_OR_PARTITION,          3,   true,  "unknown topic or partition")        \
    X(INVALID_FETCH_SIZE,                  4,   false, "invalid fetch size")                \
    X(LEADER_NOT_AVAILABLE,                5,   true,  "leader not available")              \
    X(NOT_LEADER_OR_FOLLOWER,              6,   true,  "not leader or follower")            \
    X(REQUEST_TIMED_OUT,                   7,   true,  "request timed out")                 \
    X(BROKER_NOT_AVAILABLE,                8,   false, "broker not available")              \
    X(REPLICA_NOT_AVAILABLE,               9,   true,  "replica not available")             \
    X(MESSAGE_TOO_LARGE,                   10,  false, "message too large")                 \
    X(OFFSET_METADATA_TOO_LARGE,           12,  false, "offset metadata too large")         \
    X(NETWORK_EXCEPTION,                   13,  true,  "network exception")                 \
    X(COORDINATOR_LOAD_IN_PROGRESS,        14,  true,  "coordinator load in progress")      \
    X(COORDINATOR_NOT_AVAILABLE,           15,  true,  "coordinator not available")         \
    X(NOT_COORDINATOR,                     16,  true,  "not coordinator")                   \
    X(INVALID_TOPIC_EXCEPTION,             17,  false, "invalid topic")                     \
    X(RECORD_LIST_TOO_LARGE,               18,  false, "record list too large")             \
    X(NOT_ENOUGH_REPLICAS,                 19,  true,  "not enough replicas")               \
    X(NOT_ENOUGH_REPLICAS_AFTER_APPEND,    20,  true,  "not enough replicas after append")  \
    X(INVALID_REQUIRED_ACKS,               21,  false, "invalid required acks")             \
    X(ILLEGAL_GENERATION,                  22,  false, "illegal generation")                \
    X(INCONSISTENT_GROUP_PROTOCOL,         23,  false, "inconsistent group protocol")       \
    X(INVALID_GROUP_ID,                    24,  false, "invalid group id")                  \
    X(UNKNOWN_MEMBER_ID,                   25,  false, "unknown member id")                 \
    X(INVALID_SESSION_TIMEOUT,             26,  false, "invalid session timeout")           \
    X(REBALANCE_IN_PROGRESS,               27,  false, "rebalance in progress")             \
    X(INVALID_COMMIT_OFFSET_SIZE,          28,  false, "invalid commit offset size")        \
    X(INVALID_TIMESTAMP,                   32,  false, "invalid timestamp")                 \
    X(UNSUPPORTED_VERSION,                 35,  false, "unsupported version")               \
    X(TOPIC_ALREADY_EXISTS,                36,  false, "topic already exists")              \
    X(INVALID_PARTITIONS,                  37,  false, "invalid partitions")                \
    X(INVALID_REPLICATION_FACTOR,          38,  false, "invalid replication factor")        \
    X(INVALID_REPLICA_ASSIGNMENT,          39,  false, "invalid replica assignment")        \
    X(INVALID_CONFIG,                      40,  false, "invalid config")                    \
    X(NOT_CONTROLLER,                      41,  true,  "not controller")                    \
    X(INVALID_REQUEST,                     42,  false, "invalid request")                   \
    X(UNSUPPORTED_FOR_MESSAGE_FORMAT,      43,  false, "unsupported for message format")    \
    X(POLICY_VIOLATION,                    44,  false, "policy violation")                  \
    X(OUT_OF_ORDER_SEQUENCE_NUMBER,        45,  false, "out of order sequence number")      \
    X(DUPLICATE_SEQUENCE_NUMBER,           46,  false, "duplicate sequence number")         \
    X(INVALID_PRODUCER_EPOCH,              47,  false, "invalid producer epoch")            \
    X(INVALID_TXN_STATE,                   48,  false, "invalid transaction state")         \
    X(INVALID_PRODUCER_ID_MAPPING,         49,  false, "invalid producer id mapping")       \
    X(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 53, false, "transactional id authorization failed") \
    X(KAFKA_STORAGE_ERROR,                 56,  true,  "storage error")                     \
    X(UNKNOWN_PRODUCER_ID,                 59,  false, "unknown producer id")               \
    X(NON_EMPTY_GROUP,                     68,  false, "group is not empty")                \
    X(GROUP_ID_NOT_FOUND,                  69,  false, "group id not found")                \
    X(TOPIC_DELETION_DISABLED,             73,  false, "topic deletion is disabled")        \
    X(FENCED_LEADER_EPOCH,                 74,  true,  "fenced leader epoch")               \
    X(UNKNOWN_LEADER_EPOCH,                75,  true,  "unknown leader epoch")              \
    X(UNSUPPORTED_COMPRESSION_TYPE,        76,  false, "unsupported compression type")      \
    X(STALE_BROKER_EPOCH,                  77,  false, "stale broker epoch")                \
    X(MEMBER_ID_REQUIRED,                  79,  false, "member id required")                \
    X(GROUP_MAX_SIZE_REACHED,              81,  false, "group max size reached")            \
    X(FENCED_INSTANCE_ID,                  82,  false, "fenced instance id")                \
    X(GROUP_SUBSCRIBED_TO_TOPIC,           86,  false, "group is subscribed to the topic")  \
    X(INVALID_RECORD,                      87,  false, "invalid record") \
    X(INCONSISTENT_VOTER_SET,              94,  false, "inconsistent voter set")            \
    X(INVALID_UPDATE_VERSION,              95,  false, "invalid update version")            \
    X(UNKNOWN_TOPIC_ID,                    100, true,  "unknown topic id")                  \
    X(DUPLICATE_BROKER_REGISTRATION,       101, false, "duplicate broker registration")     \
    X(INCONSISTENT_CLUSTER_ID,             104, false, "inconsistent cluster id")           \
    X(INELIGIBLE_REPLICA,                  107, false, "ineligible replica")

typedef enum kerr {
#define KERR_ENUM(name, code, retriable, msg) KERR_##name = code,
    KERR_MAP(KERR_ENUM)
#undef KERR_ENUM
} kerr_t;

/* "UNKNOWN_TOPIC_OR_PARTITION"; "UNKNOWN(1234)" style names are never returned:
 * an unlisted code yields "UNKNOWN_CODE".  Static storage. */
const char *kerr_name(kerr_t err);
/* Human-readable, lower-case message.  Static storage. */
const char *kerr_str(kerr_t err);
/* Whether the client may succeed by retrying the same request. */
bool kerr_is_retriable(kerr_t err);

#endif
