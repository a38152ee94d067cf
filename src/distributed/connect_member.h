/*
 * connect_member.h - a distributed worker's membership of its Connect
 * group: group_member.h speaking Kafka Connect's protocols
 * (connect_protocol.h).  It offers the protocols connect.protocol allows
 * with the worker's metadata (its advertised REST URL and the config topic
 * offset it has read), hands out assignments when it is the leader, and
 * keeps the last assignment it received, with the leader's URL, for the
 * rest of the worker to read.
 */
#ifndef CONNECTD_CONNECT_MEMBER_H
#define CONNECTD_CONNECT_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/distributed_config.h"
#include "connect_protocol.h"
#include "properties.h"

typedef struct connect_member connect_member_t;

/* Where this member stands, copied out (connect_member_view_free). */
typedef struct connect_member_view {
    int32_t generation; /* -1 before the first assignment */
    char *member_id;    /* "" before the first assignment */
    char *protocol;     /* "default", "compatible", "sessioned", or "" */
    bool leader;
    char *leader_url; /* "" before the first assignment */
    /* What the worker runs (`assigned`), with the leader and config offset
     * of the last assignment; NULL before the first. */
    connect_assignment_t *assignment;
} connect_member_view_t;

/* Follows config.storage.topic (which exists) and joins group.id at
 * `bootstrap` as the worker advertised at `url`.  `dcfg` and
 * `worker_props` (the worker's file, for the consumer's settings) are
 * borrowed for the call.  NULL with errstr when the member cannot start. */
connect_member_t *connect_member_start(const distributed_config_t *dcfg, const char *bootstrap, const char *url,
                                       const char *client_id, const properties_t *worker_props, char *errstr,
                                       size_t errstr_size);

/* Fills `view` with a copy of the member's state.
 * @locality any thread */
void connect_member_view(connect_member_t *cm, connect_member_view_t *view);
void connect_member_view_free(connect_member_view_t *view);

/* Leaves the group and frees; NULL is fine. */
void connect_member_stop(connect_member_t *cm);

#endif
