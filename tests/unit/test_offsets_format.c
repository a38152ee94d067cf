/* Unit tests for offsets_format.c: __consumer_offsets records as byte vectors
 * of Kafka's formats, round trips, old versions, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "group/offsets_format.h"

static void test_commit_key_bytes(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    offsets_encode_commit_key(&w, "g", "t1", 7);
    const uint8_t want[] = {0, 1, 0, 1, 'g', 0, 2, 't', '1', 0, 0, 0, 7};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    offsets_key_t key;
    assert_true(offsets_decode_key(w.data, w.len, &key));
    assert_int_equal(key.kind, OFFSETS_KEY_COMMIT);
    assert_true(kstr_eq(key.group, "g") && kstr_eq(key.topic, "t1") && key.partition == 7);
    buf_writer_release(&w);
}

static void test_commit_value_bytes(void **state)
{
    buf_writer_t w;
    buf_writer_init(&w, 0);
    offsets_commit_value_t v = {42, -1, {"m", 1}, 1700000000000LL};
    offsets_encode_commit_value(&w, &v);
    const uint8_t want[] = {0, 3, 0, 0, 0, 0, 0, 0, 0, 42, 0xff, 0xff, 0xff, 0xff, 0, 1, 'm',
                            0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    offsets_commit_value_t back;
    assert_true(offsets_decode_commit_value(w.data, w.len, &back));
    assert_true(back.offset == 42 && back.leader_epoch == -1 && kstr_eq(back.metadata, "m") &&
                back.commit_timestamp == 1700000000000LL);
    buf_writer_release(&w);
}

static void test_old_versions_and_group_key(void **state)
{
    /* value v1: offset, metadata, commit ts, expire ts */
    const uint8_t v1[] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
                          0, 0, 0, 0, 0, 0, 0, 10};
    offsets_commit_value_t v;
    assert_true(offsets_decode_commit_value(v1, sizeof(v1), &v));
    assert_true(v.offset == 5 && v.leader_epoch == -1 && v.commit_timestamp == 9);
    buf_writer_t w;
    buf_writer_init(&w, 0);
    offsets_encode_group_key(&w, "grp");
    offsets_key_t key;
    assert_true(offsets_decode_key(w.data, w.len, &key));
    assert_int_equal(key.kind, OFFSETS_KEY_GROUP);
    assert_true(kstr_eq(key.group, "grp"));
    buf_writer_release(&w);
}

static void test_malformed(void **state)
{
    const uint8_t bad_version[] = {0, 9, 0, 1, 'g'};
    const uint8_t truncated[] = {0, 1, 0, 5, 'g'};
    const uint8_t trailing[] = {0, 2, 0, 1, 'g', 0};
    offsets_key_t key;
    assert_false(offsets_decode_key(bad_version, sizeof(bad_version), &key));
    assert_false(offsets_decode_key(truncated, sizeof(truncated), &key));
    assert_false(offsets_decode_key(trailing, sizeof(trailing), &key));
    offsets_commit_value_t v;
    assert_false(offsets_decode_commit_value(truncated, sizeof(truncated), &v));
    for (size_t n = 0; n < 13; n++) { /* every prefix of a valid key fails */
        const uint8_t k[] = {0, 1, 0, 1, 'g', 0, 2, 't', '1', 0, 0, 0, 7};
        assert_false(offsets_decode_key(k, n, &key));
    }
}

/* GroupMetadataValue v3 (AK GroupMetadataValue.json), one member. */
static void test_group_value_bytes(void **state)
{
    const uint8_t sub[] = {0xaa}, assign[] = {0xbb, 0xcc};
    offsets_group_member_t m = {"m1", NULL, "c", "/h", 300000, 10000, sub, 1, assign, 2};
    offsets_group_value_t v = {{"consumer", 8}, 7, {"range", 5}, {"m1", 2}, 0x0102030405060708LL, 1};
    buf_writer_t w;
    buf_writer_init(&w, 0);
    offsets_encode_group_value(&w, &v, &m);
    const uint8_t expect[] = {
        0, 3,                                        /* version */
        0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* protocol_type */
        0, 0, 0, 7,                                  /* generation */
        0, 5, 'r', 'a', 'n', 'g', 'e',               /* protocol */
        0, 2, 'm', '1',                              /* leader */
        1, 2, 3, 4, 5, 6, 7, 8,                      /* current_state_timestamp */
        0, 0, 0, 1,                                  /* members */
        0, 2, 'm', '1', 0xff, 0xff, 0, 1, 'c', 0, 2, '/', 'h',
        0, 0x04, 0x93, 0xe0, 0, 0, 0x27, 0x10,       /* rebalance 300000, session 10000 */
        0, 0, 0, 1, 0xaa, 0, 0, 0, 2, 0xbb, 0xcc,
    };
    assert_int_equal(w.len, sizeof(expect));
    assert_memory_equal(w.data, expect, sizeof(expect));
    offsets_group_value_t back;
    assert_true(offsets_decode_group_value(w.data, w.len, &back));
    assert_true(kstr_eq(back.protocol_type, "consumer") && back.generation == 7 && back.n_members == 1);
    assert_int_equal(back.current_state_timestamp, 0x0102030405060708LL);
    for (size_t n = 0; n < w.len; n++) {
        assert_false(offsets_decode_group_value(w.data, n, &back));
    }
    buf_writer_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_key_bytes),
        cmocka_unit_test(test_commit_value_bytes),
        cmocka_unit_test(test_old_versions_and_group_key),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_group_value_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
