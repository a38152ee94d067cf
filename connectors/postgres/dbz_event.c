/*
 * dbz_event.c - Debezium's change events for PostgreSQL rows (dbz_event.h).
 *
 * The layout follows debezium-connector-common's SchemaFactory and
 * Envelope and debezium-connector-postgres's PostgresSourceInfoStructMaker,
 * in the field order Debezium 3.1 writes, e.g. a row of the tutorial's
 * inventory.customers updated under REPLICA IDENTITY FULL (JsonConverter,
 * schema abridged):
 *
 *   {"before":{"id":1006,...,"email":"liam2@example.com"},
 *    "after":{"id":1006,...,"email":"liam3@example.com"},
 *    "source":{"version":"3.1.3.Final","connector":"postgresql","name":"dbserver1",
 *              "ts_ms":1766925059528,"snapshot":"false","db":"postgres",
 *              "sequence":"[\"34389280\",\"34389336\"]","ts_us":1766925059528750,
 *              "ts_ns":1766925059528750000,"schema":"inventory","table":"customers",
 *              "txId":779,"lsn":34389336,"xmin":null},
 *    "transaction":null,"op":"u","ts_ms":1766925059873,"ts_us":...,"ts_ns":...}
 *
 * A column that is null in a tuple but not optional in the schema (the
 * old row of a DEFAULT replica identity carries only the key) gets the
 * type's fallback value, as Debezium's JdbcValueConverters.convertValue.
 */
#include "dbz_event.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SnapshotRecord's values, lower case, in their declaration order. */
static const char snapshot_allowed[] =
    "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

struct dbz_context {
    const cd_host_api_t *host;
    char *topic_prefix, *database, *version;
    bool tombstones_on_delete;
    pg_types_config_t types;
    const pg_type_registry_t *registry;
    cd_schema_t *source_schema; /* io.debezium.connector.postgresql.Source */
    cd_schema_t *txn_schema;    /* event.block */
};

typedef struct table_column {
    char *name;
    pg_type_t type;
    bool mapped;   /* Debezium has a mapping for the type */
    bool in_value; /* mapped and not excluded */
    bool optional;
    cd_schema_t *schema; /* the field's, when mapped */
} table_column_t;

struct dbz_table {
    dbz_context_t *ctx;
    char *topic, *schema, *table;
    table_column_t *columns;
    size_t ncolumns;
    size_t *key; /* column indexes in key order */
    size_t nkey;
    size_t *value; /* column indexes of the row's fields */
    size_t nvalue;
    cd_schema_t *key_schema; /* NULL without key columns */
    cd_schema_t *value_schema, *envelope_schema;
};

/* ---- the context ------------------------------------------------------------------ */

static cd_schema_t *source_schema_build(const cd_host_api_t *host)
{
    static const struct {
        const char *name;
        cd_type_t type;
        bool optional;
    } fields[] = {
        {"version", CD_TYPE_STRING, false}, {"connector", CD_TYPE_STRING, false}, {"name", CD_TYPE_STRING, false},
        {"ts_ms", CD_TYPE_INT64, false},    {"snapshot", CD_TYPE_STRING, true},   {"db", CD_TYPE_STRING, false},
        {"sequence", CD_TYPE_STRING, true}, {"ts_us", CD_TYPE_INT64, true},       {"ts_ns", CD_TYPE_INT64, true},
        {"schema", CD_TYPE_STRING, false},  {"table", CD_TYPE_STRING, false},     {"txId", CD_TYPE_INT64, true},
        {"lsn", CD_TYPE_INT64, true},       {"xmin", CD_TYPE_INT64, true},
    };
    cd_schema_t *st = host->schema_struct(false);
    if (st == NULL) {
        return NULL;
    }
    host->schema_set_name(st, "io.debezium.connector.postgresql.Source");
    host->schema_set_version(st, 1);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        cd_schema_t *f = host->schema_new(fields[i].type, fields[i].optional);
        if (f == NULL) {
            host->schema_unref(st);
            return NULL;
        }
        if (strcmp(fields[i].name, "snapshot") == 0) {
            /* SchemaFactory.snapshotRecordSchema, but for its default
             * ("false"), which the plugin ABI cannot express. */
            host->schema_set_name(f, "io.debezium.data.Enum");
            host->schema_set_version(f, 1);
            host->schema_set_parameter(f, "allowed", snapshot_allowed);
        }
        host->schema_add_field(st, fields[i].name, f);
    }
    return st;
}

static cd_schema_t *txn_schema_build(const cd_host_api_t *host)
{
    cd_schema_t *st = host->schema_struct(true);
    cd_schema_t *id = host->schema_new(CD_TYPE_STRING, false);
    cd_schema_t *total = host->schema_new(CD_TYPE_INT64, false);
    cd_schema_t *order = host->schema_new(CD_TYPE_INT64, false);
    if (st == NULL || id == NULL || total == NULL || order == NULL) {
        host->schema_unref(st);
        host->schema_unref(id);
        host->schema_unref(total);
        host->schema_unref(order);
        return NULL;
    }
    host->schema_set_name(st, "event.block");
    host->schema_set_version(st, 1);
    host->schema_add_field(st, "id", id);
    host->schema_add_field(st, "total_order", total);
    host->schema_add_field(st, "data_collection_order", order);
    return st;
}

dbz_context_t *dbz_context_create(const cd_host_api_t *host, const dbz_config_t *cfg,
                                  const pg_type_registry_t *registry, char *errstr, size_t errstr_size)
{
    dbz_context_t *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        goto fail;
    }
    ctx->host = host;
    ctx->topic_prefix = strdup(cfg->topic_prefix);
    ctx->database = strdup(cfg->database ? cfg->database : "");
    ctx->version = strdup(cfg->version ? cfg->version : "");
    ctx->tombstones_on_delete = cfg->tombstones_on_delete;
    ctx->types = cfg->types;
    ctx->registry = registry;
    ctx->source_schema = source_schema_build(host);
    ctx->txn_schema = txn_schema_build(host);
    if (ctx->topic_prefix == NULL || ctx->database == NULL || ctx->version == NULL || ctx->source_schema == NULL ||
        ctx->txn_schema == NULL) {
        goto fail;
    }
    return ctx;
fail:
    dbz_context_destroy(ctx);
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
}

void dbz_context_destroy(dbz_context_t *ctx)
{
    if (ctx == NULL) {
        return;
    }
    ctx->host->schema_unref(ctx->source_schema);
    ctx->host->schema_unref(ctx->txn_schema);
    free(ctx->topic_prefix);
    free(ctx->database);
    free(ctx->version);
    free(ctx);
}

/* ---- tables --------------------------------------------------------------------- */

/* Kafka's topic characters; Debezium's topic naming replaces the others. */
static void topic_sanitize(char *topic)
{
    for (char *p = topic; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                  *p == '_' || *p == '-';
        if (!ok) {
            *p = '_';
        }
    }
}

static char *join3(const char *a, const char *b, const char *c, const char *suffix)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(suffix) + 3;
    char *s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%s.%s.%s%s", a, b, c, suffix);
    }
    return s;
}

/* A struct schema named `name` of the columns idx[0..n). */
static cd_schema_t *struct_of(const dbz_table_t *t, const char *name, bool optional, const size_t *idx, size_t n)
{
    const cd_host_api_t *host = t->ctx->host;
    cd_schema_t *st = host->schema_struct(optional);
    if (st == NULL) {
        return NULL;
    }
    host->schema_set_name(st, name);
    for (size_t i = 0; i < n; i++) {
        const table_column_t *col = &t->columns[idx[i]];
        host->schema_add_field(st, col->name, host->schema_ref(col->schema));
    }
    return st;
}

static cd_schema_t *envelope_build(const dbz_table_t *t, const char *name)
{
    const cd_host_api_t *host = t->ctx->host;
    cd_schema_t *st = host->schema_struct(false);
    cd_schema_t *op = host->schema_new(CD_TYPE_STRING, false);
    cd_schema_t *ts[3] = {host->schema_new(CD_TYPE_INT64, true), host->schema_new(CD_TYPE_INT64, true),
                          host->schema_new(CD_TYPE_INT64, true)};
    if (st == NULL || op == NULL || ts[0] == NULL || ts[1] == NULL || ts[2] == NULL) {
        host->schema_unref(st);
        host->schema_unref(op);
        for (int i = 0; i < 3; i++) {
            host->schema_unref(ts[i]);
        }
        return NULL;
    }
    host->schema_set_name(st, name);
    host->schema_set_version(st, 2);
    host->schema_add_field(st, "before", host->schema_ref(t->value_schema));
    host->schema_add_field(st, "after", host->schema_ref(t->value_schema));
    host->schema_add_field(st, "source", host->schema_ref(t->ctx->source_schema));
    host->schema_add_field(st, "transaction", host->schema_ref(t->ctx->txn_schema));
    host->schema_add_field(st, "op", op);
    host->schema_add_field(st, "ts_ms", ts[0]);
    host->schema_add_field(st, "ts_us", ts[1]);
    host->schema_add_field(st, "ts_ns", ts[2]);
    return st;
}

dbz_table_t *dbz_table_create(dbz_context_t *ctx, const dbz_relation_t *rel, char *errstr, size_t errstr_size)
{
    const cd_host_api_t *host = ctx->host;
    char *key_name = NULL, *value_name = NULL, *envelope_name = NULL;
    dbz_table_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        goto oom;
    }
    t->ctx = ctx;
    t->ncolumns = rel->ncolumns;
    t->topic = join3(ctx->topic_prefix, rel->schema, rel->table, "");
    t->schema = strdup(rel->schema);
    t->table = strdup(rel->table);
    t->columns = calloc(rel->ncolumns + 1, sizeof(*t->columns));
    t->key = calloc(rel->ncolumns + 1, sizeof(*t->key));
    t->value = calloc(rel->ncolumns + 1, sizeof(*t->value));
    key_name = join3(ctx->topic_prefix, rel->schema, rel->table, ".Key");
    value_name = join3(ctx->topic_prefix, rel->schema, rel->table, ".Value");
    envelope_name = join3(ctx->topic_prefix, rel->schema, rel->table, ".Envelope");
    if (t->topic == NULL || t->schema == NULL || t->table == NULL || t->columns == NULL || t->key == NULL ||
        t->value == NULL || key_name == NULL || value_name == NULL || envelope_name == NULL) {
        goto oom;
    }
    topic_sanitize(t->topic);

    for (size_t i = 0; i < rel->ncolumns; i++) {
        const dbz_column_t *c = &rel->columns[i];
        table_column_t *col = &t->columns[i];
        col->name = strdup(c->name);
        if (col->name == NULL) {
            goto oom;
        }
        col->optional = c->optional;
        col->mapped = pg_types_resolve(&ctx->types, ctx->registry, c->type_oid, c->typmod, &col->type) == 0;
        if (!col->mapped) {
            if (c->key_position > 0) {
                snprintf(errstr, errstr_size,
                         "key column %s of %s.%s has type %" PRIu32 ", which has no mapping to Connect; set "
                         "include.unknown.datatypes=true or message.key.columns",
                         c->name, rel->schema, rel->table, c->type_oid);
                goto fail;
            }
            continue;
        }
        col->schema = pg_types_schema(host, &ctx->types, &col->type, c->optional);
        if (col->schema == NULL) {
            goto oom;
        }
        col->in_value = !c->excluded;
        if (col->in_value) {
            t->value[t->nvalue++] = i;
        }
        if (c->key_position > 0) {
            /* Insert in key_position order (a key has a few columns). */
            size_t k = t->nkey++;
            while (k > 0 && rel->columns[t->key[k - 1]].key_position > c->key_position) {
                t->key[k] = t->key[k - 1];
                k--;
            }
            t->key[k] = i;
        }
    }

    if (t->nkey > 0 && (t->key_schema = struct_of(t, key_name, false, t->key, t->nkey)) == NULL) {
        goto oom;
    }
    t->value_schema = struct_of(t, value_name, true, t->value, t->nvalue);
    if (t->value_schema == NULL || (t->envelope_schema = envelope_build(t, envelope_name)) == NULL) {
        goto oom;
    }
    free(key_name);
    free(value_name);
    free(envelope_name);
    return t;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    free(key_name);
    free(value_name);
    free(envelope_name);
    dbz_table_destroy(t);
    return NULL;
}

void dbz_table_destroy(dbz_table_t *t)
{
    if (t == NULL) {
        return;
    }
    const cd_host_api_t *host = t->ctx->host;
    for (size_t i = 0; t->columns && i < t->ncolumns; i++) {
        free(t->columns[i].name);
        host->schema_unref(t->columns[i].schema);
    }
    host->schema_unref(t->key_schema);
    host->schema_unref(t->value_schema);
    host->schema_unref(t->envelope_schema);
    free(t->columns);
    free(t->key);
    free(t->value);
    free(t->topic);
    free(t->schema);
    free(t->table);
    free(t);
}

const char *dbz_table_topic(const dbz_table_t *t)
{
    return t->topic;
}

const cd_schema_t *dbz_table_key_schema(const dbz_table_t *t)
{
    return t->key_schema;
}

const cd_schema_t *dbz_table_value_schema(const dbz_table_t *t)
{
    return t->value_schema;
}

const cd_schema_t *dbz_table_envelope_schema(const dbz_table_t *t)
{
    return t->envelope_schema;
}

/* ---- events --------------------------------------------------------------------- */

/* The value of column `i` in `tuple`, or NULL with errstr set. */
static cd_value_t *column_value(const dbz_table_t *t, size_t i, const dbz_datum_t *datum, char *errstr,
                                size_t errstr_size)
{
    const cd_host_api_t *host = t->ctx->host;
    const table_column_t *col = &t->columns[i];
    char err[256] = "out of memory";
    cd_value_t *v;
    switch (datum->kind) {
    case 't':
        v = pg_types_value(host, &t->ctx->types, &col->type, col->schema, datum->data, datum->len, err, sizeof(err));
        break;
    case 'u':
        v = pg_types_placeholder(host, &t->ctx->types, &col->type, err, sizeof(err));
        break;
    default:
        v = col->optional ? host->value_null() : pg_types_fallback(host, &t->ctx->types, &col->type, col->schema);
        break;
    }
    if (v == NULL) {
        snprintf(errstr, errstr_size, "column %s of %s.%s: %s", col->name, t->schema, t->table, err);
    }
    return v;
}

/* A struct of `schema` from the columns idx[0..n) of `tuple`. */
static cd_value_t *struct_from_tuple(const dbz_table_t *t, const cd_schema_t *schema, const size_t *idx, size_t n,
                                     const dbz_datum_t *tuple, char *errstr, size_t errstr_size)
{
    const cd_host_api_t *host = t->ctx->host;
    cd_value_t *st = host->value_struct(schema);
    if (st == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        cd_value_t *v = column_value(t, idx[k], &tuple[idx[k]], errstr, errstr_size);
        if (v == NULL) {
            host->value_free(st);
            return NULL;
        }
        if (host->value_struct_set(st, t->columns[idx[k]].name, v) != CD_OK) {
            snprintf(errstr, errstr_size, "column %s of %s.%s: the value does not fit its schema",
                     t->columns[idx[k]].name, t->schema, t->table);
            host->value_free(st);
            return NULL;
        }
    }
    return st;
}

static cd_value_t *row_from_tuple(const dbz_table_t *t, const dbz_datum_t *tuple, char *errstr, size_t errstr_size)
{
    return struct_from_tuple(t, t->value_schema, t->value, t->nvalue, tuple, errstr, errstr_size);
}

static cd_value_t *key_from_tuple(const dbz_table_t *t, const dbz_datum_t *tuple, char *errstr, size_t errstr_size)
{
    return struct_from_tuple(t, t->key_schema, t->key, t->nkey, tuple, errstr, errstr_size);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put_string(const cd_host_api_t *host, cd_value_t *st, const char *field, const char *s)
{
    host->value_struct_set(st, field, host->value_string(s, strlen(s)));
}

static void put_int(const cd_host_api_t *host, cd_value_t *st, const char *field, int64_t v)
{
    host->value_struct_set(st, field, host->value_int(CD_TYPE_INT64, v));
}

static cd_value_t *source_value(const dbz_table_t *t, const dbz_source_t *src)
{
    const dbz_context_t *ctx = t->ctx;
    const cd_host_api_t *host = ctx->host;
    cd_value_t *st = host->value_struct(ctx->source_schema);
    if (st == NULL) {
        return NULL;
    }
    /* SourceInfo.sequence(): a JSON array of the last commit's LSN and this
     * change's, as strings, or null. */
    char sequence[64], last[24] = "null", lsn[24] = "null";
    if (src->has_last_commit_lsn) {
        snprintf(last, sizeof(last), "\"%" PRIu64 "\"", src->last_commit_lsn);
    }
    if (src->has_lsn) {
        snprintf(lsn, sizeof(lsn), "\"%" PRIu64 "\"", src->lsn);
    }
    snprintf(sequence, sizeof(sequence), "[%s,%s]", last, lsn);
    put_string(host, st, "version", ctx->version);
    put_string(host, st, "connector", "postgresql");
    put_string(host, st, "name", ctx->topic_prefix);
    put_int(host, st, "ts_ms", floor_div(src->ts_us, 1000));
    put_string(host, st, "snapshot", src->snapshot ? src->snapshot : "false");
    put_string(host, st, "db", ctx->database);
    put_string(host, st, "sequence", sequence);
    put_int(host, st, "ts_us", src->ts_us);
    put_int(host, st, "ts_ns", src->ts_us * 1000);
    put_string(host, st, "schema", t->schema);
    put_string(host, st, "table", t->table);
    if (src->has_txid) {
        put_int(host, st, "txId", src->txid);
    }
    if (src->has_lsn) {
        put_int(host, st, "lsn", (int64_t)src->lsn);
    }
    return st;
}

/* The envelope of op with `before` and `after` (taken; either may be NULL). */
static cd_value_t *envelope_value(const dbz_table_t *t, const dbz_change_t *ch, char op, cd_value_t *before,
                                  cd_value_t *after)
{
    const cd_host_api_t *host = t->ctx->host;
    cd_value_t *env = host->value_struct(t->envelope_schema);
    cd_value_t *source = source_value(t, ch->source);
    if (env == NULL || source == NULL) {
        host->value_free(env);
        host->value_free(source);
        host->value_free(before);
        host->value_free(after);
        return NULL;
    }
    host->value_struct_set(env, "before", before);
    host->value_struct_set(env, "after", after);
    host->value_struct_set(env, "source", source);
    if (ch->txn != NULL) {
        cd_value_t *txn = host->value_struct(t->ctx->txn_schema);
        if (txn != NULL) {
            put_string(host, txn, "id", ch->txn->id);
            put_int(host, txn, "total_order", ch->txn->total_order);
            put_int(host, txn, "data_collection_order", ch->txn->data_collection_order);
        }
        host->value_struct_set(env, "transaction", txn);
    }
    char opstr[2] = {op, '\0'};
    put_string(host, env, "op", opstr);
    put_int(host, env, "ts_ms", floor_div(ch->now_ns, 1000000));
    put_int(host, env, "ts_us", floor_div(ch->now_ns, 1000));
    put_int(host, env, "ts_ns", ch->now_ns);
    return env;
}

/* Whether a key column differs between the old and the new tuple.  The
 * text forms are canonical, so equal text is an equal value. */
static bool key_changed(const dbz_table_t *t, const dbz_datum_t *old_tuple, const dbz_datum_t *new_tuple)
{
    for (size_t k = 0; k < t->nkey; k++) {
        const dbz_datum_t *a = &old_tuple[t->key[k]], *b = &new_tuple[t->key[k]];
        if (a->kind != b->kind || (a->kind == 't' && (a->len != b->len || memcmp(a->data, b->data, a->len) != 0))) {
            return true;
        }
    }
    return false;
}

void dbz_event_clear(const cd_host_api_t *host, dbz_event_t *ev)
{
    host->schema_unref(ev->key_schema);
    host->value_free(ev->key);
    host->schema_unref(ev->value_schema);
    host->value_free(ev->value);
    host->schema_unref(ev->header_schema);
    host->value_free(ev->header_value);
    memset(ev, 0, sizeof(*ev));
}

/* Fills ev with key (taken; NULL: null key) and value (taken; NULL: a
 * tombstone). */
static void event_set(const dbz_table_t *t, dbz_event_t *ev, cd_value_t *key, cd_value_t *value)
{
    const cd_host_api_t *host = t->ctx->host;
    ev->topic = t->topic;
    if (key != NULL) {
        ev->key_schema = host->schema_ref(t->key_schema);
        ev->key = key;
    }
    if (value != NULL) {
        ev->value_schema = host->schema_ref(t->envelope_schema);
        ev->value = value;
    }
}

static void event_header(const dbz_table_t *t, dbz_event_t *ev, const char *name, const cd_value_t *key)
{
    const cd_host_api_t *host = t->ctx->host;
    ev->header_key = name;
    ev->header_schema = host->schema_ref(t->key_schema);
    ev->header_value = host->value_copy(key);
}

/* A tombstone after out[*n - 1], its delete: same key and headers. */
static void tombstone(const dbz_table_t *t, dbz_event_t *out, size_t *n)
{
    const cd_host_api_t *host = t->ctx->host;
    const dbz_event_t *del = &out[*n - 1];
    dbz_event_t *ev = &out[(*n)++];
    event_set(t, ev, del->key ? host->value_copy(del->key) : NULL, NULL);
    if (del->header_key != NULL) {
        event_header(t, ev, del->header_key, del->header_value);
    }
}

int dbz_table_events(dbz_table_t *t, const dbz_change_t *ch, dbz_event_t out[DBZ_EVENTS_MAX], size_t *n, char *errstr,
                     size_t errstr_size)
{
    const cd_host_api_t *host = t->ctx->host;
    cd_value_t *old_key = NULL, *new_key = NULL, *before = NULL, *after = NULL;
    *n = 0;
    memset(out, 0, sizeof(*out) * DBZ_EVENTS_MAX);
    snprintf(errstr, errstr_size, "out of memory");

    if (ch->op == DBZ_OP_TRUNCATE) {
        cd_value_t *env = envelope_value(t, ch, 't', NULL, NULL);
        if (env == NULL) {
            return -1;
        }
        event_set(t, &out[(*n)++], NULL, env);
        return 0;
    }
    if (ch->old_tuple != NULL) {
        before = row_from_tuple(t, ch->old_tuple, errstr, errstr_size);
        if (before == NULL ||
            (t->nkey > 0 && (old_key = key_from_tuple(t, ch->old_tuple, errstr, errstr_size)) == NULL)) {
            goto fail;
        }
    }
    if (ch->new_tuple != NULL && ch->op != DBZ_OP_DELETE) {
        after = row_from_tuple(t, ch->new_tuple, errstr, errstr_size);
        if (after == NULL ||
            (t->nkey > 0 && (new_key = key_from_tuple(t, ch->new_tuple, errstr, errstr_size)) == NULL)) {
            goto fail;
        }
    }

    bool pk_change = ch->op == DBZ_OP_UPDATE && old_key != NULL && new_key != NULL &&
                     key_changed(t, ch->old_tuple, ch->new_tuple);
    if (ch->op == DBZ_OP_DELETE || pk_change) {
        /* RelationalChangeRecordEmitter.emitUpdateAsPrimaryKeyChangeRecord:
         * a delete under the old key, then a create under the new one,
         * each naming the other key in a header. */
        cd_value_t *env = envelope_value(t, ch, 'd', before, NULL);
        before = NULL;
        if (env == NULL) {
            goto fail;
        }
        dbz_event_t *del = &out[(*n)++];
        event_set(t, del, old_key, env);
        old_key = NULL;
        if (pk_change) {
            event_header(t, del, "__debezium.newkey", new_key);
        }
        if (t->ctx->tombstones_on_delete) {
            tombstone(t, out, n);
        }
        if (!pk_change) {
            return 0;
        }
        /* Two events of the transaction: the create comes one after the
         * delete in its orders. */
        dbz_txn_t txn;
        dbz_change_t second = *ch;
        if (ch->txn != NULL) {
            txn = *ch->txn;
            txn.total_order++;
            txn.data_collection_order++;
            second.txn = &txn;
        }
        env = envelope_value(t, &second, 'c', NULL, after);
        after = NULL;
        if (env == NULL) {
            goto fail;
        }
        dbz_event_t *create = &out[(*n)++];
        event_header(t, create, "__debezium.oldkey", del->key);
        event_set(t, create, new_key, env);
        return 0;
    }

    char op = ch->op == DBZ_OP_READ ? 'r' : ch->op == DBZ_OP_CREATE ? 'c' : 'u';
    cd_value_t *env = envelope_value(t, ch, op, op == 'u' ? before : NULL, after);
    if (op != 'u') {
        host->value_free(before);
    }
    host->value_free(old_key);
    before = after = old_key = NULL;
    if (env == NULL) {
        goto fail;
    }
    event_set(t, &out[(*n)++], new_key, env);
    return 0;
fail:
    host->value_free(old_key);
    host->value_free(new_key);
    host->value_free(before);
    host->value_free(after);
    for (size_t i = 0; i < *n; i++) {
        dbz_event_clear(host, &out[i]);
    }
    *n = 0;
    return -1;
}
