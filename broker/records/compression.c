/*
 * compression.c - the record batch codecs, one small pair of functions each.
 *
 * A compressed batch carries ONE codec stream holding all its records
 * (batch.h: byte 61 onwards); attributes bits 0-2 name the codec.  What each
 * client actually puts on the wire:
 *
 *   1 gzip    RFC 1952.  zlib's inflateInit2(16 + MAX_WBITS) accepts only the
 *             gzip wrapper; several members back to back are one stream, as
 *             in gunzip.
 *   2 snappy  Java (snappy-java's SnappyOutputStream) uses xerial framing:
 *               82 53 4e 41 50 50 59 00   magic "\x82SNAPPY\0"
 *               00 00 00 01 00 00 00 01   version 1, compatible version 1
 *               00 00 00 2a <42 bytes>    int32-BE length + raw snappy block
 *               ...                       more blocks (32 KiB of input each)
 *             snappy-java also reads a second magic header where a block
 *             length is expected (concatenated streams); so do we.
 *             librdkafka *produces* plain raw snappy (one block, no framing)
 *             and accepts both, as does snappy-java.  A raw block can never
 *             start with the magic: 82 53 decodes as a length varint and the
 *             next byte, 'N', is a copy tag, which is invalid as the first
 *             element; so the magic alone decides.  xerial has no end mark:
 *             a stream cut at a block boundary decodes to a shorter payload,
 *             which the record parser then rejects.
 *   3 lz4     LZ4 frame format (lz4frame.h), independent 64 KiB blocks, no
 *             checksums or content size from librdkafka.  Magic 0/1 message
 *             sets had a broken header checksum (KAFKA-3160); magic 2
 *             batches are standard frames, so LZ4F reads them unchanged.
 *   4 zstd    zstd frames.  Java's zstd-jni output stream and librdkafka
 *             (which streams too) leave the content size out of the frame
 *             header, so decompression streams.
 *
 * Decompression bound: decoders write into `out` but never past max_out + 1
 * bytes of new output; producing that extra byte proves the stream is too
 * large (a compression bomb) without inflating any further, and the call
 * fails with CORRUPT_MESSAGE.  On any error `out` is rolled back to its
 * length at entry, so a caller never sees half a payload.
 *
 * Thread-safe: every call creates and frees its own codec context.
 */
#include "compression.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "batch.h"

/* Output grows by doubling between these sizes, so a small batch does not
 * allocate megabytes and a large one does not realloc thousands of times. */
#define SINK_MIN_CHUNK ((size_t)16 << 10)
#define SINK_MAX_CHUNK ((size_t)4 << 20)

/* snappy-java's default block size, which Kafka's Java producer keeps: each
 * xerial block holds this much input, so our output looks like theirs. */
#define XERIAL_BLOCK_SIZE ((size_t)32 << 10)
#define XERIAL_HEADER_SIZE 16

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};

/*
 * A raw snappy element expands at most 64 bytes from a 3-byte copy, so a
 * block claiming more than 22 bytes out per byte in is corrupt; checking this
 * first stops a 5-byte block from making us allocate its claimed gigabytes.
 */
#define SNAPPY_MAX_RATIO 22

/* The part of `out` a decompressor may fill: from `start` up to `limit`. */
typedef struct sink {
    buf_writer_t *out;
    size_t start;
    size_t max_out;
    size_t limit; /* max_out + 1, saturated */
} sink_t;

static void sink_init(sink_t *snk, buf_writer_t *out, size_t max_out)
{
    snk->out = out;
    snk->start = out->len;
    snk->max_out = max_out;
    snk->limit = max_out < SIZE_MAX ? max_out + 1 : SIZE_MAX;
}

static size_t sink_produced(const sink_t *snk)
{
    return snk->out->len - snk->start;
}

static bool sink_overflowed(const sink_t *snk)
{
    return sink_produced(snk) > snk->max_out;
}

/* Returns room for at least one byte (the caller has checked
 * sink_overflowed) and its size in *avail; sink_commit then keeps what the
 * decoder wrote. */
static uint8_t *sink_space(sink_t *snk, size_t *avail)
{
    size_t produced = sink_produced(snk);
    size_t want = produced < SINK_MIN_CHUNK ? SINK_MIN_CHUNK : produced;
    if (want > SINK_MAX_CHUNK) {
        want = SINK_MAX_CHUNK;
    }
    if (want > snk->limit - produced) {
        want = snk->limit - produced;
    }
    /* buf_reserve grows the buffer and claims the bytes; give the claim
     * back so only what the decoder writes counts. */
    uint8_t *at = buf_reserve(snk->out, want);
    snk->out->len -= want;
    *avail = want;
    return at;
}

static void sink_commit(sink_t *snk, size_t n)
{
    snk->out->len += n;
}

static kerr_t gzip_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return KERR_NOMEM;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    kerr_t err = KERR_CORRUPT_MESSAGE;
    for (;;) {
        size_t avail;
        zs.next_out = sink_space(snk, &avail);
        zs.avail_out = (uInt)avail;
        int rc = inflate(&zs, Z_NO_FLUSH);
        sink_commit(snk, avail - zs.avail_out);
        if (sink_overflowed(snk)) {
            break;
        }
        if (rc == Z_STREAM_END && zs.avail_in == 0) {
            err = KERR_NONE;
            break;
        }
        if (rc == Z_STREAM_END) {
            inflateReset(&zs); /* another gzip member follows */
        } else if (rc != Z_OK) {
            /* Z_BUF_ERROR here means the input ended mid-stream. */
            break;
        }
    }
    inflateEnd(&zs);
    return err;
}

static kerr_t gzip_compress(const uint8_t *in, size_t in_len, int level, buf_writer_t *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return KERR_NOMEM;
    }
    size_t bound = deflateBound(&zs, (uLong)in_len);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = buf_reserve(out, bound);
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    out->len -= zs.avail_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? KERR_NONE : KERR_NOMEM;
}

/* One raw snappy block, appended whole after checking its claimed size. */
static kerr_t snappy_block_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    size_t ulen;
    if (snappy_uncompressed_length((const char *)in, in_len, &ulen) != SNAPPY_OK ||
        ulen / SNAPPY_MAX_RATIO > in_len || ulen > snk->max_out - sink_produced(snk)) {
        return KERR_CORRUPT_MESSAGE;
    }
    uint8_t *dst = buf_reserve(snk->out, ulen);
    size_t got = ulen;
    if (snappy_uncompress((const char *)in, in_len, (char *)dst, &got) != SNAPPY_OK ||
        got != ulen) {
        return KERR_CORRUPT_MESSAGE;
    }
    return KERR_NONE;
}

static bool xerial_header_at(const uint8_t *in, size_t in_len)
{
    return in_len >= XERIAL_HEADER_SIZE && memcmp(in, xerial_magic, sizeof(xerial_magic)) == 0;
}

/* The version fields are not checked: librdkafka ignores them too and
 * snappy-java has only ever written 1/1. */
static kerr_t xerial_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    buf_reader_t r;
    buf_reader_init(&r, in, in_len);
    while (buf_remaining(&r) > 0) {
        if (xerial_header_at(r.p, buf_remaining(&r))) {
            buf_skip(&r, XERIAL_HEADER_SIZE);
            continue;
        }
        uint32_t block_len = (uint32_t)buf_read_i32(&r);
        const uint8_t *block = r.p;
        buf_skip(&r, block_len);
        if (r.err) {
            return KERR_CORRUPT_MESSAGE;
        }
        kerr_t err = snappy_block_decompress(block, block_len, snk);
        if (err != KERR_NONE) {
            return err;
        }
    }
    return KERR_NONE;
}

static kerr_t snappy_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    if (xerial_header_at(in, in_len)) {
        return xerial_decompress(in, in_len, snk);
    }
    return snappy_block_decompress(in, in_len, snk);
}

static kerr_t snappy_compress_block(const uint8_t *in, size_t in_len, buf_writer_t *out)
{
    size_t max = snappy_max_compressed_length(in_len);
    uint8_t *len_field = buf_reserve(out, 4 + max);
    size_t got = max;
    if (snappy_compress((const char *)in, in_len, (char *)len_field + 4, &got) != SNAPPY_OK) {
        out->len -= 4 + max;
        return KERR_NOMEM;
    }
    buf_put_i32(len_field, (int32_t)got);
    out->len -= max - got;
    return KERR_NONE;
}

static kerr_t snappy_compress_xerial(const uint8_t *in, size_t in_len, buf_writer_t *out)
{
    buf_write_raw(out, xerial_magic, sizeof(xerial_magic));
    buf_write_i32(out, 1); /* version */
    buf_write_i32(out, 1); /* minimum compatible version */
    for (size_t pos = 0; pos < in_len; pos += XERIAL_BLOCK_SIZE) {
        size_t n = in_len - pos < XERIAL_BLOCK_SIZE ? in_len - pos : XERIAL_BLOCK_SIZE;
        kerr_t err = snappy_compress_block(in + pos, n, out);
        if (err != KERR_NONE) {
            return err;
        }
    }
    return KERR_NONE;
}

/*
 * LZ4F returns 0 once a frame is complete and starts the next frame on the
 * following call.  The stream is whole when a frame has just ended with no
 * input left; input exhausted while output still had room means it was cut.
 */
static kerr_t lz4_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    LZ4F_dctx *dctx;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
        return KERR_NOMEM;
    }
    size_t pos = 0;
    kerr_t err = KERR_CORRUPT_MESSAGE;
    for (;;) {
        size_t avail;
        uint8_t *dst = sink_space(snk, &avail);
        size_t dst_len = avail;
        size_t src_len = in_len - pos;
        size_t hint = LZ4F_decompress(dctx, dst, &dst_len, in + pos, &src_len, NULL);
        if (LZ4F_isError(hint)) {
            break;
        }
        pos += src_len;
        sink_commit(snk, dst_len);
        if (sink_overflowed(snk)) {
            break;
        }
        if (pos == in_len && hint == 0) {
            err = KERR_NONE;
            break;
        }
        if (pos == in_len && dst_len < avail) {
            break;
        }
    }
    LZ4F_freeDecompressionContext(dctx);
    return err;
}

/* Independent blocks and no content size: the frame shape Java's
 * KafkaLZ4BlockInputStream requires and librdkafka writes.  LZ4F takes
 * Kafka's levels as they are: below 3 the fast compressor, from 3 up LZ4HC
 * at that level. */
static kerr_t lz4_compress(const uint8_t *in, size_t in_len, int level, buf_writer_t *out)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.compressionLevel = level;
    size_t bound = LZ4F_compressFrameBound(in_len, &prefs);
    uint8_t *dst = buf_reserve(out, bound);
    size_t got = LZ4F_compressFrame(dst, bound, in, in_len, &prefs);
    if (LZ4F_isError(got)) {
        out->len -= bound;
        return KERR_NOMEM;
    }
    out->len -= bound - got;
    return KERR_NONE;
}

/* Same loop as lz4: ZSTD_decompressStream returns 0 at the end of a frame
 * and begins the next frame (or skippable frame) on the following call. */
static kerr_t zstd_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) {
        return KERR_NOMEM;
    }
    ZSTD_inBuffer src = {in, in_len, 0};
    kerr_t err = KERR_CORRUPT_MESSAGE;
    for (;;) {
        ZSTD_outBuffer dst;
        dst.dst = sink_space(snk, &dst.size);
        dst.pos = 0;
        size_t hint = ZSTD_decompressStream(dctx, &dst, &src);
        if (ZSTD_isError(hint)) {
            break;
        }
        sink_commit(snk, dst.pos);
        if (sink_overflowed(snk)) {
            break;
        }
        if (src.pos == src.size && hint == 0) {
            err = KERR_NONE;
            break;
        }
        if (src.pos == src.size && dst.pos < dst.size) {
            break;
        }
    }
    ZSTD_freeDCtx(dctx);
    return err;
}

static kerr_t zstd_compress(const uint8_t *in, size_t in_len, int level, buf_writer_t *out)
{
    size_t bound = ZSTD_compressBound(in_len);
    uint8_t *dst = buf_reserve(out, bound);
    size_t got = ZSTD_compress(dst, bound, in, in_len, level);
    if (ZSTD_isError(got)) {
        out->len -= bound;
        return KERR_NOMEM;
    }
    out->len -= bound - got;
    return KERR_NONE;
}

static kerr_t none_decompress(const uint8_t *in, size_t in_len, sink_t *snk)
{
    if (in_len > snk->max_out) {
        return KERR_CORRUPT_MESSAGE;
    }
    buf_write_raw(snk->out, in, in_len);
    return KERR_NONE;
}

/*
 * No batch exceeds INT32_MAX bytes (batchLength is an int32), and refusing
 * larger inputs lets zlib's 32-bit avail_in take any input in one go.
 */
kerr_t compression_decompress(int codec, const uint8_t *in, size_t in_len, buf_writer_t *out,
                              size_t max_out)
{
    if (in_len > INT32_MAX) {
        return KERR_CORRUPT_MESSAGE;
    }
    sink_t snk;
    sink_init(&snk, out, max_out);
    kerr_t err;
    switch (codec) {
    case BATCH_CODEC_NONE:
        err = none_decompress(in, in_len, &snk);
        break;
    case BATCH_CODEC_GZIP:
        err = gzip_decompress(in, in_len, &snk);
        break;
    case BATCH_CODEC_SNAPPY:
        err = snappy_decompress(in, in_len, &snk);
        break;
    case BATCH_CODEC_LZ4:
        err = lz4_decompress(in, in_len, &snk);
        break;
    case BATCH_CODEC_ZSTD:
        err = zstd_decompress(in, in_len, &snk);
        break;
    default:
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
    if (err != KERR_NONE) {
        out->len = snk.start;
    }
    return err;
}

kerr_t compression_compress(int codec, const uint8_t *in, size_t in_len, buf_writer_t *out)
{
    int level = 0;
    if (codec == BATCH_CODEC_GZIP) {
        level = Z_DEFAULT_COMPRESSION;
    } else if (codec == BATCH_CODEC_ZSTD) {
        level = ZSTD_CLEVEL_DEFAULT;
    }
    return compression_compress_level(codec, level, in, in_len, out);
}

/* Returns MESSAGE_TOO_LARGE past INT32_MAX bytes (see above) and NOMEM if
 * a codec library cannot allocate its state. */
kerr_t compression_compress_level(int codec, int level, const uint8_t *in, size_t in_len, buf_writer_t *out)
{
    if (in_len > INT32_MAX) {
        return KERR_MESSAGE_TOO_LARGE;
    }
    size_t start = out->len;
    kerr_t err;
    switch (codec) {
    case BATCH_CODEC_NONE:
        buf_write_raw(out, in, in_len);
        err = KERR_NONE;
        break;
    case BATCH_CODEC_GZIP:
        err = gzip_compress(in, in_len, level, out);
        break;
    case BATCH_CODEC_SNAPPY:
        err = snappy_compress_xerial(in, in_len, out);
        break;
    case BATCH_CODEC_LZ4:
        err = lz4_compress(in, in_len, level, out);
        break;
    case BATCH_CODEC_ZSTD:
        err = zstd_compress(in, in_len, level, out);
        break;
    default:
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
    if (err != KERR_NONE) {
        out->len = start;
    }
    return err;
}
