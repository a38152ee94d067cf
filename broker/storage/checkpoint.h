/*
 * checkpoint.h - Kafka's offset checkpoint files, one per log dir
 * (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint):
 *
 *   0                 format version
 *   2                 number of entries
 *   orders 0 1500     topic partition offset
 *   orders 1 1432
 *
 * Written atomically (temp file, fsync, rename, fsync of the directory) so
 * a crash leaves either the old or the new file, never a torn one.
 * Pure file I/O with no shared state: @locality any thread, @locks none; a
 * checkpoint_t is owned by one thread at a time, and only one thread at a
 * time may write a given path (the temp file's name comes from it: topics.c
 * holds its checkpoint lock around the writes).
 */
#ifndef CONNECTD_CHECKPOINT_H
#define CONNECTD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

typedef struct checkpoint_entry {
    char *topic; /* owned by the checkpoint_t */
    int32_t partition;
    int64_t offset;
} checkpoint_entry_t;

/* A set of entries: zero-initialise, fill with checkpoint_add or
 * checkpoint_read, release with checkpoint_free. */
typedef struct checkpoint {
    checkpoint_entry_t *entries;
    size_t count, cap;
} checkpoint_t;

/* Reads `path` into `ckpt` (which must be empty).  A missing file is an
 * empty checkpoint; a malformed one returns -1 with errstr naming the path
 * and line, and leaves `ckpt` empty. */
int checkpoint_read(const char *path, checkpoint_t *ckpt, char *errstr, size_t errstr_size);

/* Writes `ckpt` to `path` atomically; -1 with errstr on failure (the old
 * file, if any, is then unchanged). */
int checkpoint_write(const char *path, const checkpoint_t *ckpt, char *errstr, size_t errstr_size);

/* Adds an entry; `topic` is copied. */
void checkpoint_add(checkpoint_t *ckpt, const char *topic, int32_t partition, int64_t offset);

/* The offset recorded for topic-partition, or `fallback`. */
int64_t checkpoint_get(const checkpoint_t *ckpt, const char *topic, int32_t partition,
                       int64_t fallback);

/* Frees the entries and empties `ckpt`; safe on an empty one. */
void checkpoint_free(checkpoint_t *ckpt);

#endif
