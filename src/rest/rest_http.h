/*
 * rest_http.h - one REST request as the endpoint handlers see it, and the
 * ways to answer it (Kafka Connect's JSON bodies and error shape).
 *
 * Every handler answers exactly once, with one of the rest_send_* calls,
 * and returns what that call returned.  The answer is kept in the request
 * (response, status) and queued by rest_server.c once the handler is done:
 * a handler that may block runs on a thread of its own while MHD has the
 * connection suspended, and only MHD's own callback may queue a response.
 */
#ifndef CONNECTD_REST_HTTP_H
#define CONNECTD_REST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "herder/herder.h"

/* Path segments a route may capture ("{}" in its pattern). */
#define REST_MAX_PARAMS 4

typedef struct rest_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body; /* not NUL-terminated; NULL when empty */
    size_t body_len;
    herder_t *herder;
    const char *cluster_id; /* may be NULL */
    const char *params[REST_MAX_PARAMS]; /* the "{}" segments, decoded */
    int n_params;
    /* rest_route_find's answer: the route (NULL: none), whether some route
     * has this path (405 rather than 404), and the path's segments, split
     * in a copy that params point into (rest_route_release frees it). */
    const struct rest_route *route;
    bool path_known;
    char *segments;
    struct MHD_Response *response; /* the answer, once a rest_send_* made it */
    unsigned status;
} rest_request_t;

typedef enum MHD_Result rest_result_t;

/* Sends `body` (taken, `len` bytes) as `content_type` with `status`. */
rest_result_t rest_send_body(rest_request_t *r, unsigned status, const char *content_type, char *body, size_t len);
/* Sends `json` (taken; NULL: an empty body) with `status`. */
rest_result_t rest_send_json(rest_request_t *r, unsigned status, char *json);
/* The same with one more response header (e.g. Location on a 201). */
rest_result_t rest_send_json_header(rest_request_t *r, unsigned status, char *json, const char *header,
                                    const char *value);
/* Sends Kafka's error body {"error_code": status, "message": ...}. */
rest_result_t rest_send_error(rest_request_t *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The HTTP status of a herder result, the one place the two meet: Kafka
 * Connect's codes (reference/connect-rest.md §1).  An endpoint whose
 * success Kafka answers with another code (202 or 204 for a pause, a
 * restart) sends that code itself. */
unsigned rest_http_status(herder_result_t res);
/* A herder answer: `json` (taken) with rest_http_status(res), or, for a
 * failure (res < 0), the error body with `errstr` (json is freed). */
rest_result_t rest_reply(rest_request_t *r, herder_result_t res, const char *errstr, char *json);

/* The body as JSON, or NULL after answering 400 (sets *ret). */
json_t *rest_parse_body(rest_request_t *r, rest_result_t *ret);

/* Query argument `name` (the first one), or NULL. */
const char *rest_query(rest_request_t *r, const char *name);
/* Whether query argument `name` is "true", case-insensitively (Kafka's
 * boolean query params; anything else is false). */
bool rest_query_flag(rest_request_t *r, const char *name);

#endif
