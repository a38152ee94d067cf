/*
 * flatten.c - Kafka's Flatten$Key / $Value: nested Structs (with a schema)
 * or Maps (without) become one level, each leaf named by the path to it
 * joined with `delimiter` (default ".").  Arrays and their contents are
 * left alone; a Map inside a Struct is an error, as a Struct inside a Map.
 *
 * The new schema keeps the old one's name, version, doc and parameters
 * (built required, as Kafka does); a leaf is optional when it or any
 * struct above it is, and keeps its own name, version, doc and
 * parameters.  A null nested struct leaves its leaves null.  Map entries
 * keep their order.  A null key/value passes unchanged.
 *
 *   {"a":{"b":1,"c":{"d":"x"}},"e":[1]}  ->  {"a.b":1,"a.c.d":"x","e":[1]}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "flattening"

static const cd_config_def_t flatten_config[] = {
    {.name = "delimiter", .type = CD_CFG_STRING, .default_value = ".", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Delimiter to insert between field names from the input record when generating field names for the "
            "output record"},
    {.name = NULL},
};

typedef struct flatten {
    transform_target_t target;
    char *delimiter;
    smt_schema_cache_t cache;
} flatten_t;

static void flatten_destroy(void *instance)
{
    flatten_t *xf = instance;
    if (xf) {
        free(xf->delimiter);
        smt_schema_cache_clear(&xf->cache);
        free(xf);
    }
}

static void *flatten_create(const properties_t *config, transform_target_t target, char *errstr, size_t errstr_size)
{
    flatten_t *xf = calloc(1, sizeof(*xf));
    if (!xf || !(xf->delimiter = strdup(smt_config(config, "delimiter", ".")))) {
        free(xf);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    return xf;
}

/* prefix.isEmpty() ? name : prefix + delimiter + name; malloc'd. */
static char *field_name(const flatten_t *xf, const char *prefix, const char *name)
{
    size_t plen = strlen(prefix), dlen = plen ? strlen(xf->delimiter) : 0, nlen = strlen(name);
    char *out = malloc(plen + dlen + nlen + 1);
    if (out) {
        memcpy(out, prefix, plen);
        memcpy(out + plen, plen ? xf->delimiter : "", dlen);
        memcpy(out + plen + dlen, name, nlen + 1);
    }
    return out;
}

static int flatten_map(const flatten_t *xf, const cd_value_t *map, const char *prefix, cd_value_t *out, char *errstr,
                       size_t errstr_size)
{
    for (size_t i = 0; i < data_value_count(map); i++) {
        const char *key = smt_map_key(map, i);
        const cd_value_t *v = data_value_map_value_at(map, i);
        if (!key) {
            snprintf(errstr, errstr_size, "Flatten transformation supports only string map keys, found: %s",
                     smt_java_class(NULL, data_value_map_key_at(map, i)));
            return -1;
        }
        char *name = field_name(xf, prefix, key);
        int rc = 0;
        switch (smt_is_null(v) ? CD_TYPE_NULL : data_value_type(v)) {
        case CD_TYPE_MAP:
            rc = flatten_map(xf, v, name, out, errstr, errstr_size);
            break;
        case CD_TYPE_STRUCT:
            snprintf(errstr, errstr_size,
                     "Flatten transformation does not support class %s for record without schemas (for field %s).",
                     smt_java_class(NULL, v), name);
            rc = -1;
            break;
        default:
            data_value_map_put(out, data_value_string(name, strlen(name)), smt_copy(v));
            break;
        }
        free(name);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

static int apply_schemaless(flatten_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *updated = data_value_map();
    if (flatten_map(xf, value, "", updated, errstr, errstr_size) != 0) {
        data_value_free(updated);
        return -1;
    }
    smt_set(rec, xf->target, NULL, updated);
    return 0;
}

/* buildUpdatedSchema. */
static int build_schema(const flatten_t *xf, const cd_schema_t *schema, const char *prefix, cd_schema_t *out,
                        bool optional, char *errstr, size_t errstr_size)
{
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const cd_schema_t *field = data_schema_field_schema(schema, i);
        char *name = field_name(xf, prefix, data_schema_field_name(schema, i));
        bool field_optional = optional || data_schema_optional(field);
        int rc = 0;
        switch (data_schema_type(field)) {
        case CD_TYPE_STRUCT:
            rc = build_schema(xf, field, name, out, field_optional, errstr, errstr_size);
            break;
        case CD_TYPE_MAP:
            snprintf(errstr, errstr_size,
                     "Flatten transformation does not support MAP for record with schemas (for field %s).", name);
            rc = -1;
            break;
        default:
            rc = smt_schema_add_field(out, name, smt_schema_copy(field, field_optional), errstr, errstr_size);
            break;
        }
        free(name);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

/* buildWithSchema. */
static int build_value(const flatten_t *xf, const cd_value_t *st, const char *prefix, cd_value_t *out, char *errstr,
                       size_t errstr_size)
{
    const cd_schema_t *schema = data_value_struct_schema(st);
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const char *field = data_schema_field_name(schema, i);
        const cd_value_t *v = data_value_struct_get(st, field);
        char *name = field_name(xf, prefix, field);
        int rc = 0;
        if (data_schema_type(data_schema_field_schema(schema, i)) == CD_TYPE_STRUCT) {
            if (!smt_is_null(v)) {
                rc = build_value(xf, v, name, out, errstr, errstr_size);
            }
        } else {
            rc = smt_struct_put(out, name, smt_copy(v), errstr, errstr_size);
        }
        free(name);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

static int apply_with_schema(flatten_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_schema_t *out = smt_schema_cache_get(&xf->cache, schema);
    if (!out) {
        out = smt_schema_copy_basics(schema, data_schema_struct(false));
        if (build_schema(xf, schema, "", out, data_schema_optional(schema), errstr, errstr_size) != 0) {
            data_schema_unref(out);
            return -1;
        }
        smt_schema_cache_put(&xf->cache, schema, out);
    }
    cd_value_t *updated = data_value_struct(out);
    if (build_value(xf, value, "", updated, errstr, errstr_size) != 0) {
        data_value_free(updated);
        return -1;
    }
    smt_set(rec, xf->target, data_schema_ref(out), updated);
    return 0;
}

static int flatten_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    flatten_t *xf = instance;
    *out = rec;
    if (smt_is_null(smt_value_of(rec, xf->target))) {
        return 0;
    }
    if (!smt_schema_of(rec, xf->target)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_flatten = {
    .name = "Flatten",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Flatten a nested data structure, generating names for each field by concatenating the field names at "
           "each level with a configurable delimiter character. Applies to Struct when schema present, or a Map in "
           "the case of schemaless data. Array fields and their contents are not modified. The default delimiter is "
           "'.'." SMT_VARIANTS_DOC("Flatten"),
    .config = flatten_config,
    .create = flatten_create,
    .apply = flatten_apply,
    .destroy = flatten_destroy,
};
