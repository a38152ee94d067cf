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

#include "batch_fixture.h"
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

/* A topic of the metadata image starts offline until the image gives its
 * partitions their roles; a single node's has none, as always. */
static void test_image_topic_starts_offline(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    const kuuid_t id = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    assert_int_equal(topics_create_as(fx->topics, ks("replicated"), &id, 2, NULL, 0, false, err, sizeof(err)),
                     KERR_NONE);
    assert_int_equal(topics_create(fx->topics, ks("local"), 1, NULL, 0, false, err, sizeof(err)), KERR_NONE);
    topics_read_lock(fx->topics);
    topic_t *replicated = topics_find(fx->topics, ks("replicated"));
    assert_int_equal(topic_partition(replicated, 0)->repl.role, REPLICA_ROLE_OFFLINE);
    assert_int_equal(topic_partition(replicated, 1)->repl.role, REPLICA_ROLE_OFFLINE);
    assert_int_equal(topic_partition(topics_find(fx->topics, ks("local")), 0)->repl.role, REPLICA_ROLE_NONE);
    topics_read_unlock(fx->topics);
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

/* topic_batch_timestamps of one fixture batch (3 records at 1000, 1010,
 * 1020) on topic `name`, at broker time `now_ms`. */
static kerr_t timestamps_of(fixture_t *fx, const char *name, int64_t now_ms, buf_writer_t *w, int64_t *append_time,
                            char *err, size_t err_size)
{
    buf_writer_init(w, 0);
    fixture_batch(w, 3, 1000, 10, -1, -1, -1);
    topics_read_lock(fx->topics);
    kerr_t rc = topic_batch_timestamps(topics_find(fx->topics, ks(name)), w->data, w->len, now_ms, append_time, err,
                                       err_size);
    topics_read_unlock(fx->topics);
    return rc;
}

/* message.timestamp.type=LogAppendTime marks the batch with the broker's time
 * and answers it; CreateTime leaves the batch alone and, with
 * message.timestamp.difference.max.ms, refuses a record too far from the
 * broker's clock on either side. */
static void test_batch_timestamps(void **state)
{
    fixture_t *fx = *state;
    char err[512] = "";
    topic_config_kv_t append[] = {{"message.timestamp.type", "LogAppendTime"}};
    topic_config_kv_t bounded[] = {{"message.timestamp.difference.max.ms", "500"}};
    assert_int_equal(topics_create(fx->topics, ks("appended"), 1, append, 1, false, err, sizeof(err)), KERR_NONE);
    assert_int_equal(topics_create(fx->topics, ks("bounded"), 1, bounded, 1, false, err, sizeof(err)), KERR_NONE);
    assert_int_equal(topics_create(fx->topics, ks("plain"), 1, NULL, 0, false, err, sizeof(err)), KERR_NONE);
    buf_writer_t w;
    int64_t append_time;
    batch_header_t hdr;

    assert_int_equal(timestamps_of(fx, "appended", 5000, &w, &append_time, err, sizeof(err)), KERR_NONE);
    assert_true(append_time == 5000);
    assert_int_equal(batch_validate(w.data, w.len, &hdr, err, sizeof(err)), KERR_NONE);
    assert_int_equal(hdr.attributes, BATCH_ATTR_LOG_APPEND_TIME);
    assert_true(hdr.max_timestamp == 5000);
    buf_writer_release(&w);

    assert_int_equal(timestamps_of(fx, "plain", 1, &w, &append_time, err, sizeof(err)), KERR_NONE);
    assert_true(append_time == -1);
    assert_int_equal(batch_validate(w.data, w.len, &hdr, err, sizeof(err)), KERR_NONE);
    assert_int_equal(hdr.attributes, 0);
    assert_true(hdr.max_timestamp == 1020);
    buf_writer_release(&w);

    /* Against 1510 the first record is 510 ms away; against 1500 all are
     * within 500; against 500 the first is exactly 500 away, the second 510. */
    assert_int_equal(timestamps_of(fx, "bounded", 1510, &w, &append_time, err, sizeof(err)), KERR_INVALID_TIMESTAMP);
    assert_non_null(strstr(err, "timestamp 1000 of a record"));
    buf_writer_release(&w);
    assert_int_equal(timestamps_of(fx, "bounded", 1500, &w, &append_time, err, sizeof(err)), KERR_NONE);
    assert_true(append_time == -1);
    buf_writer_release(&w);
    assert_int_equal(timestamps_of(fx, "bounded", 500, &w, &append_time, err, sizeof(err)), KERR_INVALID_TIMESTAMP);
    assert_non_null(strstr(err, "timestamp 1010 of a record"));
    buf_writer_release(&w);
    assert_int_equal(timestamps_of(fx, "bounded", INT64_MIN, &w, &append_time, err, sizeof(err)),
                     KERR_INVALID_TIMESTAMP);
    buf_writer_release(&w);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_moves_partitions_into_place),
        T(test_failed_create_leaves_nothing),
        T(test_image_topic_starts_offline),
        T(test_failed_add_partitions_leaves_topic_as_it_was),
        T(test_open_removes_staging_leftovers),
        T(test_create_beyond_fd_limit_is_refused),
        T(test_batch_timestamps),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
