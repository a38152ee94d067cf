/*
 * proto_group.c - codecs of the classic consumer-group APIs: OffsetCommit
 * (2-5), OffsetFetch (1-4), JoinGroup (0-5), Heartbeat (0-3), LeaveGroup
 * (0-1), SyncGroup (0-3), DescribeGroups (0-2), ListGroups (0-2),
 * DeleteGroups (0-1) and OffsetDelete (0).  All non-flexible;
 * FindCoordinator is in proto_core.c.
 *
 * Member metadata and assignments are opaque BYTES to the broker and stay
 * kstr_t slices into the request frame.  A null in a non-nullable BYTES
 * field is malformed, as buf_read_str treats a null STRING.
 */
#include "proto.h"
#include "proto_util.h"

/* BYTES (not nullable): int32 length, -1 sets err. */
static kstr_t read_bytes(buf_reader_t *r)
{
    kstr_t b = buf_read_nbytes(r, false);
    if (b.len < 0) {
        r->err = true;
    }
    return b;
}

/* BYTES written from a slice; a null slice goes out as empty. */
static void write_bytes(buf_writer_t *w, kstr_t b)
{
    buf_write_nbytes(w, b.ptr, b.len < 0 ? 0 : b.len, false);
}

/* A request's nullable GroupInstanceId, null below the version adding it. */
static kstr_t read_instance_id(buf_reader_t *r, int16_t v, int16_t since)
{
    if (v >= since) {
        return buf_read_nstr(r, false);
    }
    return (kstr_t){NULL, -1};
}

/* ---- OffsetCommit (8) ----------------------------------------------------- */

bool proto_decode_offset_commit(buf_reader_t *r, int16_t v, arena_t *a, offset_commit_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, false);
    req->retention_time_ms = v <= 4 ? buf_read_i64(r) : -1;
    req->n_topics = buf_read_count(r, false, 6);
    req->topics = PROTO_ARRAY(a, offset_commit_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        offset_commit_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->n_partitions = buf_read_count(r, false, 14);
        topic->partitions = PROTO_ARRAY(a, offset_commit_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            offset_commit_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            part->committed_offset = buf_read_i64(r);
            part->metadata = buf_read_nstr(r, false);
        }
    }
    return !r->err && req->n_topics >= 0;
}

void proto_encode_offset_commit(buf_writer_t *w, int16_t v, const offset_commit_req_t *req)
{
    if (v >= 3) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, false);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const offset_commit_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, false);
        buf_write_array_len(w, topic->n_partitions, false);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            buf_write_i32(w, topic->partitions[p].index);
            buf_write_i16(w, topic->partitions[p].error);
        }
    }
}

/* ---- OffsetFetch (9) ------------------------------------------------------ */

bool proto_decode_offset_fetch(buf_reader_t *r, int16_t v, arena_t *a, offset_fetch_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    /* v1's array is not nullable; v2+ uses null for "all topics". */
    req->n_topics = v >= 2 ? buf_read_array_len(r, false, 6) : buf_read_count(r, false, 6);
    req->topics = PROTO_ARRAY(a, offset_fetch_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        offset_fetch_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->n_partitions = buf_read_count(r, false, 4);
        topic->partitions = PROTO_ARRAY(a, offset_fetch_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            topic->partitions[p].index = buf_read_i32(r);
        }
    }
    return !r->err && (req->n_topics >= 0 || v >= 2);
}

void proto_encode_offset_fetch(buf_writer_t *w, int16_t v, const offset_fetch_req_t *req)
{
    if (v >= 3) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    int32_t n_topics = req->n_topics < 0 ? 0 : req->n_topics;
    buf_write_array_len(w, n_topics, false);
    for (int32_t t = 0; t < n_topics; t++) {
        const offset_fetch_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, false);
        buf_write_array_len(w, topic->n_partitions, false);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const offset_fetch_partition_t *part = &topic->partitions[p];
            buf_write_i32(w, part->index);
            buf_write_i64(w, part->committed_offset);
            buf_write_kstr(w, part->metadata, false);
            buf_write_i16(w, part->error);
        }
    }
    if (v >= 2) {
        buf_write_i16(w, req->error);
    }
}

/* ---- JoinGroup (11) ------------------------------------------------------- */

bool proto_decode_join_group(buf_reader_t *r, int16_t v, arena_t *a, join_group_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    req->session_timeout_ms = buf_read_i32(r);
    req->rebalance_timeout_ms = v >= 1 ? buf_read_i32(r) : req->session_timeout_ms;
    req->member_id = buf_read_str(r, false);
    req->group_instance_id = read_instance_id(r, v, 5);
    req->protocol_type = buf_read_str(r, false);
    req->n_protocols = buf_read_count(r, false, 6);
    req->protocols = PROTO_ARRAY(a, join_group_protocol_t, req->n_protocols);
    for (int32_t i = 0; i < req->n_protocols && !r->err; i++) {
        req->protocols[i].name = buf_read_str(r, false);
        req->protocols[i].metadata = read_bytes(r);
    }
    return !r->err && req->n_protocols >= 0;
}

void proto_encode_join_group(buf_writer_t *w, int16_t v, const join_group_req_t *req)
{
    if (v >= 2) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    buf_write_i32(w, req->generation_id);
    /* ProtocolName, Leader and MemberId are non-nullable below v7. */
    buf_write_kstr(w, req->protocol_name.len < 0 ? (kstr_t){"", 0} : req->protocol_name, false);
    buf_write_kstr(w, req->leader, false);
    buf_write_kstr(w, req->result_member_id, false);
    buf_write_array_len(w, req->n_members, false);
    for (int32_t i = 0; i < req->n_members; i++) {
        const join_group_member_t *m = &req->members[i];
        buf_write_kstr(w, m->member_id, false);
        if (v >= 5) {
            buf_write_kstr(w, m->group_instance_id, false);
        }
        write_bytes(w, m->metadata);
    }
}

/* ---- Heartbeat (12) ------------------------------------------------------- */

bool proto_decode_heartbeat(buf_reader_t *r, int16_t v, arena_t *a, heartbeat_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, false);
    req->group_instance_id = read_instance_id(r, v, 3);
    return !r->err;
}

void proto_encode_heartbeat(buf_writer_t *w, int16_t v, const heartbeat_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
}

/* ---- LeaveGroup (13) ------------------------------------------------------ */

bool proto_decode_leave_group(buf_reader_t *r, int16_t v, arena_t *a, leave_group_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    req->member_id = buf_read_str(r, false);
    return !r->err;
}

void proto_encode_leave_group(buf_writer_t *w, int16_t v, const leave_group_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
}

/* ---- SyncGroup (14) ------------------------------------------------------- */

bool proto_decode_sync_group(buf_reader_t *r, int16_t v, arena_t *a, sync_group_req_t *req)
{
    req->group_id = buf_read_str(r, false);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, false);
    req->group_instance_id = read_instance_id(r, v, 3);
    req->n_assignments = buf_read_count(r, false, 6);
    req->assignments = PROTO_ARRAY(a, sync_group_assignment_t, req->n_assignments);
    for (int32_t i = 0; i < req->n_assignments && !r->err; i++) {
        req->assignments[i].member_id = buf_read_str(r, false);
        req->assignments[i].assignment = read_bytes(r);
    }
    return !r->err && req->n_assignments >= 0;
}

void proto_encode_sync_group(buf_writer_t *w, int16_t v, const sync_group_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    write_bytes(w, req->assignment);
}

/* ---- DescribeGroups (15) -------------------------------------------------- */

bool proto_decode_describe_groups(buf_reader_t *r, int16_t v, arena_t *a, describe_groups_req_t *req)
{
    req->n_groups = buf_read_count(r, false, 2);
    req->groups = PROTO_ARRAY(a, describe_group_t, req->n_groups);
    for (int32_t i = 0; i < req->n_groups && !r->err; i++) {
        req->groups[i].group_id = buf_read_str(r, false);
    }
    return !r->err && req->n_groups >= 0;
}

void proto_encode_describe_groups(buf_writer_t *w, int16_t v, const describe_groups_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_groups, false);
    for (int32_t i = 0; i < req->n_groups; i++) {
        const describe_group_t *g = &req->groups[i];
        buf_write_i16(w, g->error);
        buf_write_kstr(w, g->group_id, false);
        /* All three are non-nullable STRINGs: NULL goes out as "". */
        buf_write_str(w, g->state ? g->state : "", false);
        buf_write_str(w, g->protocol_type ? g->protocol_type : "", false);
        buf_write_str(w, g->protocol_data ? g->protocol_data : "", false);
        buf_write_array_len(w, g->n_members, false);
        for (int32_t m = 0; m < g->n_members; m++) {
            const describe_group_member_t *mem = &g->members[m];
            buf_write_kstr(w, mem->member_id, false);
            buf_write_kstr(w, mem->client_id, false);
            buf_write_kstr(w, mem->client_host, false);
            write_bytes(w, mem->metadata);
            write_bytes(w, mem->assignment);
        }
    }
}

/* ---- ListGroups (16) ------------------------------------------------------ */

bool proto_decode_list_groups(buf_reader_t *r, int16_t v, arena_t *a, list_groups_req_t *req)
{
    /* v0-3 have an empty body (StatesFilter is v4+). */
    return !r->err;
}

void proto_encode_list_groups(buf_writer_t *w, int16_t v, const list_groups_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    buf_write_array_len(w, req->n_groups, false);
    for (int32_t i = 0; i < req->n_groups; i++) {
        buf_write_kstr(w, req->groups[i].group_id, false);
        buf_write_kstr(w, req->groups[i].protocol_type, false);
    }
}

/* ---- DeleteGroups (42) ---------------------------------------------------- */

bool proto_decode_delete_groups(buf_reader_t *r, int16_t v, arena_t *a, delete_groups_req_t *req)
{
    req->n_groups = buf_read_count(r, false, 2);
    req->groups = PROTO_ARRAY(a, delete_group_t, req->n_groups);
    for (int32_t i = 0; i < req->n_groups && !r->err; i++) {
        req->groups[i].group_id = buf_read_str(r, false);
    }
    return !r->err && req->n_groups >= 0;
}

void proto_encode_delete_groups(buf_writer_t *w, int16_t v, const delete_groups_req_t *req)
{
    buf_write_i32(w, 0); /* throttle_time_ms (v0+) */
    buf_write_array_len(w, req->n_groups, false);
    for (int32_t i = 0; i < req->n_groups; i++) {
        buf_write_kstr(w, req->groups[i].group_id, false);
        buf_write_i16(w, req->groups[i].error);
    }
}

/* ---- OffsetDelete (47) ---------------------------------------------------- */

bool proto_decode_offset_delete(buf_reader_t *r, int16_t v, arena_t *a, offset_delete_req_t *req)
{
    (void)v;
    req->group_id = buf_read_str(r, false);
    req->n_topics = buf_read_count(r, false, 6); /* name "" + empty partitions */
    req->topics = PROTO_ARRAY(a, offset_delete_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        offset_delete_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, false);
        topic->n_partitions = buf_read_count(r, false, 4);
        topic->partitions = PROTO_ARRAY(a, offset_delete_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            topic->partitions[p].index = buf_read_i32(r);
        }
    }
    return !r->err && req->n_topics >= 0;
}

void proto_encode_offset_delete(buf_writer_t *w, int16_t v, const offset_delete_req_t *req)
{
    (void)v;
    buf_write_i16(w, req->error);
    buf_write_i32(w, 0); /* throttle_time_ms */
    int32_t n_topics = req->error == 0 ? req->n_topics : 0;
    buf_write_array_len(w, n_topics, false);
    for (int32_t t = 0; t < n_topics; t++) {
        const offset_delete_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, false);
        buf_write_array_len(w, topic->n_partitions, false);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            buf_write_i32(w, topic->partitions[p].index);
            buf_write_i16(w, topic->partitions[p].error);
        }
    }
}
