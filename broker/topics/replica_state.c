/*
 * replica_state.c - a partition's high watermark and followers' progress;
 * the rules are in replica_state.h.
 */
#include "replica_state.h"

#include <stdlib.h>

#include "xalloc.h"

void replica_state_init(replica_state_t *rs, int64_t hw)
{
    *rs = (replica_state_t){.role = REPLICA_ROLE_NONE, .leader = -1, .leader_epoch = -1, .hw = hw};
}

void replica_state_free(replica_state_t *rs)
{
    free(rs->peers);
    rs->peers = NULL;
    rs->n_peers = 0;
}

static bool ids_have(const int32_t *ids, int32_t n, int32_t id)
{
    for (int32_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static replica_peer_t *peer_find(replica_state_t *rs, int32_t id)
{
    for (int32_t i = 0; i < rs->n_peers; i++) {
        if (rs->peers[i].id == id) {
            return &rs->peers[i];
        }
    }
    return NULL;
}

void replica_state_become(replica_state_t *rs, int32_t self, const int32_t *replicas, int32_t n_replicas,
                          const int32_t *isr, int32_t n_isr, int32_t leader, int32_t leader_epoch, int64_t leo,
                          int64_t now_ms)
{
    bool same_leadership = rs->role == REPLICA_ROLE_LEADER && leader == self && rs->leader_epoch == leader_epoch;
    bool same_leader = rs->leader == leader && rs->leader_epoch == leader_epoch;
    replica_role_t was = rs->role;
    replica_peer_t *old = rs->peers;
    int32_t n_old = rs->n_peers;
    rs->peers = NULL;
    rs->n_peers = 0;
    if (rs->hw > leo) {
        rs->hw = leo; /* a checkpoint from before a truncation */
    }
    rs->leader = leader;
    rs->leader_epoch = leader_epoch;
    rs->n_isr = n_isr;
    if (!ids_have(replicas, n_replicas, self) || leader < 0) {
        rs->role = REPLICA_ROLE_OFFLINE;
    } else if (leader != self) {
        rs->role = REPLICA_ROLE_FOLLOWER;
        if (was != REPLICA_ROLE_FOLLOWER || !same_leader) {
            rs->truncate_pending = true;
        }
    } else {
        rs->role = REPLICA_ROLE_LEADER;
        rs->truncate_pending = false;
        rs->peers = xcalloc((size_t)n_replicas + 1, sizeof(*rs->peers));
        for (int32_t i = 0; i < n_replicas; i++) {
            if (replicas[i] == self) {
                continue;
            }
            replica_peer_t *p = &rs->peers[rs->n_peers++];
            *p = (replica_peer_t){.id = replicas[i], .leo = -1, .last_caught_up_ms = now_ms};
            for (int32_t o = 0; same_leadership && o < n_old; o++) {
                if (old[o].id == p->id) {
                    p->leo = old[o].leo;
                    p->last_caught_up_ms = old[o].last_caught_up_ms;
                }
            }
            p->in_isr = ids_have(isr, n_isr, p->id);
        }
    }
    free(old);
}

bool replica_state_follower_fetched(replica_state_t *rs, int32_t id, int64_t offset, int64_t leo, int64_t now_ms)
{
    replica_peer_t *p = rs->role == REPLICA_ROLE_LEADER ? peer_find(rs, id) : NULL;
    if (!p) {
        return false;
    }
    p->leo = offset;
    if (offset >= leo) {
        p->last_caught_up_ms = now_ms;
    } else if (p->last_fetch_ms > 0 && offset >= p->last_fetch_leo && p->last_fetch_ms > p->last_caught_up_ms) {
        p->last_caught_up_ms = p->last_fetch_ms;
    }
    p->last_fetch_leo = leo;
    p->last_fetch_ms = now_ms;
    return true;
}

int64_t replica_state_high_watermark(replica_state_t *rs, int64_t leo)
{
    if (rs->role == REPLICA_ROLE_NONE) {
        return leo;
    }
    if (rs->role == REPLICA_ROLE_LEADER) {
        int64_t min = leo;
        for (int32_t i = 0; i < rs->n_peers; i++) {
            if (rs->peers[i].in_isr && rs->peers[i].leo < min) {
                min = rs->peers[i].leo;
            }
        }
        if (min > rs->hw) {
            rs->hw = min;
        }
    }
    return rs->hw < leo ? rs->hw : leo;
}

int32_t replica_state_isr_wanted(replica_state_t *rs, int32_t self, const int32_t *isr, int32_t n_isr, int64_t leo,
                                 int64_t now_ms, int64_t lag_max_ms, int32_t *out)
{
    int32_t n = 0;
    int64_t hw = replica_state_high_watermark(rs, leo);
    for (int32_t i = 0; i < n_isr; i++) {
        replica_peer_t *p = isr[i] == self ? NULL : peer_find(rs, isr[i]);
        /* A follower with the whole log stays, fetching or not, as in
         * Kafka: only fencing removes a dead one then. */
        if (!p || p->leo == leo || now_ms - p->last_caught_up_ms <= lag_max_ms) {
            out[n++] = isr[i];
        }
    }
    for (int32_t i = 0; i < rs->n_peers; i++) {
        const replica_peer_t *p = &rs->peers[i];
        if (!ids_have(isr, n_isr, p->id) && p->leo >= 0 && p->leo >= hw) {
            out[n++] = p->id;
        }
    }
    return n;
}

void replica_state_leader_hw(replica_state_t *rs, int64_t leader_hw, int64_t leo)
{
    rs->hw = leader_hw < leo ? leader_hw : leo;
}

int64_t replica_state_truncation_offset(int32_t leader_epoch, int64_t leader_end, int32_t my_epoch, int64_t my_end,
                                        int64_t hw, bool *done)
{
    *done = true;
    if (leader_end < 0) {
        return hw;
    }
    if (my_end < 0) {
        return leader_end; /* this log does not know the epoch: take the leader's end */
    }
    if (my_epoch != leader_epoch) {
        *done = false;
        return my_end;
    }
    return my_end < leader_end ? my_end : leader_end;
}

bool replica_state_under_min_isr(const replica_state_t *rs, int32_t min_insync)
{
    return rs->role != REPLICA_ROLE_NONE && rs->n_isr < min_insync;
}
