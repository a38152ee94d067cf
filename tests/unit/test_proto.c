/*
 * test_proto.c - the wire codec against byte vectors assembled by hand from
 * Apache Kafka's JSON schemas (clients/src/main/resources/common/message,
 * *Request.json / *Response.json and RequestHeader.json).
 *
 * Each row of `cases` is one API at one version: a request body written field
 * by field with the put_* helpers below, the fields the decoder must produce,
 * the result fields a handler would fill in, and the response body the
 * encoder must then write.  The helpers deliberately do not use buf_write_*,
 * so a wrong width in buf.c cannot cancel itself out between the vector and
 * the code under test.  The builders follow the schemas' "versions" fields
 * literally ("if (v >= 5) LogStartOffset"), which keeps the per-version
 * differences readable next to the JSON they come from; a few vectors are
 * also spelled out as commented byte arrays (the §1.3 worked example of
 * kafka-protocol.md, Fetch v4 against v11, the Produce response) to check the
 * helpers themselves.
 *
 * Every version that api.c advertises must have a row (so a field that
 * appears one version too early or too late fails), and test_table_covers_api
 * fails when a range is widened without a vector.  The rows also feed the
 * robustness tests: every proper prefix of every request must decode as
 * failure (each decoder reads every field, so a short body is never
 * complete), and the prefix lives in a heap block of exactly its length so
 * AddressSanitizer reports any read past it.  Hostile array counts and
 * lengths get a table of their own.
 *
 * `test_proto --write-corpus DIR` writes each row as a request frame (header
 * and body, without the size field) into DIR: that is how the seed corpus in
 * tests/fuzz/corpus/fuzz_request/ was made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/api.h"
#include "protocol/arena.h"
#include "protocol/buf.h"
#include "protocol/proto.h"

#include "bytes_builder.h"

/* UNSIGNED_VARINT: LEB128, low group first. */
static void put_uvarint(bytes_t *o, uint32_t u)
{
    while (u >= 0x80) {
        put_u8(o, (u & 0x7f) | 0x80);
        u >>= 7;
    }
    put_u8(o, u);
}

/* STRING / NULLABLE_STRING: int16 length (-1 for NULL) then the bytes. */
static void put_str(bytes_t *o, const char *s)
{
    if (!s) {
        put_i16(o, -1);
        return;
    }
    put_i16(o, (int32_t)strlen(s));
    put_raw(o, s, strlen(s));
}

/* COMPACT_STRING: unsigned varint length + 1 then the bytes. */
static void put_cstr(bytes_t *o, const char *s)
{
    put_uvarint(o, (uint32_t)strlen(s) + 1);
    put_raw(o, s, strlen(s));
}

/* STRING / NULLABLE_STRING, or their COMPACT forms (length + 1, 0 for NULL)
 * in a flexible version. */
static void put_fstr(bytes_t *o, bool flex, const char *s)
{
    if (!flex) {
        put_str(o, s);
    } else if (!s) {
        put_uvarint(o, 0);
    } else {
        put_cstr(o, s);
    }
}

/* ARRAY length: int32, or COMPACT_ARRAY's unsigned varint N + 1 (0 for null). */
static void put_flen(bytes_t *o, bool flex, int32_t n)
{
    if (flex) {
        put_uvarint(o, (uint32_t)(n + 1));
    } else {
        put_i32(o, n);
    }
}

/* An empty TAGGED_FIELDS section, in flexible versions only. */
static void put_ftags(bytes_t *o, bool flex)
{
    if (flex) {
        put_u8(o, 0);
    }
}

/* UUID: 16 raw bytes. */
static const uint8_t test_uuid[16] = {0x8f, 0x1e, 0x0c, 0x4a, 0x9b, 0x2d, 0x4e, 0x6f,
                                      0x8a, 0x7b, 0x6c, 0x5d, 0x4e, 0x3f, 0x2a, 0x1b};

/* BYTES / NULLABLE_BYTES (and RECORDS): int32 length (-1 for NULL). */
static void put_bytes(bytes_t *o, const void *p, int32_t len)
{
    put_i32(o, len);
    if (len > 0) {
        put_raw(o, p, (size_t)len);
    }
}

/* The same types in the encoding a version uses: classic, or compact when
 * `flex` (a flexible version, KIP-482).  NULL / -1 write a null. */
static void put_vstr(bytes_t *o, bool flex, const char *s)
{
    if (!flex) {
        put_str(o, s);
    } else if (!s) {
        put_uvarint(o, 0);
    } else {
        put_cstr(o, s);
    }
}

static void put_vbytes(bytes_t *o, bool flex, const void *p, int32_t len)
{
    if (!flex) {
        put_bytes(o, p, len);
        return;
    }
    put_uvarint(o, (uint32_t)(len + 1));
    if (len > 0) {
        put_raw(o, p, (size_t)len);
    }
}

/* ARRAY / COMPACT_ARRAY length. */
static void put_vcount(bytes_t *o, bool flex, int32_t n)
{
    if (flex) {
        put_uvarint(o, (uint32_t)(n + 1));
    } else {
        put_i32(o, n);
    }
}

/* An empty TAGGED_FIELDS section, only in flexible versions. */
static void put_tags(bytes_t *o, bool flex)
{
    if (flex) {
        put_uvarint(o, 0);
    }
}

/* A copy of `n` bytes in a heap block of exactly that size, so ASan flags a
 * decoder that reads one byte too many. */
static uint8_t *exact_copy(const void *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n) {
        memcpy(copy, p, n);
    }
    return copy;
}

static void assert_kstr(kstr_t k, const char *want)
{
    if (!want) {
        assert_int_equal(k.len, -1);
        return;
    }
    assert_int_equal(k.len, (int32_t)strlen(want));
    assert_memory_equal(k.ptr, want, strlen(want));
}

/* Compares an encoded body with the expected bytes, naming the first
 * difference so a failing vector can be read without a hex dump tool. */
static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    size_t n = got_len < want_len ? got_len : want_len;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            print_error("first difference at byte %zu: got 0x%02x, want 0x%02x\n", i, got[i], want[i]);
            break;
        }
    }
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
}

/* ---- dispatch by API key ------------------------------------------------- */

typedef union any_req {
    api_versions_req_t av;
    metadata_req_t md;
    produce_req_t pr;
    fetch_req_t fe;
    list_offsets_req_t lo;
    epoch_req_t ol;
    create_topics_req_t ct;
    delete_topics_req_t dt;
    delete_records_req_t dr;
    init_producer_id_req_t ip;
    describe_configs_req_t dc;
    alter_configs_req_t ac;
    create_partitions_req_t cp;
    find_coordinator_req_t fc;
    offset_commit_req_t oc;
    offset_fetch_req_t of;
    join_group_req_t jg;
    heartbeat_req_t hb;
    leave_group_req_t lg;
    sync_group_req_t sg;
    describe_groups_req_t dg;
    list_groups_req_t li;
    delete_groups_req_t xg;
    offset_delete_req_t od;
} any_req_t;

/* The batches every Fetch row's partitions point into. */
static const uint8_t fetch_records[] = "0123456789";
#define FETCH_RECORDS_LEN 10

static bool decode_any(int16_t key, int16_t v, buf_reader_t *r, arena_t *a, any_req_t *req)
{
    memset(req, 0, sizeof(*req));
    switch (key) {
    case API_API_VERSIONS:
        return proto_decode_api_versions(r, v, a, &req->av);
    case API_METADATA:
        return proto_decode_metadata(r, v, a, &req->md);
    case API_PRODUCE:
        return proto_decode_produce(r, v, a, &req->pr);
    case API_FETCH:
        return proto_decode_fetch(r, v, a, &req->fe);
    case API_LIST_OFFSETS:
        return proto_decode_list_offsets(r, v, a, &req->lo);
    case API_OFFSET_FOR_LEADER_EPOCH:
        return proto_decode_offset_for_leader_epoch(r, v, a, &req->ol);
    case API_CREATE_TOPICS:
        return proto_decode_create_topics(r, v, a, &req->ct);
    case API_DELETE_TOPICS:
        return proto_decode_delete_topics(r, v, a, &req->dt);
    case API_DELETE_RECORDS:
        return proto_decode_delete_records(r, v, a, &req->dr);
    case API_INIT_PRODUCER_ID:
        return proto_decode_init_producer_id(r, v, a, &req->ip);
    case API_DESCRIBE_CONFIGS:
        return proto_decode_describe_configs(r, v, a, &req->dc);
    case API_ALTER_CONFIGS:
        return proto_decode_alter_configs(r, v, a, &req->ac);
    case API_INCREMENTAL_ALTER_CONFIGS:
        return proto_decode_incremental_alter_configs(r, v, a, &req->ac);
    case API_CREATE_PARTITIONS:
        return proto_decode_create_partitions(r, v, a, &req->cp);
    case API_FIND_COORDINATOR:
        return proto_decode_find_coordinator(r, v, a, &req->fc);
    case API_OFFSET_COMMIT:
        return proto_decode_offset_commit(r, v, a, &req->oc);
    case API_OFFSET_FETCH:
        return proto_decode_offset_fetch(r, v, a, &req->of);
    case API_JOIN_GROUP:
        return proto_decode_join_group(r, v, a, &req->jg);
    case API_HEARTBEAT:
        return proto_decode_heartbeat(r, v, a, &req->hb);
    case API_LEAVE_GROUP:
        return proto_decode_leave_group(r, v, a, &req->lg);
    case API_SYNC_GROUP:
        return proto_decode_sync_group(r, v, a, &req->sg);
    case API_DESCRIBE_GROUPS:
        return proto_decode_describe_groups(r, v, a, &req->dg);
    case API_LIST_GROUPS:
        return proto_decode_list_groups(r, v, a, &req->li);
    case API_DELETE_GROUPS:
        return proto_decode_delete_groups(r, v, a, &req->xg);
    case API_OFFSET_DELETE:
        return proto_decode_offset_delete(r, v, a, &req->od);
    }
    fail_msg("no decoder for api key %d", key);
    return false;
}

static void encode_any(int16_t key, int16_t v, buf_writer_t *w, const any_req_t *req)
{
    switch (key) {
    case API_API_VERSIONS:
        proto_encode_api_versions(w, v, &req->av);
        return;
    case API_METADATA:
        proto_encode_metadata(w, v, &req->md);
        return;
    case API_PRODUCE:
        proto_encode_produce(w, v, &req->pr);
        return;
    case API_FETCH:
        proto_encode_fetch(w, v, &req->fe, fetch_records);
        return;
    case API_LIST_OFFSETS:
        proto_encode_list_offsets(w, v, &req->lo);
        return;
    case API_OFFSET_FOR_LEADER_EPOCH:
        proto_encode_offset_for_leader_epoch(w, v, &req->ol);
        return;
    case API_CREATE_TOPICS:
        proto_encode_create_topics(w, v, &req->ct);
        return;
    case API_DELETE_TOPICS:
        proto_encode_delete_topics(w, v, &req->dt);
        return;
    case API_DELETE_RECORDS:
        proto_encode_delete_records(w, v, &req->dr);
        return;
    case API_INIT_PRODUCER_ID:
        proto_encode_init_producer_id(w, v, &req->ip);
        return;
    case API_DESCRIBE_CONFIGS:
        proto_encode_describe_configs(w, v, &req->dc);
        return;
    case API_ALTER_CONFIGS:
        proto_encode_alter_configs(w, v, &req->ac);
        return;
    case API_INCREMENTAL_ALTER_CONFIGS:
        proto_encode_incremental_alter_configs(w, v, &req->ac);
        return;
    case API_CREATE_PARTITIONS:
        proto_encode_create_partitions(w, v, &req->cp);
        return;
    case API_FIND_COORDINATOR:
        proto_encode_find_coordinator(w, v, &req->fc);
        return;
    case API_OFFSET_COMMIT:
        proto_encode_offset_commit(w, v, &req->oc);
        return;
    case API_OFFSET_FETCH:
        proto_encode_offset_fetch(w, v, &req->of);
        return;
    case API_JOIN_GROUP:
        proto_encode_join_group(w, v, &req->jg);
        return;
    case API_HEARTBEAT:
        proto_encode_heartbeat(w, v, &req->hb);
        return;
    case API_LEAVE_GROUP:
        proto_encode_leave_group(w, v, &req->lg);
        return;
    case API_SYNC_GROUP:
        proto_encode_sync_group(w, v, &req->sg);
        return;
    case API_DESCRIBE_GROUPS:
        proto_encode_describe_groups(w, v, &req->dg);
        return;
    case API_LIST_GROUPS:
        proto_encode_list_groups(w, v, &req->li);
        return;
    case API_DELETE_GROUPS:
        proto_encode_delete_groups(w, v, &req->xg);
        return;
    case API_OFFSET_DELETE:
        proto_encode_offset_delete(w, v, &req->od);
        return;
    }
    fail_msg("no encoder for api key %d", key);
}

/* ---- ApiVersions (18): ApiVersionsRequest.json / ApiVersionsResponse.json */

static const api_t two_apis[] = {
    {API_PRODUCE, "Produce", 3, 7, 9},
    {API_API_VERSIONS, "ApiVersions", 0, 3, 3},
};

static void av_request(bytes_t *o, int16_t v)
{
    /* v0-2 have an empty body. */
    if (v >= 3) {
        put_cstr(o, "librdkafka"); /* ClientSoftwareName */
        put_cstr(o, "2.0.2");      /* ClientSoftwareVersion */
        put_u8(o, 0);              /* TAGGED_FIELDS: none */
    }
}

static void av_check(any_req_t *u, int16_t v, arena_t *a)
{
    api_versions_req_t *req = &u->av;
    if (v >= 3) {
        assert_kstr(req->client_software_name, "librdkafka");
        assert_kstr(req->client_software_version, "2.0.2");
    }
    req->error = 0;
    req->apis = two_apis;
    req->n_apis = 2;
}

static void av_response(bytes_t *o, int16_t v)
{
    put_i16(o, 0); /* ErrorCode */
    if (v >= 3) {
        put_uvarint(o, 2 + 1); /* ApiKeys: COMPACT_ARRAY of 2 */
    } else {
        put_i32(o, 2);
    }
    for (int i = 0; i < 2; i++) {
        put_i16(o, two_apis[i].key);
        put_i16(o, two_apis[i].min);
        put_i16(o, two_apis[i].max);
        if (v >= 3) {
            put_u8(o, 0); /* per-entry TAGGED_FIELDS */
        }
    }
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    if (v >= 3) {
        put_u8(o, 0); /* body TAGGED_FIELDS: no features */
    }
}

/* ---- Metadata (3): MetadataRequest.json / MetadataResponse.json --------- */

static const metadata_broker_t one_broker[] = {{1, "localhost", 9092}};

/* The second topic is asked by name below v12 and by id (a null name) in
 * v12; Metadata v10-11 carry ids but clients must not use them. */
static void md_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 9;
    static const uint8_t zero_uuid[16] = {0};
    put_vcount(o, flex, 2); /* Topics */
    if (v >= 10) {
        put_raw(o, zero_uuid, 16); /*   TopicId */
    }
    put_vstr(o, flex, "orders"); /*   Name */
    put_tags(o, flex);
    if (v >= 10) {
        put_raw(o, v >= 12 ? test_uuid : zero_uuid, 16);
    }
    put_vstr(o, flex, v >= 12 ? NULL : "audit");
    put_tags(o, flex);
    if (v >= 4) {
        put_u8(o, 0); /* AllowAutoTopicCreation: false */
    }
    if (v >= 8 && v <= 10) {
        put_u8(o, 1); /* IncludeClusterAuthorizedOperations */
    }
    if (v >= 8) {
        put_u8(o, 1); /* IncludeTopicAuthorizedOperations */
    }
    put_tags(o, flex);
}

static void md_check(any_req_t *u, int16_t v, arena_t *a)
{
    metadata_req_t *req = &u->md;
    static const uint8_t zero_uuid[16] = {0};
    assert_int_equal(req->n_topics, 2);
    assert_kstr(req->topics[0].name, "orders");
    assert_memory_equal(req->topics[0].topic_id.b, zero_uuid, 16);
    assert_kstr(req->topics[1].name, v >= 12 ? NULL : "audit");
    assert_memory_equal(req->topics[1].topic_id.b, v >= 12 ? test_uuid : zero_uuid, 16);
    /* The schema default (true) applies where the field does not exist. */
    assert_int_equal(req->allow_auto_topic_creation, v < 4);
    assert_int_equal(req->include_cluster_authorized_operations, v >= 8 && v <= 10);
    assert_int_equal(req->include_topic_authorized_operations, v >= 8);

    req->n_brokers = 1;
    req->brokers = (metadata_broker_t *)one_broker;
    req->cluster_id = "ckid";
    req->controller_id = 1;
    req->cluster_authorized_operations = 8096;
    metadata_topic_t *t = &req->topics[0];
    t->error = 0;
    memcpy(t->topic_id.b, test_uuid, 16);
    t->n_partitions = 2;
    t->partitions = arena_alloc(a, 2 * sizeof(*t->partitions));
    t->partitions[0] = (metadata_partition_t){0, 0, 1};
    t->partitions[1] = (metadata_partition_t){5, 1, -1}; /* LEADER_NOT_AVAILABLE */
    t->authorized_operations = 3576;
    /* UNKNOWN_TOPIC_OR_PARTITION by name, UNKNOWN_TOPIC_ID by id */
    req->topics[1].error = v >= 12 ? 100 : 3;
    req->topics[1].authorized_operations = INT32_MIN;
}

static void md_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 9;
    static const uint8_t zero_uuid[16] = {0};
    if (v >= 3) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_vcount(o, flex, 1); /* Brokers */
    put_i32(o, 1);          /*   NodeId */
    put_vstr(o, flex, "localhost");
    put_i32(o, 9092);
    if (v >= 1) {
        put_vstr(o, flex, NULL); /*   Rack */
    }
    put_tags(o, flex);
    if (v >= 2) {
        put_vstr(o, flex, "ckid"); /* ClusterId */
    }
    if (v >= 1) {
        put_i32(o, 1); /* ControllerId */
    }
    put_vcount(o, flex, 2);      /* Topics */
    put_i16(o, 0);               /*   ErrorCode */
    put_vstr(o, flex, "orders"); /*   Name */
    if (v >= 10) {
        put_raw(o, test_uuid, 16); /*   TopicId */
    }
    if (v >= 1) {
        put_u8(o, 0); /*   IsInternal */
    }
    put_vcount(o, flex, 2); /*   Partitions */
    put_i16(o, 0);          /*     ErrorCode */
    put_i32(o, 0);          /*     PartitionIndex */
    put_i32(o, 1);          /*     LeaderId */
    if (v >= 7) {
        put_i32(o, 0); /*     LeaderEpoch */
    }
    put_vcount(o, flex, 1); /*     ReplicaNodes */
    put_i32(o, 1);
    put_vcount(o, flex, 1); /*     IsrNodes */
    put_i32(o, 1);
    if (v >= 5) {
        put_vcount(o, flex, 0); /*     OfflineReplicas */
    }
    put_tags(o, flex);
    put_i16(o, 5);
    put_i32(o, 1);
    put_i32(o, -1);
    if (v >= 7) {
        put_i32(o, -1); /* no leader, no epoch */
    }
    put_vcount(o, flex, 0);
    put_vcount(o, flex, 0);
    if (v >= 5) {
        put_vcount(o, flex, 0);
    }
    put_tags(o, flex);
    if (v >= 8) {
        put_i32(o, 3576); /*   TopicAuthorizedOperations */
    }
    put_tags(o, flex);
    put_i16(o, v >= 12 ? 100 : 3);
    put_vstr(o, flex, v >= 12 ? NULL : "audit");
    if (v >= 10) {
        put_raw(o, v >= 12 ? test_uuid : zero_uuid, 16);
    }
    if (v >= 1) {
        put_u8(o, 0);
    }
    put_vcount(o, flex, 0);
    if (v >= 8) {
        put_i32(o, INT32_MIN);
    }
    put_tags(o, flex);
    if (v >= 8 && v <= 10) {
        put_i32(o, 8096); /* ClusterAuthorizedOperations */
    }
    put_tags(o, flex);
}

/* ---- Produce (0): ProduceRequest.json / ProduceResponse.json ------------ */

/* One RecordBatch v2 as a producer sends it: one record, null key, value
 * "hi", CreateTime 1700000000000, not idempotent, CRC-32C over bytes 21..69
 * (checked once with batch_validate; the codec itself treats it as opaque). */
static const uint8_t one_batch[70] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* baseOffset 0 */
    0x00, 0x00, 0x00, 0x3a,                         /* batchLength 58 */
    0xff, 0xff, 0xff, 0xff,                         /* partitionLeaderEpoch -1 */
    0x02,                                           /* magic */
    0xbb, 0xcc, 0x41, 0x15,                         /* crc */
    0x00, 0x00,                                     /* attributes */
    0x00, 0x00, 0x00, 0x00,                         /* lastOffsetDelta */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /* baseTimestamp */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /* maxTimestamp */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producerId -1 */
    0xff, 0xff,                                     /* producerEpoch -1 */
    0xff, 0xff, 0xff, 0xff,                         /* baseSequence -1 */
    0x00, 0x00, 0x00, 0x01,                         /* records count */
    0x10, 0x00, 0x00, 0x00, 0x01, 0x04, 0x68, 0x69, 0x00, /* length 8, attrs, tsDelta, offDelta,
                                                             key null, value "hi", 0 headers */
};

static void pr_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 9;
    if (v >= 3) {
        put_vstr(o, flex, NULL); /* TransactionalId (v3+) */
    }
    put_i16(o, -1);               /* Acks: all */
    put_i32(o, 30000);            /* TimeoutMs */
    put_vcount(o, flex, 1);       /* Topics */
    put_vstr(o, flex, "orders");  /*   Name */
    put_vcount(o, flex, 2);       /*   Partitions */
    put_i32(o, 0);                /*     PartitionIndex */
    put_vbytes(o, flex, one_batch, sizeof(one_batch));
    put_tags(o, flex);
    put_i32(o, 1);
    put_vbytes(o, flex, NULL, -1); /* null Records */
    put_tags(o, flex);
    put_tags(o, flex);
    put_tags(o, flex);
}

static void pr_check(any_req_t *u, int16_t v, arena_t *a)
{
    produce_req_t *req = &u->pr;
    assert_kstr(req->transactional_id, NULL);
    assert_int_equal(req->acks, -1);
    assert_int_equal(req->timeout_ms, 30000);
    assert_int_equal(req->n_topics, 1);
    produce_topic_t *t = &req->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 2);
    assert_int_equal(t->partitions[0].index, 0);
    assert_int_equal(t->partitions[0].records_len, (int32_t)sizeof(one_batch));
    assert_memory_equal(t->partitions[0].records, one_batch, sizeof(one_batch));
    assert_int_equal(t->partitions[1].index, 1);
    assert_int_equal(t->partitions[1].records_len, -1);

    t->partitions[0].error = 0;
    t->partitions[0].base_offset = 100;
    t->partitions[0].log_append_time = -1;
    t->partitions[0].log_start_offset = 0;
    t->partitions[0].error_message = NULL;
    t->partitions[1].error = 87; /* INVALID_RECORD */
    t->partitions[1].base_offset = -1;
    t->partitions[1].log_append_time = -1;
    t->partitions[1].log_start_offset = -1;
    t->partitions[1].error_message = "records are null";
}

static void pr_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 9;
    put_vcount(o, flex, 1);      /* Responses */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 2);      /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i16(o, 0);               /*     ErrorCode */
    put_i64(o, 100);             /*     BaseOffset */
    if (v >= 2) {
        put_i64(o, -1); /*     LogAppendTimeMs (v2+) */
    }
    if (v >= 5) {
        put_i64(o, 0); /*     LogStartOffset */
    }
    if (v >= 8) {
        put_vcount(o, flex, 0);  /*     RecordErrors: none */
        put_vstr(o, flex, NULL); /*     ErrorMessage */
    }
    put_tags(o, flex);
    put_i32(o, 1);
    put_i16(o, 87);
    put_i64(o, -1);
    if (v >= 2) {
        put_i64(o, -1);
    }
    if (v >= 5) {
        put_i64(o, -1);
    }
    if (v >= 8) {
        put_vcount(o, flex, 0);
        put_vstr(o, flex, "records are null");
    }
    put_tags(o, flex);
    put_tags(o, flex); /*   topic TAGGED_FIELDS */
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs (v1+): last in Produce */
    }
    put_tags(o, flex);
}

/* ---- Fetch (1): FetchRequest.json / FetchResponse.json ------------------ */

static void fe_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 12;
    put_i32(o, -1);       /* ReplicaId: a consumer */
    put_i32(o, 500);      /* MaxWaitMs */
    put_i32(o, 1);        /* MinBytes */
    if (v >= 3) {
        put_i32(o, 52428800); /* MaxBytes */
    }
    if (v >= 4) {
        put_u8(o, 1); /* IsolationLevel: READ_COMMITTED */
    }
    if (v >= 7) {
        put_i32(o, 0);  /* SessionId */
        put_i32(o, -1); /* SessionEpoch */
    }
    put_vcount(o, flex, 1); /* Topics */
    if (v >= 13) {
        put_raw(o, test_uuid, 16); /*   TopicId */
    } else {
        put_vstr(o, flex, "orders"); /*   Topic */
    }
    put_vcount(o, flex, 2); /*   Partitions */
    for (int p = 0; p < 2; p++) {
        put_i32(o, p == 0 ? 0 : 3); /* Partition */
        if (v >= 9) {
            put_i32(o, 7); /* CurrentLeaderEpoch */
        }
        put_i64(o, p == 0 ? 42 : 0); /* FetchOffset */
        if (v >= 12) {
            put_i32(o, 6); /* LastFetchedEpoch */
        }
        if (v >= 5) {
            put_i64(o, 5); /* LogStartOffset */
        }
        put_i32(o, 1048576); /* PartitionMaxBytes */
        put_tags(o, flex);
    }
    put_tags(o, flex);
    if (v >= 7) {
        put_vcount(o, flex, 1); /* ForgottenTopicsData */
        if (v >= 13) {
            put_raw(o, test_uuid, 16); /*   TopicId */
        } else {
            put_vstr(o, flex, "old"); /*   Topic */
        }
        put_vcount(o, flex, 2); /*   Partitions */
        put_i32(o, 0);
        put_i32(o, 1);
        put_tags(o, flex);
    }
    if (v >= 11) {
        put_vstr(o, flex, "rack-a"); /* RackId */
    }
    if (flex) {
        /* One tagged field, ClusterId (tag 0): read past, not acted on. */
        put_uvarint(o, 1);
        put_uvarint(o, 0);
        put_uvarint(o, 4);
        put_cstr(o, "ck-");
    }
}

static void fe_check(any_req_t *u, int16_t v, arena_t *a)
{
    fetch_req_t *req = &u->fe;
    assert_int_equal(req->replica_id, -1);
    assert_int_equal(req->max_wait_ms, 500);
    assert_int_equal(req->min_bytes, 1);
    assert_int_equal(req->max_bytes, v >= 3 ? 52428800 : INT32_MAX);
    assert_int_equal(req->isolation_level, v >= 4 ? 1 : 0);
    assert_int_equal(req->session_id, 0);
    assert_int_equal(req->session_epoch, v >= 7 ? -1 : 0);
    assert_int_equal(req->by_id, v >= 13);
    assert_int_equal(req->n_topics, 1);
    fetch_topic_t *t = &req->topics[0];
    if (v >= 13) {
        assert_kstr(t->name, NULL);
        assert_memory_equal(t->topic_id.b, test_uuid, 16);
    } else {
        assert_kstr(t->name, "orders");
    }
    assert_int_equal(t->n_partitions, 2);
    for (int p = 0; p < 2; p++) {
        fetch_partition_t *part = &t->partitions[p];
        assert_int_equal(part->index, p == 0 ? 0 : 3);
        /* Absent fields take the schema defaults (-1). */
        assert_int_equal(part->current_leader_epoch, v >= 9 ? 7 : -1);
        assert_int_equal(part->fetch_offset, p == 0 ? 42 : 0);
        assert_int_equal(part->last_fetched_epoch, v >= 12 ? 6 : -1);
        assert_int_equal(part->log_start_offset, v >= 5 ? 5 : -1);
        assert_int_equal(part->partition_max_bytes, 1048576);
    }

    req->error = 0;
    fetch_partition_t *p0 = &t->partitions[0];
    p0->error = 0;
    p0->high_watermark = 50;
    p0->last_stable_offset = 50;
    p0->result_log_start_offset = 0;
    p0->records_at = 0;
    p0->records_len = FETCH_RECORDS_LEN;
    fetch_partition_t *p1 = &t->partitions[1];
    p1->error = 3; /* UNKNOWN_TOPIC_OR_PARTITION */
    p1->high_watermark = p1->last_stable_offset = p1->result_log_start_offset = -1;
    p1->records_at = FETCH_RECORDS_LEN;
    p1->records_len = 0;
}

static void fe_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 12;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    if (v >= 7) {
        put_i16(o, 0); /* ErrorCode */
        put_i32(o, 0); /* SessionId */
    }
    put_vcount(o, flex, 1); /* Responses */
    if (v >= 13) {
        put_raw(o, test_uuid, 16); /*   TopicId */
    } else {
        put_vstr(o, flex, "orders"); /*   Topic */
    }
    put_vcount(o, flex, 2); /*   Partitions */
    put_i32(o, 0);          /*     PartitionIndex */
    put_i16(o, 0);          /*     ErrorCode */
    put_i64(o, 50);         /*     HighWatermark */
    if (v >= 4) {
        put_i64(o, 50); /*     LastStableOffset */
    }
    if (v >= 5) {
        put_i64(o, 0); /*     LogStartOffset */
    }
    if (v >= 4) {
        put_vcount(o, flex, 0); /*     AbortedTransactions: empty */
    }
    if (v >= 11) {
        put_i32(o, -1); /*     PreferredReadReplica */
    }
    put_vbytes(o, flex, fetch_records, FETCH_RECORDS_LEN); /* Records */
    put_tags(o, flex); /*     no DivergingEpoch, CurrentLeader, SnapshotId */
    put_i32(o, 3);
    put_i16(o, 3);
    put_i64(o, -1);
    if (v >= 4) {
        put_i64(o, -1);
    }
    if (v >= 5) {
        put_i64(o, -1);
    }
    if (v >= 4) {
        put_vcount(o, flex, 0);
    }
    if (v >= 11) {
        put_i32(o, -1);
    }
    put_vbytes(o, flex, NULL, 0); /* empty Records: length 0, never null */
    put_tags(o, flex);
    put_tags(o, flex);
    put_tags(o, flex);
}

/* ---- OffsetForLeaderEpoch (23): OffsetForLeaderEpochRequest.json / ...Response.json */

static void ol_request(bytes_t *o, int16_t v)
{
    if (v >= 3) {
        put_i32(o, 2); /* ReplicaId */
    }
    put_i32(o, 1);         /* Topics */
    put_str(o, "orders"); /*   Topic */
    put_i32(o, 2);         /*   Partitions */
    for (int p = 0; p < 2; p++) {
        put_i32(o, p); /*     Partition */
        if (v >= 2) {
            put_i32(o, 5); /*     CurrentLeaderEpoch */
        }
        put_i32(o, 3 + p); /*     LeaderEpoch */
    }
}

static void ol_check(any_req_t *u, int16_t v, arena_t *a)
{
    epoch_req_t *req = &u->ol;
    assert_int_equal(req->replica_id, v >= 3 ? 2 : -2);
    assert_int_equal(req->n_topics, 1);
    epoch_topic_t *t = &req->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 2);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(t->partitions[p].index, p);
        assert_int_equal(t->partitions[p].current_leader_epoch, v >= 2 ? 5 : -1);
        assert_int_equal(t->partitions[p].leader_epoch, 3 + p);
    }
    t->partitions[0].error = 0;
    t->partitions[0].result_epoch = 3;
    t->partitions[0].end_offset = 120;
    t->partitions[1].error = 74; /* FENCED_LEADER_EPOCH */
    t->partitions[1].result_epoch = -1;
    t->partitions[1].end_offset = -1;
}

static void ol_response(bytes_t *o, int16_t v)
{
    if (v >= 2) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i32(o, 1);         /* Topics */
    put_str(o, "orders"); /*   Topic */
    put_i32(o, 2);         /*   Partitions */
    put_i16(o, 0);         /*     ErrorCode */
    put_i32(o, 0);         /*     Partition */
    if (v >= 1) {
        put_i32(o, 3); /*     LeaderEpoch */
    }
    put_i64(o, 120); /*     EndOffset */
    put_i16(o, 74);
    put_i32(o, 1);
    if (v >= 1) {
        put_i32(o, -1);
    }
    put_i64(o, -1);
}

/* ---- ListOffsets (2): ListOffsetsRequest.json / ListOffsetsResponse.json */

static void lo_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    put_i32(o, -1); /* ReplicaId */
    if (v >= 2) {
        put_u8(o, 1); /* IsolationLevel */
    }
    put_vcount(o, flex, 1);      /* Topics */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 3);      /*   Partitions */
    for (int p = 0; p < 3; p++) {
        put_i32(o, p); /*     PartitionIndex */
        if (v >= 4) {
            put_i32(o, 0); /*     CurrentLeaderEpoch */
        }
        put_i64(o, -1 - p); /*     Timestamp: latest, earliest, max (-3) */
        if (v == 0) {
            put_i32(o, 10); /*     MaxNumOffsets */
        }
        put_tags(o, flex);
    }
    put_tags(o, flex);
    put_tags(o, flex);
}

static void lo_check(any_req_t *u, int16_t v, arena_t *a)
{
    list_offsets_req_t *req = &u->lo;
    assert_int_equal(req->replica_id, -1);
    assert_int_equal(req->isolation_level, v >= 2 ? 1 : 0);
    assert_int_equal(req->n_topics, 1);
    list_offsets_topic_t *t = &req->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 3);
    for (int p = 0; p < 3; p++) {
        assert_int_equal(t->partitions[p].index, p);
        assert_int_equal(t->partitions[p].current_leader_epoch, v >= 4 ? 0 : -1);
        assert_int_equal(t->partitions[p].timestamp, -1 - p);
        assert_int_equal(t->partitions[p].max_num_offsets, v == 0 ? 10 : 1);
    }

    t->partitions[0].error = 0;
    t->partitions[0].result_timestamp = -1;
    t->partitions[0].offset = 50;
    t->partitions[0].leader_epoch = 0;
    t->partitions[1].error = 0;
    t->partitions[1].result_timestamp = -1;
    t->partitions[1].offset = 0;
    t->partitions[1].leader_epoch = 0;
    t->partitions[2].error = 3; /* UNKNOWN_TOPIC_OR_PARTITION */
    t->partitions[2].result_timestamp = -1;
    t->partitions[2].offset = -1;
    t->partitions[2].leader_epoch = -1;
}

static void lo_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    static const struct {
        int16_t error;
        int64_t offset;
        int32_t epoch;
    } want[3] = {{0, 50, 0}, {0, 0, 0}, {3, -1, -1}};
    if (v >= 2) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_vcount(o, flex, 1);      /* Topics */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 3);      /*   Partitions */
    for (int p = 0; p < 3; p++) {
        put_i32(o, p);              /*     PartitionIndex */
        put_i16(o, want[p].error);  /*     ErrorCode */
        if (v == 0) {
            /* OldStyleOffsets: the offset found, or none. */
            put_i32(o, want[p].offset >= 0 ? 1 : 0);
            if (want[p].offset >= 0) {
                put_i64(o, want[p].offset);
            }
            put_tags(o, flex);
            continue;
        }
        put_i64(o, -1);             /*     Timestamp */
        put_i64(o, want[p].offset); /*     Offset */
        if (v >= 4) {
            put_i32(o, want[p].epoch); /*     LeaderEpoch */
        }
        put_tags(o, flex);
    }
    put_tags(o, flex);
    put_tags(o, flex);
}

/* ---- CreateTopics (19): CreateTopicsRequest.json / ...Response.json ----- */

static void ct_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 5;
    put_flen(o, flex, 2);           /* Topics */
    put_fstr(o, flex, "new-topic"); /*   Name */
    put_i32(o, 3);                  /*   NumPartitions */
    put_i16(o, 1);                  /*   ReplicationFactor */
    put_flen(o, flex, 0);           /*   Assignments */
    put_flen(o, flex, 2);           /*   Configs */
    put_fstr(o, flex, "cleanup.policy");
    put_fstr(o, flex, "compact");
    put_ftags(o, flex);
    put_fstr(o, flex, "retention.ms");
    put_fstr(o, flex, NULL); /*     Value: null */
    put_ftags(o, flex);
    put_ftags(o, flex);
    put_fstr(o, flex, "manual");
    put_i32(o, -1); /* NumPartitions: from the assignment */
    put_i16(o, -1);
    put_flen(o, flex, 1); /*   Assignments */
    put_i32(o, 0);        /*     PartitionIndex */
    put_flen(o, flex, 1); /*     BrokerIds */
    put_i32(o, 1);
    put_ftags(o, flex);
    put_flen(o, flex, 0); /*   Configs */
    put_ftags(o, flex);
    put_i32(o, 5000); /* timeoutMs */
    put_u8(o, 1);     /* validateOnly (v1+) */
    put_ftags(o, flex);
}

static void ct_check(any_req_t *u, int16_t v, arena_t *a)
{
    create_topics_req_t *req = &u->ct;
    assert_int_equal(req->n_topics, 2);
    create_topic_t *t0 = &req->topics[0];
    assert_kstr(t0->name, "new-topic");
    assert_int_equal(t0->num_partitions, 3);
    assert_int_equal(t0->replication_factor, 1);
    assert_int_equal(t0->n_assignments, 0);
    assert_int_equal(t0->n_configs, 2);
    assert_kstr(t0->configs[0].name, "cleanup.policy");
    assert_kstr(t0->configs[0].value, "compact");
    assert_kstr(t0->configs[1].name, "retention.ms");
    assert_kstr(t0->configs[1].value, NULL);
    create_topic_t *t1 = &req->topics[1];
    assert_kstr(t1->name, "manual");
    assert_int_equal(t1->num_partitions, -1);
    assert_int_equal(t1->replication_factor, -1);
    assert_int_equal(t1->n_assignments, 1);
    assert_int_equal(t1->n_configs, 0);
    assert_int_equal(req->timeout_ms, 5000);
    assert_true(req->validate_only);

    t0->error = 0;
    t0->error_message = NULL;
    memcpy(t0->topic_id.b, test_uuid, sizeof(test_uuid));
    t0->result_partitions = 3;
    t0->result_replication_factor = 1;
    t0->n_result_configs = 2;
    t0->result_configs = arena_alloc(a, 2 * sizeof(*t0->result_configs));
    t0->result_configs[0] = (describe_config_entry_t){.name = "cleanup.policy", .value = "compact", .source = 1};
    t0->result_configs[1] = (describe_config_entry_t){.name = "sasl.jaas.config", .source = 5, .is_sensitive = true};
    t1->error = 36; /* TOPIC_ALREADY_EXISTS */
    t1->error_message = "Topic 'manual' already exists.";
    t1->result_partitions = -1;
    t1->result_replication_factor = -1;
    t1->n_result_configs = -1;
}

static void ct_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 5;
    put_i32(o, 0);        /* ThrottleTimeMs (v2+) */
    put_flen(o, flex, 2); /* Topics */
    put_fstr(o, flex, "new-topic");
    if (v >= 7) {
        put_raw(o, test_uuid, sizeof(test_uuid)); /*   TopicId */
    }
    put_i16(o, 0);           /*   ErrorCode */
    put_fstr(o, flex, NULL); /*   ErrorMessage (v1+) */
    if (v >= 5) {
        put_i32(o, 3);        /*   NumPartitions */
        put_i16(o, 1);        /*   ReplicationFactor */
        put_flen(o, flex, 2); /*   Configs */
        put_fstr(o, flex, "cleanup.policy");
        put_fstr(o, flex, "compact");
        put_u8(o, 0); /*     ReadOnly */
        put_u8(o, 1); /*     ConfigSource: DYNAMIC_TOPIC_CONFIG */
        put_u8(o, 0); /*     IsSensitive */
        put_ftags(o, flex);
        put_fstr(o, flex, "sasl.jaas.config");
        put_fstr(o, flex, NULL);
        put_u8(o, 0);
        put_u8(o, 5);
        put_u8(o, 1);
        put_ftags(o, flex);
    }
    put_ftags(o, flex);
    put_fstr(o, flex, "manual");
    if (v >= 7) {
        put_raw(o, (uint8_t[16]){0}, 16);
    }
    put_i16(o, 36);
    put_fstr(o, flex, "Topic 'manual' already exists.");
    if (v >= 5) {
        put_i32(o, -1);
        put_i16(o, -1);
        put_flen(o, flex, -1); /*   Configs: null */
    }
    put_ftags(o, flex);
    put_ftags(o, flex);
}

/* ---- DeleteTopics (20) --------------------------------------------------- */

static void dt_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_flen(o, flex, 2); /* TopicNames (v0-5), Topics (v6+) */
    if (v >= 6) {
        put_fstr(o, flex, "a-topic");               /*   Name */
        put_raw(o, (uint8_t[16]){0}, 16);           /*   TopicId: none */
        put_ftags(o, flex);
        put_fstr(o, flex, NULL);                    /*   by id */
        put_raw(o, test_uuid, sizeof(test_uuid));
        put_ftags(o, flex);
    } else {
        put_fstr(o, flex, "a-topic");
        put_fstr(o, flex, "b-topic");
    }
    put_i32(o, 1000); /* TimeoutMs */
    put_ftags(o, flex);
}

static void dt_check(any_req_t *u, int16_t v, arena_t *a)
{
    delete_topics_req_t *req = &u->dt;
    assert_int_equal(req->n_topics, 2);
    assert_kstr(req->topics[0].name, "a-topic");
    if (v >= 6) {
        assert_kstr(req->topics[1].name, NULL);
        assert_memory_equal(req->topics[1].topic_id.b, test_uuid, 16);
        req->topics[1].name = (kstr_t){"b-topic", 7}; /* the handler names what it deleted */
    } else {
        assert_kstr(req->topics[1].name, "b-topic");
    }
    assert_int_equal(req->timeout_ms, 1000);
    req->topics[0].error = 0;
    req->topics[1].error = 3;
    req->topics[1].error_message = "This server does not host this topic-partition.";
}

static void dt_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_flen(o, flex, 2); /* Responses */
    put_fstr(o, flex, "a-topic");
    if (v >= 6) {
        put_raw(o, (uint8_t[16]){0}, 16); /* TopicId */
    }
    put_i16(o, 0);
    if (v >= 5) {
        put_fstr(o, flex, NULL); /* ErrorMessage */
    }
    put_ftags(o, flex);
    put_fstr(o, flex, "b-topic");
    if (v >= 6) {
        put_raw(o, test_uuid, sizeof(test_uuid));
    }
    put_i16(o, 3);
    if (v >= 5) {
        put_fstr(o, flex, "This server does not host this topic-partition.");
    }
    put_ftags(o, flex);
    put_ftags(o, flex);
}

/* ---- DeleteRecords (21) -------------------------------------------------- */

static void dr_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_flen(o, flex, 1);        /* Topics */
    put_fstr(o, flex, "orders"); /*   Name */
    put_flen(o, flex, 2);        /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i64(o, 10);              /*     Offset */
    put_ftags(o, flex);
    put_i32(o, 1);
    put_i64(o, -1); /* up to the high watermark */
    put_ftags(o, flex);
    put_ftags(o, flex);
    put_i32(o, 1000); /* TimeoutMs */
    put_ftags(o, flex);
}

static void dr_check(any_req_t *u, int16_t v, arena_t *a)
{
    delete_records_req_t *req = &u->dr;
    assert_int_equal(req->n_topics, 1);
    delete_records_topic_t *t = &req->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 2);
    assert_int_equal(t->partitions[0].index, 0);
    assert_int_equal(t->partitions[0].offset, 10);
    assert_int_equal(t->partitions[1].index, 1);
    assert_int_equal(t->partitions[1].offset, -1);
    assert_int_equal(req->timeout_ms, 1000);
    t->partitions[0].low_watermark = 10;
    t->partitions[0].error = 0;
    t->partitions[1].low_watermark = -1;
    t->partitions[1].error = 1; /* OFFSET_OUT_OF_RANGE */
}

static void dr_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_i32(o, 0);               /* ThrottleTimeMs */
    put_flen(o, flex, 1);        /* Topics */
    put_fstr(o, flex, "orders"); /*   Name */
    put_flen(o, flex, 2);        /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i64(o, 10);              /*     LowWatermark */
    put_i16(o, 0);               /*     ErrorCode */
    put_ftags(o, flex);
    put_i32(o, 1);
    put_i64(o, -1);
    put_i16(o, 1);
    put_ftags(o, flex);
    put_ftags(o, flex);
    put_ftags(o, flex);
}

/* ---- FindCoordinator (10): FindCoordinatorRequest/Response.json --------- */

/* Below v4 one key; v4 (KIP-699) batches two, the second refused. */
static void fc_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 3;
    if (v <= 3) {
        put_vstr(o, flex, "my-group"); /* Key */
    }
    if (v >= 1) {
        put_u8(o, 0); /* KeyType: group */
    }
    if (v >= 4) {
        put_vcount(o, true, 2); /* CoordinatorKeys */
        put_cstr(o, "my-group");
        put_cstr(o, "other");
    }
    put_tags(o, flex);
}

static void fc_check(any_req_t *u, int16_t v, arena_t *a)
{
    find_coordinator_req_t *req = &u->fc;
    assert_int_equal(req->key_type, 0);
    assert_int_equal(req->n_keys, v >= 4 ? 2 : 1);
    assert_kstr(req->keys[0].key, "my-group");
    req->keys[0].node_id = 3;
    req->keys[0].host = "127.0.0.1";
    req->keys[0].port = 9092;
    if (v >= 4) {
        assert_kstr(req->keys[1].key, "other");
        req->keys[1].error = 15; /* COORDINATOR_NOT_AVAILABLE */
        req->keys[1].error_message = "no";
        req->keys[1].node_id = -1;
        req->keys[1].host = "";
        req->keys[1].port = -1;
    }
}

static void fc_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 3;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    if (v >= 4) {
        put_vcount(o, true, 2);  /* Coordinators */
        put_cstr(o, "my-group"); /*   Key */
        put_i32(o, 3);           /*   NodeId */
        put_cstr(o, "127.0.0.1");
        put_i32(o, 9092);
        put_i16(o, 0);          /*   ErrorCode */
        put_vstr(o, true, NULL); /*   ErrorMessage */
        put_tags(o, true);
        put_cstr(o, "other");
        put_i32(o, -1);
        put_cstr(o, "");
        put_i32(o, -1);
        put_i16(o, 15);
        put_cstr(o, "no");
        put_tags(o, true);
    } else {
        put_i16(o, 0); /* ErrorCode */
        if (v >= 1) {
            put_vstr(o, flex, NULL); /* ErrorMessage */
        }
        put_i32(o, 3);                  /* NodeId */
        put_vstr(o, flex, "127.0.0.1"); /* Host */
        put_i32(o, 9092);               /* Port */
    }
    put_tags(o, flex);
}

/* ---- InitProducerId (22) ------------------------------------------------- */

static void ip_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_fstr(o, flex, NULL); /* TransactionalId: idempotent, not transactional */
    put_i32(o, 60000);       /* TransactionTimeoutMs */
    if (v >= 3) {
        put_i64(o, 4000); /* ProducerId: an epoch bump (KIP-360) */
        put_i16(o, 2);    /* ProducerEpoch */
    }
    put_ftags(o, flex);
}

static void ip_check(any_req_t *u, int16_t v, arena_t *a)
{
    init_producer_id_req_t *req = &u->ip;
    assert_kstr(req->transactional_id, NULL);
    assert_int_equal(req->transaction_timeout_ms, 60000);
    assert_int_equal(req->current_producer_id, v >= 3 ? 4000 : -1);
    assert_int_equal(req->current_producer_epoch, v >= 3 ? 2 : -1);
    req->error = 0;
    req->producer_id = 4000;
    req->producer_epoch = 0;
}

static void ip_response(bytes_t *o, int16_t v)
{
    put_i32(o, 0);    /* ThrottleTimeMs */
    put_i16(o, 0);    /* ErrorCode */
    put_i64(o, 4000); /* ProducerId */
    put_i16(o, 0);    /* ProducerEpoch */
    put_ftags(o, v >= 2);
}

/* ---- DescribeConfigs (32) ------------------------------------------------ */

static void dc_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_flen(o, flex, 2);        /* Resources */
    put_u8(o, 2);                /*   ResourceType: TOPIC */
    put_fstr(o, flex, "orders"); /*   ResourceName */
    put_flen(o, flex, 1);        /*   ConfigurationKeys */
    put_fstr(o, flex, "retention.ms");
    put_ftags(o, flex);
    put_u8(o, 4); /* BROKER */
    put_fstr(o, flex, "1");
    put_flen(o, flex, -1); /* null: all keys */
    put_ftags(o, flex);
    if (v >= 1) {
        put_u8(o, 1); /* IncludeSynonyms */
    }
    if (v >= 3) {
        put_u8(o, 1); /* IncludeDocumentation */
    }
    put_ftags(o, flex);
}

static void dc_check(any_req_t *u, int16_t v, arena_t *a)
{
    describe_configs_req_t *req = &u->dc;
    assert_int_equal(req->n_resources, 2);
    describe_configs_resource_t *r0 = &req->resources[0];
    assert_int_equal(r0->type, RESOURCE_TOPIC);
    assert_kstr(r0->name, "orders");
    assert_int_equal(r0->n_keys, 1);
    assert_kstr(r0->keys[0], "retention.ms");
    describe_configs_resource_t *r1 = &req->resources[1];
    assert_int_equal(r1->type, RESOURCE_BROKER);
    assert_kstr(r1->name, "1");
    assert_int_equal(r1->n_keys, -1);
    assert_null(r1->keys);
    assert_int_equal(req->include_synonyms, v >= 1);
    assert_int_equal(req->include_documentation, v >= 3);

    r0->n_entries = 1;
    r0->entries = arena_alloc(a, sizeof(*r0->entries));
    r0->entries[0] = (describe_config_entry_t){"retention.ms", "604800000", false, 1, false, false, 5, "Keep."};
    r1->n_entries = 2;
    r1->entries = arena_alloc(a, 2 * sizeof(*r1->entries));
    r1->entries[0] = (describe_config_entry_t){"log.dirs", "/var/lib/connectd", true, 4, false, true, 7, "Dirs."};
    r1->entries[1] = (describe_config_entry_t){"sasl.jaas.config", NULL, false, 4, true, false, 9, NULL};
}

static void dc_entry(bytes_t *o, int16_t v, const char *name, const char *value, bool read_only,
                     int source, bool is_default, bool sensitive, int type, const char *doc)
{
    bool flex = v >= 4;
    put_fstr(o, flex, name);  /* Name */
    put_fstr(o, flex, value); /* Value */
    put_u8(o, read_only);
    if (v == 0) {
        put_u8(o, is_default); /* IsDefault (v0 only) */
    } else {
        put_u8(o, (unsigned)source); /* ConfigSource (v1+) */
    }
    put_u8(o, sensitive); /* IsSensitive */
    if (v >= 1) {
        put_flen(o, flex, 0); /* Synonyms: none */
    }
    if (v >= 3) {
        put_u8(o, (unsigned)type); /* ConfigType */
        put_fstr(o, flex, doc);    /* Documentation */
    }
    put_ftags(o, flex);
}

static void dc_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_i32(o, 0);               /* ThrottleTimeMs */
    put_flen(o, flex, 2);        /* Results */
    put_i16(o, 0);               /*   ErrorCode */
    put_fstr(o, flex, NULL);     /*   ErrorMessage */
    put_u8(o, 2);                /*   ResourceType */
    put_fstr(o, flex, "orders"); /*   ResourceName */
    put_flen(o, flex, 1);        /*   Configs */
    dc_entry(o, v, "retention.ms", "604800000", false, 1, false, false, 5, "Keep.");
    put_ftags(o, flex);
    put_i16(o, 0);
    put_fstr(o, flex, NULL);
    put_u8(o, 4);
    put_fstr(o, flex, "1");
    put_flen(o, flex, 2);
    dc_entry(o, v, "log.dirs", "/var/lib/connectd", true, 4, true, false, 7, "Dirs.");
    dc_entry(o, v, "sasl.jaas.config", NULL, false, 4, false, true, 9, NULL);
    put_ftags(o, flex);
    put_ftags(o, flex);
}

/* ---- AlterConfigs (33), IncrementalAlterConfigs (44) ---------------------- */

static void alter_request(bytes_t *o, int16_t v, bool incremental)
{
    bool flex = incremental ? v >= 1 : v >= 2;
    put_flen(o, flex, 2);        /* Resources */
    put_u8(o, 2);                /*   ResourceType: TOPIC */
    put_fstr(o, flex, "orders"); /*   ResourceName */
    put_flen(o, flex, 2);        /*   Configs */
    put_fstr(o, flex, "retention.ms");
    if (incremental) {
        put_u8(o, 0); /*     ConfigOperation: SET */
    }
    put_fstr(o, flex, "60000");
    put_ftags(o, flex);
    put_fstr(o, flex, "cleanup.policy");
    if (incremental) {
        put_u8(o, 1); /*     DELETE */
    }
    put_fstr(o, flex, NULL);
    put_ftags(o, flex);
    put_ftags(o, flex);
    put_u8(o, 4); /* BROKER */
    put_fstr(o, flex, "1");
    put_flen(o, flex, 0);
    put_ftags(o, flex);
    put_u8(o, 1); /* ValidateOnly */
    put_ftags(o, flex);
}

static void alter_check(any_req_t *u, int16_t v, bool incremental)
{
    alter_configs_req_t *req = &u->ac;
    assert_int_equal(req->n_resources, 2);
    alter_configs_resource_t *r0 = &req->resources[0];
    assert_int_equal(r0->type, RESOURCE_TOPIC);
    assert_kstr(r0->name, "orders");
    assert_int_equal(r0->n_configs, 2);
    assert_kstr(r0->configs[0].name, "retention.ms");
    assert_int_equal(r0->configs[0].op, 0);
    assert_kstr(r0->configs[0].value, "60000");
    assert_kstr(r0->configs[1].name, "cleanup.policy");
    assert_int_equal(r0->configs[1].op, incremental ? 1 : 0);
    assert_kstr(r0->configs[1].value, NULL);
    assert_int_equal(req->resources[1].type, RESOURCE_BROKER);
    assert_kstr(req->resources[1].name, "1");
    assert_int_equal(req->resources[1].n_configs, 0);
    assert_true(req->validate_only);
    r0->error = 40; /* INVALID_CONFIG */
    r0->error_message = "Unknown topic config name: x";
}

static void alter_response(bytes_t *o, bool flex)
{
    put_i32(o, 0);        /* ThrottleTimeMs */
    put_flen(o, flex, 2); /* Responses */
    put_i16(o, 40);       /*   ErrorCode */
    put_fstr(o, flex, "Unknown topic config name: x");
    put_u8(o, 2);                /*   ResourceType */
    put_fstr(o, flex, "orders"); /*   ResourceName */
    put_ftags(o, flex);
    put_i16(o, 0);
    put_fstr(o, flex, NULL);
    put_u8(o, 4);
    put_fstr(o, flex, "1");
    put_ftags(o, flex);
    put_ftags(o, flex);
}

static void ac_request(bytes_t *o, int16_t v)
{
    alter_request(o, v, false);
}

static void ac_check(any_req_t *u, int16_t v, arena_t *a)
{
    alter_check(u, v, false);
}

static void ac_response(bytes_t *o, int16_t v)
{
    alter_response(o, v >= 2);
}

static void ia_request(bytes_t *o, int16_t v)
{
    alter_request(o, v, true);
}

static void ia_check(any_req_t *u, int16_t v, arena_t *a)
{
    alter_check(u, v, true);
}

static void ia_response(bytes_t *o, int16_t v)
{
    alter_response(o, v >= 1);
}

/* ---- CreatePartitions (37) ----------------------------------------------- */

static void cp_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_flen(o, flex, 2);        /* Topics */
    put_fstr(o, flex, "orders"); /*   Name */
    put_i32(o, 6);               /*   Count */
    put_flen(o, flex, -1);       /*   Assignments: null */
    put_ftags(o, flex);
    put_fstr(o, flex, "audit");
    put_i32(o, 4);
    put_flen(o, flex, 2); /*   Assignments */
    put_flen(o, flex, 1); /*     BrokerIds */
    put_i32(o, 1);
    put_ftags(o, flex);
    put_flen(o, flex, 1);
    put_i32(o, 1);
    put_ftags(o, flex);
    put_ftags(o, flex);
    put_i32(o, 5000); /* TimeoutMs */
    put_u8(o, 0);     /* ValidateOnly */
    put_ftags(o, flex);
}

static void cp_check(any_req_t *u, int16_t v, arena_t *a)
{
    create_partitions_req_t *req = &u->cp;
    assert_int_equal(req->n_topics, 2);
    assert_kstr(req->topics[0].name, "orders");
    assert_int_equal(req->topics[0].count, 6);
    assert_int_equal(req->topics[0].n_assignments, -1);
    assert_kstr(req->topics[1].name, "audit");
    assert_int_equal(req->topics[1].count, 4);
    assert_int_equal(req->topics[1].n_assignments, 2);
    assert_int_equal(req->timeout_ms, 5000);
    assert_false(req->validate_only);
    req->topics[0].error = 0;
    req->topics[1].error = 37; /* INVALID_PARTITIONS */
    req->topics[1].error_message = "Topic already has 4 partitions.";
}

static void cp_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_i32(o, 0);        /* ThrottleTimeMs */
    put_flen(o, flex, 2); /* Results */
    put_fstr(o, flex, "orders");
    put_i16(o, 0);           /*   ErrorCode */
    put_fstr(o, flex, NULL); /*   ErrorMessage */
    put_ftags(o, flex);
    put_fstr(o, flex, "audit");
    put_i16(o, 37);
    put_fstr(o, flex, "Topic already has 4 partitions.");
    put_ftags(o, flex);
    put_ftags(o, flex);
}

/* ---- classic group APIs (proto_group.c): *Request.json / *Response.json - */

static const uint8_t member_meta[] = {0, 1, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's'};
#define MEMBER_META_LEN 14
#define KSTR(s) ((kstr_t){(s), (int32_t)(sizeof(s) - 1)})

/* OffsetCommit (8): flexible from v8 */
static void oc_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 8;
    put_vstr(o, flex, "my-group"); /* GroupId */
    put_i32(o, 7);                 /* GenerationIdOrMemberEpoch (v1+) */
    put_vstr(o, flex, "m-1");      /* MemberId (v1+) */
    if (v >= 7) {
        put_vstr(o, flex, "inst-1"); /* GroupInstanceId */
    }
    if (v >= 2 && v <= 4) {
        put_i64(o, 86400000); /* RetentionTimeMs */
    }
    put_vcount(o, flex, 1);      /* Topics */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 2);      /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i64(o, 42);              /*     CommittedOffset */
    if (v >= 6) {
        put_i32(o, 5); /*     CommittedLeaderEpoch */
    }
    put_vstr(o, flex, "meta"); /*     CommittedMetadata */
    put_tags(o, flex);
    put_i32(o, 3);
    put_i64(o, 0);
    if (v >= 6) {
        put_i32(o, -1);
    }
    put_vstr(o, flex, NULL);
    put_tags(o, flex);
    put_tags(o, flex);
    put_tags(o, flex);
}

static void oc_check(any_req_t *u, int16_t v, arena_t *a)
{
    offset_commit_req_t *req = &u->oc;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->generation_id, 7);
    assert_kstr(req->member_id, "m-1");
    assert_kstr(req->group_instance_id, v >= 7 ? "inst-1" : NULL);
    assert_int_equal(req->retention_time_ms, v <= 4 ? 86400000 : -1);
    assert_int_equal(req->n_topics, 1);
    offset_commit_topic_t *t = &req->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 2);
    assert_int_equal(t->partitions[0].index, 0);
    assert_int_equal(t->partitions[0].committed_offset, 42);
    assert_int_equal(t->partitions[0].committed_leader_epoch, v >= 6 ? 5 : -1);
    assert_kstr(t->partitions[0].metadata, "meta");
    assert_int_equal(t->partitions[1].index, 3);
    assert_int_equal(t->partitions[1].committed_offset, 0);
    assert_int_equal(t->partitions[1].committed_leader_epoch, -1);
    assert_kstr(t->partitions[1].metadata, NULL);
    t->partitions[0].error = 0;
    t->partitions[1].error = 3; /* UNKNOWN_TOPIC_OR_PARTITION */
}

static void oc_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 8;
    if (v >= 3) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_vcount(o, flex, 1);      /* Topics */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 2);      /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i16(o, 0);               /*     ErrorCode */
    put_tags(o, flex);
    put_i32(o, 3);
    put_i16(o, 3);
    put_tags(o, flex);
    put_tags(o, flex);
    put_tags(o, flex);
}

/* OffsetFetch (9): flexible from v6, several groups from v8 (KIP-709).  The
 * v8 rows name two groups: "my-group" with the usual topic and "all" with a
 * null Topics (every committed topic, answered here with none). */
static void of_group_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    put_vstr(o, flex, "my-group"); /* GroupId */
    put_vcount(o, flex, 1);        /* Topics */
    put_vstr(o, flex, "orders");   /*   Name */
    put_vcount(o, flex, 2);        /*   PartitionIndexes */
    put_i32(o, 0);
    put_i32(o, 1);
    put_tags(o, flex);
}

static void of_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    if (v >= 8) {
        put_vcount(o, flex, 2); /* Groups */
        of_group_request(o, v);
        put_tags(o, flex);
        put_vstr(o, flex, "all");
        put_vcount(o, flex, -1); /*   Topics: null */
        put_tags(o, flex);
    } else {
        of_group_request(o, v);
    }
    if (v >= 7) {
        put_u8(o, 1); /* RequireStable */
    }
    put_tags(o, flex);
}

static void of_check(any_req_t *u, int16_t v, arena_t *a)
{
    offset_fetch_req_t *req = &u->of;
    assert_int_equal(req->n_groups, v >= 8 ? 2 : 1);
    assert_int_equal(req->require_stable, v >= 7);
    offset_fetch_group_t *g = &req->groups[0];
    assert_kstr(g->group_id, "my-group");
    assert_int_equal(g->n_topics, 1);
    offset_fetch_topic_t *t = &g->topics[0];
    assert_kstr(t->name, "orders");
    assert_int_equal(t->n_partitions, 2);
    assert_int_equal(t->partitions[0].index, 0);
    assert_int_equal(t->partitions[1].index, 1);
    t->partitions[0].committed_offset = 42;
    t->partitions[0].committed_leader_epoch = 5;
    t->partitions[0].metadata = KSTR("meta");
    t->partitions[0].error = 0;
    t->partitions[1].committed_offset = -1;
    t->partitions[1].committed_leader_epoch = -1;
    t->partitions[1].metadata = (kstr_t){NULL, -1};
    t->partitions[1].error = 0;
    g->error = 0;
    if (v >= 8) {
        assert_kstr(req->groups[1].group_id, "all");
        assert_int_equal(req->groups[1].n_topics, -1);
        req->groups[1].error = 16; /* NOT_COORDINATOR */
    }
}

static void of_group_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    put_vcount(o, flex, 1);      /* Topics */
    put_vstr(o, flex, "orders"); /*   Name */
    put_vcount(o, flex, 2);      /*   Partitions */
    put_i32(o, 0);               /*     PartitionIndex */
    put_i64(o, 42);              /*     CommittedOffset */
    if (v >= 5) {
        put_i32(o, 5); /*     CommittedLeaderEpoch */
    }
    put_vstr(o, flex, "meta"); /*     Metadata */
    put_i16(o, 0);             /*     ErrorCode */
    put_tags(o, flex);
    put_i32(o, 1);
    put_i64(o, -1);
    if (v >= 5) {
        put_i32(o, -1);
    }
    put_vstr(o, flex, NULL);
    put_i16(o, 0);
    put_tags(o, flex);
    put_tags(o, flex);
}

static void of_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    if (v >= 3) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    if (v >= 8) {
        put_vcount(o, flex, 2);        /* Groups */
        put_vstr(o, flex, "my-group"); /*   GroupId */
        of_group_response(o, v);
        put_i16(o, 0); /*   ErrorCode */
        put_tags(o, flex);
        put_vstr(o, flex, "all");
        put_vcount(o, flex, 0);
        put_i16(o, 16);
        put_tags(o, flex);
    } else {
        of_group_response(o, v);
        if (v >= 2) {
            put_i16(o, 0); /* ErrorCode */
        }
    }
    put_tags(o, flex);
}

/* JoinGroup (11): flexible from v6 */
static void jg_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    put_vstr(o, flex, "my-group"); /* GroupId */
    put_i32(o, 10000);             /* SessionTimeoutMs */
    if (v >= 1) {
        put_i32(o, 300000); /* RebalanceTimeoutMs */
    }
    put_vstr(o, flex, ""); /* MemberId: first join */
    if (v >= 5) {
        put_vstr(o, flex, "inst-1"); /* GroupInstanceId */
    }
    put_vstr(o, flex, "consumer"); /* ProtocolType */
    put_vcount(o, flex, 2);        /* Protocols */
    put_vstr(o, flex, "range");    /*   Name */
    put_vbytes(o, flex, member_meta, MEMBER_META_LEN); /* Metadata */
    put_tags(o, flex);
    put_vstr(o, flex, "roundrobin");
    put_vbytes(o, flex, NULL, 0);
    put_tags(o, flex);
    if (v >= 8) {
        put_vstr(o, flex, "rebalance requested"); /* Reason */
    }
    put_tags(o, flex);
}

static void jg_check(any_req_t *u, int16_t v, arena_t *a)
{
    join_group_req_t *req = &u->jg;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->session_timeout_ms, 10000);
    assert_int_equal(req->rebalance_timeout_ms, v >= 1 ? 300000 : 10000);
    assert_kstr(req->member_id, "");
    assert_kstr(req->group_instance_id, v >= 5 ? "inst-1" : NULL);
    assert_kstr(req->protocol_type, "consumer");
    assert_int_equal(req->n_protocols, 2);
    assert_kstr(req->protocols[0].name, "range");
    assert_int_equal(req->protocols[0].metadata.len, MEMBER_META_LEN);
    assert_memory_equal(req->protocols[0].metadata.ptr, member_meta, MEMBER_META_LEN);
    assert_kstr(req->protocols[1].name, "roundrobin");
    assert_int_equal(req->protocols[1].metadata.len, 0);
    assert_kstr(req->reason, v >= 8 ? "rebalance requested" : NULL);
    req->error = 0;
    req->generation_id = 1;
    req->result_protocol_type = KSTR("consumer");
    req->protocol_name = KSTR("range");
    req->leader = KSTR("m-1");
    req->result_member_id = KSTR("m-1");
    req->n_members = 1;
    req->members = arena_alloc(a, sizeof(*req->members));
    req->members[0].member_id = KSTR("m-1");
    req->members[0].group_instance_id = KSTR("inst-1");
    req->members[0].metadata = (kstr_t){(const char *)member_meta, MEMBER_META_LEN};
}

static void jg_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 6;
    if (v >= 2) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i16(o, 0); /* ErrorCode */
    put_i32(o, 1); /* GenerationId */
    if (v >= 7) {
        put_vstr(o, flex, "consumer"); /* ProtocolType */
    }
    put_vstr(o, flex, "range"); /* ProtocolName */
    put_vstr(o, flex, "m-1");   /* Leader */
    if (v >= 9) {
        put_u8(o, 0); /* SkipAssignment */
    }
    put_vstr(o, flex, "m-1"); /* MemberId */
    put_vcount(o, flex, 1);   /* Members */
    put_vstr(o, flex, "m-1"); /*   MemberId */
    if (v >= 5) {
        put_vstr(o, flex, "inst-1"); /* GroupInstanceId */
    }
    put_vbytes(o, flex, member_meta, MEMBER_META_LEN); /* Metadata */
    put_tags(o, flex);
    put_tags(o, flex);
}

/* A JoinGroup refused before a protocol was chosen: ProtocolName is null,
 * which goes out as "" below v7 (not nullable there) and as null from v7. */
static void test_join_group_null_protocol(void **state)
{
    for (int16_t v = 6; v <= 7; v++) {
        join_group_req_t req = {.error = 25, .generation_id = -1, .result_protocol_type = {NULL, -1},
                                .protocol_name = {NULL, -1}, .leader = KSTR(""), .result_member_id = KSTR("")};
        buf_writer_t w;
        buf_writer_init(&w, 16);
        proto_encode_join_group(&w, v, &req);
        bytes_t want = {.n = 0};
        put_i32(&want, 0);  /* ThrottleTimeMs */
        put_i16(&want, 25); /* ErrorCode */
        put_i32(&want, -1); /* GenerationId */
        if (v >= 7) {
            put_u8(&want, 0); /* ProtocolType: null */
            put_u8(&want, 0); /* ProtocolName: null */
        } else {
            put_u8(&want, 1); /* ProtocolName: "" */
        }
        put_u8(&want, 1); /* Leader: "" */
        put_u8(&want, 1); /* MemberId: "" */
        put_u8(&want, 1); /* Members: empty */
        put_u8(&want, 0); /* tags */
        assert_bytes(w.data, w.len, want.b, want.n);
        buf_writer_release(&w);
    }
}

/* Heartbeat (12): flexible from v4 */
static void hb_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_vstr(o, flex, "my-group"); /* GroupId */
    put_i32(o, 7);                 /* GenerationId */
    put_vstr(o, flex, "m-1");      /* MemberId */
    if (v >= 3) {
        put_vstr(o, flex, NULL); /* GroupInstanceId */
    }
    put_tags(o, flex);
}

static void hb_check(any_req_t *u, int16_t v, arena_t *a)
{
    heartbeat_req_t *req = &u->hb;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->generation_id, 7);
    assert_kstr(req->member_id, "m-1");
    assert_kstr(req->group_instance_id, NULL);
    req->error = 27; /* REBALANCE_IN_PROGRESS */
}

static void hb_response(bytes_t *o, int16_t v)
{
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i16(o, 27); /* ErrorCode */
    put_tags(o, v >= 4);
}

/* LeaveGroup (13): a batch of members from v3 (KIP-345), flexible from v4 */
static void lg_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_vstr(o, flex, "my-group"); /* GroupId */
    if (v <= 2) {
        put_str(o, "m-1"); /* MemberId */
        return;
    }
    put_vcount(o, flex, 2);   /* Members */
    put_vstr(o, flex, "m-1"); /*   MemberId */
    put_vstr(o, flex, NULL);  /*   GroupInstanceId */
    if (v >= 5) {
        put_vstr(o, flex, "shutting down"); /* Reason */
    }
    put_tags(o, flex);
    put_vstr(o, flex, "");
    put_vstr(o, flex, "inst-2");
    if (v >= 5) {
        put_vstr(o, flex, NULL);
    }
    put_tags(o, flex);
    put_tags(o, flex);
}

static void lg_check(any_req_t *u, int16_t v, arena_t *a)
{
    leave_group_req_t *req = &u->lg;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->n_members, v <= 2 ? 1 : 2);
    assert_kstr(req->members[0].member_id, "m-1");
    assert_kstr(req->members[0].group_instance_id, NULL);
    assert_kstr(req->members[0].reason, v >= 5 ? "shutting down" : NULL);
    req->members[0].error = 25; /* UNKNOWN_MEMBER_ID */
    if (v >= 3) {
        assert_kstr(req->members[1].member_id, "");
        assert_kstr(req->members[1].group_instance_id, "inst-2");
        assert_kstr(req->members[1].reason, NULL);
        req->members[1].error = 0;
    }
    req->error = v <= 2 ? 25 : 0;
}

static void lg_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i16(o, v <= 2 ? 25 : 0); /* ErrorCode */
    if (v >= 3) {
        put_vcount(o, flex, 2);   /* Members */
        put_vstr(o, flex, "m-1"); /*   MemberId */
        put_vstr(o, flex, NULL);  /*   GroupInstanceId */
        put_i16(o, 25);           /*   ErrorCode */
        put_tags(o, flex);
        put_vstr(o, flex, "");
        put_vstr(o, flex, "inst-2");
        put_i16(o, 0);
        put_tags(o, flex);
    }
    put_tags(o, flex);
}

/* SyncGroup (14): flexible from v4 */
static void sg_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    put_vstr(o, flex, "my-group"); /* GroupId */
    put_i32(o, 1);                 /* GenerationId */
    put_vstr(o, flex, "m-1");      /* MemberId */
    if (v >= 3) {
        put_vstr(o, flex, "inst-1"); /* GroupInstanceId */
    }
    if (v >= 5) {
        put_vstr(o, flex, "consumer"); /* ProtocolType */
        put_vstr(o, flex, "range");    /* ProtocolName */
    }
    put_vcount(o, flex, 2);   /* Assignments */
    put_vstr(o, flex, "m-1"); /*   MemberId */
    put_vbytes(o, flex, member_meta, MEMBER_META_LEN); /* Assignment */
    put_tags(o, flex);
    put_vstr(o, flex, "m-2");
    put_vbytes(o, flex, NULL, 0);
    put_tags(o, flex);
    put_tags(o, flex);
}

static void sg_check(any_req_t *u, int16_t v, arena_t *a)
{
    sync_group_req_t *req = &u->sg;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->generation_id, 1);
    assert_kstr(req->member_id, "m-1");
    assert_kstr(req->group_instance_id, v >= 3 ? "inst-1" : NULL);
    assert_kstr(req->protocol_type, v >= 5 ? "consumer" : NULL);
    assert_kstr(req->protocol_name, v >= 5 ? "range" : NULL);
    assert_int_equal(req->n_assignments, 2);
    assert_kstr(req->assignments[0].member_id, "m-1");
    assert_int_equal(req->assignments[0].assignment.len, MEMBER_META_LEN);
    assert_memory_equal(req->assignments[0].assignment.ptr, member_meta, MEMBER_META_LEN);
    assert_kstr(req->assignments[1].member_id, "m-2");
    assert_int_equal(req->assignments[1].assignment.len, 0);
    req->error = 0;
    req->result_protocol_type = KSTR("consumer");
    req->result_protocol_name = KSTR("range");
    req->assignment = req->assignments[0].assignment;
}

static void sg_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 4;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i16(o, 0); /* ErrorCode */
    if (v >= 5) {
        put_vstr(o, flex, "consumer"); /* ProtocolType */
        put_vstr(o, flex, "range");    /* ProtocolName */
    }
    put_vbytes(o, flex, member_meta, MEMBER_META_LEN); /* Assignment */
    put_tags(o, flex);
}

/* DescribeGroups (15): flexible from v5 */
static void dg_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 5;
    put_vcount(o, flex, 2); /* Groups */
    put_vstr(o, flex, "my-group");
    put_vstr(o, flex, "gone");
    if (v >= 3) {
        put_u8(o, 1); /* IncludeAuthorizedOperations */
    }
    put_tags(o, flex);
}

static void dg_check(any_req_t *u, int16_t v, arena_t *a)
{
    describe_groups_req_t *req = &u->dg;
    assert_int_equal(req->n_groups, 2);
    assert_kstr(req->groups[0].group_id, "my-group");
    assert_kstr(req->groups[1].group_id, "gone");
    assert_int_equal(req->include_authorized_operations, v >= 3);
    describe_group_t *g = &req->groups[0];
    g->error = 0;
    g->state = "Stable";
    g->protocol_type = "consumer";
    g->protocol_data = "range";
    g->n_members = 1;
    g->members = arena_alloc(a, sizeof(*g->members));
    g->members[0].member_id = KSTR("m-1");
    g->members[0].group_instance_id = KSTR("inst-1");
    g->members[0].client_id = KSTR("rdkafka");
    g->members[0].client_host = KSTR("/127.0.0.1");
    g->members[0].metadata = (kstr_t){(const char *)member_meta, MEMBER_META_LEN};
    g->members[0].assignment = (kstr_t){NULL, -1};
    g->authorized_operations = 328;
    req->groups[1].error = 16; /* NOT_COORDINATOR */
    req->groups[1].state = "Dead";
    req->groups[1].authorized_operations = INT32_MIN;
}

static void dg_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 5;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_vcount(o, flex, 2);        /* Groups */
    put_i16(o, 0);                 /*   ErrorCode */
    put_vstr(o, flex, "my-group"); /*   GroupId */
    put_vstr(o, flex, "Stable");   /*   GroupState */
    put_vstr(o, flex, "consumer"); /*   ProtocolType */
    put_vstr(o, flex, "range");    /*   ProtocolData */
    put_vcount(o, flex, 1);        /*   Members */
    put_vstr(o, flex, "m-1");      /*     MemberId */
    if (v >= 4) {
        put_vstr(o, flex, "inst-1"); /*     GroupInstanceId */
    }
    put_vstr(o, flex, "rdkafka");    /*     ClientId */
    put_vstr(o, flex, "/127.0.0.1"); /*     ClientHost */
    put_vbytes(o, flex, member_meta, MEMBER_META_LEN); /* MemberMetadata */
    put_vbytes(o, flex, NULL, 0);    /*     MemberAssignment: none yet */
    put_tags(o, flex);
    if (v >= 3) {
        put_i32(o, 328); /*   AuthorizedOperations: READ, DELETE, DESCRIBE */
    }
    put_tags(o, flex);
    put_i16(o, 16);
    put_vstr(o, flex, "gone");
    put_vstr(o, flex, "Dead");
    put_vstr(o, flex, "");
    put_vstr(o, flex, "");
    put_vcount(o, flex, 0);
    if (v >= 3) {
        put_i32(o, INT32_MIN);
    }
    put_tags(o, flex);
    put_tags(o, flex);
}

/* ListGroups (16): flexible from v3, StatesFilter and GroupState from v4 */
static void li_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 3;
    if (v >= 4) {
        put_vcount(o, flex, 2); /* StatesFilter */
        put_vstr(o, flex, "Stable");
        put_vstr(o, flex, "empty");
    }
    put_tags(o, flex);
}

static const list_groups_entry_t listed_groups[] = {
    {{"my-group", 8}, {"consumer", 8}, {"Stable", 6}},
    {{"connect", 7}, {"", 0}, {"Empty", 5}},
};

static void li_check(any_req_t *u, int16_t v, arena_t *a)
{
    list_groups_req_t *req = &u->li;
    assert_int_equal(req->n_states_filter, v >= 4 ? 2 : 0);
    if (v >= 4) {
        assert_kstr(req->states_filter[0], "Stable");
        assert_kstr(req->states_filter[1], "empty");
    }
    req->error = 0;
    req->n_groups = 2;
    req->groups = (list_groups_entry_t *)listed_groups;
}

static void li_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 3;
    if (v >= 1) {
        put_i32(o, 0); /* ThrottleTimeMs */
    }
    put_i16(o, 0);                 /* ErrorCode */
    put_vcount(o, flex, 2);        /* Groups */
    put_vstr(o, flex, "my-group"); /*   GroupId */
    put_vstr(o, flex, "consumer"); /*   ProtocolType */
    if (v >= 4) {
        put_vstr(o, flex, "Stable"); /*   GroupState */
    }
    put_tags(o, flex);
    put_vstr(o, flex, "connect");
    put_vstr(o, flex, "");
    if (v >= 4) {
        put_vstr(o, flex, "Empty");
    }
    put_tags(o, flex);
    put_tags(o, flex);
}

/* DeleteGroups (42) */
static void xg_request(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_vcount(o, flex, 2); /* GroupsNames */
    put_vstr(o, flex, "my-group");
    put_vstr(o, flex, "busy");
    put_tags(o, flex);
}

static void xg_check(any_req_t *u, int16_t v, arena_t *a)
{
    delete_groups_req_t *req = &u->xg;
    assert_int_equal(req->n_groups, 2);
    assert_kstr(req->groups[0].group_id, "my-group");
    assert_kstr(req->groups[1].group_id, "busy");
    req->groups[0].error = 0;
    req->groups[1].error = 68; /* NON_EMPTY_GROUP */
}

static void xg_response(bytes_t *o, int16_t v)
{
    bool flex = v >= 2;
    put_i32(o, 0);                  /* ThrottleTimeMs */
    put_vcount(o, flex, 2);         /* Results */
    put_vstr(o, flex, "my-group");  /*   GroupId */
    put_i16(o, 0);                  /*   ErrorCode */
    put_tags(o, flex);
    put_vstr(o, flex, "busy");
    put_i16(o, 68);
    put_tags(o, flex);
    put_tags(o, flex);
}

/* OffsetDelete (47) */
static void od_request(bytes_t *o, int16_t v)
{
    put_str(o, "my-group"); /* GroupId */
    put_i32(o, 2);          /* Topics */
    put_str(o, "t");        /*   Name */
    put_i32(o, 2);          /*   Partitions */
    put_i32(o, 0);          /*     PartitionIndex */
    put_i32(o, 3);
    put_str(o, "u");
    put_i32(o, 0);
}

static void od_check(any_req_t *u, int16_t v, arena_t *a)
{
    offset_delete_req_t *req = &u->od;
    assert_kstr(req->group_id, "my-group");
    assert_int_equal(req->n_topics, 2);
    assert_kstr(req->topics[0].name, "t");
    assert_int_equal(req->topics[0].n_partitions, 2);
    assert_int_equal(req->topics[0].partitions[0].index, 0);
    assert_int_equal(req->topics[0].partitions[1].index, 3);
    assert_kstr(req->topics[1].name, "u");
    assert_int_equal(req->topics[1].n_partitions, 0);
    req->error = 0;
    req->topics[0].partitions[0].error = 0;
    req->topics[0].partitions[1].error = 86; /* GROUP_SUBSCRIBED_TO_TOPIC */
}

static void od_response(bytes_t *o, int16_t v)
{
    put_i16(o, 0);   /* ErrorCode */
    put_i32(o, 0);   /* ThrottleTimeMs */
    put_i32(o, 2);   /* Topics */
    put_str(o, "t"); /*   Name */
    put_i32(o, 2);   /*   Partitions */
    put_i32(o, 0);   /*     PartitionIndex */
    put_i16(o, 0);   /*     ErrorCode */
    put_i32(o, 3);
    put_i16(o, 86);
    put_str(o, "u");
    put_i32(o, 0);
}

/* ---- the table ------------------------------------------------------------ */

typedef struct codec_case {
    const char *name;
    int16_t key;
    int16_t version;
    void (*request)(bytes_t *o, int16_t v);
    /* Asserts the decoded fields, then fills the results as a handler would. */
    void (*check)(any_req_t *req, int16_t v, arena_t *a);
    void (*response)(bytes_t *o, int16_t v);
} codec_case_t;

#define ROW(label, key, v, prefix) {label, key, v, prefix##_request, prefix##_check, prefix##_response}

/* Every version of every advertised range (api.c), so a field that appears
 * one version too early or too late fails a row; DescribeConfigs v0 is extra. */
static const codec_case_t cases[] = {
    ROW("Produce v0", API_PRODUCE, 0, pr),
    ROW("Produce v1", API_PRODUCE, 1, pr),
    ROW("Produce v2", API_PRODUCE, 2, pr),
    ROW("Produce v3", API_PRODUCE, 3, pr),
    ROW("Produce v4", API_PRODUCE, 4, pr),
    ROW("Produce v5", API_PRODUCE, 5, pr),
    ROW("Produce v6", API_PRODUCE, 6, pr),
    ROW("Produce v7", API_PRODUCE, 7, pr),
    ROW("Produce v8", API_PRODUCE, 8, pr),
    ROW("Produce v9", API_PRODUCE, 9, pr),
    ROW("Fetch v0", API_FETCH, 0, fe),
    ROW("Fetch v1", API_FETCH, 1, fe),
    ROW("Fetch v2", API_FETCH, 2, fe),
    ROW("Fetch v3", API_FETCH, 3, fe),
    ROW("Fetch v4", API_FETCH, 4, fe),
    ROW("Fetch v5", API_FETCH, 5, fe),
    ROW("Fetch v6", API_FETCH, 6, fe),
    ROW("Fetch v7", API_FETCH, 7, fe),
    ROW("Fetch v8", API_FETCH, 8, fe),
    ROW("Fetch v9", API_FETCH, 9, fe),
    ROW("Fetch v10", API_FETCH, 10, fe),
    ROW("Fetch v11", API_FETCH, 11, fe),
    ROW("Fetch v12", API_FETCH, 12, fe),
    ROW("Fetch v13", API_FETCH, 13, fe),
    ROW("ListOffsets v0", API_LIST_OFFSETS, 0, lo),
    ROW("ListOffsets v1", API_LIST_OFFSETS, 1, lo),
    ROW("ListOffsets v2", API_LIST_OFFSETS, 2, lo),
    ROW("ListOffsets v3", API_LIST_OFFSETS, 3, lo),
    ROW("ListOffsets v4", API_LIST_OFFSETS, 4, lo),
    ROW("ListOffsets v5", API_LIST_OFFSETS, 5, lo),
    ROW("ListOffsets v6", API_LIST_OFFSETS, 6, lo),
    ROW("ListOffsets v7", API_LIST_OFFSETS, 7, lo),
    ROW("OffsetForLeaderEpoch v0", API_OFFSET_FOR_LEADER_EPOCH, 0, ol),
    ROW("OffsetForLeaderEpoch v1", API_OFFSET_FOR_LEADER_EPOCH, 1, ol),
    ROW("OffsetForLeaderEpoch v2", API_OFFSET_FOR_LEADER_EPOCH, 2, ol),
    ROW("OffsetForLeaderEpoch v3", API_OFFSET_FOR_LEADER_EPOCH, 3, ol),
    ROW("Metadata v0", API_METADATA, 0, md),
    ROW("Metadata v1", API_METADATA, 1, md),
    ROW("Metadata v2", API_METADATA, 2, md),
    ROW("Metadata v3", API_METADATA, 3, md),
    ROW("Metadata v4", API_METADATA, 4, md),
    ROW("Metadata v5", API_METADATA, 5, md),
    ROW("Metadata v6", API_METADATA, 6, md),
    ROW("Metadata v7", API_METADATA, 7, md),
    ROW("Metadata v8", API_METADATA, 8, md),
    ROW("Metadata v9", API_METADATA, 9, md),
    ROW("Metadata v10", API_METADATA, 10, md),
    ROW("Metadata v11", API_METADATA, 11, md),
    ROW("Metadata v12", API_METADATA, 12, md),
    ROW("ApiVersions v0", API_API_VERSIONS, 0, av),
    ROW("ApiVersions v1", API_API_VERSIONS, 1, av),
    ROW("ApiVersions v2", API_API_VERSIONS, 2, av),
    ROW("ApiVersions v3", API_API_VERSIONS, 3, av),
    ROW("CreateTopics v2", API_CREATE_TOPICS, 2, ct),
    ROW("CreateTopics v3", API_CREATE_TOPICS, 3, ct),
    ROW("CreateTopics v4", API_CREATE_TOPICS, 4, ct),
    ROW("CreateTopics v5", API_CREATE_TOPICS, 5, ct),
    ROW("CreateTopics v6", API_CREATE_TOPICS, 6, ct),
    ROW("CreateTopics v7", API_CREATE_TOPICS, 7, ct),
    ROW("DeleteTopics v0", API_DELETE_TOPICS, 0, dt),
    ROW("DeleteTopics v1", API_DELETE_TOPICS, 1, dt),
    ROW("DeleteTopics v2", API_DELETE_TOPICS, 2, dt),
    ROW("DeleteTopics v3", API_DELETE_TOPICS, 3, dt),
    ROW("DeleteTopics v4", API_DELETE_TOPICS, 4, dt),
    ROW("DeleteTopics v5", API_DELETE_TOPICS, 5, dt),
    ROW("DeleteTopics v6", API_DELETE_TOPICS, 6, dt),
    ROW("DeleteRecords v0", API_DELETE_RECORDS, 0, dr),
    ROW("DeleteRecords v1", API_DELETE_RECORDS, 1, dr),
    ROW("DeleteRecords v2", API_DELETE_RECORDS, 2, dr),
    ROW("FindCoordinator v0", API_FIND_COORDINATOR, 0, fc),
    ROW("FindCoordinator v1", API_FIND_COORDINATOR, 1, fc),
    ROW("FindCoordinator v2", API_FIND_COORDINATOR, 2, fc),
    ROW("FindCoordinator v3", API_FIND_COORDINATOR, 3, fc),
    ROW("FindCoordinator v4", API_FIND_COORDINATOR, 4, fc),
    ROW("InitProducerId v0", API_INIT_PRODUCER_ID, 0, ip),
    ROW("InitProducerId v1", API_INIT_PRODUCER_ID, 1, ip),
    ROW("InitProducerId v2", API_INIT_PRODUCER_ID, 2, ip),
    ROW("InitProducerId v3", API_INIT_PRODUCER_ID, 3, ip),
    ROW("InitProducerId v4", API_INIT_PRODUCER_ID, 4, ip),
    /* v0 is not advertised, but the codec keeps its IsDefault layout. */
    ROW("DescribeConfigs v0", API_DESCRIBE_CONFIGS, 0, dc),
    ROW("DescribeConfigs v1", API_DESCRIBE_CONFIGS, 1, dc),
    ROW("DescribeConfigs v2", API_DESCRIBE_CONFIGS, 2, dc),
    ROW("DescribeConfigs v3", API_DESCRIBE_CONFIGS, 3, dc),
    ROW("DescribeConfigs v4", API_DESCRIBE_CONFIGS, 4, dc),
    ROW("AlterConfigs v0", API_ALTER_CONFIGS, 0, ac),
    ROW("AlterConfigs v1", API_ALTER_CONFIGS, 1, ac),
    ROW("AlterConfigs v2", API_ALTER_CONFIGS, 2, ac),
    ROW("CreatePartitions v0", API_CREATE_PARTITIONS, 0, cp),
    ROW("CreatePartitions v1", API_CREATE_PARTITIONS, 1, cp),
    ROW("CreatePartitions v2", API_CREATE_PARTITIONS, 2, cp),
    ROW("CreatePartitions v3", API_CREATE_PARTITIONS, 3, cp),
    ROW("OffsetCommit v2", API_OFFSET_COMMIT, 2, oc),
    ROW("OffsetCommit v3", API_OFFSET_COMMIT, 3, oc),
    ROW("OffsetCommit v4", API_OFFSET_COMMIT, 4, oc),
    ROW("OffsetCommit v5", API_OFFSET_COMMIT, 5, oc),
    ROW("OffsetCommit v6", API_OFFSET_COMMIT, 6, oc),
    ROW("OffsetCommit v7", API_OFFSET_COMMIT, 7, oc),
    ROW("OffsetCommit v8", API_OFFSET_COMMIT, 8, oc),
    ROW("OffsetFetch v1", API_OFFSET_FETCH, 1, of),
    ROW("OffsetFetch v2", API_OFFSET_FETCH, 2, of),
    ROW("OffsetFetch v3", API_OFFSET_FETCH, 3, of),
    ROW("OffsetFetch v4", API_OFFSET_FETCH, 4, of),
    ROW("OffsetFetch v5", API_OFFSET_FETCH, 5, of),
    ROW("OffsetFetch v6", API_OFFSET_FETCH, 6, of),
    ROW("OffsetFetch v7", API_OFFSET_FETCH, 7, of),
    ROW("OffsetFetch v8", API_OFFSET_FETCH, 8, of),
    ROW("JoinGroup v0", API_JOIN_GROUP, 0, jg),
    ROW("JoinGroup v1", API_JOIN_GROUP, 1, jg),
    ROW("JoinGroup v2", API_JOIN_GROUP, 2, jg),
    ROW("JoinGroup v3", API_JOIN_GROUP, 3, jg),
    ROW("JoinGroup v4", API_JOIN_GROUP, 4, jg),
    ROW("JoinGroup v5", API_JOIN_GROUP, 5, jg),
    ROW("JoinGroup v6", API_JOIN_GROUP, 6, jg),
    ROW("JoinGroup v7", API_JOIN_GROUP, 7, jg),
    ROW("JoinGroup v8", API_JOIN_GROUP, 8, jg),
    ROW("JoinGroup v9", API_JOIN_GROUP, 9, jg),
    ROW("Heartbeat v0", API_HEARTBEAT, 0, hb),
    ROW("Heartbeat v1", API_HEARTBEAT, 1, hb),
    ROW("Heartbeat v2", API_HEARTBEAT, 2, hb),
    ROW("Heartbeat v3", API_HEARTBEAT, 3, hb),
    ROW("Heartbeat v4", API_HEARTBEAT, 4, hb),
    ROW("LeaveGroup v0", API_LEAVE_GROUP, 0, lg),
    ROW("LeaveGroup v1", API_LEAVE_GROUP, 1, lg),
    ROW("LeaveGroup v2", API_LEAVE_GROUP, 2, lg),
    ROW("LeaveGroup v3", API_LEAVE_GROUP, 3, lg),
    ROW("LeaveGroup v4", API_LEAVE_GROUP, 4, lg),
    ROW("LeaveGroup v5", API_LEAVE_GROUP, 5, lg),
    ROW("SyncGroup v0", API_SYNC_GROUP, 0, sg),
    ROW("SyncGroup v1", API_SYNC_GROUP, 1, sg),
    ROW("SyncGroup v2", API_SYNC_GROUP, 2, sg),
    ROW("SyncGroup v3", API_SYNC_GROUP, 3, sg),
    ROW("SyncGroup v4", API_SYNC_GROUP, 4, sg),
    ROW("SyncGroup v5", API_SYNC_GROUP, 5, sg),
    ROW("DescribeGroups v0", API_DESCRIBE_GROUPS, 0, dg),
    ROW("DescribeGroups v1", API_DESCRIBE_GROUPS, 1, dg),
    ROW("DescribeGroups v2", API_DESCRIBE_GROUPS, 2, dg),
    ROW("DescribeGroups v3", API_DESCRIBE_GROUPS, 3, dg),
    ROW("DescribeGroups v4", API_DESCRIBE_GROUPS, 4, dg),
    ROW("DescribeGroups v5", API_DESCRIBE_GROUPS, 5, dg),
    ROW("ListGroups v0", API_LIST_GROUPS, 0, li),
    ROW("ListGroups v1", API_LIST_GROUPS, 1, li),
    ROW("ListGroups v2", API_LIST_GROUPS, 2, li),
    ROW("ListGroups v3", API_LIST_GROUPS, 3, li),
    ROW("ListGroups v4", API_LIST_GROUPS, 4, li),
    ROW("DeleteGroups v0", API_DELETE_GROUPS, 0, xg),
    ROW("DeleteGroups v1", API_DELETE_GROUPS, 1, xg),
    ROW("DeleteGroups v2", API_DELETE_GROUPS, 2, xg),
    ROW("IncrementalAlterConfigs v0", API_INCREMENTAL_ALTER_CONFIGS, 0, ia),
    ROW("IncrementalAlterConfigs v1", API_INCREMENTAL_ALTER_CONFIGS, 1, ia),
    ROW("OffsetDelete v0", API_OFFSET_DELETE, 0, od),
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* Decode the hand-built body, check it was consumed exactly, let the row
 * assert and fill, then compare the encoded response with the hand-built one. */
static void test_case_roundtrip(void **state)
{
    const codec_case_t *c = *state;
    bytes_t body = {.n = 0};
    c->request(&body, c->version);
    uint8_t *frame = exact_copy(body.b, body.n);
    arena_t *a = arena_create(512);
    buf_reader_t r;
    buf_reader_init(&r, frame, body.n);
    any_req_t req;
    assert_true(decode_any(c->key, c->version, &r, a, &req));
    assert_false(r.err);
    /* Leftover bytes would mean a field the schema has was skipped. */
    assert_int_equal(buf_remaining(&r), 0);
    c->check(&req, c->version, a);

    buf_writer_t w;
    buf_writer_init(&w, 16);
    encode_any(c->key, c->version, &w, &req);
    bytes_t want = {.n = 0};
    c->response(&want, c->version);
    assert_bytes(w.data, w.len, want.b, want.n);

    buf_writer_release(&w);
    arena_destroy(a);
    free(frame);
}

/* Every proper prefix of a valid body must be rejected, and reading it must
 * stay inside the prefix. */
static void test_case_prefixes(void **state)
{
    const codec_case_t *c = *state;
    bytes_t body = {.n = 0};
    c->request(&body, c->version);
    for (size_t len = 0; len < body.n; len++) {
        uint8_t *prefix = exact_copy(body.b, len);
        arena_t *a = arena_create(512);
        buf_reader_t r;
        buf_reader_init(&r, prefix, len);
        any_req_t req;
        if (decode_any(c->key, c->version, &r, a, &req)) {
            fail_msg("%s: a %zu-byte prefix of %zu bytes decoded", c->name, len, body.n);
        }
        arena_destroy(a);
        free(prefix);
    }
}

/* Widening a range in api.c without adding vectors fails here. */
static void test_table_covers_api(void **state)
{
    int n;
    const api_t *apis = api_supported(&n);
    for (int i = 0; i < n; i++) {
        for (int16_t v = apis[i].min; v <= apis[i].max; v++) {
            bool found = false;
            for (size_t k = 0; k < N_CASES && !found; k++) {
                found = cases[k].key == apis[i].key && cases[k].version == v;
            }
            if (!found) {
                fail_msg("%s v%d is advertised but has no vector", apis[i].name, v);
            }
        }
    }
}

/* ApiVersions lists the rows in table order, which Kafka sorts by key, and
 * broker_metrics.c keeps one series per row: one row per key, in order. */
static void test_table_sorted(void **state)
{
    int n;
    const api_t *apis = api_supported(&n);
    for (int i = 0; i < n; i++) {
        assert_non_null(apis[i].name);
        assert_true(apis[i].min <= apis[i].max);
        if (i > 0 && apis[i - 1].key >= apis[i].key) {
            fail_msg("%s (key %d) comes after %s (key %d)", apis[i].name, apis[i].key, apis[i - 1].name,
                     apis[i - 1].key);
        }
    }
}

/* ---- kafka-protocol.md §1.3: ApiVersions v3, librdkafka's first request -- */

static const uint8_t worked_request[] = {
    0x00, 0x00, 0x00, 0x24,                                     /* Size 36 */
    0x00, 0x12, 0x00, 0x03,                                     /* ApiVersions v3 */
    0x00, 0x00, 0x00, 0x01,                                     /* CorrelationId */
    0x00, 0x07, 'r', 'd', 'k', 'a', 'f', 'k', 'a',              /* ClientId: int16 even in v2 */
    0x00,                                                       /* header TAGGED_FIELDS */
    0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',     /* COMPACT_STRING */
    0x06, '2', '.', '0', '.', '2',                              /* COMPACT_STRING */
    0x00,                                                       /* body TAGGED_FIELDS */
};

static const uint8_t worked_response[] = {
    0x00, 0x00, 0x00, 0x1a,                   /* Size 26 */
    0x00, 0x00, 0x00, 0x01,                   /* header v0: no tag byte, even for v3 */
    0x00, 0x00,                               /* ErrorCode */
    0x03,                                     /* ApiKeys: N+1 */
    0x00, 0x00, 0x00, 0x03, 0x00, 0x07, 0x00, /* Produce 3..7 + tags */
    0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00, /* ApiVersions 0..3 + tags */
    0x00, 0x00, 0x00, 0x00,                   /* ThrottleTimeMs */
    0x00,                                     /* body TAGGED_FIELDS */
};

static void test_api_versions_worked_example(void **state)
{
    uint8_t *frame = exact_copy(worked_request, sizeof(worked_request));
    uint32_t size = (uint32_t)frame[0] << 24 | (uint32_t)frame[1] << 16 | (uint32_t)frame[2] << 8 |
                    frame[3];
    assert_int_equal(size, sizeof(worked_request) - 4);
    arena_t *a = arena_create(512);
    buf_reader_t r;
    buf_reader_init(&r, frame + 4, size);
    req_header_t hdr;
    assert_true(proto_decode_header(&r, &hdr, api_is_flexible));
    assert_int_equal(hdr.api_key, API_API_VERSIONS);
    assert_int_equal(hdr.api_version, 3);
    assert_int_equal(hdr.correlation_id, 1);
    assert_kstr(hdr.client_id, "rdkafka");
    assert_true(hdr.flexible);
    api_versions_req_t req;
    memset(&req, 0, sizeof(req));
    assert_true(proto_decode_api_versions(&r, hdr.api_version, a, &req));
    assert_int_equal(buf_remaining(&r), 0);
    assert_kstr(req.client_software_name, "librdkafka");
    assert_kstr(req.client_software_version, "2.0.2");

    req.apis = two_apis;
    req.n_apis = 2;
    buf_writer_t w;
    buf_writer_init(&w, 0);
    buf_reserve(&w, 4);
    proto_encode_response_header(&w, &hdr);
    proto_encode_api_versions(&w, hdr.api_version, &req);
    buf_put_i32(w.data, (int32_t)(w.len - 4));
    assert_bytes(w.data, w.len, worked_response, sizeof(worked_response));

    buf_writer_release(&w);
    arena_destroy(a);
    free(frame);
}

/* ---- request and response headers (RequestHeader.json) ------------------- */

static const struct header_vector {
    const char *name;
    uint8_t bytes[40];
    size_t len;
    bool ok;
    int16_t key, version;
    int32_t correlation_id;
    const char *client_id; /* NULL: null */
    bool flexible;
    size_t body_left; /* bytes after the header; 0 also means every prefix fails */
} header_vectors[] = {
    {"v1 (Produce v7)",
     {0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x07, 'r', 'd', 'k', 'a', 'f', 'k', 'a',
      0xaa},
     18, true, API_PRODUCE, 7, 42, "rdkafka", false, 1},
    {"v2 (ApiVersions v3)",
     {0x00, 0x12, 0x00, 0x03, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x01, 'k', 0x00},
     12, true, API_API_VERSIONS, 3, INT32_MAX, "k", true, 0},
    {"v2 with an unknown tagged field, skipped",
     {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x05, 0x02, 0xab, 0xcd},
     15, true, API_API_VERSIONS, 3, 5, "", true, 0},
    {"v1 (ApiVersions v2, kafkajs): no tag section",
     {0x00, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'k', 'a', 'f', 'k', 'a', 'j', 's'},
     17, true, API_API_VERSIONS, 2, 0, "kafkajs", false, 0},
    {"null client_id",
     {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x09, 0xff, 0xff},
     10, true, API_METADATA, 4, 9, NULL, false, 0},
    {"DeleteGroups v3 is flexible though not offered",
     {0x00, 0x2a, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00},
     11, true, API_DELETE_GROUPS, 3, 2, "", true, 0},
    {.name = "client_id length -2",
     .bytes = {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0xff, 0xfe},
     .len = 10},
    {.name = "client_id longer than the frame",
     .bytes = {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x7f, 0xff, 'a', 'b', 'c'},
     .len = 13},
    {.name = "flexible header without its tag section",
     .bytes = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00},
     .len = 10},
    {.name = "tag count 2^28 with no tags",
     .bytes = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x01},
     .len = 15},
    {.name = "tag size past the end",
     .bytes = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x7f, 0x00},
     .len = 14},
};

static void test_request_header(void **state)
{
    for (size_t i = 0; i < sizeof(header_vectors) / sizeof(header_vectors[0]); i++) {
        const struct header_vector *hv = &header_vectors[i];
        print_message("# header: %s\n", hv->name);
        uint8_t *frame = exact_copy(hv->bytes, hv->len);
        buf_reader_t r;
        buf_reader_init(&r, frame, hv->len);
        req_header_t hdr;
        memset(&hdr, 0, sizeof(hdr));
        bool ok = proto_decode_header(&r, &hdr, api_is_flexible);
        assert_int_equal(ok, hv->ok);
        if (ok) {
            assert_int_equal(hdr.api_key, hv->key);
            assert_int_equal(hdr.api_version, hv->version);
            assert_int_equal(hdr.correlation_id, hv->correlation_id);
            assert_kstr(hdr.client_id, hv->client_id);
            assert_int_equal(hdr.flexible, hv->flexible);
            assert_int_equal(buf_remaining(&r), hv->body_left);
        }
        free(frame);
        if (!hv->ok || hv->body_left) {
            continue;
        }
        for (size_t len = 0; len < hv->len; len++) {
            uint8_t *prefix = exact_copy(hv->bytes, len);
            buf_reader_init(&r, prefix, len);
            if (proto_decode_header(&r, &hdr, api_is_flexible)) {
                fail_msg("header %s: %zu-byte prefix decoded", hv->name, len);
            }
            free(prefix);
        }
    }
}

static void test_response_header(void **state)
{
    static const struct {
        int16_t key, version;
        uint8_t want[5];
        size_t len;
    } vectors[] = {
        /* ApiVersions answers with header v0 even when its body is flexible,
         * so a client can read it before it knows our versions. */
        {API_API_VERSIONS, 3, {0x12, 0x34, 0x56, 0x78}, 4},
        {API_API_VERSIONS, 0, {0x12, 0x34, 0x56, 0x78}, 4},
        {API_PRODUCE, 7, {0x12, 0x34, 0x56, 0x78}, 4},
        /* Any other flexible response: header v1 with an empty tag section. */
        {API_METADATA, 9, {0x12, 0x34, 0x56, 0x78, 0x00}, 5},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        req_header_t hdr = {.api_key = vectors[i].key,
                            .api_version = vectors[i].version,
                            .correlation_id = 0x12345678,
                            .flexible = api_is_flexible(vectors[i].key, vectors[i].version)};
        buf_writer_t w;
        buf_writer_init(&w, 0);
        proto_encode_response_header(&w, &hdr);
        assert_bytes(w.data, w.len, vectors[i].want, vectors[i].len);
        buf_writer_release(&w);
    }
}

/* ---- Metadata: which encoding means "all topics" ------------------------- */

static void test_metadata_all_topics(void **state)
{
    static const struct {
        const char *name;
        int16_t version;
        uint8_t body[5];
        size_t len;
        int32_t n_topics;
        bool allow_auto;
    } vectors[] = {
        {"v0 empty array: all topics", 0, {0x00, 0x00, 0x00, 0x00}, 4, -1, true},
        {"v1 null array: all topics", 1, {0xff, 0xff, 0xff, 0xff}, 4, -1, true},
        {"v1 empty array: no topics (brokers only)", 1, {0x00, 0x00, 0x00, 0x00}, 4, 0, true},
        {"v3 empty array: no topics", 3, {0x00, 0x00, 0x00, 0x00}, 4, 0, true},
        {"v4 null array, no auto-creation", 4, {0xff, 0xff, 0xff, 0xff, 0x00}, 5, -1, false},
        {"v4 empty array, auto-creation", 4, {0x00, 0x00, 0x00, 0x00, 0x01}, 5, 0, true},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        print_message("# metadata: %s\n", vectors[i].name);
        uint8_t *body = exact_copy(vectors[i].body, vectors[i].len);
        arena_t *a = arena_create(512);
        buf_reader_t r;
        buf_reader_init(&r, body, vectors[i].len);
        metadata_req_t req;
        memset(&req, 0, sizeof(req));
        assert_true(proto_decode_metadata(&r, vectors[i].version, a, &req));
        assert_int_equal(buf_remaining(&r), 0);
        assert_int_equal(req.n_topics, vectors[i].n_topics);
        assert_int_equal(req.allow_auto_topic_creation, vectors[i].allow_auto);
        arena_destroy(a);
        free(body);
    }

    /* For "all topics" the response lists the handler's result_topics. */
    metadata_topic_t all[1] = {{.name = {"orders", 6}, .error = 0, .is_internal = false}};
    metadata_req_t req = {.n_topics = -1, .n_result_topics = 1, .result_topics = all,
                          .controller_id = 1};
    buf_writer_t w;
    buf_writer_init(&w, 0);
    proto_encode_metadata(&w, 1, &req);
    bytes_t want = {.n = 0};
    put_i32(&want, 0);        /* Brokers */
    put_i32(&want, 1);        /* ControllerId */
    put_i32(&want, 1);        /* Topics */
    put_i16(&want, 0);        /*   ErrorCode */
    put_str(&want, "orders"); /*   Name */
    put_u8(&want, 0);         /*   IsInternal */
    put_i32(&want, 0);        /*   Partitions */
    assert_bytes(w.data, w.len, want.b, want.n);
    buf_writer_release(&w);
}

/* ---- Fetch v4 against v11, spelled out byte by byte ---------------------- */

static const uint8_t fetch_v4_request[] = {
    0xff, 0xff, 0xff, 0xff,                         /* ReplicaId -1 */
    0x00, 0x00, 0x01, 0xf4,                         /* MaxWaitMs 500 */
    0x00, 0x00, 0x00, 0x01,                         /* MinBytes 1 */
    0x00, 0x10, 0x00, 0x00,                         /* MaxBytes 1 MiB */
    0x00,                                           /* IsolationLevel */
    0x00, 0x00, 0x00, 0x01,                         /* Topics: 1 */
    0x00, 0x01, 't',                                /*   Topic */
    0x00, 0x00, 0x00, 0x01,                         /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*     Partition 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, /*     FetchOffset 9 */
    0x00, 0x00, 0x10, 0x00,                         /*     PartitionMaxBytes 4096 */
};

static const uint8_t fetch_v11_request[] = {
    0xff, 0xff, 0xff, 0xff,                         /* ReplicaId -1 */
    0x00, 0x00, 0x01, 0xf4,                         /* MaxWaitMs 500 */
    0x00, 0x00, 0x00, 0x01,                         /* MinBytes 1 */
    0x00, 0x10, 0x00, 0x00,                         /* MaxBytes 1 MiB */
    0x00,                                           /* IsolationLevel */
    0x00, 0x00, 0x00, 0x00,                         /* SessionId 0 (v7+) */
    0xff, 0xff, 0xff, 0xff,                         /* SessionEpoch -1 (v7+) */
    0x00, 0x00, 0x00, 0x01,                         /* Topics: 1 */
    0x00, 0x01, 't',                                /*   Topic */
    0x00, 0x00, 0x00, 0x01,                         /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*     Partition 2 */
    0x00, 0x00, 0x00, 0x04,                         /*     CurrentLeaderEpoch 4 (v9+) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, /*     FetchOffset 9 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*     LogStartOffset -1 (v5+) */
    0x00, 0x00, 0x10, 0x00,                         /*     PartitionMaxBytes 4096 */
    0x00, 0x00, 0x00, 0x00,                         /* ForgottenTopicsData: 0 (v7+) */
    0x00, 0x00,                                     /* RackId "" (v11+) */
};

static const uint8_t fetch_v4_response[] = {
    0x00, 0x00, 0x00, 0x00,                         /* ThrottleTimeMs */
    0x00, 0x00, 0x00, 0x01,                         /* Responses: 1 */
    0x00, 0x01, 't',                                /*   Topic */
    0x00, 0x00, 0x00, 0x01,                         /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*     PartitionIndex */
    0x00, 0x00,                                     /*     ErrorCode */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, /*     HighWatermark 12 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, /*     LastStableOffset 12 */
    0x00, 0x00, 0x00, 0x00,                         /*     AbortedTransactions: 0 */
    0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',          /*     Records */
};

static const uint8_t fetch_v11_response[] = {
    0x00, 0x00, 0x00, 0x00,                         /* ThrottleTimeMs */
    0x00, 0x00,                                     /* ErrorCode (v7+) */
    0x00, 0x00, 0x00, 0x00,                         /* SessionId (v7+): no session */
    0x00, 0x00, 0x00, 0x01,                         /* Responses: 1 */
    0x00, 0x01, 't',                                /*   Topic */
    0x00, 0x00, 0x00, 0x01,                         /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*     PartitionIndex */
    0x00, 0x00,                                     /*     ErrorCode */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, /*     HighWatermark 12 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, /*     LastStableOffset 12 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /*     LogStartOffset 3 (v5+) */
    0x00, 0x00, 0x00, 0x00,                         /*     AbortedTransactions: 0 */
    0xff, 0xff, 0xff, 0xff,                         /*     PreferredReadReplica -1 (v11+) */
    0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',          /*     Records */
};

static void fetch_roundtrip(int16_t v, const uint8_t *request, size_t request_len,
                            const uint8_t *response, size_t response_len)
{
    uint8_t *body = exact_copy(request, request_len);
    arena_t *a = arena_create(512);
    buf_reader_t r;
    buf_reader_init(&r, body, request_len);
    fetch_req_t req;
    memset(&req, 0, sizeof(req));
    assert_true(proto_decode_fetch(&r, v, a, &req));
    assert_int_equal(buf_remaining(&r), 0);
    assert_int_equal(req.max_bytes, 1048576);
    assert_int_equal(req.session_epoch, v >= 7 ? -1 : 0);
    assert_int_equal(req.n_topics, 1);
    fetch_partition_t *part = &req.topics[0].partitions[0];
    assert_int_equal(part->index, 2);
    assert_int_equal(part->current_leader_epoch, v >= 9 ? 4 : -1);
    assert_int_equal(part->fetch_offset, 9);
    assert_int_equal(part->log_start_offset, -1);
    assert_int_equal(part->partition_max_bytes, 4096);

    part->high_watermark = part->last_stable_offset = 12;
    part->result_log_start_offset = 3;
    part->records_at = 1;
    part->records_len = 3;
    buf_writer_t w;
    buf_writer_init(&w, 0);
    proto_encode_fetch(&w, v, &req, (const uint8_t *)"xabcx");
    assert_bytes(w.data, w.len, response, response_len);
    buf_writer_release(&w);
    arena_destroy(a);
    free(body);
}

static void test_fetch_v4_vs_v11(void **state)
{
    fetch_roundtrip(4, fetch_v4_request, sizeof(fetch_v4_request), fetch_v4_response,
                    sizeof(fetch_v4_response));
    fetch_roundtrip(11, fetch_v11_request, sizeof(fetch_v11_request), fetch_v11_response,
                    sizeof(fetch_v11_response));
}

/* librdkafka 2.0.2 fails a whole Fetch response whose MessageSetSize is
 * negative, so a partition with nothing to return must say length 0. */
static void test_fetch_empty_records(void **state)
{
    for (int16_t v = 4; v <= 11; v++) {
        fetch_partition_t part = {.index = 0, .records_at = 0, .records_len = 0};
        fetch_topic_t topic = {.name = {"t", 1}, .n_partitions = 1, .partitions = &part};
        fetch_req_t req = {.n_topics = 1, .topics = &topic};
        buf_writer_t w;
        buf_writer_init(&w, 0);
        proto_encode_fetch(&w, v, &req, (const uint8_t *)"");
        assert_true(w.len >= 4);
        static const uint8_t zero_len[4] = {0, 0, 0, 0};
        assert_memory_equal(w.data + w.len - 4, zero_len, 4);
        buf_writer_release(&w);
    }
}

/* ---- Produce: ThrottleTimeMs comes after the responses ------------------- */

static void test_produce_throttle_last(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x01,                         /* Responses: 1 (not a throttle) */
        0x00, 0x01, 't',                                /*   Name */
        0x00, 0x00, 0x00, 0x01,                         /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00,                         /*     PartitionIndex */
        0x00, 0x00,                                     /*     ErrorCode */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /*     BaseOffset 7 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*     LogAppendTimeMs -1 */
        0x00, 0x00, 0x00, 0x00,                         /* ThrottleTimeMs, last */
    };
    produce_partition_t part = {.index = 0, .base_offset = 7, .log_append_time = -1};
    produce_topic_t topic = {.name = {"t", 1}, .n_partitions = 1, .partitions = &part};
    produce_req_t req = {.n_topics = 1, .topics = &topic};
    buf_writer_t w;
    buf_writer_init(&w, 0);
    proto_encode_produce(&w, 3, &req);
    assert_bytes(w.data, w.len, want, sizeof(want));
    buf_writer_release(&w);
}

/* ---- hostile counts and lengths ------------------------------------------ */

/* Each body claims more than it holds; decoding must fail without reading
 * past the end and without allocating for the claimed count. */
static const struct hostile_vector {
    const char *name;
    int16_t key, version;
    uint8_t bytes[48];
    size_t len;
} hostile_vectors[] = {
    {"Produce topics 2^31-1", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x7f, 0xff, 0xff, 0xff}, 12},
    {"Produce topics -2", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0xff, 0xff, 0xff, 0xfe}, 12},
    {"Produce topics null (not nullable)", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0xff, 0xff, 0xff, 0xff}, 12},
    {"Produce partitions 2^28", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't', 0x10,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
     23},
    {"Produce records length 2^31-1", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't', 0x00,
      0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00},
     28},
    {"Produce records length -2", API_PRODUCE, 7,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't', 0x00,
      0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfe},
     27},
    {"Produce v9 topics 2^28 (compact)", API_PRODUCE, 9,
     {0x00, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x80, 0x80, 0x80, 0x80, 0x01}, 12},
    {"Produce v9 records length 2^28 (compact)", API_PRODUCE, 9,
     {0x00, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x02, 0x02, 't', 0x02, 0x00, 0x00, 0x00, 0x00, 0x81,
      0x80, 0x80, 0x80, 0x01, 0x00},
     21},
    {"Produce transactional id length 2^15-1", API_PRODUCE, 3,
     {0x7f, 0xff, 0x00, 0x01, 0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x00, 0x00}, 12},
    {"Fetch topics 2^30", API_FETCH, 4,
     {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x10, 0, 0, 0, 0x40, 0, 0, 0}, 21},
    {"Fetch v11 forgotten partitions 2^30", API_FETCH, 11,
     {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
      0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0x40, 0, 0, 0, 0, 0},
     42},
    {"Fetch v13 topics 2^28 (compact)", API_FETCH, 13,
     {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
      0xff, 0x80, 0x80, 0x80, 0x80, 0x01},
     30},
    {"Fetch v12 forgotten partitions 2^28 (compact)", API_FETCH, 12,
     {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
      0xff, 0x01, 0x02, 0x02, 't', 0x81, 0x80, 0x80, 0x80, 0x01, 0x01, 0x00},
     36},
    {"Metadata topics 2^30", API_METADATA, 4, {0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 'a', 0x01}, 8},
    {"Metadata topics -2", API_METADATA, 1, {0xff, 0xff, 0xff, 0xfe}, 4},
    {"Metadata topic name 2^15-1 long", API_METADATA, 4,
     {0x00, 0x00, 0x00, 0x01, 0x7f, 0xff, 'a', 'b', 'c'}, 9},
    {"Metadata topic name null", API_METADATA, 1, {0x00, 0x00, 0x00, 0x01, 0xff, 0xff}, 6},
    {"Metadata v9 topic name null (nullable from v10)", API_METADATA, 9, {0x02, 0x00, 0x00, 0x00, 0x00, 0x00}, 6},
    {"Metadata v12 topics 2^28 (compact)", API_METADATA, 12,
     {0x80, 0x80, 0x80, 0x80, 0x01, 0x00, 0x00, 0x00}, 8},
    {"ListOffsets partitions 2^31-1", API_LIST_OFFSETS, 2,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't', 0x7f, 0xff, 0xff, 0xff},
     16},
    {"ListOffsets v6 partitions 2^28 (compact)", API_LIST_OFFSETS, 6,
     {0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x02, 't', 0x81, 0x80, 0x80, 0x80, 0x01, 0x00}, 14},
    {"CreateTopics broker ids 2^30", API_CREATE_TOPICS, 4,
     {0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0},
     33},
    {"CreateTopics configs 2^31-1", API_CREATE_TOPICS, 2,
     {0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0},
     26},
    {"DeleteTopics names 2^31-1", API_DELETE_TOPICS, 1,
     {0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x03, 0xe8}, 8},
    {"DeleteRecords partitions 2^30", API_DELETE_RECORDS, 1,
     {0, 0, 0, 1, 0, 1, 't', 0x40, 0, 0, 0, 0, 0, 0x03, 0xe8}, 15},
    {"FindCoordinator v4 keys 2^28", API_FIND_COORDINATOR, 4, {0x00, 0x81, 0x80, 0x80, 0x80, 0x01, 0x00}, 7},
    {"FindCoordinator v4 keys null (not nullable)", API_FIND_COORDINATOR, 4, {0x00, 0x00, 0x00}, 3},
    {"InitProducerId transactional id length -2", API_INIT_PRODUCER_ID, 1,
     {0xff, 0xfe, 0x00, 0x00, 0xea, 0x60}, 6},
    {"DescribeConfigs keys 2^30", API_DESCRIBE_CONFIGS, 2,
     {0, 0, 0, 1, 2, 0, 1, 't', 0x40, 0, 0, 0, 0, 1, 'k', 1}, 16},
    {"DescribeConfigs resources -5", API_DESCRIBE_CONFIGS, 1, {0xff, 0xff, 0xff, 0xfb, 0x00}, 5},
    {"CreatePartitions broker ids 2^30", API_CREATE_PARTITIONS, 1,
     {0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     28},
    {"ApiVersions compact string length 2^32-2", API_API_VERSIONS, 3,
     {0xff, 0xff, 0xff, 0xff, 0x0f, 'a', 0x01, 0x00}, 8},
    {"ApiVersions varint of 6 bytes", API_API_VERSIONS, 3,
     {0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x00}, 8},
    {"ApiVersions tag count 2^31-1", API_API_VERSIONS, 3,
     {0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07}, 7},
    {"ApiVersions tag size past the end", API_API_VERSIONS, 3, {0x01, 0x01, 0x01, 0x00, 0x7f, 0x00},
     6},
    {"OffsetFetch v1 topics null (not nullable)", API_OFFSET_FETCH, 1,
     {0x00, 0x01, 'g', 0xff, 0xff, 0xff, 0xff}, 7},
    {"OffsetCommit partitions 2^28", API_OFFSET_COMMIT, 5,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x00, 0, 0, 0, 1, 0x00, 0x01, 't', 0x10, 0, 0, 0, 0, 0, 0, 0},
     24},
    {"JoinGroup metadata null (not nullable)", API_JOIN_GROUP, 0,
     {0x00, 0x01, 'g', 0, 0, 0x27, 0x10, 0x00, 0x00, 0x00, 0x01, 'c', 0, 0, 0, 1, 0x00, 0x01, 'r',
      0xff, 0xff, 0xff, 0xff},
     23},
    {"SyncGroup assignments 2^30", API_SYNC_GROUP, 0,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x00, 0x40, 0, 0, 0, 0x00, 0x00}, 15},
    {"DeleteGroups names -2", API_DELETE_GROUPS, 1, {0xff, 0xff, 0xff, 0xfe}, 4},
    {"OffsetDelete group id null", API_OFFSET_DELETE, 0, {0xff, 0xff, 0, 0, 0, 0}, 6},
    {"OffsetDelete topics null (not nullable)", API_OFFSET_DELETE, 0, {0x00, 0x01, 'g', 0xff, 0xff, 0xff, 0xff}, 7},
    {"OffsetDelete topics 2^30", API_OFFSET_DELETE, 0, {0x00, 0x01, 'g', 0x40, 0, 0, 0, 0x00, 0x00}, 9},
    {"OffsetDelete partitions 2^28", API_OFFSET_DELETE, 0,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x01, 't', 0x10, 0, 0, 0, 0, 0, 0, 0},
     18},
    {"OffsetDelete partitions -3", API_OFFSET_DELETE, 0,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x01, 't', 0xff, 0xff, 0xff, 0xfd},
     14},
    {"OffsetDelete topic name past the end", API_OFFSET_DELETE, 0,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x09, 't', 0, 0, 0, 0},
     14},
    {"OffsetDelete partition index cut short", API_OFFSET_DELETE, 0,
     {0x00, 0x01, 'g', 0, 0, 0, 1, 0x00, 0x01, 't', 0, 0, 0, 1, 0, 0},
     16},
};

/* OffsetFetch v2+ takes a null Topics array as "every committed topic"; the
 * handler substitutes the group's topics, and -1 left in place goes out as
 * an empty array. */
static void test_offset_fetch_all_topics(void **state)
{
    static const uint8_t body[] = {0x00, 0x01, 'g', 0xff, 0xff, 0xff, 0xff};
    arena_t *a = arena_create(512);
    buf_reader_t r;
    buf_reader_init(&r, body, sizeof(body));
    offset_fetch_req_t req;
    memset(&req, 0, sizeof(req));
    assert_true(proto_decode_offset_fetch(&r, 4, a, &req));
    assert_int_equal(req.n_groups, 1);
    assert_kstr(req.groups[0].group_id, "g");
    assert_int_equal(req.groups[0].n_topics, -1);
    assert_null(req.groups[0].topics);
    req.groups[0].error = 16; /* NOT_COORDINATOR */

    buf_writer_t w;
    buf_writer_init(&w, 16);
    proto_encode_offset_fetch(&w, 4, &req);
    bytes_t want = {.n = 0};
    put_i32(&want, 0);  /* ThrottleTimeMs */
    put_i32(&want, 0);  /* Topics: empty */
    put_i16(&want, 16); /* ErrorCode */
    assert_bytes(w.data, w.len, want.b, want.n);
    buf_writer_release(&w);
    arena_destroy(a);
}

/* From v6 an empty Topics array means every committed topic as well: that
 * is how librdkafka 2.0.2 asks for all of a group's offsets.  Below v6 it
 * still means none. */
static void test_offset_fetch_empty_topics(void **state)
{
    static const uint8_t v4[] = {0x00, 0x01, 'g', 0, 0, 0, 0};
    static const uint8_t v6[] = {0x02, 'g', 0x01, 0x00};
    static const uint8_t v7[] = {0x02, 'g', 0x01, 0x00, 0x00};
    static const struct {
        int16_t v;
        const uint8_t *body;
        size_t len;
        int32_t n_topics;
    } rows[] = {{4, v4, sizeof(v4), 0}, {6, v6, sizeof(v6), -1}, {7, v7, sizeof(v7), -1}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        arena_t *a = arena_create(512);
        buf_reader_t r;
        buf_reader_init(&r, rows[i].body, rows[i].len);
        offset_fetch_req_t req;
        memset(&req, 0, sizeof(req));
        assert_true(proto_decode_offset_fetch(&r, rows[i].v, a, &req));
        assert_int_equal(buf_remaining(&r), 0);
        assert_int_equal(req.groups[0].n_topics, rows[i].n_topics);
        arena_destroy(a);
    }
}

static void test_hostile_counts(void **state)
{
    for (size_t i = 0; i < sizeof(hostile_vectors) / sizeof(hostile_vectors[0]); i++) {
        const struct hostile_vector *hv = &hostile_vectors[i];
        uint8_t *body = exact_copy(hv->bytes, hv->len);
        arena_t *a = arena_create(512);
        buf_reader_t r;
        buf_reader_init(&r, body, hv->len);
        any_req_t req;
        if (decode_any(hv->key, hv->version, &r, a, &req)) {
            fail_msg("hostile vector decoded: %s", hv->name);
        }
        arena_destroy(a);
        free(body);
    }
}

/* ---- seed corpus for tests/fuzz/fuzz_request.c ---------------------------- */

/* Writes each row as a frame after its size field: header v1 or v2 (by
 * api_is_flexible, as the server decides) followed by the body. */
static int write_corpus(const char *dir)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const codec_case_t *c = &cases[i];
        bytes_t frame = {.n = 0};
        put_i16(&frame, c->key);
        put_i16(&frame, c->version);
        put_i32(&frame, (int32_t)i + 1); /* CorrelationId */
        put_str(&frame, "corpus");       /* ClientId */
        if (api_is_flexible(c->key, c->version)) {
            put_u8(&frame, 0);
        }
        c->request(&frame, c->version);

        char path[4096];
        int n = snprintf(path, sizeof(path), "%s/", dir);
        for (const char *p = c->name; *p && n < (int)sizeof(path) - 1; p++) {
            path[n++] = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        }
        path[n] = '\0';
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(frame.b, 1, frame.n, f) != frame.n || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
        return write_corpus(argv[2]);
    }

    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_table_covers_api),
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_api_versions_worked_example),
        cmocka_unit_test(test_request_header),
        cmocka_unit_test(test_response_header),
        cmocka_unit_test(test_metadata_all_topics),
        cmocka_unit_test(test_fetch_v4_vs_v11),
        cmocka_unit_test(test_fetch_empty_records),
        cmocka_unit_test(test_produce_throttle_last),
        cmocka_unit_test(test_offset_fetch_all_topics),
        cmocka_unit_test(test_offset_fetch_empty_topics),
        cmocka_unit_test(test_join_group_null_protocol),
        cmocka_unit_test(test_hostile_counts),
    };
    enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };

    /* One named test per row and property, so a failure names its vector. */
    static struct CMUnitTest tests[N_FIXED + 2 * N_CASES];
    static char names[2 * N_CASES][64];
    memcpy(tests, fixed, sizeof(fixed));
    for (size_t i = 0; i < N_CASES; i++) {
        for (int kind = 0; kind < 2; kind++) {
            char *name = names[2 * i + (size_t)kind];
            snprintf(name, sizeof(names[0]), "%s %s", cases[i].name, kind ? "prefixes fail" : "roundtrip");
            tests[N_FIXED + 2 * i + (size_t)kind] = (struct CMUnitTest){
                .name = name,
                .test_func = kind ? test_case_prefixes : test_case_roundtrip,
                .initial_state = (void *)&cases[i],
            };
        }
    }
    return _cmocka_run_group_tests("proto", tests, N_FIXED + 2 * N_CASES, NULL, NULL);
}
