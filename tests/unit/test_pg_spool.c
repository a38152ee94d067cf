/*
 * test_pg_spool.c - connectors/postgres/pg_spool.c: a streamed
 * transaction's messages kept in memory, spilled to a temporary file past
 * the memory limit, cut back (a subtransaction rolled back) and read back
 * in order, in memory and on disk alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_spool.h"

/* Entry i: LSN 1000 + i, bytes "I" then "row-<i>" (two parts, as a
 * message kept without its xid). */
static void append(pg_spool_t *sp, int i)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "row-%d", i);
    char err[256];
    assert_int_equal(pg_spool_append(sp, 1000 + (uint64_t)i, "I", 1, text, (size_t)n, err, sizeof(err)), 0);
}

/* Reads the spool from its start: entries first..last, in order. */
static void expect(pg_spool_t *sp, int first, int last)
{
    char err[256];
    pg_spool_rewind(sp);
    for (int i = first; i <= last; i++) {
        uint64_t lsn;
        const uint8_t *data;
        size_t len;
        assert_int_equal(pg_spool_next(sp, &lsn, &data, &len, err, sizeof(err)), 1);
        char text[32];
        int n = snprintf(text, sizeof(text), "Irow-%d", i);
        assert_int_equal(lsn, 1000 + (uint64_t)i);
        assert_int_equal(len, (size_t)n);
        assert_memory_equal(data, text, len);
    }
    uint64_t lsn;
    const uint8_t *data;
    size_t len;
    assert_int_equal(pg_spool_next(sp, &lsn, &data, &len, err, sizeof(err)), 0);
}

static void test_memory(void **state)
{
    (void)state;
    pg_spool_t *sp = pg_spool_create(1 << 20);
    char err[256];
    expect(sp, 0, -1);
    for (int i = 0; i < 10; i++) {
        append(sp, i);
    }
    /* Entries: 12 header bytes, "I", "row-<i>". */
    assert_int_equal(pg_spool_length(sp), 10 * (12 + 6));
    assert_false(pg_spool_spilled(sp));
    expect(sp, 0, 9);
    uint64_t at = pg_spool_length(sp);
    for (int i = 10; i < 20; i++) {
        append(sp, i);
    }
    assert_int_equal(pg_spool_truncate(sp, at, err, sizeof(err)), 0);
    expect(sp, 0, 9);
    /* Cutting to a length past the end changes nothing. */
    assert_int_equal(pg_spool_truncate(sp, at + 100, err, sizeof(err)), 0);
    expect(sp, 0, 9);
    assert_int_equal(pg_spool_truncate(sp, 0, err, sizeof(err)), 0);
    expect(sp, 0, -1);
    pg_spool_destroy(sp);
    pg_spool_destroy(NULL);
}

/* Files named connectd-pgstream-* in dir. */
static int spool_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        n += strncmp(e->d_name, "connectd-pgstream-", 18) == 0;
    }
    closedir(d);
    return n;
}

static void test_spill(void **state)
{
    (void)state;
    /* A TMPDIR of our own: the spool's file is unlinked at once, so the
     * directory stays empty while it is in use. */
    char dir[] = "/tmp/test_pg_spool-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    pg_spool_t *sp = pg_spool_create(100);
    char err[256];
    for (int i = 0; i < 5; i++) {
        append(sp, i);
    }
    assert_false(pg_spool_spilled(sp));
    uint64_t at5 = pg_spool_length(sp);
    for (int i = 5; i < 2000; i++) {
        append(sp, i);
    }
    assert_true(pg_spool_spilled(sp));
    assert_int_equal(spool_files(dir), 0);
    expect(sp, 0, 1999);
    /* Appending again after reading, as a stream resumes after a later
     * block: reading starts over from the first entry. */
    uint64_t at2000 = pg_spool_length(sp);
    append(sp, 2000);
    expect(sp, 0, 2000);
    assert_int_equal(pg_spool_truncate(sp, at2000, err, sizeof(err)), 0);
    expect(sp, 0, 1999);
    assert_int_equal(pg_spool_truncate(sp, at5, err, sizeof(err)), 0);
    expect(sp, 0, 4);
    append(sp, 5);
    expect(sp, 0, 5);
    pg_spool_destroy(sp);
    unsetenv("TMPDIR");
    assert_int_equal(rmdir(dir), 0);
}

/* A TMPDIR where no file can be made: the error names it. */
static void test_spill_fails(void **state)
{
    (void)state;
    setenv("TMPDIR", "/nonexistent-connectd-dir", 1);
    pg_spool_t *sp = pg_spool_create(10);
    char err[256];
    assert_int_equal(pg_spool_append(sp, 1, "I", 1, "0123456789", 10, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent-connectd-dir"));
    unsetenv("TMPDIR");
    pg_spool_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_spill),
        cmocka_unit_test(test_spill_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
