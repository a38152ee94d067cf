/*
 * records.c - walking the records inside one RecordBatch v2.
 *
 * The batch header is trusted only as far as its own bounds: magic 2, a
 * batchLength that fits in the buffer, a non-negative record count.  The CRC
 * is the caller's business (batch_validate on produce, batch_is_intact on
 * recovery), because everything here is bounds-checked anyway and callers
 * that read their own log need not pay for it twice.
 *
 * Records are parsed the way AK's DefaultRecord.readFrom does, and as
 * strictly: each record must use exactly its declared length, the batch must
 * hold exactly recordsCount records and nothing after them, and header keys
 * may not be null.  An example record (offsetDelta 1, key null, value "v1",
 * no headers) is the 9 bytes
 *
 *   10 00 14 02 01 04 76 31 00
 *   |  |  |  |  |  |  |     `- headerCount 0
 *   |  |  |  |  |  |  `- value "v1"
 *   |  |  |  |  |  `- valueLength 2
 *   |  |  |  |  `- keyLength -1 (null)
 *   |  |  |  `- offsetDelta 1
 *   |  |  `- timestampDelta 10
 *   |  `- attributes
 *   `- length 8 (all varints are zig-zag)
 *
 * A compressed batch is first decompressed whole into a temporary buffer
 * (compression.c); record_t slices point into it and live only for the
 * callback.
 */
#include "records.h"

#include <stdbool.h>

#include "batch.h"
#include "compression.h"

/*
 * The most decompressed record bytes one batch may expand to.  Producers cap
 * batches before compression (librdkafka batch.size, 1 MB by default), so
 * real batches stay far below this; a compression bomb stops here with
 * CORRUPT_MESSAGE instead of exhausting memory.
 */
#define RECORDS_MAX_DECOMPRESSED ((size_t)64 << 20)

/* Adds with two's-complement wrap-around: a hostile batch may put any base
 * and delta in, and signed overflow would be undefined behaviour. */
static int64_t add_wrapping(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* A varint length (-1 = null) followed by that many bytes. */
static kstr_t read_varbytes(buf_reader_t *r)
{
    kstr_t s = {NULL, -1};
    int32_t len = buf_read_varint(r);
    if (len < -1) {
        r->err = true;
    }
    if (r->err || len == -1) {
        return s;
    }
    const uint8_t *at = r->p;
    buf_skip(r, (size_t)len);
    if (!r->err) {
        s.ptr = (const char *)at;
        s.len = len;
    }
    return s;
}

/* Skips the headers, checking each one parses; returns where they start. */
static const uint8_t *skip_headers(buf_reader_t *r, int32_t count)
{
    const uint8_t *start = r->p;
    if (count < 0) {
        r->err = true;
    }
    for (int32_t i = 0; i < count && !r->err; i++) {
        if (read_varbytes(r).len < 0) {
            r->err = true; /* a header key may not be null */
        }
        read_varbytes(r);
    }
    return start;
}

/* Reads the record body of exactly `len` bytes at `body`. */
static bool record_body_read(const uint8_t *body, size_t len, const batch_header_t *hdr,
                             record_t *rec)
{
    buf_reader_t r;
    buf_reader_init(&r, body, len);
    buf_read_i8(&r); /* attributes: unused by every record version so far */
    int64_t ts_delta = buf_read_varlong(&r);
    int32_t offset_delta = buf_read_varint(&r);
    rec->key = read_varbytes(&r);
    rec->value = read_varbytes(&r);
    rec->header_count = buf_read_varint(&r);
    const uint8_t *headers = skip_headers(&r, rec->header_count);
    if (r.err || buf_remaining(&r) != 0) {
        return false;
    }
    rec->headers.ptr = (const char *)headers;
    rec->headers.len = (int32_t)(r.p - headers);
    rec->offset = add_wrapping(hdr->base_offset, offset_delta);
    rec->timestamp = (hdr->attributes & BATCH_ATTR_LOG_APPEND_TIME)
                         ? hdr->max_timestamp
                         : add_wrapping(hdr->base_timestamp, ts_delta);
    return true;
}

static bool record_read(buf_reader_t *r, const batch_header_t *hdr, record_t *rec)
{
    int32_t len = buf_read_varint(r);
    if (r->err || len < 0 || (size_t)len > buf_remaining(r)) {
        return false;
    }
    const uint8_t *body = r->p;
    buf_skip(r, (size_t)len);
    return record_body_read(body, (size_t)len, hdr, rec);
}

/* Calls cb for each of the hdr->records_count records in `data`. */
static kerr_t records_walk(const batch_header_t *hdr, const uint8_t *data, size_t len,
                           records_cb *cb, void *opaque)
{
    buf_reader_t r;
    buf_reader_init(&r, data, len);
    for (int32_t i = 0; i < hdr->records_count; i++) {
        record_t rec;
        if (!record_read(&r, hdr, &rec)) {
            return KERR_CORRUPT_MESSAGE;
        }
        if (cb(opaque, &rec)) {
            return KERR_NONE;
        }
    }
    return buf_remaining(&r) == 0 ? KERR_NONE : KERR_CORRUPT_MESSAGE;
}

/* Decodes and bounds-checks the header; *records_len is the size of the
 * records section (or compressed blob) at byte 61.  Bytes in `len` past
 * batchLength are not this batch's and are ignored. */
static kerr_t header_read(const uint8_t *batch, size_t len, batch_header_t *hdr,
                          size_t *records_len)
{
    if (len < BATCH_HEADER_SIZE) {
        return KERR_CORRUPT_MESSAGE;
    }
    batch_header_decode(batch, hdr);
    if (hdr->magic != 2 || hdr->length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD ||
        batch_total_size(hdr->length) > len || hdr->records_count < 0) {
        return KERR_CORRUPT_MESSAGE;
    }
    *records_len = batch_total_size(hdr->length) - BATCH_HEADER_SIZE;
    return KERR_NONE;
}

kerr_t records_foreach(const uint8_t *batch, size_t len, records_cb *cb, void *opaque)
{
    batch_header_t hdr;
    size_t records_len;
    kerr_t err = header_read(batch, len, &hdr, &records_len);
    if (err != KERR_NONE) {
        return err;
    }
    const uint8_t *records = batch + BATCH_HEADER_SIZE;
    int codec = hdr.attributes & BATCH_ATTR_CODEC_MASK;
    if (codec == BATCH_CODEC_NONE) {
        return records_walk(&hdr, records, records_len, cb, opaque);
    }
    buf_writer_t plain;
    buf_writer_init(&plain, 0);
    err = compression_decompress(codec, records, records_len, &plain, RECORDS_MAX_DECOMPRESSED);
    if (err == KERR_NONE) {
        err = records_walk(&hdr, plain.data, plain.len, cb, opaque);
    }
    buf_writer_release(&plain);
    return err;
}

typedef struct ts_search {
    int64_t target;
    bool found;
    int64_t offset;
    int64_t timestamp;
} ts_search_t;

/*
 * Keeps the lowest offset at or after the target rather than stopping at the
 * first hit: producers write offsets in order, but nothing in the format
 * forces it, and the whole blob is decompressed already, so the full walk is
 * cheap.
 */
static int ts_search_visit(void *opaque, const record_t *rec)
{
    ts_search_t *search = opaque;
    if (rec->timestamp >= search->target && (!search->found || rec->offset < search->offset)) {
        search->found = true;
        search->offset = rec->offset;
        search->timestamp = rec->timestamp;
    }
    return 0;
}

kerr_t records_find_timestamp(const uint8_t *batch, size_t len, int64_t ts, int64_t *offset,
                              int64_t *timestamp)
{
    ts_search_t search = {ts, false, -1, -1};
    kerr_t err = records_foreach(batch, len, ts_search_visit, &search);
    *offset = err == KERR_NONE ? search.offset : -1;
    *timestamp = err == KERR_NONE ? search.timestamp : -1;
    return err;
}
