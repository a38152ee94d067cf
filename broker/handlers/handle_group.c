/*
 * handle_group.c - group membership: JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup, on the coordinator's group state machines (group.h).
 *
 * JoinGroup and SyncGroup usually cannot be answered at once: a JoinGroup
 * waits until every member re-joined (or the rebalance timeout passed), a
 * follower's SyncGroup until the leader sent the assignments.  Such
 * requests are parked (server_park) and rechecked after every
 * server_wake_all(), which every group change and the coordinator's timer
 * call.  The coordinator lock is held only while a request looks at its
 * group, never while parked.
 */
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "group/coordinator.h"
#include "handlers.h"

/* Parked requests give up this long after the deadlines the group itself
 * enforces, in case the group vanished under them. */
#define PARK_SLACK_MS 5000

/* ---- JoinGroup ------------------------------------------------------------ */

typedef struct join_state {
    join_group_req_t jr;
    const char *group_id;
    const char *member_id; /* as the group knows it */
} join_state_t;

static void join_respond(kreq_t *req, join_state_t *st)
{
    proto_encode_join_group(&req->resp, req->hdr.api_version, &st->jr);
}

/* Kafka shows a member's host as "/<address>". */
static const char *client_host(kreq_t *req)
{
    const char *peer = server_conn_peer(req->conn);
    const char *colon = strrchr(peer, ':');
    size_t len = colon ? (size_t)(colon - peer) : strlen(peer);
    char *host = arena_alloc(req->arena, len + 2);
    host[0] = '/';
    memcpy(host + 1, peer, len);
    host[len + 1] = '\0';
    return host;
}

static void join_fill(kreq_t *req, join_state_t *st, const group_join_result_t *res)
{
    join_group_req_t *jr = &st->jr;
    jr->error = res->error;
    jr->generation_id = res->generation;
    /* The group's type: a join that got this far had the same one. */
    jr->result_protocol_type = res->error == KERR_NONE ? jr->protocol_type : (kstr_t){NULL, -1};
    jr->protocol_name = handler_kstr(req, res->protocol);
    jr->leader = handler_kstr(req, res->leader ? res->leader : "");
    jr->result_member_id = handler_kstr(req, res->member_id ? res->member_id : "");
    jr->n_members = res->n_members;
    jr->members = arena_alloc(req->arena, sizeof(join_group_member_t) * (size_t)(res->n_members + 1));
    for (int i = 0; i < res->n_members; i++) {
        const group_member_view_t *m = &res->members[i];
        jr->members[i] = (join_group_member_t){handler_kstr(req, m->member_id), handler_kstr(req, m->instance_id),
                                               handler_bytes(req, m->metadata, m->metadata_len)};
    }
}

static void join_error(join_state_t *st, kerr_t err, const char *member_id)
{
    join_group_req_t *jr = &st->jr;
    jr->error = err;
    jr->generation_id = -1;
    jr->result_protocol_type = (kstr_t){NULL, -1};
    jr->protocol_name = (kstr_t){NULL, -1};
    jr->leader = (kstr_t){"", 0};
    jr->result_member_id = member_id ? (kstr_t){member_id, (int32_t)strlen(member_id)} : jr->member_id;
    jr->n_members = 0;
}

/* Whether the join can be answered; fills the response.
 * @locks the coordinator lock held */
static bool join_poll(broker_ctx_t *ctx, kreq_t *req, join_state_t *st)
{
    group_t *grp = coordinator_group(ctx->coord, st->group_id, false);
    group_join_result_t res;
    if (!grp) {
        join_error(st, KERR_UNKNOWN_MEMBER_ID, NULL);
        return true;
    }
    if (!group_join_result(grp, st->member_id, &res)) {
        return false;
    }
    join_fill(req, st, &res);
    return true;
}

static bool join_recheck(void *opaque, kreq_t *req, bool timed_out)
{
    broker_ctx_t *ctx = opaque;
    join_state_t *st = req->state;
    coordinator_lock(ctx->coord);
    bool done = join_poll(ctx, req, st);
    coordinator_unlock(ctx->coord);
    if (!done && !timed_out) {
        return false;
    }
    if (!done) {
        join_error(st, KERR_REBALANCE_IN_PROGRESS, st->member_id); /* the client re-joins */
    }
    join_respond(req, st);
    return true;
}

/* Checks Kafka makes before the group sees the request. */
static kerr_t join_validate(broker_ctx_t *ctx, const join_group_req_t *jr)
{
    if (jr->group_id.len <= 0) {
        return KERR_INVALID_GROUP_ID;
    }
    if (jr->session_timeout_ms < ctx->cfg->group_min_session_timeout_ms ||
        jr->session_timeout_ms > ctx->cfg->group_max_session_timeout_ms) {
        return KERR_INVALID_SESSION_TIMEOUT;
    }
    if (jr->n_protocols <= 0 || jr->protocol_type.len <= 0) {
        return KERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    return KERR_NONE;
}

req_result_t handle_join_group(broker_ctx_t *ctx, kreq_t *req)
{
    join_state_t *st = arena_alloc(req->arena, sizeof(*st));
    memset(st, 0, sizeof(*st));
    join_group_req_t *jr = &st->jr;
    if (!proto_decode_join_group(&req->body, req->hdr.api_version, req->arena, jr)) {
        return handler_bad_request(req);
    }
    req->state = st;
    kerr_t err = join_validate(ctx, jr);
    if (err != KERR_NONE) {
        blog_debug("JoinGroup of group '%.*s' from %s refused: %s", jr->group_id.len < 0 ? 0 : jr->group_id.len,
                   jr->group_id.ptr, server_conn_peer(req->conn), kerr_name(err));
        join_error(st, err, NULL);
        join_respond(req, st);
        return REQ_DONE;
    }
    st->group_id = handler_cstr(req, jr->group_id);
    group_protocol_t *protos = arena_alloc(req->arena, sizeof(group_protocol_t) * (size_t)jr->n_protocols);
    for (int32_t i = 0; i < jr->n_protocols; i++) {
        protos[i] = (group_protocol_t){handler_cstr(req, jr->protocols[i].name), (const uint8_t *)jr->protocols[i].metadata.ptr,
                                       (size_t)jr->protocols[i].metadata.len};
    }
    group_join_params_t params = {
        .member_id = handler_cstr(req, jr->member_id),
        .instance_id = handler_cstr(req, jr->group_instance_id),
        .client_id = req->hdr.client_id.len > 0 ? handler_cstr(req, req->hdr.client_id) : "",
        .client_host = client_host(req),
        .protocol_type = handler_cstr(req, jr->protocol_type),
        .session_timeout_ms = jr->session_timeout_ms,
        .rebalance_timeout_ms = jr->rebalance_timeout_ms,
        .protocols = protos,
        .n_protocols = jr->n_protocols,
        /* As Kafka: static members are known by their instance id, so only
         * dynamic ones need the extra round trip (KIP-394). */
        .member_id_required = req->hdr.api_version >= 4 && jr->group_instance_id.len < 0,
        .max_size = ctx->cfg->group_max_size,
    };
    int64_t now = clock_wall_ms();
    coordinator_lock(ctx->coord);
    group_t *grp = coordinator_group(ctx->coord, st->group_id, true);
    const char *member_id = NULL;
    err = group_check_instance(grp, params.member_id, params.instance_id);
    if (err == KERR_NONE) {
        err = group_join(grp, &params, now, &member_id);
    }
    bool done = true;
    if (err != KERR_NONE) {
        join_error(st, err, handler_kstr(req, member_id).ptr);
        if (err != KERR_MEMBER_ID_REQUIRED) { /* that one keeps the id it handed out */
            coordinator_drop_if_unused(ctx->coord, grp);
        }
    } else {
        st->member_id = handler_kstr(req, member_id).ptr;
        done = join_poll(ctx, req, st);
        coordinator_group_changed(ctx->coord, grp, now);
    }
    coordinator_unlock(ctx->coord);
    if (err == KERR_NONE) {
        server_wake_all(ctx->server); /* this join may complete the others' */
    }
    if (done) {
        join_respond(req, st);
        return REQ_DONE;
    }
    int64_t wait = jr->rebalance_timeout_ms > ctx->cfg->group_initial_rebalance_delay_ms
                       ? jr->rebalance_timeout_ms
                       : ctx->cfg->group_initial_rebalance_delay_ms;
    server_park(req, wait + PARK_SLACK_MS, join_recheck);
    server_wake_all(ctx->server); /* a change between the poll and the park */
    return REQ_PARKED;
}

/* ---- SyncGroup ------------------------------------------------------------- */

typedef struct sync_state {
    sync_group_req_t sr;
    const char *group_id;
    const char *member_id;
} sync_state_t;

/* Whether the sync can be answered; fills the response.
 * @locks the coordinator lock held */
static bool sync_poll(broker_ctx_t *ctx, kreq_t *req, sync_state_t *st)
{
    group_t *grp = coordinator_group(ctx->coord, st->group_id, false);
    kerr_t err = KERR_UNKNOWN_MEMBER_ID;
    const uint8_t *assignment = NULL;
    size_t len = 0;
    if (grp && !group_sync_result(grp, st->member_id, &err, &assignment, &len)) {
        return false;
    }
    st->sr.error = err;
    st->sr.assignment = handler_bytes(req, assignment, len);
    if (err == KERR_NONE) {
        st->sr.result_protocol_type = handler_kstr(req, group_protocol_type(grp));
        st->sr.result_protocol_name = handler_kstr(req, group_protocol(grp));
    }
    return true;
}

static bool sync_recheck(void *opaque, kreq_t *req, bool timed_out)
{
    broker_ctx_t *ctx = opaque;
    sync_state_t *st = req->state;
    coordinator_lock(ctx->coord);
    bool done = sync_poll(ctx, req, st);
    coordinator_unlock(ctx->coord);
    if (!done && !timed_out) {
        return false;
    }
    if (!done) {
        st->sr.error = KERR_REBALANCE_IN_PROGRESS;
        st->sr.assignment = (kstr_t){"", 0};
    }
    proto_encode_sync_group(&req->resp, req->hdr.api_version, &st->sr);
    return true;
}

req_result_t handle_sync_group(broker_ctx_t *ctx, kreq_t *req)
{
    sync_state_t *st = arena_alloc(req->arena, sizeof(*st));
    memset(st, 0, sizeof(*st));
    sync_group_req_t *sr = &st->sr;
    if (!proto_decode_sync_group(&req->body, req->hdr.api_version, req->arena, sr)) {
        return handler_bad_request(req);
    }
    sr->result_protocol_type = sr->result_protocol_name = (kstr_t){NULL, -1};
    req->state = st;
    st->group_id = handler_cstr(req, sr->group_id);
    st->member_id = handler_cstr(req, sr->member_id);
    group_assignment_t *assignments =
        arena_alloc(req->arena, sizeof(group_assignment_t) * (size_t)(sr->n_assignments + 1));
    for (int32_t i = 0; i < sr->n_assignments; i++) {
        assignments[i] = (group_assignment_t){handler_cstr(req, sr->assignments[i].member_id),
                                              (const uint8_t *)sr->assignments[i].assignment.ptr,
                                              (size_t)sr->assignments[i].assignment.len};
    }
    int64_t now = clock_wall_ms();
    coordinator_lock(ctx->coord);
    group_t *grp = coordinator_group(ctx->coord, st->group_id, false);
    kerr_t err = grp ? group_check_instance(grp, st->member_id, handler_cstr(req, sr->group_instance_id))
                     : KERR_UNKNOWN_MEMBER_ID;
    /* From v5 both are mandatory (AK areMandatoryProtocolTypeAndNamePresent). */
    if (req->hdr.api_version >= 5 && (sr->protocol_type.len < 0 || sr->protocol_name.len < 0)) {
        err = KERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    if (err == KERR_NONE) {
        err = group_sync(grp, st->member_id, sr->generation_id, handler_cstr(req, sr->protocol_type),
                         handler_cstr(req, sr->protocol_name), assignments, sr->n_assignments, now);
    }
    bool done = true;
    if (err != KERR_NONE) {
        sr->error = err;
        sr->assignment = (kstr_t){"", 0};
    } else {
        done = sync_poll(ctx, req, st);
        coordinator_group_changed(ctx->coord, grp, now);
    }
    coordinator_unlock(ctx->coord);
    if (err == KERR_NONE) {
        server_wake_all(ctx->server); /* the leader's sync answers the followers */
    }
    if (done) {
        proto_encode_sync_group(&req->resp, req->hdr.api_version, sr);
        return REQ_DONE;
    }
    /* The group moves on by itself at the rebalance timeout (group_tick). */
    server_park(req, (int64_t)ctx->cfg->group_max_session_timeout_ms + PARK_SLACK_MS, sync_recheck);
    server_wake_all(ctx->server);
    return REQ_PARKED;
}

/* ---- Heartbeat, LeaveGroup ---------------------------------------------------- */

req_result_t handle_heartbeat(broker_ctx_t *ctx, kreq_t *req)
{
    heartbeat_req_t hr = {0};
    if (!proto_decode_heartbeat(&req->body, req->hdr.api_version, req->arena, &hr)) {
        return handler_bad_request(req);
    }
    const char *group_id = handler_cstr(req, hr.group_id), *member_id = handler_cstr(req, hr.member_id);
    coordinator_lock(ctx->coord);
    group_t *grp = coordinator_group(ctx->coord, group_id, false);
    hr.error = grp ? group_check_instance(grp, member_id, handler_cstr(req, hr.group_instance_id)) : KERR_UNKNOWN_MEMBER_ID;
    if (hr.error == KERR_NONE) {
        hr.error = group_heartbeat(grp, member_id, hr.generation_id, clock_wall_ms());
    }
    coordinator_unlock(ctx->coord);
    proto_encode_heartbeat(&req->resp, req->hdr.api_version, &hr);
    return REQ_DONE;
}

/* One member of a LeaveGroup: by member id, or (v3+, static members) by
 * group instance id, where a member id other than "" must match the one the
 * instance has (AK removeMemberAndUpdateGroup: otherwise FENCED_INSTANCE_ID).
 * @locks the coordinator lock held */
static kerr_t leave_one(kreq_t *req, group_t *grp, const leave_group_member_t *lm, int64_t now)
{
    const char *member_id = handler_cstr(req, lm->member_id);
    if (lm->group_instance_id.len >= 0) {
        const char *current = group_instance_member(grp, handler_cstr(req, lm->group_instance_id));
        if (!current) {
            return KERR_UNKNOWN_MEMBER_ID;
        }
        if (*member_id && strcmp(member_id, current) != 0) {
            return KERR_FENCED_INSTANCE_ID;
        }
        member_id = handler_kstr(req, current).ptr; /* group_leave frees the group's copy */
    }
    if (lm->reason.len > 0) {
        blog_debug("member %s leaves group %s: %.*s", member_id, group_name(grp), lm->reason.len, lm->reason.ptr);
    }
    return group_leave(grp, member_id, now);
}

req_result_t handle_leave_group(broker_ctx_t *ctx, kreq_t *req)
{
    leave_group_req_t lr = {0};
    if (!proto_decode_leave_group(&req->body, req->hdr.api_version, req->arena, &lr)) {
        return handler_bad_request(req);
    }
    const char *group_id = handler_cstr(req, lr.group_id);
    int64_t now = clock_wall_ms();
    bool left = false;
    coordinator_lock(ctx->coord);
    group_t *grp = coordinator_group(ctx->coord, group_id, false);
    for (int32_t i = 0; i < lr.n_members; i++) {
        leave_group_member_t *lm = &lr.members[i];
        lm->error = grp ? leave_one(req, grp, lm, now) : KERR_UNKNOWN_MEMBER_ID;
        left = left || lm->error == KERR_NONE;
    }
    if (left) {
        coordinator_group_changed(ctx->coord, grp, now);
    }
    coordinator_unlock(ctx->coord);
    if (left) {
        server_wake_all(ctx->server); /* the others' re-joins may now complete */
    }
    /* Below v3 the one member's error is the response's; from v3 it is per
     * member and the top level is for the group (AK LeaveGroupResponse). */
    lr.error = req->hdr.api_version <= 2 ? lr.members[0].error : KERR_NONE;
    proto_encode_leave_group(&req->resp, req->hdr.api_version, &lr);
    return REQ_DONE;
}
