/*
 * config_validate.c - settings checked against their rows, as Kafka's
 * ConfigDef.validate; see config_validate.h.
 *
 * For each row, in Kafka's order: the value is looked up (the config, then
 * `defaults`); a missing one takes the row's default, or is an error when
 * the row has none; then the row reads it (config_def_read: parsed as its
 * type, then bounds, choices, the row's validator).  What is shown is the
 * parsed value written back as ConfigDef.convertToString would ("a, b" as
 * "a,b", " 5" as "5", TRUE as "true", a password as "[hidden]"), or null
 * when there is none.  This file words the row's verdict in Kafka's
 * sentences.
 */
#include "config_validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct cv_result {
    cv_entry_t *entries;
    size_t n, cap;
    char **groups;
    size_t n_groups;
    void **kept;
    size_t n_kept;
};

/* ---- results ------------------------------------------------------------------------ */

cv_result_t *cv_result_new(void)
{
    cv_result_t *res = calloc(1, sizeof(*res));
    if (!res) {
        abort();
    }
    return res;
}

static void entry_clear(cv_entry_t *e)
{
    free(e->value);
    e->value = NULL;
    for (size_t i = 0; i < e->n_errors; i++) {
        free(e->errors[i]);
    }
    free(e->errors);
    e->errors = NULL;
    e->n_errors = 0;
    for (size_t i = 0; i < e->n_recommended; i++) {
        free(e->recommended[i]);
    }
    free(e->recommended);
    e->recommended = NULL;
    e->n_recommended = 0;
}

void cv_result_free(cv_result_t *res)
{
    if (!res) {
        return;
    }
    for (size_t i = 0; i < res->n; i++) {
        entry_clear(&res->entries[i]);
        free(res->entries[i].name);
    }
    free(res->entries);
    for (size_t i = 0; i < res->n_groups; i++) {
        free(res->groups[i]);
    }
    free(res->groups);
    for (size_t i = 0; i < res->n_kept; i++) {
        free(res->kept[i]);
    }
    free(res->kept);
    free(res);
}

cv_entry_t *cv_result_find(cv_result_t *res, const char *name)
{
    for (size_t i = 0; i < res->n; i++) {
        if (strcmp(res->entries[i].name, name) == 0) {
            return &res->entries[i];
        }
    }
    return NULL;
}

static cv_entry_t *entry_add(cv_result_t *res, const char *name)
{
    if (res->n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 32;
        res->entries = xrealloc(res->entries, res->cap * sizeof(*res->entries));
    }
    cv_entry_t *e = &res->entries[res->n++];
    *e = (cv_entry_t){.name = xstrdup(name)};
    return e;
}

static void entry_error(cv_entry_t *e, const char *msg)
{
    e->errors = xrealloc(e->errors, (e->n_errors + 1) * sizeof(*e->errors));
    e->errors[e->n_errors++] = xstrdup(msg);
}

void cv_result_add_error(cv_result_t *res, const char *name, const char *value, const char *fmt, ...)
{
    cv_entry_t *e = cv_result_find(res, name);
    if (!e) {
        e = entry_add(res, name);
        e->value = xstrdup(value);
    }
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    entry_error(e, msg);
}

void cv_entry_add_recommended(cv_entry_t *e, const char *value)
{
    e->recommended = xrealloc(e->recommended, (e->n_recommended + 1) * sizeof(*e->recommended));
    e->recommended[e->n_recommended++] = xstrdup(value);
}

void cv_result_undefined_first(cv_result_t *res)
{
    cv_entry_t *sorted = xrealloc(NULL, res->cap * sizeof(*sorted));
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < res->n; i++) {
            if ((res->entries[i].key == NULL) == (pass == 0)) {
                sorted[n++] = res->entries[i];
            }
        }
    }
    free(res->entries);
    res->entries = sorted;
}

void cv_result_add_group(cv_result_t *res, const char *group)
{
    for (size_t i = 0; group && i < res->n_groups; i++) {
        if (strcmp(res->groups[i], group) == 0) {
            return;
        }
    }
    if (group) {
        res->groups = xrealloc(res->groups, (res->n_groups + 1) * sizeof(*res->groups));
        res->groups[res->n_groups++] = xstrdup(group);
    }
}

size_t cv_result_count(const cv_result_t *res)
{
    return res->n;
}

cv_entry_t *cv_result_at(cv_result_t *res, size_t i)
{
    return &res->entries[i];
}

int cv_result_error_count(const cv_result_t *res)
{
    int n = 0;
    for (size_t i = 0; i < res->n; i++) {
        n += (int)res->entries[i].n_errors;
    }
    return n;
}

void cv_result_messages(const cv_result_t *res, char *errstr, size_t errstr_size)
{
    size_t len = 0;
    errstr[0] = '\0';
    for (size_t i = 0; i < res->n; i++) {
        for (size_t j = 0; j < res->entries[i].n_errors && len < errstr_size; j++) {
            int w = snprintf(errstr + len, errstr_size - len, "%s%s", len ? "\n" : "", res->entries[i].errors[j]);
            len += w > 0 ? (size_t)w : 0;
        }
    }
}

/* ---- validation --------------------------------------------------------------------- */

/* Kafka's sentence for what config_def_read found wrong with setting
 * e->name: `raw` as given (or the default), `shown` as parsed. */
static void kafka_message(const cv_entry_t *e, const config_def_t *key, const char *raw, const char *shown,
                          config_def_problem_t problem, const char *detail, char *msg, size_t size)
{
    /* A password is "[hidden]" in messages too, as Kafka's Password prints. */
    const char *quoted = config_def_sensitive(key) ? "[hidden]" : shown;
    size_t len;
    switch (problem) {
    case CONFIG_DEF_MISSING:
        snprintf(msg, size, "Missing required configuration \"%s\" which has no default value.", e->name);
        break;
    case CONFIG_DEF_NOT_OF_TYPE:
        if (key->type == CONFIG_DEF_BOOLEAN) {
            snprintf(msg, size, "Invalid value %s for configuration %s: Expected value to be either true or false", raw,
                     e->name);
        } else {
            snprintf(msg, size, "Invalid value %s for configuration %s: Not a number of type %s", raw, e->name,
                     config_def_type_name(key->type));
        }
        break;
    case CONFIG_DEF_TOO_SMALL:
        snprintf(msg, size, "Invalid value %s for configuration %s: Value must be at least %lld", shown, e->name,
                 (long long)key->min);
        break;
    case CONFIG_DEF_TOO_LARGE:
        snprintf(msg, size, "Invalid value %s for configuration %s: Value must be no more than %lld", shown, e->name,
                 (long long)key->max);
        break;
    case CONFIG_DEF_NOT_A_CHOICE:
        len = (size_t)snprintf(msg, size, "Invalid value %s for configuration %s: String must be one of%s: ",
                               key->type == CONFIG_DEF_LIST ? detail : quoted, e->name,
                               (key->flags & CONFIG_DEF_NOCASE) ? " (case insensitive)" : "");
        for (const char *const *c = key->choices; *c && len < size; c++) {
            len += (size_t)snprintf(msg + len, size - len, "%s%s", c == key->choices ? "" : ", ", *c);
        }
        break;
    case CONFIG_DEF_REFUSED:
        snprintf(msg, size, "Invalid value %s for configuration %s: %s", quoted, e->name,
                 *detail ? detail : "the connector's validator refused it");
        break;
    case CONFIG_DEF_REFUSED_MESSAGE:
        snprintf(msg, size, "%s", *detail ? detail : "invalid value");
        break;
    case CONFIG_DEF_OK:
        break;
    }
}

static void validate_one(cv_entry_t *e, const config_def_t *key, const properties_t *config,
                         const properties_t *defaults)
{
    const char *raw = properties_get(config, e->name);
    if (!raw && defaults) {
        raw = properties_get(defaults, e->name);
    }
    char *shown, detail[1024], msg[2048];
    config_def_problem_t problem = config_def_read(key, e->name, raw, &shown, detail, sizeof(detail));
    if (problem != CONFIG_DEF_OK) {
        kafka_message(e, key, raw ? raw : key->default_value, shown, problem, detail, msg, sizeof(msg));
        entry_error(e, msg);
    }
    if (shown && config_def_sensitive(key)) {
        free(shown);
        shown = xstrdup("[hidden]");
    }
    e->value = shown;
}

void cv_validate_keys(cv_result_t *res, const config_def_t *keys, const properties_t *config, const char *prefix,
                      const properties_t *defaults)
{
    for (const config_def_t *key = keys; key && key->name; key++) {
        char name[512];
        snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", key->name);
        cv_entry_t *e = cv_result_find(res, name);
        if (e) {
            entry_clear(e);
        } else {
            e = entry_add(res, name);
        }
        e->key = key;
        cv_result_add_group(res, key->group);
        validate_one(e, key, config, defaults);
    }
}

bool cv_fill(const config_def_t *defs, void *obj, const properties_t *config, char *errstr, size_t errstr_size)
{
    properties_t *none = config ? NULL : properties_create();
    config = config ? config : none;
    cv_result_t *res = cv_result_new();
    cv_validate_keys(res, defs, config, NULL, NULL);
    bool ok = cv_result_error_count(res) == 0;
    if (!ok) {
        cv_result_messages(res, errstr, errstr_size);
    }
    cv_result_free(res);
    /* Checked by the same rows, so filling cannot fail. */
    ok = ok && config_def_fill(defs, obj, config, 0, errstr, errstr_size);
    properties_destroy(none);
    return ok;
}

void *cv_result_keep(cv_result_t *res, void *p)
{
    res->kept = xrealloc(res->kept, (res->n_kept + 1) * sizeof(*res->kept));
    res->kept[res->n_kept++] = p;
    return p;
}

void cv_entry_reset(cv_entry_t *e)
{
    entry_clear(e);
}

void cv_entry_set_value(cv_entry_t *e, const char *value)
{
    free(e->value);
    e->value = xstrdup(value);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A default as ConfigKeyInfo shows it: parsed and written back. */
static json_t *default_json(const config_def_t *key)
{
    if (!key->default_value) {
        return json_null();
    }
    if (config_def_sensitive(key)) {
        return json_string("[hidden]");
    }
    char *shown = config_def_parse(key, key->default_value);
    json_t *out = string_or_null(shown ? shown : key->default_value);
    free(shown);
    return out;
}

json_t *cv_key_json(const config_def_t *key, const char *name)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "name", json_string(name ? name : key->name));
    json_object_set_new(obj, "type", json_string(config_def_type_name(key->type)));
    json_object_set_new(obj, "required", json_boolean(key->flags & CONFIG_DEF_REQUIRED));
    json_object_set_new(obj, "default_value", default_json(key));
    json_object_set_new(obj, "importance", json_string(config_def_importance_name(key->importance)));
    json_object_set_new(obj, "documentation", string_or_null(key->doc));
    json_object_set_new(obj, "group", string_or_null(key->group));
    json_object_set_new(obj, "width", json_string(config_def_width_name(key->width)));
    json_object_set_new(obj, "display_name", json_string(key->display_name ? key->display_name : key->name));
    json_object_set_new(obj, "dependents", json_array());
    json_object_set_new(obj, "order", json_integer(key->order));
    return obj;
}

static json_t *strings_json(char **strings, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(strings[i]));
    }
    return arr;
}

json_t *cv_result_json(const cv_result_t *res, const char *class_name)
{
    json_t *configs = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const cv_entry_t *e = &res->entries[i];
        json_t *value = json_object();
        json_object_set_new(value, "name", json_string(e->name));
        json_object_set_new(value, "value", string_or_null(e->value));
        json_object_set_new(value, "recommended_values", strings_json(e->recommended, e->n_recommended));
        json_object_set_new(value, "errors", strings_json(e->errors, e->n_errors));
        json_object_set_new(value, "visible", json_true());
        json_t *info = json_object();
        json_object_set_new(info, "definition", e->key ? cv_key_json(e->key, e->name) : json_null());
        json_object_set_new(info, "value", value);
        json_array_append_new(configs, info);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "name", string_or_null(class_name));
    json_object_set_new(doc, "error_count", json_integer(cv_result_error_count(res)));
    json_object_set_new(doc, "groups", strings_json(res->groups, res->n_groups));
    json_object_set_new(doc, "configs", configs);
    return doc;
}
