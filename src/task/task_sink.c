/*
 * task_sink.c - a sink task's loop: consume in group connect-<connector>,
 * convert, put(), and commit consumed offsets only after flush().
 *
 * `consumed` holds the next offset of every partition whose records were
 * put since the last commit.  A commit calls flush() and, when it
 * succeeds, commits exactly those offsets; on a rebalance the revoked
 * partitions are committed first, so the next owner starts after what this
 * task made durable.
 *
 * A sink of plugin ABI 1.3 or later may reject a record after put()
 * returned, in a later put() or in flush(), as an asynchronous writer
 * learns an item failed only when its request completes.  For such a
 * sink every record put() was lent stays allocated (emptied of its key,
 * value and headers, which the plugin may no longer read) together with
 * the consumed message it was made from, until the flush that covers it
 * succeeded: a late rejection then reaches the dead letter queue with the
 * record's original bytes and headers, and a rejection that the handler
 * does not tolerate fails the task before its offset is committed.
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

#define CONSUME_BATCH 2000
#define CONSUME_TIMEOUT_MS 500
#define RETRY_PAUSE_MS 1000
/* The plugin ABI minor from which record_reject accepts the records of
 * earlier put() calls (plugin.h, record_reject). */
#define LATE_REJECT_ABI_MINOR 3

typedef struct sink {
    task_runner_t *r;
    rd_kafka_t *consumer;
    converter_t *key_conv, *value_conv, *header_conv;
    rd_kafka_topic_partition_list_t *consumed;
    bool failed;
    transform_chain_t *chain; /* transforms=, between the converters and put() */
    /* errors.*: conversion failures and records put() rejects. */
    error_handler_t *eh;
    /* The batch under put(): recs[i] was made from msgs[i], so a rejected
     * record is found with its consumed bytes; reject_failed when the
     * handler did not tolerate one. */
    cd_record_t **put_recs;
    rd_kafka_message_t **put_msgs;
    size_t n_put;
    bool reject_failed;
    /* ABI 1.3 sinks: the records of earlier put() calls since the last
     * successful flush (emptied) and the messages they were made from,
     * kept_recs[i] from kept_msgs[i], for a late record_reject. */
    bool late_reject;
    cd_record_t **kept_recs;
    rd_kafka_message_t **kept_msgs;
    size_t n_kept, cap_kept;
    /* Whether the assigned partitions are paused, as the loop or the
     * rebalance callback (both on the task's thread) last left them.  Only
     * a paused assignment is ever resumed: librdkafka (2.0) fetches a
     * partition resumed without a pause again from where its assignment
     * began, which put() every record since twice. */
    bool assignment_paused;
} sink_t;

/* A consumed message as the error handler reports it: as consumed. */
static error_record_t consumed_error_record(const rd_kafka_message_t *msg)
{
    rd_kafka_timestamp_type_t tstype;
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        headers = NULL;
    }
    return (error_record_t){.topic = rd_kafka_topic_name(msg->rkt), .partition = msg->partition,
                            .offset = msg->offset, .timestamp = rd_kafka_message_timestamp(msg, &tstype),
                            .key = msg->key, .key_len = msg->key_len, .value = msg->payload,
                            .value_len = msg->len, .headers = headers, .have_bytes = true};
}

/* Frees the records kept for a late record_reject and their messages:
 * a flush covered them, or the task ends. */
static void kept_release(sink_t *s)
{
    for (size_t i = 0; i < s->n_kept; i++) {
        data_record_free(s->kept_recs[i]);
        rd_kafka_message_destroy(s->kept_msgs[i]);
    }
    s->n_kept = 0;
}

/* Keeps rec, made from msg, for a late record_reject; takes both.  Its
 * key, value and headers go at once: only its identity is needed. */
static void kept_add(sink_t *s, cd_record_t *rec, rd_kafka_message_t *msg)
{
    if (s->n_kept == s->cap_kept) {
        s->cap_kept = s->cap_kept ? s->cap_kept * 2 : 1024;
        s->kept_recs = realloc(s->kept_recs, s->cap_kept * sizeof(*s->kept_recs));
        s->kept_msgs = realloc(s->kept_msgs, s->cap_kept * sizeof(*s->kept_msgs));
        if (!s->kept_recs || !s->kept_msgs) {
            abort();
        }
    }
    data_record_set_key(rec, NULL, NULL);
    data_record_set_value(rec, NULL, NULL);
    while (data_record_header_count(rec) > 0) {
        data_record_remove_header(rec, data_record_header_count(rec) - 1);
    }
    s->kept_recs[s->n_kept] = rec;
    s->kept_msgs[s->n_kept++] = msg;
}

/* The plugin's record_reject, during put() or (ABI 1.3) later, for a
 * record of an earlier put() not yet covered by a flush: errors.tolerance
 * decides. */
static void on_reject(void *opaque, const cd_record_t *rec, const char *reason)
{
    sink_t *s = opaque;
    const rd_kafka_message_t *msg = NULL;
    for (size_t i = 0; i < s->n_put && !msg; i++) {
        msg = s->put_recs[i] == rec ? s->put_msgs[i] : NULL;
    }
    /* Late rejections name recent records most often: search from the end. */
    for (size_t i = s->n_kept; i > 0 && !msg; i--) {
        msg = s->kept_recs[i - 1] == rec ? s->kept_msgs[i - 1] : NULL;
    }
    /* A record put() made itself has no bytes: the handler renders it as JSON. */
    error_record_t er = msg ? consumed_error_record(msg)
                            : (error_record_t){.topic = data_record_topic(rec), .partition = data_record_partition(rec),
                                               .offset = data_record_offset(rec),
                                               .timestamp = data_record_timestamp(rec), .rec = rec};
    if (!s->reject_failed &&
        error_handler_failed(s->eh, ERROR_STAGE_TASK_PUT, s->r->env.plugin->desc->name, NULL, &er, reason) ==
            ERROR_FAIL) {
        s->reject_failed = true;
    }
}

/* flush() then commit of `consumed`; false when the task failed. */
static bool commit_consumed(sink_t *s)
{
    task_runner_t *r = s->r;
    task_metrics_t *m = &r->metrics;
    if (s->failed) {
        return false;
    }
    int64_t t0 = clock_mono_ns();
    if (r->env.plugin->desc->flush(r->ctx, r->plugin_state) < 0) {
        metrics_counter_add(&m->commit_failures, 1);
        runner_fail(r, "%s", runner_plugin_error(r, "flush failed"));
        s->failed = true;
        return false;
    }
    if (s->reject_failed) { /* flush() rejected a record errors.tolerance does not tolerate */
        metrics_counter_add(&m->commit_failures, 1);
        runner_fail(r, "%s", error_handler_trace(s->eh));
        s->failed = true;
        return false;
    }
    /* Everything put so far is written or rejected: no later rejection can
     * name these records. */
    kept_release(s);
    /* Records sent to the dead letter queue are committed only once it
     * acknowledged them. */
    int dlq = runner_dlq_flush(r, s->eh);
    if (dlq != 0) {
        s->failed = dlq < 0;
        return dlq > 0;
    }
    if (s->consumed->cnt > 0) {
        /* An abandoned task commits nothing: its connector may be gone, or
         * another instance of it may own these partitions now. */
        rd_kafka_resp_err_t e =
            runner_report_begin(r) ? rd_kafka_commit(s->consumer, s->consumed, 0) : RD_KAFKA_RESP_ERR__NO_OFFSET;
        runner_report_end(r);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            metrics_counter_add(&m->commit_failures, 1);
            blog_warn("task %s-%d: offset commit failed (records may be delivered again): %s", r->env.connector,
                      r->env.task_id, rd_kafka_err2str(e));
        } else {
            metrics_counter_add(&m->commits, 1);
            metrics_summary_observe(m->commit_time, (uint64_t)(clock_mono_ns() - t0));
        }
        rd_kafka_topic_partition_list_destroy(s->consumed);
        s->consumed = rd_kafka_topic_partition_list_new(8);
    }
    return true;
}

/* Pauses (or resumes) fetching of every assigned partition; the consumer
 * keeps polling, so it stays in its group. */
static void pause_assignment(rd_kafka_t *rk, bool pause)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(rk, &parts) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (pause) {
            rd_kafka_pause_partitions(rk, parts);
        } else {
            rd_kafka_resume_partitions(rk, parts);
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    sink_t *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, parts);
        s->assignment_paused = atomic_load(&s->r->paused);
        if (s->assignment_paused) {
            rd_kafka_pause_partitions(rk, parts); /* a paused task stays paused across rebalances */
        }
    } else {
        if (s->r->started) {
            commit_consumed(s);
        }
        rd_kafka_assign(rk, NULL);
    }
}

/* A consumed message as a record lent to put(); NULL when it cannot be
 * converted: skipped under errors.tolerance=all, else the task failed. */
static cd_record_t *to_record(sink_t *s, const rd_kafka_message_t *msg)
{
    const cd_host_api_t *api = worker_host_api();
    const char *topic = rd_kafka_topic_name(msg->rkt);
    runner_topic_used(s->r, topic);
    cd_record_t *rec = data_record_new();
    rd_kafka_timestamp_type_t tstype;
    data_record_set_kafka(rec, topic, msg->partition, msg->offset, rd_kafka_message_timestamp(msg, &tstype));
    cd_schema_t *schema;
    cd_value_t *value;
    char err[1024];
    error_stage_t stage = ERROR_STAGE_KEY_CONVERTER;
    const converter_t *conv = s->key_conv;
    if (converter_to_connect(s->key_conv, topic, msg->key, msg->key_len, &schema, &value, err, sizeof(err)) < 0) {
        goto bad;
    }
    api->record_set_key(rec, schema, value);
    if (converter_to_connect(s->value_conv, topic, msg->payload, msg->len, &schema, &value, err, sizeof(err)) < 0) {
        stage = ERROR_STAGE_VALUE_CONVERTER;
        conv = s->value_conv;
        goto bad;
    }
    api->record_set_value(rec, schema, value);
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *data;
        size_t len;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &data, &len) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
            char why[512];
            if (converter_to_connect(s->header_conv, topic, data, len, &schema, &value, why, sizeof(why)) < 0) {
                snprintf(err, sizeof(err), "header '%s': %s", name, why);
                stage = ERROR_STAGE_HEADER_CONVERTER;
                conv = s->header_conv;
                goto bad;
            }
            api->record_add_header(rec, name, schema, value);
        }
    }
    return rec;
bad:
    /* errors.tolerance: skipped (NULL, the task goes on) or the task fails. */
    data_record_free(rec);
    error_record_t er = consumed_error_record(msg);
    if (error_handler_failed(s->eh, stage, converter_class_name(conv), NULL, &er, err) == ERROR_FAIL) {
        runner_fail(s->r, "%s", error_handler_trace(s->eh));
        s->failed = true;
    }
    return NULL;
}

/* The connector's transforms on a converted record: the record to put()
 * (rec or a new one; rec is then freed), or NULL when a transform dropped
 * it (its offset still counts as consumed) or failed (then the task
 * failed). */
static cd_record_t *transform_record(sink_t *s, const rd_kafka_message_t *msg, cd_record_t *rec)
{
    cd_record_t *out;
    char err[1024];
    if (transform_chain_apply(s->chain, rec, &out, err, sizeof(err)) < 0) {
        /* errors.tolerance: skipped (out is NULL) or the task fails. */
        error_record_t er = consumed_error_record(msg);
        if (error_handler_failed(s->eh, ERROR_STAGE_TRANSFORMATION, TRANSFORMATION_CLASS, NULL, &er, err) ==
            ERROR_FAIL) {
            runner_fail(s->r, "%s", error_handler_trace(s->eh));
            s->failed = true;
        }
    }
    if (out != rec) {
        data_record_free(rec);
    }
    return out;
}

static void note_consumed(sink_t *s, const rd_kafka_message_t *msg)
{
    const char *topic = rd_kafka_topic_name(msg->rkt);
    rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(s->consumed, topic, msg->partition);
    if (!tp) {
        tp = rd_kafka_topic_partition_list_add(s->consumed, topic, msg->partition);
    }
    tp->offset = msg->offset + 1;
}

/* put() of one consumed batch, retried while the plugin says CD_RETRY.
 * A message kept for a late rejection is taken (msgs[i] set to NULL); the
 * caller destroys the rest. */
static void put_batch(sink_t *s, rd_kafka_message_t **msgs, ssize_t n)
{
    task_runner_t *r = s->r;
    task_metrics_t *m = &r->metrics;
    const cd_host_api_t *api = worker_host_api();
    cd_record_t **recs = calloc((size_t)n + 1, sizeof(*recs));
    rd_kafka_message_t **from = calloc((size_t)n + 1, sizeof(*from)); /* recs[i] was made from from[i] */
    size_t n_recs = 0;
    uint64_t n_read = 0;
    for (ssize_t i = 0; i < n && !s->failed; i++) {
        if (msgs[i]->err) {
            /* The consumer's own errors (a topic not created yet) are
             * not records: logged, not counted. */
            if (msgs[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                blog_warn("task %s-%d: consumer: %s", r->env.connector, r->env.task_id, rd_kafka_message_errstr(msgs[i]));
            }
            continue;
        }
        n_read++;
        cd_record_t *rec = to_record(s, msgs[i]);
        if (rec && transform_chain_length(s->chain) > 0) {
            rec = transform_record(s, msgs[i], rec);
        }
        if (rec) {
            from[n_recs] = msgs[i];
            recs[n_recs++] = rec;
        }
    }
    metrics_counter_add(&m->records_in, n_read);
    while (!s->failed && n_recs > 0) {
        int64_t t0 = clock_mono_ns();
        s->put_recs = recs;
        s->put_msgs = from;
        s->n_put = n_recs;
        cd_rc_t rc = r->env.plugin->desc->put(r->ctx, r->plugin_state, recs, n_recs);
        s->n_put = 0;
        if (s->reject_failed) { /* put() rejected a record errors.tolerance does not tolerate */
            runner_fail(r, "%s", error_handler_trace(s->eh));
            s->failed = true;
            break;
        }
        if (rc == CD_OK) {
            metrics_summary_observe(m->batch_time, (uint64_t)(clock_mono_ns() - t0));
            metrics_summary_observe(m->batch_size, n_recs);
            metrics_counter_add(&m->records_out, n_recs);
            break;
        }
        if (rc != CD_RETRY || api->is_stopping(r->ctx)) {
            metrics_counter_add(&m->record_failures, 1);
            metrics_counter_add(&m->record_errors, n_recs);
            runner_fail(r, "%s", runner_plugin_error(r, "put failed"));
            s->failed = true;
            break;
        }
        metrics_counter_add(&m->retries, 1);
        usleep(RETRY_PAUSE_MS * 1000);
    }
    /* put() took the batch (or every record was skipped or dropped): all
     * of it is done with, and commits at the next interval. */
    for (ssize_t i = 0; i < n && !s->failed; i++) {
        if (!msgs[i]->err) {
            note_consumed(s, msgs[i]);
        }
    }
    size_t kept = 0;
    if (s->late_reject && !s->failed) {
        /* recs[i] was made from from[i], a distinct message each. */
        for (ssize_t i = 0; i < n; i++) {
            if (kept < n_recs && msgs[i] == from[kept]) {
                kept_add(s, recs[kept++], msgs[i]);
                msgs[i] = NULL;
            }
        }
    }
    for (size_t i = kept; i < n_recs; i++) {
        data_record_free(recs[i]);
    }
    free(recs);
    free(from);
}

static bool subscribe(sink_t *s, char *err, size_t err_size)
{
    const properties_t *cfg = s->r->env.config;
    const char *topics = properties_get(cfg, "topics"), *regex = properties_get(cfg, "topics.regex");
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(4);
    if (regex && *regex) {
        char pattern[1024];
        snprintf(pattern, sizeof(pattern), "%s%s", regex[0] == '^' ? "" : "^", regex);
        rd_kafka_topic_partition_list_add(subs, pattern, RD_KAFKA_PARTITION_UA);
    } else {
        char *copy = strdup(topics ? topics : ""), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            while (*t == ' ') {
                t++;
            }
            if (*t) {
                rd_kafka_topic_partition_list_add(subs, t, RD_KAFKA_PARTITION_UA);
            }
        }
        free(copy);
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->consumer, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e) {
        snprintf(err, err_size, "cannot subscribe: %s", rd_kafka_err2str(e));
        return false;
    }
    return true;
}

static bool setup(sink_t *s, char *err, size_t err_size)
{
    task_runner_t *r = s->r;
    s->consumed = rd_kafka_topic_partition_list_new(8);
    if (!runner_converters(r, &s->key_conv, &s->value_conv, &s->header_conv, err, err_size)) {
        return false;
    }
    s->eh = runner_error_handler(r, err, err_size);
    if (!s->eh) {
        return false;
    }
    task_context_set_reject(r->ctx, on_reject, s);
    s->late_reject = r->env.plugin->desc->abi_minor >= LATE_REJECT_ABI_MINOR;
    s->chain = transform_chain_create(r->env.config, r->env.connector, r->env.task_id, err, err_size);
    if (!s->chain) {
        return false;
    }
    /* earliest: Kafka Connect's sink default.  queued.min.messages: once
     * librdkafka 2.0's prefetch queue passes it, the fetcher pauses and only
     * looks again up to a second later, even when the task emptied the queue
     * at once; with small records the default (100000) made that pause the
     * pipeline's pace.  The byte bound (queued.max.messages.kbytes) still
     * caps the memory. */
    static const char *const defaults[] = {"auto.offset.reset", "earliest", "queued.min.messages", "1000000", NULL};
    rd_kafka_conf_t *conf = client_conf_new(r->env.bootstrap, r->env.wcfg->props, "consumer.", defaults);
    if (!runner_client_overrides(r, conf, "consumer.override.", err, err_size)) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    char group[512], e[256];
    snprintf(group, sizeof(group), "connect-%s", r->env.connector);
    /* The group and manual commits are the worker's business, not the user's. */
    rd_kafka_conf_set(conf, "group.id", group, e, sizeof(e));
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", e, sizeof(e));
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, s);
    s->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof(e));
    if (!s->consumer) {
        snprintf(err, err_size, "cannot create the consumer: %s", e);
        return false;
    }
    rd_kafka_poll_set_consumer(s->consumer);
    return subscribe(s, err, err_size);
}

void sink_task_run(task_runner_t *r)
{
    sink_t s = {.r = r};
    char err[512];
    if (!setup(&s, err, sizeof(err))) {
        runner_fail(r, "%s", err);
        goto out;
    }
    if (!runner_start_plugin(r)) {
        goto out;
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(s.consumer);
    rd_kafka_message_t *msgs[CONSUME_BATCH];
    int64_t last_commit = clock_mono_ms();
    const cd_host_api_t *api = worker_host_api();
    while (!s.failed && !api->is_stopping(r->ctx)) {
        if (atomic_load(&r->paused) != s.assignment_paused) {
            s.assignment_paused = !s.assignment_paused;
            pause_assignment(s.consumer, s.assignment_paused);
        }
        ssize_t n = rd_kafka_consume_batch_queue(queue, CONSUME_TIMEOUT_MS, msgs, CONSUME_BATCH);
        if (n > 0) {
            put_batch(&s, msgs, n);
            for (ssize_t i = 0; i < n; i++) {
                if (msgs[i]) {
                    rd_kafka_message_destroy(msgs[i]);
                }
            }
        }
        error_handler_poll(s.eh);
        if (!s.failed && clock_mono_ms() - last_commit >= r->env.wcfg->offset_flush_interval_ms) {
            commit_consumed(&s);
            last_commit = clock_mono_ms();
        }
    }
    rd_kafka_queue_destroy(queue);
    bool clean = !s.failed && commit_consumed(&s);
    runner_stop_plugin(r); /* also: the revoke at consumer close must not flush a stopped task */
    if (clean) {
        runner_set_state(r, TASK_STOPPED);
    }
out:
    /* Before the consumer goes: the kept messages are its. */
    kept_release(&s);
    free(s.kept_recs);
    free(s.kept_msgs);
    if (s.consumer) {
        rd_kafka_consumer_close(s.consumer);
        rd_kafka_destroy(s.consumer);
    }
    if (s.consumed) {
        rd_kafka_topic_partition_list_destroy(s.consumed);
    }
    converter_destroy(s.key_conv);
    converter_destroy(s.value_conv);
    converter_destroy(s.header_conv);
    transform_chain_destroy(s.chain);
    task_context_set_reject(r->ctx, NULL, NULL);
    error_handler_destroy(s.eh, (int)r->env.wcfg->offset_flush_timeout_ms);
}
