/*
 * connect_member.h - a distributed worker's membership of its Connect
 * group: group_member.h speaking Kafka Connect's protocols
 * (connect_protocol.h).  It offers the protocols connect.protocol allows
 * with the worker's metadata (its advertised REST URL and the config topic
 * offset it has read), hands out assignments when it is the leader, and
 * tells the worker what to run after each assignment (cluster_work.h runs
 * it).
 */
#ifndef CONNECTD_CONNECT_MEMBER_H
#define CONNECTD_CONNECT_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/distributed_config.h"
#include "config_tail.h"
#include "connect_protocol.h"

typedef struct connect_member connect_member_t;

/* Told, on the member's thread, what the worker is to run after each
 * assignment (`running->assigned`, borrowed for the call; NULL after the
 * member lost its place, or before an eager member joins again: nothing).
 * With `wait` it returns only once the work it no longer runs has stopped,
 * and is called without the member's lock. */
typedef void(connect_member_running_cb)(void *ctx, const connect_assignment_t *running, int32_t generation, bool wait);

/* Joins group.id at `bootstrap` as the worker advertised at `url`, with
 * the config topic as `tail` follows it (borrowed until stop).  `dcfg` is
 * borrowed for the call.  NULL with errstr when the member cannot start. */
connect_member_t *connect_member_start(const distributed_config_t *dcfg, const char *bootstrap, const char *url,
                                       const char *client_id, config_tail_t *tail, connect_member_running_cb *running,
                                       void *ctx, char *errstr, size_t errstr_size);

/* Asks for a rebalance (the config topic changed what there is to assign).
 * @locality any thread */
void connect_member_rejoin(connect_member_t *cm);

/* The worker runs exactly the assignment of `generation` now: work the
 * leader revoked has stopped, so a cooperative member asked to give it up
 * rejoins now, and the leader may hand it out.
 * @locality any thread */
void connect_member_work_settled(connect_member_t *cm, int32_t generation);

/* Leaves the group and frees; NULL is fine. */
void connect_member_stop(connect_member_t *cm);

#endif
