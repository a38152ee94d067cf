/* bad_major.so - built for the next major: refused, naming both versions. */
#include "stubs.h"

static const cd_plugin_desc_t desc = {
    .struct_size = sizeof(cd_plugin_desc_t),
    .abi_major = CD_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "FromTheNextMajor",
    .kind = CD_KIND_SOURCE,
    .start = stub_start,
    .poll = stub_poll,
    .stop = stub_stop,
};

static const cd_plugin_desc_t *const all[] = {&desc, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
