/*
 * jdbc_source.c - io.confluent.connect.jdbc.JdbcSourceConnector: tables,
 * or one query, copied to topics by polling, as kafka-connect-jdbc's
 * JdbcSourceConnector and JdbcSourceTask do.
 *
 * The connector finds the tables (jdbc_source_tables.c) and spreads them
 * over at most tasks.max tasks in contiguous groups (Kafka's
 * ConnectorUtils.groupPartitions).  A task keeps one querier per table
 * (or one for the query) and runs one at a time: the querier whose next
 * poll is due first runs its query, as a cursor in a transaction, and
 * hands out batch.max.rows rows per poll() until the cursor is spent; then
 * it waits poll.interval.ms.  The mode decides the query:
 *
 *   bulk                    SELECT * FROM t
 *   incrementing            ... WHERE inc > $1 ORDER BY inc ASC
 *   timestamp               ... WHERE ts > $1 AND ts < $2 ORDER BY ts ASC
 *   timestamp+incrementing  ... WHERE ts < $1 AND ((ts = $2 AND inc > $3) OR ts > $2) ORDER BY ts, inc ASC
 *
 * where ts is the timestamp column, or COALESCE of several, and the upper
 * bound is the database's clock less timestamp.delay.interval.ms, so a row
 * whose transaction commits within that delay of its timestamp is still
 * read.  Each record's source partition and offset are Confluent's,
 * {"protocol": "1", "table": "schema.table"} or {"query": "query"}, and
 * {"incrementing": N} / {"timestamp": ms, "timestamp_nanos": ns}, so a
 * task resumes after the last row the worker committed, and a Confluent
 * worker's offsets are read as they are (also its older {"table": name}
 * partitions).
 *
 * Values are parameters ($1, ...); identifiers are quoted
 * (quote.sql.identifiers=always, the default).  Columns map to Connect as
 * Confluent maps them (pg_types, Confluent's flavour).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "jdbc_conn.h"
#include "jdbc_plugin.h"
#include "jdbc_source_config.h"
#include "jdbc_source_tables.h"
#include "pg_types.h"
#include "pgc_conn.h"
#include "pgc_sql.h"
#include "xalloc.h"

#define CURSOR_NAME "connectd_jdbc_source"

/* ---- the connector --------------------------------------------------------------------- */

static cd_rc_t source_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    jdbc_source_config_t *cfg = jdbc_source_config_read(jdbc_host, conn, errbuf, errlen);
    if (!cfg) {
        return CD_CONFIG;
    }
    cd_rc_t rc = CD_CONFIG;
    PGconn *db = jdbc_conn_open(jdbc_host, conn, "connectd validation", false, errbuf, errlen);
    if (db && cfg->query) {
        /* The query is described, not run: its columns must parse. */
        PGresult *res = PQprepare(db, "", cfg->query, 0, NULL);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            rc = CD_OK;
        } else {
            char why[512];
            pgc_conn_error(db, res, why, sizeof(why));
            snprintf(errbuf, errlen, "%s: the query does not run: %s", cfg->query_masked ? "query.masked" : "query",
                     why);
        }
        PQclear(res);
    } else if (db) {
        jdbc_tables_t tables;
        if (jdbc_tables_find(db, cfg, &tables, errbuf, errlen) == 0) {
            rc = CD_OK;
            for (size_t i = 0; i < tables.n && rc == CD_OK; i++) {
                char *inc = NULL;
                if (jdbc_tables_check(db, cfg, tables.items[i].schema, tables.items[i].name, &inc, errbuf, errlen) !=
                    0) {
                    rc = CD_CONFIG;
                }
                free(inc);
            }
            jdbc_tables_free(&tables);
        }
    }
    PQfinish(db);
    jdbc_source_config_free(cfg);
    return rc;
}

/* Tables in groups of contiguous tables, the first (n % groups) one
 * larger, as Kafka's ConnectorUtils.groupPartitions. */
static cd_rc_t source_task_configs(cd_task_t *conn, int max_tasks)
{
    char errbuf[1024];
    jdbc_source_config_t *cfg = jdbc_source_config_read(jdbc_host, conn, errbuf, sizeof(errbuf));
    if (!cfg) {
        jdbc_host->set_error(conn, "%s", errbuf);
        return CD_CONFIG;
    }
    if (cfg->query) {
        jdbc_source_config_free(cfg);
        jdbc_host->task_config_add(conn);
        return CD_OK;
    }
    PGconn *db = jdbc_conn_open(jdbc_host, conn, "connectd task configs", true, errbuf, sizeof(errbuf));
    jdbc_tables_t tables;
    if (!db || jdbc_tables_find(db, cfg, &tables, errbuf, sizeof(errbuf)) != 0) {
        PQfinish(db);
        jdbc_source_config_free(cfg);
        jdbc_host->set_error(conn, "%s", errbuf);
        return CD_RETRY;
    }
    PQfinish(db);
    jdbc_source_config_free(cfg);
    /* One task with every table (or none yet) watches for tables created
     * or dropped itself, every table.poll.interval.ms: there is no way for
     * a connector to ask the worker for new task configs. */
    size_t groups = tables.n < (size_t)(max_tasks > 0 ? max_tasks : 1) ? tables.n : (size_t)max_tasks;
    if (groups <= 1) {
        char *list = jdbc_tables_format(&tables, 0, tables.n);
        int index = jdbc_host->task_config_add(conn);
        jdbc_host->task_config_set(conn, index, "tables", list);
        jdbc_host->task_config_set(conn, index, "tables.fetched", "true");
        jdbc_host->task_config_set(conn, index, "tables.all", "true");
        free(list);
        groups = 0;
    }
    size_t from = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t size = tables.n / groups + (g < tables.n % groups);
        char *list = jdbc_tables_format(&tables, from, from + size);
        int index = jdbc_host->task_config_add(conn);
        jdbc_host->task_config_set(conn, index, "tables", list);
        jdbc_host->task_config_set(conn, index, "tables.fetched", "true");
        free(list);
        from += size;
    }
    jdbc_tables_free(&tables);
    return CD_OK;
}

/* ---- a task's queriers ------------------------------------------------------------------- */

/* A result column as the querier maps it. */
typedef struct column {
    char *name;
    uint32_t oid;
    int32_t typmod;
    bool skip; /* a type Confluent leaves out */
    pg_type_t type;
} column_t;

typedef struct querier {
    char *schema, *name; /* NULL in query mode */
    char *label;         /* "schema"."name", or "query", for messages */
    char *topic;
    char *inc_col;              /* NULL: the mode has none */
    const jdbc_list_t *ts_cols; /* borrowed from the config; empty: none */
    /* The offset: after the last row handed out. */
    int64_t inc;
    int64_t ts_micros;
    int64_t next_poll_ms;
    /* The columns of the last result, and the value schema made of them. */
    int ncols;
    column_t *cols;
    cd_schema_t *schema_value;
    int inc_index;
    int *ts_index;
} querier_t;

typedef struct source_task {
    cd_task_t *task;
    jdbc_source_config_t *cfg;
    PGconn *conn;
    char app[128];
    size_t nqueriers;
    querier_t *queriers;
    querier_t *active; /* the querier whose cursor is open */
    int failures;      /* consecutive failed queries, for query.retry.attempts */
    double rows;       /* handed out, for the metric */
    bool watch_tables; /* this task has every table: it finds new ones */
    size_t prefetched; /* the rows of the FETCH sent ahead, 0 when none is */
    int64_t tables_checked_ms;
} source_task_t;

static void columns_free(querier_t *q)
{
    for (int i = 0; i < q->ncols; i++) {
        free(q->cols[i].name);
    }
    free(q->cols);
    free(q->ts_index);
    q->cols = NULL;
    q->ts_index = NULL;
    q->ncols = 0;
    jdbc_host->schema_unref(q->schema_value);
    q->schema_value = NULL;
}

static void querier_free(querier_t *q)
{
    columns_free(q);
    free(q->schema);
    free(q->name);
    free(q->label);
    free(q->topic);
    free(q->inc_col);
}

/* The source partition: Confluent's protocol 1 for a table, the query's
 * constant partition for a query. */
static cd_value_t *querier_partition(const querier_t *q, bool legacy)
{
    const cd_host_api_t *h = jdbc_host;
    cd_value_t *p = h->value_map();
    if (!q->name) {
        h->value_map_put(p, h->value_string("query", 5), h->value_string("query", 5));
        return p;
    }
    if (legacy) {
        h->value_map_put(p, h->value_string("table", 5), h->value_string(q->name, strlen(q->name)));
        return p;
    }
    size_t len = strlen(q->schema) + strlen(q->name) + 2;
    char *fqn = xmalloc(len);
    snprintf(fqn, len, "%s.%s", q->schema, q->name);
    h->value_map_put(p, h->value_string("protocol", 8), h->value_string("1", 1));
    h->value_map_put(p, h->value_string("table", 5), h->value_string(fqn, strlen(fqn)));
    free(fqn);
    return p;
}

static cd_value_t *querier_offset(const source_task_t *t, const querier_t *q)
{
    const cd_host_api_t *h = jdbc_host;
    if (t->cfg->mode == JDBC_MODE_BULK) {
        return NULL;
    }
    cd_value_t *o = h->value_map();
    if (jdbc_mode_uses_incrementing(t->cfg->mode)) {
        h->value_map_put(o, h->value_string("incrementing", 12), h->value_int(CD_TYPE_INT64, q->inc));
    }
    if (jdbc_mode_uses_timestamp(t->cfg->mode)) {
        int64_t sec = q->ts_micros / 1000000 - (q->ts_micros % 1000000 < 0);
        int64_t nanos = (q->ts_micros - sec * 1000000) * 1000;
        int64_t ms = q->ts_micros / 1000 - (q->ts_micros % 1000 < 0);
        h->value_map_put(o, h->value_string("timestamp", 9), h->value_int(CD_TYPE_INT64, ms));
        h->value_map_put(o, h->value_string("timestamp_nanos", 15), h->value_int(CD_TYPE_INT64, nanos));
    }
    return o;
}

/* The committed offset, if any, under the partition or Confluent's older
 * one; the initial offset otherwise (incrementing -1, as Confluent's
 * TimestampIncrementingOffset; timestamp.initial, else the epoch). */
static void querier_load_offset(source_task_t *t, querier_t *q, int64_t now_micros)
{
    const cd_host_api_t *h = jdbc_host;
    q->inc = -1;
    q->ts_micros = 0;
    if (t->cfg->has_timestamp_initial) {
        q->ts_micros = t->cfg->timestamp_initial == -1 ? now_micros : t->cfg->timestamp_initial * 1000;
    }
    cd_value_t *off = NULL;
    for (int legacy = 0; legacy < 2 && !off; legacy++) {
        cd_value_t *p = querier_partition(q, legacy);
        off = h->offset_read(t->task, p);
        h->value_free(p);
        if (!q->name) {
            break;
        }
    }
    if (!off) {
        h->log(t->task, CD_LOG_INFO, "%s: no committed offset, starting from the beginning", q->label);
        return;
    }
    const cd_value_t *inc = h->value_map_get(off, "incrementing");
    const cd_value_t *ms = h->value_map_get(off, "timestamp");
    const cd_value_t *nanos = h->value_map_get(off, "timestamp_nanos");
    if (inc && h->value_type(inc) != CD_TYPE_NULL) {
        q->inc = h->value_get_int(inc);
    }
    if (ms && h->value_type(ms) != CD_TYPE_NULL) {
        /* java.sql.Timestamp: getTime() holds the milliseconds, getNanos()
         * the whole fraction of the second. */
        int64_t m = h->value_get_int(ms);
        int64_t sec = m / 1000 - (m % 1000 < 0);
        int64_t frac = nanos && h->value_type(nanos) != CD_TYPE_NULL ? h->value_get_int(nanos) / 1000
                                                                     : (m - sec * 1000) * 1000;
        q->ts_micros = sec * 1000000 + frac;
    }
    h->value_free(off);
    h->log(t->task, CD_LOG_INFO, "%s: resuming after incrementing %" PRId64 ", timestamp %" PRId64 " us", q->label,
           q->inc, q->ts_micros);
}

/* ---- the query ------------------------------------------------------------------------------- */

/* A column named in the settings.  quote.sql.identifiers=never means the
 * name as PostgreSQL reads it unquoted, folded to lower case; it is still
 * quoted after folding, so that a name is never read as SQL (as the sink). */
static void append_ident(const source_task_t *t, pgc_sql_t *q, const char *name)
{
    if (t->cfg->quote_always) {
        pgc_sql_ident(q, name);
        return;
    }
    char *folded = xstrdup(name);
    for (char *c = folded; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    pgc_sql_ident(q, folded);
    free(folded);
}

static void append_ts(const source_task_t *t, const querier_t *qr, pgc_sql_t *q)
{
    const jdbc_list_t *ts = qr->ts_cols;
    if (ts->n > 1) {
        pgc_sql_append(q, "COALESCE(");
    }
    for (size_t i = 0; i < ts->n; i++) {
        if (i) {
            pgc_sql_append(q, ", ");
        }
        append_ident(t, q, ts->items[i]);
    }
    if (ts->n > 1) {
        pgc_sql_append(q, ")");
    }
}

/* The query of `qr` with its parameters' text (into params, up to 3, in
 * bufs). */
static void build_query(const source_task_t *t, const querier_t *qr, int64_t end_micros, pgc_sql_t *q,
                        const char **params, char bufs[3][64])
{
    const jdbc_source_config_t *cfg = t->cfg;
    if (qr->name) {
        pgc_sql_append(q, "SELECT * FROM ");
        /* The catalog's exact names: quoted whatever quote.sql.identifiers
         * says, or a table named like SQL would be read as SQL. */
        pgc_sql_ident2(q, qr->schema, qr->name);
    } else {
        pgc_sql_append(q, cfg->query);
    }
    pg_types_config_t types = cfg->types;
    switch (cfg->mode) {
    case JDBC_MODE_BULK:
        break;
    case JDBC_MODE_INCREMENTING:
        pgc_sql_append(q, " WHERE ");
        append_ident(t, q, qr->inc_col);
        pgc_sql_append(q, " > ");
        pgc_sql_param(q);
        pgc_sql_append(q, " ORDER BY ");
        append_ident(t, q, qr->inc_col);
        pgc_sql_append(q, " ASC");
        snprintf(bufs[0], 64, "%" PRId64, qr->inc);
        params[0] = bufs[0];
        break;
    case JDBC_MODE_TIMESTAMP:
        pgc_sql_append(q, " WHERE ");
        append_ts(t, qr, q);
        pgc_sql_append(q, " > ");
        pgc_sql_param(q);
        pgc_sql_append(q, " AND ");
        append_ts(t, qr, q);
        pgc_sql_append(q, " < ");
        pgc_sql_param(q);
        pgc_sql_append(q, " ORDER BY ");
        append_ts(t, qr, q);
        pgc_sql_append(q, " ASC");
        pg_types_instant_text(&types, qr->ts_micros, bufs[0], 64);
        pg_types_instant_text(&types, end_micros, bufs[1], 64);
        params[0] = bufs[0];
        params[1] = bufs[1];
        break;
    case JDBC_MODE_TIMESTAMP_INCREMENTING:
        pgc_sql_append(q, " WHERE ");
        append_ts(t, qr, q);
        pgc_sql_append(q, " < ");
        pgc_sql_param(q);
        pgc_sql_append(q, " AND ((");
        append_ts(t, qr, q);
        pgc_sql_append(q, " = ");
        int begin = pgc_sql_param(q);
        pgc_sql_append(q, " AND ");
        append_ident(t, q, qr->inc_col);
        pgc_sql_append(q, " > ");
        pgc_sql_param(q);
        pgc_sql_append(q, ") OR ");
        append_ts(t, qr, q);
        pgc_sql_appendf(q, " > $%d) ORDER BY ", begin);
        append_ts(t, qr, q);
        pgc_sql_append(q, ", ");
        append_ident(t, q, qr->inc_col);
        pgc_sql_append(q, " ASC");
        pg_types_instant_text(&types, end_micros, bufs[0], 64);
        pg_types_instant_text(&types, qr->ts_micros, bufs[1], 64);
        snprintf(bufs[2], 64, "%" PRId64, qr->inc);
        params[0] = bufs[0];
        params[1] = bufs[1];
        params[2] = bufs[2];
        break;
    }
    if (cfg->query_suffix && cfg->query_suffix[0]) {
        pgc_sql_append(q, " ");
        pgc_sql_append(q, cfg->query_suffix);
    }
}

/* Fails the task with `fmt` unless the connection broke, which the next
 * poll retries (query.retry.attempts times; -1 without limit). */
static cd_rc_t query_failed(source_task_t *t, PGresult *res, const char *what)
{
    char why[512];
    pgc_conn_error(t->conn, res, why, sizeof(why));
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    bool broken = PQstatus(t->conn) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0) ||
                  (state && strncmp(state, "57P", 3) == 0) || (state && strcmp(state, "40001") == 0);
    PQclear(res);
    t->active = NULL;
    if (broken && (t->cfg->query_retries < 0 || t->failures < t->cfg->query_retries)) {
        t->failures++;
        jdbc_host->log(t->task, CD_LOG_WARN, "%s failed, retrying (attempt %d): %s", what, t->failures, why);
        PQfinish(t->conn);
        t->conn = NULL;
        return CD_RETRY;
    }
    jdbc_host->set_error(t->task, "%s failed: %s", what, why);
    return CD_FATAL;
}

static PGresult *exec_ok(source_task_t *t, const char *sql, int n, const char *const *params, ExecStatusType want)
{
    PGresult *res = PQexecParams(t->conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == want) {
        return res;
    }
    return res ? res : PQmakeEmptyPGresult(t->conn, PGRES_FATAL_ERROR);
}

/* The session as the text forms pg_types reads: ISO dates, hex bytea,
 * floats that read back the same, timestamptz in UTC. */
static int session_setup(source_task_t *t, char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(t->conn, "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
                                    "SET bytea_output = 'hex'; SET extra_float_digits = 3; SET TimeZone = 'UTC'");
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0) {
        char why[512];
        pgc_conn_error(t->conn, res, why, sizeof(why));
        snprintf(errbuf, errlen, "setting up the session failed: %s", why);
    }
    PQclear(res);
    return rc;
}

static int connect_task(source_task_t *t, char *errbuf, size_t errlen)
{
    if (t->conn) {
        return 0;
    }
    t->conn = jdbc_conn_open(jdbc_host, t->task, t->app, true, errbuf, errlen);
    if (!t->conn) {
        return -1;
    }
    if (session_setup(t, errbuf, errlen) != 0) {
        PQfinish(t->conn);
        t->conn = NULL;
        return -1;
    }
    return 0;
}

/* ---- rows to records ---------------------------------------------------------------------- */

/* Which of the result's columns are NOT NULL in their table, into
 * not_null[] (false for a computed column of a query: optional, as pgJDBC
 * reports it): one catalog query for all of them, inside the cursor's
 * transaction, which a failure aborts.  0, or -1 with *err the failed
 * result. */
static int columns_not_null(source_task_t *t, const PGresult *res, bool *not_null, PGresult **err)
{
    int n = PQnfields(res);
    pgc_sql_t rels, nums;
    pgc_sql_init(&rels);
    pgc_sql_init(&nums);
    int *which = xcalloc((size_t)n + 1, sizeof(*which)); /* the k-th of the query's columns is which[k] */
    int k = 0;
    for (int i = 0; i < n; i++) {
        not_null[i] = false;
        Oid table = PQftable(res, i);
        int attnum = PQftablecol(res, i);
        if (table != InvalidOid && attnum > 0) {
            pgc_sql_appendf(&rels, "%s%u", k ? "," : "{", table);
            pgc_sql_appendf(&nums, "%s%d", k ? "," : "{", attnum);
            which[k++] = i;
        }
    }
    int rc = 0;
    if (k > 0) {
        pgc_sql_append(&rels, "}");
        pgc_sql_append(&nums, "}");
        const char *params[] = {pgc_sql_text(&rels), pgc_sql_text(&nums)};
        PGresult *r = exec_ok(t,
                              "SELECT c.k, a.attnotnull FROM unnest($1::oid[], $2::int2[]) WITH ORDINALITY "
                              "AS c(rel, num, k) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.rel AND "
                              "a.attnum = c.num",
                              2, params, PGRES_TUPLES_OK);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            *err = r;
            rc = -1;
        } else {
            for (int row = 0; row < PQntuples(r); row++) {
                long at = strtol(PQgetvalue(r, row, 0), NULL, 10);
                if (at >= 1 && at <= k) {
                    not_null[which[at - 1]] = strcmp(PQgetvalue(r, row, 1), "t") == 0;
                }
            }
            PQclear(r);
        }
    }
    free(which);
    pgc_sql_free(&rels);
    pgc_sql_free(&nums);
    return rc;
}

/* Maps the result's columns, when they differ from the last result's: a
 * table altered between polls gets its new schema.  0; -1 after errbuf;
 * or -1 with *err the failed catalog query's result (the caller's). */
static int columns_update(source_task_t *t, querier_t *q, const PGresult *res, PGresult **err, char *errbuf,
                          size_t errlen)
{
    const cd_host_api_t *h = jdbc_host;
    int n = PQnfields(res);
    bool same = q->schema_value && n == q->ncols;
    for (int i = 0; same && i < n; i++) {
        same = q->cols[i].oid == PQftype(res, i) && q->cols[i].typmod == PQfmod(res, i) &&
               strcmp(q->cols[i].name, PQfname(res, i)) == 0;
    }
    if (same) {
        return 0;
    }
    bool *not_null = xcalloc((size_t)n + 1, sizeof(*not_null));
    if (columns_not_null(t, res, not_null, err) != 0) {
        free(not_null);
        return -1;
    }
    columns_free(q);
    q->ncols = n;
    q->cols = xcalloc((size_t)n + 1, sizeof(*q->cols));
    q->ts_index = xcalloc(q->ts_cols->n + 1, sizeof(*q->ts_index));
    q->inc_index = -1;
    cd_schema_t *st = h->schema_struct(false);
    if (q->name) {
        h->schema_set_name(st, q->name);
    }
    for (int i = 0; i < n; i++) {
        column_t *c = &q->cols[i];
        c->name = xstrdup(PQfname(res, i));
        c->oid = PQftype(res, i);
        c->typmod = PQfmod(res, i);
        bool optional = !not_null[i];
        if (pg_types_resolve(&t->cfg->types, NULL, c->oid, c->typmod, &c->type) != 0) {
            c->skip = true;
            h->log(t->task, CD_LOG_WARN,
                   "column \"%s\" of %s has type OID %u, which the JDBC source does not map (as Confluent's, it "
                   "leaves such columns out): cast it in a query to keep it",
                   c->name, q->label, c->oid);
        } else {
            h->schema_add_field(st, c->name, pg_types_schema(h, &t->cfg->types, &c->type, optional));
        }
        if (q->inc_col && strcmp(c->name, q->inc_col) == 0) {
            q->inc_index = i;
        }
    }
    free(not_null);
    q->schema_value = st;
    if (q->inc_col && q->inc_index < 0) {
        snprintf(errbuf, errlen, "incrementing.column.name: the %s has no column \"%s\"", q->name ? "table" : "query",
                 q->inc_col);
        return -1;
    }
    for (size_t j = 0; j < q->ts_cols->n; j++) {
        q->ts_index[j] = -1;
        for (int i = 0; i < n; i++) {
            if (strcmp(q->cols[i].name, q->ts_cols->items[j]) == 0) {
                q->ts_index[j] = i;
            }
        }
        if (q->ts_index[j] < 0) {
            snprintf(errbuf, errlen, "timestamp.column.name: the %s has no column \"%s\"", q->name ? "table" : "query",
                     q->ts_cols->items[j]);
            return -1;
        }
        pg_kind_t kind = q->cols[q->ts_index[j]].type.kind;
        if (q->cols[q->ts_index[j]].skip ||
            (kind != PG_KIND_DATE && kind != PG_KIND_TIMESTAMP && kind != PG_KIND_TIMESTAMPTZ)) {
            snprintf(errbuf, errlen,
                     "timestamp.column.name: column \"%s\" of the %s is not a timestamp, timestamp with time zone or "
                     "date",
                     q->ts_cols->items[j], q->name ? "table" : "query");
            return -1;
        }
    }
    return 0;
}

/* The record of row `row`, and the querier's offset moved past it. */
static cd_record_t *row_record(source_task_t *t, querier_t *q, const PGresult *res, int row, char *errbuf,
                               size_t errlen)
{
    const cd_host_api_t *h = jdbc_host;
    cd_value_t *st = h->value_struct(q->schema_value);
    for (int i = 0; i < q->ncols; i++) {
        const column_t *c = &q->cols[i];
        if (c->skip) {
            continue;
        }
        cd_value_t *v;
        if (PQgetisnull(res, row, i)) {
            v = h->value_null();
        } else {
            char why[256];
            v = pg_types_value(h, &t->cfg->types, &c->type, NULL, PQgetvalue(res, row, i),
                               (size_t)PQgetlength(res, row, i), why, sizeof(why));
            if (!v) {
                snprintf(errbuf, errlen, "column \"%s\" of %s: %s", c->name, q->label, why);
                h->value_free(st);
                return NULL;
            }
        }
        if (h->value_struct_set(st, c->name, v) != CD_OK) {
            snprintf(errbuf, errlen, "column \"%s\" of %s: a null in a column declared NOT NULL", c->name, q->label);
            h->value_free(st);
            return NULL;
        }
    }
    if (q->inc_index >= 0) {
        if (PQgetisnull(res, row, q->inc_index)) {
            snprintf(errbuf, errlen, "incrementing column \"%s\" of %s is null in a row", q->inc_col, q->label);
            h->value_free(st);
            return NULL;
        }
        const char *text = PQgetvalue(res, row, q->inc_index);
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if ((*end != '\0' && strspn(end, ".0") != strlen(end)) || errno == ERANGE) {
            snprintf(errbuf, errlen, "incrementing column \"%s\" of %s holds '%s', not an integer that fits in 64 bits",
                     q->inc_col, q->label, text);
            h->value_free(st);
            return NULL;
        }
        q->inc = v;
    }
    for (size_t j = 0; j < q->ts_cols->n; j++) {
        int i = q->ts_index[j];
        if (PQgetisnull(res, row, i)) {
            continue;
        }
        char why[256];
        int64_t micros;
        if (pg_types_instant(&t->cfg->types, &q->cols[i].type, PQgetvalue(res, row, i),
                             (size_t)PQgetlength(res, row, i), &micros, why, sizeof(why)) != 0) {
            snprintf(errbuf, errlen, "timestamp column \"%s\" of %s: %s", q->cols[i].name, q->label, why);
            h->value_free(st);
            return NULL;
        }
        q->ts_micros = micros;
        break;
    }
    cd_record_t *rec = h->record_new(t->task);
    h->record_set_topic(rec, q->topic);
    h->record_set_value(rec, h->schema_ref(q->schema_value), st);
    h->record_set_source(rec, querier_partition(q, false), querier_offset(t, q));
    return rec;
}

/* ---- the task ----------------------------------------------------------------------------------- */

static void source_task_free(source_task_t *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->nqueriers; i++) {
        querier_free(&t->queriers[i]);
    }
    free(t->queriers);
    PQfinish(t->conn);
    jdbc_source_config_free(t->cfg);
    free(t);
}

/* The result of the FETCH sent ahead, the connection ready for the next
 * query; a failed one as a result that says why. */
static PGresult *fetch_result(source_task_t *t)
{
    PGresult *res = PQgetResult(t->conn), *extra;
    while ((extra = PQgetResult(t->conn)) != NULL) {
        PQclear(extra);
    }
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
        return res;
    }
    return res ? res : PQmakeEmptyPGresult(t->conn, PGRES_FATAL_ERROR);
}

/* The database's clock, in microseconds since the epoch. */
static int db_now(source_task_t *t, int64_t *micros, PGresult **err)
{
    PGresult *res = exec_ok(t, "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::int8", 0, NULL,
                            PGRES_TUPLES_OK);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *err = res;
        return -1;
    }
    *micros = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Whether the user may SELECT from q's table: checked when the table is
 * added, so that a table found by table.poll.interval.ms that the user may
 * not read is left out (and tried again) rather than failing its first
 * query.  0, or -1 after errbuf. */
static int querier_check_readable(source_task_t *t, const querier_t *q, char *errbuf, size_t errlen)
{
    const char *params[] = {q->label};
    PGresult *res = PQexecParams(t->conn, "SELECT has_table_privilege($1::regclass, 'SELECT')", 1, NULL, params, NULL,
                                 NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char why[512];
        pgc_conn_error(t->conn, res, why, sizeof(why));
        snprintf(errbuf, errlen, "cannot check the privileges on table %s: %s", q->label, why);
        rc = -1;
    } else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        snprintf(errbuf, errlen,
                 "permission denied to read table %s: user \"%s\" (connection.user) needs SELECT on it; run GRANT "
                 "SELECT ON %s TO \"%s\"",
                 q->label, PQuser(t->conn), q->label, PQuser(t->conn));
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* A querier for table schema.name at the end of t->queriers (which has
 * room for it), its columns checked and its offset read.  0, or -1 after
 * errbuf (nothing added). */
static int querier_add_table(source_task_t *t, const char *schema, const char *name, int64_t now, char *errbuf,
                             size_t errlen)
{
    querier_t *q = &t->queriers[t->nqueriers];
    memset(q, 0, sizeof(*q));
    q->inc_index = -1;
    q->schema = xstrdup(schema);
    q->name = xstrdup(name);
    pgc_sql_t l;
    pgc_sql_init(&l);
    pgc_sql_ident2(&l, q->schema, q->name);
    q->label = xstrdup(pgc_sql_text(&l));
    pgc_sql_free(&l);
    size_t len = strlen(t->cfg->topic_prefix) + strlen(q->name) + 1;
    q->topic = xmalloc(len);
    snprintf(q->topic, len, "%s%s", t->cfg->topic_prefix, q->name);
    if (jdbc_tables_check(t->conn, t->cfg, q->schema, q->name, &q->inc_col, errbuf, errlen) != 0 ||
        jdbc_source_config_timestamps(t->cfg, q->schema, q->name, &q->ts_cols, errbuf, errlen) != 0 ||
        querier_check_readable(t, q, errbuf, errlen) != 0) {
        querier_free(q);
        return -1;
    }
    querier_load_offset(t, q, now);
    t->nqueriers++;
    return 0;
}

/* table.poll.interval.ms: the task with every table adds the tables
 * created since and drops those dropped.  Between cursors only. */
static cd_rc_t tables_refresh(source_task_t *t)
{
    char errbuf[1024];
    jdbc_tables_t found;
    if (jdbc_tables_find(t->conn, t->cfg, &found, errbuf, sizeof(errbuf)) != 0) {
        /* A whitelisted table dropped is the querier's error to report. */
        jdbc_host->log(t->task, CD_LOG_WARN, "table.poll.interval.ms: %s", errbuf);
        return CD_OK;
    }
    for (size_t i = 0; i < t->nqueriers;) {
        querier_t *q = &t->queriers[i];
        bool kept = false;
        for (size_t j = 0; j < found.n && !kept; j++) {
            kept = strcmp(found.items[j].schema, q->schema) == 0 && strcmp(found.items[j].name, q->name) == 0;
        }
        if (kept) {
            i++;
            continue;
        }
        jdbc_host->log(t->task, CD_LOG_INFO, "table %s is gone: no longer copied", q->label);
        querier_free(q);
        memmove(q, q + 1, (t->nqueriers - i - 1) * sizeof(*q));
        t->nqueriers--;
    }
    int64_t now = 0;
    PGresult *err = NULL;
    if (t->cfg->has_timestamp_initial && t->cfg->timestamp_initial == -1 && db_now(t, &now, &err) != 0) {
        jdbc_tables_free(&found);
        return query_failed(t, err, "reading the database's clock");
    }
    for (size_t j = 0; j < found.n; j++) {
        bool known = false;
        for (size_t i = 0; i < t->nqueriers && !known; i++) {
            known = strcmp(found.items[j].schema, t->queriers[i].schema) == 0 &&
                    strcmp(found.items[j].name, t->queriers[i].name) == 0;
        }
        if (known) {
            continue;
        }
        t->queriers = xrealloc(t->queriers, (t->nqueriers + 2) * sizeof(*t->queriers));
        if (querier_add_table(t, found.items[j].schema, found.items[j].name, now, errbuf, sizeof(errbuf)) != 0) {
            /* One table that cannot be copied yet must not stop the others;
             * it is tried again at the next listing. */
            jdbc_host->log(t->task, CD_LOG_WARN,
                           "new table \"%s\".\"%s\" is not copied (tried again every table.poll.interval.ms): %s",
                           found.items[j].schema, found.items[j].name, errbuf);
            continue;
        }
        jdbc_host->log(t->task, CD_LOG_INFO, "new table %s: copying it", t->queriers[t->nqueriers - 1].label);
    }
    jdbc_tables_free(&found);
    return CD_OK;
}

static cd_rc_t source_start(cd_task_t *task, void **state)
{
    char errbuf[1024];
    source_task_t *t = xcalloc(1, sizeof(*t));
    t->task = task;
    snprintf(t->app, sizeof(t->app), "connectd %s-%d", jdbc_host->connector_name(task), jdbc_host->task_id(task));
    t->cfg = jdbc_source_config_read(jdbc_host, task, errbuf, sizeof(errbuf));
    if (!t->cfg || connect_task(t, errbuf, sizeof(errbuf)) != 0) {
        goto fail;
    }
    int64_t now = 0;
    PGresult *err = NULL;
    if (t->cfg->has_timestamp_initial && t->cfg->timestamp_initial == -1 && db_now(t, &now, &err) != 0) {
        pgc_conn_error(t->conn, err, errbuf, sizeof(errbuf));
        PQclear(err);
        goto fail;
    }
    jdbc_tables_t tables = {0};
    if (!t->cfg->query && jdbc_tables_parse(jdbc_host->config_get(task, "tables"), &tables) != 0) {
        snprintf(errbuf, sizeof(errbuf), "the task's tables setting is not a list of quoted table names");
        goto fail;
    }
    const char *all = jdbc_host->config_get(task, "tables.all");
    t->watch_tables = !t->cfg->query && all && strcmp(all, "true") == 0;
    t->tables_checked_ms = clock_mono_ms();
    t->queriers = xcalloc((t->cfg->query ? 1 : tables.n) + 1, sizeof(*t->queriers));
    if (t->cfg->query) {
        querier_t *q = &t->queriers[t->nqueriers++];
        q->label = xstrdup("query");
        q->topic = xstrdup(t->cfg->topic_prefix);
        const char *inc = NULL;
        jdbc_source_config_incrementing(t->cfg, NULL, NULL, &inc, errbuf, sizeof(errbuf));
        q->inc_col = inc ? xstrdup(inc) : NULL;
        jdbc_source_config_timestamps(t->cfg, NULL, NULL, &q->ts_cols, errbuf, sizeof(errbuf));
        q->inc_index = -1;
        querier_load_offset(t, q, now);
    }
    for (size_t i = 0; i < tables.n; i++) {
        if (querier_add_table(t, tables.items[i].schema, tables.items[i].name, now, errbuf, sizeof(errbuf)) != 0) {
            jdbc_tables_free(&tables);
            goto fail;
        }
    }
    jdbc_tables_free(&tables);
    jdbc_host->log(task, CD_LOG_INFO, "copying %zu %s in mode %s", t->nqueriers,
                   t->cfg->query       ? "query"
                   : t->nqueriers == 1 ? "table"
                                       : "tables",
                   jdbc_host->config_get(task, "mode"));
    *state = t;
    return CD_OK;
fail:
    jdbc_host->set_error(task, "%s", errbuf);
    source_task_free(t);
    return CD_FATAL;
}

/* Sleeps up to ms, in steps, returning early when the task stops. */
static void nap(cd_task_t *task, int64_t ms)
{
    while (ms > 0 && !jdbc_host->is_stopping(task)) {
        int64_t step = ms < 100 ? ms : 100;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* Opens the cursor of the querier due first, if one is due. */
static cd_rc_t open_cursor(source_task_t *t, querier_t *q)
{
    char begin[96];
    snprintf(begin, sizeof(begin), "BEGIN%s%s", t->cfg->isolation ? " ISOLATION LEVEL " : "",
             t->cfg->isolation ? t->cfg->isolation : "");
    PGresult *res = exec_ok(t, begin, 0, NULL, PGRES_COMMAND_OK);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        return query_failed(t, res, "starting a transaction");
    }
    PQclear(res);
    int64_t now = 0;
    if (jdbc_mode_uses_timestamp(t->cfg->mode) && db_now(t, &now, &res) != 0) {
        return query_failed(t, res, "reading the database's clock");
    }
    pgc_sql_t sql;
    pgc_sql_init(&sql);
    pgc_sql_append(&sql, "DECLARE " CURSOR_NAME " NO SCROLL CURSOR FOR ");
    const char *params[3] = {NULL, NULL, NULL};
    char bufs[3][64];
    build_query(t, q, now - t->cfg->timestamp_delay_ms * 1000, &sql, params, bufs);
    res = exec_ok(t, pgc_sql_text(&sql), sql.nparams, params, PGRES_COMMAND_OK);
    pgc_sql_free(&sql);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && t->watch_tables && state && strcmp(state, "42P01") == 0) {
        /* Dropped since the tables were listed: the next listing lets it go. */
        PQclear(res);
        PQclear(PQexec(t->conn, "ROLLBACK"));
        jdbc_host->log(t->task, CD_LOG_INFO, "table %s was dropped", q->label);
        q->next_poll_ms = clock_mono_ms() + t->cfg->poll_interval_ms;
        t->tables_checked_ms = 0;
        return CD_OK;
    }
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char what[600];
        snprintf(what, sizeof(what), "querying %s", q->label);
        cd_rc_t rc = query_failed(t, res, what);
        if (t->conn) {
            PQclear(PQexec(t->conn, "ROLLBACK"));
        }
        return rc;
    }
    PQclear(res);
    t->active = q;
    return CD_OK;
}

static void close_cursor(source_task_t *t)
{
    PQclear(PQexec(t->conn, "CLOSE " CURSOR_NAME "; COMMIT"));
    t->active->next_poll_ms = clock_mono_ms() + t->cfg->poll_interval_ms;
    t->active = NULL;
}

static cd_rc_t source_poll(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms)
{
    source_task_t *t = state;
    char errbuf[1024];
    *n = 0;
    if (!t->conn && connect_task(t, errbuf, sizeof(errbuf)) != 0) {
        jdbc_host->set_error(task, "%s", errbuf);
        return CD_FATAL;
    }
    if (t->watch_tables && !t->active && clock_mono_ms() - t->tables_checked_ms >= t->cfg->table_poll_interval_ms) {
        t->tables_checked_ms = clock_mono_ms();
        cd_rc_t rc = tables_refresh(t);
        if (rc != CD_OK) {
            return rc;
        }
    }
    if (t->nqueriers == 0) {
        nap(task, timeout_ms < t->cfg->table_poll_interval_ms ? timeout_ms : t->cfg->table_poll_interval_ms);
        return CD_OK;
    }
    if (!t->active) {
        querier_t *due = &t->queriers[0];
        for (size_t i = 1; i < t->nqueriers; i++) {
            if (t->queriers[i].next_poll_ms < due->next_poll_ms) {
                due = &t->queriers[i];
            }
        }
        int64_t wait = due->next_poll_ms - clock_mono_ms();
        if (wait > 0) {
            nap(task, wait < timeout_ms ? wait : timeout_ms);
            return CD_OK;
        }
        cd_rc_t rc = open_cursor(t, due);
        if (rc != CD_OK || !t->active) {
            return rc;
        }
    }
    querier_t *q = t->active;
    size_t want = (size_t)t->cfg->batch_max_rows < cap ? (size_t)t->cfg->batch_max_rows : cap;
    want = t->prefetched ? t->prefetched : want;
    char sql[96];
    snprintf(sql, sizeof(sql), "FETCH FORWARD %zu FROM " CURSOR_NAME, want);
    PGresult *res = t->prefetched ? fetch_result(t) : exec_ok(t, sql, 0, NULL, PGRES_TUPLES_OK);
    t->prefetched = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char what[600];
        snprintf(what, sizeof(what), "reading the rows of %s", q->label);
        return query_failed(t, res, what);
    }
    t->failures = 0;
    PGresult *err = NULL;
    if (columns_update(t, q, res, &err, errbuf, sizeof(errbuf)) != 0) {
        PQclear(res);
        if (!err) {
            jdbc_host->set_error(task, "%s", errbuf);
            return CD_FATAL;
        }
        char what[600];
        snprintf(what, sizeof(what), "reading the columns of %s from the catalog", q->label);
        cd_rc_t rc = query_failed(t, err, what);
        if (t->conn) {
            PQclear(PQexec(t->conn, "ROLLBACK"));
        }
        return rc;
    }
    int rows = PQntuples(res);
    for (int r = 0; r < rows; r++) {
        cd_record_t *rec = row_record(t, q, res, r, errbuf, sizeof(errbuf));
        if (!rec) {
            for (size_t i = 0; i < *n; i++) {
                jdbc_host->record_free(out[i]);
            }
            *n = 0;
            PQclear(res);
            jdbc_host->set_error(task, "%s", errbuf);
            return CD_FATAL;
        }
        out[(*n)++] = rec;
    }
    PQclear(res);
    if ((size_t)rows < want) {
        close_cursor(t);
    } else if (PQsendQuery(t->conn, sql)) {
        /* The server reads the next batch while the worker sends this one. */
        t->prefetched = want;
    }
    t->rows += rows;
    if (CD_HOST_HAS(jdbc_host, metric_set)) {
        jdbc_host->metric_set(task, "jdbc_source_rows", CD_METRIC_COUNTER, "Rows the JDBC source read.", t->rows);
    }
    return CD_OK;
}

static void source_stop(cd_task_t *task, void *state)
{
    source_task_free(state);
}

static const char *const source_aliases[] = {
    "JdbcSourceConnector",
    NULL,
};

const cd_plugin_desc_t jdbc_source_desc = {
    CD_PLUGIN_DESC_HEADER,
    .name = "io.confluent.connect.jdbc.JdbcSourceConnector",
    .version = JDBC_PLUGIN_VERSION,
    .description = "Copies PostgreSQL tables, or a query, to topics by polling, with Confluent's JDBC source "
                   "settings.",
    .kind = CD_KIND_SOURCE,
    .aliases = source_aliases,
    .config = jdbc_source_config_defs,
    .validate = source_validate,
    .task_configs = source_task_configs,
    .start = source_start,
    .poll = source_poll,
    .stop = source_stop,
};
