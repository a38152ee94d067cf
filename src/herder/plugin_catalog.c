/*
 * plugin_catalog.c - the built-in converters (and later transformations
 * and predicates) with their settings, as Kafka defines them
 * (ConverterConfig, JsonConverterConfig, StringConverterConfig); see
 * plugin_catalog.h.
 *
 * The converters themselves (convert_*.c) read these settings when a task
 * starts; connector validation also tries converter_create() with them,
 * so a value a converter refuses is reported before the connector is
 * created even where these rows are more lenient than the converter.
 *
 * Transformations and predicates are rows too, made from the known
 * transforms of transform_chain.h (the built-ins of transforms/registry.c
 * and plugins' transforms): one row per variant ($Key, $Value), with the
 * settings of the transform's cd_config_def_t table.  They are made when
 * first asked for and again when plugins have added transforms since, in
 * a table that never moves, so rows handed out stay valid.
 */
#include "plugin_catalog.h"

#include "connectd-build.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transforms/transform_chain.h"
#include "xalloc.h"

/* connectd's converters support fewer values than Kafka's for these two;
 * say so with the converter's own reason. */
static config_def_problem_t check_decimal_format(const config_def_t *key, const char *name, const char *value,
                                                 const char **shown, char *why, size_t why_size)
{
    if (strcasecmp(value, "NUMERIC") == 0) {
        snprintf(why, why_size, "NUMERIC is not supported by connectd's JsonConverter; use BASE64 (the default)");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static config_def_problem_t check_encoding(const config_def_t *key, const char *name, const char *value,
                                           const char **shown, char *why, size_t why_size)
{
    if (strcasecmp(value, "UTF-8") != 0 && strcasecmp(value, "UTF8") != 0) {
        snprintf(why, why_size, "connectd's converters write UTF-8 only");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

static const char *const converter_types[] = {"key", "value", "header", NULL};
static const char *const decimal_formats[] = {"BASE64", "NUMERIC", NULL};

#define CONVERTER_TYPE_KEY                                                                                       \
    {.name = "converter.type", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED,                          \
     .importance = CONFIG_DEF_LOW,                                                                               \
     .doc = "How this converter will be used.", .order = -1, .choices = converter_types}

static const config_def_t no_keys[] = {{.name = NULL}};

static const config_def_t converter_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = NULL},
};

static const config_def_t json_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = "schemas.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "true", .importance = CONFIG_DEF_HIGH,
     .doc = "Include schemas within each of the serialized values and keys.", .group = "Schemas", .order = 0,
     .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Enable Schemas"},
    {.name = "schemas.cache.size", .type = CONFIG_DEF_INT, .default_value = "1000", .importance = CONFIG_DEF_HIGH,
     .doc = "The maximum number of schemas that can be cached in this converter instance.", .group = "Schemas",
     .order = 1, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Schema Cache Size"},
    {.name = "decimal.format", .type = CONFIG_DEF_STRING, .default_value = "BASE64", .importance = CONFIG_DEF_LOW,
     .doc = "Controls which format this converter will serialize decimals in. This value is case insensitive and "
            "can be either 'BASE64' (default) or 'NUMERIC'. connectd's JsonConverter writes BASE64 only.",
     .group = "Serialization", .order = 0, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Decimal Format",
     .choices = decimal_formats, .flags = CONFIG_DEF_NOCASE, .validate = check_decimal_format},
    {.name = "replace.null.with.default", .type = CONFIG_DEF_BOOLEAN, .default_value = "true",
     .importance = CONFIG_DEF_LOW,
     .doc = "Whether to replace fields that have a default value and that are null to the default value. When set "
            "to true, the default value is used, otherwise null is used.",
     .group = "Serialization", .order = 1, .width = CONFIG_DEF_WIDTH_MEDIUM,
     .display_name = "Replace null with default"},
    {.name = NULL},
};

static const config_def_t string_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = "converter.encoding", .type = CONFIG_DEF_STRING, .default_value = "UTF-8", .importance = CONFIG_DEF_HIGH,
     .doc = "The name of the Java character set to use for encoding strings as byte arrays. connectd's "
            "converters write UTF-8 only.",
     .order = -1,
     .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Encoding", .validate = check_encoding},
    {.name = NULL},
};

#define JSON "org.apache.kafka.connect.json.JsonConverter"
#define STRING "org.apache.kafka.connect.storage.StringConverter"
#define BYTES "org.apache.kafka.connect.converters.ByteArrayConverter"
#define SIMPLE "org.apache.kafka.connect.storage.SimpleHeaderConverter"

static const catalog_plugin_t plugins[] = {
    {BYTES, "ByteArrayConverter", CATALOG_CONVERTER, converter_keys},
    {JSON, "JsonConverter", CATALOG_CONVERTER, json_keys},
    {STRING, "StringConverter", CATALOG_CONVERTER, string_keys},
    {BYTES, "ByteArrayConverter", CATALOG_HEADER_CONVERTER, converter_keys},
    {JSON, "JsonConverter", CATALOG_HEADER_CONVERTER, json_keys},
    {SIMPLE, "SimpleHeaderConverter", CATALOG_HEADER_CONVERTER, no_keys},
    {STRING, "StringConverter", CATALOG_HEADER_CONVERTER, string_keys},
};

const char *catalog_type_name(catalog_type_t type)
{
    static const char *const names[] = {"sink", "source", "transformation", "predicate", "converter",
                                        "header_converter"};
    return type <= CATALOG_HEADER_CONVERTER ? names[type] : "unknown";
}

#define N_STATIC (sizeof(plugins) / sizeof(plugins[0]))
#define TRANSFORM_ROWS_MAX 1024

static catalog_plugin_t transform_rows[TRANSFORM_ROWS_MAX];
static atomic_size_t n_transform_rows;
static atomic_size_t known_done; /* known transforms turned into rows */
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;

/* Rows for the known transforms that have none yet. */
static void transform_rows_sync(void)
{
    size_t known = transform_known_count();
    if (atomic_load(&known_done) == known) {
        return;
    }
    pthread_mutex_lock(&rows_lock);
    for (size_t i = atomic_load(&known_done); i < known; i++) {
        const transform_def_t *def = transform_known_at(i);
        const config_def_t *keys = transform_config_rows(def);
        for (int t = 0; t < (def->has_variants ? 2 : 1); t++) {
            size_t n = atomic_load(&n_transform_rows);
            if (n == TRANSFORM_ROWS_MAX) {
                break;
            }
            transform_target_t target = t == 0 ? TRANSFORM_KEY : TRANSFORM_VALUE;
            char buf[512];
            transform_class_name(def, def->has_variants ? target : TRANSFORM_VALUE, buf, sizeof(buf));
            transform_rows[n].class_name = xstrdup(buf);
            transform_short_name(def, def->has_variants ? target : TRANSFORM_VALUE, buf, sizeof(buf));
            transform_rows[n].alias = xstrdup(buf);
            transform_rows[n].type = def->is_predicate ? CATALOG_PREDICATE : CATALOG_TRANSFORMATION;
            transform_rows[n].config = keys;
            atomic_store(&n_transform_rows, n + 1);
        }
        atomic_store(&known_done, i + 1);
    }
    pthread_mutex_unlock(&rows_lock);
}

size_t catalog_count(void)
{
    transform_rows_sync();
    return N_STATIC + atomic_load(&n_transform_rows);
}

const catalog_plugin_t *catalog_at(size_t i)
{
    size_t n = catalog_count();
    return i >= n ? NULL : i < N_STATIC ? &plugins[i] : &transform_rows[i - N_STATIC];
}

static bool row_is(const catalog_plugin_t *row, const char *name)
{
    return strcmp(row->class_name, name) == 0 || strcmp(row->alias, name) == 0;
}

const catalog_plugin_t *catalog_find(const char *name, catalog_type_t type)
{
    size_t n = catalog_count();
    for (size_t i = 0; name && i < n; i++) {
        const catalog_plugin_t *row = catalog_at(i);
        if (row->type == type && row_is(row, name)) {
            return row;
        }
    }
    /* A plugin transform's other aliases: by its canonical name. */
    transform_target_t target;
    const transform_def_t *def = NULL;
    if (name && (type == CATALOG_TRANSFORMATION || type == CATALOG_PREDICATE)) {
        def = transform_find(name, type == CATALOG_PREDICATE, &target);
    }
    if (def) {
        char buf[512];
        transform_class_name(def, target, buf, sizeof(buf));
        if (strcmp(buf, name) != 0) {
            return catalog_find(buf, type);
        }
    }
    return NULL;
}

const catalog_plugin_t *catalog_find_any(const char *name)
{
    size_t n = catalog_count();
    for (size_t i = 0; name && i < n; i++) {
        if (row_is(catalog_at(i), name)) {
            return catalog_at(i);
        }
    }
    return NULL;
}

const char *catalog_version(void)
{
    return PACKAGE_VERSION;
}
