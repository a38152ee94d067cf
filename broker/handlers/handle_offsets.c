/*
 * handle_offsets.c - OffsetCommit and OffsetFetch: a group's committed
 * positions, stored by the coordinator in __consumer_offsets.
 *
 * Per-partition errors as Kafka: UNKNOWN_TOPIC_OR_PARTITION for a partition
 * that does not exist, OFFSET_METADATA_TOO_LARGE past
 * offset.metadata.max.bytes, then the group's verdict (group.h,
 * group_commit_check) for everything else.
 */
#include <string.h>

#include "clock.h"
#include "group/coordinator.h"
#include "handlers.h"

/* Marks partitions that do not exist or carry too much metadata. */
static void commit_precheck(broker_ctx_t *ctx, offset_commit_req_t *cr)
{
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < cr->n_topics; t++) {
        topic_t *topic = topics_find(ctx->topics, cr->topics[t].name);
        for (int32_t p = 0; p < cr->topics[t].n_partitions; p++) {
            offset_commit_partition_t *cp = &cr->topics[t].partitions[p];
            if (!topic || !topic_partition(topic, cp->index)) {
                cp->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            } else if (cp->metadata.len > ctx->cfg->offset_metadata_max_bytes) {
                cp->error = KERR_OFFSET_METADATA_TOO_LARGE;
            }
        }
    }
    topics_read_unlock(ctx->topics);
}

static void commit_fail_rest(offset_commit_req_t *cr, kerr_t err)
{
    for (int32_t t = 0; t < cr->n_topics; t++) {
        for (int32_t p = 0; p < cr->topics[t].n_partitions; p++) {
            if (cr->topics[t].partitions[p].error == KERR_NONE) {
                cr->topics[t].partitions[p].error = err;
            }
        }
    }
}

req_result_t handle_offset_commit(broker_ctx_t *ctx, kreq_t *req)
{
    offset_commit_req_t cr = {0};
    if (!proto_decode_offset_commit(&req->body, req->hdr.api_version, req->arena, &cr)) {
        return handler_bad_request(req);
    }
    if (cr.group_id.len <= 0) {
        commit_fail_rest(&cr, KERR_INVALID_GROUP_ID);
        proto_encode_offset_commit(&req->resp, req->hdr.api_version, &cr);
        return REQ_DONE;
    }
    commit_precheck(ctx, &cr);
    const char *group_id = handler_cstr(req, cr.group_id);
    const char *member_id = handler_cstr(req, cr.member_id);
    int n = 0;
    for (int32_t t = 0; t < cr.n_topics; t++) {
        n += cr.topics[t].n_partitions;
    }
    committed_offset_t *batch = arena_alloc(req->arena, sizeof(committed_offset_t) * (size_t)(n + 1));
    int64_t now = clock_wall_ms();
    coordinator_lock(ctx->coord);
    group_t *grp = coordinator_group(ctx->coord, group_id, false);
    /* A static member's commit is fenced first, as in AK validateOffsetCommit. */
    kerr_t err = grp ? group_check_instance(grp, member_id, handler_cstr(req, cr.group_instance_id)) : KERR_NONE;
    if (err == KERR_NONE) {
        err = grp ? group_commit_check(grp, member_id, cr.generation_id, now)
                  : (cr.generation_id < 0 ? KERR_NONE : KERR_ILLEGAL_GENERATION);
    }
    if (err == KERR_NONE) {
        n = 0;
        for (int32_t t = 0; t < cr.n_topics; t++) {
            const char *topic = handler_cstr(req, cr.topics[t].name);
            for (int32_t p = 0; p < cr.topics[t].n_partitions; p++) {
                offset_commit_partition_t *cp = &cr.topics[t].partitions[p];
                if (cp->error == KERR_NONE) {
                    const char *meta = cp->metadata.len > 0 ? handler_cstr(req, cp->metadata) : "";
                    batch[n++] = (committed_offset_t){
                        topic, cp->index, cp->committed_offset, cp->committed_leader_epoch, meta, now};
                }
            }
        }
        err = coordinator_commit(ctx->coord, group_id, batch, n, now);
    }
    coordinator_unlock(ctx->coord);
    commit_fail_rest(&cr, err);
    proto_encode_offset_commit(&req->resp, req->hdr.api_version, &cr);
    return REQ_DONE;
}

static void fetch_fill(offset_fetch_partition_t *fp, const committed_offset_t *co, kreq_t *req)
{
    fp->error = KERR_NONE;
    fp->committed_offset = co ? co->offset : -1;
    fp->committed_leader_epoch = co ? co->leader_epoch : -1;
    fp->metadata = co ? handler_kstr(req, co->metadata) : (kstr_t){"", 0};
}

/* OffsetFetch with a null topic list (v2+): every committed partition. */
static void fetch_all(broker_ctx_t *ctx, kreq_t *req, offset_fetch_group_t *fr, const char *group_id)
{
    int n;
    const committed_offset_t *all = coordinator_committed_all(ctx->coord, group_id, &n);
    fr->topics = arena_alloc(req->arena, sizeof(offset_fetch_topic_t) * (size_t)(n + 1));
    fr->n_topics = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && strcmp(all[j].topic, all[i].topic) == 0) {
            j++;
        }
        offset_fetch_topic_t *ft = &fr->topics[fr->n_topics++];
        ft->name = handler_kstr(req, all[i].topic);
        ft->n_partitions = j - i;
        ft->partitions = arena_alloc(req->arena, sizeof(offset_fetch_partition_t) * (size_t)(j - i));
        for (int k = i; k < j; k++) {
            ft->partitions[k - i].index = all[k].partition;
            fetch_fill(&ft->partitions[k - i], &all[k], req);
        }
        i = j;
    }
}

/* OffsetFetch of listed partitions: -1 where nothing is committed. */
static void fetch_listed(broker_ctx_t *ctx, kreq_t *req, offset_fetch_group_t *fr, const char *group_id)
{
    for (int32_t t = 0; t < fr->n_topics; t++) {
        const char *topic = handler_cstr(req, fr->topics[t].name);
        for (int32_t p = 0; p < fr->topics[t].n_partitions; p++) {
            offset_fetch_partition_t *fp = &fr->topics[t].partitions[p];
            fetch_fill(fp, coordinator_committed(ctx->coord, group_id, topic, fp->index), req);
        }
    }
}

req_result_t handle_offset_fetch(broker_ctx_t *ctx, kreq_t *req)
{
    offset_fetch_req_t fr = {0};
    if (!proto_decode_offset_fetch(&req->body, req->hdr.api_version, req->arena, &fr)) {
        return handler_bad_request(req);
    }
    /* Nothing is ever pending (no transactional offset commits), so
     * require_stable (v7+) changes nothing. */
    coordinator_lock(ctx->coord);
    for (int32_t i = 0; i < fr.n_groups; i++) {
        offset_fetch_group_t *grp = &fr.groups[i];
        const char *group_id = handler_cstr(req, grp->group_id);
        if (grp->n_topics < 0) {
            fetch_all(ctx, req, grp, group_id);
        } else {
            fetch_listed(ctx, req, grp, group_id);
        }
        grp->error = KERR_NONE;
    }
    coordinator_unlock(ctx->coord);
    proto_encode_offset_fetch(&req->resp, req->hdr.api_version, &fr);
    return REQ_DONE;
}
