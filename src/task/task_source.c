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
#include "clock.h"
#include "data/data.h"
#include "error_handler.h"
#include "task_runner_internal.h"
#include "transforms/transform_chain.h"

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
    transform_chain_t *chain; /* transforms=, between poll() and the converters */
    error_handler_t *eh; /* errors.*: conversion and produce failures */
    rd_kafka_resp_err_t delivery_error; /* first failed delivery errors.tolerance did not tolerate */
    char delivery_topic[256];
    /* Deliveries since the last publish_deliveries(): counted by
     * on_delivery on this thread, added to the metrics once per batch
     * (failed ones the error handler counts). */
    uint64_t delivered;
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

/* rec is done with (sent, skipped or dropped): its source offset commits
 * with the next commit. */
static void pending_note(pending_t *p, const cd_record_t *rec)
{
    const cd_value_t *sp = data_record_source_partition(rec);
    if (sp) {
        pending_set(p, sp, data_record_source_offset(rec));
    }
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
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        headers = NULL;
    }
    rd_kafka_timestamp_type_t tstype;
    error_record_t er = {.topic = rd_kafka_topic_name(msg->rkt), .partition = msg->partition, .offset = -1,
                         .timestamp = rd_kafka_message_timestamp(msg, &tstype), .key = msg->key,
                         .key_len = msg->key_len, .value = msg->payload, .value_len = msg->len,
                         .headers = headers, .have_bytes = true};
    if (error_handler_failed(s->eh, ERROR_STAGE_KAFKA_PRODUCE, "org.apache.kafka.connect.runtime.WorkerSourceTask",
                             NULL, &er, rd_kafka_err2str(msg->err)) == ERROR_SKIP) {
        return; /* tolerated: the record's source offset commits all the same, as Kafka's */
    }
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
}

/* Commits the pending offsets once everything produced is acknowledged.
 * Returns false when the task failed. */
static bool commit_offsets(source_t *s)
{
    task_runner_t *r = s->r;
    task_metrics_t *m = &r->metrics;
    int64_t t0 = clock_mono_ns();
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
    /* Offsets of records sent to the dead letter queue wait for its
     * acknowledgement too. */
    int dlq = runner_dlq_flush(r, s->eh);
    if (dlq != 0) {
        return dlq > 0;
    }
    if (wrote) {
        char err[512];
        /* An abandoned task commits nothing: its connector may be gone, or
         * another instance of it may be committing the same partitions. */
        int rc = runner_report_begin(r) ? offset_store_put(r->env.offsets, r->env.connector,
                                                           (const char *const *)s->pending.partitions,
                                                           (const char *const *)s->pending.offsets, s->pending.n,
                                                           err, sizeof(err))
                                        : 0;
        runner_report_end(r);
        if (rc < 0) {
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
        metrics_summary_observe(m->commit_time, (uint64_t)(clock_mono_ns() - t0));
    }
    return true;
}

/* A record that failed in `stage`: errors.tolerance skips it (its source
 * offset still commits, as Kafka's) or fails the task.  `bytes` is the
 * record as converted when its converters ran, else NULL (the handler
 * renders the Connect record).  Returns whether the task goes on. */
static bool record_failed(source_t *s, const cd_record_t *rec, error_stage_t stage, const char *class_name,
                          const error_record_t *bytes, const char *err)
{
    error_record_t er = bytes ? *bytes : (error_record_t){0};
    er.topic = data_record_topic(rec);
    er.partition = data_record_partition(rec);
    er.offset = -1;
    er.timestamp = data_record_timestamp(rec);
    er.rec = rec;
    if (error_handler_failed(s->eh, stage, class_name, NULL, &er, err) == ERROR_FAIL) {
        runner_fail(s->r, "%s", error_handler_trace(s->eh));
        return false;
    }
    pending_note(&s->pending, rec);
    return true;
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
                               err, sizeof(err)) < 0) {
        return record_failed(s, rec, ERROR_STAGE_KEY_CONVERTER, converter_class_name(s->key_conv), NULL, err);
    }
    if (converter_from_connect(s->value_conv, topic, api->record_value_schema(rec), api->record_value(rec), &value,
                               &value_len, err, sizeof(err)) < 0) {
        free(key);
        return record_failed(s, rec, ERROR_STAGE_VALUE_CONVERTER, converter_class_name(s->value_conv), NULL, err);
    }
    rd_kafka_headers_t *headers = NULL;
    size_t n_headers = api->record_header_count(rec);
    for (size_t i = 0; i < n_headers; i++) {
        unsigned char *hv = NULL;
        size_t hv_len = 0;
        if (converter_from_connect(s->header_conv, topic, NULL, api->record_header_value(rec, i), &hv, &hv_len, err,
                                   sizeof(err)) < 0) {
            char why[1024];
            snprintf(why, sizeof(why), "header '%s': %s", api->record_header_key(rec, i), err);
            free(key);
            free(value);
            rd_kafka_headers_destroy(headers);
            return record_failed(s, rec, ERROR_STAGE_HEADER_CONVERTER, converter_class_name(s->header_conv), NULL,
                                 why);
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
    if (e) {
        error_record_t bytes = {.key = key, .key_len = key_len, .value = value, .value_len = value_len,
                                .headers = headers, .have_bytes = true};
        bool goes_on = record_failed(s, rec, ERROR_STAGE_KAFKA_PRODUCE,
                                     "org.apache.kafka.connect.runtime.WorkerSourceTask", &bytes, rd_kafka_err2str(e));
        free(key);
        free(value);
        rd_kafka_headers_destroy(headers);
        return goes_on;
    }
    free(key);
    free(value);
    pending_note(&s->pending, rec);
    return true;
}

/* The connector's transforms, then send_record; false when the task
 * failed.  A record a transform drops is done with: its source offset
 * commits as if it had been sent (Kafka does the same). */
static bool transform_and_send(source_t *s, cd_record_t *rec)
{
    cd_record_t *out;
    char err[1024];
    if (transform_chain_length(s->chain) == 0) {
        return send_record(s, rec);
    }
    if (transform_chain_apply(s->chain, rec, &out, err, sizeof(err)) < 0) {
        /* errors.tolerance: skipped (its source offset commits) or the task fails. */
        return record_failed(s, rec, ERROR_STAGE_TRANSFORMATION, TRANSFORMATION_CLASS, NULL, err);
    }
    if (!out) {
        pending_note(&s->pending, rec);
        return true;
    }
    bool ok = send_record(s, out);
    if (out != rec) {
        data_record_free(out);
    }
    return ok;
}

static bool setup(source_t *s, char *err, size_t err_size)
{
    task_runner_t *r = s->r;
    if (!runner_converters(r, &s->key_conv, &s->value_conv, &s->header_conv, err, err_size)) {
        return false;
    }
    s->chain = transform_chain_create(r->env.config, r->env.connector, r->env.task_id, err, err_size);
    if (!s->chain) {
        return false;
    }
    s->eh = runner_error_handler(r, err, err_size);
    if (!s->eh) {
        return false;
    }
    rd_kafka_conf_t *conf =
        client_conf_new(r->env.bootstrap, r->env.wcfg->props, "producer.", client_conf_task_producer_defaults);
    char e[256];
    if (!runner_client_overrides(r, conf, "producer.override.", err, err_size)) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
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
    int64_t last_commit = clock_mono_ms();
    bool ok = true;
    task_metrics_t *m = &r->metrics;
    while (ok && !api->is_stopping(r->ctx)) {
        if (atomic_load(&r->paused)) {
            rd_kafka_poll(s.producer, PAUSED_WAIT_MS); /* deliveries still complete */
            publish_deliveries(&s);
            continue;
        }
        size_t n = 0;
        int64_t t0 = clock_mono_ns();
        cd_rc_t rc = desc->poll(r->ctx, r->plugin_state, recs, POLL_BATCH, &n, POLL_TIMEOUT_MS);
        if (rc == CD_RETRY) {
            metrics_counter_add(&m->retries, 1);
            usleep(RETRY_PAUSE_MS * 1000);
            continue;
        }
        if (rc != CD_OK) { /* a positive code is none of cd_rc_t's: the plugin is broken */
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
            metrics_summary_observe(m->batch_time, (uint64_t)(clock_mono_ns() - t0));
            metrics_summary_observe(m->batch_size, n);
            metrics_counter_add(&m->records_in, n);
        }
        for (size_t i = 0; i < n; i++) {
            if (ok && !recs[i]) {
                metrics_counter_add(&m->record_failures, 1);
                runner_fail(r, "poll returned a NULL record at position %zu", i);
                ok = false;
            }
            ok = ok && transform_and_send(&s, recs[i]);
            data_record_free(recs[i]);
        }
        rd_kafka_poll(s.producer, 0);
        error_handler_poll(s.eh);
        publish_deliveries(&s);
        if (ok && s.delivery_error) {
            runner_fail(r, "cannot produce to topic '%s': %s", s.delivery_topic, rd_kafka_err2str(s.delivery_error));
            ok = false;
        }
        if (ok && clock_mono_ms() - last_commit >= r->env.wcfg->offset_flush_interval_ms) {
            ok = commit_offsets(&s);
            last_commit = clock_mono_ms();
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
    error_handler_destroy(s.eh, (int)r->env.wcfg->offset_flush_timeout_ms); /* after the deliveries it may DLQ */
    converter_destroy(s.key_conv);
    converter_destroy(s.value_conv);
    converter_destroy(s.header_conv);
    transform_chain_destroy(s.chain);
    pending_clear(&s.pending);
    free(s.pending.partitions);
    free(s.pending.offsets);
}
