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
