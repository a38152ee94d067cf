/*
 * es_floor.c - the server of run-es-bench.sh: the least an
 * Elasticsearch-compatible server can do for the Elasticsearch sink, so
 * that the benchmark measures the sink (and curl), not the server.
 * tests/es/es_server.py is faithful but is Python: it indexes at most about ten
 * thousand documents a second, far below what either client can send.
 *
 *   es_floor PORT_FILE [DUMP_DIR]
 *
 * Listens on an ephemeral loopback port, writes the port to PORT_FILE and
 * serves until killed.  One thread, epoll, HTTP/1.1 keep-alive, bodies
 * with Content-Length (libcurl and curl send nothing else for a body
 * given whole).  It answers what the sink asks:
 *
 *   GET /                      an Elasticsearch 8.11.0 version object
 *   HEAD /INDEX, PUT /INDEX    index exists (after its PUT) and create
 *   POST /_bulk                index, create, update, delete: each action
 *                              line read by a scan for its keys, not a
 *                              JSON parser; external versions kept per
 *                              document (a 64-bit hash of index and id)
 *                              so a replay answers version conflicts, and
 *                              the response has Elasticsearch's per-item
 *                              fields and statuses
 *   GET /_floor/stats          {"docs":live documents,"items":..,
 *                              "conflicts":..,"bulks":..,"bytes":..}
 *
 * With DUMP_DIR, each _bulk body is also written to DUMP_DIR/bulk-NNNNNN
 * as received, for the curl replay.  Sources of documents are not kept.
 */
#define _GNU_SOURCE /* accept4, memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "floor_util.h"

#define MAX_EVENTS 64
#define MAX_INDICES 64

typedef struct buf {
    char *data;
    size_t len, cap;
} buf_t;

typedef struct conn {
    int fd;
    buf_t in;    /* bytes read, not yet a whole request */
    buf_t out;   /* response bytes not yet written */
    size_t sent; /* of out */
} conn_t;

/* A document: the hash of index and id (0 is an empty slot), its version,
 * and whether it is deleted (a tombstone keeps its version, as in
 * Elasticsearch, so an older external version still conflicts). */
typedef struct doc {
    uint64_t key;
    int64_t version;
    bool deleted;
} doc_t;

static doc_t *docs;
static size_t docs_cap, docs_used;
static uint64_t n_live, n_items, n_conflicts, n_bulks, n_bytes;
static int64_t seq_no;
static char *indices[MAX_INDICES];
static int n_indices;
static const char *dump_dir;

static void buf_reserve(buf_t *b, size_t more)
{
    if (b->len + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) {
        cap *= 2;
    }
    b->data = realloc(b->data, cap);
    if (!b->data) {
        die("realloc");
    }
    b->cap = cap;
}

static void buf_add(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void buf_str(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_i64(buf_t *b, int64_t v)
{
    char tmp[24];
    buf_add(b, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v));
}

static uint64_t hash(const char *index, size_t ilen, const char *id, size_t idlen)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < ilen; i++) {
        h = (h ^ (unsigned char)index[i]) * 1099511628211ULL;
    }
    h = (h ^ 0xff) * 1099511628211ULL;
    for (size_t i = 0; i < idlen; i++) {
        h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

/* The slot of KEY, empty if the document was never written. */
static doc_t *doc_slot(uint64_t key)
{
    if ((docs_used + 1) * 2 > docs_cap) {
        size_t old_cap = docs_cap;
        doc_t *old = docs;
        docs_cap = docs_cap ? docs_cap * 2 : 1 << 16;
        docs = calloc(docs_cap, sizeof(*docs));
        if (!docs) {
            die("calloc");
        }
        for (size_t i = 0; i < old_cap; i++) {
            if (old[i].key) {
                size_t j = old[i].key & (docs_cap - 1);
                while (docs[j].key) {
                    j = (j + 1) & (docs_cap - 1);
                }
                docs[j] = old[i];
            }
        }
        free(old);
    }
    size_t j = key & (docs_cap - 1);
    while (docs[j].key && docs[j].key != key) {
        j = (j + 1) & (docs_cap - 1);
    }
    return &docs[j];
}

static bool index_exists(const char *name, size_t len)
{
    for (int i = 0; i < n_indices; i++) {
        if (strlen(indices[i]) == len && memcmp(indices[i], name, len) == 0) {
            return true;
        }
    }
    return false;
}

static void index_create(const char *name, size_t len)
{
    if (!index_exists(name, len) && n_indices < MAX_INDICES) {
        indices[n_indices++] = strndup(name, len);
    }
}

/* The string value of "KEY":"..." in the line [p, end), or NULL. */
static const char *json_str(const char *p, const char *end, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    const char *k = memmem(p, (size_t)(end - p), key, klen);
    if (!k) {
        return NULL;
    }
    const char *v = k + klen;
    while (v < end && (*v == ' ' || *v == ':')) {
        v++;
    }
    if (v >= end || *v != '"') {
        return NULL;
    }
    v++;
    const char *q = memchr(v, '"', (size_t)(end - v));
    if (!q) {
        return NULL;
    }
    *len = (size_t)(q - v);
    return v;
}

static bool json_int(const char *p, const char *end, const char *key, int64_t *out)
{
    size_t klen = strlen(key);
    const char *k = memmem(p, (size_t)(end - p), key, klen);
    if (!k) {
        return false;
    }
    const char *v = k + klen;
    while (v < end && (*v == ' ' || *v == ':' || *v == '"')) {
        v++;
    }
    char *e;
    *out = strtoll(v, &e, 10);
    return e != v;
}

static void item_head(buf_t *r, const char *op, size_t oplen, const char *index, size_t ilen, const char *id,
                      size_t idlen)
{
    buf_str(r, "{\"");
    buf_add(r, op, oplen);
    buf_str(r, "\":{\"_index\":\"");
    buf_add(r, index, ilen);
    buf_str(r, "\",\"_id\":\"");
    buf_add(r, id, idlen);
    buf_str(r, "\",");
}

/* One action (and its source line, which is only skipped) applied to the
 * documents, its item appended to R; false when it was an error. */
static bool bulk_item(buf_t *r, const char *line, const char *end)
{
    const char *op = line + 2;
    const char *q = memchr(op, '"', (size_t)(end - op));
    size_t oplen = q ? (size_t)(q - op) : 0, ilen = 0, idlen = 0;
    const char *index = json_str(line, end, "\"_index\"", &ilen);
    const char *id = json_str(line, end, "\"_id\"", &idlen);
    int64_t version = 0;
    bool external = json_int(line, end, "\"version\"", &version) && memmem(line, (size_t)(end - line), "external", 8);
    bool is_delete = oplen == 6 && memcmp(op, "delete", 6) == 0;
    bool is_create = oplen == 6 && memcmp(op, "create", 6) == 0;
    if (!index || !id) {
        /* Autogenerated ids and default indices are not needed here. */
        buf_str(r, "{\"index\":{\"status\":400,\"error\":{\"type\":\"action_request_validation_exception\","
                   "\"reason\":\"es_floor needs _index and _id\"}}}");
        return false;
    }
    index_create(index, ilen);
    doc_t *d = doc_slot(hash(index, ilen, id, idlen));
    bool exists = d->key && !d->deleted;
    item_head(r, op, oplen, index, ilen, id, idlen);
    n_items++;
    if ((external && d->key && d->version >= version) || (is_create && exists)) {
        n_conflicts++;
        buf_str(r, "\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[");
        buf_add(r, id, idlen);
        buf_str(r, "]: version conflict, current version [");
        buf_i64(r, d->version);
        buf_str(r, "] is higher or equal to the one provided [");
        buf_i64(r, version);
        buf_str(r, "]\"}}}");
        return false;
    }
    if (!d->key) {
        d->key = hash(index, ilen, id, idlen);
        docs_used++;
    }
    const char *result;
    int status;
    if (is_delete) {
        result = exists ? "deleted" : "not_found";
        status = exists ? 200 : 404;
        n_live -= exists;
        d->deleted = true;
    } else {
        result = exists ? "updated" : "created";
        status = exists ? 200 : 201;
        n_live += !exists;
        d->deleted = false;
    }
    d->version = external ? version : d->version + 1;
    buf_str(r, "\"_version\":");
    buf_i64(r, d->version);
    buf_str(r, ",\"result\":\"");
    buf_str(r, result);
    buf_str(r, "\",\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":");
    buf_i64(r, seq_no++);
    buf_str(r, ",\"_primary_term\":1,\"status\":");
    buf_i64(r, status);
    buf_str(r, "}}");
    return true;
}

static void dump(const char *body, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/bulk-%06" PRIu64, dump_dir, n_bulks);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(body, 1, len, f) != len || fclose(f)) {
        die(path);
    }
}

/* The _bulk response for BODY into R (the items), its head into HEAD. */
static void bulk(buf_t *r, const char *body, size_t len, char *head, size_t headlen)
{
    if (dump_dir) {
        dump(body, len);
    }
    n_bulks++;
    n_bytes += len;
    bool errors = false, first = true;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le - p > 2 && p[0] == '{') {
            if (!first) {
                buf_add(r, ",", 1);
            }
            first = false;
            bool is_delete = le - p > 9 && memcmp(p + 2, "delete\"", 7) == 0;
            errors |= !bulk_item(r, p, le);
            if (!is_delete && nl) {
                /* Past the source line. */
                nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
            }
        }
        p = nl ? nl + 1 : end;
    }
    buf_add(r, "]}", 2);
    snprintf(head, headlen, "{\"took\":1,\"errors\":%s,\"items\":[", errors ? "true" : "false");
}

static void respond(conn_t *c, int status, const char *reason, const char *head_body, const buf_t *body, bool head)
{
    size_t blen = strlen(head_body) + (body ? body->len : 0);
    char hdr[256];
    int n = snprintf(hdr, sizeof(hdr),
                     "HTTP/1.1 %d %s\r\nX-elastic-product: Elasticsearch\r\n"
                     "content-type: application/json\r\ncontent-length: %zu\r\n\r\n",
                     status, reason, blen);
    buf_add(&c->out, hdr, (size_t)n);
    if (!head) {
        buf_str(&c->out, head_body);
        if (body) {
            buf_add(&c->out, body->data, body->len);
        }
    }
}

static void handle(conn_t *c, const char *method, const char *path, size_t plen, const char *body, size_t blen)
{
    static buf_t items;
    char text[512];
    if (strcmp(method, "POST") == 0 && plen >= 6 && memcmp(path, "/_bulk", 6) == 0) {
        items.len = 0;
        bulk(&items, body, blen, text, sizeof(text));
        respond(c, 200, "OK", text, &items, false);
    } else if (strcmp(method, "GET") == 0 && plen == 1) {
        respond(c, 200, "OK",
                "{\"name\":\"es-floor\",\"cluster_name\":\"es-floor\",\"cluster_uuid\":\"es-floor\","
                "\"version\":{\"number\":\"8.11.0\",\"build_flavor\":\"default\",\"lucene_version\":\"9.8.0\"},"
                "\"tagline\":\"You Know, for Search\"}",
                NULL, false);
    } else if (strcmp(method, "GET") == 0 && plen == 13 && memcmp(path, "/_floor/stats", 13) == 0) {
        snprintf(text, sizeof(text),
                 "{\"docs\":%" PRIu64 ",\"items\":%" PRIu64 ",\"conflicts\":%" PRIu64 ",\"bulks\":%" PRIu64
                 ",\"bytes\":%" PRIu64 "}",
                 n_live, n_items, n_conflicts, n_bulks, n_bytes);
        respond(c, 200, "OK", text, NULL, false);
    } else if ((strcmp(method, "HEAD") == 0 || strcmp(method, "PUT") == 0) && plen > 1 &&
               !memchr(path + 1, '/', plen - 1) && !memchr(path, '?', plen)) {
        if (method[0] == 'H') {
            bool exists = index_exists(path + 1, plen - 1);
            respond(c, exists ? 200 : 404, exists ? "OK" : "Not Found", "", NULL, true);
        } else {
            index_create(path + 1, plen - 1);
            snprintf(text, sizeof(text), "{\"acknowledged\":true,\"shards_acknowledged\":true,\"index\":\"%.*s\"}",
                     (int)(plen - 1), path + 1);
            respond(c, 200, "OK", text, NULL, false);
        }
    } else {
        snprintf(text, sizeof(text),
                 "{\"error\":{\"type\":\"illegal_argument_exception\",\"reason\":\"es_floor "
                 "does not serve %s %.*s\"},\"status\":400}",
                 method, (int)(plen > 200 ? 200 : plen), path);
        respond(c, 400, "Bad Request", text, NULL, strcmp(method, "HEAD") == 0);
    }
}

/* Answers each whole request in c->in; false to close the connection. */
static bool serve(conn_t *c)
{
    size_t off = 0;
    for (;;) {
        char *start = c->in.data + off;
        size_t avail = c->in.len - off;
        char *eoh = avail ? memmem(start, avail, "\r\n\r\n", 4) : NULL;
        if (!eoh) {
            break;
        }
        size_t hlen = (size_t)(eoh - start) + 4;
        size_t clen = 0;
        for (char *h = memchr(start, '\n', hlen); h && h < eoh; h = memchr(h + 1, '\n', (size_t)(eoh - h))) {
            if (strncasecmp(h + 1, "content-length:", 15) == 0) {
                clen = strtoul(h + 16, NULL, 10);
            } else if (strncasecmp(h + 1, "transfer-encoding:", 18) == 0 ||
                       strncasecmp(h + 1, "content-encoding:", 17) == 0) {
                return false; /* neither chunked nor compressed bodies */
            }
        }
        if (avail < hlen + clen) {
            break;
        }
        char method[8] = "";
        sscanf(start, "%7s", method);
        char *path = memchr(start, ' ', hlen);
        char *pend = path ? memchr(path + 1, ' ', hlen - (size_t)(path + 1 - start)) : NULL;
        if (!pend) {
            return false;
        }
        path++;
        handle(c, method, path, (size_t)(pend - path), start + hlen, clen);
        off += hlen + clen;
    }
    memmove(c->in.data, c->in.data + off, c->in.len - off);
    c->in.len -= off;
    return true;
}

/* Writes what c->out holds; false on an error. */
static bool flush_out(conn_t *c)
{
    while (c->sent < c->out.len) {
        ssize_t w = write(c->fd, c->out.data + c->sent, c->out.len - c->sent);
        if (w < 0) {
            return errno == EAGAIN;
        }
        c->sent += (size_t)w;
    }
    c->out.len = c->sent = 0;
    return true;
}

static void conn_close(int ep, conn_t *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in.data);
    free(c->out.data);
    free(c);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: es_floor PORT_FILE [DUMP_DIR]\n");
        return 2;
    }
    dump_dir = argc == 3 ? argv[2] : NULL;
    int lfd = listen_loopback(argv[1]);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        struct epoll_event events[MAX_EVENTS];
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    c = calloc(1, sizeof(*c));
                    c->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            bool ok = true;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    buf_reserve(&c->in, 256 * 1024);
                    ssize_t got = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
                    if (got > 0) {
                        c->in.len += (size_t)got;
                        continue;
                    }
                    ok = got < 0 && errno == EAGAIN;
                    break;
                }
                ok = ok && serve(c);
            }
            ok = ok && flush_out(c);
            if (!ok) {
                conn_close(ep, c);
                continue;
            }
            /* Wait for the socket to drain before reading more requests. */
            struct epoll_event cev = {.events = c->out.len ? EPOLLOUT : EPOLLIN, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &cev);
        }
    }
}
