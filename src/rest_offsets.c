/* rest_offsets.c - /connectors/{c}/offsets (KIP-875). */
#include "rest_routes.h"

rest_result_t rest_offsets_get(rest_request_t *r)
{
    return rest_send_error(r, 501, "GET /connectors/{c}/offsets is not implemented yet");
}

rest_result_t rest_offsets_alter(rest_request_t *r)
{
    return rest_send_error(r, 501, "PATCH /connectors/{c}/offsets is not implemented yet");
}

rest_result_t rest_offsets_reset(rest_request_t *r)
{
    return rest_send_error(r, 501, "DELETE /connectors/{c}/offsets is not implemented yet");
}
