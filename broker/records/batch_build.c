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

static void put_varbytes(buf_writer_t *w, const void *data, size_t len)
{
    buf_write_varint(w, data ? (int32_t)len : -1);
    if (data) {
        buf_write_raw(w, data, len);
    }
}

void batch_builder_add(batch_builder_t *b, const void *key, size_t key_len, const void *value,
                       size_t value_len, int64_t timestamp)
{
    buf_writer_t rec;
    buf_writer_init(&rec, 32 + key_len + value_len);
    buf_write_i8(&rec, 0); /* attributes */
    buf_write_varlong(&rec, timestamp - b->base_timestamp);
    buf_write_varint(&rec, b->count);
    put_varbytes(&rec, key, key_len);
    put_varbytes(&rec, value, value_len);
    buf_write_varint(&rec, 0); /* no headers */
    buf_write_varint(&b->out, (int32_t)rec.len);
    buf_write_raw(&b->out, rec.data, rec.len);
    buf_writer_release(&rec);
    b->count++;
    if (timestamp > b->max_timestamp) {
        b->max_timestamp = timestamp;
    }
}

void batch_builder_finish(batch_builder_t *b)
{
    uint8_t *h = b->out.data;
    buf_put_i64(h, 0);
    buf_put_i32(h + 8, (int32_t)(b->out.len - BATCH_LOG_OVERHEAD));
    buf_put_i32(h + 12, 0);
    h[16] = 2; /* magic */
    h[21] = h[22] = 0; /* attributes: no codec, CreateTime */
    buf_put_i32(h + 23, b->count - 1);
    buf_put_i64(h + 27, b->base_timestamp);
    buf_put_i64(h + 35, b->max_timestamp);
    buf_put_i64(h + 43, -1); /* producer id */
    h[51] = h[52] = 0xff;     /* producer epoch -1 */
    buf_put_i32(h + 53, -1); /* base sequence */
    buf_put_i32(h + 57, b->count);
    buf_put_i32(h + 17, (int32_t)crc32c(0, h + 21, b->out.len - 21));
}

void batch_builder_release(batch_builder_t *b)
{
    buf_writer_release(&b->out);
}
