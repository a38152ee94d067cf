/*
 * jdbc_source_config.c - JdbcSourceConnector's settings (jdbc_source_config.h).
 *
 * Names, types, defaults and docs are kafka-connect-jdbc 10.9's, in its
 * order and groups (Database, Mode, Connector).  Settings that have no
 * meaning against PostgreSQL through libpq are accepted so that a
 * Confluent config runs unchanged, and docs/connectors/jdbc.md says what
 * each does here (catalog.pattern, max.buffer.size, poll.linger.ms,
 * date.calendar.system).
 */
#include "jdbc_source_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jdbc_conn.h"
#include "xalloc.h"

/* ---- row validators ------------------------------------------------------------ */

static int validate_topic_prefix(const char *value, char *errbuf, size_t errlen)
{
    size_t len = value ? strlen(value) : 0;
    if (len > 249) {
        snprintf(errbuf, errlen, "Topic prefix length must not exceed max topic name length, 249 chars");
        return 1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)value[i]) && !strchr("._-", value[i]) && !isspace((unsigned char)value[i])) {
            snprintf(errbuf, errlen,
                     "Topic prefix must not contain any character other than ASCII alphanumerics, '.', '_' and '-'");
            return 1;
        }
    }
    return 0;
}

/* Compiles `text` as an anchored POSIX extended expression. */
static int regex_compile(regex_t *re, const char *text, char *errbuf, size_t errlen)
{
    size_t len = strlen(text);
    char *anchored = xmalloc(len + 7);
    snprintf(anchored, len + 7, "^(%s)$", text);
    int rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    if (rc != 0) {
        char why[128];
        regerror(rc, re, why, sizeof(why));
        snprintf(errbuf, errlen, "'%s' is not a regular expression: %s", text, why);
        return -1;
    }
    return 0;
}

/* Compiles every item of `l` as an anchored expression. */
static int list_compile(jdbc_list_t *l, const char *setting, char *errbuf, size_t errlen)
{
    l->re = xcalloc(l->n + 1, sizeof(*l->re));
    for (size_t i = 0; i < l->n; i++) {
        char why[256];
        if (regex_compile(&l->re[i], l->items[i], why, sizeof(why)) != 0) {
            /* Free only those compiled so far. */
            for (size_t j = 0; j < i; j++) {
                regfree(&l->re[j]);
            }
            free(l->re);
            l->re = NULL;
            snprintf(errbuf, errlen, "%s: %s", setting, why);
            return -1;
        }
    }
    return 0;
}

static int validate_regex_list(const char *value, char *errbuf, size_t errlen)
{
    jdbc_list_t l;
    jdbc_list_split(value, &l);
    char why[256];
    int rc = list_compile(&l, "Must be a valid comma-separated list of regular expression patterns", why, sizeof(why));
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s", why);
    }
    jdbc_list_free(&l);
    return rc != 0;
}

/* One "regex:column" or "regex:[col1|col2]" mapping entry; multi says
 * which.  The regex may itself hold ':' only before the last one. */
static int mapping_parse(const char *entry, bool multi, jdbc_column_mapping_t *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const char *colon = strrchr(entry, ':');
    if (!colon || colon == entry || !colon[1]) {
        snprintf(errbuf, errlen, "'%s' is not of the form %s", entry,
                 multi ? "regex:[col1|col2|...]" : "regex:columnName");
        return -1;
    }
    out->text = xstrndup(entry, (size_t)(colon - entry));
    const char *cols = colon + 1;
    size_t clen = strlen(cols);
    if (multi) {
        if (clen < 2 || cols[0] != '[' || cols[clen - 1] != ']') {
            snprintf(errbuf, errlen, "'%s': the columns list must be enclosed in square brackets", entry);
            goto fail;
        }
        char *inner = xstrndup(cols + 1, clen - 2);
        for (char *p = inner; *p; p++) {
            if (*p == '|') {
                *p = ',';
            }
        }
        jdbc_list_split(inner, &out->columns);
        free(inner);
        if (out->columns.n == 0) {
            snprintf(errbuf, errlen, "'%s': the columns list cannot be empty", entry);
            goto fail;
        }
    } else {
        jdbc_list_split(cols, &out->columns);
        if (out->columns.n != 1) {
            snprintf(errbuf, errlen, "'%s': the column name cannot be empty", entry);
            goto fail;
        }
    }
    if (regex_compile(&out->table, out->text, errbuf, errlen) != 0) {
        goto fail;
    }
    return 0;
fail:
    free(out->text);
    out->text = NULL;
    jdbc_list_free(&out->columns);
    return -1;
}

static void mapping_free(jdbc_column_mapping_t *m)
{
    if (m->text) {
        regfree(&m->table);
    }
    free(m->text);
    jdbc_list_free(&m->columns);
}

static int mappings_parse(const char *value, bool multi, jdbc_column_mapping_t **out, size_t *n, char *errbuf,
                          size_t errlen)
{
    jdbc_list_t entries;
    jdbc_list_split(value, &entries);
    *out = xcalloc(entries.n + 1, sizeof(**out));
    *n = 0;
    int rc = 0;
    for (size_t i = 0; i < entries.n && rc == 0; i++) {
        rc = mapping_parse(entries.items[i], multi, &(*out)[i], errbuf, errlen);
        *n += rc == 0;
    }
    jdbc_list_free(&entries);
    return rc;
}

static int validate_ts_mapping(const char *value, char *errbuf, size_t errlen)
{
    jdbc_column_mapping_t *m;
    size_t n;
    int rc = mappings_parse(value, true, &m, &n, errbuf, errlen);
    for (size_t i = 0; i < n; i++) {
        mapping_free(&m[i]);
    }
    free(m);
    return rc != 0;
}

static int validate_inc_mapping(const char *value, char *errbuf, size_t errlen)
{
    jdbc_column_mapping_t *m;
    size_t n;
    int rc = mappings_parse(value, false, &m, &n, errbuf, errlen);
    for (size_t i = 0; i < n; i++) {
        mapping_free(&m[i]);
    }
    free(m);
    return rc != 0;
}

/* Enum settings are case-insensitive in Confluent's (EnumRecommender and
 * valueOf of the upper-cased text). */
static int choice_index(const char *const *names, const char *value)
{
    for (int i = 0; value && names[i]; i++) {
        if (strcasecmp(names[i], value) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *const mode_names[] = {"bulk", "incrementing", "timestamp", "timestamp+incrementing", NULL};
static const char *const quote_names[] = {"always", "never", NULL};
static const char *const calendar_names[] = {"LEGACY", "PROLEPTIC_GREGORIAN", NULL};
static const char *const isolation_names[] = {
    "DEFAULT", "READ_UNCOMMITTED", "READ_COMMITTED", "REPEATABLE_READ", "SERIALIZABLE", "SQL_SERVER_SNAPSHOT", NULL};
static const char *const isolation_sql[] = {
    NULL, "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE", NULL};

static int validate_enum(const char *const *names, const char *setting, const char *value, char *errbuf, size_t errlen)
{
    if (!value || choice_index(names, value) >= 0) {
        return 0;
    }
    size_t len = (size_t)snprintf(errbuf, errlen, "%s must be one of", setting);
    for (int i = 0; names[i] && len < errlen; i++) {
        len += (size_t)snprintf(errbuf + len, errlen - len, "%s %s", i ? "," : "", names[i]);
    }
    return 1;
}

/* "" passes here, as in Confluent's ValidString (the table default);
 * jdbc_source_config_read refuses it. */
static int validate_mode(const char *value, char *errbuf, size_t errlen)
{
    if (!value || !value[0]) {
        return 0;
    }
    return validate_enum(mode_names, "mode", value, errbuf, errlen);
}

static int validate_numeric_mapping(const char *value, char *errbuf, size_t errlen)
{
    return validate_enum(pg_numeric_mapping_names, "numeric.mapping", value, errbuf, errlen);
}

static int validate_quote(const char *value, char *errbuf, size_t errlen)
{
    return validate_enum(quote_names, "quote.sql.identifiers", value, errbuf, errlen);
}

static int validate_calendar(const char *value, char *errbuf, size_t errlen)
{
    return validate_enum(calendar_names, "date.calendar.system", value, errbuf, errlen);
}

static int validate_isolation(const char *value, char *errbuf, size_t errlen)
{
    if (value && strcasecmp(value, "SQL_SERVER_SNAPSHOT") == 0) {
        snprintf(errbuf, errlen,
                 "Isolation mode of `SQL_SERVER_SNAPSHOT` can only be configured with a Sql Server "
                 "Dialect");
        return 1;
    }
    return validate_enum(isolation_names, "transaction.isolation.mode", value, errbuf, errlen);
}

static int validate_granularity(const char *value, char *errbuf, size_t errlen)
{
    return validate_enum(pg_ts_granularity_names, "timestamp.granularity", value, errbuf, errlen);
}

static const char *const table_type_names[] = {
    "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "PARTITIONED TABLE", "SYSTEM TABLE", "SYSTEM VIEW", NULL};

static int validate_table_types(const char *value, char *errbuf, size_t errlen)
{
    jdbc_list_t l;
    jdbc_list_split(value, &l);
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        rc = validate_enum(table_type_names, "each of table.types", l.items[i], errbuf, errlen);
    }
    jdbc_list_free(&l);
    return rc;
}

/* ---- the table -------------------------------------------------------------------- */

#define NUMERIC_MAPPING_DOC                                                                                          \
    "Map NUMERIC values by precision and optionally scale to integral or decimal types.\n"                           \
    "  * Use ``none`` if all NUMERIC columns are to be represented by Connect's DECIMAL logical type.\n"             \
    "  * Use ``best_fit`` if NUMERIC columns should be cast to Connect's INT8, INT16, INT32, INT64, or FLOAT64 "     \
    "based upon the column's precision and scale. This option may still represent the NUMERIC value as Connect "     \
    "DECIMAL if it cannot be cast to a native type without losing precision. For example, a NUMERIC(20) type with "  \
    "precision 20 would not be able to fit in a native INT64 without overflowing and thus would be retained as "     \
    "DECIMAL.\n"                                                                                                     \
    "  * Use ``best_fit_eager_double`` if in addition to the properties of ``best_fit`` described above, it is "     \
    "desirable to always cast NUMERIC columns with scale to Connect FLOAT64 type, despite potential of loss in "     \
    "accuracy.\n"                                                                                                    \
    "  * Use ``precision_only`` to map NUMERIC columns based only on the column's precision assuming that column's " \
    "scale is 0.\n"                                                                                                  \
    "  * The ``none`` option is the default, but may lead to serialization issues with Avro since Connect's "        \
    "DECIMAL type is mapped to its binary representation, and ``best_fit`` will often be preferred since it maps "   \
    "to the most appropriate primitive type."

#define MODE_DOC                                                                                                   \
    "The mode for updating a table each time it is polled. Options include:\n"                                     \
    "  * bulk: perform a bulk load of the entire table each time it is polled\n"                                   \
    "  * incrementing: use a strictly incrementing column on each table to detect only new rows. Note that this "  \
    "will not detect modifications or deletions of existing rows.\n"                                               \
    "  * timestamp: use a timestamp (or timestamp-like) column to detect new and modified rows. This assumes the " \
    "column is updated with each write, and that values are monotonically incrementing, but not necessarily "      \
    "unique.\n"                                                                                                    \
    "  * timestamp+incrementing: use two columns, a timestamp column that detects new and modified rows and a "    \
    "strictly incrementing column which provides a globally unique ID for updates so each row can be assigned a "  \
    "unique stream offset."

const cd_config_def_t jdbc_source_config_defs[] = {
    JDBC_CONN_CONFIG_DEFS,
    {.name = "table.whitelist",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "List of tables to include in copying. If specified, ``table.blacklist`` may not be set. Use a "
            "comma-separated list to specify multiple tables (for example, ``table.whitelist: \"User, Address, "
            "Email\"``).",
     .group = "Database"},
    {.name = "table.blacklist",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "List of tables to exclude from copying. If specified, ``table.whitelist`` may not be set. Use a "
            "comma-separated list to specify multiple tables (for example, ``table.blacklist: \"User, Address, "
            "Email\"``).",
     .group = "Database"},
    {.name = "table.include.list",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A comma-separated list of regular expressions that match the fully-qualified names of tables to be "
            "copied. Use a comma-separated list to specify multiple regular expressions. Table names are "
            "case-sensitive. For example, ``table.include.list: \"schema1.customer.*,schema2.order.*\"``. If "
            "specified, the legacy configs of ``table.whitelist``, and ``table.blacklist`` cannot be set.",
     .group = "Database",
     .validate = validate_regex_list},
    {.name = "table.exclude.list",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A comma-separated list of regular expressions that match the fully-qualified names of tables not to be "
            "copied. This only applies to tables that match the include list. REQUIRES ``table.include.list`` to be "
            "specified. Use a comma-separated list to specify multiple regular expressions. Table names are "
            "case-sensitive. For example, ``table.exclude.list: \".*.temp.*,.*.staging.*\"``. If specified, "
            "``table.whitelist`` and ``table.blacklist`` cannot not be set.",
     .group = "Database",
     .validate = validate_regex_list},
    {.name = "catalog.pattern",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Catalog pattern to fetch table metadata from the database. PostgreSQL's catalog is the database of "
            "connection.url, so this setting changes nothing.",
     .group = "Database"},
    {.name = "schema.pattern",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "Schema pattern to fetch table metadata from the database.\n"
            "  * ``\"\"`` retrieves those without a schema.\n"
            "  * null (default) indicates that the schema name is not used to narrow the search and that all table "
            "metadata is fetched, regardless of the schema.",
     .group = "Database"},
    {.name = "numeric.precision.mapping",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Whether or not to attempt mapping NUMERIC values by precision to integral types. This option is now "
            "deprecated. A future version may remove it completely. Please use ``numeric.mapping`` instead.",
     .group = "Database"},
    {.name = "numeric.mapping",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_LOW,
     .doc = NUMERIC_MAPPING_DOC,
     .group = "Database",
     .validate = validate_numeric_mapping},
    {.name = "date.calendar.system",
     .type = CD_CFG_STRING,
     .default_value = "LEGACY",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The calendar DATE and TIMESTAMP values are counted in: LEGACY (Java's hybrid Julian/Gregorian "
            "calendar) or PROLEPTIC_GREGORIAN. Both give the same values from 1582-10-15 on; earlier dates are "
            "counted in the proleptic Gregorian calendar here whichever is set, as PostgreSQL itself counts them.",
     .group = "Database",
     .validate = validate_calendar},
    {.name = "mode",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = MODE_DOC,
     .group = "Mode",
     .validate = validate_mode},
    {.name = "incrementing.column.name",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "The name of the strictly incrementing column to use to detect new rows. Any empty value indicates the "
            "column should be autodetected by looking for an auto-incrementing column. This column may not be "
            "nullable.",
     .group = "Mode"},
    {.name = "timestamp.column.name",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Comma separated list of one or more timestamp columns to detect new or modified rows using the "
            "COALESCE SQL function. Rows whose first non-null timestamp value is greater than the largest previous "
            "timestamp value seen will be discovered with each poll. At least one column should not be nullable.",
     .group = "Mode"},
    {.name = "timestamp.columns.mapping",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A comma separated list of table regex to timestamp columns mappings. On specifying multiple timestamp "
            "columns, COALESCE SQL function would be used to find out the effective timestamp for a row. Expected "
            "format is ``regex1:[col1|col2],regex2:[col3]``. Regexes would be matched against the fully-qualified "
            "table names of tables. Every table included for capture should match exactly one of the provided "
            "mappings.",
     .group = "Mode",
     .validate = validate_ts_mapping},
    {.name = "incrementing.column.mapping",
     .type = CD_CFG_LIST,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A comma separated list of table regex to incrementing column mappings. Expected format is "
            "``regex1:col2,regex2:col1``. Regexes would be matched against the fully-qualified table names of "
            "tables. Every table included for capture should match exactly one of the provided mappings.",
     .group = "Mode",
     .validate = validate_inc_mapping},
    {.name = "timestamp.initial",
     .type = CD_CFG_LONG,
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The epoch timestamp used for initial queries that use timestamp criteria. Use -1 to use the current "
            "time. If not specified, all data will be retrieved.",
     .group = "Mode"},
    {.name = "validate.non.null",
     .type = CD_CFG_BOOLEAN,
     .default_value = "true",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "By default, the JDBC connector will validate that all incrementing and timestamp tables have NOT NULL "
            "set for the columns being used as their ID/timestamp. If the tables don't, JDBC connector will fail to "
            "start. Setting this to false will disable these checks.",
     .group = "Mode"},
    {.name = "query",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "If specified, the query to perform to select new or updated rows. Use this setting if you want to join "
            "tables, select subsets of columns in a table, or filter data. If used, this connector will only copy "
            "data using this query -- whole-table copying will be disabled. Different query modes may still be used "
            "for incremental updates, but in order to properly construct the incremental query, it must be possible "
            "to append a WHERE clause to this query (i.e. no WHERE clauses may be used). If you use a WHERE clause, "
            "it must handle incremental queries itself.",
     .group = "Mode"},
    {.name = "query.masked",
     .type = CD_CFG_PASSWORD,
     .default_value = "",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Same as 'query' configuration but the query string is masked. Use this config to prevent sensitive "
            "information from being logged.",
     .group = "Mode"},
    {.name = "quote.sql.identifiers",
     .type = CD_CFG_STRING,
     .default_value = "ALWAYS",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "When to quote table names, column names, and other identifiers in SQL statements. For backward "
            "compatibility, the default is ``always``. With ``never``, an identifier PostgreSQL would read "
            "differently unquoted (upper case, spaces, quotes) is quoted all the same.",
     .group = "Mode",
     .validate = validate_quote},
    {.name = "query.suffix",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Suffix to append at the end of the generated query.",
     .group = "Mode"},
    {.name = "transaction.isolation.mode",
     .type = CD_CFG_STRING,
     .default_value = "DEFAULT",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Mode to control which transaction isolation level is used when running queries against the database. "
            "By default no explicit transaction isolation mode is set. Options include: DEFAULT, READ_UNCOMMITTED, "
            "READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE (SQL_SERVER_SNAPSHOT is Sql Server's only).",
     .group = "Mode",
     .validate = validate_isolation},
    {.name = "query.retry.attempts",
     .type = CD_CFG_INT,
     .default_value = "-1",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Number of times to retry SQL exceptions encountered when executing queries.",
     .group = "Mode",
     .min = -1,
     .max = INT32_MAX},
    {.name = "table.types",
     .type = CD_CFG_LIST,
     .default_value = "TABLE",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "By default, the JDBC connector will only detect tables with type TABLE from the source Database. This "
            "config allows a command separated list of table types to extract. Options include:\n"
            "  * TABLE\n  * VIEW\n  * MATERIALIZED VIEW\n  * FOREIGN TABLE\n  * PARTITIONED TABLE\n"
            "  * SYSTEM TABLE\n  * SYSTEM VIEW\n"
            "  In most cases it only makes sense to have either TABLE or VIEW.",
     .group = "Connector",
     .validate = validate_table_types},
    {.name = "poll.interval.ms",
     .type = CD_CFG_INT,
     .default_value = "5000",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "Frequency in ms to poll for new data in each table.",
     .group = "Connector",
     .min = 0,
     .max = INT32_MAX},
    {.name = "batch.max.rows",
     .type = CD_CFG_INT,
     .default_value = "1000",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Maximum number of rows to include in a single batch when polling for new data. This setting can be "
            "used to limit the amount of data buffered internally in the connector.",
     .group = "Connector",
     .min = 1,
     .max = INT32_MAX},
    {.name = "max.buffer.size",
     .type = CD_CFG_INT,
     .default_value = "0",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The maximum number of records from the source database that can be buffered into memory. The default "
            "of 0 means a buffer size will be based on the maximum batch size. Here rows are read batch.max.rows at "
            "a time straight into the worker's records, so nothing else is buffered.",
     .group = "Connector",
     .min = 0,
     .max = INT32_MAX},
    {.name = "poll.linger.ms",
     .type = CD_CFG_LONG,
     .default_value = "5000",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The maximum time to wait for a record before returning an empty batch. The default is 5 seconds. Here "
            "the worker's poll timeout bounds the wait.",
     .group = "Connector",
     .min = 0,
     .max = INT64_MAX},
    {.name = "table.poll.interval.ms",
     .type = CD_CFG_LONG,
     .default_value = "60000",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Frequency in ms to poll for new or removed tables, which may result in updated task configurations to "
            "start polling for data in added tables or stop polling for data in removed tables.",
     .group = "Connector",
     .min = 0,
     .max = INT64_MAX},
    {.name = "topic.prefix",
     .type = CD_CFG_STRING,
     .default_value = "",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the "
            "case of a custom query, the full name of the topic to publish to.",
     .group = "Connector",
     .validate = validate_topic_prefix},
    {.name = "timestamp.delay.interval.ms",
     .type = CD_CFG_LONG,
     .default_value = "0",
     .importance = CD_IMPORTANCE_HIGH,
     .doc = "How long to wait after a row with certain timestamp appears before we include it in the result. You "
            "may choose to add some delay to allow transactions with earlier timestamp to complete. The first "
            "execution will fetch all available records (i.e. starting at timestamp 0) until current time minus the "
            "delay. Every following execution will get data from the last time we fetched until current time minus "
            "the delay.",
     .group = "Connector",
     .min = 0,
     .max = INT64_MAX},
    {.name = "db.timezone",
     .type = CD_CFG_STRING,
     .default_value = "UTC",
     .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Name of the JDBC timezone used in the connector when querying with time-based criteria. Defaults to "
            "UTC.",
     .group = "Connector",
     .validate = jdbc_validate_timezone},
    {.name = "timestamp.granularity",
     .type = CD_CFG_STRING,
     .default_value = "connect_logical",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "Define the granularity of the Timestamp column. Options include: \n"
            "  * connect_logical (default): represents timestamp values using Kafka Connect's built-in "
            "representations \n"
            "  * micros_long: represents timestamp values as micros since epoch\n"
            "  * micros_string: represents timestamp values as micros since epoch in string\n"
            "  * micros_iso_datetime_string: uses iso format 'yyyy-MM-dd'T'HH:mm:ss.SSSSSS'\n"
            "  * nanos_long: represents timestamp values as nanos since epoch\n"
            "  * nanos_string: represents timestamp values as nanos since epoch in string\n"
            "  * nanos_iso_datetime_string: uses iso format 'yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'\n",
     .group = "Connector",
     .validate = validate_granularity},
    {.name = NULL},
};

/* ---- reading ---------------------------------------------------------------------- */

bool jdbc_mode_uses_incrementing(jdbc_mode_t mode)
{
    return mode == JDBC_MODE_INCREMENTING || mode == JDBC_MODE_TIMESTAMP_INCREMENTING;
}

bool jdbc_mode_uses_timestamp(jdbc_mode_t mode)
{
    return mode == JDBC_MODE_TIMESTAMP || mode == JDBC_MODE_TIMESTAMP_INCREMENTING;
}

static const char *get(const cd_host_api_t *host, cd_task_t *task, const char *key)
{
    const char *v = host->config_get(task, key);
    return v ? v : "";
}

static int64_t get_long(const cd_host_api_t *host, cd_task_t *task, const char *key)
{
    return strtoll(get(host, task, key), NULL, 10);
}

/* The checks of Confluent's JdbcSourceConnectorValidation, in its order. */
static int check(const jdbc_source_config_t *cfg, bool both_queries, bool legacy_inc, bool legacy_ts, char *errbuf,
                 size_t errlen)
{
    bool legacy = cfg->whitelist.n || cfg->blacklist.n || legacy_inc || legacy_ts;
    bool modern = cfg->include.n || cfg->exclude.n || cfg->nts_mappings || cfg->ninc_mappings;
    bool filters = cfg->whitelist.n || cfg->blacklist.n || cfg->include.n || cfg->exclude.n;
    if (both_queries) {
        snprintf(
            errbuf, errlen,
            "Both 'query' and 'query.masked' configs cannot be set at the same time. Please use only one of them.");
        return -1;
    }
    if (cfg->query && filters) {
        snprintf(errbuf, errlen,
                 "Do not specify table filtering configs with 'query'. Remove table.whitelist / table.blacklist / "
                 "table.include.list / table.exclude.list when using query mode or 'query' when using table filtering "
                 "mode.");
        return -1;
    }
    if (cfg->query && strncasecmp(cfg->query, "SELECT", 6) != 0) {
        snprintf(errbuf, errlen,
                 "Only SELECT statements are supported for '%s'. Please provide a statement that starts "
                 "with SELECT.",
                 cfg->query_masked ? "query.masked" : "query");
        return -1;
    }
    if (cfg->query && jdbc_mode_uses_incrementing(cfg->mode) && !cfg->incrementing_column[0]) {
        snprintf(errbuf, errlen,
                 "'incrementing.column.name' must be provided when using mode 'incrementing' or "
                 "'timestamp+incrementing' with a custom query. The incrementing column cannot be auto-discovered in "
                 "query mode because there is no table to inspect.");
        return -1;
    }
    if (cfg->query && jdbc_mode_uses_timestamp(cfg->mode) && cfg->timestamp_columns.n == 0) {
        snprintf(errbuf, errlen,
                 "'timestamp.column.name' must be provided when using mode 'timestamp' or 'timestamp+incrementing' "
                 "with a custom query.");
        return -1;
    }
    if (cfg->query) {
        return 0;
    }
    if (legacy && modern) {
        snprintf(errbuf, errlen,
                 "Cannot mix legacy and new configuration approaches. Legacy configurations (table.whitelist, "
                 "table.blacklist, timestamp.column.name, incrementing.column.name) cannot be used together with new "
                 "configurations (table.include.list, table.exclude.list, timestamp.columns.mapping, "
                 "incrementing.column.mapping). Please choose one approach: either use all legacy configurations or "
                 "all new configurations.");
        return -1;
    }
    if (!filters) {
        snprintf(errbuf, errlen,
                 "At least one table filtering configuration is required. Provide one of: table.whitelist, "
                 "table.blacklist, table.include.list, or table.exclude.list.");
        return -1;
    }
    if (cfg->whitelist.n && cfg->blacklist.n) {
        snprintf(errbuf, errlen,
                 "table.whitelist and table.blacklist cannot both be set: list the tables to copy, or "
                 "those not to copy");
        return -1;
    }
    if (cfg->exclude.n && !cfg->include.n) {
        snprintf(errbuf, errlen,
                 "table.exclude.list cannot be used without table.include.list. Exclude list only "
                 "applies to tables that match the include list.");
        return -1;
    }
    const char *mode = mode_names[cfg->mode];
    if (modern) {
        if (jdbc_mode_uses_timestamp(cfg->mode) != (cfg->nts_mappings > 0)) {
            snprintf(errbuf, errlen,
                     cfg->nts_mappings ? "Timestamp column configurations should not be provided if mode is not "
                                         "'timestamp' or 'timestamp+incrementing'. Remove 'timestamp.columns.mapping'."
                                       : "Timestamp column configuration must be provided when using mode '%s'. "
                                         "Provide 'timestamp.columns.mapping'.",
                     mode);
            return -1;
        }
        if (jdbc_mode_uses_incrementing(cfg->mode) != (cfg->ninc_mappings > 0)) {
            snprintf(errbuf, errlen,
                     cfg->ninc_mappings ? "Incrementing column configurations should not be provided if mode is not "
                                          "'incrementing' or 'timestamp+incrementing'. Remove "
                                          "'incrementing.column.mapping'."
                                        : "Incrementing column configuration must be provided when using mode '%s'. "
                                          "Provide 'incrementing.column.mapping'.",
                     mode);
            return -1;
        }
    } else if (jdbc_mode_uses_timestamp(cfg->mode) && cfg->timestamp_columns.n == 0) {
        snprintf(errbuf, errlen, "timestamp.column.name must name the timestamp column(s) in mode '%s'", mode);
        return -1;
    }
    return 0;
}

jdbc_source_config_t *jdbc_source_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen)
{
    jdbc_source_config_t *cfg = xcalloc(1, sizeof(*cfg));
    pg_types_config_init(&cfg->types);
    cfg->types.flavour = PG_TYPES_CONFLUENT;

    int mode = choice_index(mode_names, get(host, task, "mode"));
    if (mode < 0) {
        if (!get(host, task, "mode")[0]) {
            snprintf(errbuf, errlen,
                     "Query mode must be specified: set mode to one of bulk, incrementing, timestamp, "
                     "timestamp+incrementing");
        } else {
            validate_mode(get(host, task, "mode"), errbuf, errlen);
        }
        goto fail;
    }
    cfg->mode = (jdbc_mode_t)mode;
    const char *query = get(host, task, "query"), *masked = get(host, task, "query.masked");
    bool both_queries = query[0] && masked[0];
    if (masked[0] || query[0]) {
        cfg->query = jdbc_trimmed(masked[0] ? masked : query);
        cfg->query_masked = masked[0] != '\0';
    }
    cfg->incrementing_column = jdbc_trimmed(get(host, task, "incrementing.column.name"));
    jdbc_list_split(get(host, task, "timestamp.column.name"), &cfg->timestamp_columns);
    jdbc_list_split(get(host, task, "table.whitelist"), &cfg->whitelist);
    jdbc_list_split(get(host, task, "table.blacklist"), &cfg->blacklist);
    jdbc_list_split(get(host, task, "table.include.list"), &cfg->include);
    jdbc_list_split(get(host, task, "table.exclude.list"), &cfg->exclude);
    if (list_compile(&cfg->include, "table.include.list", errbuf, errlen) != 0 ||
        list_compile(&cfg->exclude, "table.exclude.list", errbuf, errlen) != 0) {
        goto fail;
    }
    char why[256];
    if (mappings_parse(get(host, task, "timestamp.columns.mapping"), true, &cfg->ts_mappings, &cfg->nts_mappings, why,
                       sizeof(why)) != 0) {
        snprintf(errbuf, errlen, "timestamp.columns.mapping: %s", why);
        goto fail;
    }
    if (mappings_parse(get(host, task, "incrementing.column.mapping"), false, &cfg->inc_mappings, &cfg->ninc_mappings,
                       why, sizeof(why)) != 0) {
        snprintf(errbuf, errlen, "incrementing.column.mapping: %s", why);
        goto fail;
    }
    if (check(cfg, both_queries, cfg->incrementing_column[0] != '\0', cfg->timestamp_columns.n > 0, errbuf, errlen) !=
        0) {
        goto fail;
    }
    const char *initial = host->config_get(task, "timestamp.initial");
    if (initial && initial[0]) {
        cfg->has_timestamp_initial = true;
        cfg->timestamp_initial = strtoll(initial, NULL, 10);
    }
    cfg->validate_non_null = strcmp(get(host, task, "validate.non.null"), "false") != 0;
    const char *schema = host->config_get(task, "schema.pattern");
    cfg->schema_pattern = schema ? xstrdup(schema) : NULL;
    jdbc_list_t types;
    jdbc_list_split(get(host, task, "table.types"), &types);
    for (size_t i = 0; i < types.n; i++) {
        int t = choice_index(table_type_names, types.items[i]);
        cfg->table_types |= t >= 0 ? 1u << t : 0;
    }
    jdbc_list_free(&types);
    cfg->quote_always = strcasecmp(get(host, task, "quote.sql.identifiers"), "never") != 0;
    cfg->query_suffix = jdbc_trimmed(get(host, task, "query.suffix"));
    int iso = choice_index(isolation_names, get(host, task, "transaction.isolation.mode"));
    cfg->isolation = iso > 0 ? isolation_sql[iso] : NULL;
    cfg->query_retries = (int)get_long(host, task, "query.retry.attempts");
    cfg->poll_interval_ms = get_long(host, task, "poll.interval.ms");
    cfg->table_poll_interval_ms = get_long(host, task, "table.poll.interval.ms");
    cfg->timestamp_delay_ms = get_long(host, task, "timestamp.delay.interval.ms");
    cfg->batch_max_rows = (int)get_long(host, task, "batch.max.rows");
    cfg->topic_prefix = jdbc_trimmed(get(host, task, "topic.prefix"));

    /* numeric.mapping wins; unset, the deprecated numeric.precision.mapping
     * may ask for precision_only (NumericMapping.get). */
    const char *numeric = host->config_get(task, "numeric.mapping");
    if (numeric && numeric[0]) {
        cfg->types.numeric_mapping = (pg_numeric_mapping_t)choice_index(pg_numeric_mapping_names, numeric);
    } else if (strcmp(get(host, task, "numeric.precision.mapping"), "true") == 0) {
        cfg->types.numeric_mapping = PG_NUMERIC_PRECISION_ONLY;
    }
    int gran = choice_index(pg_ts_granularity_names, get(host, task, "timestamp.granularity"));
    cfg->types.ts_granularity = gran > 0 ? (pg_ts_granularity_t)gran : PG_TS_CONNECT_LOGICAL;
    cfg->zone = pgc_tz_load(get(host, task, "db.timezone"), why, sizeof(why));
    if (!cfg->zone) {
        snprintf(errbuf, errlen, "db.timezone: %s", why);
        goto fail;
    }
    cfg->types.zone = cfg->zone;
    return cfg;
fail:
    jdbc_source_config_free(cfg);
    return NULL;
}

void jdbc_source_config_free(jdbc_source_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    free(cfg->query);
    free(cfg->incrementing_column);
    jdbc_list_free(&cfg->timestamp_columns);
    jdbc_list_free(&cfg->whitelist);
    jdbc_list_free(&cfg->blacklist);
    jdbc_list_free(&cfg->include);
    jdbc_list_free(&cfg->exclude);
    for (size_t i = 0; i < cfg->nts_mappings; i++) {
        mapping_free(&cfg->ts_mappings[i]);
    }
    for (size_t i = 0; i < cfg->ninc_mappings; i++) {
        mapping_free(&cfg->inc_mappings[i]);
    }
    free(cfg->ts_mappings);
    free(cfg->inc_mappings);
    free(cfg->schema_pattern);
    free(cfg->query_suffix);
    free(cfg->topic_prefix);
    pgc_tz_free(cfg->zone);
    free(cfg);
}

/* ---- tables ------------------------------------------------------------------------ */

static bool regex_any(const jdbc_list_t *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++) {
        if (regexec(&l->re[i], text, 0, NULL, 0) == 0) {
            return true;
        }
    }
    return false;
}

/* A whitelist or blacklist entry names a table as Confluent's
 * applyLegacyFiltering compares it: the bare name, schema.name, or
 * "schema"."name" quoted as pgJDBC quotes it. */
static bool name_listed(const jdbc_list_t *l, const char *schema, const char *name, const char *fqn)
{
    char quoted[1024];
    snprintf(quoted, sizeof(quoted), "\"%s\".\"%s\"", schema, name);
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], name) == 0 || strcmp(l->items[i], fqn) == 0 || strcmp(l->items[i], quoted) == 0) {
            return true;
        }
    }
    return false;
}

bool jdbc_source_config_table_wanted(const jdbc_source_config_t *cfg, const char *schema, const char *name)
{
    size_t len = strlen(schema) + strlen(name) + 2;
    char *fqn = xmalloc(len);
    snprintf(fqn, len, "%s.%s", schema, name);
    bool wanted;
    if (cfg->include.n) {
        wanted = regex_any(&cfg->include, fqn) && !regex_any(&cfg->exclude, fqn);
    } else if (cfg->whitelist.n) {
        wanted = name_listed(&cfg->whitelist, schema, name, fqn);
    } else {
        wanted = !name_listed(&cfg->blacklist, schema, name, fqn);
    }
    free(fqn);
    return wanted;
}

/* The one mapping whose regex matches schema.name, or NULL after errbuf. */
static const jdbc_column_mapping_t *mapping_for(const jdbc_column_mapping_t *m, size_t n, const char *setting,
                                                const char *schema, const char *name, char *errbuf, size_t errlen)
{
    size_t len = strlen(schema) + strlen(name) + 2;
    char *fqn = xmalloc(len);
    snprintf(fqn, len, "%s.%s", schema, name);
    const jdbc_column_mapping_t *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < n; i++) {
        if (regexec(&m[i].table, fqn, 0, NULL, 0) == 0) {
            found = found ? found : &m[i];
            matches++;
        }
    }
    if (matches != 1) {
        snprintf(errbuf, errlen, "Included table '%s' %s of the provided regexes of %s", fqn,
                 matches ? "matches more than one" : "does not match any", setting);
        found = NULL;
    }
    free(fqn);
    return found;
}

int jdbc_source_config_incrementing(const jdbc_source_config_t *cfg, const char *schema, const char *name,
                                    const char **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    if (!jdbc_mode_uses_incrementing(cfg->mode)) {
        return 0;
    }
    if (cfg->ninc_mappings && name) {
        const jdbc_column_mapping_t *m = mapping_for(cfg->inc_mappings, cfg->ninc_mappings,
                                                     "incrementing.column.mapping", schema, name, errbuf, errlen);
        if (!m) {
            return -1;
        }
        *out = m->columns.items[0];
        return 0;
    }
    *out = cfg->incrementing_column;
    return 0;
}

int jdbc_source_config_timestamps(const jdbc_source_config_t *cfg, const char *schema, const char *name,
                                  const jdbc_list_t **out, char *errbuf, size_t errlen)
{
    static const jdbc_list_t none = {0};
    *out = &none;
    if (!jdbc_mode_uses_timestamp(cfg->mode)) {
        return 0;
    }
    if (cfg->nts_mappings && name) {
        const jdbc_column_mapping_t *m = mapping_for(cfg->ts_mappings, cfg->nts_mappings, "timestamp.columns.mapping",
                                                     schema, name, errbuf, errlen);
        if (!m) {
            return -1;
        }
        *out = &m->columns;
        return 0;
    }
    *out = &cfg->timestamp_columns;
    return 0;
}
