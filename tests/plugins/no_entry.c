/* no_entry.so - a shared object that is not a plugin (say, a library a
 * plugin depends on): it exports something, but not cd_plugin_entry. */
#include <connectd/plugin.h>

CD_EXPORT int not_the_entry(void);

CD_EXPORT int not_the_entry(void)
{
    return 42;
}
