/*
 * metadata_records.h - the cluster metadata records, encoded as Kafka's
 * KRaft metadata log encodes them.
 *
 * Kafka keeps cluster metadata in the __cluster_metadata log as records
 * whose values are "ApiMessageAndVersion" frames (MetadataRecordSerde):
 *
 *   frame version   uvarint  always 1
 *   record type     uvarint  the record's apiKey (RegisterBrokerRecord = 0, ...)
 *   record version  uvarint  the version of its schema
 *   fields          the schema's fields in flexible-version encoding
 *                   (compact strings and arrays, tagged fields at the end)
 *
 * connectd writes exactly these frames, version 0 of each schema (the
 * fields listed with the structs below, in Kafka's order).  One raft log
 * entry holds what Kafka puts in one record batch of that log, the records
 * a controller decision writes atomically:
 *
 *   count           uvarint
 *   count times:    length uvarint, then one frame
 *
 * e.g. a TopicRecord for "t" with a zero topic id is the entry
 *   01 16  01 02 00  02 74  00..00 (16)  00
 *   count=1, length=22, frame 1, type 2, version 0, compact "t", uuid, no tags.
 * A snapshot is one such entry holding the whole image (metadata_image.h),
 * as Kafka's snapshots are records too.
 *
 * Decoding is strict (a short or malformed frame, an unknown frame version
 * or type is an error, never a crash); unknown tagged fields are skipped,
 * as Kafka's readers do.  Pure functions: @locality any thread, @locks none.
 */
#ifndef CONNECTD_METADATA_RECORDS_H
#define CONNECTD_METADATA_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/arena.h"
#include "protocol/buf.h"

/* Kafka's metadata record apiKeys (MetadataRecordType). */
typedef enum meta_record_type {
    META_REGISTER_BROKER = 0,
    META_UNREGISTER_BROKER = 1,
    META_TOPIC = 2,
    META_PARTITION = 3,
    META_CONFIG = 4,
    META_PARTITION_CHANGE = 5,
    META_REMOVE_TOPIC = 9,
    META_FENCE_BROKER = 17,
    META_UNFENCE_BROKER = 18,
} meta_record_type_t;

/* PartitionChangeRecord's Leader default: "no change". */
#define META_LEADER_UNCHANGED (-2)
/* Kafka's ConfigResource.Type of ConfigRecord. */
#define META_CONFIG_TOPIC 2
#define META_CONFIG_BROKER 4

typedef struct meta_endpoint {
    const char *name; /* listener name, "PLAINTEXT" */
    const char *host;
    uint16_t port;
    int16_t security_protocol; /* 0: PLAINTEXT */
} meta_endpoint_t;

/* A record; pointers are borrowed (encode) or in the decoder's arena. */
typedef struct meta_record {
    meta_record_type_t type;
    union {
        /* RegisterBrokerRecord v0: BrokerId, IncarnationId, BrokerEpoch,
         * EndPoints, Features (always empty here), Rack, Fenced. */
        struct {
            int32_t broker_id;
            kuuid_t incarnation_id;
            int64_t broker_epoch;
            const meta_endpoint_t *endpoints;
            int32_t n_endpoints;
            const char *rack; /* NULL: null */
            bool fenced;
        } register_broker;
        /* UnregisterBrokerRecord (BrokerId, BrokerEpoch), FenceBrokerRecord
         * and UnfenceBrokerRecord (Id, Epoch) v0. */
        struct {
            int32_t id;
            int64_t epoch;
        } broker;
        /* TopicRecord v0: Name, TopicId. */
        struct {
            const char *name;
            kuuid_t topic_id;
        } topic;
        /* RemoveTopicRecord v0: TopicId. */
        struct {
            kuuid_t topic_id;
        } remove_topic;
        /* PartitionRecord v0: PartitionId, TopicId, Replicas, Isr,
         * RemovingReplicas and AddingReplicas (always empty here), Leader,
         * LeaderRecoveryState (tag 0, left at its default), LeaderEpoch,
         * PartitionEpoch. */
        struct {
            int32_t partition_id;
            kuuid_t topic_id;
            const int32_t *replicas;
            int32_t n_replicas;
            const int32_t *isr;
            int32_t n_isr;
            int32_t leader;
            int32_t leader_epoch;
            int32_t partition_epoch;
        } partition;
        /* PartitionChangeRecord v0: PartitionId, TopicId, then tagged: Isr
         * (tag 0; n_isr -1: unchanged), Leader (tag 1; META_LEADER_UNCHANGED),
         * Replicas (tag 2; n_replicas -1: unchanged). */
        struct {
            int32_t partition_id;
            kuuid_t topic_id;
            const int32_t *isr;
            int32_t n_isr;
            int32_t leader;
            const int32_t *replicas;
            int32_t n_replicas;
        } partition_change;
        /* ConfigRecord v0: ResourceType, ResourceName, Name, Value (NULL:
         * the key is deleted). */
        struct {
            int8_t resource_type;
            const char *resource_name;
            const char *name;
            const char *value;
        } config;
    };
} meta_record_t;

/* Pieces of the broker registration that the metadata log's
 * RegisterBrokerRecord and the BrokerRegistration request share, for their
 * decoders (quorum/controller_rpc.c has the other).  Errors are left in
 * r->err; strings and arrays go in the arena. */
/* A compact string; NULL for a null one (where `nullable`) or on error
 * (a string holding a NUL byte is one). */
const char *meta_read_cstr(buf_reader_t *r, arena_t *arena, bool nullable);
/* The compact array of endpoints (name, host, port, security protocol,
 * tags); *n of them. */
meta_endpoint_t *meta_read_endpoints(buf_reader_t *r, arena_t *arena, int32_t *n);
/* The compact array of features (name, min and max version, tags), skipped:
 * connectd has no feature levels. */
void meta_skip_features(buf_reader_t *r);

/* The record type's name, as Kafka's ("RegisterBrokerRecord"); "unknown"
 * for another value. */
const char *meta_record_type_name(meta_record_type_t type);

/* Appends one frame (no length prefix). */
void meta_record_encode(buf_writer_t *w, const meta_record_t *rec);

/* Appends a whole log entry: the count, then each record with its length. */
void meta_records_encode(buf_writer_t *w, const meta_record_t *recs, size_t n);

/*
 * Decodes a log entry.  On success *recs (an array of *n records) and every
 * string and array they point at live in `arena`.  On a malformed entry
 * returns false with errstr saying what and where ("record 2 of 3: unknown
 * record type 44").
 */
bool meta_records_decode(const void *data, size_t len, arena_t *arena, meta_record_t **recs, size_t *n, char *errstr,
                         size_t errstr_size);

#endif
