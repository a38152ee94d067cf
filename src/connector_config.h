/*
 * connector_config.h - checks of a connector config against Kafka
 * Connect's common keys and the plugin's config table.
 */
#ifndef CONNECTD_CONNECTOR_CONFIG_H
#define CONNECTD_CONNECTOR_CONFIG_H

#include <stddef.h>

#include <connectd/plugin.h>

#include "properties.h"

/* The number of problems (0: fine); errstr lists them one per line, in
 * Kafka's wording ("Missing required configuration \"file\" which has no
 * default value."). */
int connector_config_check(const properties_t *config, const cd_plugin_desc_t *desc, char *errstr,
                           size_t errstr_size);

/* tasks.max (default 1). */
int connector_config_tasks_max(const properties_t *config);

#endif
