/*
 * bytes_builder.h - a byte builder for unit tests' hand-made frames,
 * written independently of the code under test (which has its own
 * writers), so that a test checks bytes against the spec and not against
 * the same mistake twice.  Big-endian integers, as both the Kafka protocol
 * and PostgreSQL's replication messages have them.
 */
#ifndef CONNECTD_TESTS_BYTES_BUILDER_H
#define CONNECTD_TESTS_BYTES_BUILDER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

typedef struct bytes {
    uint8_t b[4096];
    size_t n;
} bytes_t;

static inline void put_u8(bytes_t *o, unsigned x)
{
    assert_true(o->n < sizeof(o->b));
    o->b[o->n++] = (uint8_t)x;
}

static inline void put_raw(bytes_t *o, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_u8(o, ((const uint8_t *)p)[i]);
    }
}

/* Int16/Int32/Int64: big-endian two's complement. */
static inline void put_i16(bytes_t *o, int32_t x)
{
    uint16_t u = (uint16_t)x;
    put_u8(o, u >> 8);
    put_u8(o, u & 0xff);
}

static inline void put_i32(bytes_t *o, int64_t x)
{
    uint32_t u = (uint32_t)x;
    for (int shift = 24; shift >= 0; shift -= 8) {
        put_u8(o, (u >> shift) & 0xff);
    }
}

static inline void put_i64(bytes_t *o, uint64_t u)
{
    for (int shift = 56; shift >= 0; shift -= 8) {
        put_u8(o, (unsigned)((u >> shift) & 0xff));
    }
}

#endif
