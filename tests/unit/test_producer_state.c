/* Unit tests for producer_state.c: idempotent sequence checks, as a table of
 * batch sequences and the verdict Kafka gives each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "records/producer_state.h"

typedef struct step {
    int64_t pid;
    int16_t epoch;
    int32_t base_seq;
    int32_t count;
    kerr_t want;           /* producer_state_check verdict */
    int64_t want_dup_base; /* for DUPLICATE_SEQUENCE_NUMBER */
} step_t;

static batch_header_t header(const step_t *s)
{
    batch_header_t hdr = {0};
    hdr.producer_id = s->pid;
    hdr.producer_epoch = s->epoch;
    hdr.base_sequence = s->base_seq;
    hdr.records_count = s->count;
    hdr.last_offset_delta = s->count - 1;
    return hdr;
}

/* Runs steps; appended batches get consecutive offsets starting at 0. */
static void run(const step_t *steps, size_t n)
{
    producer_state_t *ps = producer_state_create();
    int64_t next_offset = 0;
    for (size_t i = 0; i < n; i++) {
        batch_header_t hdr = header(&steps[i]);
        int64_t dup = -1;
        kerr_t got = producer_state_check(ps, &hdr, &dup);
        if (got != steps[i].want) {
            producer_state_destroy(ps);
            fail_msg("step %zu: got %s, want %s", i, kerr_name(got), kerr_name(steps[i].want));
        }
        if (got == KERR_DUPLICATE_SEQUENCE_NUMBER) {
            assert_true(dup == steps[i].want_dup_base);
        }
        if (got == KERR_NONE) {
            producer_state_update(ps, &hdr, next_offset);
            next_offset += steps[i].count;
        }
    }
    producer_state_destroy(ps);
}

static void test_in_order_then_duplicate(void **state)
{
    const step_t steps[] = {
        {1000, 0, 0, 5, KERR_NONE, 0},
        {1000, 0, 5, 5, KERR_NONE, 0},
        {1000, 0, 5, 5, KERR_DUPLICATE_SEQUENCE_NUMBER, 5}, /* retried: original offset */
        {1000, 0, 0, 5, KERR_DUPLICATE_SEQUENCE_NUMBER, 0},
        {1000, 0, 10, 1, KERR_NONE, 0},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_gap_is_out_of_order(void **state)
{
    const step_t steps[] = {
        {7, 0, 0, 2, KERR_NONE, 0},
        {7, 0, 3, 1, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0},
        {7, 0, 1, 1, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0}, /* overlaps, not a known batch */
        {7, 0, 2, 1, KERR_NONE, 0},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_epochs(void **state)
{
    const step_t steps[] = {
        {9, 3, 0, 1, KERR_NONE, 0},
        {9, 2, 1, 1, KERR_INVALID_PRODUCER_EPOCH, 0},
        {9, 4, 5, 1, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0}, /* new epoch must restart at 0 */
        {9, 4, 0, 1, KERR_NONE, 0},
        {9, 4, 1, 1, KERR_NONE, 0},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_only_five_batches_remembered(void **state)
{
    const step_t steps[] = {
        {1, 0, 0, 1, KERR_NONE, 0},  {1, 0, 1, 1, KERR_NONE, 0}, {1, 0, 2, 1, KERR_NONE, 0},
        {1, 0, 3, 1, KERR_NONE, 0},  {1, 0, 4, 1, KERR_NONE, 0}, {1, 0, 5, 1, KERR_NONE, 0},
        {1, 0, 1, 1, KERR_DUPLICATE_SEQUENCE_NUMBER, 1},
        /* seq 0 fell out of the window: no longer a known duplicate */
        {1, 0, 0, 1, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_sequence_wraps(void **state)
{
    const step_t steps[] = {
        {2, 0, INT32_MAX - 1, 2, KERR_NONE, 0},
        {2, 0, 0, 1, KERR_NONE, 0},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_many_producers_and_non_idempotent(void **state)
{
    producer_state_t *ps = producer_state_create();
    for (int64_t pid = 0; pid < 200; pid++) {
        step_t s = {pid, 0, 0, 1, KERR_NONE, 0};
        batch_header_t hdr = header(&s);
        int64_t dup;
        assert_int_equal(producer_state_check(ps, &hdr, &dup), KERR_NONE);
        producer_state_update(ps, &hdr, pid);
    }
    for (int64_t pid = 0; pid < 200; pid++) {
        step_t s = {pid, 0, 0, 1, KERR_NONE, 0};
        batch_header_t hdr = header(&s);
        int64_t dup = -1;
        assert_int_equal(producer_state_check(ps, &hdr, &dup), KERR_DUPLICATE_SEQUENCE_NUMBER);
        assert_true(dup == pid);
    }
    step_t plain = {-1, -1, -1, 3, KERR_NONE, 0};
    batch_header_t hdr = header(&plain);
    int64_t dup;
    assert_int_equal(producer_state_check(ps, &hdr, &dup), KERR_NONE);
    producer_state_destroy(ps);
}

static void check(producer_state_t *ps, int64_t pid, int32_t base_seq, int32_t count, kerr_t want, int64_t want_dup)
{
    step_t s = {pid, 0, base_seq, count, want, want_dup};
    batch_header_t hdr = header(&s);
    int64_t dup = -1;
    assert_int_equal(producer_state_check(ps, &hdr, &dup), want);
    if (want == KERR_DUPLICATE_SEQUENCE_NUMBER) {
        assert_true(dup == want_dup);
    }
}

static void append(producer_state_t *ps, int64_t pid, int32_t base_seq, int32_t count, int64_t offset)
{
    step_t s = {pid, 0, base_seq, count, KERR_NONE, 0};
    batch_header_t hdr = header(&s);
    producer_state_update(ps, &hdr, offset);
}

static void test_truncate(void **state)
{
    (void)state;
    producer_state_t *ps = producer_state_create();
    /* Producer 1: sequences 0-4 at 0, 5-9 at 10; producer 2: 0-4 at 5; producer 3: 0-4 at 20. */
    append(ps, 1, 0, 5, 0);
    append(ps, 2, 0, 5, 5);
    append(ps, 1, 5, 5, 10);
    append(ps, 3, 0, 5, 20);
    producer_state_truncate(ps, 10);
    /* The retry of the batch cut is appended again, not a duplicate at 10. */
    check(ps, 1, 5, 5, KERR_NONE, 0);
    check(ps, 1, 0, 5, KERR_DUPLICATE_SEQUENCE_NUMBER, 0);
    check(ps, 1, 10, 5, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0);
    check(ps, 2, 0, 5, KERR_DUPLICATE_SEQUENCE_NUMBER, 5);
    /* Producer 3 had nothing left: unknown again, any sequence goes. */
    check(ps, 3, 0, 5, KERR_NONE, 0);
    check(ps, 3, 7, 1, KERR_NONE, 0);
    append(ps, 1, 5, 5, 10);
    check(ps, 1, 5, 5, KERR_DUPLICATE_SEQUENCE_NUMBER, 10);
    producer_state_truncate(ps, 0);
    check(ps, 1, 5, 5, KERR_NONE, 0);
    check(ps, 2, 3, 1, KERR_NONE, 0);
    producer_state_destroy(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_then_duplicate),
        cmocka_unit_test(test_gap_is_out_of_order),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_only_five_batches_remembered),
        cmocka_unit_test(test_sequence_wraps),
        cmocka_unit_test(test_many_producers_and_non_idempotent),
        cmocka_unit_test(test_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
