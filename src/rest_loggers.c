/* rest_loggers.c - /admin/loggers (KIP-495). */
#include "rest_routes.h"

rest_result_t rest_loggers_list(rest_request_t *r)
{
    return rest_send_error(r, 501, "GET /admin/loggers is not implemented yet");
}

rest_result_t rest_logger_get(rest_request_t *r)
{
    return rest_send_error(r, 501, "GET /admin/loggers/{name} is not implemented yet");
}

rest_result_t rest_logger_put(rest_request_t *r)
{
    return rest_send_error(r, 501, "PUT /admin/loggers/{name} is not implemented yet");
}
