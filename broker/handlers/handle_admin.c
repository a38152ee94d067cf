/*
 * handle_admin.c - CreateTopics, DeleteTopics, CreatePartitions,
 * DescribeConfigs, DeleteRecords and InitProducerId (AlterConfigs and
 * IncrementalAlterConfigs are in handle_alter_configs.c).
 *
 * Error messages go back in the responses' ErrorMessage fields where the
 * version has one, so `kafka-topics`-style tools can show what to fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "handle_cluster.h"
#include "handlers.h"

static const char *arena_msg(kreq_t *req, const char *msg)
{
    return arena_strndup(req->arena, msg, strlen(msg));
}

/* CreateTopics v5+ answers with the topic's partitions, replication factor
 * and every topic config as it now resolves (Kafka does so for validate-only
 * requests too), so a client need not ask DescribeConfigs after creating. */
static void create_result(broker_ctx_t *ctx, kreq_t *req, create_topic_t *ct, int32_t partitions,
                          const topic_config_kv_t *kvs, size_t n_kvs)
{
    ct->result_partitions = partitions == -1 ? ctx->cfg->num_partitions : partitions;
    ct->result_replication_factor = 1;
    size_t n = config_def_count(topic_config_defs);
    ct->result_configs = arena_alloc(req->arena, sizeof(describe_config_entry_t) * (n + 1));
    ct->n_result_configs = 0;
    for (const config_def_t *def = topic_config_defs; def->name; def++) {
        char buf[512];
        broker_config_source_t source;
        const char *value = topic_config_value(ctx->cfg, kvs, n_kvs, def, buf, sizeof(buf), &source);
        describe_config_entry_t *e = &ct->result_configs[ct->n_result_configs++];
        e->name = def->name;
        e->is_sensitive = config_def_sensitive(def);
        e->value = e->is_sensitive || !value ? NULL : arena_msg(req, value);
        e->source = (int8_t)source;
    }
}

static kerr_t create_one(broker_ctx_t *ctx, kreq_t *req, create_topic_t *ct, bool validate_only,
                         char *err, size_t err_size)
{
    int32_t partitions = ct->n_assignments > 0 ? ct->n_assignments : ct->num_partitions;
    if (ct->replication_factor != -1 && ct->replication_factor != 1 && ct->n_assignments <= 0) {
        snprintf(err, err_size,
                 "replication factor %d is larger than the 1 broker available; use 1 on a "
                 "single node",
                 ct->replication_factor);
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    topic_config_kv_t *kvs = arena_alloc(req->arena, sizeof(*kvs) * (size_t)(ct->n_configs + 1));
    for (int32_t i = 0; i < ct->n_configs; i++) {
        create_topic_config_t *c = &ct->configs[i];
        kvs[i].key = arena_strndup(req->arena, c->name.ptr, (size_t)c->name.len);
        if (c->value.len < 0) {
            snprintf(err, err_size, "%s: a null value is not supported for topic configs", kvs[i].key);
            return KERR_INVALID_CONFIG;
        }
        kvs[i].value = arena_strndup(req->arena, c->value.ptr, (size_t)c->value.len);
    }
    kerr_t rc = topics_create(ctx->topics, ct->name, partitions, kvs, (size_t)ct->n_configs, validate_only, err,
                              err_size);
    if (rc == KERR_NONE) {
        create_result(ctx, req, ct, partitions, kvs, (size_t)ct->n_configs);
    }
    if (rc == KERR_NONE && !validate_only) {
        topics_read_lock(ctx->topics);
        topic_t *topic = topics_find(ctx->topics, ct->name);
        if (topic) {
            ct->topic_id = topic->id; /* else deleted meanwhile: the zero id */
        }
        topics_read_unlock(ctx->topics);
    }
    return rc;
}

req_result_t handle_create_topics(broker_ctx_t *ctx, kreq_t *req)
{
    create_topics_req_t cr = {0};
    if (!proto_decode_create_topics(&req->body, req->hdr.api_version, req->arena, &cr)) {
        return handler_bad_request(req);
    }
    if (ctx->quorum) {
        return cluster_create_topics(ctx, req, &cr, create_result);
    }
    for (int32_t t = 0; t < cr.n_topics; t++) {
        char err[512] = "";
        create_topic_t *ct = &cr.topics[t];
        ct->result_partitions = -1;
        ct->result_replication_factor = -1;
        ct->n_result_configs = -1;
        ct->error = create_one(ctx, req, ct, cr.validate_only, err, sizeof(err));
        ct->error_message = ct->error ? arena_msg(req, err) : NULL;
    }
    proto_encode_create_topics(&req->resp, req->hdr.api_version, &cr);
    return REQ_DONE;
}

/* Deletes one topic named by name or (v6) by id, as Kafka's KafkaApis: both
 * or neither is INVALID_REQUEST, an unknown id UNKNOWN_TOPIC_ID.  The result
 * carries both the name and the id of the topic deleted. */
static void delete_one(broker_ctx_t *ctx, kreq_t *req, delete_topic_t *dt)
{
    static const kuuid_t zero;
    bool by_id = memcmp(&dt->topic_id, &zero, sizeof(zero)) != 0;
    if (by_id == (dt->name.len >= 0)) {
        dt->error = KERR_INVALID_REQUEST;
        dt->error_message = by_id ? "You may not specify both topic name and topic id."
                                  : "Neither topic name nor id were specified.";
        return;
    }
    if (!ctx->cfg->delete_topic_enable) {
        dt->error = KERR_TOPIC_DELETION_DISABLED;
        dt->error_message = "Topic deletion is disabled.";
        return;
    }
    topics_read_lock(ctx->topics);
    topic_t *topic = by_id ? topics_find_by_id(ctx->topics, &dt->topic_id) : topics_find(ctx->topics, dt->name);
    if (topic) {
        dt->name = handler_kstr(req, topic->name);
        dt->topic_id = topic->id;
    }
    topics_read_unlock(ctx->topics);
    if (!topic) {
        dt->error = by_id ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
        dt->error_message = by_id ? "This server does not host this topic ID."
                                  : "This server does not host this topic-partition.";
        return;
    }
    dt->error = topics_delete(ctx->topics, dt->name);
    if (dt->error == KERR_UNKNOWN_TOPIC_OR_PARTITION) {
        dt->error_message = "This server does not host this topic-partition."; /* deleted meanwhile */
    }
}

req_result_t handle_delete_topics(broker_ctx_t *ctx, kreq_t *req)
{
    delete_topics_req_t dr = {0};
    if (!proto_decode_delete_topics(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    if (ctx->quorum) {
        return cluster_delete_topics(ctx, req, &dr);
    }
    for (int32_t t = 0; t < dr.n_topics; t++) {
        delete_one(ctx, req, &dr.topics[t]);
    }
    proto_encode_delete_topics(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}

req_result_t handle_create_partitions(broker_ctx_t *ctx, kreq_t *req)
{
    create_partitions_req_t cr = {0};
    if (!proto_decode_create_partitions(&req->body, req->hdr.api_version, req->arena, &cr)) {
        return handler_bad_request(req);
    }
    for (int32_t t = 0; t < cr.n_topics; t++) {
        char err[512] = "";
        create_partitions_topic_t *ct = &cr.topics[t];
        if (ctx->quorum) {
            /* Growing a topic of the image is a PartitionRecord from the
             * controller, not a local change, which would leave the nodes
             * disagreeing. */
            ct->error = KERR_INVALID_REQUEST;
            ct->error_message = "adding partitions to a topic of a connectd cluster is not supported yet";
            continue;
        }
        ct->error = topics_add_partitions(ctx->topics, ct->name, ct->count, cr.validate_only, err,
                                          sizeof(err));
        ct->error_message = ct->error ? arena_msg(req, err) : NULL;
    }
    proto_encode_create_partitions(&req->resp, req->hdr.api_version, &cr);
    return REQ_DONE;
}

/* Whether key `name` was asked for (all keys when the list is null). */
static bool key_wanted(const describe_configs_resource_t *res, const char *name)
{
    if (res->n_keys < 0) {
        return true;
    }
    for (int32_t k = 0; k < res->n_keys; k++) {
        if (kstr_eq(res->keys[k], name)) {
            return true;
        }
    }
    return false;
}

static describe_config_entry_t *entry_add(kreq_t *req, describe_configs_resource_t *res,
                                          const config_def_t *def, const char *value, broker_config_source_t source)
{
    describe_config_entry_t *e = &res->entries[res->n_entries++];
    bool sensitive = config_def_sensitive(def);
    e->name = def->name;
    e->value = sensitive || !value ? NULL : arena_msg(req, value);
    e->source = (int8_t)source;
    e->is_default = source == BROKER_CONFIG_SOURCE_DEFAULT;
    e->is_sensitive = sensitive;
    e->config_type = (int8_t)(def->type + 1); /* ConfigDef.Type in order, after UNKNOWN */
    e->documentation = def->doc;
    return e;
}

static void describe_broker(broker_ctx_t *ctx, kreq_t *req, describe_configs_resource_t *res)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", ctx->cfg->node_id);
    if (res->name.len > 0 && !kstr_eq(res->name, id)) {
        res->error = KERR_INVALID_REQUEST;
        res->error_message = "this broker's node.id is not the requested broker";
        return;
    }
    size_t n = config_def_count(broker_config_defs);
    res->entries = arena_alloc(req->arena, sizeof(describe_config_entry_t) * (n + 1));
    for (const config_def_t *def = broker_config_defs; def->name; def++) {
        if (key_wanted(res, def->name)) {
            char buf[512];
            const char *value = broker_config_value(ctx->cfg, def, buf, sizeof(buf));
            describe_config_entry_t *e = entry_add(req, res, def, value, broker_config_source(ctx->cfg, def));
            e->read_only = true; /* no AlterConfigs yet: every broker key is static */
        }
    }
}

static void describe_topic(broker_ctx_t *ctx, kreq_t *req, describe_configs_resource_t *res)
{
    topics_read_lock(ctx->topics);
    topic_t *topic = topics_find(ctx->topics, res->name);
    if (!topic) {
        topics_read_unlock(ctx->topics);
        res->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        res->error_message = "topic does not exist";
        return;
    }
    size_t n = config_def_count(topic_config_defs);
    res->entries = arena_alloc(req->arena, sizeof(describe_config_entry_t) * (n + 1));
    for (const config_def_t *def = topic_config_defs; def->name; def++) {
        if (key_wanted(res, def->name)) {
            char buf[512];
            broker_config_source_t source;
            const char *value = topic_config_value(ctx->cfg, topic->overrides, topic->n_overrides, def,
                                                   buf, sizeof(buf), &source);
            entry_add(req, res, def, value, source);
        }
    }
    topics_read_unlock(ctx->topics);
}

req_result_t handle_describe_configs(broker_ctx_t *ctx, kreq_t *req)
{
    describe_configs_req_t dr = {0};
    if (!proto_decode_describe_configs(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    for (int32_t i = 0; i < dr.n_resources; i++) {
        describe_configs_resource_t *res = &dr.resources[i];
        if (res->type == RESOURCE_BROKER) {
            describe_broker(ctx, req, res);
        } else if (res->type == RESOURCE_TOPIC) {
            describe_topic(ctx, req, res);
        } else {
            res->error = KERR_INVALID_REQUEST;
            res->error_message = "only TOPIC (2) and BROKER (4) resources can be described";
        }
    }
    proto_encode_describe_configs(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}

req_result_t handle_delete_records(broker_ctx_t *ctx, kreq_t *req)
{
    delete_records_req_t dr = {0};
    if (!proto_decode_delete_records(&req->body, req->hdr.api_version, req->arena, &dr)) {
        return handler_bad_request(req);
    }
    bool changed = false;
    topics_read_lock(ctx->topics);
    for (int32_t t = 0; t < dr.n_topics; t++) {
        topic_t *topic = topics_find(ctx->topics, dr.topics[t].name);
        for (int32_t p = 0; p < dr.topics[t].n_partitions; p++) {
            delete_records_partition_t *dp = &dr.topics[t].partitions[p];
            partition_t *part = topic ? topic_partition(topic, dp->index) : NULL;
            dp->low_watermark = -1;
            if (!part) {
                dp->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            pthread_mutex_lock(&part->lock);
            int64_t offset = dp->offset == -1 ? log_end_offset(part->plog) : dp->offset;
            dp->error = offset < 0 ? KERR_OFFSET_OUT_OF_RANGE
                                   : log_delete_records_before(part->plog, offset);
            dp->low_watermark = log_start_offset(part->plog);
            pthread_mutex_unlock(&part->lock);
            changed |= dp->error == KERR_NONE;
        }
    }
    topics_read_unlock(ctx->topics);
    if (changed) {
        topics_write_checkpoints(ctx->topics);
    }
    proto_encode_delete_records(&req->resp, req->hdr.api_version, &dr);
    return REQ_DONE;
}

req_result_t handle_init_producer_id(broker_ctx_t *ctx, kreq_t *req)
{
    init_producer_id_req_t ir = {0};
    if (!proto_decode_init_producer_id(&req->body, req->hdr.api_version, req->arena, &ir)) {
        return handler_bad_request(req);
    }
    ir.producer_id = -1;
    ir.producer_epoch = -1;
    if ((ir.current_producer_id == -1) != (ir.current_producer_epoch == -1)) {
        /* KIP-360 (v3+): an epoch bump names both the producer id and its
         * epoch, a first request neither; Kafka refuses one without the other. */
        ir.error = KERR_INVALID_REQUEST;
    } else if (ir.transactional_id.len >= 0) {
        /* Transactions need a transaction coordinator, which connectd does not
         * have yet; refusing here makes transactional producers fail fast. */
        blog_info("refusing transactional producer '%.*s' from %s: transactions are not supported",
                  (int)ir.transactional_id.len, ir.transactional_id.ptr, server_conn_peer(req->conn));
        ir.error = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else {
        /* Without a transactional id Kafka answers an epoch bump too with a
         * new producer id at epoch 0: its sequence numbers start over. */
        ir.producer_id = topics_next_producer_id(ctx->topics);
        ir.producer_epoch = 0;
        ir.error = ir.producer_id < 0 ? KERR_KAFKA_STORAGE_ERROR : KERR_NONE;
    }
    proto_encode_init_producer_id(&req->resp, req->hdr.api_version, &ir);
    return REQ_DONE;
}
