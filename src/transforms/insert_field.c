/*
 * insert_field.c - Kafka's InsertField$Key / $Value: adds fields holding the
 * record's topic, partition, offset (sink records only), timestamp, or a
 * static string.
 *
 * With a schema the key/value must be a Struct; the new schema keeps the
 * old one's name, version, doc and parameters (not its optionality: Kafka
 * builds a required struct) and appends the inserted fields in the order
 * topic, partition, offset, timestamp, static -- optional unless the name
 * ends in `!` (`?` says optional explicitly).  The timestamp is a
 * Timestamp logical field.  Without a schema the key/value must be a Map
 * and gets the same entries (the timestamp as a long).  A null key/value
 * passes unchanged; an unknown partition or timestamp is not inserted.
 *
 *   topic.field=t partition.field=p!  on {"a":1} from topic "x", partition 2
 *   -> {"a":1,"t":"x","p":2}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONALITY_DOC \
    "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."

static const cd_config_def_t insert_field_config[] = {
    {.name = "topic.field", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for Kafka topic. " OPTIONALITY_DOC},
    {.name = "partition.field", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for Kafka partition. " OPTIONALITY_DOC},
    {.name = "offset.field", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for Kafka offset - only applicable to sink connectors.<br/>" OPTIONALITY_DOC},
    {.name = "timestamp.field", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for record timestamp. " OPTIONALITY_DOC},
    {.name = "static.field", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name for static data field. " OPTIONALITY_DOC},
    {.name = "static.value", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Static field value, if field name configured."},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

#define PURPOSE "field insertion"

enum { INS_TOPIC, INS_PARTITION, INS_OFFSET, INS_TIMESTAMP, INS_STATIC, INS_COUNT };

typedef struct insertion_spec {
    char *name; /* NULL: not inserted */
    bool optional;
} insertion_spec_t;

typedef struct insert_field {
    transform_target_t target;
    insertion_spec_t spec[INS_COUNT];
    char *static_value;
    smt_schema_cache_t cache;
} insert_field_t;

/* InsertionSpec.parse: a trailing `?` or `!` says optional or required. */
static void spec_parse(insertion_spec_t *spec, const char *text)
{
    if (!text) {
        return;
    }
    size_t len = strlen(text);
    spec->optional = true;
    if (len && (text[len - 1] == '?' || text[len - 1] == '!')) {
        spec->optional = text[len - 1] == '?';
        len--;
    }
    spec->name = strndup(text, len);
}

static void insert_field_destroy(void *instance)
{
    insert_field_t *xf = instance;
    if (!xf) {
        return;
    }
    for (int i = 0; i < INS_COUNT; i++) {
        free(xf->spec[i].name);
    }
    free(xf->static_value);
    smt_schema_cache_clear(&xf->cache);
    free(xf);
}

static void *insert_field_create(const properties_t *config, transform_target_t target, char *errstr,
                                 size_t errstr_size)
{
    static const char *const keys[INS_COUNT] = {"topic.field", "partition.field", "offset.field",
                                                "timestamp.field", "static.field"};
    insert_field_t *xf = calloc(1, sizeof(*xf));
    if (!xf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    bool any = false;
    for (int i = 0; i < INS_COUNT; i++) {
        spec_parse(&xf->spec[i], smt_config(config, keys[i], NULL));
        any = any || xf->spec[i].name;
    }
    const char *static_value = smt_config(config, "static.value", NULL);
    xf->static_value = static_value ? strdup(static_value) : NULL;
    if (!any) {
        snprintf(errstr, errstr_size, "No field insertion configured");
        goto fail;
    }
    if (xf->spec[INS_STATIC].name && !xf->static_value) {
        /* Kafka prints its InsertionSpec object here; the name says more. */
        snprintf(errstr, errstr_size,
                 "Invalid value null for configuration static.value: No value specified for static field: %s",
                 xf->spec[INS_STATIC].name);
        goto fail;
    }
    return xf;
fail:
    insert_field_destroy(xf);
    return NULL;
}

/* The value to insert for spec i, or NULL when there is none (no partition,
 * no timestamp).  -1 for an offset on a source record, as Kafka's
 * requireSinkRecord. */
static int inserted_value(const insert_field_t *xf, const cd_record_t *rec, int i, cd_value_t **out, char *errstr,
                          size_t errstr_size)
{
    *out = NULL;
    switch (i) {
    case INS_TOPIC: {
        const char *topic = data_record_topic(rec);
        *out = topic ? data_value_string(topic, strlen(topic)) : data_value_null();
        break;
    }
    case INS_PARTITION:
        if (data_record_partition(rec) >= 0) {
            *out = data_value_int(CD_TYPE_INT32, data_record_partition(rec));
        }
        break;
    case INS_OFFSET:
        if (data_record_offset(rec) < 0) {
            snprintf(errstr, errstr_size, "Only SinkRecord supported for [%s], found: %s", PURPOSE,
                     "org.apache.kafka.connect.source.SourceRecord");
            return -1;
        }
        *out = data_value_int(CD_TYPE_INT64, data_record_offset(rec));
        break;
    case INS_TIMESTAMP:
        if (data_record_timestamp(rec) >= 0) {
            *out = data_value_int(CD_TYPE_INT64, data_record_timestamp(rec));
        }
        break;
    case INS_STATIC:
        *out = data_value_string(xf->static_value, strlen(xf->static_value));
        break;
    }
    return 0;
}

static int apply_schemaless(insert_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *updated = data_value_copy(value);
    for (int i = 0; i < INS_COUNT; i++) {
        cd_value_t *v;
        if (!xf->spec[i].name) {
            continue;
        }
        if (inserted_value(xf, rec, i, &v, errstr, errstr_size) != 0) {
            data_value_free(updated);
            return -1;
        }
        if (v) {
            data_value_map_put(updated, data_value_string(xf->spec[i].name, strlen(xf->spec[i].name)), v);
        }
    }
    smt_set(rec, xf->target, NULL, updated);
    return 0;
}

static cd_schema_t *updated_schema(const insert_field_t *xf, const cd_schema_t *schema, char *errstr,
                                   size_t errstr_size)
{
    static const cd_type_t types[INS_COUNT] = {CD_TYPE_STRING, CD_TYPE_INT32, CD_TYPE_INT64, CD_TYPE_INT64,
                                               CD_TYPE_STRING};
    cd_schema_t *st = smt_schema_copy_basics(schema, data_schema_struct(false));
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        data_schema_add_field(st, data_schema_field_name(schema, i),
                              data_schema_ref((cd_schema_t *)data_schema_field_schema(schema, i)));
    }
    for (int i = 0; i < INS_COUNT; i++) {
        if (!xf->spec[i].name) {
            continue;
        }
        cd_schema_t *field = data_schema_new(types[i], xf->spec[i].optional);
        if (i == INS_TIMESTAMP) {
            data_schema_set_name(field, SMT_LOGICAL_TIMESTAMP);
            data_schema_set_version(field, 1);
        }
        if (smt_schema_add_field(st, xf->spec[i].name, field, errstr, errstr_size) != 0) {
            data_schema_unref(st);
            return NULL;
        }
    }
    return st;
}

static int apply_with_schema(insert_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *in = data_value_struct_schema(value);
    cd_schema_t *out = smt_schema_cache_get(&xf->cache, in);
    if (!out) {
        if (!(out = updated_schema(xf, in, errstr, errstr_size))) {
            return -1;
        }
        smt_schema_cache_put(&xf->cache, in, out);
    }
    cd_value_t *updated = data_value_struct(out);
    for (int i = 0; i < data_schema_field_count(in); i++) {
        const char *name = data_schema_field_name(in, i);
        if (smt_struct_put(updated, name, smt_copy(data_value_struct_get(value, name)), errstr, errstr_size) != 0) {
            goto fail;
        }
    }
    for (int i = 0; i < INS_COUNT; i++) {
        cd_value_t *v;
        if (!xf->spec[i].name) {
            continue;
        }
        if (inserted_value(xf, rec, i, &v, errstr, errstr_size) != 0) {
            goto fail;
        }
        if (v && smt_struct_put(updated, xf->spec[i].name, v, errstr, errstr_size) != 0) {
            goto fail;
        }
    }
    smt_set(rec, xf->target, data_schema_ref(out), updated);
    return 0;
fail:
    data_value_free(updated);
    return -1;
}

static int insert_field_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                              size_t errstr_size)
{
    insert_field_t *xf = instance;
    *out = rec;
    if (smt_is_null(smt_value_of(rec, xf->target))) {
        return 0;
    }
    if (!smt_schema_of(rec, xf->target)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_insert_field = {
    .name = "InsertField",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Insert field(s) using attributes from the record metadata or a configured static value." SMT_VARIANTS_DOC(
        "InsertField"),
    .config = insert_field_config,
    .create = insert_field_create,
    .apply = insert_field_apply,
    .destroy = insert_field_destroy,
};
