/*
 * convert_string.c - StringConverter (org.apache.kafka.connect.storage.StringConverter).
 *
 * Writing sends a string value's UTF-8 bytes; any other value is written
 * as Java's toString() would print it (42, 1.5, true, [1, 2], {a=1},
 * Struct{id=42,name=alice}), since Kafka calls value.toString().  Bytes
 * are refused: Java would print an object address ("[B@1b6d3586").
 * Reading gives an optional string schema, as Kafka's
 * Schema.OPTIONAL_STRING_SCHEMA, with ill-formed UTF-8 replaced (data.h).
 *
 * converter.encoding (StringConverterConfig) may only name UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_validate.h"
#include "converter.h"
#include "data/data.h"

static config_def_problem_t check_encoding(const config_def_t *key, const char *name, const char *value,
                                           const char **shown, char *why, size_t why_size)
{
    if (strcasecmp(value, "UTF-8") != 0 && strcasecmp(value, "UTF8") != 0) {
        snprintf(why, why_size, "connectd's converters write UTF-8 only");
        return CONFIG_DEF_REFUSED;
    }
    return CONFIG_DEF_OK;
}

const config_def_t convert_string_defs[] = {
    {.name = "converter.encoding", .type = CONFIG_DEF_STRING, .default_value = "UTF-8", .importance = CONFIG_DEF_HIGH,
     .doc = "The name of the Java character set to use for encoding strings as byte arrays. connectd's "
            "converters write UTF-8 only.",
     .order = -1, .width = CONFIG_DEF_WIDTH_MEDIUM, .display_name = "Encoding", .validate = check_encoding},
    {.name = NULL},
};

static int string_create(bool is_key, const properties_t *config, void **state, char *errstr, size_t errstr_size)
{
    (void)is_key;
    *state = NULL;
    return cv_fill(convert_string_defs, NULL, config, errstr, errstr_size) ? 0 : -1;
}

static void string_destroy(void *state)
{
    (void)state;
}

/* Java's toString() of v; -1 for bytes, anywhere in the tree. */
static int write_java_string(FILE *out, const cd_value_t *v)
{
    size_t len;
    const char *text;
    cd_type_t type = data_value_type(v);
    switch (type) {
    case CD_TYPE_NULL:
        fputs("null", out);
        return 0;
    case CD_TYPE_STRING:
        text = data_value_get_string(v, &len);
        fwrite(text, 1, len, out);
        return 0;
    case CD_TYPE_BYTES:
        return -1;
    case CD_TYPE_ARRAY:
    case CD_TYPE_MAP:
        fputc(type == CD_TYPE_ARRAY ? '[' : '{', out);
        for (size_t i = 0; i < data_value_count(v); i++) {
            fputs(i ? ", " : "", out);
            if (type == CD_TYPE_MAP) {
                if (write_java_string(out, data_value_map_key_at(v, i)) < 0) {
                    return -1;
                }
                fputc('=', out);
            }
            const cd_value_t *item = type == CD_TYPE_MAP ? data_value_map_value_at(v, i) : data_value_array_at(v, i);
            if (write_java_string(out, item) < 0) {
                return -1;
            }
        }
        fputc(type == CD_TYPE_ARRAY ? ']' : '}', out);
        return 0;
    case CD_TYPE_STRUCT: {
        /* Struct.toString lists the fields that are not null. */
        const cd_schema_t *schema = data_value_struct_schema(v);
        bool first = true;
        fputs("Struct{", out);
        for (int i = 0; i < data_schema_field_count(schema); i++) {
            const char *name = data_schema_field_name(schema, i);
            const cd_value_t *field = data_value_struct_get(v, name);
            if (data_value_type(field) == CD_TYPE_NULL) {
                continue;
            }
            fprintf(out, "%s%s=", first ? "" : ",", name);
            first = false;
            if (write_java_string(out, field) < 0) {
                return -1;
            }
        }
        fputc('}', out);
        return 0;
    }
    default: {
        /* Numbers and booleans: their JSON form is Java's (data_json_write.c),
         * except that NaN and Infinity are quoted there. */
        char *json = data_value_to_json(v);
        if (!json) {
            return -1;
        }
        len = strlen(json);
        bool quoted = json[0] == '"';
        fwrite(json + quoted, 1, len - 2 * quoted, out);
        free(json);
        return 0;
    }
    }
}

static int string_from_connect(void *state, const cd_schema_t *schema, const cd_value_t *value, unsigned char **out,
                               size_t *out_len, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)schema;
    if (data_value_type(value) == CD_TYPE_NULL) {
        return 0; /* Kafka: a null value is a null message, whatever the schema */
    }
    if (data_value_type(value) == CD_TYPE_STRING) { /* the common case, without a stream */
        size_t len;
        const char *s = data_value_get_string(value, &len);
        *out = malloc(len ? len : 1);
        if (!*out) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        memcpy(*out, s, len);
        *out_len = len;
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    if (!stream) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    bool bytes = write_java_string(stream, value) < 0;
    bool failed = ferror(stream) != 0;
    if (fclose(stream) != 0 || bytes || failed) {
        free(text);
        snprintf(errstr, errstr_size, bytes ? "StringConverter cannot write a BYTES value as text; use "
                                              "ByteArrayConverter for raw bytes"
                                            : "out of memory");
        return -1;
    }
    *out = (unsigned char *)text;
    *out_len = len;
    return 0;
}

static int string_to_connect(void *state, const void *data, size_t len, cd_schema_t **schema, cd_value_t **value,
                             char *errstr, size_t errstr_size)
{
    (void)state;
    return converter_read_result(converter_optional_schema(CD_TYPE_STRING), data_value_string(data, len), schema,
                                 value, errstr, errstr_size);
}

const converter_class_t convert_string_class = {
    .name = "org.apache.kafka.connect.storage.StringConverter",
    .short_name = "StringConverter",
    .create = string_create,
    .destroy = string_destroy,
    .from_connect = string_from_connect,
    .to_connect = string_to_connect,
};

/* The default header.converter.  Kafka's writes a value as its string
 * form, as StringConverter does here; when reading, it guesses a type from
 * the text (a number, a boolean, a JSON list or map).  connectd reads every
 * header as an optional STRING, so a header passes through a pipeline
 * byte for byte but a sink sees "42" rather than the int 42. */
const converter_class_t convert_simple_header_class = {
    .name = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    .short_name = "SimpleHeaderConverter",
    .create = string_create,
    .destroy = string_destroy,
    .from_connect = string_from_connect,
    .to_connect = string_to_connect,
};
