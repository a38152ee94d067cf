/*
 * jdbc_sink_config.h - the settings of JdbcSinkConnector, under Confluent's
 * names and with Confluent's defaults (io.confluent.connect.jdbc.sink
 * .JdbcSinkConfig), and the parsed form a task works with.
 *
 * The table is data (STYLE.md "Config is data"): REST validation, defaults,
 * the masking of connection.password and the generated reference all come
 * from jdbc_sink_config_defs.  jdbc_sink_config_read() turns a connector's
 * or task's settings, already checked row by row by the worker, into a
 * jdbc_sink_config_t and adds the checks that span settings (delete.enabled
 * needs pk.mode=record_key, as Confluent's validation says).
 */
#ifndef CONNECTD_JDBC_SINK_CONFIG_H
#define CONNECTD_JDBC_SINK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "jdbc_settings.h"
#include "pgc_tz.h"

typedef enum jdbc_insert_mode {
    JDBC_INSERT_INSERT,
    JDBC_INSERT_UPSERT, /* INSERT ... ON CONFLICT (key) DO UPDATE */
    JDBC_INSERT_UPDATE,
} jdbc_insert_mode_t;

typedef enum jdbc_pk_mode {
    JDBC_PK_NONE,
    JDBC_PK_KAFKA,        /* __connect_topic, __connect_partition, __connect_offset */
    JDBC_PK_RECORD_KEY,   /* the key, or fields of a struct key */
    JDBC_PK_RECORD_VALUE, /* fields of the value */
} jdbc_pk_mode_t;

typedef struct jdbc_sink_config {
    jdbc_insert_mode_t insert_mode;
    jdbc_pk_mode_t pk_mode;
    jdbc_list_t pk_fields;
    jdbc_list_t fields_whitelist;
    char *table_name_format; /* trimmed, as Confluent */
    int batch_size;
    bool delete_enabled;
    bool auto_create, auto_evolve;
    bool quote_identifiers; /* quote.sql.identifiers=always (never folds names to lower case, still quoted) */
    int max_retries;
    int retry_backoff_ms;
    unsigned table_types;   /* JDBC_TABLE_TYPE_* */
    pgc_tz_t *tz;           /* db.timezone; NULL when it is UTC (or an offset of 0) */
    bool date_timezone_utc; /* date.timezone=UTC: Date values need no zone */
    jdbc_list_t timestamp_fields;
    bool timestamp_nanos;      /* timestamp.precision.mode=nanoseconds */
    char *string_value_column; /* string.output.value.column.name */
} jdbc_sink_config_t;

/* The settings table of io.confluent.connect.jdbc.JdbcSinkConnector; ends
 * with a row whose name is NULL. */
extern const cd_config_def_t jdbc_sink_config_defs[];

/* The names of the kafka coordinates' columns (pk.mode=kafka without
 * pk.fields). */
extern const char *const jdbc_sink_kafka_pk_names[3];

/* Reads the settings of `task` (a connector or a task) into a new config.
 * NULL after writing what is wrong, naming the setting, into errbuf. */
jdbc_sink_config_t *jdbc_sink_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen);
void jdbc_sink_config_free(jdbc_sink_config_t *cfg); /* NULL is fine */

#endif
