/*
 * config_def.h - settings as data: one row per setting, as Kafka's
 * ConfigDef.ConfigKey and Fluent Bit's flb_config_map.
 *
 * A row says everything about one setting: name, type, default,
 * importance, flags, documentation, where a UI lays it out, what a value
 * must satisfy (bounds, choices, a validator) and the field of a config
 * struct it fills (offsetof and the field's C type).  A table of rows then
 * drives everything about its settings: config_def_fill() fills the struct
 * from properties with every default and check, and the same rows give
 * REST validation (src/config/config_validate.h), DescribeConfigs, the
 * masking of sensitive values and the references in docs/.  The broker's,
 * the worker's and the connectors' settings are all tables of this type; a
 * plugin's cd_config_def_t table (the public ABI) is turned into rows when
 * the plugin is loaded.  Adding a setting is adding a row (and its field):
 *
 *   {.name = "num.partitions", .type = CONFIG_DEF_INT, .default_value = "1",
 *    CONFIG_DEF_RANGE(1, 100000), CONFIG_DEF_FIELD(broker_config_t, num_partitions),
 *    .doc = "Partitions of a topic created without a count."},
 *
 * Values are read as Kafka's ConfigDef.parseType reads them: trimmed as
 * Java's String.trim (every byte up to ' '), then parsed as the type
 * (Integer.parseInt, Double.parseDouble, "true"/"false" in any case, a
 * LIST split at commas with the whitespace around them), and written back
 * in canonical form ("+007" is "7", "TRUE" is "true", " a , b" is "a,b",
 * "1e3" is "1000.0"), which is what REST and DescribeConfigs show.  Then
 * the row's checks run on what parsed, in Kafka's order: bounds, choices,
 * the validator.
 *
 * A problem is a code and its detail, so each audience words it its own
 * way: REST in Kafka's sentences ("Invalid value abc for configuration
 * tasks.max: Not a number of type INT", config_validate.c), the plugin
 * loader in its own, and the broker and worker at start-up in the short
 * form this file writes ("num.partitions: expected an integer between 1
 * and 100000, got 'abc'").
 */
#ifndef CONNECTD_CONFIG_DEF_H
#define CONNECTD_CONFIG_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "properties.h"

/* Kafka's ConfigDef.Type, in its order. */
typedef enum config_def_type {
    CONFIG_DEF_BOOLEAN,
    CONFIG_DEF_STRING,
    CONFIG_DEF_INT,   /* int32 */
    CONFIG_DEF_SHORT, /* int16 */
    CONFIG_DEF_LONG,  /* int64 */
    CONFIG_DEF_DOUBLE,
    CONFIG_DEF_LIST,  /* comma-separated */
    CONFIG_DEF_CLASS, /* a class (plugin) name */
    CONFIG_DEF_PASSWORD,
} config_def_type_t;

/* Kafka's ConfigDef.Importance. */
typedef enum config_def_importance {
    CONFIG_DEF_HIGH,
    CONFIG_DEF_MEDIUM,
    CONFIG_DEF_LOW,
} config_def_importance_t;

/* Kafka's ConfigDef.Width: how wide a UI makes the field. */
typedef enum config_def_width {
    CONFIG_DEF_WIDTH_NONE,
    CONFIG_DEF_WIDTH_SHORT,
    CONFIG_DEF_WIDTH_MEDIUM,
    CONFIG_DEF_WIDTH_LONG,
} config_def_width_t;

enum config_def_flags {
    CONFIG_DEF_REQUIRED = 1 << 0,  /* no default at all (Kafka's NO_DEFAULT_VALUE): a value must be given */
    CONFIG_DEF_SENSITIVE = 1 << 1, /* masked wherever it is shown; every PASSWORD is */
    CONFIG_DEF_NOCASE = 1 << 2,    /* choices match in any case (Kafka's CaseInsensitiveValidString) */
};

/* The C type of the field a row fills; CONFIG_DEF_FIELD picks it from the
 * field's declaration. */
typedef enum config_def_field {
    CONFIG_DEF_FIELD_NONE,   /* fills nothing: the setting is checked and documented only */
    CONFIG_DEF_FIELD_BOOL,   /* bool, of a BOOLEAN */
    CONFIG_DEF_FIELD_INT16,  /* int16_t, of a SHORT, INT or LONG whose bounds fit, or of a STRING with
                              * choices: the index of the one chosen (0 for null) */
    CONFIG_DEF_FIELD_INT32,  /* int32_t, likewise */
    CONFIG_DEF_FIELD_INT64,  /* int64_t, likewise */
    CONFIG_DEF_FIELD_DOUBLE, /* double, of a DOUBLE */
    CONFIG_DEF_FIELD_STRING, /* char *, of the other types: owned by the struct (config_def_free), NULL for null */
} config_def_field_t;

/* A row's field: `member` of struct `type`. */
#define CONFIG_DEF_FIELD(type, member) \
    .offset = offsetof(type, member),                                                                                 \
    .field = _Generic(((type *)0)->member, bool: CONFIG_DEF_FIELD_BOOL, int16_t: CONFIG_DEF_FIELD_INT16,              \
                      int32_t: CONFIG_DEF_FIELD_INT32, int64_t: CONFIG_DEF_FIELD_INT64,                               \
                      double: CONFIG_DEF_FIELD_DOUBLE, char *: CONFIG_DEF_FIELD_STRING)

/* Kafka's Range.between and Range.atLeast. */
#define CONFIG_DEF_RANGE(lo, hi) .has_min = true, .min = (lo), .has_max = true, .max = (hi)
#define CONFIG_DEF_AT_LEAST(lo) .has_min = true, .min = (lo)

/* What is wrong with a value; CONFIG_DEF_OK (0) when nothing is. */
typedef enum config_def_problem {
    CONFIG_DEF_OK = 0,
    CONFIG_DEF_MISSING,         /* no value, and a REQUIRED row has no default */
    CONFIG_DEF_NOT_OF_TYPE,     /* not a value of the row's type (a number that does not fit it included) */
    CONFIG_DEF_TOO_SMALL,       /* below min */
    CONFIG_DEF_TOO_LARGE,       /* above max */
    CONFIG_DEF_NOT_A_CHOICE,    /* detail: the value (of a LIST, the item) that is none of the choices */
    CONFIG_DEF_REFUSED,         /* detail: the validator's sentence about the value; may be empty */
    CONFIG_DEF_REFUSED_MESSAGE, /* detail: the validator's whole message, in a wording of its own */
} config_def_problem_t;

typedef struct config_def config_def_t;

/*
 * A row's own check, after its bounds and choices: `value` is the parsed
 * value in canonical form, `name` the setting as the user wrote it (with
 * any prefix).  Returns CONFIG_DEF_OK, possibly after pointing *canonical
 * at a better form to show (static storage; a class's full name), or
 * CONFIG_DEF_REFUSED after writing one sentence about the value into `why`
 * ("must be an absolute path"; the caller's message puts the setting and
 * value around it), or CONFIG_DEF_REFUSED_MESSAGE after writing the whole
 * message, for the few of Kafka's that do not take that form.
 */
typedef config_def_problem_t (*config_def_validate_fn)(const config_def_t *def, const char *name, const char *value,
                                                       const char **canonical, char *why, size_t why_size);

struct config_def {
    const char *name; /* NULL ends a table */
    config_def_type_t type;
    const char *default_value; /* text form; NULL: null (none at all with CONFIG_DEF_REQUIRED) */
    config_def_importance_t importance;
    unsigned flags; /* enum config_def_flags */
    const char *doc;
    /* Where a UI lays it out (Kafka's group, orderInGroup, width and
     * displayName), for REST. */
    const char *group; /* NULL: none */
    int order;         /* position in the group; -1: none */
    config_def_width_t width;
    const char *display_name; /* NULL: the name */
    /* Inclusive bounds of a SHORT, INT, LONG or DOUBLE (Kafka's Range). */
    bool has_min, has_max;
    int64_t min, max;
    /* The allowed values (Kafka's ValidString; for a LIST, of each item),
     * NULL-terminated, or NULL for any. */
    const char *const *choices;
    config_def_validate_fn validate; /* may be NULL */
    const void *validate_arg;        /* the validator's own, e.g. the plugin row it stands for */
    /* The field it fills, in the struct config_def_fill is given. */
    size_t offset;
    config_def_field_t field;
};

/* The row named `name` in `defs` (ended by a NULL name), or NULL. */
const config_def_t *config_def_find(const config_def_t *defs, const char *name);
/* The number of rows before the one with a NULL name. */
size_t config_def_count(const config_def_t *defs);

/* Kafka's names: "INT", "HIGH", "NONE". */
const char *config_def_type_name(config_def_type_t type);
const char *config_def_importance_name(config_def_importance_t importance);
const char *config_def_width_name(config_def_width_t width);

/* Whether the value is never shown: a PASSWORD or a SENSITIVE row. */
bool config_def_sensitive(const config_def_t *def);

/* ---- reading values ---------------------------------------------------------------- */

/* `text` parsed as the row's type and written back in canonical form
 * (malloc'd), or NULL when it is not a value of that type.  No other
 * check runs. */
char *config_def_parse(const config_def_t *def, const char *text);

/*
 * Reads `text` (NULL: none given, so the row's default) for setting `name`
 * of row `def`: parsed, then checked against the bounds, the choices and
 * the validator.  *shown is the canonical value (malloc'd; the caller
 * frees it) whenever it parsed, also when a later check refused it, and
 * NULL when it did not or the value is null.  Returns what is wrong, with
 * its detail (see config_def_problem_t) in `detail`.
 */
config_def_problem_t config_def_read(const config_def_t *def, const char *name, const char *text, char **shown,
                                     char *detail, size_t detail_size);

/* config_def_read of a given value, with any problem worded in the short
 * form ("num.partitions: expected an integer between 1 and 100000, got
 * 'abc'") into errstr.  *shown as config_def_read. */
bool config_def_normalize(const config_def_t *def, const char *name, const char *text, char **shown, char *errstr,
                          size_t errstr_size);

/* ---- filling a config struct ----------------------------------------------------------- */

/* Reads `text` (NULL: the default) as config_def_normalize does and, when
 * it is fine, stores it in the row's field of `obj` (a null value as
 * false, 0 or NULL; `obj` may be NULL for rows without a field); false
 * with errstr otherwise. */
bool config_def_set(const config_def_t *def, void *obj, const char *text, char *errstr, size_t errstr_size);

enum config_def_fill_flags {
    CONFIG_DEF_EMPTY_IS_UNSET = 1 << 0, /* an empty value takes the default, as the worker has always read them */
};

/*
 * Fills every field `defs` bind in `obj` from the values of `props` (each
 * row's name, else its default), checking every row's value whether or
 * not it has a field.  Keys without a row are the caller's business.
 * Returns false at the first refused value, with errstr in the short form;
 * what was filled before stays (config_def_free releases it).
 */
bool config_def_fill(const config_def_t *defs, void *obj, const properties_t *props, unsigned flags, char *errstr,
                     size_t errstr_size);

/* Frees the strings config_def_set stored in `obj`, leaving NULL. */
void config_def_free(const config_def_t *defs, void *obj);

/* Appends copies of `rows` to the table `to` (zeroed at first; room for
 * `size` rows, its terminator included), for a table that lays out rows
 * other parts own.  The copies fill nothing: each part fills its struct
 * with its own rows.  Aborts when `to` is full. */
void config_def_append(config_def_t *to, size_t size, const config_def_t *rows);

/* Whether a table is sound, for the tables' unit tests: names unique and
 * non-empty, a doc on each row, each field matching its type and its
 * bounds fitting the field, and each default accepted by its own row.
 * False with errstr naming the row. */
bool config_def_table_check(const config_def_t *defs, char *errstr, size_t errstr_size);

#endif
