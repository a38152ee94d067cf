/*
 * old_minor.so - a plugin built against the plugin ABI 1.0 header, as the
 * host will see it once plugin.h has grown.
 *
 * The descriptor is a frozen copy of the 1.0 layout (do not add to it when
 * plugin.h gains fields: that is the point), so struct_size stays the 1.0
 * size however far the header moves on.  64 bytes of 0xa5 follow it in
 * memory: a loader that copied its own sizeof instead of struct_size would
 * fill the newer fields with them instead of zeros.  test_plugin_loader_next
 * loads it into a host one minor ahead.
 */
#include "stubs.h"

struct desc_1_0 {
    uint32_t struct_size;
    uint16_t abi_major, abi_minor;
    const char *name;
    const char *version;
    const char *description;
    cd_kind_t kind;
    const char *const *aliases;
    const cd_config_def_t *config;
    cd_rc_t (*validate)(cd_task_t *conn, char *errbuf, size_t errlen);
    cd_rc_t (*task_configs)(cd_task_t *conn, int max_tasks);
    cd_rc_t (*start)(cd_task_t *task, void **state);
    cd_rc_t (*poll)(cd_task_t *task, void *state, cd_record_t **out, size_t cap, size_t *n, int timeout_ms);
    cd_rc_t (*commit)(cd_task_t *task, void *state);
    cd_rc_t (*put)(cd_task_t *task, void *state, cd_record_t *const *recs, size_t n);
    cd_rc_t (*flush)(cd_task_t *task, void *state);
    void (*wakeup)(cd_task_t *task, void *state);
    void (*stop)(cd_task_t *task, void *state);
};

static const char *const aliases[] = {"org.example.OldMinorSource", NULL};

static const struct {
    struct desc_1_0 desc;
    unsigned char poison[64];
} old = {
    .desc =
        {
            .struct_size = sizeof(struct desc_1_0),
            .abi_major = 1,
            .abi_minor = 0,
            .name = "OldMinorSource",
            .version = "1.0.0",
            .kind = CD_KIND_SOURCE,
            .aliases = aliases,
            .start = stub_start,
            .poll = stub_poll,
            .stop = stub_stop,
        },
    .poison = {[0 ... 63] = 0xa5},
};

static const cd_plugin_desc_t *const all[] = {(const cd_plugin_desc_t *)&old.desc, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
