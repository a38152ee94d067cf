/* short_struct.so - a struct_size below the 1.0 descriptor (a hand-written
 * header, or garbage): refused before the loader reads past it. */
#include "stubs.h"

static const cd_plugin_desc_t desc = {
    .struct_size = 16,
    .abi_major = CD_ABI_MAJOR,
    .abi_minor = CD_ABI_MINOR,
    .name = "ShortStruct",
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
