/*
 * quorum.c - the metadata quorum on canonical raft, the active
 * controller's broker registry, and the broker's registration; see
 * quorum.h.
 *
 * The controller half.  raft_uv_init gives raft its libuv I/O on
 * <metadata dir>/__cluster_metadata-0/ with quorum_transport.c for the
 * network; a fresh directory is bootstrapped with every voter of
 * controller.quorum.voters, and a directory that holds raft data must list
 * the same voters (raft's stored configuration is compared at start).  The
 * raft FSM (fsm_apply, fsm_snapshot, fsm_restore) is the metadata image.
 * Proposals (quorum_propose) are raft_apply calls on the leader; their
 * callback answers the request that caused them.
 *
 * The active controller keeps, as Kafka's BrokerHeartbeatManager, the last
 * heartbeat time of each broker in memory only: a new leader starts every
 * registered broker's clock at its election, so a broker is fenced only
 * after a whole session without heartbeats to the new leader.
 *
 * The broker half (the lifecycle client) keeps one connection to the
 * controller it believes active: the raft leader when the node is a
 * controller itself, else the voters in turn.  It registers, then
 * heartbeats; NOT_CONTROLLER or a lost connection sends it to the next.
 *
 * One timer (TICK_MS) drives both halves: it publishes the leader id,
 * notices leadership changes, fences, and sends heartbeats when due.
 */
#include "quorum.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <raft.h>
#include <raft/uv.h>

#include "base64.h"
#include "blog.h"
#include "clock.h"
#include "controller_rpc.h"
#include "protocol/kerr.h"
#include "quorum_transport.h"
#include "xalloc.h"

#define TICK_MS 100
#define METADATA_DIR "__cluster_metadata-0"
/* Largest controller request or response frame accepted. */
#define MAX_FRAME 1048576
/* raft's ids start at 1, Kafka's node ids at 0. */
#define RAFT_ID(node) ((raft_id)(node) + 1)
#define NODE_ID(raft) ((int32_t)((raft)-1))

typedef struct quorum_conn quorum_conn_t;

/* A framed Kafka-protocol connection on the loop: the controller's side of
 * a broker's connection, or the broker's to its controller. */
struct quorum_conn {
    quorum_t *q;
    uv_tcp_t *tcp; /* raft_malloc'd (quorum_transport.h) */
    uv_connect_t connect_req;
    bool server; /* accepted by the controller listener */
    bool connected;
    bool closing;
    uint8_t *in;
    size_t in_len, in_cap;
    quorum_conn_t *next;
};

/* A registration waiting for its RegisterBrokerRecord to commit. */
typedef struct pending_reg {
    struct raft_apply req;
    quorum_t *q;
    quorum_conn_t *conn; /* NULL once the connection is gone */
    int32_t correlation_id;
    int64_t epoch;
    int32_t broker_id;
    struct pending_reg *next;
} pending_reg_t;

/* A proposal nobody waits for (fence, unfence). */
typedef struct proposal {
    struct raft_apply req;
    quorum_t *q;
} proposal_t;

/* Records submitted from any thread (quorum_submit), proposed on the loop.
 * Two references: the submitter's and the loop's until its raft callback. */
struct quorum_ticket {
    struct raft_apply req;
    quorum_t *q;
    struct raft_buffer buf;
    _Atomic int state; /* quorum_ticket_state_t */
    _Atomic int refs;
    quorum_ticket_t *next;
};

/* The active controller's view of one broker's session. */
typedef struct session {
    int32_t id;
    int64_t last_heartbeat_ms;
    /* The fence (pending_fenced) or unfence last proposed, for this broker
     * epoch (-1: none): not proposed again while the image catches up. */
    int64_t pending_epoch;
    bool pending_fenced;
} session_t;

struct quorum {
    uv_loop_t *loop;
    const broker_config_t *cfg;
    char *cluster_id;
    char *voters; /* canonical controller.quorum.voters */
    quorum_fatal_cb on_fatal;
    void (*on_change)(void *arg);
    void *arg;
    bool failed;
    bool created; /* quorum_create returned: on_change may run */
    bool closing;
    int handles; /* open libuv handles (tick, connections) and raft itself: freed at 0 once closing */
    uv_timer_t tick;

    /* The image, written on the loop under the write lock. */
    pthread_rwlock_t image_lock;
    meta_image_t *image;
    _Atomic int32_t leader_id;
    _Atomic bool active; /* this node is the raft leader, as of the last tick */

    /* Submissions from other threads, newest first, under submit_lock. */
    pthread_mutex_t submit_lock;
    quorum_ticket_t *submitted;
    uv_async_t submit_async;

    /* Controller. */
    bool controller;
    bool io_inited;   /* raft_uv_init done */
    bool raft_inited; /* raft_init done: raft_close releases io and transport */
    bool raft_started;
    struct raft raft;
    struct raft_io io;
    struct raft_uv_transport transport;
    struct raft_fsm fsm;
    char *dir;
    char *address; /* this voter's host:port */
    bool leader;   /* raft leader at the last tick */
    /* A new leader's image may miss entries of earlier terms it has not
     * applied yet: it decides nothing from it (fences, elections, ISR
     * changes, registrations) until a barrier it appended is applied. */
    bool caught_up;
    bool barrier_pending;
    uint64_t leader_gen; /* moves with each change of leadership; a barrier of an older one is ignored */
    session_t *sessions;
    size_t n_sessions;
    /* Fences, unfences and registrations proposed and not applied yet.
     * Leader elections are worked out from the image, so the next one waits
     * until the image has the last one's. */
    int broker_changes_pending;
    pending_reg_t *pending;
    quorum_conn_t *conns; /* accepted broker connections */

    /* Broker (the lifecycle client). */
    bool broker;
    meta_endpoint_t endpoint;
    kuuid_t incarnation;
    int64_t epoch;       /* -1: not registered */
    _Atomic bool fenced; /* as the last heartbeat said; read from any thread */
    quorum_conn_t *client;
    int32_t client_target; /* the voter it talks to */
    size_t next_voter;
    int32_t correlation_id;
    bool in_flight;
    bool in_flight_alter; /* what is in flight is an AlterPartition */
    /* AlterPartition requests waiting for the connection, one per
     * partition (a newer one replaces the older); isr arrays owned. */
    ctrl_alter_partition_t *alters;
    size_t n_alters;
    int64_t sent_ms;
    int64_t next_send_ms;
    int64_t duplicate_since_ms; /* first DUPLICATE_BROKER_REGISTRATION of a row; 0: none */
};

static void quorum_fail(quorum_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void quorum_fail(quorum_t *q, const char *fmt, ...)
{
    if (q->failed) {
        return;
    }
    q->failed = true;
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    blog_error("%s", why);
    if (q->on_fatal) {
        q->on_fatal(q->arg, why);
    }
}

/* ---- the image and raft's state machine ------------------------------------ */

/*
 * A raft entry (and a snapshot) is a metadata entry (metadata_records.h)
 * behind its length, zero-padded to a multiple of 8 bytes:
 *
 *   length uint32 (big-endian)  entry  0..7 zero bytes
 *
 * The padding is raft's: its libuv backend lays entries out on 8-byte
 * boundaries and a receiver sizes an AppendEntries payload from the
 * unpadded lengths, so an entry whose size is not a multiple of 8 would
 * be read past its end; the length says where the records stop.
 */
static struct raft_buffer entry_frame(const buf_writer_t *w)
{
    size_t len = 4 + w->len;
    len += (8 - len % 8) % 8;
    struct raft_buffer buf = {.base = raft_calloc(1, len), .len = len};
    if (!buf.base) {
        abort();
    }
    buf_put_i32(buf.base, (int32_t)w->len);
    memcpy((uint8_t *)buf.base + 4, w->data, w->len);
    return buf;
}

/* The entry inside a frame; false when the frame is malformed. */
static bool entry_unframe(const struct raft_buffer *buf, const uint8_t **data, size_t *len)
{
    if (buf->len < 4) {
        return false;
    }
    int32_t n = buf_get_i32(buf->base);
    if (n < 0 || (size_t)n > buf->len - 4) {
        return false;
    }
    *data = (const uint8_t *)buf->base + 4;
    *len = (size_t)n;
    return true;
}

/* Tells the owner the image changed or a submission finished. */
static void quorum_changed(quorum_t *q)
{
    if (q->on_change && q->created && !q->closing) {
        q->on_change(q->arg);
    }
}

static int fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result)
{
    quorum_t *q = fsm->data;
    char err[256] = "malformed entry frame";
    const uint8_t *data;
    size_t len;
    bool ok = entry_unframe(buf, &data, &len);
    if (ok) {
        pthread_rwlock_wrlock(&q->image_lock);
        ok = meta_image_apply_entry(q->image, data, len, err, sizeof(err));
        pthread_rwlock_unlock(&q->image_lock);
    }
    if (!ok) {
        /* Every controller refuses the same record alike, so the images
         * stay equal; the entry is kept in the log as Kafka keeps it. */
        blog_warn("metadata log entry not applied: %s", err);
    }
    quorum_changed(q);
    *result = NULL;
    return 0;
}

static int fsm_snapshot(struct raft_fsm *fsm, struct raft_buffer *bufs[], unsigned *n_bufs)
{
    quorum_t *q = fsm->data;
    buf_writer_t w;
    buf_writer_init(&w, 4096);
    meta_image_snapshot(q->image, &w); /* the loop is the only writer: no lock needed to read */
    struct raft_buffer *b = raft_malloc(sizeof(*b));
    if (!b) {
        abort();
    }
    *b = entry_frame(&w);
    buf_writer_release(&w);
    *bufs = b;
    *n_bufs = 1;
    return 0;
}

static int fsm_snapshot_finalize(struct raft_fsm *fsm, struct raft_buffer *bufs[], unsigned *n_bufs)
{
    if (*bufs) {
        for (unsigned i = 0; i < *n_bufs; i++) {
            raft_free((*bufs)[i].base);
        }
        raft_free(*bufs);
    }
    *bufs = NULL;
    *n_bufs = 0;
    return 0;
}

static int fsm_restore(struct raft_fsm *fsm, struct raft_buffer *buf)
{
    quorum_t *q = fsm->data;
    char err[256] = "malformed snapshot frame";
    const uint8_t *data;
    size_t len;
    bool ok = entry_unframe(buf, &data, &len);
    if (ok) {
        pthread_rwlock_wrlock(&q->image_lock);
        ok = meta_image_restore(q->image, data, len, err, sizeof(err));
        pthread_rwlock_unlock(&q->image_lock);
    }
    if (!ok) {
        blog_error("metadata snapshot not restored: %s", err);
        return RAFT_MALFORMED;
    }
    blog_info("metadata image restored from a snapshot: %zu brokers, %zu topics", meta_image_broker_count(q->image),
              meta_image_topic_count(q->image));
    raft_free(buf->base); /* the FSM owns a restored buffer (raft.h) */
    quorum_changed(q);
    return 0;
}

/* ---- proposals --------------------------------------------------------------- */

/* Appends one entry of `n` records through raft_apply; `req` is the
 * caller's, its cb runs once the entry is applied or has failed.  false when
 * this node cannot propose (not the leader). */
static bool quorum_propose(quorum_t *q, struct raft_apply *req, const meta_record_t *recs, size_t n, raft_apply_cb cb)
{
    buf_writer_t w;
    buf_writer_init(&w, 256);
    meta_records_encode(&w, recs, n);
    struct raft_buffer buf = entry_frame(&w);
    buf_writer_release(&w);
    int rc = raft_apply(&q->raft, req, &buf, 1, cb);
    if (rc != 0) {
        raft_free(buf.base);
        blog_info("metadata proposal not accepted: %s", raft_strerror(rc));
        return false;
    }
    return true;
}

static void on_proposal_done(struct raft_apply *req, int status, void *result)
{
    proposal_t *p = req->data;
    if (status != 0) {
        blog_info("metadata proposal failed: %s", raft_strerror(status));
    }
    p->q->broker_changes_pending--;
    free(p);
}

/*
 * Fences the brokers `ids` (of `epochs`), or unfences the one of them,
 * in one entry with the leader elections that follow (meta_image_elect):
 * a fenced broker's leaderships move to the rest of their ISRs, and an
 * unfenced one leads the offline partitions whose ISR holds it.
 */
static void propose_broker_state(quorum_t *q, meta_record_type_t type, const int32_t *ids, const int64_t *epochs,
                                 size_t n)
{
    proposal_t *p = xcalloc(1, sizeof(*p));
    p->q = q;
    p->req.data = p;
    arena_t *arena = arena_create(4096);
    meta_record_t *elected;
    bool fence = type == META_FENCE_BROKER;
    size_t n_elected = meta_image_elect(q->image, fence ? ids : NULL, fence ? n : 0, fence ? -1 : ids[0], arena,
                                        &elected);
    meta_record_t *recs = arena_alloc(arena, sizeof(*recs) * (n + n_elected));
    for (size_t i = 0; i < n; i++) {
        recs[i] = (meta_record_t){.type = type, .broker = {.id = ids[i], .epoch = epochs[i]}};
    }
    for (size_t i = 0; i < n_elected; i++) {
        recs[n + i] = elected[i];
        const typeof(elected[i].partition_change) *pc = &elected[i].partition_change;
        if (pc->leader != META_LEADER_UNCHANGED) {
            blog_info("broker %d %s: partition %d of topic id %02x%02x... gets leader %d", ids[0],
                      fence ? "fenced" : "unfenced", pc->partition_id, pc->topic_id.b[0], pc->topic_id.b[1],
                      pc->leader);
        }
    }
    if (quorum_propose(q, &p->req, recs, n + n_elected, on_proposal_done)) {
        q->broker_changes_pending++;
    } else {
        free(p);
    }
    arena_destroy(arena);
}

/* ---- submissions from other threads ------------------------------------------- */

static void ticket_finish(quorum_ticket_t *t, quorum_ticket_state_t state)
{
    quorum_t *q = t->q;
    atomic_store(&t->state, state);
    quorum_ticket_release(t);
    quorum_changed(q);
}

static void on_ticket_applied(struct raft_apply *req, int status, void *result)
{
    quorum_ticket_t *t = req->data;
    if (status != 0) {
        blog_info("metadata proposal failed: %s", raft_strerror(status));
    }
    ticket_finish(t, status == 0 ? QUORUM_TICKET_COMMITTED : QUORUM_TICKET_FAILED);
}

static void on_submitted(uv_async_t *async)
{
    quorum_t *q = async->data;
    pthread_mutex_lock(&q->submit_lock);
    quorum_ticket_t *list = q->submitted;
    q->submitted = NULL;
    pthread_mutex_unlock(&q->submit_lock);
    quorum_ticket_t *fifo = NULL;
    while (list) {
        quorum_ticket_t *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo) {
        quorum_ticket_t *t = fifo;
        fifo = t->next;
        int rc = RAFT_NOTLEADER;
        if (!q->closing && q->raft_started && raft_state(&q->raft) == RAFT_LEADER) {
            rc = raft_apply(&q->raft, &t->req, &t->buf, 1, on_ticket_applied);
        }
        if (rc != 0) {
            raft_free(t->buf.base);
            t->buf.base = NULL;
            ticket_finish(t, QUORUM_TICKET_FAILED);
        }
    }
}

quorum_ticket_t *quorum_submit(quorum_t *q, const meta_record_t *recs, size_t n)
{
    if (!q->controller) {
        return NULL;
    }
    quorum_ticket_t *t = xcalloc(1, sizeof(*t));
    t->q = q;
    t->req.data = t;
    atomic_store(&t->state, QUORUM_TICKET_PENDING);
    atomic_store(&t->refs, 2);
    buf_writer_t w;
    buf_writer_init(&w, 256);
    meta_records_encode(&w, recs, n);
    t->buf = entry_frame(&w);
    buf_writer_release(&w);
    pthread_mutex_lock(&q->submit_lock);
    t->next = q->submitted;
    q->submitted = t;
    pthread_mutex_unlock(&q->submit_lock);
    uv_async_send(&q->submit_async);
    return t;
}

quorum_ticket_state_t quorum_ticket_state(const quorum_ticket_t *t)
{
    return (quorum_ticket_state_t)atomic_load(&((quorum_ticket_t *)t)->state);
}

void quorum_ticket_release(quorum_ticket_t *t)
{
    if (t && atomic_fetch_sub(&t->refs, 1) == 1) {
        free(t);
    }
}

/* ---- framed connections -------------------------------------------------------- */

static void conn_on_frame(quorum_conn_t *c, const uint8_t *frame, size_t len);
static void quorum_handle_gone(quorum_t *q);

static void conn_closed(uv_handle_t *handle)
{
    quorum_conn_t *c = handle->data;
    quorum_t *q = c->q;
    raft_free(c->tcp);
    free(c->in);
    free(c);
    quorum_handle_gone(q);
}

static void conn_close(quorum_conn_t *c)
{
    if (c->closing) {
        return;
    }
    c->closing = true;
    quorum_t *q = c->q;
    if (c->server) {
        for (quorum_conn_t **p = &q->conns; *p; p = &(*p)->next) {
            if (*p == c) {
                *p = c->next;
                break;
            }
        }
        for (pending_reg_t *r = q->pending; r; r = r->next) {
            if (r->conn == c) {
                r->conn = NULL;
            }
        }
    } else if (q->client == c) {
        q->client = NULL;
        q->in_flight = false;
        q->in_flight_alter = false; /* the leader asks again if the image does not change */
    }
    c->tcp->data = c;
    uv_close((uv_handle_t *)c->tcp, conn_closed);
}

static void conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    quorum_conn_t *c = handle->data;
    if (c->in_cap - c->in_len < 65536) {
        c->in_cap = c->in_len + 65536;
        c->in = xrealloc(c->in, c->in_cap);
    }
    buf->base = (char *)c->in + c->in_len;
    buf->len = c->in_cap - c->in_len;
}

static void conn_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    quorum_conn_t *c = stream->data;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    c->in_len += (size_t)nread;
    size_t off = 0;
    while (!c->closing && c->in_len - off >= 4) {
        int32_t size = buf_get_i32(c->in + off);
        if (size < 0 || size > MAX_FRAME) {
            blog_info("closing a controller connection: frame of %d bytes", size);
            conn_close(c);
            return;
        }
        if (c->in_len - off < 4 + (size_t)size) {
            break;
        }
        conn_on_frame(c, c->in + off + 4, (size_t)size);
        off += 4 + (size_t)size;
    }
    if (!c->closing && off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

typedef struct conn_write {
    uv_write_t req;
    uint8_t *data;
} conn_write_t;

static void conn_written(uv_write_t *req, int status)
{
    conn_write_t *w = req->data;
    free(w->data);
    free(w);
}

/* Sends the frame `w` holds and releases `w`. */
static void conn_send(quorum_conn_t *c, buf_writer_t *w)
{
    conn_write_t *cw = xcalloc(1, sizeof(*cw));
    size_t len;
    cw->data = buf_writer_steal(w, &len);
    cw->req.data = cw;
    uv_buf_t buf = uv_buf_init((char *)cw->data, (unsigned)len);
    if (c->closing || uv_write(&cw->req, (uv_stream_t *)c->tcp, &buf, 1, conn_written) != 0) {
        free(cw->data);
        free(cw);
        conn_close(c);
    }
}

static quorum_conn_t *conn_new(quorum_t *q, uv_tcp_t *tcp, bool server)
{
    quorum_conn_t *c = xcalloc(1, sizeof(*c));
    q->handles++;
    c->q = q;
    c->tcp = tcp;
    c->server = server;
    tcp->data = c;
    return c;
}

/* ---- the active controller: BrokerRegistration and BrokerHeartbeat ------------- */

static session_t *session_get(quorum_t *q, int32_t id)
{
    for (size_t i = 0; i < q->n_sessions; i++) {
        if (q->sessions[i].id == id) {
            return &q->sessions[i];
        }
    }
    q->sessions = xrealloc(q->sessions, (q->n_sessions + 1) * sizeof(*q->sessions));
    session_t *s = &q->sessions[q->n_sessions++];
    *s = (session_t){.id = id, .last_heartbeat_ms = clock_mono_ms(), .pending_epoch = -1};
    return s;
}

static void reply_registration(quorum_conn_t *c, int32_t correlation_id, kerr_t err, int64_t epoch)
{
    buf_writer_t w;
    buf_writer_init(&w, 64);
    ctrl_registration_result_t res = {.error_code = (int16_t)err, .broker_epoch = epoch};
    ctrl_rpc_encode_registration_result(&w, correlation_id, &res);
    conn_send(c, &w);
}

static void on_registered(struct raft_apply *req, int status, void *result)
{
    pending_reg_t *r = req->data;
    quorum_t *q = r->q;
    q->broker_changes_pending--;
    for (pending_reg_t **p = &q->pending; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    if (r->conn) {
        /* A leader that lost its leadership before the commit cannot say
         * whether it happened: the broker asks the next controller. */
        reply_registration(r->conn, r->correlation_id, status == 0 ? KERR_NONE : KERR_NOT_CONTROLLER,
                           status == 0 ? r->epoch : -1);
    }
    if (status == 0) {
        blog_info("broker %d registered with broker epoch %lld", r->broker_id, (long long)r->epoch);
    }
    free(r);
}

static bool uuid_eq(const kuuid_t *a, const kuuid_t *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static void handle_registration(quorum_t *q, quorum_conn_t *c, int32_t correlation_id, const ctrl_registration_t *reg)
{
    if (!q->leader) {
        reply_registration(c, correlation_id, KERR_NOT_CONTROLLER, -1);
        return;
    }
    if (!q->caught_up) {
        reply_registration(c, correlation_id, KERR_REQUEST_TIMED_OUT, -1); /* the image may be stale */
        return;
    }
    if (reg->voters && strcmp(reg->voters, q->voters) != 0) {
        blog_warn("refusing the registration of broker %d: its controller.quorum.voters '%s' is not '%s'",
                  reg->broker_id, reg->voters, q->voters);
        reply_registration(c, correlation_id, KERR_INCONSISTENT_VOTER_SET, -1);
        return;
    }
    if (!reg->cluster_id || strcmp(reg->cluster_id, q->cluster_id) != 0) {
        blog_warn("refusing the registration of broker %d: its cluster id %s is not this cluster's %s", reg->broker_id,
                  reg->cluster_id ? reg->cluster_id : "(null)", q->cluster_id);
        reply_registration(c, correlation_id, KERR_INCONSISTENT_CLUSTER_ID, -1);
        return;
    }
    const meta_broker_t *b = meta_image_broker_find(q->image, reg->broker_id);
    if (b && uuid_eq(&b->incarnation_id, &reg->incarnation_id)) {
        reply_registration(c, correlation_id, KERR_NONE, b->epoch); /* a retry of a registration that went through */
        return;
    }
    int64_t now = clock_mono_ms();
    if (b && !b->fenced &&
        now - session_get(q, reg->broker_id)->last_heartbeat_ms < q->cfg->broker_session_timeout_ms) {
        blog_warn("refusing the registration of broker %d: another broker with that id is registered and "
                  "heartbeating (a second node with node.id %d, or this one restarted within "
                  "broker.session.timeout.ms)",
                  reg->broker_id, reg->broker_id);
        reply_registration(c, correlation_id, KERR_DUPLICATE_BROKER_REGISTRATION, -1);
        return;
    }
    for (pending_reg_t *p = q->pending; p; p = p->next) {
        if (p->broker_id == reg->broker_id) {
            reply_registration(c, correlation_id, KERR_DUPLICATE_BROKER_REGISTRATION, -1);
            return;
        }
    }
    if (!q->caught_up || q->broker_changes_pending > 0) {
        /* Its elections are worked out from the image: the broker asks
         * again once the image is current. */
        reply_registration(c, correlation_id, KERR_REQUEST_TIMED_OUT, -1);
        return;
    }
    pending_reg_t *r = xcalloc(1, sizeof(*r));
    r->q = q;
    r->conn = c;
    r->correlation_id = correlation_id;
    r->broker_id = reg->broker_id;
    /* Kafka's broker epoch is the offset of the registration in the
     * metadata log; here the raft index the entry gets. */
    r->epoch = (int64_t)raft_last_index(&q->raft) + 1;
    r->req.data = r;
    /* A broker registering again (restarted before its session ran out)
     * lost what it held in memory: its leaderships move as when it is
     * fenced, in the same entry. */
    arena_t *arena = arena_create(4096);
    meta_record_t *elected = NULL;
    size_t n_elected = b && !b->fenced ? meta_image_elect(q->image, &reg->broker_id, 1, -1, arena, &elected) : 0;
    meta_record_t *recs = arena_alloc(arena, sizeof(*recs) * (1 + n_elected));
    recs[0] = (meta_record_t){.type = META_REGISTER_BROKER,
                              .register_broker = {.broker_id = reg->broker_id,
                                                  .incarnation_id = reg->incarnation_id,
                                                  .broker_epoch = r->epoch,
                                                  .endpoints = reg->listeners,
                                                  .n_endpoints = reg->n_listeners,
                                                  .rack = reg->rack,
                                                  .fenced = true}};
    if (n_elected) {
        memcpy(recs + 1, elected, sizeof(*recs) * n_elected);
    }
    bool proposed = quorum_propose(q, &r->req, recs, 1 + n_elected, on_registered);
    arena_destroy(arena);
    if (!proposed) {
        free(r);
        reply_registration(c, correlation_id, KERR_NOT_CONTROLLER, -1);
        return;
    }
    q->broker_changes_pending++;
    r->next = q->pending;
    q->pending = r;
    session_t *s = session_get(q, reg->broker_id);
    s->last_heartbeat_ms = now;
    s->pending_epoch = -1;
}

static void handle_heartbeat(quorum_t *q, quorum_conn_t *c, int32_t correlation_id, const ctrl_heartbeat_t *hb)
{
    ctrl_heartbeat_result_t res = {.error_code = KERR_NONE, .is_fenced = true};
    const meta_broker_t *b = q->leader ? meta_image_broker_find(q->image, hb->broker_id) : NULL;
    if (!q->leader) {
        res.error_code = KERR_NOT_CONTROLLER;
    } else if (!b || b->epoch != hb->broker_epoch) {
        res.error_code = KERR_STALE_BROKER_EPOCH;
    } else {
        session_t *s = session_get(q, hb->broker_id);
        s->last_heartbeat_ms = clock_mono_ms();
        /* As Kafka's controller: a broker is unfenced only once its
         * metadata has caught up with its own registration (whose offset is
         * its epoch), so it never leads from a stale image, e.g. after a
         * restart, partitions that moved while it was away. */
        bool caught_up = hb->current_metadata_offset < 0 || hb->current_metadata_offset >= b->epoch;
        bool want_fenced = hb->want_fence || hb->want_shut_down || !caught_up;
        if (b->fenced != want_fenced && !(s->pending_epoch == b->epoch && s->pending_fenced == want_fenced) &&
            q->caught_up && q->broker_changes_pending == 0) {
            s->pending_epoch = b->epoch;
            s->pending_fenced = want_fenced;
            propose_broker_state(q, want_fenced ? META_FENCE_BROKER : META_UNFENCE_BROKER, &b->id, &b->epoch, 1);
        }
        res.is_caught_up = caught_up;
        res.is_fenced = b->fenced;
        res.should_shut_down = hb->want_shut_down;
    }
    buf_writer_t w;
    buf_writer_init(&w, 64);
    ctrl_rpc_encode_heartbeat_result(&w, correlation_id, &res);
    conn_send(c, &w);
}

/* Fences every unfenced broker whose session has run out. */
static void controller_fence_expired(quorum_t *q, int64_t now)
{
    if (!q->caught_up || q->broker_changes_pending > 0) {
        return;
    }
    size_t n_brokers = meta_image_broker_count(q->image), n = 0;
    int32_t *ids = xcalloc(n_brokers + 1, sizeof(*ids));
    int64_t *epochs = xcalloc(n_brokers + 1, sizeof(*epochs));
    for (size_t i = 0; i < n_brokers; i++) {
        const meta_broker_t *b = meta_image_broker_at(q->image, i);
        session_t *s = session_get(q, b->id);
        if (!b->fenced && !(s->pending_epoch == b->epoch && s->pending_fenced) &&
            now - s->last_heartbeat_ms > q->cfg->broker_session_timeout_ms) {
            blog_warn("fencing broker %d: no heartbeat for %lld ms (broker.session.timeout.ms is %d)", b->id,
                      (long long)(now - s->last_heartbeat_ms), q->cfg->broker_session_timeout_ms);
            s->pending_epoch = b->epoch;
            s->pending_fenced = true;
            ids[n] = b->id;
            epochs[n++] = b->epoch;
        }
    }
    if (n > 0) {
        /* All in one entry, so that each election knows every broker gone. */
        propose_broker_state(q, META_FENCE_BROKER, ids, epochs, n);
    }
    free(ids);
    free(epochs);
}

/*
 * AlterPartition from a partition's leader (KIP-497): the new ISR is
 * written as a PartitionChangeRecord when the image takes it
 * (meta_image_check_alter_partition).  It is answered once proposed, with the state it will have: the leader
 * acts on the image, not on the answer.  While a fence or unfence is
 * pending, or the image of a new active controller may be stale, the
 * answer is REQUEST_TIMED_OUT and the leader asks again.
 */
static void handle_alter_partition(quorum_t *q, quorum_conn_t *c, int32_t correlation_id,
                                   const ctrl_alter_partition_t *ap)
{
    ctrl_alter_partition_result_t res = {.topic_id = ap->topic_id,
                                         .partition = ap->partition,
                                         .leader_id = -1,
                                         .leader_epoch = -1,
                                         .partition_epoch = -1};
    const meta_partition_t *p = NULL;
    int16_t err = KERR_NONE;
    if (!q->leader) {
        res.error_code = KERR_NOT_CONTROLLER;
    } else {
        res.error_code = meta_image_check_alter_partition(q->image, ap->broker_id, ap->broker_epoch, &ap->topic_id,
                                                          ap->partition, ap->leader_epoch, ap->partition_epoch,
                                                          ap->new_isr, ap->n_new_isr, &err, &p);
        if (err == KERR_NONE && (!q->caught_up || q->broker_changes_pending > 0)) {
            err = KERR_REQUEST_TIMED_OUT;
        }
    }
    if (err == KERR_NONE && !res.error_code) {
        proposal_t *prop = xcalloc(1, sizeof(*prop));
        prop->q = q;
        prop->req.data = prop;
        meta_record_t rec = {.type = META_PARTITION_CHANGE,
                             .partition_change = {.partition_id = ap->partition,
                                                  .topic_id = ap->topic_id,
                                                  .isr = ap->new_isr,
                                                  .n_isr = ap->n_new_isr,
                                                  .leader = META_LEADER_UNCHANGED,
                                                  .n_replicas = -1}};
        if (quorum_propose(q, &prop->req, &rec, 1, on_proposal_done)) {
            q->broker_changes_pending++;
            blog_info("broker %d changes the ISR of partition %d of a topic to %d replica(s)", ap->broker_id,
                      ap->partition, ap->n_new_isr);
            res.leader_id = p->leader;
            res.leader_epoch = p->leader_epoch;
            res.isr = ap->new_isr;
            res.n_isr = ap->n_new_isr;
            res.partition_epoch = p->partition_epoch + 1;
        } else {
            free(prop);
            res.error_code = KERR_NOT_CONTROLLER;
        }
    } else if (p && !res.error_code) {
        res.leader_id = p->leader;
        res.leader_epoch = p->leader_epoch;
        res.isr = p->isr;
        res.n_isr = p->n_isr;
        res.partition_epoch = p->partition_epoch;
    }
    res.partition_error_code = err;
    buf_writer_t w;
    buf_writer_init(&w, 128);
    ctrl_rpc_encode_alter_partition_result(&w, correlation_id, &res);
    conn_send(c, &w);
}

static void server_on_frame(quorum_conn_t *c, const uint8_t *frame, size_t len)
{
    quorum_t *q = c->q;
    arena_t *arena = arena_create(1024);
    ctrl_request_t req;
    char err[256];
    if (!ctrl_rpc_decode_request(frame, len, arena, &req, err, sizeof(err))) {
        blog_info("closing a connection to the controller listener: %s", err);
        conn_close(c);
    } else if (req.api_key == CTRL_RPC_ALTER_PARTITION) {
        handle_alter_partition(q, c, req.correlation_id, &req.alter_partition);
    } else if (req.api_key == CTRL_RPC_BROKER_REGISTRATION) {
        handle_registration(q, c, req.correlation_id, &req.registration);
    } else {
        handle_heartbeat(q, c, req.correlation_id, &req.heartbeat);
    }
    arena_destroy(arena);
}

/* quorum_transport: a connection that is not a raft peer. */
static void on_rpc_connection(void *arg, uv_tcp_t *tcp, const uint8_t head[8])
{
    quorum_t *q = arg;
    quorum_conn_t *c = conn_new(q, tcp, true);
    c->connected = true;
    c->in = xmalloc(65536);
    c->in_cap = 65536;
    memcpy(c->in, head, 8);
    c->in_len = 8;
    c->next = q->conns;
    q->conns = c;
    uv_read_start((uv_stream_t *)tcp, conn_alloc, conn_read);
}

/* quorum_transport: a voter refused this node's handshake, or this node
 * refused a voter's.  A node that has never seen a leader and is refused
 * is the one misconfigured: it stops. */
static void on_refused(void *arg, raft_id peer, const char *why)
{
    quorum_t *q = arg;
    raft_id leader;
    const char *addr;
    raft_leader(&q->raft, &leader, &addr);
    if (peer != 0 && leader == 0 && raft_last_index(&q->raft) <= 1) {
        quorum_fail(q, "node %d refused this node in the metadata quorum: %s", NODE_ID(peer), why);
    } else {
        blog_error("metadata quorum: %s", why);
    }
}

/* ---- the broker: registration and heartbeats ------------------------------------ */

static void client_send(quorum_t *q)
{
    buf_writer_t w;
    buf_writer_init(&w, 256);
    char client_id[32];
    snprintf(client_id, sizeof(client_id), "connectd-broker-%d", q->cfg->node_id);
    q->correlation_id++;
    if (q->epoch < 0) {
        ctrl_registration_t reg = {
            .broker_id = q->cfg->node_id,
            .cluster_id = q->cluster_id,
            .incarnation_id = q->incarnation,
            .listeners = &q->endpoint,
            .n_listeners = 1,
            .voters = q->voters,
        };
        ctrl_rpc_encode_registration(&w, q->correlation_id, client_id, &reg);
    } else {
        ctrl_heartbeat_t hb = {
            .broker_id = q->cfg->node_id,
            .broker_epoch = q->epoch,
            .current_metadata_offset = q->controller ? (int64_t)raft_last_applied(&q->raft) : -1,
        };
        ctrl_rpc_encode_heartbeat(&w, q->correlation_id, client_id, &hb);
    }
    q->in_flight = true;
    q->sent_ms = clock_mono_ms();
    conn_send(q->client, &w);
}

/* Sends the oldest AlterPartition waiting, instead of a heartbeat. */
static void client_send_alter(quorum_t *q)
{
    ctrl_alter_partition_t ap = q->alters[0];
    memmove(q->alters, q->alters + 1, sizeof(*q->alters) * --q->n_alters);
    ap.broker_epoch = q->epoch;
    buf_writer_t w;
    buf_writer_init(&w, 128);
    char client_id[32];
    snprintf(client_id, sizeof(client_id), "connectd-broker-%d", q->cfg->node_id);
    ctrl_rpc_encode_alter_partition(&w, ++q->correlation_id, client_id, &ap);
    free((int32_t *)ap.new_isr);
    q->in_flight = true;
    q->in_flight_alter = true;
    q->sent_ms = clock_mono_ms();
    conn_send(q->client, &w);
}

void quorum_alter_partition(quorum_t *q, const kuuid_t *topic_id, int32_t partition, int32_t leader_epoch,
                            int32_t partition_epoch, const int32_t *isr, int32_t n_isr)
{
    size_t i = 0;
    while (i < q->n_alters &&
           !(q->alters[i].partition == partition && memcmp(q->alters[i].topic_id.b, topic_id->b, 16) == 0)) {
        i++;
    }
    if (i == q->n_alters) {
        q->alters = xrealloc(q->alters, sizeof(*q->alters) * ++q->n_alters);
    } else {
        free((int32_t *)q->alters[i].new_isr);
    }
    int32_t *copy = xcalloc((size_t)n_isr + 1, sizeof(*copy));
    memcpy(copy, isr, sizeof(*copy) * (size_t)n_isr);
    q->alters[i] = (ctrl_alter_partition_t){.broker_id = q->cfg->node_id,
                                            .topic_id = *topic_id,
                                            .partition = partition,
                                            .leader_epoch = leader_epoch,
                                            .new_isr = copy,
                                            .n_new_isr = n_isr,
                                            .partition_epoch = partition_epoch};
}

static void client_next_controller(quorum_t *q)
{
    if (q->client) {
        conn_close(q->client);
    }
    q->next_voter++;
    q->next_send_ms = clock_mono_ms() + TICK_MS;
}

static void client_on_frame(quorum_conn_t *c, const uint8_t *frame, size_t len)
{
    quorum_t *q = c->q;
    int32_t correlation_id;
    q->in_flight = false;
    int64_t now = clock_mono_ms();
    if (q->in_flight_alter) {
        q->in_flight_alter = false;
        arena_t *arena = arena_create(256);
        ctrl_alter_partition_result_t res;
        bool ok = ctrl_rpc_decode_alter_partition_result(frame, len, arena, &correlation_id, &res);
        arena_destroy(arena);
        if (!ok || res.error_code == KERR_NOT_CONTROLLER) {
            client_next_controller(q);
        } else if (res.error_code != KERR_NONE || res.partition_error_code != KERR_NONE) {
            blog_info("the controller refused an ISR change of partition %d: %s", res.partition,
                      kerr_name((kerr_t)(res.error_code ? res.error_code : res.partition_error_code)));
        }
        return;
    }
    if (q->epoch < 0) {
        ctrl_registration_result_t res;
        if (!ctrl_rpc_decode_registration_result(frame, len, &correlation_id, &res)) {
            client_next_controller(q);
            return;
        }
        switch (res.error_code) {
        case KERR_NONE:
            q->epoch = res.broker_epoch;
            q->duplicate_since_ms = 0;
            atomic_store(&q->leader_id, q->client_target);
            blog_info("registered with the active controller %d: broker epoch %lld", q->client_target,
                      (long long)q->epoch);
            q->next_send_ms = now; /* the first heartbeat unfences */
            return;
        case KERR_DUPLICATE_BROKER_REGISTRATION:
            if (!q->duplicate_since_ms) {
                q->duplicate_since_ms = now;
            }
            if (now - q->duplicate_since_ms >
                q->cfg->broker_session_timeout_ms + 2 * q->cfg->broker_heartbeat_interval_ms) {
                quorum_fail(q,
                            "node.id %d is in use: another broker registered with it keeps heartbeating the "
                            "controller; give this node a node.id of its own",
                            q->cfg->node_id);
                return;
            }
            blog_warn("the controller refused the registration of node.id %d: a broker with that id is still "
                      "registered; retrying until its session (broker.session.timeout.ms) runs out",
                      q->cfg->node_id);
            q->next_send_ms = now + q->cfg->broker_heartbeat_interval_ms;
            return;
        case KERR_REQUEST_TIMED_OUT:
            q->next_send_ms = now + TICK_MS; /* the controller is busy with its image: ask it again */
            return;
        case KERR_INCONSISTENT_VOTER_SET:
            quorum_fail(q,
                        "the active controller %d refused this broker: its controller.quorum.voters '%s' is not "
                        "the controllers'; every node of the cluster must list the same voters",
                        q->client_target, q->voters);
            return;
        case KERR_INCONSISTENT_CLUSTER_ID:
            quorum_fail(q,
                        "the active controller %d refused this broker: its cluster id %s (meta.properties in "
                        "log.dirs) is not the cluster's; was this log dir formatted for another cluster?",
                        q->client_target, q->cluster_id);
            return;
        default:
            client_next_controller(q);
            return;
        }
    }
    ctrl_heartbeat_result_t res;
    if (!ctrl_rpc_decode_heartbeat_result(frame, len, &correlation_id, &res)) {
        client_next_controller(q);
        return;
    }
    if (res.error_code == KERR_STALE_BROKER_EPOCH) {
        blog_warn("the controller no longer knows broker epoch %lld: registering again", (long long)q->epoch);
        q->epoch = -1;
        q->next_send_ms = now;
        return;
    }
    if (res.error_code != KERR_NONE) {
        client_next_controller(q);
        return;
    }
    atomic_store(&q->leader_id, q->client_target);
    if (res.is_fenced != q->fenced) {
        blog_info("broker %d is %s by the active controller %d", q->cfg->node_id, res.is_fenced ? "fenced" : "unfenced",
                  q->client_target);
        q->fenced = res.is_fenced;
        quorum_changed(q); /* a fenced node leads nothing (quorum_is_fenced) */
    }
    q->next_send_ms = now + q->cfg->broker_heartbeat_interval_ms;
}

static void conn_on_frame(quorum_conn_t *c, const uint8_t *frame, size_t len)
{
    if (c->server) {
        server_on_frame(c, frame, len);
    } else {
        client_on_frame(c, frame, len);
    }
}

static void client_connected(uv_connect_t *req, int status)
{
    quorum_conn_t *c = req->data;
    if (c->closing) {
        return;
    }
    quorum_t *q = c->q;
    if (status < 0) {
        client_next_controller(q);
        return;
    }
    c->connected = true;
    uv_tcp_nodelay(c->tcp, 1);
    uv_read_start((uv_stream_t *)c->tcp, conn_alloc, conn_read);
    client_send(q);
}

/* Picks the controller to talk to: the raft leader when this node knows it,
 * else the next voter. */
static void client_connect(quorum_t *q)
{
    const broker_config_voter_t *v = NULL;
    if (q->controller) {
        raft_id leader;
        const char *addr;
        raft_leader(&q->raft, &leader, &addr);
        if (leader) {
            v = broker_config_voter_find(q->cfg, NODE_ID(leader));
        }
    }
    if (!v) {
        v = &q->cfg->voters[q->next_voter % q->cfg->n_voters];
    }
    struct sockaddr_storage addr;
    char port[16];
    snprintf(port, sizeof(port), "%d", v->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(v->host[0] ? v->host : "127.0.0.1", port, &hints, &res) != 0) {
        q->next_voter++;
        return;
    }
    memcpy(&addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    uv_tcp_t *tcp = raft_malloc(sizeof(*tcp));
    if (!tcp) {
        abort();
    }
    uv_tcp_init(q->loop, tcp);
    quorum_conn_t *c = conn_new(q, tcp, false);
    q->client = c;
    q->client_target = v->id;
    c->connect_req.data = c;
    if (uv_tcp_connect(&c->connect_req, tcp, (struct sockaddr *)&addr, client_connected) != 0) {
        client_next_controller(q);
    }
}

static void client_tick(quorum_t *q, int64_t now)
{
    if (q->failed) {
        return;
    }
    if (q->in_flight && now - q->sent_ms > q->cfg->broker_session_timeout_ms / 2) {
        blog_info("no answer from controller %d in %lld ms: trying another", q->client_target,
                  (long long)(now - q->sent_ms));
        client_next_controller(q);
        return;
    }
    if (!q->client) {
        if (now >= q->next_send_ms) {
            client_connect(q);
        }
        return;
    }
    if (q->client->connected && !q->in_flight && q->epoch >= 0 && q->n_alters > 0) {
        client_send_alter(q);
    } else if (q->client->connected && !q->in_flight && now >= q->next_send_ms) {
        client_send(q);
    }
}

/* ---- the tick ---------------------------------------------------------------------- */

typedef struct leader_barrier {
    struct raft_barrier req;
    quorum_t *q;
    uint64_t gen;
} leader_barrier_t;

static void on_leader_barrier(struct raft_barrier *req, int status)
{
    leader_barrier_t *b = req->data;
    quorum_t *q = b->q;
    if (b->gen == q->leader_gen) {
        q->barrier_pending = false;
        if (status == 0) {
            q->caught_up = true;
            blog_info("this node (%d) has applied the metadata log of earlier terms", q->cfg->node_id);
        } else {
            blog_info("metadata barrier failed: %s; trying again", raft_strerror(status));
        }
    }
    free(b);
}

/* Appends a barrier: once it is applied, so is everything before it, and
 * the image is the whole committed log (Kafka's controller waits likewise
 * for the log of earlier terms before it acts). */
static void controller_barrier(quorum_t *q)
{
    leader_barrier_t *b = xcalloc(1, sizeof(*b));
    b->q = q;
    b->gen = q->leader_gen;
    b->req.data = b;
    int rc = raft_barrier(&q->raft, &b->req, on_leader_barrier);
    if (rc != 0) {
        blog_info("metadata barrier not accepted: %s; trying again", raft_strerror(rc));
        free(b);
        return;
    }
    q->barrier_pending = true;
}

static void on_tick(uv_timer_t *timer)
{
    quorum_t *q = timer->data;
    int64_t now = clock_mono_ms();
    if (q->controller && q->raft_started) {
        bool leader = raft_state(&q->raft) == RAFT_LEADER;
        if (leader != q->leader) {
            q->leader = leader;
            q->leader_gen++;
            q->caught_up = false;
            q->barrier_pending = false;
            atomic_store(&q->active, leader);
            if (leader) {
                /* Every session starts now: a broker is fenced only after a
                 * whole session without heartbeats to this leader. */
                q->n_sessions = 0;
                blog_info("this node (%d) is the active controller", q->cfg->node_id);
            } else {
                blog_info("this node (%d) is no longer the active controller", q->cfg->node_id);
            }
        }
        raft_id leader_raft;
        const char *addr;
        raft_leader(&q->raft, &leader_raft, &addr);
        atomic_store(&q->leader_id, leader_raft ? NODE_ID(leader_raft) : -1);
        if (leader && !q->caught_up && !q->barrier_pending) {
            controller_barrier(q);
        }
        if (leader) {
            controller_fence_expired(q, now);
        }
    }
    if (q->broker) {
        client_tick(q, now);
    }
}

/* ---- life cycle ------------------------------------------------------------------------- */

void quorum_cluster_id_derive(const broker_config_t *cfg, char *out)
{
    /* FNV-1a over the canonical voter list, twice with different seeds for
     * 16 bytes; the same voters give the same id on every node. */
    uint8_t raw[16];
    for (int half = 0; half < 2; half++) {
        uint64_t h = 1469598103934665603ULL ^ (uint64_t)half;
        for (size_t i = 0; i < cfg->n_voters; i++) {
            char item[300];
            int n = snprintf(item, sizeof(item), "%d@%s:%d,", cfg->voters[i].id, cfg->voters[i].host,
                             cfg->voters[i].port);
            for (int k = 0; k < n; k++) {
                h = (h ^ (uint8_t)item[k]) * 1099511628211ULL;
            }
        }
        for (int k = 0; k < 8; k++) {
            raw[half * 8 + k] = (uint8_t)(h >> (8 * k));
        }
    }
    base64url_encode(raw, sizeof(raw), out);
}

static char *voters_canonical(const broker_config_t *cfg)
{
    size_t cap = 64, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < cfg->n_voters; i++) {
        char item[300];
        int n = snprintf(item, sizeof(item), "%s%d@%s:%d", i ? "," : "", cfg->voters[i].id, cfg->voters[i].host,
                         cfg->voters[i].port);
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            s = xrealloc(s, cap);
        }
        memcpy(s + len, item, (size_t)n + 1);
        len += (size_t)n;
    }
    return s;
}

static char *voter_address(const broker_config_voter_t *v)
{
    char addr[300];
    snprintf(addr, sizeof(addr), strchr(v->host, ':') ? "[%s]:%d" : "%s:%d", v->host, v->port);
    return xstrdup(addr);
}

/* The configured voters against the configuration raft keeps in its data. */
static bool voters_match_raft(quorum_t *q, char *errstr, size_t errstr_size)
{
    const struct raft_configuration *conf = &q->raft.configuration;
    bool same = conf->n == q->cfg->n_voters;
    for (unsigned i = 0; same && i < conf->n; i++) {
        const broker_config_voter_t *v = broker_config_voter_find(q->cfg, NODE_ID(conf->servers[i].id));
        char *addr = v ? voter_address(v) : NULL;
        same = v && strcmp(addr, conf->servers[i].address) == 0;
        free(addr);
    }
    if (same) {
        return true;
    }
    char stored[1024] = "";
    size_t len = 0;
    for (unsigned i = 0; i < conf->n && len < sizeof(stored) - 1; i++) {
        len += (size_t)snprintf(stored + len, sizeof(stored) - len, "%s%d@%s", i ? "," : "",
                                NODE_ID(conf->servers[i].id), conf->servers[i].address);
    }
    snprintf(errstr, errstr_size,
             "controller.quorum.voters '%s' is not the quorum's stored in %s ('%s'); every "
             "node must keep the voters its cluster was started with",
             q->voters, q->dir, stored);
    return false;
}

static bool controller_start(quorum_t *q, char *errstr, size_t errstr_size)
{
    const broker_config_t *cfg = q->cfg;
    char base[4096];
    snprintf(base, sizeof(base), "%s", cfg->metadata_log_dir ? cfg->metadata_log_dir : cfg->log_dirs);
    if (!cfg->metadata_log_dir) {
        base[strcspn(base, ",")] = '\0';
    }
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/%s", base, METADATA_DIR);
    mkdir(base, 0755);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(errstr, errstr_size, "cannot create %s: %s; check metadata.log.dir / log.dirs", dir, strerror(errno));
        return false;
    }
    q->dir = xstrdup(dir);
    const broker_config_voter_t *self = broker_config_voter_find(cfg, cfg->node_id);
    q->address = voter_address(self);
    char *bind_host = NULL;
    int bind_port = 0;
    const char *name = cfg->controller_listener_names;
    char first[128];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, ","), name);
    broker_config_listener_find(cfg->listeners, first, &bind_host, &bind_port);
    quorum_transport_config_t tcfg = {
        .bind_host = bind_host,
        .bind_port = bind_port,
        .voters = q->voters,
        .on_rpc = on_rpc_connection,
        .on_refused = on_refused,
        .arg = q,
    };
    quorum_transport_init(&q->transport, q->loop, &tcfg);
    free(bind_host);
    int rc = raft_uv_init(&q->io, q->loop, q->dir, &q->transport);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot open the metadata log in %s: %s", q->dir, q->io.errmsg);
        quorum_transport_release(&q->transport);
        return false;
    }
    q->io_inited = true;
    q->fsm = (struct raft_fsm){
        .version = 2,
        .data = q,
        .apply = fsm_apply,
        .snapshot = fsm_snapshot,
        .restore = fsm_restore,
        .snapshot_finalize = fsm_snapshot_finalize,
    };
    rc = raft_init(&q->raft, &q->io, &q->fsm, RAFT_ID(cfg->node_id), q->address);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start raft: %s", raft_errmsg(&q->raft));
        return false;
    }
    q->raft.data = q;
    q->raft_inited = true;
    q->handles++; /* raft itself, until on_raft_closed */
    struct raft_configuration conf;
    raft_configuration_init(&conf);
    for (size_t i = 0; i < cfg->n_voters; i++) {
        char *addr = voter_address(&cfg->voters[i]);
        raft_configuration_add(&conf, RAFT_ID(cfg->voters[i].id), addr, RAFT_VOTER);
        free(addr);
    }
    rc = raft_bootstrap(&q->raft, &conf);
    raft_configuration_close(&conf);
    if (rc != 0 && rc != RAFT_CANTBOOTSTRAP) {
        snprintf(errstr, errstr_size, "cannot bootstrap the metadata quorum in %s: %s", q->dir, raft_strerror(rc));
        return false;
    }
    raft_set_election_timeout(&q->raft, (unsigned)cfg->controller_quorum_election_timeout_ms);
    raft_set_heartbeat_timeout(&q->raft, (unsigned)(cfg->controller_quorum_election_timeout_ms / 10 + 1));
    raft_set_snapshot_threshold(&q->raft, (unsigned)cfg->metadata_snapshot_interval_entries);
    raft_set_snapshot_trailing(&q->raft, (unsigned)(cfg->metadata_snapshot_interval_entries / 2));
    raft_set_pre_vote(&q->raft, true);
    rc = raft_start(&q->raft);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the metadata quorum: %s", raft_errmsg(&q->raft));
        return false;
    }
    q->raft_started = true;
    if (!voters_match_raft(q, errstr, errstr_size)) {
        return false;
    }
    blog_info("metadata quorum: node %d of voters %s, raft data in %s, controller listener on port %d", cfg->node_id,
              q->voters, q->dir, quorum_transport_port(&q->transport));
    return true;
}

/* Frees the quorum once shutting down and its last handle has closed. */
static void quorum_handle_gone(quorum_t *q)
{
    if (--q->handles > 0 || !q->closing) {
        return;
    }
    for (size_t i = 0; i < q->n_alters; i++) {
        free((int32_t *)q->alters[i].new_isr);
    }
    free(q->alters);
    meta_image_destroy(q->image);
    pthread_rwlock_destroy(&q->image_lock);
    pthread_mutex_destroy(&q->submit_lock);
    free(q);
}

static void on_tick_closed(uv_handle_t *handle)
{
    quorum_handle_gone(handle->data);
}

static void on_submit_async_closed(uv_handle_t *handle)
{
    quorum_handle_gone(handle->data);
}

static void on_raft_closed(struct raft *raft)
{
    quorum_t *q = raft->data;
    raft_uv_close(&q->io);
    quorum_transport_release(&q->transport);
    quorum_handle_gone(q);
}

/* Closes the connections and frees what only the loop uses; the image
 * stays until the last handle is gone (raft may still apply while it
 * closes). */
static void quorum_release(quorum_t *q)
{
    for (pending_reg_t *r = q->pending; r; r = r->next) {
        r->conn = NULL; /* each is freed by its raft callback, which runs while raft closes */
    }
    while (q->conns) {
        conn_close(q->conns);
    }
    if (q->client) {
        conn_close(q->client);
    }
    free(q->sessions);
    q->sessions = NULL;
    q->n_sessions = 0;
    free(q->cluster_id);
    free(q->voters);
    free(q->dir);
    free(q->address);
    free((char *)q->endpoint.name);
    free((char *)q->endpoint.host);
    q->cluster_id = q->voters = q->dir = q->address = NULL;
    q->endpoint.name = q->endpoint.host = NULL;
}

quorum_t *quorum_create(uv_loop_t *loop, const quorum_config_t *qcfg, char *errstr, size_t errstr_size)
{
    const broker_config_t *cfg = qcfg->cfg;
    quorum_t *q = xcalloc(1, sizeof(*q));
    q->loop = loop;
    q->cfg = cfg;
    q->cluster_id = xstrdup(qcfg->cluster_id);
    q->voters = voters_canonical(cfg);
    q->on_fatal = qcfg->on_fatal;
    q->on_change = qcfg->on_change;
    q->arg = qcfg->arg;
    pthread_mutex_init(&q->submit_lock, NULL);
    q->image = meta_image_create();
    pthread_rwlock_init(&q->image_lock, NULL);
    atomic_store(&q->leader_id, -1);
    q->controller = (cfg->roles & BROKER_ROLE_CONTROLLER) != 0;
    q->broker = (cfg->roles & BROKER_ROLE_BROKER) != 0;
    q->epoch = -1;
    q->fenced = true;
    q->endpoint.name = xstrdup(qcfg->listener_name);
    q->endpoint.host = xstrdup(qcfg->host && qcfg->host[0] ? qcfg->host : "127.0.0.1");
    q->endpoint.port = (uint16_t)qcfg->port;
    if (getrandom(q->incarnation.b, sizeof(q->incarnation.b), 0) != sizeof(q->incarnation.b)) {
        for (size_t i = 0; i < sizeof(q->incarnation.b); i++) {
            q->incarnation.b[i] = (uint8_t)rand();
        }
    }
    q->raft.data = q;
    if (q->controller && !controller_start(q, errstr, errstr_size)) {
        quorum_destroy(q);
        return NULL;
    }
    if (q->controller) {
        uv_async_init(loop, &q->submit_async, on_submitted);
        q->submit_async.data = q;
        q->handles++;
    }
    uv_timer_init(loop, &q->tick);
    q->tick.data = q;
    q->handles++;
    uv_timer_start(&q->tick, on_tick, TICK_MS, TICK_MS);
    q->created = true;
    return q;
}

void quorum_destroy(quorum_t *q)
{
    if (!q) {
        return;
    }
    q->closing = true;
    q->handles++; /* held until the end of this function */
    quorum_release(q);
    if (q->tick.data == q) {
        uv_timer_stop(&q->tick);
        uv_close((uv_handle_t *)&q->tick, on_tick_closed);
    }
    if (q->submit_async.data == q) {
        on_submitted(&q->submit_async); /* fails what is still queued: the handlers are gone */
        uv_close((uv_handle_t *)&q->submit_async, on_submit_async_closed);
    }
    if (q->raft_inited) {
        raft_close(&q->raft, on_raft_closed);
    } else if (q->io_inited) {
        raft_uv_close(&q->io);
        quorum_transport_release(&q->transport);
    }
    quorum_handle_gone(q);
}

int32_t quorum_leader_id(const quorum_t *q)
{
    return atomic_load(&((quorum_t *)q)->leader_id);
}

bool quorum_is_fenced(const quorum_t *q)
{
    return q->broker && atomic_load(&q->fenced);
}

bool quorum_is_active_controller(const quorum_t *q)
{
    return atomic_load(&((quorum_t *)q)->active);
}

int quorum_controller_port(quorum_t *q)
{
    return q->controller ? quorum_transport_port(&q->transport) : -1;
}

void quorum_read_lock(quorum_t *q)
{
    pthread_rwlock_rdlock(&q->image_lock);
}

void quorum_read_unlock(quorum_t *q)
{
    pthread_rwlock_unlock(&q->image_lock);
}

const meta_image_t *quorum_image(const quorum_t *q)
{
    return q->image;
}
