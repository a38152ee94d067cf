/*
 * es_mapping.c - Connect schemas as Elasticsearch mappings (es_mapping.h).
 */
#include "es_mapping.h"

#include <stdio.h>
#include <string.h>

static const char *primitive_type(cd_type_t type)
{
    switch (type) {
    case CD_TYPE_INT8:
        return "byte";
    case CD_TYPE_INT16:
        return "short";
    case CD_TYPE_INT32:
        return "integer";
    case CD_TYPE_INT64:
        return "long";
    case CD_TYPE_FLOAT32:
        return "float";
    case CD_TYPE_FLOAT64:
        return "double";
    case CD_TYPE_BOOLEAN:
        return "boolean";
    case CD_TYPE_STRING:
        return "text";
    case CD_TYPE_BYTES:
        return "binary";
    default:
        return NULL;
    }
}

/* The body of one field's mapping object (without its braces). */
static int build(const cd_host_api_t *h, const cd_schema_t *schema, es_buf_t *out, char *errbuf, size_t errlen,
                 int depth)
{
    if (!schema) {
        snprintf(errbuf, errlen, "Cannot infer mapping without schema.");
        return -1;
    }
    if (depth > 64) {
        snprintf(errbuf, errlen, "the schema is nested too deeply for a mapping");
        return -1;
    }
    const char *name = h->schema_name(schema);
    if (name && (strcmp(name, "org.apache.kafka.connect.data.Date") == 0 ||
                 strcmp(name, "org.apache.kafka.connect.data.Time") == 0 ||
                 strcmp(name, "org.apache.kafka.connect.data.Timestamp") == 0)) {
        es_buf_puts(out, "\"type\":\"date\"");
        return 0;
    }
    if (name && strcmp(name, "org.apache.kafka.connect.data.Decimal") == 0) {
        es_buf_puts(out, "\"type\":\"double\"");
        return 0;
    }
    cd_type_t type = h->schema_type(schema);
    switch (type) {
    case CD_TYPE_ARRAY:
        return build(h, h->schema_items(schema), out, errbuf, errlen, depth + 1);
    case CD_TYPE_MAP:
        es_buf_puts(out, "\"properties\":{\"key\":{");
        if (build(h, h->schema_keys(schema), out, errbuf, errlen, depth + 1) < 0) {
            return -1;
        }
        es_buf_puts(out, "},\"value\":{");
        if (build(h, h->schema_values(schema), out, errbuf, errlen, depth + 1) < 0) {
            return -1;
        }
        es_buf_puts(out, "}}");
        return 0;
    case CD_TYPE_STRUCT:
        es_buf_puts(out, "\"properties\":{");
        for (int i = 0; i < h->schema_field_count(schema); i++) {
            const char *field = h->schema_field_name(schema, i);
            es_buf_puts(out, i ? "," : "");
            es_buf_json_string(out, field, strlen(field));
            es_buf_puts(out, ":{");
            if (build(h, h->schema_field_schema(schema, i), out, errbuf, errlen, depth + 1) < 0) {
                return -1;
            }
            es_buf_putc(out, '}');
        }
        es_buf_putc(out, '}');
        return 0;
    default:
        break;
    }
    const char *es_type = primitive_type(type);
    if (!es_type) {
        snprintf(errbuf, errlen, "Invalid primitive type %d.", (int)type);
        return -1;
    }
    es_buf_printf(out, "\"type\":\"%s\"", es_type);
    if (type == CD_TYPE_STRING) {
        es_buf_puts(out, ",\"fields\":{\"keyword\":{\"type\":\"keyword\",\"ignore_above\":256}}");
    }
    return 0;
}

int es_mapping_build(const cd_host_api_t *host, const cd_schema_t *schema, es_buf_t *out, char *errbuf, size_t errlen)
{
    size_t start = out->len;
    es_buf_putc(out, '{');
    if (build(host, schema, out, errbuf, errlen, 0) < 0) {
        out->len = start;
        if (out->data) {
            out->data[start] = '\0';
        }
        return -1;
    }
    es_buf_putc(out, '}');
    return 0;
}
