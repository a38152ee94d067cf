/*
 * metadata_image.h - the cluster metadata image: what the metadata records
 * (metadata_records.h) say once applied in log order, as Kafka's
 * MetadataImage.
 *
 * It holds the registered brokers (endpoints, epoch, fenced or not), the
 * topics with their partitions (replicas, ISR, leader, leader and
 * partition epochs) and the dynamic configs.  Applying is deterministic:
 * every node that applies the same records in the same order holds the same
 * image, which is what the quorum (quorum/quorum.h) replicates.  A record
 * that does not fit the image (a partition of an unknown topic, a fence of
 * an unknown broker or of an older epoch) is refused with a reason and
 * leaves the image as it was, on every node alike.
 *
 * A snapshot is the image written as records, one log entry (brokers by
 * id, topics by name with their partitions, configs), so restoring is
 * applying; the same image always gives the same bytes.
 *
 * Threads: an image is a plain value with no lock of its own; its owner
 * (the quorum) says who may read and write it.  Pointers returned by the
 * readers stay valid until the next apply, restore or destroy.
 */
#ifndef CONNECTD_METADATA_IMAGE_H
#define CONNECTD_METADATA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metadata_records.h"

typedef struct meta_broker {
    int32_t id;
    kuuid_t incarnation_id;
    int64_t epoch;              /* the broker epoch: the log offset of its registration */
    meta_endpoint_t *endpoints; /* strings owned by the image */
    int32_t n_endpoints;
    char *rack; /* NULL: none */
    bool fenced;
} meta_broker_t;

typedef struct meta_partition {
    int32_t *replicas;
    int32_t n_replicas;
    int32_t *isr;
    int32_t n_isr;
    int32_t leader; /* -1: none */
    int32_t leader_epoch;
    int32_t partition_epoch;
} meta_partition_t;

typedef struct meta_topic {
    char *name;
    kuuid_t id;
    meta_partition_t *parts; /* index = partition id; a hole has n_replicas 0 */
    int32_t n_parts;
} meta_topic_t;

typedef struct meta_image meta_image_t;

/* An empty image; never NULL (aborts on OOM).  destroy accepts NULL. */
meta_image_t *meta_image_create(void);
void meta_image_destroy(meta_image_t *img);

/* Applies one record; false with errstr (the image unchanged) when it does
 * not fit the image. */
bool meta_image_apply(meta_image_t *img, const meta_record_t *rec, char *errstr, size_t errstr_size);

/* Decodes a log entry and applies its records in order; false with errstr
 * on a malformed entry (nothing applied) or at the first record that does
 * not fit (the ones before it stay applied, as on every other node). */
bool meta_image_apply_entry(meta_image_t *img, const void *data, size_t len, char *errstr, size_t errstr_size);

/* Appends the whole image as one log entry (the snapshot format). */
void meta_image_snapshot(const meta_image_t *img, buf_writer_t *w);

/* Replaces the image with the one a snapshot holds; false with errstr (the
 * image unchanged) on a malformed snapshot. */
bool meta_image_restore(meta_image_t *img, const void *data, size_t len, char *errstr, size_t errstr_size);

/* Brokers, by increasing id. */
size_t meta_image_broker_count(const meta_image_t *img);
const meta_broker_t *meta_image_broker_at(const meta_image_t *img, size_t i);
const meta_broker_t *meta_image_broker_find(const meta_image_t *img, int32_t id);

/* Topics, by name. */
size_t meta_image_topic_count(const meta_image_t *img);
const meta_topic_t *meta_image_topic_at(const meta_image_t *img, size_t i);
const meta_topic_t *meta_image_topic_find(const meta_image_t *img, const char *name);

/* A dynamic config's value, or NULL when it is not set. */
const char *meta_image_config(const meta_image_t *img, int8_t resource_type, const char *resource_name,
                              const char *name);

/* The dynamic configs of one resource, by name: two arrays of n + 1
 * (NULL-terminated) the caller frees, whose strings are the image's. */
size_t meta_image_configs_of(const meta_image_t *img, int8_t resource_type, const char *resource_name,
                             const char ***names, const char ***values);

/*
 * Whether the active controller takes an AlterPartition (KIP-497) from
 * broker `broker_id`: the broker registered at `broker_epoch` (-1 is no
 * wildcard: as in KRaft, a broker that does not know its epoch is stale,
 * else a leader from before a restart could still shrink ISRs), the
 * partition led by it at `leader_epoch` and `partition_epoch`, and
 * `new_isr` naming, without repeats and with the leader, only replicas of
 * which those joining are unfenced.  Returns the request's error
 * (KERR_STALE_BROKER_EPOCH or KERR_NONE); with KERR_NONE, *part_error is
 * the partition's error and *part the partition, NULL when the image has
 * no such partition.
 */
int16_t meta_image_check_alter_partition(const meta_image_t *img, int32_t broker_id, int64_t broker_epoch,
                                         const kuuid_t *topic_id, int32_t partition, int32_t leader_epoch,
                                         int32_t partition_epoch, const int32_t *new_isr, int32_t n_new_isr,
                                         int16_t *part_error, const meta_partition_t **part);

/*
 * The replicas of a new topic's partitions, spread round-robin over the
 * unfenced brokers by increasing id as Kafka's StripedReplicaPlacer does
 * without racks: partition p's replicas are the brokers at positions
 * start + p, start + p + 1, ... (modulo their count), so its leader (the
 * first replica) moves one broker along with each partition.  `replicas`
 * holds n_partitions * replication_factor ids, partition by partition.
 * false with errstr when the factor is not between 1 and the number of
 * unfenced brokers (Kafka's INVALID_REPLICATION_FACTOR).
 */
bool meta_image_assign(const meta_image_t *img, int32_t n_partitions, int32_t replication_factor, int32_t start,
                       int32_t *replicas, char *errstr, size_t errstr_size);

/*
 * The partition changes the active controller writes when brokers go
 * away or come back, as Kafka's ReplicationControlManager does when it
 * fences and unfences brokers:
 *
 * - Each broker of `gone` (being fenced, or registering again after a
 *   restart) leaves every ISR, except that the last member of an ISR
 *   stays: Kafka never empties an ISR.  Each partition one of them led
 *   gets as leader the first of its replicas that is in the new ISR,
 *   unfenced and not gone; with none, the leader is -1 and the partition
 *   is offline until an ISR member comes back
 *   (unclean.leader.election.enable=false).
 * - `back` (-1: none), a broker being unfenced, becomes the leader of
 *   each offline partition whose ISR holds it.
 *
 * One PartitionChangeRecord per partition that changes, in `arena`;
 * returns their count and sets *recs.
 */
size_t meta_image_elect(const meta_image_t *img, const int32_t *gone, size_t n_gone, int32_t back, arena_t *arena,
                        meta_record_t **recs);

#endif
