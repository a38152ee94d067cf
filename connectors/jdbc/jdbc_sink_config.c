/*
 * jdbc_sink_config.c - JdbcSinkConnector's settings (jdbc_sink_config.h).
 *
 * Names, defaults and docs are Confluent's (kafka-connect-jdbc
 * JdbcSinkConfig); where we differ, the row's doc says so:
 *
 *   quote.sql.identifiers=never  names are folded to lower case, as
 *                      PostgreSQL folds unquoted names, and still quoted,
 *                      so no name is ever read as SQL;
 *   replace.null.with.default    accepted; schema defaults do not reach a
 *                      plugin, so a null stays null;
 *   date.calendar.system         accepted; dates are always proleptic
 *                      Gregorian, as PostgreSQL's (LEGACY differs only
 *                      before 1582-10-15).
 *
 * Enumerations are read as Confluent's EnumValidator reads them: the lower
 * or the upper case form.
 */
#include "jdbc_sink_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jdbc_conn.h"
#include "xalloc.h"

const char *const jdbc_sink_kafka_pk_names[3] = {"__connect_topic", "__connect_partition", "__connect_offset"};

/* ---- enumerations --------------------------------------------------------------------- */

static const char *const insert_modes[] = {"insert", "upsert", "update", NULL};
static const char *const pk_modes[] = {"none", "kafka", "record_key", "record_value", NULL};
static const char *const quote_methods[] = {"always", "never", NULL};
static const char *const date_timezones[] = {"DB_TIMEZONE", "UTC", NULL};
static const char *const precision_modes[] = {"microseconds", "nanoseconds", NULL};
static const char *const calendar_systems[] = {"LEGACY", "PROLEPTIC_GREGORIAN", NULL};

/* The index of `value` in `names`, as its lower or its upper case form (or
 * as written); -1 when none. */
static int enum_index(const char *const *names, const char *value)
{
    for (int i = 0; value && names[i]; i++) {
        bool lower = true, upper = true;
        size_t len = strlen(names[i]);
        if (strlen(value) != len) {
            continue;
        }
        for (size_t j = 0; j < len; j++) {
            lower &= value[j] == tolower((unsigned char)names[i][j]);
            upper &= value[j] == toupper((unsigned char)names[i][j]);
        }
        if (lower || upper) {
            return i;
        }
    }
    return -1;
}

static int enum_check(const char *const *names, const char *value, char *errbuf, size_t errlen)
{
    if (enum_index(names, value) >= 0) {
        return 0;
    }
    int w = snprintf(errbuf, errlen, "Invalid enumerator: expected one of");
    for (int i = 0; names[i] && w >= 0 && (size_t)w < errlen; i++) {
        w += snprintf(errbuf + w, errlen - (size_t)w, "%s %s", i ? "," : "", names[i]);
    }
    return 1;
}

static int validate_insert_mode(const char *value, char *errbuf, size_t errlen)
{
    return enum_check(insert_modes, value, errbuf, errlen);
}

static int validate_pk_mode(const char *value, char *errbuf, size_t errlen)
{
    return enum_check(pk_modes, value, errbuf, errlen);
}

static int validate_date_timezone(const char *value, char *errbuf, size_t errlen)
{
    return enum_check(date_timezones, value, errbuf, errlen);
}

static int validate_precision_mode(const char *value, char *errbuf, size_t errlen)
{
    return enum_check(precision_modes, value, errbuf, errlen);
}

static int validate_calendar_system(const char *value, char *errbuf, size_t errlen)
{
    return enum_check(calendar_systems, value, errbuf, errlen);
}

/* Confluent's QuoteMethod.get: any case. */
static int validate_quote_method(const char *value, char *errbuf, size_t errlen)
{
    for (int i = 0; value && quote_methods[i]; i++) {
        if (strcasecmp(value, quote_methods[i]) == 0) {
            return 0;
        }
    }
    snprintf(errbuf, errlen, "expected always or never");
    return 1;
}

static int validate_non_empty(const char *value, char *errbuf, size_t errlen)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (!isspace((unsigned char)*p)) {
            return 0;
        }
    }
    snprintf(errbuf, errlen, "String must be non-empty");
    return 1;
}

/* TableType.get: TABLE, VIEW, PARTITIONED TABLE, in any case. */
static unsigned table_type_bit(const char *name)
{
    if (strcasecmp(name, "TABLE") == 0) {
        return JDBC_TABLE_TYPE_TABLE;
    }
    if (strcasecmp(name, "VIEW") == 0) {
        return JDBC_TABLE_TYPE_VIEW;
    }
    if (strcasecmp(name, "PARTITIONED TABLE") == 0) {
        return JDBC_TABLE_TYPE_PARTITIONED_TABLE;
    }
    return 0;
}

static int validate_table_types(const char *value, char *errbuf, size_t errlen)
{
    jdbc_list_t list;
    jdbc_list_split(value, &list);
    int rc = list.n == 0;
    for (size_t i = 0; i < list.n && !rc; i++) {
        rc = table_type_bit(list.items[i]) == 0;
    }
    jdbc_list_free(&list);
    if (rc) {
        snprintf(errbuf, errlen, "expected a list of TABLE, PARTITIONED TABLE and VIEW");
    }
    return rc;
}

/* ---- the table ------------------------------------------------------------------------ */

const cd_config_def_t jdbc_sink_config_defs[] = {
    JDBC_CONN_CONFIG_DEFS,
    /* Writes */
    {.name = "insert.mode",
     .type = CD_CFG_STRING,
     .default_value = "insert",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "The insertion mode to use. Supported modes are: ``insert`` Use standard SQL ``INSERT`` statements. "
            "``upsert`` Use the appropriate upsert semantics for the target database if it is supported by the "
            "connector, e.g. ``INSERT OR IGNORE``; for PostgreSQL ``INSERT .. ON CONFLICT (key) DO UPDATE``. "
            "``update`` Use the appropriate update semantics for the target database if it is supported by the "
            "connector, e.g. ``UPDATE``.",
     .group = "Writes",
     .validate = validate_insert_mode},
    {.name = "batch.size",
     .type = CD_CFG_INT,
     .default_value = "3000",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Specifies how many records to attempt to batch together for insertion into the destination table, "
            "when possible.",
     .group = "Writes",
     .min = 0,
     .max = INT32_MAX},
    {.name = "delete.enabled",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Whether to treat ``null`` record values as deletes. Requires ``pk.mode`` to be ``record_key``.",
     .group = "Writes"},
    {.name = "table.types",
     .type = CD_CFG_LIST,
     .default_value = "TABLE",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The comma-separated types of database tables to which the sink connector can write. By default this "
            "is ``TABLE``, but any combination of ``TABLE``, ``PARTITIONED TABLE`` and ``VIEW`` is allowed. Not all "
            "databases support writing to views, and when they do the sink connector will fail if the view "
            "definition does not match the records' schemas (regardless of ``auto.evolve``).",
     .group = "Writes",
     .validate = validate_table_types},
    {.name = "replace.null.with.default",
     .type = CD_CFG_BOOLEAN,
     .default_value = "true",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Whether to replace ``null`` value with default value. Accepted for compatibility: schema default "
            "values do not reach connectd's plugins, so a null is always written as NULL.",
     .group = "Writes"},
    /* Data Mapping */
    {.name = "table.name.format",
     .type = CD_CFG_STRING,
     .default_value = "${topic}",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A format string for the destination table name, which may contain '${topic}' as a placeholder for "
            "the originating topic name. For example, ``kafka_${topic}`` for the topic 'orders' will map to the "
            "table name 'kafka_orders'. A name with dots is schema.table (or database.schema.table, the database "
            "being the one connected to); a part in double quotes may contain dots.",
     .group = "Data Mapping",
     .validate = validate_non_empty},
    {.name = "pk.mode",
     .type = CD_CFG_STRING,
     .default_value = "none",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "The primary key mode, also refer to ``pk.fields`` documentation for interplay. Supported modes are: "
            "``none`` No keys utilized. ``kafka`` Kafka coordinates are used as the PK. ``record_key`` Field(s) "
            "from the record key are used, which may be a primitive or a struct. ``record_value`` Field(s) from the "
            "record value are used, which must be a struct.",
     .group = "Data Mapping",
     .validate = validate_pk_mode},
    {.name = "pk.fields",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "List of comma-separated primary key field names. The runtime interpretation of this config depends "
            "on the ``pk.mode``: ``none`` Ignored as no fields are used as primary key in this mode. ``kafka`` Must "
            "be a trio representing the Kafka coordinates, defaults to "
            "``__connect_topic,__connect_partition,__connect_offset`` if empty. ``record_key`` If empty, all fields "
            "from the key struct will be used, otherwise used to extract the desired fields - for primitive key only "
            "a single field name must be configured. ``record_value`` If empty, all fields from the value struct "
            "will be used, otherwise used to extract the desired fields.",
     .group = "Data Mapping"},
    {.name = "fields.whitelist",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "List of comma-separated record value field names. If empty, all fields from the record value are "
            "utilized, otherwise used to filter to the desired fields. Note that ``pk.fields`` is applied "
            "independently in the context of which field(s) form the primary key columns in the destination "
            "database, while this configuration is applicable for the other columns.",
     .group = "Data Mapping"},
    {.name = "db.timezone",
     .type = CD_CFG_STRING,
     .default_value = "UTC",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Name of the JDBC timezone that should be used in the connector when inserting time-based values. "
            "Defaults to UTC. A java.time zone id: a region (Europe/Paris, which the PostgreSQL server must know) "
            "or an offset (+02:00, UTC+2).",
     .group = "Data Mapping",
     .validate = jdbc_validate_timezone},
    {.name = "date.timezone",
     .type = CD_CFG_STRING,
     .default_value = "DB_TIMEZONE",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Name of the JDBC timezone that should be used in the connector when inserting DATE type values. "
            "Defaults to DB_TIMEZONE that uses the timezone set for db.timzeone configuration (to maintain backward "
            "compatibility). It is recommended to set this to UTC to avoid conversion for DATE type values.",
     .group = "Data Mapping",
     .validate = validate_date_timezone},
    {.name = "timestamp.fields.list",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "List of comma-separated record value timestamp field names that should be converted to timestamps. "
            "These fields will be converted based on precision mode specified in timestamp.precision.mode"
            "(microseconds or nanoseconds). The timestamp fields included here should be Long or String type and "
            "nested fields are not supported.",
     .group = "Data Mapping"},
    {.name = "timestamp.precision.mode",
     .type = CD_CFG_STRING,
     .default_value = "microseconds",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Convert the Timestamp with precision. If set to microseconds, the timestamp will be converted to "
            "microsecond precision. If set to nanoseconds the timestamp will be converted to nanoseconds precision "
            "(PostgreSQL keeps microseconds: the nanoseconds are rounded).",
     .group = "Data Mapping",
     .validate = validate_precision_mode},
    {.name = "date.calendar.system",
     .type = CD_CFG_STRING,
     .default_value = "LEGACY",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Conversion of time since epoch value in kafka topic record to DATE or TIMESTAMP depends on the "
            "calendar used to interpret it. Accepted for compatibility: connectd always writes proleptic Gregorian "
            "dates, as PostgreSQL keeps them (PROLEPTIC_GREGORIAN); LEGACY differs from it only before 1582-10-15.",
     .group = "Data Mapping",
     .validate = validate_calendar_system},
    {.name = "string.output.value.column.name",
     .type = CD_CFG_STRING,
     .default_value = "record_value",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "When the Kafka record value uses the String schema (e.g. records produced with StringConverter), the "
            "connector writes the value into a single column with this name. If the destination table is being "
            "auto-created, the column is created with this name. If the table already exists and the column is "
            "missing, the column is added via ALTER when 'auto.evolve' is true; otherwise the connector fails with "
            "the standard auto-evolution-disabled error. Defaults to 'record_value'.",
     .group = "Data Mapping",
     .validate = validate_non_empty},
    /* DDL Support */
    {.name = "auto.create",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Whether to automatically create the destination table based on record schema if it is found to be "
            "missing by issuing ``CREATE``.",
     .group = "DDL Support"},
    {.name = "auto.evolve",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Whether to automatically add columns in the table schema when found to be missing relative to the "
            "record schema by issuing ``ALTER``.",
     .group = "DDL Support"},
    {.name = "quote.sql.identifiers",
     .type = CD_CFG_STRING,
     .default_value = "always",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "When to quote table names, column names, and other identifiers in SQL statements. For backward "
            "compatibility, the default is ``always``. With ``never`` names are folded to lower case, as PostgreSQL "
            "folds a name it reads unquoted, and are still quoted, so that no name is ever read as SQL.",
     .group = "DDL Support",
     .validate = validate_quote_method},
    /* Retries */
    {.name = "max.retries",
     .type = CD_CFG_INT,
     .default_value = "10",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "The maximum number of times to retry on errors before failing the task. Only errors a retry may "
            "cure are retried (a lost connection, a serialization failure, a deadlock, a server starting or "
            "stopping); a record the database refuses is an error at once.",
     .group = "Retries",
     .min = 0,
     .max = INT32_MAX},
    {.name = "retry.backoff.ms",
     .type = CD_CFG_INT,
     .default_value = "3000",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "The time in milliseconds to wait following an error before a retry attempt is made.",
     .group = "Retries",
     .min = 0,
     .max = INT32_MAX},
    {.name = NULL},
};

/* ---- reading -------------------------------------------------------------------------- */

void jdbc_sink_config_free(jdbc_sink_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    jdbc_list_free(&cfg->pk_fields);
    jdbc_list_free(&cfg->fields_whitelist);
    jdbc_list_free(&cfg->timestamp_fields);
    free(cfg->table_name_format);
    pgc_tz_free(cfg->tz);
    free(cfg->string_value_column);
    free(cfg);
}

static bool get_bool(const cd_host_api_t *host, cd_task_t *task, const char *key)
{
    const char *v = host->config_get(task, key);
    return v && strcasecmp(v, "true") == 0;
}

static int get_int(const cd_host_api_t *host, cd_task_t *task, const char *key)
{
    const char *v = host->config_get(task, key);
    return v ? atoi(v) : 0;
}

jdbc_sink_config_t *jdbc_sink_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen)
{
    jdbc_sink_config_t *cfg = xcalloc(1, sizeof(*cfg));
    cfg->insert_mode = (jdbc_insert_mode_t)enum_index(insert_modes, host->config_get(task, "insert.mode"));
    cfg->pk_mode = (jdbc_pk_mode_t)enum_index(pk_modes, host->config_get(task, "pk.mode"));
    jdbc_list_split(host->config_get(task, "pk.fields"), &cfg->pk_fields);
    jdbc_list_split(host->config_get(task, "fields.whitelist"), &cfg->fields_whitelist);
    jdbc_list_split(host->config_get(task, "timestamp.fields.list"), &cfg->timestamp_fields);
    cfg->table_name_format = jdbc_trimmed(host->config_get(task, "table.name.format"));
    cfg->batch_size = get_int(host, task, "batch.size");
    cfg->delete_enabled = get_bool(host, task, "delete.enabled");
    cfg->auto_create = get_bool(host, task, "auto.create");
    cfg->auto_evolve = get_bool(host, task, "auto.evolve");
    const char *quote = host->config_get(task, "quote.sql.identifiers");
    cfg->quote_identifiers = !quote || strcasecmp(quote, "never") != 0;
    cfg->max_retries = get_int(host, task, "max.retries");
    cfg->retry_backoff_ms = get_int(host, task, "retry.backoff.ms");
    jdbc_list_t types;
    jdbc_list_split(host->config_get(task, "table.types"), &types);
    for (size_t i = 0; i < types.n; i++) {
        cfg->table_types |= table_type_bit(types.items[i]);
    }
    jdbc_list_free(&types);
    const char *zone = host->config_get(task, "db.timezone");
    char why[256];
    cfg->tz = pgc_tz_load(zone ? zone : "UTC", why, sizeof(why));
    if (!cfg->tz) {
        snprintf(errbuf, errlen, "db.timezone: %s", why);
        jdbc_sink_config_free(cfg);
        return NULL;
    }
    if (pgc_tz_is_utc(cfg->tz)) {
        pgc_tz_free(cfg->tz);
        cfg->tz = NULL;
    }
    cfg->date_timezone_utc = enum_index(date_timezones, host->config_get(task, "date.timezone")) == 1;
    cfg->timestamp_nanos = enum_index(precision_modes, host->config_get(task, "timestamp.precision.mode")) == 1;
    cfg->string_value_column = jdbc_trimmed(host->config_get(task, "string.output.value.column.name"));
    if ((int)cfg->insert_mode < 0 || (int)cfg->pk_mode < 0 || cfg->table_types == 0) {
        /* The rows' validators let nothing else through. */
        snprintf(errbuf, errlen, "insert.mode, pk.mode or table.types has a value this connector does not know");
    } else if (cfg->delete_enabled && cfg->pk_mode != JDBC_PK_RECORD_KEY) {
        snprintf(errbuf, errlen,
                 "Deletes are only supported for pk.mode record_key: set pk.mode=record_key (with "
                 "pk.fields naming the key's fields, or empty for all of them), or "
                 "delete.enabled=false");
    } else if (cfg->insert_mode != JDBC_INSERT_INSERT && cfg->pk_mode == JDBC_PK_NONE) {
        snprintf(errbuf, errlen,
                 "insert.mode=%s needs the key columns that find a row, and pk.mode=none gives none: set pk.mode to "
                 "record_key, record_value or kafka",
                 insert_modes[cfg->insert_mode]);
    } else if (cfg->pk_mode == JDBC_PK_KAFKA && cfg->pk_fields.n != 0 && cfg->pk_fields.n != 3) {
        snprintf(errbuf, errlen,
                 "pk.mode is kafka so pk.fields should either be empty, for the defaults __connect_topic, "
                 "__connect_partition and __connect_offset, or name exactly 3 columns; it names %zu",
                 cfg->pk_fields.n);
    } else {
        return cfg;
    }
    jdbc_sink_config_free(cfg);
    return NULL;
}
