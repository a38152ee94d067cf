/*
 * server.c - libuv network server for the Kafka protocol; see server.h for
 * the threading and ordering model.
 *
 * Life of a connection:
 *   acceptor: accept4() -> queue fd to worker k -> uv_async_send
 *   worker:   uv_tcp_open(fd) -> read -> frames -> dispatch -> uv_write
 *   close:    uv_close(tcp) -> (parked request's timer closed) -> free
 *
 * On an SSL listener (cfg.tls) the socket carries TLS records: what is read
 * goes into the connection's TLS session (tls.h), and the plaintext it
 * gives is the read buffer the framing below works on; responses are
 * encrypted into the session and its ciphertext written.  Nothing else
 * changes, the limits included: they count plaintext.
 *
 * The acceptor uses a plain non-blocking socket watched by uv_poll rather
 * than uv_listen, because an accepted libuv handle cannot move to another
 * loop but a file descriptor can.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "protocol/api.h"
#include "blog.h"
#include "tls.h"

/* Stop reading from a client whose unsent responses exceed this. */
#define WRITE_QUEUE_HIGH (16u << 20)
#define READ_CHUNK (64u << 10)
/* A read buffer grown for a frame is kept up to this size after the frame
 * is handled (still counted in queued_bytes): a producer sends batch after
 * batch of about its batch.size, and growing the buffer back for each one
 * cost the broker twice the CPU of a 1 KB-record produce.  Larger buffers,
 * grown for a rare huge frame, are given back at once. */
#define READ_RETAIN (2u << 20)
/* How often each loop looks for idle and memory-muted connections. */
#define TICK_MS 250
/* After accept() fails for want of descriptors, the listener rests this long. */
#define ACCEPT_BACKOFF_MS 1000
/* Warnings a client can provoke at will are logged at most this often. */
#define LIMIT_LOG_INTERVAL_MS 10000

typedef struct worker {
    server_t *srv;
    int index;
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t accept_async; /* new fds in `pending_fds` */
    uv_async_t wake_async;   /* parked requests should recheck */
    uv_async_t stop_async;
    pthread_mutex_t fd_lock;
    struct pending_fd {
        int fd;
        char ip[INET6_ADDRSTRLEN]; /* counted in srv->ips */
    } *pending_fds;
    size_t n_pending_fds, cap_pending_fds;
    uv_timer_t tick;          /* idle and memory-muted connections */
    server_conn_t *conns;     /* all open connections of this loop */
    kreq_t *parked;     /* requests waiting in server_park */
    atomic_int n_parked; /* read by other threads in server_wake_all */
    uint8_t *tls_rbuf;   /* READ_CHUNK of ciphertext, read and fed at once; NULL without TLS */
} worker_t;

struct server {
    server_config_t cfg;
    uv_loop_t *acceptor_loop;
    int listen_fd;
    int port;
    uv_poll_t listen_poll;
    uv_timer_t accept_backoff; /* restarts listen_poll after EMFILE/ENFILE */
    worker_t *workers;
    int n_workers;
    unsigned next_worker;
    /* Connection counts: incremented by the acceptor, decremented by the
     * workers when a connection is freed; under count_lock. */
    pthread_mutex_t count_lock;
    int n_conns;
    struct ip_count {
        char ip[INET6_ADDRSTRLEN];
        int n;
    } *ips;
    size_t n_ips;
    atomic_llong queued_bytes;       /* read buffer bytes beyond READ_CHUNK, all connections */
    int64_t last_accept_log_ms;      /* acceptor thread only */
    int64_t last_limit_log_ms;       /* acceptor thread only */
};

struct server_conn {
    uv_tcp_t tcp;
    worker_t *worker;
    atomic_bool authenticated; /* frames past max_unauthenticated_request_bytes allowed */
    server_conn_t *next, *prev;
    uint8_t *rbuf;
    size_t rlen, rcap;
    kreq_t *pending; /* parked request; the connection is muted meanwhile */
    tls_conn_t *tls; /* NULL on a plaintext listener */
    void *session;   /* server_conn_set_session */
    void (*session_free)(void *session);
    bool close_after_send; /* REQ_DONE_CLOSE: closed once its response is written */
    bool closing;
    bool reading;
    bool mem_muted;   /* not read until queued_bytes allows its frame (TICK_MS) */
    size_t charged;   /* what this connection adds to queued_bytes */
    int64_t last_active_ms;
    char peer_ip[INET6_ADDRSTRLEN]; /* counted in srv->ips; "" if not counted */
    char local_host[INET6_ADDRSTRLEN];
    int local_port;
    char peer[INET6_ADDRSTRLEN + 8];
};

typedef struct write_req {
    uv_write_t req;
    uint8_t header[16];
    uint8_t *body;
} write_req_t;

static void conn_close(server_conn_t *conn);
static void conn_tls_flush(server_conn_t *conn);
static void conn_process(server_conn_t *conn);
static void conn_set_reading(server_conn_t *conn, bool on);

/* ---- requests ------------------------------------------------------------- */

static void req_free(kreq_t *req)
{
    if (req->on_free) {
        req->on_free(req);
    }
    arena_destroy(req->arena);
    buf_writer_release(&req->resp);
    free(req->frame);
    free(req);
}

static void on_req_timer_closed(uv_handle_t *handle)
{
    req_free(handle->data);
}

/* Frees a request that may have an initialised timer. */
static void req_release(kreq_t *req)
{
    if (req->recheck) {
        uv_close((uv_handle_t *)&req->timer, on_req_timer_closed);
    } else {
        req_free(req);
    }
}

static void on_write_done(uv_write_t *wreq, int status)
{
    write_req_t *w = (write_req_t *)wreq;
    server_conn_t *conn = wreq->data;
    free(w->body);
    free(w);
    conn->last_active_ms = clock_mono_ms();
    if (conn->close_after_send && !conn->closing &&
        uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp) == 0) {
        conn_close(conn);
        return;
    }
    if (status < 0 && status != UV_ECANCELED) {
        if (!conn->closing) {
            blog_info("closing connection from %s: write failed: %s", conn->peer, uv_strerror(status));
            conn_close(conn);
        }
        return;
    }
    /* Resume reading once the client has drained its responses. */
    if (!conn->closing && !conn->reading &&
        uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp) < WRITE_QUEUE_HIGH / 2) {
        conn_process(conn);
    }
}

static void conn_send(server_conn_t *conn, kreq_t *req)
{
    write_req_t *w = malloc(sizeof(*w));
    if (!w) {
        abort();
    }
    buf_writer_t hdr = {w->header, 0, sizeof(w->header)};
    buf_reserve(&hdr, 4); /* size, patched below */
    proto_encode_response_header(&hdr, &req->hdr);
    buf_put_i32(w->header, (int32_t)(hdr.len - 4 + req->resp.len));
    size_t body_len;
    w->body = buf_writer_steal(&req->resp, &body_len);
    if (conn->tls) {
        bool ok = tls_conn_write(conn->tls, w->header, hdr.len) && tls_conn_write(conn->tls, w->body, body_len);
        free(w->body);
        free(w);
        if (!ok) {
            blog_info("closing connection from %s: TLS write failed: %s", conn->peer, tls_conn_error(conn->tls));
            conn_close(conn);
            return;
        }
        conn_tls_flush(conn);
        return;
    }
    uv_buf_t bufs[2] = {uv_buf_init((char *)w->header, (unsigned)hdr.len),
                        uv_buf_init((char *)w->body, (unsigned)body_len)};
    w->req.data = conn;
    int rc = uv_write(&w->req, (uv_stream_t *)&conn->tcp, bufs, 2, on_write_done);
    if (rc < 0) {
        free(w->body);
        free(w);
        blog_info("closing connection from %s: write failed: %s", conn->peer, uv_strerror(rc));
        conn_close(conn);
    }
}

static void req_done(server_conn_t *conn, kreq_t *req)
{
    server_t *srv = conn->worker->srv;
    if (srv->cfg.done) {
        srv->cfg.done(srv->cfg.ctx, req, clock_mono_ns() - req->start_ns);
    }
}

/* Finishes a request according to the handler's verdict.  Returns false if
 * the connection is closing. */
static bool req_finish(server_conn_t *conn, kreq_t *req, req_result_t result)
{
    if (result != REQ_PARKED) {
        req_done(conn, req);
    }
    switch (result) {
    case REQ_DONE:
        conn_send(conn, req);
        req_release(req);
        break;
    case REQ_NO_RESPONSE:
        req_release(req);
        break;
    case REQ_PARKED:
        conn->pending = req;
        return true;
    case REQ_CLOSE:
        req_release(req);
        conn_close(conn);
        return false;
    case REQ_DONE_CLOSE:
        /* Nothing more is read; the write's completion closes. */
        conn->close_after_send = true;
        conn_set_reading(conn, false);
        conn_send(conn, req);
        req_release(req);
        return false;
    }
    return !conn->closing;
}

static void frame_handle(server_conn_t *conn, uint8_t *frame, size_t len)
{
    kreq_t *req = calloc(1, sizeof(*req));
    if (!req) {
        abort();
    }
    req->conn = conn;
    req->start_ns = clock_mono_ns();
    req->frame = frame;
    req->frame_len = len;
    req->arena = arena_create(4096);
    buf_writer_init(&req->resp, 256);
    buf_reader_init(&req->body, frame, len);
    if (!proto_decode_header(&req->body, &req->hdr, api_is_flexible)) {
        blog_info("closing connection from %s: request header of %zu bytes does not parse",
                  conn->peer, len);
        req_release(req);
        conn_close(conn);
        return;
    }
    server_t *srv = conn->worker->srv;
    req_finish(conn, req, srv->cfg.dispatch(srv->cfg.ctx, req));
}

/* ---- reading -------------------------------------------------------------- */

/* Sets what the connection's read buffer adds to queued_bytes to `want`;
 * false, changing nothing, if that would pass queued.max.request.bytes.
 * When nothing at all is queued one frame may always be read, so a frame
 * larger than the cap cannot wedge its connection forever. */
static bool conn_charge(server_conn_t *conn, size_t want)
{
    server_t *srv = conn->worker->srv;
    if (want <= conn->charged) {
        atomic_fetch_sub(&srv->queued_bytes, (long long)(conn->charged - want));
        conn->charged = want;
        return true;
    }
    long long more = (long long)(want - conn->charged);
    long long before = atomic_fetch_add(&srv->queued_bytes, more);
    if (srv->cfg.max_queued_bytes > 0 && before + more > srv->cfg.max_queued_bytes && before > 0) {
        atomic_fetch_sub(&srv->queued_bytes, more);
        return false;
    }
    conn->charged = want;
    return true;
}

/* The largest frame the connection may send now. */
static int32_t conn_max_frame(const server_conn_t *conn)
{
    const server_config_t *cfg = &conn->worker->srv->cfg;
    if (cfg->max_unauthenticated_request_bytes > 0 && !atomic_load(&conn->authenticated) &&
        cfg->max_unauthenticated_request_bytes < cfg->max_request_bytes) {
        return cfg->max_unauthenticated_request_bytes;
    }
    return cfg->max_request_bytes;
}

/* Room in the read buffer for what comes next: at least READ_CHUNK, or the
 * rest of the frame being received; false (a zero-length *buf) when
 * queued.max.request.bytes has no room for it. */
static bool conn_reserve(server_conn_t *conn, uv_buf_t *buf)
{
    size_t want = READ_CHUNK;
    if (conn->rlen >= 4) {
        /* Make room for the whole frame being received, so a large Produce
         * arrives in few reads. */
        size_t frame = 4 + (size_t)(uint32_t)buf_get_i32(conn->rbuf);
        if (frame > conn->rlen && frame - conn->rlen > want &&
            frame <= 4 + (size_t)conn_max_frame(conn)) {
            want = frame - conn->rlen;
        }
    }
    if (conn->rcap - conn->rlen < want) {
        size_t cap = conn->rlen + want;
        if (!conn_charge(conn, cap > READ_CHUNK ? cap - READ_CHUNK : 0)) {
            *buf = uv_buf_init(NULL, 0);
            return false;
        }
        uint8_t *rbuf = realloc(conn->rbuf, cap);
        if (!rbuf) {
            abort();
        }
        conn->rbuf = rbuf;
        conn->rcap = cap;
    }
    *buf = uv_buf_init((char *)conn->rbuf + conn->rlen, (unsigned)(conn->rcap - conn->rlen));
    return true;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    server_conn_t *conn = handle->data;
    if (conn->tls) {
        /* Ciphertext is fed to the session at once (on_read); the plaintext
         * it gives is what takes room in the read buffer. */
        *buf = uv_buf_init((char *)conn->worker->tls_rbuf, READ_CHUNK);
        return;
    }
    conn_reserve(conn, buf); /* when there is no room, on_read gets UV_ENOBUFS and mutes */
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    server_conn_t *conn = stream->data;
    if (nread == UV_ENOBUFS) {
        /* queued.max.request.bytes is reached: mute until the tick sees room. */
        conn_set_reading(conn, false);
        conn->mem_muted = true;
        return;
    }
    if (nread > 0) {
        conn->last_active_ms = clock_mono_ms();
    }
    if (nread < 0) {
        if (nread != UV_EOF && nread != UV_ECONNRESET) {
            blog_info("closing connection from %s: read failed: %s", conn->peer,
                      uv_strerror((int)nread));
        }
        conn_close(conn);
        return;
    }
    if (conn->tls) {
        tls_conn_feed(conn->tls, (const uint8_t *)buf->base, (size_t)nread);
    } else {
        conn->rlen += (size_t)nread;
    }
    conn_process(conn);
}

/* Sends what the TLS session has for the peer (handshake records, alerts,
 * responses).  May close the connection. */
static void conn_tls_flush(server_conn_t *conn)
{
    write_req_t *w = malloc(sizeof(*w));
    if (!w) {
        abort();
    }
    size_t len = tls_conn_take_output(conn->tls, &w->body);
    if (len == 0 || conn->closing) {
        free(w->body);
        free(w);
        return;
    }
    uv_buf_t out = uv_buf_init((char *)w->body, (unsigned)len);
    w->req.data = conn;
    int rc = uv_write(&w->req, (uv_stream_t *)&conn->tcp, &out, 1, on_write_done);
    if (rc < 0) {
        free(w->body);
        free(w);
        blog_info("closing connection from %s: write failed: %s", conn->peer, uv_strerror(rc));
        conn_close(conn);
    }
}

/* Moves the plaintext the TLS session has into the read buffer, within the
 * bounds conn_process keeps for plaintext reads (a muted connection with a
 * chunk waiting takes no more; queued.max.request.bytes mutes it), and
 * sends what the handshake has to say.  False when the connection closes:
 * a failed handshake or record (plaintext sent to a TLS port included) is
 * logged and closed, never more. */
static bool conn_tls_pull(server_conn_t *conn)
{
    tls_result_t res = TLS_AGAIN;
    bool was_up = tls_conn_established(conn->tls);
    while (!conn->mem_muted && !(conn->pending && conn->rlen >= READ_CHUNK)) {
        uv_buf_t room;
        if (!conn_reserve(conn, &room)) {
            conn_set_reading(conn, false);
            conn->mem_muted = true; /* the tick resumes it */
            break;
        }
        size_t n = 0;
        res = tls_conn_read(conn->tls, (uint8_t *)room.base, room.len, &n);
        if (res != TLS_OK) {
            break;
        }
        conn->rlen += n;
    }
    if (!was_up && tls_conn_established(conn->tls)) {
        const char *principal = tls_conn_principal(conn->tls);
        blog_debug("TLS connection from %s as %s", conn->peer, principal ? principal : "User:ANONYMOUS");
    }
    conn_tls_flush(conn); /* before a close too: the alert tells the client why */
    if (conn->closing) {
        return false;
    }
    if (res == TLS_FAILED) {
        blog_info("closing connection from %s: TLS %s failed: %s", conn->peer,
                  tls_conn_established(conn->tls) ? "session" : "handshake", tls_conn_error(conn->tls));
        conn_close(conn);
        return false;
    }
    if (res == TLS_CLOSED) {
        blog_debug("closing connection from %s: the client closed its TLS session", conn->peer);
        conn_close(conn);
        return false;
    }
    return true;
}

static void conn_set_reading(server_conn_t *conn, bool on)
{
    if (on == conn->reading || conn->closing) {
        return;
    }
    if (on) {
        uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read);
    } else {
        uv_read_stop((uv_stream_t *)&conn->tcp);
    }
    conn->reading = on;
}

/* Handles every complete frame in the read buffer, unless muted. */
static void conn_process(server_conn_t *conn)
{
    int32_t max = conn_max_frame(conn);
    if (conn->tls && !conn->closing && !conn_tls_pull(conn)) {
        return;
    }
    size_t at = 0;
    while (!conn->closing && !conn->pending && !conn->close_after_send && conn->rlen - at >= 4) {
        int32_t size = buf_get_i32(conn->rbuf + at);
        if (size > max && max < conn->worker->srv->cfg.max_request_bytes) {
            blog_info("closing connection from %s: request size %d before SASL authentication is over %d "
                      "(sasl.server.max.receive.size)",
                      conn->peer, size, max);
            conn_close(conn);
            return;
        }
        if (size < 8 || size > max) {
            blog_info("closing connection from %s: request size %d is outside 8..%d "
                      "(socket.request.max.bytes)",
                      conn->peer, size, max);
            conn_close(conn);
            return;
        }
        if (conn->rlen - at < 4 + (size_t)size) {
            break;
        }
        uint8_t *frame = malloc((size_t)size);
        if (!frame) {
            abort();
        }
        memcpy(frame, conn->rbuf + at + 4, (size_t)size);
        at += 4 + (size_t)size;
        frame_handle(conn, frame, (size_t)size);
    }
    if (conn->closing) {
        return;
    }
    if (at > 0) {
        memmove(conn->rbuf, conn->rbuf + at, conn->rlen - at);
        conn->rlen -= at;
    }
    /* A huge frame is handled: give its buffer back, so queued bytes
     * measure frames being received, not frames received once. */
    if (conn->rcap > READ_RETAIN && conn->rlen <= READ_CHUNK) {
        uint8_t *rbuf = realloc(conn->rbuf, READ_CHUNK);
        if (rbuf) {
            conn->rbuf = rbuf;
            conn->rcap = READ_CHUNK;
            conn_charge(conn, 0);
        }
    }
    if (conn->mem_muted || conn->close_after_send) {
        return; /* the tick resumes it; or it only waits for its last response to be written */
    }
    /* Bound what one client can make us buffer: stop reading while muted
     * with a full frame waiting, or while its responses are not drained. */
    bool backlog = conn->pending && conn->rlen >= READ_CHUNK;
    bool unsent = uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp) > WRITE_QUEUE_HIGH;
    conn_set_reading(conn, !backlog && !unsent);
}

/* ---- connections ---------------------------------------------------------- */

/* Counts a new connection from `ip`; false (counting nothing) if it would
 * pass max.connections or max.connections.per.ip.
 * @locality the acceptor's thread  @locks takes count_lock */
static bool conn_count_add(server_t *srv, const char *ip, const char **which)
{
    pthread_mutex_lock(&srv->count_lock);
    struct ip_count *slot = NULL;
    for (size_t i = 0; i < srv->n_ips && !slot; i++) {
        slot = strcmp(srv->ips[i].ip, ip) == 0 ? &srv->ips[i] : NULL;
    }
    bool ok = false;
    if (srv->n_conns >= srv->cfg.max_connections) {
        *which = "max.connections";
    } else if ((slot ? slot->n : 0) >= srv->cfg.max_connections_per_ip) {
        *which = "max.connections.per.ip";
    } else {
        if (!slot) {
            srv->ips = realloc(srv->ips, (srv->n_ips + 1) * sizeof(*srv->ips));
            if (!srv->ips) {
                abort();
            }
            slot = &srv->ips[srv->n_ips++];
            snprintf(slot->ip, sizeof(slot->ip), "%s", ip);
            slot->n = 0;
        }
        slot->n++;
        srv->n_conns++;
        ok = true;
    }
    pthread_mutex_unlock(&srv->count_lock);
    return ok;
}

/* @locality any thread  @locks takes count_lock */
static void conn_count_remove(server_t *srv, const char *ip)
{
    pthread_mutex_lock(&srv->count_lock);
    for (size_t i = 0; i < srv->n_ips; i++) {
        if (strcmp(srv->ips[i].ip, ip) == 0) {
            if (--srv->ips[i].n == 0) {
                srv->ips[i] = srv->ips[--srv->n_ips]; /* the table holds only addresses with connections */
            }
            break;
        }
    }
    srv->n_conns--;
    pthread_mutex_unlock(&srv->count_lock);
}

static void on_conn_closed(uv_handle_t *handle)
{
    server_conn_t *conn = handle->data;
    conn_charge(conn, 0);
    if (conn->peer_ip[0]) {
        conn_count_remove(conn->worker->srv, conn->peer_ip);
    }
    tls_conn_destroy(conn->tls);
    if (conn->session_free) {
        conn->session_free(conn->session);
    }
    free(conn->rbuf);
    free(conn);
}

static void park_unlink(worker_t *wk, kreq_t *req)
{
    if (req->park_prev) {
        req->park_prev->park_next = req->park_next;
    } else {
        wk->parked = req->park_next;
    }
    if (req->park_next) {
        req->park_next->park_prev = req->park_prev;
    }
    req->park_next = req->park_prev = NULL;
    atomic_fetch_sub(&wk->n_parked, 1);
}

static void conn_close(server_conn_t *conn)
{
    if (conn->closing) {
        return;
    }
    conn->closing = true;
    worker_t *wk = conn->worker;
    if (conn->pending) {
        uv_timer_stop(&conn->pending->timer);
        park_unlink(wk, conn->pending);
        req_release(conn->pending);
        conn->pending = NULL;
    }
    if (conn->prev) {
        conn->prev->next = conn->next;
    } else {
        wk->conns = conn->next;
    }
    if (conn->next) {
        conn->next->prev = conn->prev;
    }
    uv_close((uv_handle_t *)&conn->tcp, on_conn_closed);
}

static void addr_format(const struct sockaddr_storage *ss, char *host, size_t host_size, int *port)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)host_size);
        *port = ntohs(in6->sin6_port);
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)host_size);
        *port = ntohs(in->sin_port);
    }
}

static void conn_open(worker_t *wk, int fd, const char *ip)
{
    server_conn_t *conn = calloc(1, sizeof(*conn));
    if (!conn) {
        abort();
    }
    conn->worker = wk;
    if (wk->srv->cfg.tls) {
        conn->tls = tls_conn_create(wk->srv->cfg.tls);
    }
    snprintf(conn->peer_ip, sizeof(conn->peer_ip), "%s", ip);
    conn->last_active_ms = clock_mono_ms();
    uv_tcp_init(&wk->loop, &conn->tcp);
    conn->tcp.data = conn;
    if (uv_tcp_open(&conn->tcp, fd) < 0) {
        close(fd);
        conn->closing = true;
        uv_close((uv_handle_t *)&conn->tcp, on_conn_closed);
        return;
    }
    uv_tcp_nodelay(&conn->tcp, 1);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int peer_port = 0;
    char peer_host[INET6_ADDRSTRLEN] = "?";
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        addr_format(&ss, conn->local_host, sizeof(conn->local_host), &conn->local_port);
    }
    len = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        addr_format(&ss, peer_host, sizeof(peer_host), &peer_port);
    }
    snprintf(conn->peer, sizeof(conn->peer), "%s:%d", peer_host, peer_port);
    conn->next = wk->conns;
    if (wk->conns) {
        wk->conns->prev = conn;
    }
    wk->conns = conn;
    conn_set_reading(conn, true);
}

/* ---- parking -------------------------------------------------------------- */

/* Called when a parked request completed: answer it and unmute. */
static void park_complete(kreq_t *req)
{
    server_conn_t *conn = req->conn;
    uv_timer_stop(&req->timer);
    park_unlink(conn->worker, req);
    conn->pending = NULL;
    req_done(conn, req);
    conn_send(conn, req);
    req_release(req);
    if (!conn->closing) {
        conn_process(conn);
    }
}

static void on_park_timeout(uv_timer_t *timer)
{
    kreq_t *req = timer->data;
    server_t *srv = req->conn->worker->srv;
    req->recheck(srv->cfg.ctx, req, true);
    park_complete(req);
}

void server_park(kreq_t *req, int64_t timeout_ms,
                 bool (*recheck)(void *ctx, kreq_t *req, bool timed_out))
{
    worker_t *wk = req->conn->worker;
    req->recheck = recheck;
    uv_timer_init(&wk->loop, &req->timer);
    req->timer.data = req;
    uv_timer_start(&req->timer, on_park_timeout, timeout_ms > 0 ? (uint64_t)timeout_ms : 0, 0);
    req->park_next = wk->parked;
    req->park_prev = NULL;
    if (wk->parked) {
        wk->parked->park_prev = req;
    }
    wk->parked = req;
    atomic_fetch_add(&wk->n_parked, 1);
}

static void on_wake(uv_async_t *async)
{
    worker_t *wk = async->data;
    kreq_t *req = wk->parked;
    while (req) {
        kreq_t *next = req->park_next;
        if (req->recheck(wk->srv->cfg.ctx, req, false)) {
            park_complete(req);
        }
        req = next;
    }
}

void server_wake_all(server_t *srv)
{
    for (int i = 0; i < srv->n_workers; i++) {
        if (atomic_load(&srv->workers[i].n_parked) > 0) {
            uv_async_send(&srv->workers[i].wake_async);
        }
    }
}

/* ---- workers -------------------------------------------------------------- */

static void on_accept_async(uv_async_t *async)
{
    worker_t *wk = async->data;
    pthread_mutex_lock(&wk->fd_lock);
    struct pending_fd *fds = wk->pending_fds;
    size_t n = wk->n_pending_fds;
    wk->pending_fds = NULL;
    wk->n_pending_fds = wk->cap_pending_fds = 0;
    pthread_mutex_unlock(&wk->fd_lock);
    for (size_t i = 0; i < n; i++) {
        conn_open(wk, fds[i].fd, fds[i].ip);
    }
    free(fds);
}

/* Closes idle connections (connections.max.idle.ms; one whose request is
 * parked is waiting on us, not idle) and unmutes memory-muted ones, which
 * on_alloc mutes again if there is still no room. */
static void on_tick(uv_timer_t *timer)
{
    worker_t *wk = timer->data;
    int64_t now = clock_mono_ms();
    server_conn_t *next;
    for (server_conn_t *conn = wk->conns; conn; conn = next) {
        next = conn->next;
        if (!conn->pending && now - conn->last_active_ms >= wk->srv->cfg.max_idle_ms) {
            blog_debug("closing connection from %s: idle for %lld ms (connections.max.idle.ms)", conn->peer,
                       (long long)(now - conn->last_active_ms));
            conn_close(conn);
        } else if (conn->mem_muted) {
            conn->mem_muted = false;
            conn_set_reading(conn, true);
            if (conn->tls) {
                conn_process(conn); /* plaintext may wait in the session, with nothing more to read */
            }
        }
    }
}

static void on_stop_async(uv_async_t *async)
{
    worker_t *wk = async->data;
    uv_close((uv_handle_t *)&wk->tick, NULL);
    while (wk->conns) {
        conn_close(wk->conns);
    }
    uv_close((uv_handle_t *)&wk->accept_async, NULL);
    uv_close((uv_handle_t *)&wk->wake_async, NULL);
    uv_close((uv_handle_t *)&wk->stop_async, NULL);
}

static void worker_main(void *arg)
{
    worker_t *wk = arg;
    uv_run(&wk->loop, UV_RUN_DEFAULT);
}

static int worker_start(server_t *srv, worker_t *wk, int index)
{
    wk->srv = srv;
    wk->index = index;
    atomic_init(&wk->n_parked, 0);
    pthread_mutex_init(&wk->fd_lock, NULL);
    uv_loop_init(&wk->loop);
    uv_async_init(&wk->loop, &wk->accept_async, on_accept_async);
    uv_async_init(&wk->loop, &wk->wake_async, on_wake);
    uv_async_init(&wk->loop, &wk->stop_async, on_stop_async);
    wk->accept_async.data = wk->wake_async.data = wk->stop_async.data = wk;
    if (srv->cfg.tls) {
        wk->tls_rbuf = malloc(READ_CHUNK);
        if (!wk->tls_rbuf) {
            abort();
        }
    }
    uv_timer_init(&wk->loop, &wk->tick);
    wk->tick.data = wk;
    uv_timer_start(&wk->tick, on_tick, TICK_MS, TICK_MS);
    return uv_thread_create(&wk->thread, worker_main, wk);
}

static void worker_hand_fd(worker_t *wk, int fd, const char *ip)
{
    pthread_mutex_lock(&wk->fd_lock);
    if (wk->n_pending_fds == wk->cap_pending_fds) {
        size_t cap = wk->cap_pending_fds ? wk->cap_pending_fds * 2 : 8;
        struct pending_fd *fds = realloc(wk->pending_fds, cap * sizeof(*fds));
        if (!fds) {
            abort();
        }
        wk->pending_fds = fds;
        wk->cap_pending_fds = cap;
    }
    wk->pending_fds[wk->n_pending_fds].fd = fd;
    snprintf(wk->pending_fds[wk->n_pending_fds].ip, sizeof(wk->pending_fds[0].ip), "%s", ip);
    wk->n_pending_fds++;
    pthread_mutex_unlock(&wk->fd_lock);
    uv_async_send(&wk->accept_async);
}

/* ---- acceptor ------------------------------------------------------------- */

static bool log_due(int64_t *last_ms)
{
    int64_t now = clock_mono_ms();
    if (*last_ms && now - *last_ms < LIMIT_LOG_INTERVAL_MS) {
        return false;
    }
    *last_ms = now;
    return true;
}

static void on_listen_readable(uv_poll_t *poll, int status, int events);

static void on_accept_backoff(uv_timer_t *timer)
{
    server_t *srv = timer->data;
    uv_poll_start(&srv->listen_poll, UV_READABLE, on_listen_readable);
}

static void on_listen_readable(uv_poll_t *poll, int status, int events)
{
    server_t *srv = poll->data;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(srv->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
                if (errno == EINTR || errno == ECONNABORTED) {
                    continue;
                }
                return;
            }
            /* Out of descriptors or memory: the connection stays in the
             * backlog and the listener stays readable, so polling on would
             * spin.  Rest, and say so once per interval, not per attempt. */
            if (log_due(&srv->last_accept_log_ms)) {
                blog_warn("accept failed: %s; not accepting connections for %d ms (logged at most every %d s)",
                          strerror(errno), ACCEPT_BACKOFF_MS, LIMIT_LOG_INTERVAL_MS / 1000);
            }
            uv_poll_stop(&srv->listen_poll);
            uv_timer_start(&srv->accept_backoff, on_accept_backoff, ACCEPT_BACKOFF_MS, 0);
            return;
        }
        char ip[INET6_ADDRSTRLEN] = "?";
        int port;
        addr_format(&ss, ip, sizeof(ip), &port);
        const char *which = NULL;
        if (!conn_count_add(srv, ip, &which)) {
            close(fd);
            if (log_due(&srv->last_limit_log_ms)) {
                blog_warn("closing new connection from %s:%d: %s reached (logged at most every %d s)", ip, port,
                          which, LIMIT_LOG_INTERVAL_MS / 1000);
            }
            continue;
        }
        worker_hand_fd(&srv->workers[srv->next_worker++ % (unsigned)srv->n_workers], fd, ip);
    }
}

static int listen_socket(const char *host, int port, int *bound_port, char *errstr,
                         size_t errstr_size)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port_str[16];
    snprintf(port_str, sizeof(port_str), "%d", port);
    const char *node = host && *host ? host : NULL;
    if (!node) {
        hints.ai_family = AF_INET; /* Kafka binds 0.0.0.0 for an empty host */
    }
    int rc = getaddrinfo(node, port_str, &hints, &res);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot resolve listener host '%s': %s", host ? host : "",
                 gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
        snprintf(errstr, errstr_size, "cannot listen on %s:%d: %s", node ? node : "0.0.0.0", port,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    char ignored[INET6_ADDRSTRLEN];
    addr_format(&ss, ignored, sizeof(ignored), bound_port);
    return fd;
}

server_t *server_create(uv_loop_t *acceptor_loop, const server_config_t *cfg, char *errstr,
                        size_t errstr_size)
{
    server_t *srv = calloc(1, sizeof(*srv));
    if (!srv) {
        abort();
    }
    srv->cfg = *cfg;
    srv->acceptor_loop = acceptor_loop;
    pthread_mutex_init(&srv->count_lock, NULL);
    atomic_init(&srv->queued_bytes, 0);
    srv->listen_fd = listen_socket(cfg->host, cfg->port, &srv->port, errstr, errstr_size);
    if (srv->listen_fd < 0) {
        pthread_mutex_destroy(&srv->count_lock);
        free(srv);
        return NULL;
    }
    srv->n_workers = cfg->num_threads > 0 ? cfg->num_threads : 1;
    srv->workers = calloc((size_t)srv->n_workers, sizeof(worker_t));
    if (!srv->workers) {
        abort();
    }
    for (int i = 0; i < srv->n_workers; i++) {
        if (worker_start(srv, &srv->workers[i], i) != 0) {
            snprintf(errstr, errstr_size, "cannot start network thread %d", i);
            abort(); /* thread creation failing at start-up leaves nothing to run */
        }
    }
    uv_timer_init(acceptor_loop, &srv->accept_backoff);
    srv->accept_backoff.data = srv;
    uv_poll_init(acceptor_loop, &srv->listen_poll, srv->listen_fd);
    srv->listen_poll.data = srv;
    uv_poll_start(&srv->listen_poll, UV_READABLE, on_listen_readable);
    return srv;
}

int server_port(const server_t *srv)
{
    return srv->port;
}

bool server_is_loopback(const server_t *srv)
{
    /* Asked of the bound socket, not of the configured name: "localhost"
     * or a host name resolve to whatever getaddrinfo gave first. */
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(srv->listen_fd, (struct sockaddr *)&ss, &len) < 0) {
        return false;
    }
    if (ss.ss_family == AF_INET) {
        return (ntohl(((const struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127); /* ::ffff:127.x.y.z */
    }
    return false;
}

static void on_listen_poll_closed(uv_handle_t *handle)
{
    server_t *srv = handle->data;
    close(srv->listen_fd);
    free(srv->workers);
    free(srv->ips);
    pthread_mutex_destroy(&srv->count_lock);
    free(srv);
}

/* The backoff timer closes first, then the poll, then the server is freed. */
static void on_backoff_closed(uv_handle_t *handle)
{
    server_t *srv = handle->data;
    uv_close((uv_handle_t *)&srv->listen_poll, on_listen_poll_closed);
}

void server_destroy(server_t *srv)
{
    if (!srv) {
        return;
    }
    uv_poll_stop(&srv->listen_poll);
    for (int i = 0; i < srv->n_workers; i++) {
        uv_async_send(&srv->workers[i].stop_async);
    }
    /* Every thread first, then the loops: a thread still running may wake
     * another's parked requests (server_wake_all), so no loop may close
     * while any thread runs. */
    for (int i = 0; i < srv->n_workers; i++) {
        uv_thread_join(&srv->workers[i].thread);
    }
    for (int i = 0; i < srv->n_workers; i++) {
        worker_t *wk = &srv->workers[i];
        for (size_t f = 0; f < wk->n_pending_fds; f++) {
            close(wk->pending_fds[f].fd);
        }
        free(wk->pending_fds);
        free(wk->tls_rbuf);
        uv_loop_close(&wk->loop);
        pthread_mutex_destroy(&wk->fd_lock);
    }
    uv_timer_stop(&srv->accept_backoff);
    uv_close((uv_handle_t *)&srv->accept_backoff, on_backoff_closed);
}

const char *server_conn_local_host(const server_conn_t *conn)
{
    return conn->local_host;
}

int server_conn_local_port(const server_conn_t *conn)
{
    return conn->local_port;
}

const char *server_conn_peer(const server_conn_t *conn)
{
    return conn->peer;
}

void *server_conn_session(const server_conn_t *conn)
{
    return conn->session;
}

void server_conn_set_session(server_conn_t *conn, void *session, void (*free_fn)(void *session))
{
    conn->session = session;
    conn->session_free = free_fn;
}

void server_conn_set_authenticated(server_conn_t *conn)
{
    atomic_store(&conn->authenticated, true);
}
