/*
 * convert_json.c - JsonConverter (org.apache.kafka.connect.json.JsonConverter).
 *
 * With schemas.enable (the default) every message is an envelope of
 * exactly two fields, the schema's JSON form and the payload:
 *
 *   {"schema":{"type":"string","optional":false},"payload":"hello"}
 *
 * and without it the payload alone, read back schemaless.  The JSON forms
 * of schemas and values are data_json_*.c's; this file adds the envelope,
 * the settings and Kafka's message framing.
 *
 * Settings (JsonConverterConfig): schemas.enable (true), schemas.cache.size
 * (1000; accepted, we need no cache: schemas are built per message),
 * decimal.format (BASE64; NUMERIC is refused, see data_json_read.c) and
 * replace.null.with.default (true; accepted, plugin.h has no defaults).
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "converter.h"
#include "data/data.h"

typedef struct json_conv {
    bool schemas_enable;
} json_conv_t;

#define ENVELOPE_ERROR                                                                                       \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain "   \
    "additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your " \
    "converter configuration."

/* ConfigDef's BOOLEAN: "true"/"false" in any case, trimmed. */
static int config_bool(const properties_t *config, const char *key, bool *out, char *errstr, size_t errstr_size)
{
    const char *text = config ? properties_get(config, key) : NULL;
    if (!text) {
        return 0;
    }
    size_t start = strspn(text, " \t"), len = strlen(text + start);
    while (len > 0 && strchr(" \t", text[start + len - 1])) {
        len--;
    }
    if ((len == 4 && strncasecmp(text + start, "true", 4) == 0) ||
        (len == 5 && strncasecmp(text + start, "false", 5) == 0)) {
        *out = len == 4;
        return 0;
    }
    snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: Expected value to be either true or false",
             text, key);
    return -1;
}

/* ConfigDef's INT: an optionally signed decimal integer that fits. */
static bool is_int(const char *text)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    return end != text && *end == '\0' && errno == 0 && n >= INT32_MIN && n <= INT32_MAX;
}

static int json_create(bool is_key, const properties_t *config, void **state, char *errstr, size_t errstr_size)
{
    (void)is_key;
    json_conv_t *conv = calloc(1, sizeof(*conv));
    bool replace_null = true;
    if (!conv) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    conv->schemas_enable = true;
    const char *cache = config ? properties_get(config, "schemas.cache.size") : NULL;
    const char *decimal = config ? properties_get(config, "decimal.format") : NULL;
    if (config_bool(config, "schemas.enable", &conv->schemas_enable, errstr, errstr_size) < 0 ||
        config_bool(config, "replace.null.with.default", &replace_null, errstr, errstr_size) < 0) {
        goto fail;
    }
    if (cache && !is_int(cache)) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration schemas.cache.size: Not a number of type INT",
                 cache);
        goto fail;
    }
    if (decimal && strcasecmp(decimal, "BASE64") != 0) {
        if (strcasecmp(decimal, "NUMERIC") == 0) {
            snprintf(errstr, errstr_size, "decimal.format NUMERIC is not supported by connectd's JsonConverter; "
                     "use BASE64 (the default)");
        } else {
            snprintf(errstr, errstr_size, "Invalid value %s for configuration decimal.format: String must be one of "
                     "(case insensitive): BASE64, NUMERIC", decimal);
        }
        goto fail;
    }
    *state = conv;
    return 0;
fail:
    free(conv);
    return -1;
}

static void json_destroy(void *state)
{
    free(state);
}

static int json_from_connect(void *state, const cd_schema_t *schema, const cd_value_t *value, unsigned char **out,
                             size_t *out_len, char *errstr, size_t errstr_size)
{
    const json_conv_t *conv = state;
    size_t len;
    char *payload = data_value_to_json_checked(schema, value, &len, errstr, errstr_size);
    if (!payload) {
        return -1;
    }
    if (!conv->schemas_enable) {
        *out = (unsigned char *)payload;
        *out_len = len;
        return 0;
    }
    char *schema_json = data_schema_to_json(schema);
    char *envelope = NULL;
    int n = schema_json ? asprintf(&envelope, "{\"schema\":%s,\"payload\":%s}", schema_json, payload) : -1;
    free(schema_json);
    free(payload);
    if (n < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    *out = (unsigned char *)envelope;
    *out_len = (size_t)n;
    return 0;
}

/* Jackson reads empty (or all-blank) input as a missing node, not an error. */
static bool blank(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!strchr(" \t\r\n", data[i])) {
            return false;
        }
    }
    return true;
}

static int json_to_connect(void *state, const void *data, size_t len, cd_schema_t **schema, cd_value_t **value,
                           char *errstr, size_t errstr_size)
{
    const json_conv_t *conv = state;
    json_t *root = NULL;
    if (!blank(data, len)) {
        json_error_t error;
        root = json_loadb(data, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
        if (!root) {
            snprintf(errstr, errstr_size,
                     "Converting byte[] to Kafka Connect data failed due to serialization error: %s at line %d "
                     "column %d", error.text, error.line, error.column);
            return -1;
        }
    }
    const json_t *payload = root;
    if (conv->schemas_enable) {
        if (!json_is_object(root) || json_object_size(root) != 2 || !json_object_get(root, "schema") ||
            !(payload = json_object_get(root, "payload"))) {
            snprintf(errstr, errstr_size, "%s", ENVELOPE_ERROR);
            json_decref(root);
            return -1;
        }
        *schema = data_schema_from_jansson(json_object_get(root, "schema"), errstr, errstr_size);
        if (!*schema && errstr[0]) {
            json_decref(root);
            return -1;
        }
    }
    *value = data_value_from_jansson(*schema, payload, errstr, errstr_size);
    json_decref(root);
    if (!*value) {
        data_schema_unref(*schema);
        *schema = NULL;
        return -1;
    }
    return 0;
}

const converter_class_t convert_json_class = {
    .name = "org.apache.kafka.connect.json.JsonConverter",
    .short_name = "JsonConverter",
    .create = json_create,
    .destroy = json_destroy,
    .from_connect = json_from_connect,
    .to_connect = json_to_connect,
};
