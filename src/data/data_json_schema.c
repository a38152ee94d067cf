/*
 * data_json_schema.c - Connect schemas from their JSON form, as Kafka's
 * JsonConverter.asConnectSchema reads them: "type" is required, "optional"
 * is true only when it is JSON true, name/version/doc/parameters are taken
 * when they have the right JSON type and skipped otherwise, as Kafka does.
 * Error texts are Kafka's, word for word.
 *
 * A schema's "default" is ignored: plugin.h has no schema default values.
 * Recursion is bounded by jansson's nesting limit (2048).
 */
#include "data.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    cd_type_t type;
} json_types[] = {
    {"boolean", CD_TYPE_BOOLEAN}, {"int8", CD_TYPE_INT8},     {"int16", CD_TYPE_INT16},
    {"int32", CD_TYPE_INT32},     {"int64", CD_TYPE_INT64},   {"float", CD_TYPE_FLOAT32},
    {"double", CD_TYPE_FLOAT64},  {"bytes", CD_TYPE_BYTES},   {"string", CD_TYPE_STRING},
    {"array", CD_TYPE_ARRAY},     {"map", CD_TYPE_MAP},       {"struct", CD_TYPE_STRUCT},
};

static cd_schema_t *fail_schema(cd_schema_t *schema, char *errstr, size_t errstr_size, const char *msg)
{
    snprintf(errstr, errstr_size, "%s", msg);
    data_schema_unref(schema);
    return NULL;
}

/* A nested schema that must be there: JSON null is an error too. */
static cd_schema_t *child_schema(const json_t *json, const char *missing, char *errstr, size_t errstr_size)
{
    if (!json || json_is_null(json)) {
        snprintf(errstr, errstr_size, "%s", missing);
        return NULL;
    }
    return data_schema_from_jansson(json, errstr, errstr_size);
}

static cd_schema_t *struct_schema(const json_t *json, bool optional, char *errstr, size_t errstr_size)
{
    const json_t *fields = json_object_get(json, "fields");
    if (!json_is_array(fields)) {
        return fail_schema(NULL, errstr, errstr_size, "Struct schema's \"fields\" argument is not an array.");
    }
    cd_schema_t *st = data_schema_struct(optional);
    size_t i;
    const json_t *field;
    json_array_foreach (fields, i, field) {
        const char *name = json_string_value(json_object_get(field, "field"));
        if (!name) {
            return fail_schema(st, errstr, errstr_size, "Struct schema's field name not specified properly");
        }
        for (int f = 0; f < data_schema_field_count(st); f++) {
            if (strcmp(data_schema_field_name(st, f), name) == 0) {
                snprintf(errstr, errstr_size, "Cannot create field because of field name duplication %s", name);
                data_schema_unref(st);
                return NULL;
            }
        }
        cd_schema_t *fs = child_schema(field, "Struct schema's field name not specified properly", errstr,
                                       errstr_size);
        if (!fs) {
            data_schema_unref(st);
            return NULL;
        }
        data_schema_add_field(st, name, fs);
    }
    return st;
}

cd_schema_t *data_schema_from_jansson(const json_t *json, char *errstr, size_t errstr_size)
{
    errstr[0] = '\0';
    if (!json || json_is_null(json)) {
        return NULL;
    }
    const char *type = json_string_value(json_object_get(json, "type"));
    if (!type) {
        return fail_schema(NULL, errstr, errstr_size, "Schema must contain 'type' field");
    }
    size_t t = 0;
    while (t < sizeof(json_types) / sizeof(json_types[0]) && strcmp(json_types[t].name, type) != 0) {
        t++;
    }
    if (t == sizeof(json_types) / sizeof(json_types[0])) {
        snprintf(errstr, errstr_size, "Unknown schema type: %s", type);
        return NULL;
    }
    bool optional = json_is_true(json_object_get(json, "optional"));
    cd_schema_t *schema = NULL, *keys, *values;
    switch (json_types[t].type) {
    case CD_TYPE_ARRAY:
        values = child_schema(json_object_get(json, "items"), "Array schema did not specify the element type",
                              errstr, errstr_size);
        schema = values ? data_schema_array(values, optional) : NULL;
        break;
    case CD_TYPE_MAP:
        keys = child_schema(json_object_get(json, "keys"), "Map schema did not specify the key type", errstr,
                            errstr_size);
        values = keys ? child_schema(json_object_get(json, "values"), "Map schema did not specify the value type",
                                     errstr, errstr_size)
                      : NULL;
        schema = values ? data_schema_map(keys, values, optional) : NULL;
        if (!values) {
            data_schema_unref(keys);
        }
        break;
    case CD_TYPE_STRUCT:
        schema = struct_schema(json, optional, errstr, errstr_size);
        break;
    default:
        schema = data_schema_new(json_types[t].type, optional);
        break;
    }
    if (!schema) {
        return errstr[0] ? NULL : fail_schema(NULL, errstr, errstr_size, "out of memory");
    }
    const json_t *node;
    if ((node = json_object_get(json, "name")) && json_is_string(node)) {
        data_schema_set_name(schema, json_string_value(node));
    }
    if ((node = json_object_get(json, "version")) && json_is_integer(node)) {
        data_schema_set_version(schema, (int32_t)json_integer_value(node));
    }
    if ((node = json_object_get(json, "doc")) && json_is_string(node)) {
        data_schema_set_doc(schema, json_string_value(node));
    }
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)json_object_get(json, "parameters"), key, value) {
        if (!json_is_string(value)) {
            return fail_schema(schema, errstr, errstr_size, "Schema parameters must have string values.");
        }
        data_schema_set_parameter(schema, key, json_string_value(value));
    }
    return schema;
}
