/*
 * value_to_key.c - Kafka's ValueToKey: the key becomes a Struct (or, without
 * a schema, a Map) of the listed fields copied from the value, in the
 * order listed.  The key schema is a new required struct of the value's
 * field schemas; a listed field the value schema lacks is an error
 * ("Field does not exist: x"), one a Map lacks becomes null.  The value is
 * untouched.  No variants; a null value is an error, as in Kafka.
 *
 *   fields=id  on value {"id":7,"name":"x"}  ->  key {"id":7}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "copying fields from value to key"

static const cd_config_def_t value_to_key_config[] = {
    {.name = "fields", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Field names on the record value to extract as the record key.", .validate = smt_validate_non_empty_list},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

typedef struct value_to_key {
    smt_list_t fields;
    smt_schema_cache_t cache;
} value_to_key_t;

static void value_to_key_destroy(void *instance)
{
    value_to_key_t *xf = instance;
    if (xf) {
        smt_list_clear(&xf->fields);
        smt_schema_cache_clear(&xf->cache);
        free(xf);
    }
}

static void *value_to_key_create(const properties_t *config, transform_target_t target, char *errstr,
                                 size_t errstr_size)
{
    const char *fields = smt_config(config, "fields", NULL);
    char why[64];
    (void)target;
    if (!fields) {
        snprintf(errstr, errstr_size, "Missing required configuration \"fields\" which has no default value.");
        return NULL;
    }
    if (smt_validate_non_empty_list(fields, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration fields: %s", fields, why);
        return NULL;
    }
    value_to_key_t *xf = calloc(1, sizeof(*xf));
    if (!xf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    smt_list_parse(&xf->fields, fields);
    return xf;
}

static int apply_schemaless(value_to_key_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = data_record_value(rec);
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *key = data_value_map();
    for (size_t i = 0; i < xf->fields.count; i++) {
        const char *name = xf->fields.items[i];
        data_value_map_put(key, data_value_string(name, strlen(name)), smt_copy(data_value_map_get(value, name)));
    }
    data_record_set_key(rec, NULL, key);
    return 0;
}

static int apply_with_schema(value_to_key_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = data_record_value(rec);
    if (smt_require_struct(data_record_value_schema(rec), value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *in = data_value_struct_schema(value);
    cd_schema_t *key_schema = smt_schema_cache_get(&xf->cache, in);
    if (!key_schema) {
        key_schema = data_schema_struct(false);
        for (size_t i = 0; i < xf->fields.count; i++) {
            const char *name = xf->fields.items[i];
            int at = smt_schema_field_index(in, name);
            if (at < 0) {
                snprintf(errstr, errstr_size, "Field does not exist: %s", name);
                data_schema_unref(key_schema);
                return -1;
            }
            if (smt_schema_add_field(key_schema, name, data_schema_ref((cd_schema_t *)data_schema_field_schema(in, at)),
                                     errstr, errstr_size) != 0) {
                data_schema_unref(key_schema);
                return -1;
            }
        }
        smt_schema_cache_put(&xf->cache, in, key_schema);
    }
    cd_value_t *key = data_value_struct(key_schema);
    for (size_t i = 0; i < xf->fields.count; i++) {
        const char *name = xf->fields.items[i];
        if (smt_struct_put(key, name, smt_copy(data_value_struct_get(value, name)), errstr, errstr_size) != 0) {
            data_value_free(key);
            return -1;
        }
    }
    data_record_set_key(rec, data_schema_ref(key_schema), key);
    return 0;
}

static int value_to_key_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                              size_t errstr_size)
{
    value_to_key_t *xf = instance;
    *out = rec;
    if (!data_record_value_schema(rec)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_value_to_key = {
    .name = "ValueToKey",
    .package = SMT_PACKAGE,
    .has_variants = false,
    .doc = "Replace the record key with a new key formed from a subset of fields in the record value.",
    .config = value_to_key_config,
    .create = value_to_key_create,
    .apply = value_to_key_apply,
    .destroy = value_to_key_destroy,
};
