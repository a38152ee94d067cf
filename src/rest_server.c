/*
 * rest_server.c - the Kafka Connect REST API on libmicrohttpd; see
 * rest_server.h.  One thread per connection (MHD's), since a request may
 * wait on the broker (a config write) and must not hold up the others.
 *
 * Routes (Kafka Connect's paths, JSON shapes and status codes):
 *   GET    /                               worker version and Kafka cluster id
 *   GET    /connectors                     names
 *   POST   /connectors                     create: {"name", "config"} -> 201
 *   GET    /connectors/{c}                 {"name", "config", "tasks", "type"}
 *   GET    /connectors/{c}/config          the config
 *   PUT    /connectors/{c}/config          create (201) or update (200)
 *   GET    /connectors/{c}/status          connector and task states
 *   DELETE /connectors/{c}                 204
 *   GET    /connectors?expand=status&expand=info   {name: {"status", "info"}}
 *   GET    /connectors/{c}/tasks           [{"id": {"connector", "task"}, "config"}]
 *   GET    /connectors/{c}/tasks/{t}/status
 *   POST   /connectors/{c}/restart[?includeTasks=&onlyFailed=]   204, or 202 + status
 *   POST   /connectors/{c}/tasks/{t}/restart                     204
 *   PUT    /connectors/{c}/pause, /resume  202;  /stop  204
 *   GET    /connector-plugins              [{"class", "type", "version"}]
 *   GET    /connector-plugins/{p}/config   the plugin's settings (ConfigKeyInfo)
 *   GET    /health                         {"status": "healthy", "message"}
 * Errors are {"error_code": N, "message": "..."}; a client's mistake is
 * 4xx with a message saying what to fix, never 500.
 */
#include "connectd-build.h"

#include "rest_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <microhttpd.h>

#include "blog.h"
#include "config_json.h"

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

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, char *json)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(json ? strlen(json) : 0, json ? json : "",
                                                                json ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (json) {
        MHD_add_response_header(resp, "Content-Type", "application/json");
    }
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *message)
{
    json_t *doc = json_pack("{siss}", "error_code", (int)status, "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return send_json(conn, status, text);
}

static json_t *parse_body(struct MHD_Connection *conn, const request_t *req, enum MHD_Result *ret)
{
    json_error_t jerr;
    json_t *doc = req->len ? json_loadb(req->body, req->len, 0, &jerr) : NULL;
    if (!doc) {
        char msg[512];
        snprintf(msg, sizeof(msg), "the request body is not valid JSON: %s", req->len ? jerr.text : "it is empty");
        *ret = send_error(conn, 400, msg);
    }
    return doc;
}

static enum MHD_Result reply(struct MHD_Connection *conn, herder_result_t res, const char *errstr, char *json)
{
    if (res >= 400) {
        free(json);
        return send_error(conn, res, errstr);
    }
    return send_json(conn, res, json);
}

static enum MHD_Result create_connector(rest_server_t *srv, struct MHD_Connection *conn, const request_t *req)
{
    enum MHD_Result ret;
    json_t *doc = parse_body(conn, req, &ret);
    if (!doc) {
        return ret;
    }
    char err[4096] = "";
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *initial = json_string_value(json_object_get(doc, "initial_state"));
    properties_t *config = config_from_json(json_object_get(doc, "config"), err, sizeof(err));
    herder_result_t res = HERDER_BAD_REQUEST;
    herder_target_t target = HERDER_STARTED;
    bool initial_ok = !initial || strcmp(initial, "RUNNING") == 0 ||
                      (strcmp(initial, "PAUSED") == 0 && (target = HERDER_PAUSED)) ||
                      (strcmp(initial, "STOPPED") == 0 && (target = HERDER_STOPPED));
    if (!name || !*name) {
        snprintf(err, sizeof(err), "the request needs a \"name\" (string) and a \"config\" (object)");
    } else if (!initial_ok) {
        snprintf(err, sizeof(err), "initial_state must be RUNNING, PAUSED or STOPPED, got '%s'", initial);
    } else if (config) {
        res = herder_create_connector(srv->herder, name, config, target, err, sizeof(err));
    }
    char *info = res == HERDER_CREATED ? herder_json_connector_info(srv->herder, name, &(herder_result_t){0}) : NULL;
    properties_destroy(config);
    json_decref(doc);
    return reply(conn, res, err, info);
}

static enum MHD_Result put_config(rest_server_t *srv, struct MHD_Connection *conn, const char *name,
                                  const request_t *req)
{
    enum MHD_Result ret;
    json_t *doc = parse_body(conn, req, &ret);
    if (!doc) {
        return ret;
    }
    char err[4096] = "";
    properties_t *config = config_from_json(doc, err, sizeof(err));
    herder_result_t res = config ? herder_put_connector(srv->herder, name, config, true, err, sizeof(err))
                                 : HERDER_BAD_REQUEST;
    herder_result_t ignored;
    char *info = res < 400 ? herder_json_connector_info(srv->herder, name, &ignored) : NULL;
    properties_destroy(config);
    json_decref(doc);
    return reply(conn, res, err, info);
}

/* GET /connectors/{c}/config: the "config" member of the info document. */
static char *config_of(rest_server_t *srv, const char *name, herder_result_t *res)
{
    char *info = herder_json_connector_info(srv->herder, name, res);
    if (!info) {
        return NULL;
    }
    json_t *doc = json_loads(info, 0, NULL);
    free(info);
    char *text = json_dumps(json_object_get(doc, "config"), JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* Whether query argument `name` is "true" (Kafka's boolean query params). */
static bool query_flag(struct MHD_Connection *conn, const char *name)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    return v && strcasecmp(v, "true") == 0;
}

typedef struct expand {
    bool status, info;
} expand_t;

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    expand_t *ex = cls;
    if (strcmp(key, "expand") == 0 && value) {
        ex->status |= strcmp(value, "status") == 0;
        ex->info |= strcmp(value, "info") == 0;
    }
    return MHD_YES;
}

static enum MHD_Result list_connectors(rest_server_t *srv, struct MHD_Connection *conn)
{
    expand_t ex = {false, false};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &ex);
    if (ex.status || ex.info) {
        return send_json(conn, 200, herder_json_connectors_expanded(srv->herder, ex.status, ex.info));
    }
    return send_json(conn, 200, herder_json_connector_names(srv->herder));
}

static enum MHD_Result restart(rest_server_t *srv, struct MHD_Connection *conn, const char *name)
{
    bool include_tasks = query_flag(conn, "includeTasks"), only_failed = query_flag(conn, "onlyFailed");
    char err[600];
    snprintf(err, sizeof(err), "Connector %s not found", name);
    herder_result_t res = herder_restart_connector(srv->herder, name, include_tasks, only_failed);
    if (res != HERDER_OK) {
        return send_error(conn, res, err);
    }
    if (!include_tasks && !only_failed) {
        return send_json(conn, 204, NULL); /* Kafka: 204 without the flags */
    }
    return reply(conn, 202, err, herder_json_connector_status(srv->herder, name, &res));
}

/* /connectors/{c}/tasks... */
static enum MHD_Result task_route(rest_server_t *srv, struct MHD_Connection *conn, const char *method,
                                  const char *name, const char *rest)
{
    herder_result_t res;
    char err[600], tail[32] = "";
    int id = -1;
    snprintf(err, sizeof(err), "Connector %s not found", name);
    if (strcmp(rest, "/tasks") == 0) {
        if (strcmp(method, "GET") != 0) {
            return send_error(conn, 405, "HTTP 405 Method Not Allowed");
        }
        char *json = herder_json_tasks(srv->herder, name, &res);
        return reply(conn, res, err, json);
    }
    if (sscanf(rest, "/tasks/%d%31s", &id, tail) < 1) {
        return send_error(conn, 404, "HTTP 404 Not Found");
    }
    snprintf(err, sizeof(err), "Task %s-%d not found", name, id);
    if (strcmp(tail, "/status") == 0 && strcmp(method, "GET") == 0) {
        char *json = herder_json_task_status(srv->herder, name, id, &res);
        return reply(conn, res, err, json);
    }
    if (strcmp(tail, "/restart") == 0 && strcmp(method, "POST") == 0) {
        res = herder_restart_task(srv->herder, name, id);
        return res == HERDER_OK ? send_json(conn, 204, NULL) : send_error(conn, res, err);
    }
    return send_error(conn, 404, "HTTP 404 Not Found");
}

static enum MHD_Result route(rest_server_t *srv, struct MHD_Connection *conn, const char *method, const char *url,
                             const request_t *req)
{
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0, put = strcmp(method, "PUT") == 0,
         del = strcmp(method, "DELETE") == 0;
    herder_result_t res = HERDER_OK;
    char name[512], rest[64] = "";
    if (strcmp(url, "/") == 0 && get) {
        json_t *doc = json_object();
        json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
        json_object_set_new(doc, "commit", json_string(""));
        json_object_set_new(doc, "kafka_cluster_id", srv->cluster_id ? json_string(srv->cluster_id) : json_null());
        char *text = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        return send_json(conn, 200, text);
    }
    if (strcmp(url, "/health") == 0 && get) {
        return send_json(conn, 200, strdup("{\"status\":\"healthy\",\"message\":\"Worker has completed startup "
                                           "and is ready to handle requests.\"}"));
    }
    if (strcmp(url, "/connector-plugins") == 0 && get) {
        return send_json(conn, 200, herder_json_plugins(srv->herder));
    }
    if (strncmp(url, "/connector-plugins/", 19) == 0 && get && sscanf(url + 19, "%511[^/]%63s", name, rest) == 2 &&
        strcmp(rest, "/config") == 0) {
        char err[600];
        snprintf(err, sizeof(err), "Unknown plugin %s: check GET /connector-plugins for the names", name);
        char *json = herder_json_plugin_config(srv->herder, name, &res);
        return reply(conn, res, err, json);
    }
    if (strcmp(url, "/connectors") == 0) {
        if (get) {
            return list_connectors(srv, conn);
        }
        if (post) {
            return create_connector(srv, conn, req);
        }
        return send_error(conn, 405, "HTTP 405 Method Not Allowed");
    }
    /* A name or a path tail too long for the buffers is no connector of ours. */
    if (strncmp(url, "/connectors/", 12) == 0 && strcspn(url + 12, "/") <= HERDER_NAME_MAX &&
        strlen(url + 12 + strcspn(url + 12, "/")) < sizeof(rest) && sscanf(url + 12, "%511[^/]%63s", name, rest) >= 1) {
        char err[600];
        snprintf(err, sizeof(err), "Connector %s not found", name);
        if (!rest[0] && get) {
            char *json = herder_json_connector_info(srv->herder, name, &res);
            return reply(conn, res, err, json);
        }
        if (!rest[0] && del) {
            char why[512];
            res = herder_delete_connector(srv->herder, name, why, sizeof(why));
            return res == HERDER_DELETED ? send_json(conn, 204, NULL) : send_error(conn, res, why);
        }
        if (strcmp(rest, "/status") == 0 && get) {
            char *json = herder_json_connector_status(srv->herder, name, &res);
            return reply(conn, res, err, json);
        }
        if (strcmp(rest, "/config") == 0 && get) {
            char *json = config_of(srv, name, &res);
            return reply(conn, res, err, json);
        }
        if (strcmp(rest, "/config") == 0 && put) {
            return put_config(srv, conn, name, req);
        }
        if (strcmp(rest, "/restart") == 0 && post) {
            return restart(srv, conn, name);
        }
        if (put && (strcmp(rest, "/pause") == 0 || strcmp(rest, "/resume") == 0 || strcmp(rest, "/stop") == 0)) {
            herder_target_t target = rest[1] == 'p' ? HERDER_PAUSED : rest[1] == 's' ? HERDER_STOPPED : HERDER_STARTED;
            char why[600];
            res = herder_set_target(srv->herder, name, target, why, sizeof(why));
            if (res != HERDER_OK) {
                return send_error(conn, res, why);
            }
            return send_json(conn, target == HERDER_STOPPED ? 204 : 202, NULL); /* Kafka's codes */
        }
        if (strncmp(rest, "/tasks", 6) == 0) {
            return task_route(srv, conn, method, name, rest);
        }
        if (!rest[0] || strcmp(rest, "/status") == 0 || strcmp(rest, "/config") == 0) {
            return send_error(conn, 405, "HTTP 405 Method Not Allowed");
        }
    }
    return send_error(conn, 404, "HTTP 404 Not Found");
}

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
    if (req->too_big) {
        return send_error(conn, 413, "the request body is larger than 1 MiB");
    }
    return route(srv, conn, method, url, req);
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
