/*
 * log_index.c - sparse offset and time indexes; see log_index.h.
 *
 * Any prefix of a valid index is itself a valid (sparser) index: a lookup
 * just lands earlier and the caller scans a little further.  The write path
 * leans on that.  When a write fails the index stops writing its file
 * instead of leaving a hole, and nothing here ever needs the file to be
 * complete.  A crash can leave a torn last entry, which makes the file size
 * a non-multiple of the entry size and so forces a rebuild at the next start.
 */
#include "log_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "fsutil.h"
#include "protocol/buf.h"

void log_index_init(log_index_t *ix, const char *path, size_t entry_size)
{
    memset(ix, 0, sizeof(*ix));
    ix->path = strdup(path);
    if (!ix->path) {
        abort();
    }
    ix->entry_size = entry_size;
    ix->fd = -1;
}

static void index_close_file(log_index_t *ix)
{
    if (ix->fd >= 0) {
        close(ix->fd);
        ix->fd = -1;
    }
}

void log_index_release(log_index_t *ix)
{
    index_close_file(ix);
    free(ix->entries);
    free(ix->path);
    memset(ix, 0, sizeof(*ix));
    ix->fd = -1;
}

static void index_reserve(log_index_t *ix, size_t count)
{
    if (count <= ix->cap) {
        return;
    }
    size_t cap = ix->cap ? ix->cap : 16;
    while (cap < count) {
        cap *= 2;
    }
    ix->entries = realloc(ix->entries, cap * ix->entry_size);
    if (!ix->entries) {
        abort();
    }
    ix->cap = cap;
}

/* A failed index write is not worth failing an append for: the data is in
 * the .log and the index is rebuilt from it when it does not check out. */
static void index_write_failed(log_index_t *ix, const char *what)
{
    blog_warn("cannot %s %s: %s; lookups in this segment fall back to scanning and the file is "
              "rebuilt at the next start",
              what, ix->path, strerror(errno));
    index_close_file(ix);
    ix->failed = true;
}

static bool index_open_file(log_index_t *ix, int flags)
{
    if (ix->fd < 0) {
        ix->fd = open(ix->path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
        if (ix->fd < 0) {
            index_write_failed(ix, "open");
            return false;
        }
    }
    return true;
}

bool log_index_load(log_index_t *ix)
{
    int fd = open(ix->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && st.st_size % (off_t)ix->entry_size == 0;
    size_t count = ok ? (size_t)st.st_size / ix->entry_size : 0;
    if (ok) {
        index_reserve(ix, count);
        size_t len = count * ix->entry_size;
        ok = count == 0 || pread(fd, ix->entries, len, 0) == (ssize_t)len;
    }
    close(fd);
    ix->count = ok ? count : 0;
    return ok;
}

void log_index_reset(log_index_t *ix)
{
    ix->count = 0;
    log_index_rewrite(ix);
}

void log_index_rewrite(log_index_t *ix)
{
    index_close_file(ix);
    ix->failed = false;
    if (!index_open_file(ix, O_TRUNC)) {
        return;
    }
    ix->dirty = true;
    if (!fs_write_at(ix->fd, ix->entries, ix->count * ix->entry_size, 0)) {
        index_write_failed(ix, "write");
    }
    /* Most rewritten indexes are never appended to again (all but the
     * active segment's), so do not hold a descriptor for them. */
    index_close_file(ix);
}

int log_index_sync(log_index_t *ix)
{
    if (!ix->dirty || ix->failed) {
        index_close_file(ix);
        return 0;
    }
    if (ix->fd < 0) {
        ix->fd = open(ix->path, O_WRONLY | O_CLOEXEC);
    }
    if (ix->fd < 0 || fdatasync(ix->fd) < 0) {
        int saved = errno;
        index_close_file(ix);
        errno = saved;
        return -1;
    }
    ix->dirty = false;
    index_close_file(ix);
    return 0;
}

void log_index_unlink(log_index_t *ix)
{
    index_close_file(ix);
    if (unlink(ix->path) < 0 && errno != ENOENT) {
        blog_warn("cannot delete %s: %s", ix->path, strerror(errno));
    }
}

/* Adds one encoded entry in memory and appends it to the file. */
static void index_add(log_index_t *ix, const uint8_t *entry)
{
    index_reserve(ix, ix->count + 1);
    memcpy(ix->entries + ix->count * ix->entry_size, entry, ix->entry_size);
    ix->count++;
    if (ix->failed || !index_open_file(ix, 0)) {
        return;
    }
    ix->dirty = true;
    off_t pos = (off_t)((ix->count - 1) * ix->entry_size);
    if (!fs_write_at(ix->fd, entry, ix->entry_size, pos)) {
        index_write_failed(ix, "write");
    }
}

static const uint8_t *index_entry(const log_index_t *ix, size_t i)
{
    return ix->entries + i * ix->entry_size;
}

/* ---- offset index --------------------------------------------------------- */

void log_index_offset_add(log_index_t *ix, int32_t rel_offset, int32_t position)
{
    uint8_t entry[OFFSET_INDEX_ENTRY_SIZE];
    buf_put_i32(entry, rel_offset);
    buf_put_i32(entry + 4, position);
    index_add(ix, entry);
}

int32_t log_index_offset_rel(const log_index_t *ix, size_t i)
{
    return buf_get_i32(index_entry(ix, i));
}

int32_t log_index_offset_pos(const log_index_t *ix, size_t i)
{
    return buf_get_i32(index_entry(ix, i) + 4);
}

/* Number of entries whose offset is <= rel_offset (binary search). */
static size_t offset_index_count_le(const log_index_t *ix, int64_t rel_offset)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log_index_offset_rel(ix, mid) <= rel_offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int64_t log_index_offset_floor(const log_index_t *ix, int64_t rel_offset)
{
    size_t n = offset_index_count_le(ix, rel_offset);
    return n == 0 ? 0 : log_index_offset_pos(ix, n - 1);
}

int64_t log_index_offset_ceiling(const log_index_t *ix, int64_t rel_offset)
{
    size_t n = offset_index_count_le(ix, rel_offset - 1);
    return n == ix->count ? -1 : log_index_offset_pos(ix, n);
}

bool log_index_offset_check(const log_index_t *ix, int64_t log_size)
{
    for (size_t i = 0; i < ix->count; i++) {
        int32_t rel = log_index_offset_rel(ix, i), pos = log_index_offset_pos(ix, i);
        if (rel < 0 || pos < 0 || pos >= log_size) {
            return false;
        }
        if (i > 0 && (rel <= log_index_offset_rel(ix, i - 1) || pos <= log_index_offset_pos(ix, i - 1))) {
            return false;
        }
    }
    return true;
}

/* ---- time index ----------------------------------------------------------- */

void log_index_time_add(log_index_t *ix, int64_t timestamp, int32_t rel_offset)
{
    uint8_t entry[TIME_INDEX_ENTRY_SIZE];
    buf_put_i64(entry, timestamp);
    buf_put_i32(entry + 8, rel_offset);
    index_add(ix, entry);
}

int64_t log_index_time_ts(const log_index_t *ix, size_t i)
{
    return buf_get_i64(index_entry(ix, i));
}

int32_t log_index_time_rel(const log_index_t *ix, size_t i)
{
    return buf_get_i32(index_entry(ix, i) + 8);
}

int32_t log_index_time_floor(const log_index_t *ix, int64_t ts)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log_index_time_ts(ix, mid) <= ts) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? -1 : log_index_time_rel(ix, lo - 1);
}

bool log_index_time_check(const log_index_t *ix, int64_t max_rel_offset)
{
    for (size_t i = 0; i < ix->count; i++) {
        int32_t rel = log_index_time_rel(ix, i);
        if (rel < 0 || rel > max_rel_offset) {
            return false;
        }
        if (i > 0 && (log_index_time_ts(ix, i) <= log_index_time_ts(ix, i - 1) ||
                      rel < log_index_time_rel(ix, i - 1))) {
            return false;
        }
    }
    return true;
}
