/*
 * data_value_ops.c - whole-tree operations on values, written against the
 * accessors only: deep copy (plugin.h value_copy) and deep equality
 * (data.h), which map_put uses to find an existing key.
 */
#include "data.h"

#include <string.h>

cd_value_t *data_value_copy(const cd_value_t *v)
{
    if (!v) {
        return NULL;
    }
    cd_type_t type = data_value_type(v);
    const void *data;
    size_t len;
    cd_value_t *copy;
    switch (type) {
    case CD_TYPE_NULL:
        return data_value_null();
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        return data_value_int(type, data_value_get_int(v));
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        return data_value_float(type, data_value_get_float(v));
    case CD_TYPE_BOOLEAN:
        return data_value_bool(data_value_get_bool(v));
    case CD_TYPE_STRING:
        data = data_value_get_string(v, &len);
        return data_value_string(data, len);
    case CD_TYPE_BYTES:
        data = data_value_get_bytes(v, &len);
        return data_value_bytes(data, len);
    case CD_TYPE_ARRAY:
        copy = data_value_array();
        for (size_t i = 0; copy && i < data_value_count(v); i++) {
            data_value_array_push(copy, data_value_copy(data_value_array_at(v, i)));
        }
        return copy;
    case CD_TYPE_MAP:
        copy = data_value_map();
        for (size_t i = 0; copy && i < data_value_count(v); i++) {
            data_value_map_put(copy, data_value_copy(data_value_map_key_at(v, i)),
                               data_value_copy(data_value_map_value_at(v, i)));
        }
        return copy;
    case CD_TYPE_STRUCT: {
        const cd_schema_t *schema = data_value_struct_schema(v);
        copy = data_value_struct(schema);
        for (int i = 0; copy && i < data_schema_field_count(schema); i++) {
            const char *name = data_schema_field_name(schema, i);
            data_value_struct_set(copy, name, data_value_copy(data_value_struct_get(v, name)));
        }
        return copy;
    }
    }
    return NULL;
}

static bool buffers_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

bool data_value_equal(const cd_value_t *a, const cd_value_t *b)
{
    cd_type_t type = data_value_type(a);
    if (type != data_value_type(b)) {
        return false;
    }
    const void *da, *db;
    size_t la, lb;
    switch (type) {
    case CD_TYPE_NULL:
        return true;
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        return data_value_get_int(a) == data_value_get_int(b);
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64: {
        /* Bitwise, as Java's Double.equals: NaN equals NaN, 0.0 is not -0.0. */
        double x = data_value_get_float(a), y = data_value_get_float(b);
        return memcmp(&x, &y, sizeof(x)) == 0;
    }
    case CD_TYPE_BOOLEAN:
        return data_value_get_bool(a) == data_value_get_bool(b);
    case CD_TYPE_STRING:
        da = data_value_get_string(a, &la);
        db = data_value_get_string(b, &lb);
        return buffers_equal(da, la, db, lb);
    case CD_TYPE_BYTES:
        da = data_value_get_bytes(a, &la);
        db = data_value_get_bytes(b, &lb);
        return buffers_equal(da, la, db, lb);
    case CD_TYPE_ARRAY:
        if (data_value_count(a) != data_value_count(b)) {
            return false;
        }
        for (size_t i = 0; i < data_value_count(a); i++) {
            if (!data_value_equal(data_value_array_at(a, i), data_value_array_at(b, i))) {
                return false;
            }
        }
        return true;
    case CD_TYPE_MAP:
        /* Java's Map.equals: same entries, in any order; keys are unique. */
        if (data_value_count(a) != data_value_count(b)) {
            return false;
        }
        for (size_t i = 0; i < data_value_count(a); i++) {
            size_t j = 0;
            while (j < data_value_count(b) &&
                   !data_value_equal(data_value_map_key_at(a, i), data_value_map_key_at(b, j))) {
                j++;
            }
            if (j == data_value_count(b) ||
                !data_value_equal(data_value_map_value_at(a, i), data_value_map_value_at(b, j))) {
                return false;
            }
        }
        return true;
    case CD_TYPE_STRUCT: {
        const cd_schema_t *schema = data_value_struct_schema(a);
        if (!data_schema_equal(schema, data_value_struct_schema(b))) {
            return false;
        }
        for (int i = 0; i < data_schema_field_count(schema); i++) {
            const char *name = data_schema_field_name(schema, i);
            if (!data_value_equal(data_value_struct_get(a, name), data_value_struct_get(b, name))) {
                return false;
            }
        }
        return true;
    }
    }
    return false;
}
