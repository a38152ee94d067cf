/* null_entry.so - an entry that finds it cannot work here. */
#include <connectd/plugin.h>

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *host)
{
    return NULL;
}
