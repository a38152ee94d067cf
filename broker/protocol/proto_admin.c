/*
 * proto_admin.c - codecs of the admin APIs: CreateTopics (2-7),
 * DeleteTopics (0-6), CreatePartitions (0-3), DescribeConfigs (1-4, and v0),
 * AlterConfigs (0-2), IncrementalAlterConfigs (0-1), DeleteRecords (0-2) and
 * InitProducerId (0-4).
 *
 * Each function follows its schema's "versions" fields literally; `flex`
 * is the schema's "flexibleVersions" (api.c's first-flexible column), from
 * which strings and arrays are compact and every struct ends with a tag
 * section (KIP-482).  No admin API has a tagged field we act on: the one
 * defined, CreateTopics' TopicConfigErrorCode, is never written because
 * configs are checked before a topic is created.
 */
#include "proto.h"
#include "proto_util.h"

/* Reads and drops an array of int32 (broker ids of manual assignments). */
static void skip_i32_array(buf_reader_t *r, bool flex)
{
    int32_t n = buf_read_count(r, flex, 4);
    buf_skip(r, (size_t)(n > 0 ? n : 0) * 4);
}

bool proto_decode_create_topics(buf_reader_t *r, int16_t v, arena_t *a, create_topics_req_t *req)
{
    bool flex = v >= 5;
    req->n_topics = buf_read_count(r, flex, flex ? 10 : 16);
    req->topics = PROTO_ARRAY(a, create_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        create_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->num_partitions = buf_read_i32(r);
        topic->replication_factor = buf_read_i16(r);
        topic->n_assignments = buf_read_count(r, flex, flex ? 6 : 8);
        for (int32_t i = 0; i < topic->n_assignments && !r->err; i++) {
            buf_read_i32(r); /* partition index */
            skip_i32_array(r, flex);
            read_tags(r, flex);
        }
        topic->n_configs = buf_read_count(r, flex, flex ? 3 : 4);
        topic->configs = PROTO_ARRAY(a, create_topic_config_t, topic->n_configs);
        for (int32_t i = 0; i < topic->n_configs && !r->err; i++) {
            topic->configs[i].name = buf_read_str(r, flex);
            topic->configs[i].value = buf_read_nstr(r, flex);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    req->timeout_ms = buf_read_i32(r);
    req->validate_only = buf_read_bool(r);
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_create_topics(buf_writer_t *w, int16_t v, const create_topics_req_t *req)
{
    bool flex = v >= 5;
    buf_write_i32(w, 0); /* throttle_time_ms (v2+) */
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const create_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex);
        if (v >= 7) {
            buf_write_uuid(w, &topic->topic_id);
        }
        buf_write_i16(w, topic->error);
        buf_write_str(w, topic->error_message, flex);
        if (v >= 5) {
            buf_write_i32(w, topic->result_partitions);
            buf_write_i16(w, topic->result_replication_factor);
            buf_write_array_len(w, topic->n_result_configs, flex);
            for (int32_t i = 0; i < topic->n_result_configs; i++) {
                const describe_config_entry_t *entry = &topic->result_configs[i];
                buf_write_str(w, entry->name, flex);
                buf_write_str(w, entry->value, flex);
                buf_write_bool(w, entry->read_only);
                buf_write_i8(w, entry->source);
                buf_write_bool(w, entry->is_sensitive);
                write_tags(w, flex);
            }
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_delete_topics(buf_reader_t *r, int16_t v, arena_t *a, delete_topics_req_t *req)
{
    bool flex = v >= 4;
    /* v0-5 name topics in TopicNames; v6 in Topics, by name or by id. */
    req->n_topics = buf_read_count(r, flex, v >= 6 ? 18 : (flex ? 1 : 2));
    req->topics = PROTO_ARRAY(a, delete_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        if (v >= 6) {
            req->topics[t].name = buf_read_nstr(r, flex);
            req->topics[t].topic_id = buf_read_uuid(r);
            read_tags(r, flex);
        } else {
            req->topics[t].name = buf_read_str(r, flex);
        }
    }
    req->timeout_ms = buf_read_i32(r);
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_delete_topics(buf_writer_t *w, int16_t v, const delete_topics_req_t *req)
{
    bool flex = v >= 4;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const delete_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex); /* nullable from v6 */
        if (v >= 6) {
            buf_write_uuid(w, &topic->topic_id);
        }
        buf_write_i16(w, topic->error);
        if (v >= 5) {
            buf_write_str(w, topic->error_message, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_create_partitions(buf_reader_t *r, int16_t v, arena_t *a,
                                    create_partitions_req_t *req)
{
    bool flex = v >= 2;
    req->n_topics = buf_read_count(r, flex, flex ? 7 : 10);
    req->topics = PROTO_ARRAY(a, create_partitions_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        create_partitions_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->count = buf_read_i32(r);
        topic->n_assignments = buf_read_array_len(r, flex, flex ? 2 : 4);
        for (int32_t i = 0; i < topic->n_assignments && !r->err; i++) {
            skip_i32_array(r, flex);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    req->timeout_ms = buf_read_i32(r);
    req->validate_only = buf_read_bool(r);
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_create_partitions(buf_writer_t *w, int16_t v, const create_partitions_req_t *req)
{
    bool flex = v >= 2;
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        buf_write_kstr(w, req->topics[t].name, flex);
        buf_write_i16(w, req->topics[t].error);
        buf_write_str(w, req->topics[t].error_message, flex);
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_describe_configs(buf_reader_t *r, int16_t v, arena_t *a,
                                   describe_configs_req_t *req)
{
    bool flex = v >= 4;
    req->n_resources = buf_read_count(r, flex, flex ? 4 : 7);
    req->resources = PROTO_ARRAY(a, describe_configs_resource_t, req->n_resources);
    for (int32_t i = 0; i < req->n_resources && !r->err; i++) {
        describe_configs_resource_t *res = &req->resources[i];
        res->type = buf_read_i8(r);
        res->name = buf_read_str(r, flex);
        res->n_keys = buf_read_array_len(r, flex, flex ? 1 : 2);
        res->keys = PROTO_ARRAY(a, kstr_t, res->n_keys);
        for (int32_t k = 0; k < res->n_keys && !r->err; k++) {
            res->keys[k] = buf_read_str(r, flex);
        }
        read_tags(r, flex);
    }
    req->include_synonyms = v >= 1 ? buf_read_bool(r) : false;
    req->include_documentation = v >= 3 ? buf_read_bool(r) : false;
    read_tags(r, flex);
    return !r->err && req->n_resources >= 0;
}

void proto_encode_describe_configs(buf_writer_t *w, int16_t v, const describe_configs_req_t *req)
{
    bool flex = v >= 4;
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_resources, flex);
    for (int32_t i = 0; i < req->n_resources; i++) {
        const describe_configs_resource_t *res = &req->resources[i];
        buf_write_i16(w, res->error);
        buf_write_str(w, res->error_message, flex);
        buf_write_i8(w, res->type);
        buf_write_kstr(w, res->name, flex);
        buf_write_array_len(w, res->n_entries, flex);
        for (int32_t e = 0; e < res->n_entries; e++) {
            const describe_config_entry_t *entry = &res->entries[e];
            buf_write_str(w, entry->name, flex);
            buf_write_str(w, entry->value, flex);
            buf_write_bool(w, entry->read_only);
            if (v == 0) {
                buf_write_bool(w, entry->is_default);
            } else {
                buf_write_i8(w, entry->source);
            }
            buf_write_bool(w, entry->is_sensitive);
            if (v >= 1) {
                buf_write_array_len(w, 0, flex); /* synonyms */
            }
            if (v >= 3) {
                buf_write_i8(w, entry->config_type);
                buf_write_str(w, req->include_documentation ? entry->documentation : NULL, flex);
            }
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

/* AlterConfigs and IncrementalAlterConfigs requests differ only in the
 * operation byte of each entry. */
static bool decode_alter_configs(buf_reader_t *r, bool flex, bool incremental, arena_t *a, alter_configs_req_t *req)
{
    req->n_resources = buf_read_count(r, flex, flex ? 4 : 7);
    req->resources = PROTO_ARRAY(a, alter_configs_resource_t, req->n_resources);
    for (int32_t i = 0; i < req->n_resources && !r->err; i++) {
        alter_configs_resource_t *res = &req->resources[i];
        res->type = buf_read_i8(r);
        res->name = buf_read_str(r, flex);
        res->n_configs = buf_read_count(r, flex, flex ? 3 : 4);
        res->configs = PROTO_ARRAY(a, alter_config_entry_t, res->n_configs);
        for (int32_t c = 0; c < res->n_configs && !r->err; c++) {
            res->configs[c].name = buf_read_str(r, flex);
            res->configs[c].op = incremental ? buf_read_i8(r) : 0; /* SET */
            res->configs[c].value = buf_read_nstr(r, flex);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    req->validate_only = buf_read_bool(r);
    read_tags(r, flex);
    return !r->err && req->n_resources >= 0;
}

static void encode_alter_configs(buf_writer_t *w, bool flex, const alter_configs_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_resources, flex);
    for (int32_t i = 0; i < req->n_resources; i++) {
        const alter_configs_resource_t *res = &req->resources[i];
        buf_write_i16(w, res->error);
        buf_write_str(w, res->error_message, flex);
        buf_write_i8(w, res->type);
        buf_write_kstr(w, res->name, flex);
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_alter_configs(buf_reader_t *r, int16_t v, arena_t *a, alter_configs_req_t *req)
{
    return decode_alter_configs(r, v >= 2, false, a, req);
}

void proto_encode_alter_configs(buf_writer_t *w, int16_t v, const alter_configs_req_t *req)
{
    encode_alter_configs(w, v >= 2, req);
}

bool proto_decode_incremental_alter_configs(buf_reader_t *r, int16_t v, arena_t *a, alter_configs_req_t *req)
{
    return decode_alter_configs(r, v >= 1, true, a, req);
}

void proto_encode_incremental_alter_configs(buf_writer_t *w, int16_t v, const alter_configs_req_t *req)
{
    encode_alter_configs(w, v >= 1, req);
}

bool proto_decode_delete_records(buf_reader_t *r, int16_t v, arena_t *a, delete_records_req_t *req)
{
    bool flex = v >= 2;
    req->n_topics = buf_read_count(r, flex, flex ? 3 : 6);
    req->topics = PROTO_ARRAY(a, delete_records_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        delete_records_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->n_partitions = buf_read_count(r, flex, flex ? 13 : 12);
        topic->partitions = PROTO_ARRAY(a, delete_records_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            topic->partitions[p].index = buf_read_i32(r);
            topic->partitions[p].offset = buf_read_i64(r);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    req->timeout_ms = buf_read_i32(r);
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_delete_records(buf_writer_t *w, int16_t v, const delete_records_req_t *req)
{
    bool flex = v >= 2;
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const delete_records_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex);
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            buf_write_i32(w, topic->partitions[p].index);
            buf_write_i64(w, topic->partitions[p].low_watermark);
            buf_write_i16(w, topic->partitions[p].error);
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_init_producer_id(buf_reader_t *r, int16_t v, arena_t *a,
                                   init_producer_id_req_t *req)
{
    bool flex = v >= 2;
    req->transactional_id = buf_read_nstr(r, flex);
    req->transaction_timeout_ms = buf_read_i32(r);
    req->current_producer_id = v >= 3 ? buf_read_i64(r) : -1;
    req->current_producer_epoch = v >= 3 ? buf_read_i16(r) : -1;
    read_tags(r, flex);
    return !r->err;
}

void proto_encode_init_producer_id(buf_writer_t *w, int16_t v, const init_producer_id_req_t *req)
{
    bool flex = v >= 2;
    buf_write_i32(w, 0); /* throttle_time_ms */
    buf_write_i16(w, req->error);
    buf_write_i64(w, req->producer_id);
    buf_write_i16(w, req->producer_epoch);
    write_tags(w, flex);
}
