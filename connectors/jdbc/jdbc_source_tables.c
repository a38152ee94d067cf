/*
 * jdbc_source_tables.c - finding the tables to copy and checking their
 * columns (jdbc_source_tables.h).  Every name from a setting reaches the
 * server as a parameter, never in the SQL text.
 */
#include "jdbc_source_tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgc_conn.h"
#include "pgc_sql.h"
#include "xalloc.h"

void jdbc_tables_free(jdbc_tables_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].schema);
        free(t->items[i].name);
    }
    free(t->items);
    memset(t, 0, sizeof(*t));
}

static void tables_add(jdbc_tables_t *t, const char *schema, const char *name)
{
    t->items = xrealloc(t->items, (t->n + 1) * sizeof(*t->items));
    t->items[t->n].schema = xstrdup(schema);
    t->items[t->n++].name = xstrdup(name);
}

/* table.types as the relkinds of pg_class, e.g. "{r,p}". */
static void relkinds(unsigned types, char *out, size_t len)
{
    static const struct {
        unsigned type;
        char kind;
    } kinds[] = {
        {JDBC_TABLE_TYPE_TABLE, 'r'},
        {JDBC_TABLE_TYPE_VIEW, 'v'},
        {JDBC_TABLE_TYPE_MATERIALIZED_VIEW, 'm'},
        {JDBC_TABLE_TYPE_FOREIGN_TABLE, 'f'},
        {JDBC_TABLE_TYPE_PARTITIONED_TABLE, 'p'},
        {JDBC_TABLE_TYPE_SYSTEM_TABLE, 'r'},
        {JDBC_TABLE_TYPE_SYSTEM_VIEW, 'v'},
    };
    size_t j = 0;
    out[j++] = '{';
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && j + 3 < len; i++) {
        if (types & kinds[i].type) {
            if (j > 1) {
                out[j++] = ',';
            }
            out[j++] = kinds[i].kind;
        }
    }
    out[j++] = '}';
    out[j] = '\0';
}

/* Whether a whitelist entry names schema.name: the bare name, schema.name
 * or "schema"."name", as jdbc_source_config_table_wanted compares. */
static bool entry_names(const char *entry, const char *schema, const char *name)
{
    if (strcmp(entry, name) == 0) {
        return true;
    }
    size_t slen = strlen(schema);
    if (strncmp(entry, schema, slen) == 0 && entry[slen] == '.' && strcmp(entry + slen + 1, name) == 0) {
        return true;
    }
    char quoted[1024];
    snprintf(quoted, sizeof(quoted), "\"%s\".\"%s\"", schema, name);
    return strcmp(entry, quoted) == 0;
}

int jdbc_tables_find(PGconn *conn, const jdbc_source_config_t *cfg, jdbc_tables_t *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char kinds[32];
    relkinds(cfg->table_types ? cfg->table_types : JDBC_TABLE_TYPE_TABLE, kinds, sizeof(kinds));
    bool system = cfg->table_types & (JDBC_TABLE_TYPE_SYSTEM_TABLE | JDBC_TABLE_TYPE_SYSTEM_VIEW);
    const char *params[] = {kinds, cfg->schema_pattern, system ? "t" : "f"};
    PGresult *res = PQexecParams(conn,
                                 "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE c.relkind = ANY ($1::\"char\"[]) AND ($2::text IS NULL OR n.nspname LIKE $2) "
                                 "AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp' "
                                 "AND ($3::bool OR n.nspname NOT IN ('pg_catalog', 'information_schema')) "
                                 "ORDER BY n.nspname, c.relname",
                                 3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char why[512];
        pgc_conn_error(conn, res, why, sizeof(why));
        snprintf(errbuf, errlen, "listing the tables failed: %s", why);
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        const char *schema = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 1);
        if (jdbc_source_config_table_wanted(cfg, schema, name)) {
            tables_add(out, schema, name);
        }
    }
    for (size_t w = 0; w < cfg->whitelist.n; w++) {
        bool found = false;
        for (int i = 0; i < PQntuples(res) && !found; i++) {
            found = entry_names(cfg->whitelist.items[w], PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        }
        if (!found) {
            snprintf(errbuf, errlen,
                     "table.whitelist: table '%s' does not exist%s%s%s, or the user of connection.user may not see it",
                     cfg->whitelist.items[w], cfg->schema_pattern ? " in the schemas schema.pattern '" : "",
                     cfg->schema_pattern ? cfg->schema_pattern : "", cfg->schema_pattern ? "' matches" : "");
            PQclear(res);
            jdbc_tables_free(out);
            return -1;
        }
    }
    PQclear(res);
    return 0;
}

char *jdbc_tables_format(const jdbc_tables_t *t, size_t from, size_t to)
{
    pgc_sql_t q;
    pgc_sql_init(&q);
    for (size_t i = from; i < to; i++) {
        if (i > from) {
            pgc_sql_append(&q, ",");
        }
        pgc_sql_ident2(&q, t->items[i].schema, t->items[i].name);
    }
    char *s = xstrdup(pgc_sql_text(&q));
    pgc_sql_free(&q);
    return s;
}

/* One quoted identifier at *p ("" doubled inside), advancing *p. */
static char *parse_quoted(const char **p)
{
    if (**p != '"') {
        return NULL;
    }
    const char *s = *p + 1;
    size_t cap = strlen(s) + 1, n = 0;
    char *out = xmalloc(cap);
    for (;; s++) {
        if (*s == '\0') {
            free(out);
            return NULL;
        }
        if (*s == '"') {
            if (s[1] != '"') {
                break;
            }
            s++;
        }
        out[n++] = *s;
    }
    out[n] = '\0';
    *p = s + 1;
    return out;
}

int jdbc_tables_parse(const char *text, jdbc_tables_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = text ? text : "";
    while (*p) {
        char *schema = parse_quoted(&p);
        char *name = schema && *p == '.' ? (p++, parse_quoted(&p)) : NULL;
        if (!name || (*p && *p != ',')) {
            free(schema);
            free(name);
            jdbc_tables_free(out);
            return -1;
        }
        p += *p == ',';
        tables_add(out, schema, name);
        free(schema);
        free(name);
    }
    return 0;
}

/* ---- columns ------------------------------------------------------------------------ */

/* The base type of each column (domains followed), its nullability, and
 * whether it is a serial or identity column. */
static const char columns_sql[] =
    "SELECT a.attname, a.attnotnull, format_type(a.atttypid, a.atttypmod), "
    "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END::int8, "
    "(a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%') "
    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* Integer types: int2, int4, int8, oid, numeric. */
static bool oid_integral(long long oid)
{
    return oid == 20 || oid == 21 || oid == 23 || oid == 26 || oid == 1700;
}

/* date, timestamp, timestamptz. */
static bool oid_temporal(long long oid)
{
    return oid == 1082 || oid == 1114 || oid == 1184;
}

static int find_column(const PGresult *res, const char *name)
{
    for (int i = 0; i < PQntuples(res); i++) {
        if (strcmp(PQgetvalue(res, i, 0), name) == 0) {
            return i;
        }
    }
    return -1;
}

int jdbc_tables_check(PGconn *conn, const jdbc_source_config_t *cfg, const char *schema, const char *name,
                      char **inc_col, char *errbuf, size_t errlen)
{
    *inc_col = NULL;
    char *table = pgc_sql_quote_ident(schema);
    char *quoted_name = pgc_sql_quote_ident(name);
    size_t len = strlen(table) + strlen(quoted_name) + 2;
    char *regclass = xmalloc(len);
    snprintf(regclass, len, "%s.%s", table, quoted_name);
    free(table);
    free(quoted_name);
    const char *params[] = {regclass};
    PGresult *res = PQexecParams(conn, columns_sql, 1, NULL, params, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char why[512];
        pgc_conn_error(conn, res, why, sizeof(why));
        snprintf(errbuf, errlen, "cannot read the columns of table %s: %s", regclass, why);
        goto out;
    }
    const char *inc = NULL;
    const jdbc_list_t *ts = NULL;
    if (jdbc_source_config_incrementing(cfg, schema, name, &inc, errbuf, errlen) != 0 ||
        jdbc_source_config_timestamps(cfg, schema, name, &ts, errbuf, errlen) != 0) {
        goto out;
    }
    if (inc) {
        int col = -1;
        if (!inc[0]) {
            for (int i = 0; i < PQntuples(res) && col < 0; i++) {
                col = strcmp(PQgetvalue(res, i, 4), "t") == 0 ? i : -1;
            }
            if (col < 0) {
                snprintf(errbuf, errlen,
                         "incrementing.column.name: table %s has no serial or identity column to use as the "
                         "incrementing column; name one",
                         regclass);
                goto out;
            }
        } else if ((col = find_column(res, inc)) < 0) {
            snprintf(errbuf, errlen, "incrementing.column.name: table %s has no column \"%s\"", regclass, inc);
            goto out;
        }
        if (!oid_integral(strtoll(PQgetvalue(res, col, 3), NULL, 10))) {
            snprintf(errbuf, errlen,
                     "incrementing.column.name: column \"%s\" of table %s is %s; the incrementing column must be an "
                     "integer (smallint, integer, bigint, or numeric without a fraction)",
                     PQgetvalue(res, col, 0), regclass, PQgetvalue(res, col, 2));
            goto out;
        }
        if (cfg->validate_non_null && strcmp(PQgetvalue(res, col, 1), "t") != 0) {
            snprintf(errbuf, errlen,
                     "Cannot make incremental queries using incrementing column %s on %s because this column is "
                     "nullable: declare it NOT NULL, or set validate.non.null=false",
                     PQgetvalue(res, col, 0), regclass);
            goto out;
        }
        *inc_col = xstrdup(PQgetvalue(res, col, 0));
    }
    bool any_not_null = false;
    for (size_t i = 0; i < ts->n; i++) {
        int col = find_column(res, ts->items[i]);
        if (col < 0) {
            snprintf(errbuf, errlen, "timestamp.column.name: table %s has no column \"%s\"", regclass, ts->items[i]);
            goto out;
        }
        if (!oid_temporal(strtoll(PQgetvalue(res, col, 3), NULL, 10))) {
            snprintf(errbuf, errlen,
                     "timestamp.column.name: column \"%s\" of table %s is %s; a timestamp column must be a timestamp, "
                     "timestamp with time zone or date",
                     ts->items[i], regclass, PQgetvalue(res, col, 2));
            goto out;
        }
        any_not_null |= strcmp(PQgetvalue(res, col, 1), "t") == 0;
    }
    if (ts->n && cfg->validate_non_null && !any_not_null) {
        snprintf(errbuf, errlen,
                 "Cannot make incremental queries using timestamp columns %s on %s because all of these columns are "
                 "nullable: declare one NOT NULL, or set validate.non.null=false",
                 ts->items[0], regclass);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        free(*inc_col);
        *inc_col = NULL;
    }
    PQclear(res);
    free(regclass);
    return rc;
}
