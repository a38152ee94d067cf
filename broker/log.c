/*
 * log.c - one partition's log of segments; see log.h for the layout.
 *
 * Each segment keeps one open file descriptor (its .log, opened O_APPEND for
 * writes and read with pread) and its two sparse indexes in memory.  The
 * index files are written whole when a segment is rolled, flushed or closed
 * and are rebuilt from the .log at every start, so a crash can never leave
 * an index that disagrees with the data: at most it leaves a stale file that
 * the next start replaces.  Keeping no index descriptors open is what lets a
 * thousand partitions stay within a small descriptor and memory budget.
 *
 * Index semantics follow Kafka's LogSegment.append: when more than
 * index.interval.bytes were appended since the last entry, the batch being
 * appended gets an offset entry (its last offset, its position) and the time
 * index gets (largest timestamp so far, offset of that timestamp's batch) if
 * that timestamp grew.
 */
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blog.h"
#include "records.h"

#define SCAN_CHUNK (1u << 20)

typedef struct offset_entry {
    int64_t offset; /* last offset of the batch at `pos` */
    int64_t pos;
} offset_entry_t;

typedef struct time_entry {
    int64_t timestamp;
    int64_t offset;
} time_entry_t;

typedef struct segment {
    int64_t base;   /* first offset (the file name) */
    int64_t next;   /* offset after the last batch */
    int fd;
    int64_t size;
    int64_t max_ts;      /* largest batch maxTimestamp; -1 when empty */
    int64_t max_ts_offset;
    int64_t created_ms;  /* for segment.ms */
    int64_t bytes_since_index;
    offset_entry_t *idx;
    size_t n_idx, cap_idx;
    time_entry_t *tidx;
    size_t n_tidx, cap_tidx;
    bool dirty; /* written since the last fsync */
} segment_t;

struct plog {
    char *dir;
    plog_config_t cfg;
    segment_t *segs;
    size_t n_segs, cap_segs;
    int64_t start;          /* log start offset */
    int64_t recovery_point;
    int64_t unflushed_msgs;
    /* Where the last read ended, so a sequential consumer skips the index. */
    int64_t cache_offset;
    int64_t cache_base;
    int64_t cache_pos;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void seg_path(const plog_t *plog, int64_t base, const char *ext, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%020" PRId64 "%s", plog->dir, base, ext);
}

static segment_t *active(plog_t *plog)
{
    return &plog->segs[plog->n_segs - 1];
}

/* ---- indexes -------------------------------------------------------------- */

static void idx_add(segment_t *seg, int64_t offset, int64_t pos)
{
    if (seg->n_idx == seg->cap_idx) {
        seg->cap_idx = seg->cap_idx ? seg->cap_idx * 2 : 16;
        seg->idx = realloc(seg->idx, seg->cap_idx * sizeof(offset_entry_t));
        if (!seg->idx) {
            abort();
        }
    }
    seg->idx[seg->n_idx++] = (offset_entry_t){offset, pos};
}

static void tidx_add(segment_t *seg, int64_t ts, int64_t offset)
{
    if (seg->n_tidx == seg->cap_tidx) {
        seg->cap_tidx = seg->cap_tidx ? seg->cap_tidx * 2 : 16;
        seg->tidx = realloc(seg->tidx, seg->cap_tidx * sizeof(time_entry_t));
        if (!seg->tidx) {
            abort();
        }
    }
    seg->tidx[seg->n_tidx++] = (time_entry_t){ts, offset};
}

/* Records a batch just placed at `pos` in the segment's bookkeeping. */
static void seg_note_batch(segment_t *seg, const batch_header_t *hdr, int64_t pos, size_t len,
                           int32_t interval)
{
    int64_t last = hdr->base_offset + hdr->last_offset_delta;
    if (hdr->max_timestamp > seg->max_ts) {
        seg->max_ts = hdr->max_timestamp;
        seg->max_ts_offset = last;
    }
    if (seg->bytes_since_index > interval) {
        idx_add(seg, last, pos);
        if (seg->n_tidx == 0 || seg->max_ts > seg->tidx[seg->n_tidx - 1].timestamp) {
            tidx_add(seg, seg->max_ts, seg->max_ts_offset);
        }
        seg->bytes_since_index = 0;
    }
    seg->bytes_since_index += (int64_t)len;
    seg->next = last + 1;
    seg->size = pos + (int64_t)len;
}

/* Writes both index files from memory (big-endian, Kafka's entry sizes). */
static void seg_write_indexes(const plog_t *plog, const segment_t *seg)
{
    char path[4200];
    uint8_t *buf = malloc((seg->n_idx * 8) + (seg->n_tidx * 12) + 1);
    if (!buf) {
        abort();
    }
    for (size_t i = 0; i < seg->n_idx; i++) {
        kbuf_put_i32(buf + i * 8, (int32_t)(seg->idx[i].offset - seg->base));
        kbuf_put_i32(buf + i * 8 + 4, (int32_t)seg->idx[i].pos);
    }
    seg_path(plog, seg->base, ".index", path, sizeof(path));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, buf, seg->n_idx * 8) < 0) {
            blog_warn("cannot write %s: %s (it is rebuilt at the next start)", path, strerror(errno));
        }
        close(fd);
    }
    for (size_t i = 0; i < seg->n_tidx; i++) {
        kbuf_put_i64(buf + i * 12, seg->tidx[i].timestamp);
        kbuf_put_i32(buf + i * 12 + 8, (int32_t)(seg->tidx[i].offset - seg->base));
    }
    seg_path(plog, seg->base, ".timeindex", path, sizeof(path));
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, buf, seg->n_tidx * 12) < 0) {
            blog_warn("cannot write %s: %s (it is rebuilt at the next start)", path, strerror(errno));
        }
        close(fd);
    }
    free(buf);
}

/* Position of a batch at or before the one containing `offset`. */
static int64_t seg_lookup(const segment_t *seg, int64_t offset)
{
    size_t lo = 0, hi = seg->n_idx;
    while (lo < hi) { /* first entry with entry.offset > offset */
        size_t mid = (lo + hi) / 2;
        if (seg->idx[mid].offset <= offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? 0 : seg->idx[lo - 1].pos;
}

/* ---- segments ------------------------------------------------------------- */

static void seg_release(segment_t *seg)
{
    if (seg->fd >= 0) {
        close(seg->fd);
    }
    free(seg->idx);
    free(seg->tidx);
    memset(seg, 0, sizeof(*seg));
    seg->fd = -1;
}

static segment_t *segs_push(plog_t *plog)
{
    if (plog->n_segs == plog->cap_segs) {
        plog->cap_segs = plog->cap_segs ? plog->cap_segs * 2 : 4;
        plog->segs = realloc(plog->segs, plog->cap_segs * sizeof(segment_t));
        if (!plog->segs) {
            abort();
        }
    }
    segment_t *seg = &plog->segs[plog->n_segs++];
    memset(seg, 0, sizeof(*seg));
    seg->fd = -1;
    seg->max_ts = -1;
    return seg;
}

static int seg_open_fd(const plog_t *plog, int64_t base, bool create)
{
    char path[4200];
    seg_path(plog, base, ".log", path, sizeof(path));
    return open(path, O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
}

/* Deletes a segment's files. */
static void seg_unlink(const plog_t *plog, int64_t base)
{
    static const char *const exts[] = {".log", ".index", ".timeindex"};
    for (size_t i = 0; i < 3; i++) {
        char path[4200];
        seg_path(plog, base, exts[i], path, sizeof(path));
        unlink(path);
    }
}

/* Starts a new empty active segment at LEO. */
static kerr_t roll(plog_t *plog, int64_t now_ms)
{
    int64_t base = plog->n_segs ? active(plog)->next : plog->start;
    if (plog->n_segs) {
        segment_t *old = active(plog);
        /* The rolled segment is complete: make it durable and move the
         * recovery point past it, as Kafka does, so a restart re-reads only
         * the active segment. */
        if (old->dirty && fdatasync(old->fd) == 0) {
            old->dirty = false;
        }
        if (!old->dirty && old->next > plog->recovery_point) {
            plog->recovery_point = old->next;
        }
        seg_write_indexes(plog, old);
    }
    int fd = seg_open_fd(plog, base, true);
    if (fd < 0) {
        blog_error("cannot create segment %020" PRId64 ".log in %s: %s", base, plog->dir, strerror(errno));
        return KERR_KAFKA_STORAGE_ERROR;
    }
    segment_t *seg = segs_push(plog);
    seg->fd = fd;
    seg->base = seg->next = base;
    seg->created_ms = now_ms;
    return KERR_NONE;
}

/* ---- recovery ------------------------------------------------------------- */

/*
 * Reads a segment front to back, rebuilding its indexes.  With `verify`,
 * each batch's CRC and offsets are checked and the file is cut at the first
 * bad or torn batch.  Returns false if the file was cut.
 */
static bool seg_scan(plog_t *plog, segment_t *seg, bool verify, plog_batch_cb *on_batch, void *opaque)
{
    struct stat st;
    fstat(seg->fd, &st);
    int64_t file_size = st.st_size;
    size_t cap = SCAN_CHUNK;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        abort();
    }
    int64_t pos = 0;
    bool intact = true;
    seg->next = seg->base;
    while (pos < file_size) {
        size_t want = (size_t)(file_size - pos < (int64_t)BATCH_HEADER_SIZE ? file_size - pos : BATCH_HEADER_SIZE);
        ssize_t n = pread(seg->fd, buf, want, pos);
        if (n < (ssize_t)BATCH_HEADER_SIZE) {
            intact = false;
            break;
        }
        batch_header_t hdr;
        batch_header_decode(buf, &hdr);
        size_t total = hdr.length >= BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD ? batch_total_size(hdr.length) : 0;
        if (total == 0 || pos + (int64_t)total > file_size || hdr.magic != 2 || hdr.base_offset != seg->next) {
            intact = false;
            break;
        }
        if (verify) {
            if (total > cap) {
                cap = total;
                buf = realloc(buf, cap);
                if (!buf) {
                    abort();
                }
            }
            if (pread(seg->fd, buf, total, pos) != (ssize_t)total || !batch_is_intact(buf, total, &hdr)) {
                intact = false;
                break;
            }
        }
        if (on_batch) {
            on_batch(opaque, &hdr);
        }
        seg_note_batch(seg, &hdr, pos, total, plog->cfg.index_interval_bytes);
        pos += (int64_t)total;
    }
    free(buf);
    if (!intact) {
        char path[4200];
        seg_path(plog, seg->base, ".log", path, sizeof(path));
        blog_warn("recovery: %s: truncated %" PRId64 " bytes at position %" PRId64
                  " (torn or corrupt batch)",
                  path, file_size - pos, pos);
        if (ftruncate(seg->fd, pos) < 0) {
            blog_error("recovery: cannot truncate %s: %s", path, strerror(errno));
        }
        seg->dirty = true;
    }
    seg->size = pos;
    return intact;
}

static int cmp_base(const void *a, const void *b)
{
    int64_t x = ((const segment_t *)a)->base, y = ((const segment_t *)b)->base;
    return x < y ? -1 : x > y;
}

/* Finds the segments in the directory and removes leftovers. */
static bool load_segments(plog_t *plog, char *errstr, size_t errstr_size)
{
    DIR *dir = opendir(plog->dir);
    if (!dir) {
        snprintf(errstr, errstr_size, "cannot open partition directory %s: %s", plog->dir, strerror(errno));
        return false;
    }
    struct dirent *ent;
    while ((ent = readdir(dir))) {
        char *end;
        long long base = strtoll(ent->d_name, &end, 10);
        bool numbered = end != ent->d_name && base >= 0;
        if (numbered && strcmp(end, ".log") == 0) {
            segment_t *seg = segs_push(plog);
            seg->base = base;
            seg->fd = seg_open_fd(plog, base, false);
            if (seg->fd < 0) {
                snprintf(errstr, errstr_size, "cannot open %s/%s: %s", plog->dir, ent->d_name, strerror(errno));
                closedir(dir);
                return false;
            }
        } else if (numbered && (strcmp(end, ".deleted") == 0 || strcmp(end, ".cleaned") == 0 ||
                                strcmp(end, ".swap") == 0 || strstr(end, ".log.") == end)) {
            char path[4200];
            snprintf(path, sizeof(path), "%s/%s", plog->dir, ent->d_name);
            unlink(path);
        }
    }
    closedir(dir);
    if (plog->n_segs > 1) {
        qsort(plog->segs, plog->n_segs, sizeof(segment_t), cmp_base);
    }
    return true;
}

/* Drops segments from index `from` on (they follow a cut, so their offsets
 * would not be contiguous). */
static void drop_segments_from(plog_t *plog, size_t from)
{
    for (size_t i = from; i < plog->n_segs; i++) {
        char path[4200];
        seg_path(plog, plog->segs[i].base, ".log", path, sizeof(path));
        blog_warn("recovery: %s: removed, it follows a truncated segment", path);
        seg_unlink(plog, plog->segs[i].base);
        seg_release(&plog->segs[i]);
    }
    plog->n_segs = from;
}

plog_t *plog_open(const char *dir, const plog_config_t *cfg, int64_t recovery_point, int64_t log_start_offset,
                  plog_batch_cb *on_batch, void *opaque, char *errstr, size_t errstr_size)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(errstr, errstr_size, "cannot create partition directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    plog_t *plog = calloc(1, sizeof(*plog));
    if (!plog || !(plog->dir = strdup(dir))) {
        abort();
    }
    plog->cfg = *cfg;
    plog->start = log_start_offset > 0 ? log_start_offset : 0;
    plog->cache_offset = -1;
    if (!load_segments(plog, errstr, errstr_size)) {
        plog_close(plog);
        return NULL;
    }
    int64_t now = wall_ms();
    for (size_t i = 0; i < plog->n_segs; i++) {
        segment_t *seg = &plog->segs[i];
        /* Trusted: wholly before the recovery point (the next segment starts
         * at or before it). */
        bool trusted = i + 1 < plog->n_segs && plog->segs[i + 1].base <= recovery_point;
        if (i > 0 && seg->base != plog->segs[i - 1].next) {
            drop_segments_from(plog, i); /* a gap: the rest cannot be trusted */
            break;
        }
        bool intact = seg_scan(plog, seg, !trusted, on_batch, opaque);
        seg->created_ms = seg->max_ts > 0 && seg->max_ts < now ? seg->max_ts : now;
        seg_write_indexes(plog, seg);
        if (!intact) {
            drop_segments_from(plog, i + 1);
            break;
        }
    }
    /* Segments wholly below the log start were deleted by DeleteRecords or
     * retention just before a crash; finish the job. */
    while (plog->n_segs > 1 && plog->segs[0].next <= plog->start) {
        seg_unlink(plog, plog->segs[0].base);
        seg_release(&plog->segs[0]);
        memmove(&plog->segs[0], &plog->segs[1], (plog->n_segs - 1) * sizeof(segment_t));
        plog->n_segs--;
    }
    if (plog->n_segs == 0 && roll(plog, now) != KERR_NONE) {
        snprintf(errstr, errstr_size, "cannot create the first segment in %s: %s", dir, strerror(errno));
        plog_close(plog);
        return NULL;
    }
    if (plog->start < plog->segs[0].base) {
        plog->start = plog->segs[0].base;
    }
    if (plog->start > active(plog)->next) {
        plog->start = active(plog)->next;
    }
    /* Recovery verified the tail but did not make it durable: the recovery
     * point stays where it was until the next flush. */
    plog->recovery_point = recovery_point < plog->segs[0].base ? plog->segs[0].base : recovery_point;
    if (plog->recovery_point > plog_end_offset(plog)) {
        plog->recovery_point = plog_end_offset(plog);
    }
    return plog;
}

void plog_close(plog_t *plog)
{
    if (!plog) {
        return;
    }
    for (size_t i = 0; i < plog->n_segs; i++) {
        if (plog->segs[i].fd >= 0 && i + 1 == plog->n_segs) {
            seg_write_indexes(plog, &plog->segs[i]);
        }
        seg_release(&plog->segs[i]);
    }
    free(plog->segs);
    free(plog->dir);
    free(plog);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void plog_destroy_files(plog_t *plog)
{
    if (!plog) {
        return;
    }
    char *dir = strdup(plog->dir);
    for (size_t i = 0; i < plog->n_segs; i++) {
        seg_release(&plog->segs[i]);
    }
    plog->n_segs = 0;
    plog_close(plog);
    if (dir) {
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
    }
}

void plog_set_config(plog_t *plog, const plog_config_t *cfg)
{
    plog->cfg = *cfg;
}

/* ---- append --------------------------------------------------------------- */

static bool write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

kerr_t plog_append(plog_t *plog, uint8_t *batch, size_t len, int32_t leader_epoch, int64_t now_ms,
                   int64_t *base_offset)
{
    segment_t *seg = active(plog);
    if (seg->size > 0 && (seg->size + (int64_t)len > plog->cfg.segment_bytes ||
                          now_ms - seg->created_ms >= plog->cfg.segment_ms)) {
        kerr_t err = roll(plog, now_ms);
        if (err != KERR_NONE) {
            return err;
        }
        seg = active(plog);
    }
    batch_header_t hdr;
    batch_set_base_offset(batch, seg->next, leader_epoch);
    batch_header_decode(batch, &hdr);
    int64_t pos = seg->size;
    if (!write_all(seg->fd, batch, len)) {
        blog_error("append to %s/%020" PRId64 ".log failed: %s", plog->dir, seg->base, strerror(errno));
        if (ftruncate(seg->fd, pos) < 0) {
            blog_error("cannot undo a partial append in %s: %s", plog->dir, strerror(errno));
        }
        return KERR_KAFKA_STORAGE_ERROR;
    }
    *base_offset = seg->next;
    seg_note_batch(seg, &hdr, pos, len, plog->cfg.index_interval_bytes);
    seg->dirty = true;
    plog->unflushed_msgs += hdr.records_count;
    if (plog->unflushed_msgs >= plog->cfg.flush_interval_messages) {
        return plog_flush(plog);
    }
    return KERR_NONE;
}

kerr_t plog_flush(plog_t *plog)
{
    for (size_t i = 0; i < plog->n_segs; i++) {
        segment_t *seg = &plog->segs[i];
        if (seg->dirty) {
            if (fdatasync(seg->fd) < 0) {
                blog_error("fsync of %s/%020" PRId64 ".log failed: %s", plog->dir, seg->base, strerror(errno));
                return KERR_KAFKA_STORAGE_ERROR;
            }
            seg->dirty = false;
        }
    }
    plog->unflushed_msgs = 0;
    plog->recovery_point = plog_end_offset(plog);
    return KERR_NONE;
}

/* ---- queries -------------------------------------------------------------- */

int64_t plog_start_offset(const plog_t *plog)
{
    return plog->start;
}

int64_t plog_end_offset(const plog_t *plog)
{
    return plog->segs[plog->n_segs - 1].next;
}

int64_t plog_size_bytes(const plog_t *plog)
{
    int64_t total = 0;
    for (size_t i = 0; i < plog->n_segs; i++) {
        total += plog->segs[i].size;
    }
    return total;
}

int64_t plog_recovery_point(const plog_t *plog)
{
    return plog->recovery_point;
}

int plog_segment_count(const plog_t *plog)
{
    return (int)plog->n_segs;
}

/* The segment holding `offset` (which must be in [start, LEO)). */
static segment_t *seg_for(plog_t *plog, int64_t offset)
{
    size_t lo = 0, hi = plog->n_segs;
    while (lo + 1 < hi) { /* last segment with base <= offset */
        size_t mid = (lo + hi) / 2;
        if (plog->segs[mid].base <= offset) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return &plog->segs[lo];
}

/* Position of the batch containing `offset` in `seg`, by index then scan of
 * batch prefixes; -1 if the segment does not hold it. */
static int64_t seg_find_batch(plog_t *plog, segment_t *seg, int64_t offset)
{
    int64_t pos = seg_lookup(seg, offset);
    if (plog->cache_offset == offset && plog->cache_base == seg->base) {
        pos = plog->cache_pos;
    }
    uint8_t prefix[BATCH_PREFIX_SIZE];
    while (pos < seg->size) {
        if (pread(seg->fd, prefix, sizeof(prefix), pos) != (ssize_t)sizeof(prefix)) {
            return -1;
        }
        int64_t base = kbuf_get_i64(prefix);
        int32_t length = kbuf_get_i32(prefix + 8);
        int32_t delta = kbuf_get_i32(prefix + 23);
        if (base + delta >= offset) {
            return pos;
        }
        pos += (int64_t)batch_total_size(length);
    }
    return -1;
}

kerr_t plog_read(plog_t *plog, int64_t offset, int64_t max_offset, size_t max_bytes, bool min_one,
                 kbuf_writer_t *out, size_t *nbytes)
{
    *nbytes = 0;
    if (offset < plog->start || offset > plog_end_offset(plog)) {
        return KERR_OFFSET_OUT_OF_RANGE;
    }
    if (offset >= max_offset || offset == plog_end_offset(plog)) {
        return KERR_NONE;
    }
    segment_t *seg = seg_for(plog, offset);
    while (offset >= seg->next && seg < active(plog)) {
        seg++; /* offset in a gap left by a batch boundary at the segment end */
    }
    int64_t pos = seg_find_batch(plog, seg, offset);
    if (pos < 0) {
        return KERR_NONE;
    }
    /* Read a run of batches with one pread, then trim to whole batches. */
    int64_t avail = seg->size - pos;
    size_t want = max_bytes < (size_t)avail ? max_bytes : (size_t)avail;
    if (want < BATCH_PREFIX_SIZE) {
        if (!min_one) {
            return KERR_NONE;
        }
        want = BATCH_PREFIX_SIZE;
    }
    size_t at = out->len;
    uint8_t *dst = kbuf_reserve(out, want);
    ssize_t got = pread(seg->fd, dst, want, pos);
    if (got < (ssize_t)BATCH_PREFIX_SIZE) {
        out->len = at;
        return got < 0 ? KERR_KAFKA_STORAGE_ERROR : KERR_NONE;
    }
    size_t used = 0;
    int64_t next_offset = offset;
    while (used + BATCH_PREFIX_SIZE <= (size_t)got) {
        const uint8_t *b = out->data + at + used;
        size_t total = batch_total_size(kbuf_get_i32(b + 8));
        int64_t last = kbuf_get_i64(b) + kbuf_get_i32(b + 23);
        if (last >= max_offset || used + total > (size_t)got) {
            break;
        }
        used += total;
        next_offset = last + 1;
    }
    if (used == 0 && min_one) {
        /* KIP-74: the first batch goes whole even if larger than the limit. */
        const uint8_t *b = out->data + at;
        size_t total = batch_total_size(kbuf_get_i32(b + 8));
        int64_t last = kbuf_get_i64(b) + kbuf_get_i32(b + 23);
        if (last < max_offset && pos + (int64_t)total <= seg->size) {
            out->len = at;
            dst = kbuf_reserve(out, total);
            if (pread(seg->fd, dst, total, pos) != (ssize_t)total) {
                out->len = at;
                return KERR_KAFKA_STORAGE_ERROR;
            }
            used = total;
            next_offset = last + 1;
        }
    }
    out->len = at + used;
    *nbytes = used;
    if (used > 0) {
        plog->cache_offset = next_offset;
        plog->cache_base = seg->base;
        plog->cache_pos = pos + (int64_t)used;
    }
    return KERR_NONE;
}

size_t plog_bytes_after(const plog_t *plog, int64_t offset)
{
    size_t total = 0;
    for (size_t i = 0; i < plog->n_segs; i++) {
        const segment_t *seg = &plog->segs[i];
        if (seg->next <= offset) {
            continue;
        }
        if (seg->base >= offset) {
            total += (size_t)seg->size;
        } else {
            int64_t pos = seg_lookup(seg, offset);
            if (plog->cache_offset == offset && plog->cache_base == seg->base) {
                pos = plog->cache_pos;
            }
            total += (size_t)(seg->size - pos);
        }
    }
    return total;
}

/* ---- timestamps ----------------------------------------------------------- */

kerr_t plog_offset_for_timestamp(plog_t *plog, int64_t ts, int64_t *offset, int64_t *timestamp)
{
    *offset = *timestamp = -1;
    for (size_t i = 0; i < plog->n_segs; i++) {
        segment_t *seg = &plog->segs[i];
        if (seg->max_ts < ts || seg->next <= plog->start) {
            continue;
        }
        /* Every record before a time entry's offset is at most its timestamp,
         * so starting at the last entry below `ts` skips nothing we need. */
        int64_t from = seg->base > plog->start ? seg->base : plog->start;
        for (size_t k = 0; k < seg->n_tidx && seg->tidx[k].timestamp < ts; k++) {
            from = seg->tidx[k].offset > from ? seg->tidx[k].offset : from;
        }
        int64_t pos = seg_find_batch(plog, seg, from);
        uint8_t hdr_buf[BATCH_HEADER_SIZE];
        while (pos >= 0 && pos < seg->size) {
            if (pread(seg->fd, hdr_buf, sizeof(hdr_buf), pos) != (ssize_t)sizeof(hdr_buf)) {
                return KERR_KAFKA_STORAGE_ERROR;
            }
            batch_header_t hdr;
            batch_header_decode(hdr_buf, &hdr);
            size_t total = batch_total_size(hdr.length);
            if (hdr.max_timestamp >= ts && hdr.base_offset + hdr.last_offset_delta >= plog->start) {
                uint8_t *batch = malloc(total);
                if (!batch) {
                    abort();
                }
                kerr_t err = pread(seg->fd, batch, total, pos) == (ssize_t)total
                                 ? records_find_timestamp(batch, total, ts, offset, timestamp)
                                 : KERR_KAFKA_STORAGE_ERROR;
                free(batch);
                if (err != KERR_NONE) {
                    return err;
                }
                if (*offset >= 0 && *offset < plog->start) {
                    *offset = plog->start; /* the record found was deleted by DeleteRecords */
                }
                if (*offset >= 0) {
                    return KERR_NONE;
                }
            }
            pos += (int64_t)total;
        }
    }
    return KERR_NONE;
}

/* ---- deletion ------------------------------------------------------------- */

static void delete_oldest(plog_t *plog)
{
    segment_t *seg = &plog->segs[0];
    seg_unlink(plog, seg->base);
    seg_release(seg);
    memmove(&plog->segs[0], &plog->segs[1], (plog->n_segs - 1) * sizeof(segment_t));
    plog->n_segs--;
    if (plog->start < plog->segs[0].base) {
        plog->start = plog->segs[0].base;
    }
    if (plog->recovery_point < plog->start) {
        plog->recovery_point = plog->start;
    }
    plog->cache_offset = -1;
}

kerr_t plog_delete_records_before(plog_t *plog, int64_t offset)
{
    if (offset > plog_end_offset(plog) || offset < 0) {
        return KERR_OFFSET_OUT_OF_RANGE;
    }
    if (offset > plog->start) {
        plog->start = offset;
    }
    while (plog->n_segs > 1 && plog->segs[0].next <= plog->start) {
        delete_oldest(plog);
    }
    return KERR_NONE;
}

static int64_t seg_age_ts(const segment_t *seg)
{
    return seg->max_ts >= 0 ? seg->max_ts : seg->created_ms;
}

int plog_enforce_retention(plog_t *plog, int64_t now_ms)
{
    int deleted = 0;
    if (plog->cfg.retention_ms >= 0) {
        while (plog->segs[0].size > 0 && seg_age_ts(&plog->segs[0]) < now_ms - plog->cfg.retention_ms) {
            if (plog->n_segs == 1 && roll(plog, now_ms) != KERR_NONE) {
                break; /* an expired active segment must be rolled before it can go */
            }
            delete_oldest(plog);
            deleted++;
        }
    }
    if (plog->cfg.retention_bytes >= 0) {
        int64_t size = plog_size_bytes(plog);
        while (plog->n_segs > 1 && size - plog->segs[0].size >= plog->cfg.retention_bytes) {
            size -= plog->segs[0].size;
            delete_oldest(plog);
            deleted++;
        }
    }
    return deleted;
}

void plog_maybe_roll(plog_t *plog, int64_t now_ms)
{
    segment_t *seg = active(plog);
    if (seg->size > 0 && now_ms - seg->created_ms >= plog->cfg.segment_ms) {
        roll(plog, now_ms);
    }
}
