/*
 * buf.h - Kafka wire primitives over plain byte buffers.
 *
 * buf_reader walks a borrowed, immutable byte range.  Every read checks the
 * remaining length; the first short read sets `err` and all later reads return
 * zero values, so a decoder can read a whole struct and check `r->err` once at
 * the end (the "sticky error" style of Go's bufio and librdkafka's rd_slice).
 *
 * buf_writer appends to a heap buffer it owns and grows; out-of-memory aborts
 * the process, because a broker that cannot allocate 64 bytes for a response
 * cannot do anything useful either.
 *
 * Encodings follow Apache Kafka's Type.java: big-endian fixed-width integers,
 * zig-zag varints, int16-length strings, int32-length bytes, and the "compact"
 * (unsigned varint length + 1) forms used by flexible versions.
 *
 * Pure functions: @locality any thread, @locks none; a buf_reader_t or
 * buf_writer_t is owned by one thread at a time.
 */
#ifndef CONNECTD_BUF_H
#define CONNECTD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A borrowed string or byte slice: points into the request buffer.  `len`
 * is -1 for a null string/bytes. */
typedef struct kstr {
    const char *ptr;
    int32_t len;
} kstr_t;

/* A NUL-terminated heap copy of `s` (free()); a null string gives "".
 * Aborts on out-of-memory, as xalloc.h. */
char *buf_kstr_dup(kstr_t s);

typedef struct buf_reader {
    const uint8_t *p;
    const uint8_t *end;
    bool err; /* set on the first read past the end or malformed varint */
} buf_reader_t;

void buf_reader_init(buf_reader_t *r, const void *data, size_t len);
size_t buf_remaining(const buf_reader_t *r);

int8_t buf_read_i8(buf_reader_t *r);
int16_t buf_read_i16(buf_reader_t *r);
int32_t buf_read_i32(buf_reader_t *r);
int64_t buf_read_i64(buf_reader_t *r);
bool buf_read_bool(buf_reader_t *r);
/* Zig-zag varint/varlong and plain unsigned varint (LEB128). */
int32_t buf_read_varint(buf_reader_t *r);
int64_t buf_read_varlong(buf_reader_t *r);
uint32_t buf_read_uvarint(buf_reader_t *r);
/* STRING / NULLABLE_STRING (int16 length); a null in a non-nullable field
 * sets err.  COMPACT forms when `compact` is true. */
kstr_t buf_read_str(buf_reader_t *r, bool compact);
kstr_t buf_read_nstr(buf_reader_t *r, bool compact);
/* BYTES / NULLABLE_BYTES (int32 length) or their compact forms. */
kstr_t buf_read_nbytes(buf_reader_t *r, bool compact);
/* Array length: int32 or compact; -1 means null.  A count larger than the
 * bytes left (each element takes at least `min_elem_size` bytes) sets err, so
 * a hostile count cannot make a decoder allocate gigabytes. */
int32_t buf_read_array_len(buf_reader_t *r, bool compact, size_t min_elem_size);
/* The same for an array the schema does not allow to be null: -1 sets err. */
int32_t buf_read_count(buf_reader_t *r, bool compact, size_t min_elem_size);
/* UUID: 16 raw bytes (Kafka's Uuid, the topic ids of KIP-516). */
typedef struct kuuid {
    uint8_t b[16];
} kuuid_t;
kuuid_t buf_read_uuid(buf_reader_t *r);
/* Skips a TAGGED_FIELDS section (flexible versions). */
void buf_skip_tags(buf_reader_t *r);
void buf_skip(buf_reader_t *r, size_t n);

typedef struct buf_writer {
    uint8_t *data;
    size_t len;
    size_t cap;
} buf_writer_t;

void buf_writer_init(buf_writer_t *w, size_t initial_cap);
/* Frees the buffer; safe on a zeroed or already-released writer. */
void buf_writer_release(buf_writer_t *w);
/* Hands the buffer to the caller (free() it) and resets the writer. */
uint8_t *buf_writer_steal(buf_writer_t *w, size_t *lenp);
/* Reserves n bytes at the end and returns where they start. */
uint8_t *buf_reserve(buf_writer_t *w, size_t n);

void buf_write_raw(buf_writer_t *w, const void *data, size_t n);
void buf_write_i8(buf_writer_t *w, int8_t v);
void buf_write_i16(buf_writer_t *w, int16_t v);
void buf_write_i32(buf_writer_t *w, int32_t v);
void buf_write_i64(buf_writer_t *w, int64_t v);
void buf_write_bool(buf_writer_t *w, bool v);
void buf_write_varint(buf_writer_t *w, int32_t v);
void buf_write_varlong(buf_writer_t *w, int64_t v);
void buf_write_uvarint(buf_writer_t *w, uint32_t v);
/* Strings from C strings; NULL writes a null.  buf_write_kstr takes a slice. */
void buf_write_str(buf_writer_t *w, const char *s, bool compact);
void buf_write_kstr(buf_writer_t *w, kstr_t s, bool compact);
void buf_write_nbytes(buf_writer_t *w, const void *data, int32_t len, bool compact);
void buf_write_array_len(buf_writer_t *w, int32_t n, bool compact);
void buf_write_uuid(buf_writer_t *w, const kuuid_t *u);
/* An empty TAGGED_FIELDS section. */
void buf_write_empty_tags(buf_writer_t *w);

/* In-place big-endian patching and peeking, for headers and batch fields. */
void buf_put_i32(uint8_t *p, int32_t v);
void buf_put_i64(uint8_t *p, int64_t v);
int16_t buf_get_i16(const uint8_t *p);
int32_t buf_get_i32(const uint8_t *p);
int64_t buf_get_i64(const uint8_t *p);

/* Compares a slice with a C string. */
bool kstr_eq(kstr_t s, const char *cstr);

#endif
