/* Unit tests for replica_state.c: the high watermark over the ISR, the
 * roles the image gives, what a leader keeps across image changes, and
 * min.insync.replicas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "topics/replica_state.h"

static const int32_t three[] = {1, 2, 3};

/* A single node's high watermark is its log end, whatever was checkpointed. */
static void test_single_node(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 5);
    assert_int_equal(replica_state_high_watermark(&rs, 12), 12);
    assert_false(replica_state_under_min_isr(&rs, 3));
    assert_false(replica_state_follower_fetched(&rs, 2, 12, 12, 0));
    replica_state_free(&rs);
}

/* The leader's high watermark is the smallest log end of the ISR. */
static void test_leader_hw_over_isr(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 10, 1000);
    assert_int_equal(rs.role, REPLICA_ROLE_LEADER);
    /* No follower has fetched yet: nothing is committed. */
    assert_int_equal(replica_state_high_watermark(&rs, 10), 0);
    assert_true(replica_state_follower_fetched(&rs, 2, 10, 10, 1100));
    assert_true(replica_state_follower_fetched(&rs, 3, 7, 10, 1100));
    assert_int_equal(replica_state_high_watermark(&rs, 10), 7);
    assert_true(replica_state_follower_fetched(&rs, 3, 10, 10, 1200));
    assert_int_equal(replica_state_high_watermark(&rs, 10), 10);
    /* The leader appends: its own log end holds the mark too. */
    assert_int_equal(replica_state_high_watermark(&rs, 15), 10);
    assert_int_equal(rs.peers[1].last_caught_up_ms, 1200);
    assert_int_equal(rs.peers[0].last_caught_up_ms, 1100);
    /* Not a replica: ignored. */
    assert_false(replica_state_follower_fetched(&rs, 9, 15, 15, 1300));
    replica_state_free(&rs);
}

/* A follower outside the ISR does not hold the high watermark back, and
 * the mark never moves back while the node leads. */
static void test_isr_only(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    const int32_t isr[] = {1, 2};
    replica_state_become(&rs, 1, three, 3, isr, 2, 1, 4, 20, 0);
    assert_int_equal(rs.n_isr, 2);
    replica_state_follower_fetched(&rs, 2, 20, 20, 0);
    replica_state_follower_fetched(&rs, 3, 3, 20, 0);
    assert_int_equal(replica_state_high_watermark(&rs, 20), 20);
    /* The image puts 3 back in the ISR at the same epoch: the mark stays,
     * and 3's progress is kept. */
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 4, 20, 0);
    assert_int_equal(replica_state_high_watermark(&rs, 20), 20);
    assert_int_equal(rs.peers[1].leo, 3);
    replica_state_free(&rs);
}

/* A new leader epoch forgets what followers fetched before. */
static void test_new_epoch_resets_peers(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 10, 0);
    replica_state_follower_fetched(&rs, 2, 10, 10, 0);
    replica_state_follower_fetched(&rs, 3, 10, 10, 0);
    assert_int_equal(replica_state_high_watermark(&rs, 10), 10);
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 1, 12, 0);
    assert_int_equal(rs.peers[0].leo, -1);
    assert_int_equal(replica_state_high_watermark(&rs, 12), 10);
    replica_state_free(&rs);
}

/* Followers take the leader's mark capped by their log end; a replica
 * without a leader is offline. */
static void test_follower_and_offline(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    replica_state_become(&rs, 2, three, 3, three, 3, 1, 0, 4, 0);
    assert_int_equal(rs.role, REPLICA_ROLE_FOLLOWER);
    assert_null(rs.peers);
    replica_state_leader_hw(&rs, 9, 4);
    assert_int_equal(replica_state_high_watermark(&rs, 4), 4);
    replica_state_leader_hw(&rs, 3, 4);
    assert_int_equal(replica_state_high_watermark(&rs, 4), 3);
    replica_state_become(&rs, 2, three, 3, three, 1, -1, 1, 4, 0);
    assert_int_equal(rs.role, REPLICA_ROLE_OFFLINE);
    const int32_t others[] = {1, 3};
    replica_state_become(&rs, 2, others, 2, others, 2, 1, 0, 4, 0);
    assert_int_equal(rs.role, REPLICA_ROLE_OFFLINE);
    replica_state_free(&rs);
}

/* A checkpointed mark past the log end (a truncated log) is cut down. */
static void test_checkpoint_capped(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 50);
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 30, 0);
    assert_int_equal(rs.hw, 30);
    replica_state_free(&rs);
}

static void test_min_isr(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    const int32_t one[] = {1};
    replica_state_become(&rs, 1, three, 3, one, 1, 1, 0, 0, 0);
    assert_true(replica_state_under_min_isr(&rs, 2));
    assert_false(replica_state_under_min_isr(&rs, 1));
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 0, 0);
    assert_false(replica_state_under_min_isr(&rs, 2));
    replica_state_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_node),
        cmocka_unit_test(test_leader_hw_over_isr),
        cmocka_unit_test(test_isr_only),
        cmocka_unit_test(test_new_epoch_resets_peers),
        cmocka_unit_test(test_follower_and_offline),
        cmocka_unit_test(test_checkpoint_capped),
        cmocka_unit_test(test_min_isr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
