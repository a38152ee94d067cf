/* Unit tests for connect_assignor.c: the leader's spreading of connectors and
 * tasks, round by round, as Kafka's EagerAssignor and
 * IncrementalCooperativeAssignor do it.  Each round's members report what
 * they run (what they ran, less what was revoked, plus what was assigned);
 * assignments are shown as "c[-1,0] d[1]" (connector c and its task 0, task
 * 1 of d), "assigned | revoked". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed/connect_assignor.h"

#define MAX_MEMBERS 4

static void entries_text(const connect_assignment_entry_t *e, size_t n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(out + len, size - len, "%s%s[", i ? " " : "", e[i].connector);
        for (size_t t = 0; t < e[i].n_tasks; t++) {
            len += (size_t)snprintf(out + len, size - len, "%s%d", t ? "," : "", e[i].tasks[t]);
        }
        len += (size_t)snprintf(out + len, size - len, "]");
    }
}

/* A member between rounds: its id and what it runs, as a version 1
 * assignment (its metadata's allocation). */
typedef struct sim_member {
    const char *id;
    connect_assignment_t running;
} sim_member_t;

static bool running_has(const connect_assignment_t *r, const char *c, int32_t t)
{
    for (size_t e = 0; e < r->n_assigned; e++) {
        for (size_t k = 0; strcmp(r->assigned[e].connector, c) == 0 && k < r->assigned[e].n_tasks; k++) {
            if (r->assigned[e].tasks[k] == t) {
                return true;
            }
        }
    }
    return false;
}

static void running_add(connect_assignment_t *r, const char *c, int32_t t)
{
    connect_assignment_entry_t *e = NULL;
    for (size_t i = 0; i < r->n_assigned && !e; i++) {
        e = strcmp(r->assigned[i].connector, c) == 0 ? &r->assigned[i] : NULL;
    }
    if (!e) {
        r->assigned = realloc(r->assigned, (r->n_assigned + 1) * sizeof(*r->assigned));
        e = &r->assigned[r->n_assigned++];
        *e = (connect_assignment_entry_t){.connector = strdup(c)};
    }
    e->tasks = realloc(e->tasks, (e->n_tasks + 1) * sizeof(int32_t));
    e->tasks[e->n_tasks++] = t;
}

static void running_remove(connect_assignment_t *r, const char *c, int32_t t)
{
    for (size_t e = 0; e < r->n_assigned; e++) {
        connect_assignment_entry_t *en = &r->assigned[e];
        for (size_t k = 0; strcmp(en->connector, c) == 0 && k < en->n_tasks; k++) {
            if (en->tasks[k] == t) {
                memmove(&en->tasks[k], &en->tasks[k + 1], (en->n_tasks - k - 1) * sizeof(int32_t));
                en->n_tasks--;
                return;
            }
        }
    }
}

static void running_clear(connect_assignment_t *r)
{
    for (size_t e = 0; e < r->n_assigned; e++) {
        free(r->assigned[e].connector);
        free(r->assigned[e].tasks);
    }
    free(r->assigned);
    memset(r, 0, sizeof(*r));
}

/* One round for members[0..n): each one's "assigned | revoked" in texts[i];
 * every member then runs its new set.  Returns the delay. */
static int32_t round_of(connect_assignor_t *asg, connect_protocol_t proto, sim_member_t *members, size_t n,
                        const connect_assignor_connector_t *connectors, size_t n_connectors, int64_t now,
                        char texts[][256])
{
    connect_assignor_member_t in[MAX_MEMBERS];
    for (size_t i = 0; i < n; i++) {
        in[i] = (connect_assignor_member_t){members[i].id,
                                            proto == CONNECT_PROTOCOL_EAGER ? NULL : &members[i].running};
    }
    connect_assignor_round_t round = {proto, "leader-id", "http://leader:8083/", 7, now};
    connect_assignment_t **out = connect_assignor_assign(asg, &round, in, n, connectors, n_connectors);
    int32_t delay = 0;
    for (size_t i = 0; i < n; i++) {
        char a[128], r[128];
        entries_text(out[i]->assigned, out[i]->n_assigned, a, sizeof(a));
        entries_text(out[i]->revoked, out[i]->n_revoked, r, sizeof(r));
        snprintf(texts[i], 256, "%s | %s", a, r);
        assert_string_equal(out[i]->leader_url, "http://leader:8083/");
        assert_int_equal(out[i]->config_offset, 7);
        assert_int_equal(out[i]->version, (int)proto);
        delay = out[i]->delay_ms;
        if (proto == CONNECT_PROTOCOL_EAGER) {
            running_clear(&members[i].running);
        }
        for (size_t e = 0; e < out[i]->n_revoked; e++) {
            for (size_t k = 0; k < out[i]->revoked[e].n_tasks; k++) {
                running_remove(&members[i].running, out[i]->revoked[e].connector, out[i]->revoked[e].tasks[k]);
            }
        }
        for (size_t e = 0; e < out[i]->n_assigned; e++) {
            for (size_t k = 0; k < out[i]->assigned[e].n_tasks; k++) {
                const char *c = out[i]->assigned[e].connector;
                int32_t t = out[i]->assigned[e].tasks[k];
                assert_false(running_has(&members[i].running, c, t));
                running_add(&members[i].running, c, t);
            }
        }
        connect_assignment_destroy(out[i]);
    }
    free(out);
    return delay;
}

static void members_free(sim_member_t *members, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        running_clear(&members[i].running);
    }
}

static void test_eager_round_robin(void **state)
{
    (void)state;
    /* Kafka's EagerAssignor: members sorted (a before b), connectors then
     * tasks from one iterator: c1->a, c2->b, c1-0->a, c1-1->b, c2-0->a. */
    connect_assignor_connector_t config[] = {{"c2", 1}, {"c1", 2}};
    sim_member_t m[] = {{"b", {0}}, {"a", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(0);
    round_of(asg, CONNECT_PROTOCOL_EAGER, m, 2, config, 2, 0, t);
    assert_string_equal(t[1], "c1[-1,0] c2[0] | ");
    assert_string_equal(t[0], "c2[-1] c1[1] | ");
    /* Eager hands out everything every time. */
    round_of(asg, CONNECT_PROTOCOL_EAGER, m, 2, config, 2, 0, t);
    assert_string_equal(t[1], "c1[-1,0] c2[0] | ");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

static void test_cooperative_join_revokes_then_assigns(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 3}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}, {"c", {0}}};
    char t[3][256];
    connect_assignor_t *asg = connect_assignor_create(0);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 1, config, 1, 0, t);
    assert_string_equal(t[0], "c[-1,0,1,2] | ");
    /* b joins: a keeps what is fair and gives up the rest... */
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    assert_string_equal(t[0], " | c[2]");
    assert_string_equal(t[1], " | ");
    /* ...which the next round, a rejoining at once, hands to b. */
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    assert_string_equal(t[0], " | ");
    assert_string_equal(t[1], "c[2] | ");
    /* A third member: tasks 2:1:0 differ by 2; a gives one up, c gets it. */
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 3, config, 1, 0, t);
    assert_string_equal(t[0], " | c[1]");
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 3, config, 1, 0, t);
    assert_string_equal(t[2], "c[1] | ");
    /* Stable: nothing moves. */
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 3, config, 1, 0, t);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(t[i], " | ");
    }
    members_free(m, 3);
    connect_assignor_destroy(asg);
}

static void test_lost_work_moves_at_once_without_delay(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 2}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(0);
    round_of(asg, CONNECT_PROTOCOL_COMPATIBLE, m, 2, config, 1, 0, t);
    assert_string_equal(t[0], "c[-1,0] | ");
    assert_string_equal(t[1], "c[1] | ");
    /* b is gone (kill -9): its task moves to a in the same round. */
    int32_t delay = round_of(asg, CONNECT_PROTOCOL_COMPATIBLE, m, 1, config, 1, 0, t);
    assert_int_equal(delay, 0);
    assert_string_equal(t[0], "c[1] | ");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

static void test_lost_work_held_for_the_delay(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 2}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(1000);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    /* b is gone at 100: its task is held, the delay says for how long. */
    assert_int_equal(round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 1, config, 1, 100, t), 1000);
    assert_string_equal(t[0], " | ");
    assert_int_equal(round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 1, config, 1, 600, t), 500);
    assert_string_equal(t[0], " | ");
    /* The delay is over: a takes it. */
    assert_int_equal(round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 1, config, 1, 1100, t), 0);
    assert_string_equal(t[0], "c[1] | ");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

static void test_lost_work_goes_to_a_returning_worker(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 2}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(1000);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 1, config, 1, 100, t);
    /* b comes back (a new member id, nothing running) within the delay. */
    running_clear(&m[1].running);
    m[1].id = "b2";
    assert_int_equal(round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 200, t), 0);
    assert_string_equal(t[0], " | ");
    assert_string_equal(t[1], "c[1] | ");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

static void test_lost_work_goes_to_a_member_that_runs_nothing(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 2}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(1000);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    /* b lost its place (its session ran out, or it fenced itself) and
     * stopped its work; it joins again with the same id, running nothing:
     * its task is not held for the delay, as nothing would run it. */
    running_clear(&m[1].running);
    assert_int_equal(round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 100, t), 0);
    assert_string_equal(t[0], " | ");
    assert_string_equal(t[1], "c[1] | ");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

static void test_no_members_no_crash(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 2}};
    connect_assignor_t *asg = connect_assignor_create(0);
    connect_assignor_round_t round = {.protocol = CONNECT_PROTOCOL_SESSIONED, .leader_id = "a", .leader_url = "u"};
    /* A coordinator's JoinGroup answer naming no members: nothing to deal. */
    connect_assignment_t **out = connect_assignor_assign(asg, &round, NULL, 0, config, 1);
    assert_non_null(out);
    free(out);
    round.protocol = CONNECT_PROTOCOL_EAGER;
    out = connect_assignor_assign(asg, &round, NULL, 0, config, 1);
    assert_non_null(out);
    free(out);
    connect_assignor_destroy(asg);
}

static void test_deleted_and_duplicate_work_is_revoked(void **state)
{
    (void)state;
    connect_assignor_connector_t config[] = {{"c", 1}, {"d", 1}};
    sim_member_t m[] = {{"a", {0}}, {"b", {0}}};
    char t[2][256];
    connect_assignor_t *asg = connect_assignor_create(0);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 2, 0, t);
    assert_string_equal(t[0], "c[-1,0] | ");
    assert_string_equal(t[1], "d[-1,0] | ");
    /* d deleted; b also claims c's connector (a stale report). */
    running_add(&m[1].running, "c", -1);
    round_of(asg, CONNECT_PROTOCOL_SESSIONED, m, 2, config, 1, 0, t);
    assert_string_equal(t[0], " | ");
    assert_string_equal(t[1], " | d[-1,0] c[-1]");
    members_free(m, 2);
    connect_assignor_destroy(asg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eager_round_robin),
        cmocka_unit_test(test_cooperative_join_revokes_then_assigns),
        cmocka_unit_test(test_lost_work_moves_at_once_without_delay),
        cmocka_unit_test(test_lost_work_held_for_the_delay),
        cmocka_unit_test(test_lost_work_goes_to_a_returning_worker),
        cmocka_unit_test(test_lost_work_goes_to_a_member_that_runs_nothing),
        cmocka_unit_test(test_deleted_and_duplicate_work_is_revoked),
        cmocka_unit_test(test_no_members_no_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
