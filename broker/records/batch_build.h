/*
 * batch_build.h - writing a plain (uncompressed) RecordBatch v2.
 *
 * The broker stores what producers send; it builds batches itself only for
 * its own records, the committed offsets and group metadata it keeps in
 * __consumer_offsets.  Layout as in batch.h and records.h.
 *
 * Pure functions: @locality any thread, @locks none; a batch_builder_t is
 * owned by one thread at a time.
 */
#ifndef CONNECTD_BATCH_BUILD_H
#define CONNECTD_BATCH_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"

typedef struct batch_builder {
    buf_writer_t out; /* the batch, header first */
    int32_t count;
    int64_t base_timestamp;
    int64_t max_timestamp;
} batch_builder_t;

void batch_builder_init(batch_builder_t *b, int64_t base_timestamp);

/* Appends one record without headers.  A NULL key or value is a null (a
 * NULL value is a tombstone). */
void batch_builder_add(batch_builder_t *b, const void *key, size_t key_len, const void *value,
                       size_t value_len, int64_t timestamp);

/* Fills in the header (no producer id, CreateTime) and the CRC; the batch is
 * b->out.data, b->out.len bytes, ready for log_append.  At least one record
 * must have been added. */
void batch_builder_finish(batch_builder_t *b);

void batch_builder_release(batch_builder_t *b);

/* The parts every batch the broker writes shares (its own records above, a
 * batch recompressed for a topic, old message sets converted).  Appends one
 * record to a records section (what follows a batch's header, before any
 * compression): its offset and timestamp deltas, key and value (len -1:
 * null), and `header_count` headers already encoded in `headers`.
 * `scratch` is reused for the record's body. */
void batch_record_append(buf_writer_t *section, buf_writer_t *scratch, int32_t offset_delta, int64_t timestamp_delta,
                         kstr_t key, kstr_t value, int32_t header_count, kstr_t headers);

/* The header of a first record for the builder and the converter: magic 2,
 * leader epoch 0, no producer (id -1, epoch -1, sequence -1). */
void batch_header_no_producer(uint8_t *h);

/* Writes what the header of the `total`-byte batch at h says of its records
 * (base offset 0: the log assigns it; length; attributes; last offset delta;
 * first and largest timestamps; record count), then the CRC, which covers
 * everything from the attributes on, so the rest must be in place. */
void batch_header_seal(uint8_t *h, size_t total, int16_t attributes, int32_t count, int64_t base_timestamp,
                       int64_t max_timestamp);

#endif
