/*
 * rest_routes.h - the REST endpoints: the route table (rest_routes.c)
 * and the handlers it names, one file per group of endpoints.
 */
#ifndef CONNECTD_REST_ROUTES_H
#define CONNECTD_REST_ROUTES_H

#include "rest_http.h"

/* Finds the route for r->method and r->path, once per request: sets
 * r->route and r->params.  rest_route_release frees what it keeps. */
void rest_route_find(rest_request_t *r);
void rest_route_release(rest_request_t *r);

/* Whether r's route may wait on something slow (the broker, a task
 * stopping, a plugin) and so must not run on the thread that serves the
 * other connections. */
bool rest_route_blocks(const rest_request_t *r);

/* Runs r's route (rest_route_find first): 404 for an unknown path, 405 for
 * a known path with another method (Kafka's "HTTP 404 Not Found" / "HTTP
 * 405 Method Not Allowed"). */
rest_result_t rest_dispatch(rest_request_t *r);

/* rest_worker.c: GET / and GET /health. */
rest_result_t rest_server_info(rest_request_t *r);
rest_result_t rest_health(rest_request_t *r);

/* rest_connectors.c: /connectors and /connectors/{c}[/...]. */
rest_result_t rest_connectors_list(rest_request_t *r);
rest_result_t rest_connector_create(rest_request_t *r);
rest_result_t rest_connector_info(rest_request_t *r);
rest_result_t rest_connector_delete(rest_request_t *r);
rest_result_t rest_connector_config_get(rest_request_t *r);
rest_result_t rest_connector_config_put(rest_request_t *r);
rest_result_t rest_connector_config_patch(rest_request_t *r);
rest_result_t rest_connector_status(rest_request_t *r);
rest_result_t rest_connector_restart(rest_request_t *r);
rest_result_t rest_connector_pause(rest_request_t *r);
rest_result_t rest_connector_resume(rest_request_t *r);
rest_result_t rest_connector_stop(rest_request_t *r);
rest_result_t rest_connector_topics(rest_request_t *r);
rest_result_t rest_connector_topics_reset(rest_request_t *r);
rest_result_t rest_tasks_list(rest_request_t *r);
rest_result_t rest_tasks_config(rest_request_t *r);
rest_result_t rest_task_status(rest_request_t *r);
rest_result_t rest_task_restart(rest_request_t *r);

/* rest_offsets.c: /connectors/{c}/offsets (KIP-875). */
rest_result_t rest_offsets_get(rest_request_t *r);
rest_result_t rest_offsets_alter(rest_request_t *r);
rest_result_t rest_offsets_reset(rest_request_t *r);

/* rest_plugins.c: /connector-plugins. */
rest_result_t rest_plugins_list(rest_request_t *r);
rest_result_t rest_plugin_config(rest_request_t *r);
rest_result_t rest_plugin_validate(rest_request_t *r);

/* rest_loggers.c: /admin/loggers (KIP-495). */
rest_result_t rest_loggers_list(rest_request_t *r);
rest_result_t rest_logger_get(rest_request_t *r);
rest_result_t rest_logger_put(rest_request_t *r);

/* rest_metrics.c: GET /metrics, Prometheus text format. */
rest_result_t rest_metrics(rest_request_t *r);

#endif
