/*
 * jdbc_sink_table.h - the tables JdbcSinkConnector writes: their names,
 * what the database says their columns are, and the DDL that creates or
 * widens them (auto.create, auto.evolve), as Confluent's TableId,
 * DbStructure and the PostgreSQL dialect's getSqlType.
 *
 * A record's columns (jdbc_sink_col_t) come from its key and value schemas
 * as Confluent's FieldsMetadata takes them (pk.mode, pk.fields,
 * fields.whitelist); jdbc_sink_table_ensure() compares them with the
 * table's and creates the table or adds the missing columns, each DDL
 * statement committed on its own before the records' transaction, as
 * Confluent's DbStructure does.  Columns are only ever added, never
 * dropped or changed.
 *
 * Every name is quoted (pgc_sql.h), so a table or column named
 * x"; DROP TABLE users; --  is that name.
 */
#ifndef CONNECTD_JDBC_SINK_TABLE_H
#define CONNECTD_JDBC_SINK_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <connectd/plugin.h>
#include <libpq-fe.h>

#include "jdbc_sink_config.h"
#include "jdbc_sink_value.h"

/* Where a column's value comes from in a record. */
typedef enum jdbc_sink_src {
    JDBC_SRC_TOPIC = 1, /* pk.mode=kafka */
    JDBC_SRC_PARTITION,
    JDBC_SRC_OFFSET,
    JDBC_SRC_KEY,       /* a primitive key, whole */
    JDBC_SRC_KEY_FIELD, /* a field of a struct key */
    JDBC_SRC_VALUE,     /* a STRING value, whole (string.output.value.column.name) */
    JDBC_SRC_VALUE_FIELD,
} jdbc_sink_src_t;

/* One column a record writes. */
typedef struct jdbc_sink_col {
    char *name;  /* the column's name (folded to lower case with quote.sql.identifiers=never) */
    char *field; /* the key or value field it is read from; NULL for a whole key or value */
    jdbc_sink_src_t src;
    jdbc_fmt_t fmt;
    const char *sql_type; /* for CREATE and ALTER: Confluent's PostgreSQL type, e.g. "BIGINT", "TEXT[]" */
    bool optional, key;
} jdbc_sink_col_t;

/*
 * The columns of records with one pair of key and value schemas, in
 * Confluent's order for CREATE TABLE (the kafka coordinates, the value's
 * fields, the rest by name); keys[] lists the key columns, rest[] the
 * others, the order of the statements' column lists.
 */
typedef struct jdbc_sink_shape {
    cd_schema_t *key_schema, *value_schema; /* references, to tell the next record's apart */
    jdbc_sink_col_t *cols;
    size_t ncols;
    size_t *keys, *rest;
    size_t nkeys, nrest;
} jdbc_sink_shape_t;

/*
 * The shape of records with these schemas (either may be NULL: a
 * tombstone's value has none) for an operation that needs the value
 * (`with_value`) or only the key (a delete).  NULL after Confluent's
 * reason in errbuf ("Value schema must be of type Struct", a pk.fields
 * name the key does not have, ...), naming `table`.
 */
jdbc_sink_shape_t *jdbc_sink_shape_new(const cd_host_api_t *host, const jdbc_sink_config_t *cfg, const char *table,
                                       const cd_schema_t *key_schema, const cd_schema_t *value_schema, bool with_value,
                                       char *errbuf, size_t errlen);
void jdbc_sink_shape_free(const cd_host_api_t *host, jdbc_sink_shape_t *shape); /* NULL is fine */

/* Whether two schemas are the same (type, optional, name, fields,
 * parameters), so records with either have one shape. */
bool jdbc_sink_schema_equal(const cd_host_api_t *host, const cd_schema_t *a, const cd_schema_t *b);

/* A column of the table as the database has it. */
typedef struct jdbc_sink_dbcol {
    char *name;
    bool nullable;
} jdbc_sink_dbcol_t;

/* One destination table. */
typedef struct jdbc_sink_table {
    char *format_name; /* table.name.format after ${topic}: the key the task looks the table up by */
    char *schema;      /* NULL: the first schema of search_path */
    char *name;
    char *quoted; /* "schema"."name" or "name", for the SQL and the messages */
    bool known;   /* the columns below were read (and the table exists) */
    bool view;    /* a view (table.types=VIEW), which COPY cannot write */
    jdbc_sink_dbcol_t *cols;
    size_t ncols;
} jdbc_sink_table_t;

/* The table `format_name` names: schema.table, or catalog.schema.table
 * with the catalog dropped (it can only be the database connected to),
 * each part optionally in double quotes (which may hold dots). */
jdbc_sink_table_t *jdbc_sink_table_new(const char *format_name, bool fold);
void jdbc_sink_table_free(jdbc_sink_table_t *t); /* NULL is fine */
/* Forgets the columns read, so that the next ensure reads them again. */
void jdbc_sink_table_forget(jdbc_sink_table_t *t);

/* The outcome of a statement, for the retry policy. */
typedef enum jdbc_sink_err {
    JDBC_ERR_NONE = 0,
    JDBC_ERR_RETRIABLE, /* the connection, a serialization failure, a deadlock, a server restarting */
    JDBC_ERR_FATAL,     /* anything else: retrying cannot help */
} jdbc_sink_err_t;

/* How a failed result (or the connection, res NULL) is retried; the error's
 * text, one line, in errbuf. */
jdbc_sink_err_t jdbc_sink_classify(PGconn *conn, const PGresult *res, char *errbuf, size_t errlen);

/*
 * Makes `t` able to take `shape`'s columns: reads the table's columns when
 * not known, creates the table when missing (auto.create), adds the missing
 * columns (auto.evolve), each DDL statement in a transaction of its own.
 * Returns JDBC_ERR_NONE, or the kind of error with the sentence to show in
 * errbuf ("Table \"t\" is missing and auto-creation is disabled").
 */
jdbc_sink_err_t jdbc_sink_table_ensure(const cd_host_api_t *host, cd_task_t *task, PGconn *conn,
                                       const jdbc_sink_config_t *cfg, jdbc_sink_table_t *t,
                                       const jdbc_sink_shape_t *shape, char *errbuf, size_t errlen);

#endif
