/*
 * rest_routes.c - which handler answers which method and path: Kafka
 * Connect's endpoints (reference/connect-rest.md §1.1) plus /metrics.
 * "{}" in a pattern matches one path segment, passed to the handler in
 * r->params.
 */
#include "rest_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rest_route {
    const char *method;
    const char *pattern;
    rest_result_t (*handler)(rest_request_t *r);
} rest_route_t;

static const rest_route_t routes[] = {
    {"GET", "/", rest_server_info},
    {"GET", "/health", rest_health},

    {"GET", "/connectors", rest_connectors_list},
    {"POST", "/connectors", rest_connector_create},
    {"GET", "/connectors/{}", rest_connector_info},
    {"DELETE", "/connectors/{}", rest_connector_delete},
    {"GET", "/connectors/{}/config", rest_connector_config_get},
    {"PUT", "/connectors/{}/config", rest_connector_config_put},
    {"PATCH", "/connectors/{}/config", rest_connector_config_patch},
    {"GET", "/connectors/{}/status", rest_connector_status},
    {"POST", "/connectors/{}/restart", rest_connector_restart},
    {"PUT", "/connectors/{}/pause", rest_connector_pause},
    {"PUT", "/connectors/{}/resume", rest_connector_resume},
    {"PUT", "/connectors/{}/stop", rest_connector_stop},
    {"GET", "/connectors/{}/tasks", rest_tasks_list},
    {"GET", "/connectors/{}/tasks-config", rest_tasks_config},
    {"GET", "/connectors/{}/tasks/{}/status", rest_task_status},
    {"POST", "/connectors/{}/tasks/{}/restart", rest_task_restart},
    {"GET", "/connectors/{}/topics", rest_connector_topics},
    {"PUT", "/connectors/{}/topics/reset", rest_connector_topics_reset},
    {"GET", "/connectors/{}/offsets", rest_offsets_get},
    {"PATCH", "/connectors/{}/offsets", rest_offsets_alter},
    {"DELETE", "/connectors/{}/offsets", rest_offsets_reset},

    {"GET", "/connector-plugins", rest_plugins_list},
    {"GET", "/connector-plugins/{}/config", rest_plugin_config},
    {"PUT", "/connector-plugins/{}/config/validate", rest_plugin_validate},

    {"GET", "/admin/loggers", rest_loggers_list},
    {"GET", "/admin/loggers/{}", rest_logger_get},
    {"PUT", "/admin/loggers/{}", rest_logger_put},

    {"GET", "/metrics", rest_metrics},
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

rest_result_t rest_dispatch(rest_request_t *r)
{
    char *scratch = strdup(r->path), *segs[MAX_SEGMENTS];
    int n_segs = split(scratch, segs);
    bool path_known = false;
    rest_result_t ret = MHD_NO;
    for (size_t i = 0; n_segs >= 0 && i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!match(routes[i].pattern, segs, n_segs, r)) {
            continue;
        }
        path_known = true;
        if (strcmp(routes[i].method, r->method) == 0) {
            ret = routes[i].handler(r);
            free(scratch);
            return ret;
        }
    }
    free(scratch);
    return path_known ? rest_send_error(r, 405, "HTTP 405 Method Not Allowed")
                      : rest_send_error(r, 404, "HTTP 404 Not Found");
}
