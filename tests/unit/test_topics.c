/*
 * Unit tests for the topic registry's creation of partitions (topics.c):
 * a create or add-partitions is all or nothing on disk, a staging dir a
 * crash left behind is removed at open, and a create whose partitions would
 * not fit the open-files limit is refused before anything is made.  Each
 * test works in its own temporary log dir, which teardown removes; teardown
 * fails the test if a file descriptor was left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/broker_config.h"
#include "topics/topics.h"

typedef struct fixture {
    char root[64];
    broker_config_t *cfg;
    topics_t *topics;
    int open_fds;
} fixture_t;

static int count_open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    struct dirent *ent;
    while ((ent = readdir(d))) {
        n += ent->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

static void reopen(fixture_t *fx)
{
    topics_close(fx->topics);
    char err[512] = "";
    fx->topics = topics_open(fx->cfg, err, sizeof(err));
    if (!fx->topics) {
        fail_msg("topics_open: %s", err);
    }
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    if (!fx) {
        return -1;
    }
    snprintf(fx->root, sizeof(fx->root), "/tmp/test_topics.XXXXXX");
    if (!mkdtemp(fx->root)) {
        free(fx);
        return -1;
    }
    fx->open_fds = count_open_fds();
    fx->cfg = broker_config_create();
    free(fx->cfg->log_dirs);
    fx->cfg->log_dirs = strdup(fx->root);
    char err[512] = "";
    fx->topics = topics_open(fx->cfg, err, sizeof(err));
    if (!fx->topics) {
        fprintf(stderr, "topics_open: %s\n", err);
        return -1;
    }
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
    topics_close(fx->topics);
    broker_config_destroy(fx->cfg);
    int leaked = count_open_fds() - fx->open_fds;
    int rc = nftw(fx->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    if (leaked != 0) {
        fprintf(stderr, "%d file descriptor(s) leaked\n", leaked);
        return -1;
    }
    return rc;
}

static kstr_t ks(const char *s)
{
    return (kstr_t){s, (int32_t)strlen(s)};
}

static bool exists(const fixture_t *fx, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->root, name);
    return access(path, F_OK) == 0;
}

static void touch(const fixture_t *fx, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void make_dir(const fixture_t *fx, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->root, name);
    assert_int_equal(mkdir(path, 0755), 0);
}

/* Entries of the log dir whose names start with `prefix`. */
static int count_entries(const fixture_t *fx, const char *prefix)
{
    DIR *d = opendir(fx->root);
    assert_non_null(d);
    int n = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        n += strncmp(ent->d_name, prefix, strlen(prefix)) == 0;
    }
    closedir(d);
    return n;
}

static int32_t partitions_of(fixture_t *fx, const char *name)
{
    topics_read_lock(fx->topics);
    topic_t *topic = topics_find(fx->topics, ks(name));
    int32_t n = topic ? topic->n_partitions : -1;
    topics_read_unlock(fx->topics);
    return n;
}

static void test_create_moves_partitions_into_place(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    assert_int_equal(topics_create(fx->topics, ks("orders"), 3, NULL, 0, false, err, sizeof(err)), KERR_NONE);
    assert_true(exists(fx, "orders-0") && exists(fx, "orders-1") && exists(fx, "orders-2"));
    assert_true(exists(fx, "orders-0/00000000000000000000.log"));
    assert_false(exists(fx, "~creating"));
    assert_true(exists(fx, "__connectd_topics/orders.properties"));
    reopen(fx);
    assert_int_equal(partitions_of(fx, "orders"), 3);
}

/* A create that fails at its sixth partition (a file is in the way of the
 * staging dir) leaves no directory, no metadata and no topic, before and
 * after a restart. */
static void test_failed_create_leaves_nothing(void **state)
{
    fixture_t *fx = *state;
    make_dir(fx, "~creating");
    touch(fx, "~creating/orders-5");
    char err[512] = "";
    assert_int_equal(topics_create(fx->topics, ks("orders"), 10, NULL, 0, false, err, sizeof(err)),
                     KERR_KAFKA_STORAGE_ERROR);
    assert_non_null(strstr(err, "orders-5"));
    assert_int_equal(count_entries(fx, "orders"), 0);
    assert_false(exists(fx, "~creating"));
    assert_false(exists(fx, "__connectd_topics/orders.properties"));
    assert_int_equal(partitions_of(fx, "orders"), -1);
    reopen(fx);
    assert_int_equal(partitions_of(fx, "orders"), -1);
    assert_int_equal(count_entries(fx, "orders"), 0);
    /* Nothing was left to get in the way of a second try. */
    assert_int_equal(topics_create(fx->topics, ks("orders"), 10, NULL, 0, false, err, sizeof(err)), KERR_NONE);
    assert_int_equal(count_entries(fx, "orders-"), 10);
}

/* The same for CreatePartitions: the topic keeps its partitions and its
 * metadata still says how many. */
static void test_failed_add_partitions_leaves_topic_as_it_was(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    assert_int_equal(topics_create(fx->topics, ks("orders"), 2, NULL, 0, false, err, sizeof(err)), KERR_NONE);
    make_dir(fx, "~creating");
    touch(fx, "~creating/orders-4");
    assert_int_equal(topics_add_partitions(fx->topics, ks("orders"), 6, false, err, sizeof(err)),
                     KERR_KAFKA_STORAGE_ERROR);
    assert_int_equal(partitions_of(fx, "orders"), 2);
    assert_int_equal(count_entries(fx, "orders-"), 2);
    assert_false(exists(fx, "~creating"));
    reopen(fx);
    assert_int_equal(partitions_of(fx, "orders"), 2);
    assert_int_equal(topics_add_partitions(fx->topics, ks("orders"), 6, false, err, sizeof(err)), KERR_NONE);
    assert_int_equal(partitions_of(fx, "orders"), 6);
    assert_int_equal(count_entries(fx, "orders-"), 6);
}

/* What a crash in the middle of a create leaves is removed at open. */
static void test_open_removes_staging_leftovers(void **state)
{
    fixture_t *fx = *state;
    topics_close(fx->topics);
    fx->topics = NULL;
    make_dir(fx, "~creating");
    make_dir(fx, "~creating/orders-0");
    touch(fx, "~creating/orders-0/00000000000000000000.log");
    make_dir(fx, "~creating/orders-1");
    reopen(fx);
    assert_false(exists(fx, "~creating"));
    assert_int_equal(partitions_of(fx, "orders"), -1);
    assert_int_equal(count_entries(fx, "orders"), 0);
}

/* Under a low open-files limit a large create is refused up front with
 * POLICY_VIOLATION and a message saying what to do; a small one fits. */
static void test_create_beyond_fd_limit_is_refused(void **state)
{
    fixture_t *fx = *state;
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = (rlim_t)count_open_fds() + 200;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    char err[512] = "";
    kerr_t rc = topics_create(fx->topics, ks("orders"), 1000, NULL, 0, false, err, sizeof(err));
    kerr_t rc_validate = topics_create(fx->topics, ks("orders"), 1000, NULL, 0, true, err, sizeof(err));
    kerr_t rc_small = topics_create(fx->topics, ks("small"), 10, NULL, 0, false, err, sizeof(err));
    kerr_t rc_add = topics_add_partitions(fx->topics, ks("small"), 1000, false, err, sizeof(err));
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(rc, KERR_POLICY_VIOLATION);
    assert_int_equal(rc_validate, KERR_POLICY_VIOLATION);
    assert_int_equal(rc_small, KERR_NONE);
    assert_int_equal(rc_add, KERR_POLICY_VIOLATION);
    assert_non_null(strstr(err, "file descriptors"));
    assert_non_null(strstr(err, "raise the limit"));
    assert_int_equal(count_entries(fx, "orders"), 0);
    assert_false(exists(fx, "__connectd_topics/orders.properties"));
    assert_int_equal(partitions_of(fx, "orders"), -1);
    assert_int_equal(partitions_of(fx, "small"), 10);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_moves_partitions_into_place),
        T(test_failed_create_leaves_nothing),
        T(test_failed_add_partitions_leaves_topic_as_it_was),
        T(test_open_removes_staging_leftovers),
        T(test_create_beyond_fd_limit_is_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
