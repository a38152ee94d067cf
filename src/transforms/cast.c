/*
 * cast.c - Kafka's Cast$Key / $Value: casts fields of a Struct or Map
 * (`spec=f1:int32,f2:string`), or the whole key/value (`spec=int64`), to
 * int8, int16, int32, int64, float32, float64, boolean or string.
 *
 * Casts follow Java: numbers narrow as Number.byteValue() etc. do
 * (truncating, wrapping), booleans are 1/0 and "is not zero", strings
 * parse as Integer.parseInt / Double.parseDouble / Boolean.parseBoolean,
 * and anything becomes a string as toString() prints it -- bytes as base64,
 * Date/Time/Timestamp as ISO 8601 in UTC (Values.dateFormatFor: a time
 * below one day as HH:mm:ss.SSSZ, whole days as yyyy-MM-dd), Decimal as
 * BigDecimal.toString().  Date/Time/Timestamp cast to numbers as their
 * days/millis; bytes cast to strings only.
 *
 * With a schema, a field cast gets a plain schema of the target type
 * (optional if the field was); a whole-value cast keeps the old schema's
 * name, version, doc and parameters, as Kafka's copySchemaBasics does, and
 * both keep the outer optionality.  Without a schema, every field of the
 * spec is set, so one the Map lacked is added as null.  A null key/value
 * passes unchanged.
 *
 *   spec=id:int32,score:string  on {"id":7,"score":1.5}  ->  {"id":7,"score":"1.5"}
 */
#include "field_common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base64.h"
#include "xalloc.h"

#define PURPOSE "cast types"

static const char *const schema_type_names[] = {"INT8",  "INT16",   "INT32",  "INT64", "FLOAT32", "FLOAT64", "BOOLEAN",
                                                "STRING", "BYTES", "ARRAY", "MAP",   "STRUCT",  NULL};
#define SUPPORTED_INPUT "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
#define SUPPORTED_OUTPUT "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"

typedef struct cast_spec {
    char *field; /* NULL: the whole value */
    cd_type_t type;
} cast_spec_t;

typedef struct cast_specs {
    cast_spec_t *items;
    size_t count;
} cast_specs_t;

static void specs_clear(cast_specs_t *specs)
{
    for (size_t i = 0; i < specs->count; i++) {
        free(specs->items[i].field);
    }
    free(specs->items);
    specs->items = NULL;
    specs->count = 0;
}

/* Schema.Type.valueOf(text.trim().toUpperCase()) checked as an output type;
 * 0 on success. */
static int type_parse(const char *text, size_t len, cd_type_t *type, char *errstr, size_t errstr_size)
{
    while (len && (unsigned char)*text <= ' ') {
        text++, len--;
    }
    while (len && (unsigned char)text[len - 1] <= ' ') {
        len--;
    }
    for (int i = 0; schema_type_names[i]; i++) {
        if (strlen(schema_type_names[i]) == len && strncasecmp(schema_type_names[i], text, len) == 0) {
            *type = (cd_type_t)(CD_TYPE_INT8 + i);
            if (*type > CD_TYPE_STRING) {
                snprintf(errstr, errstr_size,
                         "Cast transformation does not support casting to %s; supported types are " SUPPORTED_OUTPUT,
                         schema_type_names[i]);
                return -1;
            }
            return 0;
        }
    }
    snprintf(errstr, errstr_size, "Invalid type found in casting spec: %.*s", (int)len, text);
    return -1;
}

/* parseFieldTypes.  Messages as Kafka's ConfigExceptions. */
static int specs_parse(cast_specs_t *specs, const char *text, char *errstr, size_t errstr_size)
{
    smt_list_t list;
    bool whole = false;
    specs->items = NULL;
    specs->count = 0;
    smt_list_parse(&list, text);
    if (list.count == 0) {
        snprintf(errstr, errstr_size, "Must specify at least one field to cast.");
        goto fail;
    }
    specs->items = calloc(list.count, sizeof(*specs->items));
    for (size_t i = 0; specs->items && i < list.count; i++) {
        const char *mapping = list.items[i];
        /* mapping.split(":"): trailing empty parts dropped. */
        size_t len = strlen(mapping);
        while (len && mapping[len - 1] == ':') {
            len--;
        }
        const char *colon = memchr(mapping, ':', len);
        if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - mapping))) {
            snprintf(errstr, errstr_size, "Invalid value %s for configuration renames: Invalid rename mapping: %s",
                     text, mapping);
            goto fail;
        }
        cast_spec_t spec = {NULL, CD_TYPE_NULL};
        if (!colon) {
            whole = true;
            if (type_parse(mapping, len, &spec.type, errstr, errstr_size) != 0) {
                goto fail;
            }
        } else {
            if (type_parse(colon + 1, len - (size_t)(colon + 1 - mapping), &spec.type, errstr, errstr_size) != 0) {
                goto fail;
            }
            const char *name = mapping;
            size_t name_len = (size_t)(colon - mapping);
            while (name_len && (unsigned char)*name <= ' ') {
                name++, name_len--;
            }
            while (name_len && (unsigned char)name[name_len - 1] <= ' ') {
                name_len--;
            }
            spec.field = strndup(name, name_len);
        }
        /* A later cast of the same field (or of the whole) wins. */
        size_t j = 0;
        while (j < specs->count && !(specs->items[j].field == NULL ? spec.field == NULL
                                     : spec.field && strcmp(specs->items[j].field, spec.field) == 0)) {
            j++;
        }
        if (j < specs->count) {
            free(specs->items[j].field);
        } else {
            specs->count++;
        }
        specs->items[j] = spec;
    }
    if (whole && list.count > 1) {
        snprintf(errstr, errstr_size,
                 "Cast transformations that specify a type to cast the entire value to may only specify a single "
                 "cast in their spec");
        goto fail;
    }
    smt_list_clear(&list);
    return 0;
fail:
    smt_list_clear(&list);
    specs_clear(specs);
    return -1;
}

static int spec_validate(const char *value, char *errbuf, size_t errlen)
{
    cast_specs_t specs;
    if (specs_parse(&specs, value, errbuf, errlen) != 0) {
        return -1;
    }
    specs_clear(&specs);
    return 0;
}

static const cd_config_def_t cast_config[] = {
    {.name = "spec", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or "
            "Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, "
            "float64, boolean, and string. Note that binary fields can only be cast to string.",
     .validate = spec_validate},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

typedef struct cast {
    transform_target_t target;
    cast_specs_t specs;
    cd_type_t whole; /* CD_TYPE_NULL: field casts */
    smt_schema_cache_t cache;
} cast_t;

static void cast_destroy(void *instance)
{
    cast_t *xf = instance;
    if (xf) {
        specs_clear(&xf->specs);
        smt_schema_cache_clear(&xf->cache);
        free(xf);
    }
}

static void *cast_create(const properties_t *config, transform_target_t target, char *errstr, size_t errstr_size)
{
    const char *spec = smt_config(config, "spec", NULL);
    if (!spec) {
        snprintf(errstr, errstr_size, "Missing required configuration \"spec\" which has no default value.");
        return NULL;
    }
    cast_t *xf = calloc(1, sizeof(*xf));
    if (!xf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    if (specs_parse(&xf->specs, spec, errstr, errstr_size) != 0) {
        free(xf);
        return NULL;
    }
    if (xf->specs.count == 1 && !xf->specs.items[0].field) {
        xf->whole = xf->specs.items[0].type;
    }
    return xf;
}

static cd_type_t cast_type_of(const cast_t *xf, const char *field)
{
    for (size_t i = 0; field && i < xf->specs.count; i++) {
        if (xf->specs.items[i].field && strcmp(xf->specs.items[i].field, field) == 0) {
            return xf->specs.items[i].type;
        }
    }
    return CD_TYPE_NULL;
}

/* ---- Java's conversions ---------------------------------------------------------- */

static int32_t java_d2i(double d)
{
    if (isnan(d)) {
        return 0;
    }
    if (d >= 2147483647.0) {
        return INT32_MAX;
    }
    if (d <= -2147483648.0) {
        return INT32_MIN;
    }
    return (int32_t)d;
}

static int64_t java_d2l(double d)
{
    if (isnan(d)) {
        return 0;
    }
    if (d >= 9223372036854775807.0) {
        return INT64_MAX;
    }
    if (d <= -9223372036854775808.0) {
        return INT64_MIN;
    }
    return (int64_t)d;
}

/* Long.parseLong's grammar and range; false for anything else. */
static bool java_parse_long(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-') {
        p++;
    }
    if (!*p) {
        return false;
    }
    uint64_t limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max, v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        if (v > (limit - (uint64_t)(*p - '0')) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Double.parseDouble / Float.parseFloat: trimmed, an optional sign, NaN,
 * Infinity or a decimal or hex number, an optional f/F/d/D suffix. */
static bool java_parse_double(const char *s, bool single, double *out)
{
    size_t len = strlen(s);
    while (len && (unsigned char)*s <= ' ') {
        s++, len--;
    }
    while (len && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    char *text = strndup(s, len);
    if (!text) {
        return false;
    }
    const char *p = text + (text[0] == '+' || text[0] == '-');
    bool ok;
    if (strcmp(p, "NaN") == 0 || strcmp(p, "Infinity") == 0) {
        ok = true;
    } else {
        size_t n = strlen(text);
        bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        if (n && strchr("fFdD", text[n - 1]) && (!hex || strpbrk(p, "pP"))) {
            text[--n] = '\0';
        }
        ok = *p && !strpbrk(p, "nNiI") && (hex ? strpbrk(p, "pP") != NULL : !strpbrk(p, "xXpP"));
    }
    char *end = NULL;
    errno = 0;
    double d = ok ? (single ? strtof(text, &end) : strtod(text, &end)) : 0;
    ok = ok && end && *end == '\0';
    free(text);
    *out = d;
    return ok;
}

static char *base64(const unsigned char *data, size_t len)
{
    char *out = xmalloc(base64_encoded_len(len) + 1);
    base64_encode(data, len, out);
    return out;
}

/* Values.dateFormatFor(date).format(date), in UTC. */
static char *date_string(int64_t millis)
{
    const int64_t day = 86400000;
    int64_t secs = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
    int ms = (int)(millis - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    char buf[64];
    gmtime_r(&t, &tm);
    if (millis < day) {
        snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03dZ", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    } else if (millis % day == 0) {
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    } else {
        snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    }
    return strdup(buf);
}

/* The value as a Java object would be: a long, a double, a boolean, a
 * string, bytes, a BigDecimal or a Date. */
typedef enum { J_LONG, J_DOUBLE, J_BOOL, J_STRING, J_BYTES, J_DECIMAL, J_DATE } jkind_t;

static cd_value_t *cast_to_string(jkind_t kind, const cd_schema_t *schema, const cd_value_t *v, int64_t l, double d)
{
    char *text = NULL;
    size_t len = 0;
    switch (kind) {
    case J_LONG:
    {
        char buf[24];
        snprintf(buf, sizeof(buf), "%lld", (long long)l);
        text = strdup(buf);
        break;
    }
    case J_DOUBLE:
        text = smt_java_double_string(d, data_value_type(v) == CD_TYPE_FLOAT32);
        break;
    case J_BOOL:
        text = strdup(data_value_get_bool(v) ? "true" : "false");
        break;
    case J_STRING: {
        const char *s = data_value_get_string(v, &len);
        return data_value_string(s, len);
    }
    case J_BYTES: {
        const void *b = data_value_get_bytes(v, &len);
        text = base64(b, len);
        break;
    }
    case J_DECIMAL: {
        int64_t unscaled;
        int scale;
        smt_decimal_get(schema, v, &unscaled, &scale);
        text = smt_decimal_to_string(unscaled, scale);
        break;
    }
    case J_DATE:
        text = date_string(l);
        break;
    }
    cd_value_t *out = text ? data_value_string(text, strlen(text)) : NULL;
    free(text);
    return out;
}

/* castValueToType.  NULL with errstr on failure. */
static cd_value_t *cast_value(const cd_schema_t *schema, const cd_value_t *v, cd_type_t target, char *errstr,
                              size_t errstr_size)
{
    if (smt_is_null(v)) {
        return data_value_null();
    }
    cd_type_t type = schema ? data_schema_type(schema) : data_value_type(v);
    if (type < CD_TYPE_INT8 || type > CD_TYPE_BYTES) {
        snprintf(errstr, errstr_size,
                 "Cast transformation does not support casting from %s; supported types are " SUPPORTED_INPUT,
                 data_type_name(type));
        return NULL;
    }
    jkind_t kind;
    int64_t l = 0;
    double d = 0;
    switch (data_value_type(v)) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        kind = J_LONG;
        l = data_value_get_int(v);
        d = (double)l;
        if (smt_is_logical(schema, SMT_LOGICAL_DATE)) {
            kind = target == CD_TYPE_STRING ? J_DATE : J_LONG;
            l = target == CD_TYPE_STRING ? l * 86400000 : l;
        } else if (smt_is_logical(schema, SMT_LOGICAL_TIME) || smt_is_logical(schema, SMT_LOGICAL_TIMESTAMP)) {
            kind = target == CD_TYPE_STRING ? J_DATE : J_LONG;
        }
        break;
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        kind = J_DOUBLE;
        d = data_value_get_float(v);
        l = java_d2l(d);
        break;
    case CD_TYPE_BOOLEAN:
        kind = J_BOOL;
        l = data_value_get_bool(v) ? 1 : 0;
        d = (double)l;
        break;
    case CD_TYPE_STRING:
        kind = J_STRING;
        break;
    case CD_TYPE_BYTES:
        kind = J_BYTES;
        if (smt_is_logical(schema, SMT_LOGICAL_DECIMAL)) {
            int64_t unscaled;
            int scale;
            if (smt_decimal_get(schema, v, &unscaled, &scale) != 0) {
                snprintf(errstr, errstr_size, "Cast transformation supports Decimal values of up to 64 bits only");
                return NULL;
            }
            kind = J_DECIMAL;
            l = smt_decimal_to_long(unscaled, scale);
            d = smt_decimal_to_double(unscaled, scale);
        }
        break;
    default:
        snprintf(errstr, errstr_size, "Unexpected type in Cast transformation: class %s", smt_java_class(schema, v));
        return NULL;
    }

    if (target == CD_TYPE_STRING) {
        return cast_to_string(kind, schema, v, l, d);
    }
    if (kind == J_BYTES) {
        snprintf(errstr, errstr_size, "Unexpected type in Cast transformation: class %s", smt_java_class(schema, v));
        return NULL;
    }
    if (kind == J_STRING) {
        const char *s = data_value_get_string(v, NULL);
        bool ok = true;
        switch (target) {
        case CD_TYPE_INT8:
            ok = java_parse_long(s, INT8_MIN, INT8_MAX, &l);
            break;
        case CD_TYPE_INT16:
            ok = java_parse_long(s, INT16_MIN, INT16_MAX, &l);
            break;
        case CD_TYPE_INT32:
            ok = java_parse_long(s, INT32_MIN, INT32_MAX, &l);
            break;
        case CD_TYPE_INT64:
            ok = java_parse_long(s, INT64_MIN, INT64_MAX, &l);
            break;
        case CD_TYPE_FLOAT32:
        case CD_TYPE_FLOAT64:
            ok = java_parse_double(s, target == CD_TYPE_FLOAT32, &d);
            break;
        case CD_TYPE_BOOLEAN:
            return data_value_bool(strcasecmp(s, "true") == 0);
        default:
            break;
        }
        if (!ok) {
            snprintf(errstr, errstr_size, "Value (%s) was out of range for requested data type", s);
            return NULL;
        }
        return target == CD_TYPE_FLOAT32 || target == CD_TYPE_FLOAT64 ? data_value_float(target, d)
                                                                       : data_value_int(target, l);
    }
    /* Number.xxxValue(): a double narrows through int (byte, short, int)
     * or long; a long wraps. */
    switch (target) {
    case CD_TYPE_INT8:
        return data_value_int(target, (int8_t)(kind == J_DOUBLE ? java_d2i(d) : l));
    case CD_TYPE_INT16:
        return data_value_int(target, (int16_t)(kind == J_DOUBLE ? java_d2i(d) : l));
    case CD_TYPE_INT32:
        return data_value_int(target, kind == J_DOUBLE ? java_d2i(d) : (int32_t)l);
    case CD_TYPE_INT64:
        return data_value_int(target, l);
    case CD_TYPE_FLOAT32:
        return data_value_float(target, kind == J_DOUBLE || kind == J_DECIMAL ? (float)d : (float)l);
    case CD_TYPE_FLOAT64:
        return data_value_float(target, kind == J_DOUBLE || kind == J_DECIMAL ? d : (double)l);
    case CD_TYPE_BOOLEAN:
        return data_value_bool(l != 0);
    default:
        break;
    }
    snprintf(errstr, errstr_size, "%s is not supported in the Cast transformation.", data_type_name(target));
    return NULL;
}

/* ---- apply -------------------------------------------------------------------- */

static cd_schema_t *updated_schema(const cast_t *xf, const cd_schema_t *schema)
{
    cd_schema_t *builder;
    if (xf->whole != CD_TYPE_NULL) {
        builder = smt_schema_copy_basics(schema, data_schema_new(xf->whole, data_schema_optional(schema)));
    } else {
        builder = smt_schema_copy_basics(schema, data_schema_struct(data_schema_optional(schema)));
        for (int i = 0; i < data_schema_field_count(schema); i++) {
            const char *name = data_schema_field_name(schema, i);
            const cd_schema_t *field = data_schema_field_schema(schema, i);
            cd_type_t type = cast_type_of(xf, name);
            data_schema_add_field(builder, name,
                                  type != CD_TYPE_NULL ? data_schema_new(type, data_schema_optional(field))
                                                       : data_schema_ref((cd_schema_t *)field));
        }
    }
    return builder;
}

static int apply_schemaless(cast_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (xf->whole != CD_TYPE_NULL) {
        cd_value_t *cast = cast_value(NULL, value, xf->whole, errstr, errstr_size);
        if (!cast) {
            return -1;
        }
        smt_set(rec, xf->target, NULL, cast);
        return 0;
    }
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *updated = data_value_copy(value);
    for (size_t i = 0; i < xf->specs.count; i++) {
        const char *name = xf->specs.items[i].field;
        cd_value_t *cast = cast_value(NULL, data_value_map_get(value, name), xf->specs.items[i].type, errstr,
                                      errstr_size);
        if (!cast) {
            data_value_free(updated);
            return -1;
        }
        data_value_map_put(updated, data_value_string(name, strlen(name)), cast);
    }
    smt_set(rec, xf->target, NULL, updated);
    return 0;
}

static int apply_with_schema(cast_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    cd_schema_t *out = smt_schema_cache_get(&xf->cache, schema);
    if (!out) {
        out = updated_schema(xf, schema);
        smt_schema_cache_put(&xf->cache, schema, out);
    }
    if (xf->whole != CD_TYPE_NULL) {
        cd_value_t *cast = cast_value(schema, value, xf->whole, errstr, errstr_size);
        if (!cast) {
            return -1;
        }
        smt_set(rec, xf->target, data_schema_ref(out), cast);
        return 0;
    }
    if (smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *in = data_value_struct_schema(value);
    cd_value_t *updated = data_value_struct(out);
    for (int i = 0; i < data_schema_field_count(in); i++) {
        const char *name = data_schema_field_name(in, i);
        const cd_value_t *orig = data_value_struct_get(value, name);
        cd_type_t type = cast_type_of(xf, name);
        cd_value_t *v = type != CD_TYPE_NULL
                            ? cast_value(data_schema_field_schema(in, i), orig, type, errstr, errstr_size)
                            : smt_copy(orig);
        if (!v || smt_struct_put(updated, name, v, errstr, errstr_size) != 0) {
            data_value_free(updated);
            return -1;
        }
    }
    smt_set(rec, xf->target, data_schema_ref(out), updated);
    return 0;
}

static int cast_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    cast_t *xf = instance;
    *out = rec;
    if (smt_is_null(smt_value_of(rec, xf->target))) {
        return 0;
    }
    if (!smt_schema_of(rec, xf->target)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_cast = {
    .name = "Cast",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller "
           "width. Cast from integers, floats, boolean and string to any other type, and cast binary to string "
           "(base64 encoded)." SMT_VARIANTS_DOC("Cast"),
    .config = cast_config,
    .create = cast_create,
    .apply = cast_apply,
    .destroy = cast_destroy,
};
