/*
 * records.h - reading the records inside a stored RecordBatch v2.
 *
 * The broker's data path stores batches as received unless a topic's
 * compression.type names another codec (batch_recompress.c walks the records
 * to rebuild the batch).  Otherwise only a few operations look inside a
 * batch - ListOffsets by timestamp needs the exact offset of the first record
 * at or after a time, and later the worker and compaction need keys.  Compressed batches (gzip, snappy in both
 * xerial-framed and raw form, lz4 frame, zstd) are decompressed into a
 * temporary buffer for that.
 *
 * Record layout (AK DefaultRecord): length varint, attributes int8,
 * timestampDelta varlong, offsetDelta varint, keyLength varint + key,
 * valueLength varint + value, headerCount varint, then per header
 * keyLength varint + key, valueLength varint + value.
 *
 * Pure functions: @locality any thread, @locks none; the batch is only read,
 * and is owned by one thread at a time (the partition lock covers stored
 * ones).
 */
#ifndef CONNECTD_RECORDS_H
#define CONNECTD_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/kerr.h"

typedef struct record {
    int64_t offset;    /* baseOffset + offsetDelta */
    int64_t timestamp; /* baseTimestamp + timestampDelta (or maxTimestamp for LogAppendTime) */
    kstr_t key;        /* len -1 = null; points into the (decompressed) record data */
    kstr_t value;
    int32_t header_count;
    kstr_t headers; /* raw header bytes, for a later header iterator */
} record_t;

/* Called per record; return non-zero to stop early. */
typedef int(records_cb)(void *opaque, const record_t *rec);

/*
 * Calls `cb` for every record of the batch at `batch` (`len` bytes, a whole
 * batch).  Decompresses when the codec bits say so.  Returns KERR_NONE,
 * CORRUPT_MESSAGE for records that do not parse or a codec stream that does
 * not decompress, UNSUPPORTED_COMPRESSION_TYPE for an unknown codec.
 */
kerr_t records_foreach(const uint8_t *batch, size_t len, records_cb *cb, void *opaque);

/* The first record with timestamp >= ts, in offset order; *offset = -1 if none. */
kerr_t records_find_timestamp(const uint8_t *batch, size_t len, int64_t ts, int64_t *offset,
                              int64_t *timestamp);

#endif
