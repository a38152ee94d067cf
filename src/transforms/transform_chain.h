/*
 * transform_chain.h - a connector's `transforms=` chain (transform.h), as
 * a task runs it, and the list of every transform and predicate the worker
 * knows: the built-ins (transforms/registry.c) and those from plugins
 * (ABI 1.1 kinds CD_KIND_TRANSFORM and CD_KIND_PREDICATE).
 *
 * A chain is made from a connector's (resolved) config:
 *
 *   transforms=route,stamp            aliases, in order; empty: no chain
 *   transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter
 *   transforms.route.regex=(.*)       the transform's own settings
 *   transforms.route.predicate=isfoo  optional: apply only when it matches
 *   transforms.route.negate=true      ...or only when it does not
 *   predicates=isfoo
 *   predicates.isfoo.type=TopicNameMatches
 *   predicates.isfoo.pattern=foo.*
 *
 * A type is Kafka's full class name ("...transforms.InsertField$Value"),
 * the simple name with its variant ("InsertField$Value"), or a plugin's
 * name or alias.  Settings are checked against the transform's config
 * table with the checks connector settings get (config_validate.h), in
 * Kafka's words, before anything is created.
 *
 * Thread-safety: the list of known transforms is filled at startup
 * (transform_plugins_register) and read from any thread; a chain belongs
 * to one task thread.
 */
#ifndef CONNECTD_TRANSFORM_CHAIN_H
#define CONNECTD_TRANSFORM_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/plugin_loader.h"
#include "properties.h"
#include "transform.h"

/* ---- the known transforms and predicates ------------------------------------------ */

/* Adds the transforms and predicates of `reg` (each wrapped in a
 * transform_def_t) to the known ones; a name known already is skipped
 * with a warning.  Call once the plugins are loaded, before tasks or REST
 * requests run; the registry must outlive the process's use of them. */
void transform_plugins_register(const plugin_registry_t *reg);

/* The known ones: the built-ins in registry order, then plugins'.  Stable:
 * index i names the same def for the life of the process. */
size_t transform_known_count(void);
const transform_def_t *transform_known_at(size_t i);
/* A plugin's descriptor behind a def, or NULL for a built-in. */
const cd_plugin_desc_t *transform_def_plugin(const transform_def_t *def);
/* The rows of a known def's settings (def->config, turned into rows when
 * it became known), NULL-name-terminated; valid as long as the def. */
const config_def_t *transform_config_rows(const transform_def_t *def);

/* The def a type names (see above) and the variant it names (*target;
 * TRANSFORM_VALUE when the def has none); NULL when it names no
 * transform (predicate = false) or predicate (true). */
const transform_def_t *transform_find(const char *type, bool predicate, transform_target_t *target);

/* Kafka's class name of def and variant ("org.apache.kafka.connect.transforms.InsertField$Key";
 * a plugin's name), and the short one ("InsertField$Key"). */
void transform_class_name(const transform_def_t *def, transform_target_t target, char *buf, size_t size);
void transform_short_name(const transform_def_t *def, transform_target_t target, char *buf, size_t size);

/* ---- chains ------------------------------------------------------------------------ */

/* The settings every transformation alias takes besides its own, under
 * "transforms.<alias>." (Kafka's ConnectorConfig.enrich): predicate and
 * negate; NULL-name-terminated. */
extern const config_def_t transform_link_defs[];

typedef struct transform_chain transform_chain_t;

/* The chain `config` describes, with its settings checked (their errors
 * one per line in errstr) and every instance made.  `connector` and
 * `task_id` are what plugin transforms are told.  A config without
 * transforms gives an empty chain, whose apply passes records through.
 * NULL on an error. */
transform_chain_t *transform_chain_create(const properties_t *config, const char *connector, int task_id,
                                          char *errstr, size_t errstr_size);
void transform_chain_destroy(transform_chain_t *chain); /* NULL is fine */

/* Makes and destroys the one instance `list`.`alias` describes (list:
 * "transforms" or "predicates"), as a chain would, so that validation
 * finds settings that make no sense together (a plugin's start() runs).
 * 0, or -1 with errstr. */
int transform_alias_check(const properties_t *config, const char *list, const char *alias, char *errstr,
                          size_t errstr_size);

/* The number of links (0: an empty chain). */
size_t transform_chain_length(const transform_chain_t *chain);

/*
 * Runs `rec` through the links in order.  A link whose predicate says no
 * (or yes, with negate) passes the record on unchanged; a link that drops
 * the record ends the chain.
 *
 * Returns 0 and sets *out to the record to pass on: `rec` itself (maybe
 * changed), a new record (the caller then owns and frees both), or NULL
 * when a link dropped it (Filter).  Returns -1 with *out NULL and errstr
 * set to the failing link's message (Kafka's DataException text) on a
 * failure, the stage TRANSFORMATION errors.tolerance applies to.  `rec`
 * stays the caller's in every case, so its source offset or Kafka
 * coordinates can still be read.
 */
int transform_chain_apply(transform_chain_t *chain, cd_record_t *rec, cd_record_t **out, char *errstr,
                          size_t errstr_size);

#endif
