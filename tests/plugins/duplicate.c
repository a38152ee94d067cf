/* duplicate.so - names and aliases that good.so already took (load it
 * after good.so): each clash is refused, naming good.so. */
#include "stubs.h"

#define SOURCE(ident, connector, alias_list)                                                           \
    static const cd_plugin_desc_t ident = {                                                            \
        CD_PLUGIN_DESC_HEADER, .name = connector, .kind = CD_KIND_SOURCE, .aliases = alias_list,       \
        .start = stub_start,   .poll = stub_poll, .stop = stub_stop,                                   \
    }

/* The same name as good.so's source. */
SOURCE(same_name, "TestSource", NULL);
/* A name that is one of good.so's aliases. */
SOURCE(name_is_alias, "org.example.TestSource", NULL);
/* An alias that is one of good.so's aliases. */
static const char *const taken[] = {"MySource", "TestSourceConnector", NULL};
SOURCE(alias_taken, "DupAliasSource", taken);

static const cd_plugin_desc_t *const all[] = {&same_name, &name_is_alias, &alias_taken, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return all;
}
