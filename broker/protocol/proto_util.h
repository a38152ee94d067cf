/* proto_util.h - helpers shared by the proto_*.c codec files only. */
#ifndef CONNECTD_PROTO_UTIL_H
#define CONNECTD_PROTO_UTIL_H

#include "arena.h"

/* An arena array of n elements; NULL for n <= 0 (null or empty arrays). */
#define PROTO_ARRAY(a, type, n) ((n) > 0 ? (type *)arena_alloc((a), sizeof(type) * (size_t)(n)) : NULL)

#endif
