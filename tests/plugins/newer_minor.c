/* newer_minor.so - a plugin from a later minor than the host: its
 * descriptor has a field the host does not know, and a larger struct_size.
 * The host must copy only its own size (AddressSanitizer catches more). */
#include "stubs.h"

static void from_the_future(void)
{
}

static const struct {
    cd_plugin_desc_t base;
    void (*from_the_future)(void);
} newer = {
    .base =
        {
            .struct_size = sizeof(newer),
            .abi_major = CD_ABI_MAJOR,
            .abi_minor = CD_ABI_MINOR + 1,
            .name = "NewerMinorSink",
            .version = "9.9",
            .kind = CD_KIND_SINK,
            .start = stub_start,
            .put = stub_put,
            .flush = stub_flush,
            .stop = stub_stop,
        },
    .from_the_future = from_the_future,
};

static const cd_plugin_desc_t *const all[] = {&newer.base, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
