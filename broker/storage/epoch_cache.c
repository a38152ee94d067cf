/*
 * epoch_cache.c - leader epochs and their start offsets; see epoch_cache.h.
 */
#include "epoch_cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "fsutil.h"
#include "xalloc.h"

#define EPOCH_CHECKPOINT "leader-epoch-checkpoint"

static void cache_write(const epoch_cache_t *c)
{
    size_t cap = 32 + c->n * 40;
    char *text = xmalloc(cap);
    size_t len = (size_t)snprintf(text, cap, "0\n%zu\n", c->n);
    for (size_t i = 0; i < c->n; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%d %" PRId64 "\n", c->entries[i].epoch, c->entries[i].start);
    }
    if (fs_write_atomic(c->dir, EPOCH_CHECKPOINT, text, len) < 0) {
        blog_error("cannot write %s/" EPOCH_CHECKPOINT "; a follower of this node may keep a divergent tail after "
                   "a leader change",
                   c->dir);
    }
    free(text);
}

static void cache_push(epoch_cache_t *c, int32_t epoch, int64_t start)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->entries = xrealloc(c->entries, c->cap * sizeof(*c->entries));
    }
    c->entries[c->n++] = (epoch_entry_t){epoch, start};
}

void epoch_cache_open(epoch_cache_t *c, const char *dir, int64_t leo)
{
    *c = (epoch_cache_t){.dir = xstrdup(dir)};
    char path[4200];
    snprintf(path, sizeof(path), "%s/" EPOCH_CHECKPOINT, dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        return;
    }
    int version = -1;
    size_t count = 0;
    bool ok = fscanf(f, "%d %zu", &version, &count) == 2 && version == 0;
    for (size_t i = 0; ok && i < count; i++) {
        int32_t epoch;
        int64_t start;
        ok = fscanf(f, "%" SCNd32 " %" SCNd64, &epoch, &start) == 2 && epoch >= 0 && start >= 0 &&
             (c->n == 0 || (epoch > c->entries[c->n - 1].epoch && start >= c->entries[c->n - 1].start));
        if (ok && start < leo) {
            cache_push(c, epoch, start);
        }
    }
    fclose(f);
    if (!ok) {
        blog_warn("%s is malformed; ignoring it (the epochs of the batches appended from now on are kept)", path);
        c->n = 0;
    }
}

void epoch_cache_close(epoch_cache_t *c)
{
    free(c->dir);
    free(c->entries);
    *c = (epoch_cache_t){0};
}

void epoch_cache_set_dir(epoch_cache_t *c, const char *dir)
{
    free(c->dir);
    c->dir = xstrdup(dir);
}

void epoch_cache_assign(epoch_cache_t *c, int32_t epoch, int64_t offset)
{
    if (epoch < 0 || epoch <= epoch_cache_latest(c)) {
        return;
    }
    cache_push(c, epoch, offset);
    cache_write(c);
}

void epoch_cache_truncate(epoch_cache_t *c, int64_t end)
{
    size_t n = c->n;
    while (c->n > 0 && c->entries[c->n - 1].start >= end) {
        c->n--;
    }
    if (c->n != n) {
        cache_write(c);
    }
}

int32_t epoch_cache_latest(const epoch_cache_t *c)
{
    return c->n ? c->entries[c->n - 1].epoch : -1;
}

int64_t epoch_cache_end_offset(const epoch_cache_t *c, int32_t epoch, int64_t leo, int32_t *found)
{
    if (epoch >= 0 && epoch == epoch_cache_latest(c)) {
        *found = epoch;
        return leo;
    }
    /* The first epoch above the one asked for starts where it ended. */
    size_t higher = 0;
    while (higher < c->n && c->entries[higher].epoch <= epoch) {
        higher++;
    }
    if (epoch < 0 || higher == c->n) {
        *found = -1; /* unknown, or newer than any here */
        return -1;
    }
    *found = higher > 0 ? c->entries[higher - 1].epoch : epoch;
    return c->entries[higher].start;
}
