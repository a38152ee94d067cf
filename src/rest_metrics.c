/* rest_metrics.c - GET /metrics in Prometheus text format. */
#include "rest_routes.h"

rest_result_t rest_metrics(rest_request_t *r)
{
    return rest_send_error(r, 501, "GET /metrics is not implemented yet");
}
