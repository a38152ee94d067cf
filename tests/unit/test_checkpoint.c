/* Unit tests for checkpoint.c: round trip, atomic replacement, and the
 * files it must refuse, each with the line its message names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/checkpoint.h"

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    if (!fx) {
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_checkpoint.XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/recovery-point-offset-checkpoint", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
    unlink(fx->path);
    unlink(tmp);
    int rc = rmdir(fx->dir); /* fails if a test left anything else behind */
    free(fx);
    return rc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_round_trip(void **state)
{
    fixture_t *fx = *state;
    checkpoint_t out = {0};
    checkpoint_add(&out, "orders", 0, 1500);
    checkpoint_add(&out, "orders", 1, 1432);
    checkpoint_add(&out, "__consumer_offsets", 49, 0);
    checkpoint_add(&out, "big", 7, INT64_MAX);
    char err[512] = "";
    assert_int_equal(checkpoint_write(fx->path, &out, err, sizeof(err)), 0);
    assert_string_equal(read_text(fx->path),
                        "0\n4\norders 0 1500\norders 1 1432\n__consumer_offsets 49 0\n"
                        "big 7 9223372036854775807\n");

    checkpoint_t in = {0};
    assert_int_equal(checkpoint_read(fx->path, &in, err, sizeof(err)), 0);
    assert_int_equal(in.count, out.count);
    for (size_t i = 0; i < in.count; i++) {
        assert_string_equal(in.entries[i].topic, out.entries[i].topic);
        assert_int_equal(in.entries[i].partition, out.entries[i].partition);
        assert_true(in.entries[i].offset == out.entries[i].offset);
    }
    assert_true(checkpoint_get(&in, "orders", 1, -1) == 1432);
    assert_true(checkpoint_get(&in, "orders", 2, -1) == -1);
    assert_true(checkpoint_get(&in, "order", 0, -7) == -7);
    checkpoint_free(&in);
    checkpoint_free(&out);
    checkpoint_free(&out); /* idempotent on an emptied checkpoint */
}

static void test_rewrite_replaces_and_leaves_no_temp(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    checkpoint_t ckpt = {0};
    checkpoint_add(&ckpt, "a", 0, 1);
    assert_int_equal(checkpoint_write(fx->path, &ckpt, err, sizeof(err)), 0);
    checkpoint_free(&ckpt);
    assert_int_equal(checkpoint_write(fx->path, &ckpt, err, sizeof(err)), 0);
    assert_string_equal(read_text(fx->path), "0\n0\n");
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
    assert_int_equal(access(tmp, F_OK), -1);
}

static void test_missing_and_empty_files_are_empty(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    checkpoint_t ckpt = {0};
    assert_int_equal(checkpoint_read(fx->path, &ckpt, err, sizeof(err)), 0);
    assert_int_equal(ckpt.count, 0);
    write_text(fx->path, "");
    assert_int_equal(checkpoint_read(fx->path, &ckpt, err, sizeof(err)), 0);
    assert_int_equal(ckpt.count, 0);
    /* Kafka writes single spaces; other whitespace and CRLF are tolerated. */
    write_text(fx->path, "0\r\n1\r\nt\t3   42\r\n");
    assert_int_equal(checkpoint_read(fx->path, &ckpt, err, sizeof(err)), 0);
    assert_int_equal(ckpt.count, 1);
    assert_true(checkpoint_get(&ckpt, "t", 3, -1) == 42);
    checkpoint_free(&ckpt);
}

static void test_malformed_files(void **state)
{
    fixture_t *fx = *state;
    static const struct {
        const char *text;
        const char *want; /* in the message */
    } cases[] = {
        {"1\n0\n", "line 1"},
        {"zero\n0\n", "line 1"},
        {"0\nmany\n", "line 2"},
        {"0\n-1\n", "line 2"},
        {"0\n1\norders 0\n", "line 3"},
        {"0\n1\norders 0 12 extra\n", "line 3"},
        {"0\n1\norders x 12\n", "line 3"},
        {"0\n1\norders -1 12\n", "line 3"},
        {"0\n1\norders 2147483648 12\n", "line 3"},
        {"0\n1\norders 0 99999999999999999999\n", "line 3"},
        {"0\n2\norders 0 1\nbad\n", "line 4"},
        {"0\n2\norders 0 1\n", "says 2 entries but has 1"},
        {"0\n0\norders 0 1\n", "says 0 entries but has 1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_text(fx->path, cases[i].text);
        checkpoint_t ckpt = {0};
        char err[512] = "";
        if (checkpoint_read(fx->path, &ckpt, err, sizeof(err)) != -1) {
            fail_msg("case %zu (%s) was accepted", i, cases[i].text);
        }
        if (!strstr(err, fx->path) || !strstr(err, cases[i].want)) {
            fail_msg("case %zu: message '%s' lacks the path or '%s'", i, err, cases[i].want);
        }
        assert_int_equal(ckpt.count, 0); /* nothing half-read is left behind */
        assert_null(ckpt.entries);
    }
}

static void test_write_failure_names_path(void **state)
{
    fixture_t *fx = *state;
    char path[192], err[512] = "";
    snprintf(path, sizeof(path), "%s/no-such-dir/checkpoint", fx->dir);
    checkpoint_t ckpt = {0};
    assert_int_equal(checkpoint_write(path, &ckpt, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no-such-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_replaces_and_leaves_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_empty_files_are_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_names_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
