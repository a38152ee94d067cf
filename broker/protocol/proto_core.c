/*
 * proto_core.c - request header, ApiVersions, Metadata and FindCoordinator
 * codecs: what a client asks before it produces, consumes or joins a group.
 * `flex` is each schema's "flexibleVersions" (api.c's first-flexible
 * column): compact strings and arrays and a tag section per struct.
 *
 * Header versions (RequestHeader.json): v1 = api_key api_version
 * correlation_id client_id; v2 adds a tag section.  client_id stays a classic
 * int16 string even in v2 so any broker can read the header of any
 * ApiVersions request.  The ApiVersions response header is always v0.
 */
#include "proto.h"
#include "proto_util.h"

bool proto_decode_header(buf_reader_t *r, req_header_t *hdr, bool (*is_flexible)(int16_t, int16_t))
{
    hdr->api_key = buf_read_i16(r);
    hdr->api_version = buf_read_i16(r);
    hdr->correlation_id = buf_read_i32(r);
    hdr->client_id = buf_read_nstr(r, false);
    if (r->err) {
        return false;
    }
    hdr->flexible = is_flexible(hdr->api_key, hdr->api_version);
    if (hdr->flexible) {
        buf_skip_tags(r);
    }
    return !r->err;
}

void proto_encode_response_header(buf_writer_t *w, const req_header_t *hdr)
{
    buf_write_i32(w, hdr->correlation_id);
    if (hdr->flexible && hdr->api_key != API_API_VERSIONS) {
        buf_write_empty_tags(w);
    }
}

bool proto_decode_api_versions(buf_reader_t *r, int16_t v, arena_t *a, api_versions_req_t *req)
{
    if (v >= 3) {
        req->client_software_name = buf_read_str(r, true);
        req->client_software_version = buf_read_str(r, true);
        buf_skip_tags(r);
    }
    return !r->err;
}

void proto_encode_api_versions(buf_writer_t *w, int16_t v, const api_versions_req_t *req)
{
    bool flex = v >= 3;
    buf_write_i16(w, req->error);
    buf_write_array_len(w, req->n_apis, flex);
    for (int i = 0; i < req->n_apis; i++) {
        buf_write_i16(w, req->apis[i].key);
        buf_write_i16(w, req->apis[i].min);
        buf_write_i16(w, req->apis[i].max);
        if (flex) {
            buf_write_empty_tags(w);
        }
    }
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    if (flex) {
        buf_write_empty_tags(w);
    }
}

bool proto_decode_metadata(buf_reader_t *r, int16_t v, arena_t *a, metadata_req_t *req)
{
    bool flex = v >= 9;
    /* v0's array is not nullable; v1+ uses null for "all topics".  A topic
     * is at least its name (v10+: its id and a null name) and, when
     * flexible, a tag section. */
    size_t min_topic = v >= 10 ? 18 : 2;
    int32_t n = v == 0 ? buf_read_count(r, false, min_topic) : buf_read_array_len(r, flex, min_topic);
    if (v == 0 && n == 0) {
        n = -1; /* v0: an empty list means every topic */
    }
    req->n_topics = n;
    req->topics = PROTO_ARRAY(a, metadata_topic_t, n);
    for (int32_t i = 0; i < n && !r->err; i++) {
        metadata_topic_t *topic = &req->topics[i];
        if (v >= 10) {
            topic->topic_id = buf_read_uuid(r);
        }
        topic->name = v >= 10 ? buf_read_nstr(r, flex) : buf_read_str(r, flex);
        read_tags(r, flex);
    }
    req->allow_auto_topic_creation = v >= 4 ? buf_read_bool(r) : true;
    if (v >= 8 && v <= 10) {
        req->include_cluster_authorized_operations = buf_read_bool(r);
    }
    if (v >= 8) {
        req->include_topic_authorized_operations = buf_read_bool(r);
    }
    read_tags(r, flex);
    return !r->err;
}

static void encode_metadata_topic(buf_writer_t *w, int16_t v, const metadata_topic_t *t)
{
    bool flex = v >= 9;
    buf_write_i16(w, t->error);
    buf_write_kstr(w, t->name, flex); /* nullable from v12: a topic asked by an unknown id */
    if (v >= 10) {
        buf_write_uuid(w, &t->topic_id);
    }
    if (v >= 1) {
        buf_write_bool(w, t->is_internal);
    }
    buf_write_array_len(w, t->n_partitions, flex);
    for (int32_t p = 0; p < t->n_partitions; p++) {
        const metadata_partition_t *part = &t->partitions[p];
        buf_write_i16(w, part->error);
        buf_write_i32(w, part->index);
        buf_write_i32(w, part->leader);
        if (part->replicas) {
            if (v >= 7) {
                buf_write_i32(w, part->leader_epoch);
            }
            buf_write_array_len(w, part->n_replicas, flex);
            for (int32_t i = 0; i < part->n_replicas; i++) {
                buf_write_i32(w, part->replicas[i]);
            }
            buf_write_array_len(w, part->n_isr, flex);
            for (int32_t i = 0; i < part->n_isr; i++) {
                buf_write_i32(w, part->isr[i]);
            }
        } else {
            if (v >= 7) {
                /* One node, never re-elected: every partition stays at
                 * epoch 0, the epoch its batches are stored with. */
                buf_write_i32(w, part->leader >= 0 ? 0 : -1);
            }
            /* Single node: the leader is the only replica and the whole ISR. */
            int32_t n_replicas = part->leader >= 0 ? 1 : 0;
            for (int list = 0; list < 2; list++) {
                buf_write_array_len(w, n_replicas, flex);
                if (n_replicas) {
                    buf_write_i32(w, part->leader);
                }
            }
        }
        if (v >= 5) {
            buf_write_array_len(w, 0, flex); /* offline_replicas: none */
        }
        write_tags(w, flex);
    }
    if (v >= 8) {
        buf_write_i32(w, t->authorized_operations);
    }
    write_tags(w, flex);
}

void proto_encode_metadata(buf_writer_t *w, int16_t v, const metadata_req_t *req)
{
    bool flex = v >= 9;
    if (v >= 3) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_brokers, flex);
    for (int32_t i = 0; i < req->n_brokers; i++) {
        buf_write_i32(w, req->brokers[i].node_id);
        buf_write_str(w, req->brokers[i].host, flex);
        buf_write_i32(w, req->brokers[i].port);
        if (v >= 1) {
            buf_write_str(w, NULL, flex); /* rack */
        }
        write_tags(w, flex);
    }
    if (v >= 2) {
        buf_write_str(w, req->cluster_id, flex);
    }
    if (v >= 1) {
        buf_write_i32(w, req->controller_id);
    }
    const metadata_topic_t *topics = req->n_topics < 0 ? req->result_topics : req->topics;
    int32_t n = req->n_topics < 0 ? req->n_result_topics : req->n_topics;
    buf_write_array_len(w, n, flex);
    for (int32_t i = 0; i < n; i++) {
        encode_metadata_topic(w, v, &topics[i]);
    }
    if (v >= 8 && v <= 10) {
        buf_write_i32(w, req->cluster_authorized_operations);
    }
    write_tags(w, flex);
}

bool proto_decode_find_coordinator(buf_reader_t *r, int16_t v, arena_t *a,
                                   find_coordinator_req_t *req)
{
    bool flex = v >= 3;
    kstr_t key = v <= 3 ? buf_read_str(r, flex) : (kstr_t){NULL, -1};
    req->key_type = v >= 1 ? buf_read_i8(r) : 0;
    if (v >= 4) {
        req->n_keys = buf_read_count(r, true, 1);
        req->keys = PROTO_ARRAY(a, find_coordinator_key_t, req->n_keys);
        for (int32_t i = 0; i < req->n_keys && !r->err; i++) {
            req->keys[i].key = buf_read_str(r, true);
        }
    } else {
        req->n_keys = 1;
        req->keys = PROTO_ARRAY(a, find_coordinator_key_t, 1);
        req->keys[0].key = key;
    }
    read_tags(r, flex);
    return !r->err && req->n_keys >= 0;
}

void proto_encode_find_coordinator(buf_writer_t *w, int16_t v, const find_coordinator_req_t *req)
{
    bool flex = v >= 3;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    if (v >= 4) {
        buf_write_array_len(w, req->n_keys, true);
        for (int32_t i = 0; i < req->n_keys; i++) {
            const find_coordinator_key_t *k = &req->keys[i];
            buf_write_kstr(w, k->key, true);
            buf_write_i32(w, k->node_id);
            buf_write_str(w, k->host, true);
            buf_write_i32(w, k->port);
            buf_write_i16(w, k->error);
            buf_write_str(w, k->error_message, true);
            write_tags(w, true);
        }
    } else {
        const find_coordinator_key_t *k = &req->keys[0];
        buf_write_i16(w, k->error);
        if (v >= 1) {
            buf_write_str(w, k->error_message, flex);
        }
        buf_write_i32(w, k->node_id);
        buf_write_str(w, k->host, flex);
        buf_write_i32(w, k->port);
    }
    write_tags(w, flex);
}
