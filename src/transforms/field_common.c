/* field_common.c - helpers of the field transforms (field_common.h). */
#include "field_common.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *smt_trimmed_copy(const char *s)
{
    while (*s && (unsigned char)*s <= ' ') {
        s++;
    }
    size_t len = strlen(s);
    while (len && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    return strndup(s, len);
}

const char *smt_config(const properties_t *config, const char *key, const char *def)
{
    const char *v = config ? properties_get(config, key) : NULL;
    return v ? v : def;
}

/* Java's String.trim() bounds of s[0..len). */
static void trim_bounds(const char **s, size_t *len)
{
    while (*len && (unsigned char)(*s)[0] <= ' ') {
        (*s)++;
        (*len)--;
    }
    while (*len && (unsigned char)(*s)[*len - 1] <= ' ') {
        (*len)--;
    }
}

static void list_push(smt_list_t *list, const char *s, size_t len)
{
    trim_bounds(&s, &len);
    char **grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
    if (!grown) {
        return;
    }
    list->items = grown;
    list->items[list->count] = strndup(s, len);
    if (list->items[list->count]) {
        list->count++;
    }
}

void smt_list_parse(smt_list_t *list, const char *text)
{
    list->items = NULL;
    list->count = 0;
    if (!text) {
        return;
    }
    size_t len = strlen(text);
    trim_bounds(&text, &len);
    if (len == 0) {
        return;
    }
    const char *start = text;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == ',') {
            list_push(list, start, (size_t)(text + i - start));
            start = text + i + 1;
        }
    }
}

bool smt_list_contains(const smt_list_t *list, const char *item)
{
    for (size_t i = 0; item && i < list->count; i++) {
        if (strcmp(list->items[i], item) == 0) {
            return true;
        }
    }
    return false;
}

void smt_list_clear(smt_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i]);
    }
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

void *smt_create_stateless(const properties_t *config, transform_target_t target, char *errstr, size_t errstr_size)
{
    (void)config;
    (void)target;
    (void)errstr;
    (void)errstr_size;
    static const char instance = 0;
    return (void *)&instance;
}

int smt_validate_non_empty_list(const char *value, char *errbuf, size_t errlen)
{
    smt_list_t list;
    smt_list_parse(&list, value);
    bool empty = list.count == 0;
    smt_list_clear(&list);
    if (empty) {
        snprintf(errbuf, errlen, "Empty list");
        return -1;
    }
    return 0;
}

int smt_validate_non_empty_string(const char *value, char *errbuf, size_t errlen)
{
    const char *p = value;
    while (p && *p && (unsigned char)*p <= ' ') {
        p++;
    }
    if (value && !*p) {
        snprintf(errbuf, errlen, "String must be non-empty");
        return -1;
    }
    return 0;
}

const cd_schema_t *smt_schema_of(const cd_record_t *rec, transform_target_t target)
{
    return target == TRANSFORM_KEY ? data_record_key_schema(rec) : data_record_value_schema(rec);
}

const cd_value_t *smt_value_of(const cd_record_t *rec, transform_target_t target)
{
    return target == TRANSFORM_KEY ? data_record_key(rec) : data_record_value(rec);
}

void smt_set(cd_record_t *rec, transform_target_t target, cd_schema_t *schema, cd_value_t *value)
{
    if (target == TRANSFORM_KEY) {
        data_record_set_key(rec, schema, value);
    } else {
        data_record_set_value(rec, schema, value);
    }
}

bool smt_is_null(const cd_value_t *v)
{
    return !v || data_value_type(v) == CD_TYPE_NULL;
}

bool smt_is_logical(const cd_schema_t *schema, const char *logical_name)
{
    const char *name = schema ? data_schema_name(schema) : NULL;
    return name && strcmp(name, logical_name) == 0;
}

const char *smt_java_class(const cd_schema_t *schema, const cd_value_t *v)
{
    switch (smt_is_null(v) ? CD_TYPE_NULL : data_value_type(v)) {
    case CD_TYPE_NULL:
        return "null";
    case CD_TYPE_INT8:
        return "java.lang.Byte";
    case CD_TYPE_INT16:
        return "java.lang.Short";
    case CD_TYPE_INT32:
        return smt_is_logical(schema, SMT_LOGICAL_DATE) || smt_is_logical(schema, SMT_LOGICAL_TIME)
                   ? "java.util.Date"
                   : "java.lang.Integer";
    case CD_TYPE_INT64:
        return smt_is_logical(schema, SMT_LOGICAL_TIMESTAMP) ? "java.util.Date" : "java.lang.Long";
    case CD_TYPE_FLOAT32:
        return "java.lang.Float";
    case CD_TYPE_FLOAT64:
        return "java.lang.Double";
    case CD_TYPE_BOOLEAN:
        return "java.lang.Boolean";
    case CD_TYPE_STRING:
        return "java.lang.String";
    case CD_TYPE_BYTES:
        return smt_is_logical(schema, SMT_LOGICAL_DECIMAL) ? "java.math.BigDecimal" : "[B";
    case CD_TYPE_ARRAY:
        return "java.util.ArrayList";
    case CD_TYPE_MAP:
        return "java.util.HashMap";
    case CD_TYPE_STRUCT:
        return "org.apache.kafka.connect.data.Struct";
    }
    return "java.lang.Object";
}

int smt_require_struct(const cd_schema_t *schema, const cd_value_t *v, const char *purpose, char *errstr,
                       size_t errstr_size)
{
    if (!smt_is_null(v) && data_value_type(v) == CD_TYPE_STRUCT) {
        return 0;
    }
    snprintf(errstr, errstr_size, "Only Struct objects supported for [%s], found: %s", purpose,
             smt_java_class(schema, v));
    return -1;
}

int smt_require_map(const cd_value_t *v, const char *purpose, char *errstr, size_t errstr_size)
{
    if (!smt_is_null(v) && data_value_type(v) == CD_TYPE_MAP) {
        return 0;
    }
    snprintf(errstr, errstr_size, "Only Map objects supported in absence of schema for [%s], found: %s", purpose,
             smt_java_class(NULL, v));
    return -1;
}

cd_schema_t *smt_schema_copy_basics(const cd_schema_t *src, cd_schema_t *builder)
{
    if (!builder) {
        return NULL;
    }
    data_schema_set_name(builder, data_schema_name(src));
    data_schema_set_version(builder, data_schema_version(src));
    data_schema_set_doc(builder, data_schema_doc(src));
    for (size_t i = 0; i < data_schema_parameter_count(src); i++) {
        data_schema_set_parameter(builder, data_schema_parameter_key(src, i), data_schema_parameter_value(src, i));
    }
    return builder;
}

cd_schema_t *smt_schema_copy(const cd_schema_t *src, bool optional)
{
    cd_schema_t *builder;
    switch (data_schema_type(src)) {
    case CD_TYPE_ARRAY:
        builder = data_schema_array(data_schema_ref((cd_schema_t *)data_schema_items(src)), optional);
        break;
    case CD_TYPE_MAP:
        builder = data_schema_map(data_schema_ref((cd_schema_t *)data_schema_keys(src)),
                                  data_schema_ref((cd_schema_t *)data_schema_values(src)), optional);
        break;
    case CD_TYPE_STRUCT:
        builder = data_schema_struct(optional);
        for (int i = 0; builder && i < data_schema_field_count(src); i++) {
            data_schema_add_field(builder, data_schema_field_name(src, i),
                                  data_schema_ref((cd_schema_t *)data_schema_field_schema(src, i)));
        }
        break;
    default:
        builder = data_schema_new(data_schema_type(src), optional);
        break;
    }
    return smt_schema_copy_basics(src, builder);
}

int smt_schema_field_index(const cd_schema_t *st, const char *name)
{
    int n = data_schema_type(st) == CD_TYPE_STRUCT ? data_schema_field_count(st) : 0;
    for (int i = 0; name && i < n; i++) {
        if (strcmp(data_schema_field_name(st, i), name) == 0) {
            return i;
        }
    }
    return -1;
}

int smt_schema_add_field(cd_schema_t *st, const char *name, cd_schema_t *field, char *errstr, size_t errstr_size)
{
    if (smt_schema_field_index(st, name) >= 0) {
        data_schema_unref(field);
        snprintf(errstr, errstr_size, "Cannot create field because of field name duplication %s", name);
        return -1;
    }
    data_schema_add_field(st, name, field);
    return 0;
}

int smt_struct_put(cd_value_t *st, const char *field, cd_value_t *v, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = data_value_struct_schema(st);
    int i = smt_schema_field_index(schema, field);
    const cd_schema_t *want = i >= 0 ? data_schema_field_schema(schema, i) : NULL;
    if (!want) {
        data_value_free(v);
        snprintf(errstr, errstr_size, "%s is not a valid field name", field);
        return -1;
    }
    if (smt_is_null(v) && !data_schema_optional(want)) {
        data_value_free(v);
        snprintf(errstr, errstr_size, "Invalid value: null used for required field: \"%s\", schema type: %s",
                 field, data_type_name(data_schema_type(want)));
        return -1;
    }
    cd_type_t type = smt_is_null(v) ? CD_TYPE_NULL : data_value_type(v);
    if (data_value_struct_set(st, field, v) != CD_OK) {
        /* After Kafka's ConnectSchema.validateValue. */
        snprintf(errstr, errstr_size, "Invalid Java object for schema with type %s: %s for field: \"%s\"",
                 data_type_name(data_schema_type(want)), data_type_name(type), field);
        return -1;
    }
    return 0;
}

const char *smt_map_key(const cd_value_t *map, size_t i)
{
    const cd_value_t *key = data_value_map_key_at(map, i);
    if (smt_is_null(key) || data_value_type(key) != CD_TYPE_STRING) {
        return NULL;
    }
    return data_value_get_string(key, NULL);
}

cd_value_t *smt_copy(const cd_value_t *v)
{
    return v ? data_value_copy(v) : data_value_null();
}

cd_schema_t *smt_schema_cache_get(const smt_schema_cache_t *cache, const cd_schema_t *in)
{
    if (!cache->in || !in) {
        return NULL;
    }
    return cache->in == in || data_schema_equal(cache->in, in) ? cache->out : NULL;
}

void smt_schema_cache_put(smt_schema_cache_t *cache, const cd_schema_t *in, cd_schema_t *out)
{
    smt_schema_cache_clear(cache);
    cache->in = data_schema_ref((cd_schema_t *)in);
    cache->out = out;
}

void smt_schema_cache_clear(smt_schema_cache_t *cache)
{
    data_schema_unref(cache->in);
    data_schema_unref(cache->out);
    cache->in = NULL;
    cache->out = NULL;
}

/* ---- numbers -------------------------------------------------------------------- */

int smt_decimal_get(const cd_schema_t *schema, const cd_value_t *v, int64_t *unscaled, int *scale)
{
    size_t len = 0;
    const unsigned char *b = data_value_get_bytes(v, &len);
    const char *s = data_schema_parameter(schema, "scale");
    *scale = s ? atoi(s) : 0;
    if (!b || len == 0 || len > 8) {
        *unscaled = 0;
        return b && len == 0 ? 0 : -1;
    }
    uint64_t u = (b[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < len; i++) {
        u = (u << 8) | b[i];
    }
    *unscaled = (int64_t)u;
    return 0;
}

cd_value_t *smt_decimal_value(int64_t unscaled)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)((uint64_t)unscaled >> (56 - 8 * i));
    }
    /* BigInteger.toByteArray: drop leading bytes that only repeat the sign. */
    size_t start = 0;
    while (start < 7 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) || (b[start] == 0xff && (b[start + 1] & 0x80)))) {
        start++;
    }
    return data_value_bytes(b + start, 8 - start);
}

char *smt_decimal_to_string(int64_t unscaled, int scale)
{
    char digits[32];
    bool neg = unscaled < 0;
    snprintf(digits, sizeof(digits), "%llu",
             neg ? (unsigned long long)(-(uint64_t)unscaled) : (unsigned long long)unscaled);
    int n = (int)strlen(digits);
    long adjusted = -(long)scale + (n - 1);
    size_t cap = (size_t)n + (scale > 0 ? (size_t)scale : 0) + 32;
    char *out = malloc(cap);
    if (!out) {
        return NULL;
    }
    char *p = out;
    if (neg) {
        *p++ = '-';
    }
    if (scale == 0) {
        snprintf(p, cap - 1, "%s", digits);
    } else if (scale > 0 && adjusted >= -6) {
        if (n > scale) {
            snprintf(p, cap - 1, "%.*s.%s", n - scale, digits, digits + n - scale);
        } else {
            p += sprintf(p, "0.");
            for (int i = 0; i < scale - n; i++) {
                *p++ = '0';
            }
            snprintf(p, cap - (size_t)(p - out), "%s", digits);
        }
    } else {
        /* Scientific notation: d.ddd E[+-]adjusted. */
        if (n > 1) {
            p += sprintf(p, "%c.%s", digits[0], digits + 1);
        } else {
            p += sprintf(p, "%s", digits);
        }
        sprintf(p, "E%s%ld", adjusted >= 0 ? "+" : "", adjusted);
    }
    return out;
}

int64_t smt_decimal_to_long(int64_t unscaled, int scale)
{
    int64_t v = unscaled;
    for (int i = 0; i < scale && v != 0; i++) {
        v /= 10;
    }
    for (int i = 0; i < -scale; i++) {
        v = (int64_t)((uint64_t)v * 10u);
    }
    return v;
}

double smt_decimal_to_double(int64_t unscaled, int scale)
{
    char text[48];
    snprintf(text, sizeof(text), "%lldE%d", (long long)unscaled, -scale);
    return strtod(text, NULL);
}

bool smt_is_bigdecimal(const char *s)
{
    size_t digits = 0;
    bool dot = false;
    if (!s) {
        return false;
    }
    if (*s == '+' || *s == '-') {
        s++;
    }
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (isdigit((unsigned char)*s)) {
            digits++;
        } else if (*s == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (*s) {
        s++;
        if (*s == '+' || *s == '-') {
            s++;
        }
        if (!*s) {
            return false;
        }
        for (; *s; s++) {
            if (!isdigit((unsigned char)*s)) {
                return false;
            }
        }
    }
    return true;
}

/* Java's (long) of a double: truncation, saturating, NaN to 0. */
static int64_t java_d2l(long double d)
{
    if (isnan(d)) {
        return 0;
    }
    if (d >= 9223372036854775807.0L) {
        return INT64_MAX;
    }
    if (d <= -9223372036854775808.0L) {
        return INT64_MIN;
    }
    return (int64_t)d;
}

int64_t smt_bigdecimal_long(const char *s)
{
    if (!strpbrk(s, ".eE")) {
        /* An integer: BigInteger.longValue keeps the low 64 bits. */
        const char *p = s + (*s == '+' || *s == '-');
        uint64_t u = 0;
        for (; *p; p++) {
            u = u * 10u + (uint64_t)(*p - '0');
        }
        return (int64_t)(*s == '-' ? -u : u);
    }
    return java_d2l(truncl(strtold(s, NULL)));
}

double smt_bigdecimal_double(const char *s)
{
    return strtod(s, NULL);
}

char *smt_java_double_string(double d, bool single)
{
    cd_value_t *v = data_value_float(single ? CD_TYPE_FLOAT32 : CD_TYPE_FLOAT64, d);
    char *json = data_value_to_json(v);
    data_value_free(v);
    if (json && json[0] == '"') {
        /* NaN and the infinities are quoted in JSON, bare in Java. */
        size_t len = strlen(json);
        memmove(json, json + 1, len - 2);
        json[len - 2] = '\0';
    }
    return json;
}
