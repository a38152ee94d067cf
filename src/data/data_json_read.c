/*
 * data_json_read.c - Connect values from parsed JSON (json_tape.h), as
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
 * turning it into unscaled bytes needs the exact digits a double drops).
 */
#include "data.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

#define LOGICAL_PREFIX "org.apache.kafka.connect.data."

typedef json_tape_node_t node_t;

/* Jackson's JsonNodeType name, which Kafka's messages print; NULL is a
 * member that is not there. */
static const char *node_type(const node_t *n)
{
    switch (n ? n->type : JSON_TAPE_NULL) {
    case JSON_TAPE_OBJECT:
        return "OBJECT";
    case JSON_TAPE_ARRAY:
        return "ARRAY";
    case JSON_TAPE_STRING:
        return "STRING";
    case JSON_TAPE_INTEGER:
    case JSON_TAPE_REAL:
        return "NUMBER";
    case JSON_TAPE_TRUE:
    case JSON_TAPE_FALSE:
        return "BOOLEAN";
    default:
        return n ? "NULL" : "MISSING";
    }
}

static bool is_integer(const node_t *n)
{
    return n->type == JSON_TAPE_INTEGER;
}

static cd_value_t *wrong_type(const char *what, const char *expected, const node_t *n, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "Invalid type for %s, underlying representation should be %s but was %s", what,
             expected, node_type(n));
    return NULL;
}

/* Strict padded base64, as Jackson's default variant reads it; NULL when
 * the text is not that. */
static cd_value_t *bytes_from_base64(const char *text, size_t len)
{
    unsigned char *out = malloc(len / 4 * 3 + 1);
    long n = out ? base64_decode(text, len, out) : -1;
    cd_value_t *v = n >= 0 ? data_value_bytes(out, (size_t)n) : NULL;
    free(out);
    return v;
}

static cd_value_t *read_logical(const char *name, const node_t *n, char *errstr, size_t errstr_size)
{
    if (strcmp(name, "Decimal") == 0) {
        if (n->type != JSON_TAPE_STRING) {
            return wrong_type("Decimal", "numeric or bytes", n, errstr, errstr_size);
        }
        cd_value_t *v = bytes_from_base64(n->u.s, n->count);
        if (!v) {
            snprintf(errstr, errstr_size, "Invalid bytes field");
        }
        return v;
    }
    if (strcmp(name, "Timestamp") == 0) {
        return is_integer(n) ? data_value_int(CD_TYPE_INT64, n->u.i)
                             : wrong_type("Timestamp", "integral", n, errstr, errstr_size);
    }
    /* Date and Time: Jackson's isInt(), an integer that fits int32. */
    int64_t i = is_integer(n) ? n->u.i : INT64_MAX;
    if (i < INT32_MIN || i > INT32_MAX) {
        return wrong_type(name, "integer", n, errstr, errstr_size);
    }
    return data_value_int(CD_TYPE_INT32, i);
}

static cd_value_t *read_map(const cd_schema_t *schema, const json_tape_t *t, const node_t *n, char *errstr,
                            size_t errstr_size)
{
    const cd_schema_t *keys = data_schema_keys(schema), *values = data_schema_values(schema);
    cd_value_t *map = data_value_map();
    if (!schema || data_schema_type(keys) == CD_TYPE_STRING) {
        if (n->type != JSON_TAPE_OBJECT) {
            snprintf(errstr, errstr_size, "Maps with string fields should be encoded as JSON objects, but found %s",
                     node_type(n));
            goto fail;
        }
        bool duplicates = n->flags & JSON_TAPE_DUPLICATE_KEYS;
        for (const node_t *key = n + 1; key < &t->nodes[n->end]; key = json_tape_next(t, key + 1)) {
            cd_value_t *v = data_value_from_tape(values, t, key + 1, errstr, errstr_size);
            if (!v) {
                goto fail;
            }
            /* A key given twice keeps its first place and takes its last
             * value, as Jackson's ObjectNode (and jansson) read it. */
            cd_value_t *k = data_value_string_utf8(key->u.s, key->count);
            if (duplicates) {
                data_value_map_put(map, k, v);
            } else {
                data_value_map_append(map, k, v);
            }
        }
        return map;
    }
    if (n->type != JSON_TAPE_ARRAY) {
        snprintf(errstr, errstr_size,
                 "Maps with non-string fields should be encoded as JSON array of tuples, but found %s", node_type(n));
        goto fail;
    }
    for (const node_t *entry = n + 1; entry < &t->nodes[n->end]; entry = json_tape_next(t, entry)) {
        if (entry->type != JSON_TAPE_ARRAY) {
            snprintf(errstr, errstr_size, "Found invalid map entry instead of array tuple: %s", node_type(entry));
            goto fail;
        }
        if (entry->count != 2) {
            snprintf(errstr, errstr_size, "Found invalid map entry, expected length 2 but found :%u", entry->count);
            goto fail;
        }
        const node_t *key = entry + 1;
        cd_value_t *k = data_value_from_tape(keys, t, key, errstr, errstr_size);
        cd_value_t *v = k ? data_value_from_tape(values, t, json_tape_next(t, key), errstr, errstr_size) : NULL;
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

static cd_value_t *read_struct(const cd_schema_t *schema, const json_tape_t *t, const node_t *n, char *errstr,
                               size_t errstr_size)
{
    if (n->type != JSON_TAPE_OBJECT) {
        snprintf(errstr, errstr_size, "Structs should be encoded as JSON objects, but found %s", node_type(n));
        return NULL;
    }
    cd_value_t *st = data_value_struct(schema);
    uint32_t hint = 0;
    for (int i = 0; st && i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        const node_t *member = json_tape_member(t, n, name, strlen(name), &hint);
        cd_value_t *v = data_value_from_tape(data_schema_field_schema(schema, i), t, member, errstr, errstr_size);
        if (!v) {
            data_value_free(st);
            return NULL;
        }
        data_value_struct_set_at(st, i, v);
    }
    return st;
}

cd_value_t *data_value_from_tape(const cd_schema_t *schema, const json_tape_t *t, const json_tape_node_t *n,
                                 char *errstr, size_t errstr_size)
{
    cd_type_t type = data_schema_type(schema);
    if (!n || n->type == JSON_TAPE_NULL) {
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
            return read_logical(logical, n, errstr, errstr_size);
        }
    }
    if (!schema) {
        switch (n->type) {
        case JSON_TAPE_TRUE:
        case JSON_TAPE_FALSE:
            type = CD_TYPE_BOOLEAN;
            break;
        case JSON_TAPE_INTEGER:
            type = CD_TYPE_INT64;
            break;
        case JSON_TAPE_REAL:
            type = CD_TYPE_FLOAT64;
            break;
        case JSON_TAPE_STRING:
            type = CD_TYPE_STRING;
            break;
        case JSON_TAPE_ARRAY:
            type = CD_TYPE_ARRAY;
            break;
        default:
            type = CD_TYPE_MAP;
            break;
        }
    }
    const char *what = data_type_name(type);
    switch (type) {
    case CD_TYPE_BOOLEAN:
        return n->type == JSON_TAPE_TRUE || n->type == JSON_TAPE_FALSE
                   ? data_value_bool(n->type == JSON_TAPE_TRUE)
                   : wrong_type(what, "boolean", n, errstr, errstr_size);
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        /* Narrowed as Kafka's (byte) value.intValue() narrows. */
        return is_integer(n) ? data_value_int(type, n->u.i) : wrong_type(what, "integer", n, errstr, errstr_size);
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        return is_integer(n)               ? data_value_float(type, (double)n->u.i)
               : n->type == JSON_TAPE_REAL ? data_value_float(type, n->u.f)
                                           : wrong_type(what, "numeric", n, errstr, errstr_size);
    case CD_TYPE_STRING:
        return n->type == JSON_TAPE_STRING ? data_value_string_utf8(n->u.s, n->count)
                                           : wrong_type(what, "string", n, errstr, errstr_size);
    case CD_TYPE_BYTES: {
        cd_value_t *v = n->type == JSON_TAPE_STRING ? bytes_from_base64(n->u.s, n->count) : NULL;
        if (!v) {
            snprintf(errstr, errstr_size, "Invalid bytes field");
        }
        return v;
    }
    case CD_TYPE_ARRAY: {
        if (n->type != JSON_TAPE_ARRAY) {
            return wrong_type(what, "array", n, errstr, errstr_size);
        }
        cd_value_t *array = data_value_array();
        for (const node_t *item = n + 1; item < &t->nodes[n->end]; item = json_tape_next(t, item)) {
            cd_value_t *v = data_value_from_tape(data_schema_items(schema), t, item, errstr, errstr_size);
            if (!v) {
                data_value_free(array);
                return NULL;
            }
            data_value_array_push(array, v);
        }
        return array;
    }
    case CD_TYPE_MAP:
        return read_map(schema, t, n, errstr, errstr_size);
    default:
        return read_struct(schema, t, n, errstr, errstr_size);
    }
}

cd_value_t *data_value_from_json(const char *json, size_t len, char *errstr, size_t errstr_size)
{
    json_tape_t tape;
    json_tape_init(&tape);
    cd_value_t *v = NULL;
    if (!json_tape_parse(&tape, json, len)) {
        snprintf(errstr, errstr_size, "%s", tape.error);
    } else {
        v = data_value_from_tape(NULL, &tape, tape.nodes, errstr, errstr_size);
    }
    json_tape_free(&tape);
    return v;
}
