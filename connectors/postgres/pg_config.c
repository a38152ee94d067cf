/*
 * pg_config.c - the settings of the PostgreSQL CDC source, under
 * Debezium's names and with Debezium's defaults
 * (io.debezium.connector.postgresql.PostgresConnectorConfig and the
 * relational and common configs it extends), so a Debezium connector
 * config works unchanged.  Where we differ, the row's doc says so:
 *
 *   plugin.name        defaults to pgoutput, the only decoder supported
 *                      (Debezium's default, decoderbufs, is a server
 *                      extension; it is refused with a clear message);
 *   snapshot.mode      "never" is accepted as the old name of no_data;
 *   *.include.list     POSIX extended regular expressions, where Debezium
 *                      has Java's: (?i), \d and lookarounds do not exist.
 *
 * Debezium settings we do not implement are accepted and named in one
 * warning (pg_config_warn_unsupported), never refused.
 */
#include "pg_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- row validators ------------------------------------------------------------ */

static int validate_topic_prefix(const char *value, char *errbuf, size_t errlen)
{
    if (!value || !value[0]) {
        snprintf(errbuf, errlen, "topic.prefix must not be empty: it names every topic of this connector");
        return 1;
    }
    for (const char *p = value; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p)) {
            snprintf(errbuf, errlen,
                     "'%s' has the character '%c': a topic prefix may only contain ASCII letters, "
                     "digits, '.', '_' and '-'",
                     value, *p);
            return 1;
        }
    }
    return 0;
}

/* PostgreSQL's own rule for slot names (ReplicationSlotValidateName). */
static int validate_slot_name(const char *value, char *errbuf, size_t errlen)
{
    size_t len = value ? strlen(value) : 0;
    bool ok = len >= 1 && len <= 63;
    for (size_t i = 0; ok && i < len; i++) {
        ok = (value[i] >= 'a' && value[i] <= 'z') || (value[i] >= '0' && value[i] <= '9') || value[i] == '_';
    }
    if (!ok) {
        snprintf(errbuf, errlen,
                 "Valid replication slot name must contain only digits, lowercase characters and "
                 "underscores with length <= 63");
        return 1;
    }
    return 0;
}

static int validate_plugin_name(const char *value, char *errbuf, size_t errlen)
{
    if (value && strcmp(value, "pgoutput") == 0) {
        return 0;
    }
    if (value && strcmp(value, "decoderbufs") == 0) {
        snprintf(errbuf, errlen,
                 "decoderbufs is not supported: this connector decodes PostgreSQL's built-in "
                 "pgoutput plugin (PostgreSQL 10 and later, no server extension needed); set plugin.name=pgoutput");
    } else {
        snprintf(errbuf, errlen,
                 "'%s' is not a logical decoding plugin this connector reads; set "
                 "plugin.name=pgoutput",
                 value ? value : "");
    }
    return 1;
}

static void filter_free(pg_filter_t *f)
{
    for (size_t i = 0; i < f->n; i++) {
        regfree(&f->re[i]);
        free(f->text[i]);
    }
    free(f->re);
    free(f->text);
    memset(f, 0, sizeof(*f));
}

/* Compiles each item of a comma-separated list (blanks around items
 * ignored) as an anchored POSIX extended regular expression; -1 after
 * writing which item is wrong into errbuf. */
static int filter_build(pg_filter_t *f, const char *list, char *errbuf, size_t errlen)
{
    int rc = 0;
    char *copy = strdup(list ? list : "");
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item && rc == 0; item = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*item)) {
            item++;
        }
        size_t len = strlen(item);
        while (len > 0 && isspace((unsigned char)item[len - 1])) {
            item[--len] = '\0';
        }
        if (!len) {
            continue;
        }
        char *anchored = malloc(len + 5);
        snprintf(anchored, len + 5, "^(%s)$", item);
        regex_t re;
        int err = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (err) {
            char why[128];
            regerror(err, &re, why, sizeof(why));
            snprintf(errbuf, errlen, "'%s' is not a valid regular expression (POSIX extended syntax): %s", item, why);
            rc = -1;
            continue;
        }
        f->re = realloc(f->re, (f->n + 1) * sizeof(*f->re));
        f->text = realloc(f->text, (f->n + 1) * sizeof(*f->text));
        f->re[f->n] = re;
        f->text[f->n] = strdup(item);
        f->n++;
    }
    free(copy);
    return rc;
}

static int validate_regex_list(const char *value, char *errbuf, size_t errlen)
{
    pg_filter_t f = {0};
    int rc = filter_build(&f, value, errbuf, errlen);
    filter_free(&f);
    return rc ? 1 : 0;
}

static void keys_free(size_t n, pg_key_columns_t *keys)
{
    for (size_t i = 0; i < n; i++) {
        regfree(&keys[i].table);
        for (size_t c = 0; c < keys[i].ncols; c++) {
            free(keys[i].cols[c]);
        }
        free(keys[i].cols);
    }
    free(keys);
}

/* Trims blanks at both ends, in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) {
        s[--len] = '\0';
    }
    return s;
}

/* Parses message.key.columns ("<table regex>:<col>,<col>;..."; Debezium's
 * syntax) into *keys; -1 after writing which entry is wrong into errbuf. */
static int keys_build(size_t *nkeys, pg_key_columns_t **keys, const char *value, char *errbuf, size_t errlen)
{
    *nkeys = 0;
    *keys = NULL;
    int rc = 0;
    char *copy = strdup(value ? value : "");
    for (char *save = NULL, *entry = strtok_r(copy, ";", &save); entry && rc == 0; entry = strtok_r(NULL, ";", &save)) {
        entry = trim(entry);
        char *colon = strrchr(entry, ':');
        if (!entry[0]) {
            continue;
        }
        if (!colon || colon == entry) {
            snprintf(errbuf, errlen, "'%s' is not <schema.table>:<column>,<column>...", entry);
            rc = -1;
            break;
        }
        *colon = '\0';
        pg_key_columns_t k = {0};
        size_t len = strlen(trim(entry));
        char *anchored = malloc(len + 5);
        snprintf(anchored, len + 5, "^(%s)$", trim(entry));
        int err = regcomp(&k.table, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (err) {
            snprintf(errbuf, errlen, "'%s' is not a valid regular expression (POSIX extended syntax)", trim(entry));
            rc = -1;
            break;
        }
        for (char *s2 = NULL, *col = strtok_r(colon + 1, ",", &s2); col; col = strtok_r(NULL, ",", &s2)) {
            col = trim(col);
            if (col[0]) {
                k.cols = realloc(k.cols, (k.ncols + 1) * sizeof(*k.cols));
                k.cols[k.ncols++] = strdup(col);
            }
        }
        *keys = realloc(*keys, (*nkeys + 1) * sizeof(**keys));
        (*keys)[(*nkeys)++] = k;
        if (!k.ncols) {
            snprintf(errbuf, errlen, "the entry for '%s' names no column", trim(entry));
            rc = -1;
        }
    }
    free(copy);
    if (rc < 0) {
        keys_free(*nkeys, *keys);
        *nkeys = 0;
        *keys = NULL;
    }
    return rc;
}

static int validate_key_columns(const char *value, char *errbuf, size_t errlen)
{
    size_t n;
    pg_key_columns_t *keys;
    if (keys_build(&n, &keys, value, errbuf, errlen) < 0) {
        return 1;
    }
    keys_free(n, keys);
    return 0;
}

/* ---- the table ------------------------------------------------------------------ */

static const char *const sslmode_choices[] = {"disable",   "allow",       "prefer", "require",
                                              "verify-ca", "verify-full", NULL};
/* In the order of pg_autocreate_t. */
static const char *const autocreate_choices[] = {"all_tables", "filtered", "disabled", NULL};
static const char *const snapshot_choices[] = {"initial", "no_data",     "never", "initial_only",
                                               "always",  "when_needed", NULL};
static const char *const decimal_choices[] = {"precise", "double", "string", NULL};
static const char *const time_choices[] = {"adaptive", "adaptive_time_microseconds", "connect", NULL};
static const char *const binary_choices[] = {"bytes", "base64", "base64-url-safe", "hex", NULL};
static const char *const skipped_choices[] = {"c", "u", "d", "t", "none", NULL};

#define G_CONN "Connection"
#define G_REPL "Replication"
#define G_FILTER "Filters"
#define G_EVENTS "Events"
#define G_SNAP "Snapshot"
#define G_ADV "Advanced"

const cd_config_def_t pg_config_defs[] = {
    {.name = "database.hostname",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .doc = "Resolvable hostname or IP address of the PostgreSQL server."},
    {.name = "database.port",
     .type = CD_CFG_INT,
     .default_value = "5432",
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .doc = "Port of the PostgreSQL server.",
     .min = 1,
     .max = 65535},
    {.name = "database.user",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .doc = "Name of the PostgreSQL user the connector logs in as. It needs the REPLICATION attribute (or "
            "rds_replication on Amazon RDS), SELECT on the captured tables, and CREATE on the database when the "
            "connector creates the publication."},
    {.name = "database.password",
     .type = CD_CFG_PASSWORD,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .doc = "Password of the database user."},
    {.name = "database.dbname",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .doc = "The name of the database from which the connector captures changes."},
    {.name = "database.sslmode",
     .type = CD_CFG_STRING,
     .default_value = "prefer",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .choices = sslmode_choices,
     .doc = "Whether to use an encrypted connection to PostgreSQL, as libpq's sslmode: 'disable' unencrypted; "
            "'allow' unencrypted first, encrypted if that fails; 'prefer' (the default) encrypted first, "
            "unencrypted if that fails; 'require' encrypted or fail; 'verify-ca' as require, and the server "
            "certificate must be signed by a trusted CA; 'verify-full' as verify-ca, and the certificate must "
            "name the host connected to."},
    {.name = "topic.prefix",
     .type = CD_CFG_STRING,
     .required = true,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_CONN,
     .validate = validate_topic_prefix,
     .doc = "Topic prefix that names the database server or cluster whose changes are captured: the topic of "
            "table schema.table is <topic.prefix>.schema.table. It should be unique among connectors and must not "
            "change once the connector has run. Only ASCII letters, digits, '.', '_' and '-' are allowed."},
    {.name = "plugin.name",
     .type = CD_CFG_STRING,
     .default_value = "pgoutput",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .validate = validate_plugin_name,
     .doc = "The logical decoding plugin on the server. Only 'pgoutput', built into PostgreSQL 10 and later, is "
            "supported (Debezium's default, 'decoderbufs', is refused), so it is the default here."},
    {.name = "slot.name",
     .type = CD_CFG_STRING,
     .default_value = "debezium",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .validate = validate_slot_name,
     .doc = "The name of the logical replication slot the connector streams from, created when missing. Lowercase "
            "letters, digits and '_' only; one slot per connector."},
    {.name = "slot.drop.on.stop",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .doc = "Whether to drop the replication slot when the task stops in order. By default the slot is kept, so "
            "that after a restart streaming resumes where it stopped; a dropped slot loses the changes made while "
            "the connector was stopped."},
    {.name = "publication.name",
     .type = CD_CFG_STRING,
     .default_value = "dbz_publication",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .doc = "The name of the publication pgoutput streams the changes of."},
    {.name = "publication.autocreate.mode",
     .type = CD_CFG_STRING,
     .default_value = "all_tables",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .choices = autocreate_choices,
     .doc = "What the connector does when the publication does not exist: 'all_tables' (the default) creates it "
            "FOR ALL TABLES (the user must be a superuser); 'filtered' creates it FOR TABLE the tables the "
            "schema and table lists capture (the user must own them); 'disabled' creates nothing, and a missing "
            "publication is an error. An existing publication is used as it is."},
    {.name = "status.update.interval.ms",
     .type = CD_CFG_INT,
     .default_value = "10000",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_REPL,
     .min = 1,
     .max = INT32_MAX,
     .doc = "How often the connector sends the server a standby status update on the replication connection, "
            "in milliseconds; it must stay well under the server's wal_sender_timeout (60 s by default). Keepalives "
            "that ask for a reply are answered at once whatever this is."},
    {.name = "schema.include.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the names of the schemas whose tables are "
            "captured (each matches the whole name). Unset: every schema but the system ones. Not with "
            "schema.exclude.list."},
    {.name = "schema.exclude.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the names of the schemas whose tables are not "
            "captured. Not with schema.include.list."},
    {.name = "table.include.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_HIGH,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the schema-qualified names (schema.table) of the "
            "tables to capture (each matches the whole name). Unset: every table of the captured schemas. Each "
            "expression must match at least one table. Not with table.exclude.list."},
    {.name = "table.exclude.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the schema-qualified names of the tables not to "
            "capture. Not with table.include.list."},
    {.name = "column.include.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the fully-qualified names (schema.table.column) of "
            "the columns to include in change events; the others are left out. Not with column.exclude.list."},
    {.name = "column.exclude.list",
     .type = CD_CFG_LIST,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_FILTER,
     .validate = validate_regex_list,
     .doc = "Regular expressions, separated by commas, matching the fully-qualified names (schema.table.column) of "
            "the columns to leave out of change events. Not with column.include.list."},
    {.name = "message.key.columns",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_EVENTS,
     .validate = validate_key_columns,
     .doc = "The columns that make the record key of some tables instead of their primary key: entries "
            "<schema.table regex>:<column>,<column>... separated by ';', e.g. "
            "'public.orderlines:order_id,line_no;public.orders:id'. Tables not listed use their primary key."},
    {.name = "snapshot.mode",
     .type = CD_CFG_STRING,
     .default_value = "initial",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_SNAP,
     .choices = snapshot_choices,
     .doc = "When the connector reads the captured tables whole before streaming: 'initial' (the default) when "
            "it has no offset yet; 'always' at every start; 'initial_only' once, and then it does not stream (the "
            "task stays running, idle); "
            "'no_data' never, it only streams changes ('never' is accepted as its old name); 'when_needed' as "
            "initial, and also when the position in its offset is no longer available on the server."},
    {.name = "snapshot.fetch.size",
     .type = CD_CFG_INT,
     .default_value = "10240",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_SNAP,
     .min = 1,
     .max = INT32_MAX,
     .doc = "The most rows the snapshot fetches from a table's cursor at a time, which bounds the memory it "
            "takes whatever the table's size."},
    {.name = "heartbeat.interval.ms",
     .type = CD_CFG_INT,
     .default_value = "0",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_ADV,
     .min = 0,
     .max = INT32_MAX,
     .doc = "How often, in milliseconds, the connector records its position even when no captured table changes, "
            "so that the slot advances and the server can recycle WAL. 0 (the default) disables heartbeats."},
    {.name = "topic.heartbeat.prefix",
     .type = CD_CFG_STRING,
     .default_value = "__debezium-heartbeat",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_ADV,
     .doc =
         "The first part of the name of the topic heartbeat records go to: <topic.heartbeat.prefix>.<topic.prefix>."},
    {.name = "heartbeat.action.query",
     .type = CD_CFG_STRING,
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_ADV,
     .doc = "A statement the connector runs on the database at each heartbeat, e.g. an INSERT into a heartbeat "
            "table in the publication, so that a quiet captured database still produces changes to confirm."},
    {.name = "tombstones.on.delete",
     .type = CD_CFG_BOOLEAN,
     .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_EVENTS,
     .doc = "Whether a delete is followed by a tombstone (the same key, a null value), so that log compaction can "
            "remove every record of the deleted row (true, the default), or represented by the delete event "
            "alone (false)."},
    {.name = "decimal.handling.mode",
     .type = CD_CFG_STRING,
     .default_value = "precise",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_EVENTS,
     .choices = decimal_choices,
     .doc = "How NUMERIC and DECIMAL columns are represented: 'precise' (the default) exactly, as Kafka Connect's "
            "org.apache.kafka.connect.data.Decimal (io.debezium.data.VariableScaleDecimal when the column has no "
            "scale); 'double' as a FLOAT64, which may lose precision; 'string' as text."},
    {.name = "time.precision.mode",
     .type = CD_CFG_STRING,
     .default_value = "adaptive",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_EVENTS,
     .choices = time_choices,
     .doc = "How time, date and timestamp columns are represented: 'adaptive' (the default) with the precision of "
            "the column (io.debezium.time.* types); 'adaptive_time_microseconds' as adaptive, but TIME always in "
            "microseconds; 'connect' as Kafka Connect's Time, Date and Timestamp, in milliseconds whatever the "
            "column's precision."},
    {.name = "binary.handling.mode",
     .type = CD_CFG_STRING,
     .default_value = "bytes",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_EVENTS,
     .choices = binary_choices,
     .doc = "How bytea columns are represented: 'bytes' (the default) as bytes; 'base64' as a base64 string; "
            "'base64-url-safe' as a URL-safe base64 string; 'hex' as a hexadecimal string."},
    {.name = "unavailable.value.placeholder",
     .type = CD_CFG_STRING,
     .default_value = "__debezium_unavailable_value",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_EVENTS,
     .doc = "The value put in place of a column the server did not send: an unchanged TOASTed value in an update "
            "of a table whose REPLICA IDENTITY is not FULL. With the prefix 'hex:' the rest is hexadecimal bytes."},
    {.name = "skipped.operations",
     .type = CD_CFG_LIST,
     .default_value = "t",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_EVENTS,
     .choices = skipped_choices,
     .doc = "The operations not to emit while streaming, separated by commas: 'c' inserts, 'u' updates, 'd' "
            "deletes, 't' truncates, or 'none'. By default truncates are skipped."},
    {.name = "provide.transaction.metadata",
     .type = CD_CFG_BOOLEAN,
     .default_value = "false",
     .importance = CD_IMPORTANCE_LOW,
     .group = G_EVENTS,
     .doc = "Whether to emit a BEGIN and an END event for each transaction to <topic.prefix>.transaction and add "
            "the transaction block (id, total_order, data_collection_order) to every change event."},
    {.name = "max.batch.size",
     .type = CD_CFG_INT,
     .default_value = "2048",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_ADV,
     .min = 1,
     .max = INT32_MAX,
     .doc = "The most change events one poll of the task returns."},
    {.name = "poll.interval.ms",
     .type = CD_CFG_LONG,
     .default_value = "500",
     .importance = CD_IMPORTANCE_MEDIUM,
     .group = G_ADV,
     .min = 1,
     .max = 5000,
     .doc = "How long, in milliseconds, a poll waits for new change events before it returns with none."},
    {.name = NULL},
};

/* ---- reading ------------------------------------------------------------------- */

/* Debezium settings this connector accepts without acting on them. */
static const char *const unsupported_keys[] = {
    "database.sslcert",
    "database.sslkey",
    "database.sslpassword",
    "database.sslrootcert",
    "database.sslfactory",
    "database.tcpKeepAlive",
    "database.initial.statements",
    "database.query.timeout.ms",
    "database.server.name",
    "slot.stream.params",
    "slot.max.retries",
    "slot.retry.delay.ms",
    "slot.failover",
    "slot.seek.to.known.offset.on.start",
    "offset.mismatch.strategy",
    "lsn.flush.mode",
    "flush.lsn.source",
    "lsn.flush.timeout.ms",
    "lsn.flush.timeout.action",
    "xmin.fetch.interval.ms",
    "replica.identity.autoset.values",
    "publish.via.partition.root",
    "snapshot.isolation.mode",
    "snapshot.locking.mode",
    "snapshot.max.threads",
    "snapshot.delay.ms",
    "snapshot.select.statement.overrides",
    "snapshot.lock.timeout.ms",
    "snapshot.include.collection.list",
    "snapshot.tables.order.by.row.count",
    "snapshot.query.mode",
    "snapshot.mode.custom.name",
    "streaming.delay.ms",
    "incremental.snapshot.chunk.size",
    "hstore.handling.mode",
    "interval.handling.mode",
    "money.fraction.digits",
    "include.unknown.datatypes",
    "schema.refresh.mode",
    "schema.name.adjustment.mode",
    "field.name.adjustment.mode",
    "column.propagate.source.type",
    "datatype.propagate.source.type",
    "message.prefix.include.list",
    "message.prefix.exclude.list",
    "include.schema.comments",
    "table.ignore.builtin",
    "skip.messages.without.change",
    "max.queue.size",
    "max.queue.size.in.bytes",
    "query.fetch.size",
    "heartbeat.topics.prefix",
    "topic.delimiter",
    "topic.naming.strategy",
    "topic.transaction",
    "event.processing.failure.handling.mode",
    "converters",
    "post.processors",
    "signal.data.collection",
    "signal.enabled.channels",
    "notification.enabled.channels",
    "read.only",
    "custom.metric.tags",
    "retriable.restart.connector.wait.ms",
    "errors.max.retries",
    "sourceinfo.struct.maker",
    "connection.validation.timeout.ms",
    "table.whitelist",
    "table.blacklist",
    "schema.whitelist",
    "schema.blacklist",
    "column.whitelist",
    "column.blacklist",
    NULL,
};

void pg_config_warn_unsupported(const cd_host_api_t *host, cd_task_t *task)
{
    char names[1024] = "";
    size_t len = 0;
    int n = 0;
    for (const char *const *k = unsupported_keys; *k; k++) {
        if (host->config_get(task, *k) && len < sizeof(names)) {
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", n++ ? ", " : "", *k);
        }
    }
    if (n > 0) {
        host->log(task, CD_LOG_WARN,
                  "Debezium setting%s %s %s accepted but not implemented by this connector, which ignores %s",
                  n > 1 ? "s" : "", names, n > 1 ? "are" : "is", n > 1 ? "them" : "it");
    }
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

bool pg_filter_matches(const pg_filter_t *f, const char *text)
{
    for (size_t i = 0; i < f->n; i++) {
        if (regexec(&f->re[i], text, 0, NULL, 0) == 0) {
            return true;
        }
    }
    return false;
}

bool pg_config_table_included(const pg_config_t *cfg, const char *schema, const char *table)
{
    if ((cfg->schema_include.n && !pg_filter_matches(&cfg->schema_include, schema)) ||
        pg_filter_matches(&cfg->schema_exclude, schema)) {
        return false;
    }
    size_t len = strlen(schema) + strlen(table) + 2;
    char *name = malloc(len);
    snprintf(name, len, "%s.%s", schema, table);
    bool in = (!cfg->table_include.n || pg_filter_matches(&cfg->table_include, name)) &&
              !pg_filter_matches(&cfg->table_exclude, name);
    free(name);
    return in;
}

bool pg_config_column_included(const pg_config_t *cfg, const char *schema, const char *table, const char *column)
{
    if (!cfg->column_include.n && !cfg->column_exclude.n) {
        return true;
    }
    size_t len = strlen(schema) + strlen(table) + strlen(column) + 3;
    char *name = malloc(len);
    snprintf(name, len, "%s.%s.%s", schema, table, column);
    bool in = (!cfg->column_include.n || pg_filter_matches(&cfg->column_include, name)) &&
              !pg_filter_matches(&cfg->column_exclude, name);
    free(name);
    return in;
}

const pg_key_columns_t *pg_config_key_columns(const pg_config_t *cfg, const char *schema, const char *table)
{
    if (!cfg->nkeys) {
        return NULL;
    }
    size_t len = strlen(schema) + strlen(table) + 2;
    char *name = malloc(len);
    snprintf(name, len, "%s.%s", schema, table);
    const pg_key_columns_t *found = NULL;
    for (size_t i = 0; i < cfg->nkeys && !found; i++) {
        if (regexec(&cfg->keys[i].table, name, 0, NULL, 0) == 0) {
            found = &cfg->keys[i];
        }
    }
    free(name);
    return found;
}

/* The mode of each of snapshot_choices, in its order. */
static const pg_snapshot_mode_t snapshot_modes[] = {PG_SNAPSHOT_INITIAL, PG_SNAPSHOT_NO_DATA,
                                                    PG_SNAPSHOT_NO_DATA, PG_SNAPSHOT_INITIAL_ONLY,
                                                    PG_SNAPSHOT_ALWAYS,  PG_SNAPSHOT_WHEN_NEEDED};

/* The index of `value` in a table's choices (the worker let only those
 * through). */
static int index_of(const char *const *choices, const char *value)
{
    for (int i = 0; choices[i]; i++) {
        if (strcmp(choices[i], value) == 0) {
            return i;
        }
    }
    return 0;
}

/* The mutually exclusive pairs of lists, as Debezium refuses them. */
static const char *const exclusive_pairs[][2] = {
    {"schema.include.list", "schema.exclude.list"},
    {"table.include.list", "table.exclude.list"},
    {"column.include.list", "column.exclude.list"},
};

pg_config_t *pg_config_read(const cd_host_api_t *host, cd_task_t *task, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < sizeof(exclusive_pairs) / sizeof(exclusive_pairs[0]); i++) {
        const char *a = host->config_get(task, exclusive_pairs[i][0]);
        const char *b = host->config_get(task, exclusive_pairs[i][1]);
        if (a && a[0] && b && b[0]) {
            /* Only the exclude list named: the worker shows the message on
             * the setting it names. */
            snprintf(errbuf, errlen,
                     "%s cannot be used together with the include list of the same kind: set one of them",
                     exclusive_pairs[i][1]);
            return NULL;
        }
    }
    pg_config_t *cfg = calloc(1, sizeof(*cfg));
    cfg->hostname = dup_or_null(host->config_get(task, "database.hostname"));
    cfg->port = atoi(host->config_get(task, "database.port"));
    cfg->user = dup_or_null(host->config_get(task, "database.user"));
    cfg->password = dup_or_null(host->config_get(task, "database.password"));
    cfg->dbname = dup_or_null(host->config_get(task, "database.dbname"));
    cfg->sslmode = dup_or_null(host->config_get(task, "database.sslmode"));
    cfg->topic_prefix = dup_or_null(host->config_get(task, "topic.prefix"));
    cfg->slot_name = dup_or_null(host->config_get(task, "slot.name"));
    cfg->publication_name = dup_or_null(host->config_get(task, "publication.name"));
    cfg->autocreate = (pg_autocreate_t)index_of(autocreate_choices,
                                                host->config_get(task, "publication.autocreate.mode"));
    cfg->snapshot_mode = snapshot_modes[index_of(snapshot_choices, host->config_get(task, "snapshot.mode"))];
    cfg->drop_slot_on_stop = strcmp(host->config_get(task, "slot.drop.on.stop"), "true") == 0;
    cfg->heartbeat_interval_ms = strtoll(host->config_get(task, "heartbeat.interval.ms"), NULL, 10);
    cfg->heartbeat_action_query = dup_or_null(host->config_get(task, "heartbeat.action.query"));
    cfg->heartbeat_topic_prefix = dup_or_null(host->config_get(task, "topic.heartbeat.prefix"));
    cfg->snapshot_fetch_size = atoi(host->config_get(task, "snapshot.fetch.size"));
    cfg->max_batch_size = atoi(host->config_get(task, "max.batch.size"));
    cfg->poll_interval_ms = strtoll(host->config_get(task, "poll.interval.ms"), NULL, 10);
    cfg->status_update_interval_ms = strtoll(host->config_get(task, "status.update.interval.ms"), NULL, 10);
    /* The worker checked every expression against the table's validator:
     * these compile. */
    filter_build(&cfg->schema_include, host->config_get(task, "schema.include.list"), errbuf, errlen);
    filter_build(&cfg->schema_exclude, host->config_get(task, "schema.exclude.list"), errbuf, errlen);
    filter_build(&cfg->table_include, host->config_get(task, "table.include.list"), errbuf, errlen);
    filter_build(&cfg->table_exclude, host->config_get(task, "table.exclude.list"), errbuf, errlen);
    filter_build(&cfg->column_include, host->config_get(task, "column.include.list"), errbuf, errlen);
    filter_build(&cfg->column_exclude, host->config_get(task, "column.exclude.list"), errbuf, errlen);
    keys_build(&cfg->nkeys, &cfg->keys, host->config_get(task, "message.key.columns"), errbuf, errlen);
    cfg->tombstones_on_delete = strcmp(host->config_get(task, "tombstones.on.delete"), "true") == 0;
    cfg->provide_transaction_metadata = strcmp(host->config_get(task, "provide.transaction.metadata"), "true") == 0;
    /* "none", or letters among c, u, d, t (the table's choices). */
    char *ops = strdup(host->config_get(task, "skipped.operations"));
    size_t nops = 0;
    for (char *save = NULL, *op = strtok_r(ops, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
        op = trim(op);
        if (strlen(op) == 1 && nops + 1 < sizeof(cfg->skipped_ops)) {
            cfg->skipped_ops[nops++] = op[0];
        }
    }
    free(ops);
    pg_types_config_init(&cfg->types);
    if (pg_types_config_set(&cfg->types, host->config_get(task, "decimal.handling.mode"),
                            host->config_get(task, "time.precision.mode"),
                            host->config_get(task, "binary.handling.mode"), errbuf, errlen) < 0 ||
        pg_types_config_placeholder(&cfg->types, host->config_get(task, "unavailable.value.placeholder"), errbuf,
                                    errlen) < 0) {
        pg_config_free(cfg);
        return NULL;
    }
    return cfg;
}

void pg_config_free(pg_config_t *cfg)
{
    if (!cfg) {
        return;
    }
    free(cfg->hostname);
    free(cfg->user);
    free(cfg->password);
    free(cfg->dbname);
    free(cfg->sslmode);
    free(cfg->topic_prefix);
    free(cfg->slot_name);
    free(cfg->publication_name);
    free(cfg->heartbeat_action_query);
    free(cfg->heartbeat_topic_prefix);
    filter_free(&cfg->schema_include);
    filter_free(&cfg->schema_exclude);
    filter_free(&cfg->table_include);
    filter_free(&cfg->table_exclude);
    filter_free(&cfg->column_include);
    filter_free(&cfg->column_exclude);
    keys_free(cfg->nkeys, cfg->keys);
    free(cfg);
}
