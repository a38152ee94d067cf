/* good.so - a well-formed source and sink, with a config table that uses
 * every type, bound, choice list and validator, and aliases to look up. */
#include <string.h>

#include "stubs.h"

static int starts_with_slash(const char *value, char *errbuf, size_t errlen)
{
    if (value[0] != '/') {
        strncpy(errbuf, "must be an absolute path", errlen - 1);
        errbuf[errlen - 1] = '\0';
        return -1;
    }
    return 0;
}

static const char *const modes[] = {"fast", "safe", NULL};

static const cd_config_def_t source_config[] = {
    {.name = "topic", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Where records go."},
    {.name = "batch", .type = CD_CFG_INT, .default_value = "100", .min = 1, .max = 10000},
    {.name = "limit", .type = CD_CFG_LONG, .default_value = "-1", .min = -1, .max = INT64_MAX},
    {.name = "ratio", .type = CD_CFG_DOUBLE, .default_value = "0.5"},
    {.name = "enabled", .type = CD_CFG_BOOLEAN, .default_value = "TRUE"},
    {.name = "modes", .type = CD_CFG_LIST, .default_value = "fast, safe", .choices = modes},
    {.name = "mode", .type = CD_CFG_STRING, .default_value = "safe", .choices = modes},
    {.name = "secret", .type = CD_CFG_PASSWORD},
    {.name = "helper", .type = CD_CFG_CLASS, .default_value = "org.example.Helper"},
    {.name = "dir", .type = CD_CFG_STRING, .default_value = "/tmp", .validate = starts_with_slash},
    {.name = NULL},
};

static const char *const source_aliases[] = {"org.example.TestSource", "TestSourceConnector", NULL};

static const cd_plugin_desc_t source = {
    CD_PLUGIN_DESC_HEADER,
    .name = "TestSource",
    .version = "1.2.3",
    .description = "A source that never produces anything.",
    .kind = CD_KIND_SOURCE,
    .aliases = source_aliases,
    .config = source_config,
    .start = stub_start,
    .poll = stub_poll,
    .stop = stub_stop,
};

static const cd_plugin_desc_t sink = {
    CD_PLUGIN_DESC_HEADER,
    .name = "TestSink",
    .version = "1.2.3",
    .kind = CD_KIND_SINK,
    .start = stub_start,
    .put = stub_put,
    .flush = stub_flush,
    .stop = stub_stop,
};

static const cd_plugin_desc_t *const all[] = {&source, &sink, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
