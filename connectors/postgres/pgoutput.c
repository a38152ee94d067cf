/*
 * pgoutput.c - the pgoutput and replication-protocol decoder (pgoutput.h
 * has the formats and the lifetimes).
 *
 * Reading is done through a small cursor with a sticky error: the first
 * short or bad read records what was wrong and at which byte, and every
 * later read returns zero without touching memory, so a decoder reads its
 * fields in wire order and checks once where a value is about to be used
 * (a count before allocating, a relation id before the lookup).  A count is
 * checked against the bytes left, times the smallest size an element can
 * have on the wire, before anything is allocated for it: a hostile count
 * fails as "ends early" instead of asking for gigabytes.
 *
 * State kept between messages is small: the relation and type caches (one
 * open-addressing table each, keyed by OID, never shrinking: a database has
 * as many entries as it has published tables), whether a streamed block is
 * open, and scratch arrays for the tuple values and truncated relations of
 * the current message, grown to the largest message seen.
 */
#include "pgoutput.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2000-01-01 minus 1970-01-01, in µs: 10957 days. */
#define PGOUTPUT_EPOCH_DELTA_US (INT64_C(946684800) * 1000000)

const char *pgoutput_err2name(pgoutput_err_t err)
{
    switch (err) {
#define PGOUTPUT_ERR_NAME(name, code, text) \
    case PGOUTPUT_ERR_##name:               \
        return #name;
        PGOUTPUT_ERR_MAP(PGOUTPUT_ERR_NAME)
#undef PGOUTPUT_ERR_NAME
    }
    return "UNKNOWN";
}

const char *pgoutput_err2str(pgoutput_err_t err)
{
    switch (err) {
#define PGOUTPUT_ERR_TEXT(name, code, text) \
    case PGOUTPUT_ERR_##name:               \
        return text;
        PGOUTPUT_ERR_MAP(PGOUTPUT_ERR_TEXT)
#undef PGOUTPUT_ERR_TEXT
    }
    return "unknown error";
}

/* ---- LSNs and times ---------------------------------------------------- */

char *pgoutput_lsn_format(uint64_t lsn, char buf[PGOUTPUT_LSN_BUFSIZE])
{
    snprintf(buf, PGOUTPUT_LSN_BUFSIZE, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
    return buf;
}

/* Up to 8 hex digits at *p into *half; false if there are none or more. */
static bool lsn_parse_half(const char **p, uint32_t *half)
{
    uint32_t value = 0;
    int digits = 0;
    for (; isxdigit((unsigned char)**p); (*p)++) {
        if (++digits > 8) {
            return false;
        }
        int c = tolower((unsigned char)**p);
        value = (value << 4) | (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    *half = value;
    return digits > 0;
}

bool pgoutput_lsn_parse(const char *text, uint64_t *lsn)
{
    uint32_t hi;
    uint32_t lo;
    const char *p = text;
    if (!lsn_parse_half(&p, &hi) || *p++ != '/' || !lsn_parse_half(&p, &lo) || *p != '\0') {
        return false;
    }
    *lsn = ((uint64_t)hi << 32) | lo;
    return true;
}

int64_t pgoutput_time_to_unix_us(int64_t pg_us)
{
    return pg_us + PGOUTPUT_EPOCH_DELTA_US;
}

int64_t pgoutput_time_from_unix_us(int64_t unix_us)
{
    return unix_us - PGOUTPUT_EPOCH_DELTA_US;
}

/* ---- the cursor --------------------------------------------------------- */

typedef struct rd {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    const char *what; /* the message being read, for errors */
    pgoutput_err_t err;
    char *errstr;
    size_t errstr_size;
} rd_t;

static void rd_init(rd_t *rd, const uint8_t *buf, size_t len, char *errstr, size_t errstr_size)
{
    *rd = (rd_t){.buf = buf, .len = len, .what = "pgoutput", .errstr = errstr, .errstr_size = errstr_size};
    if (errstr && errstr_size > 0) {
        errstr[0] = '\0';
    }
}

/* Records the first error: "<what> message: <detail> at byte <at>". */
__attribute__((format(printf, 4, 5))) static pgoutput_err_t rd_fail(rd_t *rd, pgoutput_err_t err, size_t at,
                                                                    const char *fmt, ...)
{
    if (rd->err != PGOUTPUT_ERR_OK) {
        return rd->err;
    }
    rd->err = err;
    if (rd->errstr && rd->errstr_size > 0) {
        char detail[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        snprintf(rd->errstr, rd->errstr_size, "%s message: %s at byte %zu", rd->what, detail, at);
    }
    return err;
}

static size_t rd_left(const rd_t *rd)
{
    return rd->len - rd->pos;
}

/* True if `n` more bytes are there for `field`; else fails as truncated. */
static bool rd_need(rd_t *rd, size_t n, const char *field)
{
    if (rd->err != PGOUTPUT_ERR_OK) {
        return false;
    }
    if (n > rd_left(rd)) {
        rd_fail(rd, PGOUTPUT_ERR_TRUNCATED, rd->pos, "%s needs %zu bytes, %zu left", field, n, rd_left(rd));
        return false;
    }
    return true;
}

static uint64_t rd_uint(rd_t *rd, size_t width, const char *field)
{
    if (!rd_need(rd, width, field)) {
        return 0;
    }
    uint64_t value = 0;
    for (size_t i = 0; i < width; i++) {
        value = (value << 8) | rd->buf[rd->pos + i];
    }
    rd->pos += width;
    return value;
}

static uint8_t rd_u8(rd_t *rd, const char *field)
{
    return (uint8_t)rd_uint(rd, 1, field);
}

static uint16_t rd_u16(rd_t *rd, const char *field)
{
    return (uint16_t)rd_uint(rd, 2, field);
}

static uint32_t rd_u32(rd_t *rd, const char *field)
{
    return (uint32_t)rd_uint(rd, 4, field);
}

static uint64_t rd_u64(rd_t *rd, const char *field)
{
    return rd_uint(rd, 8, field);
}

/* Int32 lengths and counts are signed on the wire: negative ones fail. */
static uint32_t rd_len32(rd_t *rd, const char *field)
{
    size_t at = rd->pos;
    uint32_t u = rd_u32(rd, field);
    if (u > INT32_MAX) {
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, at, "%s is negative (%d)", field, (int32_t)u);
        return 0;
    }
    return u;
}

/* A NUL-terminated string, borrowed from the buffer; "" after an error. */
static const char *rd_str(rd_t *rd, const char *field)
{
    if (rd->err != PGOUTPUT_ERR_OK) {
        return "";
    }
    const uint8_t *nul = memchr(rd->buf + rd->pos, '\0', rd_left(rd));
    if (!nul) {
        rd_fail(rd, PGOUTPUT_ERR_TRUNCATED, rd->pos, "%s has no terminating NUL in the %zu bytes left", field,
                rd_left(rd));
        return "";
    }
    const char *s = (const char *)rd->buf + rd->pos;
    rd->pos = (size_t)(nul - rd->buf) + 1;
    return s;
}

/* A namespace string: pgoutput sends pg_catalog as "". */
static const char *rd_nspname(rd_t *rd, const char *field)
{
    const char *s = rd_str(rd, field);
    return s[0] == '\0' ? "pg_catalog" : s;
}

/* `n` raw bytes, borrowed; NULL after an error. */
static const uint8_t *rd_bytes(rd_t *rd, size_t n, const char *field)
{
    if (!rd_need(rd, n, field)) {
        return NULL;
    }
    const uint8_t *p = rd->buf + rd->pos;
    rd->pos += n;
    return p;
}

/* Fails if anything follows the message. */
static pgoutput_err_t rd_end(rd_t *rd)
{
    if (rd->err == PGOUTPUT_ERR_OK && rd_left(rd) > 0) {
        return rd_fail(rd, PGOUTPUT_ERR_MALFORMED, rd->pos, "%zu bytes left over after the message", rd_left(rd));
    }
    return rd->err;
}

/* A type byte for an error message: 'x' or 0x1f. */
static const char *byte_show(uint8_t b, char out[8])
{
    if (isprint(b)) {
        snprintf(out, 8, "'%c'", b);
    } else {
        snprintf(out, 8, "0x%02x", b);
    }
    return out;
}

/* ---- CopyData ----------------------------------------------------------- */

/* 'w' and 'k' without their type byte. */
#define XLOGDATA_HEADER_SIZE 24
#define KEEPALIVE_SIZE 17

pgoutput_err_t pgoutput_copydata_decode(const uint8_t *buf, size_t len, pgoutput_copydata_t *cd, char *errstr,
                                        size_t errstr_size)
{
    rd_t rd;
    rd_init(&rd, buf, len, errstr, errstr_size);
    rd.what = "CopyData";
    *cd = (pgoutput_copydata_t){0};
    uint8_t type = rd_u8(&rd, "the type byte");
    char shown[8];
    switch (type) {
    case 'w':
        rd.what = "XLogData";
        cd->type = 'w';
        cd->wal_start = rd_u64(&rd, "walStart");
        cd->wal_end = rd_u64(&rd, "walEnd");
        cd->send_time = (int64_t)rd_u64(&rd, "sendTime");
        if (rd.err == PGOUTPUT_ERR_OK) {
            cd->data = buf + rd.pos;
            cd->len = rd_left(&rd);
            rd.pos = rd.len;
        }
        break;
    case 'k':
        rd.what = "keepalive";
        cd->type = 'k';
        cd->wal_end = rd_u64(&rd, "walEnd");
        cd->send_time = (int64_t)rd_u64(&rd, "sendTime");
        cd->reply_requested = rd_u8(&rd, "replyRequested") != 0;
        break;
    default:
        if (rd.err == PGOUTPUT_ERR_OK) {
            rd_fail(&rd, PGOUTPUT_ERR_UNKNOWN_MESSAGE, 0, "unknown type %s (expected 'w' or 'k')",
                    byte_show(type, shown));
        }
        break;
    }
    pgoutput_err_t err = rd_end(&rd);
    if (err != PGOUTPUT_ERR_OK) {
        *cd = (pgoutput_copydata_t){0};
    }
    return err;
}

static uint8_t *put_u64(uint8_t *p, uint64_t value)
{
    for (int shift = 56; shift >= 0; shift -= 8) {
        *p++ = (uint8_t)(value >> shift);
    }
    return p;
}

size_t pgoutput_standby_status_encode(uint8_t out[PGOUTPUT_STANDBY_STATUS_SIZE], uint64_t write_lsn, uint64_t flush_lsn,
                                      uint64_t apply_lsn, int64_t clock, bool reply_requested)
{
    uint8_t *p = out;
    *p++ = 'r';
    p = put_u64(p, write_lsn);
    p = put_u64(p, flush_lsn);
    p = put_u64(p, apply_lsn);
    p = put_u64(p, (uint64_t)clock);
    *p++ = reply_requested ? 1 : 0;
    return (size_t)(p - out);
}

/* ---- the caches ---------------------------------------------------------- */

/* OID -> heap entry; linear probing, at most half full.  OID 0 is
 * InvalidOid, never a relation or type, so it marks an empty slot. */
typedef struct oid_map {
    uint32_t *keys;
    void **vals;
    size_t cap; /* 0 or a power of two */
    size_t count;
} oid_map_t;

static size_t oid_map_slot(const oid_map_t *map, uint32_t key)
{
    size_t mask = map->cap - 1;
    size_t i = (size_t)(key * UINT32_C(2654435761)) & mask;
    while (map->keys[i] != 0 && map->keys[i] != key) {
        i = (i + 1) & mask;
    }
    return i;
}

static void *oid_map_get(const oid_map_t *map, uint32_t key)
{
    if (map->cap == 0 || key == 0) {
        return NULL;
    }
    size_t i = oid_map_slot(map, key);
    return map->keys[i] == key ? map->vals[i] : NULL;
}

/* Makes room for one more key; false if out of memory (map unchanged). */
static bool oid_map_reserve(oid_map_t *map)
{
    if ((map->count + 1) * 2 <= map->cap) {
        return true;
    }
    size_t cap = map->cap ? map->cap * 2 : 16;
    oid_map_t grown = {.keys = calloc(cap, sizeof(*grown.keys)), .vals = calloc(cap, sizeof(*grown.vals)), .cap = cap};
    if (!grown.keys || !grown.vals) {
        free(grown.keys);
        free(grown.vals);
        return false;
    }
    for (size_t i = 0; i < map->cap; i++) {
        if (map->keys[i] != 0) {
            size_t j = oid_map_slot(&grown, map->keys[i]);
            grown.keys[j] = map->keys[i];
            grown.vals[j] = map->vals[i];
        }
    }
    grown.count = map->count;
    free(map->keys);
    free(map->vals);
    *map = grown;
    return true;
}

/* Stores val under key (room reserved, key not 0); returns the entry it
 * replaced, or NULL. */
static void *oid_map_put(oid_map_t *map, uint32_t key, void *val)
{
    size_t i = oid_map_slot(map, key);
    void *old = map->keys[i] == key ? map->vals[i] : NULL;
    if (map->keys[i] != key) {
        map->keys[i] = key;
        map->count++;
    }
    map->vals[i] = val;
    return old;
}

/* Frees the map and every entry in it. */
static void oid_map_free(oid_map_t *map)
{
    for (size_t i = 0; i < map->cap; i++) {
        free(map->vals[i]);
    }
    free(map->keys);
    free(map->vals);
    *map = (oid_map_t){0};
}

/* ---- the decoder ----------------------------------------------------------- */

struct pgoutput_decoder {
    int proto_version;
    bool in_stream;
    uint32_t relation_version;
    oid_map_t relations; /* relid -> pgoutput_relation_t, one block each */
    oid_map_t types;     /* oid -> pgoutput_type_t, one block each */
    /* Scratch for the current message, reused. */
    pgoutput_datum_t *vals[2]; /* the old and new tuple */
    size_t vals_cap[2];
    pgoutput_column_t *cols; /* a Relation message's columns before they are copied */
    size_t cols_cap;
    const pgoutput_relation_t **rels; /* a Truncate's relations */
    size_t rels_cap;
};

pgoutput_decoder_t *pgoutput_decoder_create(int proto_version, char *errstr, size_t errstr_size)
{
    if (proto_version != 1 && proto_version != 2) {
        snprintf(errstr, errstr_size, "pgoutput protocol version %d is not supported: use 1 or 2", proto_version);
        return NULL;
    }
    pgoutput_decoder_t *dec = calloc(1, sizeof(*dec));
    if (!dec) {
        snprintf(errstr, errstr_size, "out of memory creating a pgoutput decoder");
        return NULL;
    }
    dec->proto_version = proto_version;
    return dec;
}

void pgoutput_decoder_destroy(pgoutput_decoder_t *dec)
{
    if (!dec) {
        return;
    }
    oid_map_free(&dec->relations);
    oid_map_free(&dec->types);
    free(dec->vals[0]);
    free(dec->vals[1]);
    free(dec->cols);
    free(dec->rels);
    free(dec);
}

const pgoutput_relation_t *pgoutput_decoder_relation(const pgoutput_decoder_t *dec, uint32_t relid)
{
    return oid_map_get(&dec->relations, relid);
}

const pgoutput_type_t *pgoutput_decoder_type(const pgoutput_decoder_t *dec, uint32_t oid)
{
    return oid_map_get(&dec->types, oid);
}

bool pgoutput_decoder_in_stream(const pgoutput_decoder_t *dec)
{
    return dec->in_stream;
}

/* The messages that carry an xid inside a streamed block. */
static bool carries_xid(uint8_t type)
{
    return type == 'R' || type == 'Y' || type == 'I' || type == 'U' || type == 'D' || type == 'T' || type == 'M';
}

bool pgoutput_stream_xid(const pgoutput_decoder_t *dec, const uint8_t *buf, size_t len, uint32_t *xid)
{
    if (!dec->in_stream || len < 5 || !carries_xid(buf[0])) {
        return false;
    }
    *xid = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 | buf[4];
    return true;
}

/* The docs' name of a type byte, or NULL if it is not one of v1 and v2. */
static const char *msg_type_name(uint8_t type)
{
    switch ((pgoutput_msg_type_t)type) {
    case PGOUTPUT_MSG_BEGIN:
        return "Begin";
    case PGOUTPUT_MSG_COMMIT:
        return "Commit";
    case PGOUTPUT_MSG_ORIGIN:
        return "Origin";
    case PGOUTPUT_MSG_RELATION:
        return "Relation";
    case PGOUTPUT_MSG_TYPE:
        return "Type";
    case PGOUTPUT_MSG_INSERT:
        return "Insert";
    case PGOUTPUT_MSG_UPDATE:
        return "Update";
    case PGOUTPUT_MSG_DELETE:
        return "Delete";
    case PGOUTPUT_MSG_TRUNCATE:
        return "Truncate";
    case PGOUTPUT_MSG_MESSAGE:
        return "Message";
    case PGOUTPUT_MSG_STREAM_START:
        return "Stream Start";
    case PGOUTPUT_MSG_STREAM_STOP:
        return "Stream Stop";
    case PGOUTPUT_MSG_STREAM_COMMIT:
        return "Stream Commit";
    case PGOUTPUT_MSG_STREAM_ABORT:
        return "Stream Abort";
    }
    return NULL;
}

const char *pgoutput_msg_type_name(pgoutput_msg_type_t type)
{
    const char *name = msg_type_name((uint8_t)type);
    return name ? name : "unknown";
}

/* Grows a scratch array to hold n elements; false if out of memory. */
static bool scratch_reserve(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap) {
        return true;
    }
    size_t want = *cap ? *cap : 16;
    while (want < n) {
        want *= 2;
    }
    void *grown = realloc(*arr, want * size);
    if (!grown) {
        return false;
    }
    *arr = grown;
    *cap = want;
    return true;
}

/* The relation a data message names, or a failure. */
static const pgoutput_relation_t *decode_relid(pgoutput_decoder_t *dec, rd_t *rd)
{
    size_t at = rd->pos;
    uint32_t relid = rd_u32(rd, "relation id");
    if (rd->err != PGOUTPUT_ERR_OK) {
        return NULL;
    }
    const pgoutput_relation_t *rel = oid_map_get(&dec->relations, relid);
    if (!rel) {
        rd_fail(rd, PGOUTPUT_ERR_UNKNOWN_RELATION, at, "relation id %u has had no Relation message", relid);
    }
    return rel;
}

/* TupleData into scratch array `which` (0 old, 1 new): Int16 count, then per
 * value a kind byte and, for 't' and 'b', an Int32 length and the bytes. */
static void decode_tuple(pgoutput_decoder_t *dec, rd_t *rd, const pgoutput_relation_t *rel, int which,
                         pgoutput_tuple_t *tup)
{
    size_t at = rd->pos;
    uint16_t ncols = rd_u16(rd, "tuple value count");
    if (rd->err != PGOUTPUT_ERR_OK) {
        return;
    }
    if (ncols != rel->ncols) {
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, at, "tuple has %u values but relation %s.%s (%u) has %u columns", ncols,
                rel->nspname, rel->relname, rel->relid, rel->ncols);
        return;
    }
    /* Each value is at least its kind byte. */
    if (!rd_need(rd, ncols, "tuple values")) {
        return;
    }
    if (!scratch_reserve((void **)&dec->vals[which], &dec->vals_cap[which], ncols, sizeof(pgoutput_datum_t))) {
        rd_fail(rd, PGOUTPUT_ERR_NOMEM, at, "no memory for %u tuple values", ncols);
        return;
    }
    pgoutput_datum_t *vals = dec->vals[which];
    for (uint16_t i = 0; i < ncols && rd->err == PGOUTPUT_ERR_OK; i++) {
        size_t kind_at = rd->pos;
        uint8_t kind = rd_u8(rd, "tuple value kind");
        vals[i] = (pgoutput_datum_t){.kind = (pgoutput_datum_kind_t)kind};
        switch (kind) {
        case PGOUTPUT_DATUM_NULL:
        case PGOUTPUT_DATUM_UNCHANGED:
            break;
        case PGOUTPUT_DATUM_TEXT:
        case PGOUTPUT_DATUM_BINARY:
            vals[i].len = rd_len32(rd, "value length");
            vals[i].data = rd_bytes(rd, vals[i].len, "value");
            break;
        default: {
            char shown[8];
            rd_fail(rd, PGOUTPUT_ERR_MALFORMED, kind_at, "value %u of %s.%s has unknown kind %s", i, rel->nspname,
                    rel->relname, byte_show(kind, shown));
            break;
        }
        }
    }
    tup->ncols = ncols;
    tup->vals = vals;
}

/* Relation: Int32 relid, String namespace, String relname, Int8 replica
 * identity, Int16 ncols, then per column Int8 flags, String name, Int32
 * type OID, Int32 atttypmod.  Parsed whole before the cache changes. */
static void decode_relation(pgoutput_decoder_t *dec, rd_t *rd, pgoutput_msg_t *msg)
{
    size_t at = rd->pos;
    uint32_t relid = rd_u32(rd, "relation id");
    const char *nspname = rd_nspname(rd, "namespace");
    const char *relname = rd_str(rd, "relation name");
    size_t replident_at = rd->pos;
    uint8_t replident = rd_u8(rd, "replica identity");
    uint16_t ncols = rd_u16(rd, "column count");
    if (rd->err != PGOUTPUT_ERR_OK) {
        return;
    }
    if (relid == 0) {
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, at, "relation id is 0 (InvalidOid)");
        return;
    }
    if (replident != 'd' && replident != 'n' && replident != 'f' && replident != 'i') {
        char shown[8];
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, replident_at, "replica identity %s is not one of d, n, f, i",
                byte_show(replident, shown));
        return;
    }
    /* A column is at least its flags, an empty name's NUL, OID and typmod. */
    if (!rd_need(rd, (size_t)ncols * 10, "columns")) {
        return;
    }
    if (!scratch_reserve((void **)&dec->cols, &dec->cols_cap, ncols, sizeof(pgoutput_column_t))) {
        rd_fail(rd, PGOUTPUT_ERR_NOMEM, at, "no memory for %u columns", ncols);
        return;
    }
    size_t strings = strlen(nspname) + 1 + strlen(relname) + 1;
    for (uint16_t i = 0; i < ncols; i++) {
        pgoutput_column_t *col = &dec->cols[i];
        col->key = (rd_u8(rd, "column flags") & 1) != 0;
        col->name = rd_str(rd, "column name");
        col->type_oid = rd_u32(rd, "column type OID");
        col->typmod = (int32_t)rd_u32(rd, "column atttypmod");
        strings += strlen(col->name) + 1;
    }
    if (rd_end(rd) != PGOUTPUT_ERR_OK) {
        return;
    }

    /* One block: the relation, its columns, then the strings. */
    size_t cols_size = (size_t)ncols * sizeof(pgoutput_column_t);
    pgoutput_relation_t *rel = malloc(sizeof(*rel) + cols_size + strings);
    if (!rel || !oid_map_reserve(&dec->relations)) {
        free(rel);
        rd_fail(rd, PGOUTPUT_ERR_NOMEM, at, "no memory to cache relation %s.%s", nspname, relname);
        return;
    }
    pgoutput_column_t *cols = (pgoutput_column_t *)(rel + 1);
    char *text = (char *)cols + cols_size;
    rel->relid = relid;
    rel->version = ++dec->relation_version;
    rel->replident = (char)replident;
    rel->ncols = ncols;
    rel->cols = cols;
    rel->nspname = text;
    text = stpcpy(text, nspname) + 1;
    rel->relname = text;
    text = stpcpy(text, relname) + 1;
    for (uint16_t i = 0; i < ncols; i++) {
        cols[i] = dec->cols[i];
        cols[i].name = text;
        text = stpcpy(text, dec->cols[i].name) + 1;
    }
    free(oid_map_put(&dec->relations, relid, rel));
    msg->u.relation.rel = rel;
}

/* Type: Int32 OID, String namespace, String name. */
static void decode_type(pgoutput_decoder_t *dec, rd_t *rd, pgoutput_msg_t *msg)
{
    size_t at = rd->pos;
    uint32_t oid = rd_u32(rd, "type OID");
    const char *nspname = rd_nspname(rd, "namespace");
    const char *name = rd_str(rd, "type name");
    if (rd_end(rd) != PGOUTPUT_ERR_OK) {
        return;
    }
    if (oid == 0) {
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, at, "type OID is 0 (InvalidOid)");
        return;
    }
    size_t nsp_size = strlen(nspname) + 1;
    pgoutput_type_t *type = malloc(sizeof(*type) + nsp_size + strlen(name) + 1);
    if (!type || !oid_map_reserve(&dec->types)) {
        free(type);
        rd_fail(rd, PGOUTPUT_ERR_NOMEM, at, "no memory to cache type %s.%s", nspname, name);
        return;
    }
    char *text = (char *)(type + 1);
    type->oid = oid;
    type->nspname = memcpy(text, nspname, nsp_size);
    type->name = strcpy(text + nsp_size, name);
    free(oid_map_put(&dec->types, oid, type));
    msg->u.type.type = type;
}

/* Insert: relid, 'N', TupleData.  Update: relid, optional 'K' or 'O' and
 * TupleData, then 'N' and TupleData.  Delete: relid, 'K' or 'O', TupleData. */
static void decode_change(pgoutput_decoder_t *dec, rd_t *rd, pgoutput_msg_t *msg)
{
    const pgoutput_relation_t *rel = decode_relid(dec, rd);
    if (!rel) {
        return;
    }
    msg->u.change.rel = rel;
    size_t at = rd->pos;
    uint8_t marker = rd_u8(rd, "tuple marker");
    if (rd->err != PGOUTPUT_ERR_OK) {
        return;
    }
    bool old_allowed = msg->type != PGOUTPUT_MSG_INSERT;
    bool new_allowed = msg->type != PGOUTPUT_MSG_DELETE;
    if (old_allowed && (marker == 'K' || marker == 'O')) {
        msg->u.change.old_kind = (char)marker;
        decode_tuple(dec, rd, rel, 0, &msg->u.change.oldtup);
        if (!new_allowed) {
            rd_end(rd);
            return;
        }
        at = rd->pos;
        marker = rd_u8(rd, "tuple marker");
        if (rd->err != PGOUTPUT_ERR_OK) {
            return;
        }
    }
    if (!new_allowed || marker != 'N') {
        char shown[8];
        const char *expected = msg->type == PGOUTPUT_MSG_INSERT   ? "'N'"
                               : msg->type == PGOUTPUT_MSG_DELETE ? "'K' or 'O'"
                               : msg->u.change.old_kind != 0      ? "'N'"
                                                                  : "'K', 'O' or 'N'";
        rd_fail(rd, PGOUTPUT_ERR_MALFORMED, at, "tuple marker %s, expected %s", byte_show(marker, shown), expected);
        return;
    }
    decode_tuple(dec, rd, rel, 1, &msg->u.change.newtup);
    rd_end(rd);
}

/* Truncate: Int32 nrels, Int8 options, Int32 relid per relation. */
static void decode_truncate(pgoutput_decoder_t *dec, rd_t *rd, pgoutput_msg_t *msg)
{
    size_t at = rd->pos;
    uint32_t nrels = rd_len32(rd, "relation count");
    uint8_t options = rd_u8(rd, "options");
    if (!rd_need(rd, (size_t)nrels * 4, "relation ids")) {
        return;
    }
    if (!scratch_reserve((void **)&dec->rels, &dec->rels_cap, nrels, sizeof(*dec->rels))) {
        rd_fail(rd, PGOUTPUT_ERR_NOMEM, at, "no memory for %u relations", nrels);
        return;
    }
    for (uint32_t i = 0; i < nrels && rd->err == PGOUTPUT_ERR_OK; i++) {
        dec->rels[i] = decode_relid(dec, rd);
    }
    msg->u.truncate.options = options;
    msg->u.truncate.cascade = (options & 1) != 0;
    msg->u.truncate.restart_identity = (options & 2) != 0;
    msg->u.truncate.nrels = nrels;
    msg->u.truncate.rels = dec->rels;
    rd_end(rd);
}

/* Message: Int8 flags, Int64 lsn, String prefix, Int32 length, the bytes. */
static void decode_message(rd_t *rd, pgoutput_msg_t *msg)
{
    msg->u.message.flags = rd_u8(rd, "flags");
    msg->u.message.transactional = (msg->u.message.flags & 1) != 0;
    msg->u.message.lsn = rd_u64(rd, "LSN");
    msg->u.message.prefix = rd_str(rd, "prefix");
    msg->u.message.len = rd_len32(rd, "content length");
    msg->u.message.content = rd_bytes(rd, msg->u.message.len, "content");
    rd_end(rd);
}

/* Whether a message type may come now: stream messages need v2, and the
 * transaction boundaries do not nest inside a streamed block. */
static void check_sequence(pgoutput_decoder_t *dec, rd_t *rd, uint8_t type)
{
    bool stream_only = type == 'S' || type == 'E' || type == 'c' || type == 'A';
    if (stream_only && dec->proto_version < 2) {
        rd_fail(rd, PGOUTPUT_ERR_UNKNOWN_MESSAGE, 0, "needs protocol version 2; this decoder speaks version %d",
                dec->proto_version);
        return;
    }
    bool outside_only = type == 'B' || type == 'C' || type == 'S' || type == 'c' || type == 'A';
    if (dec->in_stream && outside_only) {
        rd_fail(rd, PGOUTPUT_ERR_SEQUENCE, 0, "inside a streamed block (after Stream Start, before Stream Stop)");
    } else if (!dec->in_stream && type == 'E') {
        rd_fail(rd, PGOUTPUT_ERR_SEQUENCE, 0, "outside a streamed block (no Stream Start before it)");
    }
}

pgoutput_err_t pgoutput_decode(pgoutput_decoder_t *dec, const uint8_t *buf, size_t len, pgoutput_msg_t *msg,
                               char *errstr, size_t errstr_size)
{
    rd_t rd;
    rd_init(&rd, buf, len, errstr, errstr_size);
    *msg = (pgoutput_msg_t){0};
    if (len == 0) {
        return rd_fail(&rd, PGOUTPUT_ERR_TRUNCATED, 0, "empty, no type byte");
    }
    uint8_t type = rd_u8(&rd, "the type byte");
    msg->type = (pgoutput_msg_type_t)type;
    rd.what = msg_type_name(type);
    if (!rd.what) {
        char shown[8];
        rd.what = "pgoutput";
        /* Version 3's two-phase messages are named, so the cause is plain. */
        bool two_phase = type == 'b' || type == 'P' || type == 'K' || type == 'r' || type == 'p';
        rd_fail(&rd, PGOUTPUT_ERR_UNKNOWN_MESSAGE, 0, "unknown type %s%s", byte_show(type, shown),
                two_phase ? " (a two-phase message of protocol version 3, which this decoder does not speak)" : "");
        *msg = (pgoutput_msg_t){0};
        return rd.err;
    }
    check_sequence(dec, &rd, type);
    if (rd.err != PGOUTPUT_ERR_OK) {
        *msg = (pgoutput_msg_t){0};
        return rd.err;
    }

    if (dec->in_stream && carries_xid(type)) {
        msg->xid = rd_u32(&rd, "xid");
    }
    switch (msg->type) {
    case PGOUTPUT_MSG_BEGIN:
        msg->u.begin.final_lsn = rd_u64(&rd, "final LSN");
        msg->u.begin.commit_ts = (int64_t)rd_u64(&rd, "commit timestamp");
        msg->u.begin.xid = rd_u32(&rd, "xid");
        rd_end(&rd);
        break;
    case PGOUTPUT_MSG_COMMIT:
        msg->u.commit.flags = rd_u8(&rd, "flags");
        msg->u.commit.commit_lsn = rd_u64(&rd, "commit LSN");
        msg->u.commit.end_lsn = rd_u64(&rd, "end LSN");
        msg->u.commit.commit_ts = (int64_t)rd_u64(&rd, "commit timestamp");
        rd_end(&rd);
        break;
    case PGOUTPUT_MSG_ORIGIN:
        msg->u.origin.commit_lsn = rd_u64(&rd, "origin commit LSN");
        msg->u.origin.name = rd_str(&rd, "origin name");
        rd_end(&rd);
        break;
    case PGOUTPUT_MSG_RELATION:
        decode_relation(dec, &rd, msg);
        break;
    case PGOUTPUT_MSG_TYPE:
        decode_type(dec, &rd, msg);
        break;
    case PGOUTPUT_MSG_INSERT:
    case PGOUTPUT_MSG_UPDATE:
    case PGOUTPUT_MSG_DELETE:
        decode_change(dec, &rd, msg);
        break;
    case PGOUTPUT_MSG_TRUNCATE:
        decode_truncate(dec, &rd, msg);
        break;
    case PGOUTPUT_MSG_MESSAGE:
        decode_message(&rd, msg);
        break;
    case PGOUTPUT_MSG_STREAM_START:
        msg->u.stream_start.xid = rd_u32(&rd, "xid");
        msg->u.stream_start.first_segment = rd_u8(&rd, "first segment flag") == 1;
        if (rd_end(&rd) == PGOUTPUT_ERR_OK) {
            dec->in_stream = true;
        }
        break;
    case PGOUTPUT_MSG_STREAM_STOP:
        if (rd_end(&rd) == PGOUTPUT_ERR_OK) {
            dec->in_stream = false;
        }
        break;
    case PGOUTPUT_MSG_STREAM_COMMIT:
        msg->u.stream_commit.xid = rd_u32(&rd, "xid");
        msg->u.stream_commit.flags = rd_u8(&rd, "flags");
        msg->u.stream_commit.commit_lsn = rd_u64(&rd, "commit LSN");
        msg->u.stream_commit.end_lsn = rd_u64(&rd, "end LSN");
        msg->u.stream_commit.commit_ts = (int64_t)rd_u64(&rd, "commit timestamp");
        rd_end(&rd);
        break;
    case PGOUTPUT_MSG_STREAM_ABORT:
        msg->u.stream_abort.xid = rd_u32(&rd, "xid");
        msg->u.stream_abort.subxid = rd_u32(&rd, "subtransaction xid");
        rd_end(&rd);
        break;
    }
    if (rd.err != PGOUTPUT_ERR_OK) {
        *msg = (pgoutput_msg_t){0};
    }
    return rd.err;
}
