/*
 * connect_assignor.h - how a Connect group's leader spreads connectors and
 * tasks over the workers, as Kafka's two assignors do.
 *
 * Eager (protocol "default", Kafka's EagerAssignor): every worker stopped
 * everything before it joined; each gets its whole share, connectors and
 * then tasks dealt round-robin over the members sorted by id.
 *
 * Incremental cooperative ("compatible", "sessioned", Kafka's
 * IncrementalCooperativeAssignor): workers keep running through a
 * rebalance and report what they run in their metadata.  Each assignment
 * names only what a worker starts (assigned) and what it stops (revoked):
 * work of deleted connectors is revoked, new work goes to the least loaded
 * workers (connectors and tasks counted apart), and when the loads differ
 * by more than one the busiest workers give up their excess, which the
 * next rebalance (the revoking workers rejoin at once) hands out.  Work
 * that a departed worker ran is "lost": with scheduled.rebalance.max.delay.ms
 * above 0 it is held for that long in case the worker comes back (a new
 * worker takes it sooner), with 0 it moves at once.
 *
 * Pure computation plus the leader's memory of what it handed out last;
 * not thread-safe (the group member's thread owns it).
 */
#ifndef CONNECTD_CONNECT_ASSIGNOR_H
#define CONNECTD_CONNECT_ASSIGNOR_H

#include <stddef.h>
#include <stdint.h>

#include "connect_protocol.h"

typedef struct connect_assignor connect_assignor_t;

/* A connector of the config snapshot and its task count (from its last
 * commit record); borrowed for the call. */
typedef struct connect_assignor_connector {
    const char *name;
    int32_t n_tasks;
} connect_assignor_connector_t;

/* A member as the leader sees it in JoinGroup; borrowed for the call. */
typedef struct connect_assignor_member {
    const char *member_id;
    /* What the member runs now (its metadata's allocation, with
     * CONNECT_PROTOCOL_CONNECTOR_TASK for a connector), or NULL: nothing,
     * or eager. */
    const connect_assignment_t *running;
} connect_assignor_member_t;

/* What the leader hands out: the fields of every assignment but the
 * work. */
typedef struct connect_assignor_round {
    connect_protocol_t protocol;
    const char *leader_id;
    const char *leader_url;
    int64_t config_offset;
    int64_t now_ms; /* for the delay of lost work */
} connect_assignor_round_t;

connect_assignor_t *connect_assignor_create(int32_t max_delay_ms);
void connect_assignor_destroy(connect_assignor_t *asg); /* NULL is fine */

/* The assignments of members[0..n) (returned array of n, each freed with
 * connect_assignment_destroy, the array with free), for the config
 * snapshot connectors[0..n_connectors). */
connect_assignment_t **connect_assignor_assign(connect_assignor_t *asg, const connect_assignor_round_t *round,
                                               const connect_assignor_member_t *members, size_t n,
                                               const connect_assignor_connector_t *connectors, size_t n_connectors);

#endif
