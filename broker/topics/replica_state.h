/*
 * replica_state.h - one partition's place in replication, as Kafka's
 * Partition keeps it: whether this node leads it or follows, the leader
 * epoch, the high watermark, and on the leader what each follower last
 * fetched.
 *
 * On a single node (no process.roles) a partition has no role: its log is
 * the whole ISR, and the high watermark is the log end offset, as it
 * always was.  In a cluster the metadata image gives every replica its
 * role (replica/replica_fetcher.h applies it):
 *
 * - The leader learns each follower's log end offset from the offset the
 *   follower fetches at (a follower asks for what it does not have yet),
 *   and the follower is caught up when that offset reaches the leader's
 *   log end.  The high watermark is the smallest log end offset of the ISR
 *   members, the leader's own included, and never moves back while this
 *   node leads (Kafka's maybeIncrementLeaderHW).  A follower that has not
 *   fetched since this node became leader holds the high watermark where
 *   it was until it does.
 * - A follower is caught up as of a fetch at the leader's log end, or as
 *   of its previous fetch when it now fetches at what the leader's log end
 *   was then (Kafka's Replica.updateFetchState): under steady writes the
 *   leader's log end moves on between fetches, and the follower is still
 *   keeping up.  The leader asks the controller to drop a follower not
 *   caught up for replica.lag.time.max.ms from the ISR, and to add one back
 *   once its log end reaches the high watermark (replica_state_isr_wanted).
 * - A follower's high watermark is the leader's, as the last Fetch
 *   response said, capped by its own log end offset.
 *
 * Example: replicas [1, 2, 3], ISR [1, 2, 3], the leader 1 at LEO 10;
 * follower 2 fetches at 10, follower 3 at 7: the high watermark is 7.
 * When 3 fetches at 10 it is 10.
 *
 * Pure bookkeeping with no lock of its own: @locality any thread, @locks
 * the owning partition's lock (topics.h) while the state is a partition's.
 */
#ifndef CONNECTD_REPLICA_STATE_H
#define CONNECTD_REPLICA_STATE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum replica_role {
    REPLICA_ROLE_NONE = 0, /* a single node: the high watermark is the log end offset */
    REPLICA_ROLE_LEADER,
    REPLICA_ROLE_FOLLOWER,
    REPLICA_ROLE_OFFLINE, /* a replica of a partition without a leader: nothing is visible past the HW */
} replica_role_t;

/* Another replica of a partition this node leads. */
typedef struct replica_peer {
    int32_t id;
    int64_t leo;               /* the offset of its last fetch; -1 before one */
    int64_t last_caught_up_ms; /* when it last had everything the leader had (see below) */
    int64_t last_fetch_leo;    /* the leader's log end at its previous fetch */
    int64_t last_fetch_ms;     /* and when that was */
    bool in_isr;
} replica_peer_t;

typedef struct replica_state {
    replica_role_t role;
    int32_t leader; /* node id; -1: none */
    int32_t leader_epoch;
    int64_t hw;
    int32_t n_isr; /* the ISR's size, this node included when it is a member */
    /* A follower of a new leader or leader epoch: it asks the leader where
     * its latest epoch ended and truncates a divergent tail before it
     * fetches (replica/replica_fetcher.h). */
    bool truncate_pending;
    replica_peer_t *peers; /* the other replicas, on the leader */
    int32_t n_peers;
} replica_state_t;

/* A state with no role and high watermark `hw` (a checkpointed one, or 0). */
void replica_state_init(replica_state_t *rs, int64_t hw);
void replica_state_free(replica_state_t *rs);

/*
 * Takes the role the metadata image gives node `self`: leader when it is
 * `leader`, follower of `leader` otherwise (or offline when the leader is
 * -1).  A leader that keeps its leader epoch keeps what its followers
 * fetched; a new epoch starts them unknown.  A follower of a new leader or
 * epoch has truncate_pending set.  `leo` is the log end offset,
 * `now_ms` the clock of the caught-up times.
 */
void replica_state_become(replica_state_t *rs, int32_t self, const int32_t *replicas, int32_t n_replicas,
                          const int32_t *isr, int32_t n_isr, int32_t leader, int32_t leader_epoch, int64_t leo,
                          int64_t now_ms);

/* On the leader: follower `id` fetched at `offset` while the leader's log
 * ended at `leo`.  False when `id` is not a replica of the partition. */
bool replica_state_follower_fetched(replica_state_t *rs, int32_t id, int64_t offset, int64_t leo, int64_t now_ms);

/* The high watermark with the log ending at `leo`, moved forward first on
 * the leader (see above).  A single node's is `leo`. */
int64_t replica_state_high_watermark(replica_state_t *rs, int64_t leo);

/* On the leader: the ISR it should have now (`isr` of `n_isr`, the
 * image's, this node included), given the followers' progress: members
 * not caught up for `lag_max_ms` leave, non-members whose log end reached
 * the high watermark join.  Writes at most n_isr + n_peers ids to `out`
 * and returns their count; the same set as `isr` when nothing changes. */
int32_t replica_state_isr_wanted(replica_state_t *rs, int32_t self, const int32_t *isr, int32_t n_isr, int64_t leo,
                                 int64_t now_ms, int64_t lag_max_ms, int32_t *out);

/* On a follower: the leader's high watermark from a Fetch response. */
void replica_state_leader_hw(replica_state_t *rs, int64_t leader_hw, int64_t leo);

/*
 * On a follower: where to cut its log from the leader's answer to
 * OffsetForLeaderEpoch, as Kafka's AbstractFetcherThread: `leader_epoch`
 * and `leader_end` are the answer (leader_end -1: the leader does not know
 * the epoch, so the log is cut at `hw`), `my_epoch` and `my_end` where that
 * epoch ends in this log (log_end_offset_for_epoch).  When this log has
 * the same epoch, the cut is the smaller of the two ends: a tail written
 * here under a later epoch the leader never saw diverges even when the
 * leader's own log goes on past it.  When this log has another epoch there
 * the cut is its end here, and *done is false: ask again.  The caller
 * truncates only when the result is below its log end.
 */
int64_t replica_state_truncation_offset(int32_t leader_epoch, int64_t leader_end, int32_t my_epoch, int64_t my_end,
                                        int64_t hw, bool *done);

/* Whether the ISR holds fewer than `min_insync` replicas (acks=all's
 * NOT_ENOUGH_REPLICAS).  Never on a single node. */
bool replica_state_under_min_isr(const replica_state_t *rs, int32_t min_insync);

#endif
