/*
 * jdbc_source_tables.h - the tables a JdbcSourceConnector copies, and the
 * checks of their columns: what the connector's validate() and
 * task_configs() and each task's start share.
 *
 * A table is found in pg_class with the relkinds table.types names, in the
 * schemas schema.pattern matches (a LIKE pattern), and kept when the table
 * filters (table.whitelist, .blacklist, .include.list, .exclude.list) want
 * it.  Tables go to tasks as the "tables" setting, each table as its
 * quoted "schema"."name", comma-separated, as Confluent's
 * JdbcSourceTaskConfig carries them.
 */
#ifndef CONNECTD_JDBC_SOURCE_TABLES_H
#define CONNECTD_JDBC_SOURCE_TABLES_H

#include <stddef.h>

#include <libpq-fe.h>

#include "jdbc_source_config.h"

typedef struct jdbc_table {
    char *schema, *name;
} jdbc_table_t;

typedef struct jdbc_tables {
    size_t n;
    jdbc_table_t *items;
} jdbc_tables_t;

void jdbc_tables_free(jdbc_tables_t *t);

/* The tables the settings select, ordered by schema and name.  Every
 * table.whitelist entry must name a table: one that names none is an
 * error (a typo copies nothing, silently, in Confluent's).  0, or -1 after
 * errbuf. */
int jdbc_tables_find(PGconn *conn, const jdbc_source_config_t *cfg, jdbc_tables_t *out, char *errbuf, size_t errlen);

/* The "tables" setting of a task: items[from, to) as quoted names, and
 * back.  jdbc_tables_parse returns -1 for text it did not write. */
char *jdbc_tables_format(const jdbc_tables_t *t, size_t from, size_t to);
int jdbc_tables_parse(const char *text, jdbc_tables_t *out);

/*
 * Checks the columns the mode reads of table schema.name: the incrementing
 * column exists, is an integer and (validate.non.null) not nullable; the
 * timestamp columns exist, are dates or timestamps, and not all nullable.
 * An empty incrementing column name is resolved to the table's serial or
 * identity column, returned in *inc_col (malloc'd; NULL when the mode has
 * none).  0, or -1 after one sentence in errbuf naming the setting.
 */
int jdbc_tables_check(PGconn *conn, const jdbc_source_config_t *cfg, const char *schema, const char *name,
                      char **inc_col, char *errbuf, size_t errlen);

#endif
