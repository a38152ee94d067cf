/*
 * xalloc.h - allocation that cannot fail.
 *
 * connectd does not try to run on after malloc fails: a worker or broker
 * that cannot allocate a few bytes cannot keep any promise it has made,
 * and half-handled allocation failures are where leaks and crashes hide.
 * These wrappers abort instead, so callers never check.  Boundaries that
 * size an allocation from outside input (a frame length, a REST body)
 * must bound it before calling here.
 */
#ifndef CONNECTD_XALLOC_H
#define CONNECTD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

/* A copy of `s`; NULL gives NULL.  Freed with free(). */
char *xstrdup(const char *s);

/* A NUL-terminated copy of the first `n` bytes of `s` (fewer if a NUL
 * comes first).  Freed with free(). */
char *xstrndup(const char *s, size_t n);

/* A copy of `n` bytes; n == 0 still gives a pointer to free(). */
void *xmemdup(const void *p, size_t n);

#endif
