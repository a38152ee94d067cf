/*
 * connector_config.h - judging a connector config: Kafka Connect's
 * framework settings (ConnectorConfig, SinkConnectorConfig: name,
 * connector.class, tasks.max, converters, transforms, predicates, errors.*,
 * topics...), connectd's own (restart.*), the plugin's config table and
 * the plugin's validate() callback, as Kafka's
 * AbstractHerder.validateConnectorConfig does it.
 *
 * One function does the judging (connector_config_validate); PUT
 * /connector-plugins/{p}/config/validate shows its result whole, and
 * creating or updating a connector refuses the config when it has errors
 * (connector_config_check, the same result as lines of text), so the two
 * never disagree.
 */
#ifndef CONNECTD_CONNECTOR_CONFIG_H
#define CONNECTD_CONNECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <connectd/plugin.h>

#include "config/config_validate.h"
#include "plugin/plugin_loader.h"
#include "properties.h"

/* The framework's settings of a connector of `kind`, as Kafka orders them
 * (ConnectorConfig's, then SinkConnectorConfig's for a sink), then
 * connectd's restart.* settings; NULL-name-terminated.
 * @locality any thread
 * @locks none */
const config_def_t *connector_config_keys(cd_kind_t kind);

/*
 * Validates `config` for connector `plugin`, in the order and with
 * the messages of Kafka's validateConnectorConfig:
 *   - the framework settings, with one more group of settings per alias in
 *     `transforms` and `predicates` ("transforms.<a>.type", ...);
 *   - for a sink, exactly one of topics / topics.regex, and no dead letter
 *     queue topic among the topics;
 *   - the plugin's table (a plugin row replaces a framework row of the same
 *     name), and settings given as JSON null (`null_keys`, NULL-terminated,
 *     may be NULL): "Null value can not be supplied as the configuration
 *     value.";
 *   - when all that found nothing and `plugin_validate` is set, the
 *     plugin's validate() callback: its message goes to the setting it
 *     names (the longest setting name found in it as a word), else to
 *     connector.class;
 *   - the settings of a converter the config sets (key.converter.* ...),
 *     listed after the others as Kafka does, and the converter made with
 *     them, so a value the converter refuses is an error here too.
 * `name` stands in for the "name" setting when config has none (herder.c
 * checks the name from the URL itself); NULL: a missing name is an error.
 * @locality any thread (the herder calls it without its locks)
 * @locks takes the plugin catalog's lock (a leaf)
 */
cv_result_t *connector_config_validate(const properties_t *config, const plugin_info_t *plugin, const char *name,
                                       const char *const *null_keys, bool plugin_validate);

/* The number of problems connector_config_validate finds without the
 * plugin's callback (0: fine); errstr lists them one per line, in Kafka's
 * wording ("Missing required configuration \"file\" which has no default
 * value.").  The "name" setting is the caller's to check.
 * @locality any thread (the herder calls it without its locks)
 * @locks takes the plugin catalog's lock (a leaf) */
int connector_config_check(const properties_t *config, const plugin_info_t *plugin, char *errstr,
                           size_t errstr_size);

/* tasks.max as its row reads it (default 1); 1 when the row refuses it.
 * @locality any thread
 * @locks none */
int connector_config_tasks_max(const properties_t *config);

#endif
