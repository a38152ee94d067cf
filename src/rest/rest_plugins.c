/* rest_plugins.c - /connector-plugins: what the worker can run and how
 * each plugin is configured (Kafka's ConnectorPluginsResource). */
#include <stdio.h>

#include "blog.h"
#include "rest_routes.h"

/* GET /connector-plugins[?connectorsOnly=false]: connectors only unless
 * the flag says otherwise (Kafka's default is true). */
rest_result_t rest_plugins_list(rest_request_t *r)
{
    bool connectors_only = !rest_query(r, "connectorsOnly") || rest_query_flag(r, "connectorsOnly");
    return rest_send_json(r, 200, herder_json_plugins(r->herder, connectors_only));
}

rest_result_t rest_plugin_config(rest_request_t *r)
{
    herder_result_t res = HERDER_OK;
    char *json = herder_json_plugin_config(r->herder, r->params[0], &res);
    char err[600];
    snprintf(err, sizeof(err), "Unknown plugin %s.", r->params[0]);
    return rest_reply(r, res, err, json);
}

/* PUT /connector-plugins/{p}/config/validate: 200 with Kafka's ConfigInfos
 * whenever validation ran, errors or not. */
rest_result_t rest_plugin_validate(rest_request_t *r)
{
    rest_result_t ret;
    json_t *body = rest_parse_body(r, &ret);
    if (!body) {
        return ret;
    }
    blog_debug("validating a config of connector plugin %s", r->params[0]);
    herder_result_t res = HERDER_OK;
    char err[2048] = "";
    char *json = herder_json_plugin_validate(r->herder, r->params[0], body, &res, err, sizeof(err));
    json_decref(body);
    return rest_reply(r, res, err, json);
}
