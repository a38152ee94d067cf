/*
 * field_common.h - what Kafka's field transforms (InsertField, ReplaceField,
 * MaskField, ValueToKey, ExtractField, HoistField, Cast, Flatten) share:
 * Kafka's util/Requirements and util/SchemaUtil, the $Key/$Value switch,
 * ConfigDef's list syntax, and Java's class names for error messages.
 *
 * Kafka's transforms build new Structs and Maps; so do ours, from copies of
 * the record's values, then hand them to the record (data_record_set_*),
 * which frees the old ones.  Kafka keeps a 16-entry schema cache per
 * instance; one entry (smt_schema_cache_t) serves a task whose records
 * share a schema, which is the common case, and a miss only costs a
 * rebuild.
 *
 * Connect schemas here carry no default values, so the
 * `replace.null.with.default` settings Kafka 3.8 added are accepted and
 * have nothing to replace.
 *
 * Thread-safety: as transform.h, an instance belongs to one task thread.
 */
#ifndef CONNECTD_TRANSFORMS_FIELD_COMMON_H
#define CONNECTD_TRANSFORMS_FIELD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/data.h"
#include "transform.h"

#define SMT_PACKAGE "org.apache.kafka.connect.transforms"

/* The doc row Kafka 3.8+ gives every transform that copies struct fields. */
#define SMT_REPLACE_NULL_DOC                                                                                 \
    "Whether to replace fields that have a default value and that are null to the default value. When set " \
    "to true, the default value is used, otherwise null is used."

/* Kafka's OVERVIEW_DOC tail for $Key/$Value transforms. */
#define SMT_VARIANTS_DOC(name)                                                                                  \
    "<p/>Use the concrete transformation type designed for the record key (<code>" SMT_PACKAGE "." name       \
    "$Key</code>) or value (<code>" SMT_PACKAGE "." name "$Value</code>)."

/* ---- settings ------------------------------------------------------------------ */

/* A setting, or `def` when unset. */
const char *smt_config(const properties_t *config, const char *key, const char *def);
/* A malloc'd copy of `s` without leading and trailing blanks (ConfigDef
 * trims STRING values). */
char *smt_trimmed_copy(const char *s);

/* A LIST value as Kafka's ConfigDef parses it: trimmed, empty = no items,
 * else split at commas with the whitespace around them dropped. */
typedef struct smt_list {
    char **items;
    size_t count;
} smt_list_t;
void smt_list_parse(smt_list_t *list, const char *text);
bool smt_list_contains(const smt_list_t *list, const char *item);
void smt_list_clear(smt_list_t *list);

/* transform_def_t.create of a transform or predicate without state
 * (Filter, RecordIsTombstone): any non-NULL pointer stands for the
 * instance, and there is nothing to destroy. */
void *smt_create_stateless(const properties_t *config, transform_target_t target, char *errstr,
                           size_t errstr_size);

/* Validators for config rows (cd_config_def_t.validate), in Kafka's words:
 * a LIST with at least one item ("Empty list"), and ConfigDef's
 * NonEmptyString (unset passes; "" and blanks give "String must be
 * non-empty"). */
int smt_validate_non_empty_list(const char *value, char *errbuf, size_t errlen);
int smt_validate_non_empty_string(const char *value, char *errbuf, size_t errlen);

/* ---- the part of the record a variant works on ---------------------------------- */

const cd_schema_t *smt_schema_of(const cd_record_t *rec, transform_target_t target);
const cd_value_t *smt_value_of(const cd_record_t *rec, transform_target_t target);
/* Replaces the key or value (takes both; a schema the record already
 * holds there is not counted twice). */
void smt_set(cd_record_t *rec, transform_target_t target, cd_schema_t *schema, cd_value_t *value);

/* ---- Kafka's Requirements -------------------------------------------------------- */

/* The Java class Kafka's runtime would hold for this value (its schema, if
 * any, names logical types): "java.lang.String", "[B",
 * "org.apache.kafka.connect.data.Struct", "null" for none. */
const char *smt_java_class(const cd_schema_t *schema, const cd_value_t *v);

/* requireStruct / requireMap: 0, or -1 with "Only Struct objects supported
 * for [purpose], found: java.lang.String". */
int smt_require_struct(const cd_schema_t *schema, const cd_value_t *v, const char *purpose, char *errstr,
                       size_t errstr_size);
int smt_require_map(const cd_value_t *v, const char *purpose, char *errstr, size_t errstr_size);
/* A NULL pointer or a null value: what Kafka sees as null. */
bool smt_is_null(const cd_value_t *v);

/* ---- Kafka's SchemaUtil and Struct ------------------------------------------------ */

/* copySchemaBasics: name, version, doc and parameters of `src` onto
 * `builder` (a schema still being built); returns builder. */
cd_schema_t *smt_schema_copy_basics(const cd_schema_t *src, cd_schema_t *builder);
/* copySchemaBasics(source) with a fresh builder of source's type (arrays
 * keep their items), optional as asked. */
cd_schema_t *smt_schema_copy(const cd_schema_t *src, bool optional);
/* The index of a struct schema's field, -1 if none. */
int smt_schema_field_index(const cd_schema_t *st, const char *name);
/* SchemaBuilder.field: -1 with Kafka's "Cannot create field because of
 * field name duplication x" when the name is taken (field is released). */
int smt_schema_add_field(cd_schema_t *st, const char *name, cd_schema_t *field, char *errstr,
                         size_t errstr_size);

/* Struct.put: takes v (NULL = null); -1 with Kafka's "Invalid value: null
 * used for required field: \"x\", schema type: STRING" for a null in a
 * required field. */
int smt_struct_put(cd_value_t *st, const char *field, cd_value_t *v, char *errstr, size_t errstr_size);

/* A map entry's key when it is a string, else NULL; borrowed. */
const char *smt_map_key(const cd_value_t *map, size_t i);

/* A copy of v, or a null value for NULL. */
cd_value_t *smt_copy(const cd_value_t *v);

/* ---- the schema cache ------------------------------------------------------------ */

typedef struct smt_schema_cache {
    cd_schema_t *in;  /* a reference to the input schema */
    cd_schema_t *out; /* a reference to what it became */
} smt_schema_cache_t;
/* The cached output for `in` (borrowed), or NULL. */
cd_schema_t *smt_schema_cache_get(const smt_schema_cache_t *cache, const cd_schema_t *in);
/* Remembers in -> out: takes a reference to `in` and the caller's to `out`,
 * so what a transform builds goes straight in. */
void smt_schema_cache_put(smt_schema_cache_t *cache, const cd_schema_t *in, cd_schema_t *out);
void smt_schema_cache_clear(smt_schema_cache_t *cache);

/* ---- logical types -------------------------------------------------------------- */

#define SMT_LOGICAL_DATE "org.apache.kafka.connect.data.Date"
#define SMT_LOGICAL_TIME "org.apache.kafka.connect.data.Time"
#define SMT_LOGICAL_TIMESTAMP "org.apache.kafka.connect.data.Timestamp"
#define SMT_LOGICAL_DECIMAL "org.apache.kafka.connect.data.Decimal"

/* Whether `schema` is the named logical type. */
bool smt_is_logical(const cd_schema_t *schema, const char *logical_name);

/* A Decimal value (big-endian two's complement bytes, the schema's "scale"
 * parameter): its unscaled value and scale; -1 when wider than 64 bits. */
int smt_decimal_get(const cd_schema_t *schema, const cd_value_t *v, int64_t *unscaled, int *scale);
/* The bytes of a Decimal with this unscaled value (shortest form). */
cd_value_t *smt_decimal_value(int64_t unscaled);
/* BigDecimal.toString() of unscaled * 10^-scale; malloc'd. */
char *smt_decimal_to_string(int64_t unscaled, int scale);
/* BigDecimal.longValue() / doubleValue() of it. */
int64_t smt_decimal_to_long(int64_t unscaled, int scale);
double smt_decimal_to_double(int64_t unscaled, int scale);

/* Whether s is a number as Java's new BigDecimal(String) reads it: an
 * optional sign, digits with at most one '.', an optional exponent. */
bool smt_is_bigdecimal(const char *s);
/* new BigDecimal(s).longValue() / .doubleValue() for such a string. */
int64_t smt_bigdecimal_long(const char *s);
double smt_bigdecimal_double(const char *s);

/* Java's Float.toString / Double.toString; malloc'd. */
char *smt_java_double_string(double d, bool single);

#endif
