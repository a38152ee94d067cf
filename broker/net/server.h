/*
 * server.h - the Kafka-protocol network server on libuv.
 *
 * Threads: the acceptor loop (the one given to server_create, run by its
 * caller) accepts connections and deals them round-robin to
 * `num.network.threads` worker loops, each on its own thread.  A connection
 * lives on one worker loop for its whole life; its requests are decoded and
 * handled on that loop's thread.  The locks involved (one fd lock per worker)
 * and the parked-request counter are listed with the broker's in broker.h.
 *
 * Ordering: Kafka answers the requests of one connection in order.  Like
 * Kafka's SocketServer, a connection is "muted" while one of its requests is
 * parked (a long-poll Fetch waiting for data): later frames stay buffered and
 * are processed after the parked request has been answered.  Reading goes on,
 * up to a bound, so pipelining clients never deadlock.
 *
 * Limits, as Kafka's: max.connections and max.connections.per.ip close a
 * connection past them as soon as it is accepted; connections.max.idle.ms
 * closes a connection that sent and received nothing for that long;
 * queued.max.request.bytes bounds the read buffers grown for large frames
 * across all connections, and a connection whose frame would go past it is
 * muted until memory frees (Kafka mutes channels on its memory pool).  When
 * accept() runs out of descriptors the listener is not polled for a second,
 * and that is logged at most once per interval, instead of spinning.
 *
 * Framing: int32 size + request.  A size below 8 or above
 * socket.request.max.bytes, a header that does not parse, or a handler that
 * says so closes the connection with a log line naming the peer and reason.
 */
#ifndef CONNECTD_SERVER_H
#define CONNECTD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "protocol/arena.h"
#include "protocol/buf.h"
#include "protocol/proto.h"
#include "tls.h"

typedef struct server server_t;
typedef struct server_conn server_conn_t;
typedef struct kreq kreq_t;

typedef enum req_result {
    REQ_DONE,        /* req->resp holds the response body: send it */
    REQ_NO_RESPONSE, /* Produce with acks=0: nothing goes back */
    REQ_PARKED,      /* the handler called server_park(); answer comes later */
    REQ_CLOSE,       /* protocol violation: the handler logged why; close */
    REQ_DONE_CLOSE,  /* send req->resp, then close (a failed SASL authentication, as Kafka) */
} req_result_t;

/* One request, from decode to response.  Owned by the server; the handler
 * may keep it only while parked. */
struct kreq {
    server_conn_t *conn;
    req_header_t hdr;
    arena_t *arena;    /* freed with the request */
    uint8_t *frame;    /* the request bytes after the size field (mutable) */
    size_t frame_len;
    buf_reader_t body; /* positioned just after the header */
    buf_writer_t resp; /* response body, without header */
    void *state;        /* handler-private, usually in the arena */
    void (*on_free)(kreq_t *req); /* releases what `state` holds outside the arena */
    int64_t start_ns;   /* when its frame was read (clock_mono_ns) */
    /* parking (server-private) */
    bool (*recheck)(void *ctx, kreq_t *req, bool timed_out);
    uv_timer_t timer;
    kreq_t *park_next;
    kreq_t *park_prev;
};

/* Dispatch runs on the connection's worker thread, with no lock held; it
 * returns holding none either, also when it parks the request. */
typedef req_result_t(server_dispatch_fn)(void *ctx, kreq_t *req);
/* Told when dispatch's request is finished: answered (after its parking,
 * if any), dropped (acks=0) or closing the connection, with the time since
 * its frame was read.  Not told of parked requests whose connection went
 * away.  On the request's worker thread, with no lock held. */
typedef void(server_done_fn)(void *ctx, const kreq_t *req, int64_t elapsed_ns);

typedef struct server_config {
    const char *host; /* bind address; "" or NULL = all interfaces */
    int port;         /* 0 = pick a free port (see server_port) */
    int num_threads;
    int32_t max_request_bytes;
    /* > 0: the largest frame before server_conn_set_authenticated (a SASL
     * listener's sasl.server.max.receive.size), so that an unauthenticated
     * client cannot make the broker reserve max_request_bytes. */
    int32_t max_unauthenticated_request_bytes;
    int32_t max_connections;        /* more are closed at once */
    int32_t max_connections_per_ip;
    int64_t max_idle_ms;            /* a connection idle this long is closed */
    int64_t max_queued_bytes;       /* bytes of request frames being received, all connections; <= 0: unbounded */
    tls_server_t *tls;              /* an SSL listener's context (the caller's; outlives the server); NULL: plaintext */
    server_dispatch_fn *dispatch;
    server_done_fn *done; /* may be NULL */
    void *ctx;
} server_config_t;

/* Binds and listens; the worker threads start here.  NULL with errstr set on
 * failure (e.g. "cannot listen on 0.0.0.0:9092: address already in use").
 * Connections are accepted once `acceptor_loop` runs.
 * @locality start-up: the thread that runs `acceptor_loop`, or any thread
 *           before that loop first runs
 * @locks none */
server_t *server_create(uv_loop_t *acceptor_loop, const server_config_t *cfg, char *errstr,
                        size_t errstr_size);

/* The port the listener is bound to.
 * @locality any thread  @locks none (set once by server_create) */
int server_port(const server_t *srv);

/* Whether the listener is bound to a loopback address (127.0.0.0/8, ::1),
 * so that only this host reaches it; false for every interface.
 * @locality any thread  @locks none (the socket is set once by server_create) */
bool server_is_loopback(const server_t *srv);

/* Stops accepting, closes every connection, joins the worker threads and
 * frees (the last of it once the acceptor loop runs again).  NULL is fine.
 * @locality shut-down: the acceptor loop's thread, never a worker's
 * @locks none held: it waits for the handlers still running on the workers,
 *        which may need any broker lock */
void server_destroy(server_t *srv);

/*
 * Parks `req` until recheck() returns true (it has written req->resp) or
 * `timeout_ms` passes, when recheck() is called with timed_out = true and must
 * complete.  recheck() runs on the request's worker thread after every
 * server_wake_all(), with no lock held.
 * @locality the worker thread of req, inside its dispatch (which then
 *           returns REQ_PARKED)
 * @locks none needed; the handler may hold its own, as nothing here blocks
 */
void server_park(kreq_t *req, int64_t timeout_ms,
                 bool (*recheck)(void *ctx, kreq_t *req, bool timed_out));

/* New data may satisfy parked requests: every worker with parked requests
 * rechecks them soon.  Cheap when nothing is parked.
 * @locality any thread, while the server lives
 * @locks none needed; never blocks (an atomic load and uv_async_send per
 *        worker), so it may be called with any lock held */
void server_wake_all(server_t *srv);

/* Where the client reached us: the local address of its socket ("127.0.0.1"),
 * and the peer ("127.0.0.1:53422") for log lines.
 * @locality the connection's worker thread (a request of it is being
 *           handled, or is parked)  @locks none */
const char *server_conn_local_host(const server_conn_t *conn);
int server_conn_local_port(const server_conn_t *conn);
const char *server_conn_peer(const server_conn_t *conn);

/* A slot for the broker's own state of one connection (its SASL session),
 * freed with `free_fn` when the connection is.  NULL until set.
 * @locality the connection's worker thread  @locks none */
void *server_conn_session(const server_conn_t *conn);
void server_conn_set_session(server_conn_t *conn, void *session, void (*free_fn)(void *session));

/* The client has authenticated: frames up to max_request_bytes from now on.
 * @locality any thread  @locks none (atomic) */
void server_conn_set_authenticated(server_conn_t *conn);

#endif
