/*
 * segment.c - one segment's .log and indexes; see segment.h.
 *
 * Batches are found by walking: a batch's first 27 bytes give its length and
 * last offset, so from any batch boundary the next one is `length + 12`
 * bytes on.  The offset index supplies a boundary at or before the wanted
 * offset, and walking from there touches at most index.interval.bytes plus
 * one batch.  Walks go through a small read-ahead buffer (seg_reader_t) so
 * that a run of small batches costs one pread, not one per batch.
 *
 * Indexes follow Kafka's LogSegment.append: when more than
 * index.interval.bytes were appended since the last entry, the batch being
 * appended gets an offset entry (its last offset, its position) and the time
 * index gets (largest timestamp so far, last offset of the batch that first
 * reached it) if that timestamp grew.  So an offset entry names a batch
 * boundary, and every batch before a time entry's batch has a smaller
 * maxTimestamp than the entry.
 *
 * Offsets inside a segment are contiguous (the broker assigns them), which
 * recovery uses as an extra check: the CRC does not cover baseOffset.
 */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blog.h"
#include "fsutil.h"
#include "records/records.h"

/* Read-ahead sizes: recovery reads whole batches, the others headers only;
 * a lookup walks about one index interval (4 KiB by default). */
#define RECOVER_CHUNK (1u << 20)
#define SCAN_CHUNK (64u << 10)
#define LOCATE_CHUNK (8u << 10)

/* ---- reading -------------------------------------------------------------- */

/* Reads up to `len` bytes at `pos`, retrying short reads and EINTR; fewer
 * only at end of file.  -1 with errno on error. */
static ssize_t read_at(int fd, uint8_t *buf, size_t len, int64_t pos)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, (off_t)pos + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

typedef struct seg_reader {
    int fd;
    int64_t end; /* nothing at or past this position is read */
    uint8_t *buf;
    size_t cap;  /* read-ahead size; grows to hold a larger batch */
    int64_t at;  /* file position of buf[0] */
    size_t len;  /* valid bytes in buf */
    int err;     /* errno of a failed read; 0 if none */
} seg_reader_t;

static void reader_init(seg_reader_t *rd, const segment_t *seg, int64_t end, size_t chunk)
{
    memset(rd, 0, sizeof(*rd));
    rd->fd = seg->fd;
    rd->end = end;
    rd->cap = chunk;
    rd->buf = malloc(chunk);
    if (!rd->buf) {
        abort();
    }
}

static void reader_release(seg_reader_t *rd)
{
    free(rd->buf);
    rd->buf = NULL;
}

/* The `len` bytes at `pos`, or NULL: with rd->err set on a read error, else
 * because they extend past the end (a torn batch). */
static const uint8_t *reader_get(seg_reader_t *rd, int64_t pos, size_t len)
{
    if (pos < 0 || pos > rd->end || (int64_t)len > rd->end - pos) {
        return NULL;
    }
    if (pos >= rd->at && pos + (int64_t)len <= rd->at + (int64_t)rd->len) {
        return rd->buf + (pos - rd->at);
    }
    if (len > rd->cap) {
        free(rd->buf);
        rd->buf = malloc(len);
        if (!rd->buf) {
            abort();
        }
        rd->cap = len;
    }
    size_t want = rd->end - pos < (int64_t)rd->cap ? (size_t)(rd->end - pos) : rd->cap;
    ssize_t n = read_at(rd->fd, rd->buf, want, pos);
    rd->at = pos;
    rd->len = n < 0 ? 0 : (size_t)n;
    if (rd->len < len) {
        /* The file is shorter than the size we know: something else cut it. */
        rd->err = n < 0 ? errno : EIO;
        return NULL;
    }
    return rd->buf;
}

/* What the first BATCH_PREFIX_SIZE bytes of a batch say about its extent. */
typedef struct batch_span {
    int64_t base;
    int64_t last;
    size_t size; /* on disk */
} batch_span_t;

static bool span_decode(const uint8_t *p, batch_span_t *span)
{
    int64_t base = buf_get_i64(p);
    int32_t length = buf_get_i32(p + 8);
    int32_t delta = buf_get_i32(p + 23);
    if (p[16] != 2 || length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || delta < 0 || base < 0 ||
        base > INT64_MAX - delta) {
        return false;
    }
    span->base = base;
    span->last = base + delta;
    span->size = batch_total_size(length);
    return true;
}

/* A batch that recovery would have rejected, found after start-up: the file
 * was changed behind the broker's back.  Only a full recovery repairs that. */
static void log_bad_batch(const segment_t *seg, int64_t pos)
{
    blog_error("%s: no valid batch at position %" PRId64 "; the file was changed behind the "
               "broker's back: stop the broker, delete recovery-point-offset-checkpoint in the log "
               "dir so that recovery checks every batch, and restart",
               seg->log_path, pos);
}

static void log_read_failure(const segment_t *seg, int64_t pos, const seg_reader_t *rd)
{
    if (rd->err) {
        blog_error("cannot read %s at position %" PRId64 ": %s; check the disk", seg->log_path, pos,
                   strerror(rd->err));
    } else {
        log_bad_batch(seg, pos);
    }
}

/* ---- life cycle ----------------------------------------------------------- */

static char *segment_path(const char *dir, int64_t base, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%020" PRId64 "%s", dir, base, ext);
    char *copy = strdup(path);
    if (!copy) {
        abort();
    }
    return copy;
}

static segment_t *segment_new(const char *dir, int64_t base)
{
    segment_t *seg = calloc(1, sizeof(*seg));
    if (!seg) {
        abort();
    }
    char *path = segment_path(dir, base, ".index");
    log_index_init(&seg->oidx, path, OFFSET_INDEX_ENTRY_SIZE);
    free(path);
    path = segment_path(dir, base, ".timeindex");
    log_index_init(&seg->tidx, path, TIME_INDEX_ENTRY_SIZE);
    free(path);
    seg->log_path = segment_path(dir, base, ".log");
    seg->base = seg->next = base;
    seg->max_ts = seg->max_ts_offset = -1;
    seg->first_append_ms = -1;
    seg->fd = -1;
    return seg;
}

static segment_t *segment_open_file(const char *dir, int64_t base, int flags, char *errstr,
                                        size_t errstr_size)
{
    segment_t *seg = segment_new(dir, base);
    seg->fd = open(seg->log_path, O_RDWR | O_CLOEXEC | flags, 0644);
    if (seg->fd < 0) {
        snprintf(errstr, errstr_size, "cannot %s %s: %s; check the permissions and free space of the "
                 "log directory", flags & O_CREAT ? "create" : "open", seg->log_path, strerror(errno));
        segment_close(seg);
        return NULL;
    }
    return seg;
}

segment_t *segment_create(const char *dir, int64_t base, char *errstr, size_t errstr_size)
{
    segment_t *seg = segment_open_file(dir, base, O_CREAT | O_TRUNC, errstr, errstr_size);
    if (seg) {
        log_index_reset(&seg->oidx);
        log_index_reset(&seg->tidx);
        seg->dirty = true;
    }
    return seg;
}

segment_t *segment_open(const char *dir, int64_t base, char *errstr, size_t errstr_size)
{
    return segment_open_file(dir, base, 0, errstr, errstr_size);
}

void segment_close(segment_t *seg)
{
    if (!seg) {
        return;
    }
    if (seg->fd >= 0) {
        close(seg->fd);
    }
    log_index_release(&seg->oidx);
    log_index_release(&seg->tidx);
    free(seg->log_path);
    free(seg);
}

void segment_set_dir(segment_t *seg, const char *dir)
{
    free(seg->log_path);
    seg->log_path = segment_path(dir, seg->base, ".log");
    free(seg->oidx.path);
    seg->oidx.path = segment_path(dir, seg->base, ".index");
    free(seg->tidx.path);
    seg->tidx.path = segment_path(dir, seg->base, ".timeindex");
}

void segment_delete(segment_t *seg)
{
    log_index_unlink(&seg->oidx);
    log_index_unlink(&seg->tidx);
    if (unlink(seg->log_path) < 0 && errno != ENOENT) {
        blog_warn("cannot delete %s: %s", seg->log_path, strerror(errno));
    }
    segment_close(seg);
}

/* ---- bookkeeping ---------------------------------------------------------- */

static int32_t rel_offset(const segment_t *seg, int64_t offset)
{
    return (int32_t)(offset - seg->base);
}

/* Records a batch just placed at `pos`: extent, timestamps, index entries. */
static void segment_note_batch(segment_t *seg, const batch_header_t *hdr, int64_t pos,
                               size_t size, int32_t index_interval)
{
    int64_t last = hdr->base_offset + hdr->last_offset_delta;
    if (hdr->max_timestamp > seg->max_ts) {
        seg->max_ts = hdr->max_timestamp;
        seg->max_ts_offset = last;
    }
    if (seg->bytes_since_index > index_interval) {
        log_index_offset_add(&seg->oidx, rel_offset(seg, last), (int32_t)pos);
        int64_t last_ts = seg->tidx.count ? log_index_time_ts(&seg->tidx, seg->tidx.count - 1) : -1;
        if (seg->max_ts > last_ts) {
            log_index_time_add(&seg->tidx, seg->max_ts, rel_offset(seg, seg->max_ts_offset));
        }
        seg->bytes_since_index = 0;
    }
    seg->bytes_since_index += (int64_t)size;
    seg->next = last + 1;
    seg->size = pos + (int64_t)size;
}

void segment_seal(segment_t *seg)
{
    int64_t last_ts = seg->tidx.count ? log_index_time_ts(&seg->tidx, seg->tidx.count - 1) : -1;
    if (seg->max_ts > last_ts) {
        log_index_time_add(&seg->tidx, seg->max_ts, rel_offset(seg, seg->max_ts_offset));
    }
}

int segment_sync(segment_t *seg)
{
    if (!seg->dirty) {
        return 0;
    }
    if (fdatasync(seg->fd) < 0 || log_index_sync(&seg->oidx) < 0 || log_index_sync(&seg->tidx) < 0) {
        return -1;
    }
    seg->dirty = false;
    return 0;
}

int64_t segment_largest_ts(const segment_t *seg)
{
    struct stat st;
    if (seg->max_ts >= 0 || fstat(seg->fd, &st) < 0) {
        return seg->max_ts;
    }
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

/* ---- loading and recovery ------------------------------------------------- */

static int64_t file_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) < 0 ? -1 : (int64_t)st.st_size;
}

/*
 * Walks the batch headers from the last offset index entry to the end of
 * the file, checking they chain up and end exactly at the end, and takes
 * next, max_ts and bytes_since_index from them.
 */
static bool segment_load_tail(segment_t *seg, int64_t size)
{
    size_t n = seg->oidx.count;
    int64_t pos = n ? log_index_offset_pos(&seg->oidx, n - 1) : 0;
    int64_t want_last = n ? seg->base + log_index_offset_rel(&seg->oidx, n - 1) : -1;
    if (seg->tidx.count) {
        seg->max_ts = log_index_time_ts(&seg->tidx, seg->tidx.count - 1);
        seg->max_ts_offset = seg->base + log_index_time_rel(&seg->tidx, seg->tidx.count - 1);
    }
    seg->bytes_since_index = size - pos;
    seg_reader_t rd;
    reader_init(&rd, seg, size, SCAN_CHUNK);
    bool ok = true;
    while (ok && pos < size) {
        const uint8_t *p = reader_get(&rd, pos, BATCH_HEADER_SIZE);
        batch_span_t span;
        ok = p && span_decode(p, &span) && (int64_t)span.size <= size - pos &&
             (want_last >= 0 ? span.last == want_last : span.base == seg->next);
        if (ok) {
            int64_t max_ts = buf_get_i64(p + 35);
            if (max_ts > seg->max_ts) {
                seg->max_ts = max_ts;
                seg->max_ts_offset = span.last;
            }
            want_last = -1;
            seg->next = span.last + 1;
            pos += (int64_t)span.size;
        }
    }
    reader_release(&rd);
    seg->size = pos;
    return ok;
}

bool segment_load(segment_t *seg)
{
    int64_t size = file_size(seg->fd);
    if (size < 0 || !log_index_load(&seg->oidx) || !log_index_offset_check(&seg->oidx, size) ||
        !log_index_load(&seg->tidx) || !segment_load_tail(seg, size)) {
        return false;
    }
    return log_index_time_check(&seg->tidx, seg->next - 1 - seg->base);
}

static void segment_reset(segment_t *seg)
{
    seg->next = seg->base;
    seg->size = 0;
    seg->max_ts = seg->max_ts_offset = -1;
    seg->bytes_since_index = 0;
    seg->oidx.count = 0;
    seg->tidx.count = 0;
}

/* Reads and checks the batch at `pos` (whole, with `verify`), which must
 * carry offset seg->next and keep relative offsets and positions in the
 * int32 range of the index entries. */
static bool recover_batch(segment_t *seg, seg_reader_t *rd, int64_t pos, bool verify,
                          batch_header_t *hdr, size_t *size)
{
    const uint8_t *p = reader_get(rd, pos, BATCH_HEADER_SIZE);
    batch_span_t span;
    if (!p || !span_decode(p, &span) || (int64_t)span.size > rd->end - pos ||
        span.base != seg->next || span.last - seg->base > INT32_MAX ||
        pos + (int64_t)span.size > INT32_MAX) {
        return false;
    }
    if (verify) {
        p = reader_get(rd, pos, span.size);
        if (!p || !batch_is_intact(p, span.size, hdr)) {
            return false;
        }
    } else {
        batch_header_decode(p, hdr);
    }
    *size = span.size;
    return true;
}

/* Cuts the .log after its last good batch. */
static void recover_cut(segment_t *seg, int64_t size)
{
    blog_warn("recovery: %s: truncated %" PRId64 " bytes at position %" PRId64
              " (torn or corrupt batch)",
              seg->log_path, size - seg->size, seg->size);
    if (ftruncate(seg->fd, seg->size) < 0) {
        /* Reads never go past seg->size, and the next start cuts again. */
        blog_error("recovery: cannot truncate %s: %s", seg->log_path, strerror(errno));
    }
}

int64_t segment_recover(segment_t *seg, bool verify, int32_t index_interval,
                            log_batch_cb *on_batch, void *opaque, char *errstr,
                            size_t errstr_size)
{
    int64_t size = file_size(seg->fd);
    if (size < 0) {
        snprintf(errstr, errstr_size, "cannot stat %s: %s", seg->log_path, strerror(errno));
        return -1;
    }
    segment_reset(seg);
    seg_reader_t rd;
    reader_init(&rd, seg, size, verify ? RECOVER_CHUNK : SCAN_CHUNK);
    int64_t pos = 0;
    batch_header_t hdr;
    size_t batch_size;
    while (pos < size && recover_batch(seg, &rd, pos, verify, &hdr, &batch_size)) {
        if (on_batch) {
            on_batch(opaque, &hdr);
        }
        segment_note_batch(seg, &hdr, pos, batch_size, index_interval);
        pos += (int64_t)batch_size;
    }
    int err = rd.err;
    reader_release(&rd);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read %s at position %" PRId64 ": %s; check the disk "
                 "(nothing was truncated)", seg->log_path, pos, strerror(err));
        return -1;
    }
    if (pos < size) {
        recover_cut(seg, size);
    }
    log_index_rewrite(&seg->oidx);
    log_index_rewrite(&seg->tidx);
    seg->dirty = true;
    return size - pos;
}

/* ---- appending ------------------------------------------------------------ */

kerr_t segment_append(segment_t *seg, const uint8_t *batch, size_t len,
                          const batch_header_t *hdr, int32_t index_interval, int64_t now_ms,
                          bool sync)
{
    if (!fs_write_at(seg->fd, batch, len, seg->size) || (sync && fdatasync(seg->fd) < 0)) {
        blog_error("cannot append %zu bytes to %s: %s; the batch was not stored (check free space "
                   "and the disk)", len, seg->log_path, strerror(errno));
        if (ftruncate(seg->fd, seg->size) < 0) {
            blog_error("cannot cut %s back to %" PRId64 " bytes: %s; restart the broker to let "
                       "recovery repair it", seg->log_path, seg->size, strerror(errno));
        }
        return KERR_KAFKA_STORAGE_ERROR;
    }
    if (seg->first_append_ms < 0) {
        seg->first_append_ms = now_ms;
    }
    segment_note_batch(seg, hdr, seg->size, len, index_interval);
    seg->dirty = true;
    if (sync && log_index_sync(&seg->oidx) == 0 && log_index_sync(&seg->tidx) == 0) {
        seg->dirty = false;
    }
    return KERR_NONE;
}

/* ---- reading -------------------------------------------------------------- */

int64_t segment_estimate_pos(const segment_t *seg, int64_t offset)
{
    return log_index_offset_floor(&seg->oidx, offset - seg->base);
}

int64_t segment_locate(segment_t *seg, int64_t offset)
{
    int64_t pos = segment_estimate_pos(seg, offset);
    seg_reader_t rd;
    reader_init(&rd, seg, seg->size, LOCATE_CHUNK);
    while (pos < seg->size) {
        const uint8_t *p = reader_get(&rd, pos, BATCH_PREFIX_SIZE);
        batch_span_t span;
        if (!p || !span_decode(p, &span)) {
            log_read_failure(seg, pos, &rd);
            pos = -1;
            break;
        }
        if (span.last >= offset) {
            break;
        }
        pos += (int64_t)span.size;
    }
    reader_release(&rd);
    return pos;
}

/* Where reading from `pos` must stop: the end of the data, or the position
 * of an indexed batch that reaches max_offset (the walk finds the exact
 * batch; this only keeps the read from fetching far past it). */
static int64_t read_limit(const segment_t *seg, int64_t max_offset)
{
    if (max_offset >= seg->next) {
        return seg->size;
    }
    int64_t pos = log_index_offset_ceiling(&seg->oidx, max_offset - seg->base);
    return pos < 0 ? seg->size : pos;
}

/*
 * Counts the whole batches at the start of `data` (`len` bytes read at file
 * position `pos`) that lie below max_offset.  *cut is their length,
 * *next_offset the offset after them; *first_size is the size of the first
 * batch when even that one is incomplete (0 otherwise).  False when the
 * first batch is not a valid batch.
 */
static bool read_walk(const segment_t *seg, const uint8_t *data, size_t len, int64_t pos,
                      int64_t max_offset, size_t *cut, int64_t *next_offset, size_t *first_size)
{
    size_t off = 0;
    *cut = *first_size = 0;
    while (off + BATCH_PREFIX_SIZE <= len) {
        batch_span_t span;
        if (!span_decode(data + off, &span) || (int64_t)span.size > seg->size - pos - (int64_t)off) {
            log_bad_batch(seg, pos + (int64_t)off);
            return off > 0; /* the whole batches before it can still go out */
        }
        if (span.last >= max_offset) {
            break;
        }
        if (off + span.size > len) {
            *first_size = off == 0 ? span.size : 0;
            break;
        }
        off += span.size;
        *cut = off;
        *next_offset = span.last + 1;
    }
    return true;
}

kerr_t segment_read(segment_t *seg, int64_t pos, int64_t max_offset, size_t max_bytes,
                        bool min_one, buf_writer_t *out, size_t *nbytes, int64_t *next_offset)
{
    *nbytes = 0;
    int64_t avail = read_limit(seg, max_offset) - pos;
    if (avail <= 0) {
        return KERR_NONE;
    }
    /* Read at least a prefix, so that min_one learns the first batch's size. */
    size_t want = (uint64_t)avail < max_bytes ? (size_t)avail : max_bytes;
    if (want < BATCH_PREFIX_SIZE) {
        want = avail < BATCH_PREFIX_SIZE ? (size_t)avail : BATCH_PREFIX_SIZE;
    }
    size_t start = out->len;
    uint8_t *dst = buf_reserve(out, want);
    ssize_t n = read_at(seg->fd, dst, want, pos);
    size_t cut, first_size;
    if (n != (ssize_t)want) {
        blog_error("cannot read %s at position %" PRId64 ": %s; check the disk", seg->log_path, pos,
                   n < 0 ? strerror(errno) : "file is shorter than expected");
        out->len = start;
        return KERR_KAFKA_STORAGE_ERROR;
    }
    if (!read_walk(seg, dst, want, pos, max_offset, &cut, next_offset, &first_size)) {
        out->len = start;
        return KERR_KAFKA_STORAGE_ERROR;
    }
    if (cut == 0 && first_size > 0 && min_one) {
        /* KIP-74: the first batch goes out whole even past max_bytes. */
        buf_reserve(out, first_size - want);
        dst = out->data + start;
        if (read_at(seg->fd, dst + want, first_size - want, pos + (int64_t)want) !=
            (ssize_t)(first_size - want)) {
            blog_error("cannot read %s at position %" PRId64 ": %s; check the disk", seg->log_path,
                       pos, strerror(errno));
            out->len = start;
            return KERR_KAFKA_STORAGE_ERROR;
        }
        cut = first_size;
        *next_offset = buf_get_i64(dst) + buf_get_i32(dst + 23) + 1;
    }
    out->len = start + cut;
    *nbytes = cut;
    return KERR_NONE;
}

/* ---- timestamps ----------------------------------------------------------- */

typedef struct ts_search {
    int64_t ts, min_offset;
    int64_t offset, timestamp;
} ts_search_t;

static int ts_search_record(void *opaque, const record_t *rec)
{
    ts_search_t *s = opaque;
    if (rec->offset >= s->min_offset && rec->timestamp >= s->ts) {
        s->offset = rec->offset;
        s->timestamp = rec->timestamp;
        return 1;
    }
    return 0;
}

/* The first record of one whole batch at or after min_offset with timestamp
 * >= ts.  Only a batch straddling the log start (after DeleteRecords) needs
 * the offset condition. */
static kerr_t batch_find_timestamp(const uint8_t *batch, size_t len, int64_t ts, int64_t min_offset,
                                   int64_t *offset, int64_t *timestamp)
{
    if (buf_get_i64(batch) >= min_offset) {
        return records_find_timestamp(batch, len, ts, offset, timestamp);
    }
    ts_search_t s = {ts, min_offset, -1, -1};
    kerr_t err = records_foreach(batch, len, ts_search_record, &s);
    *offset = s.offset;
    *timestamp = s.timestamp;
    return err;
}

kerr_t segment_find_timestamp(segment_t *seg, int64_t ts, int64_t min_offset,
                                  int64_t *offset, int64_t *timestamp)
{
    *offset = *timestamp = -1;
    int32_t rel = log_index_time_floor(&seg->tidx, ts);
    int64_t from = rel < 0 ? seg->base : seg->base + rel;
    int64_t pos = segment_estimate_pos(seg, from > min_offset ? from : min_offset);
    seg_reader_t rd;
    reader_init(&rd, seg, seg->size, SCAN_CHUNK);
    kerr_t err = KERR_NONE;
    while (pos < seg->size && *offset < 0 && err == KERR_NONE) {
        const uint8_t *p = reader_get(&rd, pos, BATCH_HEADER_SIZE);
        batch_span_t span;
        if (!p || !span_decode(p, &span)) {
            log_read_failure(seg, pos, &rd);
            err = KERR_KAFKA_STORAGE_ERROR;
            break;
        }
        if (span.last >= min_offset && buf_get_i64(p + 35) >= ts) {
            p = reader_get(&rd, pos, span.size);
            if (!p) {
                log_read_failure(seg, pos, &rd);
                err = KERR_KAFKA_STORAGE_ERROR;
                break;
            }
            err = batch_find_timestamp(p, span.size, ts, min_offset, offset, timestamp);
        }
        pos += (int64_t)span.size;
    }
    reader_release(&rd);
    return err;
}
