/*
 * header_from.c - Kafka's HeaderFrom$Key / $Value: copies (`operation=copy`)
 * or moves (`move`: also removed from the key/value) the listed `fields`
 * into headers named by the matching entry of `headers`, appended after
 * the record's existing headers.
 *
 *   fields=id headers=record-id operation=move  on {"id":7,"n":1}  ->  {"n":1}, header record-id=7
 *
 * With a schema the value must be a Struct and each header gets the
 * field's schema; a moved-from struct gets a schema without those fields,
 * built as Kafka's copySchemaBasics does it (name, version, doc and
 * parameters kept, but required even when the original was optional).
 * Without a schema the value must be a Map; a field it lacks becomes a
 * null header.  Kafka dereferences a listed field missing from the schema
 * (NullPointerException); here that is an error naming the field.
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const operations[] = {"move", "copy", NULL};

static const cd_config_def_t header_from_config[] = {
    {.name = "fields", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Field names in the record whose values are to be copied or moved to headers.",
     .validate = smt_validate_non_empty_list},
    {.name = "headers", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Header names, in the same order as the field names listed in the fields configuration property.",
     .validate = smt_validate_non_empty_list},
    {.name = "operation", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), "
            "or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).",
     .choices = operations},
    {.name = NULL},
};

typedef struct header_from {
    transform_target_t target;
    smt_list_t fields;
    smt_list_t headers;
    bool move;
    smt_schema_cache_t cache; /* the moved-from schema */
} header_from_t;

static void header_from_destroy(void *instance)
{
    header_from_t *hf = instance;
    if (hf) {
        smt_list_clear(&hf->fields);
        smt_list_clear(&hf->headers);
        smt_schema_cache_clear(&hf->cache);
        free(hf);
    }
}

static void *header_from_create(const properties_t *config, transform_target_t target, char *errstr,
                                size_t errstr_size)
{
    header_from_t *hf = calloc(1, sizeof(*hf));
    if (!hf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    hf->target = target;
    smt_list_parse(&hf->fields, smt_config(config, "fields", ""));
    smt_list_parse(&hf->headers, smt_config(config, "headers", ""));
    if (hf->fields.count != hf->headers.count) {
        snprintf(errstr, errstr_size, "'%s' config must have the same number of elements as '%s' config.", "fields",
                 "headers");
        header_from_destroy(hf);
        return NULL;
    }
    const char *op = smt_config(config, "operation", "");
    while (*op == ' ' || *op == '\t') {
        op++;
    }
    hf->move = strncmp(op, "move", 4) == 0;
    return hf;
}

/* What the record gets once everything has been checked. */
typedef struct header_from_result {
    cd_schema_t *schema;
    cd_value_t *value;
    cd_schema_t **header_schemas;
    cd_value_t **header_values;
} header_from_result_t;

static void result_free(const header_from_t *hf, header_from_result_t *res)
{
    data_schema_unref(res->schema);
    data_value_free(res->value);
    for (size_t i = 0; res->header_values && i < hf->fields.count; i++) {
        data_schema_unref(res->header_schemas[i]);
        data_value_free(res->header_values[i]);
    }
    free(res->header_schemas);
    free(res->header_values);
}

static cd_schema_t *move_schema(header_from_t *hf, const cd_schema_t *schema)
{
    cd_schema_t *cached = smt_schema_cache_get(&hf->cache, schema);
    if (cached) {
        return data_schema_ref(cached);
    }
    cd_schema_t *moved = smt_schema_copy_basics(schema, data_schema_struct(false));
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        if (!smt_list_contains(&hf->fields, name)) {
            data_schema_add_field(moved, name, data_schema_ref((cd_schema_t *)data_schema_field_schema(schema, i)));
        }
    }
    smt_schema_cache_put(&hf->cache, schema, data_schema_ref(moved));
    return moved;
}

static int apply_with_schema(header_from_t *hf, const cd_schema_t *schema, const cd_value_t *value,
                             header_from_result_t *res, const char *purpose, char *errstr, size_t errstr_size)
{
    if (smt_require_struct(schema, value, purpose, errstr, errstr_size) < 0) {
        return -1;
    }
    for (size_t i = 0; i < hf->fields.count; i++) {
        int idx = smt_schema_field_index(schema, hf->fields.items[i]);
        if (idx < 0) {
            snprintf(errstr, errstr_size, "field %s is not in the schema of the record's %s, so it cannot be %s",
                     hf->fields.items[i], hf->target == TRANSFORM_KEY ? "key" : "value",
                     hf->move ? "moved" : "copied");
            return -1;
        }
        res->header_schemas[i] = data_schema_ref((cd_schema_t *)data_schema_field_schema(schema, idx));
        res->header_values[i] = smt_copy(data_value_struct_get(value, hf->fields.items[i]));
    }
    if (!hf->move) {
        return 0; /* the key/value stays as it is */
    }
    res->schema = move_schema(hf, schema);
    res->value = data_value_struct(res->schema);
    for (int i = 0; i < data_schema_field_count(res->schema); i++) {
        const char *name = data_schema_field_name(res->schema, i);
        if (smt_struct_put(res->value, name, smt_copy(data_value_struct_get(value, name)), errstr, errstr_size) < 0) {
            return -1;
        }
    }
    return 0;
}

static int apply_schemaless(header_from_t *hf, const cd_value_t *value, header_from_result_t *res,
                            const char *purpose, char *errstr, size_t errstr_size)
{
    if (smt_require_map(value, purpose, errstr, errstr_size) < 0) {
        return -1;
    }
    for (size_t i = 0; i < hf->fields.count; i++) {
        res->header_values[i] = smt_copy(data_value_map_get(value, hf->fields.items[i]));
    }
    if (!hf->move) {
        return 0;
    }
    res->value = data_value_map();
    for (size_t i = 0; i < data_value_count(value); i++) {
        const char *key = smt_map_key(value, i);
        if (key && smt_list_contains(&hf->fields, key)) {
            continue;
        }
        data_value_map_put(res->value, smt_copy(data_value_map_key_at(value, i)),
                           smt_copy(data_value_map_value_at(value, i)));
    }
    return 0;
}

static int header_from_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    header_from_t *hf = instance;
    const cd_schema_t *schema = smt_schema_of(rec, hf->target);
    const cd_value_t *value = smt_value_of(rec, hf->target);
    char purpose[32];
    snprintf(purpose, sizeof(purpose), "header %s", hf->move ? "move" : "copy");
    header_from_result_t res = {
        .header_schemas = calloc(hf->fields.count, sizeof(cd_schema_t *)),
        .header_values = calloc(hf->fields.count, sizeof(cd_value_t *)),
    };
    if (!res.header_schemas || !res.header_values) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    int rc = schema ? apply_with_schema(hf, schema, value, &res, purpose, errstr, errstr_size)
                    : apply_schemaless(hf, value, &res, purpose, errstr, errstr_size);
    if (rc < 0) {
        goto fail;
    }
    if (hf->move) {
        smt_set(rec, hf->target, res.schema, res.value);
    }
    for (size_t i = 0; i < hf->fields.count; i++) {
        data_record_add_header(rec, hf->headers.items[i], res.header_schemas[i], res.header_values[i]);
    }
    free(res.header_schemas);
    free(res.header_values);
    *out = rec;
    return 0;
fail:
    result_free(hf, &res);
    return -1;
}

const transform_def_t transform_header_from = {
    .name = "HeaderFrom",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Moves or copies fields in the key/value of a record into that record's headers. Corresponding elements "
           "of <code>fields</code> and <code>headers</code> together identify a field and the header it should be "
           "moved or copied to. Use the concrete transformation type designed for the record key (<code>" SMT_PACKAGE
           ".HeaderFrom$Key</code>) or value (<code>" SMT_PACKAGE ".HeaderFrom$Value</code>).",
    .config = header_from_config,
    .create = header_from_create,
    .apply = header_from_apply,
    .destroy = header_from_destroy,
};
