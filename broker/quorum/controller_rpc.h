/*
 * controller_rpc.h - Kafka's BrokerRegistration (API 62) and
 * BrokerHeartbeat (API 63), version 0, the requests a broker sends the
 * active controller on its controller listener (KIP-631).
 *
 * Frames are Kafka's: an int32 size, then a request header v2 (api key,
 * version, correlation id, client id as a nullable int16 string, tagged
 * fields) and the body; a response is the size, a response header v1
 * (correlation id, tagged fields) and the body.  Both APIs are flexible
 * from version 0: compact strings and arrays, tagged fields.
 *
 *   BrokerRegistrationRequest v0: BrokerId int32, ClusterId string,
 *     IncarnationId uuid, Listeners [Name, Host, Port uint16,
 *     SecurityProtocol int16], Features [Name, Min int16, Max int16],
 *     Rack nullable string
 *   BrokerRegistrationResponse v0: ThrottleTimeMs int32, ErrorCode int16,
 *     BrokerEpoch int64
 *   BrokerHeartbeatRequest v0: BrokerId int32, BrokerEpoch int64,
 *     CurrentMetadataOffset int64, WantFence bool, WantShutDown bool
 *   BrokerHeartbeatResponse v0: ThrottleTimeMs int32, ErrorCode int16,
 *     IsCaughtUp bool, IsFenced bool, ShouldShutDown bool
 *
 * and AlterPartition (API 56, version 2, flexible), which a partition's
 * leader sends to change its ISR (KIP-497):
 *
 *   AlterPartitionRequest v2: BrokerId int32, BrokerEpoch int64,
 *     Topics [TopicId uuid, Partitions [PartitionIndex int32,
 *     LeaderEpoch int32, NewIsr [int32], LeaderRecoveryState int8,
 *     PartitionEpoch int32]]
 *   AlterPartitionResponse v2: ThrottleTimeMs int32, ErrorCode int16,
 *     Topics [TopicId uuid, Partitions [PartitionIndex int32,
 *     ErrorCode int16, LeaderId int32, LeaderEpoch int32, Isr [int32],
 *     LeaderRecoveryState int8, PartitionEpoch int32]]
 *
 * connectd adds one tagged field of its own to the registration, tag
 * CTRL_RPC_TAG_VOTERS (Kafka's readers skip unknown tags): the sender's
 * controller.quorum.voters, so a broker whose voter list disagrees with
 * the controllers' is refused with a message that shows both.
 *
 * Pure functions: @locality any thread, @locks none.
 */
#ifndef CONNECTD_CONTROLLER_RPC_H
#define CONNECTD_CONTROLLER_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metadata/metadata_records.h"
#include "protocol/arena.h"
#include "protocol/buf.h"

#define CTRL_RPC_ALTER_PARTITION 56
#define CTRL_RPC_ALTER_PARTITION_VERSION 2
#define CTRL_RPC_BROKER_REGISTRATION 62
#define CTRL_RPC_BROKER_HEARTBEAT 63
/* connectd's tagged field of BrokerRegistrationRequest: the voters. */
#define CTRL_RPC_TAG_VOTERS 10000

typedef struct ctrl_registration {
    int32_t broker_id;
    const char *cluster_id;
    kuuid_t incarnation_id;
    const meta_endpoint_t *listeners;
    int32_t n_listeners;
    const char *rack;   /* NULL: null */
    const char *voters; /* NULL: not sent */
} ctrl_registration_t;

typedef struct ctrl_heartbeat {
    int32_t broker_id;
    int64_t broker_epoch;
    int64_t current_metadata_offset;
    bool want_fence;
    bool want_shut_down;
} ctrl_heartbeat_t;

/* AlterPartition v2 for one partition (connectd's leaders send one at a
 * time; a request with several topics or partitions is refused). */
typedef struct ctrl_alter_partition {
    int32_t broker_id;
    int64_t broker_epoch;
    kuuid_t topic_id;
    int32_t partition;
    int32_t leader_epoch;
    const int32_t *new_isr;
    int32_t n_new_isr;
    int32_t partition_epoch;
} ctrl_alter_partition_t;

typedef struct ctrl_alter_partition_result {
    int16_t error_code; /* top level */
    kuuid_t topic_id;
    int32_t partition;
    int16_t partition_error_code;
    int32_t leader_id;
    int32_t leader_epoch;
    const int32_t *isr; /* in the decoder's arena */
    int32_t n_isr;
    int32_t partition_epoch;
} ctrl_alter_partition_result_t;

typedef struct ctrl_registration_result {
    int16_t error_code;
    int64_t broker_epoch;
} ctrl_registration_result_t;

typedef struct ctrl_heartbeat_result {
    int16_t error_code;
    bool is_caught_up;
    bool is_fenced;
    bool should_shut_down;
} ctrl_heartbeat_result_t;

/* A decoded request: the header, and the body of its api_key. */
typedef struct ctrl_request {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    union {
        ctrl_registration_t registration;
        ctrl_heartbeat_t heartbeat;
        ctrl_alter_partition_t alter_partition;
    };
} ctrl_request_t;

/* Appends a whole request frame (size included). */
void ctrl_rpc_encode_registration(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                                  const ctrl_registration_t *reg);
void ctrl_rpc_encode_heartbeat(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                               const ctrl_heartbeat_t *hb);

void ctrl_rpc_encode_alter_partition(buf_writer_t *w, int32_t correlation_id, const char *client_id,
                                     const ctrl_alter_partition_t *ap);

/* Decodes a request frame's contents (after the size).  Strings and arrays
 * live in `arena`.  false with errstr on a malformed request, an API other
 * than 62 and 63 (version 0) and 56 (version 2). */
bool ctrl_rpc_decode_request(const void *data, size_t len, arena_t *arena, ctrl_request_t *req, char *errstr,
                             size_t errstr_size);

/* Appends a whole response frame (size included). */
void ctrl_rpc_encode_registration_result(buf_writer_t *w, int32_t correlation_id,
                                         const ctrl_registration_result_t *res);
void ctrl_rpc_encode_heartbeat_result(buf_writer_t *w, int32_t correlation_id, const ctrl_heartbeat_result_t *res);
void ctrl_rpc_encode_alter_partition_result(buf_writer_t *w, int32_t correlation_id,
                                            const ctrl_alter_partition_result_t *res);

/* Decodes a response frame's contents (after the size); false on a
 * malformed one.  *correlation_id is the header's. */
bool ctrl_rpc_decode_registration_result(const void *data, size_t len, int32_t *correlation_id,
                                         ctrl_registration_result_t *res);
bool ctrl_rpc_decode_heartbeat_result(const void *data, size_t len, int32_t *correlation_id,
                                      ctrl_heartbeat_result_t *res);
bool ctrl_rpc_decode_alter_partition_result(const void *data, size_t len, arena_t *arena, int32_t *correlation_id,
                                            ctrl_alter_partition_result_t *res);

#endif
