/*
 * es_doc.c - records as bulk actions (es_doc.h).  The JSON is written
 * token by token from the Connect values; nothing is parsed back.
 */
#include "es_doc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECIMAL_NAME "org.apache.kafka.connect.data.Decimal"
#define TIMESTAMP_FIELD "@timestamp"

void es_doc_index_name(const es_config_t *cfg, const char *topic, char *out, size_t outlen)
{
    if (cfg->data_stream_type) {
        /* {type}-{dataset}-{namespace}, ${topic} in the namespace standing
         * for the lowercased topic, the namespace cut to 100 bytes. */
        char ns[512] = "";
        size_t len = 0;
        for (const char *p = cfg->data_stream_namespace ? cfg->data_stream_namespace : "";
             *p && len < sizeof(ns) - 1;) {
            if (strncmp(p, "${topic}", 8) == 0) {
                for (const char *t = topic; *t && len < sizeof(ns) - 1; t++) {
                    ns[len++] = (char)tolower((unsigned char)*t);
                }
                p += 8;
            } else {
                ns[len++] = *p++;
            }
        }
        ns[len < 100 ? len : 100] = '\0';
        snprintf(out, outlen, "%s-%s-%s", cfg->data_stream_type, cfg->data_stream_dataset, ns);
        return;
    }
    char name[256];
    size_t len = 0;
    for (const char *p = topic; *p && len < 255; p++) {
        name[len++] = (char)tolower((unsigned char)*p);
    }
    name[len] = '\0';
    const char *start = (name[0] == '-' || name[0] == '_') ? name + 1 : name;
    if (strcmp(start, ".") == 0) {
        start = "dot";
    } else if (strcmp(start, "..") == 0) {
        start = "dotdot";
    }
    snprintf(out, outlen, "%s", start);
}

/* ---- values --------------------------------------------------------------------- */

typedef struct writer {
    const es_doc_ctx_t *ctx;
    bool preprocess;
    char *errbuf;
    size_t errlen;
} writer_t;

static int write_value(writer_t *w, es_buf_t *b, const cd_schema_t *schema, const cd_value_t *v,
                       const char *skip_field);

/* A Decimal's unscaled two's-complement big-endian bytes over 10^scale, as
 * a double (Confluent preprocesses Decimal into FLOAT64). */
static double decimal_to_double(const unsigned char *bytes, size_t len, int scale)
{
    long double unscaled = 0;
    bool negative = len > 0 && (bytes[0] & 0x80);
    for (size_t i = 0; i < len; i++) {
        unscaled = unscaled * 256 + (negative ? (unsigned char)~bytes[i] : bytes[i]);
    }
    if (negative) {
        unscaled = -(unscaled + 1);
    }
    return (double)(unscaled / powl(10, scale));
}

static bool is_string_keyed_map(writer_t *w, const cd_schema_t *schema, const cd_value_t *v)
{
    const cd_host_api_t *h = w->ctx->host;
    if (schema) {
        const cd_schema_t *keys = h->schema_keys(schema);
        return keys && h->schema_type(keys) == CD_TYPE_STRING;
    }
    for (size_t i = 0; i < h->value_count(v); i++) {
        if (h->value_type(h->value_map_key_at(v, i)) != CD_TYPE_STRING) {
            return false;
        }
    }
    return true;
}

static int write_map(writer_t *w, es_buf_t *b, const cd_schema_t *schema, const cd_value_t *v)
{
    const cd_host_api_t *h = w->ctx->host;
    const cd_schema_t *ks = schema ? h->schema_keys(schema) : NULL;
    const cd_schema_t *vs = schema ? h->schema_values(schema) : NULL;
    bool string_keys = is_string_keyed_map(w, schema, v);
    size_t n = h->value_count(v);
    if (string_keys && (!w->preprocess || !schema || w->ctx->cfg->compact_map_entries)) {
        es_buf_putc(b, '{');
        for (size_t i = 0; i < n; i++) {
            size_t klen;
            const char *k = h->value_get_string(h->value_map_key_at(v, i), &klen);
            es_buf_puts(b, i ? "," : "");
            es_buf_json_string(b, k, klen);
            es_buf_putc(b, ':');
            if (write_value(w, b, vs, h->value_map_value_at(v, i), NULL) < 0) {
                return -1;
            }
        }
        es_buf_putc(b, '}');
        return 0;
    }
    /* Confluent's preprocessing makes entries {"key":k,"value":v};
     * JsonConverter alone writes [k, v] pairs. */
    bool entries = w->preprocess && schema;
    es_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        es_buf_puts(b, i ? "," : "");
        es_buf_puts(b, entries ? "{\"key\":" : "[");
        if (write_value(w, b, ks, h->value_map_key_at(v, i), NULL) < 0) {
            return -1;
        }
        es_buf_puts(b, entries ? ",\"value\":" : ",");
        if (write_value(w, b, vs, h->value_map_value_at(v, i), NULL) < 0) {
            return -1;
        }
        es_buf_putc(b, entries ? '}' : ']');
    }
    es_buf_putc(b, ']');
    return 0;
}

static int write_struct(writer_t *w, es_buf_t *b, const cd_value_t *v, const char *skip_field)
{
    const cd_host_api_t *h = w->ctx->host;
    const cd_schema_t *st = h->value_struct_schema(v);
    int n = st ? h->schema_field_count(st) : 0;
    bool first = true;
    es_buf_putc(b, '{');
    for (int i = 0; i < n; i++) {
        const char *name = h->schema_field_name(st, i);
        if (skip_field && strcmp(name, skip_field) == 0) {
            continue;
        }
        es_buf_puts(b, first ? "" : ",");
        first = false;
        es_buf_json_string(b, name, strlen(name));
        es_buf_putc(b, ':');
        if (write_value(w, b, h->schema_field_schema(st, i), h->value_struct_get(v, name), NULL) < 0) {
            return -1;
        }
    }
    es_buf_putc(b, '}');
    return 0;
}

static int write_value(writer_t *w, es_buf_t *b, const cd_schema_t *schema, const cd_value_t *v, const char *skip_field)
{
    const cd_host_api_t *h = w->ctx->host;
    cd_type_t type = v ? h->value_type(v) : CD_TYPE_NULL;
    const char *name = schema ? h->schema_name(schema) : NULL;
    size_t len;
    if (type == CD_TYPE_BYTES && name && strcmp(name, DECIMAL_NAME) == 0 && w->preprocess) {
        const char *scale = h->schema_parameter(schema, "scale");
        const void *bytes = h->value_get_bytes(v, &len);
        es_buf_json_double(b, decimal_to_double(bytes, len, scale ? atoi(scale) : 0));
        return 0;
    }
    switch (type) {
    case CD_TYPE_NULL:
        es_buf_puts(b, "null");
        return 0;
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        es_buf_json_int(b, h->value_get_int(v));
        return 0;
    case CD_TYPE_FLOAT32:
        es_buf_json_float(b, (float)h->value_get_float(v));
        return 0;
    case CD_TYPE_FLOAT64:
        es_buf_json_double(b, h->value_get_float(v));
        return 0;
    case CD_TYPE_BOOLEAN:
        es_buf_puts(b, h->value_get_bool(v) ? "true" : "false");
        return 0;
    case CD_TYPE_STRING: {
        const char *s = h->value_get_string(v, &len);
        es_buf_json_string(b, s, len);
        return 0;
    }
    case CD_TYPE_BYTES: {
        const void *bytes = h->value_get_bytes(v, &len);
        es_buf_json_base64(b, bytes, len);
        return 0;
    }
    case CD_TYPE_ARRAY: {
        const cd_schema_t *items = schema ? h->schema_items(schema) : NULL;
        es_buf_putc(b, '[');
        for (size_t i = 0; i < h->value_count(v); i++) {
            es_buf_puts(b, i ? "," : "");
            if (write_value(w, b, items, h->value_array_at(v, i), NULL) < 0) {
                return -1;
            }
        }
        es_buf_putc(b, ']');
        return 0;
    }
    case CD_TYPE_MAP:
        return write_map(w, b, schema, v);
    case CD_TYPE_STRUCT:
        return write_struct(w, b, v, skip_field);
    }
    snprintf(w->errbuf, w->errlen, "a value of unknown type %d", (int)type);
    return -1;
}

int es_doc_value_json(const es_doc_ctx_t *ctx, const cd_schema_t *schema, const cd_value_t *value, bool preprocess,
                      es_buf_t *out, char *errbuf, size_t errlen)
{
    writer_t w = {.ctx = ctx, .preprocess = preprocess, .errbuf = errbuf, .errlen = errlen};
    return write_value(&w, out, schema, value, NULL);
}

/* ---- ids and versions ----------------------------------------------------------- */

static const char *type_name(cd_type_t t)
{
    static const char *const names[] = {"NULL",    "INT8",   "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",   "STRUCT"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "UNKNOWN";
}

/* An integer or string value's text; false for other types. */
static bool primitive_text(const cd_host_api_t *h, const cd_value_t *v, es_buf_t *out)
{
    size_t len;
    switch (v ? h->value_type(v) : CD_TYPE_NULL) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        es_buf_json_int(out, h->value_get_int(v));
        return true;
    case CD_TYPE_STRING: {
        const char *s = h->value_get_string(v, &len);
        es_buf_put(out, s, len);
        return true;
    }
    default:
        return false;
    }
}

int es_doc_key_id(const es_doc_ctx_t *ctx, const cd_schema_t *schema, const cd_value_t *key, es_buf_t *out,
                  char *errbuf, size_t errlen)
{
    const cd_host_api_t *h = ctx->host;
    cd_type_t type = key ? h->value_type(key) : CD_TYPE_NULL;
    size_t start = out->len;
    if (type == CD_TYPE_NULL) {
        snprintf(errbuf, errlen, "Key is used as document id and can not be null.");
        return -1;
    }
    bool ok = primitive_text(h, key, out);
    if (!ok && (type == CD_TYPE_STRUCT || type == CD_TYPE_MAP) && h->value_count(key) == 1) {
        const cd_value_t *only = type == CD_TYPE_STRUCT
                                     ? h->value_struct_get(key, h->schema_field_name(h->value_struct_schema(key), 0))
                                     : h->value_map_value_at(key, 0);
        ok = primitive_text(h, only, out);
    }
    if (!ok && (type == CD_TYPE_STRUCT || type == CD_TYPE_MAP)) {
        ok = es_doc_value_json(ctx, schema, key, false, out, errbuf, errlen) == 0;
        if (!ok) {
            return -1;
        }
    }
    if (!ok) {
        snprintf(errbuf, errlen, "%s is not supported as the document id.", type_name(type));
        return -1;
    }
    if (out->len == start) {
        snprintf(errbuf, errlen, "Key is used as document id and can not be empty.");
        return -1;
    }
    return 0;
}

static void record_string(const cd_host_api_t *h, const cd_record_t *rec, char *out, size_t outlen)
{
    snprintf(out, outlen, "record from topic=%s partition=%d offset=%lld", h->record_topic(rec),
             (int)h->record_partition(rec), (long long)h->record_offset(rec));
}

/* The external version of rec: its offset, or the last header named by
 * external.version.header read as a number.  -1 after writing why. */
static int external_version(const es_doc_ctx_t *ctx, const cd_record_t *rec, int64_t *version, char *errbuf,
                            size_t errlen)
{
    const cd_host_api_t *h = ctx->host;
    const char *name = ctx->cfg->version_header;
    if (!name) {
        *version = h->record_offset(rec);
        return 0;
    }
    const cd_value_t *found = NULL;
    for (size_t i = 0; i < h->record_header_count(rec); i++) {
        if (strcmp(h->record_header_key(rec, i), name) == 0) {
            found = h->record_header_value(rec, i);
        }
    }
    char where[256];
    record_string(h, rec, where, sizeof(where));
    es_buf_t text;
    es_buf_init(&text);
    bool ok = found && primitive_text(h, found, &text) && text.len > 0;
    char *end = NULL;
    errno = 0;
    long long v = ok ? strtoll(text.data, &end, 10) : 0;
    ok = ok && errno == 0 && end && *end == '\0';
    es_buf_free(&text);
    if (!ok) {
        snprintf(errbuf, errlen, "Error converting external version header '%s' to long for %s", name, where);
        return -1;
    }
    *version = v;
    return 0;
}

/* ---- the action ----------------------------------------------------------------- */

/* Appends ,"@timestamp":<value> inside the document object just written at
 * body->data[doc_start..]: the first data.stream.timestamp.field the value
 * has (its text), else the record's timestamp. */
static void add_timestamp(const es_doc_ctx_t *ctx, const cd_record_t *rec, es_buf_t *body, size_t doc_start)
{
    const cd_host_api_t *h = ctx->host;
    const cd_value_t *value = h->record_value(rec);
    es_buf_t ts;
    es_buf_init(&ts);
    for (size_t i = 0; i < ctx->cfg->n_timestamp_fields && !ts.len; i++) {
        const char *field = ctx->cfg->timestamp_fields[i];
        const cd_value_t *fv = h->value_type(value) == CD_TYPE_STRUCT ? h->value_struct_get(value, field)
                                                                      : h->value_map_get(value, field);
        if (fv && h->value_type(fv) != CD_TYPE_NULL) {
            es_buf_t raw;
            es_buf_init(&raw);
            if (!primitive_text(h, fv, &raw)) {
                char e[16];
                es_doc_value_json(ctx, NULL, fv, false, &raw, e, sizeof(e));
            }
            es_buf_json_string(&ts, raw.data ? raw.data : "", raw.len);
            es_buf_free(&raw);
        }
    }
    if (!ts.len) {
        es_buf_json_int(&ts, h->record_timestamp(rec));
    }
    /* The document ends with '}': reopen it. */
    body->len--;
    bool empty = body->len == doc_start + 1;
    es_buf_puts(body, empty ? "\"" TIMESTAMP_FIELD "\":" : ",\"" TIMESTAMP_FIELD "\":");
    es_buf_put(body, ts.data, ts.len);
    es_buf_putc(body, '}');
    es_buf_free(&ts);
}

es_doc_rc_t es_doc_append(const es_doc_ctx_t *ctx, const cd_record_t *rec, const char *index, es_buf_t *body,
                          es_doc_meta_t *meta, char *errbuf, size_t errlen)
{
    const cd_host_api_t *h = ctx->host;
    const es_config_t *cfg = ctx->cfg;
    const char *topic = h->record_topic(rec);
    const cd_value_t *value = h->record_value(rec);
    bool is_delete = !value || h->value_type(value) == CD_TYPE_NULL;
    const cd_value_t *key = h->record_key(rec);
    bool null_key = !key || h->value_type(key) == CD_TYPE_NULL;
    char where[256];
    record_string(h, rec, where, sizeof(where));
    if (is_delete) {
        switch (cfg->on_null) {
        case ES_NULL_IGNORE:
            return ES_DOC_SKIP;
        case ES_NULL_DELETE:
            if (null_key) {
                return ES_DOC_SKIP; /* no id to delete */
            }
            break;
        case ES_NULL_FAIL:
            snprintf(errbuf, errlen,
                     "%s has a null value (to ignore future records like this change the configuration property "
                     "'behavior.on.null.values' from 'fail' to 'ignore')",
                     where);
            return ES_DOC_INVALID;
        }
    }
    size_t start = body->len;
    bool key_ignored = es_config_key_ignored(cfg, topic);
    bool upsert = !is_delete && cfg->write_method == ES_WRITE_UPSERT;
    bool autogen = !is_delete && !upsert && cfg->autogenerated_ids;
    es_buf_t *id = ctx->id_buf;
    es_buf_reset(id);
    if (key_ignored) {
        es_buf_puts(id, topic);
        es_buf_putc(id, '+');
        es_buf_json_int(id, h->record_partition(rec));
        es_buf_putc(id, '+');
        es_buf_json_int(id, h->record_offset(rec));
    } else if (!autogen && es_doc_key_id(ctx, h->record_key_schema(rec), key, id, errbuf, errlen) < 0) {
        return ES_DOC_INVALID;
    }
    bool versioned = !cfg->data_stream_type && !key_ignored && !upsert && !autogen;
    int64_t version = 0;
    if (versioned && external_version(ctx, rec, &version, errbuf, errlen) < 0) {
        return ES_DOC_FATAL;
    }
    const char *op = is_delete ? "delete" : upsert ? "update" : cfg->data_stream_type ? "create" : "index";
    /* The action line is written once per document: puts, not printf. */
    es_buf_puts(body, "{\"");
    es_buf_puts(body, op);
    es_buf_puts(body, "\":{\"_index\":");
    es_buf_json_string(body, index, strlen(index));
    if (ctx->type) {
        es_buf_puts(body, ",\"_type\":");
        es_buf_json_string(body, ctx->type, strlen(ctx->type));
    }
    if (!autogen) {
        es_buf_puts(body, ",\"_id\":");
        es_buf_json_string(body, id->data ? id->data : "", id->len);
    }
    if (versioned) {
        es_buf_puts(body, ",\"version\":");
        es_buf_json_int(body, version);
        es_buf_puts(body, ",\"version_type\":\"external\"");
    }
    if (upsert) {
        es_buf_printf(body, ",\"retry_on_conflict\":%d", cfg->max_in_flight < 5 ? cfg->max_in_flight : 5);
    }
    es_buf_puts(body, "}}\n");
    if (!is_delete) {
        if (upsert) {
            es_buf_puts(body, "{\"doc\":");
        }
        size_t doc_start = body->len;
        bool stream = cfg->data_stream_type != NULL;
        cd_type_t vt = h->value_type(value);
        if (stream && vt != CD_TYPE_STRUCT && vt != CD_TYPE_MAP) {
            snprintf(errbuf, errlen, "Top level payload contains data of Json type %s. Required Json object.",
                     vt == CD_TYPE_ARRAY    ? "ARRAY"
                     : vt == CD_TYPE_STRING ? "STRING"
                                            : "NUMBER");
            body->len = start;
            body->data[start] = '\0';
            return ES_DOC_INVALID;
        }
        writer_t w = {
            .ctx = ctx, .preprocess = !es_config_schema_ignored(cfg, topic), .errbuf = errbuf, .errlen = errlen};
        /* A timestamp field of the record's own is replaced, not doubled. */
        const char *skip = stream && !cfg->n_timestamp_fields ? TIMESTAMP_FIELD : NULL;
        if (write_value(&w, body, h->record_value_schema(rec), value, skip) < 0) {
            body->len = start;
            body->data[start] = '\0';
            return ES_DOC_INVALID;
        }
        if (stream) {
            add_timestamp(ctx, rec, body, doc_start);
        }
        es_buf_puts(body, upsert ? ",\"doc_as_upsert\":true}\n" : "\n");
    }
    meta->external_version = versioned;
    meta->is_delete = is_delete;
    return ES_DOC_OK;
}
