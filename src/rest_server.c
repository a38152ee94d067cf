/*
 * rest_server.c - the Kafka Connect REST API on libmicrohttpd; see
 * rest_server.h.  One thread per connection (MHD's), since a request may
 * wait on the broker (a config write) and must not hold up the others.
 * This file is the listener and the request body; rest_routes.c says which
 * handler answers which path.
 */
#include "rest_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "blog.h"
#include "rest_routes.h"

#define MAX_BODY (1 << 20)

struct rest_server {
    struct MHD_Daemon *daemon;
    herder_t *herder;
    char *cluster_id;
    int port;
};

typedef struct request {
    char *body;
    size_t len;
    bool too_big;
} request_t;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    rest_server_t *srv = cls;
    request_t *req = *con_cls;
    if (!req) {
        *con_cls = calloc(1, sizeof(request_t));
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (req->len + *upload_data_size > MAX_BODY) {
            req->too_big = true;
        } else {
            req->body = realloc(req->body, req->len + *upload_data_size);
            memcpy(req->body + req->len, upload_data, *upload_data_size);
            req->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    rest_request_t r = {
        .conn = conn,
        .method = method,
        .path = url,
        .body = req->body,
        .body_len = req->len,
        .herder = srv->herder,
        .cluster_id = srv->cluster_id,
    };
    if (req->too_big) {
        return rest_send_error(&r, 413, "the request body is larger than 1 MiB");
    }
    return rest_dispatch(&r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    request_t *req = *con_cls;
    if (req) {
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/* "http://host:port": the port, and in *addr the host's address (left
 * zeroed for an empty host: every interface). */
static int listener_parse(const char *listeners, struct sockaddr_storage *addr, char *errstr, size_t errstr_size)
{
    const char *colon = strrchr(listeners, ':');
    int port = colon ? atoi(colon + 1) : -1;
    if (strncasecmp(listeners, "http://", 7) != 0 || !colon || colon < listeners + 7 || port < 0 || port > 65535) {
        snprintf(errstr, errstr_size, "listeners '%s' is not of the form http://host:port", listeners);
        return -1;
    }
    char host[256];
    snprintf(host, sizeof(host), "%.*s", (int)(colon - listeners - 7), listeners + 7);
    memset(addr, 0, sizeof(*addr));
    if (host[0]) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
            snprintf(errstr, errstr_size, "listeners '%s': cannot resolve host '%s'", listeners, host);
            return -1;
        }
        memcpy(addr, res->ai_addr, res->ai_addrlen);
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
        freeaddrinfo(res);
    }
    return port;
}

rest_server_t *rest_server_start(const char *listeners, herder_t *herder, const char *cluster_id, char *errstr,
                                 size_t errstr_size)
{
    struct sockaddr_storage addr;
    int port = listener_parse(listeners, &addr, errstr, errstr_size);
    if (port < 0) {
        return NULL;
    }
    bool any = addr.ss_family == 0;
    rest_server_t *srv = calloc(1, sizeof(*srv));
    srv->herder = herder;
    srv->cluster_id = cluster_id ? strdup(cluster_id) : NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    srv->daemon = any ? MHD_start_daemon(flags | MHD_USE_DUAL_STACK, (uint16_t)port, NULL, NULL, on_request, srv,
                                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END)
                      : MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                                         (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                         MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(errstr, errstr_size, "cannot listen on %s (port in use?)", listeners);
        free(srv->cluster_id);
        free(srv);
        return NULL;
    }
    srv->port = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
    blog_info("REST API listening on port %d", srv->port);
    return srv;
}

void rest_server_stop(rest_server_t *srv)
{
    if (!srv) {
        return;
    }
    MHD_stop_daemon(srv->daemon);
    free(srv->cluster_id);
    free(srv);
}
