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
 * (1000: how many schemas are kept, at most SCHEMA_CACHE_MAX, each way:
 * their JSON forms for writing, and for reading the schemas made from
 * them),
 * decimal.format (BASE64; NUMERIC is refused, see data_json_read.c) and
 * replace.null.with.default (true; accepted, plugin.h has no defaults).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_validate.h"
#include "converter.h"
#include "data/data.h"

/* Kafka's fromConnectSchemaCache, by schema: a source makes one schema
 * per table and hands it with every record, and its JSON form (the bulk of
 * a Debezium envelope's bytes) is the same each time.  Keyed by pointer,
 * with a reference held so that a freed schema's address cannot come back
 * as another's.  A few dozen entries cover the tables of a task; a linear
 * scan of them costs less than one hash of a schema. */
#define SCHEMA_CACHE_MAX 64

typedef struct schema_text {
    cd_schema_t *schema;
    char *json;
    size_t len;
} schema_text_t;

/* Kafka's toConnectSchemaCache, by the schema's JSON text: the messages of
 * a topic carry the same few schemas over and over, and parsing one costs
 * more than reading the payload it describes.  Text that differs only in
 * spacing is a different entry, which costs only a parse. */
typedef struct text_schema {
    char *json;
    size_t len;
    cd_schema_t *schema; /* NULL for "schema":null */
} text_schema_t;

typedef struct json_conv {
    bool schemas_enable;
    int32_t schemas_cache_size;
    schema_text_t cache[SCHEMA_CACHE_MAX];
    size_t cache_used, cache_next; /* entries in use; the one replaced next */
    text_schema_t read_cache[SCHEMA_CACHE_MAX];
    size_t read_used, read_next;
    json_tape_t tape; /* the message read last; reused, as a converter belongs to one task */
} json_conv_t;

#define ENVELOPE_ERROR                                                                                       \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain "   \
    "additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your " \
    "converter configuration."

/* connectd's converters support fewer values than Kafka's for this one;
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

static const char *const decimal_formats[] = {"BASE64", "NUMERIC", NULL};

const config_def_t convert_json_defs[] = {
    {.name = "schemas.enable", .type = CONFIG_DEF_BOOLEAN, .default_value = "true", .importance = CONFIG_DEF_HIGH,
     .doc = "Include schemas within each of the serialized values and keys.", .group = "Schemas", .order = 0,
     .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Enable Schemas",
     CONFIG_DEF_FIELD(json_conv_t, schemas_enable)},
    {.name = "schemas.cache.size", .type = CONFIG_DEF_INT, .default_value = "1000", .importance = CONFIG_DEF_HIGH,
     .doc = "The maximum number of schemas that can be cached in this converter instance.", .group = "Schemas",
     .order = 1, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Schema Cache Size",
     CONFIG_DEF_FIELD(json_conv_t, schemas_cache_size)},
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

static int json_create(bool is_key, const properties_t *config, void **state, char *errstr, size_t errstr_size)
{
    (void)is_key;
    json_conv_t *conv = calloc(1, sizeof(*conv));
    if (!conv) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (!cv_fill(convert_json_defs, conv, config, errstr, errstr_size)) {
        free(conv);
        return -1;
    }
    json_tape_init(&conv->tape);
    *state = conv;
    return 0;
}

static void json_destroy(void *state)
{
    json_conv_t *conv = state;
    for (size_t i = 0; i < conv->cache_used; i++) {
        data_schema_unref(conv->cache[i].schema);
        free(conv->cache[i].json);
    }
    for (size_t i = 0; i < conv->read_used; i++) {
        data_schema_unref(conv->read_cache[i].schema);
        free(conv->read_cache[i].json);
    }
    json_tape_free(&conv->tape);
    free(conv);
}

/* How many schemas a cache keeps: schemas.cache.size, within 1..SCHEMA_CACHE_MAX. */
static size_t cache_size(const json_conv_t *conv)
{
    return conv->schemas_cache_size < 1                  ? 1
           : conv->schemas_cache_size < SCHEMA_CACHE_MAX ? (size_t)conv->schemas_cache_size
                                                         : SCHEMA_CACHE_MAX;
}

/* The JSON form of schema, from the cache or made (and kept) now; NULL
 * when memory ran out.  Borrowed until the converter's next call. */
static const char *schema_json(json_conv_t *conv, const cd_schema_t *schema, size_t *len)
{
    for (size_t i = 0; i < conv->cache_used; i++) {
        if (conv->cache[i].schema == schema) {
            *len = conv->cache[i].len;
            return conv->cache[i].json;
        }
    }
    char *json = data_schema_to_json(schema);
    if (!json) {
        return NULL;
    }
    size_t size = cache_size(conv);
    schema_text_t *slot = &conv->cache[conv->cache_used < size ? conv->cache_used++ : conv->cache_next++ % size];
    data_schema_unref(slot->schema); /* NULL is fine */
    free(slot->json);
    /* NULL (a schemaless value) is cached too, as "null"; ref of NULL is NULL. */
    slot->schema = schema ? data_schema_ref((cd_schema_t *)schema) : NULL;
    slot->json = json;
    slot->len = strlen(json);
    *len = slot->len;
    return json;
}

static int json_from_connect(void *state, const cd_schema_t *schema, const cd_value_t *value, unsigned char **out,
                             size_t *out_len, char *errstr, size_t errstr_size)
{
    json_conv_t *conv = state;
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
    static const char head[] = "{\"schema\":", middle[] = ",\"payload\":";
    size_t schema_len = 0;
    const char *schema_text = schema_json(conv, schema, &schema_len);
    size_t n = sizeof(head) - 1 + schema_len + sizeof(middle) - 1 + len + 1;
    char *envelope = schema_text ? malloc(n + 1) : NULL;
    if (!envelope) {
        free(payload);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    char *p = envelope;
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;
    memcpy(p, schema_text, schema_len);
    p += schema_len;
    memcpy(p, middle, sizeof(middle) - 1);
    p += sizeof(middle) - 1;
    memcpy(p, payload, len);
    p += len;
    *p++ = '}';
    *p = '\0';
    free(payload);
    *out = (unsigned char *)envelope;
    *out_len = n;
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

/* The schema whose JSON text is json[0..len), from the read cache or
 * parsed (and kept) now; a reference for the caller.  NULL with errstr
 * set when the text is no schema, NULL with errstr empty for null. */
static cd_schema_t *schema_read(json_conv_t *conv, const char *json, size_t len, char *errstr, size_t errstr_size)
{
    errstr[0] = '\0';
    for (size_t i = 0; i < conv->read_used; i++) {
        text_schema_t *e = &conv->read_cache[i];
        if (e->len == len && memcmp(e->json, json, len) == 0) {
            return e->schema ? data_schema_ref(e->schema) : NULL;
        }
    }
    /* The tape has checked the text: jansson only builds the tree the
     * schema reader walks. */
    json_t *tree = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    cd_schema_t *schema = tree ? data_schema_from_jansson(tree, errstr, errstr_size) : NULL;
    json_decref(tree);
    if (!tree) {
        snprintf(errstr, errstr_size, "out of memory");
    }
    char *copy = !errstr[0] ? malloc(len) : NULL;
    if (copy) {
        memcpy(copy, json, len);
        size_t size = cache_size(conv);
        text_schema_t *slot =
            &conv->read_cache[conv->read_used < size ? conv->read_used++ : conv->read_next++ % size];
        data_schema_unref(slot->schema);
        free(slot->json);
        *slot = (text_schema_t){.json = copy, .len = len, .schema = schema ? data_schema_ref(schema) : NULL};
    }
    return schema;
}

/* Whether root is the envelope: an object of exactly the members "schema"
 * and "payload" (each maybe given twice, which JSON's readers fold). */
static bool is_envelope(const json_tape_t *t, const json_tape_node_t *root)
{
    if (!root || root->type != JSON_TAPE_OBJECT) {
        return false;
    }
    bool schema = false, payload = false;
    for (const json_tape_node_t *key = root + 1; key < &t->nodes[root->end]; key = json_tape_next(t, key + 1)) {
        if (strcmp(key->u.s, "schema") == 0 && key->count == 6) {
            schema = true;
        } else if (strcmp(key->u.s, "payload") == 0 && key->count == 7) {
            payload = true;
        } else {
            return false;
        }
    }
    return schema && payload;
}

static int json_to_connect(void *state, const void *data, size_t len, cd_schema_t **schema, cd_value_t **value,
                           char *errstr, size_t errstr_size)
{
    json_conv_t *conv = state;
    const json_tape_t *tape = &conv->tape;
    const json_tape_node_t *root = NULL;
    if (!blank(data, len)) {
        if (!json_tape_parse(&conv->tape, data, len)) {
            snprintf(errstr, errstr_size, "Converting byte[] to Kafka Connect data failed due to serialization error: %s",
                     tape->error);
            return -1;
        }
        root = tape->nodes;
    }
    const json_tape_node_t *payload = root;
    if (conv->schemas_enable) {
        if (!is_envelope(tape, root)) {
            snprintf(errstr, errstr_size, "%s", ENVELOPE_ERROR);
            return -1;
        }
        uint32_t hint = 0;
        const json_tape_node_t *schema_json = json_tape_member(tape, root, "schema", 6, &hint);
        payload = json_tape_member(tape, root, "payload", 7, &hint);
        *schema = schema_read(conv, (const char *)data + schema_json->src_begin,
                              schema_json->src_end - schema_json->src_begin, errstr, errstr_size);
        if (!*schema && errstr[0]) {
            return -1;
        }
    }
    *value = data_value_from_tape(*schema, tape, payload, errstr, errstr_size);
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
