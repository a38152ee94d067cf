/*
 * es_bulk_response.h - a _bulk response read back item by item, and what
 * each item's outcome means for the record it came from.
 *
 *   {"took":3,"errors":true,"items":[
 *     {"index":{"_index":"orders","_id":"1","_version":7,"result":"created","status":201}},
 *     {"index":{"_index":"orders","_id":"2","status":409,"error":{"type":"version_conflict_engine_exception",
 *       "reason":"[2]: version conflict, current version [9] is higher or equal to the one provided [8]"}}},
 *     {"delete":{"_index":"orders","_id":"3","result":"not_found","status":404}}]}
 *
 * Items come in the order of the request's actions, one each (the bulk
 * API's contract); a response with another count is refused as a whole.
 * Read with es_json_reader.h, one pass, no tree.
 */
#ifndef CONNECTD_ES_BULK_RESPONSE_H
#define CONNECTD_ES_BULK_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

/* What an item's outcome means, as Confluent's connector sorts them
 * (ElasticsearchClient.handleResponse), with per-item overload retried
 * instead of failing the task. */
typedef enum es_item_class {
    ES_ITEM_OK,        /* written (or a delete of a document that is not there) */
    ES_ITEM_CONFLICT,  /* a version conflict of an external version: a replay, counted and ignored */
    ES_ITEM_MALFORMED, /* the document itself is refused: behavior.on.malformed.documents decides */
    ES_ITEM_RETRIABLE, /* 429 or a 5xx on this item: sent again after a backoff */
    ES_ITEM_FATAL,     /* anything else: the task fails, naming the error */
} es_item_class_t;

typedef struct es_item_result {
    int status;          /* the item's HTTP status */
    char error_type[96]; /* error.type, "" when the item has no error */
    char cause_type[96]; /* error.caused_by.type, "" when none */
    char *error_reason;  /* "type: reason (caused by: type: reason)"; malloc'd, NULL without error */
} es_item_result_t;

/* Reads the items of a bulk response into items[0..n) (zeroed by the
 * caller; es_item_results_free releases their text).  Returns 0, or -1
 * after writing what is wrong into errbuf: not JSON, no items, or a
 * number of items other than n. */
int es_bulk_response_parse(const char *body, size_t len, es_item_result_t *items, size_t n, char *errbuf,
                           size_t errlen);
void es_item_results_free(es_item_result_t *items, size_t n);

/* The class of an item's outcome.  external_version: the action carried
 * an external version, so a version conflict means a replay. */
es_item_class_t es_item_classify(const es_item_result_t *item, bool external_version);

/* A whole-request error envelope, {"error":{"type","reason",...},"status":N}
 * (or the older {"error":"text"}), as "type: reason" into out; false when
 * the body is not one. */
bool es_error_envelope_text(const char *body, size_t len, char *out, size_t outlen);

#endif
