/*
 * plugin_catalog.h - the worker's built-in plugins that are not
 * connectors: converters and header converters now, transformations and
 * predicates when they exist.  Each is one row with Kafka's class name, its
 * short name, its type and its settings, which GET /connector-plugins,
 * GET /connector-plugins/{p}/config, connector validation (key.converter.*
 * settings) and docs/configuration.md all read.
 *
 * Connectors come from the plugin loader (plugin_loader.h); this file
 * knows only what is compiled into the worker.
 */
#ifndef CONNECTD_PLUGIN_CATALOG_H
#define CONNECTD_PLUGIN_CATALOG_H

#include <stddef.h>

#include "config/config_validate.h"

/* Kafka's PluginType, in the order GET /connector-plugins lists them. */
typedef enum catalog_type {
    CATALOG_SINK,
    CATALOG_SOURCE,
    CATALOG_TRANSFORMATION,
    CATALOG_PREDICATE,
    CATALOG_CONVERTER,
    CATALOG_HEADER_CONVERTER,
} catalog_type_t;

/* "sink", "source", "transformation", "predicate", "converter",
 * "header_converter".
 * @locality any thread
 * @locks none */
const char *catalog_type_name(catalog_type_t type);

typedef struct catalog_plugin {
    const char *class_name; /* Kafka's, e.g. "org.apache.kafka.connect.json.JsonConverter" */
    const char *alias;      /* the short name, e.g. "JsonConverter" */
    catalog_type_t type;
    const config_def_t *config; /* its settings, ending with a NULL name */
} catalog_plugin_t;

/* The rows, by type then class name.  A class that is both a converter
 * and a header converter has a row for each, as Kafka lists it twice.
 * Rows are added when transforms become known (plugins loaded) and never
 * move, so a row handed out stays valid.
 * @locality any thread
 * @locks takes the catalog's lock while it adds rows (a leaf: held over
 *        no other lock) */
size_t catalog_count(void);
/* Row i, or NULL past the end.
 * @locality any thread
 * @locks as catalog_count */
const catalog_plugin_t *catalog_at(size_t i);

/* By class name or short name, of `type`; NULL if none.
 * @locality any thread
 * @locks as catalog_count */
const catalog_plugin_t *catalog_find(const char *name, catalog_type_t type);
/* The same of any type (the first row).
 * @locality any thread
 * @locks as catalog_count */
const catalog_plugin_t *catalog_find_any(const char *name);

/* The version built-in plugins report: connectd's.
 * @locality any thread
 * @locks none */
const char *catalog_version(void);

#endif
