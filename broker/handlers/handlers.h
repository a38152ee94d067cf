/*
 * handlers.h - the request handlers: decode, act on topics and logs, encode.
 *
 * Each handler runs on the network thread of the request's connection, takes
 * the locks it needs (registry, partition, coordinator: broker.h) around what
 * it touches, and returns the server's verdict (server.h).  A body that does
 * not decode returns REQ_CLOSE after logging, as Kafka closes on an
 * unparseable request.
 */
#ifndef CONNECTD_HANDLERS_H
#define CONNECTD_HANDLERS_H

#include <string.h>

#include "config/broker_config.h"
#include "group/coordinator.h"
#include "net/server.h"
#include "quorum/quorum.h"
#include "topics/topics.h"

typedef struct broker_metrics broker_metrics_t; /* broker_metrics.h */
typedef struct sasl_server sasl_server_t;       /* sasl.h */

/* What every handler may use; owned by broker.c, filled in by broker_create
 * before any request is served and read-only after. */
typedef struct broker_ctx {
    const broker_config_t *cfg;
    topics_t *topics;
    coordinator_t *coord;
    server_t *server;
    const char *cluster_id;
    const char *advertised_host; /* NULL: the address the client connected to */
    int advertised_port;
    broker_metrics_t *stats;
    quorum_t *quorum; /* NULL on a single node (no process.roles) */
    sasl_server_t *sasl; /* the SASL listener's; NULL on PLAINTEXT and SSL listeners */
} broker_ctx_t;

/* A handler decodes the request body, acts, and encodes the response into
 * req->resp; a body that does not decode gives handler_bad_request(). */
typedef req_result_t(handler_fn)(broker_ctx_t *ctx, kreq_t *req);

/* The handler of API `key` (handlers.c), or NULL if the broker does not
 * speak it.  Its keys are exactly those of the API table (protocol/api.h),
 * which holds the versions; test_handlers checks both lists match.
 * @locality any thread  @locks none */
handler_fn *handler_find(int16_t key);

/*
 * One handler per API, found by handler_find.
 * @locality the network thread that read `req` (the server's dispatch);
 *           parked requests are rechecked on that thread too
 * @locks none held on entry or on return, also when parking; inside, in
 *        the order of broker.h:
 *   - ApiVersions, FindCoordinator: none;
 *   - Metadata, DescribeConfigs: the registry read lock;
 *   - Produce, Fetch, ListOffsets, DeleteRecords: the registry read lock,
 *     and one partition lock at a time under it; DeleteRecords then, with
 *     both released, takes topics_write_checkpoints' locks;
 *   - Metadata and Produce drop the read lock to auto-create a topic (the
 *     registry write lock);
 *   - CreateTopics, CreatePartitions: the registry write lock; DeleteTopics
 *     also the checkpoint lock and partition locks under it; CreateTopics
 *     and DeleteTopics also the registry read lock, before or after;
 *   - AlterConfigs, IncrementalAlterConfigs: the registry write lock and
 *     partition locks under it;
 *   - InitProducerId: the producer-id lock;
 *   - Heartbeat, OffsetFetch, DescribeGroups, ListGroups: the coordinator
 *     lock;
 *   - in a cluster (handle_cluster.h), the image lock alone in Metadata,
 *     CreateTopics, DeleteTopics and the AlterConfigs, and under the
 *     registry read lock in Produce and Fetch; CreateTopics and the
 *     AlterConfigs park until the quorum has applied their records;
 *   - JoinGroup, SyncGroup, LeaveGroup, OffsetCommit, DeleteGroups,
 *     OffsetDelete: the coordinator lock, and under it the registry and a
 *     partition lock when they append to __consumer_offsets; OffsetCommit
 *     and OffsetDelete first check the partitions under the registry read
 *     lock alone.
 */
req_result_t handle_api_versions(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_metadata(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_find_coordinator(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_produce(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_fetch(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_list_offsets(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_offset_for_leader_epoch(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_create_topics(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_delete_topics(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_create_partitions(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_describe_configs(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_alter_configs(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_incremental_alter_configs(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_delete_records(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_init_producer_id(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_join_group(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_sync_group(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_heartbeat(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_leave_group(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_offset_commit(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_offset_fetch(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_describe_groups(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_list_groups(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_delete_groups(broker_ctx_t *ctx, kreq_t *req);
req_result_t handle_offset_delete(broker_ctx_t *ctx, kreq_t *req);

/* Logs "closing connection from <peer>: <Api> v<N> request body does not
 * parse (<n> bytes)" and returns REQ_CLOSE.
 * @locality the network thread that read `req`  @locks none */
req_result_t handler_bad_request(kreq_t *req);

/* ---- copies into the request's arena -----------------------------------------
 * What a handler answers from coordinator or topic state must outlive the
 * lock it read it under, and what it hands them from a frame must be
 * NUL-terminated: these copy into req->arena, which lives as long as the
 * request. */

/* `len` bytes as a NUL-terminated kstr_t; `data` may be NULL when len is 0. */
static inline kstr_t handler_bytes(kreq_t *req, const void *data, size_t len)
{
    char *copy = arena_alloc(req->arena, len + 1); /* zeroed: the NUL is there */
    if (len) {
        memcpy(copy, data, len);
    }
    return (kstr_t){copy, (int32_t)len};
}

/* A C string as a kstr_t; NULL gives a null string (len -1). */
static inline kstr_t handler_kstr(kreq_t *req, const char *s)
{
    return s ? handler_bytes(req, s, strlen(s)) : (kstr_t){NULL, -1};
}

/* A decoded string as a C string; NULL for a null string (len -1). */
static inline const char *handler_cstr(kreq_t *req, kstr_t s)
{
    return s.len < 0 ? NULL : handler_bytes(req, s.ptr, (size_t)s.len).ptr;
}


#endif
