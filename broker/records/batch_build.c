/*
 * batch_build.c - writing a plain RecordBatch v2; see batch_build.h.
 */
#include "batch_build.h"

#include <string.h>

#include "batch.h"
#include "crc32c.h"

void batch_builder_init(batch_builder_t *b, int64_t base_timestamp)
{
    buf_writer_init(&b->out, 256);
    memset(buf_reserve(&b->out, BATCH_HEADER_SIZE), 0, BATCH_HEADER_SIZE);
    b->count = 0;
    b->base_timestamp = b->max_timestamp = base_timestamp;
}

static void put_varbytes(buf_writer_t *w, kstr_t s)
{
    buf_write_varint(w, s.len);
    if (s.len > 0) {
        buf_write_raw(w, s.ptr, (size_t)s.len);
    }
}

void batch_record_append(buf_writer_t *section, buf_writer_t *scratch, int32_t offset_delta, int64_t timestamp_delta,
                         kstr_t key, kstr_t value, int32_t header_count, kstr_t headers)
{
    scratch->len = 0;
    buf_write_i8(scratch, 0); /* attributes */
    buf_write_varlong(scratch, timestamp_delta);
    buf_write_varint(scratch, offset_delta);
    put_varbytes(scratch, key);
    put_varbytes(scratch, value);
    buf_write_varint(scratch, header_count);
    if (headers.len > 0) {
        buf_write_raw(scratch, headers.ptr, (size_t)headers.len);
    }
    buf_write_varint(section, (int32_t)scratch->len);
    buf_write_raw(section, scratch->data, scratch->len);
}

void batch_header_no_producer(uint8_t *h)
{
    buf_put_i32(h + 12, 0);  /* partition leader epoch */
    h[16] = 2;               /* magic */
    buf_put_i64(h + 43, -1); /* producer id */
    h[51] = h[52] = 0xff;    /* producer epoch -1 */
    buf_put_i32(h + 53, -1); /* base sequence */
}

void batch_header_seal(uint8_t *h, size_t total, int16_t attributes, int32_t count, int64_t base_timestamp,
                       int64_t max_timestamp)
{
    buf_put_i64(h, 0);
    buf_put_i32(h + 8, (int32_t)(total - BATCH_LOG_OVERHEAD));
    h[21] = (uint8_t)((uint16_t)attributes >> 8);
    h[22] = (uint8_t)attributes;
    buf_put_i32(h + 23, count - 1);
    buf_put_i64(h + 27, base_timestamp);
    buf_put_i64(h + 35, max_timestamp);
    buf_put_i32(h + 57, count);
    buf_put_i32(h + 17, (int32_t)crc32c(0, h + 21, total - 21));
}

static kstr_t slice(const void *data, size_t len)
{
    return data ? (kstr_t){data, (int32_t)len} : (kstr_t){NULL, -1};
}

void batch_builder_add(batch_builder_t *b, const void *key, size_t key_len, const void *value,
                       size_t value_len, int64_t timestamp)
{
    buf_writer_t rec;
    buf_writer_init(&rec, 32 + key_len + value_len);
    batch_record_append(&b->out, &rec, b->count, timestamp - b->base_timestamp, slice(key, key_len),
                        slice(value, value_len), 0, (kstr_t){NULL, 0});
    buf_writer_release(&rec);
    b->count++;
    if (timestamp > b->max_timestamp) {
        b->max_timestamp = timestamp;
    }
}

void batch_builder_finish(batch_builder_t *b)
{
    batch_header_no_producer(b->out.data);
    /* No codec, CreateTime. */
    batch_header_seal(b->out.data, b->out.len, 0, b->count, b->base_timestamp, b->max_timestamp);
}

void batch_builder_release(batch_builder_t *b)
{
    buf_writer_release(&b->out);
}
