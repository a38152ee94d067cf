/*
 * pg_types.h - PostgreSQL column types as Debezium maps them to Connect.
 *
 * A column is known by its type OID and atttypmod (what a pgoutput Relation
 * message carries).  pg_types_resolve() turns that into a pg_type_t once per
 * relation; from it come the column's Connect schema (pg_types_schema) and,
 * for every row, the value of the column's pgoutput text form
 * (pg_types_value), the placeholder of an unchanged TOASTed value
 * (pg_types_placeholder) and the value Debezium puts in a NOT NULL column
 * that arrived null (pg_types_fallback).  Everything is a pure function of
 * its arguments over the plugin ABI's data API, so the unit tests run it
 * against the worker's data model and JsonConverter.
 *
 * The mapping is Debezium's (debezium-connector-postgres
 * PostgresValueConverter, JdbcValueConverters, TemporalPrecisionMode), e.g.
 * with the defaults:
 *
 *   int4 '42'                       -> int32 42
 *   numeric(5,2) '3.10'             -> bytes "ATY=" Decimal {scale 2, connect.decimal.precision 5}
 *   numeric '3.10'                  -> struct VariableScaleDecimal {scale 1, value "Hw=="}
 *   timestamp '2018-06-20 15:13:16.945104' -> int64 1529507596945104 MicroTimestamp
 *   timestamptz '2018-06-20 15:13:16.945104+02'
 *                                   -> string "2018-06-20T13:13:16.945104Z" ZonedTimestamp
 *   int4[] '{1,NULL,3}'             -> array [1,null,3]
 *   pg_lsn '0/16B3748'              -> omitted (include.unknown.datatypes=false)
 *
 * The text forms are the ones the walsender prints with DateStyle ISO,
 * IntervalStyle postgres and bytea_output hex (PostgreSQL's defaults; the
 * replication connection must not change them).
 *
 * Types a database defines (enums, domains, arrays of them, extension
 * types) are not known by OID: the connection registers them from pg_type
 * in a pg_type_registry_t (see pg_type_registry_add), e.g. with
 *
 *   SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typbasetype, t.typtypmod,
 *          t.typelem, (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
 *                      FROM pg_enum e WHERE e.enumtypid = t.oid)
 *   FROM pg_type t WHERE t.oid >= 16384
 *
 * Threading: a registry is filled before use and then only read; the
 * functions here keep no state of their own.
 */
#ifndef CONNECTD_PG_TYPES_H
#define CONNECTD_PG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

/* decimal.handling.mode */
typedef enum pg_decimal_mode {
    PG_DECIMAL_PRECISE = 0, /* Kafka's Decimal; VariableScaleDecimal for unconstrained numeric */
    PG_DECIMAL_DOUBLE,
    PG_DECIMAL_STRING,
} pg_decimal_mode_t;

/* time.precision.mode */
typedef enum pg_time_mode {
    PG_TIME_ADAPTIVE = 0,
    PG_TIME_ADAPTIVE_TIME_MICROSECONDS,
    PG_TIME_CONNECT,
} pg_time_mode_t;

/* binary.handling.mode */
typedef enum pg_binary_mode {
    PG_BINARY_BYTES = 0,
    PG_BINARY_BASE64,
    PG_BINARY_BASE64_URL_SAFE,
    PG_BINARY_HEX,
} pg_binary_mode_t;

/* Whose mapping: Debezium's (the CDC connector's, the default) or that of
 * Confluent's JDBC source (connectors/jdbc/): the java.sql.Types pgJDBC
 * reports for a column, mapped as kafka-connect-jdbc's
 * GenericDatabaseDialect and PostgreSqlDatabaseDialect map them.  Under
 * Confluent's the Debezium settings below are not used, and
 * numeric_mapping, ts_granularity and zone are. */
typedef enum pg_types_flavour {
    PG_TYPES_DEBEZIUM = 0,
    PG_TYPES_CONFLUENT,
} pg_types_flavour_t;

/* numeric.mapping (Confluent) */
typedef enum pg_numeric_mapping {
    PG_NUMERIC_NONE = 0,
    PG_NUMERIC_PRECISION_ONLY,
    PG_NUMERIC_BEST_FIT,
    PG_NUMERIC_BEST_FIT_EAGER_DOUBLE,
} pg_numeric_mapping_t;

/* timestamp.granularity (Confluent) */
typedef enum pg_ts_granularity {
    PG_TS_CONNECT_LOGICAL = 0,
    PG_TS_MICROS_LONG,
    PG_TS_MICROS_STRING,
    PG_TS_MICROS_ISO_DATETIME_STRING,
    PG_TS_NANOS_LONG,
    PG_TS_NANOS_STRING,
    PG_TS_NANOS_ISO_DATETIME_STRING,
} pg_ts_granularity_t;

struct pgc_tz;

/* The settings that change a mapping, Debezium's names and defaults in the
 * comments.  pg_types_config_init() sets the defaults. */
typedef struct pg_types_config {
    pg_types_flavour_t flavour;
    pg_decimal_mode_t decimal_mode; /* decimal.handling.mode=precise */
    pg_time_mode_t time_mode;       /* time.precision.mode=adaptive */
    pg_binary_mode_t binary_mode;   /* binary.handling.mode=bytes */
    bool include_unknown;           /* include.unknown.datatypes=false */
    int money_fraction_digits;      /* money.fraction.digits=2 */
    /* unavailable.value.placeholder=__debezium_unavailable_value, as bytes
     * (the setting's "hex:" form decoded, see pg_types_config_placeholder) */
    unsigned char placeholder[256];
    size_t placeholder_len;
    /* Confluent's: numeric.mapping=none, timestamp.granularity=connect_logical,
     * and db.timezone=UTC (NULL), the zone of time and timestamp columns. */
    pg_numeric_mapping_t numeric_mapping;
    pg_ts_granularity_t ts_granularity;
    const struct pgc_tz *zone;
} pg_types_config_t;

/* The settings' allowed values, in the order of the enums above (NULL-
 * terminated, for a config table's `choices`). */
extern const char *const pg_decimal_mode_names[];
extern const char *const pg_time_mode_names[];
extern const char *const pg_binary_mode_names[];
extern const char *const pg_numeric_mapping_names[];
extern const char *const pg_ts_granularity_names[];

void pg_types_config_init(pg_types_config_t *cfg);
/* Sets the modes from their setting values (NULL keeps the default).
 * Returns 0, or -1 after writing which setting is wrong into errbuf. */
int pg_types_config_set(pg_types_config_t *cfg, const char *decimal, const char *time, const char *binary, char *errbuf,
                        size_t errlen);
/* Sets unavailable.value.placeholder: the text itself, or with a "hex:"
 * prefix the bytes its hex digits spell.  Returns 0, or -1 (errbuf says
 * why) for bad hex or a placeholder longer than 255 bytes. */
int pg_types_config_placeholder(pg_types_config_t *cfg, const char *value, char *errbuf, size_t errlen);

/* ---- types a database defines ------------------------------------------- */

typedef struct pg_type_registry pg_type_registry_t;

/* One pg_type row, as the query above reads it. */
typedef struct pg_type_desc {
    uint32_t oid;
    const char *name;        /* typname, e.g. "mood", "_mood", "citext" */
    char typtype;            /* 'b' base, 'e' enum, 'd' domain, 'c' composite, 'r' range, ... */
    char category;           /* typcategory; 'A' for an array type */
    uint32_t base_oid;       /* typbasetype: a domain's base type, else 0 */
    int32_t base_typmod;     /* typtypmod: a domain's typmod, else -1 */
    uint32_t elem_oid;       /* typelem: an array's element type, else 0 */
    const char *enum_labels; /* an enum's labels comma-joined in enumsortorder, else NULL */
} pg_type_desc_t;

pg_type_registry_t *pg_type_registry_create(void);      /* NULL when out of memory */
void pg_type_registry_destroy(pg_type_registry_t *reg); /* NULL is fine */
/* Adds or replaces the type desc->oid; copies the strings.  Returns 0, or
 * -1 when out of memory. */
int pg_type_registry_add(pg_type_registry_t *reg, const pg_type_desc_t *desc);

/* ---- a column's mapping ------------------------------------------------- */

/* What a column's values are, resolved from OID and typmod (plain data,
 * valid while the registry it came from lives: `allowed` points into it). */
typedef enum pg_kind {
    PG_KIND_BOOL = 1,
    PG_KIND_INT16,
    PG_KIND_INT32,
    PG_KIND_INT64,
    PG_KIND_FLOAT32,
    PG_KIND_FLOAT64,
    PG_KIND_NUMERIC, /* precision, scale; variable scale when precision == 0 */
    PG_KIND_MONEY,
    PG_KIND_STRING,   /* text, varchar, bpchar, name, inet, ranges, ... */
    PG_KIND_JSON,     /* io.debezium.data.Json */
    PG_KIND_XML,      /* io.debezium.data.Xml */
    PG_KIND_UUID,     /* io.debezium.data.Uuid */
    PG_KIND_TSVECTOR, /* io.debezium.data.Tsvector */
    PG_KIND_LTREE,    /* io.debezium.data.Ltree */
    PG_KIND_ENUM,     /* io.debezium.data.Enum, allowed */
    PG_KIND_BYTEA,
    PG_KIND_BITS, /* precision = the length in bits; BOOLEAN when 1 */
    PG_KIND_DATE,
    PG_KIND_TIME, /* precision = fractional digits of the seconds (0-6) */
    PG_KIND_TIMETZ,
    PG_KIND_TIMESTAMP, /* precision as TIME */
    PG_KIND_TIMESTAMPTZ,
    PG_KIND_INTERVAL,
    PG_KIND_UNKNOWN, /* include.unknown.datatypes: the text as binary.handling.mode says */
} pg_kind_t;

typedef struct pg_type {
    pg_kind_t kind;      /* of the elements, for an array */
    bool array;          /* a one-dimensional Connect array of `kind` */
    int32_t precision;   /* see pg_kind_t */
    int32_t scale;       /* NUMERIC only */
    const char *allowed; /* ENUM only: the labels, comma-joined */
    uint32_t oid;        /* the column's own type, for messages */
} pg_type_t;

/*
 * Resolves a column of type `oid` with `typmod` (-1: none).  Domains map
 * to their base type (with the domain's typmod when the column has none).
 * Returns 0, or -1 when Debezium leaves the column out of its events: a
 * type it has no mapping for (pg_lsn, point, money[], a composite, ...)
 * without include.unknown.datatypes.  `reg` may be NULL (built-in types
 * only).
 */
int pg_types_resolve(const pg_types_config_t *cfg, const pg_type_registry_t *reg, uint32_t oid, int32_t typmod,
                     pg_type_t *out);

/* The column's Connect schema (optional or not); the caller owns the
 * reference.  NULL when out of memory. */
cd_schema_t *pg_types_schema(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                             bool optional);

/*
 * The value of the pgoutput text `text` (len bytes, not NUL-terminated)
 * of a column of `type`, whose Connect schema is `schema` (borrowed: a
 * VariableScaleDecimal value is a struct of it).  The caller owns the
 * result.  NULL with errbuf set when the text is not what the type prints
 * ("cannot read '12x' as int4"), or for NaN or Infinity in a numeric
 * column under decimal.handling.mode=precise, as Debezium fails then.
 */
cd_value_t *pg_types_value(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                           const cd_schema_t *schema, const char *text, size_t len, char *errbuf, size_t errlen);

/*
 * The value of an unchanged TOASTed column (pgoutput 'u'): the
 * placeholder as a string, as bytes for bytea under binary.handling.mode
 * bytes, and for arrays as Debezium's UnchangedToastedPlaceholder makes it:
 * text, varchar, bpchar, json and jsonb arrays [placeholder], int4, date and
 * int8 arrays the placeholder's bytes as numbers, bytea arrays
 * [placeholder].  NULL with errbuf set for the types Debezium has no
 * placeholder of (numeric, uuid[], ...).
 */
cd_value_t *pg_types_placeholder(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                                 char *errbuf, size_t errlen);

/* What Debezium writes for a null in a column that is not optional (the
 * key-only old row of a DEFAULT replica identity): the type's zero, e.g.
 * 0, "", false, "1970-01-01T00:00:00Z", an empty array.  Never NULL unless
 * out of memory. */
cd_value_t *pg_types_fallback(const cd_host_api_t *host, const pg_types_config_t *cfg, const pg_type_t *type,
                              const cd_schema_t *schema);

/* ---- Confluent's timestamp criteria ------------------------------------- */

/*
 * The instant of a value of a date, timestamp or timestamptz column
 * (`type` resolved under Confluent's flavour), in microseconds since the
 * epoch, as the JDBC source compares and stores it in its offsets: a
 * timestamp is wall-clock time in cfg->zone, a date midnight UTC.
 * Returns 0, or -1 after errbuf for text that is not such a value or for
 * +-infinity.
 */
int pg_types_instant(const pg_types_config_t *cfg, const pg_type_t *type, const char *text, size_t len, int64_t *micros,
                     char *errbuf, size_t errlen);

/* `micros` as the text of a parameter compared with such a column:
 * "2024-01-15 13:00:00.000001+01:00" in cfg->zone, which PostgreSQL reads
 * as that wall-clock time for a timestamp column and as that instant for
 * a timestamptz.  Returns the length written (out holds 48 bytes at least). */
int pg_types_instant_text(const pg_types_config_t *cfg, int64_t micros, char *out, size_t cap);

#endif
