/*
 * connect_member.c - a worker's place in its Connect group (connect_member.h).
 *
 * group_member.c runs the group protocol on its thread; the callbacks here
 * turn it into Connect's: before each JoinGroup the worker offers, newest
 * first, every protocol connect.protocol allows, each with its metadata
 * (version, advertised URL, config offset, and for compatible and sessioned
 * the assignment it runs now, so a new leader knows who runs what).  The
 * leader reads every member's metadata under the protocol the coordinator
 * chose and answers each with an assignment naming the leader and its URL,
 * which followers need to forward REST writes.
 *
 * The config topic (config_tail.h) says what there is to assign: the
 * worker reads it to its end (within worker.sync.timeout.ms) before it
 * joins, so its metadata carries a current config offset, and the leader
 * again before it assigns (connect_assignor.h).  A change there (a
 * connector created or deleted, a new commit of task configs) makes the
 * worker rejoin (connect_member_rejoin), so the leader assigns the new
 * state.
 *
 * What the worker runs is its last eager assignment, or under the
 * cooperative protocols what it ran less what was revoked plus what was
 * assigned.  A revocation makes it rejoin once the revoked work has
 * stopped (connect_member_work_settled), so the leader can hand it out; a
 * delay makes it rejoin when the delay ends.  An eager member stops all
 * its work before each JoinGroup, as Kafka's onRevoked.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "config_tail.h"
#include "connect_assignor.h"
#include "connect_member.h"
#include "group_member.h"
#include "xalloc.h"

struct connect_member {
    connect_protocol_t max_protocol; /* connect.protocol */
    int32_t sync_timeout_ms;         /* worker.sync.timeout.ms, at most half of session.timeout.ms */
    char *url;
    config_tail_t *tail; /* borrowed */
    connect_member_running_cb *on_running;
    void *ctx;
    connect_assignor_t *assignor; /* the leader's memory; used on the member's thread only */

    pthread_mutex_t lock; /* guards what follows */
    group_member_t *gm;   /* set once it starts; read by the config topic's thread */
    int32_t generation;
    connect_protocol_t protocol; /* of the last assignment */
    /* What the worker runs (in `assigned`; nothing revoked) with the last
     * assignment's leader, leader URL and config offset, or NULL. */
    connect_assignment_t *running;
    /* The generation whose revocations the worker is stopping, to rejoin
     * once they stopped; -1: none. */
    int32_t rejoin_when_settled;
};

/* A deep copy of `as` (through its bytes: the codec owns the layout). */
static connect_assignment_t *assignment_copy(const connect_assignment_t *as, connect_protocol_t proto)
{
    uint8_t *buf;
    size_t len;
    char err[256];
    if (connect_assignment_encode(as, &buf, &len, err, sizeof(err)) < 0) {
        return NULL;
    }
    connect_assignment_t *copy = connect_assignment_decode(proto, buf, len, err, sizeof(err));
    free(buf);
    return copy;
}

/* What this member runs now, a copy, or NULL.
 * @locks takes cm->lock */
static connect_assignment_t *member_current(connect_member_t *cm)
{
    pthread_mutex_lock(&cm->lock);
    connect_assignment_t *as = cm->running ? assignment_copy(cm->running, cm->protocol) : NULL;
    pthread_mutex_unlock(&cm->lock);
    return as;
}

static size_t member_offer(void *ctx, group_protocol_offer_t *offers, size_t max)
{
    connect_member_t *cm = ctx;
    if (!config_tail_catch_up(cm->tail, cm->sync_timeout_ms)) {
        blog_warn("the config topic was not read to its end within worker.sync.timeout.ms (%d ms); joining with "
                  "what was read",
                  cm->sync_timeout_ms);
    }
    pthread_mutex_lock(&cm->lock);
    bool eager_stop = cm->protocol == CONNECT_PROTOCOL_EAGER && cm->running;
    int32_t generation = cm->generation;
    if (eager_stop) {
        connect_assignment_destroy(cm->running);
        cm->running = NULL;
    }
    pthread_mutex_unlock(&cm->lock);
    if (eager_stop) {
        /* Eager: everything may be assigned elsewhere in the next
         * generation, so nothing may run here once this member joins. */
        cm->on_running(cm->ctx, NULL, generation, true);
    }
    int64_t offset = config_tail_offset(cm->tail);
    connect_assignment_t *current = member_current(cm);
    size_t n = 0;
    for (int proto = (int)cm->max_protocol; proto >= 0 && n < max; proto--) {
        connect_worker_state_t ws = {
            .version = (int16_t)proto,
            .url = cm->url,
            .config_offset = offset,
            .assignment = proto > 0 ? current : NULL,
        };
        char err[256];
        offers[n].name = connect_protocol_name((connect_protocol_t)proto);
        if (connect_metadata_encode(&ws, &offers[n].metadata, &offers[n].metadata_len, err, sizeof(err)) < 0) {
            blog_error("cannot write this worker's %s group metadata: %s", offers[n].name, err);
            continue;
        }
        n++;
    }
    connect_assignment_destroy(current);
    return n;
}

static void member_assign(void *ctx, const char *protocol, const char *leader_id, const group_member_info_t *members,
                          size_t n, uint8_t **assignments, size_t *lens)
{
    connect_member_t *cm = ctx;
    int proto = connect_protocol_from_name(protocol);
    if (proto < 0) {
        blog_error("the coordinator chose group protocol '%s', which no Connect worker offers", protocol);
        return;
    }
    char err[256];
    const char *leader_url = cm->url;
    connect_worker_state_t **states = xcalloc(n + 1, sizeof(*states));
    connect_assignor_member_t *in = xcalloc(n + 1, sizeof(*in));
    for (size_t i = 0; i < n; i++) {
        states[i] = connect_metadata_decode((connect_protocol_t)proto, members[i].metadata, members[i].metadata_len,
                                            err, sizeof(err));
        in[i].member_id = members[i].member_id;
        if (!states[i]) {
            blog_error("member %s sent unreadable %s metadata: %s", members[i].member_id, protocol, err);
            continue;
        }
        in[i].running = states[i]->assignment;
        if (strcmp(members[i].member_id, leader_id) == 0) {
            leader_url = states[i]->url;
        }
    }
    /* The leader assigns what the config topic holds now. */
    if (!config_tail_catch_up(cm->tail, cm->sync_timeout_ms)) {
        blog_warn("the config topic was not read to its end within worker.sync.timeout.ms (%d ms); assigning what "
                  "was read",
                  cm->sync_timeout_ms);
    }
    size_t n_connectors;
    connect_assignor_connector_t *connectors = config_tail_snapshot(cm->tail, &n_connectors);
    connect_assignor_round_t round = {
        .protocol = (connect_protocol_t)proto,
        .leader_id = leader_id,
        .leader_url = leader_url,
        .config_offset = config_tail_offset(cm->tail),
        .now_ms = clock_mono_ms(),
    };
    connect_assignment_t **out = connect_assignor_assign(cm->assignor, &round, in, n, connectors, n_connectors);
    for (size_t i = 0; i < n; i++) {
        if (connect_assignment_encode(out[i], &assignments[i], &lens[i], err, sizeof(err)) < 0) {
            blog_error("cannot write the assignment of member %s: %s", members[i].member_id, err);
        }
        connect_assignment_destroy(out[i]);
        connect_worker_state_destroy(states[i]);
    }
    free(out);
    config_tail_snapshot_free(connectors, n_connectors);
    free(in);
    free(states);
}

/* Adds (or with `remove`, removes) connector c's task t to/from `run`. */
static void running_apply(connect_assignment_t *run, const char *c, int32_t t, bool remove)
{
    connect_assignment_entry_t *e = NULL;
    for (size_t i = 0; i < run->n_assigned && !e; i++) {
        e = strcmp(run->assigned[i].connector, c) == 0 ? &run->assigned[i] : NULL;
    }
    for (size_t k = 0; e && k < e->n_tasks; k++) {
        if (e->tasks[k] == t) {
            if (remove) {
                memmove(&e->tasks[k], &e->tasks[k + 1], (e->n_tasks - k - 1) * sizeof(int32_t));
                e->n_tasks--;
            }
            return;
        }
    }
    if (remove) {
        return;
    }
    if (!e) {
        run->assigned = xrealloc(run->assigned, (run->n_assigned + 1) * sizeof(*run->assigned));
        e = &run->assigned[run->n_assigned++];
        *e = (connect_assignment_entry_t){.connector = xstrdup(c)};
    }
    e->tasks = xrealloc(e->tasks, (e->n_tasks + 1) * sizeof(int32_t));
    e->tasks[e->n_tasks++] = t;
}

/* "c[-1,0] d[1]": a connector and its task 0, task 1 of d. */
static void running_text(const connect_assignment_t *run, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; run && i < run->n_assigned && len < size; i++) {
        if (run->assigned[i].n_tasks == 0) {
            continue;
        }
        len += (size_t)snprintf(out + len, size - len, "%s%s[", len ? " " : "", run->assigned[i].connector);
        for (size_t t = 0; t < run->assigned[i].n_tasks && len < size; t++) {
            len += (size_t)snprintf(out + len, size - len, "%s%d", t ? "," : "", run->assigned[i].tasks[t]);
        }
        if (len < size) {
            len += (size_t)snprintf(out + len, size - len, "]");
        }
    }
}

static void member_assigned(void *ctx, const char *protocol, int32_t generation, const char *member_id,
                            const uint8_t *assignment, size_t len)
{
    connect_member_t *cm = ctx;
    char err[256];
    int proto = connect_protocol_from_name(protocol);
    connect_assignment_t *as = proto < 0 ? NULL
                                         : connect_assignment_decode((connect_protocol_t)proto, assignment, len, err,
                                                                     sizeof(err));
    if (!as) {
        blog_error("generation %d: an unreadable assignment from the leader (%s)", generation,
                   proto < 0 ? "an unknown protocol" : err);
        return;
    }
    pthread_mutex_lock(&cm->lock);
    connect_assignment_t *run = cm->running;
    if (proto == CONNECT_PROTOCOL_EAGER || !run) {
        connect_assignment_destroy(run);
        run = xcalloc(1, sizeof(*run));
    }
    for (size_t e = 0; e < as->n_revoked; e++) {
        for (size_t t = 0; t < as->revoked[e].n_tasks; t++) {
            running_apply(run, as->revoked[e].connector, as->revoked[e].tasks[t], true);
        }
    }
    for (size_t e = 0; e < as->n_assigned; e++) {
        for (size_t t = 0; t < as->assigned[e].n_tasks; t++) {
            running_apply(run, as->assigned[e].connector, as->assigned[e].tasks[t], false);
        }
    }
    free(run->leader);
    free(run->leader_url);
    run->version = as->version;
    run->leader = xstrdup(as->leader);
    run->leader_url = xstrdup(as->leader_url);
    run->config_offset = as->config_offset;
    cm->running = run;
    cm->generation = generation;
    cm->protocol = (connect_protocol_t)proto;
    char text[1024];
    running_text(run, text, sizeof(text));
    if (as->n_revoked > 0) {
        cm->rejoin_when_settled = generation;
    }
    cm->on_running(cm->ctx, run, generation, false);
    pthread_mutex_unlock(&cm->lock);
    blog_info("generation %d: assignment from leader %s (%s): runs {%s}, %zu connectors revoked, delay %d ms",
              generation, as->leader, as->leader_url, text, as->n_revoked, as->delay_ms);
    pthread_mutex_lock(&cm->lock);
    group_member_t *gm = cm->gm; /* NULL only if the first join beat the start's return */
    pthread_mutex_unlock(&cm->lock);
    if (gm && as->n_revoked == 0 && as->delay_ms > 0) {
        group_member_rejoin_after(gm, as->delay_ms);
    }
    connect_assignment_destroy(as);
}

static void member_lost(void *ctx, const char *why)
{
    connect_member_t *cm = ctx;
    (void)why;
    pthread_mutex_lock(&cm->lock);
    connect_assignment_destroy(cm->running);
    cm->running = NULL;
    cm->rejoin_when_settled = -1;
    cm->on_running(cm->ctx, NULL, cm->generation, false);
    pthread_mutex_unlock(&cm->lock);
}

void connect_member_work_settled(connect_member_t *cm, int32_t generation)
{
    pthread_mutex_lock(&cm->lock);
    bool rejoin = cm->rejoin_when_settled >= 0 && generation >= cm->rejoin_when_settled;
    if (rejoin) {
        cm->rejoin_when_settled = -1;
    }
    group_member_t *gm = cm->gm;
    pthread_mutex_unlock(&cm->lock);
    if (rejoin && gm) {
        /* The revoked work is stopped: the leader may hand it out now. */
        group_member_rejoin(gm);
    }
}

void connect_member_rejoin(connect_member_t *cm)
{
    pthread_mutex_lock(&cm->lock);
    group_member_t *gm = cm->gm; /* NULL until it starts, which reads the config anyway */
    pthread_mutex_unlock(&cm->lock);
    if (gm) {
        group_member_rejoin(gm);
    }
}

connect_member_t *connect_member_start(const distributed_config_t *dcfg, const char *bootstrap, const char *url,
                                       const char *client_id, config_tail_t *tail, connect_member_running_cb *running,
                                       void *ctx, char *errstr, size_t errstr_size)
{
    connect_member_t *cm = xcalloc(1, sizeof(*cm));
    cm->max_protocol = (connect_protocol_t)dcfg->protocol;
    /* The config topic is read on the member's thread, which must not miss
     * its heartbeats meanwhile, so it waits half a session at most. */
    cm->sync_timeout_ms = dcfg->worker_sync_timeout_ms < dcfg->session_timeout_ms / 2 ? dcfg->worker_sync_timeout_ms
                                                                                      : dcfg->session_timeout_ms / 2;
    cm->url = xstrdup(url);
    cm->generation = -1;
    cm->rejoin_when_settled = -1;
    cm->assignor = connect_assignor_create(dcfg->scheduled_rebalance_max_delay_ms);
    cm->tail = tail;
    cm->on_running = running;
    cm->ctx = ctx;
    pthread_mutex_init(&cm->lock, NULL);
    group_member_config_t cfg = {
        .bootstrap = bootstrap,
        .group_id = dcfg->group_id,
        .protocol_type = "connect",
        .client_id = client_id,
        .session_timeout_ms = dcfg->session_timeout_ms,
        .rebalance_timeout_ms = dcfg->rebalance_timeout_ms,
        .heartbeat_interval_ms = dcfg->heartbeat_interval_ms,
        .retry_backoff_ms = 250,
    };
    group_member_handler_t handler = {
        .ctx = cm,
        .offer = member_offer,
        .assign = member_assign,
        .assigned = member_assigned,
        .lost = member_lost,
    };
    group_member_t *gm = group_member_start(&cfg, &handler, errstr, errstr_size);
    pthread_mutex_lock(&cm->lock);
    cm->gm = gm;
    pthread_mutex_unlock(&cm->lock);
    if (!gm) {
        connect_member_stop(cm);
        return NULL;
    }
    return cm;
}

void connect_member_stop(connect_member_t *cm)
{
    if (!cm) {
        return;
    }
    pthread_mutex_lock(&cm->lock);
    group_member_t *gm = cm->gm;
    cm->gm = NULL;
    pthread_mutex_unlock(&cm->lock);
    group_member_stop(gm);
    connect_assignor_destroy(cm->assignor);
    pthread_mutex_destroy(&cm->lock);
    free(cm->url);
    connect_assignment_destroy(cm->running);
    free(cm);
}
