/*
 * handle_alter_configs.c - AlterConfigs and IncrementalAlterConfigs: changing
 * a topic's config overrides.
 *
 * AlterConfigs replaces a resource's whole set of overrides (a key left out
 * returns to its default, a null value is left out); IncrementalAlterConfigs
 * (KIP-339) changes the keys it names: SET, DELETE, and APPEND or SUBTRACT
 * on list keys.  Both check a request as Kafka's ConfigAdminManager does
 * before anything changes: a key named twice, an unknown operation or a null
 * value to SET, APPEND or SUBTRACT is INVALID_REQUEST; an unknown key, a
 * list operation on a key that is not a list or a value its row refuses is
 * INVALID_CONFIG; an absent topic UNKNOWN_TOPIC_OR_PARTITION.  The change
 * itself, its persistence in the topic's metadata file and its application
 * to the logs are topics_alter_configs'.
 *
 * Every broker setting is static (read at start-up from its properties
 * file), so a BROKER resource with changes is refused with INVALID_REQUEST,
 * as Kafka refuses a key that is not dynamically updatable.
 */
#include <stdio.h>
#include <string.h>

#include "blog.h"
#include "handle_cluster.h"
#include "handlers.h"

/* INVALID_REQUEST with a message for what Kafka refuses before looking at
 * the resource; KERR_NONE when the entries can be applied. */
static kerr_t check_entries(const alter_configs_resource_t *res, bool incremental, const char **why)
{
    for (int32_t i = 0; i < res->n_configs; i++) {
        const alter_config_entry_t *c = &res->configs[i];
        /* AlterConfigs lets the last of a key named twice win, as Kafka. */
        for (int32_t j = 0; j < i && incremental; j++) {
            if (c->name.len == res->configs[j].name.len &&
                memcmp(c->name.ptr, res->configs[j].name.ptr, (size_t)c->name.len) == 0) {
                *why = "Error due to duplicate config keys";
                return KERR_INVALID_REQUEST;
            }
        }
        if (c->op < TOPIC_CONFIG_SET || c->op > TOPIC_CONFIG_SUBTRACT) {
            *why = "Unknown alter configs operation type";
            return KERR_INVALID_REQUEST;
        }
        if (incremental && c->op != TOPIC_CONFIG_DELETE && c->value.len < 0) {
            *why = "Null value not supported for this operation";
            return KERR_INVALID_REQUEST;
        }
    }
    return KERR_NONE;
}

static void alter_topic(broker_ctx_t *ctx, kreq_t *req, alter_configs_resource_t *res, bool incremental,
                        bool validate_only, cluster_alter_t *cluster, int32_t index)
{
    topic_config_change_t *changes = arena_alloc(req->arena, sizeof(*changes) * (size_t)(res->n_configs + 1));
    size_t n = 0;
    for (int32_t i = 0; i < res->n_configs; i++) {
        const alter_config_entry_t *c = &res->configs[i];
        if (!incremental && c->value.len < 0) {
            continue; /* AlterConfigs: a null value is a key left out */
        }
        changes[n].key = handler_cstr(req, c->name);
        changes[n].op = (topic_config_op_t)c->op;
        changes[n].value = handler_cstr(req, c->value);
        n++;
    }
    if (cluster) {
        cluster_alter_topic(ctx, req, cluster, index, changes, n, !incremental, validate_only);
        return;
    }
    char err[512] = "";
    res->error = topics_alter_configs(ctx->topics, res->name, changes, n, !incremental, validate_only, err,
                                      sizeof(err));
    res->error_message = res->error ? arena_strndup(req->arena, err, strlen(err)) : NULL;
}

static void alter_broker(broker_ctx_t *ctx, alter_configs_resource_t *res)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", ctx->cfg->node_id);
    if (res->name.len > 0 && !kstr_eq(res->name, id)) {
        res->error = KERR_INVALID_REQUEST;
        res->error_message = "this broker's node.id is not the requested broker";
    } else if (res->n_configs > 0) {
        res->error = KERR_INVALID_REQUEST;
        res->error_message = "Cannot update these configs dynamically: broker settings are read from the "
                             "broker's properties file at start-up; change them there and restart";
    }
}

/* In a cluster topic configs change through the active controller
 * (handle_cluster.h), which answers once they are in the image. */
static req_result_t alter_all(broker_ctx_t *ctx, kreq_t *req, alter_configs_req_t *ar, bool incremental)
{
    cluster_alter_t *cluster = ctx->quorum ? cluster_alter_begin(req, ar, incremental) : NULL;
    for (int32_t i = 0; i < ar->n_resources; i++) {
        alter_configs_resource_t *res = &ar->resources[i];
        const char *why = NULL;
        res->error = check_entries(res, incremental, &why);
        if (res->error != KERR_NONE) {
            res->error_message = why;
        } else if (res->type == RESOURCE_TOPIC) {
            alter_topic(ctx, req, res, incremental, ar->validate_only, cluster, i);
        } else if (res->type == RESOURCE_BROKER) {
            alter_broker(ctx, res);
        } else {
            res->error = KERR_INVALID_REQUEST;
            res->error_message = "only TOPIC (2) and BROKER (4) resources can be altered";
        }
        if (res->error != KERR_NONE) {
            blog_info("%s of %.*s from %s refused: %s", incremental ? "IncrementalAlterConfigs" : "AlterConfigs",
                      (int)res->name.len, res->name.ptr, server_conn_peer(req->conn), res->error_message);
        }
    }
    if (cluster) {
        return cluster_alter_end(ctx, req, cluster);
    }
    if (incremental) {
        proto_encode_incremental_alter_configs(&req->resp, req->hdr.api_version, ar);
    } else {
        proto_encode_alter_configs(&req->resp, req->hdr.api_version, ar);
    }
    return REQ_DONE;
}

req_result_t handle_alter_configs(broker_ctx_t *ctx, kreq_t *req)
{
    alter_configs_req_t ar = {0};
    if (!proto_decode_alter_configs(&req->body, req->hdr.api_version, req->arena, &ar)) {
        return handler_bad_request(req);
    }
    return alter_all(ctx, req, &ar, false);
}

req_result_t handle_incremental_alter_configs(broker_ctx_t *ctx, kreq_t *req)
{
    alter_configs_req_t ar = {0};
    if (!proto_decode_incremental_alter_configs(&req->body, req->hdr.api_version, req->arena, &ar)) {
        return handler_bad_request(req);
    }
    return alter_all(ctx, req, &ar, true);
}
