/*
 * coordinator_internal.h - what coordinator.c (the group table and the
 * coordinator's API) and coordinator_log.c (its records in
 * __consumer_offsets: writing, loading at start-up, rewriting) share.
 * Not for other files: they use coordinator.h.
 *
 * Every function here expects the coordinator lock held, except during
 * coordinator_log_load, which runs before the coordinator is shared and so
 * calls the group-table functions without it.  Any thread may call them.
 */
#ifndef CONNECTD_COORDINATOR_INTERNAL_H
#define CONNECTD_COORDINATOR_INTERNAL_H

#include <pthread.h>

#include "records/batch_build.h"
#include "coordinator.h"

typedef struct group_entry {
    group_t *grp;
    committed_offset_t *offsets; /* sorted by topic, partition; strings owned */
    int n_offsets, cap_offsets;
    int64_t empty_since;   /* when the group last became Empty */
    bool has_metadata;     /* a group metadata record is in the log */
    int32_t saved_generation; /* what the last metadata record said */
    group_state_t saved_state;
} group_entry_t;

struct coordinator {
    pthread_mutex_t lock;
    topics_t *topics;
    const broker_config_t *cfg;
    group_entry_t *groups;
    int n_groups, cap_groups;
    int64_t last_expiry_check;
    int64_t *live_bytes; /* per __consumer_offsets partition: size of its last rewrite */
    int32_t n_live_bytes;
};


/* ---- coordinator.c: the group table ----
 * An entry pointer is valid until the table next changes.
 * @locality any thread  @locks the coordinator lock held, and nothing taken */

group_entry_t *coordinator_entry_find(coordinator_t *coord, const char *id);
/* Finds or creates (Empty) the entry of group `id`. */
group_entry_t *coordinator_entry_get(coordinator_t *coord, const char *id, int64_t now);
void coordinator_entry_remove(coordinator_t *coord, group_entry_t *e);

/* Index of (topic, partition) in e's sorted offsets, or where it would go. */
int coordinator_offset_search(const group_entry_t *e, const char *topic, int32_t partition, bool *found);
void coordinator_offset_set(group_entry_t *e, const committed_offset_t *co);
void coordinator_offset_remove_at(group_entry_t *e, int at);

/* ---- coordinator_log.c: records in __consumer_offsets ---- */

/* Adds an offset commit record (or its tombstone) to a batch.
 * @locality any thread  @locks none of its own; the coordinator lock held
 *        when `co` points into the group table */
void coordinator_add_commit_record(batch_builder_t *b, const char *group_id, const committed_offset_t *co,
                                   bool tombstone);
/* Adds the group's metadata record (or its tombstone) to a batch.
 * @locality any thread  @locks the coordinator lock held */
void coordinator_add_group_record(batch_builder_t *b, group_entry_t *e, int64_t now, bool tombstone);
/* Finishes the batch and appends it to the group's partition, creating the
 * topic on first use.  KERR_NONE or COORDINATOR_NOT_AVAILABLE (logged).
 * @locality any thread
 * @locks the coordinator lock held; takes the registry read lock and one
 *        partition lock at a time under it to append (and, on the first
 *        write, the registry write lock to create __consumer_offsets) */
kerr_t coordinator_log_append(coordinator_t *coord, const char *group_id, batch_builder_t *b);
/* Reads every partition back into the group table (coordinator_open).
 * @locality start-up only, before the coordinator is shared
 * @locks none held; takes the registry read lock and partition locks one at
 *        a time under it */
void coordinator_log_load(coordinator_t *coord);
/* Rewrites partitions that grew past offsets.topic.segment.bytes.
 * @locality the broker loop's upkeep timer (coordinator_maintain)
 * @locks the coordinator lock held; takes the registry read lock and
 *        partition locks one at a time under it, then, after a rewrite,
 *        topics_write_checkpoints' locks */
void coordinator_log_compact(coordinator_t *coord, int64_t now);

#endif
