/*
 * Unit tests for batch_recompress.c and the compression levels: a producer's
 * batch rebuilt with every codec from every codec keeps its records (keys,
 * values, headers, timestamps, offsets) and its producer fields, and comes
 * out a valid batch with a fresh CRC.
 *
 * The input batches are made as a producer makes them: a plain records
 * section with keys, null values and headers, then that section compressed
 * whole, the header fixed up and the CRC computed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/batch.h"
#include "records/batch_recompress.h"
#include "records/compression.h"
#include "records/crc32c.h"
#include "records/records.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N_RECORDS 40

static const int all_codecs[] = {
    BATCH_CODEC_NONE, BATCH_CODEC_GZIP, BATCH_CODEC_SNAPPY, BATCH_CODEC_LZ4, BATCH_CODEC_ZSTD,
};

/* What the producer put in record i: timestamps that go back and forth (so
 * maxTimestamp is not the last one), a null key every 7th record, a null
 * value every 5th, and i % 3 headers. */
static int64_t record_timestamp(int i)
{
    return 1700000000000LL + (i % 4 == 3 ? -50 : 10 * i);
}

static void put_bytes(buf_writer_t *w, const char *s)
{
    if (!s) {
        buf_write_varint(w, -1);
        return;
    }
    buf_write_varint(w, (int32_t)strlen(s));
    buf_write_raw(w, s, strlen(s));
}

/* The plain records section, offset deltas from `first_delta` on. */
static void make_records(buf_writer_t *w, int64_t base_ts, int first_delta)
{
    for (int i = 0; i < N_RECORDS; i++) {
        char key[32], value[96], hkey[16], hval[16];
        snprintf(key, sizeof(key), "key-%d", i);
        snprintf(value, sizeof(value), "value %d: kafka record batch offset %d", i, i * 7);
        buf_writer_t rec;
        buf_writer_init(&rec, 128);
        buf_write_i8(&rec, 0);
        buf_write_varlong(&rec, record_timestamp(i) - base_ts);
        buf_write_varint(&rec, first_delta + i);
        put_bytes(&rec, i % 7 == 0 ? NULL : key);
        put_bytes(&rec, i % 5 == 0 ? NULL : value);
        buf_write_varint(&rec, i % 3);
        for (int h = 0; h < i % 3; h++) {
            snprintf(hkey, sizeof(hkey), "h%d", h);
            snprintf(hval, sizeof(hval), "x%d", i);
            put_bytes(&rec, hkey);
            put_bytes(&rec, h == 1 ? NULL : hval);
        }
        buf_write_varint(w, (int32_t)rec.len);
        buf_write_raw(w, rec.data, rec.len);
        buf_writer_release(&rec);
    }
}

/* A producer's batch: idempotent, transactional when asked, `codec`. */
static void make_batch(buf_writer_t *w, int codec, bool transactional, int first_delta)
{
    buf_writer_t plain;
    buf_writer_init(&plain, 0);
    int64_t base_ts = record_timestamp(0);
    make_records(&plain, base_ts, first_delta);
    buf_writer_init(w, 0);
    memset(buf_reserve(w, BATCH_HEADER_SIZE), 0, BATCH_HEADER_SIZE);
    assert_int_equal(compression_compress(codec, plain.data, plain.len, w), KERR_NONE);
    buf_writer_release(&plain);
    uint8_t *h = w->data;
    int16_t attributes = (int16_t)(codec | (transactional ? BATCH_ATTR_TRANSACTIONAL : 0));
    buf_put_i32(h + 8, (int32_t)(w->len - BATCH_LOG_OVERHEAD));
    buf_put_i32(h + 12, 5); /* partitionLeaderEpoch, as a produce request has it */
    h[16] = 2;
    h[21] = (uint8_t)((uint16_t)attributes >> 8);
    h[22] = (uint8_t)attributes;
    buf_put_i32(h + 23, N_RECORDS - 1);
    buf_put_i64(h + 27, base_ts);
    buf_put_i64(h + 35, record_timestamp(N_RECORDS - 2));
    buf_put_i64(h + 43, 4242);
    h[51] = 0;
    h[52] = 7; /* producer epoch 7 */
    buf_put_i32(h + 53, 1000);
    buf_put_i32(h + 57, N_RECORDS);
    buf_put_i32(h + 17, (int32_t)crc32c(0, h + 21, w->len - 21));
}

/* A record's fields, copied out of the callback. */
typedef struct seen {
    int64_t offset, timestamp;
    char *key, *value, *headers;
    int32_t key_len, value_len, header_count, headers_len;
} seen_t;

typedef struct seen_list {
    seen_t recs[N_RECORDS];
    int n;
} seen_list_t;

static char *dup_bytes(kstr_t s)
{
    if (s.len < 0) {
        return NULL;
    }
    char *p = malloc((size_t)s.len + 1);
    memcpy(p, s.ptr, (size_t)s.len);
    return p;
}

static int collect(void *opaque, const record_t *rec)
{
    seen_list_t *list = opaque;
    assert_true(list->n < N_RECORDS);
    seen_t *s = &list->recs[list->n++];
    s->offset = rec->offset;
    s->timestamp = rec->timestamp;
    s->key = dup_bytes(rec->key);
    s->key_len = rec->key.len;
    s->value = dup_bytes(rec->value);
    s->value_len = rec->value.len;
    s->headers = dup_bytes(rec->headers);
    s->headers_len = rec->headers.len;
    s->header_count = rec->header_count;
    return 0;
}

static void seen_release(seen_list_t *list)
{
    for (int i = 0; i < list->n; i++) {
        free(list->recs[i].key);
        free(list->recs[i].value);
        free(list->recs[i].headers);
    }
}

static void assert_same_bytes(const char *a, int32_t a_len, const char *b, int32_t b_len)
{
    assert_int_equal(a_len, b_len);
    if (a_len > 0) {
        assert_memory_equal(a, b, (size_t)a_len);
    }
}

static void assert_same_records(const seen_list_t *a, const seen_list_t *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const seen_t *x = &a->recs[i], *y = &b->recs[i];
        assert_true(x->offset == y->offset);
        assert_true(x->timestamp == y->timestamp);
        assert_same_bytes(x->key, x->key_len, y->key, y->key_len);
        assert_same_bytes(x->value, x->value_len, y->value, y->value_len);
        assert_int_equal(x->header_count, y->header_count);
        assert_same_bytes(x->headers, x->headers_len, y->headers, y->headers_len);
    }
}

/* Rebuilds a batch of codec `from` with codec `to` and checks everything a
 * consumer and the log rely on. */
static void check_pair(int from, int to, int level, bool transactional)
{
    buf_writer_t in, out;
    make_batch(&in, from, transactional, 0);
    buf_writer_init(&out, 0);
    buf_write_raw(&out, "xyz", 3); /* appended after what is there */
    char err[256] = "";
    assert_int_equal(batch_recompress(in.data, in.len, to, level, &out, err, sizeof(err)), KERR_NONE);
    const uint8_t *batch = out.data + 3;
    size_t len = out.len - 3;
    assert_memory_equal(out.data, "xyz", 3);

    batch_header_t before, after;
    assert_int_equal(batch_validate(in.data, in.len, &before, err, sizeof(err)), KERR_NONE);
    assert_int_equal(batch_validate(batch, len, &after, err, sizeof(err)), KERR_NONE); /* CRC, lengths, count */
    assert_true(batch_is_intact(batch, len, &after));
    assert_int_equal(after.attributes & BATCH_ATTR_CODEC_MASK, to);
    assert_int_equal(after.attributes & ~BATCH_ATTR_CODEC_MASK, transactional ? BATCH_ATTR_TRANSACTIONAL : 0);
    assert_true(after.base_offset == 0);
    assert_int_equal(after.leader_epoch, before.leader_epoch);
    assert_int_equal(after.magic, 2);
    assert_int_equal(after.last_offset_delta, N_RECORDS - 1);
    assert_int_equal(after.records_count, N_RECORDS);
    assert_true(after.producer_id == 4242);
    assert_int_equal(after.producer_epoch, 7);
    assert_int_equal(after.base_sequence, 1000);
    assert_true(after.base_timestamp == record_timestamp(0));
    assert_true(after.max_timestamp == record_timestamp(N_RECORDS - 2));

    seen_list_t a = {.n = 0}, b = {.n = 0};
    assert_int_equal(records_foreach(in.data, in.len, collect, &a), KERR_NONE);
    assert_int_equal(records_foreach(batch, len, collect, &b), KERR_NONE);
    assert_int_equal(a.n, N_RECORDS);
    assert_same_records(&a, &b);
    seen_release(&a);
    seen_release(&b);

    /* Patching the base offset, as log_append does, keeps the CRC valid and
     * moves every record's offset with it. */
    batch_set_base_offset(out.data + 3, 1000, 3);
    assert_true(batch_is_intact(batch, len, &after));
    seen_list_t c = {.n = 0};
    assert_int_equal(records_foreach(batch, len, collect, &c), KERR_NONE);
    for (int i = 0; i < c.n; i++) {
        assert_true(c.recs[i].offset == 1000 + i);
    }
    seen_release(&c);
    buf_writer_release(&in);
    buf_writer_release(&out);
}

static int default_level(int codec)
{
    switch (codec) {
    case BATCH_CODEC_GZIP:
        return COMPRESSION_GZIP_LEVEL_DEFAULT;
    case BATCH_CODEC_LZ4:
        return COMPRESSION_LZ4_LEVEL_DEFAULT;
    case BATCH_CODEC_ZSTD:
        return COMPRESSION_ZSTD_LEVEL_DEFAULT;
    default:
        return 0;
    }
}

static void test_every_pair(void **state)
{
    for (size_t f = 0; f < ARRAY_SIZE(all_codecs); f++) {
        for (size_t t = 0; t < ARRAY_SIZE(all_codecs); t++) {
            check_pair(all_codecs[f], all_codecs[t], default_level(all_codecs[t]), false);
            check_pair(all_codecs[f], all_codecs[t], default_level(all_codecs[t]), true);
        }
    }
}

/* Every end of each level range works, and the levels are really used:
 * the fastest and the strongest setting give different bytes. */
static void test_levels(void **state)
{
    static const struct {
        int codec, lo, hi;
    } ranges[] = {
        {BATCH_CODEC_GZIP, COMPRESSION_GZIP_LEVEL_MIN, COMPRESSION_GZIP_LEVEL_MAX},
        {BATCH_CODEC_LZ4, COMPRESSION_LZ4_LEVEL_MIN, COMPRESSION_LZ4_LEVEL_MAX},
        {BATCH_CODEC_ZSTD, COMPRESSION_ZSTD_LEVEL_MIN, COMPRESSION_ZSTD_LEVEL_MAX},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
        check_pair(BATCH_CODEC_NONE, ranges[i].codec, ranges[i].lo, false);
        check_pair(BATCH_CODEC_NONE, ranges[i].codec, ranges[i].hi, false);
        buf_writer_t in, lo, hi;
        make_batch(&in, BATCH_CODEC_NONE, false, 0);
        buf_writer_init(&lo, 0);
        buf_writer_init(&hi, 0);
        char err[256];
        assert_int_equal(batch_recompress(in.data, in.len, ranges[i].codec, ranges[i].lo, &lo, err, sizeof(err)),
                         KERR_NONE);
        assert_int_equal(batch_recompress(in.data, in.len, ranges[i].codec, ranges[i].hi, &hi, err, sizeof(err)),
                         KERR_NONE);
        assert_true(lo.len != hi.len || memcmp(lo.data, hi.data, lo.len) != 0);
        buf_writer_release(&in);
        buf_writer_release(&lo);
        buf_writer_release(&hi);
    }
}

/* Kafka refuses a compressed batch whose inner offsets are not 0..n-1. */
static void test_offset_gap(void **state)
{
    buf_writer_t in, out;
    make_batch(&in, BATCH_CODEC_LZ4, false, 1);
    buf_writer_init(&out, 0);
    char err[256] = "";
    assert_int_equal(batch_recompress(in.data, in.len, BATCH_CODEC_ZSTD, 3, &out, err, sizeof(err)),
                     KERR_INVALID_RECORD);
    assert_non_null(strstr(err, "offset delta"));
    assert_int_equal(out.len, 0);
    buf_writer_release(&in);
    buf_writer_release(&out);
}

/* A blob cut short (lengths and CRC made to match, as a buggy producer
 * would) does not decompress, and leaves `out` as it was. */
static void test_corrupt_records(void **state)
{
    buf_writer_t in, out;
    make_batch(&in, BATCH_CODEC_ZSTD, false, 0);
    in.len -= 5;
    buf_put_i32(in.data + 8, (int32_t)(in.len - BATCH_LOG_OVERHEAD));
    buf_put_i32(in.data + 17, (int32_t)crc32c(0, in.data + 21, in.len - 21));
    buf_writer_init(&out, 0);
    buf_write_raw(&out, "ab", 2);
    char err[256] = "";
    assert_int_equal(batch_recompress(in.data, in.len, BATCH_CODEC_GZIP, -1, &out, err, sizeof(err)),
                     KERR_CORRUPT_MESSAGE);
    assert_non_null(strstr(err, "do not parse"));
    assert_int_equal(out.len, 2);
    buf_writer_release(&in);
    buf_writer_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_offset_gap),
        cmocka_unit_test(test_corrupt_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
