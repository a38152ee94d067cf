/*
 * prev_minor.so - a sink built against the plugin ABI 1.1 header, the
 * minor just before alter_offsets (ABI 1.2) was added, as the host sees it
 * today.
 *
 * As old_minor.c does for 1.0, the descriptor is a frozen copy of the 1.1
 * layout (never add to it), so struct_size stays the 1.1 size, and 64 bytes
 * of 0xa5 follow it: a loader that copied its own sizeof would read them
 * as an alter_offsets callback and call into garbage.  test_plugin_loader
 * loads it into today's host and test_plugin_loader_next into the next.
 */
#include "stubs.h"

struct desc_1_1 {
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
    cd_rc_t (*transform)(cd_task_t *ctx, void *state, cd_record_t *rec, cd_record_t **out);
    cd_rc_t (*test)(cd_task_t *ctx, void *state, const cd_record_t *rec, bool *matches);
};

static const struct {
    struct desc_1_1 desc;
    unsigned char poison[64];
} prev = {
    .desc =
        {
            .struct_size = sizeof(struct desc_1_1),
            .abi_major = 1,
            .abi_minor = 1,
            .name = "PrevMinorSink",
            .version = "1.1.0",
            .kind = CD_KIND_SINK,
            .start = stub_start,
            .put = stub_put,
            .flush = stub_flush,
            .stop = stub_stop,
        },
    .poison = {[0 ... 63] = 0xa5},
};

static const cd_plugin_desc_t *const all[] = {(const cd_plugin_desc_t *)&prev.desc, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
