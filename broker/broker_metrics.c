/*
 * broker_metrics.c - the broker's families for GET /metrics; see
 * broker_metrics.h.
 *
 * Counting costs the request path one clock read at each end (server.c)
 * and, here, one summary observation per request (whose count is also the
 * request count); the per-topic counters are bumped once per produced batch
 * and once per topic of a fetch response.  Everything else (partition
 * sizes, offsets, group lag) is read only when scraped, under the same
 * locks the handlers take.
 *
 * Names follow Kafka's JMX metrics as Prometheus' JMX exporter would show
 * them, in connectd's own namespace:
 *
 *   kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce
 *       -> connectd_broker_requests_total{api="Produce"}
 *   kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=t
 *       -> connectd_broker_topic_bytes_in_total{topic="t"}
 *   kafka.log:type=Log,name=LogEndOffset,topic=t,partition=0
 *       -> connectd_broker_partition_log_end_offset{topic="t",partition="0"}
 */
#include "broker_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "protocol/api.h"

struct broker_metrics {
    const api_t *apis; /* api_supported(): one entry per API below */
    int n_apis;
    metrics_summary_t **latency; /* its _count is also requests_total */
};

broker_metrics_t *broker_metrics_create(void)
{
    broker_metrics_t *stats = calloc(1, sizeof(*stats));
    if (!stats) {
        abort();
    }
    stats->apis = api_supported(&stats->n_apis);
    stats->latency = calloc((size_t)stats->n_apis, sizeof(*stats->latency));
    if (!stats->latency) {
        abort();
    }
    for (int i = 0; i < stats->n_apis; i++) {
        stats->latency[i] = metrics_summary_create();
    }
    return stats;
}

void broker_metrics_destroy(broker_metrics_t *stats)
{
    if (!stats) {
        return;
    }
    for (int i = 0; i < stats->n_apis; i++) {
        metrics_summary_destroy(stats->latency[i]);
    }
    free(stats->latency);
    free(stats);
}

void broker_metrics_request_done(broker_metrics_t *stats, int16_t api_key, int64_t elapsed_ns)
{
    const api_t *api = api_find(api_key);
    if (!api) {
        return; /* closed as unsupported: not a request the broker served */
    }
    int i = (int)(api - stats->apis);
    metrics_summary_observe(stats->latency[i], elapsed_ns > 0 ? (uint64_t)elapsed_ns : 0);
}

static void write_requests(broker_metrics_t *stats, metrics_text_t *out, int64_t now_ms)
{
    metrics_family_t *requests = metrics_text_family(
        out, "connectd_broker_requests_total", METRICS_COUNTER,
        "Requests the broker finished, by API (Kafka's RequestMetrics RequestsPerSec).");
    metrics_family_t *latency = metrics_text_family(
        out, "connectd_broker_request_latency_seconds", METRICS_SUMMARY,
        "Time from a request's arrival to its answer, by API, including the wait of a long-poll Fetch "
        "(Kafka's RequestMetrics TotalTimeMs); quantiles over the last minute.");
    for (int i = 0; i < stats->n_apis; i++) {
        const char *const labels[] = {"api", stats->apis[i].name, NULL};
        metrics_family_add_u64(requests, labels, metrics_summary_count(stats->latency[i]));
        metrics_family_add_summary(latency, labels, stats->latency[i], 1e-9, now_ms);
    }
}

static void write_topics(broker_ctx_t *ctx, metrics_text_t *out)
{
    metrics_family_t *n_topics = metrics_text_family(out, "connectd_broker_topics", METRICS_GAUGE,
                                                     "Topics on this broker, internal ones included.");
    metrics_family_t *n_parts = metrics_text_family(out, "connectd_broker_partitions", METRICS_GAUGE,
                                                    "Partitions on this broker (Kafka's ReplicaManager "
                                                    "PartitionCount).");
    metrics_family_t *under = metrics_text_family(
        out, "connectd_broker_under_replicated_partitions", METRICS_GAUGE,
        "Partitions with fewer in-sync replicas than replicas; 0 on a single node, where every "
        "partition's one replica is its leader.");
    metrics_family_t *topic_parts = metrics_text_family(out, "connectd_broker_topic_partitions", METRICS_GAUGE,
                                                        "Partitions of the topic.");
    metrics_family_t *bytes_in = metrics_text_family(
        out, "connectd_broker_topic_bytes_in_total", METRICS_COUNTER,
        "Bytes of record batches appended by Produce (Kafka's BrokerTopicMetrics BytesInPerSec).");
    metrics_family_t *msgs_in = metrics_text_family(
        out, "connectd_broker_topic_messages_in_total", METRICS_COUNTER,
        "Records appended by Produce (Kafka's BrokerTopicMetrics MessagesInPerSec).");
    metrics_family_t *bytes_out = metrics_text_family(
        out, "connectd_broker_topic_bytes_out_total", METRICS_COUNTER,
        "Bytes of record batches sent in Fetch responses (Kafka's BrokerTopicMetrics BytesOutPerSec).");
    metrics_family_t *msgs_out = metrics_text_family(
        out, "connectd_broker_topic_messages_out_total", METRICS_COUNTER,
        "Records in the whole batches sent in Fetch responses, including records before the fetch "
        "offset in the first batch, which the client skips.");
    metrics_family_t *leo = metrics_text_family(out, "connectd_broker_partition_log_end_offset", METRICS_GAUGE,
                                                "The offset the next record appended to the partition gets "
                                                "(Kafka's Log LogEndOffset).");
    metrics_family_t *lso = metrics_text_family(out, "connectd_broker_partition_log_start_offset", METRICS_GAUGE,
                                                "The first offset still in the partition's log (Kafka's Log "
                                                "LogStartOffset).");
    metrics_family_t *size = metrics_text_family(out, "connectd_broker_partition_size_bytes", METRICS_GAUGE,
                                                 "Bytes of the partition's log segments (Kafka's Log Size).");
    uint64_t total_parts = 0;
    topics_read_lock(ctx->topics);
    size_t n = topics_count(ctx->topics);
    for (size_t t = 0; t < n; t++) {
        topic_t *topic = topics_at(ctx->topics, t);
        const char *const labels[] = {"topic", topic->name, NULL};
        metrics_family_add_i64(topic_parts, labels, topic->n_partitions);
        metrics_family_add_u64(bytes_in, labels, metrics_counter_get(&topic->bytes_in));
        metrics_family_add_u64(msgs_in, labels, metrics_counter_get(&topic->messages_in));
        metrics_family_add_u64(bytes_out, labels, metrics_counter_get(&topic->bytes_out));
        metrics_family_add_u64(msgs_out, labels, metrics_counter_get(&topic->messages_out));
        for (int32_t p = 0; p < topic->n_partitions; p++) {
            partition_t *part = topic->partitions[p];
            char index[16];
            snprintf(index, sizeof(index), "%d", (int)p);
            const char *const plabels[] = {"topic", topic->name, "partition", index, NULL};
            pthread_mutex_lock(&part->lock);
            int64_t end = log_end_offset(part->plog), start = log_start_offset(part->plog);
            int64_t bytes = log_size_bytes(part->plog);
            pthread_mutex_unlock(&part->lock);
            metrics_family_add_i64(leo, plabels, end);
            metrics_family_add_i64(lso, plabels, start);
            metrics_family_add_i64(size, plabels, bytes);
        }
        total_parts += (uint64_t)topic->n_partitions;
    }
    topics_read_unlock(ctx->topics);
    metrics_family_add_u64(n_topics, NULL, n);
    metrics_family_add_u64(n_parts, NULL, total_parts);
    metrics_family_add_u64(under, NULL, 0);
}

/* The log end offset of topic-partition, or -1.
 * @locks the registry read lock held; takes the partition lock */
static int64_t log_end_of(topics_t *topics, const char *name, int32_t index)
{
    topic_t *topic = topics_find(topics, (kstr_t){name, (int32_t)strlen(name)});
    partition_t *part = topic ? topic_partition(topic, index) : NULL;
    if (!part) {
        return -1;
    }
    pthread_mutex_lock(&part->lock);
    int64_t end = log_end_offset(part->plog);
    pthread_mutex_unlock(&part->lock);
    return end;
}

static void write_groups(broker_ctx_t *ctx, metrics_text_t *out)
{
    metrics_family_t *by_state = metrics_text_family(
        out, "connectd_broker_groups", METRICS_GAUGE,
        "Consumer groups by state (Kafka's GroupMetadataManager NumGroupsStable, ...).");
    metrics_family_t *members = metrics_text_family(out, "connectd_broker_group_members", METRICS_GAUGE,
                                                    "Members of the group.");
    metrics_family_t *committed = metrics_text_family(out, "connectd_broker_group_committed_offset",
                                                      METRICS_GAUGE, "The group's committed offset.");
    metrics_family_t *lag = metrics_text_family(
        out, "connectd_broker_group_lag", METRICS_GAUGE,
        "Records between the group's committed offset and the partition's log end offset.");
    static const group_state_t states[] = {GROUP_EMPTY, GROUP_PREPARING_REBALANCE, GROUP_COMPLETING_REBALANCE,
                                           GROUP_STABLE, GROUP_DEAD};
    uint64_t counts[sizeof(states) / sizeof(states[0])] = {0};
    coordinator_lock(ctx->coord);
    topics_read_lock(ctx->topics);
    int n = coordinator_group_count(ctx->coord);
    for (int g = 0; g < n; g++) {
        group_t *grp = coordinator_group_at(ctx->coord, g);
        const char *id = group_name(grp);
        counts[group_state(grp)]++;
        const char *const glabels[] = {"group", id, NULL};
        metrics_family_add_i64(members, glabels, group_member_count(grp));
        int n_offsets = 0;
        const committed_offset_t *offsets = coordinator_committed_all(ctx->coord, id, &n_offsets);
        for (int i = 0; i < n_offsets; i++) {
            const committed_offset_t *co = &offsets[i];
            char index[16];
            snprintf(index, sizeof(index), "%d", (int)co->partition);
            const char *const labels[] = {"group", id, "topic", co->topic, "partition", index, NULL};
            metrics_family_add_i64(committed, labels, co->offset);
            int64_t end = log_end_of(ctx->topics, co->topic, co->partition);
            if (end >= 0 && co->offset >= 0) {
                metrics_family_add_i64(lag, labels, end > co->offset ? end - co->offset : 0);
            }
        }
    }
    topics_read_unlock(ctx->topics);
    coordinator_unlock(ctx->coord);
    for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
        const char *const labels[] = {"state", group_state_name(states[s]), NULL};
        metrics_family_add_u64(by_state, labels, counts[states[s]]);
    }
}

void broker_metrics_write(broker_ctx_t *ctx, metrics_text_t *out)
{
    write_requests(ctx->stats, out, clock_mono_coarse_ms());
    write_topics(ctx, out);
    write_groups(ctx, out);
}
