/*
 * handlers.c - the dispatch table: the handler of each API, indexed by API
 * key as librdkafka's mock broker indexes its handlers.
 *
 * It holds no versions: those are in the API table (protocol/api.c), the one
 * list ApiVersions advertises and the dispatcher (broker.c) checks against.
 * That table sits below the handlers, so their functions cannot be in its
 * rows; instead test_handlers checks that the keys here are exactly the
 * keys there.
 */
#include "handlers.h"

static handler_fn *const handlers[] = {
    [API_PRODUCE] = handle_produce,
    [API_FETCH] = handle_fetch,
    [API_LIST_OFFSETS] = handle_list_offsets,
    [API_OFFSET_FOR_LEADER_EPOCH] = handle_offset_for_leader_epoch,
    [API_METADATA] = handle_metadata,
    [API_OFFSET_COMMIT] = handle_offset_commit,
    [API_OFFSET_FETCH] = handle_offset_fetch,
    [API_FIND_COORDINATOR] = handle_find_coordinator,
    [API_JOIN_GROUP] = handle_join_group,
    [API_HEARTBEAT] = handle_heartbeat,
    [API_LEAVE_GROUP] = handle_leave_group,
    [API_SYNC_GROUP] = handle_sync_group,
    [API_DESCRIBE_GROUPS] = handle_describe_groups,
    [API_LIST_GROUPS] = handle_list_groups,
    [API_API_VERSIONS] = handle_api_versions,
    [API_CREATE_TOPICS] = handle_create_topics,
    [API_DELETE_TOPICS] = handle_delete_topics,
    [API_DELETE_RECORDS] = handle_delete_records,
    [API_INIT_PRODUCER_ID] = handle_init_producer_id,
    [API_DESCRIBE_CONFIGS] = handle_describe_configs,
    [API_ALTER_CONFIGS] = handle_alter_configs,
    [API_CREATE_PARTITIONS] = handle_create_partitions,
    [API_DELETE_GROUPS] = handle_delete_groups,
    [API_INCREMENTAL_ALTER_CONFIGS] = handle_incremental_alter_configs,
    [API_OFFSET_DELETE] = handle_offset_delete,
};

handler_fn *handler_find(int16_t key)
{
    if (key < 0 || (size_t)key >= sizeof(handlers) / sizeof(handlers[0])) {
        return NULL;
    }
    return handlers[key];
}
