/*
 * data_json_write.c - Connect schemas and values as JSON text, byte for
 * byte as Kafka's JsonConverter (asJsonSchema, convertToJson) hands them to
 * Jackson, which writes compactly:
 *
 *   schema  {"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],
 *            "optional":false,"name":"com.example.User"}
 *   value   {"id":42}
 *
 * Schema keys come in asJsonSchema's insertion order: type, then items |
 * keys, values | fields (each field's schema with "field" appended), then
 * optional, name, version, doc, parameters.  Logical types (Decimal, Date,
 * Time, Timestamp) are values of their underlying type here, so they are
 * written as bytes or integers and only the schema names them.
 *
 * Jackson details kept: strings escape only '"', '\\' and control
 * characters (\b \t \n \f \r, else \u00XX in upper case), never '/' or
 * non-ASCII; floats and doubles print as Java's Float/Double.toString (1.0,
 * 0.001, 1.0E7, 1.0E-4), and NaN/Infinity as quoted strings, since Jackson
 * quotes non-numeric numbers by default; bytes are padded base64.
 *
 * We write text ourselves rather than through jansson because jansson
 * prints reals with %.17g (0.1 -> 0.10000000000000001).
 */
#include "data.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xalloc.h"

static const char *const json_type_names[] = {
    [CD_TYPE_INT8] = "int8",       [CD_TYPE_INT16] = "int16",   [CD_TYPE_INT32] = "int32",
    [CD_TYPE_INT64] = "int64",     [CD_TYPE_FLOAT32] = "float", [CD_TYPE_FLOAT64] = "double",
    [CD_TYPE_BOOLEAN] = "boolean", [CD_TYPE_STRING] = "string", [CD_TYPE_BYTES] = "bytes",
    [CD_TYPE_ARRAY] = "array",     [CD_TYPE_MAP] = "map",       [CD_TYPE_STRUCT] = "struct",
};

/* The text being written: a buffer grown by doubling, so that a record
 * costs a few appends of whole runs rather than a stdio call per byte
 * (the converter is most of a CDC worker's time).  `oom` sticks. */
typedef struct json_out {
    char *data;
    size_t len, cap;
    bool oom;
} json_out_t;

static bool out_reserve(json_out_t *out, size_t more)
{
    if (out->oom) {
        return false;
    }
    if (out->len + more <= out->cap) {
        return true;
    }
    size_t cap = out->cap ? out->cap : 256;
    while (cap < out->len + more) {
        cap *= 2;
    }
    char *data = realloc(out->data, cap);
    if (!data) {
        out->oom = true;
        return false;
    }
    out->data = data;
    out->cap = cap;
    return true;
}

static void out_put(json_out_t *out, const char *s, size_t n)
{
    if (n && out_reserve(out, n)) {
        memcpy(out->data + out->len, s, n);
        out->len += n;
    }
}

static void out_char(json_out_t *out, char c)
{
    if (out_reserve(out, 1)) {
        out->data[out->len++] = c;
    }
}

static void out_str(json_out_t *out, const char *s)
{
    out_put(out, s, strlen(s));
}

static void out_int(json_out_t *out, long long v)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    out_put(out, p, (size_t)(digits + sizeof(digits) - p));
}

static void write_string(json_out_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    out_char(out, '"');
    size_t run = 0; /* where the bytes not yet written, none needing escape, start */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out_put(out, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            break;
        }
        out_str(out, esc);
    }
    out_put(out, s + run, len - run);
    out_char(out, '"');
}

/* Java's Float/Double.toString: the shortest digits that read back as the
 * same number, plain between 10^-3 and 10^7, else d.dddE<exp>.  Java
 * weighs two-digit candidates even when one digit would do and keeps the
 * closer (Double.MIN_VALUE is 4.9E-324, not 5.0E-324), so the search
 * starts at two significant digits; a trailing zero is dropped after. */
static void write_java_number(json_out_t *out, double d, bool single)
{
    if (isnan(d) || isinf(d)) {
        out_str(out, isnan(d) ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    if (d == 0) {
        out_str(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    char sci[40];
    for (int prec = 2; prec <= 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec - 1, fabs(d));
        if (single ? strtof(sci, NULL) == (float)fabs(d) : strtod(sci, NULL) == fabs(d)) {
            break;
        }
    }
    /* sci is "D.DDDe+XX": collect the digits without trailing zeros. */
    char digits[20];
    size_t n = 0;
    const char *p = sci;
    for (; *p != 'e'; p++) {
        if (*p != '.') {
            digits[n++] = *p;
        }
    }
    int exp = atoi(p + 1);
    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }
    digits[n] = '\0';
    if (d < 0) {
        out_char(out, '-');
    }
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7) {
        if (exp < 0) {
            out_str(out, "0.");
            out_put(out, "000", (size_t)(-exp - 1));
            out_str(out, digits);
            return;
        }
        /* exp < 7 here, so at most 7 integer digits, zero-padded. */
        for (int i = 0; i <= exp; i++) {
            out_char(out, (size_t)i < n ? digits[i] : '0');
        }
        out_char(out, '.');
        out_str(out, (size_t)exp + 1 < n ? digits + exp + 1 : "0");
        return;
    }
    out_char(out, digits[0]);
    out_char(out, '.');
    out_str(out, n > 1 ? digits + 1 : "0");
    out_char(out, 'E');
    out_int(out, exp);
}

static void write_base64(json_out_t *out, const unsigned char *data, size_t len)
{
    char *text = xmalloc(base64_encoded_len(len) + 1);
    size_t n = base64_encode(data, len, text);
    out_char(out, '"');
    out_put(out, text, n);
    out_char(out, '"');
    free(text);
}

/* asJsonSchema; `field` is the struct field name the object ends with. */
static void write_schema(json_out_t *out, const cd_schema_t *schema, const char *field)
{
    cd_type_t type = data_schema_type(schema);
    out_str(out, "{\"type\":\"");
    out_str(out, json_type_names[type]);
    out_char(out, '"');
    if (type == CD_TYPE_ARRAY) {
        out_str(out, ",\"items\":");
        write_schema(out, data_schema_items(schema), NULL);
    } else if (type == CD_TYPE_MAP) {
        out_str(out, ",\"keys\":");
        write_schema(out, data_schema_keys(schema), NULL);
        out_str(out, ",\"values\":");
        write_schema(out, data_schema_values(schema), NULL);
    } else if (type == CD_TYPE_STRUCT) {
        out_str(out, ",\"fields\":[");
        for (int i = 0; i < data_schema_field_count(schema); i++) {
            out_str(out, i ? "," : "");
            write_schema(out, data_schema_field_schema(schema, i), data_schema_field_name(schema, i));
        }
        out_char(out, ']');
    }
    out_str(out, data_schema_optional(schema) ? ",\"optional\":true" : ",\"optional\":false");
    const char *text = data_schema_name(schema);
    if (text) {
        out_str(out, ",\"name\":");
        write_string(out, text, strlen(text));
    }
    if (data_schema_version(schema)) {
        out_str(out, ",\"version\":");
        out_int(out, (int)data_schema_version(schema));
    }
    if ((text = data_schema_doc(schema))) {
        out_str(out, ",\"doc\":");
        write_string(out, text, strlen(text));
    }
    size_t params = data_schema_parameter_count(schema);
    for (size_t i = 0; i < params; i++) {
        const char *key = data_schema_parameter_key(schema, i), *value = data_schema_parameter_value(schema, i);
        out_str(out, i ? "," : ",\"parameters\":{");
        write_string(out, key, strlen(key));
        out_char(out, ':');
        write_string(out, value, strlen(value));
    }
    out_str(out, params ? "}" : "");
    if (field) {
        out_str(out, ",\"field\":");
        write_string(out, field, strlen(field));
    }
    out_char(out, '}');
}

/* Whether v may be written as `schema` (NULL: anything), at this level. */
static int check_fits(const cd_schema_t *schema, const cd_value_t *v, char *errstr, size_t errstr_size)
{
    cd_type_t type = data_value_type(v);
    if (!schema) {
        return 0;
    }
    if (type == CD_TYPE_NULL && !data_schema_optional(schema)) {
        snprintf(errstr, errstr_size,
                 "Conversion error: null value for field that is required and has no default value");
        return -1;
    }
    if (type != CD_TYPE_NULL && type != data_schema_type(schema)) {
        snprintf(errstr, errstr_size, "Invalid type for %s: %s", data_type_name(data_schema_type(schema)),
                 data_type_name(type));
        return -1;
    }
    return 0;
}

static int write_value(json_out_t *out, const cd_schema_t *schema, const cd_value_t *v, char *errstr,
                       size_t errstr_size);

/* A map is an object when its keys are strings (by schema, or, without
 * one, every key), else an array of [key,value] pairs. */
static int write_map(json_out_t *out, const cd_schema_t *schema, const cd_value_t *map, char *errstr,
                     size_t errstr_size)
{
    size_t count = data_value_count(map);
    bool object = schema ? data_schema_type(data_schema_keys(schema)) == CD_TYPE_STRING : true;
    for (size_t i = 0; !schema && i < count; i++) {
        object = object && data_value_type(data_value_map_key_at(map, i)) == CD_TYPE_STRING;
    }
    out_char(out, object ? '{' : '[');
    for (size_t i = 0; i < count; i++) {
        const cd_value_t *key = data_value_map_key_at(map, i);
        out_str(out, i ? "," : "");
        if (object && data_value_type(key) == CD_TYPE_STRING) {
            size_t len;
            const char *text = data_value_get_string(key, &len);
            write_string(out, text, len);
        } else if (object) {
            /* Only a null key gets here (check_fits refuses other types),
             * and Jackson's asText() of null is "null". */
            if (check_fits(data_schema_keys(schema), key, errstr, errstr_size) < 0) {
                return -1;
            }
            out_str(out, "\"null\"");
        } else {
            out_char(out, '[');
            if (write_value(out, data_schema_keys(schema), key, errstr, errstr_size) < 0) {
                return -1;
            }
            out_char(out, ',');
        }
        out_str(out, object ? ":" : "");
        if (write_value(out, data_schema_values(schema), data_value_map_value_at(map, i), errstr, errstr_size) < 0) {
            return -1;
        }
        out_str(out, object ? "" : "]");
    }
    out_char(out, object ? '}' : ']');
    return 0;
}

/* convertToJson: `schema` NULL writes the value as its own type says. */
static int write_value(json_out_t *out, const cd_schema_t *schema, const cd_value_t *v, char *errstr,
                       size_t errstr_size)
{
    cd_type_t type = data_value_type(v);
    if (check_fits(schema, v, errstr, errstr_size) < 0) {
        return -1;
    }
    if (type == CD_TYPE_NULL) {
        out_str(out, "null");
        return 0;
    }
    size_t len;
    const void *data;
    switch (type) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        out_int(out, (long long)data_value_get_int(v));
        return 0;
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        write_java_number(out, data_value_get_float(v), type == CD_TYPE_FLOAT32);
        return 0;
    case CD_TYPE_BOOLEAN:
        out_str(out, data_value_get_bool(v) ? "true" : "false");
        return 0;
    case CD_TYPE_STRING:
        data = data_value_get_string(v, &len);
        write_string(out, data, len);
        return 0;
    case CD_TYPE_BYTES:
        data = data_value_get_bytes(v, &len);
        write_base64(out, data, len);
        return 0;
    case CD_TYPE_ARRAY:
        out_char(out, '[');
        for (size_t i = 0; i < data_value_count(v); i++) {
            out_str(out, i ? "," : "");
            if (write_value(out, data_schema_items(schema), data_value_array_at(v, i), errstr, errstr_size) < 0) {
                return -1;
            }
        }
        out_char(out, ']');
        return 0;
    case CD_TYPE_MAP:
        return write_map(out, schema, v, errstr, errstr_size);
    default:
        break;
    }
    /* A struct; without a schema (Kafka refuses) it is written by its own. */
    const cd_schema_t *own = data_value_struct_schema(v);
    if (schema && !data_schema_equal(schema, own)) {
        snprintf(errstr, errstr_size, "Mismatching schema.");
        return -1;
    }
    out_char(out, '{');
    for (int i = 0; i < data_schema_field_count(own); i++) {
        const char *name = data_schema_field_name(own, i);
        out_str(out, i ? "," : "");
        write_string(out, name, strlen(name));
        out_char(out, ':');
        if (write_value(out, data_schema_field_schema(own, i), data_value_struct_at(v, (size_t)i), errstr,
                        errstr_size) < 0) {
            return -1;
        }
    }
    out_char(out, '}');
    return 0;
}

/* The text, NUL-terminated, its length in *len; NULL when writing failed
 * or memory ran out. */
static char *finish(json_out_t *out, size_t *len, bool failed)
{
    out_char(out, '\0');
    *len = 0;
    if (failed || out->oom) {
        free(out->data);
        return NULL;
    }
    *len = out->len - 1;
    return out->data;
}

char *data_schema_to_json(const cd_schema_t *schema)
{
    json_out_t out = {0};
    size_t len;
    if (schema) {
        write_schema(&out, schema, NULL);
    } else {
        out_str(&out, "null");
    }
    return finish(&out, &len, false);
}

char *data_value_to_json_checked(const cd_schema_t *schema, const cd_value_t *v, size_t *len, char *errstr,
                                 size_t errstr_size)
{
    json_out_t out = {0};
    bool failed = write_value(&out, schema, v, errstr, errstr_size) < 0;
    char *result = finish(&out, len, failed);
    if (!result && !failed) {
        snprintf(errstr, errstr_size, "out of memory");
    }
    return result;
}

char *data_value_to_json(const cd_value_t *v)
{
    char err[256];
    size_t len;
    return data_value_to_json_checked(NULL, v, &len, err, sizeof(err));
}
