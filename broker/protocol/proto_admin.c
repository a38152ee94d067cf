/*
 * proto_admin.c - codecs of the admin APIs: CreateTopics (2-4),
 * DeleteTopics (0-1), CreatePartitions (0-1), DescribeConfigs (1-2, and v0),
 * DeleteRecords (0-1) and InitProducerId (0-1).  All non-flexible.
 */
#include "proto.h"
#include "proto_util.h"

/* Reads and drops an array of int32 (broker ids of manual assignments). */
static void skip_i32_array(buf_reader_t *r)
{
    int32_t n = buf_read_count(r, false, 4);
    buf_skip(r, (size_t)(n > 0 ? n : 0) * 4);
}

bool proto_decode_create_topics(buf_reader_t *r, int16_t v, arena_t *a, create_topics_req_t *req)
{
    req->n_topics = buf_read_count(r, false, 16);
    req->topics = PROTO_ARRAY(a, create_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        create_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->num_partitions = buf_read_i32(r);
        topic->replication_factor = buf_read_i16(r);
        topic->n_assignments = buf_read_count(r, false, 8);
        for (int32_t i = 0; i < topic->n_assignments && !r->err; i++) {
            buf_read_i32(r); /* partition index */
            skip_i32_array(r);
        }
        topic->n_configs = buf_read_count(r, false, 4);
        topic->configs = PROTO_ARRAY(a, create_topic_config_t, topic->n_configs);
        for (int32_t i = 0; i < topic->n_configs && !r->err; i++) {
            topic->configs[i].name = buf_read_str(r, false);
            topic->configs[i].value = buf_read_nstr(r, false);
        }
    }
    req->timeout_ms = buf_read_i32(r);
    req->validate_only = buf_read_bool(r);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_create_topics(buf_writer_t *w, int16_t v, const create_topics_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms (v2+) */
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        buf_write_kstr(w, req->topics[t].name, false);
        buf_write_i16(w, req->topics[t].error);
        buf_write_str(w, req->topics[t].error_message, false);
    }
}

bool proto_decode_delete_topics(buf_reader_t *r, int16_t v, arena_t *a, delete_topics_req_t *req)
{
    req->n_topics = buf_read_count(r, false, 2);
    req->topics = PROTO_ARRAY(a, delete_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        req->topics[t].name = buf_read_str(r, false);
    }
    req->timeout_ms = buf_read_i32(r);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_delete_topics(buf_writer_t *w, int16_t v, const delete_topics_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        buf_write_kstr(w, req->topics[t].name, false);
        buf_write_i16(w, req->topics[t].error);
    }
}

bool proto_decode_create_partitions(buf_reader_t *r, int16_t v, arena_t *a,
                                    create_partitions_req_t *req)
{
    req->n_topics = buf_read_count(r, false, 10);
    req->topics = PROTO_ARRAY(a, create_partitions_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        create_partitions_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->count = buf_read_i32(r);
        topic->n_assignments = buf_read_array_len(r, false, 4);
        for (int32_t i = 0; i < topic->n_assignments && !r->err; i++) {
            skip_i32_array(r);
        }
    }
    req->timeout_ms = buf_read_i32(r);
    req->validate_only = buf_read_bool(r);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_create_partitions(buf_writer_t *w, int16_t v, const create_partitions_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        buf_write_kstr(w, req->topics[t].name, false);
        buf_write_i16(w, req->topics[t].error);
        buf_write_str(w, req->topics[t].error_message, false);
    }
}

bool proto_decode_describe_configs(buf_reader_t *r, int16_t v, arena_t *a,
                                   describe_configs_req_t *req)
{
    req->n_resources = buf_read_count(r, false, 7);
    req->resources = PROTO_ARRAY(a, describe_configs_resource_t, req->n_resources);
    for (int32_t i = 0; i < req->n_resources && !r->err; i++) {
        describe_configs_resource_t *res = &req->resources[i];
        res->type = buf_read_i8(r);
        res->name = buf_read_str(r, false);
        res->n_keys = buf_read_array_len(r, false, 2);
        res->keys = PROTO_ARRAY(a, kstr_t, res->n_keys);
        for (int32_t k = 0; k < res->n_keys && !r->err; k++) {
            res->keys[k] = buf_read_str(r, false);
        }
    }
    req->include_synonyms = v >= 1 ? buf_read_bool(r) : false;
    return !r->err && req->n_resources >= 0;
}

void proto_encode_describe_configs(buf_writer_t *w, int16_t v, const describe_configs_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_resources, false);
    for (int32_t i = 0; i < req->n_resources; i++) {
        const describe_configs_resource_t *res = &req->resources[i];
        buf_write_i16(w, res->error);
        buf_write_str(w, res->error_message, false);
        buf_write_i8(w, res->type);
        buf_write_kstr(w, res->name, false);
        buf_write_array_len(w, res->n_entries, false);
        for (int32_t e = 0; e < res->n_entries; e++) {
            const describe_config_entry_t *entry = &res->entries[e];
            buf_write_str(w, entry->name, false);
            buf_write_str(w, entry->value, false);
            buf_write_bool(w, entry->read_only);
            if (v == 0) {
                buf_write_bool(w, entry->is_default);
            } else {
                buf_write_i8(w, entry->source);
            }
            buf_write_bool(w, entry->is_sensitive);
            if (v >= 1) {
                buf_write_array_len(w, 0, false); /* synonyms */
            }
        }
    }
}

bool proto_decode_delete_records(buf_reader_t *r, int16_t v, arena_t *a, delete_records_req_t *req)
{
    req->n_topics = buf_read_count(r, false, 6);
    req->topics = PROTO_ARRAY(a, delete_records_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        delete_records_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->n_partitions = buf_read_count(r, false, 12);
        topic->partitions = PROTO_ARRAY(a, delete_records_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            topic->partitions[p].index = buf_read_i32(r);
            topic->partitions[p].offset = buf_read_i64(r);
        }
    }
    req->timeout_ms = buf_read_i32(r);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_delete_records(buf_writer_t *w, int16_t v, const delete_records_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const delete_records_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, false);
        buf_write_array_len(w, topic->n_partitions, false);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            buf_write_i32(w, topic->partitions[p].index);
            buf_write_i64(w, topic->partitions[p].low_watermark);
            buf_write_i16(w, topic->partitions[p].error);
        }
    }
}

bool proto_decode_init_producer_id(buf_reader_t *r, int16_t v, arena_t *a,
                                   init_producer_id_req_t *req)
{
    req->transactional_id = buf_read_nstr(r, false);
    req->transaction_timeout_ms = buf_read_i32(r);
    return !r->err;
}

void proto_encode_init_producer_id(buf_writer_t *w, int16_t v, const init_producer_id_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_i16(w, req->error);
    buf_write_i64(w, req->producer_id);
    buf_write_i16(w, req->producer_epoch);
}
