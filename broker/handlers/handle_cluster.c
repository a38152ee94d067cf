/*
 * handle_cluster.c - what the topic requests do on a node of a cluster
 * (process.roles, docs/cluster.md): the metadata image is where topics
 * live, and only the active controller writes it.
 *
 * CreateTopics and DeleteTopics are answered NOT_CONTROLLER on every node
 * but the active controller, which Metadata names, so that admin clients
 * (which send both to the controller) refresh their metadata and retry
 * there; requests are not forwarded.  The active controller turns them into
 * TopicRecord, PartitionRecord and ConfigRecord, or RemoveTopicRecord,
 * submits them to the quorum, and parks the request until the entry is
 * committed and applied here: by then this node's logs follow the image
 * (broker.c), and the other nodes' follow as they apply it.
 *
 * A replication factor may be up to the number of unfenced brokers; the
 * followers fetch from the leader (replica/replica_fetcher.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "blog.h"
#include "handle_cluster.h"

static bool uuid_same(const kuuid_t *a, const kuuid_t *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* The image's topic with id `id`, or NULL; under the image lock. */
static const meta_topic_t *image_topic_by_id(const meta_image_t *img, const kuuid_t *id)
{
    for (size_t i = 0; i < meta_image_topic_count(img); i++) {
        const meta_topic_t *t = meta_image_topic_at(img, i);
        if (uuid_same(&t->id, id)) {
            return t;
        }
    }
    return NULL;
}

kerr_t cluster_topic_records(broker_ctx_t *ctx, arena_t *arena, const char *name, int32_t n_partitions,
                             int32_t replication_factor, const topic_config_kv_t *configs, size_t n_configs,
                             kuuid_t *id, meta_record_t **recs, size_t *n_recs, char *err, size_t err_size)
{
    if (n_partitions == -1) {
        n_partitions = ctx->cfg->num_partitions;
    }
    if (replication_factor == -1) {
        replication_factor = ctx->cfg->default_replication_factor;
    }
    /* The name, partition count and configs as a single node checks them
     * (nothing is created: validate only). */
    kerr_t rc = topics_create(ctx->topics, (kstr_t){name, (int32_t)strlen(name)}, n_partitions, configs, n_configs,
                              true, err, err_size);
    if (rc == KERR_TOPIC_ALREADY_EXISTS) {
        rc = KERR_NONE; /* the local logs may be a deleted topic's still going: the image decides */
    }
    if (rc != KERR_NONE) {
        return rc;
    }
    int32_t *replicas = arena_alloc(arena, sizeof(int32_t) * (size_t)n_partitions * (size_t)replication_factor);
    uint32_t start;
    if (getrandom(&start, sizeof(start), 0) != sizeof(start)) {
        start = (uint32_t)rand();
    }
    quorum_read_lock(ctx->quorum);
    const meta_image_t *img = quorum_image(ctx->quorum);
    bool exists = meta_image_topic_find(img, name) != NULL;
    bool placed = !exists && meta_image_assign(img, n_partitions, replication_factor, (int32_t)(start % 1024), replicas,
                                               err, err_size);
    quorum_read_unlock(ctx->quorum);
    if (exists) {
        snprintf(err, err_size, "topic '%s' already exists", name);
        return KERR_TOPIC_ALREADY_EXISTS;
    }
    if (!placed) {
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    topics_new_topic_id(id);
    size_t n = 1 + (size_t)n_partitions + n_configs;
    meta_record_t *r = arena_alloc(arena, sizeof(*r) * n);
    r[0] = (meta_record_t){.type = META_TOPIC, .topic = {.name = name, .topic_id = *id}};
    for (int32_t p = 0; p < n_partitions; p++) {
        const int32_t *reps = &replicas[p * replication_factor];
        r[1 + p] = (meta_record_t){.type = META_PARTITION,
                                   .partition = {.partition_id = p,
                                                 .topic_id = *id,
                                                 .replicas = reps,
                                                 .n_replicas = replication_factor,
                                                 .isr = reps,
                                                 .n_isr = replication_factor,
                                                 .leader = reps[0],
                                                 .leader_epoch = 0,
                                                 .partition_epoch = 0}};
    }
    for (size_t c = 0; c < n_configs; c++) {
        r[1 + n_partitions + c] = (meta_record_t){.type = META_CONFIG,
                                                  .config = {.resource_type = META_CONFIG_TOPIC,
                                                             .resource_name = name,
                                                             .name = configs[c].key,
                                                             .value = configs[c].value}};
    }
    *recs = r;
    *n_recs = n;
    return KERR_NONE;
}

bool cluster_topic_is(broker_ctx_t *ctx, const char *name, const kuuid_t *id)
{
    quorum_read_lock(ctx->quorum);
    const meta_topic_t *t = meta_image_topic_find(quorum_image(ctx->quorum), name);
    bool same = t && uuid_same(&t->id, id);
    quorum_read_unlock(ctx->quorum);
    return same;
}

kerr_t cluster_leader_check(broker_ctx_t *ctx, const char *topic, int32_t partition)
{
    quorum_read_lock(ctx->quorum);
    const meta_topic_t *t = meta_image_topic_find(quorum_image(ctx->quorum), topic);
    kerr_t err = KERR_NONE;
    if (!t) {
        err = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    } else if (partition < 0 || partition >= t->n_parts || t->parts[partition].n_replicas == 0) {
        err = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    } else if (t->parts[partition].leader != ctx->cfg->node_id || quorum_is_fenced(ctx->quorum)) {
        err = KERR_NOT_LEADER_OR_FOLLOWER;
    }
    quorum_read_unlock(ctx->quorum);
    return err;
}

void cluster_fill_topic(broker_ctx_t *ctx, kreq_t *req, metadata_topic_t *mt, const meta_topic_t *t)
{
    mt->name.len = (int32_t)strlen(t->name);
    mt->name.ptr = arena_strndup(req->arena, t->name, (size_t)mt->name.len);
    mt->topic_id = t->id;
    mt->is_internal = strcmp(t->name, "__consumer_offsets") == 0 || strcmp(t->name, "__transaction_state") == 0;
    mt->n_partitions = t->n_parts;
    mt->partitions = arena_alloc(req->arena, sizeof(metadata_partition_t) * (size_t)(t->n_parts + 1));
    for (int32_t p = 0; p < t->n_parts; p++) {
        const meta_partition_t *src = &t->parts[p];
        metadata_partition_t *dst = &mt->partitions[p];
        dst->index = p;
        dst->leader = src->leader;
        dst->leader_epoch = src->leader_epoch;
        int32_t *reps = arena_alloc(req->arena, sizeof(int32_t) * (size_t)(src->n_replicas + 1));
        int32_t *isr = arena_alloc(req->arena, sizeof(int32_t) * (size_t)(src->n_isr + 1));
        memcpy(reps, src->replicas, sizeof(int32_t) * (size_t)src->n_replicas);
        memcpy(isr, src->isr, sizeof(int32_t) * (size_t)src->n_isr);
        dst->replicas = reps;
        dst->n_replicas = src->n_replicas;
        dst->isr = isr;
        dst->n_isr = src->n_isr;
        /* A leader that is not among the listed brokers (fenced) is what
         * Kafka answers LEADER_NOT_AVAILABLE for; leader election by the
         * controller is the next increment. */
        const meta_broker_t *b = src->leader >= 0 ? meta_image_broker_find(quorum_image(ctx->quorum), src->leader)
                                                  : NULL;
        dst->error = b && !b->fenced ? KERR_NONE : KERR_LEADER_NOT_AVAILABLE;
    }
}

/* ---- Metadata --------------------------------------------------------------- */

/* Auto-creation on the active controller: the records are submitted and the
 * client, answered LEADER_NOT_AVAILABLE, asks again once they apply. */
static void metadata_auto_create(broker_ctx_t *ctx, kreq_t *req, metadata_topic_t *mt, const char *name)
{
    /* The internal topics are each node's own until groups span nodes
     * (docs/cluster.md): never a topic of the image with other partitions
     * than the local one's. */
    bool internal = strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
    if (internal || !quorum_is_active_controller(ctx->quorum)) {
        mt->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    char err[512];
    kuuid_t id;
    meta_record_t *recs;
    size_t n;
    kerr_t rc = cluster_topic_records(ctx, req->arena, name, -1, -1, NULL, 0, &id, &recs, &n, err, sizeof(err));
    if (rc == KERR_TOPIC_ALREADY_EXISTS) {
        mt->error = KERR_LEADER_NOT_AVAILABLE;
        return;
    }
    if (rc != KERR_NONE) {
        blog_warn("auto-creating topic %s failed: %s", name, err);
        mt->error = rc;
        return;
    }
    quorum_ticket_release(quorum_submit(ctx->quorum, recs, n));
    blog_info("auto-creating topic %s through the metadata quorum", name);
    mt->error = KERR_LEADER_NOT_AVAILABLE;
}

void cluster_metadata_topics(broker_ctx_t *ctx, kreq_t *req, metadata_req_t *md, int32_t topic_ops)
{
    if (md->n_topics < 0) {
        quorum_read_lock(ctx->quorum);
        const meta_image_t *img = quorum_image(ctx->quorum);
        size_t n = meta_image_topic_count(img);
        md->n_result_topics = (int32_t)n;
        md->result_topics = arena_alloc(req->arena, sizeof(metadata_topic_t) * (n + 1));
        for (size_t i = 0; i < n; i++) {
            cluster_fill_topic(ctx, req, &md->result_topics[i], meta_image_topic_at(img, i));
            md->result_topics[i].authorized_operations = topic_ops;
        }
        quorum_read_unlock(ctx->quorum);
        return;
    }
    for (int32_t i = 0; i < md->n_topics; i++) {
        metadata_topic_t *mt = &md->topics[i];
        mt->authorized_operations = topic_ops;
        const char *name = handler_cstr(req, mt->name);
        quorum_read_lock(ctx->quorum);
        const meta_image_t *img = quorum_image(ctx->quorum);
        const meta_topic_t *t = name ? meta_image_topic_find(img, name) : image_topic_by_id(img, &mt->topic_id);
        if (t) {
            cluster_fill_topic(ctx, req, mt, t);
        }
        quorum_read_unlock(ctx->quorum);
        char err[256];
        if (t) {
            continue;
        } else if (!name) {
            mt->error = KERR_UNKNOWN_TOPIC_ID;
        } else if (!topics_name_valid(mt->name, err, sizeof(err))) {
            mt->error = KERR_INVALID_TOPIC_EXCEPTION;
        } else if (!md->allow_auto_topic_creation || !ctx->cfg->auto_create_topics_enable) {
            mt->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        } else {
            metadata_auto_create(ctx, req, mt, name);
        }
    }
}

/* ---- CreateTopics and DeleteTopics ------------------------------------------------ */

/* A parked CreateTopics, DeleteTopics, AlterConfigs or
 * IncrementalAlterConfigs: its decoded request, and the ticket of the entry
 * that holds the records of the topics (resources) marked. */
typedef enum cluster_wait_kind {
    WAIT_CREATE,
    WAIT_DELETE,
    WAIT_ALTER,
    WAIT_ALTER_INCREMENTAL,
} cluster_wait_kind_t;

typedef struct cluster_wait {
    cluster_wait_kind_t kind;
    create_topics_req_t cr;
    delete_topics_req_t dr;
    alter_configs_req_t *ar;
    bool *submitted; /* per topic or resource */
    quorum_ticket_t *ticket;
} cluster_wait_t;

static void cluster_encode(kreq_t *req, const cluster_wait_t *w)
{
    switch (w->kind) {
    case WAIT_CREATE:
        proto_encode_create_topics(&req->resp, req->hdr.api_version, &w->cr);
        break;
    case WAIT_DELETE:
        proto_encode_delete_topics(&req->resp, req->hdr.api_version, &w->dr);
        break;
    case WAIT_ALTER:
        proto_encode_alter_configs(&req->resp, req->hdr.api_version, w->ar);
        break;
    case WAIT_ALTER_INCREMENTAL:
        proto_encode_incremental_alter_configs(&req->resp, req->hdr.api_version, w->ar);
        break;
    }
}

static void cluster_wait_free(kreq_t *req)
{
    cluster_wait_t *w = req->state;
    quorum_ticket_release(w->ticket);
    w->ticket = NULL;
}

/* Fills the results of the submitted topics from the image once the
 * entry is in, or from the way it failed. */
static bool cluster_recheck(void *opaque, kreq_t *req, bool timed_out)
{
    broker_ctx_t *ctx = opaque;
    cluster_wait_t *w = req->state;
    quorum_ticket_state_t state = quorum_ticket_state(w->ticket);
    if (state == QUORUM_TICKET_PENDING && !timed_out) {
        return false;
    }
    int32_t n = w->kind == WAIT_CREATE ? w->cr.n_topics : w->kind == WAIT_DELETE ? w->dr.n_topics : w->ar->n_resources;
    for (int32_t i = 0; i < n; i++) {
        if (!w->submitted[i]) {
            continue;
        }
        kerr_t err;
        const char *msg = NULL;
        if (state == QUORUM_TICKET_PENDING) {
            err = KERR_REQUEST_TIMED_OUT;
            msg = "the metadata quorum did not commit the change in time; it may still happen";
        } else if (state == QUORUM_TICKET_FAILED) {
            err = KERR_NOT_CONTROLLER;
            msg = "this node stopped being the active controller";
        } else if (w->kind != WAIT_CREATE) {
            err = KERR_NONE;
        } else {
            create_topic_t *ct = &w->cr.topics[i];
            if (cluster_topic_is(ctx, handler_cstr(req, ct->name), &ct->topic_id)) {
                err = KERR_NONE;
            } else {
                err = KERR_TOPIC_ALREADY_EXISTS;
                msg = "the topic was created meanwhile";
            }
        }
        if (w->kind == WAIT_DELETE) {
            w->dr.topics[i].error = err;
            w->dr.topics[i].error_message = msg;
        } else if (w->kind != WAIT_CREATE) {
            w->ar->resources[i].error = err;
            w->ar->resources[i].error_message = msg;
        } else {
            create_topic_t *ct = &w->cr.topics[i];
            ct->error = err;
            ct->error_message = msg;
            if (err != KERR_NONE) {
                static const kuuid_t zero;
                ct->topic_id = zero;
                ct->result_partitions = -1;
                ct->result_replication_factor = -1;
                ct->n_result_configs = -1;
            }
        }
    }
    cluster_encode(req, w);
    return true;
}

/* Parks `req` on the entry of `recs`, or answers it now when nothing was
 * submitted. */
static req_result_t cluster_submit(broker_ctx_t *ctx, kreq_t *req, cluster_wait_t *w, meta_record_t *recs,
                                   size_t n_recs, int32_t timeout_ms)
{
    if (n_recs > 0) {
        w->ticket = quorum_submit(ctx->quorum, recs, n_recs);
    }
    if (!w->ticket) {
        cluster_encode(req, w);
        return REQ_DONE;
    }
    req->state = w;
    req->on_free = cluster_wait_free;
    server_park(req, timeout_ms > 0 ? timeout_ms : 30000, cluster_recheck);
    return REQ_PARKED;
}

/* Appends `n` records to the arena array `*all` of `*n_all`. */
static void records_append(arena_t *arena, meta_record_t **all, size_t *n_all, const meta_record_t *recs, size_t n)
{
    meta_record_t *grown = arena_alloc(arena, sizeof(*grown) * (*n_all + n + 1));
    if (*n_all) {
        memcpy(grown, *all, sizeof(*grown) * *n_all);
    }
    memcpy(grown + *n_all, recs, sizeof(*grown) * n);
    *all = grown;
    *n_all += n;
}

req_result_t cluster_create_topics(broker_ctx_t *ctx, kreq_t *req, create_topics_req_t *cr,
                                   cluster_create_result_fn *result)
{
    cluster_wait_t *w = arena_alloc(req->arena, sizeof(*w));
    w->cr = *cr;
    w->submitted = arena_alloc(req->arena, sizeof(bool) * (size_t)(cr->n_topics + 1));
    bool active = quorum_is_active_controller(ctx->quorum);
    meta_record_t *all = NULL;
    size_t n_all = 0;
    for (int32_t t = 0; t < cr->n_topics; t++) {
        create_topic_t *ct = &w->cr.topics[t];
        ct->result_partitions = -1;
        ct->result_replication_factor = -1;
        ct->n_result_configs = -1;
        char err[512] = "";
        const char *name = handler_cstr(req, ct->name);
        topic_config_kv_t *kvs = arena_alloc(req->arena, sizeof(*kvs) * (size_t)(ct->n_configs + 1));
        kerr_t rc = KERR_NONE;
        for (int32_t i = 0; i < ct->n_configs && rc == KERR_NONE; i++) {
            create_topic_config_t *c = &ct->configs[i];
            kvs[i].key = (char *)handler_cstr(req, c->name);
            kvs[i].value = (char *)handler_cstr(req, c->value);
            if (!kvs[i].value) {
                snprintf(err, sizeof(err), "%s: a null value is not supported for topic configs", kvs[i].key);
                rc = KERR_INVALID_CONFIG;
            }
        }
        int32_t partitions = ct->num_partitions;
        if (rc == KERR_NONE && ct->n_assignments > 0) {
            snprintf(err, sizeof(err),
                     "manual replica assignments are not supported in a connectd cluster yet; give the number "
                     "of partitions");
            rc = KERR_INVALID_REQUEST;
        }
        if (rc == KERR_NONE && !active) {
            snprintf(err, sizeof(err), "this node is not the active controller (node %d is)",
                     quorum_leader_id(ctx->quorum));
            rc = KERR_NOT_CONTROLLER;
        }
        meta_record_t *recs = NULL;
        size_t n = 0;
        if (rc == KERR_NONE) {
            rc = cluster_topic_records(ctx, req->arena, name, partitions, ct->replication_factor, kvs,
                                       (size_t)ct->n_configs, &ct->topic_id, &recs, &n, err, sizeof(err));
        }
        /* Two topics of one request with the same name: the second is
         * refused, as the image would refuse its records. */
        for (int32_t o = 0; o < t && rc == KERR_NONE; o++) {
            if (w->submitted[o] && kstr_eq(ct->name, handler_cstr(req, w->cr.topics[o].name))) {
                snprintf(err, sizeof(err), "topic '%s' is given twice", name);
                rc = KERR_INVALID_REQUEST;
            }
        }
        ct->error = rc;
        ct->error_message = rc ? arena_strndup(req->arena, err, strlen(err)) : NULL;
        if (rc != KERR_NONE) {
            static const kuuid_t zero;
            ct->topic_id = zero;
            continue;
        }
        result(ctx, req, ct, partitions, kvs, (size_t)ct->n_configs);
        ct->result_replication_factor = ct->replication_factor == -1 ? ctx->cfg->default_replication_factor
                                                                     : ct->replication_factor;
        if (!cr->validate_only) {
            w->submitted[t] = true;
            records_append(req->arena, &all, &n_all, recs, n);
        }
    }
    return cluster_submit(ctx, req, w, all, n_all, cr->timeout_ms);
}

req_result_t cluster_delete_topics(broker_ctx_t *ctx, kreq_t *req, delete_topics_req_t *dr)
{
    cluster_wait_t *w = arena_alloc(req->arena, sizeof(*w));
    w->kind = WAIT_DELETE;
    w->dr = *dr;
    w->submitted = arena_alloc(req->arena, sizeof(bool) * (size_t)(dr->n_topics + 1));
    bool active = quorum_is_active_controller(ctx->quorum);
    meta_record_t *all = NULL;
    size_t n_all = 0;
    static const kuuid_t zero;
    for (int32_t i = 0; i < dr->n_topics; i++) {
        delete_topic_t *dt = &w->dr.topics[i];
        bool by_id = !uuid_same(&dt->topic_id, &zero);
        if (by_id == (dt->name.len >= 0)) {
            dt->error = KERR_INVALID_REQUEST;
            dt->error_message = by_id ? "You may not specify both topic name and topic id."
                                      : "Neither topic name nor id were specified.";
            continue;
        }
        if (!ctx->cfg->delete_topic_enable) {
            dt->error = KERR_TOPIC_DELETION_DISABLED;
            dt->error_message = "Topic deletion is disabled.";
            continue;
        }
        const char *name = by_id ? NULL : handler_cstr(req, dt->name);
        quorum_read_lock(ctx->quorum);
        const meta_image_t *img = quorum_image(ctx->quorum);
        const meta_topic_t *t = by_id ? image_topic_by_id(img, &dt->topic_id) : meta_image_topic_find(img, name);
        if (t) {
            dt->name = handler_kstr(req, t->name);
            dt->topic_id = t->id;
        }
        quorum_read_unlock(ctx->quorum);
        if (!t) {
            dt->error = by_id ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
            dt->error_message = by_id ? "This server does not host this topic ID."
                                      : "This server does not host this topic-partition.";
            continue;
        }
        if (!active) {
            dt->error = KERR_NOT_CONTROLLER;
            dt->error_message = "this node is not the active controller";
            continue;
        }
        bool twice = false;
        for (int32_t o = 0; o < i; o++) {
            twice |= w->submitted[o] && uuid_same(&w->dr.topics[o].topic_id, &dt->topic_id);
        }
        if (twice) {
            dt->error = KERR_NONE; /* deleted by the same entry */
            continue;
        }
        meta_record_t rec = {.type = META_REMOVE_TOPIC, .remove_topic = {.topic_id = dt->topic_id}};
        records_append(req->arena, &all, &n_all, &rec, 1);
        w->submitted[i] = true;
    }
    return cluster_submit(ctx, req, w, all, n_all, dr->timeout_ms);
}

/* ---- AlterConfigs and IncrementalAlterConfigs ----------------------------------- */

cluster_alter_t *cluster_alter_begin(kreq_t *req, alter_configs_req_t *ar, bool incremental)
{
    cluster_wait_t *w = arena_alloc(req->arena, sizeof(*w));
    w->kind = incremental ? WAIT_ALTER_INCREMENTAL : WAIT_ALTER;
    w->ar = arena_alloc(req->arena, sizeof(*w->ar)); /* `ar` is the handler's, on its stack */
    *w->ar = *ar;
    w->submitted = arena_alloc(req->arena, sizeof(bool) * (size_t)(ar->n_resources + 1));
    cluster_alter_t *a = arena_alloc(req->arena, sizeof(*a));
    a->wait = w;
    return a;
}

void cluster_alter_topic(broker_ctx_t *ctx, kreq_t *req, cluster_alter_t *a, int32_t i,
                         const topic_config_change_t *changes, size_t n_changes, bool replace, bool validate_only)
{
    cluster_wait_t *w = a->wait;
    alter_configs_resource_t *res = &w->ar->resources[i];
    const char *name = handler_cstr(req, res->name);
    if (!quorum_is_active_controller(ctx->quorum)) {
        res->error = KERR_NOT_CONTROLLER;
        res->error_message = "this node is not the active controller; topic configs change there";
        return;
    }
    quorum_read_lock(ctx->quorum);
    bool known = meta_image_topic_find(quorum_image(ctx->quorum), name) != NULL;
    quorum_read_unlock(ctx->quorum);
    char err[512] = "";
    topic_config_kv_t *after = NULL;
    size_t n_after = 0;
    kerr_t rc = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (!known) {
        snprintf(err, sizeof(err), "topic '%s' does not exist", name);
    } else {
        /* This node's logs follow the image, configs included: the local
         * topic's overrides are the image's. */
        rc = topics_config_preview(ctx->topics, res->name, changes, n_changes, replace, &after, &n_after, err,
                                   sizeof(err));
    }
    res->error = rc;
    res->error_message = rc ? arena_strndup(req->arena, err, strlen(err)) : NULL;
    if (rc != KERR_NONE || validate_only) {
        topics_config_list_free(after, n_after);
        return;
    }
    /* The records that take the image's configs to `after`: a null value
     * for each key that goes, the value of each that is new or changed. */
    quorum_read_lock(ctx->quorum);
    const char **names, **values;
    size_t n_now = meta_image_configs_of(quorum_image(ctx->quorum), META_CONFIG_TOPIC, name, &names, &values);
    meta_record_t *recs = arena_alloc(req->arena, sizeof(*recs) * (n_now + n_after + 1));
    size_t n = 0;
    for (size_t c = 0; c < n_now; c++) {
        bool kept = false;
        for (size_t k = 0; k < n_after && !kept; k++) {
            kept = strcmp(after[k].key, names[c]) == 0;
        }
        if (!kept) {
            recs[n++] = (meta_record_t){.type = META_CONFIG,
                                        .config = {.resource_type = META_CONFIG_TOPIC,
                                                   .resource_name = name,
                                                   .name = arena_strndup(req->arena, names[c], strlen(names[c])),
                                                   .value = NULL}};
        }
    }
    for (size_t k = 0; k < n_after; k++) {
        bool same = false;
        for (size_t c = 0; c < n_now && !same; c++) {
            same = strcmp(after[k].key, names[c]) == 0 && strcmp(after[k].value, values[c]) == 0;
        }
        if (!same) {
            recs[n++] = (meta_record_t){
                .type = META_CONFIG,
                .config = {.resource_type = META_CONFIG_TOPIC,
                           .resource_name = name,
                           .name = arena_strndup(req->arena, after[k].key, strlen(after[k].key)),
                           .value = arena_strndup(req->arena, after[k].value, strlen(after[k].value))}};
        }
    }
    quorum_read_unlock(ctx->quorum);
    free(names);
    free(values);
    topics_config_list_free(after, n_after);
    if (n > 0) {
        records_append(req->arena, &a->recs, &a->n_recs, recs, n);
        w->submitted[i] = true;
    }
}

req_result_t cluster_alter_end(broker_ctx_t *ctx, kreq_t *req, cluster_alter_t *a)
{
    return cluster_submit(ctx, req, a->wait, a->recs, a->n_recs, 30000);
}
