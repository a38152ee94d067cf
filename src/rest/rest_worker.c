/* rest_worker.c - GET / and GET /health: the worker itself. */
#include "connectd-build.h"

#include <string.h>

#include "rest_routes.h"

rest_result_t rest_server_info(rest_request_t *r)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
    json_object_set_new(doc, "commit", json_string(""));
    json_object_set_new(doc, "kafka_cluster_id", r->cluster_id ? json_string(r->cluster_id) : json_null());
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, 200, text);
}

/* KIP-1017.  The REST listener starts after the herder has restored the
 * stored connectors, so a worker that answers at all is ready. */
rest_result_t rest_health(rest_request_t *r)
{
    return rest_send_json(r, 200,
                          strdup("{\"status\":\"healthy\",\"message\":\"Worker has completed startup and is ready to "
                                 "handle requests.\"}"));
}
