/*
 * mask_field.c - Kafka's MaskField$Key / $Value: sets the listed fields to
 * their type's "null" (0, false, "", an empty array or map, the epoch for
 * Date/Time/Timestamp, 0 for Decimal), or to `replacement` converted to the
 * field's type (numbers and strings only).
 *
 * The schema is kept.  Without a schema every listed field is set, so one
 * the Map lacked is added as null (Kafka puts masked(null) = null).  A
 * null field stays null.  Unlike most transforms a null key/value is an
 * error here, as in Kafka.
 *
 *   fields=ssn replacement=***  on {"ssn":"123-45-6789","n":1}  ->  {"ssn":"***","n":1}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "mask fields"

static const cd_config_def_t mask_field_config[] = {
    {.name = "fields", .type = CD_CFG_LIST, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "Names of fields to mask.", .validate = smt_validate_non_empty_list},
    {.name = "replacement", .type = CD_CFG_STRING, .importance = CD_IMPORTANCE_LOW,
     .doc = "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string "
            "values only).",
     .validate = smt_validate_non_empty_string},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

typedef struct mask_field {
    transform_target_t target;
    smt_list_t fields;
    char *replacement; /* NULL: the type's null value */
} mask_field_t;

static void mask_field_destroy(void *instance)
{
    mask_field_t *xf = instance;
    if (xf) {
        smt_list_clear(&xf->fields);
        free(xf->replacement);
        free(xf);
    }
}

static void *mask_field_create(const properties_t *config, transform_target_t target, char *errstr,
                               size_t errstr_size)
{
    const char *fields = smt_config(config, "fields", NULL);
    const char *replacement = smt_config(config, "replacement", NULL);
    char why[128];
    if (!fields || smt_validate_non_empty_list(fields, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, fields ? "Invalid value %s for configuration fields: Empty list"
                                             : "Missing required configuration \"fields\" which has no default value.",
                 fields);
        return NULL;
    }
    if (replacement && smt_validate_non_empty_string(replacement, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration replacement: %s", replacement, why);
        return NULL;
    }
    mask_field_t *xf = calloc(1, sizeof(*xf));
    if (!xf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    smt_list_parse(&xf->fields, fields);
    xf->replacement = replacement ? strdup(replacement) : NULL;
    return xf;
}

/* maskWithNullValue. */
static cd_value_t *mask_null(const cd_schema_t *schema, const cd_value_t *v, char *errstr, size_t errstr_size)
{
    cd_type_t type = data_value_type(v);
    switch (type) {
    case CD_TYPE_BOOLEAN:
        return data_value_bool(false);
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        return data_value_int(type, 0);
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        return data_value_float(type, 0);
    case CD_TYPE_STRING:
        return data_value_string("", 0);
    case CD_TYPE_ARRAY:
        return data_value_array();
    case CD_TYPE_MAP:
        return data_value_map();
    case CD_TYPE_BYTES:
        if (smt_is_logical(schema, SMT_LOGICAL_DECIMAL)) {
            return smt_decimal_value(0);
        }
        break;
    default:
        break;
    }
    snprintf(errstr, errstr_size, "Cannot mask value of type: class %s", smt_java_class(schema, v));
    return NULL;
}

/* maskWithCustomReplacement: Values.convertTo* for numbers (through
 * BigDecimal), the text itself for strings. */
static cd_value_t *mask_replace(const cd_schema_t *schema, const cd_value_t *v, const char *replacement,
                                char *errstr, size_t errstr_size)
{
    cd_type_t type = data_value_type(v);
    bool logical_date = smt_is_logical(schema, SMT_LOGICAL_DATE) || smt_is_logical(schema, SMT_LOGICAL_TIME) ||
                        smt_is_logical(schema, SMT_LOGICAL_TIMESTAMP);
    bool decimal = type == CD_TYPE_BYTES && smt_is_logical(schema, SMT_LOGICAL_DECIMAL);
    if (type == CD_TYPE_STRING) {
        return data_value_string(replacement, strlen(replacement));
    }
    if (logical_date || !(decimal || (type >= CD_TYPE_INT8 && type <= CD_TYPE_FLOAT64))) {
        snprintf(errstr, errstr_size, "Cannot mask value of type class %s with custom replacement.",
                 smt_java_class(schema, v));
        return NULL;
    }
    if (!smt_is_bigdecimal(replacement)) {
        if (decimal) {
            snprintf(errstr, errstr_size, "Unable to convert %s (class java.lang.String) to number", replacement);
        } else {
            snprintf(errstr, errstr_size, "Unable to convert %s (class java.lang.String) to a number", replacement);
        }
        return NULL;
    }
    switch (type) {
    case CD_TYPE_INT8:
        return data_value_int(type, (int8_t)smt_bigdecimal_long(replacement));
    case CD_TYPE_INT16:
        return data_value_int(type, (int16_t)smt_bigdecimal_long(replacement));
    case CD_TYPE_INT32:
        return data_value_int(type, (int32_t)smt_bigdecimal_long(replacement));
    case CD_TYPE_INT64:
        return data_value_int(type, smt_bigdecimal_long(replacement));
    case CD_TYPE_FLOAT32:
        return data_value_float(type, (float)smt_bigdecimal_double(replacement));
    case CD_TYPE_FLOAT64:
        return data_value_float(type, smt_bigdecimal_double(replacement));
    default:
        break;
    }
    /* A Decimal: the replacement at the schema's scale, when it is exact
     * there (Kafka's BigDecimal keeps the text's own scale, which the
     * converter then refuses unless it matches). */
    int64_t unscaled_in;
    int scale;
    smt_decimal_get(schema, v, &unscaled_in, &scale);
    const char *p = replacement;
    bool neg = *p == '-';
    p += (*p == '+' || *p == '-');
    int64_t unscaled = 0;
    int frac = -1;
    bool overflow = false;
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            frac = 0;
            continue;
        }
        overflow = overflow || __builtin_mul_overflow(unscaled, 10, &unscaled) ||
                   __builtin_add_overflow(unscaled, *p - '0', &unscaled);
        frac += frac >= 0;
    }
    int text_scale = (frac < 0 ? 0 : frac) - (*p ? atoi(p + 1) : 0);
    for (; !overflow && text_scale < scale; text_scale++) {
        overflow = __builtin_mul_overflow(unscaled, 10, &unscaled);
    }
    for (; !overflow && text_scale > scale; text_scale--) {
        if (unscaled % 10 != 0) {
            overflow = true;
        }
        unscaled /= 10;
    }
    if (overflow) {
        snprintf(errstr, errstr_size, "Unable to convert %s (class java.lang.String) to number", replacement);
        return NULL;
    }
    return smt_decimal_value(neg ? -unscaled : unscaled);
}

/* masked(): null stays null. */
static cd_value_t *masked(const mask_field_t *xf, const cd_schema_t *schema, const cd_value_t *v, char *errstr,
                          size_t errstr_size)
{
    if (smt_is_null(v)) {
        return data_value_null();
    }
    return xf->replacement ? mask_replace(schema, v, xf->replacement, errstr, errstr_size)
                           : mask_null(schema, v, errstr, errstr_size);
}

static int apply_schemaless(mask_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *updated = data_value_copy(value);
    for (size_t i = 0; i < xf->fields.count; i++) {
        const char *name = xf->fields.items[i];
        cd_value_t *v = masked(xf, NULL, data_value_map_get(value, name), errstr, errstr_size);
        if (!v) {
            data_value_free(updated);
            return -1;
        }
        data_value_map_put(updated, data_value_string(name, strlen(name)), v);
    }
    smt_set(rec, xf->target, NULL, updated);
    return 0;
}

static int apply_with_schema(mask_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *st = data_value_struct_schema(value);
    cd_value_t *updated = data_value_struct(st);
    for (int i = 0; i < data_schema_field_count(st); i++) {
        const char *name = data_schema_field_name(st, i);
        const cd_value_t *orig = data_value_struct_get(value, name);
        cd_value_t *v = smt_list_contains(&xf->fields, name)
                            ? masked(xf, data_schema_field_schema(st, i), orig, errstr, errstr_size)
                            : smt_copy(orig);
        if (!v || smt_struct_put(updated, name, v, errstr, errstr_size) != 0) {
            data_value_free(updated);
            return -1;
        }
    }
    smt_set(rec, xf->target, data_schema_ref((cd_schema_t *)schema), updated);
    return 0;
}

static int mask_field_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr, size_t errstr_size)
{
    mask_field_t *xf = instance;
    *out = rec;
    if (!smt_schema_of(rec, xf->target)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_mask_field = {
    .name = "MaskField",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and so "
           "on).<p/>For numeric and string fields, an optional replacement value can be specified that is converted "
           "to the correct type." SMT_VARIANTS_DOC("MaskField"),
    .config = mask_field_config,
    .create = mask_field_create,
    .apply = mask_field_apply,
    .destroy = mask_field_destroy,
};
