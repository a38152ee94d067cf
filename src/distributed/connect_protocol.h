/*
 * connect_protocol.h - Kafka Connect's group protocol: the member metadata a
 * worker sends in JoinGroup and the assignment the leader hands out in
 * SyncGroup, byte for byte as Kafka's ConnectProtocol (eager, version 0) and
 * IncrementalCooperativeConnectProtocol (compatible, version 1; sessioned,
 * version 2) write them, so a connectd worker and a Kafka Connect worker
 * read each other's bytes.  A pure codec: no group, no sockets.
 *
 * Not thread-safe per object; distinct objects may be used on any thread.
 */
#ifndef CONNECTD_CONNECT_PROTOCOL_H
#define CONNECTD_CONNECT_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/* The protocols a worker offers in JoinGroup, by the version their header
 * carries.  connect.protocol picks the newest a worker offers; it offers
 * that one and every older one, newest first, as Kafka does. */
typedef enum connect_protocol {
    CONNECT_PROTOCOL_EAGER = 0,      /* group protocol name "default" */
    CONNECT_PROTOCOL_COMPATIBLE = 1, /* "compatible": incremental cooperative */
    CONNECT_PROTOCOL_SESSIONED = 2,  /* "sessioned": compatible plus signed internal requests */
} connect_protocol_t;

/* The group protocol name of `proto` ("default", "compatible", "sessioned"). */
const char *connect_protocol_name(connect_protocol_t proto);

/* The protocol a JoinGroup names (`name` as above, case-insensitive, as
 * Kafka compares it), or -1. */
int connect_protocol_from_name(const char *name);

/* The protocol a connect.protocol value names ("eager", "compatible",
 * "sessioned", case-insensitive), or -1. */
int connect_protocol_from_config(const char *value);

/* The task id that stands for the connector itself in an assignment. */
#define CONNECT_PROTOCOL_CONNECTOR_TASK (-1)

/* Assignment errors (Kafka's ConnectProtocol.Assignment). */
#define CONNECT_ASSIGNMENT_NO_ERROR 0
#define CONNECT_ASSIGNMENT_CONFIG_MISMATCH 1 /* read to the end of the config topic and rejoin */

/* One connector's part of an assignment: the connector itself
 * (CONNECT_PROTOCOL_CONNECTOR_TASK) and/or some of its tasks, in the order
 * they are written. */
typedef struct connect_assignment_entry {
    char *connector;
    int32_t *tasks;
    size_t n_tasks;
} connect_assignment_entry_t;

typedef struct connect_assignment {
    /* The header's version: 0 writes ConnectProtocol's layout, which has no
     * revoked list and no delay; 1 and 2 IncrementalCooperativeConnectProtocol's. */
    int16_t version;
    int16_t error; /* CONNECT_ASSIGNMENT_* */
    char *leader;  /* the leader's member id; required */
    char *leader_url;
    int64_t config_offset; /* the config topic offset the assignment is based on */
    connect_assignment_entry_t *assigned;
    size_t n_assigned;
    connect_assignment_entry_t *revoked; /* version 1 and later */
    size_t n_revoked;
    int32_t delay_ms; /* version 1 and later: how long before the leader assigns lost work again */
} connect_assignment_t;

typedef struct connect_worker_state {
    int16_t version; /* as connect_assignment_t's */
    char *url;       /* the worker's advertised REST URL */
    int64_t config_offset;
    /* Version 1 and later: what the worker runs now (its last assignment),
     * or NULL for none (written as null bytes).  Its own version is the
     * one written inside the allocation bytes. */
    connect_assignment_t *assignment;
} connect_worker_state_t;

/* The bytes of `ws` (JoinGroup metadata) or `as` (SyncGroup assignment):
 * *out malloc'd (caller frees), *out_len its length.  -1 with errstr when
 * the struct cannot be written (a string over 32767 bytes, a NULL string,
 * a version Kafka does not know). */
int connect_metadata_encode(const connect_worker_state_t *ws, uint8_t **out, size_t *out_len, char *errstr,
                            size_t errstr_size);
int connect_assignment_encode(const connect_assignment_t *as, uint8_t **out, size_t *out_len, char *errstr,
                              size_t errstr_size);

/* Reads metadata or an assignment as the group protocol `proto` reads it
 * (eager reads every version as version 0; compatible and sessioned read
 * every version as version 1, fields missing at the end taking Kafka's
 * defaults).  Bytes after the last field are ignored, as Kafka ignores
 * them: that is how a newer worker stays readable by an older one.  NULL
 * with errstr (which field, what was wrong) on truncated or malformed
 * input.  `buf` is borrowed for the call. */
connect_worker_state_t *connect_metadata_decode(connect_protocol_t proto, const uint8_t *buf, size_t len, char *errstr,
                                                size_t errstr_size);
connect_assignment_t *connect_assignment_decode(connect_protocol_t proto, const uint8_t *buf, size_t len, char *errstr,
                                                size_t errstr_size);

void connect_worker_state_destroy(connect_worker_state_t *ws); /* NULL is fine; frees every member */
void connect_assignment_destroy(connect_assignment_t *as);     /* NULL is fine; frees every member */

#endif
