/* offsets_format.c - __consumer_offsets key and value records; see offsets_format.h. */
#include "offsets_format.h"

void offsets_encode_commit_key(buf_writer_t *w, const char *group, const char *topic, int32_t partition)
{
    buf_write_i16(w, 1);
    buf_write_str(w, group, false);
    buf_write_str(w, topic, false);
    buf_write_i32(w, partition);
}

void offsets_encode_commit_value(buf_writer_t *w, const offsets_commit_value_t *v)
{
    buf_write_i16(w, 3);
    buf_write_i64(w, v->offset);
    buf_write_i32(w, v->leader_epoch);
    buf_write_kstr(w, v->metadata.len < 0 ? (kstr_t){"", 0} : v->metadata, false);
    buf_write_i64(w, v->commit_timestamp);
}

void offsets_encode_group_key(buf_writer_t *w, const char *group)
{
    buf_write_i16(w, 2);
    buf_write_str(w, group, false);
}

bool offsets_decode_key(const uint8_t *data, size_t len, offsets_key_t *key)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    int16_t version = buf_read_i16(&r);
    key->group = buf_read_str(&r, false);
    key->topic = (kstr_t){NULL, -1};
    key->partition = -1;
    if (version == 0 || version == 1) {
        key->kind = OFFSETS_KEY_COMMIT;
        key->topic = buf_read_str(&r, false);
        key->partition = buf_read_i32(&r);
    } else if (version == 2) {
        key->kind = OFFSETS_KEY_GROUP;
    } else {
        return false;
    }
    return !r.err && buf_remaining(&r) == 0;
}

bool offsets_decode_commit_value(const uint8_t *data, size_t len, offsets_commit_value_t *v)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    int16_t version = buf_read_i16(&r);
    if (version < 0 || version > 3) {
        return false;
    }
    v->offset = buf_read_i64(&r);
    v->leader_epoch = version >= 3 ? buf_read_i32(&r) : -1;
    v->metadata = buf_read_str(&r, false);
    v->commit_timestamp = buf_read_i64(&r);
    if (version == 1) {
        buf_read_i64(&r); /* expire_timestamp, dropped by Kafka since 2.1 */
    }
    return !r.err && buf_remaining(&r) == 0;
}

void offsets_encode_group_value(buf_writer_t *w, const offsets_group_value_t *v,
                                const offsets_group_member_t *members)
{
    buf_write_i16(w, 3);
    buf_write_kstr(w, v->protocol_type, false);
    buf_write_i32(w, v->generation);
    buf_write_kstr(w, v->protocol, false);
    buf_write_kstr(w, v->leader, false);
    buf_write_i64(w, v->current_state_timestamp);
    buf_write_array_len(w, v->n_members, false);
    for (int32_t i = 0; i < v->n_members; i++) {
        const offsets_group_member_t *m = &members[i];
        buf_write_str(w, m->member_id, false);
        buf_write_str(w, m->instance_id, false);
        buf_write_str(w, m->client_id, false);
        buf_write_str(w, m->client_host, false);
        buf_write_i32(w, m->rebalance_timeout_ms);
        buf_write_i32(w, m->session_timeout_ms);
        buf_write_nbytes(w, m->subscription, (int32_t)m->subscription_len, false);
        buf_write_nbytes(w, m->assignment, (int32_t)m->assignment_len, false);
    }
}

bool offsets_decode_group_value(const uint8_t *data, size_t len, offsets_group_value_t *v)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    int16_t version = buf_read_i16(&r);
    if (version < 0 || version > 3) {
        return false;
    }
    v->protocol_type = buf_read_str(&r, false);
    v->generation = buf_read_i32(&r);
    v->protocol = buf_read_nstr(&r, false);
    v->leader = buf_read_nstr(&r, false);
    v->current_state_timestamp = version >= 2 ? buf_read_i64(&r) : -1;
    v->n_members = buf_read_count(&r, false, 14);
    for (int32_t i = 0; i < v->n_members && !r.err; i++) {
        buf_read_str(&r, false); /* member id */
        if (version >= 3) {
            buf_read_nstr(&r, false); /* group instance id */
        }
        buf_read_str(&r, false); /* client id */
        buf_read_str(&r, false); /* client host */
        if (version >= 1) {
            buf_read_i32(&r); /* rebalance timeout */
        }
        buf_read_i32(&r); /* session timeout */
        buf_read_nbytes(&r, false); /* subscription */
        buf_read_nbytes(&r, false); /* assignment */
    }
    return !r.err && v->protocol_type.len >= 0 && buf_remaining(&r) == 0;
}
