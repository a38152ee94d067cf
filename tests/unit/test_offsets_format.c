/* Unit tests for offsets_format.c: __consumer_offsets records as byte vectors
 * of Kafka's formats, round trips, old versions, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "offsets_format.h"

static void test_commit_key_bytes(void **state)
{
    kbuf_writer_t w;
    kbuf_writer_init(&w, 0);
    offsets_encode_commit_key(&w, "g", "t1", 7);
    const uint8_t want[] = {0, 1, 0, 1, 'g', 0, 2, 't', '1', 0, 0, 0, 7};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(w.data, want, sizeof(want));
    offsets_key_t key;
    assert_true(offsets_decode_key(w.data, w.len, &key));
    assert_int_equal(key.kind, OFFSETS_KEY_COMMIT);
    assert_true(kstr_eq(key.group, "g") && kstr_eq(key.topic, "t1") && key.partition == 7);
    kbuf_writer_release(&w);
}

static void test_commit_value_bytes(void **state)
{
    kbuf_writer_t w;
    kbuf_writer_init(&w, 0);
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
    kbuf_writer_release(&w);
}

static void test_old_versions_and_group_key(void **state)
{
    /* value v1: offset, metadata, commit ts, expire ts */
    const uint8_t v1[] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
                          0, 0, 0, 0, 0, 0, 0, 10};
    offsets_commit_value_t v;
    assert_true(offsets_decode_commit_value(v1, sizeof(v1), &v));
    assert_true(v.offset == 5 && v.leader_epoch == -1 && v.commit_timestamp == 9);
    kbuf_writer_t w;
    kbuf_writer_init(&w, 0);
    offsets_encode_group_key(&w, "grp");
    offsets_key_t key;
    assert_true(offsets_decode_key(w.data, w.len, &key));
    assert_int_equal(key.kind, OFFSETS_KEY_GROUP);
    assert_true(kstr_eq(key.group, "grp"));
    kbuf_writer_release(&w);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_key_bytes),
        cmocka_unit_test(test_commit_value_bytes),
        cmocka_unit_test(test_old_versions_and_group_key),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
