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
 * which followers need to forward REST writes.  The last assignment is
 * kept as bytes, under a lock, and decoded for whoever asks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "connect_member.h"
#include "group_member.h"
#include "xalloc.h"

struct connect_member {
    connect_protocol_t max_protocol; /* connect.protocol */
    char *url;
    group_member_t *gm;

    pthread_mutex_t lock; /* guards what follows */
    int32_t generation;
    char *member_id;
    connect_protocol_t protocol; /* of the last assignment */
    uint8_t *assignment;         /* the last assignment's bytes, or NULL */
    size_t assignment_len;
};

/* The assignment this member runs now, decoded, or NULL.
 * @locks takes cm->lock */
static connect_assignment_t *member_current(connect_member_t *cm)
{
    char err[256];
    pthread_mutex_lock(&cm->lock);
    connect_assignment_t *as =
        cm->assignment ? connect_assignment_decode(cm->protocol, cm->assignment, cm->assignment_len, err, sizeof(err))
                       : NULL;
    pthread_mutex_unlock(&cm->lock);
    return as;
}

static size_t member_offer(void *ctx, group_protocol_offer_t *offers, size_t max)
{
    connect_member_t *cm = ctx;
    connect_assignment_t *current = member_current(cm);
    size_t n = 0;
    for (int proto = (int)cm->max_protocol; proto >= 0 && n < max; proto--) {
        connect_worker_state_t ws = {
            .version = (int16_t)proto,
            .url = cm->url,
            .config_offset = -1,
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
    for (size_t i = 0; i < n; i++) {
        states[i] = connect_metadata_decode((connect_protocol_t)proto, members[i].metadata, members[i].metadata_len,
                                            err, sizeof(err));
        if (!states[i]) {
            blog_error("member %s sent unreadable %s metadata: %s", members[i].member_id, protocol, err);
        } else if (strcmp(members[i].member_id, leader_id) == 0) {
            leader_url = states[i]->url;
        }
    }
    for (size_t i = 0; i < n; i++) {
        connect_assignment_t as = {
            .version = (int16_t)proto,
            .error = CONNECT_ASSIGNMENT_NO_ERROR,
            .leader = (char *)leader_id,
            .leader_url = (char *)leader_url,
            .config_offset = -1,
        };
        if (connect_assignment_encode(&as, &assignments[i], &lens[i], err, sizeof(err)) < 0) {
            blog_error("cannot write the assignment of member %s: %s", members[i].member_id, err);
        }
    }
    for (size_t i = 0; i < n; i++) {
        connect_worker_state_destroy(states[i]);
    }
    free(states);
}

static void member_assigned(void *ctx, const char *protocol, int32_t generation, const char *member_id,
                            const uint8_t *assignment, size_t len)
{
    connect_member_t *cm = ctx;
    char err[256];
    int proto = connect_protocol_from_name(protocol);
    connect_assignment_t *as =
        proto < 0 ? NULL : connect_assignment_decode((connect_protocol_t)proto, assignment, len, err, sizeof(err));
    if (!as) {
        blog_error("generation %d: an unreadable assignment from the leader (%s)", generation,
                   proto < 0 ? "an unknown protocol" : err);
        return;
    }
    blog_info("generation %d: assignment from leader %s (%s): %zu connectors, %zu revoked", generation, as->leader,
              as->leader_url, as->n_assigned, as->n_revoked);
    connect_assignment_destroy(as);
    pthread_mutex_lock(&cm->lock);
    cm->generation = generation;
    free(cm->member_id);
    cm->member_id = xstrdup(member_id);
    cm->protocol = (connect_protocol_t)proto;
    free(cm->assignment);
    cm->assignment = xmemdup(assignment, len);
    cm->assignment_len = len;
    pthread_mutex_unlock(&cm->lock);
}

static void member_lost(void *ctx, const char *why)
{
    connect_member_t *cm = ctx;
    (void)why;
    pthread_mutex_lock(&cm->lock);
    free(cm->assignment);
    cm->assignment = NULL;
    cm->assignment_len = 0;
    pthread_mutex_unlock(&cm->lock);
}

connect_member_t *connect_member_start(const distributed_config_t *dcfg, const char *bootstrap, const char *url,
                                       const char *client_id, char *errstr, size_t errstr_size)
{
    connect_member_t *cm = xcalloc(1, sizeof(*cm));
    cm->max_protocol = (connect_protocol_t)dcfg->protocol;
    cm->url = xstrdup(url);
    cm->generation = -1;
    cm->member_id = xstrdup("");
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
    cm->gm = group_member_start(&cfg, &handler, errstr, errstr_size);
    if (!cm->gm) {
        connect_member_stop(cm);
        return NULL;
    }
    return cm;
}

void connect_member_view(connect_member_t *cm, connect_member_view_t *view)
{
    char err[256];
    pthread_mutex_lock(&cm->lock);
    view->generation = cm->generation;
    view->member_id = xstrdup(cm->member_id);
    view->protocol = xstrdup(cm->assignment ? connect_protocol_name(cm->protocol) : "");
    view->assignment =
        cm->assignment ? connect_assignment_decode(cm->protocol, cm->assignment, cm->assignment_len, err, sizeof(err))
                       : NULL;
    pthread_mutex_unlock(&cm->lock);
    view->leader = view->assignment && strcmp(view->assignment->leader, view->member_id) == 0;
    view->leader_url = xstrdup(view->assignment ? view->assignment->leader_url : "");
}

void connect_member_view_free(connect_member_view_t *view)
{
    free(view->member_id);
    free(view->protocol);
    free(view->leader_url);
    connect_assignment_destroy(view->assignment);
}

void connect_member_stop(connect_member_t *cm)
{
    if (!cm) {
        return;
    }
    group_member_stop(cm->gm);
    pthread_mutex_destroy(&cm->lock);
    free(cm->url);
    free(cm->member_id);
    free(cm->assignment);
    free(cm);
}
