/*
 * handle_produce.c - Produce: validate each partition's batch, check the
 * idempotent producer's sequence, append, answer.
 *
 * On a single node the leader is the whole ISR, so acks=1 and acks=all are
 * both satisfied once the batch is in the log (page cache), exactly as a
 * Kafka cluster with one replica; log.flush.interval.* add fsync on top.
 * acks=0 gets no response; if such a request fails, the connection is
 * closed, which is how Kafka tells a fire-and-forget producer something went
 * wrong.
 */
#include <stdio.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "handle_cluster.h"
#include "handlers.h"
#include "records/legacy_records.h"

/* The topic a produce writes to, creating it first when
 * auto.create.topics.enable allows (on a single node: in a cluster topics
 * are created through the controller, and Metadata does that).  Called and returns with the registry
 * read lock held; creating drops it for the write lock meanwhile, so the
 * common case (the topic exists) costs one lookup. */
static topic_t *produce_topic(broker_ctx_t *ctx, kstr_t name)
{
    topic_t *topic = topics_find(ctx->topics, name);
    char err[256];
    if (topic || ctx->quorum || !ctx->cfg->auto_create_topics_enable || !topics_name_valid(name, err, sizeof(err))) {
        return topic;
    }
    topics_read_unlock(ctx->topics);
    topics_create(ctx->topics, name, -1, NULL, 0, false, err, sizeof(err));
    topics_read_lock(ctx->topics);
    return topics_find(ctx->topics, name);
}

static void append_one(kreq_t *req, topic_t *topic, produce_partition_t *pp, bool *appended)
{
    char why[256] = "";
    kerr_t err;
    partition_t *part = topic ? topic_partition(topic, pp->index) : NULL;
    pp->base_offset = -1;
    pp->log_append_time = -1;
    pp->log_start_offset = -1;
    if (!part) {
        pp->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    batch_header_t hdr;
    buf_writer_t converted = {0};
    if (part->topic->internal) {
        /* Kafka refuses client writes to its internal topics: only the
         * group coordinator writes __consumer_offsets. */
        snprintf(why, sizeof(why), "%s is an internal topic; only the broker writes it", part->topic->name);
        err = KERR_INVALID_TOPIC_EXCEPTION;
    } else if (pp->records_len > part->topic->cfg.max_message_bytes) {
        snprintf(why, sizeof(why), "batch of %d bytes exceeds max.message.bytes %d",
                 pp->records_len, part->topic->cfg.max_message_bytes);
        err = KERR_MESSAGE_TOO_LARGE;
    } else if (pp->records_len < 0) {
        snprintf(why, sizeof(why), "records are null");
        err = KERR_INVALID_RECORD;
    } else if (req->hdr.api_version < 3 && pp->records_len > 16 && pp->records[16] < 2) {
        /* Produce v0-v2 may carry message sets of magic 0 or 1 (both keep
         * the magic at byte 16, as batches do); Kafka converts them to a v2
         * batch (LogValidator), which is then checked like a producer's. */
        err = legacy_records_to_batch(pp->records, (size_t)pp->records_len, &converted, why, sizeof(why));
        if (err == KERR_NONE) {
            err = batch_validate(converted.data, converted.len, &hdr, why, sizeof(why));
        }
    } else {
        err = batch_validate(pp->records, (size_t)pp->records_len, &hdr, why, sizeof(why));
    }
    uint8_t *in = converted.len > 0 ? converted.data : pp->records;
    size_t in_len = converted.len > 0 ? converted.len : (size_t)pp->records_len;
    if (err == KERR_NONE && (hdr.attributes & BATCH_ATTR_CODEC_MASK) == BATCH_CODEC_ZSTD &&
        req->hdr.api_version < 7) {
        snprintf(why, sizeof(why), "zstd needs Produce v7 or later, got v%d", req->hdr.api_version);
        err = KERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
    /* Rewritten outside the partition lock: recompressing is the slow part,
     * and a LogAppendTime batch's new CRC covers all of it. */
    buf_writer_t rewritten = {0};
    int64_t now_ms = clock_wall_ms(), log_append_time = -1;
    if (err == KERR_NONE) {
        err = topic_batch_recompress(part->topic, in, in_len, &hdr, &rewritten, why, sizeof(why));
    }
    uint8_t *stored = rewritten.len > 0 ? rewritten.data : in;
    size_t stored_len = rewritten.len > 0 ? rewritten.len : in_len;
    if (err == KERR_NONE) {
        err = topic_batch_timestamps(part->topic, stored, stored_len, now_ms, &log_append_time, why, sizeof(why));
    }
    if (err != KERR_NONE) {
        buf_writer_release(&rewritten);
        buf_writer_release(&converted);
        blog_info("rejected produce to %s-%d from %s: %s (%s)", part->topic->name, pp->index,
                  server_conn_peer(req->conn), why, kerr_name(err));
        pp->error = err;
        pp->error_message = arena_strndup(req->arena, why, strlen(why)); /* v8+ */
        return;
    }
    pthread_mutex_lock(&part->lock);
    int64_t dup_offset;
    err = producer_state_check(part->pstate, &hdr, &dup_offset);
    if (err == KERR_DUPLICATE_SEQUENCE_NUMBER) {
        /* Kafka answers a retried batch with its original offset and NONE. */
        pp->base_offset = dup_offset;
        err = KERR_NONE;
    } else if (err == KERR_NONE) {
        err = log_append(part->plog, stored, stored_len, 0, now_ms, &pp->base_offset);
        if (err == KERR_NONE) {
            pp->log_append_time = log_append_time;
            producer_state_update(part->pstate, &hdr, pp->base_offset);
            *appended = true;
            metrics_counter_add(&part->topic->bytes_in, (uint64_t)pp->records_len);
            metrics_counter_add(&part->topic->messages_in, (uint64_t)hdr.records_count);
        }
    }
    pp->log_start_offset = log_start_offset(part->plog);
    pthread_mutex_unlock(&part->lock);
    buf_writer_release(&rewritten);
    buf_writer_release(&converted);
    pp->error = err;
}

req_result_t handle_produce(broker_ctx_t *ctx, kreq_t *req)
{
    produce_req_t pr = {0};
    if (!proto_decode_produce(&req->body, req->hdr.api_version, req->arena, &pr)) {
        return handler_bad_request(req);
    }
    bool acks_valid = pr.acks == 0 || pr.acks == 1 || pr.acks == -1;
    bool appended = false, failed = false;
    for (int32_t t = 0; t < pr.n_topics; t++) {
        produce_topic_t *pt = &pr.topics[t];
        topics_read_lock(ctx->topics);
        topic_t *topic = acks_valid ? produce_topic(ctx, pt->name) : NULL;
        const char *name = ctx->quorum ? handler_cstr(req, pt->name) : NULL;
        for (int32_t p = 0; p < pt->n_partitions; p++) {
            produce_partition_t *pp = &pt->partitions[p];
            /* In a cluster only the partition's leader takes writes: the
             * others send the client to it (the image lock is a leaf). */
            kerr_t not_here = name ? cluster_leader_check(ctx, name, pp->index) : KERR_NONE;
            if (!acks_valid || not_here != KERR_NONE) {
                pp->error = acks_valid ? not_here : KERR_INVALID_REQUIRED_ACKS;
                pp->base_offset = pp->log_append_time = pp->log_start_offset = -1;
            } else {
                append_one(req, topic, pp, &appended);
            }
            failed |= pp->error != KERR_NONE;
        }
        topics_read_unlock(ctx->topics);
    }
    if (appended) {
        server_wake_all(ctx->server); /* long-polling fetches may now have data */
    }
    if (pr.acks == 0) {
        if (failed) {
            blog_info("closing connection from %s: an acks=0 produce failed", server_conn_peer(req->conn));
            return REQ_CLOSE;
        }
        return REQ_NO_RESPONSE;
    }
    proto_encode_produce(&req->resp, req->hdr.api_version, &pr);
    return REQ_DONE;
}
