/* batch.c - RecordBatch v2 header decoding and validation; see batch.h. */
#include "batch.h"

#include <stdio.h>

#include "protocol/buf.h"
#include "crc32c.h"

#define CRC_START 21

static kerr_t batch_count_plausible(const uint8_t *data, size_t len, const batch_header_t *hdr,
                                    char *errstr, size_t errstr_size);

void batch_header_decode(const uint8_t *d, batch_header_t *hdr)
{
    hdr->base_offset = buf_get_i64(d);
    hdr->length = buf_get_i32(d + 8);
    hdr->leader_epoch = buf_get_i32(d + 12);
    hdr->magic = (int8_t)d[16];
    hdr->crc = (uint32_t)buf_get_i32(d + 17);
    hdr->attributes = buf_get_i16(d + 21);
    hdr->last_offset_delta = buf_get_i32(d + 23);
    hdr->base_timestamp = buf_get_i64(d + 27);
    hdr->max_timestamp = buf_get_i64(d + 35);
    hdr->producer_id = buf_get_i64(d + 43);
    hdr->producer_epoch = buf_get_i16(d + 51);
    hdr->base_sequence = buf_get_i32(d + 53);
    hdr->records_count = buf_get_i32(d + 57);
}

static bool crc_matches(const uint8_t *data, const batch_header_t *hdr)
{
    size_t total = batch_total_size(hdr->length);
    return crc32c(0, data + CRC_START, total - CRC_START) == hdr->crc;
}

bool batch_is_intact(const uint8_t *data, size_t len, batch_header_t *hdr)
{
    if (len < BATCH_HEADER_SIZE) {
        return false;
    }
    batch_header_decode(data, hdr);
    if (hdr->magic != 2 || hdr->length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD ||
        batch_total_size(hdr->length) > len || hdr->last_offset_delta < 0 || hdr->base_offset < 0) {
        return false;
    }
    return crc_matches(data, hdr);
}

kerr_t batch_validate(const uint8_t *data, size_t len, batch_header_t *hdr, char *errstr,
                      size_t errstr_size)
{
    if (len < BATCH_HEADER_SIZE) {
        snprintf(errstr, errstr_size, "record batch of %zu bytes is shorter than the %d-byte header",
                 len, BATCH_HEADER_SIZE);
        return KERR_INVALID_RECORD;
    }
    batch_header_decode(data, hdr);
    if (hdr->magic != 2) {
        snprintf(errstr, errstr_size, "record batch magic %d is not supported; only magic 2 is",
                 hdr->magic);
        return KERR_INVALID_RECORD;
    }
    if (hdr->length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(hdr->length) != len) {
        snprintf(errstr, errstr_size,
                 "record batch length %d does not match the %zu bytes sent (exactly one batch is allowed)",
                 hdr->length, len);
        return KERR_INVALID_RECORD;
    }
    if (hdr->records_count <= 0 || hdr->last_offset_delta != hdr->records_count - 1) {
        snprintf(errstr, errstr_size, "record batch has count %d but lastOffsetDelta %d",
                 hdr->records_count, hdr->last_offset_delta);
        return KERR_INVALID_RECORD;
    }
    if (hdr->attributes & BATCH_ATTR_CONTROL) {
        snprintf(errstr, errstr_size, "clients may not send control batches");
        return KERR_INVALID_RECORD;
    }
    if ((hdr->attributes & BATCH_ATTR_CODEC_MASK) > BATCH_CODEC_ZSTD) {
        snprintf(errstr, errstr_size, "unknown compression codec %d",
                 hdr->attributes & BATCH_ATTR_CODEC_MASK);
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
    if (hdr->producer_id >= 0 && hdr->base_sequence < 0) {
        snprintf(errstr, errstr_size, "idempotent batch from producer %lld has no sequence",
                 (long long)hdr->producer_id);
        return KERR_INVALID_RECORD;
    }
    if (!crc_matches(data, hdr)) {
        snprintf(errstr, errstr_size, "record batch CRC mismatch: the batch was corrupted in transit");
        return KERR_CORRUPT_MESSAGE;
    }
    return batch_count_plausible(data, len, hdr, errstr, errstr_size);
}

/*
 * The offsets a batch takes come from its recordsCount, so a count that does
 * not match the records would make the log skip up to 2^31 offsets per
 * request.  Uncompressed records are counted by their length prefixes, as
 * Kafka's LogValidator does; a compressed batch's count is bounded by what
 * its payload could hold once decompressed (records.c caps that at 64 MiB,
 * and a record takes at least 7 bytes).
 */
static kerr_t batch_count_plausible(const uint8_t *data, size_t len, const batch_header_t *hdr,
                                    char *errstr, size_t errstr_size)
{
    if ((hdr->attributes & BATCH_ATTR_CODEC_MASK) != BATCH_CODEC_NONE) {
        if (hdr->records_count > (64 << 20) / 7) {
            snprintf(errstr, errstr_size, "compressed record batch claims %d records, more than it can hold",
                     hdr->records_count);
            return KERR_INVALID_RECORD;
        }
        return KERR_NONE;
    }
    buf_reader_t r;
    buf_reader_init(&r, data + BATCH_HEADER_SIZE, len - BATCH_HEADER_SIZE);
    int32_t n = 0;
    while (buf_remaining(&r) > 0 && n <= hdr->records_count) {
        int32_t rec_len = buf_read_varint(&r);
        if (r.err || rec_len < 0 || (size_t)rec_len > buf_remaining(&r)) {
            break;
        }
        buf_skip(&r, (size_t)rec_len);
        n++;
    }
    if (r.err || buf_remaining(&r) != 0 || n != hdr->records_count) {
        snprintf(errstr, errstr_size, "record batch says %d records but holds %d", hdr->records_count, n);
        return KERR_INVALID_RECORD;
    }
    return KERR_NONE;
}

void batch_set_base_offset(uint8_t *data, int64_t base_offset, int32_t leader_epoch)
{
    buf_put_i64(data, base_offset);
    buf_put_i32(data + 12, leader_epoch);
}

void batch_set_log_append_time(uint8_t *data, size_t len, int64_t append_time)
{
    data[22] |= BATCH_ATTR_LOG_APPEND_TIME; /* the low byte of attributes */
    buf_put_i64(data + 35, append_time);
    buf_put_i32(data + 17, (int32_t)crc32c(0, data + CRC_START, len - CRC_START));
}
