/* missing_callback.so - a source without poll and a sink without flush:
 * each is refused on its own line, naming the callback. */
#include "stubs.h"

static const cd_plugin_desc_t no_poll = {
    CD_PLUGIN_DESC_HEADER,
    .name = "NoPollSource",
    .kind = CD_KIND_SOURCE,
    .start = stub_start,
    .stop = stub_stop,
};

static const cd_plugin_desc_t no_flush = {
    CD_PLUGIN_DESC_HEADER,
    .name = "NoFlushSink",
    .kind = CD_KIND_SINK,
    .start = stub_start,
    .put = stub_put,
    .stop = stub_stop,
};

static const cd_plugin_desc_t *const all[] = {&no_poll, &no_flush, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
