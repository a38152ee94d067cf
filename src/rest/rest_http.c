/* rest_http.c - answering REST requests; see rest_http.h. */
#include "rest_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/data.h"
#include "utf8.h"

/* Keeps `resp` as r's answer; MHD_NO (the connection is closed) when
 * there is none. */
static rest_result_t keep(rest_request_t *r, unsigned status, struct MHD_Response *resp)
{
    if (r->response) { /* a handler answering twice: the first answer stands */
        if (resp) {
            MHD_destroy_response(resp);
        }
        return MHD_YES;
    }
    r->response = resp;
    r->status = status;
    return resp ? MHD_YES : MHD_NO;
}

rest_result_t rest_send_body(rest_request_t *r, unsigned status, const char *content_type, char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (resp) {
        MHD_add_response_header(resp, "Content-Type", content_type);
    } else {
        free(body);
    }
    return keep(r, status, resp);
}

rest_result_t rest_send_json_header(rest_request_t *r, unsigned status, char *json, const char *header,
                                    const char *value)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(json ? strlen(json) : 0, json ? json : "",
                                                                json ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(json);
        return keep(r, status, NULL);
    }
    if (json) {
        MHD_add_response_header(resp, "Content-Type", "application/json");
    }
    if (header) {
        MHD_add_response_header(resp, header, value);
    }
    return keep(r, status, resp);
}

rest_result_t rest_send_json(rest_request_t *r, unsigned status, char *json)
{
    return rest_send_json_header(r, status, json, NULL, NULL);
}

rest_result_t rest_send_error(rest_request_t *r, unsigned status, const char *fmt, ...)
{
    char message[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* The message may quote request bytes (a name from the URL) that are
     * not UTF-8, which a JSON string cannot hold. */
    size_t len;
    char *valid = utf8_repair(message, strlen(message), &len);
    json_t *doc = json_pack("{siss}", "error_code", (int)status, "message", valid);
    free(valid);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, status, text);
}

unsigned rest_http_status(herder_result_t res)
{
    switch (res) {
    case HERDER_OK:
        return 200;
    case HERDER_CREATED:
        return 201;
    case HERDER_ACCEPTED:
        return 202;
    case HERDER_DELETED:
        return 204;
    case HERDER_ERR_INVALID:
        return 400;
    case HERDER_ERR_FORBIDDEN:
        return 403;
    case HERDER_ERR_NOT_FOUND:
        return 404;
    case HERDER_ERR_CONFLICT:
        return 409;
    case HERDER_ERR_INTERNAL:
        return 500;
    }
    return 500; /* no such result: the worker's bug */
}

rest_result_t rest_reply(rest_request_t *r, herder_result_t res, const char *errstr, char *json)
{
    if (res < 0) {
        free(json);
        return rest_send_error(r, rest_http_status(res), "%s", errstr);
    }
    return rest_send_json(r, rest_http_status(res), json);
}

json_t *rest_parse_body(rest_request_t *r, rest_result_t *ret)
{
    json_error_t jerr;
    json_t *doc = r->body_len ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
    if (!doc) {
        *ret = rest_send_error(r, 400, "the request body is not valid JSON: %s",
                               r->body_len ? jerr.text : "it is empty");
    }
    return doc;
}

const char *rest_query(rest_request_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool rest_query_flag(rest_request_t *r, const char *name)
{
    const char *v = rest_query(r, name);
    return v && strcasecmp(v, "true") == 0;
}
