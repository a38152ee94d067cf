/*
 * es_doc.h - a sink record as one action of a _bulk body, written as JSON
 * text straight from the Connect data API (es_buf.h): the action line and,
 * but for a delete, the document line, as Confluent's DataConverter builds
 * them:
 *
 *   {"index":{"_index":"orders","_id":"42","version":17,"version_type":"external"}}
 *   {"id":42,"total":12.5,"lines":[{"sku":"A-1","qty":2}]}
 *   {"update":{"_index":"orders","_id":"42","retry_on_conflict":5}}
 *   {"doc":{"id":42,"total":13.0},"doc_as_upsert":true}
 *   {"delete":{"_index":"orders","_id":"42","version":18,"version_type":"external"}}
 *
 * The document is the value as Kafka's JsonConverter writes it without
 * schemas, after Confluent's preprocessing when the topic's schema is not
 * ignored: Decimal as a double, maps with string keys as objects (with
 * compact.map.entries) and other maps as [{"key":..,"value":..}] arrays.
 *
 * Document ids are the record key (integer and string keys, as Confluent;
 * struct and map keys by the rule of es_doc_key_id) or, with key.ignore,
 * topic+partition+offset.  External versions are the Kafka offset (or the
 * external.version.header), so a replay after a restart is a version
 * conflict that changes nothing.
 */
#ifndef CONNECTD_ES_DOC_H
#define CONNECTD_ES_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>

#include "es_buf.h"
#include "es_config.h"

/* How the server's API names documents, by generation (es_http.h reads it
 * from GET /). */
typedef enum es_api {
    ES_API_TYPED,    /* Elasticsearch 5.x: a mapping type per document (type.name) */
    ES_API_DOC_TYPE, /* Elasticsearch 6.x: one type per index, _doc unless type.name says */
    ES_API_TYPELESS, /* Elasticsearch 7.x and 8.x, OpenSearch */
} es_api_t;

typedef struct es_doc_ctx {
    const cd_host_api_t *host;
    const es_config_t *cfg;
    es_api_t api;
    const char *type; /* the mapping type before 7; NULL when typeless */
    /* Where es_doc_append writes each record's id before quoting it into
     * the action: the caller's, reused from record to record so that the
     * hot path allocates nothing per record once it has grown. */
    es_buf_t *id_buf;
} es_doc_ctx_t;

typedef enum es_doc_rc {
    ES_DOC_OK,      /* an action was appended */
    ES_DOC_SKIP,    /* nothing to write: a null value ignored, or a delete without a key */
    ES_DOC_INVALID, /* the record cannot be a document (errbuf says why): drop.invalid.message decides */
    ES_DOC_FATAL,   /* the task cannot go on (errbuf says why) */
} es_doc_rc_t;

/* What was written, for reading the item's result back. */
typedef struct es_doc_meta {
    bool external_version; /* the action carries an external version */
    bool is_delete;
} es_doc_meta_t;

/* The index (or data stream) a topic's records go to, as Confluent names
 * it: lowercased, cut to 255 bytes, one leading '-' or '_' dropped, "."
 * and ".." spelled "dot" and "dotdot"; or {type}-{dataset}-{namespace}.
 * Written into out (at least 256 bytes). */
void es_doc_index_name(const es_config_t *cfg, const char *topic, char *out, size_t outlen);

/* Appends rec's action (and document) for `index` to body.  On anything
 * but ES_DOC_OK body is left as it was. */
es_doc_rc_t es_doc_append(const es_doc_ctx_t *ctx, const cd_record_t *rec, const char *index, es_buf_t *body,
                          es_doc_meta_t *meta, char *errbuf, size_t errlen);

/* The document id a key makes, appended to out as text; -1 after writing
 * Confluent's message into errbuf when the key cannot be an id.  Integer
 * and string keys are their text.  Unlike Confluent, which refuses them,
 * a struct or map key of one integer or string field is that field's text
 * (a Debezium key {"id": 42} is "42"), and other structs and maps their
 * compact JSON text, fields in schema order (so equal keys give one id). */
int es_doc_key_id(const es_doc_ctx_t *ctx, const cd_schema_t *schema, const cd_value_t *key, es_buf_t *out,
                  char *errbuf, size_t errlen);

/* The value as JSON text (the document alone); preprocess: Confluent's
 * preprocessing of schema'd values.  -1 after writing why into errbuf. */
int es_doc_value_json(const es_doc_ctx_t *ctx, const cd_schema_t *schema, const cd_value_t *value, bool preprocess,
                      es_buf_t *out, char *errbuf, size_t errlen);

#endif
