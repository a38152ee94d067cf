/*
 * rest_connectors.c - /connectors and /connectors/{c}/...: create, read,
 * update, delete, lifecycle and tasks, in Kafka Connect's JSON shapes and
 * status codes (reference/connect-rest.md §1).  The herder does the work;
 * this file turns requests into herder calls and answers into replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_json.h"
#include "rest_routes.h"

/* Answers 201 with Kafka's Location header: /connectors/{name}. */
static rest_result_t reply_created(rest_request_t *r, const char *name, char *info)
{
    char location[HERDER_NAME_MAX * 3 + 16];
    size_t len = (size_t)snprintf(location, sizeof(location), "/connectors/");
    for (const unsigned char *p = (const unsigned char *)name; *p && len + 4 < sizeof(location); p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     strchr("-._~", *p);
        len += (size_t)snprintf(location + len, sizeof(location) - len, plain ? "%c" : "%%%02X", *p);
    }
    return rest_send_json_header(r, 201, info, "Location", location);
}

/* Kafka refuses a null setting in a create or a full update (only a
 * PATCH uses null, to remove a key).  Answers 400 and returns true when
 * `config` has one. */
static bool refuse_null_values(rest_request_t *r, const json_t *config, rest_result_t *ret)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)config, key, value) {
        if (json_is_null(value)) {
            *ret = rest_send_error(r, 400,
                                   "Connector configuration is invalid and contains the following 1 error(s):\n"
                                   "Null value can not be supplied as the configuration value. (key \"%s\")",
                                   key);
            return true;
        }
    }
    return false;
}

/* Kafka's initial_state: RUNNING (default), PAUSED or STOPPED, any case. */
static bool parse_initial_state(const char *text, herder_target_t *target)
{
    static const struct {
        const char *name;
        herder_target_t target;
    } states[] = {{"RUNNING", HERDER_STARTED}, {"PAUSED", HERDER_PAUSED}, {"STOPPED", HERDER_STOPPED}};
    if (!text) {
        *target = HERDER_STARTED;
        return true;
    }
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (strcasecmp(text, states[i].name) == 0) {
            *target = states[i].target;
            return true;
        }
    }
    return false;
}

rest_result_t rest_connector_create(rest_request_t *r)
{
    rest_result_t ret;
    json_t *doc = rest_parse_body(r, &ret);
    if (!doc) {
        return ret;
    }
    if (refuse_null_values(r, json_object_get(doc, "config"), &ret)) {
        json_decref(doc);
        return ret;
    }
    char err[4096] = "";
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *initial = json_string_value(json_object_get(doc, "initial_state"));
    char *trimmed = name ? strdup(name + strspn(name, " \t\r\n")) : NULL;
    for (size_t n = trimmed ? strlen(trimmed) : 0; n > 0 && strchr(" \t\r\n", trimmed[n - 1]); n--) {
        trimmed[n - 1] = '\0'; /* Kafka trims the name */
    }
    properties_t *config = NULL;
    herder_result_t res = HERDER_ERR_INVALID;
    herder_target_t target;
    if (!json_is_object(doc) || !trimmed || !*trimmed) {
        snprintf(err, sizeof(err), "the request needs a \"name\" (string) and a \"config\" (object)");
    } else if (!parse_initial_state(initial, &target)) {
        snprintf(err, sizeof(err), "initial_state must be RUNNING, PAUSED or STOPPED, got '%s'", initial);
    } else if ((config = config_from_json(json_object_get(doc, "config"), err, sizeof(err)))) {
        res = herder_create_connector(r->herder, trimmed, config, target, err, sizeof(err));
    }
    properties_destroy(config);
    json_decref(doc);
    if (res != HERDER_CREATED) {
        free(trimmed);
        return rest_reply(r, res, err, NULL);
    }
    char *info = herder_json_connector_info(r->herder, trimmed, &(herder_result_t){0});
    ret = reply_created(r, trimmed, info);
    free(trimmed);
    return ret;
}

rest_result_t rest_connector_config_put(rest_request_t *r)
{
    const char *name = r->params[0];
    rest_result_t ret;
    json_t *doc = rest_parse_body(r, &ret);
    if (!doc) {
        return ret;
    }
    if (refuse_null_values(r, doc, &ret)) {
        json_decref(doc);
        return ret;
    }
    char err[4096] = "";
    properties_t *config = config_from_json(doc, err, sizeof(err));
    herder_result_t res =
        config ? herder_put_connector(r->herder, name, config, true, err, sizeof(err)) : HERDER_ERR_INVALID;
    properties_destroy(config);
    json_decref(doc);
    char *info = res >= 0 ? herder_json_connector_info(r->herder, name, &(herder_result_t){0}) : NULL;
    return res == HERDER_CREATED ? reply_created(r, name, info) : rest_reply(r, res, err, info);
}

/* KIP-477: a partial config; a null value removes the key. */
rest_result_t rest_connector_config_patch(rest_request_t *r)
{
    rest_result_t ret;
    json_t *doc = rest_parse_body(r, &ret);
    if (!doc) {
        return ret;
    }
    char err[4096] = "";
    properties_t *set = config_from_json(doc, err, sizeof(err)), *removed = properties_create();
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value) {
        if (json_is_null(value)) {
            properties_set(removed, key, "");
        }
    }
    herder_result_t res =
        set ? herder_patch_connector(r->herder, r->params[0], set, removed, err, sizeof(err)) : HERDER_ERR_INVALID;
    properties_destroy(set);
    properties_destroy(removed);
    json_decref(doc);
    char *info = res >= 0 ? herder_json_connector_info(r->herder, r->params[0], &(herder_result_t){0}) : NULL;
    return rest_reply(r, res, err, info);
}

static rest_result_t reply_view(rest_request_t *r, char *(*view)(herder_t *, const char *, herder_result_t *))
{
    herder_result_t res = HERDER_OK;
    char *json = view(r->herder, r->params[0], &res);
    char err[600];
    snprintf(err, sizeof(err), "Connector %s not found", r->params[0]);
    return rest_reply(r, res, err, json);
}

rest_result_t rest_connector_info(rest_request_t *r)
{
    return reply_view(r, herder_json_connector_info);
}

rest_result_t rest_connector_status(rest_request_t *r)
{
    herder_result_t res = HERDER_OK;
    char *json = herder_json_connector_status(r->herder, r->params[0], &res);
    char err[600];
    snprintf(err, sizeof(err), "No status found for connector %s", r->params[0]);
    return rest_reply(r, res, err, json);
}

rest_result_t rest_tasks_list(rest_request_t *r)
{
    return reply_view(r, herder_json_tasks);
}

rest_result_t rest_tasks_config(rest_request_t *r)
{
    return reply_view(r, herder_json_tasks_config);
}

rest_result_t rest_connector_config_get(rest_request_t *r)
{
    return reply_view(r, herder_json_connector_config);
}

rest_result_t rest_connector_delete(rest_request_t *r)
{
    char why[600];
    herder_result_t res = herder_delete_connector(r->herder, r->params[0], why, sizeof(why));
    return rest_reply(r, res, why, NULL);
}

typedef struct expand {
    bool any, status, info;
} expand_t;

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    expand_t *ex = cls;
    if (strcmp(key, "expand") == 0) {
        ex->any = true; /* Kafka: any expand, even an unknown one, answers the map */
    }
    if (strcmp(key, "expand") == 0 && value) {
        ex->status |= strcmp(value, "status") == 0;
        ex->info |= strcmp(value, "info") == 0;
    }
    return MHD_YES;
}

rest_result_t rest_connectors_list(rest_request_t *r)
{
    expand_t ex = {false, false, false};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &ex);
    if (ex.any) {
        return rest_send_json(r, 200, herder_json_connectors_expanded(r->herder, ex.status, ex.info));
    }
    return rest_send_json(r, 200, herder_json_connector_names(r->herder));
}

rest_result_t rest_connector_restart(rest_request_t *r)
{
    const char *name = r->params[0];
    bool include_tasks = rest_query_flag(r, "includeTasks"), only_failed = rest_query_flag(r, "onlyFailed");
    bool flags = include_tasks || only_failed;
    char *plan = NULL;
    herder_result_t res = herder_restart_connector(r->herder, name, include_tasks, only_failed, flags ? &plan : NULL);
    if (res != HERDER_OK) {
        return rest_send_error(r, rest_http_status(res), "Connector %s not found", name);
    }
    /* Kafka: 204 without the flags, else 202 with the restart plan. */
    return flags ? rest_send_json(r, 202, plan) : rest_send_json(r, 204, NULL);
}

static rest_result_t set_target(rest_request_t *r, herder_target_t target, unsigned status)
{
    char why[600];
    herder_result_t res = herder_set_target(r->herder, r->params[0], target, why, sizeof(why));
    if (res == HERDER_ERR_NOT_FOUND && target != HERDER_STOPPED) {
        /* Kafka's words for these two */
        return rest_send_error(r, rest_http_status(res), "Unknown connector %s", r->params[0]);
    }
    return res == HERDER_OK ? rest_send_json(r, status, NULL) : rest_reply(r, res, why, NULL);
}

/* Kafka's codes: pause and resume 202, stop 204. */
rest_result_t rest_connector_pause(rest_request_t *r)
{
    return set_target(r, HERDER_PAUSED, 202);
}

rest_result_t rest_connector_resume(rest_request_t *r)
{
    return set_target(r, HERDER_STARTED, 202);
}

rest_result_t rest_connector_stop(rest_request_t *r)
{
    return set_target(r, HERDER_STOPPED, 204);
}

/* The {t} of /connectors/{c}/tasks/{t}/...: a non-negative number, or -1. */
static int task_id_param(rest_request_t *r)
{
    char *end;
    long id = strtol(r->params[1], &end, 10);
    return *end || end == r->params[1] || id < 0 || id > 100000 ? -1 : (int)id;
}

rest_result_t rest_task_status(rest_request_t *r)
{
    herder_result_t res = HERDER_ERR_NOT_FOUND;
    int id = task_id_param(r);
    char *json = id >= 0 ? herder_json_task_status(r->herder, r->params[0], id, &res) : NULL;
    char err[600];
    snprintf(err, sizeof(err), "No status found for task %s-%s", r->params[0], r->params[1]);
    return rest_reply(r, res, err, json);
}

rest_result_t rest_task_restart(rest_request_t *r)
{
    int id = task_id_param(r);
    herder_result_t res = id >= 0 ? herder_restart_task(r->herder, r->params[0], id) : HERDER_ERR_NOT_FOUND;
    if (res == HERDER_OK) {
        return rest_send_json(r, 204, NULL);
    }
    return herder_has_connector(r->herder, r->params[0])
               ? rest_send_error(r, rest_http_status(res), "Unknown task: %s-%s", r->params[0], r->params[1])
               : rest_send_error(r, rest_http_status(res), "Unknown connector: %s", r->params[0]);
}

rest_result_t rest_connector_topics(rest_request_t *r)
{
    herder_result_t res = HERDER_OK;
    char err[600];
    char *json = herder_json_topics(r->herder, r->params[0], &res, err, sizeof(err));
    return rest_reply(r, res, err, json);
}

rest_result_t rest_connector_topics_reset(rest_request_t *r)
{
    char err[600];
    herder_result_t res = herder_topics_reset(r->herder, r->params[0], err, sizeof(err));
    return rest_reply(r, res, err, NULL);
}
