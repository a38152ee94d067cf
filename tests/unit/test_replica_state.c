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

/* Kafka's caught-up rule: a follower that fetches at what the leader's log
 * end was at its previous fetch was caught up then; one that falls behind
 * for longer than the lag limit leaves the ISR, and joins again once it
 * reaches the high watermark. */
static void test_isr_wanted(void **state)
{
    (void)state;
    replica_state_t rs;
    replica_state_init(&rs, 0);
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 10, 0);
    int32_t out[6];
    /* Steady writes: each fetch is at the previous log end. */
    replica_state_follower_fetched(&rs, 2, 10, 10, 100);
    replica_state_follower_fetched(&rs, 3, 10, 10, 100);
    replica_state_follower_fetched(&rs, 2, 10, 20, 200);
    replica_state_follower_fetched(&rs, 2, 20, 30, 300);
    assert_int_equal(rs.peers[0].last_caught_up_ms, 200);
    /* 3 stopped fetching at 10 while the log went on to 30. */
    assert_int_equal(replica_state_isr_wanted(&rs, 1, three, 3, 30, 200 + 500, 1000, out), 3);
    int32_t n = replica_state_isr_wanted(&rs, 1, three, 3, 30, 100 + 1001, 1000, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    /* Out of the ISR, 3 comes back once it reaches the high watermark. */
    const int32_t isr[] = {1, 2};
    replica_state_become(&rs, 1, three, 3, isr, 2, 1, 0, 30, 1200);
    replica_state_follower_fetched(&rs, 2, 30, 30, 1300);
    assert_int_equal(replica_state_isr_wanted(&rs, 1, isr, 2, 30, 1300, 1000, out), 2);
    replica_state_follower_fetched(&rs, 3, 30, 30, 1400);
    assert_int_equal(replica_state_isr_wanted(&rs, 1, isr, 2, 30, 1400, 1000, out), 3);
    assert_int_equal(out[2], 3);
    /* A follower with the whole log stays even when it stops fetching. */
    replica_state_become(&rs, 1, three, 3, three, 3, 1, 0, 30, 1400);
    assert_int_equal(replica_state_isr_wanted(&rs, 1, three, 3, 30, 99999, 1000, out), 3);
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

static void test_truncation_offset(void **state)
{
    (void)state;
    bool done;
    /* A led epoch 3 to 120, C had 100 of it, then led epoch 5 alone and
     * wrote 100-109; B, leader of epoch 7, answers C's question about
     * epoch 5 with epoch 3 ending at 120.  C's epoch 3 ends at 100: its
     * tail from 100 is not the leader's. */
    assert_int_equal(replica_state_truncation_offset(3, 120, 3, 100, 90, &done), 100);
    assert_true(done);
    /* The same epoch ending later here than on the leader. */
    assert_int_equal(replica_state_truncation_offset(3, 80, 3, 100, 50, &done), 80);
    assert_true(done);
    /* Another epoch here: cut to its end here and ask again. */
    assert_int_equal(replica_state_truncation_offset(3, 120, 2, 70, 50, &done), 70);
    assert_false(done);
    /* The leader does not know the epoch: the high watermark. */
    assert_int_equal(replica_state_truncation_offset(-1, -1, -1, -1, 50, &done), 50);
    assert_true(done);
    /* This log does not know the leader's epoch: the leader's end. */
    assert_int_equal(replica_state_truncation_offset(4, 60, -1, -1, 50, &done), 60);
    assert_true(done);
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
        cmocka_unit_test(test_isr_wanted),
        cmocka_unit_test(test_min_isr),
        cmocka_unit_test(test_truncation_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
