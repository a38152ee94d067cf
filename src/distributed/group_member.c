/*
 * group_member.c - a Kafka group member on its own thread (group_member.h).
 *
 * The wire.  Five requests, each at the newest version that is not yet
 * "flexible" (no tagged fields) and needs no extra round trip: a JoinGroup
 * before v4 gets its member id in the same answer, where v4 and later first
 * answer MEMBER_ID_REQUIRED (handled anyway).  Request header v1, response
 * header v0; INT16/INT32 big-endian, STRING an INT16 length, BYTES an INT32
 * length, ARRAY an INT32 count:
 *
 *   FindCoordinator v1  key STRING, key_type INT8 (0: group)
 *                    -> throttle INT32, error INT16, message NULLABLE_STRING, node INT32, host STRING, port INT32
 *   JoinGroup v2        group, session_timeout INT32, rebalance_timeout INT32, member_id, protocol_type,
 *                       protocols [name STRING, metadata BYTES]
 *                    -> throttle, error, generation INT32, protocol STRING, leader STRING, member_id STRING,
 *                       members [member_id STRING, metadata BYTES]
 *   SyncGroup v1        group, generation, member_id, assignments [member_id STRING, assignment BYTES]
 *                    -> throttle, error, assignment BYTES
 *   Heartbeat v1        group, generation, member_id -> throttle, error
 *   LeaveGroup v1       group, member_id -> throttle, error
 *
 * The codecs are a few dozen lines here rather than the broker's own
 * (broker/protocol/): the worker library is built without the broker's
 * include path, on purpose, so that a worker speaks to Kafka the way any
 * client does and never through the embedded broker's internals.
 *
 * The loop.  One socket, to the coordinator, one request at a time: find
 * the coordinator (any bootstrap server answers FindCoordinator), join,
 * sync, then heartbeat every heartbeat.interval.ms until the coordinator
 * says REBALANCE_IN_PROGRESS (join again), UNKNOWN_MEMBER_ID or
 * ILLEGAL_GENERATION (the member lost its place: the handler stops its work,
 * join again) or NOT_COORDINATOR (find it again).  A member the coordinator
 * has not answered for session.timeout.ms counts itself out as well.  Every wait is sliced so
 * that group_member_stop and group_member_rejoin are seen within 100 ms.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blog.h"
#include "clock.h"
#include "group_member.h"
#include "xalloc.h"

#define API_FIND_COORDINATOR 10
#define API_JOIN_GROUP 11
#define API_HEARTBEAT 12
#define API_LEAVE_GROUP 13
#define API_SYNC_GROUP 14

/* Kafka's error codes, by their numbers. */
#define KERR_COORDINATOR_LOAD_IN_PROGRESS 14
#define KERR_COORDINATOR_NOT_AVAILABLE 15
#define KERR_NOT_COORDINATOR 16
#define KERR_ILLEGAL_GENERATION 22
#define KERR_INCONSISTENT_GROUP_PROTOCOL 23
#define KERR_UNKNOWN_MEMBER_ID 25
#define KERR_INVALID_SESSION_TIMEOUT 26
#define KERR_REBALANCE_IN_PROGRESS 27
#define KERR_GROUP_AUTHORIZATION_FAILED 30
#define KERR_MEMBER_ID_REQUIRED 79

#define MEMBER_MAX_OFFERS 8
#define MEMBER_SLICE_MS 100
#define MEMBER_RESPONSE_MAX (64 << 20)

struct group_member {
    group_member_config_t cfg; /* the strings are owned copies */
    group_member_handler_t handler;
    pthread_t thread;
    atomic_bool stopping;
    atomic_bool rejoin_asked;
    _Atomic int64_t rejoin_at_ms; /* a rejoin asked for later (group_member_rejoin_after), or 0 */

    int fd; /* the coordinator's connection, or -1 */
    int32_t correlation;
    char *member_id; /* "" until the coordinator gives one */
    int32_t generation;
    bool joined;        /* in a generation, with its assignment */
    int16_t last_error; /* the last error logged, so a refusal that repeats is logged once */
    int64_t next_heartbeat_ms;
    int64_t last_contact_ms; /* the last assignment or heartbeat the coordinator answered */
    bool unreachable_said;   /* the coordinator's being out of reach was logged; said once until it is back */
};

/* ---- the codec ------------------------------------------------------------- */

typedef struct wbuf {
    uint8_t *data;
    size_t len, cap;
} wbuf_t;

static void wbuf_put(wbuf_t *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2 + 64;
        w->data = xrealloc(w->data, w->cap);
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void wbuf_i8(wbuf_t *w, int8_t v)
{
    wbuf_put(w, &v, 1);
}

static void wbuf_i16(wbuf_t *w, int16_t v)
{
    uint8_t b[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    wbuf_put(w, b, 2);
}

static void wbuf_i32(wbuf_t *w, int32_t v)
{
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    wbuf_put(w, b, 4);
}

static void wbuf_str(wbuf_t *w, const char *s)
{
    size_t n = strlen(s);
    wbuf_i16(w, (int16_t)n);
    wbuf_put(w, s, n);
}

static void wbuf_bytes(wbuf_t *w, const uint8_t *p, size_t n)
{
    wbuf_i32(w, (int32_t)n);
    if (n) {
        wbuf_put(w, p, n);
    }
}

typedef struct rbuf {
    const uint8_t *p;
    size_t left;
    bool bad; /* read past the end: every later read gives zeroes */
} rbuf_t;

static const uint8_t *rbuf_take(rbuf_t *r, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static int16_t rbuf_i16(rbuf_t *r)
{
    const uint8_t *p = rbuf_take(r, 2);
    return p ? (int16_t)(((uint16_t)p[0] << 8) | p[1]) : 0;
}

static int32_t rbuf_i32(rbuf_t *r)
{
    const uint8_t *p = rbuf_take(r, 4);
    return p ? (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]) : 0;
}

/* A STRING or NULLABLE_STRING, malloc'd ("" for null, or when cut short). */
static char *rbuf_str(rbuf_t *r)
{
    int16_t n = rbuf_i16(r);
    if (n < 0) {
        return xstrdup("");
    }
    const uint8_t *p = rbuf_take(r, (size_t)n);
    return p ? xstrndup((const char *)p, (size_t)n) : xstrdup("");
}

/* BYTES, borrowed from the buffer; NULL with *len 0 for null or empty. */
static const uint8_t *rbuf_bytes(rbuf_t *r, size_t *len)
{
    int32_t n = rbuf_i32(r);
    *len = 0;
    if (n <= 0) {
        return NULL;
    }
    const uint8_t *p = rbuf_take(r, (size_t)n);
    *len = p ? (size_t)n : 0;
    return p;
}

/* ---- the connection -------------------------------------------------------- */

static void member_disconnect(group_member_t *gm)
{
    if (gm->fd >= 0) {
        close(gm->fd);
        gm->fd = -1;
    }
}

/* Sleeps up to ms, in slices, returning early (false) when stopping or
 * when a rejoin is asked and `for_rejoin`. */
static bool member_sleep(group_member_t *gm, int64_t ms, bool for_rejoin)
{
    int64_t until = clock_mono_ms() + ms;
    for (;;) {
        if (atomic_load(&gm->stopping) || (for_rejoin && atomic_load(&gm->rejoin_asked))) {
            return false;
        }
        int64_t left = until - clock_mono_ms();
        if (left <= 0) {
            return true;
        }
        usleep((useconds_t)(left < MEMBER_SLICE_MS ? left : MEMBER_SLICE_MS) * 1000);
    }
}

/* A connected socket to host:port within timeout_ms, or -1. */
static int member_connect(const char *host, int port, int timeout_ms)
{
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, service, &hints, &res) != 0) {
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            int err = errno;
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t sl = sizeof(soerr);
            if (err != EINPROGRESS || poll(&pfd, 1, timeout_ms) != 1 ||
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
                close(fd);
                fd = -1;
            }
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Waits until fd is ready for `events` or the deadline; false when the
 * deadline passed or the member is stopping (and not `leaving`). */
static bool member_wait_fd(group_member_t *gm, short events, int64_t deadline, bool leaving)
{
    for (;;) {
        if (!leaving && atomic_load(&gm->stopping)) {
            return false;
        }
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0) {
            return false;
        }
        struct pollfd pfd = {.fd = gm->fd, .events = events};
        int rc = poll(&pfd, 1, (int)(left < MEMBER_SLICE_MS ? left : MEMBER_SLICE_MS));
        if (rc > 0) {
            return true;
        }
        if (rc < 0 && errno != EINTR) {
            return false;
        }
    }
}

static bool member_io(group_member_t *gm, uint8_t *p, size_t n, bool out, int64_t deadline, bool leaving)
{
    while (n > 0) {
        if (!member_wait_fd(gm, out ? POLLOUT : POLLIN, deadline, leaving)) {
            return false;
        }
        ssize_t k = out ? send(gm->fd, p, n, MSG_NOSIGNAL) : recv(gm->fd, p, n, 0);
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
            return false;
        }
        if (k > 0) {
            p += k;
            n -= (size_t)k;
        }
    }
    return true;
}

/* Sends request `api` at `version` with `body` and returns the response
 * body after its correlation id (malloc'd, *len), or NULL and the
 * connection closed on any failure. */
static uint8_t *member_request(group_member_t *gm, int16_t api, int16_t version, const wbuf_t *body, int64_t timeout_ms,
                               bool leaving, size_t *len)
{
    wbuf_t req = {0};
    int32_t corr = ++gm->correlation;
    wbuf_i32(&req, 0); /* the size, filled in below */
    wbuf_i16(&req, api);
    wbuf_i16(&req, version);
    wbuf_i32(&req, corr);
    wbuf_str(&req, gm->cfg.client_id);
    wbuf_put(&req, body->data, body->len);
    uint32_t size = (uint32_t)(req.len - 4);
    req.data[0] = (uint8_t)(size >> 24);
    req.data[1] = (uint8_t)(size >> 16);
    req.data[2] = (uint8_t)(size >> 8);
    req.data[3] = (uint8_t)size;
    int64_t deadline = clock_mono_ms() + timeout_ms;
    uint8_t head[8], *resp = NULL;
    bool ok = member_io(gm, req.data, req.len, true, deadline, leaving) &&
              member_io(gm, head, sizeof(head), false, deadline, leaving);
    free(req.data);
    uint32_t rsize = ok ? ((uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3]) : 0;
    int32_t rcorr = ok ? (int32_t)((uint32_t)head[4] << 24 | (uint32_t)head[5] << 16 | (uint32_t)head[6] << 8 | head[7])
                       : 0;
    if (ok && (rsize < 4 || rsize > MEMBER_RESPONSE_MAX || rcorr != corr)) {
        blog_warn("group %s: a malformed response from the coordinator (size %u, correlation id %d, expected %d); "
                  "reconnecting",
                  gm->cfg.group_id, rsize, rcorr, corr);
        ok = false;
    }
    if (ok) {
        resp = xmalloc(rsize - 4 + 1);
        ok = member_io(gm, resp, rsize - 4, false, deadline, leaving);
    }
    if (!ok) {
        free(resp);
        member_disconnect(gm);
        return NULL;
    }
    *len = rsize - 4;
    return resp;
}

/* ---- finding the coordinator ----------------------------------------------- */

/* Splits "a:1,PLAINTEXT://b:2" into its i-th host and port; false past the end. */
static bool bootstrap_server(const char *list, int i, char *host, size_t host_size, int *port)
{
    const char *p = list;
    for (int k = 0; k < i && p; k++) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    if (!p || !*p) {
        return false;
    }
    while (*p == ' ') {
        p++;
    }
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char one[256];
    snprintf(one, sizeof(one), "%.*s", (int)n, p);
    char *scheme = strstr(one, "://");
    char *hp = scheme ? scheme + 3 : one;
    char *colon = strrchr(hp, ':');
    *port = colon ? atoi(colon + 1) : 9092;
    if (colon) {
        *colon = '\0';
    }
    if (hp[0] == '[') { /* [::1]:9092 */
        hp++;
        hp[strcspn(hp, "]")] = '\0';
    }
    snprintf(host, host_size, "%s", *hp ? hp : "localhost");
    return true;
}

/* Asks the bootstrap servers, one after the other, for the group's
 * coordinator and connects to it.  False when none answered, or when the
 * member is stopping (and not `leaving`). */
static bool member_find_coordinator(group_member_t *gm, bool leaving)
{
    char host[256], why[512] = "bootstrap.servers names no server";
    int port;
    for (int i = 0; bootstrap_server(gm->cfg.bootstrap, i, host, sizeof(host), &port); i++) {
        if (!leaving && atomic_load(&gm->stopping)) {
            return false;
        }
        gm->fd = member_connect(host, port, gm->cfg.session_timeout_ms);
        if (gm->fd < 0) {
            snprintf(why, sizeof(why), "cannot connect to bootstrap server %s:%d", host, port);
            blog_debug("group %s: %s", gm->cfg.group_id, why);
            continue;
        }
        wbuf_t body = {0};
        wbuf_str(&body, gm->cfg.group_id);
        wbuf_i8(&body, 0);
        size_t len;
        uint8_t *resp = member_request(gm, API_FIND_COORDINATOR, 1, &body, gm->cfg.session_timeout_ms, leaving, &len);
        free(body.data);
        member_disconnect(gm);
        if (!resp) {
            snprintf(why, sizeof(why), "bootstrap server %s:%d did not answer FindCoordinator", host, port);
            continue;
        }
        rbuf_t r = {resp, len, false};
        rbuf_i32(&r);
        int16_t err = rbuf_i16(&r);
        char *message = rbuf_str(&r);
        rbuf_i32(&r);
        char *chost = rbuf_str(&r);
        int32_t cport = rbuf_i32(&r);
        if (r.bad || err != 0) {
            snprintf(why, sizeof(why), "%s:%d knows no coordinator yet (error %d)", host, port, err);
            blog_debug("group %s: %s:%d knows no coordinator yet (error %d%s%s)", gm->cfg.group_id, host, port, err,
                       *message ? ": " : "", message);
        } else {
            gm->fd = member_connect(chost, cport, gm->cfg.session_timeout_ms);
            if (gm->fd >= 0) {
                blog_debug("group %s: coordinator %s:%d", gm->cfg.group_id, chost, cport);
            } else {
                snprintf(why, sizeof(why), "cannot connect to the coordinator %s:%d", chost, cport);
            }
        }
        free(message);
        free(chost);
        free(resp);
        if (gm->fd >= 0) {
            if (gm->unreachable_said) {
                blog_info("group %s: the coordinator is reachable again", gm->cfg.group_id);
                gm->unreachable_said = false;
            }
            return true;
        }
    }
    if (!leaving && !atomic_load(&gm->stopping) && !gm->unreachable_said) {
        blog_warn("group %s: no coordinator reachable through %s (%s); retrying every %d ms", gm->cfg.group_id,
                  gm->cfg.bootstrap, why, gm->cfg.retry_backoff_ms);
        gm->unreachable_said = true;
    }
    return false;
}

/* ---- joining --------------------------------------------------------------- */

static void member_lose(group_member_t *gm, const char *why)
{
    if (gm->joined) {
        blog_warn("group %s: member %s lost its place in generation %d (%s); stopping its work and rejoining",
                  gm->cfg.group_id, gm->member_id, gm->generation, why);
        gm->handler.lost(gm->handler.ctx, why);
    }
    gm->joined = false;
}

static void member_set_id(group_member_t *gm, const char *id)
{
    free(gm->member_id);
    gm->member_id = xstrdup(id);
}

/* What the errors a member cannot fix by itself mean, and the way out. */
static const char *member_error_text(int16_t err)
{
    switch (err) {
    case KERR_INVALID_SESSION_TIMEOUT:
        return "INVALID_SESSION_TIMEOUT: session.timeout.ms is outside the broker's group.min.session.timeout.ms "
               "and group.max.session.timeout.ms";
    case KERR_INCONSISTENT_GROUP_PROTOCOL:
        return "INCONSISTENT_GROUP_PROTOCOL: the group is in use by members of another kind (consumers, or "
               "workers offering no protocol in common); use another group.id";
    case KERR_GROUP_AUTHORIZATION_FAILED:
        return "GROUP_AUTHORIZATION_FAILED: the broker does not let this worker join group.id";
    default:
        return "which a member cannot resolve by itself";
    }
}

/* Handles an error code of JoinGroup, SyncGroup or Heartbeat that calls for
 * a new JoinGroup (or a new coordinator first). */
static void member_error(group_member_t *gm, const char *api, int16_t err)
{
    switch (err) {
    case KERR_NOT_COORDINATOR:
    case KERR_COORDINATOR_NOT_AVAILABLE:
        blog_info("group %s: the coordinator moved (%s error %d); finding it again", gm->cfg.group_id, api, err);
        member_disconnect(gm);
        break;
    case KERR_UNKNOWN_MEMBER_ID:
        member_lose(gm, "the coordinator does not know the member");
        member_set_id(gm, "");
        break;
    case KERR_ILLEGAL_GENERATION:
        member_lose(gm, "its generation is over");
        break;
    case KERR_REBALANCE_IN_PROGRESS:
    case KERR_COORDINATOR_LOAD_IN_PROGRESS:
        break;
    default:
        /* The broker refuses the member as it is configured; it tries
         * again (the broker's settings may change), saying why once. */
        if (err != gm->last_error) {
            blog_error("group %s: %s failed with error %d, %s; retrying every %d ms", gm->cfg.group_id, api, err,
                       member_error_text(err), gm->cfg.retry_backoff_ms);
        }
        gm->last_error = err;
        member_sleep(gm, gm->cfg.retry_backoff_ms, false);
        break;
    }
}

typedef struct join_result {
    int32_t generation;
    char *protocol, *leader, *member_id;
    group_member_info_t *members;
    char **member_ids;
    size_t n_members;
} join_result_t;

static void join_result_free(join_result_t *jr)
{
    free(jr->protocol);
    free(jr->leader);
    free(jr->member_id);
    for (size_t i = 0; i < jr->n_members; i++) {
        free(jr->member_ids[i]);
    }
    free(jr->member_ids);
    free(jr->members);
}

/* SyncGroup with `assignments` (the leader's, for the members of jr; NULL
 * on a follower).  The assignment's bytes go to the handler.  False when
 * the member has no assignment of jr's generation. */
static bool member_sync(group_member_t *gm, const join_result_t *jr, uint8_t **assignments, const size_t *lens)
{
    wbuf_t body = {0};
    wbuf_str(&body, gm->cfg.group_id);
    wbuf_i32(&body, jr->generation);
    wbuf_str(&body, gm->member_id);
    wbuf_i32(&body, assignments ? (int32_t)jr->n_members : 0);
    for (size_t i = 0; assignments && i < jr->n_members; i++) {
        wbuf_str(&body, jr->members[i].member_id);
        wbuf_bytes(&body, assignments[i], lens[i]);
    }
    size_t len;
    uint8_t *resp = member_request(gm, API_SYNC_GROUP, 1, &body, gm->cfg.rebalance_timeout_ms + 5000, false, &len);
    free(body.data);
    if (!resp) {
        return false;
    }
    rbuf_t r = {resp, len, false};
    rbuf_i32(&r);
    int16_t err = rbuf_i16(&r);
    size_t alen;
    const uint8_t *assignment = rbuf_bytes(&r, &alen);
    if (r.bad) {
        blog_warn("group %s: a SyncGroup response cut short; reconnecting", gm->cfg.group_id);
        member_disconnect(gm);
    } else if (err != 0) {
        member_error(gm, "SyncGroup", err);
    } else {
        gm->generation = jr->generation;
        gm->joined = true;
        gm->last_error = 0;
        gm->next_heartbeat_ms = clock_mono_ms() + gm->cfg.heartbeat_interval_ms;
        gm->last_contact_ms = clock_mono_ms();
        blog_info("group %s: member %s joined generation %d as %s of %zu (protocol %s)", gm->cfg.group_id,
                  gm->member_id, jr->generation, strcmp(jr->leader, gm->member_id) == 0 ? "the leader" : "a follower",
                  jr->n_members ? jr->n_members : (size_t)1, jr->protocol);
        gm->handler.assigned(gm->handler.ctx, jr->protocol, jr->generation, gm->member_id, assignment, alen);
    }
    free(resp);
    return !r.bad && err == 0;
}

/* A JoinGroup or SyncGroup that gave no assignment: a member that was in
 * a generation is no longer in it (the coordinator began another, or the
 * answer never came), so it must join again rather than heartbeat at the
 * old generation as if nothing happened. */
static void member_join_failed(group_member_t *gm)
{
    atomic_store(&gm->rejoin_asked, true);
}

static void member_join(group_member_t *gm)
{
    atomic_store(&gm->rejoin_asked, false);
    atomic_store(&gm->rejoin_at_ms, 0);
    group_protocol_offer_t offers[MEMBER_MAX_OFFERS] = {0};
    size_t n_offers = gm->handler.offer(gm->handler.ctx, offers, MEMBER_MAX_OFFERS);
    wbuf_t body = {0};
    wbuf_str(&body, gm->cfg.group_id);
    wbuf_i32(&body, gm->cfg.session_timeout_ms);
    wbuf_i32(&body, gm->cfg.rebalance_timeout_ms);
    wbuf_str(&body, gm->member_id);
    wbuf_str(&body, gm->cfg.protocol_type);
    wbuf_i32(&body, (int32_t)n_offers);
    for (size_t i = 0; i < n_offers; i++) {
        wbuf_str(&body, offers[i].name);
        wbuf_bytes(&body, offers[i].metadata, offers[i].metadata_len);
        free(offers[i].metadata);
    }
    size_t len;
    /* The coordinator answers once every member has joined, or after the
     * rebalance timeout: the wait is part of the protocol. */
    uint8_t *resp = member_request(gm, API_JOIN_GROUP, 2, &body, gm->cfg.rebalance_timeout_ms + 5000, false, &len);
    free(body.data);
    bool synced = false;
    if (!resp) {
        member_join_failed(gm);
        return;
    }
    rbuf_t r = {resp, len, false};
    join_result_t jr = {0};
    rbuf_i32(&r);
    int16_t err = rbuf_i16(&r);
    jr.generation = rbuf_i32(&r);
    jr.protocol = rbuf_str(&r);
    jr.leader = rbuf_str(&r);
    jr.member_id = rbuf_str(&r);
    int32_t n = rbuf_i32(&r);
    if (!r.bad && n > 0 && (size_t)n <= r.left / 6) {
        jr.members = xcalloc((size_t)n, sizeof(*jr.members));
        jr.member_ids = xcalloc((size_t)n, sizeof(char *));
        for (int32_t i = 0; i < n && !r.bad; i++) {
            jr.member_ids[i] = rbuf_str(&r);
            jr.members[i].member_id = jr.member_ids[i];
            jr.members[i].metadata = rbuf_bytes(&r, &jr.members[i].metadata_len);
            jr.n_members++;
        }
    } else if (n > 0) {
        r.bad = true;
    }
    if (!r.bad && err == 0 && strcmp(jr.leader, jr.member_id) == 0 && jr.n_members == 0) {
        /* A leader is a member: a coordinator naming this one leader of
         * nobody is not to be believed (and there is nothing to assign). */
        blog_warn("group %s: a JoinGroup response making this member the leader of no members; reconnecting",
                  gm->cfg.group_id);
        member_disconnect(gm);
    } else if (r.bad && err == 0) {
        blog_warn("group %s: a JoinGroup response cut short; reconnecting", gm->cfg.group_id);
        member_disconnect(gm);
    } else if (err == KERR_MEMBER_ID_REQUIRED) {
        member_set_id(gm, jr.member_id);
    } else if (err != 0) {
        member_error(gm, "JoinGroup", err);
        if (err == KERR_REBALANCE_IN_PROGRESS || err == KERR_COORDINATOR_LOAD_IN_PROGRESS) {
            /* The coordinator is busy: asking again at once would only
             * spin until it is not. */
            member_sleep(gm, gm->cfg.retry_backoff_ms, false);
        }
    } else {
        member_set_id(gm, jr.member_id);
        if (strcmp(jr.leader, jr.member_id) == 0) {
            uint8_t **assignments = xcalloc(jr.n_members + 1, sizeof(uint8_t *));
            size_t *lens = xcalloc(jr.n_members + 1, sizeof(size_t));
            gm->handler.assign(gm->handler.ctx, jr.protocol, jr.leader, jr.members, jr.n_members, assignments, lens);
            synced = member_sync(gm, &jr, assignments, lens);
            for (size_t i = 0; i < jr.n_members; i++) {
                free(assignments[i]);
            }
            free(assignments);
            free(lens);
        } else {
            synced = member_sync(gm, &jr, NULL, NULL);
        }
    }
    if (!synced) {
        member_join_failed(gm);
    }
    join_result_free(&jr);
    free(resp);
}

/* ---- staying in the group -------------------------------------------------- */

static void member_heartbeat(group_member_t *gm)
{
    wbuf_t body = {0};
    wbuf_str(&body, gm->cfg.group_id);
    wbuf_i32(&body, gm->generation);
    wbuf_str(&body, gm->member_id);
    size_t len;
    uint8_t *resp = member_request(gm, API_HEARTBEAT, 1, &body, gm->cfg.session_timeout_ms, false, &len);
    free(body.data);
    gm->next_heartbeat_ms = clock_mono_ms() + gm->cfg.heartbeat_interval_ms;
    if (!resp) {
        return;
    }
    rbuf_t r = {resp, len, false};
    rbuf_i32(&r);
    int16_t err = rbuf_i16(&r);
    free(resp);
    if (!r.bad && (err == 0 || err == KERR_REBALANCE_IN_PROGRESS)) {
        gm->last_contact_ms = clock_mono_ms();
    }
    if (err == KERR_REBALANCE_IN_PROGRESS) {
        blog_info("group %s: the group is rebalancing; member %s joins again", gm->cfg.group_id, gm->member_id);
        atomic_store(&gm->rejoin_asked, true);
    } else if (err != 0) {
        member_error(gm, "Heartbeat", err);
        if (err != KERR_NOT_COORDINATOR && err != KERR_COORDINATOR_NOT_AVAILABLE) {
            atomic_store(&gm->rejoin_asked, true);
        }
    }
}

static void member_leave(group_member_t *gm)
{
    if (!*gm->member_id) {
        return;
    }
    /* A request the stop cut short closed its connection (member_request),
     * so an open one is between requests. */
    if (gm->fd < 0 && !member_find_coordinator(gm, true)) {
        blog_warn("group %s: no coordinator to leave the group; the others rebalance after session.timeout.ms",
                  gm->cfg.group_id);
        return;
    }
    wbuf_t body = {0};
    wbuf_str(&body, gm->cfg.group_id);
    wbuf_str(&body, gm->member_id);
    size_t len;
    uint8_t *resp = member_request(gm, API_LEAVE_GROUP, 1, &body, gm->cfg.session_timeout_ms, true, &len);
    free(body.data);
    if (resp) {
        blog_info("group %s: member %s left the group", gm->cfg.group_id, gm->member_id);
    }
    free(resp);
    member_disconnect(gm);
}

static void *member_main(void *arg)
{
    group_member_t *gm = arg;
    blog_info("group %s: joining through %s", gm->cfg.group_id, gm->cfg.bootstrap);
    while (!atomic_load(&gm->stopping)) {
        if (gm->joined && clock_mono_ms() - gm->last_contact_ms >= gm->cfg.session_timeout_ms) {
            /* The coordinator has dropped this member by now and handed its
             * work out: it stops that work itself rather than run it twice
             * (Kafka's KAFKA-9184). */
            member_lose(gm, "no answer from the coordinator within session.timeout.ms");
        }
        if (gm->fd < 0 && !member_find_coordinator(gm, false)) {
            member_sleep(gm, gm->cfg.retry_backoff_ms, false);
            continue;
        }
        if (!gm->joined || atomic_load(&gm->rejoin_asked)) {
            bool was_joined = gm->joined;
            member_join(gm);
            if (!gm->joined && !atomic_load(&gm->stopping)) {
                /* Back off before the next attempt, except when the
                 * coordinator simply needs the JoinGroup again. */
                atomic_store(&gm->rejoin_asked, was_joined);
                member_sleep(gm, gm->fd < 0 ? gm->cfg.retry_backoff_ms : 0, false);
            }
            continue;
        }
        int64_t now = clock_mono_ms(), at = atomic_load(&gm->rejoin_at_ms);
        if (at && now >= at) {
            atomic_store(&gm->rejoin_at_ms, 0);
            atomic_store(&gm->rejoin_asked, true);
            continue;
        }
        int64_t wake = at && at < gm->next_heartbeat_ms ? at : gm->next_heartbeat_ms;
        if (member_sleep(gm, wake - now, true) && clock_mono_ms() >= gm->next_heartbeat_ms) {
            member_heartbeat(gm);
        }
    }
    member_leave(gm);
    return NULL;
}

group_member_t *group_member_start(const group_member_config_t *cfg, const group_member_handler_t *handler,
                                   char *errstr, size_t errstr_size)
{
    char host[256];
    int port;
    if (!cfg->bootstrap || !bootstrap_server(cfg->bootstrap, 0, host, sizeof(host), &port)) {
        snprintf(errstr, errstr_size, "bootstrap.servers names no server");
        return NULL;
    }
    group_member_t *gm = xcalloc(1, sizeof(*gm));
    gm->cfg = *cfg;
    gm->cfg.bootstrap = xstrdup(cfg->bootstrap);
    gm->cfg.group_id = xstrdup(cfg->group_id);
    gm->cfg.protocol_type = xstrdup(cfg->protocol_type);
    gm->cfg.client_id = xstrdup(cfg->client_id);
    gm->handler = *handler;
    gm->fd = -1;
    gm->member_id = xstrdup("");
    atomic_init(&gm->stopping, false);
    atomic_init(&gm->rejoin_asked, false);
    atomic_init(&gm->rejoin_at_ms, 0);
    int rc = pthread_create(&gm->thread, NULL, member_main, gm);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the group member's thread: %s", strerror(rc));
        gm->thread = 0;
        group_member_stop(gm);
        return NULL;
    }
    return gm;
}

void group_member_rejoin(group_member_t *gm)
{
    atomic_store(&gm->rejoin_asked, true);
}

void group_member_rejoin_after(group_member_t *gm, int32_t ms)
{
    atomic_store(&gm->rejoin_at_ms, clock_mono_ms() + ms);
}

void group_member_stop(group_member_t *gm)
{
    if (!gm) {
        return;
    }
    atomic_store(&gm->stopping, true);
    if (gm->thread) {
        pthread_join(gm->thread, NULL);
    }
    member_disconnect(gm);
    free((char *)gm->cfg.bootstrap);
    free((char *)gm->cfg.group_id);
    free((char *)gm->cfg.protocol_type);
    free((char *)gm->cfg.client_id);
    free(gm->member_id);
    free(gm);
}
