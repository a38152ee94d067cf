/*
 * extract_field.c - Kafka's ExtractField$Key / $Value: the key/value becomes
 * one of its fields, with that field's schema.  `field.syntax.version=V2`
 * (KIP-821) reads `a.b.c` as a path into nested structs/maps, backticks
 * quoting a name that holds dots ("`foo.bar`.baz"); V1, the default, takes
 * the whole text as one name.
 *
 * A null key/value passes through (with the field's schema when there is
 * one); a field missing from a Map, or a null part of the path, gives
 * null; a field missing from the schema is an error ("Unknown field: x").
 *
 *   field=id  on {"id":7,"name":"x"}  ->  7
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PURPOSE "field extraction"

#define FIELD_SYNTAX_VERSION_DOC                                                                                   \
    "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to "    \
    "access the elements at the root level of the struct or map. If set to `V2`, the syntax will support "        \
    "accessing nested elements. To access nested elements, dotted notation is used. If dots are already "         \
    "included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to "   \
    "access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used " \
    "to access its elements: \"`foo.bar`.baz\"."

static int syntax_validate(const char *value, char *errbuf, size_t errlen)
{
    if (strcasecmp(value, "V1") != 0 && strcasecmp(value, "V2") != 0) {
        snprintf(errbuf, errlen, "String must be one of (case insensitive): V1, V2");
        return -1;
    }
    return 0;
}

static const cd_config_def_t extract_field_config[] = {
    {.name = "field", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field name to extract."},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = "field.syntax.version", .type = CD_CFG_STRING, .default_value = "V1", .importance = CD_IMPORTANCE_HIGH,
     .doc = FIELD_SYNTAX_VERSION_DOC, .validate = syntax_validate},
    {.name = NULL},
};

typedef struct extract_field {
    transform_target_t target;
    char *path;   /* as configured, for "Unknown field" */
    smt_list_t steps;
} extract_field_t;

static void step_add(smt_list_t *steps, const char *s, size_t len)
{
    char **grown = realloc(steps->items, (steps->count + 1) * sizeof(*grown));
    if (grown) {
        steps->items = grown;
        if ((grown[steps->count] = strndup(s, len))) {
            steps->count++;
        }
    }
}

/* -1 with Kafka's message for a backtick at `at` that opens no pair. */
static int path_incomplete_backtick(const char *path, size_t at, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size,
             "Incomplete backtick pair in path: [%s], consider adding a backslash before backtick at position %zu to "
             "escape it",
             path, at);
    return -1;
}

/* SingleFieldPath.buildFieldPathV2, step for step. */
static int path_parse_v2(smt_list_t *steps, const char *path, char *errstr, size_t errstr_size)
{
    size_t len = strlen(path), idx = 0;
    while (idx < len) {
        if (path[idx] != '`') {
            const char *dot = strchr(path + idx, '.');
            if (dot) {
                step_add(steps, path + idx, (size_t)(dot - path) - idx);
                idx = (size_t)(dot - path) + 1;
            } else {
                step_add(steps, path + idx, len - idx);
                idx = len;
            }
            continue;
        }
        size_t backtick_at = idx, start = ++idx;
        char *field = calloc(1, len + 1);
        size_t flen = 0;
        for (;;) {
            const char *tick = field ? strchr(path + idx, '`') : NULL;
            if (!tick) {
                free(field);
                return path_incomplete_backtick(path, backtick_at, errstr, errstr_size);
            }
            idx = (size_t)(tick - path);
            bool escaped = path[idx - 1] == '\\';
            if (idx >= len - 1) {
                if (escaped) {
                    free(field);
                    return path_incomplete_backtick(path, backtick_at, errstr, errstr_size);
                }
                memcpy(field + flen, path + start, idx - start);
                flen += idx - start;
                step_add(steps, field, flen);
                idx++;
                break;
            }
            if (path[idx + 1] != '.') {
                idx++;
                continue;
            }
            if (escaped) {
                memcpy(field + flen, path + start, idx - 1 - start);
                flen += idx - 1 - start;
                field[flen++] = '`';
                start = ++idx;
                continue;
            }
            memcpy(field + flen, path + start, idx - start);
            flen += idx - start;
            step_add(steps, field, flen);
            idx += 2;
            break;
        }
        free(field);
    }
    if (len && path[len - 1] == '.') {
        step_add(steps, "", 0);
    }
    return 0;
}

static void extract_field_destroy(void *instance)
{
    extract_field_t *xf = instance;
    if (xf) {
        free(xf->path);
        smt_list_clear(&xf->steps);
        free(xf);
    }
}

static void *extract_field_create(const properties_t *config, transform_target_t target, char *errstr,
                                  size_t errstr_size)
{
    const char *path = smt_config(config, "field", NULL);
    const char *syntax = smt_config(config, "field.syntax.version", "V1");
    if (!path) {
        snprintf(errstr, errstr_size, "Missing required configuration \"field\" which has no default value.");
        return NULL;
    }
    if (strcasecmp(syntax, "V1") != 0 && strcasecmp(syntax, "V2") != 0) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration field.syntax.version: String must be one of (case "
                 "insensitive): V1, V2",
                 syntax);
        return NULL;
    }
    extract_field_t *xf = calloc(1, sizeof(*xf));
    if (!xf || !(xf->path = strdup(path))) {
        free(xf);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    if (strcasecmp(syntax, "V1") == 0) {
        step_add(&xf->steps, path, strlen(path));
    } else if (path_parse_v2(&xf->steps, path, errstr, errstr_size) != 0) {
        extract_field_destroy(xf);
        return NULL;
    }
    if (xf->steps.count == 0) {
        step_add(&xf->steps, "", 0); /* V2 of "": Java's loop adds nothing; fieldFrom would fail alike */
    }
    return xf;
}

/* SingleFieldPath.fieldFrom: the last step's schema, NULL if a step is
 * missing; -1 for a step into a schema that is not a struct. */
static int field_from(const extract_field_t *xf, const cd_schema_t *schema, const cd_schema_t **out, char *errstr,
                      size_t errstr_size)
{
    const cd_schema_t *current = schema;
    *out = NULL;
    for (size_t i = 0; i < xf->steps.count; i++) {
        if (data_schema_type(current) != CD_TYPE_STRUCT) {
            snprintf(errstr, errstr_size, "Cannot look up fields on non-struct type");
            return -1;
        }
        int at = smt_schema_field_index(current, xf->steps.items[i]);
        if (at < 0) {
            return 0;
        }
        current = data_schema_field_schema(current, at);
    }
    *out = current;
    return 0;
}

/* SingleFieldPath.valueFrom(Struct). */
static int value_from_struct(const extract_field_t *xf, const cd_value_t *st, const cd_value_t **out, char *errstr,
                             size_t errstr_size)
{
    const cd_value_t *current = st;
    *out = NULL;
    for (size_t i = 0; i + 1 < xf->steps.count; i++) {
        const cd_schema_t *schema = data_value_struct_schema(current);
        if (smt_schema_field_index(schema, xf->steps.items[i]) < 0) {
            return 0;
        }
        const cd_value_t *sub = data_value_struct_get(current, xf->steps.items[i]);
        if (smt_is_null(sub)) {
            return 0;
        }
        int at = smt_schema_field_index(schema, xf->steps.items[i]);
        if (smt_require_struct(data_schema_field_schema(schema, at), sub, "nested field access", errstr,
                               errstr_size) != 0) {
            return -1;
        }
        current = sub;
    }
    *out = data_value_struct_get(current, xf->steps.items[xf->steps.count - 1]);
    return 0;
}

/* SingleFieldPath.valueFrom(Map). */
static int value_from_map(const extract_field_t *xf, const cd_value_t *map, const cd_value_t **out, char *errstr,
                          size_t errstr_size)
{
    const cd_value_t *current = map;
    *out = NULL;
    for (size_t i = 0; i + 1 < xf->steps.count; i++) {
        const cd_value_t *sub = data_value_map_get(current, xf->steps.items[i]);
        if (smt_is_null(sub)) {
            return 0;
        }
        if (smt_require_map(sub, "nested field access", errstr, errstr_size) != 0) {
            return -1;
        }
        current = sub;
    }
    *out = data_value_map_get(current, xf->steps.items[xf->steps.count - 1]);
    return 0;
}

static int extract_field_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                               size_t errstr_size)
{
    extract_field_t *xf = instance;
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    const cd_value_t *found = NULL;
    *out = rec;
    if (!schema) {
        if (!smt_is_null(value) && (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0 ||
                                    value_from_map(xf, value, &found, errstr, errstr_size) != 0)) {
            return -1;
        }
        smt_set(rec, xf->target, NULL, found ? data_value_copy(found) : NULL);
        return 0;
    }
    if (!smt_is_null(value) && smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *field = NULL;
    if (field_from(xf, schema, &field, errstr, errstr_size) != 0) {
        return -1;
    }
    if (!field) {
        snprintf(errstr, errstr_size, "Unknown field: %s", xf->path);
        return -1;
    }
    if (!smt_is_null(value) && value_from_struct(xf, value, &found, errstr, errstr_size) != 0) {
        return -1;
    }
    /* The new value is copied before the old one is released with the record's slot. */
    smt_set(rec, xf->target, data_schema_ref((cd_schema_t *)field), found ? data_value_copy(found) : NULL);
    return 0;
}

const transform_def_t transform_extract_field = {
    .name = "ExtractField",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. "
           "Any null values are passed through unmodified." SMT_VARIANTS_DOC("ExtractField"),
    .config = extract_field_config,
    .create = extract_field_create,
    .apply = extract_field_apply,
    .destroy = extract_field_destroy,
};
