/*
 * fuzz_pgoutput.c - libFuzzer target for connectors/postgres/pgoutput.c: any
 * sequence of CopyData payloads and pgoutput messages either decodes or
 * fails with a message naming a byte, never reads out of bounds, never
 * aborts; what a decoded message points at lies in the input or in the
 * decoder's caches, and tuples have as many values as their relation has
 * columns (pgoutput.h promises all of it).
 *
 * Input: one byte whose low bit picks the protocol version (0: v1, 1: v2),
 * then frames of a big-endian 16-bit length and that many bytes.  A frame
 * that decodes as XLogData has its payload decoded as a pgoutput message;
 * any other frame is decoded as a pgoutput message itself.  One decoder
 * sees every frame, so Relation messages early in an input let data
 * messages later in it reach the tuple decoder.  Each frame is copied into
 * a heap block of its exact size, so AddressSanitizer catches a read past
 * it.  Seeds: `tests/unit/test_pgoutput --write-corpus DIR`.  Built by
 * tests/fuzz/run-fuzz.sh, or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iconnectors/postgres \
 *       tests/fuzz/fuzz_pgoutput.c connectors/postgres/pgoutput.c -o /tmp/fp
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgoutput.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless [p, p + n) lies inside [buf, buf + len). */
static void check_inside(const void *p, size_t n, const uint8_t *buf, size_t len)
{
    const uint8_t *q = p;
    if (q < buf || q > buf + len || n > (size_t)(buf + len - q)) {
        abort();
    }
}

/* Reads every byte a tuple points at, so ASan sees any bad pointer. */
static unsigned touch_tuple(const pgoutput_tuple_t *tup, const pgoutput_relation_t *rel, const uint8_t *buf, size_t len)
{
    unsigned sum = 0;
    if (tup->ncols != rel->ncols) {
        abort();
    }
    for (uint16_t i = 0; i < tup->ncols; i++) {
        const pgoutput_datum_t *val = &tup->vals[i];
        if (val->kind == PGOUTPUT_DATUM_TEXT || val->kind == PGOUTPUT_DATUM_BINARY) {
            check_inside(val->data, val->len, buf, len);
            for (uint32_t k = 0; k < val->len; k++) {
                sum += val->data[k];
            }
        } else if (val->kind != PGOUTPUT_DATUM_NULL && val->kind != PGOUTPUT_DATUM_UNCHANGED) {
            abort();
        }
    }
    return sum;
}

static unsigned touch_relation(const pgoutput_relation_t *rel)
{
    unsigned sum = (unsigned)strlen(rel->nspname) + (unsigned)strlen(rel->relname);
    for (uint16_t i = 0; i < rel->ncols; i++) {
        sum += (unsigned)strlen(rel->cols[i].name) + rel->cols[i].type_oid;
    }
    return sum;
}

/* Checks a decoded message against its buffer. */
static unsigned check_msg(const pgoutput_decoder_t *dec, const pgoutput_msg_t *msg, const uint8_t *buf, size_t len)
{
    unsigned sum = 0;
    switch (msg->type) {
    case PGOUTPUT_MSG_ORIGIN:
        check_inside(msg->u.origin.name, strlen(msg->u.origin.name) + 1, buf, len);
        break;
    case PGOUTPUT_MSG_RELATION:
        if (pgoutput_decoder_relation(dec, msg->u.relation.rel->relid) != msg->u.relation.rel) {
            abort();
        }
        sum += touch_relation(msg->u.relation.rel);
        break;
    case PGOUTPUT_MSG_TYPE:
        if (pgoutput_decoder_type(dec, msg->u.type.type->oid) != msg->u.type.type) {
            abort();
        }
        sum += (unsigned)strlen(msg->u.type.type->name) + (unsigned)strlen(msg->u.type.type->nspname);
        break;
    case PGOUTPUT_MSG_INSERT:
    case PGOUTPUT_MSG_UPDATE:
    case PGOUTPUT_MSG_DELETE:
        if (pgoutput_decoder_relation(dec, msg->u.change.rel->relid) != msg->u.change.rel) {
            abort();
        }
        if (msg->u.change.old_kind != 0) {
            sum += touch_tuple(&msg->u.change.oldtup, msg->u.change.rel, buf, len);
        }
        if (msg->type != PGOUTPUT_MSG_DELETE) {
            sum += touch_tuple(&msg->u.change.newtup, msg->u.change.rel, buf, len);
        }
        break;
    case PGOUTPUT_MSG_TRUNCATE:
        for (uint32_t i = 0; i < msg->u.truncate.nrels; i++) {
            sum += touch_relation(msg->u.truncate.rels[i]);
        }
        break;
    case PGOUTPUT_MSG_MESSAGE:
        check_inside(msg->u.message.prefix, strlen(msg->u.message.prefix) + 1, buf, len);
        check_inside(msg->u.message.content, msg->u.message.len, buf, len);
        break;
    default:
        break;
    }
    return sum;
}

/* A failure names a byte and zeroes the message. */
static void check_failure(const pgoutput_msg_t *msg, const char *err)
{
    if (msg->type != 0 || !strstr(err, " at byte ")) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    pgoutput_decoder_t *dec = pgoutput_decoder_create((data[0] & 1) ? 2 : 1, NULL, 0);
    if (!dec) {
        abort();
    }
    volatile unsigned sink = 0;
    size_t pos = 1;
    while (size - pos >= 2) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (len > size - pos) {
            len = size - pos;
        }
        uint8_t *frame = malloc(len ? len : 1);
        if (!frame) {
            abort();
        }
        memcpy(frame, data + pos, len);
        pos += len;

        char err[256];
        pgoutput_copydata_t cd;
        const uint8_t *payload = frame;
        size_t payload_len = len;
        if (pgoutput_copydata_decode(frame, len, &cd, err, sizeof(err)) == PGOUTPUT_ERR_OK) {
            if (cd.type == 'w') {
                check_inside(cd.data, cd.len, frame, len);
                payload = cd.data;
                payload_len = cd.len;
            }
            char lsn[PGOUTPUT_LSN_BUFSIZE];
            uint64_t back;
            if (!pgoutput_lsn_parse(pgoutput_lsn_format(cd.wal_end, lsn), &back) || back != cd.wal_end) {
                abort();
            }
        } else if (cd.type != 0 || !strstr(err, " at byte ")) {
            abort();
        }

        pgoutput_msg_t msg;
        if (pgoutput_decode(dec, payload, payload_len, &msg, err, sizeof(err)) == PGOUTPUT_ERR_OK) {
            sink += check_msg(dec, &msg, payload, payload_len);
        } else {
            check_failure(&msg, err);
        }
        free(frame);
    }
    (void)sink;
    pgoutput_decoder_destroy(dec);
    return 0;
}
