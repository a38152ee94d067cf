/*
 * jdbc_sink_value.h - Connect values as the text of statement parameters.
 *
 * Every value the sink writes is a parameter of a prepared statement in
 * libpq's text format, never part of the SQL: this module turns a Connect
 * value into the text PostgreSQL's input function of the column reads, the
 * same value pgJDBC would bind for Confluent's PreparedStatementBinder:
 *
 *   int32 42                                 -> 42
 *   float64 0.1                              -> 0.1 (the shortest text that reads back the same double)
 *   boolean true                             -> true
 *   bytes 01 ff                              -> \x01ff (bytea's hex form)
 *   Decimal {scale 2} bytes 01 5e            -> 3.50
 *   Date 19000                               -> 2022-01-08
 *   Time 45296789                            -> 12:34:56.789
 *   Timestamp 1529507596945                  -> 2018-06-20 15:13:16.945
 *   array<int32> [1, null, 3]                -> {1,NULL,3}
 *   array<string> ["a\"b", "c"]              -> {"a\"b","c"}
 *
 * Dates and times are Connect's: UTC.  As pgJDBC binds a Timestamp (with
 * the calendar of db.timezone, for Confluent), a time carries its offset
 * and goes as a parameter of no declared type, so the column's type reads
 * it: "2018-06-20 17:13:16.945+02" is 17:13:16.945 in a timestamp column
 * (the wall clock in db.timezone, the offset ignored) and the instant in a
 * timestamptz one.  Times likewise ("17:13:16.945+02").  Dates are written
 * as dates, unless date.timezone=DB_TIMEZONE and db.timezone is not UTC:
 * then, as Confluent, the Date's midnight UTC is the wall clock there (the
 * day before, west of Greenwich).  The zone is the shared pgc_tz's, read
 * from the tz database with Java's names.
 *
 * Pure functions of their arguments over the plugin ABI's data API.
 */
#ifndef CONNECTD_JDBC_SINK_VALUE_H
#define CONNECTD_JDBC_SINK_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "pgc_tz.h"

typedef enum jdbc_fmt_kind {
    JDBC_FMT_INT = 1, /* INT8..INT64 */
    JDBC_FMT_FLOAT32,
    JDBC_FMT_FLOAT64,
    JDBC_FMT_BOOL,
    JDBC_FMT_STRING,
    JDBC_FMT_BYTES,
    JDBC_FMT_DECIMAL,      /* bytes, scale */
    JDBC_FMT_DATE,         /* int32 days since 1970-01-01 */
    JDBC_FMT_TIME,         /* int32 milliseconds since midnight */
    JDBC_FMT_TIMESTAMP,    /* int64 milliseconds since the epoch */
    JDBC_FMT_EPOCH_MICROS, /* timestamp.fields.list: int64, or a string of digits */
    JDBC_FMT_EPOCH_NANOS,
    JDBC_FMT_ARRAY, /* of `elem`, a primitive kind */
} jdbc_fmt_kind_t;

/* How one column's values are written. */
typedef struct jdbc_fmt {
    jdbc_fmt_kind_t kind;
    jdbc_fmt_kind_t elem; /* ARRAY only */
    int32_t scale;        /* DECIMAL only */
    const pgc_tz_t *tz;   /* DATE, TIME, TIMESTAMP, EPOCH_*: the wall clock of this zone (db.timezone); NULL: UTC */
} jdbc_fmt_t;

/* The Connect logical type names. */
#define JDBC_LOGICAL_DECIMAL "org.apache.kafka.connect.data.Decimal"
#define JDBC_LOGICAL_DATE "org.apache.kafka.connect.data.Date"
#define JDBC_LOGICAL_TIME "org.apache.kafka.connect.data.Time"
#define JDBC_LOGICAL_TIMESTAMP "org.apache.kafka.connect.data.Timestamp"

/*
 * The format of a column whose values have `schema`.  `epoch` says that
 * the field is in timestamp.fields.list (nanos: timestamp.precision.mode),
 * `tz` is db.timezone (NULL when UTC), `dates_in_tz` that Date values are
 * converted too (date.timezone=DB_TIMEZONE).  Returns 0, or -1 with
 * Confluent's words in errbuf for a type that has no parameter form
 * ("Unsupported source data type: STRUCT").
 */
int jdbc_fmt_for(const cd_host_api_t *host, const cd_schema_t *schema, bool epoch, bool nanos, const pgc_tz_t *tz,
                 bool dates_in_tz, jdbc_fmt_t *out, char *errbuf, size_t errlen);

/* A growing text buffer the values are written into. */
typedef struct jdbc_buf {
    char *data;
    size_t len, cap;
} jdbc_buf_t;

void jdbc_buf_reset(jdbc_buf_t *b);
void jdbc_buf_free(jdbc_buf_t *b);

/*
 * Appends the text of `v` (borrowed; NULL or a NULL value is SQL NULL) and
 * its terminating NUL to b, and sets *off to where it starts.  Returns 1
 * for a SQL NULL (nothing written), 0 for a text, -1 with errbuf set for a
 * value the column cannot hold as text (a string with a NUL character, a
 * value not of the format's type).
 */
int jdbc_value_text(const cd_host_api_t *host, const jdbc_fmt_t *fmt, const cd_value_t *v, jdbc_buf_t *b, size_t *off,
                    char *errbuf, size_t errlen);

/* The same for an integer (kafka coordinates), a string of len bytes. */
void jdbc_value_int_text(int64_t n, jdbc_buf_t *b, size_t *off);
int jdbc_value_string_text(const char *s, size_t len, jdbc_buf_t *b, size_t *off, char *errbuf, size_t errlen);

/* Appends `text` (NUL-terminated; NULL for SQL NULL, \N) as a field of
 * COPY's text format: backslash, tab, newline and carriage return escaped
 * with a backslash, so that COPY reads back exactly `text`. */
void jdbc_copy_field(jdbc_buf_t *b, const char *text);
/* Ends a field: a tab, or a newline after a row's last field. */
void jdbc_copy_field_end(jdbc_buf_t *b, bool last);

/* COPY's data is sent once this much is rendered, and never in a larger
 * piece: PQputCopyData takes an int length, and a bounded buffer costs
 * the same whatever the rows' size. */
#define JDBC_COPY_CHUNK ((size_t)1 << 20)

/* A sender of COPY data (PQputCopyData's contract: 1 when queued). */
typedef int (*jdbc_copy_put_fn)(void *arg, const char *data, int len);

/* Hands data[0..len) to put_fn in order, in pieces of at most max bytes (0 <
 * max <= INT_MAX).  0, or -1 as soon as a put_fn did not return 1. */
int jdbc_copy_send(const char *data, size_t len, size_t max, jdbc_copy_put_fn put_fn, void *arg);

/* Low-level forms, exposed for the unit tests. */
/* A Decimal's unscaled big-endian two's complement bytes as decimal text. */
void jdbc_decimal_text(const unsigned char *bytes, size_t len, int32_t scale, jdbc_buf_t *b);
/* Days since 1970-01-01 as a proleptic Gregorian date, "YYYY-MM-DD" or "YYYY-MM-DD BC". */
void jdbc_date_text(int64_t days, jdbc_buf_t *b);

#endif
