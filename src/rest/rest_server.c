/*
 * rest_server.c - the Kafka Connect REST API on libmicrohttpd; see
 * rest_server.h.  This file is the listener, authentication and the
 * request body; rest_routes.c says which handler answers which path.
 *
 * Threads: one MHD thread (epoll) serves every connection and answers
 * the requests that are read from memory (status, configs, plugins,
 * metrics).  A request whose route may wait on something slow
 * (rest_route_blocks: a config write, a restart, offsets, a plugin's
 * validate) is handed to a thread of its own while MHD keeps its
 * connection suspended, so it holds up no other connection; while one
 * runs, every request is handed off, because the slow one may hold the
 * herder's lock that a read needs.  One thread, not one per connection,
 * because the REST API shares the cores with the data path: 64 busy
 * connections were 64 runnable threads and took most of the CPU from the
 * tasks (docs/benchmarks.md, issue 5).
 *
 * Authentication (rest.basic.auth.credentials.file, rest_auth.h) is
 * checked on the first callback of a request, from its headers, before
 * any body is read: a refused request's body is discarded unread, and it
 * is answered 401 with Kafka's error body and `WWW-Authenticate: Basic
 * realm="connectd"`.  Every path is protected, /health and / included, as
 * Kafka's BasicAuthSecurityRestExtension protects every path: a health
 * probe can send credentials (Kubernetes httpGet probes take headers),
 * and an open path is one more thing an operator has to know about.
 *
 * Connection limits (issue 13): MHD's default is about 1,000 connections
 * and no idle timeout, so a client that opened that many and sent nothing
 * locked every other client out.  Now an idle connection is closed after
 * rest.connections.max.idle.ms (MHD_OPTION_CONNECTION_TIMEOUT; a suspended
 * connection, whose request runs on a thread, is never idle), one address
 * may hold rest.max.connections.per.ip (MHD_OPTION_PER_IP_CONNECTION_LIMIT:
 * MHD closes the next one at once, it cannot answer it), and past
 * rest.max.connections a request is answered 503 with "Connection: close".
 * OVERFLOW_SLOTS more connections are accepted to carry those answers;
 * beyond them, accept_policy closes new connections at once.  MHD's own
 * limit is set above that so it is never reached: at its limit MHD stops
 * polling the listener and new clients would hang in the backlog instead.
 */
#include "rest_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <microhttpd.h>

#include "blog.h"
#include "clock.h"
#include "rest_auth.h"
#include "rest_routes.h"

#define MAX_BODY (1 << 20)
#define OVERFLOW_SLOTS 16       /* connections past rest.max.connections that get a 503 */
#define LIMIT_LOG_INTERVAL_MS 10000
#define REALM "Basic realm=\"connectd\""

struct rest_server {
    struct MHD_Daemon *daemon;
    herder_t *herder;
    char *cluster_id;
    rest_auth_t *auth; /* NULL: no authentication */
    int port;
    /* Requests running on threads of their own; stop waits for them, since
     * MHD cannot stop with a connection suspended. */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int n_handed_off;
    bool stopping; /* no more hand-offs */
    /* Connection accounting, touched by the MHD thread only. */
    int n_conns;
    int max_conns;            /* rest.max.connections */
    int max_conns_ip;         /* rest.max.connections.per.ip */
    int64_t last_limit_log_ms; /* the "limit reached" warning at most once per LIMIT_LOG_INTERVAL_MS */
};

typedef struct request {
    char *body;
    size_t len;
    bool too_big;
    rest_auth_result_t auth;
    rest_request_t r;
    bool handed_off; /* to a thread of its own (run_handed_off), which answers in r */
    bool over_limit; /* arrived past rest.max.connections: answered 503 and closed */
    rest_server_t *srv;
} request_t;

static void client_address(struct MHD_Connection *conn, char *out, size_t out_size)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    socklen_t len = sa && sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (!sa || getnameinfo(sa, len, out, (socklen_t)out_size, NULL, 0, NI_NUMERICHOST) != 0) {
        snprintf(out, out_size, "%s", "unknown address");
    }
}

/* Whether a "limit reached" warning is due: at most one per
 * LIMIT_LOG_INTERVAL_MS, so that a client hammering the port cannot flood the
 * log.  Any thread (MHD logs from whichever thread refused). */
static bool limit_log_due(rest_server_t *srv)
{
    int64_t now = clock_mono_ms();
    int64_t last = __atomic_load_n(&srv->last_limit_log_ms, __ATOMIC_RELAXED);
    if (last && now - last < LIMIT_LOG_INTERVAL_MS) {
        return false;
    }
    return __atomic_compare_exchange_n(&srv->last_limit_log_ms, &last, now, false, __ATOMIC_RELAXED,
                                       __ATOMIC_RELAXED);
}

/* MHD thread. */
static void limit_warn(rest_server_t *srv, const char *what)
{
    if (limit_log_due(srv)) {
        blog_warn("REST connection limit reached: %d connections open, rest.max.connections=%d; %s (logged at "
                  "most every %d s)",
                  srv->n_conns, srv->max_conns, what, LIMIT_LOG_INTERVAL_MS / 1000);
    }
}

/* MHD's messages, through our logger.  MHD says "Server reached connection
 * limit" for every connection it closes past rest.max.connections.per.ip;
 * that one is rate-limited like ours. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    rest_server_t *srv = cls;
    char text[512];
    vsnprintf(text, sizeof(text), fmt, ap);
    text[strcspn(text, "\n")] = '\0';
    if (strstr(text, "connection limit")) {
        if (limit_log_due(srv)) {
            blog_warn("REST per-address connection limit reached (rest.max.connections.per.ip=%d): closing new "
                      "connections from that address at once (logged at most every %d s)",
                      srv->max_conns_ip, LIMIT_LOG_INTERVAL_MS / 1000);
        }
        return;
    }
    blog_warn("REST server: %s", text);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    rest_server_t *srv = cls;
    srv->n_conns += toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1;
}

/* Closes a new connection at once when even the 503 slots are taken. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    rest_server_t *srv = cls;
    if (srv->n_conns >= srv->max_conns + OVERFLOW_SLOTS) {
        limit_warn(srv, "closing new connections at once");
        return MHD_NO;
    }
    return MHD_YES;
}

/* The request's Authorization header against the credentials file; a
 * failed attempt is logged (user and address, never the password). */
static rest_auth_result_t authenticate(rest_server_t *srv, struct MHD_Connection *conn, const char *method,
                                       const char *url)
{
    const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char user[128];
    rest_auth_result_t res = rest_auth_check(srv->auth, header, user, sizeof(user));
    if (res == REST_AUTH_DENIED || res == REST_AUTH_MALFORMED) {
        char addr[INET6_ADDRSTRLEN + 1];
        client_address(conn, addr, sizeof(addr));
        blog_warn("REST authentication failed for %s%s%s from %s (%s %s): %s", user[0] ? "user '" : "no user",
                  user, user[0] ? "'" : "", addr, method, url,
                  res == REST_AUTH_DENIED ? "unknown user or wrong password" : "malformed Authorization header");
    }
    return res;
}

static rest_result_t send_unauthorized(rest_request_t *r, rest_auth_result_t res)
{
    const char *message = res == REST_AUTH_MISSING
                              ? "authentication required: this worker's REST API needs HTTP basic authentication "
                                "(an Authorization: Basic header)"
                          : res == REST_AUTH_MALFORMED
                              ? "the Authorization header is not basic authentication (Basic, then base64 of "
                                "user:password)"
                              : "invalid user name or password";
    json_t *doc = json_pack("{siss}", "error_code", 401, "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json_header(r, 401, text, MHD_HTTP_HEADER_WWW_AUTHENTICATE, REALM);
}

/* Queues the answer a handler left in r. */
static enum MHD_Result answer(rest_request_t *r)
{
    if (!r->response) {
        return MHD_NO; /* out of memory: MHD closes the connection */
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ret;
}

/* A handed-off request, on a thread of its own: runs the handler,
 * then lets MHD take the connection back, which calls on_request again
 * to queue the answer. */
static void *run_handed_off(void *arg)
{
    request_t *req = arg;
    rest_server_t *srv = req->srv;
    rest_dispatch(&req->r);
    MHD_resume_connection(req->r.conn);
    pthread_mutex_lock(&srv->lock);
    if (--srv->n_handed_off == 0) {
        pthread_cond_broadcast(&srv->idle);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

static bool any_handed_off(rest_server_t *srv)
{
    pthread_mutex_lock(&srv->lock);
    bool any = srv->n_handed_off > 0;
    pthread_mutex_unlock(&srv->lock);
    return any;
}

/* Hands req to a run_handed_off thread; false if none could start or
 * the server is stopping. */
static bool hand_off(rest_server_t *srv, request_t *req)
{
    pthread_mutex_lock(&srv->lock);
    bool stopping = srv->stopping;
    srv->n_handed_off += !stopping;
    pthread_mutex_unlock(&srv->lock);
    if (stopping) {
        return false;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    req->handed_off = true;
    MHD_suspend_connection(req->r.conn);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, run_handed_off, req);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        req->handed_off = false;
        MHD_resume_connection(req->r.conn);
        pthread_mutex_lock(&srv->lock);
        srv->n_handed_off--;
        pthread_mutex_unlock(&srv->lock);
        return false;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    rest_server_t *srv = cls;
    request_t *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof(request_t));
        req->srv = srv;
        req->over_limit = srv->n_conns > srv->max_conns;
        req->auth = srv->auth && !req->over_limit ? authenticate(srv, conn, method, url) : REST_AUTH_OK;
        *con_cls = req;
        return MHD_YES;
    }
    if (req->handed_off) {
        /* Resumed: the run_handed_off thread left its answer. */
        return answer(&req->r);
    }
    if (*upload_data_size) {
        if (req->auth != REST_AUTH_OK || req->over_limit) {
            /* Not read by anyone: do not keep it. */
        } else if (req->len + *upload_data_size > MAX_BODY) {
            req->too_big = true;
        } else {
            req->body = realloc(req->body, req->len + *upload_data_size);
            memcpy(req->body + req->len, upload_data, *upload_data_size);
            req->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    req->r = (rest_request_t){
        .conn = conn,
        .method = method,
        .path = url,
        .body = req->body,
        .body_len = req->len,
        .herder = srv->herder,
        .cluster_id = srv->cluster_id,
    };
    rest_request_t *r = &req->r;
    if (req->over_limit) {
        limit_warn(srv, "answering 503");
        rest_send_error(r, 503, "the REST server has too many connections open (rest.max.connections=%d); "
                        "retry later", srv->max_conns);
        if (r->response) {
            MHD_add_response_header(r->response, MHD_HTTP_HEADER_CONNECTION, "close");
        }
        return answer(r);
    }
    if (req->auth != REST_AUTH_OK) {
        send_unauthorized(r, req->auth);
        return answer(r);
    }
    if (req->too_big) {
        rest_send_error(r, 413, "the request body is larger than 1 MiB");
        return answer(r);
    }
    rest_route_find(r);
    if (!rest_route_blocks(r) && !any_handed_off(srv)) {
        rest_dispatch(r);
    } else if (hand_off(srv, req)) {
        return MHD_YES;
    } else {
        rest_send_error(r, 503, "the REST server is stopping or cannot start a thread for this request");
    }
    return answer(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    request_t *req = *con_cls;
    if (req) {
        if (req->r.response) { /* answered, but never queued: the client went away */
            MHD_destroy_response(req->r.response);
        }
        rest_route_release(&req->r);
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/*
 * `listeners` as Kafka writes it, "http://host:port" (scheme in any case;
 * host a name, an IPv4 address or a bracketed IPv6 one, "[::1]"; empty:
 * every interface), with `bind` (rest.bind; NULL: none), when set,
 * replacing the host.  Returns the port, and in *addr the address to bind
 * (ss_family 0: every interface); -1 with errstr when malformed.
 */
static int listener_parse(const char *listeners, const char *bind, struct sockaddr_storage *addr, char *errstr,
                          size_t errstr_size)
{
    memset(addr, 0, sizeof(*addr));
    if (strchr(listeners, ',')) {
        snprintf(errstr, errstr_size, "listeners '%s': connectd serves one REST listener; give one http://host:port",
                 listeners);
        return -1;
    }
    if (strncasecmp(listeners, "https://", 8) == 0) {
        snprintf(errstr, errstr_size, "listeners '%s': https is not supported yet; use http:// (behind a TLS proxy)",
                 listeners);
        return -1;
    }
    const char *hostp = listeners + 7, *colon = strrchr(listeners, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (strncasecmp(listeners, "http://", 7) != 0 || !colon || colon < hostp || end == colon + 1 || *end ||
        port < 0 || port > 65535) {
        snprintf(errstr, errstr_size, "listeners '%s' is not of the form http://host:port", listeners);
        return -1;
    }
    char host[256];
    if (bind && *bind) {
        snprintf(host, sizeof(host), "%s", bind);
        if (colon > hostp && (strlen(bind) != (size_t)(colon - hostp) || strncmp(bind, hostp, strlen(bind)) != 0)) {
            blog_warn("rest.bind=%s replaces the host of listeners=%s; the REST API binds %s", bind, listeners,
                      bind);
        }
    } else {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - hostp), hostp);
    }
    /* "[::1]" is how a URL writes an IPv6 address; rest.bind may too. */
    size_t hlen = strlen(host);
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    if (!host[0]) {
        return (int)port;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(errstr, errstr_size, "%s: cannot resolve '%s': %s", bind && *bind ? "rest.bind" : "listeners", host,
                 gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    if (addr->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
    } else {
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    }
    freeaddrinfo(res);
    return (int)port;
}

static bool is_loopback(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET) {
        return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
    }
    return addr->ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)addr)->sin6_addr);
}

rest_server_t *rest_server_start(const worker_config_t *wcfg, herder_t *herder, const char *cluster_id, char *errstr,
                                 size_t errstr_size)
{
    struct sockaddr_storage addr;
    int port = listener_parse(wcfg->listeners, wcfg->rest_bind, &addr, errstr, errstr_size);
    if (port < 0) {
        return NULL;
    }
    rest_auth_t *auth = NULL;
    if (wcfg->rest_auth_file) {
        char why[1024];
        auth = rest_auth_load(wcfg->rest_auth_file, why, sizeof(why));
        if (!auth) {
            snprintf(errstr, errstr_size, "rest.basic.auth.credentials.file: %s", why);
            return NULL;
        }
    }
    rest_server_t *srv = calloc(1, sizeof(*srv));
    srv->herder = herder;
    srv->cluster_id = cluster_id ? strdup(cluster_id) : NULL;
    srv->auth = auth;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->idle, NULL);
    srv->max_conns = wcfg->rest_max_connections;
    srv->max_conns_ip = wcfg->rest_max_connections_ip;
    /* MHD counts whole seconds; round up so a limit is never shorter than asked. */
    unsigned idle_s = (unsigned)((wcfg->rest_idle_ms + 999) / 1000);
    unsigned mhd_limit = (unsigned)wcfg->rest_max_connections + OVERFLOW_SLOTS + 1; /* never reached: see top */
    unsigned per_ip = (unsigned)wcfg->rest_max_connections_ip;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    /* The logger first: MHD logs options it reads before it with its own. */
    if (addr.ss_family == 0) {
        srv->daemon = MHD_start_daemon(flags | MHD_USE_DUAL_STACK, (uint16_t)port, accept_policy, srv, on_request,
                                       srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_NOTIFY_COMPLETED,
                                       on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                                       MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
                                       MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_END);
    } else {
        flags |= addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0;
        srv->daemon = MHD_start_daemon(flags, (uint16_t)port, accept_policy, srv, on_request, srv,
                                       MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_SOCK_ADDR,
                                       (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                       MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT,
                                       idle_s, MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
                                       MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_END);
    }
    char where[INET6_ADDRSTRLEN + 1] = "";
    if (addr.ss_family != 0) {
        getnameinfo((struct sockaddr *)&addr,
                    addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), where,
                    sizeof(where), NULL, 0, NI_NUMERICHOST);
    }
    if (!srv->daemon) {
        snprintf(errstr, errstr_size, "cannot listen on %s%s%s%s (port in use?)", wcfg->listeners,
                 where[0] ? " (address " : "", where, where[0] ? ")" : "");
        rest_server_stop(srv);
        return NULL;
    }
    srv->port = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
    blog_info("REST API listening on %s%s port %d%s", where[0] ? "address " : "every interface", where, srv->port,
              auth ? ", basic authentication required" : "");
    struct stat st;
    if (auth) {
        blog_info("REST basic authentication: %zu users from %s", rest_auth_user_count(auth), wcfg->rest_auth_file);
        if (stat(wcfg->rest_auth_file, &st) == 0 && (st.st_mode & S_IROTH)) {
            blog_warn("%s is readable by every user: the password hashes in it can be attacked offline "
                      "(chmod o-r %s)",
                      wcfg->rest_auth_file, wcfg->rest_auth_file);
        }
    } else if (!is_loopback(&addr)) {
        blog_warn("the REST API is reachable from other hosts without authentication: anyone who reaches port %d "
                  "can run connectors; set rest.bind=127.0.0.1 or rest.basic.auth.credentials.file",
                  srv->port);
    }
    return srv;
}

void rest_server_stop(rest_server_t *srv)
{
    if (!srv) {
        return;
    }
    pthread_mutex_lock(&srv->lock);
    srv->stopping = true;
    while (srv->n_handed_off > 0) {
        pthread_cond_wait(&srv->idle, &srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    if (srv->daemon) {
        MHD_stop_daemon(srv->daemon);
    }
    pthread_cond_destroy(&srv->idle);
    pthread_mutex_destroy(&srv->lock);
    rest_auth_destroy(srv->auth);
    free(srv->cluster_id);
    free(srv);
}
