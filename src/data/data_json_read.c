/*
 * data_json_read.c - Connect values from parsed JSON (jansson trees), as
 * Kafka's JsonConverter.convertToConnect reads them, and
 * data_value_from_json for schemaless text.
 *
 * Without a schema the type is inferred: objects become maps with string
 * keys, arrays arrays, integers INT64, other numbers FLOAT64.  With one,
 * the JSON must fit it.  Kafka is lax there (a string read as int32 gives
 * 0, because Jackson's intValue() of a text node is 0); we refuse instead,
 * in the words of Kafka's logical-type messages ("Invalid type for INT32,
 * underlying representation should be integer but was STRING"), because a
 * silent 0 in a sink is worse than an error.  Messages Kafka does produce
 * are kept word for word.
 *
 * Logical types read as their underlying values: Date and Time must be
 * integers that fit int32, Timestamp any integer, Decimal a base64 string
 * (the BASE64 decimal.format; a JSON number for a Decimal is refused, as
 * turning it into unscaled bytes needs the exact digits jansson drops).
 */
#include "data.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

#define LOGICAL_PREFIX "org.apache.kafka.connect.data."

/* Jackson's JsonNodeType name, which Kafka's messages print. */
static const char *node_type(const json_t *json)
{
    switch (json ? json_typeof(json) : JSON_NULL) {
    case JSON_OBJECT: return "OBJECT";
    case JSON_ARRAY: return "ARRAY";
    case JSON_STRING: return "STRING";
    case JSON_INTEGER:
    case JSON_REAL: return "NUMBER";
    case JSON_TRUE:
    case JSON_FALSE: return "BOOLEAN";
    default: return json ? "NULL" : "MISSING";
    }
}

static cd_value_t *wrong_type(const char *what, const char *expected, const json_t *json, char *errstr,
                              size_t errstr_size)
{
    snprintf(errstr, errstr_size, "Invalid type for %s, underlying representation should be %s but was %s", what,
             expected, node_type(json));
    return NULL;
}

/* Strict padded base64, as Jackson's default variant reads it; NULL when
 * the text is not that. */
static cd_value_t *bytes_from_base64(const char *text, size_t len)
{
    unsigned char *out = malloc(len / 4 * 3 + 1);
    long n = base64_decode(text, len, out);
    cd_value_t *v = n >= 0 ? data_value_bytes(out, (size_t)n) : NULL;
    free(out);
    return v;
}

static cd_value_t *read_logical(const char *name, const json_t *json, char *errstr, size_t errstr_size)
{
    if (strcmp(name, "Decimal") == 0) {
        if (!json_is_string(json)) {
            return wrong_type("Decimal", "numeric or bytes", json, errstr, errstr_size);
        }
        cd_value_t *v = bytes_from_base64(json_string_value(json), json_string_length(json));
        if (!v) {
            snprintf(errstr, errstr_size, "Invalid bytes field");
        }
        return v;
    }
    if (strcmp(name, "Timestamp") == 0) {
        return json_is_integer(json) ? data_value_int(CD_TYPE_INT64, json_integer_value(json))
                                     : wrong_type("Timestamp", "integral", json, errstr, errstr_size);
    }
    /* Date and Time: Jackson's isInt(), an integer that fits int32. */
    json_int_t n = json_is_integer(json) ? json_integer_value(json) : INT64_MAX;
    if (n < INT32_MIN || n > INT32_MAX) {
        return wrong_type(name, "integer", json, errstr, errstr_size);
    }
    return data_value_int(CD_TYPE_INT32, n);
}

static cd_value_t *read_map(const cd_schema_t *schema, const json_t *json, char *errstr, size_t errstr_size)
{
    const cd_schema_t *keys = data_schema_keys(schema), *values = data_schema_values(schema);
    cd_value_t *map = data_value_map();
    if (!schema || data_schema_type(keys) == CD_TYPE_STRING) {
        if (!json_is_object(json)) {
            snprintf(errstr, errstr_size, "Maps with string fields should be encoded as JSON objects, but found %s",
                     node_type(json));
            goto fail;
        }
        const char *key;
        json_t *item;
        json_object_foreach ((json_t *)json, key, item) {
            cd_value_t *v = data_value_from_jansson(values, item, errstr, errstr_size);
            if (!v) {
                goto fail;
            }
            /* jansson keeps one member per key. */
            data_value_map_append(map, data_value_string(key, strlen(key)), v);
        }
        return map;
    }
    if (!json_is_array(json)) {
        snprintf(errstr, errstr_size,
                 "Maps with non-string fields should be encoded as JSON array of tuples, but found %s",
                 node_type(json));
        goto fail;
    }
    size_t i;
    const json_t *entry;
    json_array_foreach (json, i, entry) {
        if (!json_is_array(entry)) {
            snprintf(errstr, errstr_size, "Found invalid map entry instead of array tuple: %s", node_type(entry));
            goto fail;
        }
        if (json_array_size(entry) != 2) {
            snprintf(errstr, errstr_size, "Found invalid map entry, expected length 2 but found :%zu",
                     json_array_size(entry));
            goto fail;
        }
        cd_value_t *k = data_value_from_jansson(keys, json_array_get(entry, 0), errstr, errstr_size);
        cd_value_t *v = k ? data_value_from_jansson(values, json_array_get(entry, 1), errstr, errstr_size) : NULL;
        if (!v) {
            data_value_free(k);
            goto fail;
        }
        data_value_map_put(map, k, v);
    }
    return map;
fail:
    data_value_free(map);
    return NULL;
}

static cd_value_t *read_struct(const cd_schema_t *schema, const json_t *json, char *errstr, size_t errstr_size)
{
    if (!json_is_object(json)) {
        snprintf(errstr, errstr_size, "Structs should be encoded as JSON objects, but found %s", node_type(json));
        return NULL;
    }
    cd_value_t *st = data_value_struct(schema);
    for (int i = 0; st && i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        cd_value_t *v = data_value_from_jansson(data_schema_field_schema(schema, i), json_object_get(json, name),
                                                errstr, errstr_size);
        if (!v) {
            data_value_free(st);
            return NULL;
        }
        data_value_struct_set_at(st, i, v);
    }
    return st;
}

cd_value_t *data_value_from_jansson(const cd_schema_t *schema, const json_t *json, char *errstr, size_t errstr_size)
{
    cd_type_t type = data_schema_type(schema);
    if (!json || json_is_null(json)) {
        if (schema && !data_schema_optional(schema)) {
            snprintf(errstr, errstr_size, "Invalid null value for required %s field", data_type_name(type));
            return NULL;
        }
        return data_value_null();
    }
    /* A logical name on another underlying type (a Timestamp int32) is just
     * a name: the value must still fit the schema it is written with. */
    const char *name = data_schema_name(schema);
    if (name && strncmp(name, LOGICAL_PREFIX, strlen(LOGICAL_PREFIX)) == 0) {
        const char *logical = name + strlen(LOGICAL_PREFIX);
        if ((strcmp(logical, "Decimal") == 0 && type == CD_TYPE_BYTES) ||
            ((strcmp(logical, "Date") == 0 || strcmp(logical, "Time") == 0) && type == CD_TYPE_INT32) ||
            (strcmp(logical, "Timestamp") == 0 && type == CD_TYPE_INT64)) {
            return read_logical(logical, json, errstr, errstr_size);
        }
    }
    if (!schema) {
        switch (json_typeof(json)) {
        case JSON_TRUE:
        case JSON_FALSE: type = CD_TYPE_BOOLEAN; break;
        case JSON_INTEGER: type = CD_TYPE_INT64; break;
        case JSON_REAL: type = CD_TYPE_FLOAT64; break;
        case JSON_STRING: type = CD_TYPE_STRING; break;
        case JSON_ARRAY: type = CD_TYPE_ARRAY; break;
        default: type = CD_TYPE_MAP; break;
        }
    }
    const char *what = data_type_name(type);
    switch (type) {
    case CD_TYPE_BOOLEAN:
        return json_is_boolean(json) ? data_value_bool(json_is_true(json))
                                     : wrong_type(what, "boolean", json, errstr, errstr_size);
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        /* Narrowed as Kafka's (byte) value.intValue() narrows. */
        return json_is_integer(json) ? data_value_int(type, json_integer_value(json))
                                     : wrong_type(what, "integer", json, errstr, errstr_size);
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        return json_is_number(json) ? data_value_float(type, json_number_value(json))
                                    : wrong_type(what, "numeric", json, errstr, errstr_size);
    case CD_TYPE_STRING:
        return json_is_string(json) ? data_value_string(json_string_value(json), json_string_length(json))
                                    : wrong_type(what, "string", json, errstr, errstr_size);
    case CD_TYPE_BYTES: {
        cd_value_t *v = json_is_string(json) ? bytes_from_base64(json_string_value(json), json_string_length(json))
                                             : NULL;
        if (!v) {
            snprintf(errstr, errstr_size, "Invalid bytes field");
        }
        return v;
    }
    case CD_TYPE_ARRAY: {
        if (!json_is_array(json)) {
            return wrong_type(what, "array", json, errstr, errstr_size);
        }
        cd_value_t *array = data_value_array();
        size_t i;
        const json_t *item;
        json_array_foreach (json, i, item) {
            cd_value_t *v = data_value_from_jansson(data_schema_items(schema), item, errstr, errstr_size);
            if (!v) {
                data_value_free(array);
                return NULL;
            }
            data_value_array_push(array, v);
        }
        return array;
    }
    case CD_TYPE_MAP:
        return read_map(schema, json, errstr, errstr_size);
    default:
        return read_struct(schema, json, errstr, errstr_size);
    }
}

cd_value_t *data_value_from_json(const char *json, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t error;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!root) {
        snprintf(errstr, errstr_size, "%s at line %d column %d", error.text, error.line, error.column);
        return NULL;
    }
    cd_value_t *v = data_value_from_jansson(NULL, root, errstr, errstr_size);
    json_decref(root);
    return v;
}
