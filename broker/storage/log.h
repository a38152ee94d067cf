/*
 * log.h - one partition's log: segments on disk in Apache Kafka's layout.
 *
 *   <log.dir>/<topic>-<partition>/
 *       00000000000000000000.log        record batches as received, offsets assigned
 *       00000000000000000000.index      sparse offset index: (int32 relativeOffset, int32 position)
 *       00000000000000000000.timeindex  sparse time index: (int64 timestamp, int32 relativeOffset)
 *       00000000000000012345.log        the next segment, named by its base offset
 *       ...
 *       leader-epoch-checkpoint         where each leader epoch starts (storage/epoch_cache.h)
 *
 * Index entries are big-endian, as in Kafka.  An entry is added when at least
 * index.interval.bytes (4096) were appended since the previous one; a time
 * index entry is added at the same points when the batch's maxTimestamp is
 * larger than the last entry's.  Index files are written as entries are
 * added; at start-up those of trusted segments are loaded and checked against
 * the .log, and rebuilt from batch headers when they do not fit.
 *
 * Concurrency: a log_t is not locked internally.  Every call must hold the
 * owning partition's lock (broker.h); log_open/log_close run before the
 * partition is published / after it is unpublished.
 */
#ifndef CONNECTD_LOG_H
#define CONNECTD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/batch.h"
#include "protocol/buf.h"
#include "protocol/kerr.h"

typedef struct log log_t;

typedef struct log_config {
    int64_t segment_bytes;           /* roll when a segment would exceed this (segment.bytes) */
    int64_t segment_ms;              /* roll a segment older than this (segment.ms) */
    int64_t retention_ms;            /* -1: keep forever (retention.ms) */
    int64_t retention_bytes;         /* -1: no size limit (retention.bytes) */
    int32_t index_interval_bytes;    /* index.interval.bytes, 4096 */
    int64_t flush_interval_messages; /* fsync after this many unflushed messages; INT64_MAX: never */
} log_config_t;

/* Called once for every batch recovery reads (its header only), in offset
 * order, so the owner can rebuild producer state. */
typedef void(log_batch_cb)(void *opaque, const batch_header_t *hdr);

/*
 * Opens (creating if missing) the partition directory `dir` and loads its
 * segments.  Batches from `recovery_point` on are re-read: each one's CRC is
 * checked and the log is truncated at the first torn or corrupt batch (a log
 * line says how many bytes were cut).  Segments wholly before the recovery
 * point are trusted: their index files are loaded and checked (rebuilt from
 * batch headers if they do not fit).  `start_offset` is the persisted
 * log start (from DeleteRecords); pass 0 if unknown.  `on_batch` (may be NULL)
 * sees every batch header recovery re-reads, in offset order, and always
 * those of the newest segment (for idempotent producers' state).
 * Returns NULL with errstr set when the directory cannot be used.
 * @locality any thread
 * @locks none: the log is not shared yet (topics opens it at start-up or
 *        under the registry write lock, before publishing the partition)
 */
log_t *log_open(const char *dir, const log_config_t *cfg, int64_t recovery_point,
                int64_t start_offset, log_batch_cb *on_batch, void *opaque, char *errstr,
                size_t errstr_size);

/* Flushes nothing; closes files and frees.  NULL is fine.
 * @locality any thread
 * @locks none: the log is no longer shared (topic deletion under the
 *        registry write lock, or shut-down) */
void log_close(log_t *plog);

/* Renames the partition directory to `dir` (same file system) and points
 * the open log at it; topic creation builds a partition under a staging name
 * and moves it into place once every partition of the topic is built.  False
 * with errstr set (and nothing changed) when the rename fails.
 * @locality any thread
 * @locks none: the log is not shared yet (as log_open) */
bool log_move(log_t *plog, const char *dir, char *errstr, size_t errstr_size);

/* Closes and removes the directory with all its files (topic deletion).
 * @locality any thread  @locks none: as log_close */
void log_destroy_files(log_t *plog);

/* Topic config changed (e.g. CreateTopics/alter); applies to later appends.
 * @locality any thread  @locks the partition lock held */
void log_set_config(log_t *plog, const log_config_t *cfg);

/*
 * Appends one validated batch: assigns offsets [LEO, LEO + count), patches the
 * batch's baseOffset and leader epoch in place (the caller's buffer), rolls a
 * segment first if needed, writes the bytes and updates the indexes.  `now_ms`
 * is the wall clock used for segment.ms.  On success *base_offset is the first
 * assigned offset.  Returns KAFKA_STORAGE_ERROR if the write failed (the log is
 * left as it was before the call).
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_append(log_t *plog, uint8_t *batch, size_t len, int32_t leader_epoch, int64_t now_ms,
                  int64_t *base_offset);

/*
 * Appends a batch a follower fetched from its leader as it is: its offsets
 * and leader epoch are the leader's, so nothing in it changes.  The batch
 * must start at LEO (OFFSET_OUT_OF_RANGE otherwise, nothing written) and be
 * whole (batch_is_intact).  KAFKA_STORAGE_ERROR as log_append.
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_append_replica(log_t *plog, const uint8_t *batch, size_t len, int64_t now_ms);

/*
 * Truncates the log to end at `offset`, as a follower cuts a divergent
 * tail after a leader change: the batch holding `offset` goes whole, the
 * segments past it are deleted, and the leader epochs from the new end on
 * are forgotten.  At or below the log start, the log restarts empty at
 * `offset`.  KAFKA_STORAGE_ERROR when a file cannot be cut.
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_truncate(log_t *plog, int64_t offset);

/* Deletes the whole log and its leader epochs, and starts it empty at
 * `offset`, which may lie past its end: a follower whose log ends before
 * the leader's log start (Kafka's truncateFullyAndStartAt).
 * KAFKA_STORAGE_ERROR when the new segment cannot be created.
 * @locality any thread  @locks the partition lock held */
kerr_t log_restart_at(log_t *plog, int64_t offset);

/* The leader epoch of the latest batch appended (leader-epoch-checkpoint,
 * storage/epoch_cache.h), -1 for an empty log; and where `epoch` ended in
 * this log with the epoch found (Kafka's endOffsetForEpoch).
 * @locality any thread  @locks the partition lock held */
int32_t log_latest_epoch(const log_t *plog);
int64_t log_end_offset_for_epoch(const log_t *plog, int32_t epoch, int32_t *found);

/* A new leader's epoch starts at the log end offset, appended to or not,
 * as Kafka's Partition.makeLeader: a follower asking OffsetForLeaderEpoch
 * about an older epoch then learns where it ended even before the new
 * leader's first batch.  An epoch not above the latest changes nothing.
 * @locality any thread  @locks the partition lock held */
void log_assign_epoch(log_t *plog, int32_t epoch);

/* @locality any thread  @locks the partition lock held */
int64_t log_start_offset(const log_t *plog); /* first offset still readable */
int64_t log_end_offset(const log_t *plog);   /* LEO: the next offset to be assigned */
int64_t log_size_bytes(const log_t *plog);   /* bytes of all .log files */
int64_t log_recovery_point(const log_t *plog);
int log_segments_count(const log_t *plog);

/*
 * Reads whole batches for a fetch at `offset`, starting with the batch that
 * contains it, appending their bytes to `out`.  Stops before a batch that
 * would push the bytes past `max_bytes`, except that when `min_one` is true
 * the first batch is returned even if larger (KIP-74).  Never returns a batch
 * at or beyond `max_offset` (the high watermark).
 * Returns OFFSET_OUT_OF_RANGE when offset < log start or offset > LEO; offset
 * == LEO reads nothing.  *nbytes is the number of bytes appended.
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_read(log_t *plog, int64_t offset, int64_t max_offset, size_t max_bytes, bool min_one,
                buf_writer_t *out, size_t *nbytes);

/* Bytes available from `offset` up to LEO (cheap estimate used by long-poll Fetch).
 * @locality any thread  @locks the partition lock held */
size_t log_bytes_after(const log_t *plog, int64_t offset);

/*
 * ListOffsets by timestamp: the first offset whose record timestamp is >= ts,
 * and that record's timestamp.  Uses the time index to skip, then batch
 * maxTimestamps, then the records of the one batch (decompressing if needed).
 * No such record: *offset = *timestamp = -1, KERR_NONE.
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_offset_for_timestamp(log_t *plog, int64_t ts, int64_t *offset, int64_t *timestamp);

/*
 * ListOffsets MAX_TIMESTAMP (-3, KIP-734): the first record with the largest
 * timestamp in the log, and that timestamp.  An empty log (or one whose
 * largest record lies before the log start): *offset = *timestamp = -1.
 * @locality any thread  @locks the partition lock held
 */
kerr_t log_offset_for_max_timestamp(log_t *plog, int64_t *offset, int64_t *timestamp);

/* DeleteRecords: moves the log start to `offset` (<= LEO, else
 * OFFSET_OUT_OF_RANGE) and deletes segments wholly below it.
 * @locality any thread  @locks the partition lock held */
kerr_t log_delete_records_before(log_t *plog, int64_t offset);

/* Retention by time and size: deletes the oldest segments that are past
 * retention.ms (by their largest timestamp) or that keep the log above
 * retention.bytes.  An expired active segment is rolled first so it can go.
 * Returns the number of segments deleted.
 * @locality any thread  @locks the partition lock held */
int log_enforce_retention(log_t *plog, int64_t now_ms);

/* Rolls the active segment if it is older than segment.ms and not empty.
 * @locality any thread  @locks the partition lock held */
void log_maybe_roll(log_t *plog, int64_t now_ms);

/* Rolls the active segment now unless it is empty, so that everything
 * written so far can later go by whole segments.  KAFKA_STORAGE_ERROR if
 * the new segment cannot be created.
 * @locality any thread  @locks the partition lock held */
kerr_t log_roll(log_t *plog);

/* fsyncs the segments written since the last flush and moves the recovery
 * point to LEO.  KAFKA_STORAGE_ERROR on failure.
 * @locality any thread  @locks the partition lock held (none at shut-down) */
kerr_t log_flush(log_t *plog);

#endif
