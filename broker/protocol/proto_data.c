/*
 * proto_data.c - codecs of the data path: Produce, Fetch and ListOffsets.
 *
 * Versions are those of api.c.  Field order per version from
 * ProduceRequest.json, FetchRequest.json, ListOffsetsRequest.json and their
 * responses; `flex` is the schema's "flexibleVersions" (api.c's
 * first-flexible column), from which strings, bytes and arrays are compact
 * and every struct ends with a tag section (KIP-482).
 */
#include "proto.h"
#include "proto_util.h"

bool proto_decode_produce(buf_reader_t *r, int16_t v, arena_t *a, produce_req_t *req)
{
    bool flex = v >= 9;
    kstr_t none = {NULL, -1};
    req->transactional_id = v >= 3 ? buf_read_nstr(r, flex) : none;
    req->acks = buf_read_i16(r);
    req->timeout_ms = buf_read_i32(r);
    req->n_topics = buf_read_count(r, flex, flex ? 3 : 6);
    req->topics = PROTO_ARRAY(a, produce_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        produce_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->n_partitions = buf_read_count(r, flex, flex ? 6 : 8);
        topic->partitions = PROTO_ARRAY(a, produce_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            produce_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            kstr_t records = buf_read_nbytes(r, flex);
            /* The frame buffer is ours and mutable; the reader is const only
             * to keep decoders honest elsewhere. */
            part->records = (uint8_t *)records.ptr;
            part->records_len = records.len;
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_produce(buf_writer_t *w, int16_t v, const produce_req_t *req)
{
    bool flex = v >= 9;
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const produce_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex);
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const produce_partition_t *part = &topic->partitions[p];
            buf_write_i32(w, part->index);
            buf_write_i16(w, part->error);
            buf_write_i64(w, part->base_offset);
            if (v >= 2) {
                buf_write_i64(w, part->log_append_time);
            }
            if (v >= 5) {
                buf_write_i64(w, part->log_start_offset);
            }
            if (v >= 8) {
                /* RecordErrors name single records of a batch; every check
                 * here is of the whole batch, so the reason goes in
                 * ErrorMessage alone. */
                buf_write_array_len(w, 0, flex);
                buf_write_str(w, part->error_message, flex);
            }
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms comes last in Produce */
    }
    write_tags(w, flex);
}

/* An array of int32 read and dropped (forgotten partition indexes). */
static void skip_i32_array(buf_reader_t *r, bool flex)
{
    int32_t n = buf_read_count(r, flex, 4);
    buf_skip(r, (size_t)(n > 0 ? n : 0) * 4);
}

bool proto_decode_fetch(buf_reader_t *r, int16_t v, arena_t *a, fetch_req_t *req)
{
    bool flex = v >= 12;
    req->by_id = v >= 13;
    req->replica_id = buf_read_i32(r);
    req->max_wait_ms = buf_read_i32(r);
    req->min_bytes = buf_read_i32(r);
    /* Below v3 only PartitionMaxBytes limits a response, as in Kafka. */
    req->max_bytes = v >= 3 ? buf_read_i32(r) : INT32_MAX;
    req->isolation_level = v >= 4 ? buf_read_i8(r) : 0;
    if (v >= 7) {
        req->session_id = buf_read_i32(r);
        req->session_epoch = buf_read_i32(r);
    }
    /* A topic is at least its name (or 16-byte id) and a partition count. */
    req->n_topics = buf_read_count(r, flex, req->by_id ? 18 : (flex ? 3 : 6));
    req->topics = PROTO_ARRAY(a, fetch_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        fetch_topic_t *topic = &req->topics[t];
        if (req->by_id) {
            topic->name = (kstr_t){NULL, -1};
            topic->topic_id = buf_read_uuid(r);
        } else {
            topic->name = buf_read_str(r, flex);
        }
        topic->n_partitions = buf_read_count(r, flex, 16);
        topic->partitions = PROTO_ARRAY(a, fetch_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            fetch_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            part->current_leader_epoch = v >= 9 ? buf_read_i32(r) : -1;
            part->fetch_offset = buf_read_i64(r);
            part->last_fetched_epoch = v >= 12 ? buf_read_i32(r) : -1;
            part->log_start_offset = v >= 5 ? buf_read_i64(r) : -1;
            part->partition_max_bytes = buf_read_i32(r);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    if (v >= 7) {
        /* Forgotten topics only matter for incremental fetch sessions, which
         * we do not grant (SessionId 0), so they are read and dropped. */
        int32_t n = buf_read_count(r, flex, req->by_id ? 18 : (flex ? 3 : 6));
        for (int32_t t = 0; t < n && !r->err; t++) {
            if (req->by_id) {
                buf_read_uuid(r);
            } else {
                buf_read_str(r, flex);
            }
            skip_i32_array(r, flex);
            read_tags(r, flex);
        }
    }
    if (v >= 11) {
        buf_read_str(r, flex); /* rack_id */
    }
    /* The tagged ClusterId (v12+) is for KRaft controllers: skipped. */
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_fetch(buf_writer_t *w, int16_t v, const fetch_req_t *req, const uint8_t *records)
{
    bool flex = v >= 12;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    if (v >= 7) {
        buf_write_i16(w, req->error);
        buf_write_i32(w, 0); /* session_id: no incremental sessions */
    }
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const fetch_topic_t *topic = &req->topics[t];
        if (v >= 13) {
            buf_write_uuid(w, &topic->topic_id);
        } else {
            buf_write_kstr(w, topic->name, flex);
        }
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const fetch_partition_t *part = &topic->partitions[p];
            buf_write_i32(w, part->index);
            buf_write_i16(w, part->error);
            buf_write_i64(w, part->high_watermark);
            if (v >= 4) {
                buf_write_i64(w, part->last_stable_offset);
            }
            if (v >= 5) {
                buf_write_i64(w, part->result_log_start_offset);
            }
            /* DivergingEpoch, CurrentLeader and SnapshotId (tagged, v12+)
             * stay at their defaults: one node whose leader epoch never
             * changes has no divergence to report and no snapshots. */
            if (v >= 4) {
                buf_write_array_len(w, 0, flex); /* aborted_transactions: none */
            }
            if (v >= 11) {
                buf_write_i32(w, -1); /* preferred_read_replica: must be -1 */
            }
            /* Empty records are length 0, never -1: librdkafka 2.0 rejects -1. */
            buf_write_nbytes(w, records + part->records_at, (int32_t)part->records_len, flex);
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

bool proto_decode_offset_for_leader_epoch(buf_reader_t *r, int16_t v, arena_t *a, epoch_req_t *req)
{
    req->replica_id = v >= 3 ? buf_read_i32(r) : -2;
    req->n_topics = buf_read_count(r, false, 6);
    req->topics = PROTO_ARRAY(a, epoch_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        epoch_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->n_partitions = buf_read_count(r, false, v >= 2 ? 12 : 8);
        topic->partitions = PROTO_ARRAY(a, epoch_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            epoch_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            part->current_leader_epoch = v >= 2 ? buf_read_i32(r) : -1;
            part->leader_epoch = buf_read_i32(r);
        }
    }
    return !r->err && req->n_topics >= 0;
}

void proto_encode_offset_for_leader_epoch(buf_writer_t *w, int16_t v, const epoch_req_t *req)
{
    if (v >= 2) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const epoch_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, false);
        buf_write_array_len(w, topic->n_partitions, false);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const epoch_partition_t *part = &topic->partitions[p];
            buf_write_i16(w, part->error);
            buf_write_i32(w, part->index);
            if (v >= 1) {
                buf_write_i32(w, part->result_epoch);
            }
            buf_write_i64(w, part->end_offset);
        }
    }
}

bool proto_decode_list_offsets(buf_reader_t *r, int16_t v, arena_t *a, list_offsets_req_t *req)
{
    bool flex = v >= 6;
    req->replica_id = buf_read_i32(r);
    req->isolation_level = v >= 2 ? buf_read_i8(r) : 0;
    req->n_topics = buf_read_count(r, flex, flex ? 3 : 6);
    req->topics = PROTO_ARRAY(a, list_offsets_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        list_offsets_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->n_partitions = buf_read_count(r, flex, 12);
        topic->partitions = PROTO_ARRAY(a, list_offsets_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            list_offsets_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            part->current_leader_epoch = v >= 4 ? buf_read_i32(r) : -1;
            part->timestamp = buf_read_i64(r);
            part->max_num_offsets = v == 0 ? buf_read_i32(r) : 1;
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_list_offsets(buf_writer_t *w, int16_t v, const list_offsets_req_t *req)
{
    bool flex = v >= 6;
    if (v >= 2) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const list_offsets_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex);
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const list_offsets_partition_t *part = &topic->partitions[p];
            buf_write_i32(w, part->index);
            buf_write_i16(w, part->error);
            if (v == 0) {
                /* OldStyleOffsets: the one offset v1 answers, if any and
                 * if asked for (Kafka lists segment starts for a time). */
                bool one = part->offset >= 0 && part->max_num_offsets > 0;
                buf_write_i32(w, one ? 1 : 0);
                if (one) {
                    buf_write_i64(w, part->offset);
                }
                write_tags(w, flex);
                continue;
            }
            buf_write_i64(w, part->result_timestamp);
            buf_write_i64(w, part->offset);
            if (v >= 4) {
                buf_write_i32(w, part->leader_epoch);
            }
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}
