/*
 * handle_group_admin.c - DescribeGroups, ListGroups and DeleteGroups, what
 * kafka-consumer-groups and connectctl groups use to look at groups.
 *
 * As in Kafka, describing a group that does not exist is not an error: it
 * is reported in state "Dead" with no members.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "group/coordinator.h"
#include "handlers.h"

/* The ACL operations a group has (AK AclEntry.supportedOperations: READ 3,
 * DELETE 6, DESCRIBE 8) as the DescribeGroups v3+ bit field.  There is no
 * authorizer, so a client may do all of them, as Kafka answers without one. */
#define GROUP_AUTHORIZED_OPERATIONS ((1 << 3) | (1 << 6) | (1 << 8))

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
        m->group_instance_id = handler_kstr(req, info.instance_id);
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
        dr.groups[i].authorized_operations = dr.include_authorized_operations ? GROUP_AUTHORIZED_OPERATIONS : INT32_MIN;
        if (!*id) {
            dr.groups[i].error = KERR_INVALID_GROUP_ID;
        }
    }
    coordinator_unlock(ctx->coord);
    proto_encode_describe_groups(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}

/* ListGroups v4 StatesFilter (KIP-518): empty lists every group; names
 * compare without case, as Kafka parses them. */
static bool state_wanted(const list_groups_req_t *lr, const char *state)
{
    for (int32_t i = 0; i < lr->n_states_filter; i++) {
        kstr_t f = lr->states_filter[i];
        if (f.len >= 0 && (size_t)f.len == strlen(state) && strncasecmp(f.ptr, state, (size_t)f.len) == 0) {
            return true;
        }
    }
    return lr->n_states_filter == 0;
}

req_result_t handle_list_groups(broker_ctx_t *ctx, kreq_t *req)
{
    list_groups_req_t lr = {0};
    if (!proto_decode_list_groups(&req->body, req->hdr.api_version, req->arena, &lr)) {
        return handler_bad_request(req);
    }
    coordinator_lock(ctx->coord);
    int n = coordinator_group_count(ctx->coord);
    lr.groups = arena_alloc(req->arena, sizeof(list_groups_entry_t) * (size_t)(n + 1));
    lr.n_groups = 0;
    for (int i = 0; i < n; i++) {
        group_t *grp = coordinator_group_at(ctx->coord, i);
        const char *state = group_state_name(group_state(grp));
        if (!state_wanted(&lr, state)) {
            continue;
        }
        const char *ptype = group_protocol_type(grp);
        list_groups_entry_t *e = &lr.groups[lr.n_groups++];
        e->group_id = handler_kstr(req, group_name(grp));
        e->protocol_type = handler_kstr(req, ptype ? ptype : "");
        e->group_state = handler_kstr(req, state);
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
