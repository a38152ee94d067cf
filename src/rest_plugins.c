/* rest_plugins.c - /connector-plugins: what the worker can run and how
 * each plugin is configured. */
#include <stdio.h>

#include "rest_routes.h"

rest_result_t rest_plugins_list(rest_request_t *r)
{
    return rest_send_json(r, 200, herder_json_plugins(r->herder));
}

rest_result_t rest_plugin_config(rest_request_t *r)
{
    herder_result_t res = HERDER_OK;
    char *json = herder_json_plugin_config(r->herder, r->params[0], &res);
    char err[600];
    snprintf(err, sizeof(err), "Unknown plugin %s: check GET /connector-plugins for the names", r->params[0]);
    return rest_reply(r, res, err, json);
}

rest_result_t rest_plugin_validate(rest_request_t *r)
{
    return rest_send_error(r, 501, "PUT /connector-plugins/{p}/config/validate is not implemented yet");
}
