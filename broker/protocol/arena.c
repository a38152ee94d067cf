/* arena.c - chunked bump allocation; see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t used;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

struct arena {
    struct chunk *head;
    size_t chunk_size;
};

static struct chunk *chunk_new(size_t cap)
{
    struct chunk *c = malloc(sizeof(*c) + cap);
    if (!c) {
        abort();
    }
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

arena_t *arena_create(size_t chunk_size)
{
    arena_t *arena = malloc(sizeof(*arena));
    if (!arena) {
        abort();
    }
    arena->chunk_size = chunk_size ? chunk_size : 4096;
    arena->head = NULL;
    return arena;
}

void arena_destroy(arena_t *arena)
{
    if (!arena) {
        return;
    }
    struct chunk *c = arena->head;
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

void *arena_alloc(arena_t *arena, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct chunk *c = arena->head;
    if (!c || c->cap - c->used < size) {
        /* Oversized requests get a chunk of their own, placed behind the
         * current one so the current chunk's free space is not wasted. */
        size_t cap = size > arena->chunk_size ? size : arena->chunk_size;
        struct chunk *fresh = chunk_new(cap);
        if (c && size > arena->chunk_size) {
            fresh->next = c->next;
            c->next = fresh;
        } else {
            fresh->next = c;
            arena->head = fresh;
        }
        c = fresh;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena_t *arena, const char *s, size_t len)
{
    char *p = arena_alloc(arena, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
