/*
 * handle_cluster.h - the topic requests on a node of a cluster: topics
 * come from the metadata image and change through the active controller
 * (handle_cluster.c).  Every function here is for a broker_ctx_t whose
 * quorum is set.
 *
 * @locality the network thread of the request  @locks none held on entry;
 *           inside, the image lock alone, and topics_create's (validate
 *           only) with none held
 */
#ifndef CONNECTD_HANDLE_CLUSTER_H
#define CONNECTD_HANDLE_CLUSTER_H

#include "handlers.h"

/* Fills a CreateTopics result (handle_admin.c's create_result). */
typedef void(cluster_create_result_fn)(broker_ctx_t *ctx, kreq_t *req, create_topic_t *ct, int32_t partitions,
                                       const topic_config_kv_t *kvs, size_t n_kvs);

/* CreateTopics and DeleteTopics: NOT_CONTROLLER unless this node is the
 * active controller, which submits the records and parks the request until
 * they are applied here. */
req_result_t cluster_create_topics(broker_ctx_t *ctx, kreq_t *req, create_topics_req_t *cr,
                                   cluster_create_result_fn *result);
req_result_t cluster_delete_topics(broker_ctx_t *ctx, kreq_t *req, delete_topics_req_t *dr);

/*
 * AlterConfigs and IncrementalAlterConfigs of topics: begin, one
 * cluster_alter_topic per topic resource that passed the request's checks
 * (the changes as topics_alter_configs takes them), then end, which
 * encodes the response now or parks the request until the ConfigRecords
 * are applied.  NOT_CONTROLLER unless this node is the active controller.
 */
typedef struct cluster_alter {
    struct cluster_wait *wait;
    meta_record_t *recs;
    size_t n_recs;
} cluster_alter_t;

cluster_alter_t *cluster_alter_begin(kreq_t *req, alter_configs_req_t *ar, bool incremental);
void cluster_alter_topic(broker_ctx_t *ctx, kreq_t *req, cluster_alter_t *a, int32_t i,
                         const topic_config_change_t *changes, size_t n_changes, bool replace, bool validate_only);
req_result_t cluster_alter_end(broker_ctx_t *ctx, kreq_t *req, cluster_alter_t *a);

/* Metadata's topics from the image, auto-creating through the quorum on
 * the active controller (elsewhere a missing topic is unknown). */
void cluster_metadata_topics(broker_ctx_t *ctx, kreq_t *req, metadata_req_t *md, int32_t topic_ops);

/* NOT_LEADER_OR_FOLLOWER when the image's leader of the partition is
 * another node, UNKNOWN_TOPIC_OR_PARTITION when the image has no such
 * partition: what Produce and Fetch answer before touching a log. */
kerr_t cluster_leader_check(broker_ctx_t *ctx, const char *topic, int32_t partition);

/* The records of a new topic (TopicRecord, a PartitionRecord per
 * partition with replicas placed by meta_image_assign, a ConfigRecord per
 * config) in `arena`, with its new id; the error a CreateTopics answers
 * otherwise (with err). */
kerr_t cluster_topic_records(broker_ctx_t *ctx, arena_t *arena, const char *name, int32_t n_partitions,
                             int32_t replication_factor, const topic_config_kv_t *configs, size_t n_configs,
                             kuuid_t *id, meta_record_t **recs, size_t *n_recs, char *err, size_t err_size);

/* Whether the image's topic `name` has id `id`. */
bool cluster_topic_is(broker_ctx_t *ctx, const char *name, const kuuid_t *id);

/* A Metadata topic result from an image topic; under the image lock. */
void cluster_fill_topic(broker_ctx_t *ctx, kreq_t *req, metadata_topic_t *mt, const meta_topic_t *t);

#endif
