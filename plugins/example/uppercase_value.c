/*
 * uppercase_value.c - UppercaseValue, the example transform of
 * docs/plugin-guide.md: upper-cases a record's value, or one field of it.
 *
 *   transforms=shout
 *   transforms.shout.type=UppercaseValue
 *   transforms.shout.field=line        (optional)
 *
 * Without `field` a string value becomes its upper-case copy ("foo" ->
 * "FOO"); with it, that string field of a struct value (schemaful) or of
 * a map value (schemaless, e.g. what HoistField made) is upper-cased and
 * the rest copied: {"line":"foo","n":1} -> {"line":"FOO","n":1}.  A value
 * without such a field passes unchanged; a null value (a tombstone) too.
 * ASCII letters only: enough for an example, and never breaks UTF-8.
 *
 * A transform is a plugin of kind CD_KIND_TRANSFORM (plugin ABI 1.1): one
 * instance per link of each task's chain, made by start() from the link's
 * settings (host->config_get, the "transforms.<alias>." prefix removed),
 * called with every record, freed by stop().
 *
 * Build: see Makefile in this directory (out of tree, with pkg-config), or
 * plugins/sdk.am (inside connectd's tree).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include <connectd/plugin.h>

static const cd_host_api_t *host;

typedef struct upper {
    const char *field; /* NULL: the whole value; borrowed from the config until stop() */
} upper_t;

static const cd_config_def_t upper_config[] = {
    {.name = "field", .type = CD_CFG_STRING, .default_value = "", .importance = CD_IMPORTANCE_MEDIUM,
     .doc = "The string field of a struct or map value to upper-case; empty: the value itself, a string."},
    {.name = NULL},
};

static cd_rc_t upper_start(cd_task_t *ctx, void **state)
{
    upper_t *u = calloc(1, sizeof(*u));
    if (!u) {
        host->set_error(ctx, "out of memory");
        return CD_FATAL;
    }
    const char *field = host->config_get(ctx, "field");
    u->field = field && *field ? field : NULL;
    *state = u;
    return CD_OK;
}

static void upper_stop(cd_task_t *ctx, void *state)
{
    free(state);
}

/* A new string value, the upper-case copy of a string value. */
static cd_value_t *upper_string(const cd_value_t *v)
{
    size_t len;
    const char *s = host->value_get_string(v, &len);
    char *copy = malloc(len + 1);
    if (!copy) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        copy[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
    }
    cd_value_t *out = host->value_string(copy, len);
    free(copy);
    return out;
}

/* The value with u->field upper-cased, or NULL when there is nothing to do. */
static cd_value_t *upper_field(const upper_t *u, const cd_value_t *value)
{
    cd_type_t type = host->value_type(value);
    if (type == CD_TYPE_STRUCT) {
        const cd_value_t *field = host->value_struct_get(value, u->field);
        if (!field || host->value_type(field) != CD_TYPE_STRING) {
            return NULL;
        }
        cd_value_t *copy = host->value_copy(value);
        if (host->value_struct_set(copy, u->field, upper_string(field)) != CD_OK) {
            host->value_free(copy);
            return NULL;
        }
        return copy;
    }
    if (type == CD_TYPE_MAP) {
        const cd_value_t *field = host->value_map_get(value, u->field);
        if (!field || host->value_type(field) != CD_TYPE_STRING) {
            return NULL;
        }
        cd_value_t *map = host->value_map();
        for (size_t i = 0; i < host->value_count(value); i++) {
            const cd_value_t *k = host->value_map_key_at(value, i), *v = host->value_map_value_at(value, i);
            host->value_map_put(map, host->value_copy(k), v == field ? upper_string(v) : host->value_copy(v));
        }
        return map;
    }
    return NULL;
}

/* Changes the record in place: its value is replaced, its schema kept. */
static cd_rc_t upper_transform(cd_task_t *ctx, void *state, cd_record_t *rec, cd_record_t **out)
{
    const upper_t *u = state;
    const cd_value_t *value = host->record_value(rec);
    cd_value_t *changed = NULL;
    *out = rec;
    if (!value || host->value_type(value) == CD_TYPE_NULL) {
        return CD_OK;
    }
    if (u->field) {
        changed = upper_field(u, value);
    } else if (host->value_type(value) == CD_TYPE_STRING) {
        changed = upper_string(value);
    } else {
        host->set_error(ctx, "UppercaseValue without 'field' needs a string value, found type %d",
                        (int)host->value_type(value));
        return CD_FATAL;
    }
    if (changed) {
        /* The schema stays: take a reference of our own, empty the record
         * (which drops the record's reference and the old value), then
         * hand both over. */
        const cd_schema_t *schema = host->record_value_schema(rec);
        cd_schema_t *kept = schema ? host->schema_ref((cd_schema_t *)schema) : NULL;
        host->record_set_value(rec, NULL, NULL);
        host->record_set_value(rec, kept, changed);
    }
    return CD_OK;
}

static const char *const upper_aliases[] = {"org.example.connectd.UppercaseValue", NULL};

static const cd_plugin_desc_t upper = {
    CD_PLUGIN_DESC_HEADER,
    .name = "UppercaseValue",
    .version = "1.0.0",
    .description = "Upper-cases a string value, or one string field of a struct or map value.",
    .kind = CD_KIND_TRANSFORM,
    .aliases = upper_aliases,
    .config = upper_config,
    .start = upper_start,
    .stop = upper_stop,
    .transform = upper_transform,
};

static const cd_plugin_desc_t *const all[] = {&upper, NULL};

CD_EXPORT const cd_plugin_desc_t *const *cd_plugin_entry(const cd_host_api_t *h)
{
    host = h;
    return all;
}
