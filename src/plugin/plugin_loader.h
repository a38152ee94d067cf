/*
 * plugin_loader.h - finding, checking and keeping the connector plugins.
 *
 * plugin.path is a comma-separated list of directories (or .so files);
 * each *.so found (not recursing deeper than one level of subdirectories)
 * is dlopen()ed with RTLD_NOW | RTLD_LOCAL and its cd_plugin_entry called
 * with the host table.  Every descriptor is copied into a zeroed host-sized
 * struct and checked; a plugin that fails a check is refused with one log
 * line naming the file and the reason, and the others load:
 *   - no cd_plugin_entry symbol, or the entry returns NULL
 *   - abi_major other than CD_ABI_MAJOR (both numbers in the message)
 *   - struct_size smaller than the ABI 1.0 descriptor
 *   - a missing required callback: start, poll and stop for a source;
 *     start, put, flush and stop for a sink; start, transform and stop
 *     for a transform; start, test and stop for a predicate (ABI 1.1)
 *   - a malformed config table: a name twice, an unknown type, a default
 *     outside its bounds or choices
 *   - a name (or alias) another loaded connector already has
 * Plugins are never unloaded (dlclose) while the process runs.
 */
#ifndef CONNECTD_PLUGIN_LOADER_H
#define CONNECTD_PLUGIN_LOADER_H

#include <stddef.h>

#include <connectd/plugin.h>

#include "config_def.h"

typedef struct plugin_registry plugin_registry_t;

/* One loaded connector. */
typedef struct plugin_info {
    const cd_plugin_desc_t *desc; /* the host's checked copy */
    const char *path;             /* the .so it came from */
    const config_def_t *config;   /* desc->config as rows (plugin_config_rows), made at load */
} plugin_info_t;

/* Loads every plugin on `plugin_path` (may be NULL or empty).  Never fails
 * as a whole: refusals are logged.  `api` must outlive the registry. */
plugin_registry_t *plugin_registry_load(const char *plugin_path, const cd_host_api_t *api);
void plugin_registry_destroy(plugin_registry_t *reg); /* frees the list; the .so stay loaded */

/* Connectors only: by name or alias (exact match, as Kafka's
 * connector.class), NULL if none.  Names are unique across connectors,
 * transforms and predicates. */
const plugin_info_t *plugin_registry_find(const plugin_registry_t *reg, const char *class_name);

size_t plugin_registry_count(const plugin_registry_t *reg);
const plugin_info_t *plugin_registry_at(const plugin_registry_t *reg, size_t i);

/* The loaded transforms and predicates (kinds CD_KIND_TRANSFORM and
 * CD_KIND_PREDICATE, ABI 1.1), kept apart from the connectors so that no
 * connector.class finds them; transform_chain.h wraps them. */
size_t plugin_registry_transform_count(const plugin_registry_t *reg);
const plugin_info_t *plugin_registry_transform_at(const plugin_registry_t *reg, size_t i);

/*
 * A plugin's config table as rows (config_def.h), the one row type the
 * worker reads settings by: types and importance mapped one to one,
 * required only without a default, bounds when min < max (INT, LONG), no
 * width, the name as display name, the position within its group counted
 * in table order, and the plugin's validate() behind the row's validator.
 * NULL-name-terminated, never NULL (a NULL table gives no rows); the rows
 * point into `defs`, which must outlive them.  Free with free().
 */
config_def_t *plugin_config_rows(const cd_config_def_t *defs);

/* Whether `value` is acceptable for the setting `def`, read by its row as
 * the worker reads connector settings: parses as its type (INT, LONG,
 * DOUBLE, BOOLEAN), lies within min..max (INT, LONG, when min < max), is
 * one of its choices (each item, for a LIST) and passes its validate().
 * The loader checks defaults with it.  Returns 0, or -1 with a sentence
 * about the value (not naming the setting) in errbuf, e.g. `"0" is
 * outside [1, 100]`. */
int plugin_config_check(const cd_config_def_t *def, const char *value, char *errbuf, size_t errlen);

/* The directory of the built-in connectors: the build tree's connectors/
 * when running from it, else the installed $(pkglibdir)/connectors. */
const char *plugin_builtin_dir(void);

#endif
