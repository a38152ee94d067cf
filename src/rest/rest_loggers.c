/*
 * rest_loggers.c - /admin/loggers (KIP-495, Kafka's LoggingResource): the
 * levels of the worker's loggers (blog.h), read and changed while it runs.
 *
 *   GET /admin/loggers            the loggers with a level of their own, and root
 *   GET /admin/loggers/{name}     one logger's level, its own or inherited
 *   PUT /admin/loggers/{name}     {"level":"DEBUG"}: that logger and those below it
 *
 * scope=cluster (KIP-976) asks every worker of a cluster to apply the
 * level; a standalone worker is the whole cluster, so it applies it here
 * and answers 204 as Kafka does for that scope.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blog.h"
#include "rest_routes.h"

/* LoggerLevel: {"level", "last_modified": ms or null}. */
static json_t *level_json(const blog_logger_info_t *info)
{
    return json_pack("{ssso}", "level", info->level, "last_modified",
                     info->last_modified >= 0 ? json_integer(info->last_modified) : json_null());
}

rest_result_t rest_loggers_list(rest_request_t *r)
{
    blog_logger_info_t *infos;
    size_t n = blog_loggers_set(&infos);
    json_t *doc = json_object();
    for (size_t i = 0; i < n; i++) {
        json_object_set_new(doc, infos[i].name, level_json(&infos[i]));
    }
    blog_logger_infos_free(infos, n);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, 200, text);
}

rest_result_t rest_logger_get(rest_request_t *r)
{
    blog_logger_info_t info;
    if (!blog_logger_get(r->params[0], &info)) {
        return rest_send_error(r, 404, "Logger %s not found.", r->params[0]);
    }
    json_t *doc = level_json(&info);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, 200, text);
}

rest_result_t rest_logger_put(rest_request_t *r)
{
    rest_result_t ret;
    char why[128];
    if (!blog_logger_name_check(r->params[0], why, sizeof(why))) {
        /* Any other name is taken, known or not, as log4j takes it; this
         * one would be printed at the end of its lines, forging some. */
        return rest_send_error(r, 400, "Invalid logger name: %s", why);
    }
    json_t *body = rest_parse_body(r, &ret);
    if (!body) {
        return ret;
    }
    json_t *level = json_is_object(body) ? json_object_get(body, "level") : NULL;
    if (!level || json_is_null(level)) {
        json_decref(body);
        return rest_send_error(r, 400, "Desired 'level' parameter was not specified in request.");
    }
    /* Kafka reads the body as a map of strings: a number is its text. */
    char *text = json_is_string(level) ? strdup(json_string_value(level)) : json_dumps(level, JSON_ENCODE_ANY);
    json_decref(body);
    char canonical[BLOG_LEVEL_NAME_MAX];
    if (blog_level_parse(text, canonical) < 0) {
        ret = rest_send_error(r, 404, "invalid log level '%s'.", text);
        free(text);
        return ret;
    }
    /* Kafka logs this at INFO on its Loggers class, before the change. */
    blog_info("Setting level of namespace %s and children to %s", r->params[0], canonical);
    size_t n;
    char **names = blog_logger_set(r->params[0], text, &n);
    free(text);
    const char *scope = rest_query(r, "scope");
    bool cluster = scope && strcasecmp(scope, "cluster") == 0;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, json_string(names[i]));
        free(names[i]);
    }
    free(names);
    if (cluster) {
        json_decref(list);
        return rest_send_json(r, 204, NULL);
    }
    char *out = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return rest_send_json(r, 200, out);
}
