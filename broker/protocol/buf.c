/* buf.c - Kafka wire primitives; see buf.h for the conventions. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void buf_reader_init(buf_reader_t *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->err = false;
}

size_t buf_remaining(const buf_reader_t *r)
{
    return r->err ? 0 : (size_t)(r->end - r->p);
}

/* Returns a pointer to n readable bytes and advances, or NULL (and sets err). */
static const uint8_t *take(buf_reader_t *r, size_t n)
{
    if (r->err || (size_t)(r->end - r->p) < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}

int16_t buf_get_i16(const uint8_t *p)
{
    return (int16_t)(((uint16_t)p[0] << 8) | p[1]);
}

int32_t buf_get_i32(const uint8_t *p)
{
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
}

int64_t buf_get_i64(const uint8_t *p)
{
    return (int64_t)(((uint64_t)(uint32_t)buf_get_i32(p) << 32) | (uint32_t)buf_get_i32(p + 4));
}

void buf_put_i32(uint8_t *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (uint8_t)(u >> 24);
    p[1] = (uint8_t)(u >> 16);
    p[2] = (uint8_t)(u >> 8);
    p[3] = (uint8_t)u;
}

void buf_put_i64(uint8_t *p, int64_t v)
{
    buf_put_i32(p, (int32_t)((uint64_t)v >> 32));
    buf_put_i32(p + 4, (int32_t)(uint32_t)v);
}

int8_t buf_read_i8(buf_reader_t *r)
{
    const uint8_t *p = take(r, 1);
    return p ? (int8_t)p[0] : 0;
}

int16_t buf_read_i16(buf_reader_t *r)
{
    const uint8_t *p = take(r, 2);
    return p ? buf_get_i16(p) : 0;
}

int32_t buf_read_i32(buf_reader_t *r)
{
    const uint8_t *p = take(r, 4);
    return p ? buf_get_i32(p) : 0;
}

int64_t buf_read_i64(buf_reader_t *r)
{
    const uint8_t *p = take(r, 8);
    return p ? buf_get_i64(p) : 0;
}

bool buf_read_bool(buf_reader_t *r)
{
    return buf_read_i8(r) != 0;
}

static uint64_t read_uleb(buf_reader_t *r, int max_bytes)
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

uint32_t buf_read_uvarint(buf_reader_t *r)
{
    return (uint32_t)read_uleb(r, 5);
}

int32_t buf_read_varint(buf_reader_t *r)
{
    uint32_t u = (uint32_t)read_uleb(r, 5);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

int64_t buf_read_varlong(buf_reader_t *r)
{
    uint64_t u = read_uleb(r, 10);
    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

static kstr_t read_slice(buf_reader_t *r, int64_t len)
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

kstr_t buf_read_nstr(buf_reader_t *r, bool compact)
{
    int64_t len = compact ? (int64_t)buf_read_uvarint(r) - 1 : buf_read_i16(r);
    if (len < -1) {
        r->err = true;
    }
    return read_slice(r, r->err ? -1 : len);
}

kstr_t buf_read_str(buf_reader_t *r, bool compact)
{
    kstr_t s = buf_read_nstr(r, compact);
    if (s.len < 0) {
        r->err = true;
        s.ptr = "";
        s.len = 0;
    }
    return s;
}

kstr_t buf_read_nbytes(buf_reader_t *r, bool compact)
{
    int64_t len = compact ? (int64_t)buf_read_uvarint(r) - 1 : buf_read_i32(r);
    if (len < -1) {
        r->err = true;
    }
    return read_slice(r, r->err ? -1 : len);
}

int32_t buf_read_array_len(buf_reader_t *r, bool compact, size_t min_elem_size)
{
    int64_t n = compact ? (int64_t)buf_read_uvarint(r) - 1 : buf_read_i32(r);
    if (r->err || n < -1) {
        r->err = true;
        return 0;
    }
    if (n > 0 && (uint64_t)n * (min_elem_size ? min_elem_size : 1) > buf_remaining(r)) {
        r->err = true;
        return 0;
    }
    return (int32_t)n;
}

int32_t buf_read_count(buf_reader_t *r, bool compact, size_t min_elem_size)
{
    int32_t n = buf_read_array_len(r, compact, min_elem_size);
    if (n < 0) {
        r->err = true;
        return 0;
    }
    return n;
}

void buf_skip(buf_reader_t *r, size_t n)
{
    take(r, n);
}

kuuid_t buf_read_uuid(buf_reader_t *r)
{
    kuuid_t u = {{0}};
    const uint8_t *p = take(r, sizeof(u.b));
    if (p) {
        memcpy(u.b, p, sizeof(u.b));
    }
    return u;
}

void buf_skip_tags(buf_reader_t *r)
{
    uint32_t n = buf_read_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        buf_read_uvarint(r); /* tag */
        buf_skip(r, buf_read_uvarint(r));
    }
}

bool kstr_eq(kstr_t s, const char *cstr)
{
    size_t n = strlen(cstr);
    return s.len >= 0 && (size_t)s.len == n && memcmp(s.ptr, cstr, n) == 0;
}

void buf_writer_init(buf_writer_t *w, size_t initial_cap)
{
    w->cap = initial_cap ? initial_cap : 64;
    w->len = 0;
    w->data = malloc(w->cap);
    if (!w->data) {
        abort();
    }
}

void buf_writer_release(buf_writer_t *w)
{
    free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
}

uint8_t *buf_writer_steal(buf_writer_t *w, size_t *lenp)
{
    uint8_t *data = w->data;
    *lenp = w->len;
    w->data = NULL;
    w->len = w->cap = 0;
    return data;
}

uint8_t *buf_reserve(buf_writer_t *w, size_t n)
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

void buf_write_raw(buf_writer_t *w, const void *data, size_t n)
{
    if (n) {
        memcpy(buf_reserve(w, n), data, n);
    }
}

void buf_write_uuid(buf_writer_t *w, const kuuid_t *u)
{
    buf_write_raw(w, u->b, sizeof(u->b));
}

void buf_write_i8(buf_writer_t *w, int8_t v)
{
    *buf_reserve(w, 1) = (uint8_t)v;
}

void buf_write_i16(buf_writer_t *w, int16_t v)
{
    uint8_t *p = buf_reserve(w, 2);
    p[0] = (uint8_t)((uint16_t)v >> 8);
    p[1] = (uint8_t)v;
}

void buf_write_i32(buf_writer_t *w, int32_t v)
{
    buf_put_i32(buf_reserve(w, 4), v);
}

void buf_write_i64(buf_writer_t *w, int64_t v)
{
    buf_put_i64(buf_reserve(w, 8), v);
}

void buf_write_bool(buf_writer_t *w, bool v)
{
    buf_write_i8(w, v ? 1 : 0);
}

static void write_uleb(buf_writer_t *w, uint64_t u)
{
    while (u >= 0x80) {
        buf_write_i8(w, (int8_t)(uint8_t)(u | 0x80));
        u >>= 7;
    }
    buf_write_i8(w, (int8_t)(uint8_t)u);
}

void buf_write_uvarint(buf_writer_t *w, uint32_t v)
{
    write_uleb(w, v);
}

void buf_write_varint(buf_writer_t *w, int32_t v)
{
    write_uleb(w, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

void buf_write_varlong(buf_writer_t *w, int64_t v)
{
    write_uleb(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void buf_write_kstr(buf_writer_t *w, kstr_t s, bool compact)
{
    if (compact) {
        buf_write_uvarint(w, s.len < 0 ? 0 : (uint32_t)s.len + 1);
    } else {
        buf_write_i16(w, (int16_t)(s.len < 0 ? -1 : s.len));
    }
    if (s.len > 0) {
        buf_write_raw(w, s.ptr, (size_t)s.len);
    }
}

void buf_write_str(buf_writer_t *w, const char *s, bool compact)
{
    kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    buf_write_kstr(w, k, compact);
}

void buf_write_nbytes(buf_writer_t *w, const void *data, int32_t len, bool compact)
{
    if (compact) {
        buf_write_uvarint(w, len < 0 ? 0 : (uint32_t)len + 1);
    } else {
        buf_write_i32(w, len < 0 ? -1 : len);
    }
    if (len > 0) {
        buf_write_raw(w, data, (size_t)len);
    }
}

void buf_write_array_len(buf_writer_t *w, int32_t n, bool compact)
{
    if (compact) {
        buf_write_uvarint(w, n < 0 ? 0 : (uint32_t)n + 1);
    } else {
        buf_write_i32(w, n);
    }
}

void buf_write_empty_tags(buf_writer_t *w)
{
    buf_write_uvarint(w, 0);
}

char *buf_kstr_dup(kstr_t s)
{
    return s.len > 0 ? xstrndup(s.ptr, (size_t)s.len) : xstrdup("");
}
