/* xalloc.c - allocation that aborts rather than fail (xalloc.h). */
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void *must(void *p)
{
    if (!p) {
        abort();
    }
    return p;
}

void *xmalloc(size_t size)
{
    return must(malloc(size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
    return must(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t size)
{
    return must(realloc(p, size ? size : 1));
}

char *xstrdup(const char *s)
{
    return s ? must(strdup(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    return must(strndup(s, n));
}

void *xmemdup(const void *p, size_t n)
{
    void *d = xmalloc(n);
    if (n > 0) {
        memcpy(d, p, n);
    }
    return d;
}
