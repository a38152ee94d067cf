/*
 * arena.h - a bump allocator whose memory lives exactly as long as one
 * request (nginx pools, PostgreSQL memory contexts).  Decoded request structs
 * are allocated here and released all at once with the request, so decoders
 * never free and handlers never leak.
 *
 * Pure functions: @locality any thread, @locks none; an arena is owned by
 * one thread at a time (it belongs to a request, and a request to one
 * network thread).
 */
#ifndef CONNECTD_ARENA_H
#define CONNECTD_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_create(size_t chunk_size);
void arena_destroy(arena_t *arena); /* NULL is fine */

/* Zeroed memory, 16-byte aligned; aborts on OOM. */
void *arena_alloc(arena_t *arena, size_t size);
/* A NUL-terminated copy of `len` bytes. */
char *arena_strndup(arena_t *arena, const char *s, size_t len);

#endif
