/*
 * Unit tests for records.c and compression.c: every codec round trip, record
 * iteration over plain and compressed batches, timestamp search, and the
 * rejection of truncated, corrupt and oversized input.
 *
 * Compressed batches are made the way a producer makes them: build the plain
 * batch, compress its records section, then fix attributes, batchLength and
 * CRC (recompress_batch).  Batches captured from librdkafka check the same
 * code against a real producer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <snappy-c.h>

#include "batch_fixture.h"
#include "records/compression.h"
#include "records/records.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const int all_codecs[] = {
    BATCH_CODEC_NONE, BATCH_CODEC_GZIP, BATCH_CODEC_SNAPPY, BATCH_CODEC_LZ4, BATCH_CODEC_ZSTD,
};

static const char *codec_name(int codec)
{
    static const char *names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    return names[codec];
}

/* Compressible but not trivial text: words picked by a fixed LCG. */
static uint8_t *make_text(size_t len)
{
    static const char *words[] = {"kafka ", "record ", "batch ", "offset ", "{\"id\":", "42, "};
    uint8_t *text = malloc(len ? len : 1);
    uint32_t seed = 12345;
    size_t pos = 0;
    while (pos < len) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % ARRAY_SIZE(words)];
        for (size_t i = 0; w[i] && pos < len; i++) {
            text[pos++] = (uint8_t)w[i];
        }
    }
    return text;
}

/* Replaces the plain batch in `w` by one whose records section is one
 * `codec` stream, with attributes, batchLength and CRC fixed to match. */
static void recompress_batch(buf_writer_t *w, int codec)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    buf_write_raw(&out, w->data, BATCH_HEADER_SIZE);
    assert_int_equal(compression_compress(codec, w->data + BATCH_HEADER_SIZE,
                                          w->len - BATCH_HEADER_SIZE, &out),
                     KERR_NONE);
    buf_put_i32(out.data + 8, (int32_t)(out.len - BATCH_LOG_OVERHEAD));
    out.data[22] = (uint8_t)((out.data[22] & ~BATCH_ATTR_CODEC_MASK) | codec);
    buf_put_i32(out.data + 17, (int32_t)crc32c(0, out.data + 21, out.len - 21));
    buf_writer_release(w);
    *w = out;
}

/* The fixture batch (count records "v<i>", ts0 + i * step) at base offset
 * `base`, compressed with `codec`. */
static void codec_batch(buf_writer_t *w, int codec, int count, int64_t ts0, int64_t step,
                        int64_t base)
{
    buf_writer_init(w, 0);
    fixture_batch(w, count, ts0, step, -1, -1, -1);
    batch_set_base_offset(w->data, base, 0);
    if (codec != BATCH_CODEC_NONE) {
        recompress_batch(w, codec);
    }
}

/* One record as a test describes it; NULL strings are nulls. */
typedef struct rec_spec {
    int64_t ts_delta;
    const char *key;
    const char *value;
    int header_count;
    const char *header_keys[2];
    const char *header_values[2];
} rec_spec_t;

static void put_varbytes(buf_writer_t *w, const char *s)
{
    buf_write_varint(w, s ? (int32_t)strlen(s) : -1);
    if (s) {
        buf_write_raw(w, s, strlen(s));
    }
}

static void put_record(buf_writer_t *w, int32_t offset_delta, const rec_spec_t *spec)
{
    buf_writer_t body;
    buf_writer_init(&body, 0);
    buf_write_i8(&body, 0);
    buf_write_varlong(&body, spec->ts_delta);
    buf_write_varint(&body, offset_delta);
    put_varbytes(&body, spec->key);
    put_varbytes(&body, spec->value);
    buf_write_varint(&body, spec->header_count);
    for (int i = 0; i < spec->header_count; i++) {
        put_varbytes(&body, spec->header_keys[i]);
        put_varbytes(&body, spec->header_values[i]);
    }
    buf_write_varint(w, (int32_t)body.len);
    buf_write_raw(w, body.data, body.len);
    buf_writer_release(&body);
}

/* Fills in the header of the plain batch that makes up all of `w`. */
static void finish_batch(buf_writer_t *w, int32_t count, int64_t base_ts, int64_t max_ts,
                         int16_t attributes)
{
    uint8_t *h = w->data;
    memset(h, 0, BATCH_HEADER_SIZE);
    buf_put_i32(h + 8, (int32_t)(w->len - BATCH_LOG_OVERHEAD));
    h[16] = 2;
    h[22] = (uint8_t)attributes;
    buf_put_i32(h + 23, count - 1);
    buf_put_i64(h + 27, base_ts);
    buf_put_i64(h + 35, max_ts);
    buf_put_i64(h + 43, -1);
    buf_put_i32(h + 57, count);
    buf_put_i32(h + 17, (int32_t)crc32c(0, h + 21, w->len - 21));
}

static void spec_batch(buf_writer_t *w, const rec_spec_t *specs, int count, int64_t base_ts,
                       int16_t attributes)
{
    buf_writer_init(w, 0);
    buf_reserve(w, BATCH_HEADER_SIZE);
    int64_t max_ts = base_ts;
    for (int i = 0; i < count; i++) {
        put_record(w, i, &specs[i]);
        if (base_ts + specs[i].ts_delta > max_ts) {
            max_ts = base_ts + specs[i].ts_delta;
        }
    }
    finish_batch(w, count, base_ts, max_ts, attributes);
}

/* What a callback saw, copied out because record slices die with the call. */
typedef struct seen {
    int64_t offset;
    int64_t timestamp;
    int32_t key_len;
    int32_t value_len;
    int32_t header_count;
    int32_t headers_len;
    char key[32];
    char value[32];
    uint8_t headers[64];
} seen_t;

typedef struct collector {
    int n;
    int stop_after; /* 0 = never stop */
    seen_t recs[16];
} collector_t;

static void copy_slice(char *dst, size_t cap, kstr_t s)
{
    if (s.len > 0) {
        assert_true((size_t)s.len <= cap);
        memcpy(dst, s.ptr, (size_t)s.len);
    }
}

static int collect(void *opaque, const record_t *rec)
{
    collector_t *col = opaque;
    assert_true(col->n < (int)ARRAY_SIZE(col->recs));
    seen_t *s = &col->recs[col->n++];
    memset(s, 0, sizeof(*s));
    s->offset = rec->offset;
    s->timestamp = rec->timestamp;
    s->key_len = rec->key.len;
    s->value_len = rec->value.len;
    s->header_count = rec->header_count;
    s->headers_len = rec->headers.len;
    copy_slice(s->key, sizeof(s->key), rec->key);
    copy_slice(s->value, sizeof(s->value), rec->value);
    copy_slice((char *)s->headers, sizeof(s->headers), rec->headers);
    return col->stop_after && col->n >= col->stop_after;
}

static int count_records(void *opaque, const record_t *rec)
{
    (*(int *)opaque)++;
    return 0;
}

static void assert_decompresses_to(int codec, const uint8_t *in, size_t in_len,
                                   const uint8_t *want, size_t want_len)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    buf_write_raw(&out, "pre", 3); /* output is appended, not overwritten */
    kerr_t err = compression_decompress(codec, in, in_len, &out, SIZE_MAX);
    if (err != KERR_NONE) {
        fail_msg("%s: %s", codec_name(codec), kerr_name(err));
    }
    assert_int_equal(out.len, 3 + want_len);
    assert_memory_equal(out.data, "pre", 3);
    if (want_len) {
        assert_memory_equal(out.data + 3, want, want_len);
    }
    buf_writer_release(&out);
}

static void test_codec_round_trip(void **state)
{
    /* Sizes straddle snappy's 32 KiB xerial blocks and lz4's 64 KiB blocks. */
    static const size_t sizes[] = {0, 1, 100, 32768, 32769, 200000};
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            uint8_t *text = make_text(sizes[s]);
            buf_writer_t z;
            buf_writer_init(&z, 0);
            buf_write_raw(&z, "xy", 2);
            assert_int_equal(compression_compress(all_codecs[c], text, sizes[s], &z), KERR_NONE);
            assert_memory_equal(z.data, "xy", 2);
            assert_decompresses_to(all_codecs[c], z.data + 2, z.len - 2, text, sizes[s]);
            buf_writer_release(&z);
            free(text);
        }
    }
}

static void test_snappy_xerial_framing(void **state)
{
    size_t len = 100000; /* three full 32 KiB blocks and a partial one */
    uint8_t *text = make_text(len);
    buf_writer_t z;
    buf_writer_init(&z, 0);
    assert_int_equal(compression_compress(BATCH_CODEC_SNAPPY, text, len, &z), KERR_NONE);
    assert_memory_equal(z.data, "\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16);
    size_t pos = 16;
    int blocks = 0;
    while (pos < z.len) {
        size_t block_len = (size_t)buf_get_i32(z.data + pos);
        size_t ulen;
        assert_int_equal(snappy_uncompressed_length((const char *)z.data + pos + 4, block_len,
                                                    &ulen),
                         SNAPPY_OK);
        assert_true(ulen == (blocks < 3 ? 32768 : len - 3 * 32768));
        pos += 4 + block_len;
        blocks++;
    }
    assert_int_equal(pos, z.len);
    assert_int_equal(blocks, 4);
    buf_writer_release(&z);
    free(text);
}

/* librdkafka produces raw snappy: one block, no framing. */
static void test_snappy_raw(void **state)
{
    size_t len = 50000;
    uint8_t *text = make_text(len);
    size_t zlen = snappy_max_compressed_length(len);
    char *z = malloc(zlen);
    assert_int_equal(snappy_compress((const char *)text, len, z, &zlen), SNAPPY_OK);
    assert_decompresses_to(BATCH_CODEC_SNAPPY, (const uint8_t *)z, zlen, text, len);
    free(z);
    free(text);
}

/* gzip members, lz4 frames, zstd frames and xerial streams may follow one
 * another; the payload is their concatenation. */
static void test_concatenated_streams(void **state)
{
    uint8_t *text = make_text(70000);
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t z;
        buf_writer_init(&z, 0);
        assert_int_equal(compression_compress(all_codecs[c], text, 40000, &z), KERR_NONE);
        assert_int_equal(compression_compress(all_codecs[c], text + 40000, 30000, &z), KERR_NONE);
        assert_decompresses_to(all_codecs[c], z.data, z.len, text, 70000);
        buf_writer_release(&z);
    }
    free(text);
}

static void test_foreach_each_codec(void **state)
{
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t w;
        codec_batch(&w, all_codecs[c], 5, 1000, 10, 100);
        batch_header_t hdr;
        char errstr[256];
        assert_int_equal(batch_validate(w.data, w.len, &hdr, errstr, sizeof(errstr)), KERR_NONE);
        collector_t col = {0};
        assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
        assert_int_equal(col.n, 5);
        for (int i = 0; i < 5; i++) {
            char want[8];
            snprintf(want, sizeof(want), "v%d", i);
            assert_true(col.recs[i].offset == 100 + i);
            assert_true(col.recs[i].timestamp == 1000 + 10 * i);
            assert_int_equal(col.recs[i].key_len, -1);
            assert_int_equal(col.recs[i].value_len, 2);
            assert_memory_equal(col.recs[i].value, want, 2);
            assert_int_equal(col.recs[i].header_count, 0);
            assert_int_equal(col.recs[i].headers_len, 0);
        }
        buf_writer_release(&w);
    }
}

static void test_headers_and_nulls(void **state)
{
    const rec_spec_t specs[] = {
        {0, "k0", NULL, 2, {"h1", "h2"}, {"x", NULL}},
        {5, NULL, "", 0, {NULL, NULL}, {NULL, NULL}},
        {7, "", "value", 1, {"", NULL}, {"", NULL}},
    };
    /* keyLength 2 "h1" valueLength 1 "x" keyLength 2 "h2" valueLength -1 */
    static const uint8_t headers0[] = {0x04, 'h', '1', 0x02, 'x', 0x04, 'h', '2', 0x01};
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t w;
        spec_batch(&w, specs, 3, 5000, 0);
        if (all_codecs[c] != BATCH_CODEC_NONE) {
            recompress_batch(&w, all_codecs[c]);
        }
        collector_t col = {0};
        assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
        assert_int_equal(col.n, 3);
        assert_int_equal(col.recs[0].key_len, 2);
        assert_memory_equal(col.recs[0].key, "k0", 2);
        assert_int_equal(col.recs[0].value_len, -1);
        assert_int_equal(col.recs[0].header_count, 2);
        assert_int_equal(col.recs[0].headers_len, sizeof(headers0));
        assert_memory_equal(col.recs[0].headers, headers0, sizeof(headers0));
        assert_int_equal(col.recs[1].key_len, -1);
        assert_int_equal(col.recs[1].value_len, 0); /* empty, not null */
        assert_true(col.recs[1].timestamp == 5005);
        assert_int_equal(col.recs[2].key_len, 0);
        assert_int_equal(col.recs[2].value_len, 5);
        assert_int_equal(col.recs[2].header_count, 1);
        assert_int_equal(col.recs[2].headers_len, 2);
        buf_writer_release(&w);
    }
}

static void test_log_append_time(void **state)
{
    const rec_spec_t specs[] = {
        {.ts_delta = 0, .value = "a"},
        {.ts_delta = 30, .value = "b"},
        {.ts_delta = 10, .value = "c"},
    };
    buf_writer_t w;
    spec_batch(&w, specs, 3, 1000, BATCH_ATTR_LOG_APPEND_TIME);
    buf_put_i64(w.data + 35, 99999); /* the broker's append time */
    collector_t col = {0};
    assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
    assert_int_equal(col.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_true(col.recs[i].timestamp == 99999);
    }
    buf_writer_release(&w);
}

static void test_callback_stops_early(void **state)
{
    buf_writer_t w;
    codec_batch(&w, BATCH_CODEC_LZ4, 5, 1000, 10, 0);
    collector_t col = {0};
    col.stop_after = 2;
    assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
    assert_int_equal(col.n, 2);
    buf_writer_release(&w);
}

/* An empty batch (compaction leaves these to keep producer state) has no
 * records to visit. */
static void test_empty_batch(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    buf_reserve(&w, BATCH_HEADER_SIZE);
    finish_batch(&w, 0, 1000, 1000, 0);
    collector_t col = {0};
    assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
    assert_int_equal(col.n, 0);
    int64_t offset, ts;
    assert_int_equal(records_find_timestamp(w.data, w.len, 0, &offset, &ts), KERR_NONE);
    assert_true(offset == -1);
    buf_writer_release(&w);
}

static void test_find_timestamp(void **state)
{
    /* Records at offsets 50..54 with timestamps 1000, 1010, ..., 1040. */
    static const struct {
        int64_t ts;
        int64_t want_offset;
        int64_t want_ts;
    } cases[] = {
        {INT64_MIN, 50, 1000}, {0, 50, 1000},    {1000, 50, 1000}, {1001, 51, 1010},
        {1020, 52, 1020},      {1015, 52, 1020}, {1040, 54, 1040}, {1041, -1, -1},
        {INT64_MAX, -1, -1},
    };
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t w;
        codec_batch(&w, all_codecs[c], 5, 1000, 10, 50);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
            int64_t offset = 7, ts = 7;
            assert_int_equal(records_find_timestamp(w.data, w.len, cases[i].ts, &offset, &ts),
                             KERR_NONE);
            if (offset != cases[i].want_offset || ts != cases[i].want_ts) {
                fail_msg("%s: ts %lld gave offset %lld ts %lld", codec_name(all_codecs[c]),
                         (long long)cases[i].ts, (long long)offset, (long long)ts);
            }
        }
        buf_writer_release(&w);
    }
}

/* CreateTime timestamps need not rise with offsets: the answer is the first
 * record in offset order at or after the target, not the closest time. */
static void test_find_timestamp_unordered(void **state)
{
    const rec_spec_t specs[] = {
        {.ts_delta = 0, .value = "a"},
        {.ts_delta = 50, .value = "b"},
        {.ts_delta = 20, .value = "c"},
        {.ts_delta = 60, .value = "d"},
    };
    buf_writer_t w;
    spec_batch(&w, specs, 4, 1000, 0);
    batch_set_base_offset(w.data, 10, 0);
    int64_t offset, ts;
    assert_int_equal(records_find_timestamp(w.data, w.len, 1030, &offset, &ts), KERR_NONE);
    assert_true(offset == 11 && ts == 1050);
    assert_int_equal(records_find_timestamp(w.data, w.len, 1055, &offset, &ts), KERR_NONE);
    assert_true(offset == 13 && ts == 1060);
    buf_writer_release(&w);
}

/*
 * Damage to one plain batch of three fixture records.  Record 0 is the nine
 * bytes at 61: length, attributes, timestampDelta, offsetDelta, keyLength,
 * valueLength, "v0", headerCount (see the example in records.c).
 */
static void test_corrupt_records(void **state)
{
    static const struct {
        const char *what;
        size_t at;
        uint8_t bytes[6];
        size_t n;
        kerr_t want;
    } cases[] = {
        {"record length past the end", 61, {0x7e}, 1, KERR_CORRUPT_MESSAGE},
        {"negative record length", 61, {0x01}, 1, KERR_CORRUPT_MESSAGE},
        {"record longer than its fields", 61, {0x12}, 1, KERR_CORRUPT_MESSAGE},
        {"record shorter than its fields", 61, {0x0e}, 1, KERR_CORRUPT_MESSAGE},
        {"overlong length varint", 61, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 6,
         KERR_CORRUPT_MESSAGE},
        {"timestamp varlong past the record", 63, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 6,
         KERR_CORRUPT_MESSAGE},
        {"key length -2", 65, {0x03}, 1, KERR_CORRUPT_MESSAGE},
        {"value past the record", 66, {0x20}, 1, KERR_CORRUPT_MESSAGE},
        {"negative header count", 69, {0x01}, 1, KERR_CORRUPT_MESSAGE},
        {"header past the record", 69, {0x02}, 1, KERR_CORRUPT_MESSAGE},
        {"count one too high", 57, {0, 0, 0, 4}, 4, KERR_CORRUPT_MESSAGE},
        {"count one too low", 57, {0, 0, 0, 2}, 4, KERR_CORRUPT_MESSAGE},
        {"negative count", 57, {0xff, 0xff, 0xff, 0xff}, 4, KERR_CORRUPT_MESSAGE},
        {"batchLength past the buffer", 8, {0, 0, 0, 0x50}, 4, KERR_CORRUPT_MESSAGE},
        {"batchLength inside the header", 8, {0, 0, 0, 0x10}, 4, KERR_CORRUPT_MESSAGE},
        {"negative batchLength", 8, {0xff, 0xff, 0xff, 0xff}, 4, KERR_CORRUPT_MESSAGE},
        {"magic 1", 16, {1}, 1, KERR_CORRUPT_MESSAGE},
        {"codec 5", 22, {5}, 1, KERR_UNSUPPORTED_COMPRESSION_TYPE},
        {"codec 7", 22, {7}, 1, KERR_UNSUPPORTED_COMPRESSION_TYPE},
        {"records not gzip", 22, {BATCH_CODEC_GZIP}, 1, KERR_CORRUPT_MESSAGE},
        {"records not snappy", 22, {BATCH_CODEC_SNAPPY}, 1, KERR_CORRUPT_MESSAGE},
        {"records not lz4", 22, {BATCH_CODEC_LZ4}, 1, KERR_CORRUPT_MESSAGE},
        {"records not zstd", 22, {BATCH_CODEC_ZSTD}, 1, KERR_CORRUPT_MESSAGE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        buf_writer_t w;
        codec_batch(&w, BATCH_CODEC_NONE, 3, 1000, 10, 0);
        assert_int_equal(w.len, 61 + 27);
        memcpy(w.data + cases[i].at, cases[i].bytes, cases[i].n);
        collector_t col = {0};
        kerr_t got = records_foreach(w.data, w.len, collect, &col);
        if (got != cases[i].want) {
            fail_msg("%s: got %s", cases[i].what, kerr_name(got));
        }
        int64_t offset = 7, ts = 7;
        assert_int_equal(records_find_timestamp(w.data, w.len, 0, &offset, &ts), cases[i].want);
        assert_true(offset == -1 && ts == -1);
        buf_writer_release(&w);
    }
}

/* Hand-made one-record batches for what the fixture cannot express.  The
 * record is length, attributes 0, timestampDelta 0, offsetDelta 0, a null
 * key, value "v0", then the headers. */
static void test_record_body_rules(void **state)
{
    static const struct {
        const char *what;
        uint8_t bytes[12];
        size_t n;
        kerr_t want;
    } cases[] = {
        {"exact", {0x10, 0, 0, 0, 0x01, 0x04, 'v', '0', 0}, 9, KERR_NONE},
        {"a byte after the headers", {0x12, 0, 0, 0, 0x01, 0x04, 'v', '0', 0, 0}, 10,
         KERR_CORRUPT_MESSAGE},
        {"empty header key, null value", {0x14, 0, 0, 0, 0x01, 0x04, 'v', '0', 0x02, 0, 0x01},
         11, KERR_NONE},
        {"null header key", {0x14, 0, 0, 0, 0x01, 0x04, 'v', '0', 0x02, 0x01, 0x01}, 11,
         KERR_CORRUPT_MESSAGE},
        {"header value length -2", {0x14, 0, 0, 0, 0x01, 0x04, 'v', '0', 0x02, 0, 0x03}, 11,
         KERR_CORRUPT_MESSAGE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        buf_writer_t w;
        buf_writer_init(&w, 0);
        buf_reserve(&w, BATCH_HEADER_SIZE);
        buf_write_raw(&w, cases[i].bytes, cases[i].n);
        finish_batch(&w, 1, 1000, 1000, 0);
        int count = 0;
        kerr_t got = records_foreach(w.data, w.len, count_records, &count);
        if (got != cases[i].want) {
            fail_msg("%s: got %s", cases[i].what, kerr_name(got));
        }
        buf_writer_release(&w);
    }
}

static void test_short_buffer(void **state)
{
    buf_writer_t w;
    codec_batch(&w, BATCH_CODEC_NONE, 3, 1000, 10, 0);
    collector_t col = {0};
    assert_int_equal(records_foreach(w.data, 60, collect, &col), KERR_CORRUPT_MESSAGE);
    assert_int_equal(records_foreach(w.data, w.len - 1, collect, &col), KERR_CORRUPT_MESSAGE);
    /* Bytes past batchLength belong to the next batch and are not read. */
    buf_write_raw(&w, "next", 4);
    assert_int_equal(records_foreach(w.data, w.len, collect, &col), KERR_NONE);
    assert_int_equal(col.n, 3);
    buf_writer_release(&w);
}

static void assert_corrupt(int codec, const uint8_t *in, size_t len, const char *what)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    kerr_t err = compression_decompress(codec, in, len, &out, SIZE_MAX);
    if (err != KERR_CORRUPT_MESSAGE) {
        fail_msg("%s %s (%zu bytes): got %s", codec_name(codec), what, len, kerr_name(err));
    }
    assert_int_equal(out.len, 0); /* nothing half-decoded is left behind */
    /* Nor did a claimed size make us allocate for it before failing. */
    assert_true(out.cap <= ((size_t)1 << 20));
    buf_writer_release(&out);
}

/* Every proper prefix of a stream is an error, except a bare xerial header,
 * which is a whole (empty) snappy-java stream. */
static void test_truncated_streams(void **state)
{
    uint8_t *text = make_text(3000);
    for (size_t c = 1; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t z;
        buf_writer_init(&z, 0);
        assert_int_equal(compression_compress(all_codecs[c], text, 3000, &z), KERR_NONE);
        for (size_t cut = 0; cut < z.len; cut++) {
            if (all_codecs[c] == BATCH_CODEC_SNAPPY && cut == 16) {
                continue;
            }
            assert_corrupt(all_codecs[c], z.data, cut, "truncated");
        }
        buf_writer_release(&z);
    }
    free(text);
}

static void test_damaged_streams(void **state)
{
    static const uint8_t garbage[] = "this was never compressed by anything";
    uint8_t *text = make_text(3000);
    for (size_t c = 1; c < ARRAY_SIZE(all_codecs); c++) {
        assert_corrupt(all_codecs[c], garbage, sizeof(garbage), "garbage");
        buf_writer_t z;
        buf_writer_init(&z, 0);
        assert_int_equal(compression_compress(all_codecs[c], text, 3000, &z), KERR_NONE);
        for (size_t extra = 1; extra <= 3; extra++) {
            buf_write_i8(&z, 'x');
            assert_corrupt(all_codecs[c], z.data, z.len, "trailing garbage");
        }
        z.len -= 3;
        z.data[0] ^= 0x01; /* every framing starts with a magic number */
        assert_corrupt(all_codecs[c], z.data, z.len, "bad magic");
        buf_writer_release(&z);
    }

    buf_writer_t z;
    buf_writer_init(&z, 0);
    assert_int_equal(compression_compress(BATCH_CODEC_GZIP, text, 3000, &z), KERR_NONE);
    z.data[z.len - 8] ^= 0x01; /* the CRC-32 in the gzip trailer */
    assert_corrupt(BATCH_CODEC_GZIP, z.data, z.len, "bad crc");
    z.len = 0;
    assert_int_equal(compression_compress(BATCH_CODEC_SNAPPY, text, 3000, &z), KERR_NONE);
    buf_put_i32(z.data + 16, INT32_MAX); /* the first xerial block's length */
    assert_corrupt(BATCH_CODEC_SNAPPY, z.data, z.len, "huge block length");
    buf_writer_release(&z);

    /* A raw block claiming 2 GB from six bytes. */
    static const uint8_t claims[] = {0x80, 0x80, 0x80, 0x80, 0x08, 0x00};
    assert_corrupt(BATCH_CODEC_SNAPPY, claims, sizeof(claims), "impossible ratio");
    free(text);
}

/* Cutting a compressed batch anywhere (with batchLength fixed to match) is
 * never mistaken for a shorter valid batch. */
static void test_truncated_batches(void **state)
{
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        buf_writer_t w;
        codec_batch(&w, all_codecs[c], 4, 1000, 10, 0);
        for (size_t cut = BATCH_HEADER_SIZE; cut < w.len; cut++) {
            buf_put_i32(w.data + 8, (int32_t)(cut - BATCH_LOG_OVERHEAD));
            collector_t col = {0};
            kerr_t got = records_foreach(w.data, cut, collect, &col);
            if (got != KERR_CORRUPT_MESSAGE) {
                fail_msg("%s cut at %zu: got %s", codec_name(all_codecs[c]), cut, kerr_name(got));
            }
        }
        buf_writer_release(&w);
    }
}

static void test_max_out(void **state)
{
    size_t len = 1 << 20;
    uint8_t *text = make_text(len);
    for (size_t c = 0; c < ARRAY_SIZE(all_codecs); c++) {
        int codec = all_codecs[c];
        buf_writer_t z, out;
        buf_writer_init(&z, 0);
        buf_writer_init(&out, 0);
        assert_int_equal(compression_compress(codec, text, len, &z), KERR_NONE);
        buf_write_raw(&out, "pre", 3);
        assert_int_equal(compression_decompress(codec, z.data, z.len, &out, len), KERR_NONE);
        assert_int_equal(out.len, 3 + len);
        out.len = 3;
        assert_int_equal(compression_decompress(codec, z.data, z.len, &out, len - 1),
                         KERR_CORRUPT_MESSAGE);
        assert_int_equal(out.len, 3);
        assert_int_equal(compression_decompress(codec, z.data, z.len, &out, 0),
                         KERR_CORRUPT_MESSAGE);
        assert_int_equal(out.len, 3);
        buf_writer_release(&out);
        buf_writer_release(&z);
    }
    free(text);
}

/* A record whose value is bigger than the decompression cap is refused
 * although it would parse; a large value under the cap is fine. */
static void test_records_bomb(void **state)
{
    static const struct {
        size_t value_len;
        kerr_t want;
    } cases[] = {
        {1 << 20, KERR_NONE},
        {65 << 20, KERR_CORRUPT_MESSAGE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t n = cases[i].value_len;
        buf_writer_t fields;
        buf_writer_init(&fields, 0);
        buf_write_i8(&fields, 0);
        buf_write_varlong(&fields, 0);
        buf_write_varint(&fields, 0);
        buf_write_varint(&fields, -1);
        buf_write_varint(&fields, (int32_t)n);
        buf_writer_t w;
        buf_writer_init(&w, 0);
        buf_reserve(&w, BATCH_HEADER_SIZE);
        buf_write_varint(&w, (int32_t)(fields.len + n + 1));
        buf_write_raw(&w, fields.data, fields.len);
        memset(buf_reserve(&w, n), 'z', n);
        buf_write_varint(&w, 0);
        finish_batch(&w, 1, 1000, 1000, 0);
        int count = 0;
        assert_int_equal(records_foreach(w.data, w.len, count_records, &count), KERR_NONE);
        assert_int_equal(count, 1);
        recompress_batch(&w, BATCH_CODEC_ZSTD);
        count = 0;
        assert_int_equal(records_foreach(w.data, w.len, count_records, &count), cases[i].want);
        assert_int_equal(count, cases[i].want == KERR_NONE ? 1 : 0);
        buf_writer_release(&w);
        buf_writer_release(&fields);
    }
}

/*
 * Batches librdkafka 2.0.2 really sent, captured from kcat producing to
 * librdkafka's mock cluster with -z <codec> -K: -H h1=x -H h2=yy and the
 * input "key1:value-one", "key2:value-two value-two value-two", ":no-key".
 * Its snappy batch is a raw block without xerial framing, and its zstd frame
 * has no content size.
 */
static const uint8_t rdkafka_gzip[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x96, 0x93, 0xd9, 0xfd, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0xa1, 0xff, 0x6a, 0x71, 0xce, 0x00,
    0x00, 0x01, 0xa1, 0xff, 0x6a, 0x71, 0xce, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x03, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xb3,
    0x61, 0x60, 0x60, 0xe0, 0xc8, 0x4e, 0xad, 0x34, 0x14, 0x2a, 0x4b, 0xcc,
    0x29, 0x4d, 0xd5, 0xcd, 0xcf, 0x4b, 0x65, 0x61, 0xc9, 0x30, 0x64, 0xaa,
    0x60, 0xc9, 0x30, 0x62, 0xa9, 0xac, 0x4c, 0x61, 0x60, 0x60, 0x02, 0x49,
    0x1b, 0x59, 0x41, 0xa4, 0x4b, 0xca, 0xf3, 0x15, 0xb0, 0xb0, 0x90, 0xb5,
    0xe8, 0x31, 0x30, 0xb0, 0x30, 0xf0, 0xe4, 0xe5, 0xeb, 0x02, 0xb5, 0x21,
    0x8b, 0x03, 0x00, 0x43, 0xc0, 0x17, 0x50, 0x6a, 0x00, 0x00, 0x00,
};
static const uint8_t rdkafka_snappy[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x9b, 0x34, 0x6b, 0x90, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0xa1, 0xff, 0x6a, 0x72, 0xb8, 0x00,
    0x00, 0x01, 0xa1, 0xff, 0x6a, 0x72, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x03, 0x6a, 0x88, 0x3c, 0x00, 0x00, 0x00, 0x08, 0x6b, 0x65, 0x79, 0x31,
    0x12, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x2d, 0x6f, 0x6e, 0x65, 0x04, 0x04,
    0x68, 0x31, 0x02, 0x78, 0x04, 0x68, 0x32, 0x04, 0x79, 0x79, 0x64, 0x00,
    0x00, 0x02, 0x01, 0x1f, 0x04, 0x32, 0x3a, 0x09, 0x1f, 0x0c, 0x74, 0x77,
    0x6f, 0x20, 0x4a, 0x0a, 0x00, 0x2e, 0x33, 0x00, 0x5c, 0x2e, 0x00, 0x00,
    0x04, 0x00, 0x0c, 0x6e, 0x6f, 0x2d, 0x6b, 0x65, 0x79, 0x04, 0x04, 0x68,
    0x31, 0x02, 0x78, 0x04, 0x68, 0x32, 0x04, 0x79, 0x79,
};
static const uint8_t rdkafka_lz4[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x99, 0x57, 0xd7, 0xd5, 0x00, 0x03, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0xa1, 0xff, 0x6a, 0x73, 0x9d, 0x00,
    0x00, 0x01, 0xa1, 0xff, 0x6a, 0x73, 0x9d, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x03, 0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x4c, 0x00, 0x00, 0x00,
    0xf0, 0x14, 0x3c, 0x00, 0x00, 0x00, 0x08, 0x6b, 0x65, 0x79, 0x31, 0x12,
    0x76, 0x61, 0x6c, 0x75, 0x65, 0x2d, 0x6f, 0x6e, 0x65, 0x04, 0x04, 0x68,
    0x31, 0x02, 0x78, 0x04, 0x68, 0x32, 0x04, 0x79, 0x79, 0x64, 0x00, 0x00,
    0x02, 0x1f, 0x00, 0x22, 0x32, 0x3a, 0x1f, 0x00, 0x4f, 0x74, 0x77, 0x6f,
    0x20, 0x0a, 0x00, 0x00, 0x08, 0x33, 0x00, 0xc3, 0x2e, 0x00, 0x00, 0x04,
    0x00, 0x0c, 0x6e, 0x6f, 0x2d, 0x6b, 0x65, 0x79, 0x18, 0x00, 0x50, 0x68,
    0x32, 0x04, 0x79, 0x79, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t rdkafka_zstd[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x82,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0xbb, 0xeb, 0xf4, 0x00, 0x04, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0xa1, 0xff, 0x6a, 0x74, 0x81, 0x00,
    0x00, 0x01, 0xa1, 0xff, 0x6a, 0x74, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x03, 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x45, 0x02, 0x00, 0x94, 0x03,
    0x3c, 0x00, 0x00, 0x00, 0x08, 0x6b, 0x65, 0x79, 0x31, 0x12, 0x76, 0x61,
    0x6c, 0x75, 0x65, 0x2d, 0x6f, 0x6e, 0x65, 0x04, 0x04, 0x68, 0x31, 0x02,
    0x78, 0x04, 0x68, 0x32, 0x04, 0x79, 0x79, 0x64, 0x00, 0x00, 0x02, 0x08,
    0x6b, 0x65, 0x79, 0x32, 0x3a, 0x74, 0x77, 0x6f, 0x20, 0x2e, 0x00, 0x00,
    0x04, 0x00, 0x0c, 0x6e, 0x6f, 0x2d, 0x6b, 0x65, 0x79, 0x04, 0x00, 0x3b,
    0xb9, 0xb4, 0x8a, 0x03, 0x2d, 0x89, 0x44, 0x0c, 0xaa, 0x0c,
};

static void test_librdkafka_batches(void **state)
{
    static const struct {
        const char *codec;
        const uint8_t *batch;
        size_t len;
    } cases[] = {
        {"gzip", rdkafka_gzip, sizeof(rdkafka_gzip)},
        {"snappy", rdkafka_snappy, sizeof(rdkafka_snappy)},
        {"lz4", rdkafka_lz4, sizeof(rdkafka_lz4)},
        {"zstd", rdkafka_zstd, sizeof(rdkafka_zstd)},
    };
    static const char *keys[] = {"key1", "key2", ""};
    static const char *values[] = {"value-one", "value-two value-two value-two", "no-key"};
    /* h1 = "x", h2 = "yy" */
    static const uint8_t headers[] = {0x04, 'h', '1', 0x02, 'x', 0x04, 'h', '2', 0x04, 'y', 'y'};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        batch_header_t hdr;
        char errstr[256];
        assert_int_equal(batch_validate(cases[i].batch, cases[i].len, &hdr, errstr, sizeof(errstr)),
                         KERR_NONE);
        collector_t col = {0};
        kerr_t err = records_foreach(cases[i].batch, cases[i].len, collect, &col);
        if (err != KERR_NONE) {
            fail_msg("%s: %s", cases[i].codec, kerr_name(err));
        }
        assert_int_equal(col.n, 3);
        for (int r = 0; r < 3; r++) {
            assert_true(col.recs[r].offset == r);
            assert_true(col.recs[r].timestamp == hdr.base_timestamp);
            assert_int_equal(col.recs[r].key_len, strlen(keys[r]));
            assert_memory_equal(col.recs[r].key, keys[r], strlen(keys[r]));
            assert_int_equal(col.recs[r].value_len, strlen(values[r]));
            assert_memory_equal(col.recs[r].value, values[r], strlen(values[r]));
            assert_int_equal(col.recs[r].header_count, 2);
            assert_int_equal(col.recs[r].headers_len, sizeof(headers));
            assert_memory_equal(col.recs[r].headers, headers, sizeof(headers));
        }
    }
}

static void test_unknown_codec(void **state)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    for (int codec = 5; codec <= 7; codec++) {
        assert_int_equal(compression_compress(codec, (const uint8_t *)"x", 1, &out),
                         KERR_UNSUPPORTED_COMPRESSION_TYPE);
        assert_int_equal(compression_decompress(codec, (const uint8_t *)"x", 1, &out, 100),
                         KERR_UNSUPPORTED_COMPRESSION_TYPE);
    }
    assert_int_equal(out.len, 0);
    buf_writer_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_round_trip),
        cmocka_unit_test(test_snappy_xerial_framing),
        cmocka_unit_test(test_snappy_raw),
        cmocka_unit_test(test_concatenated_streams),
        cmocka_unit_test(test_foreach_each_codec),
        cmocka_unit_test(test_headers_and_nulls),
        cmocka_unit_test(test_log_append_time),
        cmocka_unit_test(test_callback_stops_early),
        cmocka_unit_test(test_empty_batch),
        cmocka_unit_test(test_find_timestamp),
        cmocka_unit_test(test_find_timestamp_unordered),
        cmocka_unit_test(test_corrupt_records),
        cmocka_unit_test(test_record_body_rules),
        cmocka_unit_test(test_short_buffer),
        cmocka_unit_test(test_truncated_streams),
        cmocka_unit_test(test_damaged_streams),
        cmocka_unit_test(test_truncated_batches),
        cmocka_unit_test(test_max_out),
        cmocka_unit_test(test_records_bomb),
        cmocka_unit_test(test_librdkafka_batches),
        cmocka_unit_test(test_unknown_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
