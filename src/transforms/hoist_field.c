/*
 * hoist_field.c - Kafka's HoistField$Key / $Value: wraps the whole key/value
 * in a one-field Struct (schema: a new required struct whose one field has
 * the old schema) or, without a schema, a one-entry Map.  Nulls are
 * wrapped too.
 *
 *   field=line  on "foo"  ->  {"line":"foo"}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cd_config_def_t hoist_field_config[] = {
    {.name = "field", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for the single field that will be created in the resulting Struct or Map."},
    {.name = NULL},
};

typedef struct hoist_field {
    transform_target_t target;
    char *field;
    smt_schema_cache_t cache;
} hoist_field_t;

static void hoist_field_destroy(void *instance)
{
    hoist_field_t *xf = instance;
    if (xf) {
        free(xf->field);
        smt_schema_cache_clear(&xf->cache);
        free(xf);
    }
}

static void *hoist_field_create(const properties_t *config, transform_target_t target, char *errstr,
                                size_t errstr_size)
{
    const char *field = smt_config(config, "field", NULL);
    if (!field) {
        snprintf(errstr, errstr_size, "Missing required configuration \"field\" which has no default value.");
        return NULL;
    }
    hoist_field_t *xf = calloc(1, sizeof(*xf));
    if (!xf || !(xf->field = strdup(field))) {
        free(xf);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    return xf;
}

static int hoist_field_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    hoist_field_t *xf = instance;
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    *out = rec;
    if (!schema) {
        cd_value_t *map = data_value_map();
        data_value_map_put(map, data_value_string(xf->field, strlen(xf->field)), smt_copy(value));
        smt_set(rec, xf->target, NULL, map);
        return 0;
    }
    cd_schema_t *st = smt_schema_cache_get(&xf->cache, schema);
    if (!st) {
        st = data_schema_struct(false);
        data_schema_add_field(st, xf->field, data_schema_ref((cd_schema_t *)schema));
        smt_schema_cache_put(&xf->cache, schema, st);
    }
    cd_value_t *wrapped = data_value_struct(st);
    if (smt_struct_put(wrapped, xf->field, smt_copy(value), errstr, errstr_size) != 0) {
        data_value_free(wrapped);
        return -1;
    }
    smt_set(rec, xf->target, data_schema_ref(st), wrapped);
    return 0;
}

const transform_def_t transform_hoist_field = {
    .name = "HoistField",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Wrap data using the specified field name in a Struct when schema present, or a Map in the case of "
           "schemaless data." SMT_VARIANTS_DOC("HoistField"),
    .config = hoist_field_config,
    .create = hoist_field_create,
    .apply = hoist_field_apply,
    .destroy = hoist_field_destroy,
};
