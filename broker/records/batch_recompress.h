/*
 * batch_recompress.h - rewriting a producer's batch with another codec, for
 * a topic whose compression.type is not the producer's (Kafka's
 * LogValidator.buildRecordsAndAssignOffsets).
 *
 * Pure functions: @locality any thread, @locks none; the input is only read
 * and `out` is owned by one thread at a time.
 */
#ifndef CONNECTD_BATCH_RECOMPRESS_H
#define CONNECTD_BATCH_RECOMPRESS_H

#include <stddef.h>

#include "protocol/buf.h"
#include "protocol/kerr.h"

/*
 * Appends to `out` the batch at `batch` (`len` bytes, validated by
 * batch_validate) rewritten with `codec` at `level` (compression.h), as
 * Kafka's broker writes it:
 *
 *   - the records keep their timestamps, keys, values and headers; each is
 *     re-encoded with attributes 0 and offsetDelta 0..n-1, and the input's
 *     offset deltas must already be 0..n-1 (INVALID_RECORD otherwise);
 *   - baseTimestamp is the first record's timestamp and maxTimestamp the
 *     largest (at least -1), CreateTime: the topic's message.timestamp.type;
 *   - producerId, producerEpoch, baseSequence, recordsCount, the
 *     transactional bit and the partitionLeaderEpoch stay; baseOffset is 0
 *     until log_append assigns it; the CRC is computed anew.
 *
 * Returns CORRUPT_MESSAGE when the records do not parse or decompress
 * (records_foreach), INVALID_RECORD as above, with errstr set; on error
 * `out` is left as it was.
 */
kerr_t batch_recompress(const uint8_t *batch, size_t len, int codec, int level, buf_writer_t *out, char *errstr,
                        size_t errstr_size);

#endif
