/*
 * es_bulk_response.c - reading a _bulk response (es_bulk_response.h).
 */
#include "es_bulk_response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_buf.h"
#include "es_json_reader.h"

/* The error types Confluent's connector treats as a malformed document
 * (ElasticsearchClient.MALFORMED_DOC_ERRORS), matched against the error's
 * type and its cause's. */
static const char *const malformed_types[] = {
    "strict_dynamic_mapping_exception",    "mapper_parsing_exception",   "illegal_argument_exception",
    "action_request_validation_exception", "document_parsing_exception", NULL,
};

static void copy_text(char *dst, size_t dstlen, const es_buf_t *src)
{
    size_t n = src->len < dstlen - 1 ? src->len : dstlen - 1;
    memcpy(dst, src->data ? src->data : "", n);
    dst[n] = '\0';
}

/* Reads an error object's type and reason (and its cause's) into the item;
 * an error given as a plain string (Elasticsearch before 5) is its reason. */
static void read_error(es_jr_t *jr, es_item_result_t *item)
{
    es_buf_t type, reason, ctype, creason;
    es_buf_init(&type);
    es_buf_init(&reason);
    es_buf_init(&ctype);
    es_buf_init(&creason);
    char key[32];
    if (es_jr_peek(jr) == ES_JR_STRING) {
        es_jr_string(jr, &reason);
    } else if (es_jr_object(jr)) {
        while (es_jr_key(jr, key, sizeof(key))) {
            if (strcmp(key, "type") == 0) {
                es_jr_string(jr, &type);
            } else if (strcmp(key, "reason") == 0) {
                es_jr_string(jr, &reason);
            } else if (strcmp(key, "caused_by") == 0 && es_jr_object(jr)) {
                while (es_jr_key(jr, key, sizeof(key))) {
                    if (strcmp(key, "type") == 0) {
                        es_jr_string(jr, &ctype);
                    } else if (strcmp(key, "reason") == 0) {
                        es_jr_string(jr, &creason);
                    } else {
                        es_jr_skip(jr);
                    }
                }
            } else {
                es_jr_skip(jr);
            }
        }
    } else {
        es_jr_skip(jr);
    }
    copy_text(item->error_type, sizeof(item->error_type), &type);
    copy_text(item->cause_type, sizeof(item->cause_type), &ctype);
    es_buf_t text;
    es_buf_init(&text);
    es_buf_printf(&text, "%s%s%s", type.len ? type.data : "", type.len ? ": " : "", reason.len ? reason.data : "");
    if (ctype.len || creason.len) {
        es_buf_printf(&text, " (caused by: %s: %s)", ctype.len ? ctype.data : "", creason.len ? creason.data : "");
    }
    if (!text.len) {
        es_buf_puts(&text, "unknown error");
    }
    free(item->error_reason);
    item->error_reason = es_buf_steal(&text, NULL);
    es_buf_free(&type);
    es_buf_free(&reason);
    es_buf_free(&ctype);
    es_buf_free(&creason);
}

/* One item, {"<op>": {...}}. */
static void read_item(es_jr_t *jr, es_item_result_t *item)
{
    char key[32];
    if (!es_jr_object(jr)) {
        es_jr_skip(jr);
        return;
    }
    while (es_jr_key(jr, key, sizeof(key))) {
        if (!es_jr_object(jr)) {
            es_jr_skip(jr);
            continue;
        }
        while (es_jr_key(jr, key, sizeof(key))) {
            int64_t status;
            if (strcmp(key, "status") == 0 && es_jr_int(jr, &status)) {
                /* Not an HTTP status: left 0, which is fatal, never taken for a 2xx. */
                item->status = status >= 100 && status <= 599 ? (int)status : 0;
            } else if (strcmp(key, "error") == 0) {
                read_error(jr, item);
            } else {
                es_jr_skip(jr);
            }
        }
    }
}

int es_bulk_response_parse(const char *body, size_t len, es_item_result_t *items, size_t n, char *errbuf, size_t errlen)
{
    es_jr_t jr;
    es_jr_init(&jr, body, len);
    char key[32];
    size_t count = 0;
    bool seen_items = false;
    if (es_jr_object(&jr)) {
        while (es_jr_key(&jr, key, sizeof(key))) {
            if (strcmp(key, "items") != 0 || !es_jr_array(&jr)) {
                es_jr_skip(&jr);
                continue;
            }
            seen_items = true;
            while (es_jr_element(&jr)) {
                if (count < n) {
                    read_item(&jr, &items[count]);
                } else {
                    es_jr_skip(&jr);
                }
                count++;
            }
        }
    }
    if (jr.failed || !seen_items) {
        snprintf(errbuf, errlen, "the bulk response is not the bulk API's JSON (%s)",
                 jr.failed ? "not JSON" : "no \"items\"");
        return -1;
    }
    if (count != n) {
        snprintf(errbuf, errlen, "the bulk response has %zu items for the %zu actions sent", count, n);
        return -1;
    }
    return 0;
}

void es_item_results_free(es_item_result_t *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].error_reason);
        items[i].error_reason = NULL;
    }
}

static bool is_malformed_type(const char *type)
{
    for (const char *const *t = malformed_types; *t; t++) {
        if (strcmp(type, *t) == 0) {
            return true;
        }
    }
    return false;
}

es_item_class_t es_item_classify(const es_item_result_t *item, bool external_version)
{
    if (!item->error_reason) {
        /* 2xx, and 404 not_found of a delete, which carries no error. */
        return (item->status >= 200 && item->status < 300) || item->status == 404 ? ES_ITEM_OK : ES_ITEM_FATAL;
    }
    if (strcmp(item->error_type, "version_conflict_engine_exception") == 0) {
        /* Confluent ignores it with external versions; without them (a
         * data stream's create) it is reported, not fatal. */
        return external_version ? ES_ITEM_CONFLICT : ES_ITEM_MALFORMED;
    }
    if (item->status == 429 || item->status >= 500) {
        return ES_ITEM_RETRIABLE;
    }
    if (is_malformed_type(item->error_type) || is_malformed_type(item->cause_type)) {
        return ES_ITEM_MALFORMED;
    }
    return ES_ITEM_FATAL;
}

bool es_error_envelope_text(const char *body, size_t len, char *out, size_t outlen)
{
    es_jr_t jr;
    es_jr_init(&jr, body, len);
    char key[32];
    bool found = false;
    if (es_jr_object(&jr)) {
        while (es_jr_key(&jr, key, sizeof(key))) {
            if (strcmp(key, "error") == 0 && !found) {
                es_item_result_t item = {0};
                read_error(&jr, &item);
                snprintf(out, outlen, "%s", item.error_reason);
                free(item.error_reason);
                found = true;
            } else {
                es_jr_skip(&jr);
            }
        }
    }
    return found && !jr.failed;
}
