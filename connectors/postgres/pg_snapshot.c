/*
 * pg_snapshot.c - the initial snapshot (pg_snapshot.h), on a regular
 * connection of its own inside one transaction:
 *
 *   SET DateStyle = ISO; SET IntervalStyle = postgres; SET bytea_output = hex
 *   BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY
 *   SET TRANSACTION SNAPSHOT '00000003-00000002-1'      (the slot's, when exported)
 *   SELECT txid_current(), now(), pg_current_wal_lsn()  (source.txId and ts_ms)
 *   <the captured tables, ordered by name>
 *   for each: its columns from the catalog (as a Relation message has them), then
 *     SAVEPOINT t; DECLARE c NO SCROLL CURSOR FOR
 *       SELECT "id", "item" FROM ONLY "public"."orders" WHERE ("id") > ($1) ORDER BY "id"
 *     RELEASE t; FETCH FORWARD 10240 FROM c ...; CLOSE c
 *   COMMIT
 *
 * The SETs are the text forms pg_types.c reads, so a row's values read
 * here map exactly as the same row's values from pgoutput; the columns
 * are those pgoutput sends (no dropped or generated ones), in its order,
 * and the stream describes the table (pg_stream_describe): the events are
 * the stream's, with op "r".
 *
 * The savepoint lets a table dropped after it was listed be skipped (a
 * warning names it: its rows are gone, and a DROP is not a change event)
 * without losing the transaction; once the cursor is declared the table's
 * lock keeps it.
 *
 * Each row is turned into its record only when the next one is known
 * (`held`), for its marker; the batch the held row is in stays alive
 * until then (`prev`).
 */
#include "pg_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dbz_event.h"
#include "pg_conn.h"
#include "pg_snapshot_offset.h"
#include "postgres_plugin.h"

#define CURSOR "connectd_snapshot"

typedef struct snap_table {
    uint32_t oid;
    char *schema, *name;
    char *quoted;    /* "schema"."name", for SQL */
    double estimate; /* pg_class.reltuples; < 0 when never analyzed */
    /* Once opened: */
    dbz_table_t *dbz; /* borrowed from the stream */
    size_t *key;      /* result columns of the key, in key order */
    size_t nkey;
    char *key_columns; /* the key's column names as the offsets have them (pg_snapshot_key_encode) */
    int64_t rows;      /* rows read, with those before a resume */
    bool from_start;   /* read from its first row, not resumed */
} snap_table_t;

struct pg_snapshot {
    cd_task_t *task;
    const pg_config_t *cfg;
    pg_stream_t *stream;
    PGconn *conn;
    snap_table_t *tables;
    size_t ntables;
    size_t cur;      /* the table being read, or the next to open */
    bool open;       /* a cursor on tables[cur] */
    bool exhausted;  /* every table read */
    bool finished;   /* ... and its last record handed out */
    bool failed;     /* a poll failed: the task fails with it */
    PGresult *batch; /* the last FETCH */
    int row;         /* its next row */
    PGresult *prev;  /* the batch before, while the held row is in it */
    struct {
        bool set;
        PGresult *res;
        int row;
        size_t table;
        bool first_in_table;
        int64_t table_rows;
    } held;
    uint64_t lsn; /* where streaming starts: every offset's lsn */
    int64_t txid, ts_us;
    /* Where a resumed snapshot goes on (NULL when it does not). */
    char *resume_schema, *resume_table;
    char **resume_key;
    size_t resume_nkey;
    char **resume_columns; /* the key's column names; NULL when the offset predates them */
    size_t resume_ncolumns;
    int64_t resume_rows;
    uint64_t records;      /* handed out */
    uint64_t rows_scanned; /* rows read, this run */
    int64_t started_ms;
    dbz_datum_t *datums;
    size_t ndatums;
};

/* ---- errors ------------------------------------------------------------------------- */

/* The server's message on one line, without its trailing newline. */
static const char *why(PGconn *conn, const PGresult *res, char *buf, size_t len)
{
    const char *msg = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    size_t j = 0;
    for (const char *p = msg; *p && j + 1 < len; p++) {
        buf[j++] = *p == '\n' ? ' ' : *p;
    }
    while (j > 0 && buf[j - 1] == ' ') {
        j--;
    }
    buf[j] = '\0';
    return buf;
}

static bool sqlstate_is(const PGresult *res, const char *state)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s && strcmp(s, state) == 0;
}

/* Whether the error's SQLSTATE is of `class` (its first two characters). */
static bool sqlstate_class_is(const PGresult *res, const char *class)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s && strncmp(s, class, 2) == 0;
}

/* A command whose result is not needed; -1 after errbuf naming `what`. */
static int command(PGconn *conn, const char *sql, const char *what, char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char buf[512];
        snprintf(errbuf, errlen, "%s failed: %s", what, why(conn, res, buf, sizeof(buf)));
        rc = -1;
    }
    PQclear(res);
    return rc;
}

static void permission_error(const pg_config_t *cfg, const snap_table_t *tab, char *errbuf, size_t errlen)
{
    snprintf(errbuf, errlen,
             "permission denied to read table %s.%s for the snapshot: user \"%s\" (database.user) needs SELECT on "
             "every captured table; run GRANT SELECT ON %s TO \"%s\", or leave the table out of table.include.list",
             tab->schema, tab->name, cfg->user, tab->quoted, cfg->user);
}

/* ---- the tables ------------------------------------------------------------------------ */

static void tables_free(snap_table_t *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(tables[i].schema);
        free(tables[i].name);
        free(tables[i].quoted);
        free(tables[i].key);
        free(tables[i].key_columns);
    }
    free(tables);
}

/* The captured tables, ordered by schema then name (byte order: "name"
 * sorts in the C collation), with whether the user may read each.  Only
 * ordinary tables: a partitioned table's rows are in its partitions, which
 * is where pgoutput sends their changes from.  0, or -1 after errbuf. */
static int tables_list(PGconn *conn, const pg_config_t *cfg, snap_table_t **out, bool **readable, size_t *n,
                       char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(
        conn, "SELECT c.oid, n.nspname, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
              "c.reltuples::float8, has_table_privilege(c.oid, 'SELECT') "
              "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
              "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
              "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
              "ORDER BY n.nspname, c.relname");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char buf[512];
        snprintf(errbuf, errlen, "listing the tables to snapshot failed: %s", why(conn, res, buf, sizeof(buf)));
        PQclear(res);
        return -1;
    }
    int rows = PQntuples(res);
    *out = calloc(rows ? (size_t)rows : 1, sizeof(**out));
    *readable = calloc(rows ? (size_t)rows : 1, sizeof(**readable));
    *n = 0;
    for (int i = 0; i < rows; i++) {
        if (!pg_config_table_included(cfg, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2))) {
            continue;
        }
        snap_table_t *tab = &(*out)[*n];
        tab->oid = (uint32_t)strtoul(PQgetvalue(res, i, 0), NULL, 10);
        tab->schema = strdup(PQgetvalue(res, i, 1));
        tab->name = strdup(PQgetvalue(res, i, 2));
        tab->quoted = strdup(PQgetvalue(res, i, 3));
        tab->estimate = strtod(PQgetvalue(res, i, 4), NULL);
        (*readable)[(*n)++] = PQgetvalue(res, i, 5)[0] == 't';
    }
    PQclear(res);
    return 0;
}

int pg_snapshot_check(PGconn *db, const pg_config_t *cfg, char *errbuf, size_t errlen)
{
    snap_table_t *tables;
    bool *readable;
    size_t n;
    if (tables_list(db, cfg, &tables, &readable, &n, errbuf, errlen) < 0) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!readable[i]) {
            permission_error(cfg, &tables[i], errbuf, errlen);
            rc = -1;
        }
    }
    tables_free(tables, n);
    free(readable);
    return rc;
}

/* Negative, 0 or positive as tables[i] sorts before, at or after the table
 * a resumed snapshot stopped in. */
static int resume_cmp(const pg_snapshot_t *snap, const snap_table_t *tab)
{
    int c = strcmp(tab->schema, snap->resume_schema);
    return c ? c : strcmp(tab->name, snap->resume_table);
}

/* ---- beginning ------------------------------------------------------------------------ */

static void report(pg_snapshot_t *snap);

void pg_snapshot_destroy(pg_snapshot_t *snap)
{
    if (!snap) {
        return;
    }
    PQclear(snap->prev);
    PQclear(snap->batch);
    PQfinish(snap->conn); /* ends the transaction, if one is open */
    tables_free(snap->tables, snap->ntables);
    free(snap->resume_schema);
    free(snap->resume_table);
    pg_snapshot_key_free(snap->resume_key, snap->resume_nkey);
    pg_snapshot_key_free(snap->resume_columns, snap->resume_ncolumns);
    free(snap->datums);
    free(snap);
}

/* Where a resumed snapshot goes on, from the committed offset. */
static void resume_set(pg_snapshot_t *snap, const pg_snapshot_position_t *pos)
{
    if (!pos || !pos->schema || !pos->table) {
        return;
    }
    snap->resume_schema = strdup(pos->schema);
    snap->resume_table = strdup(pos->table);
    snap->resume_rows = pos->table_rows;
    if (pos->last_key && pg_snapshot_key_decode(pos->last_key, &snap->resume_key, &snap->resume_nkey) < 0) {
        pg_host->log(snap->task, CD_LOG_WARN,
                     "the committed snapshot offset's snapshot_last_key is not a JSON array of strings (%s): "
                     "table %s.%s is read again from its beginning",
                     pos->last_key, pos->schema, pos->table);
        return;
    }
    if (pos->last_key && pos->key_columns &&
        pg_snapshot_key_decode(pos->key_columns, &snap->resume_columns, &snap->resume_ncolumns) < 0) {
        pg_host->log(snap->task, CD_LOG_WARN,
                     "the committed snapshot offset's snapshot_key_columns is not a JSON array of strings (%s): "
                     "table %s.%s is read again from its beginning",
                     pos->key_columns, pos->schema, pos->table);
        pg_snapshot_key_free(snap->resume_key, snap->resume_nkey);
        snap->resume_key = NULL;
        snap->resume_nkey = 0;
    }
}

pg_snapshot_t *pg_snapshot_begin(cd_task_t *task, const pg_config_t *cfg, pg_stream_t *stream, const char *exported,
                                 uint64_t stream_from, const pg_snapshot_position_t *resume, char *errbuf,
                                 size_t errlen)
{
    pg_snapshot_t *snap = calloc(1, sizeof(*snap));
    snap->task = task;
    snap->cfg = cfg;
    snap->stream = stream;
    snap->started_ms = clock_mono_ms();
    char app[128];
    snprintf(app, sizeof(app), "connectd %s-%d snapshot", pg_host->connector_name(task), pg_host->task_id(task));
    snap->conn = pg_conn_open(cfg, false, app, errbuf, errlen);
    if (!snap->conn ||
        command(snap->conn, "SET DateStyle = ISO; SET IntervalStyle = postgres; SET bytea_output = hex",
                "setting the snapshot connection's output formats", errbuf, errlen) < 0 ||
        command(snap->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "beginning the snapshot transaction",
                errbuf, errlen) < 0) {
        goto fail;
    }
    if (exported) {
        char *lit = PQescapeLiteral(snap->conn, exported, strlen(exported));
        if (!lit) {
            snprintf(errbuf, errlen, "quoting the snapshot name \"%s\" exported by replication slot \"%s\" failed: %s",
                     exported, cfg->slot_name, PQerrorMessage(snap->conn));
            goto fail;
        }
        char sql[256];
        snprintf(sql, sizeof(sql), "SET TRANSACTION SNAPSHOT %s", lit);
        PQfreemem(lit);
        char what[160];
        snprintf(what, sizeof(what), "importing the snapshot exported by replication slot \"%s\" (%s)", cfg->slot_name,
                 exported);
        if (command(snap->conn, sql, what, errbuf, errlen) < 0) {
            goto fail;
        }
    }
    PGresult *res = PQexec(snap->conn, "SELECT txid_current(), (extract(epoch FROM now()) * 1000000)::int8, "
                                       "pg_current_wal_lsn()");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char buf[512];
        snprintf(errbuf, errlen, "reading the snapshot transaction's id failed: %s",
                 why(snap->conn, res, buf, sizeof(buf)));
        PQclear(res);
        goto fail;
    }
    snap->txid = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snap->ts_us = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    snap->lsn = stream_from;
    if (!snap->lsn && !pgoutput_lsn_parse(PQgetvalue(res, 0, 2), &snap->lsn)) {
        snap->lsn = 0;
    }
    PQclear(res);

    bool *readable = NULL;
    if (tables_list(snap->conn, cfg, &snap->tables, &readable, &snap->ntables, errbuf, errlen) < 0) {
        goto fail;
    }
    for (size_t i = 0; i < snap->ntables; i++) {
        if (!readable[i]) {
            permission_error(cfg, &snap->tables[i], errbuf, errlen);
            free(readable);
            goto fail;
        }
    }
    free(readable);
    resume_set(snap, resume);
    while (snap->resume_table && snap->cur < snap->ntables && resume_cmp(snap, &snap->tables[snap->cur]) < 0) {
        snap->cur++; /* read before the restart */
    }
    char pos[PGOUTPUT_LSN_BUFSIZE], at[64] = "";
    if (stream_from) {
        snprintf(at, sizeof(at), "; streaming will start at LSN %s", pgoutput_lsn_format(snap->lsn, pos));
    }
    if (snap->resume_table) {
        pg_host->log(task, CD_LOG_INFO,
                     "resuming the snapshot at table %s.%s (%zu of %zu) after %lld of its rows, in a new "
                     "transaction%s",
                     snap->resume_schema, snap->resume_table, snap->cur + 1, snap->ntables,
                     (long long)snap->resume_rows, at);
    } else {
        pg_host->log(task, CD_LOG_INFO, "snapshot of %zu table%s in %s%s", snap->ntables, snap->ntables == 1 ? "" : "s",
                     exported ? "the replication slot's exported snapshot" : "a new transaction", at);
    }
    report(snap);
    return snap;
fail:
    pg_snapshot_destroy(snap);
    return NULL;
}

/* ---- one table ------------------------------------------------------------------------ */

/* The columns of tab as pgoutput's Relation message has them (attnum order,
 * no dropped or generated column), with the key to read it in: primary
 * key, else replica identity index.  0 rows: the table was dropped. */
static PGresult *table_columns(pg_snapshot_t *snap, const snap_table_t *tab, char *errbuf, size_t errlen)
{
    /* Generated columns exist from PostgreSQL 12; pgoutput leaves them out. */
    const char *generated = PQserverVersion(snap->conn) >= 120000 ? " AND a.attgenerated = ''" : "";
    char sql[1536];
    snprintf(sql, sizeof(sql),
             "SELECT c.relreplident, a.attname, a.atttypid, a.atttypmod, quote_ident(a.attname), "
             "  COALESCE((SELECT k.pos FROM pg_catalog.pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) "
             "            WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum), 0), "
             "  COALESCE((SELECT k.pos FROM pg_catalog.pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) "
             "            WHERE i.indrelid = c.oid AND i.indisreplident AND k.attnum = a.attnum), 0) "
             "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_attribute a "
             "  ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped%s "
             "WHERE c.oid = $1::oid ORDER BY a.attnum",
             generated);
    char oid[16];
    snprintf(oid, sizeof(oid), "%u", tab->oid);
    const char *params[] = {oid};
    PGresult *res = PQexecParams(snap->conn, sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char buf[512];
        snprintf(errbuf, errlen, "reading the columns of table %s.%s for the snapshot failed: %s", tab->schema,
                 tab->name, why(snap->conn, res, buf, sizeof(buf)));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* The key columns (result column indexes) of a table whose catalog row
 * `cols` has: the primary key's in its order, else the replica identity
 * index's.  Column 5 is the place in the primary key, 6 in the index. */
static void table_key(snap_table_t *tab, const PGresult *cols, int ncols)
{
    for (int which = 5; which <= 6 && tab->nkey == 0; which++) {
        for (int i = 0; i < ncols; i++) {
            int pos = atoi(PQgetvalue(cols, i, which));
            if (pos > 0) {
                tab->key = realloc(tab->key, (tab->nkey + 1) * sizeof(*tab->key));
                size_t k = tab->nkey++;
                while (k > 0 && atoi(PQgetvalue(cols, (int)tab->key[k - 1], which)) > pos) {
                    tab->key[k] = tab->key[k - 1];
                    k--;
                }
                tab->key[k] = (size_t)i;
            }
        }
    }
}

/* Appends s to the growing string *buf. */
static void append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    *buf = realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* Describes tab as the stream would (pg_stream_describe: the Relation
 * message pgoutput would send) and finds its key, from `cols`, its
 * catalog rows (ncols columns).  0, or -1 after errbuf. */
static int table_describe(pg_snapshot_t *snap, snap_table_t *tab, const PGresult *cols, int ncols, char *errbuf,
                          size_t errlen)
{
    char replident = PQgetvalue(cols, 0, 0)[0];
    pgoutput_column_t *rcols = calloc(ncols ? (size_t)ncols : 1, sizeof(*rcols));
    for (int i = 0; i < ncols; i++) {
        rcols[i] = (pgoutput_column_t){
            .name = PQgetvalue(cols, i, 1),
            .type_oid = (uint32_t)strtoul(PQgetvalue(cols, i, 2), NULL, 10),
            .typmod = atoi(PQgetvalue(cols, i, 3)),
            .key = replident == 'f' || (replident == 'd' && atoi(PQgetvalue(cols, i, 5)) > 0) ||
                   (replident == 'i' && atoi(PQgetvalue(cols, i, 6)) > 0),
        };
    }
    pgoutput_relation_t rel = {.relid = tab->oid,
                               .nspname = tab->schema,
                               .relname = tab->name,
                               .replident = replident,
                               .ncols = (uint16_t)ncols,
                               .cols = rcols};
    int rc = pg_stream_describe(snap->stream, snap->conn, &rel, &tab->dbz, errbuf, errlen);
    free(rcols);
    if (rc == 0 && !tab->dbz) {
        snprintf(errbuf, errlen, "table %s.%s is not captured", tab->schema, tab->name);
        rc = -1;
    }
    if (rc < 0) {
        return -1;
    }
    table_key(tab, cols, ncols);
    return 0;
}

/* The cursor's declaration over tab (malloc'd):
 *   DECLARE c NO SCROLL CURSOR FOR SELECT <columns> FROM ONLY <table>
 *     [WHERE (<key>) > ($1, ...)] [ORDER BY <key>]
 * with the WHERE when `after_key`, its parameters' types into types[]. */
static char *table_declare_sql(const snap_table_t *tab, const PGresult *cols, int ncols, bool after_key, Oid *types)
{
    char *sql = NULL, *keylist = NULL;
    size_t len = 0, klen = 0;
    append(&sql, &len, "DECLARE " CURSOR " NO SCROLL CURSOR FOR SELECT ");
    for (int i = 0; i < ncols; i++) {
        append(&sql, &len, i ? ", " : "");
        append(&sql, &len, PQgetvalue(cols, i, 4));
    }
    append(&sql, &len, " FROM ONLY ");
    append(&sql, &len, tab->quoted);
    append(&keylist, &klen, "");
    for (size_t k = 0; k < tab->nkey; k++) {
        append(&keylist, &klen, k ? ", " : "");
        append(&keylist, &klen, PQgetvalue(cols, (int)tab->key[k], 4));
    }
    if (after_key) {
        append(&sql, &len, " WHERE (");
        append(&sql, &len, keylist);
        append(&sql, &len, ") > (");
        for (size_t k = 0; k < tab->nkey; k++) {
            char param[32];
            snprintf(param, sizeof(param), "%s$%zu", k ? ", " : "", k + 1);
            append(&sql, &len, param);
            types[k] = (Oid)strtoul(PQgetvalue(cols, (int)tab->key[k], 2), NULL, 10);
        }
        append(&sql, &len, ")");
    }
    if (tab->nkey > 0) {
        append(&sql, &len, " ORDER BY ");
        append(&sql, &len, keylist);
    }
    free(keylist);
    return sql;
}

/* table_declare's answer when the resume key does not fit the key's columns. */
#define TABLE_KEY_REJECTED 2

/* Declares the cursor (sql, with nparams of the resume key) inside a
 * savepoint, so that a table dropped meanwhile costs only itself, and a
 * resume key the columns' types no longer read only its place.  1 when
 * the cursor is open, 0 when the table is gone, TABLE_KEY_REJECTED when
 * the key is not of the columns' types (a warning says why), -1 after
 * errbuf. */
static int table_declare(pg_snapshot_t *snap, const snap_table_t *tab, const char *sql, int nparams, const Oid *types,
                         char *errbuf, size_t errlen)
{
    if (command(snap->conn, "SAVEPOINT connectd_table", "the snapshot's savepoint", errbuf, errlen) < 0) {
        return -1;
    }
    PGresult *res = PQexecParams(snap->conn, sql, nparams, nparams ? types : NULL,
                                 nparams ? (const char *const *)snap->resume_key : NULL, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return command(snap->conn, "RELEASE SAVEPOINT connectd_table", "the snapshot's savepoint", errbuf, errlen) < 0
                   ? -1
                   : 1;
    }
    char buf[512];
    why(snap->conn, res, buf, sizeof(buf));
    int rc = -1;
    if (sqlstate_is(res, "42P01")) { /* undefined_table */
        pg_host->log(snap->task, CD_LOG_WARN, "table %s.%s was dropped before the snapshot read it: skipped (%s)",
                     tab->schema, tab->name, buf);
        rc = command(snap->conn, "ROLLBACK TO SAVEPOINT connectd_table", "the snapshot's savepoint", errbuf, errlen);
    } else if (nparams > 0 && sqlstate_class_is(res, "22")) {
        /* data_exception: the key's values do not read as its columns'
         * types (a column's type changed since the offset was written).
         * Failing would fail every restart alike; the table's beginning
         * is a place that always exists. */
        pg_host->log(snap->task, CD_LOG_WARN,
                     "the committed snapshot offset's last key does not fit the key of table %s.%s (%s): the resumed "
                     "snapshot reads it again from its beginning, so its rows read before the restart come twice",
                     tab->schema, tab->name, buf);
        rc = command(snap->conn, "ROLLBACK TO SAVEPOINT connectd_table", "the snapshot's savepoint", errbuf, errlen) < 0
                 ? -1
                 : TABLE_KEY_REJECTED;
    } else if (sqlstate_is(res, "42501")) { /* insufficient_privilege */
        permission_error(snap->cfg, tab, errbuf, errlen);
    } else {
        snprintf(errbuf, errlen, "reading table %s.%s for the snapshot failed: %s", tab->schema, tab->name, buf);
    }
    PQclear(res);
    return rc;
}

/* Opens the cursor over tables[cur]: its columns, from the key after the
 * resume position if it is the table a resumed snapshot stopped in.  1
 * when the cursor is open, 0 when the table is gone (skipped), -1 after
 * errbuf. */
static int table_open(pg_snapshot_t *snap, char *errbuf, size_t errlen)
{
    snap_table_t *tab = &snap->tables[snap->cur];
    PGresult *cols = table_columns(snap, tab, errbuf, errlen);
    if (!cols) {
        return -1;
    }
    int ncols = PQntuples(cols);
    if (ncols == 0) {
        PQclear(cols);
        pg_host->log(snap->task, CD_LOG_WARN, "table %s.%s was dropped before the snapshot read it: skipped",
                     tab->schema, tab->name);
        return 0;
    }
    if (PQgetisnull(cols, 0, 1)) {
        ncols = 0; /* a table without columns */
    }
    if (table_describe(snap, tab, cols, ncols, errbuf, errlen) < 0) {
        PQclear(cols);
        return -1;
    }
    const char **names = calloc(tab->nkey + 1, sizeof(*names));
    size_t *lens = calloc(tab->nkey + 1, sizeof(*lens));
    for (size_t k = 0; k < tab->nkey; k++) {
        names[k] = PQgetvalue(cols, (int)tab->key[k], 1);
        lens[k] = strlen(names[k]);
    }
    tab->key_columns = pg_snapshot_key_encode(names, lens, tab->nkey);
    /* An offset written before the names were kept is compared by the
     * number of key columns alone. */
    bool resumed = snap->resume_table && resume_cmp(snap, tab) == 0;
    bool same_key = resumed && tab->nkey > 0 && snap->resume_nkey == tab->nkey;
    for (size_t k = 0; same_key && snap->resume_columns && k < tab->nkey; k++) {
        same_key = snap->resume_ncolumns == tab->nkey && strcmp(snap->resume_columns[k], names[k]) == 0;
    }
    free(names);
    free(lens);
    bool after_key = same_key;
    if (resumed && !after_key) {
        pg_host->log(snap->task, CD_LOG_WARN,
                     "table %s.%s has %s%s: the resumed snapshot reads it again from its beginning, so its rows read "
                     "before the restart come twice",
                     tab->schema, tab->name,
                     tab->nkey ? "another key than the committed offset's: "
                               : "no primary key or replica identity index",
                     tab->nkey ? tab->key_columns : "");
    }
    int rc;
    for (;;) {
        tab->from_start = !after_key;
        tab->rows = after_key ? snap->resume_rows : 0;
        Oid *types = calloc(tab->nkey + 1, sizeof(*types));
        char *sql = table_declare_sql(tab, cols, ncols, after_key, types);
        rc = table_declare(snap, tab, sql, after_key ? (int)tab->nkey : 0, types, errbuf, errlen);
        free(types);
        free(sql);
        if (rc != TABLE_KEY_REJECTED) {
            break;
        }
        after_key = false;
    }
    PQclear(cols);
    snap->open = rc == 1;
    return rc;
}

/* A new batch into snap->batch; the held row's batch is kept. */
static int table_fetch(pg_snapshot_t *snap, char *errbuf, size_t errlen)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM " CURSOR, snap->cfg->snapshot_fetch_size);
    PGresult *res = PQexec(snap->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const snap_table_t *tab = &snap->tables[snap->cur];
        char buf[512];
        if (sqlstate_is(res, "42501")) {
            permission_error(snap->cfg, tab, errbuf, errlen);
        } else {
            snprintf(errbuf, errlen, "reading table %s.%s for the snapshot failed: %s", tab->schema, tab->name,
                     why(snap->conn, res, buf, sizeof(buf)));
        }
        PQclear(res);
        return -1;
    }
    if (snap->held.set && snap->held.res == snap->batch) {
        snap->prev = snap->batch;
    } else {
        PQclear(snap->batch);
    }
    snap->batch = res;
    snap->row = 0;
    return 0;
}

/* The next row of the snapshot: 1 with *res, *row and *table set, 0 when
 * every table is read, -1 after errbuf. */
static int next_row(pg_snapshot_t *snap, PGresult **res, int *row, size_t *table, char *errbuf, size_t errlen)
{
    for (;;) {
        if (snap->batch && snap->row < PQntuples(snap->batch)) {
            *res = snap->batch;
            *row = snap->row++;
            *table = snap->cur;
            snap->tables[snap->cur].rows++;
            snap->rows_scanned++;
            return 1;
        }
        if (snap->open) {
            bool ended = snap->batch && PQntuples(snap->batch) < snap->cfg->snapshot_fetch_size;
            if (!ended) {
                if (table_fetch(snap, errbuf, errlen) < 0) {
                    return -1;
                }
                if (PQntuples(snap->batch) > 0) {
                    continue;
                }
            }
            if (command(snap->conn, "CLOSE " CURSOR, "closing the snapshot's cursor", errbuf, errlen) < 0) {
                return -1;
            }
            snap->open = false;
            snap->cur++;
            /* The batch stays while the held row is in it. */
            if (!(snap->held.set && snap->held.res == snap->batch)) {
                PQclear(snap->batch);
            } else {
                snap->prev = snap->batch;
            }
            snap->batch = NULL;
            continue;
        }
        if (snap->cur >= snap->ntables) {
            snap->exhausted = true;
            return 0;
        }
        int rc = table_open(snap, errbuf, errlen);
        if (rc < 0) {
            return -1;
        }
        if (rc == 0) {
            snap->cur++;
        }
    }
}

/* ---- records ---------------------------------------------------------------------------- */

/* The record of the held row, with `marker` in source.snapshot; `last`:
 * the last of the snapshot.  NULL after errbuf. */
static cd_record_t *held_record(pg_snapshot_t *snap, const char *marker, bool last, char *errbuf, size_t errlen)
{
    const snap_table_t *tab = &snap->tables[snap->held.table];
    PGresult *res = snap->held.res;
    int row = snap->held.row, ncols = PQnfields(res);
    if ((size_t)ncols > snap->ndatums) {
        snap->ndatums = (size_t)ncols;
        snap->datums = realloc(snap->datums, snap->ndatums * sizeof(*snap->datums));
    }
    for (int i = 0; i < ncols; i++) {
        snap->datums[i] = PQgetisnull(res, row, i) ? (dbz_datum_t){.kind = 'n'}
                                                   : (dbz_datum_t){.kind = 't',
                                                                   .data = PQgetvalue(res, row, i),
                                                                   .len = (size_t)PQgetlength(res, row, i)};
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    dbz_source_t src = {.ts_us = snap->ts_us,
                        .snapshot = marker,
                        .has_txid = true,
                        .txid = snap->txid,
                        .has_lsn = true,
                        .lsn = snap->lsn};
    dbz_change_t change = {.op = DBZ_OP_READ,
                           .new_tuple = snap->datums,
                           .source = &src,
                           .now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec};
    dbz_event_t ev[DBZ_EVENTS_MAX];
    size_t n = 0;
    char buf[512];
    if (dbz_table_events(tab->dbz, &change, ev, &n, buf, sizeof(buf)) < 0) {
        snprintf(errbuf, errlen, "a row of %s.%s cannot be made into a snapshot event: %s", tab->schema, tab->name,
                 buf);
        return NULL;
    }
    /* A read is one event. */
    cd_record_t *rec = pg_host->record_new(snap->task);
    pg_host->record_set_topic(rec, ev[0].topic);
    pg_host->record_set_key(rec, ev[0].key_schema, ev[0].key);
    pg_host->record_set_value(rec, ev[0].value_schema, ev[0].value);
    ev[0].key_schema = ev[0].value_schema = NULL;
    ev[0].key = ev[0].value = NULL;
    for (size_t i = 0; i < n; i++) {
        dbz_event_clear(pg_host, &ev[i]);
    }
    char *key = NULL;
    if (tab->nkey) {
        const char **vals = calloc(tab->nkey, sizeof(*vals));
        size_t *lens = calloc(tab->nkey, sizeof(*lens));
        for (size_t k = 0; k < tab->nkey; k++) {
            vals[k] = PQgetvalue(res, row, (int)tab->key[k]);
            lens[k] = (size_t)PQgetlength(res, row, (int)tab->key[k]);
        }
        key = pg_snapshot_key_encode(vals, lens, tab->nkey);
        free(vals);
        free(lens);
    }
    pg_snapshot_record_offset_t off = {.lsn = snap->lsn,
                                       .txid = snap->txid,
                                       .ts_us = snap->ts_us,
                                       .last = last,
                                       .schema = tab->schema,
                                       .table = tab->name,
                                       .table_index = (int64_t)snap->held.table + 1,
                                       .last_key = key,
                                       .key_columns = tab->key_columns,
                                       .table_rows = snap->held.table_rows};
    pg_host->record_set_source(rec, pg_stream_partition(snap->stream), pg_snapshot_offset_value(pg_host, &off));
    free(key);
    return rec;
}

/* ---- progress ---------------------------------------------------------------------------- */

/* The status line and the metrics (ABI 1.3, when the worker has it), named
 * after Debezium's snapshot metrics (SnapshotRunning, SnapshotCompleted,
 * TotalTableCount, RemainingTableCount, RowsScanned,
 * SnapshotDurationInSeconds). */
static void report(pg_snapshot_t *snap)
{
    cd_task_t *task = snap->task;
    size_t done = snap->exhausted ? snap->ntables : snap->cur;
    double estimated = 0;
    for (size_t i = 0; i < snap->ntables; i++) {
        estimated += snap->tables[i].estimate > 0 ? snap->tables[i].estimate : 0;
    }
    if (CD_HOST_HAS(pg_host, progress_set)) {
        if (snap->finished || snap->failed) {
            pg_host->progress_set(task, NULL);
        } else if (snap->cur < snap->ntables) {
            const snap_table_t *tab = &snap->tables[snap->cur];
            char estimate[48] = "";
            if (tab->estimate > 0) {
                snprintf(estimate, sizeof(estimate), " of ~%.0f", tab->estimate);
            }
            pg_host->progress_set(task, "snapshot: table %zu of %zu (%s.%s), %lld%s rows", snap->cur + 1, snap->ntables,
                                  tab->schema, tab->name, (long long)tab->rows, estimate);
        }
    }
    if (CD_HOST_HAS(pg_host, metric_set)) {
        pg_host->metric_set(task, "snapshot_running", CD_METRIC_GAUGE,
                            "Whether the initial snapshot is running (Debezium's SnapshotRunning).",
                            snap->finished || snap->failed ? 0 : 1);
        pg_host->metric_set(task, "snapshot_completed", CD_METRIC_GAUGE,
                            "Whether the initial snapshot has completed (Debezium's SnapshotCompleted).",
                            snap->finished ? 1 : 0);
        pg_host->metric_set(task, "snapshot_tables_total", CD_METRIC_GAUGE,
                            "Tables the snapshot reads (Debezium's TotalTableCount).", (double)snap->ntables);
        pg_host->metric_set(task, "snapshot_tables_remaining", CD_METRIC_GAUGE,
                            "Tables the snapshot has not finished reading (Debezium's RemainingTableCount).",
                            (double)(snap->ntables - done));
        pg_host->metric_set(task, "snapshot_rows_scanned", CD_METRIC_COUNTER,
                            "Rows the snapshot has read since the task started (Debezium's RowsScanned, summed).",
                            (double)snap->rows_scanned);
        pg_host->metric_set(task, "snapshot_rows_estimated", CD_METRIC_GAUGE,
                            "Rows of the tables the snapshot reads, as pg_class.reltuples estimates them.", estimated);
        pg_host->metric_set(task, "snapshot_duration_seconds", CD_METRIC_GAUGE,
                            "Seconds the snapshot has taken so far in this task (Debezium's "
                            "SnapshotDurationInSeconds).",
                            (double)(clock_mono_ms() - snap->started_ms) / 1000.0);
    }
}

/* ---- poll ---------------------------------------------------------------------------------- */

int pg_snapshot_poll(pg_snapshot_t *snap, cd_record_t **out, size_t cap, size_t *n, char *errbuf, size_t errlen)
{
    *n = 0;
    int rc = snap->finished ? 1 : 0;
    while (!snap->finished && *n < cap && !pg_host->is_stopping(snap->task)) {
        PGresult *res = NULL;
        int row = 0;
        size_t table = 0;
        int got = next_row(snap, &res, &row, &table, errbuf, errlen);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (snap->held.set) {
            /* What follows the held row decides its marker; after the
             * last one, nothing (BufferingSnapshotChangeRecordReceiver). */
            size_t t = snap->held.table;
            bool last_in_table = got == 0 || table != t;
            const char *marker = got == 0 ? "last"
                                          : pg_snapshot_marker(t == 0, t + 1 == snap->ntables,
                                                               snap->held.first_in_table, last_in_table);
            cd_record_t *rec = held_record(snap, marker, got == 0, errbuf, errlen);
            if (!rec) {
                rc = -1;
                break;
            }
            out[(*n)++] = rec;
            snap->records++;
            if (snap->held.res == snap->prev) {
                PQclear(snap->prev);
                snap->prev = NULL;
            }
            snap->held.set = false;
        }
        if (got == 0) {
            snap->finished = true;
            rc = command(snap->conn, "COMMIT", "ending the snapshot transaction", errbuf, errlen) < 0 ? -1 : 1;
            break;
        }
        const snap_table_t *tab = &snap->tables[table];
        snap->held.set = true;
        snap->held.res = res;
        snap->held.row = row;
        snap->held.table = table;
        snap->held.first_in_table = tab->from_start && tab->rows == 1;
        snap->held.table_rows = tab->rows;
    }
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++) {
            pg_host->record_free(out[i]);
        }
        *n = 0;
        snap->failed = true;
        report(snap);
        return -1;
    }
    if (rc == 1) {
        pg_host->log(snap->task, CD_LOG_INFO,
                     "snapshot complete: %llu rows read from %zu table%s in %.1f s (%llu records)",
                     (unsigned long long)snap->rows_scanned, snap->ntables, snap->ntables == 1 ? "" : "s",
                     (double)(clock_mono_ms() - snap->started_ms) / 1000.0, (unsigned long long)snap->records);
    }
    report(snap);
    return rc;
}

uint64_t pg_snapshot_records(const pg_snapshot_t *snap)
{
    return snap->records;
}
