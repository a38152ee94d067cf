/*
 * pg_spool.c - a streamed transaction's changes until its commit
 * (pg_spool.h).
 *
 * A spool is a byte string of entries, either in one growing memory block
 * or, once that would pass mem_limit, in an unlinked temporary file written
 * through stdio (the bytes in memory are copied there first, so a spool is
 * only ever in one place).  Cutting back is ftruncate() on the file, a
 * shorter length in memory.  Reading goes through the same FILE from its
 * start, into a buffer grown to the largest entry.
 */
#include "pg_spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define ENTRY_HEADER 12 /* Int64 lsn, Int32 len */

struct pg_spool {
    size_t mem_limit;
    uint8_t *mem; /* the entries while not spilled */
    size_t mem_cap;
    FILE *file; /* the entries once spilled */
    uint64_t length;
    /* Reading. */
    int reading; /* the FILE was last read: seek before writing (C stdio's rule) */
    uint64_t rpos;
    uint8_t *rbuf; /* the entry read from the file */
    size_t rbuf_cap;
};

pg_spool_t *pg_spool_create(size_t mem_limit)
{
    pg_spool_t *sp = calloc(1, sizeof(*sp));
    sp->mem_limit = mem_limit;
    return sp;
}

void pg_spool_destroy(pg_spool_t *sp)
{
    if (!sp) {
        return;
    }
    if (sp->file) {
        fclose(sp->file);
    }
    free(sp->mem);
    free(sp->rbuf);
    free(sp);
}

uint64_t pg_spool_length(const pg_spool_t *sp)
{
    return sp->length;
}

int pg_spool_spilled(const pg_spool_t *sp)
{
    return sp->file != NULL;
}

/* Moves the entries to a new unlinked temporary file.  -1 after errbuf. */
static int spill(pg_spool_t *sp, char *errbuf, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/connectd-pgstream-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot create a temporary file for a streamed transaction in %s: %s",
                 dir && dir[0] ? dir : "/tmp", strerror(errno));
        return -1;
    }
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        close(fd);
        snprintf(errbuf, errlen, "cannot open a temporary file for a streamed transaction: %s", strerror(errno));
        return -1;
    }
    if (sp->length > 0 && fwrite(sp->mem, 1, sp->length, f) != sp->length) {
        snprintf(errbuf, errlen, "cannot write a streamed transaction to a temporary file: %s", strerror(errno));
        fclose(f);
        return -1;
    }
    free(sp->mem);
    sp->mem = NULL;
    sp->mem_cap = 0;
    sp->file = f;
    return 0;
}

static void put_be(uint8_t *p, uint64_t value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (uint8_t)value;
        value >>= 8;
    }
}

static uint64_t get_be(const uint8_t *p, int width)
{
    uint64_t value = 0;
    for (int i = 0; i < width; i++) {
        value = (value << 8) | p[i];
    }
    return value;
}

int pg_spool_append(pg_spool_t *sp, uint64_t lsn, const void *a, size_t alen, const void *b, size_t blen, char *errbuf,
                    size_t errlen)
{
    uint8_t header[ENTRY_HEADER];
    put_be(header, lsn, 8);
    put_be(header + 8, alen + blen, 4);
    size_t size = ENTRY_HEADER + alen + blen;
    if (!sp->file && sp->length + size > sp->mem_limit && spill(sp, errbuf, errlen) < 0) {
        return -1;
    }
    if (sp->file) {
        if (sp->reading && fseeko(sp->file, (off_t)sp->length, SEEK_SET) != 0) {
            snprintf(errbuf, errlen, "cannot write a streamed transaction to its temporary file: %s", strerror(errno));
            return -1;
        }
        sp->reading = 0;
        if (fwrite(header, 1, sizeof(header), sp->file) != sizeof(header) ||
            (alen && fwrite(a, 1, alen, sp->file) != alen) || (blen && fwrite(b, 1, blen, sp->file) != blen)) {
            snprintf(errbuf, errlen, "cannot write a streamed transaction to its temporary file: %s", strerror(errno));
            return -1;
        }
    } else {
        if (sp->length + size > sp->mem_cap) {
            size_t cap = sp->mem_cap ? sp->mem_cap : 4096;
            while (cap < sp->length + size) {
                cap *= 2;
            }
            sp->mem = realloc(sp->mem, cap);
            sp->mem_cap = cap;
        }
        uint8_t *p = sp->mem + sp->length;
        memcpy(p, header, sizeof(header));
        if (alen) {
            memcpy(p + ENTRY_HEADER, a, alen);
        }
        if (blen) {
            memcpy(p + ENTRY_HEADER + alen, b, blen);
        }
    }
    sp->length += size;
    return 0;
}

int pg_spool_truncate(pg_spool_t *sp, uint64_t length, char *errbuf, size_t errlen)
{
    if (length >= sp->length) {
        return 0;
    }
    if (sp->file) {
        if (fflush(sp->file) != 0 || ftruncate(fileno(sp->file), (off_t)length) != 0 ||
            fseeko(sp->file, (off_t)length, SEEK_SET) != 0) {
            snprintf(errbuf, errlen, "cannot cut back a streamed transaction's temporary file: %s", strerror(errno));
            return -1;
        }
        sp->reading = 0;
    }
    sp->length = length;
    return 0;
}

void pg_spool_rewind(pg_spool_t *sp)
{
    sp->rpos = 0;
    if (sp->file) {
        fflush(sp->file);
        fseeko(sp->file, 0, SEEK_SET);
        sp->reading = 1;
    }
}

int pg_spool_next(pg_spool_t *sp, uint64_t *lsn, const uint8_t **data, size_t *len, char *errbuf, size_t errlen)
{
    if (sp->rpos >= sp->length) {
        return 0;
    }
    if (!sp->file) {
        const uint8_t *p = sp->mem + sp->rpos;
        *lsn = get_be(p, 8);
        *len = get_be(p + 8, 4);
        *data = p + ENTRY_HEADER;
        sp->rpos += ENTRY_HEADER + *len;
        return 1;
    }
    uint8_t header[ENTRY_HEADER];
    if (fread(header, 1, sizeof(header), sp->file) != sizeof(header)) {
        goto fail;
    }
    *lsn = get_be(header, 8);
    *len = get_be(header + 8, 4);
    if (*len > sp->rbuf_cap) {
        sp->rbuf = realloc(sp->rbuf, *len);
        sp->rbuf_cap = *len;
    }
    if (*len && fread(sp->rbuf, 1, *len, sp->file) != *len) {
        goto fail;
    }
    *data = sp->rbuf;
    sp->rpos += ENTRY_HEADER + *len;
    return 1;
fail:
    snprintf(errbuf, errlen, "cannot read a streamed transaction back from its temporary file: %s",
             ferror(sp->file) ? strerror(errno) : "it ends early");
    return -1;
}
