/*
 * rest_metrics.c - GET /metrics in Prometheus text format 0.0.4: the
 * worker's families (herder_metrics.c), then those of registered
 * collectors (the embedded broker's, broker_metrics.c).  A worker that
 * uses an external cluster has no broker families.  docs/metrics.md lists
 * every family.
 */
#include "herder/herder_metrics.h"
#include "metrics.h"
#include "rest_routes.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

rest_result_t rest_metrics(rest_request_t *r)
{
    metrics_text_t *out = metrics_text_create();
    herder_metrics_write(r->herder, out);
    metrics_collect_all(out);
    size_t len;
    char *text = metrics_text_finish(out, &len);
    return rest_send_body(r, 200, CONTENT_TYPE, text, len);
}
