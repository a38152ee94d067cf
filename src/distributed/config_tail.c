/*
 * config_tail.c - following the config topic (config_tail.h).
 *
 * One librdkafka consumer, partition 0 assigned from the beginning (the
 * config topic has one partition, as Kafka requires), polled every 100 ms
 * on a thread of its own.  Of the records (store/connect_records.h) three
 * kinds count: connector-<name> (the connector and its config; a tombstone
 * deletes it), task-<name>-<n> (a task config, pending) and commit-<name>
 * ({"tasks":N}: the pending configs 0..N-1 become the connector's tasks, as
 * Kafka's KafkaConfigBackingStore applies them only once committed; a
 * commit missing one of them is skipped, as Kafka skips an inconsistent
 * one), target-state-<name> (started, paused or stopped; a connector
 * without one is started).  The rest is read past; the offset counts it.
 *
 * Compaction keeps only each key's last record, so a connector's task,
 * commit and target-state records may come before its connector- record
 * (the config changed since); as KafkaConfigBackingStore, they are kept by
 * name whatever the order, and the connector exists once its config is read.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "blog.h"
#include "clock.h"
#include "config/client_conf.h"
#include "config_tail.h"
#include "store/connect_records.h"
#include "xalloc.h"

#define TAIL_POLL_MS 100

typedef struct tail_connector {
    char *name;
    properties_t *config; /* NULL: no connector- record read yet, only its other records */
    connect_target_state_t target;
    int32_t n_tasks;
    properties_t **tasks;   /* n_tasks committed task configs */
    properties_t **pending; /* task configs read since the last commit, by task id (NULL: none) */
    int32_t n_pending;
} tail_connector_t;

struct config_tail {
    char *topic;
    rd_kafka_t *rk;
    pthread_t thread;
    atomic_bool stopping;
    config_tail_changed_cb *changed;
    void *ctx;

    pthread_mutex_t lock; /* guards what follows */
    pthread_cond_t advanced;
    int64_t offset;
    tail_connector_t *connectors;
    size_t n_connectors;
};

static properties_t *props_copy(const properties_t *from)
{
    properties_t *to = properties_create();
    for (size_t i = 0; from && i < properties_count(from); i++) {
        properties_set(to, properties_key_at(from, i), properties_value_at(from, i));
    }
    return to;
}

static void tail_tasks_free(properties_t **tasks, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        properties_destroy(tasks[i]);
    }
    free(tasks);
}

static void tail_connector_free(tail_connector_t *c)
{
    free(c->name);
    properties_destroy(c->config);
    tail_tasks_free(c->tasks, c->n_tasks);
    tail_tasks_free(c->pending, c->n_pending);
}

static tail_connector_t *tail_find(config_tail_t *tail, const char *name)
{
    for (size_t i = 0; i < tail->n_connectors; i++) {
        if (strcmp(tail->connectors[i].name, name) == 0) {
            return &tail->connectors[i];
        }
    }
    return NULL;
}

/* The entry of connector `name`, made if missing (with no config yet).
 * @locks tail->lock held */
static tail_connector_t *tail_find_or_add(config_tail_t *tail, const char *name)
{
    tail_connector_t *c = tail_find(tail, name);
    if (!c) {
        tail->connectors = xrealloc(tail->connectors, (tail->n_connectors + 1) * sizeof(*tail->connectors));
        c = &tail->connectors[tail->n_connectors++];
        *c = (tail_connector_t){.name = xstrdup(name)};
    }
    return c;
}

/* The entry of connector `name` if its connector- record was read, else NULL.
 * @locks tail->lock held */
static tail_connector_t *tail_find_config(config_tail_t *tail, const char *name)
{
    tail_connector_t *c = tail_find(tail, name);
    return c && c->config ? c : NULL;
}

/* Applies one record; true when what the leader assigns changed.
 * @locks tail->lock held */
static bool tail_apply(config_tail_t *tail, const rd_kafka_message_t *msg)
{
    connect_record_key_t key;
    connect_record_key_parse(msg->key ? msg->key : "", msg->key_len, &key);
    bool changed = false;
    char err[256];
    tail_connector_t *c = key.name ? tail_find(tail, key.name) : NULL;
    bool named = key.kind == CONNECT_RECORD_TASK || key.kind == CONNECT_RECORD_TARGET_STATE ||
                 key.kind == CONNECT_RECORD_COMMIT;
    if (key.name && named && msg->payload && !c) {
        /* Perhaps before its connector- record: kept for when it comes. */
        c = tail_find_or_add(tail, key.name);
    }
    if (key.kind == CONNECT_RECORD_CONNECTOR && !msg->payload && c) {
        changed = c->config != NULL;
        tail_connector_free(c);
        *c = tail->connectors[--tail->n_connectors];
    } else if (key.kind == CONNECT_RECORD_CONNECTOR && msg->payload) {
        properties_t *config = connect_record_config_read(msg->payload, msg->len, err, sizeof(err));
        if (!config) {
            blog_warn("config topic %s, offset %lld: %s; skipped", tail->topic, (long long)msg->offset, err);
        } else {
            c = tail_find_or_add(tail, key.name);
            properties_destroy(c->config);
            c->config = config;
            changed = true;
        }
    } else if (key.kind == CONNECT_RECORD_TASK && msg->payload && c && key.task >= 0 && key.task < 100000) {
        properties_t *config = connect_record_config_read(msg->payload, msg->len, err, sizeof(err));
        if (!config) {
            blog_warn("config topic %s, offset %lld: %s; skipped", tail->topic, (long long)msg->offset, err);
        } else {
            if (key.task >= c->n_pending) {
                c->pending = xrealloc(c->pending, (size_t)(key.task + 1) * sizeof(*c->pending));
                memset(&c->pending[c->n_pending], 0, (size_t)(key.task + 1 - c->n_pending) * sizeof(*c->pending));
                c->n_pending = key.task + 1;
            }
            properties_destroy(c->pending[key.task]);
            c->pending[key.task] = config;
        }
    } else if (key.kind == CONNECT_RECORD_TARGET_STATE && msg->payload && c) {
        connect_target_state_t target;
        if (connect_record_target_state_read(msg->payload, msg->len, &target, err, sizeof(err)) < 0) {
            blog_warn("config topic %s, offset %lld: %s; skipped", tail->topic, (long long)msg->offset, err);
        } else if (target != c->target) {
            c->target = target;
            changed = c->config != NULL;
        }
    } else if (key.kind == CONNECT_RECORD_TARGET_STATE && !msg->payload && c && c->target != CONNECT_TARGET_STARTED) {
        /* No target state is started, as Kafka's. */
        c->target = CONNECT_TARGET_STARTED;
        changed = c->config != NULL;
    } else if (key.kind == CONNECT_RECORD_COMMIT && msg->payload && c) {
        int tasks;
        bool complete = connect_record_commit_read(msg->payload, msg->len, &tasks, err, sizeof(err)) == 0;
        for (int i = 0; complete && i < tasks; i++) {
            complete = i < c->n_pending && c->pending[i];
        }
        if (!complete) {
            blog_warn("config topic %s, offset %lld: a commit of connector %s without all its task configs; "
                      "skipped",
                      tail->topic, (long long)msg->offset, c->name);
        } else {
            tail_tasks_free(c->tasks, c->n_tasks);
            c->tasks = xcalloc((size_t)tasks + 1, sizeof(*c->tasks));
            for (int i = 0; i < tasks; i++) {
                c->tasks[i] = c->pending[i];
                c->pending[i] = NULL;
            }
            c->n_tasks = tasks;
            tail_tasks_free(c->pending, c->n_pending);
            c->pending = NULL;
            c->n_pending = 0;
            changed = c->config != NULL;
        }
    }
    connect_record_key_clear(&key);
    tail->offset = msg->offset + 1;
    return changed;
}

static void *tail_main(void *arg)
{
    config_tail_t *tail = arg;
    while (!atomic_load(&tail->stopping)) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(tail->rk, TAIL_POLL_MS);
        if (!msg) {
            continue;
        }
        bool changed = false;
        if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            pthread_mutex_lock(&tail->lock);
            changed = tail_apply(tail, msg);
            pthread_cond_broadcast(&tail->advanced);
            pthread_mutex_unlock(&tail->lock);
        } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            blog_warn("config topic %s: %s", tail->topic, rd_kafka_message_errstr(msg));
        }
        rd_kafka_message_destroy(msg);
        if (changed) {
            tail->changed(tail->ctx);
        }
    }
    return NULL;
}

config_tail_t *config_tail_start(const char *bootstrap, const char *topic, const properties_t *worker_props,
                                 config_tail_changed_cb *changed, void *ctx, char *errstr, size_t errstr_size)
{
    config_tail_t *tail = xcalloc(1, sizeof(*tail));
    tail->topic = xstrdup(topic);
    tail->changed = changed;
    tail->ctx = ctx;
    tail->offset = -1;
    pthread_mutex_init(&tail->lock, NULL);
    pthread_cond_init(&tail->advanced, NULL);
    atomic_init(&tail->stopping, false);
    /* librdkafka's consumer queue wants a group even for assign(); this
     * reader never joins or commits. */
    static const char *const defaults[] = {"group.id", "connectd-internal-reader", "enable.auto.commit", "false", NULL};
    rd_kafka_conf_t *conf = client_conf_new(bootstrap, worker_props, "consumer.", defaults);
    char err[256];
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "100", err, sizeof(err));
    tail->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!tail->rk) {
        snprintf(errstr, errstr_size, "cannot create a consumer for %s: %s", topic, err);
        config_tail_stop(tail);
        return NULL;
    }
    rd_kafka_poll_set_consumer(tail->rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t rerr = rd_kafka_assign(tail->rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (rerr) {
        snprintf(errstr, errstr_size, "cannot read topic %s: %s", topic, rd_kafka_err2str(rerr));
        config_tail_stop(tail);
        return NULL;
    }
    int rc = pthread_create(&tail->thread, NULL, tail_main, tail);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the config topic's reader: %s", strerror(rc));
        tail->thread = 0;
        config_tail_stop(tail);
        return NULL;
    }
    return tail;
}

int64_t config_tail_offset(config_tail_t *tail)
{
    pthread_mutex_lock(&tail->lock);
    int64_t offset = tail->offset;
    pthread_mutex_unlock(&tail->lock);
    return offset;
}

bool config_tail_catch_up(config_tail_t *tail, int timeout_ms)
{
    int64_t low, high;
    if (rd_kafka_query_watermark_offsets(tail->rk, tail->topic, 0, &low, &high, timeout_ms) != 0) {
        return false;
    }
    int64_t deadline = clock_mono_ms() + timeout_ms;
    pthread_mutex_lock(&tail->lock);
    /* Compaction may have removed the last records: an offset at or past
     * the high watermark, or an empty topic, is the end. */
    while (high > low && tail->offset < high && clock_mono_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += TAIL_POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&tail->advanced, &tail->lock, &ts);
    }
    bool done = high <= low || tail->offset >= high;
    pthread_mutex_unlock(&tail->lock);
    return done;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const connect_assignor_connector_t *)a)->name, ((const connect_assignor_connector_t *)b)->name);
}

connect_assignor_connector_t *config_tail_snapshot(config_tail_t *tail, size_t *n)
{
    pthread_mutex_lock(&tail->lock);
    connect_assignor_connector_t *out = xcalloc(tail->n_connectors + 1, sizeof(*out));
    *n = 0;
    for (size_t i = 0; i < tail->n_connectors; i++) {
        if (tail->connectors[i].config) {
            out[(*n)++] = (connect_assignor_connector_t){xstrdup(tail->connectors[i].name),
                                                         tail->connectors[i].n_tasks};
        }
    }
    pthread_mutex_unlock(&tail->lock);
    qsort(out, *n, sizeof(*out), compare_names);
    return out;
}

void config_tail_snapshot_free(connect_assignor_connector_t *connectors, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)connectors[i].name);
    }
    free(connectors);
}

properties_t *config_tail_connector_config(config_tail_t *tail, const char *name)
{
    pthread_mutex_lock(&tail->lock);
    tail_connector_t *c = tail_find_config(tail, name);
    properties_t *config = c ? props_copy(c->config) : NULL;
    pthread_mutex_unlock(&tail->lock);
    return config;
}

connect_target_state_t config_tail_target_state(config_tail_t *tail, const char *name)
{
    pthread_mutex_lock(&tail->lock);
    tail_connector_t *c = tail_find_config(tail, name);
    connect_target_state_t target = c ? c->target : CONNECT_TARGET_STARTED;
    pthread_mutex_unlock(&tail->lock);
    return target;
}

properties_t **config_tail_task_configs(config_tail_t *tail, const char *name, int32_t *n)
{
    pthread_mutex_lock(&tail->lock);
    tail_connector_t *c = tail_find_config(tail, name);
    properties_t **tasks = NULL;
    *n = c ? c->n_tasks : 0;
    if (c) {
        tasks = xcalloc((size_t)c->n_tasks + 1, sizeof(*tasks));
        for (int32_t i = 0; i < c->n_tasks; i++) {
            tasks[i] = props_copy(c->tasks[i]);
        }
    }
    pthread_mutex_unlock(&tail->lock);
    return tasks;
}

void config_tail_task_configs_free(properties_t **tasks, int32_t n)
{
    tail_tasks_free(tasks, n);
}

void config_tail_stop(config_tail_t *tail)
{
    if (!tail) {
        return;
    }
    atomic_store(&tail->stopping, true);
    if (tail->thread) {
        pthread_join(tail->thread, NULL);
    }
    if (tail->rk) {
        rd_kafka_consumer_close(tail->rk);
        rd_kafka_destroy(tail->rk);
    }
    for (size_t i = 0; i < tail->n_connectors; i++) {
        tail_connector_free(&tail->connectors[i]);
    }
    free(tail->connectors);
    pthread_cond_destroy(&tail->advanced);
    pthread_mutex_destroy(&tail->lock);
    free(tail->topic);
    free(tail);
}
