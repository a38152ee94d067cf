/*
 * coordinator.h - the group coordinator: every consumer group of this node,
 * their committed offsets, and their persistence in __consumer_offsets.
 *
 * Each group lives in partition abs(javaHashCode(group id)) % N of
 * __consumer_offsets (N = offsets.topic.num.partitions), as in Kafka, with
 * Kafka's record formats (offsets_format.h): one record per committed
 * offset, one per group metadata change, a null value deleting its key.
 * The topic is created on first use.  At start-up every partition is read
 * back; reloaded groups are Empty with their generation and protocol type
 * (members re-join, as they would after a coordinator move in Kafka).
 *
 * A commit is answered only after its records are in the log, so an
 * acknowledged offset survives kill -9 of the broker.
 *
 * Locking: one mutex, the coordinator lock, serialises all group state.
 * Handlers take it around their group_* calls; the coordinator takes the
 * registry lock and a partition lock under it when it writes, so the
 * coordinator lock is never taken with the registry lock held (the order of
 * all the broker's locks is in broker.h).
 */
#ifndef CONNECTD_COORDINATOR_H
#define CONNECTD_COORDINATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "config/broker_config.h"
#include "group.h"
#include "protocol/kerr.h"
#include "topics/topics.h"

#define OFFSETS_TOPIC "__consumer_offsets"

typedef struct coordinator coordinator_t;

typedef struct committed_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch; /* -1 when unknown */
    const char *metadata; /* never NULL */
    int64_t commit_timestamp;
} committed_offset_t;

/* Reads back __consumer_offsets (if it exists).  Records that do not decode
 * are skipped with a log line; they never stop the broker.
 * @locality start-up only (broker_create, before the network threads start)
 * @locks takes the registry read lock and partition locks one at a time */
coordinator_t *coordinator_open(topics_t *topics, const broker_config_t *cfg);
/* NULL is fine.
 * @locality shut-down only, once the network threads are joined  @locks none */
void coordinator_close(coordinator_t *coord);

/* The coordinator lock, around every call marked "the coordinator lock held".
 * @locality any thread
 * @locks takes / releases the coordinator lock; call lock without holding
 *        it, the registry lock, the checkpoint lock or a partition lock */
void coordinator_lock(coordinator_t *coord);
void coordinator_unlock(coordinator_t *coord);

/* The group named `id`, created Empty if `create`; NULL when absent.  Valid
 * while the lock is held.
 * @locality any thread  @locks the coordinator lock held */
group_t *coordinator_group(coordinator_t *coord, const char *id, bool create);

/* Forgets `grp` if it has no members, offsets or stored metadata (a
 * JoinGroup that was refused created it).
 * @locality any thread  @locks the coordinator lock held */
void coordinator_drop_if_unused(coordinator_t *coord, group_t *grp);

/* Call after any operation on `grp`: records the group's metadata in the
 * log when it became Stable or Empty.
 * @locality any thread
 * @locks the coordinator lock held; takes the registry read lock and one
 *        partition lock at a time under it to append (and, on the first
 *        write, the registry write lock to create __consumer_offsets) */
void coordinator_group_changed(coordinator_t *coord, group_t *grp, int64_t now);

/*
 * Stores `n` commits of group `id` (creating the group if needed): appends
 * them to the log, then makes them visible.  KERR_NONE, or
 * COORDINATOR_NOT_AVAILABLE when the log cannot be written (the reason is
 * logged); nothing is visible then.
 * @locality any thread
 * @locks the coordinator lock held; takes the registry read lock and one
 *        partition lock at a time under it to append (and, on the first
 *        write, the registry write lock to create __consumer_offsets)
 */
kerr_t coordinator_commit(coordinator_t *coord, const char *id, const committed_offset_t *offsets, int n,
                          int64_t now);

/* The committed offset, or NULL; valid while the lock is held.
 * @locality any thread  @locks the coordinator lock held */
const committed_offset_t *coordinator_committed(coordinator_t *coord, const char *id, const char *topic,
                                                int32_t partition);

/* All committed offsets of a group, sorted by topic and partition; valid
 * until the next change (so at most while the lock is held).  *n = 0 for an
 * unknown group.
 * @locality any thread  @locks the coordinator lock held */
const committed_offset_t *coordinator_committed_all(coordinator_t *coord, const char *id, int *n);

/* The groups, in no particular order.
 * @locality any thread  @locks the coordinator lock held */
int coordinator_group_count(coordinator_t *coord);
group_t *coordinator_group_at(coordinator_t *coord, int i);

/* Deletes an Empty group and its offsets (tombstones in the log).
 * GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or COORDINATOR_NOT_AVAILABLE when the
 * log cannot be written.
 * @locality any thread
 * @locks the coordinator lock held; takes the registry read lock and one
 *        partition lock at a time under it to append (and, on the first
 *        write, the registry write lock to create __consumer_offsets) */
kerr_t coordinator_delete_group(coordinator_t *coord, const char *id);

/* One partition an OffsetDelete names. */
typedef struct offset_ref {
    const char *topic;
    int32_t partition;
} offset_ref_t;

/*
 * Deletes the committed offsets of group `id` at the `n` partitions `refs`
 * (tombstones in the log); partitions without one, and repeats, are fine.
 * The caller has checked that the group exists and may lose them
 * (OffsetDelete).  As in Kafka, an Empty group left without offsets is
 * deleted with them.  KERR_NONE, or COORDINATOR_NOT_AVAILABLE when the log
 * cannot be written (nothing is deleted then).
 * @locality any thread
 * @locks the coordinator lock held; takes the registry read lock and one
 *        partition lock at a time under it to append (and, on the first
 *        write, the registry write lock to create __consumer_offsets)
 */
kerr_t coordinator_delete_offsets(coordinator_t *coord, const char *id, const offset_ref_t *refs, int n);

/* Session, join and sync deadlines of every group.  Returns true when a
 * group changed, so parked JoinGroup and SyncGroup requests should be
 * rechecked.  Cheap: call it often (every 50 ms).
 * @locality the broker loop's group timer
 * @locks takes the coordinator lock, and under it what
 *        coordinator_group_changed takes; call with no broker lock held */
bool coordinator_tick(coordinator_t *coord, int64_t now);

/* Storage upkeep (every second): expiry of the offsets of empty groups
 * every offsets.retention.check.interval.ms, and the rewrite of grown
 * __consumer_offsets partitions (see coordinator_log.c).
 * @locality the broker loop's upkeep timer
 * @locks takes the coordinator lock, and under it what
 *        coordinator_group_changed takes, plus the checkpoint lock (under
 *        the registry read lock) after a rewrite; call with no broker lock
 *        held */
void coordinator_maintain(coordinator_t *coord, int64_t now);

/* The __consumer_offsets partition of a group (Kafka's choice).
 * @locality any thread  @locks none (pure) */
int32_t coordinator_partition_for(const char *id, int32_t n_partitions);

#endif
