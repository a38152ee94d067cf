/*
 * fuzz_request.c - libFuzzer target for the request decoders.
 *
 * The input is one request frame after its size field, exactly what
 * server.c hands to the dispatcher: the header is decoded with the server's
 * own api_is_flexible, then the body with the decoder for its key.  The
 * server closes the connection before a decoder ever sees a version outside
 * api.c's ranges, but the decoders must stay memory-safe for any version, so
 * versions up to one outside a range are kept and anything further is
 * clamped to the nearest end (most inputs then exercise real layouts).
 *
 * When a body decodes, the response is encoded from the decoded struct with
 * its scalar results left zero, which walks every encoder loop over arrays
 * whose counts the fuzzer chose.  The result arrays a handler would attach
 * (Metadata brokers and partitions, DescribeConfigs and CreateTopics config
 * entries, group members)
 * point at small fixed tables, so those encoder loops run too.  Each input gets its own arena and writer,
 * both released before returning, so LeakSanitizer reports a leak on the
 * input that caused it.
 *
 * Built and run by tests/fuzz/run-fuzz.sh; seeds in
 * tests/fuzz/corpus/fuzz_request/ (written by test_proto --write-corpus).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocol/api.h"
#include "protocol/arena.h"
#include "protocol/buf.h"
#include "protocol/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stands in for the fetched batches; every partition's slice is empty. */
static const uint8_t no_records[1];

/* Results a handler would attach; the encoders only read them. */
static metadata_broker_t fixed_brokers[] = {{1, "localhost", 9092}};
static metadata_partition_t fixed_partitions[] = {{0, 0, 1}, {5, 1, -1}};
static metadata_topic_t fixed_topics[] = {
    {.name = {"orders", 6}, .n_partitions = 2, .partitions = fixed_partitions},
};
static describe_config_entry_t fixed_entries[] = {
    {"retention.ms", "604800000", false, 5, false, true, CONFIG_TYPE_LONG, "How long to keep."},
    {"sasl.jaas.config", NULL, true, 4, true, false, CONFIG_TYPE_PASSWORD, NULL},
};
static join_group_member_t fixed_members[] = {
    {{"m-1", 3}, {NULL, -1}, {"\0\1", 2}},
};
static describe_group_member_t fixed_group_members[] = {
    {.member_id = {"m-1", 3}, .group_instance_id = {"inst-1", 6}, .client_id = {"rdkafka", 7},
     .client_host = {"/127.0.0.1", 10}, .metadata = {"\0\1", 2}, .assignment = {NULL, -1}},
};
static list_groups_entry_t fixed_listed[] = {
    {{"my-group", 8}, {"consumer", 8}, {"Stable", 6}},
};

static int16_t pick_version(const api_t *api, int16_t v)
{
    if (v < api->min - 1) {
        return api->min;
    }
    if (v > api->max + 1) {
        return api->max;
    }
    return v;
}

static void decode_and_encode(buf_reader_t *r, const req_header_t *hdr, int16_t v, arena_t *a,
                              buf_writer_t *w)
{
    switch (hdr->api_key) {
    case API_API_VERSIONS: {
        api_versions_req_t req = {0};
        if (proto_decode_api_versions(r, v, a, &req)) {
            req.apis = api_supported(&req.n_apis);
            proto_encode_api_versions(w, v, &req);
        }
        break;
    }
    case API_METADATA: {
        metadata_req_t req = {0};
        if (proto_decode_metadata(r, v, a, &req)) {
            req.n_brokers = 1;
            req.brokers = fixed_brokers;
            for (int32_t i = 0; i < req.n_topics; i++) {
                req.topics[i].n_partitions = 2;
                req.topics[i].partitions = fixed_partitions;
            }
            req.n_result_topics = 1;
            req.result_topics = fixed_topics;
            proto_encode_metadata(w, v, &req);
        }
        break;
    }
    case API_PRODUCE: {
        produce_req_t req = {0};
        if (proto_decode_produce(r, v, a, &req)) {
            proto_encode_produce(w, v, &req);
        }
        break;
    }
    case API_FETCH: {
        fetch_req_t req = {0};
        if (proto_decode_fetch(r, v, a, &req)) {
            proto_encode_fetch(w, v, &req, no_records);
        }
        break;
    }
    case API_LIST_OFFSETS: {
        list_offsets_req_t req = {0};
        if (proto_decode_list_offsets(r, v, a, &req)) {
            proto_encode_list_offsets(w, v, &req);
        }
        break;
    }
    case API_CREATE_TOPICS: {
        create_topics_req_t req = {0};
        if (proto_decode_create_topics(r, v, a, &req)) {
            for (int32_t i = 0; i < req.n_topics; i++) {
                req.topics[i].n_result_configs = 2;
                req.topics[i].result_configs = fixed_entries;
            }
            proto_encode_create_topics(w, v, &req);
        }
        break;
    }
    case API_DELETE_TOPICS: {
        delete_topics_req_t req = {0};
        if (proto_decode_delete_topics(r, v, a, &req)) {
            proto_encode_delete_topics(w, v, &req);
        }
        break;
    }
    case API_DELETE_RECORDS: {
        delete_records_req_t req = {0};
        if (proto_decode_delete_records(r, v, a, &req)) {
            proto_encode_delete_records(w, v, &req);
        }
        break;
    }
    case API_INIT_PRODUCER_ID: {
        init_producer_id_req_t req = {0};
        if (proto_decode_init_producer_id(r, v, a, &req)) {
            proto_encode_init_producer_id(w, v, &req);
        }
        break;
    }
    case API_DESCRIBE_CONFIGS: {
        describe_configs_req_t req = {0};
        if (proto_decode_describe_configs(r, v, a, &req)) {
            for (int32_t i = 0; i < req.n_resources; i++) {
                req.resources[i].n_entries = 2;
                req.resources[i].entries = fixed_entries;
            }
            proto_encode_describe_configs(w, v, &req);
        }
        break;
    }
    case API_ALTER_CONFIGS: {
        alter_configs_req_t req = {0};
        if (proto_decode_alter_configs(r, v, a, &req)) {
            proto_encode_alter_configs(w, v, &req);
        }
        break;
    }
    case API_INCREMENTAL_ALTER_CONFIGS: {
        alter_configs_req_t req = {0};
        if (proto_decode_incremental_alter_configs(r, v, a, &req)) {
            proto_encode_incremental_alter_configs(w, v, &req);
        }
        break;
    }
    case API_CREATE_PARTITIONS: {
        create_partitions_req_t req = {0};
        if (proto_decode_create_partitions(r, v, a, &req)) {
            proto_encode_create_partitions(w, v, &req);
        }
        break;
    }
    case API_FIND_COORDINATOR: {
        find_coordinator_req_t req = {0};
        if (proto_decode_find_coordinator(r, v, a, &req)) {
            for (int32_t i = 0; i < req.n_keys; i++) {
                req.keys[i].host = "127.0.0.1";
            }
            proto_encode_find_coordinator(w, v, &req);
        }
        break;
    }
    case API_OFFSET_COMMIT: {
        offset_commit_req_t req = {0};
        if (proto_decode_offset_commit(r, v, a, &req)) {
            proto_encode_offset_commit(w, v, &req);
        }
        break;
    }
    case API_OFFSET_FETCH: {
        offset_fetch_req_t req = {0};
        if (proto_decode_offset_fetch(r, v, a, &req)) {
            proto_encode_offset_fetch(w, v, &req);
        }
        break;
    }
    case API_JOIN_GROUP: {
        join_group_req_t req = {0};
        if (proto_decode_join_group(r, v, a, &req)) {
            req.protocol_name = (kstr_t){NULL, -1};
            req.n_members = 1;
            req.members = fixed_members;
            proto_encode_join_group(w, v, &req);
        }
        break;
    }
    case API_HEARTBEAT: {
        heartbeat_req_t req = {0};
        if (proto_decode_heartbeat(r, v, a, &req)) {
            proto_encode_heartbeat(w, v, &req);
        }
        break;
    }
    case API_LEAVE_GROUP: {
        leave_group_req_t req = {0};
        if (proto_decode_leave_group(r, v, a, &req)) {
            proto_encode_leave_group(w, v, &req);
        }
        break;
    }
    case API_SYNC_GROUP: {
        sync_group_req_t req = {0};
        if (proto_decode_sync_group(r, v, a, &req)) {
            if (req.n_assignments > 0) {
                req.assignment = req.assignments[req.n_assignments - 1].assignment;
            }
            proto_encode_sync_group(w, v, &req);
        }
        break;
    }
    case API_DESCRIBE_GROUPS: {
        describe_groups_req_t req = {0};
        if (proto_decode_describe_groups(r, v, a, &req)) {
            for (int32_t i = 0; i < req.n_groups; i++) {
                req.groups[i].n_members = 1;
                req.groups[i].members = fixed_group_members;
            }
            proto_encode_describe_groups(w, v, &req);
        }
        break;
    }
    case API_LIST_GROUPS: {
        list_groups_req_t req = {0};
        if (proto_decode_list_groups(r, v, a, &req)) {
            req.n_groups = 1;
            req.groups = fixed_listed;
            proto_encode_list_groups(w, v, &req);
        }
        break;
    }
    case API_DELETE_GROUPS: {
        delete_groups_req_t req = {0};
        if (proto_decode_delete_groups(r, v, a, &req)) {
            proto_encode_delete_groups(w, v, &req);
        }
        break;
    }
    case API_OFFSET_DELETE: {
        offset_delete_req_t req = {0};
        if (proto_decode_offset_delete(r, v, a, &req)) {
            proto_encode_offset_delete(w, v, &req);
            req.error = 69; /* GROUP_ID_NOT_FOUND: the no-topics form */
            proto_encode_offset_delete(w, v, &req);
        }
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf_reader_t r;
    buf_reader_init(&r, data, size);
    req_header_t hdr;
    memset(&hdr, 0, sizeof(hdr));
    if (!proto_decode_header(&r, &hdr, api_is_flexible)) {
        return 0;
    }
    const api_t *api = api_find(hdr.api_key);
    if (!api) {
        return 0;
    }
    int16_t v = pick_version(api, hdr.api_version);

    arena_t *a = arena_create(4096);
    buf_writer_t w;
    buf_writer_init(&w, 256);
    proto_encode_response_header(&w, &hdr);
    decode_and_encode(&r, &hdr, v, a, &w);
    buf_writer_release(&w);
    arena_destroy(a);
    return 0;
}
