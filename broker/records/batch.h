/*
 * batch.h - RecordBatch v2 (magic 2) headers: the unit the broker stores.
 *
 * The broker reads the fixed 61-byte header, checks it, patches baseOffset
 * (and partitionLeaderEpoch) in place and stores the bytes as the producer
 * sent them - compressed or not.  Neither patched field is covered by the
 * CRC, so the producer's CRC stays valid on disk and consumers can verify it
 * (librdkafka check.crcs=true).  Only a topic whose compression.type names
 * another codec makes the broker decode the records and write the batch
 * anew, with a CRC of its own (batch_recompress.h).
 *
 *   off size field
 *     0    8 baseOffset            patched by the broker
 *     8    4 batchLength           bytes after this field (total - 12)
 *    12    4 partitionLeaderEpoch  patched by the broker, not in CRC
 *    16    1 magic                 2
 *    17    4 crc                   CRC-32C of bytes [21, end)
 *    21    2 attributes            codec in bits 0-2, timestampType bit 3,
 *                                  transactional bit 4, control bit 5
 *    23    4 lastOffsetDelta
 *    27    8 baseTimestamp
 *    35    8 maxTimestamp
 *    43    8 producerId            -1 unless idempotent
 *    51    2 producerEpoch
 *    53    4 baseSequence
 *    57    4 recordsCount
 *    61      records (or one compressed blob of them)
 *
 * Pure functions: @locality any thread, @locks none; a batch's bytes are
 * owned by one thread at a time (the partition lock covers stored ones).
 */
#ifndef CONNECTD_BATCH_H
#define CONNECTD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/kerr.h"

#define BATCH_HEADER_SIZE 61
/* Bytes needed to know a batch's extent and last offset: up to lastOffsetDelta. */
#define BATCH_PREFIX_SIZE 27
#define BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength */

enum batch_codec {
    BATCH_CODEC_NONE = 0,
    BATCH_CODEC_GZIP = 1,
    BATCH_CODEC_SNAPPY = 2,
    BATCH_CODEC_LZ4 = 3,
    BATCH_CODEC_ZSTD = 4,
};

#define BATCH_ATTR_CODEC_MASK 0x07
#define BATCH_ATTR_LOG_APPEND_TIME 0x08
#define BATCH_ATTR_TRANSACTIONAL 0x10
#define BATCH_ATTR_CONTROL 0x20

typedef struct batch_header {
    int64_t base_offset;
    int32_t length; /* batchLength field */
    int32_t leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
} batch_header_t;

/* Total size on disk/wire of a batch whose batchLength field is `length`. */
static inline size_t batch_total_size(int32_t length)
{
    return (size_t)length + BATCH_LOG_OVERHEAD;
}

/* Decodes the 61-byte header at `data` (at least BATCH_HEADER_SIZE bytes). */
void batch_header_decode(const uint8_t *data, batch_header_t *hdr);

/*
 * Validates one batch of `len` bytes as a producer sent it (AK
 * LogValidator): magic 2, batchLength consistent with `len`, count > 0,
 * lastOffsetDelta == count - 1, no control batch, a producer id implies a
 * sequence, and the CRC.  On failure returns the protocol error
 * (INVALID_RECORD, CORRUPT_MESSAGE) and writes a reason into errstr.
 */
kerr_t batch_validate(const uint8_t *data, size_t len, batch_header_t *hdr, char *errstr,
                      size_t errstr_size);

/* Checks only what recovery needs: a sane header, the whole batch present in
 * `len` bytes, and a matching CRC.  Returns false for a torn or corrupt batch. */
bool batch_is_intact(const uint8_t *data, size_t len, batch_header_t *hdr);

/* Patches baseOffset and partitionLeaderEpoch in place (CRC unaffected). */
void batch_set_base_offset(uint8_t *data, int64_t base_offset, int32_t leader_epoch);

/* Marks the whole batch (`len` bytes, checked by batch_validate) LogAppendTime
 * with `append_time` as its maxTimestamp, as Kafka's
 * DefaultRecordBatch.setMaxTimestamp does for a topic whose
 * message.timestamp.type is LogAppendTime: the records keep their deltas and
 * a consumer reads every record's timestamp as maxTimestamp.  Both fields are
 * under the CRC, which is computed anew. */
void batch_set_log_append_time(uint8_t *data, size_t len, int64_t append_time);

#endif
