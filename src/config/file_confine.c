/* file_confine.c - confining the file connectors; see file_confine.h. */
#include "file_confine.h"

#include <stdio.h>
#include <string.h>

bool file_confine_applies(const char *plugin_name)
{
    return plugin_name && (strcmp(plugin_name, "FileStreamSource") == 0 || strcmp(plugin_name, "FileStreamSink") == 0);
}

/* The reason `file` is refused, or false when it is fine.  An empty
 * `file` is standard input or output, which no path reaches. */
static bool refused(const char *file, const char *allowed, char *why, size_t why_size)
{
    if (!file || !*file || path_confine_allowed(file, allowed)) {
        return false;
    }
    if (!allowed || !allowed[strspn(allowed, " \t,")]) {
        snprintf(why, why_size,
                 "Invalid value %s for configuration file: " PATH_CONFINE_CONFIG " is not set on this worker, so "
                 "the file connectors may use standard input and output only; list the directories they may use "
                 "in that worker setting",
                 file);
    } else {
        snprintf(why, why_size,
                 "Invalid value %s for configuration file: the file connectors may only use files under the "
                 "directories of the worker's " PATH_CONFINE_CONFIG " (%s), after symbolic links and '..' are "
                 "resolved",
                 file, allowed);
    }
    return true;
}

int file_confine_check(cv_result_t *res, const properties_t *config, const char *plugin_name, const char *allowed)
{
    if (!file_confine_applies(plugin_name)) {
        return 0;
    }
    int n = 0;
    const char *own = properties_get(config, PATH_CONFINE_CONFIG);
    if (own) {
        cv_result_add_error(res, PATH_CONFINE_CONFIG, own,
                            "Invalid value %s for configuration " PATH_CONFINE_CONFIG ": it is a worker setting "
                            "and may not be set in a connector config",
                            own);
        n++;
    }
    char why[1024];
    if (refused(properties_get(config, "file"), allowed, why, sizeof(why))) {
        cv_result_add_error(res, "file", properties_get(config, "file"), "%s", why);
        n++;
    }
    return n;
}

bool file_confine_task_config(properties_t *config, const char *plugin_name, const char *allowed, char *why,
                              size_t why_size)
{
    if (!file_confine_applies(plugin_name)) {
        return true;
    }
    properties_set(config, PATH_CONFINE_CONFIG, allowed ? allowed : "");
    return !refused(properties_get(config, "file"), allowed, why, why_size);
}
