/*
 * segment.h - one log segment: a .log file of record batches and its indexes.
 *
 * A segment holds the contiguous offsets [base, next).  Its .log is opened
 * once, read with pread and written with pwrite at `size`, so a failed write
 * can be cut back exactly.  See log.h for the directory layout and
 * log_index.h for the index files.
 *
 * The struct is shared with log.c, which owns the list of segments; nothing
 * outside the storage layer sees it.  Not locked, no shared state: every
 * function is @locality any thread, @locks the owning partition's lock held
 * (broker.h), or none while the log is not shared (log_open, log_close).
 */
#ifndef CONNECTD_SEGMENT_H
#define CONNECTD_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/batch.h"
#include "protocol/buf.h"
#include "protocol/kerr.h"
#include "log.h"
#include "log_index.h"

typedef struct segment {
    char *log_path;           /* "<dir>/00000000000000000042.log", owned */
    int64_t base;             /* first offset, the file name */
    int64_t next;             /* offset after the last batch */
    int64_t size;             /* bytes of whole batches in the .log */
    int64_t max_ts;           /* largest batch maxTimestamp; -1 when none */
    int64_t max_ts_offset;    /* last offset of the first batch with max_ts */
    int64_t first_append_ms;  /* wall clock of the first append, for segment.ms; -1 if empty */
    int64_t bytes_since_index; /* bytes appended since the last index entry */
    int fd;                   /* the .log */
    bool dirty;               /* written (or recovered) since the last fsync */
    log_index_t oidx;         /* offset index */
    log_index_t tidx;         /* time index */
} segment_t;

/* Creates an empty segment with empty index files, replacing any leftover
 * files of that name.  NULL with errstr if the .log cannot be created. */
segment_t *segment_create(const char *dir, int64_t base, char *errstr, size_t errstr_size);

/* Opens an existing segment's .log; nothing is read yet (see
 * segment_load and segment_recover).  NULL with errstr. */
segment_t *segment_open(const char *dir, int64_t base, char *errstr, size_t errstr_size);

/* Closes the files and frees.  NULL is fine. */
void segment_close(segment_t *seg);

/* Closes and deletes the segment's three files. */
void segment_delete(segment_t *seg);

/* The segment's directory was renamed to `dir`: its file paths follow.  The
 * open descriptors stay valid across a rename and are kept. */
void segment_set_dir(segment_t *seg, const char *dir);

/*
 * The fast path for a segment known to be flushed: loads both index files
 * and checks them against the .log, reading only the batch headers after
 * the last offset index entry (which also yields `next` and `max_ts`).
 * False when the files are missing or do not fit; the caller then runs
 * segment_recover.
 */
bool segment_load(segment_t *seg);

/*
 * Reads every batch from the start of the .log, rebuilding both indexes and
 * calling on_batch (may be NULL) with each header.  With `verify` each
 * batch is read whole and its CRC checked; without, only headers are read.
 * The file is cut at the first batch that is torn, corrupt or out of offset
 * order, with a log line.  Returns the number of bytes cut, or -1 with
 * errstr when the file cannot be read (nothing is cut then).
 */
int64_t segment_recover(segment_t *seg, bool verify, int32_t index_interval,
                        log_batch_cb *on_batch, void *opaque, char *errstr,
                        size_t errstr_size);

/* Appends one batch whose offsets are already assigned (`hdr` is its
 * header).  With `sync`, fdatasyncs the .log before returning.  On a write or
 * sync failure the file is cut back and KAFKA_STORAGE_ERROR returned. */
kerr_t segment_append(segment_t *seg, const uint8_t *batch, size_t len,
                      const batch_header_t *hdr, int32_t index_interval, int64_t now_ms,
                      bool sync);

/* Adds the final time index entry when the segment stops being active, so
 * its largest timestamp survives a restart (Kafka onBecomeInactiveSegment). */
void segment_seal(segment_t *seg);

/* fdatasyncs the .log and its index files if dirty; -1 with errno. */
int segment_sync(segment_t *seg);

/* Largest timestamp for retention.ms: max_ts, or the file's mtime when no
 * batch has a timestamp (Kafka LogSegment.largestTimestamp). */
int64_t segment_largest_ts(const segment_t *seg);

/* Position of the batch holding `offset`, or of the first batch after it;
 * `size` if none.  -1 on a read error or a corrupt batch (logged). */
int64_t segment_locate(segment_t *seg, int64_t offset);

/* Estimated position of `offset` from the index alone (no I/O). */
int64_t segment_estimate_pos(const segment_t *seg, int64_t offset);

/*
 * Appends to `out` the whole batches starting at `pos` (a batch boundary)
 * that lie wholly below `max_offset`, at most `max_bytes` of them except
 * that with `min_one` the first is returned even if larger.  Usually one
 * pread.  *next_offset is the offset after the last batch returned.
 */
kerr_t segment_read(segment_t *seg, int64_t pos, int64_t max_offset, size_t max_bytes,
                    bool min_one, buf_writer_t *out, size_t *nbytes, int64_t *next_offset);

/* The first record at or after `min_offset` whose timestamp is >= ts:
 * *offset and *timestamp, or -1 if this segment has none. */
kerr_t segment_find_timestamp(segment_t *seg, int64_t ts, int64_t min_offset,
                              int64_t *offset, int64_t *timestamp);

#endif
