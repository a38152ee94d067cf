/*
 * compression.h - the record batch codecs (gzip, snappy, lz4, zstd), as
 * compression.c's top comment describes them on the wire.
 *
 * Pure functions: @locality any thread, @locks none; each call makes its own
 * codec context, and the output buffer is owned by one thread at a time.
 */
#ifndef CONNECTD_COMPRESSION_H
#define CONNECTD_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/kerr.h"

/*
 * Decompresses a codec stream (batch attributes bits 0-2) into `out`
 * (appended).  `max_out` bounds the output so a compression bomb cannot
 * exhaust memory.
 */
kerr_t compression_decompress(int codec, const uint8_t *in, size_t in_len, buf_writer_t *out, size_t max_out);

/* Compresses `in` with `codec` (for tests and, later, topic compression.type).
 * snappy uses the xerial framing Java clients expect. */
kerr_t compression_compress(int codec, const uint8_t *in, size_t in_len, buf_writer_t *out);

#endif
