/*
 * ctl_rest.c - connectctl's HTTP client for a worker's REST API.
 *
 * One libcurl easy handle, reused for every request of a command so that
 * "describe" (three GETs) opens one connection.  The base URL is checked
 * once with libcurl's URL parser: only http and https are taken (a typo such
 * as "localhost:8083" without a scheme would otherwise be guessed at), and
 * the copy kept for messages has no password, so an error never prints one.
 * Requests carry JSON both ways; the body of an answer is returned whatever
 * its status, since the worker's error bodies ({"error_code", "message"})
 * are what the caller prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "ctl_rest.h"
#include "xalloc.h"

struct ctl_rest {
    CURL *curl;
    struct curl_slist *headers;
    char *base;    /* the URL requests start with, without a trailing '/' */
    char *display; /* the same without the password, for messages */
};

/* A response body growing as libcurl hands it over. */
typedef struct rest_buf {
    char *data;
    size_t len, cap;
} rest_buf_t;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    rest_buf_t *buf = userdata;
    size_t n = size * nmemb;
    if (buf->len + n + 1 > buf->cap) {
        buf->cap = (buf->len + n + 1) * 2;
        buf->data = xrealloc(buf->data, buf->cap);
    }
    memcpy(buf->data + buf->len, ptr, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* The base and display forms of `url`; -1 with errstr when it is not an
 * http(s) URL. */
static int parse_url(ctl_rest_t *rest, const char *url, char *errstr, size_t errstr_size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *full = NULL, *shown = NULL;
    int rc = -1;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
        snprintf(errstr, errstr_size, "--url expects http://HOST:PORT or https://HOST:PORT, got '%s'", url);
        goto fail;
    }
    curl_url_get(u, CURLUPART_URL, &full, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_get(u, CURLUPART_URL, &shown, 0);
    rest->base = xstrdup(full);
    rest->display = xstrdup(shown);
    /* Paths are appended as "/connectors": "http://h:1/" and "http://h:1"
     * name the same worker. */
    for (char *s = rest->base; *s && s[strlen(s) - 1] == '/';) {
        s[strlen(s) - 1] = '\0';
    }
    rc = 0;
fail:
    curl_free(shown);
    curl_free(full);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

ctl_rest_t *ctl_rest_create(const char *url, const char *userpwd, int timeout_ms, char *errstr, size_t errstr_size)
{
    ctl_rest_t *rest = xcalloc(1, sizeof(*rest));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (parse_url(rest, url, errstr, errstr_size) < 0) {
        ctl_rest_destroy(rest);
        return NULL;
    }
    rest->curl = curl_easy_init();
    rest->headers = curl_slist_append(rest->headers, "Content-Type: application/json");
    rest->headers = curl_slist_append(rest->headers, "Accept: application/json");
    curl_easy_setopt(rest->curl, CURLOPT_HTTPHEADER, rest->headers);
    curl_easy_setopt(rest->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(rest->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(rest->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(rest->curl, CURLOPT_USERAGENT, "connectctl");
    curl_easy_setopt(rest->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    if (userpwd) {
        curl_easy_setopt(rest->curl, CURLOPT_USERPWD, userpwd);
    }
    return rest;
}

void ctl_rest_destroy(ctl_rest_t *rest)
{
    if (!rest) {
        return;
    }
    if (rest->curl) {
        curl_easy_cleanup(rest->curl);
    }
    curl_slist_free_all(rest->headers);
    free(rest->base);
    free(rest->display);
    free(rest);
    curl_global_cleanup();
}

const char *ctl_rest_url(const ctl_rest_t *rest)
{
    return rest->display;
}

char *ctl_rest_escape(const char *s)
{
    char *escaped = curl_easy_escape(NULL, s, 0);
    char *copy = xstrdup(escaped);
    curl_free(escaped);
    return copy;
}

long ctl_rest_request(ctl_rest_t *rest, const char *method, const char *path, const char *body, char **response,
                      char *errstr, size_t errstr_size)
{
    size_t len = strlen(rest->base) + strlen(path) + 1;
    char *url = xmalloc(len);
    snprintf(url, len, "%s%s", rest->base, path);
    rest_buf_t buf = {xstrdup(""), 0, 1};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(rest->curl, CURLOPT_URL, url);
    curl_easy_setopt(rest->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(rest->curl, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(rest->curl, CURLOPT_ERRORBUFFER, curl_err);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(rest->curl, CURLOPT_HTTPGET, 1L);
    } else {
        /* An empty body still goes with "Content-Length: 0" (PUT .../pause
         * has none). */
        curl_easy_setopt(rest->curl, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(rest->curl, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    }
    CURLcode rc = curl_easy_perform(rest->curl);
    curl_easy_setopt(rest->curl, CURLOPT_ERRORBUFFER, NULL);
    free(url);
    if (rc != CURLE_OK) {
        snprintf(errstr, errstr_size, "no answer from the worker at %s (%s); check --url and that the worker runs",
                 rest->display, curl_err[0] ? curl_err : curl_easy_strerror(rc));
        free(buf.data);
        *response = NULL;
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(rest->curl, CURLINFO_RESPONSE_CODE, &status);
    *response = buf.data;
    return status;
}
