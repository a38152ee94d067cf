/* buf.c - Kafka wire primitives; see buf.h for the conventions. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

void kbuf_reader_init(kbuf_reader_t *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->err = false;
}

size_t kbuf_remaining(const kbuf_reader_t *r)
{
    return r->err ? 0 : (size_t)(r->end - r->p);
}

/* Returns a pointer to n readable bytes and advances, or NULL (and sets err). */
static const uint8_t *take(kbuf_reader_t *r, size_t n)
{
    if (r->err || (size_t)(r->end - r->p) < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}

int16_t kbuf_get_i16(const uint8_t *p)
{
    return (int16_t)(((uint16_t)p[0] << 8) | p[1]);
}

int32_t kbuf_get_i32(const uint8_t *p)
{
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
}

int64_t kbuf_get_i64(const uint8_t *p)
{
    return (int64_t)(((uint64_t)(uint32_t)kbuf_get_i32(p) << 32) | (uint32_t)kbuf_get_i32(p + 4));
}

void kbuf_put_i32(uint8_t *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (uint8_t)(u >> 24);
    p[1] = (uint8_t)(u >> 16);
    p[2] = (uint8_t)(u >> 8);
    p[3] = (uint8_t)u;
}

void kbuf_put_i64(uint8_t *p, int64_t v)
{
    kbuf_put_i32(p, (int32_t)((uint64_t)v >> 32));
    kbuf_put_i32(p + 4, (int32_t)(uint32_t)v);
}

int8_t kbuf_read_i8(kbuf_reader_t *r)
{
    const uint8_t *p = take(r, 1);
    return p ? (int8_t)p[0] : 0;
}

int16_t kbuf_read_i16(kbuf_reader_t *r)
{
    const uint8_t *p = take(r, 2);
    return p ? kbuf_get_i16(p) : 0;
}

int32_t kbuf_read_i32(kbuf_reader_t *r)
{
    const uint8_t *p = take(r, 4);
    return p ? kbuf_get_i32(p) : 0;
}

int64_t kbuf_read_i64(kbuf_reader_t *r)
{
    const uint8_t *p = take(r, 8);
    return p ? kbuf_get_i64(p) : 0;
}

bool kbuf_read_bool(kbuf_reader_t *r)
{
    return kbuf_read_i8(r) != 0;
}

static uint64_t read_uleb(kbuf_reader_t *r, int max_bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        const uint8_t *p = take(r, 1);
        if (!p) {
            return 0;
        }
        v |= (uint64_t)(*p & 0x7f) << (7 * i);
        if (!(*p & 0x80)) {
            return v;
        }
    }
    r->err = true; /* too many continuation bytes */
    return 0;
}

uint32_t kbuf_read_uvarint(kbuf_reader_t *r)
{
    return (uint32_t)read_uleb(r, 5);
}

int32_t kbuf_read_varint(kbuf_reader_t *r)
{
    uint32_t u = (uint32_t)read_uleb(r, 5);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

int64_t kbuf_read_varlong(kbuf_reader_t *r)
{
    uint64_t u = read_uleb(r, 10);
    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

static kstr_t read_slice(kbuf_reader_t *r, int64_t len)
{
    kstr_t s = {NULL, -1};
    if (len < 0) {
        return s;
    }
    const uint8_t *p = take(r, (size_t)len);
    if (p) {
        s.ptr = (const char *)p;
        s.len = (int32_t)len;
    }
    return s;
}

kstr_t kbuf_read_nstr(kbuf_reader_t *r, bool compact)
{
    int64_t len = compact ? (int64_t)kbuf_read_uvarint(r) - 1 : kbuf_read_i16(r);
    if (len < -1) {
        r->err = true;
    }
    return read_slice(r, r->err ? -1 : len);
}

kstr_t kbuf_read_str(kbuf_reader_t *r, bool compact)
{
    kstr_t s = kbuf_read_nstr(r, compact);
    if (s.len < 0) {
        r->err = true;
        s.ptr = "";
        s.len = 0;
    }
    return s;
}

kstr_t kbuf_read_nbytes(kbuf_reader_t *r, bool compact)
{
    int64_t len = compact ? (int64_t)kbuf_read_uvarint(r) - 1 : kbuf_read_i32(r);
    if (len < -1) {
        r->err = true;
    }
    return read_slice(r, r->err ? -1 : len);
}

int32_t kbuf_read_array_len(kbuf_reader_t *r, bool compact, size_t min_elem_size)
{
    int64_t n = compact ? (int64_t)kbuf_read_uvarint(r) - 1 : kbuf_read_i32(r);
    if (r->err || n < -1) {
        r->err = true;
        return 0;
    }
    if (n > 0 && (uint64_t)n * (min_elem_size ? min_elem_size : 1) > kbuf_remaining(r)) {
        r->err = true;
        return 0;
    }
    return (int32_t)n;
}

int32_t kbuf_read_count(kbuf_reader_t *r, bool compact, size_t min_elem_size)
{
    int32_t n = kbuf_read_array_len(r, compact, min_elem_size);
    if (n < 0) {
        r->err = true;
        return 0;
    }
    return n;
}

void kbuf_skip(kbuf_reader_t *r, size_t n)
{
    take(r, n);
}

void kbuf_skip_tags(kbuf_reader_t *r)
{
    uint32_t n = kbuf_read_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        kbuf_read_uvarint(r); /* tag */
        kbuf_skip(r, kbuf_read_uvarint(r));
    }
}

bool kstr_eq(kstr_t s, const char *cstr)
{
    size_t n = strlen(cstr);
    return s.len >= 0 && (size_t)s.len == n && memcmp(s.ptr, cstr, n) == 0;
}

void kbuf_writer_init(kbuf_writer_t *w, size_t initial_cap)
{
    w->cap = initial_cap ? initial_cap : 64;
    w->len = 0;
    w->data = malloc(w->cap);
    if (!w->data) {
        abort();
    }
}

void kbuf_writer_release(kbuf_writer_t *w)
{
    free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
}

uint8_t *kbuf_writer_steal(kbuf_writer_t *w, size_t *lenp)
{
    uint8_t *data = w->data;
    *lenp = w->len;
    w->data = NULL;
    w->len = w->cap = 0;
    return data;
}

uint8_t *kbuf_reserve(kbuf_writer_t *w, size_t n)
{
    if (w->cap - w->len < n) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->len < n) {
            cap *= 2;
        }
        uint8_t *data = realloc(w->data, cap);
        if (!data) {
            abort();
        }
        w->data = data;
        w->cap = cap;
    }
    uint8_t *at = w->data + w->len;
    w->len += n;
    return at;
}

void kbuf_write_raw(kbuf_writer_t *w, const void *data, size_t n)
{
    if (n) {
        memcpy(kbuf_reserve(w, n), data, n);
    }
}

void kbuf_write_i8(kbuf_writer_t *w, int8_t v)
{
    *kbuf_reserve(w, 1) = (uint8_t)v;
}

void kbuf_write_i16(kbuf_writer_t *w, int16_t v)
{
    uint8_t *p = kbuf_reserve(w, 2);
    p[0] = (uint8_t)((uint16_t)v >> 8);
    p[1] = (uint8_t)v;
}

void kbuf_write_i32(kbuf_writer_t *w, int32_t v)
{
    kbuf_put_i32(kbuf_reserve(w, 4), v);
}

void kbuf_write_i64(kbuf_writer_t *w, int64_t v)
{
    kbuf_put_i64(kbuf_reserve(w, 8), v);
}

void kbuf_write_bool(kbuf_writer_t *w, bool v)
{
    kbuf_write_i8(w, v ? 1 : 0);
}

static void write_uleb(kbuf_writer_t *w, uint64_t u)
{
    while (u >= 0x80) {
        kbuf_write_i8(w, (int8_t)(uint8_t)(u | 0x80));
        u >>= 7;
    }
    kbuf_write_i8(w, (int8_t)(uint8_t)u);
}

void kbuf_write_uvarint(kbuf_writer_t *w, uint32_t v)
{
    write_uleb(w, v);
}

void kbuf_write_varint(kbuf_writer_t *w, int32_t v)
{
    write_uleb(w, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

void kbuf_write_varlong(kbuf_writer_t *w, int64_t v)
{
    write_uleb(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void kbuf_write_kstr(kbuf_writer_t *w, kstr_t s, bool compact)
{
    if (compact) {
        kbuf_write_uvarint(w, s.len < 0 ? 0 : (uint32_t)s.len + 1);
    } else {
        kbuf_write_i16(w, (int16_t)(s.len < 0 ? -1 : s.len));
    }
    if (s.len > 0) {
        kbuf_write_raw(w, s.ptr, (size_t)s.len);
    }
}

void kbuf_write_str(kbuf_writer_t *w, const char *s, bool compact)
{
    kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    kbuf_write_kstr(w, k, compact);
}

void kbuf_write_nbytes(kbuf_writer_t *w, const void *data, int32_t len, bool compact)
{
    if (compact) {
        kbuf_write_uvarint(w, len < 0 ? 0 : (uint32_t)len + 1);
    } else {
        kbuf_write_i32(w, len < 0 ? -1 : len);
    }
    if (len > 0) {
        kbuf_write_raw(w, data, (size_t)len);
    }
}

void kbuf_write_array_len(kbuf_writer_t *w, int32_t n, bool compact)
{
    if (compact) {
        kbuf_write_uvarint(w, n < 0 ? 0 : (uint32_t)n + 1);
    } else {
        kbuf_write_i32(w, n);
    }
}

void kbuf_write_empty_tags(kbuf_writer_t *w)
{
    kbuf_write_uvarint(w, 0);
}
