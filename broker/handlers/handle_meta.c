/*
 * handle_meta.c - ApiVersions, Metadata and FindCoordinator: what a client
 * asks first.
 *
 * Metadata advertises this node as the leader, sole replica and ISR of every
 * partition, and as the controller (admin clients send CreateTopics there).
 * Without advertised.listeners the advertised address is the one the client
 * connected to, which is always reachable by that client - kinder than
 * Kafka's default of the machine's hostname, which often does not resolve.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "protocol/api.h"
#include "blog.h"
#include "handle_cluster.h"
#include "handlers.h"

req_result_t handler_bad_request(kreq_t *req)
{
    blog_info("closing connection from %s: %s v%d request body does not parse (%zu bytes)",
              server_conn_peer(req->conn), api_name(req->hdr.api_key), req->hdr.api_version,
              req->frame_len);
    return REQ_CLOSE;
}

req_result_t handle_api_versions(broker_ctx_t *ctx, kreq_t *req)
{
    api_versions_req_t av = {0};
    const api_t *api = api_find(API_API_VERSIONS);
    int16_t v = req->hdr.api_version;
    if (v > api->max) {
        /* KIP-511: answer a too-new ApiVersions with a v0 body carrying
         * UNSUPPORTED_VERSION and our ApiVersions range, so the client can
         * retry with a version we know.  The header stays v0. */
        av.error = KERR_UNSUPPORTED_VERSION;
        av.apis = api;
        av.n_apis = 1;
        req->hdr.flexible = false;
        proto_encode_api_versions(&req->resp, 0, &av);
        return REQ_DONE;
    }
    if (!proto_decode_api_versions(&req->body, v, req->arena, &av)) {
        return handler_bad_request(req);
    }
    av.apis = api_supported(&av.n_apis);
    if (ctx->sasl) {
        /* A SASL listener also offers SASL and the SCRAM credential APIs. */
        int n_sasl;
        const api_t *sasl = api_sasl_supported(&n_sasl);
        api_t *all = arena_alloc(req->arena, sizeof(*all) * (size_t)(av.n_apis + n_sasl));
        memcpy(all, av.apis, sizeof(*all) * (size_t)av.n_apis);
        memcpy(all + av.n_apis, sasl, sizeof(*all) * (size_t)n_sasl);
        av.apis = all;
        av.n_apis += n_sasl;
    }
    proto_encode_api_versions(&req->resp, v, &av);
    return REQ_DONE;
}

/* The ACL operations a topic and the cluster have (AK
 * AclEntry.supportedOperations, AclOperation codes as bits) for Metadata
 * v8+.  There is no authorizer, so a client may do all of them, as Kafka
 * answers without one. */
#define TOPIC_AUTHORIZED_OPERATIONS                                                                          \
    ((1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11))
#define CLUSTER_AUTHORIZED_OPERATIONS ((1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12))

/* Fills a found topic's result: its name and id (whichever the client did
 * not give), partitions and whether it is internal. */
static void fill_topic(kreq_t *req, metadata_topic_t *mt, topic_t *topic, int32_t node_id)
{
    mt->name.len = (int32_t)strlen(topic->name);
    mt->name.ptr = arena_strndup(req->arena, topic->name, (size_t)mt->name.len);
    mt->topic_id = topic->id;
    mt->n_partitions = topic->n_partitions;
    mt->partitions = arena_alloc(req->arena, sizeof(metadata_partition_t) * (size_t)(topic->n_partitions + 1));
    mt->is_internal = topic->internal;
    for (int32_t p = 0; p < topic->n_partitions; p++) {
        mt->partitions[p].index = p;
        mt->partitions[p].leader = node_id;
    }
}

/* Resolves one topic asked by id (a null name, v12): UNKNOWN_TOPIC_ID when
 * no topic has it, and never auto-created, as Kafka. */
static void metadata_topic_by_id(broker_ctx_t *ctx, kreq_t *req, metadata_topic_t *mt)
{
    topics_read_lock(ctx->topics);
    topic_t *topic = topics_find_by_id(ctx->topics, &mt->topic_id);
    if (topic) {
        fill_topic(req, mt, topic, ctx->cfg->node_id);
    } else {
        mt->error = KERR_UNKNOWN_TOPIC_ID;
    }
    topics_read_unlock(ctx->topics);
}

/* Resolves one requested topic, auto-creating it when allowed. */
static void metadata_topic(broker_ctx_t *ctx, kreq_t *req, metadata_req_t *md, metadata_topic_t *mt)
{
    char err[256];
    if (mt->name.len < 0) {
        metadata_topic_by_id(ctx, req, mt);
        return;
    }
    topics_read_lock(ctx->topics);
    topic_t *topic = topics_find(ctx->topics, mt->name);
    if (topic) {
        fill_topic(req, mt, topic, ctx->cfg->node_id);
        topics_read_unlock(ctx->topics);
        return;
    }
    topics_read_unlock(ctx->topics);
    if (!topics_name_valid(mt->name, err, sizeof(err))) {
        mt->error = KERR_INVALID_TOPIC_EXCEPTION;
        return;
    }
    if (!md->allow_auto_topic_creation || !ctx->cfg->auto_create_topics_enable) {
        mt->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    kerr_t rc = topics_create(ctx->topics, mt->name, -1, NULL, 0, false, err, sizeof(err));
    if (rc != KERR_NONE && rc != KERR_TOPIC_ALREADY_EXISTS) {
        blog_warn("auto-creating topic %.*s failed: %s", (int)mt->name.len, mt->name.ptr, err);
        mt->error = rc;
        return;
    }
    topics_read_lock(ctx->topics);
    topic = topics_find(ctx->topics, mt->name);
    if (topic) {
        fill_topic(req, mt, topic, ctx->cfg->node_id);
    } else {
        mt->error = KERR_LEADER_NOT_AVAILABLE; /* deleted meanwhile: client retries */
    }
    topics_read_unlock(ctx->topics);
}

/*
 * In a cluster the brokers are the unfenced ones the metadata image has
 * registered, at their inter-broker endpoint, as Kafka's Metadata lists
 * them; this node is always among them (its own partitions are led here
 * until partitions are replicated), and the controller is the active one
 * (-1 while there is none).  The image lock is taken alone (quorum.h).
 */
static void cluster_brokers(broker_ctx_t *ctx, kreq_t *req, const metadata_broker_t *self, metadata_req_t *md)
{
    quorum_read_lock(ctx->quorum);
    const meta_image_t *img = quorum_image(ctx->quorum);
    size_t n = meta_image_broker_count(img);
    metadata_broker_t *brokers = arena_alloc(req->arena, (n + 1) * sizeof(*brokers));
    int32_t count = 0;
    bool self_listed = false;
    for (size_t i = 0; i < n; i++) {
        const meta_broker_t *b = meta_image_broker_at(img, i);
        if (b->id == self->node_id) {
            brokers[count++] = *self;
            self_listed = true;
        } else if (!b->fenced && b->n_endpoints > 0) {
            const meta_endpoint_t *ep = &b->endpoints[0];
            brokers[count++] = (metadata_broker_t){
                .node_id = b->id,
                .host = arena_strndup(req->arena, ep->host, strlen(ep->host)),
                .port = ep->port,
            };
        }
    }
    quorum_read_unlock(ctx->quorum);
    if (!self_listed) {
        brokers[count++] = *self;
    }
    md->brokers = brokers;
    md->n_brokers = count;
    md->controller_id = quorum_leader_id(ctx->quorum);
}

req_result_t handle_metadata(broker_ctx_t *ctx, kreq_t *req)
{
    metadata_req_t md = {0};
    int16_t v = req->hdr.api_version;
    if (!proto_decode_metadata(&req->body, v, req->arena, &md)) {
        return handler_bad_request(req);
    }
    metadata_broker_t self = {
        .node_id = ctx->cfg->node_id,
        .host = ctx->advertised_host ? ctx->advertised_host : server_conn_local_host(req->conn),
        .port = ctx->advertised_host ? ctx->advertised_port : server_conn_local_port(req->conn),
    };
    md.brokers = &self;
    md.n_brokers = 1;
    md.cluster_id = ctx->cluster_id;
    md.controller_id = ctx->cfg->node_id;
    if (ctx->quorum) {
        cluster_brokers(ctx, req, &self, &md);
    }
    md.cluster_authorized_operations = md.include_cluster_authorized_operations ? CLUSTER_AUTHORIZED_OPERATIONS
                                                                                : INT32_MIN;
    int32_t topic_ops = md.include_topic_authorized_operations ? TOPIC_AUTHORIZED_OPERATIONS : INT32_MIN;
    if (ctx->quorum) {
        cluster_metadata_topics(ctx, req, &md, topic_ops);
    } else if (md.n_topics >= 0) {
        for (int32_t i = 0; i < md.n_topics; i++) {
            metadata_topic(ctx, req, &md, &md.topics[i]);
            md.topics[i].authorized_operations = topic_ops;
        }
    } else {
        topics_read_lock(ctx->topics);
        size_t n = topics_count(ctx->topics);
        md.n_result_topics = (int32_t)n;
        md.result_topics = arena_alloc(req->arena, sizeof(metadata_topic_t) * (n + 1));
        for (size_t i = 0; i < n; i++) {
            metadata_topic_t *mt = &md.result_topics[i];
            fill_topic(req, mt, topics_at(ctx->topics, i), ctx->cfg->node_id);
            mt->authorized_operations = topic_ops;
        }
        topics_read_unlock(ctx->topics);
    }
    proto_encode_metadata(&req->resp, v, &md);
    return REQ_DONE;
}

/* A single node coordinates every group.  Transactions have no coordinator
 * yet, so a transactional key gets COORDINATOR_NOT_AVAILABLE. */
req_result_t handle_find_coordinator(broker_ctx_t *ctx, kreq_t *req)
{
    find_coordinator_req_t fc = {0};
    if (!proto_decode_find_coordinator(&req->body, req->hdr.api_version, req->arena, &fc)) {
        return handler_bad_request(req);
    }
    for (int32_t i = 0; i < fc.n_keys; i++) {
        find_coordinator_key_t *k = &fc.keys[i];
        k->node_id = -1;
        k->host = "";
        k->port = -1;
        if (fc.key_type != 0) {
            k->error = KERR_COORDINATOR_NOT_AVAILABLE;
            k->error_message = "transactions are not supported";
        } else {
            k->node_id = ctx->cfg->node_id;
            k->host = ctx->advertised_host ? ctx->advertised_host : server_conn_local_host(req->conn);
            k->port = ctx->advertised_host ? ctx->advertised_port : server_conn_local_port(req->conn);
        }
    }
    proto_encode_find_coordinator(&req->resp, req->hdr.api_version, &fc);
    return REQ_DONE;
}
