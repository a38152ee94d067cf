/*
 * group.c - the classic group membership state machine; see group.h.
 *
 * Members live in a small array (groups have tens of members, not
 * thousands).  A member carries its own "waiting" flags: join_waiting while
 * its JoinGroup is parked, join_ready once the rebalance completed and its
 * response can be sent, sync_waiting while its SyncGroup is parked and
 * sync_ready once the leader's assignment for it arrived.  The coordinator
 * polls those through group_join_result / group_sync_result.
 *
 * A response that is ready stays ready whatever happens to the group before
 * the coordinator polls it: Kafka's GroupCoordinator answers every parked
 * JoinGroup when the join phase completes and every parked SyncGroup when
 * the leader's assignment arrives, at once.  A parked request is polled
 * later (its network thread is woken), and by then another member may have
 * started the next rebalance: a cooperative-sticky leader that revoked
 * partitions re-joins within a millisecond of its SyncGroup.  Losing the
 * ready answer then would leave a follower waiting for a JoinGroup response
 * until its session expired, or make it re-join without the generation's
 * (empty) assignment.
 */
#include "group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

typedef struct member {
    char *id;
    char *instance_id;
    char *client_id;
    char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    group_protocol_t *protocols; /* names and metadata copied */
    int n_protocols;
    int64_t last_seen;
    bool join_waiting;
    bool join_ready;
    bool sync_waiting;
    bool sync_ready; /* the leader's assignment arrived while sync_waiting */
    uint8_t *assignment;
    size_t assignment_len;
} member_t;

typedef struct pending_id {
    char *id;
    int64_t expires;
} pending_id_t;

struct group {
    char *id;
    group_state_t state;
    int32_t generation;
    char *protocol_type;
    char *protocol; /* selected protocol name */
    char *leader;
    member_t *members;
    int n_members, cap_members;
    pending_id_t *pending;
    int n_pending;
    int64_t initial_delay_ms;
    int64_t join_deadline;  /* PreparingRebalance: complete at this time at the latest */
    int64_t delay_until;    /* first rebalance of an empty group waits for more joiners */
    int64_t sync_deadline;  /* CompletingRebalance: the leader must sync by then */
    unsigned long id_counter;
    group_member_view_t *views; /* scratch for the leader's join response */
};

group_t *group_create(const char *group_id, int64_t initial_rebalance_delay_ms)
{
    group_t *grp = calloc(1, sizeof(*grp));
    if (!grp) {
        abort();
    }
    grp->id = xstrdup(group_id ? group_id : "");
    grp->state = GROUP_EMPTY;
    grp->initial_delay_ms = initial_rebalance_delay_ms;
    return grp;
}

static void protocols_free(group_protocol_t *protos, int n)
{
    for (int i = 0; i < n; i++) {
        free((char *)protos[i].name);
        free((uint8_t *)protos[i].metadata);
    }
    free(protos);
}

static void member_free(member_t *m)
{
    free(m->id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    protocols_free(m->protocols, m->n_protocols);
    free(m->assignment);
}

void group_destroy(group_t *grp)
{
    if (!grp) {
        return;
    }
    for (int i = 0; i < grp->n_members; i++) {
        member_free(&grp->members[i]);
    }
    for (int i = 0; i < grp->n_pending; i++) {
        free(grp->pending[i].id);
    }
    free(grp->members);
    free(grp->pending);
    free(grp->views);
    free(grp->id);
    free(grp->protocol_type);
    free(grp->protocol);
    free(grp->leader);
    free(grp);
}

static member_t *member_find(group_t *grp, const char *id)
{
    for (int i = 0; i < grp->n_members; i++) {
        if (strcmp(grp->members[i].id, id) == 0) {
            return &grp->members[i];
        }
    }
    return NULL;
}

static member_t *member_by_instance(group_t *grp, const char *instance_id)
{
    for (int i = 0; instance_id && i < grp->n_members; i++) {
        if (grp->members[i].instance_id && strcmp(grp->members[i].instance_id, instance_id) == 0) {
            return &grp->members[i];
        }
    }
    return NULL;
}

static void member_remove(group_t *grp, member_t *m)
{
    int i = (int)(m - grp->members);
    member_free(m);
    memmove(&grp->members[i], &grp->members[i + 1], (size_t)(grp->n_members - i - 1) * sizeof(member_t));
    grp->n_members--;
}

/* "<client id>-<counter>-<group ptr bits>": unique within the broker's life;
 * Kafka uses client id + UUID, any unique string is valid. */
static char *member_id_new(group_t *grp, const char *client_id)
{
    char buf[300];
    unsigned long n = ++grp->id_counter;
    snprintf(buf, sizeof(buf), "%s-%lu-%08lx", client_id && *client_id ? client_id : "member", n,
             ((unsigned long)((uintptr_t)grp >> 4) ^ n * 2654435761UL) & 0xffffffffUL);
    return xstrdup(buf);
}

static void member_set_protocols(member_t *m, const group_join_params_t *p)
{
    protocols_free(m->protocols, m->n_protocols);
    m->protocols = calloc((size_t)p->n_protocols + 1, sizeof(group_protocol_t));
    if (!m->protocols) {
        abort();
    }
    for (int i = 0; i < p->n_protocols; i++) {
        m->protocols[i].name = xstrdup(p->protocols[i].name ? p->protocols[i].name : "");
        m->protocols[i].metadata = xmemdup(p->protocols[i].metadata, p->protocols[i].metadata_len);
        m->protocols[i].metadata_len = p->protocols[i].metadata_len;
    }
    m->n_protocols = p->n_protocols;
    m->session_timeout_ms = p->session_timeout_ms;
    m->rebalance_timeout_ms = p->rebalance_timeout_ms;
}

static bool protocols_equal(const member_t *m, const group_join_params_t *p)
{
    if (m->n_protocols != p->n_protocols) {
        return false;
    }
    for (int i = 0; i < p->n_protocols; i++) {
        if (strcmp(m->protocols[i].name, p->protocols[i].name) != 0 ||
            m->protocols[i].metadata_len != p->protocols[i].metadata_len ||
            memcmp(m->protocols[i].metadata, p->protocols[i].metadata, p->protocols[i].metadata_len) != 0) {
            return false;
        }
    }
    return true;
}

static const group_protocol_t *member_protocol(const member_t *m, const char *name)
{
    for (int i = 0; i < m->n_protocols; i++) {
        if (strcmp(m->protocols[i].name, name) == 0) {
            return &m->protocols[i];
        }
    }
    return NULL;
}

/* Whether every member except `skip` supports protocol `name`. */
static bool all_support(group_t *grp, const char *name, const member_t *skip)
{
    for (int i = 0; i < grp->n_members; i++) {
        if (&grp->members[i] != skip && !member_protocol(&grp->members[i], name)) {
            return false;
        }
    }
    return true;
}

static member_t *member_add(group_t *grp, char *id, const group_join_params_t *p, int64_t now)
{
    if (grp->n_members == grp->cap_members) {
        grp->cap_members = grp->cap_members ? grp->cap_members * 2 : 4;
        grp->members = realloc(grp->members, (size_t)grp->cap_members * sizeof(member_t));
        if (!grp->members) {
            abort();
        }
    }
    member_t *m = &grp->members[grp->n_members++];
    memset(m, 0, sizeof(*m));
    m->id = id;
    m->instance_id = p->instance_id ? xstrdup(p->instance_id) : NULL;
    m->client_id = xstrdup(p->client_id ? p->client_id : "");
    m->client_host = xstrdup(p->client_host ? p->client_host : "");
    m->last_seen = now;
    member_set_protocols(m, p);
    return m;
}

/* ---- rebalancing ---------------------------------------------------------- */

static void prepare_rebalance(group_t *grp, int64_t now)
{
    int64_t timeout = 0;
    for (int i = 0; i < grp->n_members; i++) {
        member_t *m = &grp->members[i];
        if (m->rebalance_timeout_ms > timeout) {
            timeout = m->rebalance_timeout_ms;
        }
    }
    if (grp->state == GROUP_EMPTY) {
        grp->delay_until = now + grp->initial_delay_ms;
    }
    grp->state = GROUP_PREPARING_REBALANCE;
    grp->join_deadline = now + timeout;
}

/* Most votes among protocols every member supports; each member votes for
 * the first of its protocols that all support (AK selectProtocol). */
static const char *select_protocol(group_t *grp)
{
    const member_t *first = &grp->members[0];
    int best_votes = -1;
    const char *best = NULL;
    for (int c = 0; c < first->n_protocols; c++) {
        const char *candidate = first->protocols[c].name;
        if (!all_support(grp, candidate, NULL)) {
            continue;
        }
        int votes = 0;
        for (int i = 0; i < grp->n_members; i++) {
            const member_t *m = &grp->members[i];
            for (int k = 0; k < m->n_protocols; k++) {
                if (all_support(grp, m->protocols[k].name, NULL)) {
                    votes += strcmp(m->protocols[k].name, candidate) == 0;
                    break;
                }
            }
        }
        if (votes > best_votes) {
            best_votes = votes;
            best = candidate;
        }
    }
    return best;
}

static void complete_join(group_t *grp, int64_t now)
{
    for (int i = grp->n_members - 1; i >= 0; i--) {
        if (!grp->members[i].join_waiting) {
            member_remove(grp, &grp->members[i]); /* did not re-join in time */
        }
    }
    grp->generation++;
    if (grp->n_members == 0) {
        grp->state = GROUP_EMPTY;
        free(grp->leader);
        grp->leader = NULL;
        return;
    }
    const char *protocol = select_protocol(grp);
    free(grp->protocol);
    grp->protocol = xstrdup(protocol);
    if (!grp->leader || !member_find(grp, grp->leader)) {
        free(grp->leader);
        grp->leader = xstrdup(grp->members[0].id);
    }
    int64_t timeout = 0;
    for (int i = 0; i < grp->n_members; i++) {
        member_t *m = &grp->members[i];
        m->join_waiting = false;
        m->join_ready = true;
        m->sync_ready = false;
        m->last_seen = now;
        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
        if (m->rebalance_timeout_ms > timeout) {
            timeout = m->rebalance_timeout_ms;
        }
    }
    grp->state = GROUP_COMPLETING_REBALANCE;
    grp->sync_deadline = now + timeout;
}

static bool all_joined(const group_t *grp)
{
    for (int i = 0; i < grp->n_members; i++) {
        if (!grp->members[i].join_waiting) {
            return false;
        }
    }
    return true;
}

void group_tick(group_t *grp, int64_t now)
{
    for (int i = grp->n_pending - 1; i >= 0; i--) {
        if (grp->pending[i].expires <= now) {
            free(grp->pending[i].id);
            grp->pending[i] = grp->pending[--grp->n_pending];
        }
    }
    bool lost = false;
    for (int i = grp->n_members - 1; i >= 0; i--) {
        member_t *m = &grp->members[i];
        bool waiting = m->join_waiting || m->sync_waiting;
        if (!waiting && m->last_seen + m->session_timeout_ms <= now) {
            member_remove(grp, m);
            lost = true;
        }
    }
    if (lost) {
        if (grp->n_members == 0) {
            grp->state = GROUP_EMPTY;
        } else if (grp->state != GROUP_PREPARING_REBALANCE) {
            prepare_rebalance(grp, now);
        }
    }
    if (grp->state == GROUP_PREPARING_REBALANCE && now >= grp->delay_until &&
        (all_joined(grp) || now >= grp->join_deadline)) {
        complete_join(grp, now);
    }
    if (grp->state == GROUP_COMPLETING_REBALANCE && now >= grp->sync_deadline) {
        prepare_rebalance(grp, now); /* the leader never sent the assignment */
    }
}

/* ---- requests ------------------------------------------------------------- */

static bool take_pending(group_t *grp, const char *id)
{
    for (int i = 0; i < grp->n_pending; i++) {
        if (strcmp(grp->pending[i].id, id) == 0) {
            free(grp->pending[i].id);
            grp->pending[i] = grp->pending[--grp->n_pending];
            return true;
        }
    }
    return false;
}

static kerr_t check_protocols(group_t *grp, const group_join_params_t *p, const member_t *self)
{
    if (!p->protocol_type || !*p->protocol_type || p->n_protocols <= 0) {
        return KERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    bool others = grp->n_members > (self ? 1 : 0);
    if (!others) {
        return KERR_NONE;
    }
    if (strcmp(grp->protocol_type, p->protocol_type) != 0) {
        return KERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    for (int i = 0; i < p->n_protocols; i++) {
        if (all_support(grp, p->protocols[i].name, self)) {
            return KERR_NONE;
        }
    }
    return KERR_INCONSISTENT_GROUP_PROTOCOL;
}

kerr_t group_join(group_t *grp, const group_join_params_t *p, int64_t now, const char **member_id)
{
    *member_id = NULL;
    member_t *m = *p->member_id ? member_find(grp, p->member_id) : member_by_instance(grp, p->instance_id);
    if (*p->member_id && !m && !take_pending(grp, p->member_id)) {
        return KERR_UNKNOWN_MEMBER_ID;
    }
    kerr_t err = check_protocols(grp, p, m);
    if (err != KERR_NONE) {
        return err;
    }
    if (!*p->member_id && !m && p->member_id_required) {
        /* KIP-394: hand out an id first; the member re-joins with it. */
        grp->pending = realloc(grp->pending, (size_t)(grp->n_pending + 1) * sizeof(pending_id_t));
        if (!grp->pending) {
            abort();
        }
        grp->pending[grp->n_pending].id = member_id_new(grp, p->client_id);
        grp->pending[grp->n_pending].expires = now + p->session_timeout_ms;
        *member_id = grp->pending[grp->n_pending++].id;
        return KERR_MEMBER_ID_REQUIRED;
    }
    if (!m && p->max_size > 0 && grp->n_members >= p->max_size) {
        return KERR_GROUP_MAX_SIZE_REACHED;
    }
    if (grp->n_members == 0 || (m && grp->n_members == 1)) {
        free(grp->protocol_type);
        grp->protocol_type = xstrdup(p->protocol_type ? p->protocol_type : "");
    }
    bool rebalance;
    if (!m) {
        m = member_add(grp, *p->member_id ? xstrdup(p->member_id) : member_id_new(grp, p->client_id), p, now);
        rebalance = true;
    } else {
        if (!*p->member_id) {
            /* A static member restarting: new id, same place in the group
             * (and the same leadership). */
            bool was_leader = grp->leader && strcmp(grp->leader, m->id) == 0;
            free(m->id);
            m->id = member_id_new(grp, p->client_id);
            if (was_leader) {
                free(grp->leader);
                grp->leader = xstrdup(m->id);
            }
            if (grp->leader && m == member_by_instance(grp, p->instance_id) && grp->state == GROUP_STABLE &&
                protocols_equal(m, p)) {
                m->last_seen = now;
                m->join_ready = true; /* same generation, same assignment */
                *member_id = m->id;
                return KERR_NONE;
            }
        }
        rebalance = grp->state == GROUP_STABLE || grp->state == GROUP_COMPLETING_REBALANCE
                        ? !protocols_equal(m, p) || (grp->leader && strcmp(grp->leader, m->id) == 0)
                        : false;
        member_set_protocols(m, p);
        m->last_seen = now;
        if (grp->state == GROUP_STABLE && !rebalance) {
            m->join_ready = true; /* nothing changed: answer with the current generation */
            *member_id = m->id;
            return KERR_NONE;
        }
        rebalance = rebalance || grp->state == GROUP_EMPTY;
    }
    m->join_waiting = true;
    m->join_ready = false;
    *member_id = m->id;
    if (rebalance && grp->state != GROUP_PREPARING_REBALANCE) {
        prepare_rebalance(grp, now);
    }
    group_tick(grp, now);
    return KERR_NONE;
}

bool group_join_result(group_t *grp, const char *member_id, group_join_result_t *res)
{
    member_t *m = member_find(grp, member_id);
    memset(res, 0, sizeof(*res));
    if (!m) {
        res->error = KERR_UNKNOWN_MEMBER_ID; /* removed while waiting (rebalance timeout) */
        res->generation = -1;
        res->member_id = member_id;
        return true;
    }
    if (!m->join_ready) {
        return false;
    }
    m->join_ready = false;
    res->generation = grp->generation;
    res->protocol = grp->protocol;
    res->leader = grp->leader;
    res->member_id = m->id;
    if (grp->leader && strcmp(grp->leader, m->id) == 0) {
        free(grp->views);
        grp->views = calloc((size_t)grp->n_members + 1, sizeof(group_member_view_t));
        if (!grp->views) {
            abort();
        }
        for (int i = 0; i < grp->n_members; i++) {
            const member_t *o = &grp->members[i];
            const group_protocol_t *proto = member_protocol(o, grp->protocol);
            grp->views[i] = (group_member_view_t){o->id, o->instance_id, proto ? proto->metadata : NULL,
                                                  proto ? proto->metadata_len : 0};
        }
        res->members = grp->views;
        res->n_members = grp->n_members;
    }
    return true;
}

kerr_t group_sync(group_t *grp, const char *member_id, int32_t generation, const char *protocol_type,
                  const char *protocol_name, const group_assignment_t *assignments, int n_assignments, int64_t now)
{
    member_t *m = member_find(grp, member_id);
    if (!m) {
        return KERR_UNKNOWN_MEMBER_ID;
    }
    if (generation != grp->generation) {
        return KERR_ILLEGAL_GENERATION;
    }
    /* After the member checks, as AK doSyncGroup: a stale member learns of
     * its generation first.  The selected protocol stays set while the
     * group rebalances, so a member of this generation always matches. */
    if ((protocol_type && (!grp->protocol_type || strcmp(protocol_type, grp->protocol_type) != 0)) ||
        (protocol_name && (!grp->protocol || strcmp(protocol_name, grp->protocol) != 0))) {
        return KERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    if (grp->state == GROUP_PREPARING_REBALANCE) {
        return KERR_REBALANCE_IN_PROGRESS;
    }
    m->last_seen = now;
    m->sync_waiting = true;
    if (grp->state == GROUP_COMPLETING_REBALANCE && grp->leader && strcmp(grp->leader, member_id) == 0) {
        for (int i = 0; i < n_assignments; i++) {
            member_t *to = member_find(grp, assignments[i].member_id);
            if (to) {
                free(to->assignment);
                to->assignment = xmemdup(assignments[i].data, assignments[i].len);
                to->assignment_len = assignments[i].len;
            }
        }
        for (int i = 0; i < grp->n_members; i++) {
            grp->members[i].sync_ready = grp->members[i].sync_waiting;
        }
        grp->state = GROUP_STABLE;
    }
    return KERR_NONE;
}

bool group_sync_result(group_t *grp, const char *member_id, kerr_t *err, const uint8_t **assignment, size_t *len)
{
    member_t *m = member_find(grp, member_id);
    *assignment = NULL;
    *len = 0;
    if (!m) {
        *err = KERR_UNKNOWN_MEMBER_ID;
        return true;
    }
    if (!m->sync_waiting) {
        *err = KERR_NONE;
        return true;
    }
    if (m->sync_ready) { /* answered when the leader's assignment came, whatever the state now */
        m->sync_waiting = m->sync_ready = false;
        *err = KERR_NONE;
        *assignment = m->assignment;
        *len = m->assignment_len;
        return true;
    }
    if (grp->state == GROUP_PREPARING_REBALANCE) {
        m->sync_waiting = false;
        *err = KERR_REBALANCE_IN_PROGRESS;
        return true;
    }
    if (grp->state != GROUP_STABLE) {
        return false;
    }
    m->sync_waiting = false;
    *err = KERR_NONE;
    *assignment = m->assignment;
    *len = m->assignment_len;
    return true;
}

kerr_t group_heartbeat(group_t *grp, const char *member_id, int32_t generation, int64_t now)
{
    member_t *m = member_find(grp, member_id);
    if (!m || grp->state == GROUP_EMPTY || grp->state == GROUP_DEAD) {
        return KERR_UNKNOWN_MEMBER_ID;
    }
    if (generation != grp->generation) {
        return KERR_ILLEGAL_GENERATION;
    }
    m->last_seen = now;
    return grp->state == GROUP_PREPARING_REBALANCE ? KERR_REBALANCE_IN_PROGRESS : KERR_NONE;
}

kerr_t group_check_instance(group_t *grp, const char *member_id, const char *instance_id)
{
    const member_t *m = member_by_instance(grp, instance_id);
    return m && *member_id && strcmp(m->id, member_id) != 0 ? KERR_FENCED_INSTANCE_ID : KERR_NONE;
}

const char *group_instance_member(group_t *grp, const char *instance_id)
{
    const member_t *m = member_by_instance(grp, instance_id);
    return m ? m->id : NULL;
}

kerr_t group_leave(group_t *grp, const char *member_id, int64_t now)
{
    member_t *m = member_find(grp, member_id);
    if (!m) {
        return KERR_UNKNOWN_MEMBER_ID;
    }
    member_remove(grp, m);
    if (grp->n_members == 0) {
        grp->state = GROUP_EMPTY;
    } else if (grp->state != GROUP_PREPARING_REBALANCE) {
        prepare_rebalance(grp, now);
    }
    group_tick(grp, now);
    return KERR_NONE;
}

kerr_t group_commit_check(group_t *grp, const char *member_id, int32_t generation, int64_t now)
{
    if (generation < 0 && !*member_id) {
        return grp->n_members == 0 ? KERR_NONE : KERR_UNKNOWN_MEMBER_ID;
    }
    member_t *m = member_find(grp, member_id);
    if (!m) {
        return KERR_UNKNOWN_MEMBER_ID;
    }
    if (generation != grp->generation) {
        return KERR_ILLEGAL_GENERATION;
    }
    if (grp->state == GROUP_COMPLETING_REBALANCE) {
        return KERR_REBALANCE_IN_PROGRESS;
    }
    m->last_seen = now;
    return KERR_NONE;
}

void group_restore(group_t *grp, const char *protocol_type, int32_t generation)
{
    free(grp->protocol_type);
    grp->protocol_type = protocol_type && *protocol_type ? xstrdup(protocol_type) : NULL;
    grp->generation = generation;
    grp->state = GROUP_EMPTY;
}

void group_member_info(const group_t *grp, int i, group_member_info_t *info)
{
    const member_t *m = &grp->members[i];
    const group_protocol_t *proto = grp->protocol ? member_protocol(m, grp->protocol) : NULL;
    if (!proto && m->n_protocols > 0) {
        proto = &m->protocols[0];
    }
    *info = (group_member_info_t){
        .member_id = m->id,
        .instance_id = m->instance_id,
        .client_id = m->client_id,
        .client_host = m->client_host,
        .session_timeout_ms = m->session_timeout_ms,
        .rebalance_timeout_ms = m->rebalance_timeout_ms,
        .metadata = proto ? proto->metadata : NULL,
        .metadata_len = proto ? proto->metadata_len : 0,
        .assignment = m->assignment,
        .assignment_len = m->assignment_len,
    };
}

const char *group_name(const group_t *grp)
{
    return grp->id;
}

const char *group_protocol_type(const group_t *grp)
{
    return grp->protocol_type;
}

const char *group_protocol(const group_t *grp)
{
    return grp->protocol;
}

const char *group_leader(const group_t *grp)
{
    return grp->leader;
}

group_state_t group_state(const group_t *grp)
{
    return grp->state;
}

const char *group_state_name(group_state_t state)
{
    static const char *const names[] = {"Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"};
    return names[state];
}

int32_t group_generation(const group_t *grp)
{
    return grp->generation;
}

int group_member_count(const group_t *grp)
{
    return grp->n_members;
}
