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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xalloc.h"

static const char *const json_type_names[] = {
    [CD_TYPE_INT8] = "int8",     [CD_TYPE_INT16] = "int16",   [CD_TYPE_INT32] = "int32",
    [CD_TYPE_INT64] = "int64",   [CD_TYPE_FLOAT32] = "float", [CD_TYPE_FLOAT64] = "double",
    [CD_TYPE_BOOLEAN] = "boolean", [CD_TYPE_STRING] = "string", [CD_TYPE_BYTES] = "bytes",
    [CD_TYPE_ARRAY] = "array",   [CD_TYPE_MAP] = "map",       [CD_TYPE_STRUCT] = "struct",
};

static void write_string(FILE *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        default: break;
        }
        if (esc) {
            fputs(esc, out);
        } else if (c < 0x20) {
            fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

/* Java's Float/Double.toString: the shortest digits that read back as the
 * same number, plain between 10^-3 and 10^7, else d.dddE<exp>.  Java
 * weighs two-digit candidates even when one digit would do and keeps the
 * closer (Double.MIN_VALUE is 4.9E-324, not 5.0E-324), so the search
 * starts at two significant digits; a trailing zero is dropped after. */
static void write_java_number(FILE *out, double d, bool single)
{
    if (isnan(d) || isinf(d)) {
        fputs(isnan(d) ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"", out);
        return;
    }
    if (d == 0) {
        fputs(signbit(d) ? "-0.0" : "0.0", out);
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
        fputc('-', out);
    }
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7) {
        if (exp < 0) {
            fprintf(out, "0.%.*s%s", -exp - 1, "000", digits);
            return;
        }
        /* exp < 7 here, so at most 7 integer digits, zero-padded. */
        for (int i = 0; i <= exp; i++) {
            fputc((size_t)i < n ? digits[i] : '0', out);
        }
        fprintf(out, ".%s", (size_t)exp + 1 < n ? digits + exp + 1 : "0");
        return;
    }
    fprintf(out, "%c.%sE%d", digits[0], n > 1 ? digits + 1 : "0", exp);
}

static void write_base64(FILE *out, const unsigned char *data, size_t len)
{
    char *text = xmalloc(base64_encoded_len(len) + 1);
    size_t n = base64_encode(data, len, text);
    fputc('"', out);
    fwrite(text, 1, n, out);
    fputc('"', out);
    free(text);
}

/* asJsonSchema; `field` is the struct field name the object ends with. */
static void write_schema(FILE *out, const cd_schema_t *schema, const char *field)
{
    cd_type_t type = data_schema_type(schema);
    fprintf(out, "{\"type\":\"%s\"", json_type_names[type]);
    if (type == CD_TYPE_ARRAY) {
        fputs(",\"items\":", out);
        write_schema(out, data_schema_items(schema), NULL);
    } else if (type == CD_TYPE_MAP) {
        fputs(",\"keys\":", out);
        write_schema(out, data_schema_keys(schema), NULL);
        fputs(",\"values\":", out);
        write_schema(out, data_schema_values(schema), NULL);
    } else if (type == CD_TYPE_STRUCT) {
        fputs(",\"fields\":[", out);
        for (int i = 0; i < data_schema_field_count(schema); i++) {
            fputs(i ? "," : "", out);
            write_schema(out, data_schema_field_schema(schema, i), data_schema_field_name(schema, i));
        }
        fputc(']', out);
    }
    fprintf(out, ",\"optional\":%s", data_schema_optional(schema) ? "true" : "false");
    const char *text = data_schema_name(schema);
    if (text) {
        fputs(",\"name\":", out);
        write_string(out, text, strlen(text));
    }
    if (data_schema_version(schema)) {
        fprintf(out, ",\"version\":%d", (int)data_schema_version(schema));
    }
    if ((text = data_schema_doc(schema))) {
        fputs(",\"doc\":", out);
        write_string(out, text, strlen(text));
    }
    size_t params = data_schema_parameter_count(schema);
    for (size_t i = 0; i < params; i++) {
        const char *key = data_schema_parameter_key(schema, i), *value = data_schema_parameter_value(schema, i);
        fputs(i ? "," : ",\"parameters\":{", out);
        write_string(out, key, strlen(key));
        fputc(':', out);
        write_string(out, value, strlen(value));
    }
    fputs(params ? "}" : "", out);
    if (field) {
        fputs(",\"field\":", out);
        write_string(out, field, strlen(field));
    }
    fputc('}', out);
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

static int write_value(FILE *out, const cd_schema_t *schema, const cd_value_t *v, char *errstr, size_t errstr_size);

/* A map is an object when its keys are strings (by schema, or, without
 * one, every key), else an array of [key,value] pairs. */
static int write_map(FILE *out, const cd_schema_t *schema, const cd_value_t *map, char *errstr, size_t errstr_size)
{
    size_t count = data_value_count(map);
    bool object = schema ? data_schema_type(data_schema_keys(schema)) == CD_TYPE_STRING : true;
    for (size_t i = 0; !schema && i < count; i++) {
        object = object && data_value_type(data_value_map_key_at(map, i)) == CD_TYPE_STRING;
    }
    fputc(object ? '{' : '[', out);
    for (size_t i = 0; i < count; i++) {
        const cd_value_t *key = data_value_map_key_at(map, i);
        fputs(i ? "," : "", out);
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
            fputs("\"null\"", out);
        } else {
            fputc('[', out);
            if (write_value(out, data_schema_keys(schema), key, errstr, errstr_size) < 0) {
                return -1;
            }
            fputc(',', out);
        }
        fputs(object ? ":" : "", out);
        if (write_value(out, data_schema_values(schema), data_value_map_value_at(map, i), errstr, errstr_size) < 0) {
            return -1;
        }
        fputs(object ? "" : "]", out);
    }
    fputc(object ? '}' : ']', out);
    return 0;
}

/* convertToJson: `schema` NULL writes the value as its own type says. */
static int write_value(FILE *out, const cd_schema_t *schema, const cd_value_t *v, char *errstr, size_t errstr_size)
{
    cd_type_t type = data_value_type(v);
    if (check_fits(schema, v, errstr, errstr_size) < 0) {
        return -1;
    }
    if (type == CD_TYPE_NULL) {
        fputs("null", out);
        return 0;
    }
    size_t len;
    const void *data;
    switch (type) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        fprintf(out, "%lld", (long long)data_value_get_int(v));
        return 0;
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        write_java_number(out, data_value_get_float(v), type == CD_TYPE_FLOAT32);
        return 0;
    case CD_TYPE_BOOLEAN:
        fputs(data_value_get_bool(v) ? "true" : "false", out);
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
        fputc('[', out);
        for (size_t i = 0; i < data_value_count(v); i++) {
            fputs(i ? "," : "", out);
            if (write_value(out, data_schema_items(schema), data_value_array_at(v, i), errstr, errstr_size) < 0) {
                return -1;
            }
        }
        fputc(']', out);
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
    fputc('{', out);
    for (int i = 0; i < data_schema_field_count(own); i++) {
        const char *name = data_schema_field_name(own, i);
        fputs(i ? "," : "", out);
        write_string(out, name, strlen(name));
        fputc(':', out);
        if (write_value(out, data_schema_field_schema(own, i), data_value_struct_get(v, name), errstr,
                        errstr_size) < 0) {
            return -1;
        }
    }
    fputc('}', out);
    return 0;
}

/* Closes the stream; the text, or NULL when writing failed (out of memory). */
static char *finish(FILE *out, char *const *text, bool failed)
{
    bool broken = ferror(out) != 0;
    if (fclose(out) != 0 || failed || broken) {
        free(*text);
        return NULL;
    }
    return *text;
}

char *data_schema_to_json(const cd_schema_t *schema)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        return NULL;
    }
    if (schema) {
        write_schema(out, schema, NULL);
    } else {
        fputs("null", out);
    }
    return finish(out, &text, false);
}

char *data_value_to_json_checked(const cd_schema_t *schema, const cd_value_t *v, size_t *len, char *errstr,
                                 size_t errstr_size)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    bool failed = write_value(out, schema, v, errstr, errstr_size) < 0;
    char *result = finish(out, &text, failed);
    *len = size; /* open_memstream sets it at fclose */
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
