/*
 * Unit tests for the partition log (log.c, segment.c, log_index.c): reads
 * and appends across segment rolls, crash recovery from files damaged the
 * way a crash or a bad disk damages them, retention, DeleteRecords and
 * ListOffsets by time.  Each test works in its own temporary directory,
 * which teardown removes; teardown fails the test if the log left a file
 * descriptor open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_fixture.h"
#include "storage/log.h"

#define T0 1700000000000LL /* a wall-clock-like base for timestamps */

/* ---- fixture -------------------------------------------------------------- */

typedef struct fixture {
    char root[64];  /* the temporary log dir */
    char dir[96];   /* the partition directory inside it */
    int open_fds;   /* descriptors open before the test */
} fixture_t;

static int count_open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    if (!fx) {
        return -1;
    }
    snprintf(fx->root, sizeof(fx->root), "/tmp/test_log.XXXXXX");
    if (!mkdtemp(fx->root)) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "%s/orders-0", fx->root);
    fx->open_fds = count_open_fds();
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    int leaked = count_open_fds() - fx->open_fds;
    int rc = nftw(fx->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    if (leaked != 0) {
        fprintf(stderr, "%d file descriptor(s) leaked\n", leaked);
        return -1;
    }
    return rc;
}

static log_config_t cfg_default(void)
{
    log_config_t cfg = {
        .segment_bytes = 1 << 30,
        .segment_ms = 7LL * 24 * 3600 * 1000,
        .retention_ms = -1,
        .retention_bytes = -1,
        .index_interval_bytes = 4096,
        .flush_interval_messages = INT64_MAX,
    };
    return cfg;
}

/* Tiny segments and a dense index, so that a few dozen batches roll
 * several segments and every lookup goes through the index. */
static log_config_t cfg_small(void)
{
    log_config_t cfg = cfg_default();
    cfg.segment_bytes = 1000;
    cfg.index_interval_bytes = 150;
    return cfg;
}

typedef struct seen {
    int batches;
    int64_t first; /* base offset of the first batch seen */
    int64_t next;  /* offset the next batch must start at */
    bool in_order;
} seen_t;

static void on_batch(void *opaque, const batch_header_t *hdr)
{
    seen_t *seen = opaque;
    if (seen->batches == 0) {
        seen->first = hdr->base_offset;
    } else if (hdr->base_offset != seen->next) {
        seen->in_order = false;
    }
    seen->batches++;
    seen->next = hdr->base_offset + hdr->last_offset_delta + 1;
}

static log_t *open_log(const fixture_t *fx, const log_config_t *cfg, int64_t recovery_point,
                       int64_t log_start, seen_t *seen)
{
    char err[512] = "";
    if (seen) {
        *seen = (seen_t){0, -1, 0, true};
    }
    log_t *plog = log_open(fx->dir, cfg, recovery_point, log_start, seen ? on_batch : NULL, seen,
                           err, sizeof(err));
    if (!plog) {
        fail_msg("log_open: %s", err);
    }
    return plog;
}

/* Appends a batch of `count` records stamped ts0, ts0 + 1, ...; returns its
 * base offset and, if `copy` is given, the bytes as stored. */
static int64_t append(log_t *plog, int count, int64_t ts0, int64_t now_ms, buf_writer_t *copy)
{
    buf_writer_t w;
    buf_writer_init(&w, 256);
    size_t len = fixture_batch(&w, count, ts0, 1, -1, -1, -1);
    int64_t base = -1;
    assert_int_equal(log_append(plog, w.data, len, 3, now_ms, &base), KERR_NONE);
    if (copy) {
        buf_writer_init(copy, len);
        buf_write_raw(copy, w.data, len);
    }
    buf_writer_release(&w);
    return base;
}

/* Appends `n` batches of 1..5 records (varying sizes); returns the LEO. */
static int64_t append_many(log_t *plog, int n)
{
    int64_t leo = 0;
    for (int i = 0; i < n; i++) {
        int count = 1 + i % 5;
        leo = append(plog, count, T0 + leo, T0, NULL) + count;
    }
    return leo;
}

/* Walks batches returned by a read: checks each is whole and intact and
 * that offsets ascend.  Returns the count; *first_base and *last are the
 * first batch's base offset and the last batch's last offset. */
static int walk_batches(const uint8_t *data, size_t len, int64_t *first_base, int64_t *last)
{
    int n = 0;
    size_t off = 0;
    while (off < len) {
        batch_header_t hdr;
        assert_true(batch_is_intact(data + off, len - off, &hdr));
        if (n == 0) {
            *first_base = hdr.base_offset;
        } else {
            assert_true(hdr.base_offset == *last + 1);
        }
        assert_int_equal(hdr.leader_epoch, 3);
        *last = hdr.base_offset + hdr.last_offset_delta;
        off += batch_total_size(hdr.length);
        n++;
    }
    assert_true(off == len);
    return n;
}

static void seg_file(const fixture_t *fx, int64_t base, const char *ext, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%020lld%s", fx->dir, (long long)base, ext);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* The segment base offsets in the directory, ascending. */
static int list_bases(const fixture_t *fx, int64_t *bases, int max)
{
    int n = 0;
    DIR *d = opendir(fx->dir);
    assert_non_null(d);
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t len = strlen(ent->d_name);
        if (len > 4 && strcmp(ent->d_name + len - 4, ".log") == 0 && n < max) {
            bases[n++] = strtoll(ent->d_name, NULL, 10);
        }
    }
    closedir(d);
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
            int64_t t = bases[j];
            bases[j] = bases[j - 1];
            bases[j - 1] = t;
        }
    }
    return n;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n + 1);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* Every offset index entry must name a batch boundary whose batch ends at
 * the entry's offset (Kafka: the last offset of the batch at position). */
static int check_index_file(const fixture_t *fx, int64_t base)
{
    char path[160];
    size_t ilen, llen;
    seg_file(fx, base, ".index", path, sizeof(path));
    uint8_t *idx = slurp(path, &ilen);
    seg_file(fx, base, ".log", path, sizeof(path));
    uint8_t *log = slurp(path, &llen);
    assert_int_equal(ilen % 8, 0);
    for (size_t i = 0; i < ilen; i += 8) {
        int32_t rel = buf_get_i32(idx + i), pos = buf_get_i32(idx + i + 4);
        assert_true((size_t)pos + BATCH_HEADER_SIZE <= llen);
        batch_header_t hdr;
        batch_header_decode(log + pos, &hdr);
        assert_true(hdr.base_offset + hdr.last_offset_delta == base + rel);
    }
    seg_file(fx, base, ".timeindex", path, sizeof(path));
    assert_int_equal(file_size(path) % 12, 0);
    free(idx);
    free(log);
    return (int)(ilen / 8);
}

static kerr_t read_log(log_t *plog, int64_t offset, int64_t max_offset, size_t max_bytes,
                       bool min_one, buf_writer_t *out)
{
    size_t nbytes = 0;
    buf_writer_init(out, 0);
    kerr_t err = log_read(plog, offset, max_offset, max_bytes, min_one, out, &nbytes);
    assert_int_equal(nbytes, out->len);
    return err;
}

/* ---- appends and reads ---------------------------------------------------- */

static void test_round_trip_across_rolls(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    enum { N = 60 };
    buf_writer_t stored[N];
    int64_t bases[N + 1];
    for (int i = 0; i < N; i++) {
        int count = 1 + i % 5;
        bases[i] = append(plog, count, T0 + i * 10, T0, &stored[i]);
        assert_true(i == 0 || bases[i] == bases[i - 1] + (1 + (i - 1) % 5));
    }
    bases[N] = log_end_offset(plog);
    assert_true(log_segments_count(plog) >= 5);

    /* Every offset, including ones inside a batch, reads from its batch. */
    for (int i = 0; i < N; i++) {
        for (int64_t off = bases[i]; off < bases[i + 1]; off++) {
            buf_writer_t out;
            assert_int_equal(read_log(plog, off, bases[N], 1, true, &out), KERR_NONE);
            assert_int_equal(out.len, stored[i].len);
            assert_memory_equal(out.data, stored[i].data, out.len);
            buf_writer_release(&out);
        }
    }
    /* A consumer reading sequentially sees every batch exactly once. */
    int64_t offset = 0;
    int batches = 0;
    while (offset < bases[N]) {
        buf_writer_t out;
        int64_t first, last;
        assert_int_equal(read_log(plog, offset, bases[N], 1 << 20, false, &out), KERR_NONE);
        assert_true(out.len > 0);
        batches += walk_batches(out.data, out.len, &first, &last);
        assert_true(first == offset);
        offset = last + 1;
        buf_writer_release(&out);
    }
    assert_int_equal(batches, N);
    int64_t segs[64];
    int n = list_bases(fx, segs, 64);
    assert_int_equal(n, log_segments_count(plog));
    int entries = 0;
    for (int i = 0; i < n; i++) {
        entries += check_index_file(fx, segs[i]);
    }
    assert_true(entries > 0);
    for (int i = 0; i < N; i++) {
        buf_writer_release(&stored[i]);
    }
    log_close(plog);
}

static void test_read_limits(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    buf_writer_t b[3];
    append(plog, 3, T0, T0, &b[0]); /* offsets 0-2 */
    append(plog, 3, T0, T0, &b[1]); /* 3-5 */
    append(plog, 3, T0, T0, &b[2]); /* 6-8 */
    size_t one = b[0].len, two = b[0].len + b[1].len;
    struct {
        int64_t offset, max_offset;
        size_t max_bytes;
        bool min_one;
        int want_batches;
    } cases[] = {
        {0, 9, 1 << 20, false, 3},
        {0, 9, SIZE_MAX, false, 3},
        {0, 9, two, false, 2},     /* exactly two fit */
        {0, 9, two - 1, false, 1}, /* the second does not */
        {0, 9, one - 1, false, 0}, /* not even the first */
        {0, 9, one - 1, true, 1},  /* KIP-74: the first anyway */
        {0, 9, 0, true, 1},
        {4, 9, 10, true, 1},       /* middle of a batch, min_one */
        {0, 6, 1 << 20, false, 2}, /* HWM at a batch boundary */
        {0, 5, 1 << 20, false, 1}, /* HWM inside a batch: that batch waits */
        {0, 2, 1 << 20, true, 0},  /* not even min_one passes the HWM */
        {3, 3, 1 << 20, true, 0},  /* offset at the HWM */
        {9, 9, 1 << 20, true, 0},  /* offset at LEO */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_writer_t out;
        kerr_t err = read_log(plog, cases[i].offset, cases[i].max_offset, cases[i].max_bytes,
                              cases[i].min_one, &out);
        int64_t first = -1, last = -1;
        int got = walk_batches(out.data, out.len, &first, &last);
        if (err != KERR_NONE || got != cases[i].want_batches) {
            fail_msg("case %zu: %s, %d batches, want %d", i, kerr_name(err), got,
                     cases[i].want_batches);
        }
        if (got > 0) {
            assert_true(first <= cases[i].offset && cases[i].offset <= last);
            assert_true(last < cases[i].max_offset);
        }
        buf_writer_release(&out);
    }
    for (int i = 0; i < 3; i++) {
        buf_writer_release(&b[i]);
    }
    log_close(plog);
}

static void test_out_of_range(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t leo = append_many(plog, 30);
    assert_int_equal(log_delete_records_before(plog, 7), KERR_NONE);
    int64_t offsets[] = {-1, 0, 6, leo + 1, INT64_MAX};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        buf_writer_t out;
        assert_int_equal(read_log(plog, offsets[i], leo, 1 << 20, true, &out),
                         KERR_OFFSET_OUT_OF_RANGE);
        assert_int_equal(out.len, 0);
        buf_writer_release(&out);
    }
    buf_writer_t out;
    assert_int_equal(read_log(plog, leo, leo, 1 << 20, true, &out), KERR_NONE);
    assert_int_equal(out.len, 0);
    buf_writer_release(&out);
    assert_true(log_bytes_after(plog, leo) == 0);
    assert_true(log_bytes_after(plog, 7) > 0);
    assert_true(log_bytes_after(plog, 7) <= (size_t)log_size_bytes(plog));
    log_close(plog);
}

/* A failed write (here: the file size limit) leaves the log as it was. */
static void test_failed_write_leaves_log_unchanged(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append(plog, 5, T0, T0, NULL);
    char path[160];
    seg_file(fx, 0, ".log", path, sizeof(path));
    off_t size = file_size(path);
    int64_t leo = log_end_offset(plog);

    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)size + 20; /* room for a part of the batch only */
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    buf_writer_t w;
    buf_writer_init(&w, 256);
    size_t len = fixture_batch(&w, 5, T0, 1, -1, -1, -1);
    int64_t base = -1;
    kerr_t err = log_append(plog, w.data, len, 0, T0, &base);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);

    assert_int_equal(err, KERR_KAFKA_STORAGE_ERROR);
    assert_true(file_size(path) == size);
    assert_true(log_end_offset(plog) == leo);
    /* And the next append works normally. */
    assert_int_equal(log_append(plog, w.data, len, 0, T0, &base), KERR_NONE);
    assert_true(base == leo);
    buf_writer_release(&w);
    log_close(plog);
}

/* ---- recovery ------------------------------------------------------------- */

static void test_reopen_after_clean_close(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t leo = append_many(plog, 40);
    int segs = log_segments_count(plog);
    int64_t size = log_size_bytes(plog);
    assert_int_equal(log_flush(plog), KERR_NONE);
    assert_true(log_recovery_point(plog) == leo);
    log_close(plog);

    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    size_t idx_len[64];
    uint8_t *idx[64];
    for (int i = 0; i < n; i++) {
        char path[160];
        seg_file(fx, bases[i], ".index", path, sizeof(path));
        idx[i] = slurp(path, &idx_len[i]);
    }

    /* Clean: everything below the recovery point is trusted; only the newest
     * segment's headers are re-read, for idempotent producers' state. */
    seen_t seen;
    plog = open_log(fx, &cfg, leo, 0, &seen);
    assert_true(segs > 1 && seen.batches > 0 && seen.batches < 40);
    assert_true(seen.in_order && seen.next == leo);
    assert_true(log_end_offset(plog) == leo);
    assert_int_equal(log_segments_count(plog), segs);
    assert_true(log_size_bytes(plog) == size);
    log_close(plog);

    /* Unclean: everything is re-read, in order, and the rebuilt indexes
     * are the same bytes. */
    plog = open_log(fx, &cfg, 0, 0, &seen);
    assert_int_equal(seen.batches, 40);
    assert_true(seen.in_order && seen.next == leo);
    assert_true(log_end_offset(plog) == leo);
    for (int i = 0; i < n; i++) {
        char path[160];
        size_t len;
        seg_file(fx, bases[i], ".index", path, sizeof(path));
        uint8_t *again = slurp(path, &len);
        assert_int_equal(len, idx_len[i]);
        assert_memory_equal(again, idx[i], len);
        free(again);
        free(idx[i]);
    }
    /* Appends continue the offsets, after a clean start too, and the
     * index files stay valid. */
    assert_true(append(plog, 2, T0, T0, NULL) == leo);
    assert_int_equal(log_flush(plog), KERR_NONE);
    leo = log_end_offset(plog);
    log_close(plog);
    plog = open_log(fx, &cfg, leo, 0, &seen);
    assert_true(seen.batches > 0 && seen.next == leo); /* the newest segment only */
    append_many(plog, 20);
    n = list_bases(fx, bases, 64);
    for (int i = 0; i < n; i++) {
        check_index_file(fx, bases[i]);
    }
    log_close(plog);
}

/* The number of batches in a segment file. */
static int count_file_batches(const fixture_t *fx, int64_t base)
{
    char path[160];
    size_t len;
    seg_file(fx, base, ".log", path, sizeof(path));
    uint8_t *data = slurp(path, &len);
    int64_t first, last;
    int n = walk_batches(data, len, &first, &last);
    free(data);
    return n;
}

/* The recovery point inside the last segment: earlier segments are
 * trusted, the last is re-read from its start. */
static void test_recovery_reads_from_recovery_point(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t leo = append_many(plog, 40);
    log_close(plog);
    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    assert_true(n >= 3);

    seen_t seen;
    plog = open_log(fx, &cfg, bases[n - 1] + 1, 0, &seen);
    assert_int_equal(seen.batches, count_file_batches(fx, bases[n - 1]));
    assert_true(seen.first == bases[n - 1] && seen.in_order && seen.next == leo);
    assert_true(log_end_offset(plog) == leo);
    log_close(plog);

    /* At a segment boundary, the segment starting there is re-read. */
    plog = open_log(fx, &cfg, bases[n - 2], 0, &seen);
    assert_int_equal(seen.batches, count_file_batches(fx, bases[n - 2]) +
                                       count_file_batches(fx, bases[n - 1]));
    assert_true(seen.first == bases[n - 2]);
    log_close(plog);
}

typedef enum damage {
    CUT_MID_BATCH,   /* the tail of the last batch is missing */
    CUT_MID_HEADER,  /* only a part of the last header made it */
    FLIP_CRC_BYTE,   /* a record byte of the last batch changed */
    GARBAGE_TAIL,    /* zeros after the last batch (e.g. a preallocated tail) */
} damage_t;

static void damage_file(const char *path, damage_t how, size_t last_batch_size)
{
    off_t size = file_size(path);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t zeros[100] = {0}, byte;
    switch (how) {
    case CUT_MID_BATCH:
        assert_int_equal(ftruncate(fd, size - (off_t)last_batch_size / 2), 0);
        break;
    case CUT_MID_HEADER:
        assert_int_equal(ftruncate(fd, size - (off_t)last_batch_size + 20), 0);
        break;
    case FLIP_CRC_BYTE:
        assert_int_equal(pread(fd, &byte, 1, size - 3), 1);
        byte ^= 0x40;
        assert_int_equal(pwrite(fd, &byte, 1, size - 3), 1);
        break;
    case GARBAGE_TAIL:
        assert_int_equal(pwrite(fd, zeros, sizeof(zeros), size), (ssize_t)sizeof(zeros));
        break;
    }
    close(fd);
}

static void test_recovery_truncates_damaged_tail(void **state)
{
    fixture_t *fx = *state;
    static const struct {
        damage_t how;
        bool lose_last; /* whether the last batch is gone afterwards */
    } cases[] = {
        {CUT_MID_BATCH, true},
        {CUT_MID_HEADER, true},
        {FLIP_CRC_BYTE, true},
        {GARBAGE_TAIL, false},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        log_config_t cfg = cfg_default();
        cfg.index_interval_bytes = 100;
        log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
        int64_t leo = append_many(plog, 20);
        buf_writer_t last;
        int64_t last_base = append(plog, 4, T0, T0, &last);
        log_close(plog);
        char path[160];
        seg_file(fx, 0, ".log", path, sizeof(path));
        off_t good = file_size(path) - (off_t)last.len;
        damage_file(path, cases[c].how, last.len);

        seen_t seen;
        plog = open_log(fx, &cfg, 0, 0, &seen);
        int64_t want_leo = cases[c].lose_last ? last_base : last_base + 4;
        if (log_end_offset(plog) != want_leo) {
            fail_msg("case %zu: LEO %lld, want %lld", c, (long long)log_end_offset(plog),
                     (long long)want_leo);
        }
        assert_true(file_size(path) == (cases[c].lose_last ? good : good + (off_t)last.len));
        assert_int_equal(seen.batches, cases[c].lose_last ? 20 : 21);
        assert_true(leo == last_base);
        check_index_file(fx, 0);
        /* The log goes on from the cut. */
        assert_true(append(plog, 1, T0, T0, NULL) == want_leo);
        buf_writer_t out;
        assert_int_equal(read_log(plog, want_leo, want_leo + 1, 1 << 20, true, &out), KERR_NONE);
        assert_true(out.len > 0);
        buf_writer_release(&out);
        buf_writer_release(&last);
        log_destroy_files(plog);
    }
}

/* Damage in a middle segment ends the log there: later segments go. */
static void test_recovery_drops_segments_after_damage(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append_many(plog, 40);
    log_close(plog);
    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    assert_true(n >= 4);
    char path[160];
    seg_file(fx, bases[1], ".log", path, sizeof(path));
    damage_file(path, FLIP_CRC_BYTE, 0);

    seen_t seen;
    plog = open_log(fx, &cfg, bases[1], 0, &seen);
    assert_int_equal(log_segments_count(plog), 2);
    assert_int_equal(list_bases(fx, bases + 10, 10), 2);
    assert_true(log_end_offset(plog) < bases[2]);
    assert_true(seen.in_order && seen.next == log_end_offset(plog));
    for (int i = 2; i < n; i++) {
        seg_file(fx, bases[i], ".index", path, sizeof(path));
        assert_int_equal(access(path, F_OK), -1);
    }
    log_close(plog);
}

/* Bytes changed under a running broker are an error, never a crash. */
static void test_damage_while_open(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append(plog, 2, T0, T0, NULL);
    append(plog, 2, T0 + 10, T0, NULL);
    int64_t leo = append_many(plog, 3);
    /* Zero the length of the second batch, which starts where the first ends. */
    buf_writer_t out;
    assert_int_equal(read_log(plog, 0, leo, 1, true, &out), KERR_NONE);
    off_t second = (off_t)out.len;
    buf_writer_release(&out);
    char path[160];
    seg_file(fx, 0, ".log", path, sizeof(path));
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t zero_length[4] = {0};
    assert_int_equal(pwrite(fd, zero_length, 4, second + 8), 4);
    close(fd);

    assert_int_equal(read_log(plog, 2, leo, 1 << 20, true, &out), KERR_KAFKA_STORAGE_ERROR);
    assert_int_equal(out.len, 0);
    buf_writer_release(&out);
    /* The batch before the damage is still served. */
    assert_int_equal(read_log(plog, 0, leo, 1 << 20, true, &out), KERR_NONE);
    int64_t first, last;
    assert_int_equal(walk_batches(out.data, out.len, &first, &last), 1);
    assert_true(first == 0 && last == 1);
    buf_writer_release(&out);
    int64_t off, ts;
    assert_int_equal(log_offset_for_timestamp(plog, T0 + 10, &off, &ts), KERR_KAFKA_STORAGE_ERROR);
    log_close(plog);
}

static void touch(const fixture_t *fx, const char *name, const char *content)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static bool exists(const fixture_t *fx, const char *name)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
    return access(path, F_OK) == 0;
}

static void test_stray_files(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t leo = append_many(plog, 5);
    log_close(plog);
    static const struct {
        const char *name;
        bool kept;
    } files[] = {
        {"00000000000000000999.index", false},
        {"00000000000000000999.timeindex", false},
        {"00000000000000000500.log.deleted", false},
        {"00000000000000000500.index.deleted", false},
        {"00000000000000000000.log.cleaned", false},
        {"00000000000000000000.log.swap", false},
        {"leader-epoch-checkpoint", true},
        {"partition.metadata", true},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        touch(fx, files[i].name, "junk");
    }
    plog = open_log(fx, &cfg, leo, 0, NULL);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (exists(fx, files[i].name) != files[i].kept) {
            fail_msg("%s was %s", files[i].name, files[i].kept ? "removed" : "kept");
        }
    }
    assert_true(exists(fx, "00000000000000000000.index"));
    assert_true(log_end_offset(plog) == leo);
    log_close(plog);
}

/* Index files that do not fit the .log of a trusted segment are rebuilt. */
static void test_bad_index_files_are_rebuilt(void **state)
{
    fixture_t *fx = *state;
    static const char *const contents[] = {
        "1234567",                          /* not a whole entry */
        "\0\0\0\x09\0\0\0\x10",             /* offset 9 is not at position 16 */
        "\0\0\0\x02\0\0\0\0\0\0\0\x01\0\0\0\0", /* decreasing */
        "\0\0\0\x02\x7f\0\0\0",             /* past the end of the file */
    };
    static const size_t lens[] = {7, 8, 16, 8};
    for (size_t c = 0; c < sizeof(lens) / sizeof(lens[0]); c++) {
        log_config_t cfg = cfg_small();
        log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
        int64_t leo = append_many(plog, 30);
        log_close(plog);
        char path[160];
        seg_file(fx, 0, ".index", path, sizeof(path));
        FILE *f = fopen(path, "wb");
        fwrite(contents[c], 1, lens[c], f);
        fclose(f);

        seen_t seen;
        plog = open_log(fx, &cfg, leo, 0, &seen);
        assert_true(seen.batches > 0); /* the first segment was re-read */
        assert_true(log_end_offset(plog) == leo);
        assert_true(check_index_file(fx, 0) > 0);
        for (int64_t off = 0; off < leo; off++) {
            buf_writer_t out;
            int64_t first, last;
            assert_int_equal(read_log(plog, off, leo, 1, true, &out), KERR_NONE);
            assert_int_equal(walk_batches(out.data, out.len, &first, &last), 1);
            assert_true(first <= off && off <= last);
            buf_writer_release(&out);
        }
        log_destroy_files(plog);
    }
}

static void test_empty_dir_starts_at_log_start(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    log_t *plog = open_log(fx, &cfg, 0, 100, NULL);
    assert_true(log_start_offset(plog) == 100 && log_end_offset(plog) == 100);
    assert_true(exists(fx, "00000000000000000100.log"));
    assert_true(append(plog, 2, T0, T0, NULL) == 100);
    log_close(plog);

    /* A log start checkpointed beyond what survived empties the log there. */
    plog = open_log(fx, &cfg, 0, 500, NULL);
    assert_true(log_start_offset(plog) == 500 && log_end_offset(plog) == 500);
    assert_int_equal(log_segments_count(plog), 1);
    assert_false(exists(fx, "00000000000000000100.log"));
    log_close(plog);
}

/* ---- flushing and rolling ------------------------------------------------- */

static void test_flush_moves_recovery_point(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append_many(plog, 3);
    assert_true(log_recovery_point(plog) == 0);
    /* A rolled segment is flushed by the next upkeep. */
    append_many(plog, 20);
    assert_true(log_segments_count(plog) > 1);
    log_maybe_roll(plog, T0);
    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    assert_true(log_recovery_point(plog) == bases[n - 1]);
    assert_int_equal(log_flush(plog), KERR_NONE);
    assert_true(log_recovery_point(plog) == log_end_offset(plog));

    /* flush.messages = 3: every third record makes everything durable. */
    cfg.flush_interval_messages = 3;
    log_set_config(plog, &cfg);
    int64_t rp = log_recovery_point(plog);
    append(plog, 1, T0, T0, NULL);
    append(plog, 1, T0, T0, NULL);
    assert_true(log_recovery_point(plog) == rp);
    append(plog, 1, T0, T0, NULL);
    assert_true(log_recovery_point(plog) == log_end_offset(plog));
    log_close(plog);
}

static void test_segment_ms_roll(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    cfg.segment_ms = 1000;
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    log_maybe_roll(plog, T0 + 1000000); /* an empty segment never rolls */
    assert_int_equal(log_segments_count(plog), 1);
    append(plog, 1, T0, T0, NULL);          /* the segment's clock starts */
    append(plog, 1, T0, T0 + 1000, NULL);   /* not older than segment.ms yet */
    assert_int_equal(log_segments_count(plog), 1);
    int64_t base = append(plog, 1, T0, T0 + 1001, NULL);
    assert_int_equal(log_segments_count(plog), 2);
    assert_true(exists(fx, "00000000000000000002.log") && base == 2);
    log_maybe_roll(plog, T0 + 1500);
    assert_int_equal(log_segments_count(plog), 2);
    log_maybe_roll(plog, T0 + 2002);
    assert_int_equal(log_segments_count(plog), 3);
    assert_true(exists(fx, "00000000000000000003.log"));
    log_close(plog);
}

/* ---- retention and DeleteRecords ------------------------------------------ */

static void test_retention_by_time(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    cfg.retention_ms = 60000;
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    /* Batch i is stamped T0 + i seconds. */
    for (int i = 0; i < 40; i++) {
        append(plog, 2, T0 + i * 1000LL, T0, NULL);
    }
    int64_t leo = log_end_offset(plog);
    int segs = log_segments_count(plog);
    assert_true(segs >= 4);
    assert_int_equal(log_enforce_retention(plog, T0 + 40000), 0);

    /* At T0 + 80.5 s, batches up to 20 s are older than 60 s. */
    int deleted = log_enforce_retention(plog, T0 + 80500);
    assert_true(deleted > 0 && deleted < segs);
    int64_t start = log_start_offset(plog);
    assert_true(start > 0 && start <= 42);
    int64_t bases[64];
    assert_int_equal(list_bases(fx, bases, 64), segs - deleted);
    assert_true(bases[0] == start);
    buf_writer_t out;
    assert_int_equal(read_log(plog, start - 1, leo, 1 << 20, true, &out), KERR_OFFSET_OUT_OF_RANGE);
    buf_writer_release(&out);

    /* Everything expired: the active segment is rolled so it can go too. */
    deleted += log_enforce_retention(plog, T0 + 1000000);
    assert_int_equal(deleted, segs);
    assert_int_equal(log_segments_count(plog), 1);
    assert_true(log_start_offset(plog) == leo && log_end_offset(plog) == leo);
    assert_int_equal(list_bases(fx, bases, 64), 1);
    assert_true(bases[0] == leo);
    assert_int_equal(log_enforce_retention(plog, T0 + 2000000), 0);
    assert_true(append(plog, 1, T0, T0, NULL) == leo);
    log_close(plog);
}

static void test_retention_by_size(void **state)
{
    fixture_t *fx = *state;
    /* Kafka's rule: delete the oldest while the rest is still >= the limit. */
    static const int64_t limits[] = {0, 1, 500, 1000, 2500, 100000};
    for (size_t c = 0; c < sizeof(limits) / sizeof(limits[0]); c++) {
        log_config_t cfg = cfg_small();
        log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
        int64_t leo = append_many(plog, 40);
        int64_t sizes[64], total = log_size_bytes(plog);
        int64_t bases[64];
        int n = list_bases(fx, bases, 64);
        for (int i = 0; i < n; i++) {
            char path[160];
            seg_file(fx, bases[i], ".log", path, sizeof(path));
            sizes[i] = file_size(path);
        }
        int want = 0;
        for (int64_t excess = total - limits[c]; want < n && excess >= sizes[want]; want++) {
            excess -= sizes[want];
        }
        cfg.retention_bytes = limits[c];
        log_set_config(plog, &cfg);
        int deleted = log_enforce_retention(plog, T0);
        if (deleted != want) {
            fail_msg("retention.bytes %lld: deleted %d, want %d", (long long)limits[c], deleted, want);
        }
        int64_t left = total;
        for (int i = 0; i < want; i++) {
            left -= sizes[i];
        }
        assert_true(log_size_bytes(plog) == left);
        assert_true(log_end_offset(plog) == leo);
        assert_true(log_segments_count(plog) == (want == n ? 1 : n - want));
        log_destroy_files(plog);
    }
}

static void test_delete_records(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t leo = append_many(plog, 40);
    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    assert_true(n >= 4);

    assert_int_equal(log_delete_records_before(plog, leo + 1), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(log_delete_records_before(plog, -1), KERR_OFFSET_OUT_OF_RANGE);
    /* One past the start of the third segment: two segments go. */
    int64_t cut = bases[2] + 1;
    assert_int_equal(log_delete_records_before(plog, cut), KERR_NONE);
    assert_true(log_start_offset(plog) == cut);
    assert_int_equal(log_segments_count(plog), n - 2);
    assert_false(exists(fx, "00000000000000000000.log"));
    /* Moving it back is a no-op. */
    assert_int_equal(log_delete_records_before(plog, 1), KERR_NONE);
    assert_true(log_start_offset(plog) == cut);

    buf_writer_t out;
    assert_int_equal(read_log(plog, cut - 1, leo, 1 << 20, true, &out), KERR_OFFSET_OUT_OF_RANGE);
    buf_writer_release(&out);
    int64_t first, last;
    assert_int_equal(read_log(plog, cut, leo, 1 << 20, true, &out), KERR_NONE);
    walk_batches(out.data, out.len, &first, &last);
    assert_true(first <= cut && cut <= last);
    buf_writer_release(&out);

    /* Up to LEO: the active segment stays, even though all of it is gone. */
    assert_int_equal(log_delete_records_before(plog, leo), KERR_NONE);
    assert_int_equal(log_segments_count(plog), 1);
    assert_true(log_start_offset(plog) == leo);
    log_close(plog);

    /* The start survives a restart through the checkpointed value. */
    plog = open_log(fx, &cfg, leo, leo, NULL);
    assert_true(log_start_offset(plog) == leo && log_end_offset(plog) == leo);
    log_close(plog);
}

/* ---- ListOffsets by timestamp --------------------------------------------- */

/* MAX_TIMESTAMP (-3, KIP-734): the first record with the largest timestamp,
 * wherever it is, not the last record. */
static void test_offset_for_max_timestamp(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    int64_t off, ts;
    assert_int_equal(log_offset_for_max_timestamp(plog, &off, &ts), KERR_NONE);
    assert_true(off == -1 && ts == -1); /* empty log */
    /* Batch i holds 3 records at T0 + 100 ((7 i) mod 40) + {0, 1, 2}: the
     * largest, T0 + 3902, is the last record of batch 17 (offset 53). */
    for (int i = 0; i < 40; i++) {
        append(plog, 3, T0 + 100 * ((7 * i) % 40), T0, NULL);
    }
    /* A later record with the same timestamp does not win. */
    append(plog, 1, T0 + 3902, T0, NULL);
    assert_true(log_segments_count(plog) >= 4);
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(log_offset_for_max_timestamp(plog, &off, &ts), KERR_NONE);
        if (off != 53 || ts != T0 + 3902) {
            fail_msg("pass %d: got %lld@%lld, want 53@%lld", pass, (long long)off, (long long)ts,
                     (long long)(T0 + 3902));
        }
        /* The same answer from indexes loaded from disk. */
        int64_t leo = log_end_offset(plog);
        log_close(plog);
        plog = open_log(fx, &cfg, leo, 0, NULL);
    }
    log_close(plog);
}

static void test_offset_for_timestamp(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    /* Batch i holds 3 records at T0 + 100 i + {0, 1, 2}: offsets 3i..3i+2. */
    for (int i = 0; i < 40; i++) {
        append(plog, 3, T0 + 100 * i, T0, NULL);
    }
    assert_true(log_segments_count(plog) >= 4);
    static const struct {
        int64_t ts;
        int64_t offset, timestamp;
    } cases[] = {
        {0, 0, T0},
        {T0, 0, T0},
        {T0 + 1, 1, T0 + 1},
        {T0 + 3, 3, T0 + 100},      /* between batches */
        {T0 + 1502, 47, T0 + 1502}, /* deep in a later segment */
        {T0 + 3902, 119, T0 + 3902}, /* the very last record */
        {T0 + 3903, -1, -1},         /* past the last */
    };
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            int64_t off, ts;
            assert_int_equal(log_offset_for_timestamp(plog, cases[c].ts, &off, &ts), KERR_NONE);
            if (off != cases[c].offset || ts != cases[c].timestamp) {
                fail_msg("pass %d ts %lld: got %lld@%lld, want %lld@%lld", pass,
                         (long long)cases[c].ts, (long long)off, (long long)ts,
                         (long long)cases[c].offset, (long long)cases[c].timestamp);
            }
        }
        /* The same answers from indexes loaded from disk. */
        int64_t leo = log_end_offset(plog);
        log_close(plog);
        plog = open_log(fx, &cfg, leo, 0, NULL);
    }
    /* Below the log start, the search starts at the log start. */
    assert_int_equal(log_delete_records_before(plog, 4), KERR_NONE);
    int64_t off, ts;
    assert_int_equal(log_offset_for_timestamp(plog, T0, &off, &ts), KERR_NONE);
    assert_true(off == 4 && ts == T0 + 101);
    log_close(plog);
}

static void test_destroy_files(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append_many(plog, 20);
    log_destroy_files(plog);
    assert_int_equal(access(fx->dir, F_OK), -1);
    log_destroy_files(NULL);
    log_close(NULL);
}

/* Topic creation builds a log under a staging name and moves it into place
 * while it is open: appends, rolls and index writes after the move must all
 * land in the new directory, and a reopen there must find everything. */
static void test_move_while_open(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    char staged[192], err[512] = "";
    snprintf(staged, sizeof(staged), "%s/staged-0", fx->root);
    log_t *plog = log_open(staged, &cfg, 0, 0, NULL, NULL, err, sizeof(err));
    assert_non_null(plog);
    append_many(plog, 20);
    assert_true(log_move(plog, fx->dir, err, sizeof(err)));
    assert_int_equal(access(staged, F_OK), -1);
    append_many(plog, 20);
    int64_t leo = log_end_offset(plog);
    int segs = log_segments_count(plog);
    assert_int_equal(log_flush(plog), KERR_NONE);
    log_close(plog);
    assert_int_equal(access(staged, F_OK), -1);

    int64_t bases[64];
    int n = list_bases(fx, bases, 64);
    assert_int_equal(n, segs);
    int entries = 0;
    for (int i = 0; i < n; i++) {
        entries += check_index_file(fx, bases[i]);
    }
    assert_true(entries > 0);
    plog = open_log(fx, &cfg, leo, 0, NULL);
    assert_true(log_end_offset(plog) == leo);
    assert_int_equal(log_segments_count(plog), segs);

    /* A failed move changes nothing: the log still works where it was. */
    snprintf(staged, sizeof(staged), "%s/missing/orders-0", fx->root);
    assert_false(log_move(plog, staged, err, sizeof(err)));
    assert_non_null(strstr(err, staged));
    append(plog, 1, T0, T0, NULL);
    assert_true(log_end_offset(plog) == leo + 1);
    log_close(plog);
}

static void test_open_errors_name_the_path(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_default();
    char dir[192], err[512] = "";
    snprintf(dir, sizeof(dir), "%s/missing/orders-0", fx->root);
    assert_null(log_open(dir, &cfg, 0, 0, NULL, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, dir));
}

/* Appends one batch of `count` records at leader epoch `epoch`. */
static int64_t append_epoch(log_t *plog, int count, int32_t epoch)
{
    buf_writer_t w;
    buf_writer_init(&w, 256);
    size_t len = fixture_batch(&w, count, T0, 1, -1, -1, -1);
    int64_t base = -1;
    assert_int_equal(log_append(plog, w.data, len, epoch, T0, &base), KERR_NONE);
    buf_writer_release(&w);
    return base;
}

/* Leader epochs are kept where each starts (leader-epoch-checkpoint), and
 * answer where an epoch ended; truncation cuts whole batches, deletes the
 * segments past the cut, and forgets the epochs from there on, also after
 * a reopen. */
static void test_truncate_and_epochs(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    for (int i = 0; i < 10; i++) {
        append_epoch(plog, 3, 0); /* offsets 0..29 */
    }
    for (int i = 0; i < 10; i++) {
        append_epoch(plog, 3, 2); /* offsets 30..59 */
    }
    assert_true(log_segments_count(plog) >= 2);
    assert_int_equal(log_latest_epoch(plog), 2);
    int32_t found;
    assert_true(log_end_offset_for_epoch(plog, 0, &found) == 30);
    assert_int_equal(found, 0);
    assert_true(log_end_offset_for_epoch(plog, 1, &found) == 30); /* epoch 1 never led: 0's end */
    assert_int_equal(found, 0);
    assert_true(log_end_offset_for_epoch(plog, 2, &found) == 60);
    assert_int_equal(found, 2);
    assert_true(log_end_offset_for_epoch(plog, 5, &found) == -1);
    assert_int_equal(found, -1);

    /* Offset 31 is inside the batch 30..32: the whole batch goes. */
    assert_int_equal(log_truncate(plog, 31), KERR_NONE);
    assert_true(log_end_offset(plog) == 30);
    assert_int_equal(log_latest_epoch(plog), 0);
    buf_writer_t out;
    assert_int_equal(read_log(plog, 27, 30, 1 << 20, true, &out), KERR_NONE);
    batch_header_t hdr;
    assert_true(batch_is_intact(out.data, out.len, &hdr));
    assert_true(hdr.base_offset == 27 && batch_total_size(hdr.length) == out.len);
    assert_int_equal(hdr.leader_epoch, 0);
    buf_writer_release(&out);
    /* Appends go on from the cut. */
    assert_true(append_epoch(plog, 2, 4) == 30);
    log_close(plog);

    plog = open_log(fx, &cfg, 0, 0, NULL);
    assert_true(log_end_offset(plog) == 32);
    assert_int_equal(log_latest_epoch(plog), 4);
    assert_true(log_end_offset_for_epoch(plog, 0, &found) == 30);
    int64_t segs[64];
    assert_int_equal(list_bases(fx, segs, 64), log_segments_count(plog));
    /* Down to the log start: the log restarts empty there. */
    assert_int_equal(log_truncate(plog, 0), KERR_NONE);
    assert_true(log_end_offset(plog) == 0);
    assert_int_equal(log_latest_epoch(plog), -1);
    assert_int_equal(log_segments_count(plog), 1);
    log_close(plog);
}

/* A new leader's epoch starts at its log end before it appends anything:
 * asked about an older epoch, it answers where that one ended. */
static void test_assign_epoch(void **state)
{
    fixture_t *fx = *state;
    log_config_t cfg = cfg_small();
    log_t *plog = open_log(fx, &cfg, 0, 0, NULL);
    append_epoch(plog, 3, 3); /* offsets 0..2 */
    int32_t found;
    assert_true(log_end_offset_for_epoch(plog, 5, &found) == -1);
    log_assign_epoch(plog, 7);
    assert_int_equal(log_latest_epoch(plog), 7);
    assert_true(log_end_offset_for_epoch(plog, 5, &found) == 3);
    assert_int_equal(found, 3);
    assert_true(log_end_offset_for_epoch(plog, 7, &found) == 3);
    assert_int_equal(found, 7);
    /* Not above the latest: nothing changes. */
    log_assign_epoch(plog, 6);
    assert_int_equal(log_latest_epoch(plog), 7);
    assert_true(append_epoch(plog, 2, 7) == 3);
    assert_true(log_end_offset_for_epoch(plog, 3, &found) == 3);
    log_close(plog);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip_across_rolls),
        T(test_read_limits),
        T(test_out_of_range),
        T(test_failed_write_leaves_log_unchanged),
        T(test_reopen_after_clean_close),
        T(test_recovery_reads_from_recovery_point),
        T(test_recovery_truncates_damaged_tail),
        T(test_recovery_drops_segments_after_damage),
        T(test_damage_while_open),
        T(test_stray_files),
        T(test_bad_index_files_are_rebuilt),
        T(test_empty_dir_starts_at_log_start),
        T(test_flush_moves_recovery_point),
        T(test_segment_ms_roll),
        T(test_retention_by_time),
        T(test_retention_by_size),
        T(test_delete_records),
        T(test_offset_for_timestamp),
        T(test_offset_for_max_timestamp),
        T(test_destroy_files),
        T(test_move_while_open),
        T(test_open_errors_name_the_path),
        T(test_truncate_and_epochs),
        T(test_assign_epoch),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
