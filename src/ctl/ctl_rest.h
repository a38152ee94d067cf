/*
 * ctl_rest.h - connectctl's HTTP client for a worker's REST API.
 *
 * `connectctl connectors` is the only command that talks to a worker rather
 * than a broker; it does so through this one blocking client (libcurl's easy
 * interface), one request at a time.  The worker is named by a base URL
 * ("http://localhost:8083", credentials allowed as "http://user:pw@host"),
 * and basic authentication may also come as "USER:PASSWORD" apart.
 */
#ifndef CONNECTD_CTL_REST_H
#define CONNECTD_CTL_REST_H

#include <stddef.h>

typedef struct ctl_rest ctl_rest_t;

/* A client for the worker at `url` (borrowed for the call), sending
 * `userpwd` ("USER:PASSWORD", or NULL) as basic authentication, giving up
 * on a request after `timeout_ms`.  NULL with the reason in errstr when the
 * URL is not an http(s) URL. */
ctl_rest_t *ctl_rest_create(const char *url, const char *userpwd, int timeout_ms, char *errstr, size_t errstr_size);

void ctl_rest_destroy(ctl_rest_t *rest); /* NULL is fine */

/* The worker's URL as it may be printed: without the password. */
const char *ctl_rest_url(const ctl_rest_t *rest);

/* `s` escaped for one segment of a path ("a b" -> "a%20b"); freed by the
 * caller with free(). */
char *ctl_rest_escape(const char *s);

/* Sends `method` `path` (from the base URL on, escaped already) with `body`
 * (JSON text, or NULL for none).  Returns the HTTP status and sets *response
 * to the body the worker sent (NUL-terminated, possibly empty; freed by the
 * caller with free()); returns -1 with the reason in errstr, and *response
 * NULL, when no answer came. */
long ctl_rest_request(ctl_rest_t *rest, const char *method, const char *path, const char *body, char **response,
                      char *errstr, size_t errstr_size);

#endif
