/*
 * offsets_format.h - Kafka's record formats of the __consumer_offsets topic,
 * so that committed offsets and group metadata are stored the way Apache
 * Kafka stores them (and Kafka's tools could read them).
 *
 *   offset commit   key:   int16 version=1, group STR, topic STR, partition INT32
 *                   value: int16 version=3, offset INT64, leader_epoch INT32,
 *                          metadata STR, commit_timestamp INT64
 *   group metadata  key:   int16 version=2, group STR
 *                   value: int16 version=3, protocol_type STR, generation INT32,
 *                          protocol NSTR, leader NSTR, current_state_timestamp INT64,
 *                          members [member_id STR, group_instance_id NSTR,
 *                          client_id STR, client_host STR, rebalance_timeout INT32,
 *                          session_timeout INT32, subscription BYTES, assignment BYTES]
 *
 * A null value (tombstone) deletes the key.  Versions 0 of the offset key and
 * 0-1 of the offset value (no leader epoch) are also read, as Kafka does.
 * (AK core/.../coordinator/group/GroupMetadataManager.scala, 3.x.)
 *
 * Pure functions: @locality any thread, @locks none; the buffers and structs
 * passed in are owned by one thread at a time.
 */
#ifndef CONNECTD_OFFSETS_FORMAT_H
#define CONNECTD_OFFSETS_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/buf.h"

typedef enum offsets_key_kind {
    OFFSETS_KEY_COMMIT,
    OFFSETS_KEY_GROUP,
} offsets_key_kind_t;

typedef struct offsets_key {
    offsets_key_kind_t kind;
    kstr_t group;
    kstr_t topic;      /* commit keys only */
    int32_t partition; /* commit keys only */
} offsets_key_t;

typedef struct offsets_commit_value {
    int64_t offset;
    int32_t leader_epoch; /* -1 when unknown */
    kstr_t metadata;
    int64_t commit_timestamp;
} offsets_commit_value_t;

/* A group metadata value as connectd uses it: who was in the group when it
 * was last written (members may be empty: the group is Empty). */
typedef struct offsets_group_member {
    const char *member_id;
    const char *instance_id; /* NULL: dynamic member */
    const char *client_id;
    const char *client_host;
    int32_t rebalance_timeout_ms;
    int32_t session_timeout_ms;
    const uint8_t *subscription;
    size_t subscription_len;
    const uint8_t *assignment;
    size_t assignment_len;
} offsets_group_member_t;

typedef struct offsets_group_value {
    kstr_t protocol_type;
    int32_t generation;
    kstr_t protocol; /* nullable */
    kstr_t leader;   /* nullable */
    int64_t current_state_timestamp; /* -1 when unknown (value v0-1) */
    int32_t n_members;
} offsets_group_value_t;

void offsets_encode_commit_key(buf_writer_t *w, const char *group, const char *topic, int32_t partition);
void offsets_encode_commit_value(buf_writer_t *w, const offsets_commit_value_t *v);
void offsets_encode_group_key(buf_writer_t *w, const char *group);

/* Group metadata value v3; `members` has v->n_members entries. */
void offsets_encode_group_value(buf_writer_t *w, const offsets_group_value_t *v,
                                const offsets_group_member_t *members);

/* Decodes a key; false for an unknown version or malformed bytes.  Slices
 * point into `data`. */
bool offsets_decode_key(const uint8_t *data, size_t len, offsets_key_t *key);
bool offsets_decode_commit_value(const uint8_t *data, size_t len, offsets_commit_value_t *v);
/* Decodes a group metadata value v0-3 up to and including the member count;
 * the members are checked for shape but not returned (connectd restores a
 * reloaded group as Empty: its members re-join). */
bool offsets_decode_group_value(const uint8_t *data, size_t len, offsets_group_value_t *v);

#endif
