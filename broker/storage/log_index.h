/*
 * log_index.h - a segment's two sparse indexes, in memory and in their files.
 *
 *   .index      8-byte entries: int32 relativeOffset, int32 position
 *   .timeindex 12-byte entries: int64 timestamp, int32 relativeOffset
 *
 * Both are big-endian, as in Kafka; relative offsets count from the segment's
 * base offset.  The offset entry "batch whose last offset is base + 27 starts
 * at byte 4160" is the bytes 00 00 00 1b 00 00 10 40.
 *
 * Entries are held in memory exactly as they are on disk, so adding one is a
 * memcpy plus one pwrite and loading a file is one read.  The file descriptor
 * is opened by the first added entry and closed by the next sync, so only
 * segments with unflushed entries hold one (a thousand idle partitions cost
 * a thousand .log descriptors, not three thousand).  The files are a
 * start-up accelerator: whoever loads one checks it against the .log
 * (segment_load) and rebuilds it from the .log when it does not fit.
 *
 * Not locked, no shared state: every function is @locality any thread,
 * @locks the owning partition's lock held (broker.h), or none while the log
 * is not shared (log_open, log_close).
 */
#ifndef CONNECTD_LOG_INDEX_H
#define CONNECTD_LOG_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFSET_INDEX_ENTRY_SIZE 8
#define TIME_INDEX_ENTRY_SIZE 12

typedef struct log_index {
    char *path;        /* owned */
    uint8_t *entries;  /* count * entry_size bytes, big-endian as on disk */
    size_t count, cap; /* in entries */
    size_t entry_size;
    int fd;      /* -1 unless an entry was added since the last sync */
    bool dirty;  /* written since the last sync */
    bool failed; /* a write failed: later entries stay in memory only, so the
                  * file remains a valid prefix (no holes) */
} log_index_t;

/* Sets up an empty index for the file `path` (copied); nothing is opened. */
void log_index_init(log_index_t *ix, const char *path, size_t entry_size);
/* Closes the file and frees the entries; safe on a zeroed index. */
void log_index_release(log_index_t *ix);

/* Replaces the entries with the file's.  False when the file is missing,
 * unreadable or not a whole number of entries (the caller rebuilds). */
bool log_index_load(log_index_t *ix);
/* Drops all entries and writes the empty file. */
void log_index_reset(log_index_t *ix);
/* Writes every in-memory entry over the file (after a rebuild); the file is
 * synced by the next log_index_sync. */
void log_index_rewrite(log_index_t *ix);
/* fdatasyncs and closes the file if it was written; -1 with errno on failure. */
int log_index_sync(log_index_t *ix);
/* Deletes the file (the entries stay in memory). */
void log_index_unlink(log_index_t *ix);

/* Offset index.  Entries have strictly increasing offsets and positions. */
void log_index_offset_add(log_index_t *ix, int32_t rel_offset, int32_t position);
int32_t log_index_offset_rel(const log_index_t *ix, size_t i);
int32_t log_index_offset_pos(const log_index_t *ix, size_t i);
/* Position of the last entry whose offset is <= rel_offset, else 0: a batch
 * boundary at or before the batch holding rel_offset. */
int64_t log_index_offset_floor(const log_index_t *ix, int64_t rel_offset);
/* Position of the first entry whose offset is >= rel_offset, else -1: the
 * batch there (and all after it) reaches rel_offset. */
int64_t log_index_offset_ceiling(const log_index_t *ix, int64_t rel_offset);
/* Whether loaded entries are increasing and point inside a `log_size` file. */
bool log_index_offset_check(const log_index_t *ix, int64_t log_size);

/* Time index.  Entries have strictly increasing timestamps. */
void log_index_time_add(log_index_t *ix, int64_t timestamp, int32_t rel_offset);
int64_t log_index_time_ts(const log_index_t *ix, size_t i);
int32_t log_index_time_rel(const log_index_t *ix, size_t i);
/* Offset of the last entry whose timestamp is <= ts, else -1: batches
 * before that entry's batch all have smaller maxTimestamps than ts. */
int32_t log_index_time_floor(const log_index_t *ix, int64_t ts);
/* Whether loaded entries are increasing and below `max_rel_offset`. */
bool log_index_time_check(const log_index_t *ix, int64_t max_rel_offset);

#endif
