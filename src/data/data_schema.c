/*
 * data_schema.c - Connect schemas (plugin.h "schemas"; Kafka's
 * ConnectSchema and SchemaBuilder in one type).
 *
 * A schema is built by one owner (the constructors return it with one
 * reference) and is immutable once shared: the setters and
 * data_schema_add_field refuse to touch a schema whose count is above one, so a
 * plugin cannot change a schema a converter on another thread is reading.
 * Composite builders take the schemas passed in, so
 *
 *   data_schema_map(data_schema_new(CD_TYPE_STRING, false), data_schema_new(CD_TYPE_INT64, false), true)
 *
 * leaks nothing.  The count is atomic because tasks share schemas.
 *
 * Misuse never crashes: a NULL or wrong-kind schema reads as "nothing"
 * (type NULL, no fields, no name), and a builder given the wrong kind
 * releases what it took.  A struct cannot get two fields of one name (Kafka
 * throws); the second is dropped.
 */
#include "data.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct schema_field {
    char *name;
    cd_schema_t *schema;
} schema_field_t;

typedef struct schema_param {
    char *key;
    char *value;
} schema_param_t;

struct cd_schema {
    atomic_int refs;
    cd_type_t type;
    bool optional;
    char *name;
    int32_t version; /* 0: none */
    char *doc;
    schema_param_t *params;
    size_t param_count;
    cd_schema_t *items;  /* ARRAY elements; MAP values */
    cd_schema_t *keys;   /* MAP keys */
    schema_field_t *fields;
    size_t field_count;
};

static const char *const type_names[] = {
    [CD_TYPE_NULL] = "NULL",       [CD_TYPE_INT8] = "INT8",       [CD_TYPE_INT16] = "INT16",
    [CD_TYPE_INT32] = "INT32",     [CD_TYPE_INT64] = "INT64",     [CD_TYPE_FLOAT32] = "FLOAT32",
    [CD_TYPE_FLOAT64] = "FLOAT64", [CD_TYPE_BOOLEAN] = "BOOLEAN", [CD_TYPE_STRING] = "STRING",
    [CD_TYPE_BYTES] = "BYTES",     [CD_TYPE_ARRAY] = "ARRAY",     [CD_TYPE_MAP] = "MAP",
    [CD_TYPE_STRUCT] = "STRUCT",
};

const char *data_type_name(cd_type_t type)
{
    if ((unsigned)type >= sizeof(type_names) / sizeof(type_names[0])) {
        return "UNKNOWN";
    }
    return type_names[type];
}

static cd_schema_t *schema_alloc(cd_type_t type, bool optional)
{
    cd_schema_t *schema = calloc(1, sizeof(*schema));
    if (!schema) {
        return NULL;
    }
    atomic_init(&schema->refs, 1);
    schema->type = type;
    schema->optional = optional;
    return schema;
}

static bool schema_building(const cd_schema_t *schema)
{
    return schema && atomic_load(&schema->refs) == 1;
}

cd_schema_t *data_schema_new(cd_type_t type, bool optional)
{
    if (type < CD_TYPE_INT8 || type > CD_TYPE_STRUCT || type == CD_TYPE_ARRAY || type == CD_TYPE_MAP) {
        return NULL; /* arrays and maps need their element schemas */
    }
    return schema_alloc(type, optional);
}

cd_schema_t *data_schema_array(cd_schema_t *items, bool optional)
{
    cd_schema_t *schema = items ? schema_alloc(CD_TYPE_ARRAY, optional) : NULL;
    if (!schema) {
        data_schema_unref(items);
        return NULL;
    }
    schema->items = items;
    return schema;
}

cd_schema_t *data_schema_map(cd_schema_t *keys, cd_schema_t *values, bool optional)
{
    cd_schema_t *schema = keys && values ? schema_alloc(CD_TYPE_MAP, optional) : NULL;
    if (!schema) {
        data_schema_unref(keys);
        data_schema_unref(values);
        return NULL;
    }
    schema->keys = keys;
    schema->items = values;
    return schema;
}

cd_schema_t *data_schema_struct(bool optional)
{
    return schema_alloc(CD_TYPE_STRUCT, optional);
}

static int field_index(const cd_schema_t *st, const char *name)
{
    for (size_t i = 0; i < st->field_count; i++) {
        if (strcmp(st->fields[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void data_schema_add_field(cd_schema_t *st, const char *name, cd_schema_t *field)
{
    if (!schema_building(st) || st->type != CD_TYPE_STRUCT || !name || !field || field_index(st, name) >= 0) {
        data_schema_unref(field);
        return;
    }
    schema_field_t *grown = realloc(st->fields, (st->field_count + 1) * sizeof(*grown));
    if (grown) {
        st->fields = grown;
    }
    char *copy = grown ? strdup(name) : NULL;
    if (!copy) {
        data_schema_unref(field);
        return;
    }
    st->fields[st->field_count++] = (schema_field_t){copy, field};
}

/* Replaces *slot with a copy of text (NULL clears); callers check that the
 * schema is still being built. */
static void set_text(char **slot, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (text && !copy) {
        return;
    }
    free(*slot);
    *slot = copy;
}

void data_schema_set_name(cd_schema_t *schema, const char *name)
{
    if (schema_building(schema)) {
        set_text(&schema->name, name);
    }
}

void data_schema_set_doc(cd_schema_t *schema, const char *doc)
{
    if (schema_building(schema)) {
        set_text(&schema->doc, doc);
    }
}

void data_schema_set_version(cd_schema_t *schema, int32_t version)
{
    if (schema_building(schema)) {
        schema->version = version;
    }
}

/* A key set twice keeps its first position and takes the new value, as in
 * Kafka's LinkedHashMap of parameters. */
void data_schema_set_parameter(cd_schema_t *schema, const char *key, const char *value)
{
    if (!schema_building(schema) || !key || !value) {
        return;
    }
    for (size_t i = 0; i < schema->param_count; i++) {
        if (strcmp(schema->params[i].key, key) == 0) {
            set_text(&schema->params[i].value, value);
            return;
        }
    }
    schema_param_t *grown = realloc(schema->params, (schema->param_count + 1) * sizeof(*grown));
    if (!grown) {
        return;
    }
    schema->params = grown;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return;
    }
    schema->params[schema->param_count++] = (schema_param_t){k, v};
}

cd_schema_t *data_schema_ref(cd_schema_t *schema)
{
    if (schema) {
        atomic_fetch_add(&schema->refs, 1);
    }
    return schema;
}

void data_schema_unref(cd_schema_t *schema)
{
    if (!schema || atomic_fetch_sub(&schema->refs, 1) != 1) {
        return;
    }
    data_schema_unref(schema->items);
    data_schema_unref(schema->keys);
    for (size_t i = 0; i < schema->field_count; i++) {
        free(schema->fields[i].name);
        data_schema_unref(schema->fields[i].schema);
    }
    free(schema->fields);
    for (size_t i = 0; i < schema->param_count; i++) {
        free(schema->params[i].key);
        free(schema->params[i].value);
    }
    free(schema->params);
    free(schema->name);
    free(schema->doc);
    free(schema);
}

cd_type_t data_schema_type(const cd_schema_t *schema)
{
    return schema ? schema->type : CD_TYPE_NULL;
}

bool data_schema_optional(const cd_schema_t *schema)
{
    return schema && schema->optional;
}

const char *data_schema_name(const cd_schema_t *schema)
{
    return schema ? schema->name : NULL;
}

int data_schema_field_count(const cd_schema_t *st)
{
    return st ? (int)st->field_count : 0;
}

const char *data_schema_field_name(const cd_schema_t *st, int i)
{
    return st && i >= 0 && (size_t)i < st->field_count ? st->fields[i].name : NULL;
}

const cd_schema_t *data_schema_field_schema(const cd_schema_t *st, int i)
{
    return st && i >= 0 && (size_t)i < st->field_count ? st->fields[i].schema : NULL;
}

const cd_schema_t *data_schema_items(const cd_schema_t *array)
{
    return array && array->type == CD_TYPE_ARRAY ? array->items : NULL;
}

const cd_schema_t *data_schema_keys(const cd_schema_t *map)
{
    return map ? map->keys : NULL;
}

const cd_schema_t *data_schema_values(const cd_schema_t *map)
{
    return map && map->type == CD_TYPE_MAP ? map->items : NULL;
}

int32_t data_schema_version(const cd_schema_t *schema)
{
    return schema ? schema->version : 0;
}

const char *data_schema_doc(const cd_schema_t *schema)
{
    return schema ? schema->doc : NULL;
}

size_t data_schema_parameter_count(const cd_schema_t *schema)
{
    return schema ? schema->param_count : 0;
}

const char *data_schema_parameter_key(const cd_schema_t *schema, size_t i)
{
    return schema && i < schema->param_count ? schema->params[i].key : NULL;
}

const char *data_schema_parameter_value(const cd_schema_t *schema, size_t i)
{
    return schema && i < schema->param_count ? schema->params[i].value : NULL;
}

const char *data_schema_parameter(const cd_schema_t *schema, const char *key)
{
    for (size_t i = 0; key && i < data_schema_parameter_count(schema); i++) {
        if (strcmp(schema->params[i].key, key) == 0) {
            return schema->params[i].value;
        }
    }
    return NULL;
}

static bool text_equal(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool data_schema_equal(const cd_schema_t *a, const cd_schema_t *b)
{
    if (a == b) {
        return true;
    }
    if (!a || !b || a->type != b->type || a->optional != b->optional || a->version != b->version ||
        !text_equal(a->name, b->name) || !text_equal(a->doc, b->doc) || a->param_count != b->param_count ||
        a->field_count != b->field_count || !data_schema_equal(a->items, b->items) ||
        !data_schema_equal(a->keys, b->keys)) {
        return false;
    }
    for (size_t i = 0; i < a->param_count; i++) {
        if (!text_equal(a->params[i].value, data_schema_parameter(b, a->params[i].key))) {
            return false;
        }
    }
    for (size_t i = 0; i < a->field_count; i++) {
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            !data_schema_equal(a->fields[i].schema, b->fields[i].schema)) {
            return false;
        }
    }
    return true;
}
