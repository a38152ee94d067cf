/* Unit tests for Kafka's field transforms (src/transforms/: InsertField,
 * ReplaceField, MaskField, ValueToKey, ExtractField, HoistField, Cast,
 * Flatten).  Expected outputs follow Kafka's own tests (InsertFieldTest,
 * ...) and docs; schemas and values are written in the JsonConverter's
 * JSON form, so a case reads as Kafka's envelope does.  Run under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"
#include "transforms/transform.h"

extern const transform_def_t transform_insert_field, transform_replace_field, transform_mask_field,
    transform_value_to_key, transform_extract_field, transform_hoist_field, transform_cast, transform_flatten;

/* ---- helpers ---------------------------------------------------------------------- */

static cd_schema_t *schema_json(const char *text)
{
    if (!text) {
        return NULL;
    }
    json_t *json = json_loads(text, JSON_DECODE_ANY, NULL);
    char err[256] = "";
    assert_non_null(json);
    cd_schema_t *schema = data_schema_from_jansson(json, err, sizeof(err));
    json_decref(json);
    if (!schema) {
        fail_msg("schema %s: %s", text, err);
    }
    return schema;
}

/* A value from JSON, read as `schema` says (NULL: schemaless). */
static cd_value_t *value_json(const cd_schema_t *schema, const char *text)
{
    if (!text) {
        return NULL;
    }
    json_tape_t tape;
    json_tape_init(&tape);
    char err[256] = "";
    assert_true(json_tape_parse(&tape, text, strlen(text)));
    cd_value_t *v = data_value_from_tape(schema, &tape, tape.nodes, err, sizeof(err));
    json_tape_free(&tape);
    if (!v) {
        fail_msg("value %s: %s", text, err);
    }
    return v;
}

/* A sink record of topic "test", partition 0, offset 42, timestamp
 * 1483425001864 (Kafka's tests' values) with key and value from JSON. */
static cd_record_t *rec_make(const char *key_schema, const char *key, const char *value_schema, const char *value)
{
    cd_record_t *rec = data_record_new();
    data_record_set_kafka(rec, "test", 0, 42, 1483425001864LL);
    cd_schema_t *ks = schema_json(key_schema), *vs = schema_json(value_schema);
    data_record_set_key(rec, ks, value_json(ks, key));
    data_record_set_value(rec, vs, value_json(vs, value));
    return rec;
}

/* A source record: no Kafka offset. */
static cd_record_t *source_rec_make(const char *value_schema, const char *value)
{
    cd_record_t *rec = data_record_new();
    data_record_set_topic(rec, "test");
    data_record_set_partition(rec, 0);
    cd_schema_t *vs = schema_json(value_schema);
    data_record_set_value(rec, vs, value_json(vs, value));
    return rec;
}

typedef struct xf {
    const transform_def_t *def;
    void *inst;
} xf_t;

/* An instance from "key=value" settings, NULL-terminated; asserts it is
 * made. */
static xf_t xf_make(const transform_def_t *def, transform_target_t target, ...)
{
    properties_t *props = properties_create();
    va_list ap;
    va_start(ap, target);
    for (const char *kv; (kv = va_arg(ap, const char *));) {
        char err[64];
        assert_int_equal(properties_set_override(props, kv, err, sizeof(err)), 0);
    }
    va_end(ap);
    char errstr[512] = "";
    xf_t xf = {def, def->create(props, target, errstr, sizeof(errstr))};
    properties_destroy(props);
    if (!xf.inst) {
        fail_msg("create %s: %s", def->name, errstr);
    }
    return xf;
}

/* The create() error for these settings (static buffer). */
static const char *xf_create_error(const transform_def_t *def, ...)
{
    static char errstr[512];
    properties_t *props = properties_create();
    va_list ap;
    va_start(ap, def);
    for (const char *kv; (kv = va_arg(ap, const char *));) {
        char err[64];
        assert_int_equal(properties_set_override(props, kv, err, sizeof(err)), 0);
    }
    va_end(ap);
    errstr[0] = '\0';
    void *inst = def->create(props, TRANSFORM_VALUE, errstr, sizeof(errstr));
    properties_destroy(props);
    assert_null(inst);
    return errstr;
}

static void xf_free(xf_t xf)
{
    xf.def->destroy(xf.inst);
}

/* Applies and asserts success and that the record is passed on in place. */
static void xf_apply_ok(xf_t xf, cd_record_t *rec)
{
    char errstr[512] = "";
    cd_record_t *out = NULL;
    int rc = xf.def->apply(xf.inst, rec, &out, errstr, sizeof(errstr));
    if (rc != 0) {
        fail_msg("%s: %s", xf.def->name, errstr);
    }
    assert_ptr_equal(out, rec);
}

/* Applies, expects failure, returns the message (static). */
static const char *xf_apply_error(xf_t xf, cd_record_t *rec)
{
    static char errstr[512];
    cd_record_t *out = NULL;
    errstr[0] = '\0';
    assert_int_equal(xf.def->apply(xf.inst, rec, &out, errstr, sizeof(errstr)), -1);
    return errstr;
}

static void assert_schema(const cd_schema_t *schema, const char *expected)
{
    if (!expected) {
        assert_null(schema);
        return;
    }
    assert_non_null(schema);
    char *json = data_schema_to_json(schema);
    assert_string_equal(json, expected);
    free(json);
}

static void assert_value(const cd_schema_t *schema, const cd_value_t *v, const char *expected)
{
    char err[256] = "";
    size_t len = 0;
    char *json = v ? data_value_to_json_checked(schema, v, &len, err, sizeof(err)) : strdup("null");
    if (!json) {
        fail_msg("write: %s", err);
    }
    assert_string_equal(json, expected);
    free(json);
}

static void assert_out(const cd_record_t *rec, transform_target_t target, const char *schema, const char *value)
{
    const cd_schema_t *s = target == TRANSFORM_KEY ? data_record_key_schema(rec) : data_record_value_schema(rec);
    const cd_value_t *v = target == TRANSFORM_KEY ? data_record_key(rec) : data_record_value(rec);
    assert_schema(s, schema);
    assert_value(s, v, value);
}

/* Applies, asserts success in place and the key or value (target) that
 * results, then frees rec. */
static void xf_check(xf_t xf, cd_record_t *rec, transform_target_t target, const char *schema, const char *value)
{
    xf_apply_ok(xf, rec);
    assert_out(rec, target, schema, value);
    data_record_free(rec);
}

#define S_INT32 "{\"type\":\"int32\",\"optional\":false}"
#define STRUCT_MAGIC "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"magic\"}]," \
                     "\"optional\":false,\"name\":\"name\",\"version\":1}"

/* ---- InsertField ------------------------------------------------------------------ */

/* InsertFieldTest.schemalessInsertConfiguredFields / copySchemaAndInsertConfiguredFields. */
static void test_insert_field(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_insert_field, TRANSFORM_VALUE, "topic.field=topic_field!", "partition.field=partition_field",
                      "offset.field=offset_field!", "timestamp.field=timestamp_field?", "static.field=instance_id",
                      "static.value=my-instance-id", NULL);

    cd_record_t *rec = rec_make(NULL, NULL, NULL, "{\"magic\":42}");
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_VALUE, NULL,
               "{\"magic\":42,\"topic_field\":\"test\",\"partition_field\":0,\"offset_field\":42,"
               "\"timestamp_field\":1483425001864,\"instance_id\":\"my-instance-id\"}");
    assert_int_equal(data_value_type(data_value_map_get(data_record_value(rec), "partition_field")), CD_TYPE_INT32);
    data_record_free(rec);

    rec = rec_make(NULL, NULL, STRUCT_MAGIC, "{\"magic\":42}");
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_VALUE,
               "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"magic\"},"
               "{\"type\":\"string\",\"optional\":false,\"field\":\"topic_field\"},"
               "{\"type\":\"int32\",\"optional\":true,\"field\":\"partition_field\"},"
               "{\"type\":\"int64\",\"optional\":false,\"field\":\"offset_field\"},"
               "{\"type\":\"int64\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Timestamp\","
               "\"version\":1,\"field\":\"timestamp_field\"},"
               "{\"type\":\"string\",\"optional\":true,\"field\":\"instance_id\"}],"
               "\"optional\":false,\"name\":\"name\",\"version\":1}",
               "{\"magic\":42,\"topic_field\":\"test\",\"partition_field\":0,\"offset_field\":42,"
               "\"timestamp_field\":1483425001864,\"instance_id\":\"my-instance-id\"}");
    /* A second record of the same schema goes through the cache. */
    cd_record_t *again = rec_make(NULL, NULL, STRUCT_MAGIC, "{\"magic\":7}");
    xf_apply_ok(xf, again);
    assert_ptr_equal(data_record_value_schema(again), data_record_value_schema(rec));
    data_record_free(again);
    data_record_free(rec);

    /* Nulls pass; the wrong kind of value fails in Kafka's words. */
    rec = rec_make(NULL, NULL, STRUCT_MAGIC, NULL);
    xf_apply_ok(xf, rec);
    assert_null(data_record_value(rec));
    data_record_free(rec);
    rec = rec_make(NULL, NULL, S_INT32, "42");
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Struct objects supported for [field insertion], found: java.lang.Integer");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, NULL, "\"x\"");
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Map objects supported in absence of schema for [field insertion], found: java.lang.String");
    data_record_free(rec);
    /* The offset is a sink record's only. */
    rec = source_rec_make(NULL, "{\"magic\":42}");
    assert_string_equal(xf_apply_error(xf, rec), "Only SinkRecord supported for [field insertion], found: "
                                                 "org.apache.kafka.connect.source.SourceRecord");
    data_record_free(rec);
    xf_free(xf);

    /* The docs' quick start: HoistField then InsertField on the key. */
    xf = xf_make(&transform_insert_field, TRANSFORM_KEY, "static.field=data_source", "static.value=test-file-source",
                 NULL);
    rec = rec_make(NULL, "{\"line\":\"foo\"}", NULL, NULL);
    data_record_set_timestamp(rec, -1);
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "{\"line\":\"foo\",\"data_source\":\"test-file-source\"}");
    /* A source record without timestamp or partition gets neither. */
    xf_free(xf);
    xf = xf_make(&transform_insert_field, TRANSFORM_VALUE, "partition.field=p", "timestamp.field=ts", NULL);
    rec = source_rec_make(NULL, "{}");
    data_record_set_partition(rec, -1);
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{}");
    /* An inserted name that exists already. */
    rec = rec_make(NULL, NULL, "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"p\"}],"
                               "\"optional\":false}",
                   "{\"p\":1}");
    assert_string_equal(xf_apply_error(xf, rec), "Cannot create field because of field name duplication p");
    data_record_free(rec);
    xf_free(xf);

    assert_string_equal(xf_create_error(&transform_insert_field, NULL), "No field insertion configured");
    assert_string_equal(xf_create_error(&transform_insert_field, "static.field=x", NULL),
                        "Invalid value null for configuration static.value: No value specified for static field: x");
}

/* ---- ReplaceField ------------------------------------------------------------------ */

/* ReplaceFieldTest.schemaless / withSchema. */
static void test_replace_field(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_replace_field, TRANSFORM_VALUE, "exclude=dont", "renames=abc:xyz,foo:bar", NULL);
    cd_record_t *rec = rec_make(NULL, NULL, NULL, "{\"dont\":\"whatever\",\"abc\":42,\"foo\":true,\"etc\":\"etc\"}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{\"xyz\":42,\"bar\":true,\"etc\":\"etc\"}");

    const char *schema = "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"dont\"},"
                         "{\"type\":\"int32\",\"optional\":false,\"field\":\"abc\"},"
                         "{\"type\":\"boolean\",\"optional\":false,\"field\":\"foo\"},"
                         "{\"type\":\"string\",\"optional\":false,\"field\":\"etc\"}],\"optional\":true,"
                         "\"name\":\"n\",\"version\":3,\"doc\":\"d\"}";
    rec = rec_make(NULL, NULL, schema, "{\"dont\":\"whatever\",\"abc\":42,\"foo\":true,\"etc\":\"etc\"}");
    xf_check(xf, rec, TRANSFORM_VALUE,
             "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"xyz\"},"
             "{\"type\":\"boolean\",\"optional\":false,\"field\":\"bar\"},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"etc\"}],\"optional\":false,"
             "\"name\":\"n\",\"version\":3,\"doc\":\"d\"}",
             "{\"xyz\":42,\"bar\":true,\"etc\":\"etc\"}");
    xf_free(xf);

    /* include (and the deprecated whitelist), exclude winning over include. */
    xf = xf_make(&transform_replace_field, TRANSFORM_KEY, "include=abc,foo", "exclude=foo", NULL);
    rec = rec_make(NULL, "{\"dont\":\"whatever\",\"abc\":42,\"foo\":true,\"etc\":\"etc\"}", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "{\"abc\":42}");
    xf_free(xf);
    xf = xf_make(&transform_replace_field, TRANSFORM_VALUE, "whitelist=abc,etc", "blacklist=etc", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"dont\":\"whatever\",\"abc\":42,\"etc\":\"etc\"}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{\"abc\":42}");
    xf_free(xf);
    /* The new name wins over its deprecated alias. */
    xf = xf_make(&transform_replace_field, TRANSFORM_VALUE, "include=dont", "whitelist=abc", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"dont\":\"whatever\",\"abc\":42}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{\"dont\":\"whatever\"}");
    rec = rec_make(NULL, NULL, S_INT32, "1");
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Struct objects supported for [field replacement], found: java.lang.Integer");
    data_record_free(rec);
    xf_free(xf);

    /* Renaming onto a kept field. */
    xf = xf_make(&transform_replace_field, TRANSFORM_VALUE, "renames=abc:etc", NULL);
    rec = rec_make(NULL, NULL, schema, "{\"dont\":\"whatever\",\"abc\":42,\"foo\":true,\"etc\":\"etc\"}");
    assert_string_equal(xf_apply_error(xf, rec), "Cannot create field because of field name duplication etc");
    data_record_free(rec);
    xf_free(xf);

    assert_string_equal(xf_create_error(&transform_replace_field, "renames=a:b,c", NULL),
                        "Invalid value a:b,c for configuration renames: Invalid rename mapping: c");
    assert_string_equal(xf_create_error(&transform_replace_field, "renames=a:", NULL),
                        "Invalid value a: for configuration renames: Invalid rename mapping: a:");
    char why[128];
    const cd_config_def_t *renames = &transform_replace_field.config[4];
    assert_string_equal(renames->name, "renames");
    assert_int_not_equal(renames->validate("a:b:c", why, sizeof(why)), 0);
    assert_string_equal(why, "Invalid rename mapping: a:b:c");
    assert_int_equal(renames->validate("a:b:,:c", why, sizeof(why)), 0);
}

/* ---- MaskField ------------------------------------------------------------------- */

static cd_value_t *map_entry(cd_value_t *map, const char *key, cd_value_t *v)
{
    data_value_map_put(map, data_value_string(key, strlen(key)), v);
    return map;
}

/* MaskFieldTest.testSchemaless / testWithSchema / replacements. */
static void test_mask_field(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_mask_field, TRANSFORM_VALUE,
                      "fields=bool,byte,short,int,long,float,double,string,list,map,missing", NULL);
    cd_value_t *map = data_value_map();
    map_entry(map, "magic", data_value_int(CD_TYPE_INT32, 42));
    map_entry(map, "bool", data_value_bool(true));
    map_entry(map, "byte", data_value_int(CD_TYPE_INT8, 42));
    map_entry(map, "short", data_value_int(CD_TYPE_INT16, 42));
    map_entry(map, "int", data_value_int(CD_TYPE_INT32, 42));
    map_entry(map, "long", data_value_int(CD_TYPE_INT64, 42));
    map_entry(map, "float", data_value_float(CD_TYPE_FLOAT32, 42));
    map_entry(map, "double", data_value_float(CD_TYPE_FLOAT64, 42));
    map_entry(map, "string", data_value_string("55.121.20.20", 12));
    cd_value_t *list = data_value_array();
    data_value_array_push(list, data_value_int(CD_TYPE_INT32, 42));
    map_entry(map, "list", list);
    map_entry(map, "map", map_entry(data_value_map(), "key", data_value_string("value", 5)));
    cd_record_t *rec = rec_make(NULL, NULL, NULL, NULL);
    data_record_set_value(rec, NULL, map);
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_VALUE, NULL,
               "{\"magic\":42,\"bool\":false,\"byte\":0,\"short\":0,\"int\":0,\"long\":0,\"float\":0.0,"
               "\"double\":0.0,\"string\":\"\",\"list\":[],\"map\":{},\"missing\":null}");
    const cd_value_t *out = data_record_value(rec);
    assert_int_equal(data_value_type(data_value_map_get(out, "byte")), CD_TYPE_INT8);
    assert_int_equal(data_value_type(data_value_map_get(out, "float")), CD_TYPE_FLOAT32);
    data_record_free(rec);
    xf_free(xf);

    const char *schema =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"magic\"},"
        "{\"type\":\"int16\",\"optional\":false,\"field\":\"short\"},"
        "{\"type\":\"string\",\"optional\":false,\"field\":\"string\"},"
        "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1,"
        "\"field\":\"date\"},"
        "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,"
        "\"field\":\"timestamp\"},"
        "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
        "\"parameters\":{\"scale\":\"0\"},\"field\":\"decimal\"},"
        "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},\"optional\":false,\"field\":\"array\"},"
        "{\"type\":\"string\",\"optional\":true,\"field\":\"opt\"}],\"optional\":false}";
    const char *value = "{\"magic\":42,\"short\":42,\"string\":\"hmm\",\"date\":17000,\"timestamp\":1483425001864,"
                        "\"decimal\":\"Kg==\",\"array\":[1,2,3],\"opt\":null}";
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=short,string,date,timestamp,decimal,array,opt", NULL);
    rec = rec_make(NULL, NULL, schema, value);
    xf_check(xf, rec, TRANSFORM_VALUE, schema,
             "{\"magic\":42,\"short\":0,\"string\":\"\",\"date\":0,\"timestamp\":0,\"decimal\":\"AA==\","
             "\"array\":[],\"opt\":null}");
    xf_free(xf);

    /* Replacements: numbers through BigDecimal, strings as they are. */
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=short,string,decimal", "replacement=123", NULL);
    rec = rec_make(NULL, NULL, schema, value);
    xf_check(xf, rec, TRANSFORM_VALUE, schema,
             "{\"magic\":42,\"short\":123,\"string\":\"123\",\"date\":17000,\"timestamp\":1483425001864,"
             "\"decimal\":\"ew==\",\"array\":[1,2,3],\"opt\":null}");
    xf_free(xf);
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=timestamp", "replacement=123", NULL);
    rec = rec_make(NULL, NULL, schema, value);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Cannot mask value of type class java.util.Date with custom replacement.");
    data_record_free(rec);
    xf_free(xf);
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=a,b", "replacement=12.7", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"a\":1,\"b\":2.5}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{\"a\":12,\"b\":12.7}");
    rec = rec_make(NULL, NULL, NULL, "{\"a\":true}");
    assert_string_equal(xf_apply_error(xf, rec),
                        "Cannot mask value of type class java.lang.Boolean with custom replacement.");
    data_record_free(rec);
    xf_free(xf);
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=a", "replacement=foo", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"a\":1}");
    assert_string_equal(xf_apply_error(xf, rec), "Unable to convert foo (class java.lang.String) to a number");
    data_record_free(rec);
    /* No null pass-through in MaskField. */
    rec = rec_make(NULL, NULL, NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Map objects supported in absence of schema for [mask fields], found: null");
    data_record_free(rec);
    xf_free(xf);
    xf = xf_make(&transform_mask_field, TRANSFORM_VALUE, "fields=a", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"a\":{\"b\":1}}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "{\"a\":{}}"); /* a map masks to an empty one */
    xf_free(xf);

    assert_string_equal(xf_create_error(&transform_mask_field, "fields=", NULL),
                        "Invalid value  for configuration fields: Empty list");
    assert_string_equal(xf_create_error(&transform_mask_field, "fields=a", "replacement=", NULL),
                        "Invalid value  for configuration replacement: String must be non-empty");
}

/* ---- ValueToKey --------------------------------------------------------------------- */

static void test_value_to_key(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_value_to_key, TRANSFORM_VALUE, "fields=a,b", NULL);
    cd_record_t *rec = rec_make(NULL, NULL, NULL, "{\"a\":1,\"b\":2,\"c\":3}");
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_KEY, NULL, "{\"a\":1,\"b\":2}");
    assert_out(rec, TRANSFORM_VALUE, NULL, "{\"a\":1,\"b\":2,\"c\":3}");
    data_record_free(rec);

    const char *schema = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"a\"},"
                         "{\"type\":\"int32\",\"optional\":false,\"field\":\"b\"},"
                         "{\"type\":\"int32\",\"optional\":false,\"field\":\"c\"}],\"optional\":false,\"name\":\"v\"}";
    rec = rec_make(S_INT32, "0", schema, "{\"a\":1,\"b\":2,\"c\":3}");
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_KEY,
               "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"a\"},"
               "{\"type\":\"int32\",\"optional\":false,\"field\":\"b\"}],\"optional\":false}",
               "{\"a\":1,\"b\":2}");
    assert_out(rec, TRANSFORM_VALUE, schema, "{\"a\":1,\"b\":2,\"c\":3}");
    data_record_free(rec);
    /* A missing field: null without a schema, an error with one. */
    rec = rec_make(NULL, NULL, NULL, "{\"a\":1}");
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "{\"a\":1,\"b\":null}");
    xf_free(xf);
    xf = xf_make(&transform_value_to_key, TRANSFORM_VALUE, "fields=not_exist", NULL);
    rec = rec_make(NULL, NULL, schema, "{\"a\":1,\"b\":2,\"c\":3}");
    assert_string_equal(xf_apply_error(xf, rec), "Field does not exist: not_exist");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec), "Only Map objects supported in absence of schema for [copying "
                                                 "fields from value to key], found: null");
    data_record_free(rec);
    xf_free(xf);
    assert_false(transform_value_to_key.has_variants);
}

/* ---- ExtractField ----------------------------------------------------------------- */

static void test_extract_field(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_extract_field, TRANSFORM_KEY, "field=magic", NULL);
    cd_record_t *rec = rec_make(NULL, "{\"magic\":42}", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "42");
    rec = rec_make(STRUCT_MAGIC, "{\"magic\":42}", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, "{\"type\":\"int64\",\"optional\":false}", "42");
    /* Nulls pass, keeping the field's schema. */
    rec = rec_make(STRUCT_MAGIC, NULL, NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, "{\"type\":\"int64\",\"optional\":false}", "null");
    rec = rec_make(NULL, NULL, NULL, NULL);
    xf_apply_ok(xf, rec);
    assert_null(data_record_key(rec));
    data_record_free(rec);
    /* Missing: null without a schema, an error with one. */
    rec = rec_make(NULL, "{\"other\":42}", NULL, NULL);
    xf_apply_ok(xf, rec);
    assert_null(data_record_key(rec));
    data_record_free(rec);
    xf_free(xf);
    xf = xf_make(&transform_extract_field, TRANSFORM_KEY, "field=nonexistent", NULL);
    rec = rec_make(STRUCT_MAGIC, "{\"magic\":42}", NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec), "Unknown field: nonexistent");
    data_record_free(rec);
    rec = rec_make(NULL, "[1]", NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec), "Only Map objects supported in absence of schema for [field "
                                                 "extraction], found: java.util.ArrayList");
    data_record_free(rec);
    xf_free(xf);

    /* KIP-821 paths. */
    xf = xf_make(&transform_extract_field, TRANSFORM_VALUE, "field=magic.foo", "field.syntax.version=v2", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"magic\":{\"foo\":42}}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "42");
    const char *nested = "{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
                         "\"optional\":false,\"field\":\"foo\"}],\"optional\":true,\"field\":\"magic\"}],"
                         "\"optional\":false}";
    rec = rec_make(NULL, NULL, nested, "{\"magic\":{\"foo\":42}}");
    xf_check(xf, rec, TRANSFORM_VALUE, S_INT32, "42");
    rec = rec_make(NULL, NULL, nested, "{\"magic\":null}");
    xf_check(xf, rec, TRANSFORM_VALUE, S_INT32, "null");
    xf_free(xf);
    xf = xf_make(&transform_extract_field, TRANSFORM_VALUE, "field=`a.b`.c", "field.syntax.version=V2", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"a.b\":{\"c\":\"x\"},\"a\":{\"b\":{\"c\":\"y\"}}}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "\"x\"");
    xf_free(xf);
    /* V1 takes the dots literally. */
    xf = xf_make(&transform_extract_field, TRANSFORM_VALUE, "field=a.b", NULL);
    rec = rec_make(NULL, NULL, NULL, "{\"a.b\":1,\"a\":{\"b\":2}}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL, "1");
    xf_free(xf);
    assert_string_equal(xf_create_error(&transform_extract_field, "field=`a.b", "field.syntax.version=V2", NULL),
                        "Incomplete backtick pair in path: [`a.b], consider adding a backslash before backtick at "
                        "position 0 to escape it");
    assert_string_equal(xf_create_error(&transform_extract_field, "field=a", "field.syntax.version=V3", NULL),
                        "Invalid value V3 for configuration field.syntax.version: String must be one of (case "
                        "insensitive): V1, V2");
}

/* ---- HoistField ------------------------------------------------------------------- */

static void test_hoist_field(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_hoist_field, TRANSFORM_KEY, "field=magic", NULL);
    cd_record_t *rec = rec_make(NULL, "42", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "{\"magic\":42}");
    rec = rec_make(S_INT32, "42", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY,
             "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"magic\"}],"
             "\"optional\":false}",
             "{\"magic\":42}");
    rec = rec_make(NULL, NULL, NULL, NULL); /* null wrapped too */
    xf_check(xf, rec, TRANSFORM_KEY, NULL, "{\"magic\":null}");
    rec = rec_make("{\"type\":\"string\",\"optional\":true}", NULL, NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY,
             "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":true,\"field\":\"magic\"}],"
             "\"optional\":false}",
             "{\"magic\":null}");
    rec = rec_make(S_INT32, NULL, NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Invalid value: null used for required field: \"magic\", schema type: INT32");
    data_record_free(rec);
    xf_free(xf);
}

/* ---- Cast ------------------------------------------------------------------------ */

/* CastTest.castFieldsSchemaless / castWholeRecord*. */
static void test_cast_schemaless(void **state)
{
    (void)state;
    xf_t xf = xf_make(&transform_cast, TRANSFORM_VALUE,
                      "spec=int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,"
                      "boolean:int8,string:int32,missing:string",
                      NULL);
    cd_value_t *map = data_value_map();
    map_entry(map, "int8", data_value_int(CD_TYPE_INT8, 8));
    map_entry(map, "int16", data_value_int(CD_TYPE_INT16, 16));
    map_entry(map, "int32", data_value_int(CD_TYPE_INT32, 32));
    map_entry(map, "int64", data_value_int(CD_TYPE_INT64, 64));
    map_entry(map, "float32", data_value_float(CD_TYPE_FLOAT32, 32));
    map_entry(map, "float64", data_value_float(CD_TYPE_FLOAT64, -64));
    map_entry(map, "boolean", data_value_bool(true));
    map_entry(map, "string", data_value_string("42", 2));
    cd_record_t *rec = rec_make(NULL, NULL, NULL, NULL);
    data_record_set_value(rec, NULL, map);
    xf_apply_ok(xf, rec);
    assert_out(rec, TRANSFORM_VALUE, NULL,
               "{\"int8\":8,\"int16\":16,\"int32\":32,\"int64\":true,\"float32\":32.0,\"float64\":true,"
               "\"boolean\":1,\"string\":42,\"missing\":null}");
    const cd_value_t *out = data_record_value(rec);
    static const struct {
        const char *field;
        cd_type_t type;
    } types[] = {{"int8", CD_TYPE_INT16},   {"int16", CD_TYPE_INT32},   {"int32", CD_TYPE_INT64},
                 {"float32", CD_TYPE_FLOAT64}, {"boolean", CD_TYPE_INT8}, {"string", CD_TYPE_INT32}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        assert_int_equal(data_value_type(data_value_map_get(out, types[i].field)), types[i].type);
    }
    data_record_free(rec);
    xf_free(xf);

    /* Whole values, table-driven: spec, input JSON, output JSON, output type. */
    static const struct {
        const char *spec, *in, *out;
        cd_type_t type;
    } whole[] = {
        {"spec=int8", "42", "42", CD_TYPE_INT8},         {"spec=int16", "42", "42", CD_TYPE_INT16},
        {"spec=int32", "42", "42", CD_TYPE_INT32},       {"spec=int64", "42", "42", CD_TYPE_INT64},
        {"spec=float32", "42", "42.0", CD_TYPE_FLOAT32}, {"spec=float64", "42", "42.0", CD_TYPE_FLOAT64},
        {"spec=boolean", "42", "true", CD_TYPE_BOOLEAN}, {"spec=boolean", "0", "false", CD_TYPE_BOOLEAN},
        {"spec=string", "42", "\"42\"", CD_TYPE_STRING}, {"spec=string", "1.5", "\"1.5\"", CD_TYPE_STRING},
        {"spec=string", "1e20", "\"1.0E20\"", CD_TYPE_STRING}, {"spec=int8", "300", "44", CD_TYPE_INT8},
        {"spec=int32", "-1.9", "-1", CD_TYPE_INT32},     {"spec=boolean", "\"TRUE\"", "true", CD_TYPE_BOOLEAN},
        {"spec=float64", "\" 2.5d \"", "2.5", CD_TYPE_FLOAT64}, {"spec=string", "true", "\"true\"", CD_TYPE_STRING},
    };
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
        xf = xf_make(&transform_cast, TRANSFORM_KEY, whole[i].spec, NULL);
        rec = rec_make(NULL, whole[i].in, NULL, NULL);
        xf_apply_ok(xf, rec);
        assert_out(rec, TRANSFORM_KEY, NULL, whole[i].out);
        assert_int_equal(data_value_type(data_record_key(rec)), whole[i].type);
        data_record_free(rec);
        xf_free(xf);
    }

    xf = xf_make(&transform_cast, TRANSFORM_VALUE, "spec=int8", NULL);
    rec = rec_make(NULL, NULL, NULL, "[\"foo\"]");
    assert_string_equal(xf_apply_error(xf, rec), "Cast transformation does not support casting from ARRAY; supported "
                                                 "types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, "
                                                 "STRING, BYTES]");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, NULL, "\"foo\"");
    assert_string_equal(xf_apply_error(xf, rec), "Value (foo) was out of range for requested data type");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, NULL, "\"128\"");
    assert_string_equal(xf_apply_error(xf, rec), "Value (128) was out of range for requested data type");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, NULL, NULL); /* null passes */
    xf_apply_ok(xf, rec);
    assert_null(data_record_value(rec));
    data_record_free(rec);
    xf_free(xf);

    /* Config errors (CastTest.testConfig*). */
    assert_string_equal(xf_create_error(&transform_cast, "spec=", NULL), "Must specify at least one field to cast.");
    assert_string_equal(xf_create_error(&transform_cast, "spec=foo:faketype", NULL),
                        "Invalid type found in casting spec: faketype");
    assert_string_equal(xf_create_error(&transform_cast, "spec=foo:array", NULL),
                        "Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, "
                        "INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]");
    assert_string_equal(xf_create_error(&transform_cast, "spec=foo:bytes", NULL),
                        "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, "
                        "INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]");
    assert_string_equal(xf_create_error(&transform_cast, "spec=foo:int8:extra", NULL),
                        "Invalid value foo:int8:extra for configuration renames: Invalid rename mapping: foo:int8:extra");
    assert_string_equal(xf_create_error(&transform_cast, "spec=foo:int8,int32", NULL),
                        "Cast transformations that specify a type to cast the entire value to may only specify a "
                        "single cast in their spec");
}

/* CastTest.castFieldsWithSchema / castLogicalToPrimitive / castLogicalToString. */
static void test_cast_with_schema(void **state)
{
    (void)state;
    const char *schema =
        "{\"type\":\"struct\",\"fields\":["
        "{\"type\":\"int8\",\"optional\":false,\"field\":\"int8\"},"
        "{\"type\":\"int16\",\"optional\":true,\"field\":\"int16\"},"
        "{\"type\":\"float\",\"optional\":false,\"field\":\"float32\"},"
        "{\"type\":\"boolean\",\"optional\":false,\"field\":\"boolean\"},"
        "{\"type\":\"string\",\"optional\":false,\"field\":\"string\"},"
        "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
        "\"parameters\":{\"scale\":\"0\"},\"field\":\"bigdecimal\"},"
        "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1,"
        "\"field\":\"date\"},"
        "{\"type\":\"float\",\"optional\":true,\"field\":\"optional\"},"
        "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,"
        "\"field\":\"timestamp\"},"
        "{\"type\":\"bytes\",\"optional\":false,\"field\":\"bytes\"}],\"optional\":false,\"name\":\"n\"}";
    xf_t xf = xf_make(&transform_cast, TRANSFORM_VALUE,
                      "spec=int8:int16,int16:int32,float32:float64,boolean:int8,string:int32,bigdecimal:string,"
                      "date:string,optional:int32,timestamp:int64,bytes:string",
                      NULL);
    cd_record_t *rec = rec_make(NULL, NULL, schema,
                                "{\"int8\":8,\"int16\":16,\"float32\":32.0,\"boolean\":true,\"string\":\"42\","
                                "\"bigdecimal\":\"Kg==\",\"date\":1,\"optional\":null,\"timestamp\":0,"
                                "\"bytes\":\"/ty6mHZUMhA=\"}");
    xf_check(xf, rec, TRANSFORM_VALUE,
             "{\"type\":\"struct\",\"fields\":["
             "{\"type\":\"int16\",\"optional\":false,\"field\":\"int8\"},"
             "{\"type\":\"int32\",\"optional\":true,\"field\":\"int16\"},"
             "{\"type\":\"double\",\"optional\":false,\"field\":\"float32\"},"
             "{\"type\":\"int8\",\"optional\":false,\"field\":\"boolean\"},"
             "{\"type\":\"int32\",\"optional\":false,\"field\":\"string\"},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"bigdecimal\"},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"date\"},"
             "{\"type\":\"int32\",\"optional\":true,\"field\":\"optional\"},"
             "{\"type\":\"int64\",\"optional\":false,\"field\":\"timestamp\"},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"bytes\"}],\"optional\":false,\"name\":\"n\"}",
             "{\"int8\":8,\"int16\":16,\"float32\":32.0,\"boolean\":1,\"string\":42,\"bigdecimal\":\"42\","
             "\"date\":\"1970-01-02\",\"optional\":null,\"timestamp\":0,\"bytes\":\"/ty6mHZUMhA=\"}");
    xf_free(xf);

    /* Logical values to strings (Values.dateFormatFor) and numbers. */
    static const struct {
        const char *schema, *in, *spec, *out;
    } logical[] = {
        {"{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}",
         "86400001", "spec=string", "\"1970-01-02T00:00:00.001Z\""},
        {"{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}",
         "9223372036854775807", "spec=float64", "9.223372036854776E18"},
        {"{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Time\",\"version\":1}",
         "3600000", "spec=string", "\"01:00:00.000Z\""},
        {"{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
         "\"parameters\":{\"scale\":\"0\"}}",
         "\"AIAAAAA=\"", "spec=int32", "-2147483648"},
        {"{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
         "\"parameters\":{\"scale\":\"2\"}}",
         "\"/4U=\"", "spec=float64", "-1.23"},
    };
    for (size_t i = 0; i < sizeof(logical) / sizeof(logical[0]); i++) {
        xf = xf_make(&transform_cast, TRANSFORM_VALUE, logical[i].spec, NULL);
        rec = rec_make(NULL, NULL, logical[i].schema, logical[i].in);
        xf_apply_ok(xf, rec);
        char *json = data_value_to_json(data_record_value(rec));
        assert_string_equal(json, logical[i].out);
        free(json);
        data_record_free(rec);
        xf_free(xf);
    }

    /* A whole-value cast keeps the schema's basics and optionality
     * (CastTest.castWholeRecordValueWithSchema*). */
    xf = xf_make(&transform_cast, TRANSFORM_VALUE, "spec=int64", NULL);
    rec = rec_make(NULL, NULL, "{\"type\":\"int32\",\"optional\":true,\"name\":\"x\",\"version\":2}", "42");
    xf_check(xf, rec, TRANSFORM_VALUE, "{\"type\":\"int64\",\"optional\":true,\"name\":\"x\",\"version\":2}", "42");
    rec = rec_make(NULL, NULL, "{\"type\":\"bytes\",\"optional\":false}", "\"AQ==\"");
    assert_string_equal(xf_apply_error(xf, rec), "Unexpected type in Cast transformation: class [B");
    data_record_free(rec);
    rec = rec_make(NULL, NULL, STRUCT_MAGIC, "{\"magic\":1}");
    assert_string_equal(xf_apply_error(xf, rec), "Cast transformation does not support casting from STRUCT; "
                                                 "supported types are [INT8, INT16, INT32, INT64, FLOAT32, "
                                                 "FLOAT64, BOOLEAN, STRING, BYTES]");
    data_record_free(rec);
    xf_free(xf);
    xf = xf_make(&transform_cast, TRANSFORM_VALUE, "spec=magic:int32", NULL);
    rec = rec_make(NULL, NULL, S_INT32, "1");
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Struct objects supported for [cast types], found: java.lang.Integer");
    data_record_free(rec);
    xf_free(xf);
}

/* ---- Flatten --------------------------------------------------------------------- */

static void test_flatten(void **state)
{
    (void)state;
    /* FlattenTest.testNestedMapWithDelimiter. */
    xf_t xf = xf_make(&transform_flatten, TRANSFORM_VALUE, "delimiter=#", NULL);
    cd_record_t *rec = rec_make(NULL, NULL, NULL,
                                "{\"A\":{\"B\":{\"int8\":8,\"string\":\"x\",\"array\":[1,{\"a\":1}]},\"n\":null},"
                                "\"top\":1}");
    xf_check(xf, rec, TRANSFORM_VALUE, NULL,
             "{\"A#B#int8\":8,\"A#B#string\":\"x\",\"A#B#array\":[1,{\"a\":1}],\"A#n\":null,\"top\":1}");
    xf_free(xf);

    /* FlattenTest.testNestedStruct / testOptionalFieldStruct: the outer
     * schema's optionality reaches every leaf, the new struct is required. */
    xf = xf_make(&transform_flatten, TRANSFORM_KEY, NULL);
    const char *schema =
        "{\"type\":\"struct\",\"fields\":["
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"x\"},"
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"doc\":\"d\",\"field\":\"y\"}],"
        "\"optional\":false,\"field\":\"B\"}],\"optional\":true,\"field\":\"A\"},"
        "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},\"optional\":false,\"field\":\"arr\"}],"
        "\"optional\":true,\"name\":\"top\",\"version\":4}";
    rec = rec_make(schema, "{\"A\":{\"x\":1,\"B\":{\"y\":\"z\"}},\"arr\":[1,2]}", NULL, NULL);
    xf_apply_ok(xf, rec);
    const char *flat = "{\"type\":\"struct\",\"fields\":["
                       "{\"type\":\"int32\",\"optional\":true,\"field\":\"A.x\"},"
                       "{\"type\":\"string\",\"optional\":true,\"doc\":\"d\",\"field\":\"A.B.y\"},"
                       "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},\"optional\":true,"
                       "\"field\":\"arr\"}],\"optional\":false,\"name\":\"top\",\"version\":4}";
    assert_out(rec, TRANSFORM_KEY, flat, "{\"A.x\":1,\"A.B.y\":\"z\",\"arr\":[1,2]}");
    data_record_free(rec);
    rec = rec_make(schema, "{\"A\":null,\"arr\":[]}", NULL, NULL);
    xf_check(xf, rec, TRANSFORM_KEY, flat, "{\"A.x\":null,\"A.B.y\":null,\"arr\":[]}");
    rec = rec_make(schema, NULL, NULL, NULL);
    xf_apply_ok(xf, rec);
    assert_null(data_record_key(rec));
    data_record_free(rec);

    /* Errors: a map in a struct, a struct-less schema. */
    rec = rec_make("{\"type\":\"struct\",\"fields\":[{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
                   "\"values\":{\"type\":\"string\",\"optional\":false},\"optional\":false,\"field\":\"m\"}],"
                   "\"optional\":false}",
                   "{\"m\":{}}", NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Flatten transformation does not support MAP for record with schemas (for field m).");
    data_record_free(rec);
    rec = rec_make(S_INT32, "1", NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Struct objects supported for [flattening], found: java.lang.Integer");
    data_record_free(rec);
    rec = rec_make(NULL, "1", NULL, NULL);
    assert_string_equal(xf_apply_error(xf, rec),
                        "Only Map objects supported in absence of schema for [flattening], found: java.lang.Long");
    data_record_free(rec);
    xf_free(xf);
}

/* ---- the table rows -------------------------------------------------------------- */

static void test_definitions(void **state)
{
    (void)state;
    const transform_def_t *defs[] = {&transform_insert_field, &transform_replace_field, &transform_mask_field,
                                     &transform_value_to_key, &transform_extract_field, &transform_hoist_field,
                                     &transform_cast,         &transform_flatten};
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        assert_string_equal(defs[i]->package, "org.apache.kafka.connect.transforms");
        assert_non_null(defs[i]->doc);
        assert_non_null(defs[i]->config);
        assert_false(defs[i]->is_predicate);
        defs[i]->destroy(NULL);
    }
    bool found = false;
    for (const transform_def_t *const *d = transform_builtins; *d; d++) {
        found = found || *d == &transform_flatten;
    }
    assert_true(found);
    assert_string_equal(transform_flatten.config[0].default_value, ".");
    assert_true(transform_cast.config[0].required);
    assert_int_equal(transform_cast.config[0].importance, CD_IMPORTANCE_HIGH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_field), cmocka_unit_test(test_replace_field),
        cmocka_unit_test(test_mask_field),   cmocka_unit_test(test_value_to_key),
        cmocka_unit_test(test_extract_field), cmocka_unit_test(test_hoist_field),
        cmocka_unit_test(test_cast_schemaless), cmocka_unit_test(test_cast_with_schema),
        cmocka_unit_test(test_flatten),      cmocka_unit_test(test_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
