/*
 * config_validate.h - settings checked against their rows, as Kafka's
 * ConfigDef.validate does it, and the JSON REST shows of both.
 *
 * A row is a config_def_t (config_def.h, Kafka's ConfigKey): name, type,
 * default, importance, documentation, group and position, width, display
 * name, and what a value must satisfy.  Validating a config against rows
 * gives one entry per row (Kafka's ConfigValue): the value as Kafka shows
 * it (parsed and written back, a PASSWORD as "[hidden]", null when missing
 * or unparsable) and its error messages, in Kafka's wording:
 *
 *   Missing required configuration "file" which has no default value.
 *   Invalid value abc for configuration tasks.max: Not a number of type INT
 *   Invalid value 0 for configuration tasks.max: Value must be at least 1
 *   Invalid value x for configuration errors.tolerance: String must be one of: none, all
 *
 * Everything that judges a connector config -- PUT .../config/validate,
 * POST and PUT /connectors, a connector file on the command line -- goes
 * through cv_validate_keys, so their verdicts cannot disagree.
 *
 * The rows of a plugin's own settings are made from its cd_config_def_t
 * table when it is loaded (plugin_config_rows); the framework's are
 * connector_config.c's; the converters' are plugin_catalog.c's.
 */
#ifndef CONNECTD_CONFIG_VALIDATE_H
#define CONNECTD_CONFIG_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config_def.h"
#include "properties.h"

/* ---- results ------------------------------------------------------------------ */

/* One validated setting (Kafka's ConfigInfo: a definition and a value). */
typedef struct cv_entry {
    const config_def_t *key; /* NULL: a setting without definition */
    char *name;          /* the key's name with its prefix, e.g. "key.converter.schemas.enable" */
    char *value;         /* as shown; NULL: null */
    char **errors;
    size_t n_errors;
    char **recommended;
    size_t n_recommended;
} cv_entry_t;

typedef struct cv_result cv_result_t;

cv_result_t *cv_result_new(void);
void cv_result_free(cv_result_t *res); /* NULL is fine */

/*
 * Validates the settings `prefix` + row name of `config` against
 * keys[0..) (up to the row with a NULL name), appending one entry per row
 * in row order and the rows' groups to the result's groups.  A row already
 * in the result under the same full name is validated again in place (a
 * plugin may redefine a framework key).  `defaults` (may be NULL) holds
 * values used when `config` has none, e.g. converter.type=key for a key
 * converter.  The rows must outlive the result (cv_result_keep).
 */
void cv_validate_keys(cv_result_t *res, const config_def_t *keys, const properties_t *config, const char *prefix,
                      const properties_t *defaults);
/* Makes the result free `p` (malloc'd) when it is freed: rows made for
 * one validation, and their strings. */
void *cv_result_keep(cv_result_t *res, void *p);
/* Forgets an entry's value and errors (then value null, no error). */
void cv_entry_reset(cv_entry_t *e);
/* Replaces the value shown (copied; NULL: null). */
void cv_entry_set_value(cv_entry_t *e, const char *value);

/* The entry named `name`, or NULL. */
cv_entry_t *cv_result_find(cv_result_t *res, const char *name);
/* Adds an error to setting `name`, adding an entry without definition
 * (value `value`, may be NULL) if the result has none yet (Kafka's
 * computeIfAbsent + addErrorMessage). */
void cv_result_add_error(cv_result_t *res, const char *name, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a recommended value to the entry (Kafka's recommenders). */
void cv_entry_add_recommended(cv_entry_t *e, const char *value);
/* Moves the entries without definition before the others, keeping each
 * kind's order (Kafka's generateResult lists them first). */
void cv_result_undefined_first(cv_result_t *res);
/* Adds `group` to the groups, unless there already. */
void cv_result_add_group(cv_result_t *res, const char *group);

size_t cv_result_count(const cv_result_t *res);
cv_entry_t *cv_result_at(cv_result_t *res, size_t i);

/* The number of error messages (Kafka's error_count). */
int cv_result_error_count(const cv_result_t *res);
/* The messages one per line, in entry order, into errstr. */
void cv_result_messages(const cv_result_t *res, char *errstr, size_t errstr_size);

/* Fills the fields `defs` bind in `obj` from `config` (config_def_fill;
 * NULL: no settings), after checking every row's value as
 * cv_validate_keys does; false with Kafka's messages, one per line, in
 * errstr. */
bool cv_fill(const config_def_t *defs, void *obj, const properties_t *config, char *errstr, size_t errstr_size);

/* ---- JSON ------------------------------------------------------------------------ */

/* ConfigKeyInfo: {"name","type","required","default_value","importance",
 * "documentation","group","width","display_name","dependents","order"};
 * `name` as shown (a prefixed row shows its prefix), NULL: the row's. */
json_t *cv_key_json(const config_def_t *key, const char *name);
/* ConfigInfos: {"name": class_name, "error_count", "groups",
 * "configs": [{"definition": ConfigKeyInfo or null, "value": {"name",
 * "value","recommended_values","errors","visible"}}]}. */
json_t *cv_result_json(const cv_result_t *res, const char *class_name);

#endif
