/*
 * buf.h - Kafka wire primitives over plain byte buffers.
 *
 * kbuf_reader walks a borrowed, immutable byte range.  Every read checks the
 * remaining length; the first short read sets `err` and all later reads return
 * zero values, so a decoder can read a whole struct and check `r->err` once at
 * the end (the "sticky error" style of Go's bufio and librdkafka's rd_slice).
 *
 * kbuf_writer appends to a heap buffer it owns and grows; out-of-memory aborts
 * the process, because a broker that cannot allocate 64 bytes for a response
 * cannot do anything useful either.
 *
 * Encodings follow Apache Kafka's Type.java: big-endian fixed-width integers,
 * zig-zag varints, int16-length strings, int32-length bytes, and the "compact"
 * (unsigned varint length + 1) forms used by flexible versions.
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

typedef struct kbuf_reader {
    const uint8_t *p;
    const uint8_t *end;
    bool err; /* set on the first read past the end or malformed varint */
} kbuf_reader_t;

void kbuf_reader_init(kbuf_reader_t *r, const void *data, size_t len);
size_t kbuf_remaining(const kbuf_reader_t *r);

int8_t kbuf_read_i8(kbuf_reader_t *r);
int16_t kbuf_read_i16(kbuf_reader_t *r);
int32_t kbuf_read_i32(kbuf_reader_t *r);
int64_t kbuf_read_i64(kbuf_reader_t *r);
bool kbuf_read_bool(kbuf_reader_t *r);
/* Zig-zag varint/varlong and plain unsigned varint (LEB128). */
int32_t kbuf_read_varint(kbuf_reader_t *r);
int64_t kbuf_read_varlong(kbuf_reader_t *r);
uint32_t kbuf_read_uvarint(kbuf_reader_t *r);
/* STRING / NULLABLE_STRING (int16 length); a null in a non-nullable field
 * sets err.  COMPACT forms when `compact` is true. */
kstr_t kbuf_read_str(kbuf_reader_t *r, bool compact);
kstr_t kbuf_read_nstr(kbuf_reader_t *r, bool compact);
/* BYTES / NULLABLE_BYTES (int32 length) or their compact forms. */
kstr_t kbuf_read_nbytes(kbuf_reader_t *r, bool compact);
/* Array length: int32 or compact; -1 means null.  A count larger than the
 * bytes left (each element takes at least `min_elem_size` bytes) sets err, so
 * a hostile count cannot make a decoder allocate gigabytes. */
int32_t kbuf_read_array_len(kbuf_reader_t *r, bool compact, size_t min_elem_size);
/* The same for an array the schema does not allow to be null: -1 sets err. */
int32_t kbuf_read_count(kbuf_reader_t *r, bool compact, size_t min_elem_size);
/* Skips a TAGGED_FIELDS section (flexible versions). */
void kbuf_skip_tags(kbuf_reader_t *r);
void kbuf_skip(kbuf_reader_t *r, size_t n);

typedef struct kbuf_writer {
    uint8_t *data;
    size_t len;
    size_t cap;
} kbuf_writer_t;

void kbuf_writer_init(kbuf_writer_t *w, size_t initial_cap);
/* Frees the buffer; safe on a zeroed or already-released writer. */
void kbuf_writer_release(kbuf_writer_t *w);
/* Hands the buffer to the caller (free() it) and resets the writer. */
uint8_t *kbuf_writer_steal(kbuf_writer_t *w, size_t *lenp);
/* Reserves n bytes at the end and returns where they start. */
uint8_t *kbuf_reserve(kbuf_writer_t *w, size_t n);

void kbuf_write_raw(kbuf_writer_t *w, const void *data, size_t n);
void kbuf_write_i8(kbuf_writer_t *w, int8_t v);
void kbuf_write_i16(kbuf_writer_t *w, int16_t v);
void kbuf_write_i32(kbuf_writer_t *w, int32_t v);
void kbuf_write_i64(kbuf_writer_t *w, int64_t v);
void kbuf_write_bool(kbuf_writer_t *w, bool v);
void kbuf_write_varint(kbuf_writer_t *w, int32_t v);
void kbuf_write_varlong(kbuf_writer_t *w, int64_t v);
void kbuf_write_uvarint(kbuf_writer_t *w, uint32_t v);
/* Strings from C strings; NULL writes a null.  kbuf_write_kstr takes a slice. */
void kbuf_write_str(kbuf_writer_t *w, const char *s, bool compact);
void kbuf_write_kstr(kbuf_writer_t *w, kstr_t s, bool compact);
void kbuf_write_nbytes(kbuf_writer_t *w, const void *data, int32_t len, bool compact);
void kbuf_write_array_len(kbuf_writer_t *w, int32_t n, bool compact);
/* An empty TAGGED_FIELDS section. */
void kbuf_write_empty_tags(kbuf_writer_t *w);

/* In-place big-endian patching and peeking, for headers and batch fields. */
void kbuf_put_i32(uint8_t *p, int32_t v);
void kbuf_put_i64(uint8_t *p, int64_t v);
int16_t kbuf_get_i16(const uint8_t *p);
int32_t kbuf_get_i32(const uint8_t *p);
int64_t kbuf_get_i64(const uint8_t *p);

/* Compares a slice with a C string. */
bool kstr_eq(kstr_t s, const char *cstr);

#endif
