/*
 * convert_bytes.c - ByteArrayConverter
 * (org.apache.kafka.connect.converters.ByteArrayConverter): the bytes of a
 * BYTES value as they are, and any message back as an optional bytes value
 * (Schema.OPTIONAL_BYTES_SCHEMA).  Anything but bytes is an error, in
 * Kafka's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converter.h"
#include "data/data.h"

static int bytes_create(bool is_key, const properties_t *config, void **state, char *errstr, size_t errstr_size)
{
    (void)is_key;
    (void)config;
    (void)errstr;
    (void)errstr_size;
    *state = NULL;
    return 0;
}

static void bytes_destroy(void *state)
{
    (void)state;
}

static int bytes_from_connect(void *state, const cd_schema_t *schema, const cd_value_t *value, unsigned char **out,
                              size_t *out_len, char *errstr, size_t errstr_size)
{
    (void)state;
    if (schema && data_schema_type(schema) != CD_TYPE_BYTES) {
        snprintf(errstr, errstr_size, "Invalid schema type for ByteArrayConverter: %s",
                 data_type_name(data_schema_type(schema)));
        return -1;
    }
    cd_type_t type = data_value_type(value);
    if (type == CD_TYPE_NULL) {
        return 0;
    }
    if (type != CD_TYPE_BYTES) {
        snprintf(errstr, errstr_size, "ByteArrayConverter is not compatible with objects of type %s",
                 data_type_name(type));
        return -1;
    }
    size_t len;
    const void *data = data_value_get_bytes(value, &len);
    /* One spare byte: an empty message is still a buffer, not a Kafka null. */
    *out = malloc(len + 1);
    if (!*out) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    memcpy(*out, data, len);
    *out_len = len;
    return 0;
}

static int bytes_to_connect(void *state, const void *data, size_t len, cd_schema_t **schema, cd_value_t **value,
                            char *errstr, size_t errstr_size)
{
    (void)state;
    return converter_read_result(converter_optional_schema(CD_TYPE_BYTES), data_value_bytes(data, len), schema,
                                 value, errstr, errstr_size);
}

const converter_class_t convert_bytes_class = {
    .name = "org.apache.kafka.connect.converters.ByteArrayConverter",
    .short_name = "ByteArrayConverter",
    .create = bytes_create,
    .destroy = bytes_destroy,
    .from_connect = bytes_from_connect,
    .to_connect = bytes_to_connect,
};
