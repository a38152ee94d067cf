/* Unit tests for the data model (data_*.c): schemas of every type, values
 * and their ownership rules, records, the host table, and schemaless JSON.
 * Run under ASan, so "takes" and "copies" are proven by the leak checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

static const cd_type_t primitives[] = {
    CD_TYPE_INT8,    CD_TYPE_INT16,  CD_TYPE_INT32, CD_TYPE_INT64, CD_TYPE_FLOAT32,
    CD_TYPE_FLOAT64, CD_TYPE_BOOLEAN, CD_TYPE_STRING, CD_TYPE_BYTES,
};

static void test_primitive_schemas(void **state)
{
    for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++) {
        cd_schema_t *schema = data_schema_new(primitives[i], i % 2 == 0);
        assert_non_null(schema);
        assert_int_equal(data_schema_type(schema), primitives[i]);
        assert_int_equal(data_schema_optional(schema), i % 2 == 0);
        assert_null(data_schema_name(schema));
        assert_int_equal(data_schema_field_count(schema), 0);
        assert_null(data_schema_items(schema));
        assert_null(data_schema_keys(schema));
        data_schema_unref(schema);
    }
    /* Containers need their element schemas; null is a value type only. */
    assert_null(data_schema_new(CD_TYPE_ARRAY, false));
    assert_null(data_schema_new(CD_TYPE_MAP, false));
    assert_null(data_schema_new(CD_TYPE_NULL, false));
    assert_null(data_schema_new((cd_type_t)99, false));
    assert_string_equal(data_type_name(CD_TYPE_FLOAT32), "FLOAT32");
    assert_string_equal(data_type_name((cd_type_t)99), "UNKNOWN");
}

static void test_composite_schemas(void **state)
{
    cd_schema_t *array = data_schema_array(data_schema_new(CD_TYPE_STRING, true), false);
    assert_int_equal(data_schema_type(array), CD_TYPE_ARRAY);
    assert_int_equal(data_schema_type(data_schema_items(array)), CD_TYPE_STRING);
    assert_true(data_schema_optional(data_schema_items(array)));

    cd_schema_t *map = data_schema_map(data_schema_new(CD_TYPE_INT32, false), array, true);
    assert_int_equal(data_schema_type(data_schema_keys(map)), CD_TYPE_INT32);
    assert_ptr_equal(data_schema_values(map), array);
    assert_null(data_schema_items(map)); /* items are an array's */

    cd_schema_t *st = data_schema_struct(false);
    data_schema_add_field(st, "id", data_schema_new(CD_TYPE_INT64, false));
    data_schema_add_field(st, "tags", map);
    data_schema_add_field(st, "id", data_schema_new(CD_TYPE_STRING, false)); /* duplicate: dropped */
    data_schema_add_field(st, NULL, data_schema_new(CD_TYPE_STRING, false));
    assert_int_equal(data_schema_field_count(st), 2);
    assert_string_equal(data_schema_field_name(st, 0), "id");
    assert_string_equal(data_schema_field_name(st, 1), "tags");
    assert_ptr_equal(data_schema_field_schema(st, 1), map);
    assert_null(data_schema_field_name(st, 2));
    assert_null(data_schema_field_schema(st, -1));
    data_schema_unref(st); /* frees map and array with it */

    /* Builders take what they are given, also when they fail. */
    assert_null(data_schema_array(NULL, false));
    assert_null(data_schema_map(data_schema_new(CD_TYPE_STRING, false), NULL, false));
    cd_schema_t *prim = data_schema_new(CD_TYPE_INT8, false);
    data_schema_add_field(prim, "x", data_schema_new(CD_TYPE_INT8, false));
    assert_int_equal(data_schema_field_count(prim), 0);
    data_schema_unref(prim);
}

static void test_schema_metadata_and_sharing(void **state)
{
    cd_schema_t *ts = data_schema_new(CD_TYPE_INT64, true);
    data_schema_set_name(ts, "org.apache.kafka.connect.data.Timestamp");
    data_schema_set_version(ts, 1);
    data_schema_set_doc(ts, "when");
    data_schema_set_parameter(ts, "b", "1");
    data_schema_set_parameter(ts, "a", "2");
    data_schema_set_parameter(ts, "b", "3"); /* keeps its place */
    assert_string_equal(data_schema_name(ts), "org.apache.kafka.connect.data.Timestamp");
    assert_int_equal(data_schema_version(ts), 1);
    assert_string_equal(data_schema_doc(ts), "when");
    assert_int_equal(data_schema_parameter_count(ts), 2);
    assert_string_equal(data_schema_parameter_key(ts, 0), "b");
    assert_string_equal(data_schema_parameter_value(ts, 0), "3");
    assert_string_equal(data_schema_parameter(ts, "a"), "2");
    assert_null(data_schema_parameter(ts, "c"));

    /* Once shared, a schema is immutable. */
    assert_ptr_equal(data_schema_ref(ts), ts);
    data_schema_set_name(ts, "changed");
    data_schema_set_version(ts, 7);
    assert_string_equal(data_schema_name(ts), "org.apache.kafka.connect.data.Timestamp");
    assert_int_equal(data_schema_version(ts), 1);
    data_schema_unref(ts);
    data_schema_unref(ts);

    /* NULL is tolerated everywhere. */
    data_schema_unref(NULL);
    assert_null(data_schema_ref(NULL));
    assert_int_equal(data_schema_type(NULL), CD_TYPE_NULL);
    assert_false(data_schema_optional(NULL));
    data_schema_set_name(NULL, "x");
}

static cd_schema_t *user_schema(void)
{
    cd_schema_t *st = data_schema_struct(false);
    data_schema_set_name(st, "com.example.User");
    data_schema_add_field(st, "id", data_schema_new(CD_TYPE_INT32, false));
    data_schema_add_field(st, "name", data_schema_new(CD_TYPE_STRING, true));
    return st;
}

static void test_schema_equal(void **state)
{
    cd_schema_t *a = user_schema(), *b = user_schema(), *c = data_schema_struct(false);
    assert_true(data_schema_equal(a, b));
    assert_false(data_schema_equal(a, c));
    assert_false(data_schema_equal(a, NULL));
    assert_true(data_schema_equal(NULL, NULL));
    data_schema_set_doc(b, "differs");
    assert_false(data_schema_equal(a, b));
    data_schema_unref(a);
    data_schema_unref(b);
    data_schema_unref(c);
}

static void test_scalar_values(void **state)
{
    cd_value_t *i8 = data_value_int(CD_TYPE_INT8, 300); /* narrowed as Java's (byte) */
    assert_int_equal(data_value_type(i8), CD_TYPE_INT8);
    assert_int_equal(data_value_get_int(i8), 44);
    cd_value_t *i64 = data_value_int(CD_TYPE_INT64, INT64_MIN);
    assert_true(data_value_get_int(i64) == INT64_MIN);
    cd_value_t *f32 = data_value_float(CD_TYPE_FLOAT32, 0.1);
    assert_true(data_value_get_float(f32) == (double)0.1f);
    cd_value_t *huge = data_value_float(CD_TYPE_FLOAT32, 1e300);
    assert_true(isinf(data_value_get_float(huge)));
    cd_value_t *yes = data_value_bool(true);
    assert_true(data_value_get_bool(yes));
    cd_value_t *bytes = data_value_bytes("a\0b", 3);
    size_t len;
    assert_memory_equal(data_value_get_bytes(bytes, &len), "a\0b", 3);
    assert_int_equal(len, 3);

    /* Wrong getters give zero values, never a crash. */
    assert_int_equal(data_value_get_int(yes), 0);
    assert_true(data_value_get_float(i8) == 0.0);
    assert_false(data_value_get_bool(i8));
    assert_null(data_value_get_string(bytes, &len));
    assert_int_equal(len, 0);
    assert_null(data_value_get_bytes(NULL, NULL));
    assert_int_equal(data_value_count(yes), 0);
    assert_null(data_value_int(CD_TYPE_STRING, 1));
    assert_null(data_value_float(CD_TYPE_INT32, 1));

    cd_value_t *vals[] = {i8, i64, f32, huge, yes, bytes};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        cd_value_t *copy = data_value_copy(vals[i]);
        assert_true(data_value_equal(copy, vals[i]));
        data_value_free(copy);
        data_value_free(vals[i]);
    }
    data_value_free(NULL);
}

static void test_strings_are_utf8(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"caf\xc3\xa9", 5, "caf\xc3\xa9"},
        {"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
        {"\xe2\x82", 2, "\xef\xbf\xbd"},                   /* truncated: one U+FFFD */
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},       /* overlong */
        {"", 0, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cd_value_t *v = data_value_string(cases[i].in, cases[i].len);
        size_t len;
        const char *text = data_value_get_string(v, &len);
        assert_int_equal(len, strlen(cases[i].out));
        assert_memory_equal(text, cases[i].out, len);
        data_value_free(v);
    }
}

static void test_arrays_and_maps(void **state)
{
    cd_value_t *array = data_value_array();
    data_value_array_push(array, data_value_int(CD_TYPE_INT32, 1));
    data_value_array_push(array, NULL); /* a null item */
    data_value_array_push(NULL, data_value_bool(true)); /* freed, not leaked */
    assert_int_equal(data_value_count(array), 2);
    assert_int_equal(data_value_get_int(data_value_array_at(array, 0)), 1);
    assert_int_equal(data_value_type(data_value_array_at(array, 1)), CD_TYPE_NULL);
    assert_null(data_value_array_at(array, 2));

    cd_value_t *map = data_value_map();
    data_value_map_put(map, data_value_string("a", 1), data_value_int(CD_TYPE_INT64, 1));
    data_value_map_put(map, data_value_string("b", 1), array);
    data_value_map_put(map, data_value_string("a", 1), data_value_int(CD_TYPE_INT64, 2)); /* replaces */
    data_value_map_put(map, data_value_int(CD_TYPE_INT32, 7), data_value_bool(false));     /* any key type */
    data_value_map_put(array, data_value_string("x", 1), data_value_null()); /* not a map: freed */
    assert_int_equal(data_value_count(map), 3);
    assert_int_equal(data_value_get_int(data_value_map_get(map, "a")), 2);
    assert_ptr_equal(data_value_map_get(map, "b"), array);
    assert_null(data_value_map_get(map, "c"));
    assert_null(data_value_map_get(array, "a"));
    assert_int_equal(data_value_get_int(data_value_map_key_at(map, 2)), 7);
    assert_false(data_value_get_bool(data_value_map_value_at(map, 2)));
    assert_null(data_value_map_key_at(map, 3));

    cd_value_t *copy = data_value_copy(map);
    assert_true(data_value_equal(copy, map));
    data_value_map_put(copy, data_value_string("a", 1), data_value_int(CD_TYPE_INT64, 3));
    assert_false(data_value_equal(copy, map));
    data_value_free(copy);
    data_value_free(map);
}

static void test_structs(void **state)
{
    cd_schema_t *schema = user_schema();
    cd_value_t *st = data_value_struct(schema);
    data_schema_unref(schema); /* the value keeps its own reference */
    assert_int_equal(data_value_count(st), 2);
    assert_int_equal(data_value_type(data_value_struct_get(st, "id")), CD_TYPE_NULL); /* starts null */
    assert_null(data_value_struct_get(st, "nope"));
    assert_int_equal(data_value_struct_set(st, "id", data_value_int(CD_TYPE_INT32, 42)), CD_OK);
    assert_int_equal(data_value_struct_set(st, "name", data_value_string("alice", 5)), CD_OK);
    assert_int_equal(data_value_struct_set(st, "nope", data_value_int(CD_TYPE_INT32, 1)), CD_CONFIG);
    assert_int_equal(data_value_struct_set(st, "id", data_value_string("x", 1)), CD_CONFIG);
    assert_int_equal(data_value_struct_set(NULL, "id", data_value_int(CD_TYPE_INT32, 1)), CD_CONFIG);
    assert_int_equal(data_value_get_int(data_value_struct_get(st, "id")), 42);
    assert_string_equal(data_value_get_string(data_value_struct_get(st, "name"), NULL), "alice");
    assert_string_equal(data_schema_name(data_value_struct_schema(st)), "com.example.User");

    cd_value_t *copy = data_value_copy(st);
    assert_true(data_value_equal(copy, st));
    assert_int_equal(data_value_struct_set(copy, "name", NULL), CD_OK);
    assert_false(data_value_equal(copy, st));
    data_value_free(copy);
    data_value_free(st);
    assert_null(data_value_struct(NULL));
    cd_schema_t *prim = data_schema_new(CD_TYPE_INT8, false);
    assert_null(data_value_struct(prim));
    data_schema_unref(prim);
}

static void test_records(void **state)
{
    cd_record_t *rec = data_record_new();
    assert_int_equal(data_record_partition(rec), -1);
    assert_int_equal(data_record_offset(rec), -1);
    assert_int_equal(data_record_timestamp(rec), -1);
    assert_null(data_record_topic(rec));
    data_record_set_topic(rec, "t1");
    data_record_set_topic(rec, "t2");
    data_record_set_partition(rec, 3);
    data_record_set_timestamp(rec, 1700000000000);
    data_record_set_key(rec, NULL, data_value_string("k", 1));
    data_record_set_value(rec, data_schema_new(CD_TYPE_INT32, false), data_value_int(CD_TYPE_INT32, 1));
    data_record_set_value(rec, data_schema_new(CD_TYPE_INT64, false), data_value_int(CD_TYPE_INT64, 2));
    data_record_add_header(rec, "h", data_schema_new(CD_TYPE_STRING, false), data_value_string("v", 1));
    data_record_add_header(rec, NULL, NULL, data_value_null()); /* no key: dropped */
    cd_value_t *part = data_value_map(), *off = data_value_map();
    data_value_map_put(part, data_value_string("filename", 8), data_value_string("/x", 2));
    data_value_map_put(off, data_value_string("position", 8), data_value_int(CD_TYPE_INT64, 123));
    data_record_set_source(rec, part, off);

    assert_string_equal(data_record_topic(rec), "t2");
    assert_int_equal(data_record_partition(rec), 3);
    assert_int_equal(data_record_timestamp(rec), 1700000000000);
    assert_null(data_record_key_schema(rec));
    assert_string_equal(data_value_get_string(data_record_key(rec), NULL), "k");
    assert_int_equal(data_schema_type(data_record_value_schema(rec)), CD_TYPE_INT64);
    assert_int_equal(data_value_get_int(data_record_value(rec)), 2);
    assert_int_equal(data_record_header_count(rec), 1);
    assert_string_equal(data_record_header_key(rec, 0), "h");
    assert_int_equal(data_schema_type(data_record_header_schema(rec, 0)), CD_TYPE_STRING);
    assert_string_equal(data_value_get_string(data_record_header_value(rec, 0), NULL), "v");
    assert_null(data_record_header_key(rec, 1));
    assert_ptr_equal(data_record_source_partition(rec), part);
    assert_int_equal(data_value_get_int(data_value_map_get(data_record_source_offset(rec), "position")), 123);

    data_record_set_kafka(rec, "in", 0, 77, 5);
    assert_int_equal(data_record_offset(rec), 77);
    assert_string_equal(data_record_topic(rec), "in");
    data_record_free(rec);
    data_record_free(NULL);
    data_record_set_value(NULL, data_schema_new(CD_TYPE_INT8, false), data_value_null()); /* freed */
    assert_null(data_record_topic(NULL));
}

static void test_host_api(void **state)
{
    cd_host_api_t api;
    memset(&api, 0, sizeof(api));
    data_fill_host_api(&api);
    /* Every data entry, from schema_new to record_header_value, is set;
     * the task-context and offset functions are the worker's to fill. */
    void (*const *first)(void) = (void (*const *)(void))&api.schema_new;
    void (*const *last)(void) = (void (*const *)(void))&api.record_header_value;
    for (void (*const *fn)(void) = first; fn <= last; fn++) {
        assert_non_null(*fn);
    }
    assert_null(api.log);
    assert_null(api.offset_read);
    cd_record_t *rec = api.record_new(NULL);
    api.record_set_value(rec, api.schema_new(CD_TYPE_STRING, false), api.value_string("x", 1));
    assert_string_equal(api.value_get_string(api.record_value(rec), NULL), "x");
    api.record_free(rec);
}

static void test_json_round_trip(void **state)
{
    static const char *const texts[] = {
        "null", "true", "42", "-9223372036854775808", "1.5", "0.1", "-0.0", "1.0E10", "1.0E-4", "0.001",
        "1234567.0", "1.2345678E7", "\"caf\xc3\xa9 \\\" \\\\ \\n \\u0001\"", "[]", "{}",
        "{\"a\":1,\"b\":[true,null,2.5,\"x\"],\"c\":{\"d\":{}}}", "[[1,2],[3]]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char err[256] = "";
        cd_value_t *v = data_value_from_json(texts[i], strlen(texts[i]), err, sizeof(err));
        assert_non_null(v);
        char *back = data_value_to_json(v);
        assert_string_equal(back, texts[i]);
        free(back);
        data_value_free(v);
    }
    char err[256] = "";
    assert_null(data_value_from_json("{\"a\":", 5, err, sizeof(err)));
    assert_non_null(strstr(err, "line 1"));
}

static void test_json_inferred_types(void **state)
{
    char err[256];
    const char *text = "{\"i\":1,\"f\":1.0,\"s\":\"x\",\"n\":null}";
    cd_value_t *v = data_value_from_json(text, strlen(text), err, sizeof(err));
    assert_int_equal(data_value_type(v), CD_TYPE_MAP);
    assert_int_equal(data_value_type(data_value_map_get(v, "i")), CD_TYPE_INT64);
    assert_int_equal(data_value_type(data_value_map_get(v, "f")), CD_TYPE_FLOAT64);
    assert_int_equal(data_value_type(data_value_map_get(v, "s")), CD_TYPE_STRING);
    assert_int_equal(data_value_type(data_value_map_get(v, "n")), CD_TYPE_NULL);
    data_value_free(v);

    /* Bytes write as base64, maps with other keys as [key,value] pairs. */
    cd_value_t *map = data_value_map();
    data_value_map_put(map, data_value_int(CD_TYPE_INT8, 1), data_value_bytes("\x00\xff", 2));
    char *json = data_value_to_json(map);
    assert_string_equal(json, "[[1,\"AP8=\"]]");
    free(json);
    data_value_free(map);
}

static void test_java_number_format(void **state)
{
    static const struct {
        cd_type_t type;
        double value;
        const char *text;
    } cases[] = {
        {CD_TYPE_FLOAT64, 1.0, "1.0"},          {CD_TYPE_FLOAT64, 100.0, "100.0"},
        {CD_TYPE_FLOAT64, 1e7, "1.0E7"},        {CD_TYPE_FLOAT64, 9999999.5, "9999999.5"},
        {CD_TYPE_FLOAT64, 0.05, "0.05"},        {CD_TYPE_FLOAT64, 1.5e-5, "1.5E-5"},
        {CD_TYPE_FLOAT64, -2.5e300, "-2.5E300"}, {CD_TYPE_FLOAT64, 1.0 / 3, "0.3333333333333333"},
        {CD_TYPE_FLOAT64, NAN, "\"NaN\""},      {CD_TYPE_FLOAT64, -INFINITY, "\"-Infinity\""},
        {CD_TYPE_FLOAT32, 0.1, "0.1"},          {CD_TYPE_FLOAT32, 1.0 / 3, "0.33333334"},
        {CD_TYPE_FLOAT32, 3.4e38, "3.4E38"},    {CD_TYPE_FLOAT32, 16777216.0, "1.6777216E7"},
        {CD_TYPE_FLOAT64, 4.9e-324, "4.9E-324"}, {CD_TYPE_FLOAT32, 1.4e-45, "1.4E-45"},
        {CD_TYPE_FLOAT64, 1e23, "1.0E23"},      {CD_TYPE_FLOAT64, 2e-3, "0.002"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cd_value_t *v = data_value_float(cases[i].type, cases[i].value);
        char *text = data_value_to_json(v);
        assert_string_equal(text, cases[i].text);
        free(text);
        data_value_free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitive_schemas),
        cmocka_unit_test(test_composite_schemas),
        cmocka_unit_test(test_schema_metadata_and_sharing),
        cmocka_unit_test(test_schema_equal),
        cmocka_unit_test(test_scalar_values),
        cmocka_unit_test(test_strings_are_utf8),
        cmocka_unit_test(test_arrays_and_maps),
        cmocka_unit_test(test_structs),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_host_api),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_inferred_types),
        cmocka_unit_test(test_java_number_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
