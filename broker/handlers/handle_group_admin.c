/*
 * handle_group_admin.c - DescribeGroups, ListGroups and DeleteGroups, what
 * kafka-consumer-groups and connectctl groups use to look at groups.
 *
 * As in Kafka, describing a group that does not exist is not an error: it
 * is reported in state "Dead" with no members.
 */
#include <string.h>

#include "group/coordinator.h"
#include "handlers.h"

/* A copy of `s`, "" for NULL. */
static const char *arena_cstr(kreq_t *req, const char *s)
{
    return s ? handler_kstr(req, s).ptr : "";
}

/* @locks the coordinator lock held */
static void describe_one(kreq_t *req, group_t *grp, describe_group_t *out)
{
    out->error = KERR_NONE;
    out->n_members = 0;
    if (!grp) {
        out->state = "Dead";
        out->protocol_type = out->protocol_data = "";
        return;
    }
    out->state = group_state_name(group_state(grp));
    out->protocol_type = arena_cstr(req, group_protocol_type(grp));
    out->protocol_data = arena_cstr(req, group_member_count(grp) ? group_protocol(grp) : NULL);
    out->n_members = group_member_count(grp);
    out->members = arena_alloc(req->arena, sizeof(describe_group_member_t) * (size_t)(out->n_members + 1));
    for (int i = 0; i < out->n_members; i++) {
        group_member_info_t info;
        group_member_info(grp, i, &info);
        describe_group_member_t *m = &out->members[i];
        m->member_id = handler_kstr(req, info.member_id);
        m->client_id = handler_kstr(req, info.client_id);
        m->client_host = handler_kstr(req, info.client_host);
        m->metadata = handler_bytes(req, info.metadata, info.metadata_len);
        m->assignment = handler_bytes(req, info.assignment, info.assignment_len);
    }
}

req_result_t handle_describe_groups(broker_ctx_t *ctx, kreq_t *req)
{
    describe_groups_req_t dr = {0};
    if (!proto_decode_describe_groups(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    coordinator_lock(ctx->coord);
    for (int32_t i = 0; i < dr.n_groups; i++) {
        const char *id = handler_cstr(req, dr.groups[i].group_id);
        describe_one(req, coordinator_group(ctx->coord, id, false), &dr.groups[i]);
        if (!*id) {
            dr.groups[i].error = KERR_INVALID_GROUP_ID;
        }
    }
    coordinator_unlock(ctx->coord);
    proto_encode_describe_groups(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}

req_result_t handle_list_groups(broker_ctx_t *ctx, kreq_t *req)
{
    list_groups_req_t lr = {0};
    if (!proto_decode_list_groups(&req->body, req->hdr.api_version, req->arena, &lr)) {
        return handler_bad_request(req);
    }
    coordinator_lock(ctx->coord);
    lr.n_groups = coordinator_group_count(ctx->coord);
    lr.groups = arena_alloc(req->arena, sizeof(list_groups_entry_t) * (size_t)(lr.n_groups + 1));
    for (int32_t i = 0; i < lr.n_groups; i++) {
        group_t *grp = coordinator_group_at(ctx->coord, i);
        const char *ptype = group_protocol_type(grp);
        lr.groups[i].group_id = handler_kstr(req, group_name(grp));
        lr.groups[i].protocol_type = handler_kstr(req, ptype ? ptype : "");
    }
    coordinator_unlock(ctx->coord);
    lr.error = KERR_NONE;
    proto_encode_list_groups(&req->resp, req->hdr.api_version, &lr);
    return REQ_DONE;
}

req_result_t handle_delete_groups(broker_ctx_t *ctx, kreq_t *req)
{
    delete_groups_req_t dr = {0};
    if (!proto_decode_delete_groups(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    coordinator_lock(ctx->coord);
    for (int32_t i = 0; i < dr.n_groups; i++) {
        const char *id = handler_cstr(req, dr.groups[i].group_id);
        dr.groups[i].error = *id ? coordinator_delete_group(ctx->coord, id) : KERR_INVALID_GROUP_ID;
    }
    coordinator_unlock(ctx->coord);
    proto_encode_delete_groups(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}
