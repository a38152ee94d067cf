/*
 * legacy_records.c - magic 0 and 1 message sets to and from RecordBatch v2;
 * see legacy_records.h.
 *
 * A magic-1 message at offset 5, CreateTime 1000, key null, value "v":
 *
 *   00 00 00 00 00 00 00 05   offset 5
 *   00 00 00 17               messageSize 23
 *   xx xx xx xx               crc: CRC-32 of the 19 bytes that follow
 *   01                        magic 1
 *   00                        attributes: no codec, CreateTime
 *   00 00 00 00 00 00 03 e8   timestamp 1000
 *   ff ff ff ff               key null
 *   00 00 00 01 76            value "v"
 *
 * Converting up, the records are gathered (wrappers decompressed) and written
 * as one v2 batch; converting down, each v2 record becomes one such message.
 * Kafka's broker down-converts a compressed batch into a compressed wrapper;
 * this one writes the messages plain, which every client reads and which
 * spares old clients a codec they may not have (zstd never reaches them).
 */
#include "legacy_records.h"

#include <stdbool.h>
#include <stdio.h>
#include <zlib.h>

#include "batch.h"
#include "batch_build.h"
#include "compression.h"
#include "records.h"

/* As records.c: the most record bytes one wrapper may inflate to. */
#define LEGACY_MAX_DECOMPRESSED ((size_t)64 << 20)
/* crc, magic, attributes, keyLength, valueLength: the smallest magic-0 message. */
#define LEGACY_MIN_MESSAGE_SIZE 14
#define LEGACY_ATTR_CODEC_MASK 0x07
#define LEGACY_ATTR_LOG_APPEND_TIME 0x08

typedef struct legacy_message {
    int8_t magic;
    int8_t attributes;
    int64_t timestamp; /* -1 for magic 0 */
    kstr_t key;        /* len -1 = null */
    kstr_t value;
} legacy_message_t;

/* The v2 batch being written by legacy_records_to_batch. */
typedef struct upconvert {
    buf_writer_t plain;   /* the records section */
    buf_writer_t scratch; /* one record body, reused */
    int32_t count;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int codec;
    char *errstr;
    size_t errstr_size;
} upconvert_t;

/* Signed overflow would be undefined behaviour; a hostile magic-1 message may
 * carry any timestamp, and Kafka's long arithmetic wraps the same way. */
static int64_t sub_wrapping(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* Parses the `size` bytes of one message from its crc on (`msg`, already
 * bounds-checked), checking the CRC. */
static kerr_t message_read(const uint8_t *msg, size_t size, legacy_message_t *m, char *errstr, size_t errstr_size)
{
    if (size < LEGACY_MIN_MESSAGE_SIZE) {
        snprintf(errstr, errstr_size, "message of %zu bytes is shorter than any message", size);
        return KERR_CORRUPT_MESSAGE;
    }
    m->magic = (int8_t)msg[4];
    m->attributes = (int8_t)msg[5];
    if (m->magic != 0 && m->magic != 1) {
        snprintf(errstr, errstr_size, "message magic %d in a message set (only 0 and 1)", m->magic);
        return KERR_CORRUPT_MESSAGE;
    }
    uint32_t crc = (uint32_t)buf_get_i32(msg);
    uint32_t computed = (uint32_t)crc32(0L, msg + 4, (uInt)(size - 4));
    if (crc != computed) {
        snprintf(errstr, errstr_size, "message CRC %08x does not match its contents (%08x)", crc, computed);
        return KERR_CORRUPT_MESSAGE;
    }
    buf_reader_t r;
    buf_reader_init(&r, msg + 6, size - 6);
    m->timestamp = m->magic == 1 ? buf_read_i64(&r) : -1;
    m->key = buf_read_nbytes(&r, false);
    m->value = buf_read_nbytes(&r, false);
    if (r.err || buf_remaining(&r) != 0) {
        snprintf(errstr, errstr_size, "message of magic %d does not parse", m->magic);
        return KERR_CORRUPT_MESSAGE;
    }
    return KERR_NONE;
}

static void upconvert_add(upconvert_t *uc, const legacy_message_t *m, int64_t timestamp)
{
    if (uc->count == 0) {
        uc->base_timestamp = timestamp;
    }
    if (timestamp > uc->max_timestamp) {
        uc->max_timestamp = timestamp;
    }
    /* Old messages have no headers. */
    batch_record_append(&uc->plain, &uc->scratch, uc->count, sub_wrapping(timestamp, uc->base_timestamp), m->key,
                        m->value, 0, (kstr_t){NULL, 0});
    uc->count++;
}

/*
 * Adds every record of the message set at `data`.  `wrapper` is the message
 * whose value the set is, NULL at the top level: inner messages must have
 * its magic and no codec of their own, and take its timestamp when it says
 * LogAppendTime (AK AbstractLegacyRecordBatch's deep iterator).
 */
static kerr_t upconvert_set(upconvert_t *uc, const uint8_t *data, size_t len, const legacy_message_t *wrapper)
{
    size_t at = 0;
    while (at < len) {
        if (len - at < LEGACY_LOG_OVERHEAD) {
            snprintf(uc->errstr, uc->errstr_size, "message set ends in a partial message header");
            return KERR_CORRUPT_MESSAGE;
        }
        int32_t size = buf_get_i32(data + at + 8);
        if (size < 0 || (size_t)size > len - at - LEGACY_LOG_OVERHEAD) {
            snprintf(uc->errstr, uc->errstr_size, "message size %d runs past the message set", size);
            return KERR_CORRUPT_MESSAGE;
        }
        legacy_message_t m;
        kerr_t err = message_read(data + at + LEGACY_LOG_OVERHEAD, (size_t)size, &m, uc->errstr, uc->errstr_size);
        if (err != KERR_NONE) {
            return err;
        }
        at += LEGACY_LOG_OVERHEAD + (size_t)size;
        int codec = m.attributes & LEGACY_ATTR_CODEC_MASK;
        if (wrapper) {
            if (codec != BATCH_CODEC_NONE || m.magic != wrapper->magic) {
                snprintf(uc->errstr, uc->errstr_size,
                         "a compressed message holds a message of magic %d "
                         "with codec %d",
                         m.magic, codec);
                return KERR_INVALID_RECORD;
            }
            bool log_append_time = wrapper->magic == 1 && (wrapper->attributes & LEGACY_ATTR_LOG_APPEND_TIME);
            upconvert_add(uc, &m, log_append_time ? wrapper->timestamp : m.timestamp);
            continue;
        }
        if (codec == BATCH_CODEC_NONE) {
            upconvert_add(uc, &m, m.timestamp);
            continue;
        }
        if (codec == BATCH_CODEC_ZSTD) {
            /* Kafka refuses zstd below magic 2 (KIP-110). */
            snprintf(uc->errstr, uc->errstr_size, "zstd needs record batches (magic 2), got magic %d", m.magic);
            return KERR_UNSUPPORTED_COMPRESSION_TYPE;
        }
        if (m.value.len < 0) {
            snprintf(uc->errstr, uc->errstr_size, "a compressed message has a null value");
            return KERR_INVALID_RECORD;
        }
        buf_writer_t inner;
        buf_writer_init(&inner, 0);
        err = compression_decompress(codec, (const uint8_t *)m.value.ptr, (size_t)m.value.len, &inner,
                                     LEGACY_MAX_DECOMPRESSED);
        if (err != KERR_NONE) {
            snprintf(uc->errstr, uc->errstr_size, "a compressed message does not decompress with codec %d (%s)", codec,
                     kerr_name(err));
        } else if (inner.len == 0) {
            snprintf(uc->errstr, uc->errstr_size, "a compressed message holds no messages");
            err = KERR_INVALID_RECORD;
        } else {
            err = upconvert_set(uc, inner.data, inner.len, &m);
        }
        buf_writer_release(&inner);
        if (err != KERR_NONE) {
            return err;
        }
        uc->codec = codec;
    }
    return KERR_NONE;
}

kerr_t legacy_records_to_batch(const uint8_t *data, size_t len, buf_writer_t *out, char *errstr, size_t errstr_size)
{
    upconvert_t uc = {.max_timestamp = -1, .errstr = errstr, .errstr_size = errstr_size};
    buf_writer_init(&uc.plain, len);
    buf_writer_init(&uc.scratch, 256);
    size_t start = out->len;
    kerr_t err = upconvert_set(&uc, data, len, NULL);
    if (err == KERR_NONE && uc.count == 0) {
        snprintf(errstr, errstr_size, "the message set holds no messages");
        err = KERR_INVALID_RECORD;
    }
    if (err == KERR_NONE) {
        buf_reserve(out, BATCH_HEADER_SIZE);
        err = compression_compress(uc.codec, uc.plain.data, uc.plain.len, out);
        if (err != KERR_NONE) {
            snprintf(errstr, errstr_size, "cannot compress the converted batch (%s)", kerr_name(err));
        }
    }
    if (err == KERR_NONE) {
        batch_header_no_producer(out->data + start);
        /* CreateTime; the topic may make it LogAppendTime. */
        batch_header_seal(out->data + start, out->len - start, (int16_t)uc.codec, uc.count, uc.base_timestamp,
                          uc.max_timestamp);
    } else {
        out->len = start;
    }
    buf_writer_release(&uc.scratch);
    buf_writer_release(&uc.plain);
    return err;
}

typedef struct downconvert {
    buf_writer_t *out;
    int magic;
    int8_t attributes; /* the batch's timestamp type, for magic 1 */
} downconvert_t;

static void put_nbytes(buf_writer_t *w, kstr_t s)
{
    buf_write_i32(w, s.len);
    if (s.len > 0) {
        buf_write_raw(w, s.ptr, (size_t)s.len);
    }
}

static int downconvert_record(void *opaque, const record_t *rec)
{
    downconvert_t *dc = opaque;
    buf_writer_t *w = dc->out;
    buf_write_i64(w, rec->offset);
    size_t size_at = w->len;
    buf_write_i32(w, 0); /* messageSize, patched below */
    buf_write_i32(w, 0); /* crc, patched below */
    buf_write_i8(w, (int8_t)dc->magic);
    buf_write_i8(w, dc->magic == 1 ? dc->attributes : 0);
    if (dc->magic == 1) {
        buf_write_i64(w, rec->timestamp);
    }
    put_nbytes(w, rec->key);
    put_nbytes(w, rec->value);
    uint8_t *msg = w->data + size_at + 4;
    size_t size = w->len - size_at - 4;
    buf_put_i32(w->data + size_at, (int32_t)size);
    buf_put_i32(msg, (int32_t)crc32(0L, msg + 4, (uInt)(size - 4)));
    return 0;
}

kerr_t legacy_records_from_batches(const uint8_t *data, size_t len, int magic, buf_writer_t *out)
{
    size_t start = out->len, at = 0;
    while (len - at >= BATCH_HEADER_SIZE) {
        batch_header_t hdr;
        batch_header_decode(data + at, &hdr);
        if (hdr.length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(hdr.length) > len - at) {
            break; /* the partial batch a size-limited read ends with */
        }
        size_t total = batch_total_size(hdr.length);
        if (!(hdr.attributes & BATCH_ATTR_CONTROL)) {
            downconvert_t dc = {
                .out = out,
                .magic = magic,
                .attributes = (hdr.attributes & BATCH_ATTR_LOG_APPEND_TIME) ? LEGACY_ATTR_LOG_APPEND_TIME : 0,
            };
            kerr_t err = records_foreach(data + at, total, downconvert_record, &dc);
            if (err != KERR_NONE) {
                out->len = start;
                return err;
            }
        }
        at += total;
    }
    return KERR_NONE;
}
