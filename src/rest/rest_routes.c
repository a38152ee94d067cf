/*
 * rest_routes.c - which handler answers which method and path: Kafka
 * Connect's endpoints (reference/connect-rest.md §1.1) plus /metrics.
 * "{}" in a pattern matches one path segment, passed to the handler in
 * r->params.
 *
 * A route that BLOCKS may wait on something slow - the broker (a config,
 * status or offset write, an offset read), a task stopping, a plugin's
 * validate() - and runs on a thread of its own (rest_server.c); the others
 * answer from memory on the REST server's one poll thread.
 */
#include "rest_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FAST, BLOCKS };

typedef struct rest_route {
    const char *method;
    const char *pattern;
    rest_result_t (*handler)(rest_request_t *r);
    bool blocks;
} rest_route_t;

static const rest_route_t routes[] = {
    {"GET", "/", rest_server_info, FAST},
    {"GET", "/health", rest_health, FAST},

    {"GET", "/connectors", rest_connectors_list, FAST},
    {"POST", "/connectors", rest_connector_create, BLOCKS},
    {"GET", "/connectors/{}", rest_connector_info, FAST},
    {"DELETE", "/connectors/{}", rest_connector_delete, BLOCKS},
    {"GET", "/connectors/{}/config", rest_connector_config_get, FAST},
    {"PUT", "/connectors/{}/config", rest_connector_config_put, BLOCKS},
    {"PATCH", "/connectors/{}/config", rest_connector_config_patch, BLOCKS},
    {"GET", "/connectors/{}/status", rest_connector_status, FAST},
    {"POST", "/connectors/{}/restart", rest_connector_restart, BLOCKS},
    {"PUT", "/connectors/{}/pause", rest_connector_pause, BLOCKS},
    {"PUT", "/connectors/{}/resume", rest_connector_resume, BLOCKS},
    {"PUT", "/connectors/{}/stop", rest_connector_stop, BLOCKS},
    {"GET", "/connectors/{}/tasks", rest_tasks_list, FAST},
    {"GET", "/connectors/{}/tasks-config", rest_tasks_config, FAST},
    {"GET", "/connectors/{}/tasks/{}/status", rest_task_status, FAST},
    {"POST", "/connectors/{}/tasks/{}/restart", rest_task_restart, BLOCKS},
    {"GET", "/connectors/{}/topics", rest_connector_topics, FAST},
    {"PUT", "/connectors/{}/topics/reset", rest_connector_topics_reset, BLOCKS},
    {"GET", "/connectors/{}/offsets", rest_offsets_get, BLOCKS},
    {"PATCH", "/connectors/{}/offsets", rest_offsets_alter, BLOCKS},
    {"DELETE", "/connectors/{}/offsets", rest_offsets_reset, BLOCKS},

    {"GET", "/connector-plugins", rest_plugins_list, FAST},
    {"GET", "/connector-plugins/{}/config", rest_plugin_config, FAST},
    {"PUT", "/connector-plugins/{}/config/validate", rest_plugin_validate, BLOCKS},

    {"GET", "/admin/loggers", rest_loggers_list, FAST},
    {"GET", "/admin/loggers/{}", rest_logger_get, FAST},
    {"PUT", "/admin/loggers/{}", rest_logger_put, FAST},

    {"GET", "/metrics", rest_metrics, FAST},
};

#define MAX_SEGMENTS 8

/* Splits "/a/b/c" in place into its segments ("a", "b", "c"); "/" has
 * none.  -1 when it does not start with '/' or has too many. */
static int split(char *path, char **segs)
{
    if (path[0] != '/') {
        return -1;
    }
    if (path[1] == '\0') {
        return 0;
    }
    int n = 0;
    for (char *p = path; p; n++) {
        if (n == MAX_SEGMENTS) {
            return -1;
        }
        *p = '\0';
        segs[n] = p + 1;
        p = strchr(p + 1, '/');
    }
    return n;
}

/* Whether the path's segments fit `pattern`; its "{}" segments go to
 * r->params. */
static bool match(const char *pattern, char **segs, int n_segs, rest_request_t *r)
{
    char copy[128], *pat[MAX_SEGMENTS];
    snprintf(copy, sizeof(copy), "%s", pattern);
    if (split(copy, pat) != n_segs) {
        return false;
    }
    r->n_params = 0;
    for (int i = 0; i < n_segs; i++) {
        if (strcmp(pat[i], "{}") == 0) {
            if (!segs[i][0] || r->n_params == REST_MAX_PARAMS) {
                return false;
            }
            r->params[r->n_params++] = segs[i];
        } else if (strcmp(pat[i], segs[i]) != 0) {
            return false;
        }
    }
    return true;
}

void rest_route_find(rest_request_t *r)
{
    char *segs[MAX_SEGMENTS];
    r->segments = strdup(r->path);
    int n_segs = split(r->segments, segs);
    r->route = NULL;
    r->path_known = false;
    for (size_t i = 0; n_segs >= 0 && i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!match(routes[i].pattern, segs, n_segs, r)) {
            continue;
        }
        r->path_known = true;
        if (strcmp(routes[i].method, r->method) == 0) {
            r->route = &routes[i];
            return;
        }
    }
}

void rest_route_release(rest_request_t *r)
{
    free(r->segments);
    r->segments = NULL;
}

bool rest_route_blocks(const rest_request_t *r)
{
    return r->route && r->route->blocks;
}

rest_result_t rest_dispatch(rest_request_t *r)
{
    if (r->route) {
        return r->route->handler(r);
    }
    return r->path_known ? rest_send_error(r, 405, "HTTP 405 Method Not Allowed")
                         : rest_send_error(r, 404, "HTTP 404 Not Found");
}
