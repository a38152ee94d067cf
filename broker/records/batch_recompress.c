/*
 * batch_recompress.c - a producer's batch rebuilt with the topic's codec;
 * see batch_recompress.h.
 *
 * Kafka rebuilds rather than recompresses the blob: the records are walked
 * (records_foreach, which decompresses), written out again one by one into
 * a plain records section, and that section is compressed whole.  Only a
 * record's attributes, timestampDelta and offsetDelta can change; the header
 * bytes are copied as they are, so what a consumer reads is the record the
 * producer sent.  A record of key "k", value "v", one header "h"="x", 3 ms
 * after the batch's first:
 *
 *   18                length 12 (zig-zag varint)
 *   00                attributes 0
 *   06                timestampDelta 3
 *   00                offsetDelta 0
 *   02 6b             key "k"
 *   02 76             value "v"
 *   02 02 68 02 78    headerCount 1, then "h" = "x", copied raw
 */
#include "batch_recompress.h"

#include <stdbool.h>
#include <stdio.h>

#include "batch.h"
#include "batch_build.h"
#include "compression.h"
#include "records.h"

typedef struct rebuild {
    buf_writer_t plain;   /* the new records section */
    buf_writer_t scratch; /* one record body, reused */
    int64_t base_offset;
    int32_t count;
    int64_t base_timestamp;
    int64_t max_timestamp;
    bool offsets_gap;
} rebuild_t;

/* Signed overflow would be undefined behaviour; a hostile batch may hold any
 * timestamps, and Kafka's long arithmetic wraps the same way. */
static int64_t sub_wrapping(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int rebuild_record(void *opaque, const record_t *rec)
{
    rebuild_t *rb = opaque;
    if (sub_wrapping(rec->offset, rb->base_offset) != rb->count) {
        rb->offsets_gap = true;
        return 1;
    }
    if (rb->count == 0) {
        rb->base_timestamp = rec->timestamp;
    }
    if (rec->timestamp > rb->max_timestamp) {
        rb->max_timestamp = rec->timestamp;
    }
    batch_record_append(&rb->plain, &rb->scratch, rb->count, sub_wrapping(rec->timestamp, rb->base_timestamp), rec->key,
                        rec->value, rec->header_count, rec->headers);
    rb->count++;
    return 0;
}

kerr_t batch_recompress(const uint8_t *batch, size_t len, int codec, int level, buf_writer_t *out, char *errstr,
                        size_t errstr_size)
{
    batch_header_t hdr;
    batch_header_decode(batch, &hdr);
    rebuild_t rb = {.base_offset = hdr.base_offset, .max_timestamp = -1};
    buf_writer_init(&rb.plain, len);
    buf_writer_init(&rb.scratch, 256);
    size_t start = out->len;
    kerr_t err = records_foreach(batch, len, rebuild_record, &rb);
    if (err != KERR_NONE) {
        snprintf(errstr, errstr_size, "the records of the batch do not parse (%s)", kerr_name(err));
        goto fail;
    }
    if (rb.offsets_gap) {
        snprintf(errstr, errstr_size, "record %d of the batch has offset delta other than %d", rb.count, rb.count);
        err = KERR_INVALID_RECORD;
        goto fail;
    }
    buf_write_raw(out, batch, BATCH_HEADER_SIZE);
    err = compression_compress_level(codec, level, rb.plain.data, rb.plain.len, out);
    if (err != KERR_NONE) {
        snprintf(errstr, errstr_size, "cannot compress the batch (%s)", kerr_name(err));
        goto fail;
    }
    /* Leader epoch, magic and the producer's id, epoch and sequence stay as
     * the producer sent them. */
    batch_header_seal(out->data + start, out->len - start,
                      (int16_t)((hdr.attributes & BATCH_ATTR_TRANSACTIONAL) | codec), rb.count, rb.base_timestamp,
                      rb.max_timestamp);
    buf_writer_release(&rb.scratch);
    buf_writer_release(&rb.plain);
    return KERR_NONE;
fail:
    out->len = start;
    buf_writer_release(&rb.scratch);
    buf_writer_release(&rb.plain);
    return err;
}
