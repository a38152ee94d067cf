/* Unit tests for group.c: the classic group state machine driven with an
 * explicit clock - joins with MEMBER_ID_REQUIRED, the initial delay, leader
 * election and member lists, sync, heartbeats during a rebalance, session
 * expiry, leave, static members, and the protocol's error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "group/group.h"

static const uint8_t meta_a[] = {0, 1, 'a'};
static const group_protocol_t range_rr[] = {{"range", meta_a, sizeof(meta_a)}, {"roundrobin", meta_a, 3}};
static const group_protocol_t rr_only[] = {{"roundrobin", meta_a, sizeof(meta_a)}};
static const group_protocol_t sticky_only[] = {{"cooperative-sticky", meta_a, sizeof(meta_a)}};

static group_join_params_t params(const char *member_id, const group_protocol_t *protos, int n)
{
    group_join_params_t p = {
        .member_id = member_id, .client_id = "rdkafka", .client_host = "/127.0.0.1",
        .protocol_type = "consumer", .session_timeout_ms = 10000, .rebalance_timeout_ms = 30000,
        .protocols = protos, .n_protocols = n, .member_id_required = true,
    };
    return p;
}

/* Joins a new member through MEMBER_ID_REQUIRED; returns its id (copied). */
static char *join_new(group_t *grp, const group_protocol_t *protos, int n, int64_t now)
{
    group_join_params_t p = params("", protos, n);
    const char *id;
    assert_int_equal(group_join(grp, &p, now, &id), KERR_MEMBER_ID_REQUIRED);
    assert_non_null(id);
    char *copy = strdup(id);
    p.member_id = copy;
    assert_int_equal(group_join(grp, &p, now, &id), KERR_NONE);
    assert_string_equal(id, copy);
    return copy;
}

static void test_two_members_form_a_group(void **state)
{
    group_t *grp = group_create("g", 3000);
    char *a = join_new(grp, range_rr, 2, 0);
    char *b = join_new(grp, rr_only, 1, 100);
    group_join_result_t res;
    assert_false(group_join_result(grp, a, &res)); /* initial delay still running */
    assert_int_equal(group_state(grp), GROUP_PREPARING_REBALANCE);
    group_tick(grp, 3000);
    assert_int_equal(group_state(grp), GROUP_COMPLETING_REBALANCE);
    assert_true(group_join_result(grp, a, &res));
    assert_int_equal(res.generation, 1);
    assert_string_equal(res.protocol, "roundrobin"); /* the only one both support */
    assert_string_equal(res.leader, a);
    assert_int_equal(res.n_members, 2);
    assert_true(group_join_result(grp, b, &res));
    assert_int_equal(res.n_members, 0); /* followers get no member list */
    /* The follower syncs first and waits for the leader's assignment. */
    assert_int_equal(group_sync(grp, b, 1, NULL, NULL, NULL, 0, 3100), KERR_NONE);
    kerr_t err;
    const uint8_t *data;
    size_t len;
    assert_false(group_sync_result(grp, b, &err, &data, &len));
    group_assignment_t assign[] = {{a, (const uint8_t *)"AA", 2}, {b, (const uint8_t *)"BBB", 3}};
    assert_int_equal(group_sync(grp, a, 1, NULL, NULL, assign, 2, 3200), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_STABLE);
    assert_true(group_sync_result(grp, b, &err, &data, &len));
    assert_int_equal(err, KERR_NONE);
    assert_true(len == 3 && memcmp(data, "BBB", 3) == 0);
    assert_true(group_sync_result(grp, a, &err, &data, &len));
    assert_true(len == 2 && memcmp(data, "AA", 2) == 0);
    assert_int_equal(group_heartbeat(grp, b, 1, 4000), KERR_NONE);
    free(a);
    free(b);
    group_destroy(grp);
}

static void test_third_member_triggers_rebalance(void **state)
{
    group_t *grp = group_create("g", 0);
    char *a = join_new(grp, rr_only, 1, 0);
    group_join_result_t res;
    assert_true(group_join_result(grp, a, &res));
    assert_int_equal(group_sync(grp, a, 1, NULL, NULL, NULL, 0, 0), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_STABLE);
    char *b = join_new(grp, rr_only, 1, 10);
    assert_int_equal(group_state(grp), GROUP_PREPARING_REBALANCE);
    assert_int_equal(group_heartbeat(grp, a, 1, 20), KERR_REBALANCE_IN_PROGRESS);
    assert_false(group_join_result(grp, b, &res)); /* waits for a to re-join */
    group_join_params_t p = params(a, rr_only, 1);
    const char *id;
    assert_int_equal(group_join(grp, &p, 30, &id), KERR_NONE);
    assert_true(group_join_result(grp, b, &res));
    assert_int_equal(res.generation, 2);
    assert_int_equal(group_heartbeat(grp, a, 1, 40), KERR_ILLEGAL_GENERATION);
    free(a);
    free(b);
    group_destroy(grp);
}

/* A cooperative-sticky leader that revoked partitions re-joins right after its
 * SyncGroup (librdkafka's 0113 b_subscribe_with_cb_test).  Responses that were
 * ready before that re-join are still answered as they were, as Kafka answers
 * them at once: the follower's JoinGroup of generation 2, and in the next
 * round the follower's parked SyncGroup with the leader's assignment.  The
 * next join phase completes as soon as both have re-joined, long before the
 * rebalance timeout. */
static void test_ready_answers_survive_the_next_rebalance(void **state)
{
    group_t *grp = group_create("g", 0);
    char *a = join_new(grp, sticky_only, 1, 0);
    group_join_result_t res;
    assert_true(group_join_result(grp, a, &res));
    assert_int_equal(group_sync(grp, a, 1, NULL, NULL, NULL, 0, 0), KERR_NONE);
    char *b = join_new(grp, sticky_only, 1, 10);
    group_join_params_t pa = params(a, sticky_only, 1), pb = params(b, sticky_only, 1);
    const char *id;
    assert_int_equal(group_join(grp, &pa, 20, &id), KERR_NONE); /* a learnt of it by heartbeat */
    assert_int_equal(group_state(grp), GROUP_COMPLETING_REBALANCE);
    /* The leader's response goes first; it syncs and re-joins at once. */
    assert_true(group_join_result(grp, a, &res));
    assert_int_equal(res.generation, 2);
    group_assignment_t assign[] = {{a, (const uint8_t *)"A", 1}, {b, (const uint8_t *)"", 0}};
    assert_int_equal(group_sync(grp, a, 2, NULL, NULL, assign, 2, 21), KERR_NONE);
    assert_int_equal(group_join(grp, &pa, 22, &id), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_PREPARING_REBALANCE);
    /* b's JoinGroup of generation 2 is answered still; its SyncGroup then
     * says to re-join, and its re-join completes the round. */
    assert_true(group_join_result(grp, b, &res));
    assert_int_equal(res.generation, 2);
    assert_int_equal(group_sync(grp, b, 2, NULL, NULL, NULL, 0, 23), KERR_REBALANCE_IN_PROGRESS);
    assert_int_equal(group_join(grp, &pb, 24, &id), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_COMPLETING_REBALANCE);
    assert_true(group_join_result(grp, a, &res));
    assert_true(group_join_result(grp, b, &res));
    assert_int_equal(res.generation, 3);
    /* Generation 3: b syncs first and waits; the leader's sync answers it,
     * and the leader's re-join before b's answer is polled changes nothing. */
    assert_int_equal(group_sync(grp, b, 3, NULL, NULL, NULL, 0, 25), KERR_NONE);
    kerr_t err;
    const uint8_t *data;
    size_t len;
    assert_false(group_sync_result(grp, b, &err, &data, &len));
    group_assignment_t assign3[] = {{a, (const uint8_t *)"A", 1}, {b, (const uint8_t *)"BB", 2}};
    assert_int_equal(group_sync(grp, a, 3, NULL, NULL, assign3, 2, 26), KERR_NONE);
    assert_int_equal(group_join(grp, &pa, 27, &id), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_PREPARING_REBALANCE);
    assert_true(group_sync_result(grp, b, &err, &data, &len));
    assert_int_equal(err, KERR_NONE);
    assert_true(len == 2 && memcmp(data, "BB", 2) == 0);
    assert_int_equal(group_heartbeat(grp, b, 3, 28), KERR_REBALANCE_IN_PROGRESS);
    assert_int_equal(group_join(grp, &pb, 29, &id), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_COMPLETING_REBALANCE);
    assert_int_equal(group_generation(grp), 4);
    free(a);
    free(b);
    group_destroy(grp);
}

static void test_session_expiry_and_leave(void **state)
{
    group_t *grp = group_create("g", 100);
    char *a = join_new(grp, rr_only, 1, 0);
    char *b = join_new(grp, rr_only, 1, 0);
    group_tick(grp, 100);
    group_join_result_t res;
    assert_true(group_join_result(grp, a, &res));
    assert_true(group_join_result(grp, b, &res));
    assert_int_equal(group_sync(grp, a, 1, NULL, NULL, NULL, 0, 0), KERR_NONE);
    assert_int_equal(group_sync(grp, b, 1, NULL, NULL, NULL, 0, 0), KERR_NONE);
    kerr_t err;
    const uint8_t *data;
    size_t len;
    group_sync_result(grp, a, &err, &data, &len);
    group_sync_result(grp, b, &err, &data, &len);
    /* a keeps heartbeating, b dies: after its session timeout it is removed. */
    assert_int_equal(group_heartbeat(grp, a, 1, 9000), KERR_NONE);
    group_tick(grp, 10001);
    assert_int_equal(group_member_count(grp), 1);
    assert_int_equal(group_state(grp), GROUP_PREPARING_REBALANCE);
    assert_int_equal(group_heartbeat(grp, b, 1, 10002), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_leave(grp, a, 10003), KERR_NONE);
    assert_int_equal(group_state(grp), GROUP_EMPTY);
    assert_int_equal(group_leave(grp, a, 10004), KERR_UNKNOWN_MEMBER_ID);
    free(a);
    free(b);
    group_destroy(grp);
}

static void test_protocol_errors(void **state)
{
    group_t *grp = group_create("g", 0);
    char *a = join_new(grp, range_rr, 2, 0);
    group_join_params_t p = params("", sticky_only, 1);
    const char *id;
    assert_int_equal(group_join(grp, &p, 1, &id), KERR_INCONSISTENT_GROUP_PROTOCOL);
    p = params("", range_rr, 0);
    assert_int_equal(group_join(grp, &p, 1, &id), KERR_INCONSISTENT_GROUP_PROTOCOL);
    p = params("nobody", range_rr, 2);
    assert_int_equal(group_join(grp, &p, 1, &id), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_sync(grp, "nobody", 1, NULL, NULL, NULL, 0, 1), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_sync(grp, a, 7, NULL, NULL, NULL, 0, 1), KERR_ILLEGAL_GENERATION);
    free(a);
    group_destroy(grp);
}

static void test_static_member_keeps_assignment(void **state)
{
    group_t *grp = group_create("g", 0);
    group_join_params_t p = params("", rr_only, 1);
    p.instance_id = "worker-1";
    p.member_id_required = false;
    const char *id;
    assert_int_equal(group_join(grp, &p, 0, &id), KERR_NONE);
    char *first = strdup(id);
    group_join_result_t res;
    assert_true(group_join_result(grp, first, &res));
    group_assignment_t assign[] = {{first, (const uint8_t *)"P0", 2}};
    assert_int_equal(group_sync(grp, first, 1, NULL, NULL, assign, 1, 0), KERR_NONE);
    kerr_t err;
    const uint8_t *data;
    size_t len;
    assert_true(group_sync_result(grp, first, &err, &data, &len));
    /* A quick restart: same instance id, no member id.  No rebalance. */
    assert_int_equal(group_join(grp, &p, 500, &id), KERR_NONE);
    assert_string_not_equal(id, first);
    char *second = strdup(id);
    assert_true(group_join_result(grp, second, &res));
    assert_int_equal(res.generation, 1);
    assert_string_equal(res.leader, second); /* leadership follows the new id */
    assert_int_equal(group_state(grp), GROUP_STABLE);
    assert_int_equal(group_sync(grp, second, 1, NULL, NULL, NULL, 0, 600), KERR_NONE);
    assert_true(group_sync_result(grp, second, &err, &data, &len));
    assert_true(err == KERR_NONE && len == 2 && memcmp(data, "P0", 2) == 0);
    assert_int_equal(group_heartbeat(grp, first, 1, 700), KERR_UNKNOWN_MEMBER_ID); /* the old id is gone */
    /* The replaced process, naming its instance, is told it was fenced. */
    assert_int_equal(group_check_instance(grp, first, "worker-1"), KERR_FENCED_INSTANCE_ID);
    assert_int_equal(group_check_instance(grp, second, "worker-1"), KERR_NONE);
    assert_int_equal(group_check_instance(grp, first, NULL), KERR_NONE);
    assert_int_equal(group_check_instance(grp, "", "worker-1"), KERR_NONE); /* a restart may re-join */
    free(first);
    free(second);
    group_destroy(grp);
}

/* OffsetCommit rules (AK validateOffsetCommit) and group.max.size. */
static void test_commit_check_and_max_size(void **state)
{
    group_t *grp = group_create("g", 0);
    assert_int_equal(group_commit_check(grp, "", -1, 0), KERR_NONE); /* admin commit, no members */
    assert_int_equal(group_commit_check(grp, "ghost", 3, 0), KERR_UNKNOWN_MEMBER_ID);
    group_join_params_t p = params("", rr_only, 1);
    p.member_id_required = false;
    p.max_size = 1;
    const char *id;
    assert_int_equal(group_join(grp, &p, 0, &id), KERR_NONE);
    char *a = strdup(id);
    assert_int_equal(group_join(grp, &p, 0, &id), KERR_GROUP_MAX_SIZE_REACHED);
    group_join_result_t res;
    assert_true(group_join_result(grp, a, &res));
    assert_int_equal(group_commit_check(grp, a, 1, 10), KERR_REBALANCE_IN_PROGRESS); /* awaiting sync */
    assert_int_equal(group_sync(grp, a, 1, NULL, NULL, NULL, 0, 10), KERR_NONE);
    assert_int_equal(group_commit_check(grp, a, 1, 20), KERR_NONE);
    assert_int_equal(group_commit_check(grp, a, 0, 20), KERR_ILLEGAL_GENERATION);
    assert_int_equal(group_commit_check(grp, "", -1, 20), KERR_UNKNOWN_MEMBER_ID); /* group is active */
    free(a);
    group_destroy(grp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_members_form_a_group),
        cmocka_unit_test(test_third_member_triggers_rebalance),
        cmocka_unit_test(test_ready_answers_survive_the_next_rebalance),
        cmocka_unit_test(test_session_expiry_and_leave),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_static_member_keeps_assignment),
        cmocka_unit_test(test_commit_check_and_max_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
