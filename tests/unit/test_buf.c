/* Unit tests for buf.c: Kafka primitive encodings, checked against byte vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/buf.h"

static const struct {
    int64_t value;
    uint8_t bytes[10];
    size_t len;
} varlong_vectors[] = {
    /* Zig-zag then LEB128, as AK ByteUtilsTest. */
    {0, {0x00}, 1},
    {-1, {0x01}, 1},
    {1, {0x02}, 1},
    {63, {0x7e}, 1},
    {-64, {0x7f}, 1},
    {64, {0x80, 0x01}, 2},
    {300, {0xd8, 0x04}, 2},
    {INT64_MAX, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
    {INT64_MIN, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
};

static void test_varlong_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(varlong_vectors) / sizeof(varlong_vectors[0]); i++) {
        buf_writer_t w;
        buf_writer_init(&w, 0);
        buf_write_varlong(&w, varlong_vectors[i].value);
        assert_int_equal(w.len, varlong_vectors[i].len);
        assert_memory_equal(w.data, varlong_vectors[i].bytes, w.len);
        buf_reader_t r;
        buf_reader_init(&r, w.data, w.len);
        assert_true(buf_read_varlong(&r) == varlong_vectors[i].value);
        assert_false(r.err);
        buf_writer_release(&w);
    }
}

static void test_varint_roundtrip(void **state)
{
    const int32_t values[] = {0, 1, -1, 127, -128, 1 << 20, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        buf_writer_t w;
        buf_writer_init(&w, 0);
        buf_write_varint(&w, values[i]);
        buf_reader_t r;
        buf_reader_init(&r, w.data, w.len);
        assert_int_equal(buf_read_varint(&r), values[i]);
        assert_int_equal(buf_remaining(&r), 0);
        buf_writer_release(&w);
    }
}

static void test_fixed_big_endian(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 1);
    buf_write_i16(&w, 0x0102);
    buf_write_i32(&w, -2);
    buf_write_i64(&w, 0x0102030405060708LL);
    const uint8_t want[] = {1, 2, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    buf_reader_t r;
    buf_reader_init(&r, w.data, w.len);
    assert_int_equal(buf_read_i16(&r), 0x0102);
    assert_int_equal(buf_read_i32(&r), -2);
    assert_true(buf_read_i64(&r) == 0x0102030405060708LL);
    assert_false(r.err);
    buf_writer_release(&w);
}

static void test_strings(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    buf_write_str(&w, "rdkafka", false);
    buf_write_str(&w, NULL, false);
    buf_write_str(&w, "ab", true);
    buf_write_str(&w, NULL, true);
    const uint8_t want[] = {0, 7, 'r', 'd', 'k', 'a', 'f', 'k', 'a', 0xff, 0xff, 3, 'a', 'b', 0};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    buf_reader_t r;
    buf_reader_init(&r, w.data, w.len);
    assert_true(kstr_eq(buf_read_str(&r, false), "rdkafka"));
    assert_int_equal(buf_read_nstr(&r, false).len, -1);
    assert_true(kstr_eq(buf_read_str(&r, true), "ab"));
    assert_int_equal(buf_read_nstr(&r, true).len, -1);
    assert_false(r.err);
    buf_writer_release(&w);
}

static void test_short_reads_are_sticky(void **state)
{
    const uint8_t data[] = {0, 5, 'a'};
    buf_reader_t r;
    buf_reader_init(&r, data, sizeof(data));
    kstr_t s = buf_read_str(&r, false);
    assert_true(r.err);
    assert_int_equal(s.len, 0);
    assert_int_equal(buf_read_i32(&r), 0);
    assert_int_equal(buf_remaining(&r), 0);
}

static void test_hostile_array_count(void **state)
{
    /* A count of 2^31-1 with 4 bytes left must fail without allocating. */
    const uint8_t data[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1};
    buf_reader_t r;
    buf_reader_init(&r, data, sizeof(data));
    buf_read_array_len(&r, false, 4);
    assert_true(r.err);
}

static void test_overlong_varint(void **state)
{
    const uint8_t data[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    buf_reader_t r;
    buf_reader_init(&r, data, sizeof(data));
    buf_read_varint(&r);
    assert_true(r.err);
}

static void test_tags_skipped(void **state)
{
    /* Two tagged fields: tag 0 with 2 bytes, tag 5 with 0 bytes, then an int8. */
    const uint8_t data[] = {2, 0, 2, 0xaa, 0xbb, 5, 0, 0x42};
    buf_reader_t r;
    buf_reader_init(&r, data, sizeof(data));
    buf_skip_tags(&r);
    assert_int_equal(buf_read_i8(&r), 0x42);
    assert_false(r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varlong_vectors),      cmocka_unit_test(test_varint_roundtrip),
        cmocka_unit_test(test_fixed_big_endian),     cmocka_unit_test(test_strings),
        cmocka_unit_test(test_short_reads_are_sticky), cmocka_unit_test(test_hostile_array_count),
        cmocka_unit_test(test_overlong_varint),      cmocka_unit_test(test_tags_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
