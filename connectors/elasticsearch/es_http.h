/*
 * es_http.h - the sink's HTTP side of Elasticsearch, on libcurl: the
 * connection URLs and failover between them, authentication (basic or API
 * key), TLS with a CA file or client certificate, proxy, timeouts and gzip,
 * applied alike to the bulk requests of the pipeline (curl multi, on its
 * thread) and to the task's own small calls (GET /, index creation,
 * mappings), which es_http_call makes synchronously.
 *
 * Failover: requests go to the URLs in turn; a URL whose connection failed
 * is passed over for a while (1 s, doubling to 60 s while it keeps failing)
 * unless every URL is down, when the one down longest is tried.
 *
 * Thread safety: es_http_prepare and es_http_mark may be called from any
 * thread (the URL states are under a lock); es_http_call from one thread
 * at a time.
 */
#ifndef CONNECTD_ES_HTTP_H
#define CONNECTD_ES_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "es_buf.h"
#include "es_config.h"

typedef struct es_http es_http_t;

/* What came back: status 0 when no response came at all (error says why). */
typedef struct es_http_result {
    long status;
    es_buf_t body;
    long retry_after_ms; /* from a Retry-After header; 0 when none */
    bool permanent;      /* status 0 for a reason waiting does not fix (TLS, a bad URL) */
    char error[CURL_ERROR_SIZE + 64];
    int url; /* the index of the URL used */
} es_http_result_t;

/* A request being prepared or under way: the easy handle and what it
 * owns.  Zero it, then es_http_prepare. */
typedef struct es_http_req {
    CURL *easy;
    struct curl_slist *headers;
    char *gz; /* the gzipped body, when connection.compression */
    es_http_result_t res;
    /* read.timeout.ms: when bytes last moved either way once connected,
     * how many had moved then, and whether the silence ended the request. */
    long read_timeout_ms;
    int64_t quiet_since_ms;
    curl_off_t moved;
    bool read_timed_out;
} es_http_req_t;

/* CLOCK_MONOTONIC in milliseconds: what the timeouts and backoffs of
 * the client and the pipeline count in. */
int64_t es_now_ms(void);

/* The client of cfg (borrowed; it must outlive the client).  NULL after
 * writing why into errbuf. */
es_http_t *es_http_new(const es_config_t *cfg, char *errbuf, size_t errlen);
void es_http_free(es_http_t *http); /* NULL is fine */

/* Sets up req->easy (made here) for `method` `path` (starting with '/')
 * on the next live URL, with `body` (borrowed until the request ends; may
 * be NULL) as content_type.  Returns 0, or -1 when curl cannot be set up
 * (req->res.error says why). */
int es_http_prepare(es_http_t *http, es_http_req_t *req, const char *method, const char *path, const char *body,
                    size_t len, const char *content_type);
/* After a request ended with curl code `rc`: fills req->res.status and
 * error, and marks its URL up or down. */
void es_http_finish(es_http_t *http, es_http_req_t *req, CURLcode rc);
/* Frees what es_http_prepare made, but req->res.body. */
void es_http_req_clean(es_http_req_t *req);

/* One synchronous request, tried once on each live URL while the
 * connection fails.  Fills res (its body initialized here: free it with
 * es_buf_free). */
void es_http_call(es_http_t *http, const char *method, const char *path, const char *body, size_t len,
                  es_http_result_t *res);

/* The URL of index i, for messages; borrowed. */
const char *es_http_url(const es_http_t *http, int i);

#endif
