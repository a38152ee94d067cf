/*
 * fuzz_records.c - libFuzzer target for records.c, compression.c and
 * legacy_records.c.
 *
 * Input layout, chosen so most inputs reach the codecs and the record parser
 * instead of dying on the batch header:
 *
 *   byte 0    bit 7 set: bytes 1.. are a whole batch, header and all, given
 *             to records_foreach as they are.
 *             bit 7 clear, bit 6 set: bytes 1.. are a message set of
 *             magic 0 or 1, given to legacy_records_to_batch.
 *             both clear: bits 0-2 are the codec (5-7 are unknown codecs),
 *             bit 3 LogAppendTime; byte 1 is recordsCount and bytes 2.. the
 *             records section, wrapped in a well-formed 61-byte header.
 *
 * Besides the sanitizers, the oracle is that a stream which decompresses must
 * survive compress -> decompress unchanged, and that find_timestamp agrees
 * with foreach on whether the batch parses, and that a converted message set
 * is a batch a producer could have sent, which converts down and up again to
 * as many records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "records/batch.h"
#include "records/compression.h"
#include "records/legacy_records.h"
#include "records/records.h"

/* Keeps a single input from spending seconds inflating a bomb. */
#define FUZZ_MAX_OUT ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte a record points at, so ASan sees any slice that
 * escapes its buffer. */
static int touch_record(void *opaque, const record_t *rec)
{
    const kstr_t slices[] = {rec->key, rec->value, rec->headers};
    uint8_t *sum = opaque;
    for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
        for (int32_t j = 0; j < slices[i].len; j++) {
            *sum ^= (uint8_t)slices[i].ptr[j];
        }
    }
    return 0;
}

static void check_batch(const uint8_t *batch, size_t len)
{
    uint8_t sum = 0;
    kerr_t err = records_foreach(batch, len, touch_record, &sum);
    int64_t offset, timestamp;
    int64_t target = len >= BATCH_HEADER_SIZE ? (int64_t)((uint64_t)buf_get_i64(batch + 27) + 5) : 0;
    kerr_t found = records_find_timestamp(batch, len, target, &offset, &timestamp);
    if (found != err) {
        abort();
    }
}

static void check_round_trip(int codec, const uint8_t *in, size_t len)
{
    buf_writer_t plain, packed, again;
    buf_writer_init(&plain, 0);
    buf_writer_init(&packed, 0);
    buf_writer_init(&again, 0);
    if (compression_decompress(codec, in, len, &plain, FUZZ_MAX_OUT) == KERR_NONE) {
        if (compression_compress(codec, plain.data, plain.len, &packed) != KERR_NONE ||
            compression_decompress(codec, packed.data, packed.len, &again, plain.len) !=
                KERR_NONE ||
            again.len != plain.len || memcmp(again.data, plain.data, plain.len) != 0) {
            abort();
        }
    }
    buf_writer_release(&again);
    buf_writer_release(&packed);
    buf_writer_release(&plain);
}

/* Wraps a records section in a header that passes records.c's own checks. */
static void check_wrapped(uint8_t mode, uint8_t count, const uint8_t *records, size_t len)
{
    buf_writer_t w;
    buf_writer_init(&w, BATCH_HEADER_SIZE + len);
    uint8_t *h = buf_reserve(&w, BATCH_HEADER_SIZE);
    memset(h, 0, BATCH_HEADER_SIZE);
    buf_put_i32(h + 8, (int32_t)(BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD + len));
    h[16] = 2;
    h[22] = mode & (BATCH_ATTR_CODEC_MASK | BATCH_ATTR_LOG_APPEND_TIME);
    buf_put_i32(h + 23, count - 1);
    buf_put_i64(h + 27, 1000);
    buf_put_i64(h + 35, 2000);
    buf_put_i64(h + 43, -1);
    buf_put_i32(h + 57, count);
    buf_write_raw(&w, records, len);
    check_batch(w.data, w.len);
    buf_writer_release(&w);
}

static int count_record(void *opaque, const record_t *rec)
{
    (void)rec;
    (*(int32_t *)opaque)++;
    return 0;
}

static void check_legacy(const uint8_t *set, size_t len)
{
    buf_writer_t batch, down, up;
    buf_writer_init(&batch, 0);
    buf_writer_init(&down, 0);
    buf_writer_init(&up, 0);
    char why[256];
    if (legacy_records_to_batch(set, len, &batch, why, sizeof(why)) == KERR_NONE) {
        batch_header_t hdr;
        int32_t n = 0;
        if (batch_validate(batch.data, batch.len, &hdr, why, sizeof(why)) != KERR_NONE ||
            records_foreach(batch.data, batch.len, count_record, &n) != KERR_NONE || n != hdr.records_count ||
            legacy_records_from_batches(batch.data, batch.len, set[16] == 0 ? 0 : 1, &down) != KERR_NONE ||
            legacy_records_to_batch(down.data, down.len, &up, why, sizeof(why)) != KERR_NONE ||
            buf_get_i32(up.data + 57) != n) {
            abort();
        }
    }
    buf_writer_release(&up);
    buf_writer_release(&down);
    buf_writer_release(&batch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > INT32_MAX / 2) {
        return 0;
    }
    if (data[0] & 0x80) {
        check_batch(data + 1, size - 1);
        return 0;
    }
    if (data[0] & 0x40) {
        check_legacy(data + 1, size - 1);
        return 0;
    }
    check_wrapped(data[0], data[1], data + 2, size - 2);
    check_round_trip(data[0] & BATCH_ATTR_CODEC_MASK, data + 2, size - 2);
    return 0;
}
