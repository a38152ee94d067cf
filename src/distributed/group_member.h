/*
 * group_member.h - one member of a Kafka consumer-protocol group, the way a
 * Connect worker is one: FindCoordinator, JoinGroup, SyncGroup, Heartbeat
 * and LeaveGroup against any Kafka-compatible broker, on a thread of its
 * own.  librdkafka runs this protocol only for its consumers (protocol
 * type "consumer", assignments of partitions); Connect needs the generic
 * protocol with its own type ("connect") and opaque metadata and
 * assignments, so group_member.c speaks the five APIs itself.
 *
 * The member knows nothing of Connect: the handler gives the protocols
 * and their metadata before each JoinGroup, computes the assignments when
 * the member is the leader, and receives each generation's assignment.
 * Every callback runs on the member's thread, one at a time; none may
 * call back into the member except group_member_rejoin.
 */
#ifndef CONNECTD_GROUP_MEMBER_H
#define CONNECTD_GROUP_MEMBER_H

#include <stddef.h>
#include <stdint.h>

typedef struct group_member group_member_t;

typedef struct group_member_config {
    const char *bootstrap;     /* "host:port[,host:port...]", a "PLAINTEXT://" prefix allowed */
    const char *group_id;      /* group.id */
    const char *protocol_type; /* "connect" */
    const char *client_id;     /* shown by the broker for the member */
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t retry_backoff_ms; /* between attempts when the coordinator is unknown or busy */
} group_member_config_t;

/* A protocol offered in JoinGroup: `metadata` malloc'd by the handler and
 * taken by the member. */
typedef struct group_protocol_offer {
    const char *name; /* static, or owned by the handler until its next offer call */
    uint8_t *metadata;
    size_t metadata_len;
} group_protocol_offer_t;

/* A member of the generation, as the leader sees it in JoinGroup's
 * response; borrowed for the assign call. */
typedef struct group_member_info {
    const char *member_id;
    const uint8_t *metadata;
    size_t metadata_len;
} group_member_info_t;

typedef struct group_member_handler {
    void *ctx;
    /* Before every JoinGroup: fills up to `max` offers, newest protocol
     * first, and returns how many.  An eager member stops its work here. */
    size_t (*offer)(void *ctx, group_protocol_offer_t *offers, size_t max);
    /* On the leader, between JoinGroup and SyncGroup: assignments[i]
     * (malloc'd, taken; NULL for an empty one) and lens[i] for members[i]
     * of the n, under the protocol the coordinator chose. */
    void (*assign)(void *ctx, const char *protocol, const char *leader_id, const group_member_info_t *members, size_t n,
                   uint8_t **assignments, size_t *lens);
    /* A generation's assignment for this member (borrowed for the call). */
    void (*assigned)(void *ctx, const char *protocol, int32_t generation, const char *member_id,
                     const uint8_t *assignment, size_t len);
    /* The member lost its place in the group (the coordinator no longer
     * knows it, or its generation is over before it rejoined): whatever it
     * runs may run elsewhere already, so it stops everything. */
    void (*lost)(void *ctx, const char *why);
} group_member_handler_t;

/* Starts the member's thread, which finds the coordinator and joins.
 * `cfg` and `handler` are copied.  NULL with errstr when the thread
 * cannot start or the bootstrap list is empty. */
group_member_t *group_member_start(const group_member_config_t *cfg, const group_member_handler_t *handler,
                                   char *errstr, size_t errstr_size);

/* Asks for a rebalance: the member sends JoinGroup again soon, which makes
 * the coordinator start a new generation for every member.
 * @locality any thread, the handler's callbacks included */
void group_member_rejoin(group_member_t *gm);

/* Asks for a rebalance `ms` from now (replacing an earlier such request),
 * as a Connect worker does when its assignment carries a delay.
 * @locality any thread, the handler's callbacks included */
void group_member_rejoin_after(group_member_t *gm, int32_t ms);

/* Leaves the group (LeaveGroup, so the others rebalance at once rather
 * than after the session timeout), stops the thread and frees.  NULL is
 * fine.
 * @locality any thread but the member's own */
void group_member_stop(group_member_t *gm);

#endif
