/* api.c - the advertised API table; see api.h. */
#include "api.h"

#include <stddef.h>

static const api_range_t supported[] = {
    /* Produce from v0, not v3 as reference §0 suggests: librdkafka <= 2.11
     * enables gzip, snappy and lz4 only if Produce v0 is in range
     * (rdkafka_msgset_writer.c asks ApiVersion_supported(Produce, 0, 0)).
     * v0-v2 requests carry old message formats, which are refused per
     * partition with UNSUPPORTED_FOR_MESSAGE_FORMAT. */
    {API_PRODUCE, 0, 7},
    {API_FETCH, 4, 11},
    {API_LIST_OFFSETS, 1, 2},
    {API_METADATA, 0, 4},
    {API_OFFSET_COMMIT, 2, 5},
    {API_OFFSET_FETCH, 1, 4},
    {API_FIND_COORDINATOR, 0, 2},
    {API_JOIN_GROUP, 0, 5},
    {API_HEARTBEAT, 0, 3},
    {API_LEAVE_GROUP, 0, 1},
    {API_SYNC_GROUP, 0, 3},
    {API_DESCRIBE_GROUPS, 0, 2},
    {API_LIST_GROUPS, 0, 2},
    {API_API_VERSIONS, 0, 3},
    {API_CREATE_TOPICS, 2, 4},
    {API_DELETE_TOPICS, 0, 1},
    {API_DELETE_RECORDS, 0, 1},
    {API_INIT_PRODUCER_ID, 0, 1},
    {API_DESCRIBE_CONFIGS, 1, 2},
    {API_CREATE_PARTITIONS, 0, 1},
    {API_DELETE_GROUPS, 0, 1},
    {API_OFFSET_DELETE, 0, 0},
};

#define N_SUPPORTED ((int)(sizeof(supported) / sizeof(supported[0])))

/* First flexible version of each API we may see a header for (AK schemas'
 * "flexibleVersions"); only ApiVersions v3+ falls inside our ranges, but the
 * header of a too-new request must still be parsed to answer or close. */
static const struct {
    int16_t key;
    int16_t first_flexible;
    const char *name;
} api_info[] = {
    {API_PRODUCE, 9, "Produce"},
    {API_FETCH, 12, "Fetch"},
    {API_LIST_OFFSETS, 6, "ListOffsets"},
    {API_METADATA, 9, "Metadata"},
    {API_OFFSET_COMMIT, 8, "OffsetCommit"},
    {API_OFFSET_FETCH, 6, "OffsetFetch"},
    {API_FIND_COORDINATOR, 3, "FindCoordinator"},
    {API_JOIN_GROUP, 6, "JoinGroup"},
    {API_HEARTBEAT, 4, "Heartbeat"},
    {API_LEAVE_GROUP, 4, "LeaveGroup"},
    {API_SYNC_GROUP, 4, "SyncGroup"},
    {API_DESCRIBE_GROUPS, 5, "DescribeGroups"},
    {API_LIST_GROUPS, 3, "ListGroups"},
    {API_API_VERSIONS, 3, "ApiVersions"},
    {API_CREATE_TOPICS, 5, "CreateTopics"},
    {API_DELETE_TOPICS, 4, "DeleteTopics"},
    {API_DELETE_RECORDS, 2, "DeleteRecords"},
    {API_INIT_PRODUCER_ID, 2, "InitProducerId"},
    {API_DESCRIBE_CONFIGS, 4, "DescribeConfigs"},
    {API_CREATE_PARTITIONS, 2, "CreatePartitions"},
    {API_DELETE_GROUPS, 2, "DeleteGroups"},
    {API_OFFSET_DELETE, INT16_MAX, "OffsetDelete"}, /* never flexible */
};

const api_range_t *api_supported(int *n)
{
    *n = N_SUPPORTED;
    return supported;
}

const api_range_t *api_find(int16_t key)
{
    for (int i = 0; i < N_SUPPORTED; i++) {
        if (supported[i].key == key) {
            return &supported[i];
        }
    }
    return NULL;
}

bool api_is_flexible(int16_t key, int16_t version)
{
    for (size_t i = 0; i < sizeof(api_info) / sizeof(api_info[0]); i++) {
        if (api_info[i].key == key) {
            return version >= api_info[i].first_flexible;
        }
    }
    return false;
}

const char *api_name(int16_t key)
{
    for (size_t i = 0; i < sizeof(api_info) / sizeof(api_info[0]); i++) {
        if (api_info[i].key == key) {
            return api_info[i].name;
        }
    }
    return "Unknown";
}
