/*
 * Unit tests for legacy_records.c: message sets of magic 0 and 1, plain and
 * in gzip wrappers, converted to a v2 batch and back, with the byte vectors
 * written out.  The vectors were made by hand from AK's LegacyRecord layout
 * (legacy_records.h): CRC-32 over magic..value, gzip streams as Java's
 * GZIPOutputStream and librdkafka write them (any gzip member decodes).
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
#include "records/legacy_records.h"
#include "records/records.h"

/* Two messages: key "k" value "v1", then key null value "v2"; offsets 0, 1. */
static const uint8_t magic0_plain[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x61, 0x50, 0x54, 0x27, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x6b, 0x00, 0x00, 0x00, 0x02, 0x76, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x10, 0xd5, 0x96, 0x0a, 0x78, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x76, 0x32,
};
/* The same with magic 1, CreateTime 1000 and 1005. */
static const uint8_t magic1_plain[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x19, 0x43, 0xa9, 0x4d, 0x68, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x01, 0x6b, 0x00, 0x00, 0x00, 0x02, 0x76, 0x31, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x18, 0x5f, 0xce, 0x50, 0x8c, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x76, 0x32,
};
/* magic1_plain gzipped into one magic-1 wrapper (offset 1, the last inner one, timestamp 1005). */
static const uint8_t magic1_gzip[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x51, 0x75, 0xa1, 0x58, 0xac, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x3b, 0x1f, 0x8b, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0x80, 0x03, 0x49, 0xe7, 0x95, 0xbe, 0x19, 0x8c, 0x50, 0x0e, 0xf3,
    0x0b, 0x20, 0xc1, 0x98, 0x0d, 0x24, 0x98, 0xca, 0x0c, 0xa1, 0x62, 0x20, 0x39, 0x89, 0xf8, 0x73, 0x01, 0x3d, 0x70,
    0x45, 0x6f, 0xff, 0x03, 0x01, 0x58, 0x8d, 0x11, 0x00, 0xec, 0xe2, 0xd9, 0xa0, 0x49, 0x00, 0x00, 0x00,
};
/* magic0_plain gzipped into one magic-0 wrapper. */
static const uint8_t magic0_gzip[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x44, 0xb4, 0x24, 0xd8, 0xd9,
    0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x36, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0x80, 0x03, 0xc1, 0xc4, 0x80, 0x10, 0x75, 0x30, 0x8b, 0x31,
    0x1b, 0x48, 0x30, 0x95, 0x19, 0x42, 0x25, 0x18, 0x81, 0x58, 0xe0, 0xea, 0x34, 0xae, 0x0a, 0x06,
    0x86, 0xff, 0x40, 0x00, 0x96, 0x33, 0x02, 0x00, 0x29, 0xe5, 0x0c, 0x4d, 0x39, 0x00, 0x00, 0x00,
};
/* The magic-1 wrapper again, marked LogAppendTime 7777 (attributes 0x09). */
static const uint8_t magic1_gzip_log_append[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x51, 0x5e, 0xea, 0x19, 0x4c, 0x01, 0x09, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x1e, 0x61, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x3b, 0x1f, 0x8b, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0x80, 0x03, 0x49, 0xe7, 0x95, 0xbe, 0x19, 0x8c, 0x50, 0x0e, 0xf3,
    0x0b, 0x20, 0xc1, 0x98, 0x0d, 0x24, 0x98, 0xca, 0x0c, 0xa1, 0x62, 0x20, 0x39, 0x89, 0xf8, 0x73, 0x01, 0x3d, 0x70,
    0x45, 0x6f, 0xff, 0x03, 0x01, 0x58, 0x8d, 0x11, 0x00, 0xec, 0xe2, 0xd9, 0xa0, 0x49, 0x00, 0x00, 0x00,
};
/* A gzip wrapper whose inner message is magic1_gzip: nesting is refused. */
static const uint8_t magic1_nested[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x76, 0x71, 0xa3, 0xf5, 0x16, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x60, 0x1f, 0x8b, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0x80, 0x83, 0xc0, 0xd2, 0x85, 0x11, 0x6b, 0x18, 0x19, 0x21, 0x1c,
    0xe6, 0xb7, 0xff, 0x81, 0x00, 0xc8, 0xb0, 0x96, 0xef, 0xe6, 0x00, 0x8b, 0x30, 0x31, 0x27, 0x27, 0x34, 0x30, 0x7b,
    0x3e, 0x9f, 0xba, 0x4f, 0xb2, 0x27, 0x80, 0xef, 0x33, 0xb7, 0xc2, 0xc1, 0x19, 0xbc, 0x2a, 0x33, 0x4e, 0xf1, 0x2c,
    0x4c, 0x52, 0xb0, 0xec, 0xfc, 0x51, 0xcc, 0x68, 0x5b, 0xe0, 0x9a, 0xff, 0x9f, 0x99, 0x31, 0xa2, 0x57, 0x90, 0xe1,
    0xcd, 0xa3, 0x9b, 0x0b, 0x3c, 0x81, 0x5a, 0x00, 0xe9, 0xe2, 0x5c, 0x53, 0x5d, 0x00, 0x00, 0x00,
};
/* A magic-1 wrapper holding magic0_plain: inner magic must be the wrapper's. */
static const uint8_t magic1_mixed[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x4c, 0xe1, 0x8b, 0x78, 0x07, 0x01, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x36, 0x1f, 0x8b,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0x80, 0x03, 0xc1, 0xc4, 0x80, 0x10, 0x75, 0x30,
    0x8b, 0x31, 0x1b, 0x48, 0x30, 0x95, 0x19, 0x42, 0x25, 0x18, 0x81, 0x58, 0xe0, 0xea, 0x34, 0xae, 0x0a, 0x06,
    0x86, 0xff, 0x40, 0x00, 0x96, 0x33, 0x02, 0x00, 0x29, 0xe5, 0x0c, 0x4d, 0x39, 0x00, 0x00, 0x00,
};
/* magic1_plain and magic0_plain at offsets 100 and 101: what a fetch of the
 * converted batch, stored at offset 100, answers Fetch v2-v3 and v0-v1 with. */
static const uint8_t magic1_at_100[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x19, 0x43, 0xa9, 0x4d, 0x68, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x01, 0x6b, 0x00, 0x00, 0x00, 0x02, 0x76, 0x31, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00, 0x18, 0x5f, 0xce, 0x50, 0x8c, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x76, 0x32,
};
static const uint8_t magic0_at_100[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x11, 0x61, 0x50, 0x54, 0x27, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x6b, 0x00, 0x00, 0x00, 0x02, 0x76, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x65, 0x00,
    0x00, 0x00, 0x10, 0xd5, 0x96, 0x0a, 0x78, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x76, 0x32,
};

typedef struct seen {
    int n;
    int64_t offsets[4];
    int64_t timestamps[4];
    char keys[4][8];   /* "" for null */
    char values[4][8]; /* "" for null */
} seen_t;

static int collect(void *opaque, const record_t *rec)
{
    seen_t *s = opaque;
    assert_true(s->n < 4);
    s->offsets[s->n] = rec->offset;
    s->timestamps[s->n] = rec->timestamp;
    snprintf(s->keys[s->n], sizeof(s->keys[0]), "%.*s", rec->key.len > 0 ? rec->key.len : 0, rec->key.ptr);
    snprintf(s->values[s->n], sizeof(s->values[0]), "%.*s", rec->value.len > 0 ? rec->value.len : 0, rec->value.ptr);
    assert_int_equal(rec->header_count, 0);
    s->n++;
    return 0;
}

/* Converts `set`, checks the batch is one a producer could have sent, and
 * that its records are the two messages with `ts0`, `ts1`. */
static void check_converts(const uint8_t *set, size_t len, int codec, int64_t ts0, int64_t ts1)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    buf_write_raw(&out, "xyz", 3); /* appended after what is there */
    char why[256] = "";
    assert_int_equal(legacy_records_to_batch(set, len, &out, why, sizeof(why)), KERR_NONE);
    batch_header_t hdr;
    assert_int_equal(batch_validate(out.data + 3, out.len - 3, &hdr, why, sizeof(why)), KERR_NONE);
    assert_int_equal(hdr.attributes, codec); /* CreateTime, not transactional */
    assert_int_equal(hdr.records_count, 2);
    assert_int_equal(hdr.producer_id, -1);
    assert_int_equal(hdr.base_timestamp, ts0);
    assert_int_equal(hdr.max_timestamp, ts1 > ts0 ? ts1 : ts0);
    seen_t s = {0};
    assert_int_equal(records_foreach(out.data + 3, out.len - 3, collect, &s), KERR_NONE);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.offsets[0], 0);
    assert_int_equal(s.offsets[1], 1);
    assert_int_equal(s.timestamps[0], ts0);
    assert_int_equal(s.timestamps[1], ts1);
    assert_string_equal(s.keys[0], "k");
    assert_string_equal(s.keys[1], "");
    assert_string_equal(s.values[0], "v1");
    assert_string_equal(s.values[1], "v2");
    buf_writer_release(&out);
}

static void test_magic0_plain(void **state)
{
    (void)state;
    check_converts(magic0_plain, sizeof(magic0_plain), BATCH_CODEC_NONE, -1, -1);
}

static void test_magic1_plain(void **state)
{
    (void)state;
    check_converts(magic1_plain, sizeof(magic1_plain), BATCH_CODEC_NONE, 1000, 1005);
}

static void test_gzip_wrappers(void **state)
{
    (void)state;
    check_converts(magic1_gzip, sizeof(magic1_gzip), BATCH_CODEC_GZIP, 1000, 1005);
    check_converts(magic0_gzip, sizeof(magic0_gzip), BATCH_CODEC_GZIP, -1, -1);
    check_converts(magic1_gzip_log_append, sizeof(magic1_gzip_log_append), BATCH_CODEC_GZIP, 7777, 7777);
}

/* Plain messages after a wrapper, all in one set: one batch, the wrapper's codec. */
static void test_mixed_set(void **state)
{
    (void)state;
    uint8_t set[sizeof(magic1_gzip) + sizeof(magic1_plain)];
    memcpy(set, magic1_gzip, sizeof(magic1_gzip));
    memcpy(set + sizeof(magic1_gzip), magic1_plain, sizeof(magic1_plain));
    buf_writer_t out;
    buf_writer_init(&out, 0);
    char why[256];
    assert_int_equal(legacy_records_to_batch(set, sizeof(set), &out, why, sizeof(why)), KERR_NONE);
    batch_header_t hdr;
    assert_int_equal(batch_validate(out.data, out.len, &hdr, why, sizeof(why)), KERR_NONE);
    assert_int_equal(hdr.records_count, 4);
    assert_int_equal(hdr.attributes, BATCH_CODEC_GZIP);
    buf_writer_release(&out);
}

static void expect_refused(const uint8_t *set, size_t len, kerr_t expected)
{
    buf_writer_t out;
    buf_writer_init(&out, 0);
    char why[256] = "";
    assert_int_equal(legacy_records_to_batch(set, len, &out, why, sizeof(why)), expected);
    assert_int_equal(out.len, 0);
    assert_true(why[0] != '\0');
    buf_writer_release(&out);
}

static void test_refused(void **state)
{
    (void)state;
    uint8_t bad[sizeof(magic1_plain)];
    /* A flipped value byte: the CRC no longer matches. */
    memcpy(bad, magic1_plain, sizeof(bad));
    bad[sizeof(bad) - 1] ^= 1;
    expect_refused(bad, sizeof(bad), KERR_CORRUPT_MESSAGE);
    /* A flipped CRC byte of the first message. */
    memcpy(bad, magic1_plain, sizeof(bad));
    bad[12] ^= 0x80;
    expect_refused(bad, sizeof(bad), KERR_CORRUPT_MESSAGE);
    /* A flipped byte inside the gzip stream. */
    uint8_t badgz[sizeof(magic1_gzip)];
    memcpy(badgz, magic1_gzip, sizeof(badgz));
    badgz[sizeof(badgz) - 10] ^= 1;
    expect_refused(badgz, sizeof(badgz), KERR_CORRUPT_MESSAGE);
    /* Truncated anywhere: inside the last message, inside a header. */
    expect_refused(magic1_plain, sizeof(magic1_plain) - 1, KERR_CORRUPT_MESSAGE);
    expect_refused(magic1_plain, 40, KERR_CORRUPT_MESSAGE);
    /* Magic 2 (a batch's) inside a message set. */
    memcpy(bad, magic1_plain, sizeof(bad));
    bad[16] = 2;
    expect_refused(bad, sizeof(bad), KERR_CORRUPT_MESSAGE);
    expect_refused(magic1_nested, sizeof(magic1_nested), KERR_INVALID_RECORD);
    expect_refused(magic1_mixed, sizeof(magic1_mixed), KERR_INVALID_RECORD);
    expect_refused(magic1_plain, 0, KERR_INVALID_RECORD);
}

/* The batch made from `set`, stored at offset 100. */
static void stored_batch(buf_writer_t *out, const uint8_t *set, size_t len, bool log_append_time)
{
    char why[256];
    buf_writer_init(out, 0);
    assert_int_equal(legacy_records_to_batch(set, len, out, why, sizeof(why)), KERR_NONE);
    batch_set_base_offset(out->data, 100, 0);
    if (log_append_time) {
        batch_set_log_append_time(out->data, out->len, 4242);
    }
}

static void test_down_conversion(void **state)
{
    (void)state;
    const struct {
        const uint8_t *set;
        size_t len;
    } inputs[] = {{magic1_plain, sizeof(magic1_plain)}, {magic1_gzip, sizeof(magic1_gzip)}};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        buf_writer_t batch, out;
        stored_batch(&batch, inputs[i].set, inputs[i].len, false);
        /* Two batches and a partial third, as a size-limited read ends. */
        size_t one = batch.len;
        uint8_t *copy = malloc(one);
        memcpy(copy, batch.data, one);
        buf_write_raw(&batch, copy, one);
        buf_write_raw(&batch, copy, 30);
        free(copy);
        batch_set_base_offset(batch.data + one, 102, 0);
        buf_writer_init(&out, 0);
        assert_int_equal(legacy_records_from_batches(batch.data, batch.len, 1, &out), KERR_NONE);
        assert_int_equal(out.len, 2 * sizeof(magic1_at_100));
        assert_memory_equal(out.data, magic1_at_100, sizeof(magic1_at_100));
        assert_int_equal(buf_get_i64(out.data + sizeof(magic1_at_100)), 102);
        out.len = 0;
        assert_int_equal(legacy_records_from_batches(batch.data, one, 0, &out), KERR_NONE);
        assert_int_equal(out.len, sizeof(magic0_at_100));
        assert_memory_equal(out.data, magic0_at_100, sizeof(magic0_at_100));
        buf_writer_release(&out);
        buf_writer_release(&batch);
    }
}

/* LogAppendTime reaches magic 1 as the timestamp type bit and the append
 * time; what comes out converts back to the same records. */
static void test_down_conversion_log_append_time(void **state)
{
    (void)state;
    buf_writer_t batch, out, again;
    stored_batch(&batch, magic1_plain, sizeof(magic1_plain), true);
    buf_writer_init(&out, 0);
    assert_int_equal(legacy_records_from_batches(batch.data, batch.len, 1, &out), KERR_NONE);
    assert_int_equal(out.data[17], 0x08);
    assert_int_equal(buf_get_i64(out.data + 18), 4242);
    buf_writer_init(&again, 0);
    char why[256];
    assert_int_equal(legacy_records_to_batch(out.data, out.len, &again, why, sizeof(why)), KERR_NONE);
    seen_t s = {0};
    assert_int_equal(records_foreach(again.data, again.len, collect, &s), KERR_NONE);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.timestamps[0], 4242);
    assert_int_equal(s.timestamps[1], 4242);
    assert_string_equal(s.values[1], "v2");
    buf_writer_release(&again);
    buf_writer_release(&out);
    buf_writer_release(&batch);
}

/* A control batch (a transaction marker) is not a message for old clients. */
static void test_down_conversion_skips_control(void **state)
{
    (void)state;
    buf_writer_t batch, out;
    stored_batch(&batch, magic1_plain, sizeof(magic1_plain), false);
    batch.data[22] |= BATCH_ATTR_CONTROL;
    buf_writer_init(&out, 0);
    assert_int_equal(legacy_records_from_batches(batch.data, batch.len, 1, &out), KERR_NONE);
    assert_int_equal(out.len, 0);
    buf_writer_release(&out);
    buf_writer_release(&batch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_magic0_plain),
        cmocka_unit_test(test_magic1_plain),
        cmocka_unit_test(test_gzip_wrappers),
        cmocka_unit_test(test_mixed_set),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_down_conversion),
        cmocka_unit_test(test_down_conversion_log_append_time),
        cmocka_unit_test(test_down_conversion_skips_control),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
