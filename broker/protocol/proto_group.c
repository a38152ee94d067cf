/*
 * proto_group.c - codecs of the classic consumer-group APIs: OffsetCommit
 * (2-8), OffsetFetch (1-8), JoinGroup (0-9), Heartbeat (0-4), LeaveGroup
 * (0-5), SyncGroup (0-5), DescribeGroups (0-5), ListGroups (0-4),
 * DeleteGroups (0-2) and OffsetDelete (0); FindCoordinator is in
 * proto_core.c.  Each codec takes `flex` (a flexible version: compact
 * forms and tag sections) from the schema's "flexibleVersions".
 *
 * Member metadata and assignments are opaque BYTES to the broker and stay
 * kstr_t slices into the request frame.  A null in a non-nullable BYTES
 * field is malformed, as buf_read_str treats a null STRING.
 */
#include "proto.h"
#include "proto_util.h"

/* BYTES (not nullable), classic or compact: a null sets err. */
static kstr_t read_bytes(buf_reader_t *r, bool flex)
{
    kstr_t b = buf_read_nbytes(r, flex);
    if (b.len < 0) {
        r->err = true;
    }
    return b;
}

/* BYTES written from a slice; a null slice goes out as empty. */
static void write_bytes(buf_writer_t *w, kstr_t b, bool flex)
{
    buf_write_nbytes(w, b.ptr, b.len < 0 ? 0 : b.len, flex);
}

/* A request's nullable string field, null below the version adding it. */
static kstr_t read_nstr_since(buf_reader_t *r, int16_t v, int16_t since, bool flex)
{
    if (v >= since) {
        return buf_read_nstr(r, flex);
    }
    return (kstr_t){NULL, -1};
}

/* ---- OffsetCommit (8) ----------------------------------------------------- */

bool proto_decode_offset_commit(buf_reader_t *r, int16_t v, arena_t *a, offset_commit_req_t *req)
{
    bool flex = v >= 8;
    req->group_id = buf_read_str(r, flex);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, flex);
    req->group_instance_id = read_nstr_since(r, v, 7, flex);
    req->retention_time_ms = v <= 4 ? buf_read_i64(r) : -1;
    req->n_topics = buf_read_count(r, flex, flex ? 3 : 6);
    req->topics = PROTO_ARRAY(a, offset_commit_topic_t, req->n_topics);
    for (int32_t t = 0; t < req->n_topics && !r->err; t++) {
        offset_commit_topic_t *topic = &req->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->n_partitions = buf_read_count(r, flex, 14);
        topic->partitions = PROTO_ARRAY(a, offset_commit_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            offset_commit_partition_t *part = &topic->partitions[p];
            part->index = buf_read_i32(r);
            part->committed_offset = buf_read_i64(r);
            part->committed_leader_epoch = v >= 6 ? buf_read_i32(r) : -1;
            part->metadata = buf_read_nstr(r, flex);
            read_tags(r, flex);
        }
        read_tags(r, flex);
    }
    read_tags(r, flex);
    return !r->err && req->n_topics >= 0;
}

void proto_encode_offset_commit(buf_writer_t *w, int16_t v, const offset_commit_req_t *req)
{
    bool flex = v >= 8;
    if (v >= 3) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_topics, flex);
    for (int32_t t = 0; t < req->n_topics; t++) {
        const offset_commit_topic_t *topic = &req->topics[t];
        buf_write_kstr(w, topic->name, flex);
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            buf_write_i32(w, topic->partitions[p].index);
            buf_write_i16(w, topic->partitions[p].error);
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

/* ---- OffsetFetch (9) ------------------------------------------------------ */

/* One group's GroupId and Topics: the whole body below v8, an element of
 * Groups from v8. */
static void decode_fetch_group(buf_reader_t *r, int16_t v, arena_t *a, offset_fetch_group_t *grp)
{
    bool flex = v >= 6;
    grp->group_id = buf_read_str(r, flex);
    /* v1's array is not nullable; v2+ uses null for "all topics". */
    grp->n_topics = v >= 2 ? buf_read_array_len(r, flex, flex ? 3 : 6) : buf_read_count(r, false, 6);
    /* From v6 an empty array means all topics too: librdkafka 2.0.2 writes
     * its "all partitions" as an empty compact array, and no client asks
     * for nothing. */
    if (v >= 6 && grp->n_topics == 0) {
        grp->n_topics = -1;
    }
    grp->topics = PROTO_ARRAY(a, offset_fetch_topic_t, grp->n_topics);
    for (int32_t t = 0; t < grp->n_topics && !r->err; t++) {
        offset_fetch_topic_t *topic = &grp->topics[t];
        topic->name = buf_read_str(r, flex);
        topic->n_partitions = buf_read_count(r, flex, 4);
        topic->partitions = PROTO_ARRAY(a, offset_fetch_partition_t, topic->n_partitions);
        for (int32_t p = 0; p < topic->n_partitions && !r->err; p++) {
            topic->partitions[p].index = buf_read_i32(r);
        }
        read_tags(r, flex);
    }
}

bool proto_decode_offset_fetch(buf_reader_t *r, int16_t v, arena_t *a, offset_fetch_req_t *req)
{
    bool flex = v >= 6;
    if (v <= 7) {
        req->n_groups = 1;
        req->groups = PROTO_ARRAY(a, offset_fetch_group_t, 1);
        decode_fetch_group(r, v, a, &req->groups[0]);
    } else {
        req->n_groups = buf_read_count(r, true, 3);
        req->groups = PROTO_ARRAY(a, offset_fetch_group_t, req->n_groups);
        for (int32_t i = 0; i < req->n_groups && !r->err; i++) {
            decode_fetch_group(r, v, a, &req->groups[i]);
            read_tags(r, true);
        }
    }
    req->require_stable = v >= 7 ? buf_read_bool(r) : false;
    read_tags(r, flex);
    return !r->err;
}

static void encode_fetch_topics(buf_writer_t *w, int16_t v, const offset_fetch_group_t *grp)
{
    bool flex = v >= 6;
    int32_t n_topics = grp->n_topics < 0 ? 0 : grp->n_topics;
    buf_write_array_len(w, n_topics, flex);
    for (int32_t t = 0; t < n_topics; t++) {
        const offset_fetch_topic_t *topic = &grp->topics[t];
        buf_write_kstr(w, topic->name, flex);
        buf_write_array_len(w, topic->n_partitions, flex);
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            const offset_fetch_partition_t *part = &topic->partitions[p];
            buf_write_i32(w, part->index);
            buf_write_i64(w, part->committed_offset);
            if (v >= 5) {
                buf_write_i32(w, part->committed_leader_epoch);
            }
            buf_write_kstr(w, part->metadata, flex);
            buf_write_i16(w, part->error);
            write_tags(w, flex);
        }
        write_tags(w, flex);
    }
}

void proto_encode_offset_fetch(buf_writer_t *w, int16_t v, const offset_fetch_req_t *req)
{
    bool flex = v >= 6;
    if (v >= 3) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    if (v <= 7) {
        encode_fetch_topics(w, v, &req->groups[0]);
        if (v >= 2) {
            buf_write_i16(w, req->groups[0].error);
        }
    } else {
        buf_write_array_len(w, req->n_groups, true);
        for (int32_t i = 0; i < req->n_groups; i++) {
            buf_write_kstr(w, req->groups[i].group_id, true);
            encode_fetch_topics(w, v, &req->groups[i]);
            buf_write_i16(w, req->groups[i].error);
            write_tags(w, true);
        }
    }
    write_tags(w, flex);
}

/* ---- JoinGroup (11) ------------------------------------------------------- */

bool proto_decode_join_group(buf_reader_t *r, int16_t v, arena_t *a, join_group_req_t *req)
{
    bool flex = v >= 6;
    req->group_id = buf_read_str(r, flex);
    req->session_timeout_ms = buf_read_i32(r);
    req->rebalance_timeout_ms = v >= 1 ? buf_read_i32(r) : req->session_timeout_ms;
    req->member_id = buf_read_str(r, flex);
    req->group_instance_id = read_nstr_since(r, v, 5, flex);
    req->protocol_type = buf_read_str(r, flex);
    req->n_protocols = buf_read_count(r, flex, flex ? 3 : 6);
    req->protocols = PROTO_ARRAY(a, join_group_protocol_t, req->n_protocols);
    for (int32_t i = 0; i < req->n_protocols && !r->err; i++) {
        req->protocols[i].name = buf_read_str(r, flex);
        req->protocols[i].metadata = read_bytes(r, flex);
        read_tags(r, flex);
    }
    req->reason = read_nstr_since(r, v, 8, flex);
    read_tags(r, flex);
    return !r->err && req->n_protocols >= 0;
}

void proto_encode_join_group(buf_writer_t *w, int16_t v, const join_group_req_t *req)
{
    bool flex = v >= 6;
    if (v >= 2) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    buf_write_i32(w, req->generation_id);
    if (v >= 7) {
        buf_write_kstr(w, req->result_protocol_type, flex);
    }
    /* ProtocolName is non-nullable below v7: null goes out as "" there. */
    buf_write_kstr(w, req->protocol_name.len < 0 && v < 7 ? (kstr_t){"", 0} : req->protocol_name, flex);
    buf_write_kstr(w, req->leader, flex);
    if (v >= 9) {
        /* KIP-814 lets a coordinator tell a static leader to keep its old
         * assignment; this one always wants the assignor to run. */
        buf_write_bool(w, false);
    }
    buf_write_kstr(w, req->result_member_id, flex);
    buf_write_array_len(w, req->n_members, flex);
    for (int32_t i = 0; i < req->n_members; i++) {
        const join_group_member_t *m = &req->members[i];
        buf_write_kstr(w, m->member_id, flex);
        if (v >= 5) {
            buf_write_kstr(w, m->group_instance_id, flex);
        }
        write_bytes(w, m->metadata, flex);
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

/* ---- Heartbeat (12) ------------------------------------------------------- */

bool proto_decode_heartbeat(buf_reader_t *r, int16_t v, arena_t *a, heartbeat_req_t *req)
{
    bool flex = v >= 4;
    req->group_id = buf_read_str(r, flex);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, flex);
    req->group_instance_id = read_nstr_since(r, v, 3, flex);
    read_tags(r, flex);
    return !r->err;
}

void proto_encode_heartbeat(buf_writer_t *w, int16_t v, const heartbeat_req_t *req)
{
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    write_tags(w, v >= 4);
}

/* ---- LeaveGroup (13) ------------------------------------------------------ */

bool proto_decode_leave_group(buf_reader_t *r, int16_t v, arena_t *a, leave_group_req_t *req)
{
    bool flex = v >= 4;
    req->group_id = buf_read_str(r, flex);
    if (v <= 2) {
        req->n_members = 1;
        req->members = PROTO_ARRAY(a, leave_group_member_t, 1);
        req->members[0] = (leave_group_member_t){buf_read_str(r, false), {NULL, -1}, {NULL, -1}, 0};
        return !r->err;
    }
    req->n_members = buf_read_count(r, flex, flex ? 3 : 4);
    req->members = PROTO_ARRAY(a, leave_group_member_t, req->n_members);
    for (int32_t i = 0; i < req->n_members && !r->err; i++) {
        leave_group_member_t *m = &req->members[i];
        m->member_id = buf_read_str(r, flex);
        m->group_instance_id = buf_read_nstr(r, flex);
        m->reason = read_nstr_since(r, v, 5, flex);
        m->error = 0;
        read_tags(r, flex);
    }
    read_tags(r, flex);
    return !r->err;
}

void proto_encode_leave_group(buf_writer_t *w, int16_t v, const leave_group_req_t *req)
{
    bool flex = v >= 4;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    if (v >= 3) {
        buf_write_array_len(w, req->n_members, flex);
        for (int32_t i = 0; i < req->n_members; i++) {
            const leave_group_member_t *m = &req->members[i];
            buf_write_kstr(w, m->member_id, flex);
            buf_write_kstr(w, m->group_instance_id, flex);
            buf_write_i16(w, m->error);
            write_tags(w, flex);
        }
    }
    write_tags(w, flex);
}

/* ---- SyncGroup (14) ------------------------------------------------------- */

bool proto_decode_sync_group(buf_reader_t *r, int16_t v, arena_t *a, sync_group_req_t *req)
{
    bool flex = v >= 4;
    req->group_id = buf_read_str(r, flex);
    req->generation_id = buf_read_i32(r);
    req->member_id = buf_read_str(r, flex);
    req->group_instance_id = read_nstr_since(r, v, 3, flex);
    req->protocol_type = read_nstr_since(r, v, 5, flex);
    req->protocol_name = read_nstr_since(r, v, 5, flex);
    req->n_assignments = buf_read_count(r, flex, flex ? 3 : 6);
    req->assignments = PROTO_ARRAY(a, sync_group_assignment_t, req->n_assignments);
    for (int32_t i = 0; i < req->n_assignments && !r->err; i++) {
        req->assignments[i].member_id = buf_read_str(r, flex);
        req->assignments[i].assignment = read_bytes(r, flex);
        read_tags(r, flex);
    }
    read_tags(r, flex);
    return !r->err && req->n_assignments >= 0;
}

void proto_encode_sync_group(buf_writer_t *w, int16_t v, const sync_group_req_t *req)
{
    bool flex = v >= 4;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    if (v >= 5) {
        buf_write_kstr(w, req->result_protocol_type, flex);
        buf_write_kstr(w, req->result_protocol_name, flex);
    }
    write_bytes(w, req->assignment, flex);
    write_tags(w, flex);
}

/* ---- DescribeGroups (15) -------------------------------------------------- */

bool proto_decode_describe_groups(buf_reader_t *r, int16_t v, arena_t *a, describe_groups_req_t *req)
{
    bool flex = v >= 5;
    req->n_groups = buf_read_count(r, flex, flex ? 1 : 2);
    req->groups = PROTO_ARRAY(a, describe_group_t, req->n_groups);
    for (int32_t i = 0; i < req->n_groups && !r->err; i++) {
        req->groups[i].group_id = buf_read_str(r, flex);
    }
    req->include_authorized_operations = v >= 3 ? buf_read_bool(r) : false;
    read_tags(r, flex);
    return !r->err && req->n_groups >= 0;
}

void proto_encode_describe_groups(buf_writer_t *w, int16_t v, const describe_groups_req_t *req)
{
    bool flex = v >= 5;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_array_len(w, req->n_groups, flex);
    for (int32_t i = 0; i < req->n_groups; i++) {
        const describe_group_t *g = &req->groups[i];
        buf_write_i16(w, g->error);
        buf_write_kstr(w, g->group_id, flex);
        /* All three are non-nullable STRINGs: NULL goes out as "". */
        buf_write_str(w, g->state ? g->state : "", flex);
        buf_write_str(w, g->protocol_type ? g->protocol_type : "", flex);
        buf_write_str(w, g->protocol_data ? g->protocol_data : "", flex);
        buf_write_array_len(w, g->n_members, flex);
        for (int32_t m = 0; m < g->n_members; m++) {
            const describe_group_member_t *mem = &g->members[m];
            buf_write_kstr(w, mem->member_id, flex);
            if (v >= 4) {
                buf_write_kstr(w, mem->group_instance_id, flex);
            }
            buf_write_kstr(w, mem->client_id, flex);
            buf_write_kstr(w, mem->client_host, flex);
            write_bytes(w, mem->metadata, flex);
            write_bytes(w, mem->assignment, flex);
            write_tags(w, flex);
        }
        if (v >= 3) {
            buf_write_i32(w, g->authorized_operations);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

/* ---- ListGroups (16) ------------------------------------------------------ */

bool proto_decode_list_groups(buf_reader_t *r, int16_t v, arena_t *a, list_groups_req_t *req)
{
    bool flex = v >= 3;
    /* Empty below v3; v3 has only the tag section. */
    if (v >= 4) {
        req->n_states_filter = buf_read_count(r, true, 1);
        req->states_filter = PROTO_ARRAY(a, kstr_t, req->n_states_filter);
        for (int32_t i = 0; i < req->n_states_filter && !r->err; i++) {
            req->states_filter[i] = buf_read_str(r, true);
        }
    }
    read_tags(r, flex);
    return !r->err;
}

void proto_encode_list_groups(buf_writer_t *w, int16_t v, const list_groups_req_t *req)
{
    bool flex = v >= 3;
    if (v >= 1) {
        buf_write_i32(w, 0); /* throttle_time_ms */
    }
    buf_write_i16(w, req->error);
    buf_write_array_len(w, req->n_groups, flex);
    for (int32_t i = 0; i < req->n_groups; i++) {
        buf_write_kstr(w, req->groups[i].group_id, flex);
        buf_write_kstr(w, req->groups[i].protocol_type, flex);
        if (v >= 4) {
            buf_write_kstr(w, req->groups[i].group_state, flex);
        }
        write_tags(w, flex);
    }
    write_tags(w, flex);
}

/* ---- DeleteGroups (42) ---------------------------------------------------- */

bool proto_decode_delete_groups(buf_reader_t *r, int16_t v, arena_t *a, delete_groups_req_t *req)
{
    bool flex = v >= 2;
    req->n_groups = buf_read_count(r, flex, flex ? 1 : 2);
    req->groups = PROTO_ARRAY(a, delete_group_t, req->n_groups);
    for (int32_t i = 0; i < req->n_groups && !r->err; i++) {
        req->groups[i].group_id = buf_read_str(r, flex);
    }
    read_tags(r, flex);
    return !r->err && req->n_groups >= 0;
}

void proto_encode_delete_groups(buf_writer_t *w, int16_t v, const delete_groups_req_t *req)
{
    bool flex = v >= 2;
    buf_write_i32(w, 0); /* throttle_time_ms (v0+) */
    buf_write_array_len(w, req->n_groups, flex);
    for (int32_t i = 0; i < req->n_groups; i++) {
        buf_write_kstr(w, req->groups[i].group_id, flex);
        buf_write_i16(w, req->groups[i].error);
        write_tags(w, flex);
    }
    write_tags(w, flex);
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
