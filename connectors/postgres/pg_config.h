/*
 * pg_config.h - the PostgreSQL connector's settings: Debezium's table
 * (names, types, defaults, docs) and the parsed form a task works with.
 *
 * The table is data (STYLE.md "Config is data"): REST validation, defaults,
 * the masking of database.password and docs/configuration.md all come from
 * pg_config_defs.  pg_config_read() turns a connector's or task's settings,
 * already checked against the table by the worker, into a pg_config_t.
 */
#ifndef CONNECTD_PG_CONFIG_H
#define CONNECTD_PG_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "pg_types.h"

typedef enum pg_autocreate {
    PG_AUTOCREATE_ALL_TABLES, /* CREATE PUBLICATION p FOR ALL TABLES when missing */
    PG_AUTOCREATE_FILTERED,   /* CREATE PUBLICATION p FOR TABLE <the captured tables> when missing */
    PG_AUTOCREATE_DISABLED,   /* the user made it; missing is an error */
} pg_autocreate_t;

typedef enum pg_snapshot_mode {
    PG_SNAPSHOT_INITIAL,      /* snapshot when there is no offset, then stream */
    PG_SNAPSHOT_NO_DATA,      /* never snapshot ("never" is the old name) */
    PG_SNAPSHOT_INITIAL_ONLY, /* snapshot, then no streaming */
    PG_SNAPSHOT_ALWAYS,       /* snapshot at every start, then stream */
    PG_SNAPSHOT_WHEN_NEEDED,  /* as initial, and also when the stored LSN is gone */
} pg_snapshot_mode_t;

/* A comma-separated list of regular expressions, each anchored at both
 * ends as Debezium anchors its filters (POSIX extended syntax). */
typedef struct pg_filter {
    size_t n;
    regex_t *re;
    char **text; /* each expression as written, for messages */
} pg_filter_t;

/* One entry of message.key.columns: the tables it names (an anchored
 * expression on "schema.table") and their key columns, in key order. */
typedef struct pg_key_columns {
    regex_t table;
    size_t ncols;
    char **cols;
} pg_key_columns_t;

typedef struct pg_config {
    char *hostname, *user, *password, *dbname, *sslmode;
    int port;
    char *topic_prefix;
    char *slot_name, *publication_name;
    pg_autocreate_t autocreate;
    pg_snapshot_mode_t snapshot_mode;
    int snapshot_fetch_size; /* rows per FETCH of the snapshot's cursor */
    bool drop_slot_on_stop;
    int64_t heartbeat_interval_ms;
    char *heartbeat_action_query; /* NULL: none */
    char *heartbeat_topic_prefix; /* topic.heartbeat.prefix */
    int max_batch_size;
    int64_t poll_interval_ms;
    int64_t status_update_interval_ms;
    pg_filter_t schema_include, schema_exclude, table_include, table_exclude;
    pg_filter_t column_include, column_exclude; /* on "schema.table.column" */
    size_t nkeys;
    pg_key_columns_t *keys; /* message.key.columns, in the order written */
    bool tombstones_on_delete;
    bool provide_transaction_metadata;
    char skipped_ops[8];     /* skipped.operations as op letters ("t"); "" for none */
    pg_types_config_t types; /* decimal/time/binary handling, the unavailable value placeholder */
} pg_config_t;

/* The settings table of io.debezium.connector.postgresql.PostgresConnector;
 * ends with a row whose name is NULL. */
extern const cd_config_def_t pg_config_defs[];

/* Reads the settings of `task` (a connector or a task) into a new config.
 * NULL after writing what is wrong, naming the setting, into errbuf. */
pg_config_t *pg_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen);
void pg_config_free(pg_config_t *cfg); /* NULL is fine */

/* Whether schema.table is captured: the schema passes the schema lists and
 * "schema.table" the table lists (an empty include list includes all). */
bool pg_config_table_included(const pg_config_t *cfg, const char *schema, const char *table);

/* Whether column `column` of schema.table goes into the events
 * (column.include.list / column.exclude.list). */
bool pg_config_column_included(const pg_config_t *cfg, const char *schema, const char *table, const char *column);

/* The message.key.columns entry of schema.table (the first that matches),
 * or NULL: the table's primary key makes its key. */
const pg_key_columns_t *pg_config_key_columns(const pg_config_t *cfg, const char *schema, const char *table);

/* Whether `text` matches one of the filter's expressions, whole. */
bool pg_filter_matches(const pg_filter_t *f, const char *text);

/* Logs one warning naming the Debezium settings present in the config that
 * this connector does not implement (they are accepted and ignored, so a
 * Debezium config works unchanged); nothing when there is none. */
void pg_config_warn_unsupported(const cd_host_api_t *host, cd_task_t *task);

#endif
