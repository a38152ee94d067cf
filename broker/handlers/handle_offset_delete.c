/*
 * handle_offset_delete.c - OffsetDelete (KIP-496): drops some committed
 * offsets of a group, what kafka-consumer-groups --delete-offsets and
 * librdkafka's DeleteConsumerGroupOffsets send.
 *
 * Verdicts as Kafka's KafkaApis.handleOffsetDeleteRequest and
 * GroupCoordinator.handleDeleteOffsets:
 * - group level (the response then lists no topics): an empty group id is
 *   INVALID_GROUP_ID, an unknown group GROUP_ID_NOT_FOUND, a group with
 *   members whose protocol type is not "consumer" (a Connect worker group)
 *   NON_EMPTY_GROUP;
 * - per partition: one that does not exist is UNKNOWN_TOPIC_OR_PARTITION; in
 *   a consumer group with members, one of a topic a member subscribes to is
 *   GROUP_SUBSCRIBED_TO_TOPIC and kept, since the consumer would commit it
 *   again; every other one is deleted (error 0, also when nothing was
 *   committed).
 * The subscriptions are read from the members' ConsumerProtocol metadata
 * (int16 version, then in every version an array of topic names).  Kafka
 * keeps those of the last completed generation; we read the current
 * members', which differ only while a rebalance is under way.
 */
#include <string.h>

#include "blog.h"
#include "group/coordinator.h"
#include "handlers.h"

/* Topics of one ConsumerProtocol subscription (v0 prefix of every version):
 * version, topics, nullable user data.  False when it does not parse. */
static bool subscription_has(const uint8_t *meta, size_t len, const char *topic, bool *has)
{
    buf_reader_t r;
    buf_reader_init(&r, meta, len);
    if (buf_read_i16(&r) < 0) {
        return false;
    }
    int32_t n = buf_read_count(&r, false, 2);
    for (int32_t i = 0; i < n && !r.err; i++) {
        kstr_t name = buf_read_str(&r, false);
        if (!r.err && kstr_eq(name, topic)) {
            *has = true;
        }
    }
    buf_read_nbytes(&r, false); /* user_data */
    return !r.err;
}

/* Whether a member of consumer group `grp` subscribes to `topic`.  As
 * Kafka, metadata that does not parse leaves the group's subscriptions
 * unknown, and then no topic counts as subscribed.
 * @locks the coordinator lock held */
static bool group_subscribes(group_t *grp, const char *topic)
{
    bool has = false;
    for (int i = 0; i < group_member_count(grp); i++) {
        group_member_info_t info;
        group_member_info(grp, i, &info);
        if (!subscription_has(info.metadata, info.metadata_len, topic, &has)) {
            blog_warn("group '%s': member '%s' sent consumer protocol metadata that does not parse; "
                      "OffsetDelete treats the group as subscribed to nothing",
                      group_name(grp), info.member_id);
            return false;
        }
    }
    return has;
}

/* Marks partitions that do not exist. */
static void delete_precheck(broker_ctx_t *ctx, offset_delete_req_t *dr)
{
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < dr->n_topics; t++) {
        topic_t *topic = topics_find(ctx->topics, dr->topics[t].name);
        for (int32_t p = 0; p < dr->topics[t].n_partitions; p++) {
            offset_delete_partition_t *dp = &dr->topics[t].partitions[p];
            dp->error = topic && topic_partition(topic, dp->index) ? KERR_NONE : KERR_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }
    topics_read_unlock(ctx->topics);
}

/* The group's verdict; marks subscribed partitions and deletes the offsets
 * of the rest.
 * @locks the coordinator lock held; takes what coordinator_delete_offsets
 *        takes */
static kerr_t delete_in_group(broker_ctx_t *ctx, kreq_t *req, offset_delete_req_t *dr, const char *id)
{
    group_t *grp = coordinator_group(ctx->coord, id, false);
    if (!grp || group_state(grp) == GROUP_DEAD) {
        return KERR_GROUP_ID_NOT_FOUND;
    }
    bool live = group_state(grp) != GROUP_EMPTY;
    const char *ptype = group_protocol_type(grp);
    bool consumer = ptype && strcmp(ptype, "consumer") == 0;
    if (live && !consumer) {
        return KERR_NON_EMPTY_GROUP;
    }
    int total = 0;
    for (int32_t t = 0; t < dr->n_topics; t++) {
        total += dr->topics[t].n_partitions;
    }
    offset_ref_t *refs = arena_alloc(req->arena, sizeof(offset_ref_t) * (size_t)(total + 1));
    int n = 0;
    for (int32_t t = 0; t < dr->n_topics; t++) {
        const char *topic = handler_cstr(req, dr->topics[t].name);
        bool subscribed = live && group_subscribes(grp, topic);
        for (int32_t p = 0; p < dr->topics[t].n_partitions; p++) {
            offset_delete_partition_t *dp = &dr->topics[t].partitions[p];
            if (dp->error != KERR_NONE) {
                continue;
            }
            if (subscribed) {
                dp->error = KERR_GROUP_SUBSCRIBED_TO_TOPIC;
            } else {
                refs[n++] = (offset_ref_t){topic, dp->index};
            }
        }
    }
    kerr_t err = coordinator_delete_offsets(ctx->coord, id, refs, n);
    if (err != KERR_NONE) {
        /* Kafka answers 0 even when its tombstones fail to append; we have
         * kept the offsets, so say so on each partition. */
        for (int32_t t = 0; t < dr->n_topics; t++) {
            for (int32_t p = 0; p < dr->topics[t].n_partitions; p++) {
                if (dr->topics[t].partitions[p].error == KERR_NONE) {
                    dr->topics[t].partitions[p].error = err;
                }
            }
        }
    } else if (n > 0) {
        blog_info("group '%s': OffsetDelete removed the offsets of %d partitions", id, n);
    }
    return KERR_NONE;
}

req_result_t handle_offset_delete(broker_ctx_t *ctx, kreq_t *req)
{
    offset_delete_req_t dr = {0};
    if (!proto_decode_offset_delete(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    if (dr.group_id.len <= 0) {
        dr.error = KERR_INVALID_GROUP_ID;
        proto_encode_offset_delete(&req->resp, req->hdr.api_version, &dr);
        return REQ_DONE;
    }
    delete_precheck(ctx, &dr);
    const char *id = handler_cstr(req, dr.group_id);
    coordinator_lock(ctx->coord);
    dr.error = delete_in_group(ctx, req, &dr, id);
    coordinator_unlock(ctx->coord);
    proto_encode_offset_delete(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}
