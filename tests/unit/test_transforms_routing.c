/* Unit tests for the routing, metadata and header transforms and the
 * predicates (src/transforms/): each against the outputs of Kafka's own
 * unit tests (TimestampConverterTest, RegexRouterTest, ...) with and
 * without schemas, and their error messages.  Run under ASan, so every
 * record and instance is shown to be released. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"
#include "transforms/transform.h"
#include "transforms/transform_chain.h"
#include "transforms/java_date.h"
#include "transforms/java_regex.h"

extern const transform_def_t transform_timestamp_converter, transform_timestamp_router, transform_regex_router,
    transform_set_schema_metadata, transform_filter, transform_header_from, transform_insert_header,
    transform_drop_headers, transform_topic_name_matches, transform_has_header_key, transform_record_is_tombstone;

/* Kafka's TimestampConverterTest instants. */
#define DATE_PLUS_TIME_UNIX 86401234LL /* 1970-01-02T00:00:01.234Z */
#define DATE_MS 86400000LL             /* 1970-01-02 */
#define TIME_MS 1234LL                 /* 00:00:01.234 */
#define STRING_DATE_FMT "yyyy MM dd HH mm ss SSS z"
#define DATE_PLUS_TIME_STRING "1970 01 02 00 00 01 234 UTC"

#define LOGICAL_DATE "org.apache.kafka.connect.data.Date"
#define LOGICAL_TIME "org.apache.kafka.connect.data.Time"
#define LOGICAL_TIMESTAMP "org.apache.kafka.connect.data.Timestamp"

/* ---- helpers ------------------------------------------------------------------ */

/* An instance from key, value, ..., NULL settings; NULL with errstr. */
static void *make(const transform_def_t *def, transform_target_t target, char *errstr, size_t errstr_size, ...)
{
    properties_t *props = properties_create();
    va_list ap;
    va_start(ap, errstr_size);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        properties_set(props, k, va_arg(ap, const char *));
    }
    va_end(ap);
    errstr[0] = '\0';
    void *inst = def->create(props, target, errstr, errstr_size);
    properties_destroy(props);
    return inst;
}

#define MAKE_OK(def, target, ...)                                                                            \
    ({                                                                                                     \
        char err_[512];                                                                                    \
        void *inst_ = make(def, target, err_, sizeof(err_), __VA_ARGS__, NULL);                            \
        if (!inst_) {                                                                                      \
            fail_msg("create failed: %s", err_);                                                           \
        }                                                                                                  \
        inst_;                                                                                             \
    })

static void expect_create_error(const transform_def_t *def, const char *message, ...)
{
    properties_t *props = properties_create();
    va_list ap;
    va_start(ap, message);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        properties_set(props, k, va_arg(ap, const char *));
    }
    va_end(ap);
    char errstr[512] = "";
    void *inst = def->create(props, TRANSFORM_VALUE, errstr, sizeof(errstr));
    properties_destroy(props);
    if (inst && def->destroy) {
        def->destroy(inst);
    }
    assert_null(inst);
    assert_string_equal(errstr, message);
}

static void destroy(const transform_def_t *def, void *inst)
{
    if (def->destroy) {
        def->destroy(inst);
    }
}

static cd_record_t *record(const char *topic, cd_schema_t *schema, cd_value_t *value)
{
    cd_record_t *rec = data_record_new();
    data_record_set_kafka(rec, topic, 0, 42, 0);
    data_record_set_value(rec, schema, value);
    return rec;
}

static void apply_ok(const transform_def_t *def, void *inst, cd_record_t *rec)
{
    cd_record_t *out = NULL;
    char errstr[512] = "";
    int rc = def->apply(inst, rec, &out, errstr, sizeof(errstr));
    if (rc != 0) {
        fail_msg("apply failed: %s", errstr);
    }
    assert_ptr_equal(out, rec);
}

static void apply_error(const transform_def_t *def, void *inst, cd_record_t *rec, const char *message)
{
    cd_record_t *out = NULL;
    char errstr[512] = "";
    assert_int_equal(def->apply(inst, rec, &out, errstr, sizeof(errstr)), -1);
    assert_string_equal(errstr, message);
}

static cd_schema_t *logical(cd_type_t type, const char *name, bool optional)
{
    cd_schema_t *s = data_schema_new(type, optional);
    data_schema_set_name(s, name);
    data_schema_set_version(s, 1);
    return s;
}

static cd_value_t *str(const char *s)
{
    return data_value_string(s, strlen(s));
}

static void assert_value_string(const cd_value_t *v, const char *expected)
{
    assert_non_null(v);
    assert_int_equal(data_value_type(v), CD_TYPE_STRING);
    assert_string_equal(data_value_get_string(v, NULL), expected);
}

static void assert_value_int(const cd_value_t *v, cd_type_t type, int64_t expected)
{
    assert_non_null(v);
    assert_int_equal(data_value_type(v), type);
    assert_int_equal(data_value_get_int(v), expected);
}

static void assert_logical(const cd_schema_t *s, cd_type_t type, const char *name)
{
    assert_non_null(s);
    assert_int_equal(data_schema_type(s), type);
    if (name) {
        assert_string_equal(data_schema_name(s), name);
        assert_int_equal(data_schema_version(s), 1);
    } else {
        assert_null(data_schema_name(s));
    }
}

/* One whole-value conversion: value in (schema may be NULL) -> the record. */
static cd_record_t *convert_value(cd_schema_t *schema, cd_value_t *value, ...)
{
    char errstr[512];
    properties_t *props = properties_create();
    va_list ap;
    va_start(ap, value);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        properties_set(props, k, va_arg(ap, const char *));
    }
    va_end(ap);
    void *inst = transform_timestamp_converter.create(props, TRANSFORM_VALUE, errstr, sizeof(errstr));
    properties_destroy(props);
    if (!inst) {
        fail_msg("create failed: %s", errstr);
    }
    cd_record_t *rec = record("test", schema, value);
    apply_ok(&transform_timestamp_converter, inst, rec);
    transform_timestamp_converter.destroy(inst);
    return rec;
}

/* ---- SimpleDateFormat --------------------------------------------------------- */

static void check_format(const char *pattern, int64_t ms, const char *expected)
{
    char errstr[256];
    java_date_t *fmt = java_date_compile(pattern, errstr, sizeof(errstr));
    if (!fmt) {
        fail_msg("%s: %s", pattern, errstr);
    }
    char *text = java_date_format(fmt, ms);
    assert_string_equal(text, expected);
    int64_t back = 0;
    assert_int_equal(java_date_parse(fmt, text, &back), 0);
    free(text);
    java_date_free(fmt);
}

static void check_parse(const char *pattern, const char *text, int64_t expected)
{
    char errstr[256];
    java_date_t *fmt = java_date_compile(pattern, errstr, sizeof(errstr));
    assert_non_null(fmt);
    int64_t ms = 0;
    assert_int_equal(java_date_parse(fmt, text, &ms), 0);
    assert_int_equal(ms, expected);
    java_date_free(fmt);
}

static void test_java_date(void **state)
{
    (void)state;
    check_format(STRING_DATE_FMT, DATE_PLUS_TIME_UNIX, DATE_PLUS_TIME_STRING);
    check_format("yyyyMMdd", 1489017600000LL, "20170309");
    check_format("yyyy-MM-dd'T'HH:mm:ss.SSSX", 1489062896789LL, "2017-03-09T12:34:56.789Z");
    check_format("yyyy-MM-dd'T'HH:mm:ss.SSSZ", 1489062896789LL, "2017-03-09T12:34:56.789+0000");
    check_format("EEE, d MMM yyyy hh:mm a", 1489062896789LL, "Thu, 9 Mar 2017 12:34 PM");
    check_format("EEEE MMMM dd yy", 1489062896789LL, "Thursday March 09 17");
    check_format("D k K h G 'o''clock' ''", 0, "1 24 0 12 AD o'clock '");
    check_format("yyyy-MM-dd HH:mm:ss.SSS", -1, "1969-12-31 23:59:59.999");
    check_format("yyyy-MM-dd", 951782400000LL, "2000-02-29");
    check_format("zzzz", 0, "Coordinated Universal Time");

    check_parse(STRING_DATE_FMT, DATE_PLUS_TIME_STRING, DATE_PLUS_TIME_UNIX);
    check_parse("yyyyMMddHHmmss", "20170309123456", 1489062896000LL);
    check_parse("yyyy-MM-dd", "2017-03-09", 1489017600000LL);
    check_parse("yyyy-MM-dd", "2016-13-09", 1489017600000LL - 59 * 86400000LL + 0); /* lenient: 2017-01-09 */
    check_parse("yyyy-MM-dd'T'HH:mm:ssX", "2017-03-09T13:34:56+01:00", 1489062896000LL);
    check_parse("yyyy-MM-dd'T'HH:mm:ssZ", "2017-03-09T07:34:56-0500", 1489062896000LL);
    check_parse("dd MMM yyyy", "09 march 2017", 1489017600000LL);
    check_parse("yyyy-MM-dd", "2017-03-09 and more", 1489017600000LL); /* DateFormat.parse(String) */
    check_parse("h:mm a", "12:30 AM", 30 * 60000LL);
    check_parse("h:mm a", "1:30 PM", 13 * 3600000LL + 30 * 60000LL);

    char errstr[256];
    assert_null(java_date_compile("bad-format", errstr, sizeof(errstr)));
    assert_string_equal(errstr, "Illegal pattern character 'b'");
    assert_null(java_date_compile("yyyy 'T", errstr, sizeof(errstr)));
    assert_string_equal(errstr, "Unterminated quote");
    assert_null(java_date_compile("ww", errstr, sizeof(errstr)));
    java_date_t *fmt = java_date_compile("yyyy-MM-dd", errstr, sizeof(errstr));
    int64_t ms;
    assert_int_equal(java_date_parse(fmt, "2017/03/09", &ms), -1);
    assert_int_equal(java_date_parse(fmt, "", &ms), -1);
    java_date_free(fmt);
}

/* ---- TimestampConverter -------------------------------------------------------- */

static void test_timestamp_converter_config(void **state)
{
    (void)state;
    expect_create_error(&transform_timestamp_converter,
                        "Invalid value  for configuration target.type: String must be one of: string, unix, Date, "
                        "Time, Timestamp",
                        NULL);
    expect_create_error(&transform_timestamp_converter,
                        "Invalid value invalid for configuration target.type: String must be one of: string, unix, "
                        "Date, Time, Timestamp",
                        "target.type", "invalid", NULL);
    expect_create_error(&transform_timestamp_converter,
                        "TimestampConverter requires format option to be specified when using string timestamps",
                        "target.type", "string", NULL);
    expect_create_error(&transform_timestamp_converter,
                        "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "
                        "bad-format (Illegal pattern character 'b')",
                        "target.type", "string", "format", "bad-format", NULL);
    void *inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_VALUE, "target.type", "unix", "unix.precision",
                         "seconds");
    destroy(&transform_timestamp_converter, inst);

    /* The rows Kafka's ConfigDef has. */
    const cd_config_def_t *c = transform_timestamp_converter.config;
    assert_string_equal(c[0].name, "field");
    assert_string_equal(c[0].default_value, "");
    assert_string_equal(c[1].name, "target.type");
    assert_true(c[1].required);
    assert_string_equal(c[2].name, "format");
    assert_string_equal(c[3].name, "unix.precision");
    assert_string_equal(c[3].default_value, "milliseconds");
    assert_int_equal(c[3].importance, CD_IMPORTANCE_LOW);
}

static void test_timestamp_converter_schemaless(void **state)
{
    (void)state;
    static const struct {
        const char *target;
        int64_t expected;
    } from_unix[] = {
        /* Date/Time/Timestamp without a schema: java.util.Date's millis. */
        {"Timestamp", DATE_PLUS_TIME_UNIX},
        {"Date", DATE_MS},
        {"Time", TIME_MS},
        {"unix", DATE_PLUS_TIME_UNIX},
    };
    for (size_t i = 0; i < sizeof(from_unix) / sizeof(*from_unix); i++) {
        cd_record_t *rec = convert_value(NULL, data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type",
                                         from_unix[i].target, NULL);
        assert_null(data_record_value_schema(rec));
        assert_value_int(data_record_value(rec), CD_TYPE_INT64, from_unix[i].expected);
        data_record_free(rec);
    }

    cd_record_t *rec = convert_value(NULL, data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type",
                                     "string", "format", STRING_DATE_FMT, NULL);
    assert_null(data_record_value_schema(rec));
    assert_value_string(data_record_value(rec), DATE_PLUS_TIME_STRING);
    data_record_free(rec);

    rec = convert_value(NULL, str(DATE_PLUS_TIME_STRING), "target.type", "Timestamp", "format", STRING_DATE_FMT,
                        NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    data_record_free(rec);

    /* Null passes, for every target type, whole value or field. */
    static const char *const targets[] = {"string", "unix", "Date", "Time", "Timestamp"};
    for (size_t i = 0; i < 5; i++) {
        rec = convert_value(NULL, NULL, "target.type", targets[i], "format", STRING_DATE_FMT, NULL);
        assert_null(data_record_value_schema(rec));
        assert_int_equal(data_value_type(data_record_value(rec)), CD_TYPE_NULL);
        data_record_free(rec);
        rec = convert_value(NULL, NULL, "target.type", targets[i], "format", STRING_DATE_FMT, "field", "ts", NULL);
        assert_int_equal(data_value_type(data_record_value(rec)), CD_TYPE_NULL);
        data_record_free(rec);
    }

    /* A field of a map; the other entries stay. */
    cd_value_t *map = data_value_map();
    data_value_map_put(map, str("ts"), data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX));
    data_value_map_put(map, str("other"), str("test"));
    rec = convert_value(NULL, map, "target.type", "string", "format", STRING_DATE_FMT, "field", "ts", NULL);
    assert_value_string(data_value_map_get(data_record_value(rec), "ts"), DATE_PLUS_TIME_STRING);
    assert_value_string(data_value_map_get(data_record_value(rec), "other"), "test");
    data_record_free(rec);

    /* A field the map lacks is put as null, as Kafka does. */
    map = data_value_map();
    data_value_map_put(map, str("other"), str("test"));
    rec = convert_value(NULL, map, "target.type", "unix", "field", "ts", NULL);
    assert_int_equal(data_value_count(data_record_value(rec)), 2);
    assert_int_equal(data_value_type(data_value_map_get(data_record_value(rec), "ts")), CD_TYPE_NULL);
    data_record_free(rec);
}

static void test_timestamp_converter_with_schema(void **state)
{
    (void)state;
    /* Timestamp -> every type. */
    cd_record_t *rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                                     data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "Date", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT32, LOGICAL_DATE);
    assert_value_int(data_record_value(rec), CD_TYPE_INT32, 1); /* days */
    data_record_free(rec);

    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                        data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "Time", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT32, LOGICAL_TIME);
    assert_value_int(data_record_value(rec), CD_TYPE_INT32, TIME_MS);
    data_record_free(rec);

    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                        data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "unix", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT64, NULL);
    assert_false(data_schema_optional(data_record_value_schema(rec)));
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    data_record_free(rec);

    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                        data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "string", "format",
                        STRING_DATE_FMT, NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_STRING, NULL);
    assert_value_string(data_record_value(rec), DATE_PLUS_TIME_STRING);
    data_record_free(rec);

    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                        data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "Timestamp", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT64, LOGICAL_TIMESTAMP);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    data_record_free(rec);

    /* Every type -> Timestamp. */
    rec = convert_value(logical(CD_TYPE_INT32, LOGICAL_DATE, false), data_value_int(CD_TYPE_INT32, 1), "target.type",
                        "Timestamp", NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_MS);
    data_record_free(rec);
    rec = convert_value(logical(CD_TYPE_INT32, LOGICAL_TIME, false), data_value_int(CD_TYPE_INT32, TIME_MS),
                        "target.type", "Timestamp", NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, TIME_MS);
    data_record_free(rec);
    rec = convert_value(data_schema_new(CD_TYPE_INT64, false), data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX),
                        "target.type", "Timestamp", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT64, LOGICAL_TIMESTAMP);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    data_record_free(rec);
    rec = convert_value(data_schema_new(CD_TYPE_STRING, false), str(DATE_PLUS_TIME_STRING), "target.type",
                        "Timestamp", "format", STRING_DATE_FMT, NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    data_record_free(rec);

    /* A null value keeps an optional schema of the target type. */
    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, true), NULL, "target.type", "Date", NULL);
    assert_logical(data_record_value_schema(rec), CD_TYPE_INT32, LOGICAL_DATE);
    assert_true(data_schema_optional(data_record_value_schema(rec)));
    assert_int_equal(data_value_type(data_record_value(rec)), CD_TYPE_NULL);
    data_record_free(rec);

    /* Before the epoch Date and Time floor, as Calendar does. */
    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false), data_value_int(CD_TYPE_INT64, -1),
                        "target.type", "Date", NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT32, -1);
    data_record_free(rec);
    rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false), data_value_int(CD_TYPE_INT64, -1),
                        "target.type", "Time", NULL);
    assert_value_int(data_record_value(rec), CD_TYPE_INT32, 86399999);
    data_record_free(rec);
}

static void test_timestamp_converter_unix_precision(void **state)
{
    (void)state;
    static const struct {
        const char *precision;
        int64_t unix_value;
        int64_t millis;
    } cases[] = {
        {"seconds", 86401, 86401000},
        {"milliseconds", DATE_PLUS_TIME_UNIX, DATE_PLUS_TIME_UNIX},
        {"microseconds", DATE_PLUS_TIME_UNIX * 1000 + 123, DATE_PLUS_TIME_UNIX},
        {"nanoseconds", (DATE_PLUS_TIME_UNIX * 1000 + 123) * 1000 + 456, DATE_PLUS_TIME_UNIX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        /* unix in these units -> Timestamp, truncating sub-millisecond parts. */
        cd_record_t *rec = convert_value(data_schema_new(CD_TYPE_INT64, false),
                                         data_value_int(CD_TYPE_INT64, cases[i].unix_value), "target.type",
                                         "Timestamp", "unix.precision", cases[i].precision, NULL);
        assert_value_int(data_record_value(rec), CD_TYPE_INT64, cases[i].millis);
        data_record_free(rec);
        /* And a Timestamp to unix in these units. */
        rec = convert_value(logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false),
                            data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX), "target.type", "unix",
                            "unix.precision", cases[i].precision, NULL);
        int64_t expected = strcmp(cases[i].precision, "seconds") == 0        ? 86401
                           : strcmp(cases[i].precision, "microseconds") == 0 ? DATE_PLUS_TIME_UNIX * 1000
                           : strcmp(cases[i].precision, "nanoseconds") == 0  ? DATE_PLUS_TIME_UNIX * 1000000
                                                                              : DATE_PLUS_TIME_UNIX;
        assert_value_int(data_record_value(rec), CD_TYPE_INT64, expected);
        data_record_free(rec);
    }
}

static void test_timestamp_converter_field(void **state)
{
    (void)state;
    cd_schema_t *schema = data_schema_struct(false);
    data_schema_set_name(schema, "my.Record");
    data_schema_set_version(schema, 3);
    data_schema_add_field(schema, "ts", logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false));
    data_schema_add_field(schema, "other", data_schema_new(CD_TYPE_STRING, false));
    cd_value_t *st = data_value_struct(schema);
    data_value_struct_set(st, "ts", data_value_int(CD_TYPE_INT64, DATE_PLUS_TIME_UNIX));
    data_value_struct_set(st, "other", str("test"));

    void *inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_VALUE, "target.type", "string", "format",
                         STRING_DATE_FMT, "field", "ts");
    for (int round = 0; round < 2; round++) { /* the second hits the schema cache */
        cd_record_t *rec = record("test", data_schema_ref(schema), data_value_copy(st));
        apply_ok(&transform_timestamp_converter, inst, rec);
        const cd_schema_t *out = data_record_value_schema(rec);
        assert_string_equal(data_schema_name(out), "my.Record");
        assert_int_equal(data_schema_version(out), 3);
        assert_int_equal(data_schema_type(data_schema_field_schema(out, 0)), CD_TYPE_STRING);
        assert_ptr_equal(data_schema_field_schema(out, 1), data_schema_field_schema(schema, 1));
        const cd_value_t *v = data_record_value(rec);
        assert_ptr_equal(data_value_struct_schema(v), out);
        assert_value_string(data_value_struct_get(v, "ts"), DATE_PLUS_TIME_STRING);
        assert_value_string(data_value_struct_get(v, "other"), "test");
        data_record_free(rec);
    }
    destroy(&transform_timestamp_converter, inst);

    /* The key variant leaves the value alone. */
    inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_KEY, "target.type", "unix", "field", "ts");
    cd_record_t *rec = record("test", data_schema_new(CD_TYPE_STRING, false), str("value"));
    data_record_set_key(rec, data_schema_ref(schema), data_value_copy(st));
    apply_ok(&transform_timestamp_converter, inst, rec);
    assert_value_int(data_value_struct_get(data_record_key(rec), "ts"), CD_TYPE_INT64, DATE_PLUS_TIME_UNIX);
    assert_int_equal(data_schema_type(data_schema_field_schema(data_record_key_schema(rec), 0)), CD_TYPE_INT64);
    assert_null(data_schema_name(data_schema_field_schema(data_record_key_schema(rec), 0)));
    assert_value_string(data_record_value(rec), "value");
    data_record_free(rec);
    destroy(&transform_timestamp_converter, inst);

    data_value_free(st);
    data_schema_unref(schema);
}

static void test_timestamp_converter_errors(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_VALUE, "target.type", "unix");
    cd_record_t *rec = record("test", NULL, data_value_int(CD_TYPE_INT32, 5));
    apply_error(&transform_timestamp_converter, inst, rec,
                "TimestampConverter does not support class java.lang.Integer objects as timestamps");
    data_record_free(rec);
    rec = record("test", data_schema_new(CD_TYPE_INT32, false), data_value_int(CD_TYPE_INT32, 5));
    apply_error(&transform_timestamp_converter, inst, rec,
                "Schema Schema{INT32} does not correspond to a known timestamp type format");
    /* A failure leaves the record as it was. */
    assert_value_int(data_record_value(rec), CD_TYPE_INT32, 5);
    data_record_free(rec);
    rec = record("test", logical(CD_TYPE_INT64, LOGICAL_TIMESTAMP, false), str("x"));
    apply_error(&transform_timestamp_converter, inst, rec,
                "Expected Timestamp to be a java.util.Date, but found class java.lang.String");
    data_record_free(rec);
    destroy(&transform_timestamp_converter, inst);

    inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_VALUE, "target.type", "unix", "format",
                   STRING_DATE_FMT);
    rec = record("test", NULL, str("not a date"));
    apply_error(&transform_timestamp_converter, inst, rec,
                "Could not parse timestamp: value (not a date) does not match pattern (" STRING_DATE_FMT ")");
    data_record_free(rec);
    destroy(&transform_timestamp_converter, inst);

    inst = MAKE_OK(&transform_timestamp_converter, TRANSFORM_VALUE, "target.type", "unix", "field", "ts");
    rec = record("test", data_schema_new(CD_TYPE_STRING, false), str("x"));
    apply_error(&transform_timestamp_converter, inst, rec,
                "Only Struct objects supported for [converting timestamp formats], found: java.lang.String");
    data_record_free(rec);
    rec = record("test", NULL, data_value_int(CD_TYPE_INT64, 1));
    apply_error(&transform_timestamp_converter, inst, rec,
                "Only Map objects supported in absence of schema for [converting timestamp formats], found: "
                "java.lang.Long");
    data_record_free(rec);
    destroy(&transform_timestamp_converter, inst);
}

/* ---- TimestampRouter ------------------------------------------------------------ */

static void test_timestamp_router(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_timestamp_router, TRANSFORM_VALUE, "topic.format", "${topic}-${timestamp}");
    cd_record_t *rec = record("test", NULL, NULL);
    data_record_set_timestamp(rec, 1483425001864LL); /* Kafka's TimestampRouterTest */
    apply_ok(&transform_timestamp_router, inst, rec);
    assert_string_equal(data_record_topic(rec), "test-20170103");
    data_record_free(rec);

    rec = record("foo", data_schema_new(CD_TYPE_STRING, false), str("v"));
    data_record_set_timestamp(rec, 1489017600000LL); /* 2017-03-09 */
    apply_ok(&transform_timestamp_router, inst, rec);
    assert_string_equal(data_record_topic(rec), "foo-20170309");
    assert_value_string(data_record_value(rec), "v");

    /* A missing timestamp fails. */
    data_record_set_timestamp(rec, -1);
    apply_error(&transform_timestamp_router, inst, rec, "Timestamp missing on record: topic foo-20170309, partition 0");
    data_record_free(rec);
    destroy(&transform_timestamp_router, inst);

    inst = MAKE_OK(&transform_timestamp_router, TRANSFORM_VALUE, "topic.format", "${timestamp}.${topic}.${topic}",
                   "timestamp.format", "yyyy-MM");
    rec = record("events", NULL, NULL);
    data_record_set_timestamp(rec, 1489017600000LL);
    apply_ok(&transform_timestamp_router, inst, rec);
    assert_string_equal(data_record_topic(rec), "2017-03.events.events");
    data_record_free(rec);
    destroy(&transform_timestamp_router, inst);

    expect_create_error(&transform_timestamp_router,
                        "Invalid value yyyyMMddQ for configuration timestamp.format: Illegal pattern character 'Q'",
                        "timestamp.format", "yyyyMMddQ", NULL);
}

/* ---- RegexRouter and TopicNameMatches -------------------------------------------- */

static char *route(const char *regex, const char *replacement, const char *topic)
{
    void *inst = MAKE_OK(&transform_regex_router, TRANSFORM_VALUE, "regex", regex, "replacement", replacement);
    cd_record_t *rec = record(topic, NULL, NULL);
    apply_ok(&transform_regex_router, inst, rec);
    char *out = strdup(data_record_topic(rec));
    data_record_free(rec);
    destroy(&transform_regex_router, inst);
    return out;
}

static void test_regex_router(void **state)
{
    (void)state;
    static const struct {
        const char *regex, *replacement, *topic, *expected;
    } cases[] = {
        /* Kafka's RegexRouterTest. */
        {"foo", "bar", "foo", "bar"},
        {"foo", "bar", "orig", "orig"},
        {"(.*)", "$1", "orig", "orig"},
        {"(.*)", "prefix-$1", "orig", "prefix-orig"},
        {"(.*)", "$1-suffix", "orig", "orig-suffix"},
        {"(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117", "index"},
        /* The brief's example and more of Java's syntax. */
        {"(.*)-(.*)", "$2", "foo-bar", "bar"},
        {"foo", "bar", "foo-x", "foo-x"}, /* the whole topic must match */
        {"(?:db)\\.(\\w+)\\.(\\w+)", "$2_$1", "db.inventory.orders", "orders_inventory"},
        {"(?<schema>[a-z]+)\\.(?<table>[a-z]+)", "${table}", "public.users", "users"},
        {"(?i)FOO-(.*)", "$1", "foo-Bar", "Bar"},
        {"\\Q(x)\\E-(.*)", "\\$$1", "(x)-y", "$y"},
        {"([^.\\-]+)[-.]([\\d]+)", "$2:$1", "a.12", "12:a"},
        {"(a)(b)?", "[$2]", "a", "[]"}, /* an unmatched group is empty */
        {"(a)", "$10", "a", "a0"},       /* $1 then '0': there is no group 10 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *out = route(cases[i].regex, cases[i].replacement, cases[i].topic);
        if (strcmp(out, cases[i].expected) != 0) {
            fail_msg("%s / %s on %s: got %s, want %s", cases[i].regex, cases[i].replacement, cases[i].topic, out,
                     cases[i].expected);
        }
        free(out);
    }

    /* A replacement naming a group that is not there fails the record. */
    void *inst = MAKE_OK(&transform_regex_router, TRANSFORM_VALUE, "regex", "(.*)-(.*)", "replacement", "$3");
    cd_record_t *rec = record("a-b", NULL, NULL);
    apply_error(&transform_regex_router, inst, rec, "No group 3");
    assert_string_equal(data_record_topic(rec), "a-b");
    data_record_free(rec);
    destroy(&transform_regex_router, inst);
    inst = MAKE_OK(&transform_regex_router, TRANSFORM_VALUE, "regex", "(.*)", "replacement", "$x");
    rec = record("a", NULL, NULL);
    apply_error(&transform_regex_router, inst, rec, "Illegal group reference");
    data_record_free(rec);
    destroy(&transform_regex_router, inst);

    /* Patterns that do not compile, or that ERE cannot express. */
    char errbuf[512];
    assert_int_equal(java_regex_validate("(a", errbuf, sizeof(errbuf)), -1);
    assert_true(strncmp(errbuf, "Invalid regex: ", 15) == 0);
    assert_int_equal(java_regex_validate("a*?", errbuf, sizeof(errbuf)), -1);
    assert_string_equal(errbuf,
                        "Invalid regex: a lazy quantifier is not supported (Java regex translated to POSIX ERE)");
    assert_int_equal(java_regex_validate("(?=a)a", errbuf, sizeof(errbuf)), -1);
    assert_int_equal(java_regex_validate("[a-z&&[^b]]", errbuf, sizeof(errbuf)), -1);
    assert_int_equal(java_regex_validate("foo.*", errbuf, sizeof(errbuf)), 0);
    assert_ptr_equal(transform_regex_router.config[0].validate, java_regex_validate);
    char errstr[512];
    assert_null(make(&transform_regex_router, TRANSFORM_VALUE, errstr, sizeof(errstr), "regex", "[", "replacement",
                     "x", NULL));
    assert_true(strncmp(errstr, "Invalid value [ for configuration regex: Invalid regex: ", 56) == 0);
}

static void test_topic_name_matches(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_topic_name_matches, TRANSFORM_VALUE, "pattern", "my-prefix-.*");
    cd_record_t *rec = record("my-prefix-foo", NULL, NULL);
    assert_true(transform_topic_name_matches.test(inst, rec));
    data_record_set_topic(rec, "x-my-prefix-");
    assert_false(transform_topic_name_matches.test(inst, rec));
    data_record_set_topic(rec, "my-prefix-");
    assert_true(transform_topic_name_matches.test(inst, rec));
    data_record_free(rec);
    rec = data_record_new(); /* no topic */
    assert_false(transform_topic_name_matches.test(inst, rec));
    data_record_free(rec);
    destroy(&transform_topic_name_matches, inst);

    char errbuf[256];
    assert_int_equal(transform_topic_name_matches.config[0].validate("", errbuf, sizeof(errbuf)), -1);
    assert_string_equal(errbuf, "String must be non-empty");
    assert_int_equal(transform_topic_name_matches.config[0].validate("[", errbuf, sizeof(errbuf)), -1);
    char errstr[512];
    assert_null(make(&transform_topic_name_matches, TRANSFORM_VALUE, errstr, sizeof(errstr), "pattern", "(", NULL));
    assert_true(strncmp(errstr,
                        "Invalid value ( for configuration pattern: entry must be a Java-compatible regular "
                        "expression: ",
                        94) == 0);
}

/* ---- SetSchemaMetadata ------------------------------------------------------------ */

static void test_set_schema_metadata(void **state)
{
    (void)state;
    expect_create_error(&transform_set_schema_metadata, "Neither schema name nor version configured", NULL);
    expect_create_error(&transform_set_schema_metadata,
                        "Invalid value x for configuration schema.version: Not a number of type INT",
                        "schema.version", "x", NULL);

    cd_schema_t *schema = data_schema_struct(true);
    data_schema_set_name(schema, "my.orig.SchemaDefn");
    data_schema_set_doc(schema, "the doc");
    data_schema_add_field(schema, "f1", data_schema_new(CD_TYPE_STRING, false));
    data_schema_add_field(schema, "f2", data_schema_new(CD_TYPE_INT32, false));
    cd_value_t *st = data_value_struct(schema);
    data_value_struct_set(st, "f1", str("value"));
    data_value_struct_set(st, "f2", data_value_int(CD_TYPE_INT32, 1));

    /* Name and version; the struct is rebuilt against the new schema. */
    void *inst = MAKE_OK(&transform_set_schema_metadata, TRANSFORM_VALUE, "schema.name", "foo", "schema.version",
                         "42");
    cd_record_t *rec = record("t", data_schema_ref(schema), data_value_copy(st));
    apply_ok(&transform_set_schema_metadata, inst, rec);
    const cd_schema_t *out = data_record_value_schema(rec);
    assert_string_equal(data_schema_name(out), "foo");
    assert_int_equal(data_schema_version(out), 42);
    assert_string_equal(data_schema_doc(out), "the doc");
    assert_true(data_schema_optional(out));
    assert_int_equal(data_schema_field_count(out), 2);
    assert_ptr_equal(data_value_struct_schema(data_record_value(rec)), out);
    assert_value_string(data_value_struct_get(data_record_value(rec), "f1"), "value");
    assert_value_int(data_value_struct_get(data_record_value(rec), "f2"), CD_TYPE_INT32, 1);
    /* A second record of the same schema gets the cached renamed schema,
     * not a rebuild per record. */
    cd_record_t *again = record("t", data_schema_ref(schema), data_value_copy(st));
    apply_ok(&transform_set_schema_metadata, inst, again);
    assert_ptr_equal(data_record_value_schema(again), out);
    data_record_free(again);
    data_record_free(rec);

    /* Schemaless: a null value passes, a value fails. */
    rec = record("t", NULL, NULL);
    apply_ok(&transform_set_schema_metadata, inst, rec);
    assert_null(data_record_value_schema(rec));
    data_record_set_value(rec, NULL, str("x"));
    apply_error(&transform_set_schema_metadata, inst, rec, "Schema required for [updating schema metadata]");
    data_record_free(rec);
    destroy(&transform_set_schema_metadata, inst);

    /* Version only keeps the name; a non-struct value is kept as it is. */
    inst = MAKE_OK(&transform_set_schema_metadata, TRANSFORM_KEY, "schema.version", "7");
    rec = record("t", NULL, NULL);
    cd_schema_t *key_schema = data_schema_new(CD_TYPE_INT64, false);
    data_schema_set_name(key_schema, "my.Key");
    cd_value_t *key = data_value_int(CD_TYPE_INT64, 9);
    data_record_set_key(rec, key_schema, key);
    apply_ok(&transform_set_schema_metadata, inst, rec);
    assert_string_equal(data_schema_name(data_record_key_schema(rec)), "my.Key");
    assert_int_equal(data_schema_version(data_record_key_schema(rec)), 7);
    assert_ptr_equal(data_record_key(rec), key);
    data_record_free(rec);
    destroy(&transform_set_schema_metadata, inst);

    data_value_free(st);
    data_schema_unref(schema);
}

/* ---- Filter and the predicates ---------------------------------------------------- */

static void test_filter(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_filter, TRANSFORM_VALUE, "ignored", "x");
    cd_record_t *rec = record("t", NULL, str("v"));
    cd_record_t *out = rec;
    char errstr[64];
    assert_int_equal(transform_filter.apply(inst, rec, &out, errstr, sizeof(errstr)), 0);
    assert_null(out);
    data_record_free(rec); /* the caller's, dropped */
    destroy(&transform_filter, inst);
    assert_null(transform_filter.config);
}

static void test_has_header_key_and_tombstone(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_has_header_key, TRANSFORM_VALUE, "name", "foo");
    cd_record_t *rec = record("t", NULL, NULL);
    assert_false(transform_has_header_key.test(inst, rec));
    data_record_add_header(rec, "bar", NULL, str("x"));
    assert_false(transform_has_header_key.test(inst, rec));
    data_record_add_header(rec, "foo", NULL, NULL);
    assert_true(transform_has_header_key.test(inst, rec));
    destroy(&transform_has_header_key, inst);
    char errbuf[64];
    assert_int_equal(transform_has_header_key.config[0].validate(" ", errbuf, sizeof(errbuf)), -1);
    assert_string_equal(errbuf, "String must be non-empty");

    void *tomb = MAKE_OK(&transform_record_is_tombstone, TRANSFORM_VALUE, "x", "y");
    assert_true(transform_record_is_tombstone.test(tomb, rec)); /* no value at all */
    data_record_set_value(rec, data_schema_new(CD_TYPE_STRING, true), data_value_null());
    assert_true(transform_record_is_tombstone.test(tomb, rec));
    data_record_set_value(rec, NULL, str("v"));
    assert_false(transform_record_is_tombstone.test(tomb, rec));
    destroy(&transform_record_is_tombstone, tomb);
    data_record_free(rec);
}

/* ---- headers ---------------------------------------------------------------------- */

static void test_data_record_remove_header(void **state)
{
    (void)state;
    cd_record_t *rec = data_record_new();
    data_record_add_header(rec, "a", data_schema_new(CD_TYPE_STRING, false), str("1"));
    data_record_add_header(rec, "b", NULL, str("2"));
    data_record_add_header(rec, "c", NULL, str("3"));
    data_record_remove_header(rec, 1);
    assert_int_equal(data_record_header_count(rec), 2);
    assert_string_equal(data_record_header_key(rec, 0), "a");
    assert_string_equal(data_record_header_key(rec, 1), "c");
    assert_value_string(data_record_header_value(rec, 1), "3");
    data_record_remove_header(rec, 5); /* out of range: nothing */
    data_record_remove_header(rec, 0);
    data_record_remove_header(rec, 0);
    assert_int_equal(data_record_header_count(rec), 0);
    data_record_free(rec);
}

static void test_drop_headers(void **state)
{
    (void)state;
    void *inst = MAKE_OK(&transform_drop_headers, TRANSFORM_VALUE, "headers", "dropped1, dropped2");
    cd_record_t *rec = record("t", NULL, NULL);
    data_record_add_header(rec, "dropped1", NULL, str("a"));
    data_record_add_header(rec, "keep", NULL, str("b"));
    data_record_add_header(rec, "dropped2", NULL, str("c"));
    data_record_add_header(rec, "dropped1", NULL, str("d"));
    data_record_add_header(rec, "keep2", NULL, str("e"));
    apply_ok(&transform_drop_headers, inst, rec);
    assert_int_equal(data_record_header_count(rec), 2);
    assert_string_equal(data_record_header_key(rec, 0), "keep");
    assert_string_equal(data_record_header_key(rec, 1), "keep2");
    data_record_free(rec);
    destroy(&transform_drop_headers, inst);

    char errbuf[64];
    assert_int_equal(transform_drop_headers.config[0].validate(" ", errbuf, sizeof(errbuf)), -1);
    assert_string_equal(errbuf, "Empty list");
    assert_string_equal(transform_drop_headers.config[0].name, "headers");
}

static void check_literal(const char *literal, cd_type_t schema_type, const char *logical_name)
{
    void *inst = MAKE_OK(&transform_insert_header, TRANSFORM_VALUE, "header", "inserted", "value.literal", literal);
    cd_record_t *rec = record("t", NULL, NULL);
    apply_ok(&transform_insert_header, inst, rec);
    assert_int_equal(data_record_header_count(rec), 1);
    assert_string_equal(data_record_header_key(rec, 0), "inserted");
    const cd_schema_t *schema = data_record_header_schema(rec, 0);
    const cd_value_t *v = data_record_header_value(rec, 0);
    if (schema_type == CD_TYPE_NULL) {
        assert_null(schema);
        assert_int_equal(data_value_type(v), CD_TYPE_NULL);
    } else {
        if (!schema || data_schema_type(schema) != schema_type) {
            fail_msg("%s: schema type %d, want %d", literal, schema ? (int)data_schema_type(schema) : -1,
                     (int)schema_type);
        }
        assert_int_equal(data_value_type(v), schema_type);
        if (logical_name) {
            assert_string_equal(data_schema_name(schema), logical_name);
        }
    }
    data_record_free(rec);
    destroy(&transform_insert_header, inst);
}

static void test_insert_header(void **state)
{
    (void)state;
    check_literal("1", CD_TYPE_INT8, NULL);
    check_literal("-129", CD_TYPE_INT16, NULL);
    check_literal("300", CD_TYPE_INT16, NULL);
    check_literal("70000", CD_TYPE_INT32, NULL);
    check_literal("5000000000", CD_TYPE_INT64, NULL);
    check_literal("1.0", CD_TYPE_INT8, NULL);
    check_literal("1e3", CD_TYPE_INT16, NULL);
    check_literal("1.5", CD_TYPE_FLOAT32, NULL);
    check_literal("1e30", CD_TYPE_FLOAT32, NULL);
    check_literal("1e300", CD_TYPE_FLOAT64, NULL);
    check_literal("true", CD_TYPE_BOOLEAN, NULL);
    check_literal("false", CD_TYPE_BOOLEAN, NULL);
    check_literal("null", CD_TYPE_NULL, NULL);
    check_literal("hello world", CD_TYPE_STRING, NULL);
    check_literal("", CD_TYPE_STRING, NULL);
    check_literal("12abc", CD_TYPE_STRING, NULL);
    check_literal("123456789012345678901234567890", CD_TYPE_STRING, NULL); /* Kafka: Decimal */
    check_literal("2017-03-09", CD_TYPE_INT32, LOGICAL_DATE);
    check_literal("12:34:56.789Z", CD_TYPE_INT32, LOGICAL_TIME);
    check_literal("2017-03-09T12:34:56.789Z", CD_TYPE_INT64, LOGICAL_TIMESTAMP);

    /* Values, and the header goes after existing ones of the same name. */
    void *inst = MAKE_OK(&transform_insert_header, TRANSFORM_VALUE, "header", "h", "value.literal", "70000");
    cd_record_t *rec = record("t", data_schema_new(CD_TYPE_STRING, false), str("v"));
    data_record_add_header(rec, "h", NULL, str("old"));
    apply_ok(&transform_insert_header, inst, rec);
    apply_ok(&transform_insert_header, inst, rec);
    assert_int_equal(data_record_header_count(rec), 3);
    assert_value_string(data_record_header_value(rec, 0), "old");
    assert_value_int(data_record_header_value(rec, 1), CD_TYPE_INT32, 70000);
    assert_value_int(data_record_header_value(rec, 2), CD_TYPE_INT32, 70000);
    assert_value_string(data_record_value(rec), "v");
    data_record_free(rec);
    destroy(&transform_insert_header, inst);

    inst = MAKE_OK(&transform_insert_header, TRANSFORM_VALUE, "header", "d", "value.literal", "2017-03-09");
    rec = record("t", NULL, NULL);
    apply_ok(&transform_insert_header, inst, rec);
    assert_value_int(data_record_header_value(rec, 0), CD_TYPE_INT32, 17234); /* days */
    data_record_free(rec);
    destroy(&transform_insert_header, inst);

    inst = MAKE_OK(&transform_insert_header, TRANSFORM_VALUE, "header", "f", "value.literal", "1.5");
    rec = record("t", NULL, NULL);
    apply_ok(&transform_insert_header, inst, rec);
    assert_true(data_value_get_float(data_record_header_value(rec, 0)) == 1.5);
    data_record_free(rec);
    destroy(&transform_insert_header, inst);
}

static cd_schema_t *header_from_schema(void)
{
    cd_schema_t *schema = data_schema_struct(true);
    data_schema_set_name(schema, "my.Value");
    data_schema_add_field(schema, "field1", data_schema_new(CD_TYPE_STRING, false));
    data_schema_add_field(schema, "field2", data_schema_new(CD_TYPE_INT32, true));
    return schema;
}

static void test_header_from_with_schema(void **state)
{
    (void)state;
    cd_schema_t *schema = header_from_schema();
    cd_value_t *st = data_value_struct(schema);
    data_value_struct_set(st, "field1", str("field1-value"));
    data_value_struct_set(st, "field2", data_value_int(CD_TYPE_INT32, 2));

    /* copy: the value is untouched, the header has the field's schema. */
    void *inst = MAKE_OK(&transform_header_from, TRANSFORM_VALUE, "fields", "field1,field2", "headers",
                         "inserted1,inserted2", "operation", "copy");
    cd_record_t *rec = record("t", data_schema_ref(schema), data_value_copy(st));
    data_record_add_header(rec, "existing", NULL, str("x"));
    apply_ok(&transform_header_from, inst, rec);
    assert_ptr_equal(data_record_value_schema(rec), schema);
    assert_true(data_value_equal(data_record_value(rec), st));
    assert_int_equal(data_record_header_count(rec), 3);
    assert_string_equal(data_record_header_key(rec, 1), "inserted1");
    assert_value_string(data_record_header_value(rec, 1), "field1-value");
    assert_int_equal(data_schema_type(data_record_header_schema(rec, 1)), CD_TYPE_STRING);
    assert_string_equal(data_record_header_key(rec, 2), "inserted2");
    assert_value_int(data_record_header_value(rec, 2), CD_TYPE_INT32, 2);
    data_record_free(rec);
    destroy(&transform_header_from, inst);

    /* move: the fields leave the schema, which keeps its name but, as
     * copySchemaBasics builds it, is no longer optional. */
    inst = MAKE_OK(&transform_header_from, TRANSFORM_VALUE, "fields", "field1", "headers", "inserted1", "operation",
                   "move");
    rec = record("t", data_schema_ref(schema), data_value_copy(st));
    apply_ok(&transform_header_from, inst, rec);
    const cd_schema_t *out = data_record_value_schema(rec);
    assert_string_equal(data_schema_name(out), "my.Value");
    assert_false(data_schema_optional(out));
    assert_int_equal(data_schema_field_count(out), 1);
    assert_string_equal(data_schema_field_name(out, 0), "field2");
    assert_value_int(data_value_struct_get(data_record_value(rec), "field2"), CD_TYPE_INT32, 2);
    assert_value_string(data_record_header_value(rec, 0), "field1-value");
    data_record_free(rec);

    /* Errors leave the record alone. */
    rec = record("t", data_schema_new(CD_TYPE_STRING, false), str("x"));
    apply_error(&transform_header_from, inst, rec,
                "Only Struct objects supported for [header move], found: java.lang.String");
    assert_int_equal(data_record_header_count(rec), 0);
    data_record_free(rec);
    destroy(&transform_header_from, inst);

    inst = MAKE_OK(&transform_header_from, TRANSFORM_KEY, "fields", "nope", "headers", "h", "operation", "copy");
    rec = record("t", NULL, NULL);
    data_record_set_key(rec, data_schema_ref(schema), data_value_copy(st));
    apply_error(&transform_header_from, inst, rec,
                "field nope is not in the schema of the record's key, so it cannot be copied");
    data_record_free(rec);
    destroy(&transform_header_from, inst);

    expect_create_error(&transform_header_from,
                        "'fields' config must have the same number of elements as 'headers' config.", "fields", "a,b",
                        "headers", "h", "operation", "copy", NULL);
    data_value_free(st);
    data_schema_unref(schema);
}

static void test_header_from_schemaless(void **state)
{
    (void)state;
    cd_value_t *map = data_value_map();
    data_value_map_put(map, str("field1"), str("field1-value"));
    data_value_map_put(map, str("field2"), str("field2-value"));

    void *inst = MAKE_OK(&transform_header_from, TRANSFORM_KEY, "fields", "field1,missing", "headers",
                         "inserted1,inserted2", "operation", "move");
    cd_record_t *rec = record("t", NULL, NULL);
    data_record_set_key(rec, NULL, data_value_copy(map));
    apply_ok(&transform_header_from, inst, rec);
    const cd_value_t *key = data_record_key(rec);
    assert_int_equal(data_value_count(key), 1);
    assert_null(data_value_map_get(key, "field1"));
    assert_value_string(data_value_map_get(key, "field2"), "field2-value");
    assert_int_equal(data_record_header_count(rec), 2);
    assert_null(data_record_header_schema(rec, 0));
    assert_value_string(data_record_header_value(rec, 0), "field1-value");
    assert_int_equal(data_value_type(data_record_header_value(rec, 1)), CD_TYPE_NULL);
    data_record_free(rec);
    destroy(&transform_header_from, inst);

    inst = MAKE_OK(&transform_header_from, TRANSFORM_VALUE, "fields", "field2", "headers", "h", "operation", "copy");
    rec = record("t", NULL, data_value_copy(map));
    apply_ok(&transform_header_from, inst, rec);
    assert_true(data_value_equal(data_record_value(rec), map));
    assert_value_string(data_record_header_value(rec, 0), "field2-value");
    data_record_free(rec);
    rec = record("t", NULL, NULL);
    apply_error(&transform_header_from, inst, rec,
                "Only Map objects supported in absence of schema for [header copy], found: null");
    data_record_free(rec);
    destroy(&transform_header_from, inst);
    data_value_free(map);
}

/* ---- the registry ------------------------------------------------------------------ */

static void test_registry(void **state)
{
    (void)state;
    const transform_def_t *mine[] = {
        &transform_timestamp_converter, &transform_timestamp_router, &transform_regex_router,
        &transform_set_schema_metadata, &transform_filter, &transform_header_from, &transform_insert_header,
        &transform_drop_headers, &transform_topic_name_matches, &transform_has_header_key,
        &transform_record_is_tombstone,
    };
    for (size_t i = 0; i < sizeof(mine) / sizeof(*mine); i++) {
        bool found = false;
        for (size_t j = 0; transform_builtins[j]; j++) {
            found |= transform_builtins[j] == mine[i];
        }
        if (!found) {
            fail_msg("%s is not in transform_builtins", mine[i]->name);
        }
        assert_non_null(mine[i]->doc);
        assert_non_null(mine[i]->create);
        if (mine[i]->is_predicate) {
            assert_non_null(mine[i]->test);
            assert_string_equal(mine[i]->package, "org.apache.kafka.connect.transforms.predicates");
        } else {
            assert_non_null(mine[i]->apply);
            assert_string_equal(mine[i]->package, "org.apache.kafka.connect.transforms");
        }
    }
    assert_true(transform_timestamp_converter.has_variants);
    assert_true(transform_set_schema_metadata.has_variants);
    assert_true(transform_header_from.has_variants);
    assert_false(transform_regex_router.has_variants);
    assert_true(transform_record_is_tombstone.is_predicate);
}

/* A link's predicate and negate are read by their rows (transform_link_defs):
 * trimmed, any case, and a bad value refused in Kafka's words. */
static void test_chain_link_settings(void **state)
{
    (void)state;
    static const struct {
        const char *negate;
        const char *error; /* NULL: the chain is made */
    } cases[] = {
        {" TRUE ", NULL},
        {"false", NULL},
        {"yes", "Invalid value yes for configuration transforms.f.negate: Expected value to be either true or false"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        properties_t *config = properties_create();
        properties_set(config, "transforms", "f");
        properties_set(config, "transforms.f.type", "Filter");
        properties_set(config, "transforms.f.predicate", " p ");
        properties_set(config, "transforms.f.negate", cases[i].negate);
        properties_set(config, "predicates", "p");
        properties_set(config, "predicates.p.type", "TopicNameMatches");
        properties_set(config, "predicates.p.pattern", "x.*");
        char err[512] = "";
        transform_chain_t *chain = transform_chain_create(config, "c", 0, err, sizeof(err));
        if (cases[i].error) {
            assert_null(chain);
            assert_string_equal(err, cases[i].error);
        } else if (!chain) {
            fail_msg("negate=%s: %s", cases[i].negate, err);
        }
        transform_chain_destroy(chain);
        properties_destroy(config);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_link_settings),
        cmocka_unit_test(test_java_date),
        cmocka_unit_test(test_timestamp_converter_config),
        cmocka_unit_test(test_timestamp_converter_schemaless),
        cmocka_unit_test(test_timestamp_converter_with_schema),
        cmocka_unit_test(test_timestamp_converter_unix_precision),
        cmocka_unit_test(test_timestamp_converter_field),
        cmocka_unit_test(test_timestamp_converter_errors),
        cmocka_unit_test(test_timestamp_router),
        cmocka_unit_test(test_regex_router),
        cmocka_unit_test(test_topic_name_matches),
        cmocka_unit_test(test_set_schema_metadata),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_has_header_key_and_tombstone),
        cmocka_unit_test(test_data_record_remove_header),
        cmocka_unit_test(test_drop_headers),
        cmocka_unit_test(test_insert_header),
        cmocka_unit_test(test_header_from_with_schema),
        cmocka_unit_test(test_header_from_schemaless),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
