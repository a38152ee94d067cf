/*
 * jdbc_sink_table.c - record shapes, destination tables and their DDL
 * (jdbc_sink_table.h).
 */
#include "jdbc_sink_table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgc_conn.h"
#include "pgc_sql.h"
#include "xalloc.h"

/* ---- schemas -------------------------------------------------------------------------- */

static bool str_equal(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool jdbc_sink_schema_equal(const cd_host_api_t *host, const cd_schema_t *a, const cd_schema_t *b)
{
    if (a == b) {
        return true;
    }
    if (!a || !b) {
        return false;
    }
    cd_type_t type = host->schema_type(a);
    if (type != host->schema_type(b) || host->schema_optional(a) != host->schema_optional(b) ||
        !str_equal(host->schema_name(a), host->schema_name(b)) ||
        !str_equal(host->schema_parameter(a, "scale"), host->schema_parameter(b, "scale"))) {
        return false;
    }
    if (type == CD_TYPE_ARRAY) {
        return jdbc_sink_schema_equal(host, host->schema_items(a), host->schema_items(b));
    }
    if (type == CD_TYPE_MAP) {
        return jdbc_sink_schema_equal(host, host->schema_keys(a), host->schema_keys(b)) &&
               jdbc_sink_schema_equal(host, host->schema_values(a), host->schema_values(b));
    }
    if (type != CD_TYPE_STRUCT) {
        return true;
    }
    int n = host->schema_field_count(a);
    if (n != host->schema_field_count(b)) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(host->schema_field_name(a, i), host->schema_field_name(b, i)) != 0 ||
            !jdbc_sink_schema_equal(host, host->schema_field_schema(a, i), host->schema_field_schema(b, i))) {
            return false;
        }
    }
    return true;
}

static const cd_schema_t *field_schema(const cd_host_api_t *host, const cd_schema_t *st, const char *name)
{
    int n = host->schema_field_count(st);
    for (int i = 0; i < n; i++) {
        if (strcmp(host->schema_field_name(st, i), name) == 0) {
            return host->schema_field_schema(st, i);
        }
    }
    return NULL;
}

/* Confluent's PostgreSqlDatabaseDialect.getSqlType; NULL for a type with
 * no column type (jdbc_fmt_for has refused it already). */
static const char *sql_type(const cd_host_api_t *host, const cd_schema_t *schema, bool epoch)
{
    const char *name = host->schema_name(schema);
    if (name && strcmp(name, JDBC_LOGICAL_DECIMAL) == 0) {
        return "DECIMAL";
    }
    if (name && strcmp(name, JDBC_LOGICAL_DATE) == 0) {
        return "DATE";
    }
    if (name && strcmp(name, JDBC_LOGICAL_TIME) == 0) {
        return "TIME";
    }
    if (name && strcmp(name, JDBC_LOGICAL_TIMESTAMP) == 0) {
        return "TIMESTAMP";
    }
    switch (host->schema_type(schema)) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
        return "SMALLINT";
    case CD_TYPE_INT32:
        return "INT";
    case CD_TYPE_INT64:
        return epoch ? "TIMESTAMP" : "BIGINT";
    case CD_TYPE_FLOAT32:
        return "REAL";
    case CD_TYPE_FLOAT64:
        return "DOUBLE PRECISION";
    case CD_TYPE_BOOLEAN:
        return "BOOLEAN";
    case CD_TYPE_STRING:
        return epoch ? "TIMESTAMP" : "TEXT";
    case CD_TYPE_BYTES:
        return "BYTEA";
    case CD_TYPE_ARRAY:
        switch (host->schema_type(host->schema_items(schema))) {
        case CD_TYPE_INT8:
        case CD_TYPE_INT16:
            return "SMALLINT[]";
        case CD_TYPE_INT32:
            return "INT[]";
        case CD_TYPE_INT64:
            return "BIGINT[]";
        case CD_TYPE_FLOAT32:
            return "REAL[]";
        case CD_TYPE_FLOAT64:
            return "DOUBLE PRECISION[]";
        case CD_TYPE_BOOLEAN:
            return "BOOLEAN[]";
        case CD_TYPE_STRING:
            return "TEXT[]";
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}

/* ---- shapes --------------------------------------------------------------------------- */

static char *column_name(const char *field, bool fold)
{
    char *name = xstrdup(field);
    for (char *p = name; fold && *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return name;
}

static size_t find_col(const jdbc_sink_shape_t *s, const char *field)
{
    for (size_t i = 0; i < s->ncols; i++) {
        if (s->cols[i].field && strcmp(s->cols[i].field, field) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Adds a column; -1 with errbuf set when its type has no column. */
static int add_col(const cd_host_api_t *host, const jdbc_sink_config_t *cfg, jdbc_sink_shape_t *s, const char *field,
                   const cd_schema_t *schema, jdbc_sink_src_t src, bool key, char *errbuf, size_t errlen)
{
    bool epoch = src == JDBC_SRC_VALUE_FIELD && jdbc_list_contains(&cfg->timestamp_fields, field);
    jdbc_sink_col_t c = {.field = xstrdup(field), .src = src, .key = key, .optional = host->schema_optional(schema)};
    char why[256];
    if (jdbc_fmt_for(host, schema, epoch, cfg->timestamp_nanos, cfg->tz, !cfg->date_timezone_utc, &c.fmt, why,
                     sizeof(why)) < 0 ||
        !(c.sql_type = sql_type(host, schema, epoch))) {
        snprintf(errbuf, errlen, "field '%s' cannot be written to a column: %s", field, why);
        free(c.field);
        return -1;
    }
    if (src == JDBC_SRC_KEY || src == JDBC_SRC_VALUE) {
        free(c.field);
        c.field = NULL;
    }
    c.name = column_name(field, !cfg->quote_identifiers);
    s->cols = xrealloc(s->cols, (s->ncols + 1) * sizeof(*s->cols));
    s->cols[s->ncols++] = c;
    return 0;
}

static void add_kafka_col(jdbc_sink_shape_t *s, const char *name, jdbc_sink_src_t src, bool fold)
{
    jdbc_sink_col_t c = {.name = column_name(name, fold), .field = xstrdup(name), .src = src, .key = true};
    c.fmt.kind = src == JDBC_SRC_TOPIC ? JDBC_FMT_STRING : JDBC_FMT_INT;
    c.sql_type = src == JDBC_SRC_TOPIC ? "TEXT" : src == JDBC_SRC_PARTITION ? "INT" : "BIGINT";
    s->cols = xrealloc(s->cols, (s->ncols + 1) * sizeof(*s->cols));
    s->cols[s->ncols++] = c;
}

static int key_columns(const cd_host_api_t *host, const jdbc_sink_config_t *cfg, jdbc_sink_shape_t *s,
                       const char *table, const cd_schema_t *ks, const cd_schema_t *vs, char *errbuf, size_t errlen)
{
    const jdbc_list_t *pk = &cfg->pk_fields;
    switch (cfg->pk_mode) {
    case JDBC_PK_NONE:
        return 0;
    case JDBC_PK_KAFKA:
        for (int i = 0; i < 3; i++) {
            add_kafka_col(s, pk->n == 3 ? pk->items[i] : jdbc_sink_kafka_pk_names[i],
                          (jdbc_sink_src_t)(JDBC_SRC_TOPIC + i), !cfg->quote_identifiers);
        }
        return 0;
    case JDBC_PK_RECORD_KEY:
        if (!ks) {
            snprintf(errbuf, errlen, "PK mode for table '%s' is RECORD_KEY, but record key schema is missing", table);
            return -1;
        }
        if (host->schema_type(ks) != CD_TYPE_STRUCT) {
            if (host->schema_type(ks) >= CD_TYPE_ARRAY) {
                snprintf(errbuf, errlen, "Key schema must be primitive type or Struct, but is of type: %s",
                         host->schema_type(ks) == CD_TYPE_ARRAY ? "ARRAY" : "MAP");
                return -1;
            }
            if (pk->n != 1) {
                snprintf(errbuf, errlen,
                         "Need exactly one PK column defined since the key schema for records is a "
                         "primitive type: set pk.fields to the column's name");
                return -1;
            }
            return add_col(host, cfg, s, pk->items[0], ks, JDBC_SRC_KEY, true, errbuf, errlen);
        }
        if (pk->n == 0) {
            for (int i = 0; i < host->schema_field_count(ks); i++) {
                if (add_col(host, cfg, s, host->schema_field_name(ks, i), host->schema_field_schema(ks, i),
                            JDBC_SRC_KEY_FIELD, true, errbuf, errlen) < 0) {
                    return -1;
                }
            }
            return 0;
        }
        for (size_t i = 0; i < pk->n; i++) {
            const cd_schema_t *fs = field_schema(host, ks, pk->items[i]);
            if (!fs) {
                snprintf(errbuf, errlen,
                         "PK mode for table '%s' is RECORD_KEY with configured PK fields, but record "
                         "key schema does not contain field: %s",
                         table, pk->items[i]);
                return -1;
            }
            if (add_col(host, cfg, s, pk->items[i], fs, JDBC_SRC_KEY_FIELD, true, errbuf, errlen) < 0) {
                return -1;
            }
        }
        return 0;
    case JDBC_PK_RECORD_VALUE:
        if (!vs || host->schema_type(vs) != CD_TYPE_STRUCT) {
            snprintf(errbuf, errlen, "PK mode for table '%s' is RECORD_VALUE, but record value schema is %s", table,
                     vs ? "not a Struct" : "missing");
            return -1;
        }
        for (size_t i = 0; i < (pk->n ? pk->n : (size_t)host->schema_field_count(vs)); i++) {
            const char *name = pk->n ? pk->items[i] : host->schema_field_name(vs, (int)i);
            const cd_schema_t *fs = field_schema(host, vs, name);
            if (!fs) {
                snprintf(errbuf, errlen,
                         "PK mode for table '%s' is RECORD_VALUE with configured PK fields, but "
                         "record value schema does not contain field: %s",
                         table, name);
                return -1;
            }
            if (add_col(host, cfg, s, name, fs, JDBC_SRC_VALUE_FIELD, true, errbuf, errlen) < 0) {
                return -1;
            }
        }
        return 0;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const jdbc_sink_col_t *)a)->name, ((const jdbc_sink_col_t *)b)->name);
}

jdbc_sink_shape_t *jdbc_sink_shape_new(const cd_host_api_t *host, const jdbc_sink_config_t *cfg, const char *table,
                                       const cd_schema_t *key_schema, const cd_schema_t *value_schema, bool with_value,
                                       char *errbuf, size_t errlen)
{
    jdbc_sink_shape_t *s = xcalloc(1, sizeof(*s));
    s->key_schema = key_schema ? host->schema_ref((cd_schema_t *)key_schema) : NULL;
    s->value_schema = value_schema ? host->schema_ref((cd_schema_t *)value_schema) : NULL;
    const cd_schema_t *vs = value_schema;
    bool string_value = with_value && vs && host->schema_type(vs) == CD_TYPE_STRING && !host->schema_name(vs);
    if (with_value && !string_value && (!vs || host->schema_type(vs) != CD_TYPE_STRUCT)) {
        snprintf(errbuf, errlen, "Value schema must be of type Struct (or String), and the record's is %s",
                 vs ? "another type" : "missing: records without a schema cannot be written to a table");
        goto fail;
    }
    if (key_columns(host, cfg, s, table, key_schema, string_value ? NULL : vs, errbuf, errlen) < 0) {
        goto fail;
    }
    size_t nkey = s->ncols;
    if (string_value) {
        if (add_col(host, cfg, s, cfg->string_value_column, vs, JDBC_SRC_VALUE, false, errbuf, errlen) < 0) {
            goto fail;
        }
    } else if (with_value) {
        for (int i = 0; i < host->schema_field_count(vs); i++) {
            const char *name = host->schema_field_name(vs, i);
            bool is_key = false;
            for (size_t k = 0; k < nkey && !is_key; k++) {
                is_key = strcmp(s->cols[k].field ? s->cols[k].field : "", name) == 0;
            }
            if (is_key || (cfg->fields_whitelist.n && !jdbc_list_contains(&cfg->fields_whitelist, name))) {
                continue;
            }
            if (add_col(host, cfg, s, name, host->schema_field_schema(vs, i), JDBC_SRC_VALUE_FIELD, false, errbuf,
                        errlen) < 0) {
                goto fail;
            }
        }
    }
    if (s->ncols == 0) {
        snprintf(errbuf, errlen, "No fields found using key and value schemas for table: %s", table);
        goto fail;
    }
    /* Confluent's order: the kafka coordinates, the value's fields as the
     * value has them, then the others (key fields) by name. */
    jdbc_sink_col_t *ordered = xcalloc(s->ncols, sizeof(*ordered));
    size_t n = 0;
    bool *used = xcalloc(s->ncols, sizeof(*used));
    for (size_t i = 0; i < s->ncols; i++) {
        if (s->cols[i].src <= JDBC_SRC_OFFSET) {
            ordered[n++] = s->cols[i];
            used[i] = true;
        }
    }
    for (int f = 0; vs && host->schema_type(vs) == CD_TYPE_STRUCT && f < host->schema_field_count(vs); f++) {
        size_t i = find_col(s, host->schema_field_name(vs, f));
        if (i != SIZE_MAX && !used[i]) {
            ordered[n++] = s->cols[i];
            used[i] = true;
        }
    }
    size_t first_rest = n;
    for (size_t i = 0; i < s->ncols; i++) {
        if (!used[i]) {
            ordered[n++] = s->cols[i];
        }
    }
    qsort(ordered + first_rest, n - first_rest, sizeof(*ordered), by_name);
    free(used);
    free(s->cols);
    s->cols = ordered;
    s->keys = xcalloc(s->ncols, sizeof(*s->keys));
    s->rest = xcalloc(s->ncols, sizeof(*s->rest));
    for (size_t i = 0; i < s->ncols; i++) {
        if (s->cols[i].key) {
            s->keys[s->nkeys++] = i;
        } else {
            s->rest[s->nrest++] = i;
        }
    }
    return s;
fail:
    jdbc_sink_shape_free(host, s);
    return NULL;
}

void jdbc_sink_shape_free(const cd_host_api_t *host, jdbc_sink_shape_t *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->ncols; i++) {
        free(s->cols[i].name);
        free(s->cols[i].field);
    }
    free(s->cols);
    free(s->keys);
    free(s->rest);
    host->schema_unref(s->key_schema);
    host->schema_unref(s->value_schema);
    free(s);
}

/* ---- tables --------------------------------------------------------------------------- */

/* The next part of a dotted name: "quoted" (with "" for a quote) or up to
 * the next dot.  Advances *p past the part and its dot. */
static char *name_part(const char **p, bool fold)
{
    const char *s = *p;
    if (*s == '"') {
        const char *q = s + 1;
        size_t len = 0;
        char *out = xmalloc(strlen(s) + 1);
        for (; *q; q++) {
            if (*q == '"' && q[1] == '"') {
                out[len++] = '"';
                q++;
            } else if (*q == '"') {
                break;
            } else {
                out[len++] = *q;
            }
        }
        if (*q == '"' && (q[1] == '.' || q[1] == '\0')) {
            out[len] = '\0';
            *p = q[1] ? q + 2 : q + 1;
            return out;
        }
        /* Not a quoted part after all: the text as it is, to the end. */
        free(out);
        *p = s + strlen(s);
        return xstrdup(s);
    }
    const char *dot = strchr(s, '.');
    size_t len = dot ? (size_t)(dot - s) : strlen(s);
    *p = dot ? dot + 1 : s + len;
    char *out = xstrndup(s, len);
    for (char *c = out; fold && *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    return out;
}

jdbc_sink_table_t *jdbc_sink_table_new(const char *format_name, bool fold)
{
    char *parts[3] = {NULL, NULL, NULL};
    size_t n = 0;
    const char *p = format_name;
    while (*p) {
        char *part = name_part(&p, fold);
        if (n == 3) {
            /* More than catalog.schema.table: the rest is the table's name. */
            size_t len = strlen(parts[2]) + strlen(part) + 2;
            char *joined = xmalloc(len);
            snprintf(joined, len, "%s.%s", parts[2], part);
            free(parts[2]);
            free(part);
            parts[2] = joined;
        } else {
            parts[n++] = part;
        }
    }
    jdbc_sink_table_t *t = xcalloc(1, sizeof(*t));
    t->format_name = xstrdup(format_name);
    if (n == 0) {
        t->name = xstrdup(format_name);
    } else {
        t->name = parts[n - 1];
        t->schema = n >= 2 ? parts[n - 2] : NULL;
        if (n == 3) {
            free(parts[0]);
        }
    }
    pgc_sql_t q;
    pgc_sql_init(&q);
    pgc_sql_ident2(&q, t->schema, t->name);
    t->quoted = xstrdup(pgc_sql_text(&q));
    pgc_sql_free(&q);
    return t;
}

void jdbc_sink_table_forget(jdbc_sink_table_t *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
    }
    free(t->cols);
    t->cols = NULL;
    t->ncols = 0;
    t->known = false;
}

void jdbc_sink_table_free(jdbc_sink_table_t *t)
{
    if (!t) {
        return;
    }
    jdbc_sink_table_forget(t);
    free(t->format_name);
    free(t->schema);
    free(t->name);
    free(t->quoted);
    free(t);
}

/* ---- errors --------------------------------------------------------------------------- */

jdbc_sink_err_t jdbc_sink_classify(PGconn *conn, const PGresult *res, char *errbuf, size_t errlen)
{
    pgc_conn_error(conn, res, errbuf, errlen);
    if (PQstatus(conn) != CONNECTION_OK) {
        return JDBC_ERR_RETRIABLE;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state) {
        /* No SQLSTATE: the connection failed under the statement. */
        return JDBC_ERR_RETRIABLE;
    }
    /* Class 08 (connection exception), 40001 (serialization failure), 40P01
     * (deadlock), 55P03 (lock not available), 57P01-57P03 (the server shuts
     * down or starts), 53300 (too many connections). */
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
        strcmp(state, "57P03") == 0 || strcmp(state, "53300") == 0) {
        return JDBC_ERR_RETRIABLE;
    }
    return JDBC_ERR_FATAL;
}

/* Runs a statement without parameters in a transaction of its own (the
 * caller's session is in none); its error in errbuf. */
static jdbc_sink_err_t exec_ddl(PGconn *conn, const char *sql, char *errbuf, size_t errlen)
{
    PGresult *res = PQexec(conn, sql);
    jdbc_sink_err_t err = JDBC_ERR_NONE;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err = jdbc_sink_classify(conn, res, errbuf, errlen);
    }
    PQclear(res);
    return err;
}

/* Reads the table's columns; 0 when it is there (t->known), 1 when
 * missing, -1 on an error (in errbuf, *err its kind). */
static int read_columns(PGconn *conn, const jdbc_sink_config_t *cfg, jdbc_sink_table_t *t, jdbc_sink_err_t *err,
                        char *errbuf, size_t errlen)
{
    jdbc_sink_table_forget(t);
    const char *params[1] = {t->quoted};
    PGresult *res = PQexecParams(conn,
                                 "SELECT c.relkind, a.attname, NOT a.attnotnull FROM pg_catalog.pg_class c "
                                 "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
                                 "AND NOT a.attisdropped WHERE c.oid = pg_catalog.to_regclass($1) ORDER BY a.attnum",
                                 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *err = jdbc_sink_classify(conn, res, errbuf, errlen);
        PQclear(res);
        return -1;
    }
    int rows = PQntuples(res);
    if (rows == 0) {
        PQclear(res);
        return 1;
    }
    char kind = PQgetvalue(res, 0, 0)[0];
    unsigned bit = kind == 'r'   ? JDBC_TABLE_TYPE_TABLE
                   : kind == 'p' ? JDBC_TABLE_TYPE_PARTITIONED_TABLE
                   : kind == 'v' ? JDBC_TABLE_TYPE_VIEW
                                 : 0;
    if (!(cfg->table_types & bit)) {
        snprintf(errbuf, errlen,
                 "%s is a %s, which table.types does not include: add %s to table.types, or write "
                 "to another table (table.name.format)",
                 t->quoted,
                 bit == JDBC_TABLE_TYPE_VIEW                ? "view"
                 : bit == JDBC_TABLE_TYPE_PARTITIONED_TABLE ? "partitioned table"
                 : bit                                      ? "table"
                                                            : "relation that is no table",
                 bit == JDBC_TABLE_TYPE_VIEW                ? "VIEW"
                 : bit == JDBC_TABLE_TYPE_PARTITIONED_TABLE ? "PARTITIONED TABLE"
                                                            : "TABLE");
        *err = JDBC_ERR_FATAL;
        PQclear(res);
        return -1;
    }
    t->cols = xcalloc((size_t)rows, sizeof(*t->cols));
    for (int i = 0; i < rows; i++) {
        if (PQgetisnull(res, i, 1)) {
            continue; /* a table without columns */
        }
        t->cols[t->ncols].name = xstrdup(PQgetvalue(res, i, 1));
        t->cols[t->ncols++].nullable = PQgetvalue(res, i, 2)[0] == 't';
    }
    t->known = true;
    t->view = bit == JDBC_TABLE_TYPE_VIEW;
    PQclear(res);
    return 0;
}

static bool has_column(const jdbc_sink_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* A column's definition as CREATE and ALTER write it: Confluent's
 * writeColumnSpec (a key or a required field NOT NULL). */
static void column_spec(pgc_sql_t *q, const jdbc_sink_col_t *c)
{
    pgc_sql_ident(q, c->name);
    pgc_sql_appendf(q, " %s %s", c->sql_type, c->key || !c->optional ? "NOT NULL" : "NULL");
}

static jdbc_sink_err_t create_table(const cd_host_api_t *host, cd_task_t *task, PGconn *conn,
                                    const jdbc_sink_table_t *t, const jdbc_sink_shape_t *s, char *errbuf, size_t errlen)
{
    pgc_sql_t q;
    pgc_sql_init(&q);
    pgc_sql_append(&q, "CREATE TABLE ");
    pgc_sql_append(&q, t->quoted);
    pgc_sql_append(&q, " (\n");
    for (size_t i = 0; i < s->ncols; i++) {
        pgc_sql_append(&q, i ? ",\n" : "");
        column_spec(&q, &s->cols[i]);
    }
    if (s->nkeys) {
        pgc_sql_append(&q, ",\nPRIMARY KEY(");
        for (size_t i = 0; i < s->nkeys; i++) {
            pgc_sql_append(&q, i ? "," : "");
            pgc_sql_ident(&q, s->cols[s->keys[i]].name);
        }
        pgc_sql_append(&q, ")");
    }
    pgc_sql_append(&q, ")");
    host->log(task, CD_LOG_INFO, "auto.create: creating table %s: %s", t->quoted, pgc_sql_text(&q));
    char why[1024];
    jdbc_sink_err_t err = exec_ddl(conn, pgc_sql_text(&q), why, sizeof(why));
    pgc_sql_free(&q);
    if (err) {
        snprintf(errbuf, errlen, "cannot create table %s (auto.create): %s", t->quoted, why);
    }
    return err;
}

static jdbc_sink_err_t alter_table(const cd_host_api_t *host, cd_task_t *task, PGconn *conn,
                                   const jdbc_sink_config_t *cfg, const jdbc_sink_table_t *t,
                                   const jdbc_sink_shape_t *s, char *errbuf, size_t errlen)
{
    pgc_sql_t missing;
    pgc_sql_init(&missing);
    size_t n = 0;
    for (size_t i = 0; i < s->ncols; i++) {
        if (!has_column(t, s->cols[i].name)) {
            pgc_sql_append(&missing, n++ ? ", " : "");
            pgc_sql_ident(&missing, s->cols[i].name);
        }
    }
    if (n == 0) {
        pgc_sql_free(&missing);
        return JDBC_ERR_NONE;
    }
    jdbc_sink_err_t err = JDBC_ERR_FATAL;
    if (!cfg->auto_evolve) {
        snprintf(errbuf, errlen,
                 "Table %s is missing fields (%s) and auto-evolution is disabled: add the columns, "
                 "or set auto.evolve=true",
                 t->quoted, pgc_sql_text(&missing));
        pgc_sql_free(&missing);
        return err;
    }
    pgc_sql_t q;
    pgc_sql_init(&q);
    pgc_sql_append(&q, "ALTER TABLE ");
    pgc_sql_append(&q, t->quoted);
    n = 0;
    for (size_t i = 0; i < s->ncols; i++) {
        const jdbc_sink_col_t *c = &s->cols[i];
        if (has_column(t, c->name)) {
            continue;
        }
        if (c->key || !c->optional) {
            /* A new NOT NULL column has no value for the rows there: Confluent
             * refuses it the same way. */
            snprintf(errbuf, errlen,
                     "Cannot ALTER TABLE %s to add missing field %s, as the field is not optional "
                     "and does not have a default value (auto.evolve only adds optional fields)",
                     t->quoted, c->name);
            goto out;
        }
        pgc_sql_append(&q, n++ ? ",\n" : "\n");
        pgc_sql_append(&q, "ADD COLUMN IF NOT EXISTS ");
        column_spec(&q, c);
    }
    host->log(task, CD_LOG_INFO, "auto.evolve: amending table %s: %s", t->quoted, pgc_sql_text(&q));
    char why[1024];
    err = exec_ddl(conn, pgc_sql_text(&q), why, sizeof(why));
    if (err) {
        snprintf(errbuf, errlen, "cannot add the columns %s to table %s (auto.evolve): %s", pgc_sql_text(&missing),
                 t->quoted, why);
    }
out:
    pgc_sql_free(&q);
    pgc_sql_free(&missing);
    return err;
}

jdbc_sink_err_t jdbc_sink_table_ensure(const cd_host_api_t *host, cd_task_t *task, PGconn *conn,
                                       const jdbc_sink_config_t *cfg, jdbc_sink_table_t *t, const jdbc_sink_shape_t *s,
                                       char *errbuf, size_t errlen)
{
    jdbc_sink_err_t err = JDBC_ERR_NONE;
    int rc = t->known ? 0 : read_columns(conn, cfg, t, &err, errbuf, errlen);
    if (rc < 0) {
        return err;
    }
    if (rc == 1) {
        if (!cfg->auto_create) {
            snprintf(errbuf, errlen,
                     "Table %s is missing and auto-creation is disabled: create it, or set "
                     "auto.create=true",
                     t->quoted);
            return JDBC_ERR_FATAL;
        }
        char why[1536];
        err = create_table(host, task, conn, t, s, why, sizeof(why));
        /* Another task may have created it at the same time: what counts is
         * that it is there now. */
        rc = read_columns(conn, cfg, t, &err, errbuf, errlen);
        if (rc < 0) {
            return err;
        }
        if (rc == 1) {
            snprintf(errbuf, errlen, "%s", why);
            return err ? err : JDBC_ERR_FATAL;
        }
    }
    bool complete = true;
    for (size_t i = 0; i < s->ncols && complete; i++) {
        complete = has_column(t, s->cols[i].name);
    }
    if (complete) {
        return JDBC_ERR_NONE;
    }
    /* Read again first: another task may have added them. */
    if (read_columns(conn, cfg, t, &err, errbuf, errlen) != 0) {
        if (!err) {
            snprintf(errbuf, errlen, "table %s was dropped while the connector writes to it", t->quoted);
            err = JDBC_ERR_FATAL;
        }
        return err;
    }
    err = alter_table(host, task, conn, cfg, t, s, errbuf, errlen);
    if (err) {
        return err;
    }
    if (read_columns(conn, cfg, t, &err, errbuf, errlen) != 0) {
        return err ? err : JDBC_ERR_FATAL;
    }
    return JDBC_ERR_NONE;
}
