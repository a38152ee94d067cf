/* rest_worker.c - GET / and GET /health: the worker itself. */
#include "connectd-build.h"

#include <stdio.h>
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
 * stored connectors, so a worker that answers at all is ready; it is
 * unhealthy (503, as Kafka answers when its herder cannot serve) while a
 * task it gave up on (task.shutdown.graceful.timeout.ms) still runs: that
 * thread holds the plugin's resources and may be spinning.  The answer
 * reads nothing under the herder's lock, so it comes at once whatever the
 * herder is doing. */
rest_result_t rest_health(rest_request_t *r)
{
    char names[1024];
    int n = herder_abandoned_tasks(names, sizeof(names));
    if (n == 0) {
        return rest_send_json(r, 200,
                              strdup("{\"status\":\"healthy\",\"message\":\"Worker has completed startup and is "
                                     "ready to handle requests.\"}"));
    }
    char message[1400];
    snprintf(message, sizeof(message),
             "%d task%s did not stop within task.shutdown.graceful.timeout.ms and %s abandoned but still "
             "running: %s",
             n, n == 1 ? "" : "s", n == 1 ? "was" : "were", names);
    json_t *doc = json_pack("{ssss}", "status", "unhealthy", "message", message);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rest_send_json(r, 503, text);
}
