/*
 * jdbc_sink.c - io.confluent.connect.jdbc.JdbcSinkConnector: the records
 * of topics written into PostgreSQL tables, with Confluent's settings
 * (jdbc_sink_config.h).
 *
 * Each put() is one transaction: the records are grouped by table (in the
 * order each table first appears; within a table in the records' order),
 * consecutive records of one table with one shape and one operation are
 * written together: plain inserts by COPY ... FROM STDIN, upserts by one
 * INSERT ... VALUES (...), (...) ON CONFLICT (key) DO UPDATE of many rows
 * prepared once per table and shape, updates and deletes by a prepared
 * statement each; the transaction commits before put() returns.
 * flush() then has nothing left to make durable, so the worker commits the
 * consumed offsets only for records a committed transaction holds: after
 * kill -9 the records since the last offset commit are put again, which
 * upserts make the same rows again (idempotent), and plain inserts write
 * again (duplicates without a key, a unique violation with one): as
 * Confluent's, at least once.
 *
 * Values are always parameters ($1, $2, ...: jdbc_sink_value.h) and names
 * always quoted identifiers (jdbc_sink_table.h), never SQL.
 *
 * Upserts of one key twice in one statement would be refused by PostgreSQL
 * ("ON CONFLICT DO UPDATE command cannot affect row a second time"): the
 * later record takes the earlier one's row in the statement, which is what
 * applying both in order gives.
 *
 * Errors: a lost connection, a serialization failure or a deadlock rolls
 * the transaction back and writes the batch again after retry.backoff.ms,
 * up to max.retries times (Confluent's retries).  Any other error of a
 * statement writes the batch again one record at a time to find the record
 * the database refuses: with errors.tolerance=all it is rejected
 * (host->record_reject: logged, dead letter queue) and the others
 * committed, as Confluent's unrollAndRetry reports it; otherwise the task
 * fails with the database's message and the record's topic, partition and
 * offset, and nothing of the batch is committed.
 */
#include "jdbc_plugin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jdbc_conn.h"
#include "jdbc_sink_config.h"
#include "jdbc_sink_table.h"
#include "jdbc_sink_value.h"
#include "jdbc_url.h"
#include "pgc_conn.h"
#include "pgc_sql.h"
#include "xalloc.h"

/* At most this many rows in one INSERT (and never more than 65535
 * parameters, the protocol's limit): larger statements are not faster. */
#define SINK_MAX_ROWS 1000
#define SINK_MAX_PARAMS 65535
/* Plain inserts go by COPY, this many rows at most per COPY. */
#define SINK_COPY_ROWS 10000
/* Shapes and prepared statements kept across put() calls, before they are
 * dropped to start over (a topic whose schema changes at every record). */
#define SINK_MAX_SHAPES 64
#define SINK_MAX_STMTS 256
#define SINK_NULL SIZE_MAX

typedef struct sink_op {
    const cd_record_t *rec;
    jdbc_sink_table_t *table;
    jdbc_sink_shape_t *shape;
    bool del;  /* a tombstone: DELETE by key */
    bool skip; /* rejected: not written */
} sink_op_t;

typedef struct sink_stmt {
    char *text;
    char name[32];
} sink_stmt_t;

typedef struct jdbc_sink {
    jdbc_sink_config_t *cfg;
    bool tolerate_all; /* errors.tolerance=all: a refused record is rejected, not fatal */
    PGconn *conn;
    jdbc_sink_table_t **tables;
    size_t ntables;
    jdbc_sink_shape_t **shapes;
    size_t nshapes;
    sink_stmt_t *stmts;
    size_t nstmts;
    unsigned next_stmt;
    sink_op_t *ops;
    size_t nops, capops;
    /* The rows of the statement being built: their parameters' texts in
     * buf, at offsets offs[row * ncols + col] (SINK_NULL for NULL). */
    jdbc_buf_t buf;
    jdbc_buf_t copy; /* COPY's data, for plain inserts */
    size_t *offs;
    size_t capoffs;
    const char **vals;
    size_t *slots; /* upserts: the row of each key in the statement, hashed */
    size_t capslots;
    double rows_written;
} jdbc_sink_t;

/* ---- the connection ------------------------------------------------------------------- */

static void sink_disconnect(jdbc_sink_t *s)
{
    PQfinish(s->conn);
    s->conn = NULL;
    for (size_t i = 0; i < s->nstmts; i++) {
        free(s->stmts[i].text);
    }
    s->nstmts = 0;
    /* The tables may change while there is no connection. */
    for (size_t i = 0; i < s->ntables; i++) {
        jdbc_sink_table_forget(s->tables[i]);
    }
}

/* Opens the connection; 0, or -1 with errbuf set. */
static int sink_connect(cd_task_t *task, jdbc_sink_t *s, char *errbuf, size_t errlen)
{
    s->conn = jdbc_conn_open(jdbc_host, task, "connectd JdbcSinkConnector", true, errbuf, errlen);
    return s->conn ? 0 : -1;
}

/* Runs `text` with the parameters vals[0..n): prepared once (a statement
 * used again) or not; the result is the caller's. */
static PGresult *sink_exec(jdbc_sink_t *s, const char *text, int n, const char *const *vals, bool prepare)
{
    if (!prepare) {
        return PQexecParams(s->conn, text, n, NULL, vals, NULL, NULL, 0);
    }
    sink_stmt_t *st = NULL;
    for (size_t i = 0; i < s->nstmts && !st; i++) {
        st = strcmp(s->stmts[i].text, text) == 0 ? &s->stmts[i] : NULL;
    }
    if (!st) {
        if (s->nstmts == SINK_MAX_STMTS) {
            PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
            for (size_t i = 0; i < s->nstmts; i++) {
                free(s->stmts[i].text);
            }
            s->nstmts = 0;
        }
        s->stmts = xrealloc(s->stmts, (s->nstmts + 1) * sizeof(*s->stmts));
        st = &s->stmts[s->nstmts];
        snprintf(st->name, sizeof(st->name), "connectd_jdbc_sink_%u", s->next_stmt++);
        PGresult *res = PQprepare(s->conn, st->name, text, n, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            return res;
        }
        PQclear(res);
        st->text = xstrdup(text);
        s->nstmts++;
    }
    return PQexecPrepared(s->conn, st->name, n, vals, NULL, NULL, 0);
}

/* A statement without parameters or result (BEGIN, COMMIT, SAVEPOINT). */
static jdbc_sink_err_t sink_command(jdbc_sink_t *s, const char *sql, char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(s->conn, sql);
    jdbc_sink_err_t err = JDBC_ERR_NONE;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err = jdbc_sink_classify(s->conn, res, errbuf, errlen);
    }
    PQclear(res);
    return err;
}

/* ---- records to operations ------------------------------------------------------------ */

static void record_where(const cd_record_t *rec, char *out, size_t len)
{
    snprintf(out, len, "topic '%s', partition %" PRId32 ", offset %" PRId64, jdbc_host->record_topic(rec),
             jdbc_host->record_partition(rec), jdbc_host->record_offset(rec));
}

/* table.name.format with each ${topic} replaced. */
static char *table_name_for(const char *format, const char *topic)
{
    size_t cap = strlen(format) + 1, len = 0;
    const char *p = format, *hit;
    while ((hit = strstr(p, "${topic}"))) {
        cap += strlen(topic);
        p = hit + 8;
    }
    char *out = xmalloc(cap);
    for (p = format; (hit = strstr(p, "${topic}")); p = hit + 8) {
        memcpy(out + len, p, (size_t)(hit - p));
        len += (size_t)(hit - p);
        memcpy(out + len, topic, strlen(topic));
        len += strlen(topic);
    }
    strcpy(out + len, p);
    return out;
}

static jdbc_sink_table_t *sink_table(jdbc_sink_t *s, const char *topic)
{
    char *name = table_name_for(s->cfg->table_name_format, topic);
    for (size_t i = 0; i < s->ntables; i++) {
        if (strcmp(s->tables[i]->format_name, name) == 0) {
            free(name);
            return s->tables[i];
        }
    }
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof(*s->tables));
    s->tables[s->ntables] = jdbc_sink_table_new(name, !s->cfg->quote_identifiers);
    free(name);
    return s->tables[s->ntables++];
}

static jdbc_sink_shape_t *sink_shape(jdbc_sink_t *s, const jdbc_sink_table_t *t, const cd_schema_t *ks,
                                     const cd_schema_t *vs, bool with_value, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < s->nshapes; i++) {
        jdbc_sink_shape_t *sh = s->shapes[i];
        if (jdbc_sink_schema_equal(jdbc_host, sh->key_schema, ks) &&
            jdbc_sink_schema_equal(jdbc_host, sh->value_schema, with_value ? vs : NULL)) {
            return sh;
        }
    }
    jdbc_sink_shape_t *sh = jdbc_sink_shape_new(jdbc_host, s->cfg, t->quoted, ks, with_value ? vs : NULL, with_value,
                                                errbuf, errlen);
    if (sh) {
        s->shapes = xrealloc(s->shapes, (s->nshapes + 1) * sizeof(*s->shapes));
        s->shapes[s->nshapes++] = sh;
    }
    return sh;
}

/* A record the connector cannot write whatever the database says: rejected
 * with errors.tolerance=all, else the task fails.  Returns CD_OK when the
 * record is rejected. */
static cd_rc_t refuse(cd_task_t *task, jdbc_sink_t *s, sink_op_t *op, const char *why, char *errbuf, size_t errlen)
{
    char where[256], msg[2048];
    record_where(op->rec, where, sizeof(where));
    snprintf(msg, sizeof(msg), "cannot write the record (%s) to table %s: %s", where, op->table->quoted, why);
    op->skip = true;
    if (s->tolerate_all) {
        jdbc_host->record_reject(task, op->rec, msg);
        return CD_OK;
    }
    snprintf(errbuf, errlen, "%s", msg);
    return CD_FATAL;
}

static cd_rc_t sink_plan(cd_task_t *task, jdbc_sink_t *s, cd_record_t *const *recs, size_t n, char *errbuf,
                         size_t errlen)
{
    if (s->nshapes > SINK_MAX_SHAPES) {
        for (size_t i = 0; i < s->nshapes; i++) {
            jdbc_sink_shape_free(jdbc_host, s->shapes[i]);
        }
        s->nshapes = 0;
    }
    if (n > s->capops) {
        s->ops = xrealloc(s->ops, n * sizeof(*s->ops));
        s->capops = n;
    }
    s->nops = n;
    for (size_t i = 0; i < n; i++) {
        sink_op_t *op = &s->ops[i];
        *op = (sink_op_t){.rec = recs[i], .table = sink_table(s, jdbc_host->record_topic(recs[i]))};
        const cd_value_t *v = jdbc_host->record_value(recs[i]);
        bool tombstone = !v || jdbc_host->value_type(v) == CD_TYPE_NULL;
        char why[1024];
        if (tombstone && !s->cfg->delete_enabled) {
            snprintf(why, sizeof(why),
                     "the record has a null value (a tombstone), and delete.enabled=false: the "
                     "connector needs a non-null Struct value, or delete.enabled=true to delete by key");
            if (refuse(task, s, op, why, errbuf, errlen) != CD_OK) {
                return CD_FATAL;
            }
            continue;
        }
        op->del = tombstone;
        op->shape = sink_shape(s, op->table, jdbc_host->record_key_schema(recs[i]),
                               jdbc_host->record_value_schema(recs[i]), !tombstone, why, sizeof(why));
        if (!op->shape && refuse(task, s, op, why, errbuf, errlen) != CD_OK) {
            return CD_FATAL;
        }
        if (op->shape && op->del && op->shape->nkeys == 0) {
            if (refuse(task, s, op, "a delete needs the key columns (pk.mode=record_key)", errbuf, errlen) != CD_OK) {
                return CD_FATAL;
            }
        }
    }
    return CD_OK;
}

/* ---- statements ----------------------------------------------------------------------- */

/* The columns idx[0..n) of the shape, `sep` between them, each followed by
 * `after` and then a parameter (" = ": col = $n) or its name again
 * ("=EXCLUDED.": col=EXCLUDED.col); names alone when after is NULL. */
static void col_list(pgc_sql_t *q, const jdbc_sink_shape_t *sh, const size_t *idx, size_t n, const char *sep,
                     const char *after)
{
    for (size_t i = 0; i < n; i++) {
        pgc_sql_append(q, i ? sep : "");
        pgc_sql_ident(q, sh->cols[idx[i]].name);
        if (after) {
            pgc_sql_append(q, after);
            if (strcmp(after, " = ") == 0) {
                pgc_sql_param(q);
            } else {
                pgc_sql_ident(q, sh->cols[idx[i]].name);
            }
        }
    }
}

/* The columns a statement binds, in the order of its parameters. */
static size_t stmt_columns(const jdbc_sink_config_t *cfg, const jdbc_sink_shape_t *sh, bool del, size_t *order)
{
    size_t n = 0;
    if (!del && cfg->insert_mode == JDBC_INSERT_UPDATE) {
        memcpy(order, sh->rest, sh->nrest * sizeof(*order));
        n = sh->nrest;
    }
    memcpy(order + n, sh->keys, sh->nkeys * sizeof(*order));
    n += sh->nkeys;
    if (!del && cfg->insert_mode != JDBC_INSERT_UPDATE) {
        memcpy(order + n, sh->rest, sh->nrest * sizeof(*order));
        n += sh->nrest;
    }
    return n;
}

/* The statement for `rows` records (INSERT and upsert; one for UPDATE and
 * DELETE), as Confluent's PostgreSQL dialect writes it. */
static void stmt_text(pgc_sql_t *q, const jdbc_sink_config_t *cfg, const jdbc_sink_table_t *t,
                      const jdbc_sink_shape_t *sh, bool del, size_t rows)
{
    pgc_sql_reset(q);
    if (del) {
        pgc_sql_append(q, "DELETE FROM ");
        pgc_sql_append(q, t->quoted);
        pgc_sql_append(q, " WHERE ");
        col_list(q, sh, sh->keys, sh->nkeys, " AND ", " = ");
        return;
    }
    if (cfg->insert_mode == JDBC_INSERT_UPDATE) {
        pgc_sql_append(q, "UPDATE ");
        pgc_sql_append(q, t->quoted);
        pgc_sql_append(q, " SET ");
        col_list(q, sh, sh->rest, sh->nrest, ", ", " = ");
        pgc_sql_append(q, " WHERE ");
        col_list(q, sh, sh->keys, sh->nkeys, " AND ", " = ");
        return;
    }
    pgc_sql_append(q, "INSERT INTO ");
    pgc_sql_append(q, t->quoted);
    pgc_sql_append(q, " (");
    col_list(q, sh, sh->keys, sh->nkeys, ",", NULL);
    pgc_sql_append(q, sh->nkeys && sh->nrest ? "," : "");
    col_list(q, sh, sh->rest, sh->nrest, ",", NULL);
    pgc_sql_append(q, ") VALUES ");
    for (size_t r = 0; r < rows; r++) {
        pgc_sql_append(q, r ? ",(" : "(");
        for (size_t i = 0; i < sh->nkeys + sh->nrest; i++) {
            pgc_sql_append(q, i ? "," : "");
            pgc_sql_param(q);
        }
        pgc_sql_append(q, ")");
    }
    if (cfg->insert_mode == JDBC_INSERT_UPSERT) {
        pgc_sql_append(q, " ON CONFLICT (");
        col_list(q, sh, sh->keys, sh->nkeys, ",", NULL);
        if (sh->nrest == 0) {
            pgc_sql_append(q, ") DO NOTHING");
        } else {
            pgc_sql_append(q, ") DO UPDATE SET ");
            col_list(q, sh, sh->rest, sh->nrest, ",", "=EXCLUDED.");
        }
    }
}

/* The value of column `c` of a record (borrowed; NULL for a null), or, for
 * the kafka coordinates, their text appended to buf (*done set). */
static const cd_value_t *col_value(jdbc_sink_t *s, const cd_record_t *rec, const jdbc_sink_col_t *c, size_t *off,
                                   bool *done)
{
    *done = true;
    switch (c->src) {
    case JDBC_SRC_TOPIC: {
        const char *topic = jdbc_host->record_topic(rec);
        char err[8];
        jdbc_value_string_text(topic, strlen(topic), &s->buf, off, err, sizeof(err));
        return NULL;
    }
    case JDBC_SRC_PARTITION:
        jdbc_value_int_text(jdbc_host->record_partition(rec), &s->buf, off);
        return NULL;
    case JDBC_SRC_OFFSET:
        jdbc_value_int_text(jdbc_host->record_offset(rec), &s->buf, off);
        return NULL;
    default:
        break;
    }
    *done = false;
    const cd_value_t *v = c->src == JDBC_SRC_KEY || c->src == JDBC_SRC_KEY_FIELD ? jdbc_host->record_key(rec)
                                                                                 : jdbc_host->record_value(rec);
    if (v && (c->src == JDBC_SRC_KEY_FIELD || c->src == JDBC_SRC_VALUE_FIELD)) {
        v = jdbc_host->value_type(v) == CD_TYPE_STRUCT ? jdbc_host->value_struct_get(v, c->field) : NULL;
    }
    return v;
}

/* Appends the parameters of one record's row at offs[row * ncols...];
 * -1 with errbuf set when a value has no text for its column. */
static int render_row(jdbc_sink_t *s, const sink_op_t *op, const size_t *order, size_t ncols, size_t row, char *errbuf,
                      size_t errlen)
{
    size_t need = (row + 1) * ncols;
    if (need > s->capoffs) {
        s->capoffs = need * 2;
        s->offs = xrealloc(s->offs, s->capoffs * sizeof(*s->offs));
    }
    for (size_t i = 0; i < ncols; i++) {
        const jdbc_sink_col_t *c = &op->shape->cols[order[i]];
        size_t off = SINK_NULL;
        bool done;
        const cd_value_t *v = col_value(s, op->rec, c, &off, &done);
        char why[512];
        if (!done && jdbc_value_text(jdbc_host, &c->fmt, v, &s->buf, &off, why, sizeof(why)) < 0) {
            snprintf(errbuf, errlen, "column \"%s\": %s", c->name, why);
            return -1;
        }
        if (!done && (!v || jdbc_host->value_type(v) == CD_TYPE_NULL)) {
            off = SINK_NULL;
        }
        s->offs[row * ncols + i] = off;
    }
    return 0;
}

static const char *const *param_values(jdbc_sink_t *s, size_t n)
{
    s->vals = xrealloc(s->vals, (n ? n : 1) * sizeof(*s->vals));
    for (size_t i = 0; i < n; i++) {
        s->vals[i] = s->offs[i] == SINK_NULL ? NULL : s->buf.data + s->offs[i];
    }
    return s->vals;
}

static int copy_put(void *conn, const char *data, int len)
{
    return PQputCopyData(conn, data, len);
}

/*
 * Plain inserts of many rows: COPY ... FROM STDIN of the rows rendered (as
 * COPY's text format, the same texts the statement's parameters would
 * have), which PostgreSQL reads with the columns' input functions as it
 * does the parameters, and writes as INSERT does (defaults, constraints,
 * triggers) faster.  The data goes out every JDBC_COPY_CHUNK bytes.  The
 * result is COPY's.
 */
static PGresult *sink_copy(jdbc_sink_t *s, pgc_sql_t *q, const jdbc_sink_table_t *t, const jdbc_sink_shape_t *sh,
                           const size_t *order, size_t ncols, size_t rows)
{
    pgc_sql_reset(q);
    pgc_sql_append(q, "COPY ");
    pgc_sql_append(q, t->quoted);
    pgc_sql_append(q, " (");
    col_list(q, sh, order, ncols, ",", NULL);
    pgc_sql_append(q, ") FROM STDIN");
    PGresult *res = PQexec(s->conn, pgc_sql_text(q));
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        return res;
    }
    PQclear(res);
    const char *failed = NULL;
    jdbc_buf_reset(&s->copy);
    for (size_t r = 0; r < rows && !failed; r++) {
        for (size_t c = 0; c < ncols; c++) {
            size_t off = s->offs[r * ncols + c];
            jdbc_copy_field(&s->copy, off == SINK_NULL ? NULL : s->buf.data + off);
            jdbc_copy_field_end(&s->copy, c + 1 == ncols);
        }
        if (s->copy.len >= JDBC_COPY_CHUNK || r + 1 == rows) {
            if (jdbc_copy_send(s->copy.data, s->copy.len, JDBC_COPY_CHUNK, copy_put, s->conn) != 0) {
                failed = "the connection failed during COPY";
            }
            jdbc_buf_reset(&s->copy);
        }
    }
    PQputCopyEnd(s->conn, failed);
    res = PQgetResult(s->conn);
    for (PGresult *more; (more = PQgetResult(s->conn));) {
        PQclear(more);
    }
    return res;
}

/* The hash of a row's first nkeys parameters (an upsert's key). */
static uint64_t key_hash(const jdbc_sink_t *s, size_t row, size_t ncols, size_t nkeys)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < nkeys; i++) {
        size_t off = s->offs[row * ncols + i];
        const char *p = off == SINK_NULL ? "" : s->buf.data + off;
        h = (h ^ (off == SINK_NULL ? 0xff : 0x01)) * 1099511628211ULL;
        for (; *p; p++) {
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        }
        h = (h ^ 0) * 1099511628211ULL;
    }
    return h;
}

static bool key_equal(const jdbc_sink_t *s, size_t a, size_t b, size_t ncols, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        size_t oa = s->offs[a * ncols + i], ob = s->offs[b * ncols + i];
        if ((oa == SINK_NULL) != (ob == SINK_NULL) ||
            (oa != SINK_NULL && strcmp(s->buf.data + oa, s->buf.data + ob) != 0)) {
            return false;
        }
    }
    return true;
}

/* The row already in the statement with the key of row `row`, or `row`
 * itself after noting it (slots: a table of 2 * SINK_MAX_ROWS). */
static size_t upsert_row(jdbc_sink_t *s, size_t row, size_t ncols, size_t nkeys)
{
    size_t mask = s->capslots - 1;
    for (size_t i = key_hash(s, row, ncols, nkeys) & mask;; i = (i + 1) & mask) {
        if (s->slots[i] == SINK_NULL) {
            s->slots[i] = row;
            return row;
        }
        if (key_equal(s, s->slots[i], row, ncols, nkeys)) {
            return s->slots[i];
        }
    }
}

/* Where a batch's write stopped. */
typedef struct sink_fail {
    jdbc_sink_err_t err;
    bool data;  /* a statement writing records failed (not the DDL, not the transaction's own) */
    bool stale; /* the table changed under the prepared statements (undefined table or column) */
} sink_fail_t;

static sink_fail_t fail_of(jdbc_sink_t *s, PGresult *res, bool data, char *errbuf, size_t errlen)
{
    sink_fail_t f = {.err = jdbc_sink_classify(s->conn, res, errbuf, errlen), .data = data};
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    f.stale = state && (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0 || strcmp(state, "0A000") == 0);
    return f;
}

/*
 * Writes ops[from..to) that belong to table t, in runs of one shape and
 * operation, many rows per statement (unroll: one row per statement, each
 * in a savepoint with errors.tolerance=all, a refused record rejected).
 */
static sink_fail_t write_table(cd_task_t *task, jdbc_sink_t *s, jdbc_sink_table_t *t, bool unroll, char *errbuf,
                               size_t errlen)
{
    const jdbc_sink_config_t *cfg = s->cfg;
    sink_fail_t ok = {0};
    pgc_sql_t q;
    pgc_sql_init(&q);
    size_t *order = NULL, cap_order = 0;
    size_t i = 0;
    while (i < s->nops) {
        sink_op_t *first = &s->ops[i];
        if (first->skip || first->table != t) {
            i++;
            continue;
        }
        jdbc_sink_shape_t *sh = first->shape;
        bool del = first->del;
        if (sh->ncols > cap_order) {
            cap_order = sh->ncols;
            order = xrealloc(order, cap_order * sizeof(*order));
        }
        size_t ncols = stmt_columns(cfg, sh, del, order);
        bool multi = !del && cfg->insert_mode != JDBC_INSERT_UPDATE && !unroll;
        bool copy = multi && cfg->insert_mode == JDBC_INSERT_INSERT && !t->view;
        size_t max_rows = multi ? SINK_MAX_PARAMS / (ncols ? ncols : 1) : 1;
        max_rows = copy ? SINK_COPY_ROWS : max_rows > SINK_MAX_ROWS ? SINK_MAX_ROWS : max_rows;
        if (multi && cfg->batch_size > 0 && (size_t)cfg->batch_size < max_rows) {
            max_rows = (size_t)cfg->batch_size;
        }
        bool upsert = multi && cfg->insert_mode == JDBC_INSERT_UPSERT && sh->nkeys > 0;
        if (upsert && s->capslots < 2 * max_rows) {
            for (s->capslots = 16; s->capslots < 2 * max_rows; s->capslots *= 2) {
            }
            s->slots = xrealloc(s->slots, s->capslots * sizeof(*s->slots));
        }
        /* One statement: the rows of the next records of this run. */
        jdbc_buf_reset(&s->buf);
        if (upsert) {
            memset(s->slots, 0xff, s->capslots * sizeof(*s->slots));
        }
        size_t rows = 0, j = i;
        sink_op_t *last = first;
        for (; j < s->nops && rows < max_rows; j++) {
            sink_op_t *op = &s->ops[j];
            if (op->skip || op->table != t) {
                continue;
            }
            if (op->shape != sh || op->del != del) {
                break;
            }
            char why[1024];
            if (render_row(s, op, order, ncols, rows, why, sizeof(why)) < 0) {
                if (refuse(task, s, op, why, errbuf, errlen) != CD_OK) {
                    pgc_sql_free(&q);
                    free(order);
                    return (sink_fail_t){.err = JDBC_ERR_FATAL, .data = false};
                }
                continue;
            }
            last = op;
            size_t at = upsert ? upsert_row(s, rows, ncols, sh->nkeys) : rows;
            if (at != rows) {
                /* The same key again: the later record's values in its row. */
                memcpy(s->offs + at * ncols, s->offs + rows * ncols, ncols * sizeof(*s->offs));
            } else {
                rows++;
            }
        }
        if (rows == 0 || (!del && cfg->insert_mode == JDBC_INSERT_UPDATE && sh->nrest == 0)) {
            /* Nothing to write (an update of a record without other columns
             * than its key changes nothing). */
            i = j;
            continue;
        }
        const char *const *vals = param_values(s, rows * ncols);
        if (unroll && s->tolerate_all) {
            char e[512];
            if (sink_command(s, "SAVEPOINT connectd_jdbc_sink", e, sizeof(e)) != JDBC_ERR_NONE) {
                pgc_sql_free(&q);
                free(order);
                snprintf(errbuf, errlen, "%s", e);
                return (sink_fail_t){.err = JDBC_ERR_RETRIABLE};
            }
        }
        PGresult *res;
        if (copy) {
            res = sink_copy(s, &q, t, sh, order, ncols, rows);
        } else {
            stmt_text(&q, cfg, t, sh, del, rows);
            res = sink_exec(s, pgc_sql_text(&q), (int)(rows * ncols), vals, rows == max_rows || rows == 1);
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            char why[1024];
            sink_fail_t f = fail_of(s, res, true, why, sizeof(why));
            PQclear(res);
            if (!unroll || f.err == JDBC_ERR_RETRIABLE || f.stale) {
                snprintf(errbuf, errlen, "writing %zu records to table %s: %s", rows, t->quoted, why);
                pgc_sql_free(&q);
                free(order);
                return f;
            }
            /* One record, which the database refuses. */
            if (s->tolerate_all) {
                char e[512];
                if (sink_command(s, "ROLLBACK TO SAVEPOINT connectd_jdbc_sink", e, sizeof(e)) != JDBC_ERR_NONE) {
                    pgc_sql_free(&q);
                    free(order);
                    snprintf(errbuf, errlen, "%s", e);
                    return (sink_fail_t){.err = JDBC_ERR_RETRIABLE};
                }
            }
            if (refuse(task, s, last, why, errbuf, errlen) != CD_OK) {
                pgc_sql_free(&q);
                free(order);
                return (sink_fail_t){.err = JDBC_ERR_FATAL, .data = false};
            }
        } else {
            PQclear(res);
            s->rows_written += (double)rows;
        }
        i = j;
    }
    pgc_sql_free(&q);
    free(order);
    return ok;
}

/* Creates and widens the batch's tables, then writes the batch in one
 * transaction. */
static sink_fail_t write_batch(cd_task_t *task, jdbc_sink_t *s, bool unroll, char *errbuf, size_t errlen)
{
    const sink_op_t *prev = NULL;
    for (size_t i = 0; i < s->nops; i++) {
        sink_op_t *op = &s->ops[i];
        if (op->skip || op->del || (prev && prev->table == op->table && prev->shape == op->shape)) {
            continue;
        }
        prev = op;
        char why[2048];
        jdbc_sink_err_t err = jdbc_sink_table_ensure(jdbc_host, task, s->conn, s->cfg, op->table, op->shape, why,
                                                     sizeof(why));
        if (err == JDBC_ERR_RETRIABLE) {
            snprintf(errbuf, errlen, "%s", why);
            return (sink_fail_t){.err = err};
        }
        if (err != JDBC_ERR_NONE) {
            /* The table cannot take the records of this shape: each is
             * refused (Confluent reports them, with errors.tolerance=all). */
            for (size_t j = i; j < s->nops; j++) {
                sink_op_t *o = &s->ops[j];
                if (!o->skip && o->table == op->table && o->shape == op->shape &&
                    refuse(task, s, o, why, errbuf, errlen) != CD_OK) {
                    return (sink_fail_t){.err = JDBC_ERR_FATAL};
                }
            }
        }
    }
    char e[512];
    jdbc_sink_err_t err = sink_command(s, "BEGIN", e, sizeof(e));
    if (err) {
        snprintf(errbuf, errlen, "%s", e);
        return (sink_fail_t){.err = err};
    }
    for (size_t ti = 0; ti < s->ntables; ti++) {
        sink_fail_t f = write_table(task, s, s->tables[ti], unroll, errbuf, errlen);
        if (f.err) {
            if (PQstatus(s->conn) == CONNECTION_OK) {
                PQclear(PQexec(s->conn, "ROLLBACK"));
            }
            return f;
        }
    }
    err = sink_command(s, "COMMIT", e, sizeof(e));
    if (err) {
        snprintf(errbuf, errlen, "commit: %s", e);
        return (sink_fail_t){.err = err};
    }
    return (sink_fail_t){0};
}

/* Sleeps up to ms, in steps, returning early when the task is stopped. */
static void sink_backoff(cd_task_t *task, int ms)
{
    for (int slept = 0; slept < ms && !jdbc_host->is_stopping(task); slept += 100) {
        int step = ms - slept < 100 ? ms - slept : 100;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static cd_rc_t jdbc_sink_put(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n)
{
    jdbc_sink_t *s = state;
    if (n == 0) {
        return CD_OK;
    }
    char err[4096];
    if (sink_plan(task, s, recs, n, err, sizeof(err)) != CD_OK) {
        jdbc_host->set_error(task, "%s", err);
        return CD_FATAL;
    }
    bool unroll = false, refreshed = false;
    for (int attempt = 0;; attempt++) {
        /* A connection lost and not opened again is retried as the
         * statements' errors are. */
        sink_fail_t f = {.err = JDBC_ERR_RETRIABLE};
        if (s->conn || sink_connect(task, s, err, sizeof(err)) == 0) {
            f = write_batch(task, s, unroll, err, sizeof(err));
        }
        if (f.err == JDBC_ERR_NONE) {
            if (CD_HOST_HAS(jdbc_host, metric_set)) {
                jdbc_host->metric_set(task, "jdbc_sink_rows_written", CD_METRIC_COUNTER,
                                      "Rows the JDBC sink wrote (inserted, upserted, updated or deleted) in committed "
                                      "transactions.",
                                      s->rows_written);
            }
            return CD_OK;
        }
        if (f.stale && !refreshed) {
            /* The table changed under the connector: read it again (and
             * prepare the statements again) once. */
            refreshed = true;
            for (size_t i = 0; i < s->ntables; i++) {
                jdbc_sink_table_forget(s->tables[i]);
            }
            PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
            for (size_t i = 0; i < s->nstmts; i++) {
                free(s->stmts[i].text);
            }
            s->nstmts = 0;
            attempt--;
            continue;
        }
        if (f.err == JDBC_ERR_FATAL && f.data && !unroll) {
            /* Find the record the database refuses, one at a time. */
            unroll = true;
            attempt--;
            continue;
        }
        if (f.err == JDBC_ERR_FATAL) {
            jdbc_host->set_error(task, "%s", err);
            return CD_FATAL;
        }
        if (attempt >= s->cfg->max_retries || jdbc_host->is_stopping(task)) {
            jdbc_host->set_error(task, "%s (gave up after %d retries, max.retries)", err, attempt);
            return CD_FATAL;
        }
        jdbc_host->log(task, CD_LOG_WARN, "writing %zu records failed, retry %d of %d (max.retries) in %d ms: %s", n,
                       attempt + 1, s->cfg->max_retries, s->cfg->retry_backoff_ms, err);
        if (s->conn && PQstatus(s->conn) != CONNECTION_OK) {
            sink_disconnect(s);
        }
        sink_backoff(task, s->cfg->retry_backoff_ms);
    }
}

/* Every put() committed its transaction before returning. */
static cd_rc_t jdbc_sink_flush(cd_task_t *task, void *state)
{
    (void)task;
    (void)state;
    return CD_OK;
}

static cd_rc_t jdbc_sink_start(cd_task_t *task, void **state)
{
    char err[1024];
    jdbc_sink_config_t *cfg = jdbc_sink_config_read(jdbc_host, task, err, sizeof(err));
    if (!cfg) {
        jdbc_host->set_error(task, "%s", err);
        return CD_CONFIG;
    }
    jdbc_sink_t *s = xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    const char *tolerance = jdbc_host->config_get(task, "errors.tolerance");
    s->tolerate_all = tolerance && strcasecmp(tolerance, "all") == 0;
    if (sink_connect(task, s, err, sizeof(err)) < 0) {
        jdbc_host->set_error(task, "%s", err);
        jdbc_sink_config_free(cfg);
        free(s);
        return CD_FATAL;
    }
    *state = s;
    return CD_OK;
}

static void jdbc_sink_stop(cd_task_t *task, void *state)
{
    (void)task;
    jdbc_sink_t *s = state;
    if (!s) {
        return;
    }
    sink_disconnect(s);
    free(s->stmts);
    for (size_t i = 0; i < s->ntables; i++) {
        jdbc_sink_table_free(s->tables[i]);
    }
    free(s->tables);
    for (size_t i = 0; i < s->nshapes; i++) {
        jdbc_sink_shape_free(jdbc_host, s->shapes[i]);
    }
    free(s->shapes);
    free(s->ops);
    jdbc_buf_free(&s->buf);
    jdbc_buf_free(&s->copy);
    free(s->offs);
    free(s->vals);
    free(s->slots);
    jdbc_sink_config_free(s->cfg);
    free(s);
}

/* ---- the connector -------------------------------------------------------------------- */

static cd_rc_t jdbc_sink_validate(cd_task_t *conn, char *errbuf, size_t errlen)
{
    jdbc_sink_config_t *cfg = jdbc_sink_config_read(jdbc_host, conn, errbuf, errlen);
    if (!cfg) {
        return CD_CONFIG;
    }
    jdbc_sink_config_free(cfg);
    jdbc_url_t *url = jdbc_url_parse(jdbc_host->config_get(conn, "connection.url"),
                                     jdbc_host->config_get(conn, "connection.user"),
                                     jdbc_host->config_get(conn, "connection.password"), errbuf, errlen);
    if (!url) {
        return CD_CONFIG;
    }
    jdbc_url_free(url);
    return CD_OK;
}

static cd_rc_t jdbc_sink_task_configs(cd_task_t *conn, int max_tasks)
{
    for (int i = 0; i < max_tasks; i++) {
        jdbc_host->task_config_add(conn);
    }
    return CD_OK;
}

static const char *const jdbc_sink_aliases[] = {
    "JdbcSinkConnector",
    NULL,
};

const cd_plugin_desc_t jdbc_sink_desc = {
    CD_PLUGIN_DESC_HEADER,
    .name = "io.confluent.connect.jdbc.JdbcSinkConnector",
    .version = JDBC_PLUGIN_VERSION,
    .description = "Writes the records of topics into PostgreSQL tables (insert, upsert, update, delete), with "
                   "Confluent's JDBC sink settings.",
    .kind = CD_KIND_SINK,
    .aliases = jdbc_sink_aliases,
    .config = jdbc_sink_config_defs,
    .validate = jdbc_sink_validate,
    .task_configs = jdbc_sink_task_configs,
    .start = jdbc_sink_start,
    .put = jdbc_sink_put,
    .flush = jdbc_sink_flush,
    .stop = jdbc_sink_stop,
};
