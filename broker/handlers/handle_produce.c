/*
 * handle_produce.c - Produce: validate each partition's batch, check the
 * idempotent producer's sequence, append, answer.
 *
 * On a single node the leader is the whole ISR, so acks=1 and acks=all are
 * both satisfied once the batch is in the log (page cache), exactly as a
 * Kafka cluster with one replica; log.flush.interval.* add fsync on top.
 *
 * In a cluster, acks=all is Kafka's: a partition whose ISR holds fewer
 * than its min.insync.replicas refuses the batch with NOT_ENOUGH_REPLICAS
 * before appending, and the answer waits (parked, never blocking the
 * network thread) until the high watermark covers every batch appended,
 * which is when each ISR member has it (topics/replica_state.h).  A
 * follower's fetch that moves the high watermark wakes the wait.  Should
 * the ISR shrink below min.insync.replicas meanwhile, the partition is
 * answered NOT_ENOUGH_REPLICAS_AFTER_APPEND; should this node stop leading
 * it, NOT_LEADER_OR_FOLLOWER; after the request's timeout,
 * REQUEST_TIMED_OUT.  The records stay appended either way, as in Kafka:
 * a producer that retries may write them twice unless it is idempotent.
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

/* What an acks=all answer waits for, per partition in request order: the
 * offset the high watermark must reach, and the leader epoch it was
 * appended in; required -1 when the partition does not wait. */
typedef struct produce_wait_part {
    int64_t required;
    int32_t leader_epoch;
} produce_wait_part_t;

typedef struct produce_wait {
    produce_req_t pr;
    produce_wait_part_t *parts;
} produce_wait_t;

static void append_one(kreq_t *req, topic_t *topic, int16_t acks, produce_partition_t *pp, bool *appended,
                       produce_wait_part_t *wait)
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
    replica_state_t *repl = &part->repl;
    int32_t min_insync = part->topic->cfg.min_insync_replicas;
    if (acks == -1 && replica_state_under_min_isr(repl, min_insync)) {
        /* Kafka's words (Partition.appendRecordsToLeader). */
        snprintf(why, sizeof(why),
                 "The size of the current ISR %d is insufficient to satisfy the min.isr requirement of %d for "
                 "partition %s-%d",
                 repl->n_isr, min_insync, part->topic->name, pp->index);
        err = KERR_NOT_ENOUGH_REPLICAS;
    } else {
        err = producer_state_check(part->pstate, &hdr, &dup_offset);
    }
    /* Batches carry the epoch of the leader that appended them, for
     * followers' truncation after a leader change; a single node's is 0. */
    int32_t epoch = repl->role == REPLICA_ROLE_LEADER ? repl->leader_epoch : 0;
    if (err == KERR_DUPLICATE_SEQUENCE_NUMBER) {
        /* Kafka answers a retried batch with its original offset and NONE. */
        pp->base_offset = dup_offset;
        err = KERR_NONE;
        wait->required = dup_offset + 1;
        wait->leader_epoch = epoch;
    } else if (err == KERR_NONE) {
        err = log_append(part->plog, stored, stored_len, epoch, now_ms, &pp->base_offset);
        if (err == KERR_NONE) {
            wait->required = pp->base_offset + hdr.last_offset_delta + 1;
            wait->leader_epoch = epoch;
            pp->log_append_time = log_append_time;
            producer_state_update(part->pstate, &hdr, pp->base_offset);
            *appended = true;
            metrics_counter_add(&part->topic->bytes_in, (uint64_t)pp->records_len);
            metrics_counter_add(&part->topic->messages_in, (uint64_t)hdr.records_count);
        }
    }
    pp->log_start_offset = log_start_offset(part->plog);
    if (repl->role == REPLICA_ROLE_NONE || acks != -1 ||
        (wait->required >= 0 && replica_state_high_watermark(repl, log_end_offset(part->plog)) >= wait->required)) {
        wait->required = -1; /* nothing to wait for */
    }
    pthread_mutex_unlock(&part->lock);
    buf_writer_release(&rewritten);
    buf_writer_release(&converted);
    pp->error = err;
    if (err != KERR_NONE && why[0]) {
        pp->error_message = arena_strndup(req->arena, why, strlen(why)); /* v8+ */
    }
}

/* Whether every partition of an acks=all produce has its answer: the high
 * watermark covers its batch, or it failed meanwhile (see the top).
 * @locks takes the registry read lock and partition locks under it */
static bool produce_settle(broker_ctx_t *ctx, kreq_t *req, produce_wait_t *w, bool timed_out)
{
    bool done = true;
    size_t k = 0;
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < w->pr.n_topics; t++) {
        produce_topic_t *pt = &w->pr.topics[t];
        topic_t *topic = topics_find(ctx->topics, pt->name);
        for (int32_t p = 0; p < pt->n_partitions; p++, k++) {
            produce_wait_part_t *wp = &w->parts[k];
            produce_partition_t *pp = &pt->partitions[p];
            if (wp->required < 0) {
                continue;
            }
            partition_t *part = topic ? topic_partition(topic, pp->index) : NULL;
            kerr_t err = KERR_NOT_LEADER_OR_FOLLOWER;
            bool settled = true;
            if (part) {
                pthread_mutex_lock(&part->lock);
                replica_state_t *repl = &part->repl;
                if (repl->role == REPLICA_ROLE_LEADER && repl->leader_epoch == wp->leader_epoch) {
                    int64_t hw = replica_state_high_watermark(repl, log_end_offset(part->plog));
                    if (hw >= wp->required) {
                        err = KERR_NONE;
                    } else if (replica_state_under_min_isr(repl, part->topic->cfg.min_insync_replicas)) {
                        err = KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
                    } else if (timed_out) {
                        err = KERR_REQUEST_TIMED_OUT;
                    } else {
                        settled = false;
                    }
                }
                pthread_mutex_unlock(&part->lock);
            }
            if (!settled) {
                done = false;
                continue;
            }
            wp->required = -1;
            pp->error = err;
            if (err != KERR_NONE) {
                blog_info("acks=all produce to %s-%d from %s: %s", topic ? topic->name : "?", pp->index,
                          server_conn_peer(req->conn), kerr_name(err));
            }
        }
    }
    topics_read_unlock(ctx->topics);
    return done;
}

static bool produce_recheck(void *opaque, kreq_t *req, bool timed_out)
{
    broker_ctx_t *ctx = opaque;
    produce_wait_t *w = req->state;
    if (!produce_settle(ctx, req, w, timed_out)) {
        return false;
    }
    proto_encode_produce(&req->resp, req->hdr.api_version, &w->pr);
    return true;
}

req_result_t handle_produce(broker_ctx_t *ctx, kreq_t *req)
{
    produce_wait_t *w = arena_alloc(req->arena, sizeof(*w));
    produce_req_t *pr = &w->pr;
    *pr = (produce_req_t){0};
    if (!proto_decode_produce(&req->body, req->hdr.api_version, req->arena, pr)) {
        return handler_bad_request(req);
    }
    size_t n_parts = 0;
    for (int32_t t = 0; t < pr->n_topics; t++) {
        n_parts += (size_t)pr->topics[t].n_partitions;
    }
    w->parts = arena_alloc(req->arena, sizeof(*w->parts) * (n_parts + 1));
    bool acks_valid = pr->acks == 0 || pr->acks == 1 || pr->acks == -1;
    bool appended = false, failed = false, waits = false;
    size_t k = 0;
    for (int32_t t = 0; t < pr->n_topics; t++) {
        produce_topic_t *pt = &pr->topics[t];
        topics_read_lock(ctx->topics);
        topic_t *topic = acks_valid ? produce_topic(ctx, pt->name) : NULL;
        const char *name = ctx->quorum ? handler_cstr(req, pt->name) : NULL;
        for (int32_t p = 0; p < pt->n_partitions; p++, k++) {
            produce_partition_t *pp = &pt->partitions[p];
            w->parts[k] = (produce_wait_part_t){.required = -1};
            /* In a cluster only the partition's leader takes writes: the
             * others send the client to it (the image lock is a leaf). */
            kerr_t not_here = name ? cluster_leader_check(ctx, name, pp->index) : KERR_NONE;
            if (!acks_valid || not_here != KERR_NONE) {
                pp->error = acks_valid ? not_here : KERR_INVALID_REQUIRED_ACKS;
                pp->base_offset = pp->log_append_time = pp->log_start_offset = -1;
            } else {
                append_one(req, topic, pr->acks, pp, &appended, &w->parts[k]);
            }
            failed |= pp->error != KERR_NONE;
            waits |= w->parts[k].required >= 0;
        }
        topics_read_unlock(ctx->topics);
    }
    if (appended) {
        server_wake_all(ctx->server); /* long-polling fetches may now have data */
    }
    if (pr->acks == 0) {
        if (failed) {
            blog_info("closing connection from %s: an acks=0 produce failed", server_conn_peer(req->conn));
            return REQ_CLOSE;
        }
        return REQ_NO_RESPONSE;
    }
    if (waits) {
        req->state = w;
        server_park(req, pr->timeout_ms > 0 ? pr->timeout_ms : 0, produce_recheck);
        /* A follower's fetch between the append and the park woke nobody:
         * look once more now that this request is visible. */
        server_wake_all(ctx->server);
        return REQ_PARKED;
    }
    proto_encode_produce(&req->resp, req->hdr.api_version, pr);
    return REQ_DONE;
}
