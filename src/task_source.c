/*
 * task_source.c - a source task's loop: poll the plugin, convert, produce,
 * and commit source offsets of acknowledged records.
 *
 * Offsets: the latest source offset of every source partition polled since
 * the last commit waits in `pending`.  A commit first waits until the
 * producer has no record in flight (rd_kafka_flush), so every record those
 * offsets cover is acknowledged, then writes them to the offset store.  If
 * the flush does not finish within offset.flush.timeout.ms, the commit is
 * tried again at the next interval, as Kafka does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blog.h"
#include "data.h"
#include "task_runner_internal.h"

#define POLL_BATCH 2000 /* Kafka's batch.size default: the most a poll may return */
#define POLL_TIMEOUT_MS 1000
#define RETRY_PAUSE_MS 1000
#define PAUSED_WAIT_MS 100

typedef struct pending {
    char **partitions; /* JSON */
    char **offsets;    /* JSON */
    int n, cap;
} pending_t;

typedef struct source {
    task_runner_t *r;
    rd_kafka_t *producer;
    converter_t *key_conv, *value_conv, *header_conv;
    pending_t pending;
    rd_kafka_resp_err_t delivery_error; /* first failed delivery */
    char delivery_topic[256];
    /* Deliveries since the last publish_deliveries(): counted by
     * on_delivery on this thread, added to the metrics once per batch. */
    uint64_t delivered, undelivered;
} source_t;

static void pending_set(pending_t *p, const cd_value_t *partition, const cd_value_t *offset)
{
    char *pj = data_value_to_json(partition), *oj = offset ? data_value_to_json(offset) : NULL;
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->partitions[i], pj) == 0) {
            free(pj);
            free(p->offsets[i]);
            p->offsets[i] = oj;
            return;
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->partitions = realloc(p->partitions, sizeof(char *) * (size_t)p->cap);
        p->offsets = realloc(p->offsets, sizeof(char *) * (size_t)p->cap);
        if (!p->partitions || !p->offsets) {
            abort();
        }
    }
    p->partitions[p->n] = pj;
    p->offsets[p->n++] = oj;
}

static void pending_clear(pending_t *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->partitions[i]);
        free(p->offsets[i]);
    }
    p->n = 0;
}

/* Called from rd_kafka_poll() and rd_kafka_flush(), on the task's thread. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    source_t *s = opaque;
    if (!msg->err) {
        s->delivered++;
        return;
    }
    s->undelivered++;
    if (!s->delivery_error) {
        s->delivery_error = msg->err;
        snprintf(s->delivery_topic, sizeof(s->delivery_topic), "%s", rd_kafka_topic_name(msg->rkt));
    }
}

/* Adds the deliveries on_delivery counted to the task's metrics. */
static void publish_deliveries(source_t *s)
{
    task_metrics_t *m = &s->r->metrics;
    if (s->delivered) {
        metrics_counter_add(&m->records_out, s->delivered);
        s->delivered = 0;
    }
    if (s->undelivered) {
        metrics_counter_add(&m->record_failures, s->undelivered);
        metrics_counter_add(&m->record_errors, s->undelivered);
        s->undelivered = 0;
    }
}

/* Commits the pending offsets once everything produced is acknowledged.
 * Returns false when the task failed. */
static bool commit_offsets(source_t *s)
{
    task_runner_t *r = s->r;
    task_metrics_t *m = &r->metrics;
    int64_t t0 = metrics_now_ns();
    bool wrote = s->pending.n > 0 && r->env.offsets;
    rd_kafka_resp_err_t flushed = rd_kafka_flush(s->producer, (int)r->env.wcfg->offset_flush_timeout_ms);
    publish_deliveries(s);
    if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
        blog_warn("task %s-%d: records still in flight after offset.flush.timeout.ms; offsets are committed later",
                  r->env.connector, r->env.task_id);
        metrics_counter_add(&m->commit_failures, 1);
        return true;
    }
    if (s->delivery_error) {
        metrics_counter_add(&m->commit_failures, 1);
        runner_fail(r, "cannot produce to topic '%s': %s", s->delivery_topic, rd_kafka_err2str(s->delivery_error));
        return false;
    }
    if (wrote) {
        char err[512];
        if (offset_store_put(r->env.offsets, r->env.connector, (const char *const *)s->pending.partitions,
                             (const char *const *)s->pending.offsets, s->pending.n, err, sizeof(err)) < 0) {
            blog_error("task %s-%d: offset commit failed (retried at the next interval): %s", r->env.connector,
                       r->env.task_id, err);
            metrics_counter_add(&m->commit_failures, 1);
            return true;
        }
        pending_clear(&s->pending);
    }
    const cd_plugin_desc_t *desc = r->env.plugin->desc;
    if (desc->commit && desc->commit(r->ctx, r->plugin_state) < 0) {
        metrics_counter_add(&m->commit_failures, 1);
        runner_fail(r, "%s", runner_plugin_error(r, "commit failed"));
        return false;
    }
    if (wrote) { /* an interval with nothing polled commits nothing: not counted, as Kafka skips it */
        metrics_counter_add(&m->commits, 1);
        metrics_summary_observe(m->commit_time, (uint64_t)(metrics_now_ns() - t0));
    }
    return true;
}

/* A record that failed for good: counted, then the task fails. */
static void record_error(task_runner_t *r)
{
    metrics_counter_add(&r->metrics.record_failures, 1);
    metrics_counter_add(&r->metrics.record_errors, 1);
}

/* Converts and produces one record; false when the task failed. */
static bool send_record(source_t *s, cd_record_t *rec)
{
    const cd_host_api_t *api = worker_host_api();
    task_runner_t *r = s->r;
    const char *topic = api->record_topic(rec);
    char err[512];
    if (!topic || !*topic) {
        runner_fail(r, "the connector returned a record without a topic");
        return false;
    }
    runner_topic_used(r, topic);
    unsigned char *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0;
    if (converter_from_connect(s->key_conv, topic, api->record_key_schema(rec), api->record_key(rec), &key, &key_len,
                               err, sizeof(err)) < 0 ||
        converter_from_connect(s->value_conv, topic, api->record_value_schema(rec), api->record_value(rec), &value,
                               &value_len, err, sizeof(err)) < 0) {
        free(key);
        record_error(r);
        runner_fail(r, "cannot convert a record for topic '%s': %s", topic, err);
        return false;
    }
    rd_kafka_headers_t *headers = NULL;
    size_t n_headers = api->record_header_count(rec);
    for (size_t i = 0; i < n_headers; i++) {
        unsigned char *hv = NULL;
        size_t hv_len = 0;
        if (converter_from_connect(s->header_conv, topic, NULL, api->record_header_value(rec, i), &hv, &hv_len, err,
                                   sizeof(err)) < 0) {
            record_error(r);
            runner_fail(r, "cannot convert header '%s' for topic '%s': %s", api->record_header_key(rec, i), topic, err);
            free(key);
            free(value);
            rd_kafka_headers_destroy(headers);
            return false;
        }
        if (!headers) {
            headers = rd_kafka_headers_new(n_headers);
        }
        rd_kafka_header_add(headers, api->record_header_key(rec, i), -1, hv, hv ? (ssize_t)hv_len : 0);
        free(hv);
    }
    int32_t partition = api->record_partition(rec);
    int64_t ts = api->record_timestamp(rec);
    rd_kafka_resp_err_t e;
    do {
        e = rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(topic),
                              RD_KAFKA_V_PARTITION(partition >= 0 ? partition : RD_KAFKA_PARTITION_UA),
                              RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(value, value_len),
                              RD_KAFKA_V_TIMESTAMP(ts > 0 ? ts : 0), RD_KAFKA_V_HEADERS(headers),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(s->producer, 100); /* back-pressure: wait for deliveries */
        }
    } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
    free(key);
    free(value);
    if (e) {
        rd_kafka_headers_destroy(headers);
        record_error(r);
        runner_fail(r, "cannot produce to topic '%s': %s", topic, rd_kafka_err2str(e));
        return false;
    }
    const cd_value_t *sp = data_record_source_partition(rec);
    if (sp) {
        pending_set(&s->pending, sp, data_record_source_offset(rec));
    }
    return true;
}

static bool setup(source_t *s, char *err, size_t err_size)
{
    task_runner_t *r = s->r;
    if (!runner_converters(r, &s->key_conv, &s->value_conv, &s->header_conv, err, err_size)) {
        return false;
    }
    static const char *const defaults[] = {"enable.idempotence", "true", "linger.ms", "5", NULL};
    rd_kafka_conf_t *conf = client_conf_new(r->env.bootstrap, r->env.wcfg->props, "producer.", defaults);
    char e[256];
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, s);
    s->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
    if (!s->producer) {
        snprintf(err, err_size, "cannot create the producer: %s", e);
        return false;
    }
    return true;
}

void source_task_run(task_runner_t *r)
{
    source_t s = {.r = r};
    const cd_plugin_desc_t *desc = r->env.plugin->desc;
    char err[512];
    if (!setup(&s, err, sizeof(err))) {
        runner_fail(r, "%s", err);
        goto out;
    }
    if (!runner_start_plugin(r)) {
        goto out;
    }
    const cd_host_api_t *api = worker_host_api();
    cd_record_t *recs[POLL_BATCH];
    int64_t last_commit = runner_now_ms();
    bool ok = true;
    task_metrics_t *m = &r->metrics;
    while (ok && !api->is_stopping(r->ctx)) {
        if (atomic_load(&r->paused)) {
            rd_kafka_poll(s.producer, PAUSED_WAIT_MS); /* deliveries still complete */
            publish_deliveries(&s);
            continue;
        }
        size_t n = 0;
        int64_t t0 = metrics_now_ns();
        cd_rc_t rc = desc->poll(r->ctx, r->plugin_state, recs, POLL_BATCH, &n, POLL_TIMEOUT_MS);
        if (rc == CD_RETRY) {
            metrics_counter_add(&m->retries, 1);
            usleep(RETRY_PAUSE_MS * 1000);
            continue;
        }
        if (rc < 0) {
            metrics_counter_add(&m->record_failures, 1);
            runner_fail(r, "%s", runner_plugin_error(r, "poll failed"));
            ok = false;
            break;
        }
        if (n > POLL_BATCH) {
            /* What lies past the room we gave cannot be trusted or freed. */
            metrics_counter_add(&m->record_failures, 1);
            runner_fail(r, "poll returned %zu records into room for %d", n, POLL_BATCH);
            n = POLL_BATCH;
            ok = false;
        }
        if (ok && n > 0) { /* Kafka's poll-batch-time counts only polls that returned records */
            metrics_summary_observe(m->batch_time, (uint64_t)(metrics_now_ns() - t0));
            metrics_summary_observe(m->batch_size, n);
            metrics_counter_add(&m->records_in, n);
        }
        for (size_t i = 0; i < n; i++) {
            if (ok && !recs[i]) {
                metrics_counter_add(&m->record_failures, 1);
                runner_fail(r, "poll returned a NULL record at position %zu", i);
                ok = false;
            }
            ok = ok && send_record(&s, recs[i]);
            data_record_free(recs[i]);
        }
        rd_kafka_poll(s.producer, 0);
        publish_deliveries(&s);
        if (ok && s.delivery_error) {
            runner_fail(r, "cannot produce to topic '%s': %s", s.delivery_topic, rd_kafka_err2str(s.delivery_error));
            ok = false;
        }
        if (ok && runner_now_ms() - last_commit >= r->env.wcfg->offset_flush_interval_ms) {
            ok = commit_offsets(&s);
            last_commit = runner_now_ms();
        }
    }
    if (ok) {
        commit_offsets(&s); /* a clean stop commits what the broker has */
    }
    runner_stop_plugin(r);
    if (ok) {
        runner_set_state(r, TASK_STOPPED);
    }
out:
    if (s.producer) {
        rd_kafka_flush(s.producer, (int)r->env.wcfg->offset_flush_timeout_ms);
        publish_deliveries(&s); /* a FAILED task stays on show with its counts */
        rd_kafka_destroy(s.producer);
    }
    converter_destroy(s.key_conv);
    converter_destroy(s.value_conv);
    converter_destroy(s.header_conv);
    pending_clear(&s.pending);
    free(s.pending.partitions);
    free(s.pending.offsets);
}
