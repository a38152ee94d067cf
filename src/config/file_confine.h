/*
 * file_confine.h - the worker's side of file.connectors.allowed.paths: the
 * built-in FileStreamSource and FileStreamSink may only read and write
 * files under the directories the worker lists (path_confine.h resolves
 * symbolic links and ".." first).  Without the setting they may use
 * standard input and output only: a REST client must not be able to make
 * the worker read /etc/passwd or write into /etc/cron.d.
 *
 * The connectors are known by their plugin's name (plugin_registry_find
 * maps aliases and Kafka's class names to it).  The worker judges `file`
 * when a config is validated, created or updated (a 400 naming `file` and
 * the directories), and again when a task starts, so a config stored
 * before the setting existed fails its task instead of opening the file.
 * At task start it also hands the directories to the plugin under the same
 * key, which the plugin checks before every open; a connector config may
 * not set that key itself.
 */
#ifndef CONNECTD_FILE_CONFINE_H
#define CONNECTD_FILE_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config_validate.h"
#include "path_confine.h"
#include "properties.h"

/* Whether the connector plugin named `plugin_name` (its descriptor's
 * name) is one of the file connectors.
 * @locality any thread
 * @locks none */
bool file_confine_applies(const char *plugin_name);

/* For a file connector: adds to `res` an error on `file` when it names a
 * file outside `allowed` (the worker's setting; NULL: none allowed), and
 * one on file.connectors.allowed.paths when the config sets it.  Returns
 * the number of errors added (0 for other connectors).
 * @locality any thread
 * @locks none */
int file_confine_check(cv_result_t *res, const properties_t *config, const char *plugin_name, const char *allowed);

/* At task start, for a file connector: sets file.connectors.allowed.paths
 * in the task's `config` to `allowed` ("" when NULL), replacing whatever
 * was there, and returns false with the reason in `why` when `file` is
 * outside.  True, config untouched, for other connectors.
 * @locality any thread
 * @locks none */
bool file_confine_task_config(properties_t *config, const char *plugin_name, const char *allowed, char *why,
                              size_t why_size);

#endif
