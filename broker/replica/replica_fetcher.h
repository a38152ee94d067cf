/*
 * replica_fetcher.h - a cluster node's part in partition replication, as
 * Kafka's ReplicaManager and ReplicaFetcherThread: it gives each local
 * partition the role the metadata image names (topics/replica_state.h),
 * and a follower fetches from its leaders.
 *
 * One fetch session per leader broker, on the broker loop: a TCP
 * connection to the leader's inter-broker endpoint (from the image)
 * carrying Fetch v5 with this node's id as ReplicaId, one request at a
 * time, for every partition this node follows under that leader, each at
 * its log end offset.  The leader answers a replica with batches up to its
 * own log end (not the high watermark) and with its high watermark; the
 * follower appends the batches as they are (log_append_replica: the
 * leader's offsets and leader epochs) and takes the leader's high
 * watermark capped by its own log end.  Its next Fetch, at its new log end
 * offset, is how the leader learns that it has them.  A follower whose log
 * ends before the leader's log start (OFFSET_OUT_OF_RANGE) starts over
 * empty there; one whose log ends past the leader's asks
 * OffsetForLeaderEpoch again.
 *
 *   Fetch v5 request:  ReplicaId int32, MaxWaitMs int32, MinBytes int32,
 *     MaxBytes int32, IsolationLevel int8,
 *     Topics [Topic string, Partitions [Partition int32, FetchOffset int64,
 *     LogStartOffset int64, PartitionMaxBytes int32]]
 *   Fetch v5 response: ThrottleTimeMs int32,
 *     Responses [Topic string, Partitions [PartitionIndex int32,
 *     ErrorCode int16, HighWatermark int64, LastStableOffset int64,
 *     LogStartOffset int64, AbortedTransactions nullable [ProducerId int64, FirstOffset int64],
 *     Records nullable bytes]]
 *
 * As a leader it also keeps the ISRs in line with its followers' progress
 * (Kafka's maybeShrinkIsr and maybeExpandIsr): every half second it asks
 * the active controller (quorum_alter_partition, AlterPartition) to drop
 * a follower that has not caught up for replica.lag.time.max.ms and to
 * add back one that reached the high watermark.
 *
 * A connection that fails or a leader that does not answer within the
 * request timeout is dropped and tried again a little later; nothing
 * blocks the loop.
 *
 * Threads: everything runs on the broker loop.  It takes the image lock
 * alone, and the registry read lock with one partition lock under it.
 */
#ifndef CONNECTD_REPLICA_FETCHER_H
#define CONNECTD_REPLICA_FETCHER_H

#include <uv.h>

#include "config/broker_config.h"
#include "quorum/quorum.h"
#include "topics/topics.h"

typedef struct replica_fetcher replica_fetcher_t;

/* A fetcher for node cfg->node_id; all borrowed, they outlive it.
 * @locality the broker loop */
replica_fetcher_t *replica_fetcher_create(uv_loop_t *loop, const broker_config_t *cfg, topics_t *topics, quorum_t *q);

/* After the image changed: gives every local partition its role, and
 * starts, changes or stops the fetch sessions.  Returns whether a role
 * changed (parked requests may then have an answer).
 * @locality the broker loop  @locks none held */
bool replica_fetcher_sync(replica_fetcher_t *f);

/* Closes the sessions and frees once their handles closed (run the loop
 * once more).  It touches neither topics nor quorum after it returns.
 * NULL is fine.  @locality the broker loop */
void replica_fetcher_destroy(replica_fetcher_t *f);

#endif
