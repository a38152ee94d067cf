/* bad_config.so - one descriptor per way a config table can be malformed;
 * each is refused on its own line saying what is wrong. */
#include <string.h>

#include "stubs.h"

#define SOURCE(ident, connector, table)                                                                \
    static const cd_plugin_desc_t ident = {                                                            \
        CD_PLUGIN_DESC_HEADER, .name = connector, .kind = CD_KIND_SOURCE, .config = table,             \
        .start = stub_start,   .poll = stub_poll, .stop = stub_stop,                                   \
    }

static const cd_config_def_t twice[] = {
    {.name = "a", .type = CD_CFG_STRING},
    {.name = "b", .type = CD_CFG_STRING},
    {.name = "a", .type = CD_CFG_INT},
    {.name = NULL},
};
SOURCE(dup_name, "DupConfig", twice);

static const cd_config_def_t bad_type[] = {
    {.name = "a", .type = (cd_cfg_type_t)42},
    {.name = NULL},
};
SOURCE(unknown_type, "BadTypeConfig", bad_type);

static const cd_config_def_t out_of_range[] = {
    {.name = "rate", .type = CD_CFG_LONG, .default_value = "0", .min = 1, .max = 100},
    {.name = NULL},
};
SOURCE(range, "OutOfRangeConfig", out_of_range);

static const cd_config_def_t not_a_number[] = {
    {.name = "n", .type = CD_CFG_INT, .default_value = "ten"},
    {.name = NULL},
};
SOURCE(not_int, "NotANumberConfig", not_a_number);

static const char *const codecs[] = {"none", "snappy", NULL};
static const cd_config_def_t bad_choice[] = {
    {.name = "codec", .type = CD_CFG_STRING, .default_value = "gzip", .choices = codecs},
    {.name = NULL},
};
SOURCE(choice, "BadChoiceConfig", bad_choice);

static const cd_config_def_t bad_list[] = {
    {.name = "codecs", .type = CD_CFG_LIST, .default_value = "none, zstd", .choices = codecs},
    {.name = NULL},
};
SOURCE(list, "BadListConfig", bad_list);

static int absolute(const char *value, char *errbuf, size_t errlen)
{
    if (value[0] != '/') {
        strncpy(errbuf, "must be an absolute path", errlen - 1);
        errbuf[errlen - 1] = '\0';
        return -1;
    }
    return 0;
}
static const cd_config_def_t fails_validator[] = {
    {.name = "dir", .type = CD_CFG_STRING, .default_value = "tmp", .validate = absolute},
    {.name = NULL},
};
SOURCE(validator, "ValidatorConfig", fails_validator);

static const cd_plugin_desc_t *const all[] = {&dup_name, &unknown_type, &range, &not_int, &choice, &list,
                                              &validator, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
