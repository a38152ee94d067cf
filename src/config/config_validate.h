/*
 * config_validate.h - settings checked against their definitions, as
 * Kafka's ConfigDef does it, and the JSON REST shows of both.
 *
 * A definition is one row (cv_key_t, Kafka's ConfigKey): name, type,
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
 * The rows of a plugin's own settings come from its cd_config_def_t table
 * (cv_keys_from_plugin); the framework's are connector_config.c's; the
 * converters' are plugin_catalog.c's.
 */
#ifndef CONNECTD_CONFIG_VALIDATE_H
#define CONNECTD_CONFIG_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <connectd/plugin.h>
#include <jansson.h>

#include "properties.h"

/* Kafka's ConfigDef.Type, in its order. */
typedef enum cv_type {
    CV_BOOLEAN,
    CV_STRING,
    CV_INT,
    CV_SHORT,
    CV_LONG,
    CV_DOUBLE,
    CV_LIST,
    CV_CLASS,
    CV_PASSWORD,
} cv_type_t;

typedef enum cv_importance {
    CV_HIGH,
    CV_MEDIUM,
    CV_LOW,
} cv_importance_t;

typedef enum cv_width {
    CV_WIDTH_NONE,
    CV_WIDTH_SHORT,
    CV_WIDTH_MEDIUM,
    CV_WIDTH_LONG,
} cv_width_t;

typedef struct cv_key cv_key_t;

/* A check beyond the type, bounds and choices: 0, or -1 after writing the
 * whole message (e.g. "Invalid value x for configuration k: ...") into
 * errbuf.  `value` is the parsed text (trimmed); for a CLASS it may set
 * *shown to the class's canonical name (static storage). */
typedef int (*cv_check_fn)(const cv_key_t *key, const char *name, const char *value, const char **shown,
                           char *errbuf, size_t errlen);

struct cv_key {
    const char *name;
    cv_type_t type;
    const char *default_value; /* text form; NULL: none (then `required` says whether it must be set) */
    bool required;             /* no default at all (Kafka's NO_DEFAULT_VALUE) */
    cv_importance_t importance;
    const char *doc;           /* NULL shows as null */
    const char *group;         /* NULL: none */
    int order;                 /* position in the group (Kafka's orderInGroup); -1: none */
    cv_width_t width;
    const char *display_name;  /* NULL: the name */
    /* Kafka's Range: inclusive bounds of INT, SHORT, LONG and DOUBLE values. */
    bool has_min, has_max;
    int64_t min, max;
    /* Kafka's ValidString (of each item, for a LIST), or NULL. */
    const char *const *choices;
    bool choices_nocase;       /* CaseInsensitiveValidString */
    cv_check_fn check;         /* may be NULL */
    /* A plugin row's own validator (cd_config_def_t.validate); its
     * sentence follows "Invalid value V for configuration K: ". */
    int (*plugin_validate)(const char *value, char *errbuf, size_t errlen);
};

/* A NULL-name-terminated copy of a plugin's table as rows (NULL for none):
 * types mapped one to one, no width, the name as display name, and the
 * position within its group counted in table order.  Free with free(). */
cv_key_t *cv_keys_from_plugin(const cd_config_def_t *defs);

/* ---- results ------------------------------------------------------------------ */

/* One validated setting (Kafka's ConfigInfo: a definition and a value). */
typedef struct cv_entry {
    const cv_key_t *key; /* NULL: a setting without definition */
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
void cv_validate_keys(cv_result_t *res, const cv_key_t *keys, const properties_t *config, const char *prefix,
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

/* ---- JSON ------------------------------------------------------------------------ */

/* ConfigKeyInfo: {"name","type","required","default_value","importance",
 * "documentation","group","width","display_name","dependents","order"};
 * `name` as shown (a prefixed row shows its prefix), NULL: the row's. */
json_t *cv_key_json(const cv_key_t *key, const char *name);
/* ConfigInfos: {"name": class_name, "error_count", "groups",
 * "configs": [{"definition": ConfigKeyInfo or null, "value": {"name",
 * "value","recommended_values","errors","visible"}}]}. */
json_t *cv_result_json(const cv_result_t *res, const char *class_name);

/* Kafka's names of types ("INT"), importances ("HIGH") and widths ("NONE"). */
const char *cv_type_name(cv_type_t type);

/* ---- helpers for rows' checks ----------------------------------------------------- */

/* Whether `value` is `type`'s text form (trimmed): a number that fits
 * INT, SHORT, LONG or DOUBLE, true/false for BOOLEAN (any case); other
 * types take any text. */
bool cv_parses(cv_type_t type, const char *value);

#endif
