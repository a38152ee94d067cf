/* Unit tests for offset_store.c with its file backend: listing a
 * connector's partitions, one partition whatever the order of its fields,
 * resets, and a failed write leaving the previous offsets in force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/offset_store.h"

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/test-offset-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/connect.offsets", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static offset_store_t *open_store(fixture_t *f)
{
    char err[256];
    offset_store_t *store = offset_store_open_file(f->path, err, sizeof(err));
    assert_non_null(store);
    return store;
}

static int put1(offset_store_t *store, const char *connector, const char *partition, const char *offset)
{
    char err[256];
    return offset_store_put(store, connector, &partition, &offset, 1, err, sizeof(err));
}

/* The offset `connector` has for `partition`, as listed, or NULL; checks
 * that the list names the partition at most once. */
static char *listed(offset_store_t *store, const char *connector, const char *partition, int *n)
{
    char **parts, **offs, *found = NULL;
    *n = offset_store_list(store, connector, &parts, &offs);
    for (int i = 0; i < *n; i++) {
        if (strcmp(parts[i], partition) == 0) {
            assert_null(found);
            found = strdup(offs[i]);
        }
    }
    offset_store_list_free(parts, offs, *n);
    return found;
}

static void test_list_per_connector(void **state)
{
    fixture_t *f = *state;
    /* Keys that are not ["<connector>", {...}] are someone else's. */
    FILE *file = fopen(f->path, "w");
    fputs("{\"key\":[\"c\",5],\"value\":{\"x\":1}}\n{\"key\":[\"c\"],\"value\":{\"x\":1}}\n", file);
    fclose(file);
    offset_store_t *store = open_store(f);
    assert_int_equal(put1(store, "c", "{\"filename\":\"a\"}", "{\"position\":3}"), 0);
    assert_int_equal(put1(store, "d", "{\"filename\":\"a\"}", "{\"position\":9}"), 0);
    assert_int_equal(put1(store, "c", "{\"filename\":\"b\"}", "{\"position\":4}"), 0);
    int n;
    char *off = listed(store, "c", "{\"filename\":\"a\"}", &n);
    assert_int_equal(n, 2);
    assert_string_equal(off, "{\"position\":3}");
    free(off);
    off = listed(store, "d", "{\"filename\":\"a\"}", &n);
    assert_int_equal(n, 1);
    assert_string_equal(off, "{\"position\":9}");
    free(off);
    assert_null(listed(store, "nobody", "{}", &n));
    assert_int_equal(n, 0);
    offset_store_close(store);
}

static void test_field_order_and_reset(void **state)
{
    fixture_t *f = *state;
    offset_store_t *store = open_store(f);
    assert_int_equal(put1(store, "c", "{\"db\":\"x\",\"table\":\"y\"}", "{\"lsn\":1}"), 0);
    /* The same partition typed the other way round replaces the offset and
     * keeps the first form, so the file (or topic) has one key for it. */
    assert_int_equal(put1(store, "c", "{\"table\":\"y\",\"db\":\"x\"}", "{\"lsn\":2}"), 0);
    char *off = offset_store_get(store, "c", "{\"table\":\"y\",\"db\":\"x\"}");
    assert_string_equal(off, "{\"lsn\":2}");
    free(off);
    int n;
    off = listed(store, "c", "{\"db\":\"x\",\"table\":\"y\"}", &n);
    assert_int_equal(n, 1);
    assert_string_equal(off, "{\"lsn\":2}");
    free(off);
    offset_store_close(store);

    /* Reopened: still one entry; a NULL offset removes it, durably. */
    store = open_store(f);
    off = listed(store, "c", "{\"db\":\"x\",\"table\":\"y\"}", &n);
    assert_int_equal(n, 1);
    free(off);
    assert_int_equal(put1(store, "c", "{\"table\":\"y\",\"db\":\"x\"}", NULL), 0);
    assert_null(offset_store_get(store, "c", "{\"db\":\"x\",\"table\":\"y\"}"));
    offset_store_close(store);
    store = open_store(f);
    assert_null(listed(store, "c", "{\"db\":\"x\",\"table\":\"y\"}", &n));
    assert_int_equal(n, 0);
    offset_store_close(store);
}

static void test_failed_write_changes_nothing(void **state)
{
    fixture_t *f = *state;
    offset_store_t *store = open_store(f);
    assert_int_equal(put1(store, "c", "{\"filename\":\"a\"}", "{\"position\":3}"), 0);
    /* The directory goes away: the next write cannot make its temp file. */
    unlink(f->path);
    assert_int_equal(rmdir(f->dir), 0);
    const char *parts[] = {"{\"filename\":\"a\"}", "{\"filename\":\"b\"}", "{\"filename\":\"a\"}"};
    const char *offs[] = {"{\"position\":5}", "{\"position\":1}", NULL};
    char err[256] = "";
    assert_int_equal(offset_store_put(store, "c", parts, offs, 3, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot write"));
    char *off = offset_store_get(store, "c", "{\"filename\":\"a\"}");
    assert_string_equal(off, "{\"position\":3}");
    free(off);
    assert_null(offset_store_get(store, "c", "{\"filename\":\"b\"}"));
    offset_store_close(store);
    assert_int_equal(mkdir(f->dir, 0700), 0); /* for teardown */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_per_connector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_order_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_changes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
