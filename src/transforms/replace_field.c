/*
 * replace_field.c - Kafka's ReplaceField$Key / $Value: drops fields
 * (`exclude`), keeps only some (`include`; exclude wins) and renames
 * (`renames=old:new,...`).  `blacklist` and `whitelist` are Kafka 3.x's
 * deprecated names of exclude and include, used only when the new name is
 * unset (ConfigUtils.translateDeprecatedConfigs).
 *
 * With a schema the Struct's schema is rebuilt in field order with the kept
 * fields under their new names (name, version, doc and parameters kept;
 * Kafka builds it required); without one the Map is copied with the kept
 * entries renamed.  A null key/value passes unchanged.
 *
 *   exclude=b renames=a:x  on {"a":1,"b":2,"c":3}  ->  {"x":1,"c":3}
 */
#include "field_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURPOSE "field replacement"

typedef struct rename {
    char *from, *to;
} rename_t;

typedef struct replace_field {
    transform_target_t target;
    smt_list_t exclude, include;
    rename_t *renames;
    size_t rename_count;
    smt_schema_cache_t cache;
} replace_field_t;

/* One `old:new` mapping as Java's mapping.split(":") sees it: trailing
 * empty parts dropped, then exactly two parts.  -1 if it is not. */
static int rename_parse(const char *mapping, rename_t *out)
{
    const char *colon = strchr(mapping, ':');
    if (!colon) {
        return -1;
    }
    const char *to = colon + 1;
    size_t to_len = strcspn(to, ":");
    /* Anything after a second colon must be empty parts only. */
    for (const char *p = to + to_len; *p; p++) {
        if (*p != ':') {
            return -1;
        }
    }
    if (to_len == 0) {
        return -1; /* "a:" splits to one part */
    }
    if (out) {
        out->from = strndup(mapping, (size_t)(colon - mapping));
        out->to = strndup(to, to_len);
    }
    return 0;
}

static int renames_validate(const char *value, char *errbuf, size_t errlen)
{
    smt_list_t list;
    int rc = 0;
    smt_list_parse(&list, value);
    for (size_t i = 0; i < list.count && rc == 0; i++) {
        if (rename_parse(list.items[i], NULL) != 0) {
            snprintf(errbuf, errlen, "Invalid rename mapping: %s", list.items[i]);
            rc = -1;
        }
    }
    smt_list_clear(&list);
    return rc;
}

static const cd_config_def_t replace_field_config[] = {
    {.name = "exclude", .type = CD_CFG_LIST, .default_value = "", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Fields to exclude. This takes precedence over the fields to include."},
    {.name = "blacklist", .type = CD_CFG_LIST, .importance = CD_IMPORTANCE_LOW,
     .doc = "Deprecated. Use exclude instead."},
    {.name = "include", .type = CD_CFG_LIST, .default_value = "", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Fields to include. If specified, only these fields will be used."},
    {.name = "whitelist", .type = CD_CFG_LIST, .importance = CD_IMPORTANCE_LOW,
     .doc = "Deprecated. Use include instead."},
    {.name = "renames", .type = CD_CFG_LIST, .default_value = "", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "Field rename mappings.", .validate = renames_validate},
    {.name = "replace.null.with.default", .type = CD_CFG_BOOLEAN, .default_value = "true",
     .importance = CD_IMPORTANCE_MEDIUM, .doc = SMT_REPLACE_NULL_DOC},
    {.name = NULL},
};

static void replace_field_destroy(void *instance)
{
    replace_field_t *xf = instance;
    if (!xf) {
        return;
    }
    smt_list_clear(&xf->exclude);
    smt_list_clear(&xf->include);
    for (size_t i = 0; i < xf->rename_count; i++) {
        free(xf->renames[i].from);
        free(xf->renames[i].to);
    }
    free(xf->renames);
    smt_schema_cache_clear(&xf->cache);
    free(xf);
}

/* The current key if set, else its deprecated alias. */
static const char *aliased(const properties_t *config, const char *key, const char *deprecated)
{
    const char *v = smt_config(config, key, NULL);
    return v ? v : smt_config(config, deprecated, NULL);
}

static void *replace_field_create(const properties_t *config, transform_target_t target, char *errstr,
                                  size_t errstr_size)
{
    replace_field_t *xf = calloc(1, sizeof(*xf));
    smt_list_t renames;
    if (!xf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    xf->target = target;
    smt_list_parse(&xf->exclude, aliased(config, "exclude", "blacklist"));
    smt_list_parse(&xf->include, aliased(config, "include", "whitelist"));
    smt_list_parse(&renames, smt_config(config, "renames", NULL));
    xf->renames = calloc(renames.count ? renames.count : 1, sizeof(*xf->renames));
    for (size_t i = 0; xf->renames && i < renames.count; i++) {
        rename_t r;
        if (rename_parse(renames.items[i], &r) != 0) {
            snprintf(errstr, errstr_size, "Invalid value %s for configuration renames: Invalid rename mapping: %s",
                     smt_config(config, "renames", ""), renames.items[i]);
            smt_list_clear(&renames);
            replace_field_destroy(xf);
            return NULL;
        }
        /* A later mapping of the same field wins, as in Kafka's HashMap. */
        size_t j = 0;
        while (j < xf->rename_count && strcmp(xf->renames[j].from, r.from) != 0) {
            j++;
        }
        if (j < xf->rename_count) {
            free(xf->renames[j].from);
            free(xf->renames[j].to);
        } else {
            xf->rename_count++;
        }
        xf->renames[j] = r;
    }
    smt_list_clear(&renames);
    return xf;
}

static bool filter(const replace_field_t *xf, const char *name)
{
    return !smt_list_contains(&xf->exclude, name) &&
           (xf->include.count == 0 || smt_list_contains(&xf->include, name));
}

static const char *renamed(const replace_field_t *xf, const char *name)
{
    for (size_t i = 0; name && i < xf->rename_count; i++) {
        if (strcmp(xf->renames[i].from, name) == 0) {
            return xf->renames[i].to;
        }
    }
    return name;
}

static const char *reverse_renamed(const replace_field_t *xf, const char *name)
{
    /* Kafka inverts the map; when two fields map to one name the last wins. */
    const char *found = name;
    for (size_t i = 0; i < xf->rename_count; i++) {
        if (strcmp(xf->renames[i].to, name) == 0) {
            found = xf->renames[i].from;
        }
    }
    return found;
}

static int apply_schemaless(replace_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_map(value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    cd_value_t *updated = data_value_map();
    for (size_t i = 0; i < data_value_count(value); i++) {
        const char *name = smt_map_key(value, i);
        if (!filter(xf, name)) {
            continue;
        }
        const char *to = renamed(xf, name);
        cd_value_t *key = to ? data_value_string(to, strlen(to)) : data_value_copy(data_value_map_key_at(value, i));
        data_value_map_put(updated, key, data_value_copy(data_value_map_value_at(value, i)));
    }
    smt_set(rec, xf->target, NULL, updated);
    return 0;
}

static cd_schema_t *updated_schema(const replace_field_t *xf, const cd_schema_t *schema, char *errstr,
                                   size_t errstr_size)
{
    cd_schema_t *st = smt_schema_copy_basics(schema, data_schema_struct(false));
    for (int i = 0; i < data_schema_field_count(schema); i++) {
        const char *name = data_schema_field_name(schema, i);
        if (filter(xf, name) && smt_schema_add_field(st, renamed(xf, name),
                                                     data_schema_ref((cd_schema_t *)data_schema_field_schema(schema, i)),
                                                     errstr, errstr_size) != 0) {
            data_schema_unref(st);
            return NULL;
        }
    }
    return st;
}

static int apply_with_schema(replace_field_t *xf, cd_record_t *rec, char *errstr, size_t errstr_size)
{
    const cd_schema_t *schema = smt_schema_of(rec, xf->target);
    const cd_value_t *value = smt_value_of(rec, xf->target);
    if (smt_require_struct(schema, value, PURPOSE, errstr, errstr_size) != 0) {
        return -1;
    }
    const cd_schema_t *in = data_value_struct_schema(value);
    cd_schema_t *out = smt_schema_cache_get(&xf->cache, in);
    if (!out) {
        if (!(out = updated_schema(xf, in, errstr, errstr_size))) {
            return -1;
        }
        smt_schema_cache_put(&xf->cache, in, out);
    }
    cd_value_t *updated = data_value_struct(out);
    for (int i = 0; i < data_schema_field_count(out); i++) {
        const char *name = data_schema_field_name(out, i);
        const cd_value_t *v = data_value_struct_get(value, reverse_renamed(xf, name));
        if (smt_struct_put(updated, name, smt_copy(v), errstr, errstr_size) != 0) {
            data_value_free(updated);
            return -1;
        }
    }
    smt_set(rec, xf->target, data_schema_ref(out), updated);
    return 0;
}

static int replace_field_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                               size_t errstr_size)
{
    replace_field_t *xf = instance;
    *out = rec;
    if (smt_is_null(smt_value_of(rec, xf->target))) {
        return 0;
    }
    if (!smt_schema_of(rec, xf->target)) {
        return apply_schemaless(xf, rec, errstr, errstr_size);
    }
    return apply_with_schema(xf, rec, errstr, errstr_size);
}

const transform_def_t transform_replace_field = {
    .name = "ReplaceField",
    .package = SMT_PACKAGE,
    .has_variants = true,
    .doc = "Filter or rename fields." SMT_VARIANTS_DOC("ReplaceField"),
    .config = replace_field_config,
    .create = replace_field_create,
    .apply = replace_field_apply,
    .destroy = replace_field_destroy,
};
