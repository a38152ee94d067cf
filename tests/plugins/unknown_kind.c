/* unknown_kind.so - neither a source nor a sink. */
#include "stubs.h"

static const cd_plugin_desc_t desc = {
    CD_PLUGIN_DESC_HEADER,
    .name = "Transformer",
    .kind = (cd_kind_t)7,
    .start = stub_start,
    .poll = stub_poll,
    .put = stub_put,
    .flush = stub_flush,
    .stop = stub_stop,
};

static const cd_plugin_desc_t *const all[] = {&desc, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
