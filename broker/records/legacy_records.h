/*
 * legacy_records.h - the message sets of Kafka before 0.11 (magic 0 and 1),
 * converted to and from the RecordBatch v2 the broker stores.
 *
 * Produce v0-v2 may carry them (librdkafka with api.version.request=false and
 * broker.version.fallback=0.9.0 or 0.10.0, clients of Kafka 0.10) and Fetch
 * v0-v3 must answer with them: a client that asks with those versions cannot
 * read magic 2.  Kafka's broker converts both ways (LogValidator on produce,
 * LazyDownConversionRecords on fetch), and so does this one.
 *
 * A message set is messages back to back, each (AK LegacyRecord):
 *
 *   off size field
 *     0    8 offset        the producer's; assigned anew by the broker
 *     8    4 messageSize   bytes after this field
 *    12    4 crc           CRC-32 (zlib's, not CRC-32C) of bytes [16, end)
 *    16    1 magic         0 or 1
 *    17    1 attributes    codec in bits 0-2, timestampType bit 3 (magic 1)
 *    18    8 timestamp     magic 1 only; absent in magic 0
 *          4 keyLength     -1 = null, then the key
 *          4 valueLength   -1 = null, then the value
 *
 * A compressed message (codec bits set) is a wrapper: its value is a whole
 * message set of the same magic, compressed, and the inner messages carry the
 * records.  Magic 0 has no timestamps: a record converted from it has none
 * (-1, Kafka's NO_TIMESTAMP).
 *
 * Pure functions: @locality any thread, @locks none; the input is only read
 * and `out` is owned by one thread at a time.
 */
#ifndef CONNECTD_LEGACY_RECORDS_H
#define CONNECTD_LEGACY_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/kerr.h"

#define LEGACY_LOG_OVERHEAD 12 /* offset + messageSize */

/*
 * Appends to `out` one RecordBatch v2 holding every record of the message
 * set at `data` (`len` bytes, as a producer sent it), as Kafka's LogValidator
 * converts it: offsets 0..n-1 (log_append assigns the base), each message's
 * key and value, the timestamp of magic 1 (-1 for magic 0), CreateTime, no
 * producer id, compressed with the codec of the wrappers (the last one's, as
 * Kafka takes it) or not at all.
 *
 * Returns CORRUPT_MESSAGE for a message that is truncated, has a bad CRC, a
 * magic other than 0 or 1, or a wrapper that does not decompress, and
 * INVALID_RECORD for an empty set, a wrapper inside a wrapper or an inner
 * magic different from its wrapper's, with errstr set; on error `out` is
 * left as it was.
 */
kerr_t legacy_records_to_batch(const uint8_t *data, size_t len, buf_writer_t *out, char *errstr, size_t errstr_size);

/*
 * Appends to `out` the records of the RecordBatch v2 batches at `data` (`len`
 * bytes, as log_read returns them) as uncompressed messages of `magic` (0 or
 * 1), each with its absolute offset: Kafka's down-conversion for a fetch that
 * cannot read magic 2.  Magic 1 keeps the timestamps and the batch's
 * timestamp type; magic 0 drops them.  Control batches (transaction markers)
 * are left out, and so is a trailing partial batch, as a client would drop
 * it.  Returns CORRUPT_MESSAGE if a batch's records do not parse, with `out`
 * left as it was.
 */
kerr_t legacy_records_from_batches(const uint8_t *data, size_t len, int magic, buf_writer_t *out);

#endif
