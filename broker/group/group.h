/*
 * group.h - one consumer group's classic membership protocol, as a state
 * machine with an explicit clock.
 *
 *            join (new member / changed metadata / leave / expiry)
 *   Empty ─────────────────────────────► PreparingRebalance
 *     ▲                                     │ every known member re-joined,
 *     │ last member left                    │ or the rebalance timeout
 *     │                                     ▼ (first one: initial delay)
 *   Stable ◄──── leader's SyncGroup ──── CompletingRebalance
 *
 * The group only relays what members send: protocol metadata in JoinGroup
 * and the leader's assignments in SyncGroup are opaque bytes, so Kafka
 * consumers ("consumer") and Connect workers ("connect") both work.
 * Requests that must wait (JoinGroup until the rebalance completes, SyncGroup
 * until the leader's assignment arrives) are answered by polling
 * group_join_result / group_sync_result after group_tick or any change.
 *
 * Rules follow Apache Kafka's GroupCoordinator (classic protocol): member id
 * required from JoinGroup v4, generation fencing, protocol selection by vote
 * among protocols every member supports, session and rebalance timeouts,
 * static members (group.instance.id) keeping their id across restarts.
 *
 * Not locked, no shared state: every function is @locality any thread,
 * @locks the coordinator lock held for a group the coordinator owns (a
 * group_t is used by one thread at a time).  Times are milliseconds on any
 * monotonic clock.  Strings passed in are copied.
 */
#ifndef CONNECTD_GROUP_H
#define CONNECTD_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/kerr.h"

typedef enum group_state {
    GROUP_EMPTY,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
    GROUP_DEAD,
} group_state_t;

typedef struct group group_t;

typedef struct group_protocol {
    const char *name;
    const uint8_t *metadata;
    size_t metadata_len;
} group_protocol_t;

typedef struct group_join_params {
    const char *member_id;   /* "" for a new member */
    const char *instance_id; /* NULL: dynamic member */
    const char *client_id;
    const char *client_host;
    const char *protocol_type;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    const group_protocol_t *protocols;
    int n_protocols;
    bool member_id_required; /* JoinGroup v4+: a new member first gets an id (79) */
    int32_t max_size;        /* group.max.size: a new member beyond it gets 81; 0 = no limit */
} group_join_params_t;

/* One member as the leader's JoinGroup response lists it. */
typedef struct group_member_view {
    const char *member_id;
    const char *instance_id;
    const uint8_t *metadata; /* for the selected protocol */
    size_t metadata_len;
} group_member_view_t;

typedef struct group_join_result {
    kerr_t error;
    int32_t generation;
    const char *protocol;
    const char *leader;
    const char *member_id;
    int n_members; /* only for the leader; 0 otherwise */
    const group_member_view_t *members; /* valid until the next call on the group */
} group_join_result_t;

typedef struct group_assignment {
    const char *member_id;
    const uint8_t *data;
    size_t len;
} group_assignment_t;

group_t *group_create(const char *group_id, int64_t initial_rebalance_delay_ms);
void group_destroy(group_t *grp); /* NULL is fine */

/*
 * A JoinGroup.  Returns an error to answer at once, or KERR_NONE when the
 * request must wait for group_join_result(*member_id).  MEMBER_ID_REQUIRED
 * also sets *member_id (the id the client must re-join with).  *member_id
 * points into the group and stays valid while the member exists.
 */
kerr_t group_join(group_t *grp, const group_join_params_t *p, int64_t now, const char **member_id);

/* Whether the JoinGroup of `member_id` can be answered now; fills *res. */
bool group_join_result(group_t *grp, const char *member_id, group_join_result_t *res);

/* A SyncGroup.  An error answers at once; KERR_NONE means poll
 * group_sync_result.  The leader's assignments are copied.  `protocol_type`
 * and `protocol_name` (SyncGroup v5+; NULL when not sent) must match the
 * group's, or INCONSISTENT_GROUP_PROTOCOL. */
kerr_t group_sync(group_t *grp, const char *member_id, int32_t generation, const char *protocol_type,
                  const char *protocol_name, const group_assignment_t *assignments, int n_assignments, int64_t now);

/* Whether the SyncGroup of `member_id` can be answered; *err is its error
 * (REBALANCE_IN_PROGRESS if a new rebalance started meanwhile). */
bool group_sync_result(group_t *grp, const char *member_id, kerr_t *err, const uint8_t **assignment,
                       size_t *len);

kerr_t group_heartbeat(group_t *grp, const char *member_id, int32_t generation, int64_t now);

/* Static membership fencing (KIP-345): a request naming group instance
 * `instance_id` with a member id other than the one that instance has now
 * comes from a replaced process (a zombie) and gets FENCED_INSTANCE_ID.
 * KERR_NONE when `instance_id` is NULL or matches. */
kerr_t group_check_instance(group_t *grp, const char *member_id, const char *instance_id);
/* The member id static member `instance_id` has now, or NULL; valid until
 * the next change to the group (LeaveGroup v3+ names members this way). */
const char *group_instance_member(group_t *grp, const char *instance_id);
kerr_t group_leave(group_t *grp, const char *member_id, int64_t now);

/* Session expiry, rebalance and initial-delay deadlines.  Call periodically
 * and whenever a waiting request should be rechecked. */
void group_tick(group_t *grp, int64_t now);

/*
 * Whether an OffsetCommit from this member may be stored (AK
 * validateOffsetCommit): a member's commit needs its id (25) and the
 * current generation (22), and none is taken while the assignment is being
 * handed out (27); a commit without member and generation (an admin tool,
 * or a consumer that assigns partitions itself) is only taken while the
 * group has no members (25).  Refreshes the member's session.
 */
kerr_t group_commit_check(group_t *grp, const char *member_id, int32_t generation, int64_t now);

/* A reloaded group: Empty, with the generation and protocol type it had. */
void group_restore(group_t *grp, const char *protocol_type, int32_t generation);

/* One member as DescribeGroups and the stored group metadata show it. */
typedef struct group_member_info {
    const char *member_id;
    const char *instance_id; /* NULL: dynamic */
    const char *client_id;
    const char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    const uint8_t *metadata; /* for the selected protocol (or the first one before a selection) */
    size_t metadata_len;
    const uint8_t *assignment; /* NULL until the leader's SyncGroup */
    size_t assignment_len;
} group_member_info_t;

/* The i-th member, 0 <= i < group_member_count(); pointers stay valid until
 * the next change to the group. */
void group_member_info(const group_t *grp, int i, group_member_info_t *info);

group_state_t group_state(const group_t *grp);
const char *group_name(const group_t *grp); /* the group id */
const char *group_protocol_type(const group_t *grp); /* NULL before any member joined */
const char *group_protocol(const group_t *grp);      /* selected protocol; NULL if none */
const char *group_leader(const group_t *grp);        /* NULL if none */
const char *group_state_name(group_state_t state);
int32_t group_generation(const group_t *grp);
int group_member_count(const group_t *grp);

#endif
