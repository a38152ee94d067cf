/* api.c - the API table; see api.h. */
#include "api.h"

/* First flexible versions are the AK schemas' "flexibleVersions" (KIP-482),
 * also for APIs whose range stops below them: the header of a too-new
 * request must still be parsed to answer or close. */
static const api_t supported[] = {
    /* key                     name                min max first flexible */
    /* Produce from v0, not v3 as reference §0 suggests: librdkafka <= 2.11
     * enables gzip, snappy and lz4 only if Produce v0 is in range
     * (rdkafka_msgset_writer.c asks ApiVersion_supported(Produce, 0, 0)).
     * v0-v2 requests may carry message sets of magic 0 or 1, converted to
     * v2 batches as Kafka does (legacy_records.h). */
    {API_PRODUCE,              "Produce",          0,  9,  9},
    /* Fetch v0-v3 and ListOffsets v0: what librdkafka's fallback to a 0.9
     * or 0.10 broker sends; Fetch below v4 answers with magic 0 or 1. */
    {API_FETCH,                "Fetch",            0,  13, 12},
    {API_LIST_OFFSETS,         "ListOffsets",      0,  7,  6},
    {API_METADATA,             "Metadata",         0,  12, 9},
    {API_OFFSET_COMMIT,        "OffsetCommit",     2,  8,  8},
    {API_OFFSET_FETCH,         "OffsetFetch",      1,  8,  6},
    {API_FIND_COORDINATOR,     "FindCoordinator",  0,  4,  3},
    {API_JOIN_GROUP,           "JoinGroup",        0,  9,  6},
    {API_HEARTBEAT,            "Heartbeat",        0,  4,  4},
    {API_LEAVE_GROUP,          "LeaveGroup",       0,  5,  4},
    {API_SYNC_GROUP,           "SyncGroup",        0,  5,  4},
    {API_DESCRIBE_GROUPS,      "DescribeGroups",   0,  5,  5},
    {API_LIST_GROUPS,          "ListGroups",       0,  4,  3},
    {API_API_VERSIONS,         "ApiVersions",      0,  3,  3},
    {API_CREATE_TOPICS,        "CreateTopics",     2,  7,  5},
    {API_DELETE_TOPICS,        "DeleteTopics",     0,  6,  4},
    {API_DELETE_RECORDS,       "DeleteRecords",    0,  2,  2},
    {API_INIT_PRODUCER_ID,     "InitProducerId",   0,  4,  2},
    /* A follower of a new leader asks where its epoch ended (KIP-101),
     * and consumers validate their position after a leader change
     * (KIP-320). */
    {API_OFFSET_FOR_LEADER_EPOCH, "OffsetForLeaderEpoch", 0, 3, 4},
    {API_DESCRIBE_CONFIGS,     "DescribeConfigs",  1,  4,  4},
    {API_ALTER_CONFIGS,        "AlterConfigs",     0,  2,  2},
    {API_CREATE_PARTITIONS,    "CreatePartitions", 0,  3,  2},
    {API_DELETE_GROUPS,        "DeleteGroups",     0,  2,  2},
    {API_INCREMENTAL_ALTER_CONFIGS, "IncrementalAlterConfigs", 0, 1, 1},
    {API_OFFSET_DELETE,        "OffsetDelete",     0,  0,  API_NEVER_FLEXIBLE},
};

#define N_SUPPORTED ((int)(sizeof(supported) / sizeof(supported[0])))

/* Served and advertised on SASL listeners only (handlers/sasl.h), so that
 * PLAINTEXT and SSL listeners answer ApiVersions as they always have.
 * SaslHandshake's range starts at v0 because librdkafka requires it to, but
 * a v0 handshake (raw SASL tokens after it instead of SaslAuthenticate) is
 * answered UNSUPPORTED_VERSION (sasl.c). */
static const api_t sasl_only[] = {
    {API_SASL_HANDSHAKE,       "SaslHandshake",    0,  1,  API_NEVER_FLEXIBLE},
    {API_SASL_AUTHENTICATE,    "SaslAuthenticate", 0,  2,  2},
    {API_DESCRIBE_USER_SCRAM_CREDENTIALS, "DescribeUserScramCredentials", 0, 0, 0},
    {API_ALTER_USER_SCRAM_CREDENTIALS, "AlterUserScramCredentials", 0, 0, 0},
};

#define N_SASL_ONLY ((int)(sizeof(sasl_only) / sizeof(sasl_only[0])))

const api_t *api_sasl_supported(int *n)
{
    *n = N_SASL_ONLY;
    return sasl_only;
}

const api_t *api_find_sasl(int16_t key)
{
    for (int i = 0; i < N_SASL_ONLY; i++) {
        if (sasl_only[i].key == key) {
            return &sasl_only[i];
        }
    }
    return NULL;
}

const api_t *api_supported(int *n)
{
    *n = N_SUPPORTED;
    return supported;
}

const api_t *api_find(int16_t key)
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
    const api_t *api = api_find(key);
    if (!api) {
        api = api_find_sasl(key);
    }
    return api && version >= api->first_flexible;
}

const char *api_name(int16_t key)
{
    const api_t *api = api_find(key);
    if (!api) {
        api = api_find_sasl(key);
    }
    return api ? api->name : "Unknown";
}
