/*
 * epoch_cache.h - a partition's leader epochs and where each starts in its
 * log, as Kafka's LeaderEpochFileCache, kept in the partition directory as
 * Kafka's leader-epoch-checkpoint:
 *
 *   0          format version
 *   2          number of entries
 *   0 0        epoch, start offset: epoch 0 starts at offset 0
 *   3 1500     epoch 3 (the next leader's) starts at 1500
 *
 * An entry is added when a batch of a newer epoch is appended; a truncated
 * log drops the entries from its new end on.  The file is rewritten
 * atomically on each change, which happens once per leader change.  With
 * it a new leader answers OffsetForLeaderEpoch: where a given epoch ended
 * in its log, which is where a follower's divergent tail starts.
 *
 * Not locked: @locality any thread, @locks the owning partition's lock
 * (log.h), or none while the log is not shared.
 */
#ifndef CONNECTD_EPOCH_CACHE_H
#define CONNECTD_EPOCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct epoch_entry {
    int32_t epoch;
    int64_t start;
} epoch_entry_t;

typedef struct epoch_cache {
    char *dir; /* the partition directory, owned */
    epoch_entry_t *entries;
    size_t n, cap;
} epoch_cache_t;

/* Loads `dir`/leader-epoch-checkpoint (missing: empty), dropping entries
 * that start at or past `leo`.  A malformed file is logged and ignored. */
void epoch_cache_open(epoch_cache_t *c, const char *dir, int64_t leo);
void epoch_cache_close(epoch_cache_t *c);

/* The partition directory moved (log_move). */
void epoch_cache_set_dir(epoch_cache_t *c, const char *dir);

/* A batch of `epoch` was appended at `offset`: a newer epoch than the
 * latest starts there.  Older or equal epochs change nothing. */
void epoch_cache_assign(epoch_cache_t *c, int32_t epoch, int64_t offset);

/* The log was truncated to end at `end`: entries starting there or later go. */
void epoch_cache_truncate(epoch_cache_t *c, int64_t end);

/* The latest epoch, -1 when none. */
int32_t epoch_cache_latest(const epoch_cache_t *c);

/*
 * Kafka's endOffsetFor: where `epoch` ended, with in *found the largest
 * epoch at or below it.  The latest epoch ends at `leo`; an older one where
 * the next starts; one older than all of them where the first starts (and
 * *found is `epoch`).  An epoch newer than the latest, or -1: *found is
 * -1 and the result -1.
 */
int64_t epoch_cache_end_offset(const epoch_cache_t *c, int32_t epoch, int64_t leo, int32_t *found);

#endif
