/* offsets_format.c - __consumer_offsets key and value records; see offsets_format.h. */
#include "offsets_format.h"

void offsets_encode_commit_key(kbuf_writer_t *w, const char *group, const char *topic, int32_t partition)
{
    kbuf_write_i16(w, 1);
    kbuf_write_str(w, group, false);
    kbuf_write_str(w, topic, false);
    kbuf_write_i32(w, partition);
}

void offsets_encode_commit_value(kbuf_writer_t *w, const offsets_commit_value_t *v)
{
    kbuf_write_i16(w, 3);
    kbuf_write_i64(w, v->offset);
    kbuf_write_i32(w, v->leader_epoch);
    kbuf_write_kstr(w, v->metadata.len < 0 ? (kstr_t){"", 0} : v->metadata, false);
    kbuf_write_i64(w, v->commit_timestamp);
}

void offsets_encode_group_key(kbuf_writer_t *w, const char *group)
{
    kbuf_write_i16(w, 2);
    kbuf_write_str(w, group, false);
}

bool offsets_decode_key(const uint8_t *data, size_t len, offsets_key_t *key)
{
    kbuf_reader_t r;
    kbuf_reader_init(&r, data, len);
    int16_t version = kbuf_read_i16(&r);
    key->group = kbuf_read_str(&r, false);
    key->topic = (kstr_t){NULL, -1};
    key->partition = -1;
    if (version == 0 || version == 1) {
        key->kind = OFFSETS_KEY_COMMIT;
        key->topic = kbuf_read_str(&r, false);
        key->partition = kbuf_read_i32(&r);
    } else if (version == 2) {
        key->kind = OFFSETS_KEY_GROUP;
    } else {
        return false;
    }
    return !r.err && kbuf_remaining(&r) == 0;
}

bool offsets_decode_commit_value(const uint8_t *data, size_t len, offsets_commit_value_t *v)
{
    kbuf_reader_t r;
    kbuf_reader_init(&r, data, len);
    int16_t version = kbuf_read_i16(&r);
    if (version < 0 || version > 3) {
        return false;
    }
    v->offset = kbuf_read_i64(&r);
    v->leader_epoch = version >= 3 ? kbuf_read_i32(&r) : -1;
    v->metadata = kbuf_read_str(&r, false);
    v->commit_timestamp = kbuf_read_i64(&r);
    if (version == 1) {
        kbuf_read_i64(&r); /* expire_timestamp, dropped by Kafka since 2.1 */
    }
    return !r.err && kbuf_remaining(&r) == 0;
}

void offsets_encode_group_value(kbuf_writer_t *w, const offsets_group_value_t *v,
                                const offsets_group_member_t *members)
{
    kbuf_write_i16(w, 3);
    kbuf_write_kstr(w, v->protocol_type, false);
    kbuf_write_i32(w, v->generation);
    kbuf_write_kstr(w, v->protocol, false);
    kbuf_write_kstr(w, v->leader, false);
    kbuf_write_i64(w, v->current_state_timestamp);
    kbuf_write_array_len(w, v->n_members, false);
    for (int32_t i = 0; i < v->n_members; i++) {
        const offsets_group_member_t *m = &members[i];
        kbuf_write_str(w, m->member_id, false);
        kbuf_write_str(w, m->instance_id, false);
        kbuf_write_str(w, m->client_id, false);
        kbuf_write_str(w, m->client_host, false);
        kbuf_write_i32(w, m->rebalance_timeout_ms);
        kbuf_write_i32(w, m->session_timeout_ms);
        kbuf_write_nbytes(w, m->subscription, (int32_t)m->subscription_len, false);
        kbuf_write_nbytes(w, m->assignment, (int32_t)m->assignment_len, false);
    }
}

bool offsets_decode_group_value(const uint8_t *data, size_t len, offsets_group_value_t *v)
{
    kbuf_reader_t r;
    kbuf_reader_init(&r, data, len);
    int16_t version = kbuf_read_i16(&r);
    if (version < 0 || version > 3) {
        return false;
    }
    v->protocol_type = kbuf_read_str(&r, false);
    v->generation = kbuf_read_i32(&r);
    v->protocol = kbuf_read_nstr(&r, false);
    v->leader = kbuf_read_nstr(&r, false);
    v->current_state_timestamp = version >= 2 ? kbuf_read_i64(&r) : -1;
    v->n_members = kbuf_read_count(&r, false, 14);
    for (int32_t i = 0; i < v->n_members && !r.err; i++) {
        kbuf_read_str(&r, false); /* member id */
        if (version >= 3) {
            kbuf_read_nstr(&r, false); /* group instance id */
        }
        kbuf_read_str(&r, false); /* client id */
        kbuf_read_str(&r, false); /* client host */
        if (version >= 1) {
            kbuf_read_i32(&r); /* rebalance timeout */
        }
        kbuf_read_i32(&r); /* session timeout */
        kbuf_read_nbytes(&r, false); /* subscription */
        kbuf_read_nbytes(&r, false); /* assignment */
    }
    return !r.err && v->protocol_type.len >= 0 && kbuf_remaining(&r) == 0;
}
