/*
 * converter.c - the converter classes by name, and the rules they share
 * (converter.h): Kafka nulls are settled here and never reach a class, so
 * "*out NULL means a Kafka null" holds whatever class is configured.
 */
#include "converter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

struct converter {
    const converter_class_t *cls;
    void *state;
};

static const char *const converter_types[] = {"key", "value", "header", NULL};

const config_def_t converter_type_defs[] = {
    {.name = "converter.type", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED, .importance = CONFIG_DEF_LOW,
     .doc = "How this converter will be used.", .order = -1, .choices = converter_types},
    {.name = NULL},
};

static const converter_class_t *const classes[] = {
    &convert_json_class,
    &convert_string_class,
    &convert_bytes_class,
    &convert_simple_header_class,
};

static const converter_class_t *class_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (strcmp(classes[i]->name, name) == 0 || strcmp(classes[i]->short_name, name) == 0) {
            return classes[i];
        }
    }
    return NULL;
}

const char *converter_class_name(const converter_t *conv)
{
    return conv->cls->name;
}

bool converter_known(const char *name)
{
    return class_find(name) != NULL;
}

converter_t *converter_create(const char *name, bool is_key, const properties_t *config, char *errstr,
                              size_t errstr_size)
{
    const converter_class_t *cls = class_find(name);
    if (!cls) {
        snprintf(errstr, errstr_size, "unknown converter class '%s'; known: JsonConverter, StringConverter, "
                 "ByteArrayConverter, SimpleHeaderConverter", name ? name : "");
        return NULL;
    }
    converter_t *conv = calloc(1, sizeof(*conv));
    if (!conv) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    conv->cls = cls;
    if (cls->create(is_key, config, &conv->state, errstr, errstr_size) < 0) {
        free(conv);
        return NULL;
    }
    return conv;
}

void converter_destroy(converter_t *conv)
{
    if (conv) {
        conv->cls->destroy(conv->state);
        free(conv);
    }
}

int converter_from_connect(converter_t *conv, const char *topic, const cd_schema_t *schema,
                           const cd_value_t *value, unsigned char **out, size_t *out_len, char *errstr,
                           size_t errstr_size)
{
    (void)topic; /* Kafka's converters ignore it too; kept for schema registries */
    *out = NULL;
    *out_len = 0;
    if (!value || (!schema && data_value_type(value) == CD_TYPE_NULL)) {
        return 0;
    }
    return conv->cls->from_connect(conv->state, schema, value, out, out_len, errstr, errstr_size);
}

int converter_to_connect(converter_t *conv, const char *topic, const void *data, size_t len,
                         cd_schema_t **schema, cd_value_t **value, char *errstr, size_t errstr_size)
{
    (void)topic;
    *schema = NULL;
    *value = NULL;
    if (!data) {
        return 0;
    }
    return conv->cls->to_connect(conv->state, data, len, schema, value, errstr, errstr_size);
}

/* One optional schema per primitive type, made on first use. */
static cd_schema_t *optional_schemas[CD_TYPE_BYTES + 1];
static pthread_once_t optional_once = PTHREAD_ONCE_INIT;

static void optional_schemas_make(void)
{
    for (int t = CD_TYPE_INT8; t <= CD_TYPE_BYTES; t++) {
        optional_schemas[t] = data_schema_new((cd_type_t)t, true);
    }
}

cd_schema_t *converter_optional_schema(cd_type_t type)
{
    pthread_once(&optional_once, optional_schemas_make);
    if (type < CD_TYPE_INT8 || type > CD_TYPE_BYTES || !optional_schemas[type]) {
        return NULL;
    }
    return data_schema_ref(optional_schemas[type]);
}

int converter_read_result(cd_schema_t *schema, cd_value_t *value, cd_schema_t **out_schema, cd_value_t **out_value,
                          char *errstr, size_t errstr_size)
{
    if (!schema || !value) {
        data_schema_unref(schema);
        data_value_free(value);
        *out_schema = NULL;
        *out_value = NULL;
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    *out_schema = schema;
    *out_value = value;
    return 0;
}
