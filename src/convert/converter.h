/*
 * converter.h - Kafka Connect converters: Connect data (schema + value) to
 * the bytes of a Kafka key, value or header, and back.
 *
 *   JsonConverter       org.apache.kafka.connect.json.JsonConverter
 *                       (schemas.enable, default true: the {"schema","payload"}
 *                       envelope, byte-exact with Kafka's)
 *   StringConverter     org.apache.kafka.connect.storage.StringConverter
 *   ByteArrayConverter  org.apache.kafka.connect.converters.ByteArrayConverter
 *   SimpleHeaderConverter  org.apache.kafka.connect.storage.SimpleHeaderConverter
 *                       (the default header.converter; see convert_string.c)
 *
 * Each is known by Kafka's class name and by its short name.  A converter is
 * used by one task thread at a time.
 */
#ifndef CONNECTD_CONVERTER_H
#define CONNECTD_CONVERTER_H

#include <stdbool.h>
#include <stddef.h>

#include <connectd/plugin.h>

#include "config_def.h"
#include "properties.h"

typedef struct converter converter_t;

/* The settings' rows (config_def.h) of the classes that have settings,
 * NULL-name-terminated: Kafka's ConverterConfig (converter.type, which the
 * worker sets), JsonConverterConfig's and StringConverterConfig's own.
 * The classes read their settings with them; plugin_catalog.c shows and
 * validates with them. */
extern const config_def_t converter_type_defs[];
extern const config_def_t convert_json_defs[];
extern const config_def_t convert_string_defs[];

/*
 * A converter of class `name` (Kafka's class name or the short name).
 * `config` holds its settings with the prefix already stripped (e.g.
 * "schemas.enable" out of "value.converter.schemas.enable"); may be NULL.
 * NULL with errstr set for an unknown class ("unknown converter class
 * 'x'; known: JsonConverter, StringConverter, ByteArrayConverter") or a bad
 * setting.
 */
converter_t *converter_create(const char *name, bool is_key, const properties_t *config, char *errstr,
                              size_t errstr_size);
void converter_destroy(converter_t *conv); /* NULL is fine */

/* Kafka's class name of the converter ("org.apache.kafka.connect.json.JsonConverter"),
 * for error reports; static. */
const char *converter_class_name(const converter_t *conv);

/* Whether `name` is a converter class this build knows. */
bool converter_known(const char *name);

/*
 * Connect data to bytes.  A NULL value (with or without schema) gives
 * *out = NULL (a Kafka null).  Otherwise *out is malloc'd (the caller
 * frees) with *out_len bytes.  -1 with errstr set when the value does not
 * fit the converter (e.g. a struct for ByteArrayConverter).
 */
int converter_from_connect(converter_t *conv, const char *topic, const cd_schema_t *schema,
                           const cd_value_t *value, unsigned char **out, size_t *out_len, char *errstr,
                           size_t errstr_size);

/*
 * Bytes to Connect data; `data` NULL means a Kafka null (then *schema and
 * *value are NULL).  The caller owns *schema (schema_unref) and *value
 * (value_free).  -1 with errstr set for input the converter cannot read,
 * e.g. JsonConverter's "JsonConverter with schemas.enable requires \"schema\"
 * and \"payload\" fields and may not contain additional fields. If you are
 * trying to deserialize plain JSON data, set schemas.enable=false in your
 * converter configuration."
 */
int converter_to_connect(converter_t *conv, const char *topic, const void *data, size_t len,
                         cd_schema_t **schema, cd_value_t **value, char *errstr, size_t errstr_size);

/* ---- the converter classes (convert_*.c), for converter.c only -------------
 * converter.c handles what every class shares: the class lookup, Kafka
 * nulls (a NULL value, or a null value without schema, is written as a
 * Kafka null; a Kafka null reads as NULL schema and value), so a class sees
 * real data only.  Output buffers are malloc'd and never NULL on success,
 * even when empty, since NULL would mean a Kafka null. */
typedef struct converter_class {
    const char *name;       /* Kafka's class name */
    const char *short_name; /* e.g. "JsonConverter" */
    /* Reads the settings (config may be NULL) into *state. */
    int (*create)(bool is_key, const properties_t *config, void **state, char *errstr, size_t errstr_size);
    void (*destroy)(void *state);
    int (*from_connect)(void *state, const cd_schema_t *schema, const cd_value_t *value, unsigned char **out,
                        size_t *out_len, char *errstr, size_t errstr_size);
    int (*to_connect)(void *state, const void *data, size_t len, cd_schema_t **schema, cd_value_t **value,
                      char *errstr, size_t errstr_size);
} converter_class_t;

/* A reference to the process's one optional schema of primitive `type`:
 * schemas are immutable and their counts atomic, so reading a record need
 * not build a schema.  NULL when out of memory. */
cd_schema_t *converter_optional_schema(cd_type_t type);

/* Ends a to_connect: hands schema and value to the caller, or (either is
 * NULL: out of memory) frees both and says so.  Returns 0 or -1. */
int converter_read_result(cd_schema_t *schema, cd_value_t *value, cd_schema_t **out_schema, cd_value_t **out_value,
                          char *errstr, size_t errstr_size);

extern const converter_class_t convert_json_class;
extern const converter_class_t convert_string_class;
extern const converter_class_t convert_bytes_class;
extern const converter_class_t convert_simple_header_class;

#endif
