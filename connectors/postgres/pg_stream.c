/*
 * pg_stream.c - pgoutput messages to Debezium's records (pg_stream.h).
 *
 * The queue holds items in stream order: a record, or a marker that only
 * says "a transaction ended here" (one whose records were all taken
 * already, or that had none for the captured tables).  An item that ends a
 * transaction carries its end LSN; taking it moves `delivered` there.  For
 * example, with max.batch.size 2 and a transaction T1 of three inserts
 * followed by T2 of one:
 *
 *   I1 I2            queue full: both taken (lsn_proc = before T1)
 *   I3 C1            I3 carries T1's end: taken, delivered = end(T1)
 *   I4 C2            I4 carries T2's end: delivered = end(T2)
 *
 * A Relation message rebuilds the table's schemas (a schema change: the
 * following events carry the new columns), reading the catalog for what
 * pgoutput does not send.
 */
#include "pg_stream.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbz_event.h"
#include "pg_catalog.h"
#include "pg_spool.h"
#include "pg_types.h"
#include "postgres_plugin.h"

#ifndef POSTGRES_PLUGIN_VERSION
#define POSTGRES_PLUGIN_VERSION "0.0.0"
#endif

/* The first OID a database's own objects get (FirstNormalObjectId). */
#define PG_FIRST_USER_OID 16384

/* What a streamed transaction keeps in memory before its spool moves to a
 * temporary file. */
#define STREAM_SPOOL_MEMORY (4u << 20)

typedef struct stream_rel {
    uint32_t relid;
    char *name;         /* "schema.table": Debezium's data collection */
    bool captured;      /* in the table filters */
    dbz_table_t *table; /* captured: the schemas of the last Relation message */
    uint16_t ncols;     /* its columns, to tell a schema change from a Relation message sent again */
} stream_rel_t;

/* A subtransaction of a streamed transaction: where its first change
 * starts in the spool (PostgreSQL's apply worker keeps the same). */
typedef struct stream_sub {
    uint32_t xid;
    uint64_t at;
} stream_sub_t;

/* A transaction the server streams before it commits (protocol 2): its
 * data messages, without their xid, until Stream Commit or Abort. */
typedef struct stream_txn {
    uint32_t xid;
    uint64_t first_lsn; /* of its first Stream Start: where the transaction begins */
    pg_spool_t *spool;  /* NULL: none (an unused stream_txn_t) */
    stream_sub_t *subs;
    size_t nsubs;
} stream_txn_t;

/* provide.transaction.metadata: the events of the transaction being read,
 * per table in the order the tables came. */
typedef struct txn_collection {
    char *name;
    int64_t events;
} txn_collection_t;

typedef struct stream_item {
    cd_record_t *rec;  /* NULL: a marker */
    uint64_t done_lsn; /* the end of the transaction this item ends; 0 */
    uint64_t seq;      /* the transaction it belongs to */
    uint64_t lsn;      /* of the change */
    bool has_txid;
    int64_t txid;
    int64_t ts_us;
} stream_item_t;

struct pg_stream {
    cd_task_t *task;
    const pg_config_t *cfg;
    pgoutput_decoder_t *dec;
    pg_type_registry_t *reg;
    dbz_context_t *ctx;
    stream_rel_t *rels;
    size_t nrels;
    stream_item_t *items; /* items[head..len) queued */
    size_t head, len, cap;
    size_t queued; /* records among them */
    /* The transaction being read. */
    bool in_txn, skipping;
    uint64_t seq; /* bumped by every Begin */
    uint32_t xid;
    int64_t commit_us;
    size_t txn_queued;  /* its records still in the queue (at its tail) */
    uint64_t last_end;  /* end LSN of the last transaction read */
    uint64_t resume;    /* transactions whose commit is before it were delivered before */
    uint64_t delivered; /* pg_stream_delivered */
    /* Protocol 2: the streamed transactions not yet committed or aborted,
     * the one whose block is open (an index; -1 between blocks), and the
     * committed one whose changes are being queued (replay.spool NULL:
     * none), which ends at replay_end. */
    stream_txn_t *streams;
    size_t nstreams;
    long block;
    stream_txn_t replay;
    uint64_t replay_end;
    dbz_datum_t *oldv, *newv;
    size_t ndatums;
    char *heartbeat_topic;
    cd_schema_t *hb_key_schema, *hb_value_schema;
    /* provide.transaction.metadata: BEGIN and END to <topic.prefix>.transaction. */
    char *txn_topic; /* NULL: off */
    cd_schema_t *txn_key_schema, *txn_value_schema, *txn_collection_schema;
    int64_t txn_events;
    txn_collection_t *colls;
    size_t ncolls;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Debezium's schemas of the transaction topic (SchemaFactory
 * transactionKeySchema, transactionValueSchema). */
static void txn_schemas(pg_stream_t *s)
{
    size_t len = strlen(s->cfg->topic_prefix) + sizeof(".transaction");
    s->txn_topic = malloc(len);
    snprintf(s->txn_topic, len, "%s.transaction", s->cfg->topic_prefix);
    s->txn_key_schema = pg_host->schema_struct(false);
    pg_host->schema_set_name(s->txn_key_schema, "io.debezium.connector.common.TransactionMetadataKey");
    pg_host->schema_set_version(s->txn_key_schema, 1);
    pg_host->schema_add_field(s->txn_key_schema, "id", pg_host->schema_new(CD_TYPE_STRING, false));
    s->txn_collection_schema = pg_host->schema_struct(true);
    pg_host->schema_set_name(s->txn_collection_schema, "event.collection");
    pg_host->schema_set_version(s->txn_collection_schema, 1);
    pg_host->schema_add_field(s->txn_collection_schema, "data_collection", pg_host->schema_new(CD_TYPE_STRING, false));
    pg_host->schema_add_field(s->txn_collection_schema, "event_count", pg_host->schema_new(CD_TYPE_INT64, false));
    s->txn_value_schema = pg_host->schema_struct(false);
    pg_host->schema_set_name(s->txn_value_schema, "io.debezium.connector.common.TransactionMetadataValue");
    pg_host->schema_set_version(s->txn_value_schema, 1);
    pg_host->schema_add_field(s->txn_value_schema, "status", pg_host->schema_new(CD_TYPE_STRING, false));
    pg_host->schema_add_field(s->txn_value_schema, "id", pg_host->schema_new(CD_TYPE_STRING, false));
    pg_host->schema_add_field(s->txn_value_schema, "event_count", pg_host->schema_new(CD_TYPE_INT64, true));
    pg_host->schema_add_field(s->txn_value_schema, "data_collections",
                              pg_host->schema_array(pg_host->schema_ref(s->txn_collection_schema), true));
    pg_host->schema_add_field(s->txn_value_schema, "ts_ms", pg_host->schema_new(CD_TYPE_INT64, false));
}

static void txn_collections_clear(pg_stream_t *s)
{
    for (size_t i = 0; i < s->ncolls; i++) {
        free(s->colls[i].name);
    }
    s->ncolls = 0;
    s->txn_events = 0;
}

pg_stream_t *pg_stream_create(cd_task_t *task, const pg_config_t *cfg, uint64_t resume_lsn, char *errbuf, size_t errlen)
{
    pg_stream_t *s = calloc(1, sizeof(*s));
    s->task = task;
    s->cfg = cfg;
    s->reg = pg_type_registry_create();
    /* Protocol 2's decoder reads protocol 1 as well (pg_repl asks for 2
     * only where the server has it). */
    s->dec = pgoutput_decoder_create(2, errbuf, errlen);
    s->block = -1;
    dbz_config_t dc = {.topic_prefix = cfg->topic_prefix,
                       .database = cfg->dbname,
                       .version = POSTGRES_PLUGIN_VERSION,
                       .tombstones_on_delete = cfg->tombstones_on_delete,
                       .types = cfg->types};
    s->ctx = s->dec && s->reg ? dbz_context_create(pg_host, &dc, s->reg, errbuf, errlen) : NULL;
    if (!s->ctx) {
        pg_stream_destroy(s);
        return NULL;
    }
    s->resume = s->last_end = s->delivered = resume_lsn;
    size_t len = strlen(cfg->topic_prefix) + strlen(cfg->heartbeat_topic_prefix) + 2;
    s->heartbeat_topic = malloc(len);
    snprintf(s->heartbeat_topic, len, "%s.%s", cfg->heartbeat_topic_prefix, cfg->topic_prefix);
    s->hb_key_schema = pg_host->schema_struct(false);
    pg_host->schema_set_name(s->hb_key_schema, "io.debezium.connector.common.ServerNameKey");
    pg_host->schema_add_field(s->hb_key_schema, "serverName", pg_host->schema_new(CD_TYPE_STRING, false));
    s->hb_value_schema = pg_host->schema_struct(false);
    pg_host->schema_set_name(s->hb_value_schema, "io.debezium.connector.common.Heartbeat");
    pg_host->schema_add_field(s->hb_value_schema, "ts_ms", pg_host->schema_new(CD_TYPE_INT64, false));
    if (cfg->provide_transaction_metadata) {
        txn_schemas(s);
    }
    return s;
}

static void stream_txn_clear(stream_txn_t *st)
{
    pg_spool_destroy(st->spool);
    free(st->subs);
    memset(st, 0, sizeof(*st));
}

/* Forgets every streamed transaction: the server sends them again. */
static void streams_clear(pg_stream_t *s)
{
    for (size_t i = 0; i < s->nstreams; i++) {
        stream_txn_clear(&s->streams[i]);
    }
    s->nstreams = 0;
    s->block = -1;
    stream_txn_clear(&s->replay);
}

void pg_stream_destroy(pg_stream_t *s)
{
    if (!s) {
        return;
    }
    streams_clear(s);
    free(s->streams);
    for (size_t i = s->head; i < s->len; i++) {
        pg_host->record_free(s->items[i].rec);
    }
    free(s->items);
    for (size_t i = 0; i < s->nrels; i++) {
        dbz_table_destroy(s->rels[i].table);
        free(s->rels[i].name);
    }
    free(s->rels);
    txn_collections_clear(s);
    free(s->colls);
    free(s->txn_topic);
    pg_host->schema_unref(s->txn_key_schema);
    pg_host->schema_unref(s->txn_value_schema);
    pg_host->schema_unref(s->txn_collection_schema);
    dbz_context_destroy(s->ctx);
    pg_type_registry_destroy(s->reg);
    pgoutput_decoder_destroy(s->dec);
    free(s->oldv);
    free(s->newv);
    free(s->heartbeat_topic);
    pg_host->schema_unref(s->hb_key_schema);
    pg_host->schema_unref(s->hb_value_schema);
    free(s);
}

cd_value_t *pg_stream_partition(const pg_stream_t *s)
{
    cd_value_t *map = pg_host->value_map();
    pg_host->value_map_put(map, pg_host->value_string("server", 6),
                           pg_host->value_string(s->cfg->topic_prefix, strlen(s->cfg->topic_prefix)));
    return map;
}

/* The transaction being read has records at the queue's tail. */
static bool tail_is_open(const pg_stream_t *s)
{
    return s->in_txn && s->txn_queued > 0;
}

uint64_t pg_stream_reconnect(pg_stream_t *s)
{
    while (tail_is_open(s)) {
        stream_item_t *it = &s->items[--s->len];
        if (it->rec) {
            pg_host->record_free(it->rec);
            s->queued--;
            s->txn_queued--;
        }
    }
    s->in_txn = s->skipping = false;
    s->txn_queued = 0;
    s->resume = s->last_end;
    streams_clear(s);
    char ignored[64];
    pgoutput_decoder_t *dec = pgoutput_decoder_create(2, ignored, sizeof(ignored));
    if (dec) {
        pgoutput_decoder_destroy(s->dec);
        s->dec = dec;
    }
    return s->last_end;
}

static stream_item_t *queue_push(pg_stream_t *s)
{
    if (s->head > 0 && s->head == s->len) {
        s->head = s->len = 0;
    }
    if (s->len == s->cap) {
        if (s->head > 0) {
            memmove(s->items, s->items + s->head, (s->len - s->head) * sizeof(*s->items));
            s->len -= s->head;
            s->head = 0;
        } else {
            s->cap = s->cap ? 2 * s->cap : 64;
            s->items = realloc(s->items, s->cap * sizeof(*s->items));
        }
    }
    stream_item_t *it = &s->items[s->len++];
    memset(it, 0, sizeof(*it));
    it->seq = s->seq;
    return it;
}

/* The transaction read ends at `end`: its last queued record carries it,
 * or a marker when none of its records is still queued. */
static void queue_end(pg_stream_t *s, uint64_t end)
{
    stream_item_t *it = tail_is_open(s) ? &s->items[s->len - 1] : queue_push(s);
    it->done_lsn = end;
    s->txn_queued = 0;
    if (end > s->last_end) {
        s->last_end = end;
    }
}

/* ---- relations ------------------------------------------------------------------------ */

static stream_rel_t *rel_find(pg_stream_t *s, uint32_t relid, bool add)
{
    for (size_t i = 0; i < s->nrels; i++) {
        if (s->rels[i].relid == relid) {
            return &s->rels[i];
        }
    }
    if (!add) {
        return NULL;
    }
    s->rels = realloc(s->rels, (s->nrels + 1) * sizeof(*s->rels));
    stream_rel_t *r = &s->rels[s->nrels++];
    memset(r, 0, sizeof(*r));
    r->relid = relid;
    return r;
}

/* Describes a Relation message's table for dbz_event: the catalog's
 * nullability and key (or message.key.columns; or, for a table without a
 * primary key whose replica identity is an index, that index's columns),
 * the column filters.  0, -1 (fatal) or -2 (catalog unreachable) after
 * errbuf. */
static int rel_describe(pg_stream_t *s, PGconn *db, const pgoutput_relation_t *rel, char *errbuf, size_t errlen)
{
    stream_rel_t *r = rel_find(s, rel->relid, true);
    bool changed = r->table != NULL && r->ncols != rel->ncols;
    r->ncols = rel->ncols;
    dbz_table_destroy(r->table);
    r->table = NULL;
    size_t nlen = strlen(rel->nspname) + strlen(rel->relname) + 2;
    r->name = realloc(r->name, nlen);
    snprintf(r->name, nlen, "%s.%s", rel->nspname, rel->relname);
    r->captured = pg_config_table_included(s->cfg, rel->nspname, rel->relname);
    if (!r->captured) {
        return 0;
    }
    bool user_types = false;
    for (uint16_t i = 0; i < rel->ncols; i++) {
        user_types = user_types || rel->cols[i].type_oid >= PG_FIRST_USER_OID;
    }
    if (user_types && pg_catalog_types(db, s->reg, errbuf, errlen) < 0) {
        return -2;
    }
    pg_catalog_column_t *cat = NULL;
    size_t ncat = 0;
    if (pg_catalog_columns(db, rel->relid, &cat, &ncat, errbuf, errlen) < 0) {
        return -2;
    }
    const pg_key_columns_t *keys = pg_config_key_columns(s->cfg, rel->nspname, rel->relname);
    dbz_column_t *cols = calloc(rel->ncols ? rel->ncols : 1, sizeof(*cols));
    bool has_pk = false;
    for (uint16_t i = 0; i < rel->ncols; i++) {
        const pgoutput_column_t *c = &rel->cols[i];
        cols[i] = (dbz_column_t){.name = c->name, .type_oid = c->type_oid, .typmod = c->typmod, .optional = true};
        for (size_t k = 0; k < ncat; k++) {
            if (strcmp(cat[k].name, c->name) == 0) {
                cols[i].optional = !cat[k].not_null;
                cols[i].key_position = keys ? 0 : cat[k].pk_position;
            }
        }
        for (size_t k = 0; keys && k < keys->ncols; k++) {
            if (strcmp(keys->cols[k], c->name) == 0) {
                cols[i].key_position = (int)k + 1;
            }
        }
        has_pk = has_pk || cols[i].key_position > 0;
        cols[i].excluded = !pg_config_column_included(s->cfg, rel->nspname, rel->relname, c->name);
    }
    if (!has_pk && !keys && rel->replident == 'i') {
        int pos = 0;
        for (uint16_t i = 0; i < rel->ncols; i++) {
            cols[i].key_position = rel->cols[i].key ? ++pos : 0;
        }
    }
    pg_catalog_columns_free(cat, ncat);
    dbz_relation_t desc = {.schema = rel->nspname, .table = rel->relname, .columns = cols, .ncolumns = rel->ncols};
    char why[512];
    r->table = dbz_table_create(s->ctx, &desc, why, sizeof(why));
    free(cols);
    if (!r->table) {
        snprintf(errbuf, errlen, "table %s.%s cannot be captured: %s", rel->nspname, rel->relname, why);
        return -1;
    }
    pg_host->log(s->task, changed ? CD_LOG_INFO : CD_LOG_DEBUG, "%s %s.%s (%u columns) to topic %s",
                 changed ? "new schema of" : "capturing", rel->nspname, rel->relname, (unsigned)rel->ncols,
                 dbz_table_topic(r->table));
    return 0;
}

int pg_stream_describe(pg_stream_t *s, PGconn *db, const pgoutput_relation_t *rel, dbz_table_t **table, char *errbuf,
                       size_t errlen)
{
    int rc = rel_describe(s, db, rel, errbuf, errlen);
    stream_rel_t *r = rc == 0 ? rel_find(s, rel->relid, false) : NULL;
    *table = r ? r->table : NULL;
    return rc;
}

/* ---- changes -------------------------------------------------------------------------- */

static const dbz_datum_t *datums(pg_stream_t *s, dbz_datum_t **buf, const pgoutput_tuple_t *tup)
{
    if (tup->ncols > s->ndatums) {
        s->ndatums = tup->ncols;
        s->oldv = realloc(s->oldv, s->ndatums * sizeof(*s->oldv));
        s->newv = realloc(s->newv, s->ndatums * sizeof(*s->newv));
    }
    for (uint16_t i = 0; i < tup->ncols; i++) {
        const pgoutput_datum_t *d = &tup->vals[i];
        (*buf)[i] = (dbz_datum_t){.kind = (char)d->kind, .data = (const char *)d->data, .len = d->len};
    }
    return *buf;
}

/* Queues the records of one change of a captured table. */
static int queue_change(pg_stream_t *s, stream_rel_t *r, dbz_op_t op, const pgoutput_msg_t *m, uint64_t lsn,
                        char *errbuf, size_t errlen)
{
    if (strchr(s->cfg->skipped_ops, (char)op)) {
        return 0;
    }
    dbz_source_t src = {.ts_us = s->commit_us,
                        .has_txid = true,
                        .txid = s->xid,
                        .has_lsn = true,
                        .lsn = lsn,
                        .has_last_commit_lsn = s->last_end != 0,
                        .last_commit_lsn = s->last_end};
    dbz_change_t change = {.op = op, .source = &src, .now_ns = now_ns()};
    /* Debezium's transaction block: the id with the change's LSN (as
     * PostgresTransactionMonitor makes it), the event's place in its
     * transaction and among its table's events there. */
    txn_collection_t *coll = NULL;
    char id[48];
    dbz_txn_t txn;
    if (s->txn_topic) {
        for (size_t i = 0; i < s->ncolls && !coll; i++) {
            coll = strcmp(s->colls[i].name, r->name) == 0 ? &s->colls[i] : NULL;
        }
        if (!coll) {
            s->colls = realloc(s->colls, (s->ncolls + 1) * sizeof(*s->colls));
            coll = &s->colls[s->ncolls++];
            *coll = (txn_collection_t){.name = strdup(r->name)};
        }
        snprintf(id, sizeof(id), "%u:%llu", s->xid, (unsigned long long)lsn);
        txn = (dbz_txn_t){.id = id, .total_order = s->txn_events + 1, .data_collection_order = coll->events + 1};
        change.txn = &txn;
    }
    if (op != DBZ_OP_TRUNCATE) {
        if (m->u.change.old_kind) {
            change.old_tuple = datums(s, &s->oldv, &m->u.change.oldtup);
        }
        if (op != DBZ_OP_DELETE) {
            change.new_tuple = datums(s, &s->newv, &m->u.change.newtup);
        }
        /* An unchanged TOASTed value the old row carries (REPLICA IDENTITY
         * FULL) is that value, not the placeholder: Debezium's
         * PostgresChangeRecordEmitter takes it from the old row too. */
        for (uint16_t i = 0; change.old_tuple && change.new_tuple && i < m->u.change.newtup.ncols; i++) {
            if (s->newv[i].kind == 'u' && s->oldv[i].kind != 'n' && s->oldv[i].kind != 'u') {
                s->newv[i] = s->oldv[i];
            }
        }
    }
    dbz_event_t ev[DBZ_EVENTS_MAX];
    size_t n = 0;
    char why[512];
    if (dbz_table_events(r->table, &change, ev, &n, why, sizeof(why)) < 0) {
        const pgoutput_relation_t *rel = pgoutput_decoder_relation(s->dec, r->relid);
        snprintf(errbuf, errlen, "a change of %s.%s at LSN %llX cannot be made into an event: %s",
                 rel ? rel->nspname : "?", rel ? rel->relname : "?", (unsigned long long)lsn, why);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        cd_record_t *rec = pg_host->record_new(s->task);
        pg_host->record_set_topic(rec, ev[i].topic);
        pg_host->record_set_key(rec, ev[i].key_schema, ev[i].key);
        pg_host->record_set_value(rec, ev[i].value_schema, ev[i].value);
        ev[i].key_schema = ev[i].value_schema = NULL;
        ev[i].key = ev[i].value = NULL;
        if (ev[i].header_key) {
            pg_host->record_add_header(rec, ev[i].header_key, ev[i].header_schema, ev[i].header_value);
            ev[i].header_schema = NULL;
            ev[i].header_value = NULL;
        }
        if (coll && pg_host->record_value(rec)) { /* a tombstone is no event of the transaction's */
            s->txn_events++;
            coll->events++;
        }
        dbz_event_clear(pg_host, &ev[i]);
        stream_item_t *it = queue_push(s);
        *it = (stream_item_t){
            .rec = rec, .seq = s->seq, .lsn = lsn, .has_txid = true, .txid = s->xid, .ts_us = s->commit_us};
        s->queued++;
        s->txn_queued++;
    }
    return 0;
}

/* ---- transactions ---------------------------------------------------------------------- */

/* Queues the BEGIN or END record of the transaction being read, at `lsn`
 * (its first change's, or its commit's end, the positions Debezium puts in
 * the id), as TransactionMonitor makes them; END counts its events. */
static void queue_txn_event(pg_stream_t *s, bool end, uint64_t lsn)
{
    char id[48];
    snprintf(id, sizeof(id), "%u:%llu", s->xid, (unsigned long long)lsn);
    cd_value_t *key = pg_host->value_struct(s->txn_key_schema);
    pg_host->value_struct_set(key, "id", pg_host->value_string(id, strlen(id)));
    cd_value_t *value = pg_host->value_struct(s->txn_value_schema);
    const char *status = end ? "END" : "BEGIN";
    pg_host->value_struct_set(value, "status", pg_host->value_string(status, strlen(status)));
    pg_host->value_struct_set(value, "id", pg_host->value_string(id, strlen(id)));
    if (end) {
        pg_host->value_struct_set(value, "event_count", pg_host->value_int(CD_TYPE_INT64, s->txn_events));
        cd_value_t *colls = pg_host->value_array();
        for (size_t i = 0; i < s->ncolls; i++) {
            cd_value_t *c = pg_host->value_struct(s->txn_collection_schema);
            pg_host->value_struct_set(c, "data_collection",
                                      pg_host->value_string(s->colls[i].name, strlen(s->colls[i].name)));
            pg_host->value_struct_set(c, "event_count", pg_host->value_int(CD_TYPE_INT64, s->colls[i].events));
            pg_host->value_array_push(colls, c);
        }
        pg_host->value_struct_set(value, "data_collections", colls);
    }
    int64_t ms = s->commit_us >= 0 ? s->commit_us / 1000 : -((-s->commit_us + 999) / 1000);
    pg_host->value_struct_set(value, "ts_ms", pg_host->value_int(CD_TYPE_INT64, ms));
    cd_record_t *rec = pg_host->record_new(s->task);
    pg_host->record_set_topic(rec, s->txn_topic);
    pg_host->record_set_key(rec, pg_host->schema_ref(s->txn_key_schema), key);
    pg_host->record_set_value(rec, pg_host->schema_ref(s->txn_value_schema), value);
    stream_item_t *it = queue_push(s);
    *it = (stream_item_t){
        .rec = rec, .seq = s->seq, .lsn = lsn, .has_txid = true, .txid = s->xid, .ts_us = s->commit_us};
    s->queued++;
    s->txn_queued++;
}

/* Starts reading a transaction (a Begin, or a streamed transaction's
 * Stream Commit) that begins at first_lsn. */
static void txn_begin(pg_stream_t *s, uint32_t xid, uint64_t first_lsn, uint64_t commit_lsn, int64_t commit_ts)
{
    s->in_txn = true;
    s->seq++;
    s->xid = xid;
    s->commit_us = pgoutput_time_to_unix_us(commit_ts);
    s->txn_queued = 0;
    /* Delivered before a restart: START_REPLICATION skips it already,
     * unless the slot was behind; never twice. */
    s->skipping = commit_lsn < s->resume;
    txn_collections_clear(s);
    if (s->txn_topic && !s->skipping) {
        queue_txn_event(s, false, first_lsn);
    }
}

/* The transaction being read ends at `end_lsn`. */
static void txn_end(pg_stream_t *s, uint64_t end_lsn)
{
    if (s->txn_topic && !s->skipping) {
        queue_txn_event(s, true, end_lsn);
    }
    if (!s->skipping) {
        queue_end(s, end_lsn);
    }
    s->in_txn = s->skipping = false;
}

/* ---- protocol 2: streamed transactions ------------------------------------------------------ */

static long stream_find(const pg_stream_t *s, uint32_t xid)
{
    for (size_t i = 0; i < s->nstreams; i++) {
        if (s->streams[i].xid == xid) {
            return (long)i;
        }
    }
    return -1;
}

/* Takes streamed transaction i out of the list, into *out. */
static void stream_take(pg_stream_t *s, long i, stream_txn_t *out)
{
    *out = s->streams[i];
    s->streams[i] = s->streams[--s->nstreams];
}

static int stream_start(pg_stream_t *s, const pgoutput_msg_t *m, uint64_t lsn, char *errbuf, size_t errlen)
{
    uint32_t xid = m->u.stream_start.xid;
    long i = stream_find(s, xid);
    if (i < 0) {
        if (!m->u.stream_start.first_segment) {
            snprintf(errbuf, errlen,
                     "the server streams more of transaction %u, whose first part this connection never received", xid);
            return -1;
        }
        s->streams = realloc(s->streams, (s->nstreams + 1) * sizeof(*s->streams));
        i = (long)s->nstreams++;
        s->streams[i] = (stream_txn_t){.xid = xid, .first_lsn = lsn, .spool = pg_spool_create(STREAM_SPOOL_MEMORY)};
    }
    s->block = i;
    return 0;
}

/* Keeps a data message of the open block (with `xid`, its transaction's
 * or a subtransaction's) in its transaction's spool, without the xid. */
static int stream_keep(pg_stream_t *s, uint32_t xid, const pgoutput_copydata_t *msg, char *errbuf, size_t errlen)
{
    assert(s->block >= 0);
    stream_txn_t *st = &s->streams[s->block];
    bool known = xid == st->xid;
    for (size_t i = st->nsubs; !known && i > 0; i--) {
        known = st->subs[i - 1].xid == xid;
    }
    if (!known) {
        st->subs = realloc(st->subs, (st->nsubs + 1) * sizeof(*st->subs));
        st->subs[st->nsubs++] = (stream_sub_t){.xid = xid, .at = pg_spool_length(st->spool)};
    }
    uint8_t type = msg->data[0];
    return pg_spool_append(st->spool, msg->wal_start, &type, 1, msg->data + 5, msg->len - 5, errbuf, errlen);
}

/* Stream Abort: the whole transaction, or a subtransaction with what came
 * after its first change (its own subtransactions: a later change of the
 * parent comes only after the abort), as PostgreSQL's apply worker cuts
 * its file. */
static int stream_abort(pg_stream_t *s, const pgoutput_msg_t *m, char *errbuf, size_t errlen)
{
    long i = stream_find(s, m->u.stream_abort.xid);
    if (i < 0) {
        return 0;
    }
    stream_txn_t *st = &s->streams[i];
    if (m->u.stream_abort.subxid == st->xid) {
        stream_txn_t gone;
        stream_take(s, i, &gone);
        stream_txn_clear(&gone);
        return 0;
    }
    for (size_t k = 0; k < st->nsubs; k++) {
        if (st->subs[k].xid == m->u.stream_abort.subxid) {
            st->nsubs = k;
            return pg_spool_truncate(st->spool, st->subs[k].at, errbuf, errlen);
        }
    }
    return 0;
}

/* Stream Commit: the transaction is read from its spool (pg_stream_replay)
 * as if it had just come whole. */
static void stream_commit(pg_stream_t *s, const pgoutput_msg_t *m)
{
    stream_txn_t st = {0};
    long i = stream_find(s, m->u.stream_commit.xid);
    if (i >= 0) {
        stream_take(s, i, &st);
    }
    txn_begin(s, m->u.stream_commit.xid, st.first_lsn, m->u.stream_commit.commit_lsn, m->u.stream_commit.commit_ts);
    if (s->skipping || !st.spool) {
        stream_txn_clear(&st);
        txn_end(s, m->u.stream_commit.end_lsn);
        return;
    }
    pg_host->log(s->task, CD_LOG_DEBUG, "streamed transaction %u committed: %llu bytes kept%s", st.xid,
                 (unsigned long long)pg_spool_length(st.spool), pg_spool_spilled(st.spool) ? " on disk" : "");
    s->replay = st;
    s->replay_end = m->u.stream_commit.end_lsn;
    pg_spool_rewind(s->replay.spool);
}

/* ---- messages -------------------------------------------------------------------------- */

/* Applies one decoded message that came at `lsn`. */
static int apply(pg_stream_t *s, PGconn *db, const pgoutput_msg_t *m, uint64_t lsn, char *errbuf, size_t errlen)
{
    switch (m->type) {
    case PGOUTPUT_MSG_BEGIN:
        txn_begin(s, m->u.begin.xid, lsn, m->u.begin.final_lsn, m->u.begin.commit_ts);
        return 0;
    case PGOUTPUT_MSG_COMMIT:
        txn_end(s, m->u.commit.end_lsn);
        return 0;
    case PGOUTPUT_MSG_RELATION:
        return rel_describe(s, db, m->u.relation.rel, errbuf, errlen);
    case PGOUTPUT_MSG_INSERT:
    case PGOUTPUT_MSG_UPDATE:
    case PGOUTPUT_MSG_DELETE: {
        stream_rel_t *r = s->skipping ? NULL : rel_find(s, m->u.change.rel->relid, false);
        if (!r || !r->table) {
            return 0;
        }
        dbz_op_t op = m->type == PGOUTPUT_MSG_INSERT   ? DBZ_OP_CREATE
                      : m->type == PGOUTPUT_MSG_UPDATE ? DBZ_OP_UPDATE
                                                       : DBZ_OP_DELETE;
        return queue_change(s, r, op, m, lsn, errbuf, errlen);
    }
    case PGOUTPUT_MSG_TRUNCATE:
        for (uint32_t i = 0; !s->skipping && i < m->u.truncate.nrels; i++) {
            stream_rel_t *r = rel_find(s, m->u.truncate.rels[i]->relid, false);
            if (r && r->table && queue_change(s, r, DBZ_OP_TRUNCATE, m, lsn, errbuf, errlen) < 0) {
                return -1;
            }
        }
        return 0;
    case PGOUTPUT_MSG_STREAM_START:
        return stream_start(s, m, lsn, errbuf, errlen);
    case PGOUTPUT_MSG_STREAM_STOP:
        s->block = -1;
        return 0;
    case PGOUTPUT_MSG_STREAM_ABORT:
        return stream_abort(s, m, errbuf, errlen);
    case PGOUTPUT_MSG_STREAM_COMMIT:
        stream_commit(s, m);
        return 0;
    default:
        /* Origin, Type (the catalog is read for the Relation that follows)
         * and logical decoding messages carry no row. */
        return 0;
    }
}

static int decode_apply(pg_stream_t *s, PGconn *db, const uint8_t *data, size_t len, uint64_t lsn, char *errbuf,
                        size_t errlen)
{
    pgoutput_msg_t m;
    char why[512];
    if (pgoutput_decode(s->dec, data, len, &m, why, sizeof(why)) != PGOUTPUT_ERR_OK) {
        char pos[PGOUTPUT_LSN_BUFSIZE];
        snprintf(errbuf, errlen, "cannot decode the pgoutput message at LSN %s: %s", pgoutput_lsn_format(lsn, pos),
                 why);
        return -1;
    }
    return apply(s, db, &m, lsn, errbuf, errlen);
}

int pg_stream_message(pg_stream_t *s, PGconn *db, const pgoutput_copydata_t *msg, char *errbuf, size_t errlen)
{
    assert(!s->replay.spool);
    uint32_t xid;
    if (pgoutput_stream_xid(s->dec, msg->data, msg->len, &xid)) {
        return stream_keep(s, xid, msg, errbuf, errlen);
    }
    return decode_apply(s, db, msg->data, msg->len, msg->wal_start, errbuf, errlen);
}

int pg_stream_replay(pg_stream_t *s, PGconn *db, size_t limit, char *errbuf, size_t errlen)
{
    while (s->replay.spool && s->queued < limit) {
        uint64_t lsn;
        const uint8_t *data;
        size_t len;
        int got = pg_spool_next(s->replay.spool, &lsn, &data, &len, errbuf, errlen);
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            stream_txn_clear(&s->replay);
            txn_end(s, s->replay_end);
            break;
        }
        int rc = decode_apply(s, db, data, len, lsn, errbuf, errlen);
        if (rc < 0) {
            return rc;
        }
    }
    return s->replay.spool ? 1 : 0;
}

bool pg_stream_heartbeat(pg_stream_t *s, uint64_t server_lsn)
{
    if (s->in_txn) {
        return false;
    }
    cd_record_t *rec = pg_host->record_new(s->task);
    pg_host->record_set_topic(rec, s->heartbeat_topic);
    cd_value_t *key = pg_host->value_struct(s->hb_key_schema);
    pg_host->value_struct_set(key, "serverName",
                              pg_host->value_string(s->cfg->topic_prefix, strlen(s->cfg->topic_prefix)));
    pg_host->record_set_key(rec, pg_host->schema_ref(s->hb_key_schema), key);
    int64_t now_us = now_ns() / 1000;
    cd_value_t *value = pg_host->value_struct(s->hb_value_schema);
    pg_host->value_struct_set(value, "ts_ms", pg_host->value_int(CD_TYPE_INT64, now_us / 1000));
    pg_host->record_set_value(rec, pg_host->schema_ref(s->hb_value_schema), value);
    uint64_t at = server_lsn > s->last_end ? server_lsn : s->last_end;
    stream_item_t *it = queue_push(s);
    *it = (stream_item_t){.rec = rec, .done_lsn = at, .seq = s->seq, .lsn = at, .ts_us = now_us};
    s->queued++;
    s->last_end = at;
    return true;
}

size_t pg_stream_queued(const pg_stream_t *s)
{
    return s->queued;
}

size_t pg_stream_ready(const pg_stream_t *s)
{
    return s->queued - (s->in_txn ? s->txn_queued : 0);
}

static cd_value_t *item_offset(const stream_item_t *it, uint64_t lsn_proc)
{
    cd_value_t *off = pg_host->value_map();
    pg_host->value_map_put(off, pg_host->value_string("lsn_proc", 8),
                           pg_host->value_int(CD_TYPE_INT64, (int64_t)lsn_proc));
    pg_host->value_map_put(off, pg_host->value_string("lsn", 3), pg_host->value_int(CD_TYPE_INT64, (int64_t)it->lsn));
    if (it->has_txid) {
        pg_host->value_map_put(off, pg_host->value_string("txId", 4), pg_host->value_int(CD_TYPE_INT64, it->txid));
    }
    pg_host->value_map_put(off, pg_host->value_string("ts_usec", 7), pg_host->value_int(CD_TYPE_INT64, it->ts_us));
    return off;
}

size_t pg_stream_take(pg_stream_t *s, cd_record_t **out, size_t cap, bool all)
{
    size_t n = 0;
    while (s->head < s->len) {
        stream_item_t *it = &s->items[s->head];
        bool open = s->in_txn && it->seq == s->seq && !it->done_lsn;
        if ((open && !all) || (it->rec && n == cap)) {
            break;
        }
        if (it->done_lsn) {
            s->delivered = it->done_lsn;
        }
        if (it->rec) {
            pg_host->record_set_source(it->rec, pg_stream_partition(s), item_offset(it, s->delivered));
            out[n++] = it->rec;
            s->queued--;
            if (open) {
                s->txn_queued--;
            }
        }
        s->head++;
    }
    return n;
}

uint64_t pg_stream_delivered(const pg_stream_t *s)
{
    return s->delivered;
}
