/* proto_util.h - helpers shared by the proto_*.c codec files only. */
#ifndef CONNECTD_PROTO_UTIL_H
#define CONNECTD_PROTO_UTIL_H

#include <stdbool.h>

#include "arena.h"
#include "buf.h"

/* An arena array of n elements; NULL for n <= 0 (null or empty arrays). */
#define PROTO_ARRAY(a, type, n) ((n) > 0 ? (type *)arena_alloc((a), sizeof(type) * (size_t)(n)) : NULL)

/* The tag section that ends every struct of a flexible version (KIP-482):
 * the codecs know no tagged field yet, so they skip what they read and
 * write an empty one.  Nothing for a version that is not flexible. */
static inline void read_tags(buf_reader_t *r, bool flex)
{
    if (flex) {
        buf_skip_tags(r);
    }
}

static inline void write_tags(buf_writer_t *w, bool flex)
{
    if (flex) {
        buf_write_empty_tags(w);
    }
}

#endif
