/*
 * quorum_transport.c - raft's transport on the controller listener; the
 * handshake is in quorum_transport.h.
 *
 * Each connection being set up is a qt_conn: an accepted one reads the
 * first eight bytes and either hands the stream to the RPC side or reads
 * the rest of a raft handshake, answers and hands it to raft; an outgoing
 * one connects, writes the handshake, reads the answer and hands it to
 * raft's connect callback.  Reads ask libuv for exactly the bytes still
 * missing, so nothing past the handshake is consumed before raft has the
 * stream.  close() stops the listener and aborts every qt_conn; its
 * callback runs once all of their handles are closed.
 */
#include "quorum_transport.h"

#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MAGIC "CDRAFT\0\1"
#define MAGIC_LEN 8
#define FIXED_LEN (MAGIC_LEN + 8 + 2 + 2)
#define ANSWER_OK 0
#define ANSWER_REFUSED 1

typedef struct qt qt_t;

typedef enum qt_stage {
    QT_HEAD,    /* accepted: reading the first 8 bytes */
    QT_FIXED,   /* accepted: reading the rest of the fixed handshake */
    QT_STRINGS, /* accepted: reading address and voters */
    QT_ANSWER,  /* outgoing: reading the 1-byte answer */
    QT_REFUSAL, /* outgoing: reading the refusal's length */
    QT_MESSAGE, /* outgoing: reading the refusal's message */
    QT_CONNECTING,
} qt_stage_t;

typedef struct qt_conn {
    qt_t *t;
    uv_tcp_t *tcp;
    uv_connect_t connect_req;
    qt_stage_t stage;
    uint8_t fixed[FIXED_LEN];
    char *strings; /* address and voters, or a refusal message */
    size_t want, got;
    /* Outgoing only. */
    struct raft_uv_connect *req;
    raft_uv_connect_cb cb;
    raft_id peer;
    struct qt_conn *next;
} qt_conn_t;

struct qt {
    struct raft_uv_transport *transport;
    uv_loop_t *loop;
    uv_tcp_t listener;
    bool listening;
    bool closing;
    int open_handles; /* the listener and every qt_conn's tcp */
    raft_id id;
    char *address;
    char *bind_host;
    int bind_port;
    char *voters;
    quorum_transport_rpc_cb on_rpc;
    quorum_transport_refused_cb on_refused;
    void *arg;
    raft_uv_accept_cb accept_cb;
    raft_uv_transport_close_cb close_cb;
    qt_conn_t *conns;
};

static void conn_abort(qt_conn_t *c, int status);

/* A write whose buffer lives until its callback; `close_after`, when set,
 * is the connection to end once the bytes are out (a refusal). */
typedef struct qt_write {
    uv_write_t req;
    qt_conn_t *close_after;
    uint8_t data[];
} qt_write_t;

static void on_written(uv_write_t *req, int status)
{
    qt_write_t *w = req->data;
    /* With the handle closing (close()), libuv runs this before the close
     * callback, so the connection is still there to ask. */
    if (w->close_after && !uv_is_closing((uv_handle_t *)w->close_after->tcp)) {
        conn_abort(w->close_after, 0);
    }
    free(w);
}

static void write_bytes(uv_stream_t *stream, const void *data, size_t len, qt_conn_t *close_after)
{
    qt_write_t *w = xmalloc(sizeof(*w) + len);
    memcpy(w->data, data, len);
    w->close_after = close_after;
    w->req.data = w;
    uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)len);
    if (uv_write(&w->req, stream, &buf, 1, on_written) != 0) {
        free(w);
        if (close_after) {
            conn_abort(close_after, 0);
        }
    }
}

static void maybe_closed(qt_t *t)
{
    if (t->closing && t->open_handles == 0 && t->close_cb) {
        raft_uv_transport_close_cb cb = t->close_cb;
        t->close_cb = NULL;
        cb(t->transport);
    }
}

static void conn_unlink(qt_conn_t *c)
{
    for (qt_conn_t **p = &c->t->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            return;
        }
    }
}

static void on_conn_closed(uv_handle_t *handle)
{
    qt_conn_t *c = handle->data;
    qt_t *t = c->t;
    raft_free(c->tcp);
    free(c->strings);
    free(c);
    t->open_handles--;
    maybe_closed(t);
}

/* Ends a connection being set up; an outgoing one reports `status` to raft
 * first (the memory of its request is raft's again after that). */
static void conn_abort(qt_conn_t *c, int status)
{
    if (uv_is_closing((uv_handle_t *)c->tcp)) {
        return;
    }
    conn_unlink(c);
    if (c->cb) {
        raft_uv_connect_cb cb = c->cb;
        c->cb = NULL;
        cb(c->req, NULL, status);
    }
    uv_close((uv_handle_t *)c->tcp, on_conn_closed);
}

/* Hands the stream on: the qt_conn goes, its handle stays open. */
static uv_tcp_t *conn_release(qt_conn_t *c)
{
    uv_tcp_t *tcp = c->tcp;
    uv_read_stop((uv_stream_t *)tcp);
    conn_unlink(c);
    c->t->open_handles--;
    free(c->strings);
    free(c);
    tcp->data = NULL;
    return tcp;
}

static void conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    qt_conn_t *c = handle->data;
    uint8_t *base = (c->stage == QT_STRINGS || c->stage == QT_MESSAGE) ? (uint8_t *)c->strings : c->fixed;
    buf->base = (char *)base + c->got;
    buf->len = c->want - c->got;
}

static void expect(qt_conn_t *c, qt_stage_t stage, size_t want)
{
    c->stage = stage;
    c->want = want;
    c->got = 0;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* An accepted raft peer's handshake is complete: answer it, then give the
 * stream to raft or close it. */
static void incoming_done(qt_conn_t *c)
{
    qt_t *t = c->t;
    raft_id id = get_u64(c->fixed + MAGIC_LEN);
    size_t addr_len = get_u16(c->fixed + MAGIC_LEN + 8);
    char *address = strndup(c->strings, addr_len);
    const char *voters = c->strings + addr_len;
    /* The length is the peer's: voters with a NUL inside would otherwise
     * compare equal to this node's list when the part before the NUL does. */
    if (strlen(voters) != c->want - addr_len || strcmp(voters, t->voters) != 0) {
        char msg[1024];
        int n = snprintf(msg, sizeof(msg),
                         "node %llu's controller.quorum.voters '%s' is not node %llu's '%s'; every node of the "
                         "cluster must list the same voters",
                         (unsigned long long)id - 1, voters, (unsigned long long)t->id - 1, t->voters);
        size_t len = (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
        uint8_t answer[3 + sizeof(msg)];
        answer[0] = ANSWER_REFUSED;
        put_u16(answer + 1, (uint16_t)len);
        memcpy(answer + 3, msg, len);
        /* Nothing more is read; the connection ends once the refusal is out. */
        uv_read_stop((uv_stream_t *)c->tcp);
        c->stage = QT_CONNECTING;
        write_bytes((uv_stream_t *)c->tcp, answer, 3 + len, c);
        if (t->on_refused) {
            t->on_refused(t->arg, 0, msg);
        }
        free(address);
        return;
    }
    uint8_t ok = ANSWER_OK;
    write_bytes((uv_stream_t *)c->tcp, &ok, 1, NULL);
    uv_tcp_t *tcp = conn_release(c);
    t->accept_cb(t->transport, id, address, (uv_stream_t *)tcp);
    free(address);
}

static void outgoing_done(qt_conn_t *c, bool accepted)
{
    if (!accepted) {
        if (c->t->on_refused) {
            c->t->on_refused(c->t->arg, c->peer, c->strings);
        }
        conn_abort(c, RAFT_NOCONNECTION);
        return;
    }
    struct raft_uv_connect *req = c->req;
    raft_uv_connect_cb cb = c->cb;
    uv_tcp_t *tcp = conn_release(c);
    cb(req, (uv_stream_t *)tcp, 0);
}

static void conn_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    qt_conn_t *c = stream->data;
    if (nread == 0) {
        return;
    }
    if (nread < 0) {
        conn_abort(c, RAFT_NOCONNECTION);
        return;
    }
    c->got += (size_t)nread;
    if (c->got < c->want) {
        return;
    }
    qt_t *t = c->t;
    switch (c->stage) {
    case QT_HEAD:
        if (memcmp(c->fixed, MAGIC, MAGIC_LEN) != 0) {
            uint8_t head[8];
            memcpy(head, c->fixed, 8);
            uv_tcp_t *tcp = conn_release(c);
            t->on_rpc(t->arg, tcp, head);
            return;
        }
        c->stage = QT_FIXED;
        c->want = FIXED_LEN;
        return;
    case QT_FIXED: {
        size_t strings = (size_t)get_u16(c->fixed + MAGIC_LEN + 8) + get_u16(c->fixed + MAGIC_LEN + 10);
        c->strings = xcalloc(1, strings + 1);
        expect(c, QT_STRINGS, strings);
        if (strings == 0) {
            conn_abort(c, 0);
        }
        return;
    }
    case QT_STRINGS:
        incoming_done(c);
        return;
    case QT_ANSWER:
        if (c->fixed[0] == ANSWER_OK) {
            outgoing_done(c, true);
        } else {
            expect(c, QT_REFUSAL, 2);
        }
        return;
    case QT_REFUSAL: {
        size_t len = get_u16(c->fixed);
        c->strings = xcalloc(1, len + 1);
        expect(c, QT_MESSAGE, len);
        if (len == 0) {
            outgoing_done(c, false);
        }
        return;
    }
    case QT_MESSAGE:
        outgoing_done(c, false);
        return;
    case QT_CONNECTING:
        return;
    }
}

static qt_conn_t *conn_new(qt_t *t)
{
    qt_conn_t *c = xcalloc(1, sizeof(*c));
    c->t = t;
    c->tcp = raft_malloc(sizeof(*c->tcp));
    if (!c->tcp) {
        abort();
    }
    uv_tcp_init(t->loop, c->tcp);
    c->tcp->data = c;
    c->next = t->conns;
    t->conns = c;
    t->open_handles++;
    return c;
}

static void on_connection(uv_stream_t *server, int status)
{
    qt_t *t = server->data;
    if (status < 0 || t->closing) {
        return;
    }
    qt_conn_t *c = conn_new(t);
    if (uv_accept(server, (uv_stream_t *)c->tcp) != 0) {
        conn_abort(c, 0);
        return;
    }
    uv_tcp_nodelay(c->tcp, 1);
    expect(c, QT_HEAD, MAGIC_LEN);
    uv_read_start((uv_stream_t *)c->tcp, conn_alloc, conn_read);
}

static int qt_init(struct raft_uv_transport *transport, raft_id id, const char *address)
{
    qt_t *t = transport->impl;
    t->id = id;
    free(t->address);
    t->address = xstrdup(address);
    return 0;
}

/* Fills `out` from "host:port" or "[v6]:port"; hosts are resolved with
 * getaddrinfo (names in the voter list are usually numeric or localhost,
 * so this does not block the loop for long). */
static int resolve(const char *host_port, struct sockaddr_storage *out)
{
    const char *colon = strrchr(host_port, ':');
    if (!colon) {
        return -1;
    }
    char host[256];
    const char *h = host_port;
    size_t len = (size_t)(colon - host_port);
    if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
        h++;
        len -= 2;
    }
    if (len >= sizeof(host)) {
        return -1;
    }
    memcpy(host, h, len);
    host[len] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(len ? host : NULL, colon + 1, &hints, &res) != 0) {
        return -1;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

static int qt_listen(struct raft_uv_transport *transport, raft_uv_accept_cb cb)
{
    qt_t *t = transport->impl;
    t->accept_cb = cb;
    char hp[300];
    snprintf(hp, sizeof(hp), "%s:%d", t->bind_host, t->bind_port);
    struct sockaddr_storage addr;
    if (resolve(hp, &addr) != 0) {
        snprintf(transport->errmsg, sizeof(transport->errmsg), "cannot resolve controller listener %.200s", hp);
        return RAFT_IOERR;
    }
    uv_tcp_init(t->loop, &t->listener);
    t->listener.data = t;
    t->listening = true;
    t->open_handles++;
    int rc = uv_tcp_bind(&t->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&t->listener, 128, on_connection);
    }
    if (rc != 0) {
        snprintf(transport->errmsg, sizeof(transport->errmsg), "cannot listen on controller listener %.200s: %s", hp,
                 uv_strerror(rc));
        return RAFT_IOERR;
    }
    return 0;
}

static void on_connected(uv_connect_t *req, int status)
{
    qt_conn_t *c = req->data;
    if (uv_is_closing((uv_handle_t *)c->tcp)) {
        return; /* aborted by close(), which reported it */
    }
    if (status < 0) {
        conn_abort(c, RAFT_NOCONNECTION);
        return;
    }
    qt_t *t = c->t;
    uv_tcp_nodelay(c->tcp, 1);
    size_t addr_len = strlen(t->address), voters_len = strlen(t->voters);
    size_t len = FIXED_LEN + addr_len + voters_len;
    uint8_t *hs = xmalloc(len);
    memcpy(hs, MAGIC, MAGIC_LEN);
    put_u64(hs + MAGIC_LEN, t->id);
    put_u16(hs + MAGIC_LEN + 8, (uint16_t)addr_len);
    put_u16(hs + MAGIC_LEN + 10, (uint16_t)voters_len);
    memcpy(hs + FIXED_LEN, t->address, addr_len);
    memcpy(hs + FIXED_LEN + addr_len, t->voters, voters_len);
    write_bytes((uv_stream_t *)c->tcp, hs, len, NULL);
    free(hs);
    expect(c, QT_ANSWER, 1);
    uv_read_start((uv_stream_t *)c->tcp, conn_alloc, conn_read);
}

static int qt_connect(struct raft_uv_transport *transport, struct raft_uv_connect *req, raft_id id, const char *address,
                      raft_uv_connect_cb cb)
{
    qt_t *t = transport->impl;
    struct sockaddr_storage addr;
    if (resolve(address, &addr) != 0) {
        snprintf(transport->errmsg, sizeof(transport->errmsg), "cannot resolve voter address %s", address);
        return RAFT_NOCONNECTION;
    }
    qt_conn_t *c = conn_new(t);
    c->stage = QT_CONNECTING;
    c->req = req;
    c->cb = cb;
    c->peer = id;
    c->connect_req.data = c;
    int rc = uv_tcp_connect(&c->connect_req, c->tcp, (struct sockaddr *)&addr, on_connected);
    if (rc != 0) {
        c->cb = NULL; /* an error return: raft does not wait for the callback */
        conn_abort(c, 0);
        return RAFT_NOCONNECTION;
    }
    return 0;
}

static void on_listener_closed(uv_handle_t *handle)
{
    qt_t *t = handle->data;
    t->open_handles--;
    maybe_closed(t);
}

static void qt_close(struct raft_uv_transport *transport, raft_uv_transport_close_cb cb)
{
    qt_t *t = transport->impl;
    t->closing = true;
    t->close_cb = cb;
    if (t->listening) {
        t->listening = false;
        uv_close((uv_handle_t *)&t->listener, on_listener_closed);
    }
    while (t->conns) {
        qt_conn_t *c = t->conns;
        /* A pending uv_tcp_connect is cancelled by closing its handle; its
         * callback then runs with UV_ECANCELED, so report and unlink here. */
        conn_abort(c, RAFT_CANCELED);
    }
    maybe_closed(t);
}

int quorum_transport_init(struct raft_uv_transport *transport, uv_loop_t *loop, const quorum_transport_config_t *cfg)
{
    qt_t *t = xcalloc(1, sizeof(*t));
    t->transport = transport;
    t->loop = loop;
    t->bind_host = xstrdup(cfg->bind_host ? cfg->bind_host : "");
    t->bind_port = cfg->bind_port;
    t->voters = xstrdup(cfg->voters);
    t->on_rpc = cfg->on_rpc;
    t->on_refused = cfg->on_refused;
    t->arg = cfg->arg;
    transport->impl = t;
    transport->init = qt_init;
    transport->listen = qt_listen;
    transport->connect = qt_connect;
    transport->close = qt_close;
    return 0;
}

void quorum_transport_release(struct raft_uv_transport *transport)
{
    qt_t *t = transport->impl;
    if (!t) {
        return;
    }
    free(t->address);
    free(t->bind_host);
    free(t->voters);
    free(t);
    transport->impl = NULL;
}

int quorum_transport_port(struct raft_uv_transport *transport)
{
    qt_t *t = transport->impl;
    struct sockaddr_storage addr;
    int len = sizeof(addr);
    if (!t->listening || uv_tcp_getsockname(&t->listener, (struct sockaddr *)&addr, &len) != 0) {
        return -1;
    }
    return ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                            : ((struct sockaddr_in *)&addr)->sin_port);
}
