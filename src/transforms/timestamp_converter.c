/*
 * timestamp_converter.c - Kafka's TimestampConverter$Key / $Value: converts
 * a timestamp field (`field`), or the whole key/value (`field` empty),
 * between a string in a SimpleDateFormat `format`, a Unix time (`unix`, in
 * `unix.precision` units), and Connect's Date, Time and Timestamp.
 *
 * Every conversion goes through milliseconds since the epoch, UTC, as
 * Kafka's goes through java.util.Date: Date keeps the day (floored, so
 * times before 1970 land on their own day), Time the time of day, and
 * sub-millisecond Unix precision is truncated toward zero as TimeUnit
 * does.  With a schema the input type comes from the schema (the logical
 * name, else STRING = string, INT64 = unix); without one from the value
 * (a string = string, a long = unix).
 *
 * Connect's logical values are their underlying integers here (data.h):
 * Date is INT32 days, Time INT32 milliseconds of the day, Timestamp INT64
 * milliseconds.  Kafka's schemaless Date/Time/Timestamp results are
 * java.util.Date objects, which this data model has no type for; they are
 * INT64 milliseconds since the epoch here (Date.getTime()), the value a
 * java.util.Date carries -- so a later converter reads them as unix.
 *
 *   target.type=string format=yyyy-MM-dd field=ts  on {"ts":1489017600000}  ->  {"ts":"2017-03-09"}
 */
#include "field_common.h"
#include "java_date.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "converting timestamp formats"

typedef enum ts_type {
    TS_STRING,
    TS_UNIX,
    TS_DATE,
    TS_TIME,
    TS_TIMESTAMP,
} ts_type_t;

static const char *const ts_type_names[] = {"string", "unix", "Date", "Time", "Timestamp", NULL};
static const char *const ts_precisions[] = {"nanoseconds", "microseconds", "milliseconds", "seconds", NULL};

static const cd_config_def_t timestamp_converter_config[] = {
    {.name = "field", .type = CD_CFG_STRING, .default_value = "", .importance = CD_IMPORTANCE_HIGH,
     .doc = "The field containing the timestamp, or empty if the entire value is a timestamp"},
    {.name = "target.type", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
     .choices = ts_type_names},
    {.name = "format", .type = CD_CFG_STRING, .default_value = "", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string "
            "or used to parse the input if the input is a string."},
    {.name = "unix.precision", .type = CD_CFG_STRING, .default_value = "milliseconds",
     .importance = CD_IMPORTANCE_LOW,
     .doc = "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. "
            "Used to generate the output when type=unix or used to parse the input if the input is a Long."
            "Note: This SMT will cause precision loss during conversions from, and to, values with "
            "sub-millisecond components.",
     .choices = ts_precisions},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

typedef struct timestamp_converter {
    transform_target_t target;
    char *field; /* "" = the whole key/value */
    ts_type_t type;
    java_date_t *format; /* NULL when no format was given */
    int64_t unit_per_ms_num, unit_per_ms_den; /* unix units = ms * num / den */
    smt_schema_cache_t cache;
} timestamp_converter_t;

static void timestamp_converter_destroy(void *instance)
{
    timestamp_converter_t *tc = instance;
    if (!tc) {
        return;
    }
    free(tc->field);
    java_date_free(tc->format);
    smt_schema_cache_clear(&tc->cache);
    free(tc);
}

static void *timestamp_converter_create(const properties_t *config, transform_target_t target, char *errstr,
                                        size_t errstr_size)
{
    timestamp_converter_t *tc = calloc(1, sizeof(*tc));
    char *format = NULL;
    if (!tc) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    tc->target = target;
    tc->field = smt_trimmed_copy(smt_config(config, "field", ""));
    const char *type = smt_config(config, "target.type", "");
    int t = 0;
    while (ts_type_names[t] && strcmp(ts_type_names[t], type) != 0) {
        t++;
    }
    if (!ts_type_names[t]) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration target.type: String must be one of: %s",
                 type, "string, unix, Date, Time, Timestamp");
        goto fail;
    }
    tc->type = (ts_type_t)t;
    const char *precision = smt_config(config, "unix.precision", "milliseconds");
    tc->unit_per_ms_num = 1;
    tc->unit_per_ms_den = 1;
    if (strcmp(precision, "seconds") == 0) {
        tc->unit_per_ms_den = 1000;
    } else if (strcmp(precision, "microseconds") == 0) {
        tc->unit_per_ms_num = 1000;
    } else if (strcmp(precision, "nanoseconds") == 0) {
        tc->unit_per_ms_num = 1000000;
    }
    format = smt_trimmed_copy(smt_config(config, "format", ""));
    if (!tc->field || !format) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    if (tc->type == TS_STRING && !format[0]) {
        snprintf(errstr, errstr_size,
                 "TimestampConverter requires format option to be specified when using string timestamps");
        goto fail;
    }
    if (format[0]) {
        char why[256];
        tc->format = java_date_compile(format, why, sizeof(why));
        if (!tc->format) {
            snprintf(errstr, errstr_size,
                     "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: %s (%s)",
                     format, why);
            goto fail;
        }
    }
    free(format);
    return tc;
fail:
    free(format);
    timestamp_converter_destroy(tc);
    return NULL;
}

/* ---- the translators ---------------------------------------------------------- */

/* The type a schema says a timestamp is in; -1 with Kafka's message. */
static int type_from_schema(const cd_schema_t *schema, ts_type_t *type, char *errstr, size_t errstr_size)
{
    if (smt_is_logical(schema, SMT_LOGICAL_TIMESTAMP)) {
        *type = TS_TIMESTAMP;
    } else if (smt_is_logical(schema, SMT_LOGICAL_DATE)) {
        *type = TS_DATE;
    } else if (smt_is_logical(schema, SMT_LOGICAL_TIME)) {
        *type = TS_TIME;
    } else if (data_schema_type(schema) == CD_TYPE_STRING) {
        *type = TS_STRING;
    } else if (data_schema_type(schema) == CD_TYPE_INT64) {
        *type = TS_UNIX;
    } else {
        const char *name = data_schema_name(schema);
        snprintf(errstr, errstr_size, "Schema Schema{%s%s%s} does not correspond to a known timestamp type format",
                 name ? name : "", name ? ":" : "", data_type_name(data_schema_type(schema)));
        return -1;
    }
    return 0;
}

/* A schemaless value's type, as Kafka infers it from the Java class. */
static int type_inferred(const cd_value_t *v, ts_type_t *type, char *errstr, size_t errstr_size)
{
    switch (data_value_type(v)) {
    case CD_TYPE_INT64:
        *type = TS_UNIX;
        return 0;
    case CD_TYPE_STRING:
        *type = TS_STRING;
        return 0;
    default:
        snprintf(errstr, errstr_size, "TimestampConverter does not support class %s objects as timestamps",
                 smt_java_class(NULL, v));
        return -1;
    }
}

/* Java's TimeUnit conversions saturate instead of overflowing. */
static int64_t ms_to_units(const timestamp_converter_t *tc, int64_t ms)
{
    if (tc->unit_per_ms_den > 1) {
        return ms / tc->unit_per_ms_den;
    }
    if (ms > INT64_MAX / tc->unit_per_ms_num) {
        return INT64_MAX;
    }
    if (ms < INT64_MIN / tc->unit_per_ms_num) {
        return INT64_MIN;
    }
    return ms * tc->unit_per_ms_num;
}

static int64_t units_to_ms(const timestamp_converter_t *tc, int64_t units)
{
    if (tc->unit_per_ms_num > 1) {
        return units / tc->unit_per_ms_num;
    }
    int64_t k = tc->unit_per_ms_den;
    if (units > INT64_MAX / k) {
        return INT64_MAX;
    }
    if (units < INT64_MIN / k) {
        return INT64_MIN;
    }
    return units * k;
}

/* Kafka's toRaw: the value, of the type `type`, as milliseconds. */
static int to_raw(const timestamp_converter_t *tc, ts_type_t type, const cd_schema_t *schema, const cd_value_t *v,
                  int64_t *ms, char *errstr, size_t errstr_size)
{
    cd_type_t vt = data_value_type(v);
    switch (type) {
    case TS_STRING: {
        if (vt != CD_TYPE_STRING) {
            snprintf(errstr, errstr_size, "Expected string timestamp to be a String, but found class %s",
                     smt_java_class(schema, v));
            return -1;
        }
        const char *text = data_value_get_string(v, NULL);
        if (!tc->format) {
            /* Kafka fails here with a NullPointerException. */
            snprintf(errstr, errstr_size,
                     "TimestampConverter requires format option to be specified when using string timestamps");
            return -1;
        }
        if (java_date_parse(tc->format, text, ms) < 0) {
            snprintf(errstr, errstr_size, "Could not parse timestamp: value (%s) does not match pattern (%s)", text,
                     java_date_pattern(tc->format));
            return -1;
        }
        return 0;
    }
    case TS_UNIX:
        if (vt != CD_TYPE_INT64) {
            snprintf(errstr, errstr_size, "Expected Unix timestamp to be a Long, but found class %s",
                     smt_java_class(schema, v));
            return -1;
        }
        *ms = units_to_ms(tc, data_value_get_int(v));
        return 0;
    case TS_DATE:
    case TS_TIME:
        if (vt != CD_TYPE_INT32) {
            snprintf(errstr, errstr_size, "Expected %s to be a java.util.Date, but found class %s",
                     type == TS_DATE ? "Date" : "Time", smt_java_class(schema, v));
            return -1;
        }
        *ms = data_value_get_int(v) * (type == TS_DATE ? JAVA_DATE_MS_PER_DAY : 1);
        return 0;
    case TS_TIMESTAMP:
        if (vt != CD_TYPE_INT64) {
            snprintf(errstr, errstr_size, "Expected Timestamp to be a java.util.Date, but found class %s",
                     smt_java_class(schema, v));
            return -1;
        }
        *ms = data_value_get_int(v);
        return 0;
    }
    return -1;
}

/* Kafka's toType: milliseconds as the target type; schemaless Date, Time
 * and Timestamp are the milliseconds of the java.util.Date Kafka makes. */
static cd_value_t *to_type(const timestamp_converter_t *tc, int64_t ms, bool with_schema)
{
    int64_t days = java_date_floor_div(ms, JAVA_DATE_MS_PER_DAY);
    switch (tc->type) {
    case TS_STRING: {
        char *text = java_date_format(tc->format, ms);
        cd_value_t *v = text ? data_value_string(text, strlen(text)) : NULL;
        free(text);
        return v;
    }
    case TS_UNIX:
        return data_value_int(CD_TYPE_INT64, ms_to_units(tc, ms));
    case TS_DATE:
        return with_schema ? data_value_int(CD_TYPE_INT32, days)
                           : data_value_int(CD_TYPE_INT64, days * JAVA_DATE_MS_PER_DAY);
    case TS_TIME:
        return data_value_int(with_schema ? CD_TYPE_INT32 : CD_TYPE_INT64, ms - days * JAVA_DATE_MS_PER_DAY);
    case TS_TIMESTAMP:
        return data_value_int(CD_TYPE_INT64, ms);
    }
    return NULL;
}

/* Kafka's typeSchema: the schema of the target type. */
static cd_schema_t *type_schema(ts_type_t type, bool optional)
{
    cd_schema_t *schema;
    switch (type) {
    case TS_STRING:
        return data_schema_new(CD_TYPE_STRING, optional);
    case TS_UNIX:
        return data_schema_new(CD_TYPE_INT64, optional);
    case TS_DATE:
        schema = data_schema_new(CD_TYPE_INT32, optional);
        data_schema_set_name(schema, SMT_LOGICAL_DATE);
        break;
    case TS_TIME:
        schema = data_schema_new(CD_TYPE_INT32, optional);
        data_schema_set_name(schema, SMT_LOGICAL_TIME);
        break;
    default:
        schema = data_schema_new(CD_TYPE_INT64, optional);
        data_schema_set_name(schema, SMT_LOGICAL_TIMESTAMP);
        break;
    }
    data_schema_set_version(schema, 1);
    return schema;
}

/* convertTimestamp: *out is the converted value (a null value for null). */
static int convert(const timestamp_converter_t *tc, const cd_value_t *v, const ts_type_t *known,
                   const cd_schema_t *schema, cd_value_t **out, char *errstr, size_t errstr_size)
{
    if (smt_is_null(v)) {
        *out = data_value_null();
        return 0;
    }
    ts_type_t type;
    if (known) {
        type = *known;
    } else if (type_inferred(v, &type, errstr, errstr_size) < 0) {
        return -1;
    }
    int64_t ms;
    if (to_raw(tc, type, schema, v, &ms, errstr, errstr_size) < 0) {
        return -1;
    }
    *out = to_type(tc, ms, schema != NULL || known != NULL);
    if (!*out) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- applying ----------------------------------------------------------------- */

static cd_schema_t *updated_struct_schema(timestamp_converter_t *tc, const cd_schema_t *schema)
{
    cd_schema_t *cached = smt_schema_cache_get(&tc->cache, schema);
    if (cached) {
        return data_schema_ref(cached);
    }
    cd_schema_t *updated = smt_schema_copy_basics(schema, data_schema_struct(data_schema_optional(schema)));
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        const cd_schema_t *fs = data_schema_field_schema(schema, i);
        data_schema_add_field(updated, name,
                              strcmp(name, tc->field) == 0 ? type_schema(tc->type, data_schema_optional(fs))
                                                           : data_schema_ref((cd_schema_t *)fs));
    }
    smt_schema_cache_put(&tc->cache, schema, data_schema_ref(updated));
    return updated;
}

static int apply_with_schema(timestamp_converter_t *tc, const cd_schema_t *schema, const cd_value_t *value,
                             cd_schema_t **new_schema, cd_value_t **new_value, char *errstr, size_t errstr_size)
{
    if (!tc->field[0]) {
        ts_type_t type;
        if (type_from_schema(schema, &type, errstr, errstr_size) < 0 ||
            convert(tc, value, &type, schema, new_value, errstr, errstr_size) < 0) {
            return -1;
        }
        *new_schema = type_schema(tc->type, data_schema_optional(schema));
        return 0;
    }
    if (!smt_is_null(value) && smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) < 0) {
        return -1;
    }
    if (data_schema_type(schema) != CD_TYPE_STRUCT) {
        snprintf(errstr, errstr_size, "Cannot list fields on non-struct type");
        return -1;
    }
    cd_schema_t *updated = updated_struct_schema(tc, schema);
    if (smt_is_null(value)) {
        *new_schema = updated;
        *new_value = data_value_null();
        return 0;
    }
    cd_value_t *st = data_value_struct(updated);
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        const cd_schema_t *fs = data_schema_field_schema(schema, i);
        const cd_value_t *fv = data_value_struct_get(value, name);
        cd_value_t *nv;
        if (strcmp(name, tc->field) == 0) {
            ts_type_t type;
            if (type_from_schema(fs, &type, errstr, errstr_size) < 0 ||
                convert(tc, fv, &type, fs, &nv, errstr, errstr_size) < 0) {
                goto fail;
            }
        } else {
            nv = smt_copy(fv);
        }
        if (smt_struct_put(st, name, nv, errstr, errstr_size) < 0) {
            goto fail;
        }
    }
    *new_schema = updated;
    *new_value = st;
    return 0;
fail:
    data_value_free(st);
    data_schema_unref(updated);
    return -1;
}

static int apply_schemaless(timestamp_converter_t *tc, const cd_value_t *value, cd_value_t **new_value,
                            char *errstr, size_t errstr_size)
{
    if (smt_is_null(value) || !tc->field[0]) {
        return convert(tc, value, NULL, NULL, new_value, errstr, errstr_size);
    }
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) < 0) {
        return -1;
    }
    cd_value_t *converted;
    if (convert(tc, data_value_map_get(value, tc->field), NULL, NULL, &converted, errstr, errstr_size) < 0) {
        return -1;
    }
    /* Kafka puts the result even for a field the map lacked (as null). */
    cd_value_t *map = data_value_copy(value);
    data_value_map_put(map, data_value_string(tc->field, strlen(tc->field)), converted);
    *new_value = map;
    return 0;
}

static int timestamp_converter_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                                     size_t errstr_size)
{
    timestamp_converter_t *tc = instance;
    const cd_schema_t *schema = smt_schema_of(rec, tc->target);
    const cd_value_t *value = smt_value_of(rec, tc->target);
    cd_schema_t *new_schema = NULL;
    cd_value_t *new_value = NULL;
    int rc = schema ? apply_with_schema(tc, schema, value, &new_schema, &new_value, errstr, errstr_size)
                    : apply_schemaless(tc, value, &new_value, errstr, errstr_size);
    if (rc < 0) {
        return -1;
    }
    smt_set(rec, tc->target, new_schema, new_value);
    *out = rec;
    return 0;
}

const transform_def_t transform_timestamp_converter = {
    .name = "TimestampConverter",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp "
           "types.Applies to individual fields or to the entire value." SMT_VARIANTS_DOC("TimestampConverter"),
    .config = timestamp_converter_config,
    .create = timestamp_converter_create,
    .apply = timestamp_converter_apply,
    .destroy = timestamp_converter_destroy,
};
