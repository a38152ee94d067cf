/*
 * batch_fixture.h - builds valid RecordBatch v2 byte strings for unit tests,
 * the way a producer would (uncompressed, CreateTime).
 */
#ifndef CONNECTD_TEST_BATCH_FIXTURE_H
#define CONNECTD_TEST_BATCH_FIXTURE_H

#include <string.h>

#include "records/batch.h"
#include "protocol/buf.h"
#include "records/crc32c.h"

/* Appends a batch of `count` records "v<i>" with timestamps ts0 + i*ts_step.
 * producer_id -1 means not idempotent.  Returns the batch size. */
static inline size_t fixture_batch(buf_writer_t *w, int count, int64_t ts0, int64_t ts_step,
                                   int64_t producer_id, int16_t epoch, int32_t base_seq)
{
    size_t start = w->len;
    buf_reserve(w, BATCH_HEADER_SIZE);
    for (int i = 0; i < count; i++) {
        char value[32];
        int vlen = snprintf(value, sizeof(value), "v%d", i);
        buf_writer_t rec;
        buf_writer_init(&rec, 64);
        buf_write_i8(&rec, 0);
        buf_write_varlong(&rec, (int64_t)i * ts_step);
        buf_write_varint(&rec, i);
        buf_write_varint(&rec, -1); /* null key */
        buf_write_varint(&rec, vlen);
        buf_write_raw(&rec, value, (size_t)vlen);
        buf_write_varint(&rec, 0);
        buf_write_varint(w, (int32_t)rec.len);
        buf_write_raw(w, rec.data, rec.len);
        buf_writer_release(&rec);
    }
    uint8_t *h = w->data + start;
    size_t total = w->len - start;
    memset(h, 0, BATCH_HEADER_SIZE);
    buf_put_i32(h + 8, (int32_t)(total - BATCH_LOG_OVERHEAD));
    h[16] = 2;
    buf_put_i32(h + 23, count - 1);
    buf_put_i64(h + 27, ts0);
    buf_put_i64(h + 35, ts0 + (int64_t)(count - 1) * ts_step);
    buf_put_i64(h + 43, producer_id);
    h[51] = (uint8_t)((uint16_t)epoch >> 8);
    h[52] = (uint8_t)epoch;
    buf_put_i32(h + 53, base_seq);
    buf_put_i32(h + 57, count);
    buf_put_i32(h + 17, (int32_t)crc32c(0, h + 21, total - 21));
    return total;
}

#endif
