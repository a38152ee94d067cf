/*
 * es_http.c - libcurl set-up, failover and synchronous calls (es_http.h).
 *
 * read.timeout.ms is a socket read timeout in Confluent's client: the
 * longest silence while waiting for the answer.  curl has no such option,
 * and its low-speed limit averages over the whole transfer, so a request
 * whose body went out at once is never found too slow however long the
 * server stays silent; a progress callback watches the silence instead
 * (to within the second or so between curl's calls of it).  It does not
 * cap the time a large answer takes to arrive.
 */
#include "es_http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "base64.h"

#define DOWN_FIRST_MS 1000
#define DOWN_MAX_MS 60000

typedef struct url_state {
    int64_t down_until_ms; /* 0: up */
    int64_t down_for_ms;   /* the last pause, doubled at each failure */
} url_state_t;

struct es_http {
    const es_config_t *cfg;
    char *auth;  /* the Authorization header line, or NULL */
    char *proxy; /* "http://host:port", or NULL */
    pthread_mutex_t lock;
    size_t next;
    url_state_t *urls;
};

int64_t es_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

es_http_t *es_http_new(const es_config_t *cfg, char *errbuf, size_t errlen)
{
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (cfg->ssl || strncmp(cfg->urls[0], "https:", 6) == 0) {
        if (!(info->features & CURL_VERSION_SSL)) {
            snprintf(errbuf, errlen, "this libcurl (%s) has no TLS support: https URLs cannot be reached",
                     info->version);
            return NULL;
        }
    }
    es_http_t *http = calloc(1, sizeof(*http));
    http->cfg = cfg;
    pthread_mutex_init(&http->lock, NULL);
    http->urls = calloc(cfg->n_urls, sizeof(*http->urls));
    const char *scheme = NULL, *cred = NULL;
    char *plain = NULL;
    if (cfg->username) {
        size_t len = strlen(cfg->username) + strlen(cfg->password) + 2;
        plain = malloc(len);
        snprintf(plain, len, "%s:%s", cfg->username, cfg->password);
        scheme = "Basic";
    } else if (cfg->api_key) {
        /* id:key is encoded here; the encoded form is sent as given. */
        scheme = "ApiKey";
        if (strchr(cfg->api_key, ':')) {
            plain = strdup(cfg->api_key);
        } else {
            cred = cfg->api_key;
        }
    }
    char *encoded = NULL;
    if (plain) {
        encoded = malloc(base64_encoded_len(strlen(plain)) + 1);
        base64_encode((const unsigned char *)plain, strlen(plain), encoded);
        cred = encoded;
    }
    if (scheme) {
        size_t len = strlen(scheme) + strlen(cred) + 32;
        http->auth = malloc(len);
        snprintf(http->auth, len, "Authorization: %s %s", scheme, cred);
    }
    free(plain);
    free(encoded);
    if (cfg->proxy_host) {
        size_t len = strlen(cfg->proxy_host) + 32;
        http->proxy = malloc(len);
        snprintf(http->proxy, len, "%s%s:%d", strstr(cfg->proxy_host, "://") ? "" : "http://", cfg->proxy_host,
                 cfg->proxy_port);
    }
    return http;
}

void es_http_free(es_http_t *http)
{
    if (!http) {
        return;
    }
    pthread_mutex_destroy(&http->lock);
    free(http->urls);
    free(http->auth);
    free(http->proxy);
    free(http);
}

const char *es_http_url(const es_http_t *http, int i)
{
    return http->cfg->urls[i];
}

/* The next URL that is up, in turn; when all are down, the one whose pause
 * ends first. */
static int pick_url(es_http_t *http)
{
    pthread_mutex_lock(&http->lock);
    int64_t now = es_now_ms();
    size_t n = http->cfg->n_urls, best = http->next % n;
    int found = -1;
    for (size_t k = 0; k < n && found < 0; k++) {
        size_t i = (http->next + k) % n;
        if (http->urls[i].down_until_ms <= now) {
            found = (int)i;
        } else if (http->urls[i].down_until_ms < http->urls[best].down_until_ms) {
            best = i;
        }
    }
    if (found < 0) {
        found = (int)best;
    }
    http->next = (size_t)found + 1;
    pthread_mutex_unlock(&http->lock);
    return found;
}

static void mark_url(es_http_t *http, int i, bool up)
{
    pthread_mutex_lock(&http->lock);
    url_state_t *u = &http->urls[i];
    if (up) {
        u->down_until_ms = u->down_for_ms = 0;
    } else {
        u->down_for_ms = u->down_for_ms ? u->down_for_ms * 2 : DOWN_FIRST_MS;
        if (u->down_for_ms > DOWN_MAX_MS) {
            u->down_for_ms = DOWN_MAX_MS;
        }
        u->down_until_ms = es_now_ms() + u->down_for_ms;
    }
    pthread_mutex_unlock(&http->lock);
}

static size_t on_body(char *data, size_t size, size_t n, void *opaque)
{
    es_buf_put(opaque, data, size * n);
    return size * n;
}

/* Retry-After in seconds (the HTTP-date form is not used by
 * Elasticsearch and is ignored). */
static size_t on_header(char *data, size_t size, size_t n, void *opaque)
{
    es_http_result_t *res = opaque;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        char text[32];
        size_t tl = len - 12 < sizeof(text) - 1 ? len - 12 : sizeof(text) - 1;
        memcpy(text, data + 12, tl);
        text[tl] = '\0';
        char *end;
        long secs = strtol(text, &end, 10);
        if (end != text && secs > 0 && secs < 86400) {
            res->retry_after_ms = secs * 1000;
        }
    }
    return len;
}

static char *gzip_body(const char *body, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return NULL;
    }
    size_t cap = deflateBound(&zs, (uLong)len) + 32;
    char *out = malloc(cap);
    zs.next_in = (Bytef *)body;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* Ends the request (returns non-zero) once nothing moved either way for
 * read.timeout.ms after the connection was made; connection.timeout.ms
 * covers the time before. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)ultotal;
    es_http_req_t *req = arg;
    int64_t now = es_now_ms();
    curl_off_t connected = 0;
    curl_easy_getinfo(req->easy, CURLINFO_CONNECT_TIME_T, &connected);
    if (connected == 0 || dlnow + ulnow != req->moved) {
        req->moved = dlnow + ulnow;
        req->quiet_since_ms = now;
        return 0;
    }
    if (now - req->quiet_since_ms < req->read_timeout_ms) {
        return 0;
    }
    req->read_timed_out = true;
    return 1;
}

int es_http_prepare(es_http_t *http, es_http_req_t *req, const char *method, const char *path, const char *body,
                    size_t len, const char *content_type)
{
    const es_config_t *cfg = http->cfg;
    req->res.url = pick_url(http);
    req->res.status = 0;
    req->res.retry_after_ms = 0;
    req->res.permanent = false;
    req->res.error[0] = '\0';
    req->easy = curl_easy_init();
    if (!req->easy) {
        snprintf(req->res.error, sizeof(req->res.error), "cannot make a curl handle");
        return -1;
    }
    CURL *e = req->easy;
    size_t ulen = strlen(cfg->urls[req->res.url]) + strlen(path) + 1;
    char *url = malloc(ulen);
    snprintf(url, ulen, "%s%s", cfg->urls[req->res.url], path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    free(url); /* curl copies it */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    if (body) {
        if (cfg->compression) {
            size_t glen;
            req->gz = gzip_body(body, len, &glen);
            if (req->gz) {
                body = req->gz;
                len = glen;
                req->headers = curl_slist_append(req->headers, "Content-Encoding: gzip");
            }
        }
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        char ct[128];
        snprintf(ct, sizeof(ct), "Content-Type: %s", content_type ? content_type : "application/json");
        req->headers = curl_slist_append(req->headers, ct);
    }
    /* No "Expect: 100-continue" round trip before a large bulk body. */
    req->headers = curl_slist_append(req->headers, "Expect:");
    if (http->auth) {
        req->headers = curl_slist_append(req->headers, http->auth);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
    if (cfg->compression) {
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    }
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 0L);
    req->read_timeout_ms = cfg->read_timeout_ms;
    req->read_timed_out = false;
    req->moved = 0;
    req->quiet_since_ms = es_now_ms();
    if (cfg->read_timeout_ms > 0) {
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, req);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    }
    if (cfg->max_idle_ms >= 0) {
        curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, (cfg->max_idle_ms + 999) / 1000);
    }
    if (cfg->ssl) {
        if (cfg->ca_file) {
            curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
        }
        if (cfg->ca_pem) {
            struct curl_blob blob = {.data = cfg->ca_pem, .len = strlen(cfg->ca_pem), .flags = CURL_BLOB_COPY};
            curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (cfg->client_cert) {
            curl_easy_setopt(e, CURLOPT_SSLCERT, cfg->client_cert);
            curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, cfg->client_cert_type);
            if (strcmp(cfg->client_cert_type, "PEM") == 0) {
                curl_easy_setopt(e, CURLOPT_SSLKEY, cfg->client_cert);
            }
            if (cfg->client_key_password) {
                curl_easy_setopt(e, CURLOPT_KEYPASSWD, cfg->client_key_password);
            }
        }
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->verify_host ? 2L : 0L);
    }
    if (http->proxy) {
        curl_easy_setopt(e, CURLOPT_PROXY, http->proxy);
        if (cfg->proxy_username) {
            curl_easy_setopt(e, CURLOPT_PROXYUSERNAME, cfg->proxy_username);
            curl_easy_setopt(e, CURLOPT_PROXYPASSWORD, cfg->proxy_password);
        }
    } else {
        curl_easy_setopt(e, CURLOPT_PROXY, ""); /* no proxy from the environment */
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &req->res.body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &req->res);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->res.error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, req);
    return 0;
}

void es_http_finish(es_http_t *http, es_http_req_t *req, CURLcode rc)
{
    if (rc == CURLE_OK) {
        curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &req->res.status);
        mark_url(http, req->res.url, true);
        return;
    }
    req->res.status = 0;
    if (rc == CURLE_ABORTED_BY_CALLBACK && req->read_timed_out) {
        snprintf(req->res.error, sizeof(req->res.error), "Read timed out: no answer for %ld ms (read.timeout.ms)",
                 req->read_timeout_ms);
        rc = CURLE_OPERATION_TIMEDOUT;
    }
    /* TLS and URL problems are the configuration's: no retry helps. */
    req->res.permanent = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                         rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ENGINE_NOTFOUND ||
                         rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT || rc == CURLE_SSL_CRL_BADFILE ||
                         rc == CURLE_SSL_ISSUER_ERROR;
    if (!req->res.error[0]) {
        snprintf(req->res.error, sizeof(req->res.error), "%s", curl_easy_strerror(rc));
    }
    /* Only a failure to reach the node says it is down. */
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT ||
        rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING) {
        mark_url(http, req->res.url, false);
    }
}

void es_http_req_clean(es_http_req_t *req)
{
    if (req->easy) {
        curl_easy_cleanup(req->easy);
    }
    curl_slist_free_all(req->headers);
    free(req->gz);
    req->easy = NULL;
    req->headers = NULL;
    req->gz = NULL;
}

void es_http_call(es_http_t *http, const char *method, const char *path, const char *body, size_t len,
                  es_http_result_t *res)
{
    es_buf_init(&res->body);
    for (size_t attempt = 0; attempt < http->cfg->n_urls; attempt++) {
        es_http_req_t req = {0};
        es_buf_init(&req.res.body);
        if (es_http_prepare(http, &req, method, path, body, len,
                            strstr(path, "_bulk") ? "application/x-ndjson" : "application/json") < 0) {
            es_buf_free(&res->body);
            *res = req.res;
            es_http_req_clean(&req);
            return;
        }
        CURLcode rc = curl_easy_perform(req.easy);
        es_http_finish(http, &req, rc);
        es_http_req_clean(&req);
        es_buf_free(&res->body);
        *res = req.res;
        if (res->status != 0) {
            return;
        }
    }
}
