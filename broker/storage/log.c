/*
 * log.c - one partition's log: its list of segments, recovery at open,
 * appends and segment rolls, reads for Fetch, ListOffsets by time, retention
 * and DeleteRecords.  See log.h for the layout and segment.c for what
 * happens inside one segment.
 *
 * Recovery.  log_open removes what a crash or an interrupted deletion left
 * behind (files ending in .deleted, .cleaned or .swap, and .index/.timeindex
 * files without their .log), then walks the segments in offset order.  A
 * segment wholly below the recovery point was fsynced before that point was
 * checkpointed, so it is trusted: its index files are loaded and checked
 * against the .log by reading only the batch headers after the last index
 * entry.  Only if they do not fit is the segment re-read, headers only, to
 * rebuild them.  Every segment from the one holding the recovery point on is
 * re-read whole with each batch's CRC checked; the first torn or corrupt
 * batch ends the log there: that file is truncated and any later segments
 * are deleted, because offsets must stay contiguous.  on_batch sees every
 * batch that recovery re-reads (verified or rebuilt), in offset order, and
 * none of the trusted segments whose indexes loaded - except the newest
 * segment, whose headers are always re-read (without CRC checks once it is
 * flushed) when on_batch is given, so idempotent producers' sequence state
 * survives a clean restart.
 *
 * Flushing.  The page cache holds appends until log_flush, or until
 * flush_interval_messages records are unflushed.  As in Kafka, a segment
 * that was rolled is fsynced soon after, so the recovery point follows the
 * rolls and a crash re-reads little more than the active segment.  Kafka
 * does this on a background thread; here log_maybe_roll does it, because
 * the broker's upkeep timer calls it every second and that keeps the fsync
 * out of the produce path.
 *
 * Deletion.  Retention and DeleteRecords unlink segment files at once.
 * Kafka renames them to .deleted and deletes them a minute later, because
 * its readers do not hold a lock; ours hold the partition lock, so no read
 * can be in progress.
 *
 * Reads.  A consumer usually asks next for the offset where its previous
 * read ended, so the log remembers where that was (offset, segment,
 * position) and the next read starts there without an index lookup.  A
 * read then costs one pread of max_bytes, trimmed to whole batches in
 * memory.
 */
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blog.h"
#include "clock.h"
#include "fsutil.h"
#include "epoch_cache.h"
#include "segment.h"

struct log {
    char *dir;
    log_config_t cfg;
    segment_t **segs; /* by base offset; the last is active; never empty once open */
    size_t n_segs, cap_segs;
    int64_t start;          /* log start offset */
    int64_t recovery_point; /* every offset below it has been fsynced */
    int64_t unflushed;      /* records appended since the last fsync */
    bool dir_dirty;         /* segment files created or deleted since the last fsync of dir */
    /* Where the last read ended: offset, segment base and position. */
    int64_t cache_offset, cache_base, cache_pos;
    epoch_cache_t epochs; /* leader-epoch-checkpoint */
};

static segment_t *active(const log_t *plog)
{
    return plog->segs[plog->n_segs - 1];
}

static void segs_push(log_t *plog, segment_t *seg)
{
    if (plog->n_segs == plog->cap_segs) {
        plog->cap_segs = plog->cap_segs ? plog->cap_segs * 2 : 4;
        plog->segs = realloc(plog->segs, plog->cap_segs * sizeof(*plog->segs));
        if (!plog->segs) {
            abort();
        }
    }
    plog->segs[plog->n_segs++] = seg;
}

/* Deletes the oldest segment's files; the caller keeps one segment. */
static void segs_delete_first(log_t *plog)
{
    segment_t *seg = plog->segs[0];
    plog->n_segs--;
    memmove(plog->segs, plog->segs + 1, plog->n_segs * sizeof(*plog->segs));
    segment_delete(seg);
    plog->dir_dirty = true;
    plog->cache_offset = -1;
}

/* Index of the last segment whose base is <= offset (0 if none is). */
static size_t seg_index(const log_t *plog, int64_t offset)
{
    size_t lo = 0, hi = plog->n_segs;
    while (lo < hi) { /* first segment with base > offset */
        size_t mid = lo + (hi - lo) / 2;
        if (plog->segs[mid]->base <= offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? 0 : lo - 1;
}

/* ---- flushing ------------------------------------------------------------- */

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* fsyncs the dirty segments among the first `count`, and the directory if
 * segments were created or deleted.  -1 (logged) on failure. */
static int flush_segments(log_t *plog, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (segment_sync(plog->segs[i]) < 0) {
            blog_error("cannot fsync %s: %s; the disk may be failing", plog->segs[i]->log_path,
                       strerror(errno));
            return -1;
        }
    }
    if (plog->dir_dirty) {
        if (sync_dir(plog->dir) < 0) {
            blog_error("cannot fsync directory %s: %s", plog->dir, strerror(errno));
            return -1;
        }
        plog->dir_dirty = false;
    }
    return 0;
}

kerr_t log_flush(log_t *plog)
{
    if (flush_segments(plog, plog->n_segs) < 0) {
        return KERR_KAFKA_STORAGE_ERROR;
    }
    plog->recovery_point = log_end_offset(plog);
    plog->unflushed = 0;
    return KERR_NONE;
}

/* ---- opening: the directory ----------------------------------------------- */

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* Parses "<digits><ext>" file names: the base offset, and where ext starts. */
static bool parse_segment_name(const char *name, int64_t *base, const char **ext)
{
    const char *p = name;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > (INT64_MAX - (*p - '0')) / 10) {
            return false;
        }
        v = v * 10 + (*p - '0');
        p++;
    }
    *base = v;
    *ext = p;
    return p != name;
}

static void remove_file(const log_t *plog, const char *name, const char *why)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", plog->dir, name);
    if (unlink(path) == 0) {
        blog_info("recovery: removed %s (%s)", path, why);
    } else if (errno != ENOENT) {
        blog_warn("recovery: cannot remove %s (%s): %s", path, why, strerror(errno));
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool has_base(const int64_t *bases, size_t n, int64_t base)
{
    return n > 0 && bsearch(&base, bases, n, sizeof(*bases), cmp_i64) != NULL;
}

/* Collects the sorted base offsets of the .log files and removes leftovers.
 * *bases is heap memory for the caller to free. */
static bool list_segments(log_t *plog, int64_t **bases, size_t *n, char *errstr,
                          size_t errstr_size)
{
    DIR *d = opendir(plog->dir);
    if (!d) {
        snprintf(errstr, errstr_size, "cannot open partition directory %s: %s; check the "
                 "permissions of log.dirs", plog->dir, strerror(errno));
        return false;
    }
    size_t cap = 0;
    struct dirent *ent;
    *bases = NULL;
    *n = 0;
    while ((ent = readdir(d))) {
        int64_t base;
        const char *ext;
        if (has_suffix(ent->d_name, ".deleted") || has_suffix(ent->d_name, ".cleaned") ||
            has_suffix(ent->d_name, ".swap")) {
            remove_file(plog, ent->d_name, "left over from an interrupted deletion or cleaning");
        } else if (parse_segment_name(ent->d_name, &base, &ext) && strcmp(ext, ".log") == 0) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                *bases = realloc(*bases, cap * sizeof(**bases));
                if (!*bases) {
                    abort();
                }
            }
            (*bases)[(*n)++] = base;
        }
    }
    if (*n > 1) {
        qsort(*bases, *n, sizeof(**bases), cmp_i64);
    }
    /* A second pass, now that every .log is known: orphaned index files. */
    rewinddir(d);
    while ((ent = readdir(d))) {
        int64_t base;
        const char *ext;
        if (parse_segment_name(ent->d_name, &base, &ext) &&
            (strcmp(ext, ".index") == 0 || strcmp(ext, ".timeindex") == 0) &&
            !has_base(*bases, *n, base)) {
            remove_file(plog, ent->d_name, "index without a .log");
        }
    }
    closedir(d);
    return true;
}

/* ---- opening: recovery ---------------------------------------------------- */

/* Deletes the files of segments that can no longer be part of the log. */
static void drop_segment_files(log_t *plog, const int64_t *bases, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++) {
        static const char *const exts[] = {".log", ".index", ".timeindex"};
        for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
            char name[64];
            snprintf(name, sizeof(name), "%020" PRId64 "%s", bases[i], exts[e]);
            remove_file(plog, name, why);
        }
    }
    if (n > 0) {
        plog->dir_dirty = true;
    }
}

/* Loads or re-reads segment `bases[i]`; see the comment at the top.
 * Returns the bytes cut from it, or -1 with errstr. */
static int64_t recover_segment(log_t *plog, segment_t *seg, const int64_t *bases, size_t n,
                               size_t i, int64_t recovery_point, log_batch_cb *on_batch,
                               void *opaque, char *errstr, size_t errstr_size)
{
    /* Segments but the last end where the next begins; the last one's end
     * is known once its index and tail are loaded. */
    bool last = i + 1 == n;
    bool flushed = !last ? bases[i + 1] <= recovery_point : true;
    if (flushed && segment_load(seg) && seg->next <= recovery_point) {
        if (!last || !on_batch) {
            return 0;
        }
        /* Idempotent producers' sequence state comes from batch headers, so
         * the newest segment's headers are re-read even after a clean stop
         * (no CRC check: it is flushed); a producer retrying across a
         * broker restart then still gets its duplicate detected. */
        return segment_recover(seg, false, plog->cfg.index_interval_bytes, on_batch, opaque, errstr,
                               errstr_size);
    }
    bool verify = i + 1 == n || bases[i + 1] > recovery_point;
    return segment_recover(seg, verify, plog->cfg.index_interval_bytes, on_batch, opaque, errstr,
                           errstr_size);
}

static bool recover_segments(log_t *plog, const int64_t *bases, size_t n, int64_t recovery_point,
                             log_batch_cb *on_batch, void *opaque, char *errstr,
                             size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        segment_t *seg = segment_open(plog->dir, bases[i], errstr, errstr_size);
        if (!seg) {
            return false;
        }
        if (plog->n_segs > 0 && seg->base < active(plog)->next) {
            segment_close(seg);
            drop_segment_files(plog, bases + i, n - i, "overlaps the offsets of the segment before it");
            return true;
        }
        segs_push(plog, seg);
        int64_t cut = recover_segment(plog, seg, bases, n, i, recovery_point, on_batch, opaque, errstr,
                                      errstr_size);
        if (cut < 0) {
            return false;
        }
        if (cut > 0) {
            drop_segment_files(plog, bases + i + 1, n - i - 1, "follows a truncated segment");
            return true;
        }
    }
    return true;
}

/* Empties the log and starts it at `base` (a new directory, or a log start
 * checkpointed beyond what survived on disk). */
static bool reset_to(log_t *plog, int64_t base, char *errstr, size_t errstr_size)
{
    while (plog->n_segs > 0) {
        segment_delete(plog->segs[--plog->n_segs]);
    }
    segment_t *seg = segment_create(plog->dir, base, errstr, errstr_size);
    if (!seg) {
        return false;
    }
    segs_push(plog, seg);
    plog->dir_dirty = true;
    return true;
}

/* Settles the log start offset against what recovery found. */
static bool settle_start(log_t *plog, int64_t start_offset, char *errstr, size_t errstr_size)
{
    int64_t first = plog->segs[0]->base, leo = log_end_offset(plog);
    plog->start = start_offset > first ? start_offset : first;
    if (plog->start <= leo) {
        return true;
    }
    blog_warn("recovery: %s: the checkpointed log start offset %" PRId64 " is past the end of the "
              "log (%" PRId64 "); deleting all segments, the log restarts empty at %" PRId64,
              plog->dir, plog->start, leo, plog->start);
    return reset_to(plog, plog->start, errstr, errstr_size);
}

log_t *log_open(const char *dir, const log_config_t *cfg, int64_t recovery_point,
                int64_t start_offset, log_batch_cb *on_batch, void *opaque, char *errstr,
                size_t errstr_size)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(errstr, errstr_size, "cannot create partition directory %s: %s; check that log.dirs "
                 "exists and is writable", dir, strerror(errno));
        return NULL;
    }
    log_t *plog = calloc(1, sizeof(*plog));
    if (!plog || !(plog->dir = strdup(dir))) {
        abort();
    }
    plog->cfg = *cfg;
    plog->cache_offset = -1;
    int64_t *bases = NULL;
    size_t n = 0;
    bool ok = list_segments(plog, &bases, &n, errstr, errstr_size) &&
              recover_segments(plog, bases, n, recovery_point, on_batch, opaque, errstr, errstr_size);
    free(bases);
    if (ok && plog->n_segs == 0) {
        ok = reset_to(plog, start_offset > 0 ? start_offset : 0, errstr, errstr_size);
    }
    if (!ok || !settle_start(plog, start_offset, errstr, errstr_size)) {
        log_close(plog);
        return NULL;
    }
    int64_t leo = log_end_offset(plog);
    plog->recovery_point = recovery_point < 0 ? 0 : recovery_point > leo ? leo : recovery_point;
    epoch_cache_open(&plog->epochs, dir, leo);
    if (plog->epochs.n == 0 && leo > plog->start) {
        /* A log from before leader epochs were kept: its batches are a
         * single node's, all of one epoch, the first batch's. */
        uint8_t head[BATCH_HEADER_SIZE];
        if (pread(plog->segs[0]->fd, head, sizeof(head), 0) == (ssize_t)sizeof(head)) {
            batch_header_t hdr;
            batch_header_decode(head, &hdr);
            epoch_cache_assign(&plog->epochs, hdr.leader_epoch, plog->start);
        }
    }
    /* segment.ms counts from the first append; for a segment found on disk,
     * from now, as Kafka does for segments without timestamps. */
    if (active(plog)->size > 0) {
        active(plog)->first_append_ms = clock_wall_ms();
    }
    return plog;
}

void log_close(log_t *plog)
{
    if (!plog) {
        return;
    }
    for (size_t i = 0; i < plog->n_segs; i++) {
        segment_close(plog->segs[i]);
    }
    epoch_cache_close(&plog->epochs);
    free(plog->segs);
    free(plog->dir);
    free(plog);
}

bool log_move(log_t *plog, const char *dir, char *errstr, size_t errstr_size)
{
    if (rename(plog->dir, dir) < 0) {
        snprintf(errstr, errstr_size, "cannot rename %s to %s: %s", plog->dir, dir, strerror(errno));
        return false;
    }
    char *copy = strdup(dir);
    if (!copy) {
        abort();
    }
    free(plog->dir);
    plog->dir = copy;
    for (size_t i = 0; i < plog->n_segs; i++) {
        segment_set_dir(plog->segs[i], dir);
    }
    epoch_cache_set_dir(&plog->epochs, dir);
    return true;
}

void log_destroy_files(log_t *plog)
{
    if (!plog) {
        return;
    }
    char *dir = plog->dir;
    plog->dir = NULL;
    log_close(plog);
    if (fs_rm_rf(dir) < 0) {
        blog_error("cannot remove %s: %s; delete it by hand", dir, strerror(errno));
    }
    free(dir);
}

void log_set_config(log_t *plog, const log_config_t *cfg)
{
    plog->cfg = *cfg;
}

/* ---- appending ------------------------------------------------------------ */

static bool segment_aged(const log_t *plog, const segment_t *seg, int64_t now_ms)
{
    return seg->size > 0 && seg->first_append_ms >= 0 &&
           now_ms - seg->first_append_ms > plog->cfg.segment_ms;
}

/* Kafka's shouldRoll: size, age, and the int32 relative offsets and
 * positions of index entries.  An empty segment is never rolled. */
static bool needs_roll(const log_t *plog, size_t len, const batch_header_t *hdr, int64_t now_ms)
{
    const segment_t *seg = active(plog);
    int64_t last = hdr->base_offset + hdr->last_offset_delta;
    return seg->size > 0 &&
           (seg->size > plog->cfg.segment_bytes - (int64_t)len || segment_aged(plog, seg, now_ms) ||
            last - seg->base > INT32_MAX || seg->size > INT32_MAX - (int64_t)len);
}

/* Starts a new empty active segment at the log end offset. */
static kerr_t roll(log_t *plog)
{
    char errstr[512];
    segment_t *seg = segment_create(plog->dir, log_end_offset(plog), errstr, sizeof(errstr));
    if (!seg) {
        blog_error("cannot roll a new segment: %s", errstr);
        return KERR_KAFKA_STORAGE_ERROR;
    }
    segment_seal(active(plog));
    segs_push(plog, seg);
    plog->dir_dirty = true;
    return KERR_NONE;
}

/* Takes back a roll whose first append failed. */
static void unroll(log_t *plog)
{
    segment_delete(plog->segs[--plog->n_segs]);
}

/* Writes a batch whose offsets start at the log end offset. */
static kerr_t append_batch(log_t *plog, const uint8_t *batch, size_t len, int64_t now_ms)
{
    batch_header_t hdr;
    batch_header_decode(batch, &hdr);
    int64_t count = (int64_t)hdr.last_offset_delta + 1;
    bool sync = count >= plog->cfg.flush_interval_messages - plog->unflushed;
    bool rolled = needs_roll(plog, len, &hdr, now_ms);
    if (rolled && roll(plog) != KERR_NONE) {
        return KERR_KAFKA_STORAGE_ERROR;
    }
    /* A sync append makes everything before it durable too. */
    kerr_t err = sync && flush_segments(plog, plog->n_segs - 1) < 0 ? KERR_KAFKA_STORAGE_ERROR
                                                                     : KERR_NONE;
    if (err == KERR_NONE) {
        err = segment_append(active(plog), batch, len, &hdr, plog->cfg.index_interval_bytes,
                             now_ms, sync);
    }
    if (err != KERR_NONE) {
        if (rolled) {
            unroll(plog);
        }
        return err;
    }
    if (sync) {
        plog->recovery_point = log_end_offset(plog);
        plog->unflushed = 0;
    } else {
        plog->unflushed += count;
    }
    return KERR_NONE;
}

kerr_t log_append(log_t *plog, uint8_t *batch, size_t len, int32_t leader_epoch, int64_t now_ms,
                  int64_t *base_offset)
{
    int64_t base = log_end_offset(plog);
    batch_set_base_offset(batch, base, leader_epoch);
    kerr_t err = append_batch(plog, batch, len, now_ms);
    if (err == KERR_NONE) {
        *base_offset = base;
        epoch_cache_assign(&plog->epochs, leader_epoch, base);
    }
    return err;
}

kerr_t log_append_replica(log_t *plog, const uint8_t *batch, size_t len, int64_t now_ms)
{
    batch_header_t hdr;
    batch_header_decode(batch, &hdr);
    if (hdr.base_offset != log_end_offset(plog)) {
        return KERR_OFFSET_OUT_OF_RANGE;
    }
    kerr_t err = append_batch(plog, batch, len, now_ms);
    if (err == KERR_NONE) {
        epoch_cache_assign(&plog->epochs, hdr.leader_epoch, hdr.base_offset);
    }
    return err;
}

kerr_t log_truncate(log_t *plog, int64_t offset)
{
    if (offset >= log_end_offset(plog)) {
        return KERR_NONE;
    }
    char err[512];
    if (offset <= plog->start) {
        blog_warn("%s: truncating the whole log, which restarts empty at %" PRId64, plog->dir, offset);
        if (!reset_to(plog, offset, err, sizeof(err))) {
            blog_error("%s", err);
            return KERR_KAFKA_STORAGE_ERROR;
        }
        plog->start = offset;
    } else {
        while (plog->n_segs > 1 && active(plog)->base >= offset) {
            segment_delete(plog->segs[--plog->n_segs]);
            plog->dir_dirty = true;
        }
        segment_t *seg = active(plog);
        int64_t pos = segment_locate(seg, offset);
        /* The batch holding `offset` goes whole, as in Kafka; the indexes
         * are rebuilt from what is left. */
        if (pos < 0 || ftruncate(seg->fd, pos) < 0 ||
            segment_recover(seg, false, plog->cfg.index_interval_bytes, NULL, NULL, err, sizeof(err)) < 0) {
            blog_error("%s: cannot truncate the log at offset %" PRId64 "; restart the broker to let recovery "
                       "check it",
                       plog->dir, offset);
            return KERR_KAFKA_STORAGE_ERROR;
        }
        seg->first_append_ms = seg->size > 0 ? clock_wall_ms() : -1;
    }
    int64_t leo = log_end_offset(plog);
    plog->cache_offset = -1;
    if (plog->recovery_point > leo) {
        plog->recovery_point = leo;
    }
    epoch_cache_truncate(&plog->epochs, leo);
    return KERR_NONE;
}

kerr_t log_restart_at(log_t *plog, int64_t offset)
{
    char err[512];
    blog_warn("%s: deleting the whole log, which restarts empty at %" PRId64, plog->dir, offset);
    if (!reset_to(plog, offset, err, sizeof(err))) {
        blog_error("%s", err);
        return KERR_KAFKA_STORAGE_ERROR;
    }
    plog->start = offset;
    plog->cache_offset = -1;
    plog->recovery_point = offset;
    epoch_cache_truncate(&plog->epochs, 0);
    return KERR_NONE;
}

int32_t log_latest_epoch(const log_t *plog)
{
    return epoch_cache_latest(&plog->epochs);
}

int64_t log_end_offset_for_epoch(const log_t *plog, int32_t epoch, int32_t *found)
{
    return epoch_cache_end_offset(&plog->epochs, epoch, log_end_offset(plog), found);
}

void log_assign_epoch(log_t *plog, int32_t epoch)
{
    epoch_cache_assign(&plog->epochs, epoch, log_end_offset(plog));
}

kerr_t log_roll(log_t *plog)
{
    return active(plog)->size > 0 ? roll(plog) : KERR_NONE;
}

void log_maybe_roll(log_t *plog, int64_t now_ms)
{
    if (segment_aged(plog, active(plog), now_ms)) {
        roll(plog);
    }
    /* The flush Kafka schedules after every roll (see the top comment). */
    if (active(plog)->base > plog->recovery_point && flush_segments(plog, plog->n_segs - 1) == 0) {
        plog->recovery_point = active(plog)->base;
    }
}

/* ---- accessors ------------------------------------------------------------ */

int64_t log_start_offset(const log_t *plog)
{
    return plog->start;
}

int64_t log_end_offset(const log_t *plog)
{
    return active(plog)->next;
}

int64_t log_size_bytes(const log_t *plog)
{
    int64_t size = 0;
    for (size_t i = 0; i < plog->n_segs; i++) {
        size += plog->segs[i]->size;
    }
    return size;
}

int64_t log_recovery_point(const log_t *plog)
{
    return plog->recovery_point;
}

int log_segments_count(const log_t *plog)
{
    return (int)plog->n_segs;
}

/* ---- reading -------------------------------------------------------------- */

/* The segment holding `offset` (or the first batch after it) and the
 * position of that batch; -1 on a read error. */
static int64_t read_start(log_t *plog, int64_t offset, segment_t **segp)
{
    size_t i = seg_index(plog, offset);
    segment_t *seg = plog->segs[i];
    if (offset == plog->cache_offset && seg->base == plog->cache_base &&
        plog->cache_pos <= seg->size) {
        *segp = seg;
        return plog->cache_pos;
    }
    /* Past this segment's last batch: the next segment holds what follows. */
    while (offset >= seg->next && i + 1 < plog->n_segs) {
        seg = plog->segs[++i];
    }
    *segp = seg;
    return segment_locate(seg, offset);
}

kerr_t log_read(log_t *plog, int64_t offset, int64_t max_offset, size_t max_bytes, bool min_one,
                buf_writer_t *out, size_t *nbytes)
{
    *nbytes = 0;
    if (offset < plog->start || offset > log_end_offset(plog)) {
        return KERR_OFFSET_OUT_OF_RANGE;
    }
    if (offset >= max_offset || offset == log_end_offset(plog)) {
        return KERR_NONE;
    }
    segment_t *seg;
    int64_t pos = read_start(plog, offset, &seg);
    if (pos < 0) {
        return KERR_KAFKA_STORAGE_ERROR;
    }
    int64_t next = -1;
    kerr_t err = segment_read(seg, pos, max_offset, max_bytes, min_one, out, nbytes, &next);
    if (err == KERR_NONE && *nbytes > 0) {
        plog->cache_offset = next;
        plog->cache_base = seg->base;
        plog->cache_pos = pos + (int64_t)*nbytes;
    }
    return err;
}

size_t log_bytes_after(const log_t *plog, int64_t offset)
{
    if (offset < plog->start) {
        offset = plog->start;
    }
    if (offset >= log_end_offset(plog)) {
        return 0;
    }
    size_t i = seg_index(plog, offset);
    const segment_t *seg = plog->segs[i];
    bool cached = offset == plog->cache_offset && seg->base == plog->cache_base &&
                  plog->cache_pos <= seg->size;
    int64_t pos = cached ? plog->cache_pos : segment_estimate_pos(seg, offset);
    int64_t bytes = seg->size - pos;
    for (i++; i < plog->n_segs; i++) {
        bytes += plog->segs[i]->size;
    }
    return bytes > 0 ? (size_t)bytes : 0;
}

kerr_t log_offset_for_timestamp(log_t *plog, int64_t ts, int64_t *offset, int64_t *timestamp)
{
    *offset = *timestamp = -1;
    for (size_t i = seg_index(plog, plog->start); i < plog->n_segs; i++) {
        segment_t *seg = plog->segs[i];
        if (seg->max_ts < ts) {
            continue;
        }
        kerr_t err = segment_find_timestamp(seg, ts, plog->start, offset, timestamp);
        if (err != KERR_NONE || *offset >= 0) {
            return err;
        }
    }
    return KERR_NONE;
}

kerr_t log_offset_for_max_timestamp(log_t *plog, int64_t *offset, int64_t *timestamp)
{
    *offset = *timestamp = -1;
    size_t first = seg_index(plog, plog->start);
    int64_t max_ts = -1;
    for (size_t i = first; i < plog->n_segs; i++) {
        if (plog->segs[i]->max_ts > max_ts) {
            max_ts = plog->segs[i]->max_ts;
        }
    }
    /* No record is later than max_ts, so the first one at or after it is the
     * first with it.  A segment's max_ts may belong to a record below the
     * log start; the next segment with that max_ts is tried then. */
    for (size_t i = first; i < plog->n_segs && max_ts >= 0; i++) {
        if (plog->segs[i]->max_ts == max_ts) {
            kerr_t err = segment_find_timestamp(plog->segs[i], max_ts, plog->start, offset, timestamp);
            if (err != KERR_NONE || *offset >= 0) {
                return err;
            }
        }
    }
    return KERR_NONE;
}

/* ---- deleting ------------------------------------------------------------- */

kerr_t log_delete_records_before(log_t *plog, int64_t offset)
{
    if (offset < 0 || offset > log_end_offset(plog)) {
        return KERR_OFFSET_OUT_OF_RANGE;
    }
    if (offset <= plog->start) {
        return KERR_NONE;
    }
    plog->start = offset;
    plog->cache_offset = -1;
    /* Kafka's rule: a segment goes once the next one starts at or below the
     * log start, so the active segment always stays. */
    while (plog->n_segs > 1 && plog->segs[1]->base <= offset) {
        segs_delete_first(plog);
    }
    return KERR_NONE;
}

/* Deletes the oldest segment, rolling first when it is the active one;
 * false when only an empty active segment is left. */
static bool delete_oldest(log_t *plog)
{
    if (plog->n_segs == 1 && (active(plog)->size == 0 || roll(plog) != KERR_NONE)) {
        return false;
    }
    segs_delete_first(plog);
    if (plog->segs[0]->base > plog->start) {
        plog->start = plog->segs[0]->base;
    }
    return true;
}

static bool retention_ms_breached(const log_t *plog, const segment_t *seg, int64_t now_ms)
{
    return plog->cfg.retention_ms >= 0 &&
           now_ms - segment_largest_ts(seg) > plog->cfg.retention_ms;
}

int log_enforce_retention(log_t *plog, int64_t now_ms)
{
    int deleted = 0;
    while (retention_ms_breached(plog, plog->segs[0], now_ms) && delete_oldest(plog)) {
        deleted++;
    }
    if (plog->cfg.retention_bytes < 0) {
        return deleted;
    }
    /* Kafka's rule: delete while the log stays at or above retention.bytes
     * without the oldest segment. */
    int64_t excess = log_size_bytes(plog) - plog->cfg.retention_bytes;
    for (;;) {
        int64_t size = plog->segs[0]->size;
        if (excess < size || !delete_oldest(plog)) {
            break;
        }
        excess -= size;
        deleted++;
    }
    return deleted;
}
