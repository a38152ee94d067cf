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

/*
 * Levels as Kafka's compression.<codec>.level configs take them (KIP-390,
 * Kafka 3.8): gzip 1-9 or -1 for zlib's default (6), lz4 1-17 (LZ4HC from 3
 * up, as lz4-java's high compressor), zstd from ZSTD_minCLevel() (-131072)
 * to 22.  snappy and uncompressed have none.
 */
#define COMPRESSION_GZIP_LEVEL_DEFAULT (-1)
#define COMPRESSION_GZIP_LEVEL_MIN 1
#define COMPRESSION_GZIP_LEVEL_MAX 9
#define COMPRESSION_LZ4_LEVEL_DEFAULT 9
#define COMPRESSION_LZ4_LEVEL_MIN 1
#define COMPRESSION_LZ4_LEVEL_MAX 17
#define COMPRESSION_ZSTD_LEVEL_DEFAULT 3
#define COMPRESSION_ZSTD_LEVEL_MIN (-131072)
#define COMPRESSION_ZSTD_LEVEL_MAX 22

/* Compresses `in` with `codec` at each library's default speed (lz4's fast
 * mode, zlib's and zstd's default levels), for tests.  snappy uses the
 * xerial framing Java clients expect. */
kerr_t compression_compress(int codec, const uint8_t *in, size_t in_len, buf_writer_t *out);

/* As compression_compress, at `level` (one of the ranges above; ignored by
 * snappy and uncompressed): how the broker compresses for a topic's
 * compression.type. */
kerr_t compression_compress_level(int codec, int level, const uint8_t *in, size_t in_len, buf_writer_t *out);

#endif
