/*
 * jdbc_source_config.h - JdbcSourceConnector's settings: Confluent's table
 * (names, types, defaults, docs of kafka-connect-jdbc 10.9's
 * JdbcSourceConnectorConfig) and the parsed form the connector and its
 * tasks work with.
 *
 * The table is data (STYLE.md "Config is data"): REST validation, defaults
 * and the masking of connection.password and query.masked come from
 * jdbc_source_config_defs.  jdbc_source_config_read() adds the checks a row
 * cannot make, those of Confluent's JdbcSourceConnectorValidation (legacy
 * and new table settings not mixed, a query not combined with table
 * filters, the columns each mode needs), each failure one sentence that
 * names the setting.
 */
#ifndef CONNECTD_JDBC_SOURCE_CONFIG_H
#define CONNECTD_JDBC_SOURCE_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "pg_types.h"
#include "jdbc_settings.h"
#include "pgc_tz.h"

typedef enum jdbc_mode {
    JDBC_MODE_BULK,
    JDBC_MODE_INCREMENTING,
    JDBC_MODE_TIMESTAMP,
    JDBC_MODE_TIMESTAMP_INCREMENTING,
} jdbc_mode_t;

/* One entry of timestamp.columns.mapping or incrementing.column.mapping:
 * the tables a regex matches ("schema.table") and their columns. */
typedef struct jdbc_column_mapping {
    regex_t table;
    char *text;
    jdbc_list_t columns;
} jdbc_column_mapping_t;

typedef struct jdbc_source_config {
    jdbc_mode_t mode;
    char *query;                   /* query or query.masked; NULL: tables */
    bool query_masked;             /* the query came from query.masked: never logged */
    char *incrementing_column;     /* incrementing.column.name; "" finds the table's serial or identity column */
    jdbc_list_t timestamp_columns; /* timestamp.column.name, COALESCE'd in order */
    size_t nts_mappings, ninc_mappings;
    jdbc_column_mapping_t *ts_mappings, *inc_mappings;
    bool has_timestamp_initial;
    int64_t timestamp_initial; /* ms since the epoch; -1: the database's current time */
    bool validate_non_null;
    jdbc_list_t whitelist, blacklist; /* table names: name, schema.name or "schema"."name" */
    jdbc_list_t include, exclude;     /* regular expressions on schema.name */
    char *schema_pattern;             /* a LIKE pattern on the schema; NULL: every schema */
    unsigned table_types;             /* JDBC_TABLE_TYPE_* */
    bool quote_always;                /* quote.sql.identifiers=always; never quotes only where PostgreSQL needs it */
    char *query_suffix;
    const char *isolation; /* transaction.isolation.mode as SQL, NULL for DEFAULT */
    int query_retries;     /* query.retry.attempts; -1: no limit */
    int64_t poll_interval_ms, table_poll_interval_ms, timestamp_delay_ms;
    int batch_max_rows;
    char *topic_prefix;
    pgc_tz_t *zone; /* db.timezone */
    /* Confluent's mapping, with numeric.mapping, timestamp.granularity and
     * db.timezone (types.zone is `zone`) */
    pg_types_config_t types;
} jdbc_source_config_t;

/* The settings table of io.confluent.connect.jdbc.JdbcSourceConnector; ends
 * with a row whose name is NULL. */
extern const cd_config_def_t jdbc_source_config_defs[];

/* Reads and checks the settings of `task` (the connector or a task).  NULL
 * after one sentence naming the setting in errbuf. */
jdbc_source_config_t *jdbc_source_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen);
void jdbc_source_config_free(jdbc_source_config_t *cfg); /* NULL is fine */

/* Whether the table schema.name passes the table filters (whitelist,
 * blacklist, include and exclude lists). */
bool jdbc_source_config_table_wanted(const jdbc_source_config_t *cfg, const char *schema, const char *name);

/* The incrementing column of table schema.name (incrementing.column.mapping,
 * else incrementing.column.name; name NULL in query mode) into *out: NULL
 * when the mode has none, "" to find the table's own.  The timestamp
 * columns likewise (an empty list when the mode has none).  Borrowed from
 * cfg.  0, or -1 after errbuf when a mapping matches the table not exactly
 * once. */
int jdbc_source_config_incrementing(const jdbc_source_config_t *cfg, const char *schema, const char *name,
                                    const char **out, char *errbuf, size_t errlen);
int jdbc_source_config_timestamps(const jdbc_source_config_t *cfg, const char *schema, const char *name,
                                  const jdbc_list_t **out, char *errbuf, size_t errlen);

bool jdbc_mode_uses_incrementing(jdbc_mode_t mode);
bool jdbc_mode_uses_timestamp(jdbc_mode_t mode);

#endif
