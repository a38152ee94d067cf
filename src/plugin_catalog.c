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
 * Adding a transformation is one row in `plugins` (type
 * CATALOG_TRANSFORMATION, its settings).
 */
#include "plugin_catalog.h"

#include "connectd-build.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* connectd's converters support fewer values than Kafka's for these two;
 * say so with the converter's own reason. */
static int check_decimal_format(const cv_key_t *key, const char *name, const char *value, const char **shown,
                                char *errbuf, size_t errlen)
{
    if (strcasecmp(value, "NUMERIC") == 0) {
        snprintf(errbuf, errlen,
                 "Invalid value %s for configuration %s: NUMERIC is not supported by connectd's JsonConverter; use "
                 "BASE64 (the default)",
                 value, name);
        return -1;
    }
    return 0;
}

static int check_encoding(const cv_key_t *key, const char *name, const char *value, const char **shown,
                          char *errbuf, size_t errlen)
{
    if (strcasecmp(value, "UTF-8") != 0 && strcasecmp(value, "UTF8") != 0) {
        snprintf(errbuf, errlen,
                 "Invalid value %s for configuration %s: connectd's converters write UTF-8 only", value, name);
        return -1;
    }
    return 0;
}

static const char *const converter_types[] = {"key", "value", "header", NULL};
static const char *const decimal_formats[] = {"BASE64", "NUMERIC", NULL};

#define CONVERTER_TYPE_KEY                                                                                      \
    {.name = "converter.type", .type = CV_STRING, .required = true, .importance = CV_LOW,                     \
     .doc = "How this converter will be used.", .order = -1, .choices = converter_types}

static const cv_key_t no_keys[] = {{.name = NULL}};

static const cv_key_t converter_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = NULL},
};

static const cv_key_t json_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = "schemas.enable", .type = CV_BOOLEAN, .default_value = "true", .importance = CV_HIGH,
     .doc = "Include schemas within each of the serialized values and keys.", .group = "Schemas", .order = 0,
     .width = CV_WIDTH_MEDIUM, .display_name = "Enable Schemas"},
    {.name = "schemas.cache.size", .type = CV_INT, .default_value = "1000", .importance = CV_HIGH,
     .doc = "The maximum number of schemas that can be cached in this converter instance.", .group = "Schemas",
     .order = 1, .width = CV_WIDTH_MEDIUM, .display_name = "Schema Cache Size"},
    {.name = "decimal.format", .type = CV_STRING, .default_value = "BASE64", .importance = CV_LOW,
     .doc = "Controls which format this converter will serialize decimals in. This value is case insensitive and "
            "can be either 'BASE64' (default) or 'NUMERIC'. connectd's JsonConverter writes BASE64 only.",
     .group = "Serialization", .order = 0, .width = CV_WIDTH_MEDIUM, .display_name = "Decimal Format",
     .choices = decimal_formats, .choices_nocase = true, .check = check_decimal_format},
    {.name = "replace.null.with.default", .type = CV_BOOLEAN, .default_value = "true", .importance = CV_LOW,
     .doc = "Whether to replace fields that have a default value and that are null to the default value. When set "
            "to true, the default value is used, otherwise null is used.",
     .group = "Serialization", .order = 1, .width = CV_WIDTH_MEDIUM, .display_name = "Replace null with default"},
    {.name = NULL},
};

static const cv_key_t string_keys[] = {
    CONVERTER_TYPE_KEY,
    {.name = "converter.encoding", .type = CV_STRING, .default_value = "UTF-8", .importance = CV_HIGH,
     .doc = "The name of the Java character set to use for encoding strings as byte arrays. connectd's "
            "converters write UTF-8 only.",
     .order = -1,
     .width = CV_WIDTH_MEDIUM, .display_name = "Encoding", .check = check_encoding},
    {.name = NULL},
};

#define JSON "org.apache.kafka.connect.json.JsonConverter"
#define STRING "org.apache.kafka.connect.storage.StringConverter"
#define BYTES "org.apache.kafka.connect.converters.ByteArrayConverter"
#define SIMPLE "org.apache.kafka.connect.storage.SimpleHeaderConverter"

static const catalog_plugin_t plugins[] = {
    /* transformations and predicates (issue 6) go here */
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

size_t catalog_count(void)
{
    return sizeof(plugins) / sizeof(plugins[0]);
}

const catalog_plugin_t *catalog_at(size_t i)
{
    return i < catalog_count() ? &plugins[i] : NULL;
}

const catalog_plugin_t *catalog_find(const char *name, catalog_type_t type)
{
    for (size_t i = 0; name && i < catalog_count(); i++) {
        if (plugins[i].type == type &&
            (strcmp(plugins[i].class_name, name) == 0 || strcmp(plugins[i].alias, name) == 0)) {
            return &plugins[i];
        }
    }
    return NULL;
}

const catalog_plugin_t *catalog_find_any(const char *name)
{
    for (size_t i = 0; name && i < catalog_count(); i++) {
        if (strcmp(plugins[i].class_name, name) == 0 || strcmp(plugins[i].alias, name) == 0) {
            return &plugins[i];
        }
    }
    return NULL;
}

const char *catalog_version(void)
{
    return PACKAGE_VERSION;
}
