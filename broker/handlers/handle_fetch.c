/*
 * handle_fetch.c - Fetch (with long-poll), ListOffsets and OffsetForLeaderEpoch.
 *
 * Fetch returns whole stored batches from the one containing FetchOffset,
 * never past the high watermark, within MaxBytes and PartitionMaxBytes,
 * except that the first batch of the first non-empty partition is always
 * returned whole (KIP-74) so a large batch cannot stall a consumer.
 *
 * Fetch v0-v3 get the same batches down-converted to the message sets of
 * magic 0 or 1 that those versions carry.
 *
 * In a cluster a Fetch with a ReplicaId is a follower's (replica/
 * replica_fetcher.h): it reads up to the log end offset, not the high
 * watermark, and the offset it fetches at is the follower's log end, from
 * which the leader moves the high watermark (topics/replica_state.h).
 * Consumers (ReplicaId -1) see records only up to the high watermark, in
 * Fetch and in ListOffsets' latest offset.
 *
 * Long-poll: when fewer than MinBytes are available the request is parked
 * (server_park) for up to MaxWaitMs.  Every append wakes the parked fetches,
 * which first compare a cheap byte estimate (log_bytes_after) with MinBytes
 * and only then read.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "records/batch.h"
#include "records/legacy_records.h"
#include "handle_cluster.h"
#include "handlers.h"

typedef struct fetch_state {
    fetch_req_t fr;
    buf_writer_t records;
} fetch_state_t;

/* The topic a request names, by id from v13 (KIP-516) or by name below.
 * An id keeps a parked fetch bound to the topic it asked for even if that
 * topic is deleted and another is created under its name.
 * @locks the registry lock held */
static topic_t *fetch_find_topic(broker_ctx_t *ctx, const fetch_req_t *fr, const fetch_topic_t *ft)
{
    return fr->by_id ? topics_find_by_id(ctx->topics, &ft->topic_id) : topics_find(ctx->topics, ft->name);
}

/* Whether the request is a follower's (ReplicaId set, in a cluster). */
static bool fetch_is_replica(broker_ctx_t *ctx, const fetch_req_t *fr)
{
    return ctx->quorum && fr->replica_id >= 0;
}

/* Where a fetch stops: a follower reads up to the log end, for the
 * leader to learn from its next fetch that it has the records, and never
 * waits on the high watermark; consumers read up to the high watermark.
 * @locks the partition lock held */
static int64_t fetch_bound(broker_ctx_t *ctx, const fetch_req_t *fr, partition_t *part)
{
    int64_t leo = log_end_offset(part->plog);
    return fetch_is_replica(ctx, fr) ? leo : replica_state_high_watermark(&part->repl, leo);
}

/* Bytes the request could get right now, without reading. */
static size_t fetch_available(broker_ctx_t *ctx, const fetch_req_t *fr, bool *any_error)
{
    size_t total = 0;
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < fr->n_topics; t++) {
        topic_t *topic = fetch_find_topic(ctx, fr, &fr->topics[t]);
        for (int32_t p = 0; p < fr->topics[t].n_partitions; p++) {
            const fetch_partition_t *fp = &fr->topics[t].partitions[p];
            partition_t *part = topic ? topic_partition(topic, fp->index) : NULL;
            if (!part || (ctx->quorum && cluster_leader_check(ctx, topic->name, fp->index) != KERR_NONE)) {
                *any_error = true;
                continue;
            }
            pthread_mutex_lock(&part->lock);
            if (fp->fetch_offset < log_start_offset(part->plog) ||
                fp->fetch_offset > log_end_offset(part->plog)) {
                *any_error = true;
            } else {
                int64_t bound = fetch_bound(ctx, fr, part);
                size_t after_bound = bound < log_end_offset(part->plog) ? log_bytes_after(part->plog, bound) : 0;
                size_t after = fp->fetch_offset < bound ? log_bytes_after(part->plog, fp->fetch_offset) : 0;
                total += after > after_bound ? after - after_bound : 0;
            }
            pthread_mutex_unlock(&part->lock);
        }
    }
    topics_read_unlock(ctx->topics);
    return total;
}

static size_t fetch_read_partitions(broker_ctx_t *ctx, fetch_state_t *st, bool *hw_moved)
{
    fetch_req_t *fr = &st->fr;
    st->records.len = 0;
    /* The broker's fetch.max.bytes bounds what a client may ask for, so one
     * request cannot make the broker allocate gigabytes. */
    int32_t max_bytes = fr->max_bytes < ctx->cfg->fetch_max_bytes ? fr->max_bytes : ctx->cfg->fetch_max_bytes;
    size_t max_total = max_bytes > 0 ? (size_t)max_bytes : 0;
    size_t total = 0;
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < fr->n_topics; t++) {
        topic_t *topic = fetch_find_topic(ctx, fr, &fr->topics[t]);
        for (int32_t p = 0; p < fr->topics[t].n_partitions; p++) {
            fetch_partition_t *fp = &fr->topics[t].partitions[p];
            partition_t *part = topic ? topic_partition(topic, fp->index) : NULL;
            fp->records_at = st->records.len;
            fp->records_len = 0;
            fp->high_watermark = fp->last_stable_offset = fp->result_log_start_offset = -1;
            kerr_t not_here = part && ctx->quorum ? cluster_leader_check(ctx, topic->name, fp->index) : KERR_NONE;
            if (not_here != KERR_NONE) {
                fp->error = not_here; /* only the leader serves consumers until replicas fetch */
                continue;
            }
            if (!part) {
                /* Kafka answers an id it does not know per partition with
                 * UNKNOWN_TOPIC_ID, and a missing partition of a known
                 * topic with UNKNOWN_TOPIC_OR_PARTITION. */
                fp->error = !topic && fr->by_id ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            size_t room = max_total > total ? max_total - total : 0;
            size_t limit = fp->partition_max_bytes > 0 ? (size_t)fp->partition_max_bytes : 0;
            if (limit > room) {
                limit = room;
            }
            pthread_mutex_lock(&part->lock);
            int64_t leo = log_end_offset(part->plog);
            int64_t hw_before = replica_state_high_watermark(&part->repl, leo);
            /* A follower's fetch offset is its log end only when the leader
             * has it: one past this log's end taken as progress would move
             * the high watermark over records the follower does not hold. */
            if (fetch_is_replica(ctx, fr) &&
                (fp->fetch_offset < log_start_offset(part->plog) || fp->fetch_offset > leo)) {
                fp->high_watermark = fp->last_stable_offset = hw_before;
                fp->result_log_start_offset = log_start_offset(part->plog);
                pthread_mutex_unlock(&part->lock);
                fp->error = KERR_OFFSET_OUT_OF_RANGE;
                continue;
            }
            if (fetch_is_replica(ctx, fr) &&
                !replica_state_follower_fetched(&part->repl, fr->replica_id, fp->fetch_offset, leo, clock_wall_ms())) {
                pthread_mutex_unlock(&part->lock);
                fp->error = KERR_NOT_LEADER_OR_FOLLOWER; /* not a replica of this partition */
                continue;
            }
            int64_t hwm = replica_state_high_watermark(&part->repl, leo);
            *hw_moved |= hwm > hw_before;
            fp->error = log_read(part->plog, fp->fetch_offset, fetch_bound(ctx, fr, part), limit, total == 0,
                                 &st->records, &fp->records_len);
            fp->high_watermark = fp->last_stable_offset = hwm;
            fp->result_log_start_offset = log_start_offset(part->plog);
            pthread_mutex_unlock(&part->lock);
            total += fp->records_len;
        }
    }
    topics_read_unlock(ctx->topics);
    return total;
}

/* Reads every partition into st->records and fills the results.  A
 * follower's fetch moves its partitions' high watermarks, and then wakes
 * the requests waiting on them (acks=all produces, consumers). */
static size_t fetch_read(broker_ctx_t *ctx, fetch_state_t *st)
{
    bool moved = false;
    size_t total = fetch_read_partitions(ctx, st, &moved);
    if (moved) {
        server_wake_all(ctx->server);
    }
    return total;
}

/* Records in the whole batches of `data` (a trailing partial batch, which
 * the client drops, is not counted). */
static uint64_t fetch_count_records(const uint8_t *data, size_t len)
{
    uint64_t n = 0;
    size_t at = 0;
    while (len - at >= BATCH_HEADER_SIZE) {
        int32_t length = buf_get_i32(data + at + 8);
        if (length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(length) > len - at) {
            break;
        }
        int32_t count = buf_get_i32(data + at + 57);
        n += count > 0 ? (uint64_t)count : 0;
        at += batch_total_size(length);
    }
    return n;
}

/* Bytes and records out per topic (BrokerTopicMetrics), for what is
 * answered, not for reads a parked fetch discarded. */
static void fetch_count(broker_ctx_t *ctx, fetch_state_t *st)
{
    const fetch_req_t *fr = &st->fr;
    if (st->records.len == 0) {
        return; /* nothing sent: no lock to take */
    }
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < fr->n_topics; t++) {
        uint64_t bytes = 0, records = 0;
        for (int32_t p = 0; p < fr->topics[t].n_partitions; p++) {
            const fetch_partition_t *fp = &fr->topics[t].partitions[p];
            if (fp->error == KERR_NONE && fp->records_len > 0) {
                bytes += fp->records_len;
                records += fetch_count_records(st->records.data + fp->records_at, fp->records_len);
            }
        }
        topic_t *topic = bytes ? fetch_find_topic(ctx, fr, &fr->topics[t]) : NULL;
        if (topic) {
            metrics_counter_add(&topic->bytes_out, bytes);
            metrics_counter_add(&topic->messages_out, records);
        }
    }
    topics_read_unlock(ctx->topics);
}

/* Fetch v0-v3 predate record batches: each partition's batches are rewritten
 * as a message set of magic 0 (v0-v1) or 1 (v2-v3), as Kafka's broker
 * down-converts for them (legacy_records.h). */
static void fetch_down_convert(fetch_state_t *st, int16_t version)
{
    fetch_req_t *fr = &st->fr;
    buf_writer_t converted;
    buf_writer_init(&converted, st->records.len);
    for (int32_t t = 0; t < fr->n_topics; t++) {
        for (int32_t p = 0; p < fr->topics[t].n_partitions; p++) {
            fetch_partition_t *fp = &fr->topics[t].partitions[p];
            size_t at = converted.len;
            if (fp->records_len > 0 &&
                legacy_records_from_batches(st->records.data + fp->records_at, fp->records_len,
                                            version >= 2 ? 1 : 0, &converted) != KERR_NONE) {
                fp->error = KERR_CORRUPT_MESSAGE;
            }
            fp->records_at = at;
            fp->records_len = converted.len - at;
        }
    }
    buf_writer_release(&st->records);
    st->records = converted;
}

static void fetch_respond(broker_ctx_t *ctx, kreq_t *req, fetch_state_t *st)
{
    fetch_count(ctx, st);
    if (req->hdr.api_version < 4) {
        fetch_down_convert(st, req->hdr.api_version);
    }
    proto_encode_fetch(&req->resp, req->hdr.api_version, &st->fr, st->records.data);
}

static void fetch_state_free(kreq_t *req)
{
    fetch_state_t *st = req->state;
    buf_writer_release(&st->records);
}

static bool fetch_recheck(void *opaque, kreq_t *req, bool timed_out)
{
    broker_ctx_t *ctx = opaque;
    fetch_state_t *st = req->state;
    bool any_error = false;
    if (!timed_out && fetch_available(ctx, &st->fr, &any_error) < (size_t)st->fr.min_bytes &&
        !any_error) {
        return false;
    }
    fetch_read(ctx, st);
    fetch_respond(ctx, req, st);
    return true;
}

req_result_t handle_fetch(broker_ctx_t *ctx, kreq_t *req)
{
    fetch_state_t *st = arena_alloc(req->arena, sizeof(*st));
    if (!proto_decode_fetch(&req->body, req->hdr.api_version, req->arena, &st->fr)) {
        return handler_bad_request(req);
    }
    req->state = st;
    buf_writer_init(&st->records, 4096);
    req->on_free = fetch_state_free;
    size_t got = fetch_read(ctx, st);
    bool any_error = false;
    for (int32_t t = 0; t < st->fr.n_topics && !any_error; t++) {
        for (int32_t p = 0; p < st->fr.topics[t].n_partitions; p++) {
            any_error |= st->fr.topics[t].partitions[p].error != KERR_NONE;
        }
    }
    if (got >= (size_t)(st->fr.min_bytes > 0 ? st->fr.min_bytes : 1) || st->fr.max_wait_ms <= 0 ||
        any_error || st->fr.n_topics == 0) {
        fetch_respond(ctx, req, st);
        return REQ_DONE;
    }
    server_park(req, st->fr.max_wait_ms, fetch_recheck);
    /* An append between the read above and the park saw nothing parked and
     * woke nobody; look once more now that this request is visible. */
    bool ignored = false;
    if (fetch_available(ctx, &st->fr, &ignored) >= (size_t)(st->fr.min_bytes > 0 ? st->fr.min_bytes : 1)) {
        server_wake_all(ctx->server);
    }
    return REQ_PARKED;
}

req_result_t handle_list_offsets(broker_ctx_t *ctx, kreq_t *req)
{
    list_offsets_req_t lr = {0};
    int16_t v = req->hdr.api_version;
    if (!proto_decode_list_offsets(&req->body, v, req->arena, &lr)) {
        return handler_bad_request(req);
    }
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < lr.n_topics; t++) {
        topic_t *topic = topics_find(ctx->topics, lr.topics[t].name);
        for (int32_t p = 0; p < lr.topics[t].n_partitions; p++) {
            list_offsets_partition_t *lp = &lr.topics[t].partitions[p];
            partition_t *part = topic ? topic_partition(topic, lp->index) : NULL;
            lp->offset = lp->result_timestamp = -1;
            lp->leader_epoch = -1;
            if (!part) {
                lp->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            kerr_t not_here = ctx->quorum ? cluster_leader_check(ctx, topic->name, lp->index) : KERR_NONE;
            if (not_here != KERR_NONE) {
                lp->error = not_here;
                continue;
            }
            pthread_mutex_lock(&part->lock);
            if (lp->timestamp == LIST_OFFSETS_LATEST) {
                /* Consumers see the log up to the high watermark. */
                lp->offset = replica_state_high_watermark(&part->repl, log_end_offset(part->plog));
            } else if (lp->timestamp == LIST_OFFSETS_EARLIEST) {
                lp->offset = log_start_offset(part->plog);
            } else if (lp->timestamp == LIST_OFFSETS_MAX_TIMESTAMP) {
                /* Clients send it from v7 (KIP-734); Kafka's broker does not
                 * check the version, nor does this one. */
                lp->error = log_offset_for_max_timestamp(part->plog, &lp->offset, &lp->result_timestamp);
            } else {
                lp->error = log_offset_for_timestamp(part->plog, lp->timestamp, &lp->offset,
                                                     &lp->result_timestamp);
            }
            if (lp->timestamp != LIST_OFFSETS_LATEST && lp->timestamp != LIST_OFFSETS_EARLIEST &&
                lp->offset >= replica_state_high_watermark(&part->repl, log_end_offset(part->plog))) {
                /* As Kafka: a record past the high watermark is not there yet for consumers. */
                lp->offset = lp->result_timestamp = -1;
            }
            pthread_mutex_unlock(&part->lock);
            /* Every batch is stamped with leader epoch 0 (one node, never
             * re-elected), so that is the epoch of any offset found. */
            if (lp->offset >= 0) {
                lp->leader_epoch = 0;
            }
        }
    }
    topics_read_unlock(ctx->topics);
    proto_encode_list_offsets(&req->resp, v, &lr);
    return REQ_DONE;
}

/*
 * OffsetForLeaderEpoch: where a leader epoch ended in this node's log
 * (storage/epoch_cache.h), asked by a follower of a new leader to find its
 * divergent tail (KIP-101) and by consumers validating their position
 * after a leader change (KIP-320).  Only the leader answers.  A
 * CurrentLeaderEpoch older than the partition's is FENCED_LEADER_EPOCH,
 * a newer one UNKNOWN_LEADER_EPOCH: the asker's metadata is stale, or
 * this node's.
 */
req_result_t handle_offset_for_leader_epoch(broker_ctx_t *ctx, kreq_t *req)
{
    epoch_req_t er = {0};
    int16_t v = req->hdr.api_version;
    if (!proto_decode_offset_for_leader_epoch(&req->body, v, req->arena, &er)) {
        return handler_bad_request(req);
    }
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < er.n_topics; t++) {
        topic_t *topic = topics_find(ctx->topics, er.topics[t].name);
        for (int32_t p = 0; p < er.topics[t].n_partitions; p++) {
            epoch_partition_t *ep = &er.topics[t].partitions[p];
            partition_t *part = topic ? topic_partition(topic, ep->index) : NULL;
            ep->result_epoch = -1;
            ep->end_offset = -1;
            if (!part) {
                ep->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            kerr_t not_here = ctx->quorum ? cluster_leader_check(ctx, topic->name, ep->index) : KERR_NONE;
            if (not_here != KERR_NONE) {
                ep->error = not_here;
                continue;
            }
            pthread_mutex_lock(&part->lock);
            int32_t current = part->repl.role == REPLICA_ROLE_LEADER ? part->repl.leader_epoch : 0;
            if (ep->current_leader_epoch >= 0 && ep->current_leader_epoch < current) {
                ep->error = KERR_FENCED_LEADER_EPOCH;
            } else if (ep->current_leader_epoch > current) {
                ep->error = KERR_UNKNOWN_LEADER_EPOCH;
            } else {
                ep->end_offset = log_end_offset_for_epoch(part->plog, ep->leader_epoch, &ep->result_epoch);
            }
            pthread_mutex_unlock(&part->lock);
        }
    }
    topics_read_unlock(ctx->topics);
    proto_encode_offset_for_leader_epoch(&req->resp, v, &er);
    return REQ_DONE;
}
