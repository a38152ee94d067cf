/*
 * worker_fixture.h - a standalone worker assembled inside the test process,
 * for the herder's and the task runner's unit tests: a real broker
 * (embedded_broker.c) on a free loopback port with its log dir in a temp
 * dir, the plugins from the build tree (connectd-file.so, built in, and
 * tests/plugins/failing.so on plugin.path), the offset, config and status
 * topics (worker_setup.h) and, for the herder's tests, the herder -- the
 * pieces `connectd standalone` builds, without its REST server.  As
 * librdkafka's tests run against its mock cluster, these run against a
 * real broker, reached through librdkafka only.
 *
 * Waiting: FIXTURE_WAIT_FOR polls a condition until a generous deadline and
 * fails the test with what it waited for; no test asserts on elapsed time.
 *
 * Cleanliness: fixture_destroy stops everything and then fails the test
 * unless the process is back to the threads it had before the fixture
 * started and every librdkafka handle is gone; leaks are ASan's to find.
 *
 * Include after <cmocka.h>.
 */
#ifndef CONNECTD_TEST_WORKER_FIXTURE_H
#define CONNECTD_TEST_WORKER_FIXTURE_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "embedded_broker.h"
#include "herder/herder.h"
#include "herder/worker_setup.h"

/* How long any one condition may take: far more than a loaded machine
 * running the suite under ASan needs, so a slow run never fails. */
#define FIXTURE_DEADLINE_MS 30000
#define FIXTURE_POLL_MS 20

typedef struct worker_fixture {
    char dir[64];        /* the broker's log dir and the tests' files, removed at the end */
    int threads_before;  /* the process's threads before the fixture started any */
    properties_t *props; /* the worker file */
    worker_config_t wcfg;
    embedded_broker_t *broker;
    char bootstrap[128];
    plugin_registry_t *plugins;
    worker_stores_t stores; /* configs and statuses are NULL once the herder has them */
    herder_t *herder;       /* fixture_herder_start */
} worker_fixture_t;

static inline int64_t fixture_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void fixture_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls `cond` until it holds; fails the test, naming `what`, when it
 * still does not after FIXTURE_DEADLINE_MS. */
#define FIXTURE_WAIT_FOR(cond, what)                                                             \
    do {                                                                                         \
        int64_t fixture_deadline_ = fixture_now_ms() + FIXTURE_DEADLINE_MS;                      \
        while (!(cond)) {                                                                        \
            if (fixture_now_ms() > fixture_deadline_) {                                          \
                fail_msg("still waiting for %s after %d s", (what), FIXTURE_DEADLINE_MS / 1000); \
            }                                                                                    \
            fixture_sleep_ms(FIXTURE_POLL_MS);                                                   \
        }                                                                                        \
    } while (0)

static inline int fixture_thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* "<dir>/<name>" in `out`. */
static inline const char *fixture_path(const worker_fixture_t *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", f->dir, name);
    return out;
}

/* The build tree, where make check runs the tests from. */
static inline const char *fixture_top_builddir(void)
{
    const char *top = getenv("TOP_BUILDDIR");
    return top ? top : ".";
}

/* Starts the broker, loads the plugins and opens the stores, on the
 * fixture's dir and worker file.  A second call after fixture_worker_down
 * is a worker restart: same log dir, same topics, a new port. */
static inline void fixture_worker_up(worker_fixture_t *f)
{
    char err[1024];
    int usage = 0;
    f->broker = embedded_broker_start(f->props, f->bootstrap, sizeof(f->bootstrap), &usage, err, sizeof(err));
    if (!f->broker) {
        fail_msg("the broker did not start: %s", err);
    }
    f->plugins = worker_plugins_load(&f->wcfg);
    if (worker_stores_open(&f->stores, &f->wcfg, f->bootstrap, err, sizeof(err)) < 0) {
        fail_msg("the worker's stores did not open: %s", err);
    }
}

/* The herder on the open stores, with the connectors the config topic
 * holds restored, as `connectd standalone` starts it. */
static inline void fixture_herder_start(worker_fixture_t *f)
{
    f->herder = herder_create(&f->wcfg, f->bootstrap, f->plugins, f->stores.offsets, f->stores.configs,
                              f->stores.statuses, "fixture-worker");
    f->stores.configs = NULL; /* the herder's now */
    f->stores.statuses = NULL;
    char err[1024];
    if (herder_restore(f->herder, NULL, 0, err, sizeof(err)) < 0) {
        fail_msg("the herder did not restore: %s", err);
    }
}

/* Stops the worker as a clean shutdown does: every task flushes and
 * commits, then the stores close and the broker writes its checkpoints. */
static inline void fixture_worker_down(worker_fixture_t *f)
{
    herder_destroy(f->herder);
    f->herder = NULL;
    worker_stores_close(&f->stores);
    plugin_registry_destroy(f->plugins);
    f->plugins = NULL;
    embedded_broker_stop(f->broker);
    f->broker = NULL;
}

/* A worker in a fresh temp dir: the broker on 127.0.0.1 port 0, source
 * offsets committed every 100 ms, failing.so on plugin.path; then
 * `overrides` (key, value, ..., NULL; may be NULL).  The herder is not
 * started (fixture_herder_start). */
static inline worker_fixture_t *fixture_create(const char *const *overrides)
{
    worker_fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    /* As connectd: the broker writes to sockets a client may have closed. */
    signal(SIGPIPE, SIG_IGN);
    f->threads_before = fixture_thread_count();
    snprintf(f->dir, sizeof(f->dir), "/tmp/connectd-worker-fixture-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[512];
    f->props = properties_create();
    properties_set(f->props, "broker.listeners", "PLAINTEXT://127.0.0.1:0");
    properties_set(f->props, "broker.log.dirs", fixture_path(f, "broker", path, sizeof(path)));
    properties_set(f->props, "broker.num.partitions", "1");
    properties_set(f->props, "broker.group.initial.rebalance.delay.ms", "0");
    properties_set(f->props, "offset.flush.interval.ms", "100");
    snprintf(path, sizeof(path), "%s/tests/plugins/failing.so", fixture_top_builddir());
    properties_set(f->props, "plugin.path", path);
    properties_set(f->props, "file.connectors.allowed.paths", f->dir);
    /* Kafka's 5 s is too short for a sanitizer build on a loaded machine
     * to close a sink's consumer; a test that is not about abandoning a
     * task must never see one (its thread would outlive the fixture). */
    properties_set(f->props, "task.shutdown.graceful.timeout.ms", "60000");
    for (size_t i = 0; overrides && overrides[i]; i += 2) {
        properties_set(f->props, overrides[i], overrides[i + 1]);
    }
    char err[512];
    if (!worker_config_init(&f->wcfg, f->props, err, sizeof(err))) {
        fail_msg("the fixture's worker config is invalid: %s", err);
    }
    fixture_worker_up(f);
    return f;
}

static inline int fixture_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

/* Removes `path` and everything under it. */
static inline void fixture_remove_tree(const char *path)
{
    nftw(path, fixture_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Stops what runs, removes the dir, and fails the test if a thread or a
 * librdkafka handle outlived it. */
static inline void fixture_destroy(worker_fixture_t *f)
{
    fixture_worker_down(f);
    worker_config_free(&f->wcfg);
    properties_destroy(f->props);
    fixture_remove_tree(f->dir);
    int threads_before = f->threads_before;
    free(f);
    assert_int_equal(rd_kafka_wait_destroyed(FIXTURE_DEADLINE_MS), 0);
    FIXTURE_WAIT_FOR(fixture_thread_count() == threads_before, "the fixture's threads to end");
}

/* ---- files -------------------------------------------------------------------------- */

static inline void fixture_file_append(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The whole file (malloc'd), "" when it does not exist. */
static inline char *fixture_file_read(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        return strdup("");
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof(buf), in)) > 0;) {
        fwrite(buf, 1, n, out);
    }
    fclose(in);
    fclose(out);
    return text;
}

static inline bool fixture_file_is(const char *path, const char *expected)
{
    char *text = fixture_file_read(path);
    bool same = strcmp(text, expected) == 0;
    free(text);
    return same;
}

/* ---- topics, through librdkafka as any client ----------------------------------------- */

/* Produces `value` (a JsonConverter envelope, as the worker's converters
 * expect) to partition 0 of `topic` and waits for the acknowledgement. */
static inline void fixture_produce(worker_fixture_t *f, const char *topic, const char *value)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstrap, err, sizeof(err)), RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(rk);
    assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                       RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_flush(rk, FIXTURE_DEADLINE_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

/* The end offset (high watermark) of partition 0 of `topic`: how many
 * records the broker has acknowledged there.  The topic must exist. */
static inline int64_t fixture_topic_end(worker_fixture_t *f, const char *topic)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstrap, err, sizeof(err)), RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(rk);
    int64_t low = -1, high = -1;
    FIXTURE_WAIT_FOR(rd_kafka_query_watermark_offsets(rk, topic, 0, &low, &high, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR,
                     "the end offset of the topic");
    rd_kafka_destroy(rk);
    return high;
}

/* The offset group `group` committed for partition 0 of `topic`; -1 when
 * none (or while it cannot be read). */
static inline int64_t fixture_group_offset(worker_fixture_t *f, const char *group, const char *topic)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", f->bootstrap, err, sizeof(err)), RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", group, err, sizeof(err)), RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0);
    int64_t offset = -1;
    if (rd_kafka_committed(rk, parts, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && !parts->elems[0].err) {
        offset = parts->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return offset;
}

/* ---- source offsets ---------------------------------------------------------------------- */

/* The offset (compact JSON, malloc'd) the store has for the file source
 * `connector` reading `file`, or NULL. */
static inline char *fixture_source_offset(offset_store_t *offsets, const char *connector, const char *file)
{
    char partition[1024];
    snprintf(partition, sizeof(partition), "{\"filename\":\"%s\"}", file);
    return offset_store_get(offsets, connector, partition);
}

static inline bool fixture_source_offset_is(offset_store_t *offsets, const char *connector, const char *file,
                                            const char *offset)
{
    char *stored = fixture_source_offset(offsets, connector, file);
    bool same = stored && strcmp(stored, offset) == 0;
    free(stored);
    return same;
}

#endif
