/*
 * Unit tests for log.c and checkpoint.c: appends and reads across segment
 * rolls, read limits, recovery of torn and corrupt tails, retention,
 * DeleteRecords, timestamps, and the checkpoint file format.  Every test
 * works in its own temporary directory and removes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_fixture.h"
#include "checkpoint.h"
#include "log.h"

static const plog_config_t default_cfg = {
    .segment_bytes = 1 << 30,
    .segment_ms = INT64_MAX / 2,
    .retention_ms = -1,
    .retention_bytes = -1,
    .index_interval_bytes = 100,
    .flush_interval_messages = INT64_MAX,
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    char *dir = strdup("/tmp/connectd-test-log-XXXXXX");
    assert_non_null(mkdtemp(dir));
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

static plog_t *open_log(const char *dir, const plog_config_t *cfg, int64_t recovery_point)
{
    char err[512] = "";
    plog_t *plog = plog_open(dir, cfg, recovery_point, 0, NULL, NULL, err, sizeof(err));
    if (!plog) {
        fail_msg("plog_open: %s", err);
    }
    return plog;
}

/* Appends `n` batches of `per` records with timestamps 1000 + 10 * offset. */
static void append_batches(plog_t *plog, int n, int per)
{
    for (int i = 0; i < n; i++) {
        kbuf_writer_t w;
        kbuf_writer_init(&w, 0);
        int64_t next = plog_end_offset(plog);
        size_t len = fixture_batch(&w, per, 1000 + 10 * next, 10, -1, -1, -1);
        int64_t base = -1;
        assert_int_equal(plog_append(plog, w.data, len, 0, 0, &base), KERR_NONE);
        assert_true(base == next);
        kbuf_writer_release(&w);
    }
}

/* Reads everything from `offset` and returns the offsets of the batches. */
static int read_all(plog_t *plog, int64_t offset, int64_t *bases, int max)
{
    int n = 0;
    while (offset < plog_end_offset(plog) && n < max) {
        kbuf_writer_t out;
        kbuf_writer_init(&out, 0);
        size_t got = 0;
        assert_int_equal(plog_read(plog, offset, plog_end_offset(plog), 1 << 20, true, &out, &got), KERR_NONE);
        assert_true(got > 0);
        size_t at = 0;
        while (at < got) {
            batch_header_t hdr;
            assert_true(batch_is_intact(out.data + at, got - at, &hdr));
            bases[n++] = hdr.base_offset;
            offset = hdr.base_offset + hdr.last_offset_delta + 1;
            at += batch_total_size(hdr.length);
        }
        kbuf_writer_release(&out);
    }
    return n;
}

static void test_append_read_across_rolls(void **state)
{
    plog_config_t cfg = default_cfg;
    cfg.segment_bytes = 600; /* a few batches per segment */
    plog_t *plog = open_log(*state, &cfg, 0);
    append_batches(plog, 30, 3);
    assert_true(plog_end_offset(plog) == 90);
    assert_true(plog_segment_count(plog) > 3);
    int64_t bases[64];
    int n = read_all(plog, 0, bases, 64);
    assert_int_equal(n, 30);
    for (int i = 0; i < n; i++) {
        assert_true(bases[i] == i * 3);
    }
    /* From the middle of a batch: that whole batch comes back first. */
    n = read_all(plog, 44, bases, 64);
    assert_true(bases[0] == 42);
    plog_close(plog);
}

static void test_read_limits(void **state)
{
    plog_t *plog = open_log(*state, &default_cfg, 0);
    append_batches(plog, 5, 10);
    kbuf_writer_t out;
    kbuf_writer_init(&out, 0);
    size_t got;
    /* Too small for one batch: nothing without min_one, one batch with it. */
    assert_int_equal(plog_read(plog, 0, 50, 10, false, &out, &got), KERR_NONE);
    assert_int_equal(got, 0);
    assert_int_equal(plog_read(plog, 0, 50, 10, true, &out, &got), KERR_NONE);
    batch_header_t hdr;
    assert_true(got > 10 && batch_is_intact(out.data, got, &hdr) && batch_total_size(hdr.length) == got);
    /* Never past max_offset (the high watermark). */
    out.len = 0;
    assert_int_equal(plog_read(plog, 0, 20, 1 << 20, true, &out, &got), KERR_NONE);
    assert_true(got > 0);
    size_t at = 0;
    while (at < got) {
        batch_header_decode(out.data + at, &hdr);
        assert_true(hdr.base_offset + hdr.last_offset_delta < 20);
        at += batch_total_size(hdr.length);
    }
    /* Out of range on both sides; LEO reads nothing. */
    assert_int_equal(plog_read(plog, 51, 50, 100, true, &out, &got), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(plog_read(plog, 50, 50, 100, true, &out, &got), KERR_NONE);
    assert_int_equal(got, 0);
    assert_int_equal(plog_delete_records_before(plog, 20), KERR_NONE);
    assert_int_equal(plog_read(plog, 19, 50, 100, true, &out, &got), KERR_OFFSET_OUT_OF_RANGE);
    assert_true(plog_start_offset(plog) == 20);
    kbuf_writer_release(&out);
    plog_close(plog);
}

static void test_reopen_after_clean_close(void **state)
{
    plog_config_t cfg = default_cfg;
    cfg.segment_bytes = 500;
    plog_t *plog = open_log(*state, &cfg, 0);
    append_batches(plog, 20, 2);
    assert_int_equal(plog_flush(plog), KERR_NONE);
    int64_t leo = plog_end_offset(plog), rp = plog_recovery_point(plog);
    int segs = plog_segment_count(plog);
    assert_true(rp == leo);
    plog_close(plog);
    plog = open_log(*state, &cfg, rp);
    assert_true(plog_end_offset(plog) == leo);
    assert_int_equal(plog_segment_count(plog), segs);
    int64_t bases[64];
    assert_int_equal(read_all(plog, 0, bases, 64), 20);
    append_batches(plog, 1, 1);
    assert_true(plog_end_offset(plog) == leo + 1);
    plog_close(plog);
}

/* Path of the newest .log file in dir. */
static void last_segment(const char *dir, char *path, size_t size)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "ls %s/*.log | sort | tail -n 1", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(fgets(path, (int)size, p));
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
}

static void test_recovery_truncates_torn_tail(void **state)
{
    plog_t *plog = open_log(*state, &default_cfg, 0);
    append_batches(plog, 10, 4);
    plog_close(plog);
    char path[512];
    last_segment(*state, path, sizeof(path));
    struct stat st;
    stat(path, &st);
    assert_int_equal(truncate(path, st.st_size - 7), 0); /* cut mid-batch */
    plog = open_log(*state, &default_cfg, 0);
    assert_true(plog_end_offset(plog) == 36);
    int64_t bases[16];
    assert_int_equal(read_all(plog, 0, bases, 16), 9);
    append_batches(plog, 1, 2); /* the log serves new writes after the cut */
    assert_true(plog_end_offset(plog) == 38);
    assert_int_equal(read_all(plog, 0, bases, 16), 10);
    plog_close(plog);
}

static void test_recovery_truncates_corrupt_batch(void **state)
{
    plog_t *plog = open_log(*state, &default_cfg, 0);
    append_batches(plog, 6, 2);
    plog_close(plog);
    char path[512];
    last_segment(*state, path, sizeof(path));
    struct stat st;
    stat(path, &st);
    /* Flip a byte inside the fourth batch's records: its CRC no longer matches. */
    int fd = open(path, O_RDWR);
    off_t fourth = (off_t)(st.st_size / 6) * 3 + 70;
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, fourth), 1);
    b ^= 0xff;
    assert_int_equal(pwrite(fd, &b, 1, fourth), 1);
    close(fd);
    plog = open_log(*state, &default_cfg, 0);
    assert_true(plog_end_offset(plog) == 6);
    plog_close(plog);
    /* Past the recovery point the damage would be found; before it the
     * segment is trusted, which is what a recovery point means. */
}

static void test_stray_files_removed(void **state)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/00000000000000000077.log.deleted", (char *)*state);
    FILE *f = fopen(path, "w");
    fclose(f);
    plog_t *plog = open_log(*state, &default_cfg, 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_true(plog_end_offset(plog) == 0);
    plog_close(plog);
}

static void test_retention_by_size_and_time(void **state)
{
    plog_config_t cfg = default_cfg;
    cfg.segment_bytes = 400;
    cfg.retention_bytes = 1000;
    plog_t *plog = open_log(*state, &cfg, 0);
    append_batches(plog, 20, 2);
    int before = plog_segment_count(plog);
    int deleted = plog_enforce_retention(plog, 0);
    assert_true(deleted > 0);
    assert_int_equal(plog_segment_count(plog), before - deleted);
    assert_true(plog_size_bytes(plog) >= 1000 && plog_start_offset(plog) > 0);
    /* By time: all batches carry timestamps around 1000..1400 ms. */
    cfg.retention_bytes = -1;
    cfg.retention_ms = 1000;
    plog_set_config(plog, &cfg);
    plog_enforce_retention(plog, 100000);
    assert_int_equal(plog_segment_count(plog), 1); /* the active one was rolled and deleted */
    assert_true(plog_start_offset(plog) == plog_end_offset(plog));
    assert_true(plog_size_bytes(plog) == 0);
    append_batches(plog, 1, 1);
    assert_true(plog_end_offset(plog) == 41);
    plog_close(plog);
}

static void test_segment_ms_roll(void **state)
{
    plog_config_t cfg = default_cfg;
    cfg.segment_ms = 1000;
    plog_t *plog = open_log(*state, &cfg, 0);
    append_batches(plog, 1, 1);
    plog_maybe_roll(plog, INT64_MAX / 4);
    assert_int_equal(plog_segment_count(plog), 2);
    plog_maybe_roll(plog, INT64_MAX / 4); /* an empty segment is not rolled */
    assert_int_equal(plog_segment_count(plog), 2);
    plog_close(plog);
}

static void test_offset_for_timestamp(void **state)
{
    plog_config_t cfg = default_cfg;
    cfg.segment_bytes = 500;
    plog_t *plog = open_log(*state, &cfg, 0);
    append_batches(plog, 20, 3); /* record at offset o has timestamp 1000 + 10 * o */
    int64_t off, ts;
    assert_int_equal(plog_offset_for_timestamp(plog, 1000 + 10 * 31, &off, &ts), KERR_NONE);
    assert_true(off == 31 && ts == 1310);
    assert_int_equal(plog_offset_for_timestamp(plog, 1000 + 10 * 31 - 5, &off, &ts), KERR_NONE);
    assert_true(off == 31);
    assert_int_equal(plog_offset_for_timestamp(plog, 0, &off, &ts), KERR_NONE);
    assert_true(off == 0 && ts == 1000);
    assert_int_equal(plog_offset_for_timestamp(plog, 999999, &off, &ts), KERR_NONE);
    assert_true(off == -1 && ts == -1);
    plog_close(plog);
}

static void test_checkpoint_round_trip(void **state)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/recovery-point-offset-checkpoint", (char *)*state);
    checkpoint_t ckpt = {0};
    char err[512];
    assert_int_equal(checkpoint_read(path, &ckpt, err, sizeof(err)), 0); /* missing = empty */
    assert_int_equal(ckpt.count, 0);
    checkpoint_add(&ckpt, "orders", 0, 1500);
    checkpoint_add(&ckpt, "orders", 1, 1432);
    assert_int_equal(checkpoint_write(path, &ckpt, err, sizeof(err)), 0);
    checkpoint_free(&ckpt);
    FILE *f = fopen(path, "r");
    char text[128] = "";
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_string_equal(text, "0\n2\norders 0 1500\norders 1 1432\n");
    assert_int_equal(checkpoint_read(path, &ckpt, err, sizeof(err)), 0);
    assert_true(checkpoint_get(&ckpt, "orders", 1, -1) == 1432);
    assert_true(checkpoint_get(&ckpt, "orders", 2, -1) == -1);
    checkpoint_free(&ckpt);
    f = fopen(path, "w");
    fputs("0\n1\norders zero 12\n", f);
    fclose(f);
    assert_int_equal(checkpoint_read(path, &ckpt, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line 3"));
    checkpoint_free(&ckpt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_read_across_rolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_after_clean_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_truncates_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_truncates_corrupt_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stray_files_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_by_size_and_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_ms_roll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_for_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
