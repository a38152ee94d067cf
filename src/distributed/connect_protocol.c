/*
 * connect_protocol.c - Kafka Connect's group protocol formats.
 *
 * Workers of one group.id join the broker's group with protocol type
 * "connect".  The coordinator picks the newest protocol every member
 * offers; then each member's metadata and the leader's assignments are
 * read as that protocol reads them.  The formats are Kafka's old-style
 * protocol Schemas (org.apache.kafka.common.protocol.types): INT16, INT32,
 * INT64 big-endian; STRING an INT16 length then UTF-8 bytes (never null);
 * ARRAY an INT32 count (-1: null, where the field allows it) then the
 * items; NULLABLE_BYTES an INT32 length (-1: null) then the bytes.
 *
 * Metadata, "default" (eager, ConnectProtocol):
 *     version INT16 = 0 | url STRING | config-offset INT64
 * Metadata, "compatible" and "sessioned" (IncrementalCooperativeConnectProtocol):
 *     version INT16 = 1 or 2 | url STRING | config-offset INT64 |
 *     allocation NULLABLE_BYTES (the worker's current assignment, below)
 * Assignment, version 0:
 *     version INT16 | error INT16 | leader STRING | leader-url STRING |
 *     config-offset INT64 | assignment ARRAY of {connector STRING, tasks ARRAY of INT32}
 * Assignment, version 1 and 2: the same, then
 *     revoked ARRAY of {connector, tasks} | delay INT32
 * A task id of -1 stands for the connector itself.
 *
 * Example: worker "http://a:8083" at config offset 5, eager:
 *     00 00  00 0d 68 74 74 70 3a 2f 2f 61 3a 38 30 38 33  00 00 00 00 00 00 00 05
 *
 * Reading follows Kafka's tolerances, so that workers of different
 * versions understand each other: any version >= 0 is read (an eager
 * reader reads a version 1 or 2 body as version 0, ignoring what follows);
 * the version 1 schemas "tolerate missing fields with defaults": when the
 * input ends before a field, assignment and revoked are null (empty),
 * delay is 0 and allocation is null; a field without a default (error,
 * leader, leader-url, config-offset) must be there.  Errors name the field
 * as Kafka's SchemaException does ("Error reading field 'leader': ...").
 */
#include "connect_protocol.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

const char *connect_protocol_name(connect_protocol_t proto)
{
    switch (proto) {
    case CONNECT_PROTOCOL_EAGER:
        return "default";
    case CONNECT_PROTOCOL_COMPATIBLE:
        return "compatible";
    case CONNECT_PROTOCOL_SESSIONED:
        return "sessioned";
    }
    return "unknown";
}

int connect_protocol_from_name(const char *name)
{
    for (int p = CONNECT_PROTOCOL_EAGER; p <= CONNECT_PROTOCOL_SESSIONED; p++) {
        if (strcasecmp(name, connect_protocol_name((connect_protocol_t)p)) == 0) {
            return p;
        }
    }
    return -1;
}

int connect_protocol_from_config(const char *value)
{
    if (strcasecmp(value, "eager") == 0) {
        return CONNECT_PROTOCOL_EAGER;
    }
    if (strcasecmp(value, "compatible") == 0) {
        return CONNECT_PROTOCOL_COMPATIBLE;
    }
    if (strcasecmp(value, "sessioned") == 0) {
        return CONNECT_PROTOCOL_SESSIONED;
    }
    return -1;
}

/* ---- writing ------------------------------------------------------------------------ */

typedef struct writer {
    uint8_t *buf;
    size_t len, cap;
    char *errstr;
    size_t errstr_size;
    bool failed;
} writer_t;

static void w_put(writer_t *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2 + 64;
        w->buf = xrealloc(w->buf, w->cap);
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void w_be(writer_t *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    w_put(w, b, n);
}

static void w_fail(writer_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void w_fail(writer_t *w, const char *fmt, ...)
{
    if (w->failed) {
        return;
    }
    w->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errstr, w->errstr_size, fmt, ap);
    va_end(ap);
}

/* Kafka's STRING: never null, at most Short.MAX_VALUE bytes. */
static void w_string(writer_t *w, const char *field, const char *s)
{
    if (!s) {
        w_fail(w, "field '%s' is a STRING and cannot be null", field);
        return;
    }
    size_t n = strlen(s);
    if (n > INT16_MAX) {
        w_fail(w, "field '%s': string length %zu is larger than the maximum string length", field, n);
        return;
    }
    w_be(w, n, 2);
    w_put(w, s, n);
}

static void w_entries(writer_t *w, const connect_assignment_entry_t *ents, size_t n)
{
    w_be(w, (uint32_t)n, 4);
    for (size_t i = 0; i < n; i++) {
        w_string(w, "connector", ents[i].connector);
        w_be(w, (uint32_t)ents[i].n_tasks, 4);
        for (size_t t = 0; t < ents[i].n_tasks; t++) {
            w_be(w, (uint32_t)ents[i].tasks[t], 4);
        }
    }
}

static void w_version(writer_t *w, int16_t version)
{
    if (version < CONNECT_PROTOCOL_EAGER || version > CONNECT_PROTOCOL_SESSIONED) {
        w_fail(w, "Connect protocol version %d is not one of 0 (eager), 1 (compatible), 2 (sessioned)", version);
    }
    w_be(w, (uint16_t)version, 2);
}

static void w_assignment(writer_t *w, const connect_assignment_t *as)
{
    w_version(w, as->version);
    w_be(w, (uint16_t)as->error, 2);
    w_string(w, "leader", as->leader);
    w_string(w, "leader-url", as->leader_url);
    w_be(w, (uint64_t)as->config_offset, 8);
    w_entries(w, as->assigned, as->n_assigned);
    if (as->version >= CONNECT_PROTOCOL_COMPATIBLE) {
        w_entries(w, as->revoked, as->n_revoked);
        w_be(w, (uint32_t)as->delay_ms, 4);
    }
}

static int w_finish(writer_t *w, uint8_t **out, size_t *out_len)
{
    if (w->failed) {
        free(w->buf);
        return -1;
    }
    *out = w->buf;
    *out_len = w->len;
    return 0;
}

int connect_assignment_encode(const connect_assignment_t *as, uint8_t **out, size_t *out_len, char *errstr,
                              size_t errstr_size)
{
    writer_t w = {.errstr = errstr, .errstr_size = errstr_size};
    w_assignment(&w, as);
    return w_finish(&w, out, out_len);
}

int connect_metadata_encode(const connect_worker_state_t *ws, uint8_t **out, size_t *out_len, char *errstr,
                            size_t errstr_size)
{
    writer_t w = {.errstr = errstr, .errstr_size = errstr_size};
    w_version(&w, ws->version);
    w_string(&w, "url", ws->url);
    w_be(&w, (uint64_t)ws->config_offset, 8);
    if (ws->version >= CONNECT_PROTOCOL_COMPATIBLE) {
        if (!ws->assignment) {
            w_be(&w, UINT32_MAX, 4); /* null bytes: -1 */
        } else {
            /* The allocation is a whole assignment, header included, as bytes. */
            writer_t inner = {.errstr = errstr, .errstr_size = errstr_size};
            w_assignment(&inner, ws->assignment);
            if (inner.failed) {
                w.failed = true;
            } else {
                w_be(&w, (uint32_t)inner.len, 4);
                w_put(&w, inner.buf, inner.len);
            }
            free(inner.buf);
        }
    }
    return w_finish(&w, out, out_len);
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct reader {
    const uint8_t *buf;
    size_t len, pos;
    bool tolerant; /* fields missing at the end take their defaults (the version 1 schemas) */
    char *errstr;
    size_t errstr_size;
    bool failed;
} reader_t;

static void r_fail(reader_t *r, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void r_fail(reader_t *r, const char *field, const char *fmt, ...)
{
    if (r->failed) {
        return;
    }
    r->failed = true;
    int n = snprintf(r->errstr, r->errstr_size, "Error reading field '%s': ", field);
    if (n < 0 || (size_t)n >= r->errstr_size) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->errstr + n, r->errstr_size - (size_t)n, fmt, ap);
    va_end(ap);
}

static size_t r_left(const reader_t *r)
{
    return r->len - r->pos;
}

/* Whether the field `field` is absent and takes its default: only when
 * the schema tolerates it and nothing is left. */
static bool r_absent(reader_t *r)
{
    return !r->failed && r->tolerant && r_left(r) == 0;
}

static uint64_t r_be(reader_t *r, const char *field, size_t n)
{
    if (r->failed) {
        return 0;
    }
    if (r_left(r) < n) {
        if (r->tolerant && r_left(r) == 0) {
            r_fail(r, field, "missing value for a field which has no default value");
        } else {
            r_fail(r, field, "need %zu bytes, only %zu available", n, r_left(r));
        }
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | r->buf[r->pos++];
    }
    return v;
}

static char *r_string(reader_t *r, const char *field)
{
    int16_t n = (int16_t)r_be(r, field, 2);
    if (r->failed) {
        return NULL;
    }
    if (n < 0) {
        r_fail(r, field, "String length %d cannot be negative", n);
        return NULL;
    }
    if ((size_t)n > r_left(r)) {
        r_fail(r, field, "Error reading string of length %d, only %zu bytes available", n, r_left(r));
        return NULL;
    }
    if (memchr(r->buf + r->pos, '\0', (size_t)n)) {
        r_fail(r, field, "string holds a NUL byte");
        return NULL;
    }
    char *s = xstrndup((const char *)r->buf + r->pos, (size_t)n);
    r->pos += (size_t)n;
    return s;
}

static void entries_free(connect_assignment_entry_t *ents, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ents[i].connector);
        free(ents[i].tasks);
    }
    free(ents);
}

/* An ARRAY of {connector, tasks}; null reads as empty, as Kafka's
 * ExtendedAssignment turns it into an empty list. */
static connect_assignment_entry_t *r_entries(reader_t *r, const char *field, bool nullable, size_t *n_out)
{
    *n_out = 0;
    if (nullable && r_absent(r)) {
        return NULL;
    }
    int32_t n = (int32_t)r_be(r, field, 4);
    if (r->failed) {
        return NULL;
    }
    if (n < 0 && nullable) {
        return NULL;
    }
    if (n < 0) {
        r_fail(r, field, "Array size %d cannot be negative", n);
        return NULL;
    }
    /* Each item takes at least 6 bytes, so a count larger than what is
     * left is refused before anything is allocated for it. */
    if ((size_t)n > r_left(r)) {
        r_fail(r, field, "Error reading array of size %d, only %zu bytes available", n, r_left(r));
        return NULL;
    }
    connect_assignment_entry_t *ents = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*ents));
    for (int32_t i = 0; i < n && !r->failed; i++) {
        ents[i].connector = r_string(r, "connector");
        int32_t nt = (int32_t)r_be(r, "tasks", 4);
        if (r->failed) {
            break;
        }
        if (nt < 0) {
            r_fail(r, "tasks", "Array size %d cannot be negative", nt);
            break;
        }
        if ((size_t)nt > r_left(r)) {
            r_fail(r, "tasks", "Error reading array of size %d, only %zu bytes available", nt, r_left(r));
            break;
        }
        ents[i].tasks = xcalloc((size_t)nt ? (size_t)nt : 1, sizeof(int32_t));
        for (int32_t t = 0; t < nt; t++) {
            ents[i].tasks[t] = (int32_t)r_be(r, "tasks", 4);
        }
        ents[i].n_tasks = (size_t)nt;
    }
    if (r->failed) {
        entries_free(ents, (size_t)n);
        return NULL;
    }
    *n_out = (size_t)n;
    return ents;
}

static int16_t r_version(reader_t *r)
{
    int16_t version = (int16_t)r_be(r, "version", 2);
    if (!r->failed && version < CONNECT_PROTOCOL_EAGER) {
        r->failed = true;
        snprintf(r->errstr, r->errstr_size, "Unsupported subscription version: %d", version);
    }
    return version;
}

/* An assignment as `proto` reads it: header, then the version 0 or the
 * version 1 body. */
static connect_assignment_t *r_assignment(reader_t *r, connect_protocol_t proto)
{
    connect_assignment_t *as = xcalloc(1, sizeof(*as));
    bool tolerant = r->tolerant;
    r->tolerant = false; /* the header has no default */
    as->version = r_version(r);
    r->tolerant = proto >= CONNECT_PROTOCOL_COMPATIBLE;
    as->error = (int16_t)r_be(r, "error", 2);
    as->leader = r_string(r, "leader");
    as->leader_url = r_string(r, "leader-url");
    as->config_offset = (int64_t)r_be(r, "config-offset", 8);
    as->assigned = r_entries(r, "assignment", proto >= CONNECT_PROTOCOL_COMPATIBLE, &as->n_assigned);
    if (proto >= CONNECT_PROTOCOL_COMPATIBLE) {
        as->revoked = r_entries(r, "revoked", true, &as->n_revoked);
        as->delay_ms = r_absent(r) ? 0 : (int32_t)r_be(r, "delay", 4);
    }
    r->tolerant = tolerant;
    if (r->failed) {
        connect_assignment_destroy(as);
        return NULL;
    }
    return as;
}

connect_assignment_t *connect_assignment_decode(connect_protocol_t proto, const uint8_t *buf, size_t len, char *errstr,
                                                size_t errstr_size)
{
    reader_t r = {.buf = buf, .len = len, .errstr = errstr, .errstr_size = errstr_size};
    return r_assignment(&r, proto);
}

connect_worker_state_t *connect_metadata_decode(connect_protocol_t proto, const uint8_t *buf, size_t len, char *errstr,
                                                size_t errstr_size)
{
    reader_t r = {.buf = buf, .len = len, .errstr = errstr, .errstr_size = errstr_size};
    connect_worker_state_t *ws = xcalloc(1, sizeof(*ws));
    ws->version = r_version(&r);
    /* CONFIG_STATE is not tolerant: url and config-offset must be there. */
    ws->url = r_string(&r, "url");
    ws->config_offset = (int64_t)r_be(&r, "config-offset", 8);
    if (proto >= CONNECT_PROTOCOL_COMPATIBLE && !r.failed) {
        r.tolerant = true; /* ALLOCATION_V1: a missing allocation is null */
        int32_t n = r_absent(&r) ? -1 : (int32_t)r_be(&r, "allocation", 4);
        if (!r.failed && n >= 0) {
            if ((size_t)n > r_left(&r)) {
                r_fail(&r, "allocation", "Error reading bytes of size %d, only %zu bytes available", n, r_left(&r));
            } else {
                /* The allocation's bytes are a buffer of their own: what
                 * follows the assignment inside them is ignored, and an
                 * error names the allocation. */
                char inner_err[256];
                reader_t inner = {
                    .buf = buf + r.pos, .len = (size_t)n, .errstr = inner_err, .errstr_size = sizeof(inner_err)};
                ws->assignment = r_assignment(&inner, proto);
                if (!ws->assignment) {
                    r_fail(&r, "allocation", "%s", inner_err);
                }
                r.pos += (size_t)n;
            }
        }
    }
    if (r.failed) {
        connect_worker_state_destroy(ws);
        return NULL;
    }
    return ws;
}

void connect_assignment_destroy(connect_assignment_t *as)
{
    if (!as) {
        return;
    }
    free(as->leader);
    free(as->leader_url);
    entries_free(as->assigned, as->n_assigned);
    entries_free(as->revoked, as->n_revoked);
    free(as);
}

void connect_worker_state_destroy(connect_worker_state_t *ws)
{
    if (!ws) {
        return;
    }
    free(ws->url);
    connect_assignment_destroy(ws->assignment);
    free(ws);
}
