/* Unit tests for batch.c and crc32c.c: header checks a producer's batch must pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "batch_fixture.h"

static void test_crc32c_check_value(void **state)
{
    assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
    /* Continuing a CRC equals computing it in one go. */
    uint32_t part = crc32c(0, "1234", 4);
    assert_int_equal(crc32c(part, "56789", 5), 0xE3069283u);
    assert_int_equal(crc32c(0, "", 0), 0);
}

static void test_valid_batch(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    size_t n = fixture_batch(&w, 3, 1000, 10, -1, -1, -1);
    batch_header_t hdr;
    char err[256];
    assert_int_equal(batch_validate(w.data, n, &hdr, err, sizeof(err)), KERR_NONE);
    assert_int_equal(hdr.records_count, 3);
    assert_true(hdr.max_timestamp == 1020);
    batch_set_base_offset(w.data, 42, 7);
    assert_true(batch_is_intact(w.data, n, &hdr)); /* patching keeps the CRC valid */
    assert_true(hdr.base_offset == 42);
    assert_int_equal(hdr.leader_epoch, 7);
    buf_writer_release(&w);
}

/* The broker's LogAppendTime: the type bit and maxTimestamp change, both under
 * the CRC, which is valid again; every other byte stays. */
static void test_set_log_append_time(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    size_t n = fixture_batch(&w, 3, 1000, 10, 5, 0, 0);
    uint8_t before[256];
    assert_true(n <= sizeof(before));
    memcpy(before, w.data, n);
    batch_set_log_append_time(w.data, n, 1700000000123LL);
    batch_header_t hdr;
    char err[256];
    assert_int_equal(batch_validate(w.data, n, &hdr, err, sizeof(err)), KERR_NONE);
    assert_int_equal(hdr.attributes, BATCH_ATTR_LOG_APPEND_TIME);
    assert_true(hdr.max_timestamp == 1700000000123LL);
    assert_true(hdr.base_timestamp == 1000);
    assert_true(hdr.producer_id == 5);
    assert_int_equal(hdr.records_count, 3);
    for (size_t i = 0; i < n; i++) {
        bool crc = i >= 17 && i < 21, attributes = i == 22, max_timestamp = i >= 35 && i < 43;
        if (!crc && !attributes && !max_timestamp && w.data[i] != before[i]) {
            fail_msg("byte %zu changed", i);
        }
    }
    buf_writer_release(&w);
}

static void test_rejections(void **state)
{
    struct {
        const char *what;
        size_t offset; /* byte to corrupt */
        uint8_t value;
        kerr_t want;
    } cases[] = {
        {"bad crc", 70, 0x55, KERR_CORRUPT_MESSAGE},
        {"magic 1", 16, 1, KERR_INVALID_RECORD},
        {"count mismatch", 60, 9, KERR_INVALID_RECORD},
        {"control batch", 22, 0x20, KERR_INVALID_RECORD},
        {"codec 7", 22, 0x07, KERR_UNSUPPORTED_COMPRESSION_TYPE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_writer_t w;
        buf_writer_init(&w, 0);
        size_t n = fixture_batch(&w, 3, 1000, 10, -1, -1, -1);
        w.data[cases[i].offset] = cases[i].value;
        batch_header_t hdr;
        char err[256] = "";
        kerr_t got = batch_validate(w.data, n, &hdr, err, sizeof(err));
        if (got != cases[i].want) {
            fail_msg("%s: got %s (%s)", cases[i].what, kerr_name(got), err);
        }
        assert_true(err[0] != '\0');
        buf_writer_release(&w);
    }
}

static void test_length_must_match(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    size_t n = fixture_batch(&w, 2, 1000, 1, -1, -1, -1);
    batch_header_t hdr;
    char err[256];
    assert_int_equal(batch_validate(w.data, n - 1, &hdr, err, sizeof(err)), KERR_INVALID_RECORD);
    assert_int_equal(batch_validate(w.data, 20, &hdr, err, sizeof(err)), KERR_INVALID_RECORD);
    assert_false(batch_is_intact(w.data, n - 1, &hdr)); /* torn tail */
    buf_writer_release(&w);
}

/* A count that does not match the records would make the log skip offsets. */
static void test_count_must_match_records(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    size_t n = fixture_batch(&w, 3, 1000, 10, -1, -1, -1);
    buf_put_i32(w.data + 57, 2000000000);
    buf_put_i32(w.data + 23, 2000000000 - 1);
    buf_put_i32(w.data + 17, (int32_t)crc32c(0, w.data + 21, n - 21));
    batch_header_t hdr;
    char err[256] = "";
    assert_int_equal(batch_validate(w.data, n, &hdr, err, sizeof(err)), KERR_INVALID_RECORD);
    assert_non_null(strstr(err, "holds 3"));
    buf_writer_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_check_value),  cmocka_unit_test(test_valid_batch),
        cmocka_unit_test(test_set_log_append_time), cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_length_must_match),   cmocka_unit_test(test_count_must_match_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
