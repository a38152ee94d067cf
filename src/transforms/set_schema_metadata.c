/*
 * set_schema_metadata.c - Kafka's SetSchemaMetadata$Key / $Value: sets the
 * name, the version or both of the key/value schema; everything else of
 * the schema (type, optional, doc, parameters, fields, items) is kept.
 *
 *   schema.name=foo schema.version=42  on a struct valued record  ->  schema "foo" v42
 *
 * A Struct refers to its schema, so Kafka rebuilds a Struct value against
 * the renamed schema (field values copied as they are; nested structs keep
 * theirs); other values pass unchanged.  A schemaless record with a null
 * key/value passes; one with a value fails ("Schema required for
 * [updating schema metadata]").
 */
#include "field_common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "updating schema metadata"

static const cd_config_def_t set_schema_metadata_config[] = {
    {.name = "schema.name", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_HIGH, .doc = "Schema name to set."},
    {.name = "schema.version", .type = CD_CFG_INT, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Schema version to set."},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

typedef struct set_schema_metadata {
    transform_target_t target;
    char *name;      /* NULL: keep the schema's */
    bool has_version;
    int32_t version;
    smt_schema_cache_t cache; /* the renamed schema */
} set_schema_metadata_t;

static void set_schema_metadata_destroy(void *instance)
{
    set_schema_metadata_t *ssm = instance;
    if (ssm) {
        free(ssm->name);
        smt_schema_cache_clear(&ssm->cache);
        free(ssm);
    }
}

static void *set_schema_metadata_create(const properties_t *config, transform_target_t target, char *errstr,
                                        size_t errstr_size)
{
    set_schema_metadata_t *ssm = calloc(1, sizeof(*ssm));
    if (!ssm) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    ssm->target = target;
    const char *name = smt_config(config, "schema.name", NULL);
    const char *version = smt_config(config, "schema.version", NULL);
    if (name) {
        ssm->name = smt_trimmed_copy(name);
    }
    if (version) {
        char *end;
        errno = 0;
        long v = strtol(version, &end, 10);
        while (*end == ' ' || *end == '\t') {
            end++;
        }
        if (errno || end == version || *end || v < INT32_MIN || v > INT32_MAX) {
            snprintf(errstr, errstr_size, "Invalid value %s for configuration schema.version: Not a number of type INT",
                     version);
            set_schema_metadata_destroy(ssm);
            return NULL;
        }
        ssm->has_version = true;
        ssm->version = (int32_t)v;
    }
    if (!ssm->name && !ssm->has_version) {
        snprintf(errstr, errstr_size, "Neither schema name nor version configured");
        set_schema_metadata_destroy(ssm);
        return NULL;
    }
    return ssm;
}

static int set_schema_metadata_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                                     size_t errstr_size)
{
    set_schema_metadata_t *ssm = instance;
    const cd_schema_t *schema = smt_schema_of(rec, ssm->target);
    const cd_value_t *value = smt_value_of(rec, ssm->target);
    *out = rec;
    if (!schema && smt_is_null(value)) {
        return 0;
    }
    if (!schema) {
        snprintf(errstr, errstr_size, "Schema required for [%s]", PURPOSE);
        return -1;
    }
    cd_schema_t *updated = smt_schema_cache_get(&ssm->cache, schema);
    if (updated) {
        data_schema_ref(updated);
    } else {
        updated = smt_schema_copy(schema, data_schema_optional(schema));
        if (ssm->name) {
            data_schema_set_name(updated, ssm->name);
        }
        if (ssm->has_version) {
            data_schema_set_version(updated, ssm->version);
        }
        smt_schema_cache_put(&ssm->cache, schema, data_schema_ref(updated));
    }
    if (!smt_is_null(value) && data_value_type(value) == CD_TYPE_STRUCT) {
        cd_value_t *st = data_value_struct(updated);
        for (int i = 0; i < data_schema_field_count(updated); i++) {
            const char *name = data_schema_field_name(updated, i);
            if (smt_struct_put(st, name, smt_copy(data_value_struct_get(value, name)), errstr, errstr_size) < 0) {
                data_value_free(st);
                data_schema_unref(updated);
                return -1;
            }
        }
        smt_set(rec, ssm->target, updated, st);
    } else {
        /* The record keeps the value itself; setting what it holds frees nothing. */
        smt_set(rec, ssm->target, updated, (cd_value_t *)value);
    }
    return 0;
}

const transform_def_t transform_set_schema_metadata = {
    .name = "SetSchemaMetadata",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Set the schema name, version or both on the record's key (<code>" SMT_PACKAGE
           ".SetSchemaMetadata$Key</code>) or value (<code>" SMT_PACKAGE ".SetSchemaMetadata$Value</code>) schema.",
    .config = set_schema_metadata_config,
    .create = set_schema_metadata_create,
    .apply = set_schema_metadata_apply,
    .destroy = set_schema_metadata_destroy,
};
