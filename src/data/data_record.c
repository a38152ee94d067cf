/*
 * data_record.c - Connect records (plugin.h "records"): a source record a
 * plugin fills, or a sink record the worker fills from a consumed Kafka
 * record and lends to put().
 *
 * One struct serves both: a source record leaves the Kafka offset at -1
 * and carries a source partition and offset; a sink record has the Kafka
 * coordinates (data_record_set_kafka) and no source position.  The record
 * owns everything it points to; setters replace (and free) what was there.
 * Unset timestamps read -1 so the worker can tell "not set" from a time.
 */
#include "data.h"

#include <stdlib.h>
#include <string.h>

typedef struct record_header {
    char *key;
    cd_schema_t *schema;
    cd_value_t *value;
} record_header_t;

struct cd_record {
    char *topic;
    int32_t partition; /* -1: the partitioner chooses */
    int64_t offset;    /* the Kafka offset; -1 for a source record */
    int64_t timestamp; /* ms; -1 until set */
    cd_schema_t *key_schema;
    cd_value_t *key;
    cd_schema_t *value_schema;
    cd_value_t *value;
    record_header_t *headers;
    size_t header_count;
    cd_value_t *source_partition;
    cd_value_t *source_offset;
};

cd_record_t *data_record_new(void)
{
    cd_record_t *rec = calloc(1, sizeof(*rec));
    if (rec) {
        rec->partition = -1;
        rec->offset = -1;
        rec->timestamp = -1;
    }
    return rec;
}

void data_record_free(cd_record_t *rec)
{
    if (!rec) {
        return;
    }
    free(rec->topic);
    data_schema_unref(rec->key_schema);
    data_value_free(rec->key);
    data_schema_unref(rec->value_schema);
    data_value_free(rec->value);
    for (size_t i = 0; i < rec->header_count; i++) {
        free(rec->headers[i].key);
        data_schema_unref(rec->headers[i].schema);
        data_value_free(rec->headers[i].value);
    }
    free(rec->headers);
    data_value_free(rec->source_partition);
    data_value_free(rec->source_offset);
    free(rec);
}

void data_record_set_topic(cd_record_t *rec, const char *topic)
{
    char *copy = rec && topic ? strdup(topic) : NULL;
    if (rec && (copy || !topic)) {
        free(rec->topic);
        rec->topic = copy;
    }
}

void data_record_set_partition(cd_record_t *rec, int32_t partition)
{
    if (rec) {
        rec->partition = partition < 0 ? -1 : partition;
    }
}

void data_record_set_kafka(cd_record_t *rec, const char *topic, int32_t partition, int64_t offset,
                           int64_t timestamp)
{
    data_record_set_topic(rec, topic);
    data_record_set_partition(rec, partition);
    data_record_set_timestamp(rec, timestamp);
    if (rec) {
        rec->offset = offset;
    }
}

static void replace_pair(cd_schema_t **schema_slot, cd_value_t **value_slot, cd_schema_t *schema, cd_value_t *value)
{
    /* The schema passed in is a reference the caller gives (plugin.h):
     * for the schema the record already holds, it is one too many. */
    data_schema_unref(*schema_slot == schema ? schema : *schema_slot);
    /* Setting the value the record already holds must not free it. */
    if (*value_slot != value) {
        data_value_free(*value_slot);
    }
    *schema_slot = schema;
    *value_slot = value;
}

void data_record_set_key(cd_record_t *rec, cd_schema_t *schema, cd_value_t *key)
{
    if (!rec) {
        data_schema_unref(schema);
        data_value_free(key);
        return;
    }
    replace_pair(&rec->key_schema, &rec->key, schema, key);
}

void data_record_set_value(cd_record_t *rec, cd_schema_t *schema, cd_value_t *value)
{
    if (!rec) {
        data_schema_unref(schema);
        data_value_free(value);
        return;
    }
    replace_pair(&rec->value_schema, &rec->value, schema, value);
}

void data_record_set_timestamp(cd_record_t *rec, int64_t ms)
{
    if (rec) {
        rec->timestamp = ms;
    }
}

void data_record_add_header(cd_record_t *rec, const char *key, cd_schema_t *schema, cd_value_t *value)
{
    char *copy = rec && key ? strdup(key) : NULL;
    record_header_t *grown = copy ? realloc(rec->headers, (rec->header_count + 1) * sizeof(*grown)) : NULL;
    if (!grown) {
        free(copy);
        data_schema_unref(schema);
        data_value_free(value);
        return;
    }
    rec->headers = grown;
    rec->headers[rec->header_count++] = (record_header_t){copy, schema, value};
}

void data_record_remove_header(cd_record_t *rec, size_t i)
{
    if (!rec || i >= rec->header_count) {
        return;
    }
    free(rec->headers[i].key);
    data_schema_unref(rec->headers[i].schema);
    data_value_free(rec->headers[i].value);
    memmove(&rec->headers[i], &rec->headers[i + 1], (rec->header_count - i - 1) * sizeof(*rec->headers));
    rec->header_count--;
}

void data_record_set_source(cd_record_t *rec, cd_value_t *partition, cd_value_t *offset)
{
    if (!rec) {
        data_value_free(partition);
        data_value_free(offset);
        return;
    }
    data_value_free(rec->source_partition);
    data_value_free(rec->source_offset);
    rec->source_partition = partition;
    rec->source_offset = offset;
}

const char *data_record_topic(const cd_record_t *rec)
{
    return rec ? rec->topic : NULL;
}

int32_t data_record_partition(const cd_record_t *rec)
{
    return rec ? rec->partition : -1;
}

int64_t data_record_offset(const cd_record_t *rec)
{
    return rec ? rec->offset : -1;
}

int64_t data_record_timestamp(const cd_record_t *rec)
{
    return rec ? rec->timestamp : -1;
}

const cd_schema_t *data_record_key_schema(const cd_record_t *rec)
{
    return rec ? rec->key_schema : NULL;
}

const cd_value_t *data_record_key(const cd_record_t *rec)
{
    return rec ? rec->key : NULL;
}

const cd_schema_t *data_record_value_schema(const cd_record_t *rec)
{
    return rec ? rec->value_schema : NULL;
}

const cd_value_t *data_record_value(const cd_record_t *rec)
{
    return rec ? rec->value : NULL;
}

size_t data_record_header_count(const cd_record_t *rec)
{
    return rec ? rec->header_count : 0;
}

const char *data_record_header_key(const cd_record_t *rec, size_t i)
{
    return rec && i < rec->header_count ? rec->headers[i].key : NULL;
}

const cd_value_t *data_record_header_value(const cd_record_t *rec, size_t i)
{
    return rec && i < rec->header_count ? rec->headers[i].value : NULL;
}

const cd_schema_t *data_record_header_schema(const cd_record_t *rec, size_t i)
{
    return rec && i < rec->header_count ? rec->headers[i].schema : NULL;
}

const cd_value_t *data_record_source_partition(const cd_record_t *rec)
{
    return rec ? rec->source_partition : NULL;
}

const cd_value_t *data_record_source_offset(const cd_record_t *rec)
{
    return rec ? rec->source_offset : NULL;
}

