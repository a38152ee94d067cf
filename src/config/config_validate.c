/*
 * config_validate.c - settings checked against their rows, as Kafka's
 * ConfigDef.validate; see config_validate.h.
 *
 * For each row, in Kafka's order: the value is looked up (the config, then
 * `defaults`); a missing one takes the row's default, or is an error when
 * the row has none; a present one is parsed as its type (trimmed, as
 * ConfigDef.parseType), and then the row's validators run on what parsed:
 * bounds, choices, the row's own check.  What is shown is the parsed value
 * written back as ConfigDef.convertToString would ("a, b" as "a,b", " 5"
 * as "5", TRUE as "true", a password as "[hidden]"), or null when there is
 * none.  Kafka also runs a validator on a value that failed to parse, which
 * adds a second, confusing "Value must be non-null"; we stop at the first.
 */
#include "config_validate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

struct cv_result {
    cv_entry_t *entries;
    size_t n, cap;
    char **groups;
    size_t n_groups;
    void **kept;
    size_t n_kept;
};

/* ---- rows from a plugin's table ------------------------------------------------- */

cv_key_t *cv_keys_from_plugin(const cd_config_def_t *defs)
{
    size_t n = 0;
    while (defs && defs[n].name) {
        n++;
    }
    cv_key_t *keys = calloc(n + 1, sizeof(*keys));
    if (!keys) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        const cd_config_def_t *def = &defs[i];
        static const cv_type_t types[] = {
            [CD_CFG_STRING] = CV_STRING, [CD_CFG_INT] = CV_INT,   [CD_CFG_LONG] = CV_LONG,
            [CD_CFG_DOUBLE] = CV_DOUBLE, [CD_CFG_BOOLEAN] = CV_BOOLEAN, [CD_CFG_LIST] = CV_LIST,
            [CD_CFG_PASSWORD] = CV_PASSWORD, [CD_CFG_CLASS] = CV_CLASS,
        };
        /* plugin.h: bounds apply to INT and LONG, when min < max. */
        bool bounded = (def->type == CD_CFG_INT || def->type == CD_CFG_LONG) && def->min < def->max;
        int order = -1;
        if (def->group) {
            order = 1;
            for (size_t j = 0; j < i; j++) {
                order += defs[j].group && strcmp(defs[j].group, def->group) == 0;
            }
        }
        keys[i] = (cv_key_t){
            .name = def->name,
            .type = def->type >= CD_CFG_STRING && def->type <= CD_CFG_CLASS ? types[def->type] : CV_STRING,
            .default_value = def->default_value,
            .required = def->required && !def->default_value,
            .importance = def->importance == CD_IMPORTANCE_HIGH  ? CV_HIGH
                          : def->importance == CD_IMPORTANCE_LOW ? CV_LOW
                                                                 : CV_MEDIUM,
            .doc = def->doc,
            .group = def->group,
            .order = order,
            .width = CV_WIDTH_NONE,
            .has_min = bounded,
            .has_max = bounded,
            .min = def->min,
            .max = def->max,
            .choices = def->choices,
            .plugin_validate = def->validate,
        };
    }
    return keys;
}

/* ---- parsing --------------------------------------------------------------------- */

/* Java's String.trim(): every char up to ' ' goes. */
static char *trimmed(const char *s)
{
    while (*s && (unsigned char)*s <= ' ') {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    char *out = xstrdup(s);
    out[len] = '\0';
    return out;
}

/* Integer.parseInt and friends: an optional sign, then digits only. */
static bool parse_integer(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    const char *p = s + (*s == '+' || *s == '-');
    if (!*p) {
        return false;
    }
    for (const char *q = p; *q; q++) {
        if (!isdigit((unsigned char)*q)) {
            return false;
        }
    }
    errno = 0;
    long long v = strtoll(*s == '+' ? s + 1 : s, NULL, 10);
    if (errno || v < lo || v > hi) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s)) {
        return false;
    }
    errno = 0;
    double d = strtod(s, &end);
    /* Java also takes a trailing d/D/f/F type suffix. */
    if (end != s && (*end == 'd' || *end == 'D' || *end == 'f' || *end == 'F') && end[1] == '\0') {
        end++;
    }
    if (end == s || *end) {
        return false;
    }
    *out = d;
    return true;
}

/* Double.toString: the shortest digits that read back the same, plain
 * ("1000.0", "0.5") for magnitudes in [1e-3, 1e7), else "1.0E10". */
static void format_double(double d, char *buf, size_t size)
{
    if (isnan(d) || isinf(d)) {
        snprintf(buf, size, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        snprintf(buf, size, "%s", signbit(d) ? "-0.0" : "0.0");
        return;
    }
    char sci[64];
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec, d);
        if (strtod(sci, NULL) == d) {
            break;
        }
    }
    /* sci: [-]D[.DDD]e[+-]XX -> the digits and the exponent. */
    char digits[32];
    size_t n = 0;
    const char *p = sci + (sci[0] == '-');
    for (; *p && *p != 'e' && n < sizeof(digits) - 1; p++) {
        if (*p != '.') {
            digits[n++] = *p;
        }
    }
    digits[n] = '\0';
    while (n > 1 && digits[n - 1] == '0') {
        digits[--n] = '\0';
    }
    int exp = atoi(p + 1);
    const char *sign = d < 0 ? "-" : "";
    double mag = fabs(d);
    if (mag >= 1e-3 && mag < 1e7) {
        char plain[48];
        size_t len = 0;
        if (exp < 0) {
            len += (size_t)snprintf(plain, sizeof(plain), "0.");
            for (int i = -1; i > exp; i--) {
                plain[len++] = '0';
            }
            snprintf(plain + len, sizeof(plain) - len, "%s", digits);
        } else {
            for (int i = 0; i <= exp; i++) {
                plain[len++] = i < (int)n ? digits[i] : '0';
            }
            plain[len++] = '.';
            if ((int)n > exp + 1) {
                snprintf(plain + len, sizeof(plain) - len, "%s", digits + exp + 1);
            } else {
                snprintf(plain + len, sizeof(plain) - len, "0");
            }
        }
        snprintf(buf, size, "%s%s", sign, plain);
    } else {
        snprintf(buf, size, "%s%c.%sE%d", sign, digits[0], n > 1 ? digits + 1 : "0", exp);
    }
}

bool cv_parses(cv_type_t type, const char *value)
{
    char *t = trimmed(value);
    int64_t n;
    double d;
    bool ok = true;
    switch (type) {
    case CV_BOOLEAN:
        ok = strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0;
        break;
    case CV_INT:
        ok = parse_integer(t, INT32_MIN, INT32_MAX, &n);
        break;
    case CV_SHORT:
        ok = parse_integer(t, INT16_MIN, INT16_MAX, &n);
        break;
    case CV_LONG:
        ok = parse_integer(t, INT64_MIN, INT64_MAX, &n);
        break;
    case CV_DOUBLE:
        ok = parse_double(t, &d);
        break;
    default:
        break;
    }
    free(t);
    return ok;
}

/* The items of a LIST value (already trimmed), split at commas with the
 * whitespace around them, as Kafka's COMMA_WITH_WHITESPACE; "" has none.
 * Returns the count; *items is malloc'd, each item too. */
static size_t list_items(const char *value, char ***items)
{
    size_t n = 0;
    *items = NULL;
    if (!*value) {
        return 0;
    }
    const char *p = value;
    for (;;) {
        size_t len = strcspn(p, ",");
        size_t start = 0, end = len;
        while (start < end && isspace((unsigned char)p[start])) {
            start++;
        }
        while (end > start && isspace((unsigned char)p[end - 1])) {
            end--;
        }
        *items = xrealloc(*items, (n + 1) * sizeof(**items));
        (*items)[n] = xrealloc(NULL, end - start + 1);
        memcpy((*items)[n], p + start, end - start);
        (*items)[n][end - start] = '\0';
        n++;
        if (!p[len]) {
            break;
        }
        p += len + 1;
    }
    return n;
}

static void free_items(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]);
    }
    free(items);
}

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

/* Parses `raw` as the row's type.  Returns the shown text (malloc'd) or
 * NULL after adding the error. */
static char *parse_value(cv_entry_t *e, const cv_key_t *key, const char *raw)
{
    char *t = trimmed(raw), msg[2048];
    int64_t n;
    double d;
    char buf[64];
    switch (key->type) {
    case CV_BOOLEAN:
        if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
            snprintf(buf, sizeof(buf), "%s", strcasecmp(t, "true") == 0 ? "true" : "false");
            free(t);
            return xstrdup(buf);
        }
        snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: Expected value to be either true or false",
                 raw, e->name);
        break;
    case CV_INT:
    case CV_SHORT:
    case CV_LONG:
        if (parse_integer(t, key->type == CV_INT ? INT32_MIN : key->type == CV_SHORT ? INT16_MIN : INT64_MIN,
                          key->type == CV_INT ? INT32_MAX : key->type == CV_SHORT ? INT16_MAX : INT64_MAX, &n)) {
            snprintf(buf, sizeof(buf), "%lld", (long long)n);
            free(t);
            return xstrdup(buf);
        }
        snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: Not a number of type %s", raw, e->name,
                 cv_type_name(key->type));
        break;
    case CV_DOUBLE:
        if (parse_double(t, &d)) {
            format_double(d, buf, sizeof(buf));
            free(t);
            return xstrdup(buf);
        }
        snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: Not a number of type DOUBLE", raw,
                 e->name);
        break;
    case CV_LIST: {
        char **items;
        size_t count = list_items(t, &items);
        size_t len = 0;
        for (size_t i = 0; i < count; i++) {
            len += strlen(items[i]) + 1;
        }
        char *joined = xrealloc(NULL, len + 1);
        joined[0] = '\0';
        for (size_t i = 0; i < count; i++) {
            strcat(joined, items[i]);
            if (i + 1 < count) {
                strcat(joined, ",");
            }
        }
        free_items(items, count);
        free(t);
        return joined;
    }
    default: /* STRING, PASSWORD, CLASS: the trimmed text */
        return t;
    }
    free(t);
    entry_error(e, msg);
    return NULL;
}

static bool in_choices(const cv_key_t *key, const char *s)
{
    for (const char *const *c = key->choices; *c; c++) {
        if (key->choices_nocase ? strcasecmp(*c, s) == 0 : strcmp(*c, s) == 0) {
            return true;
        }
    }
    return false;
}

static void choices_error(cv_entry_t *e, const cv_key_t *key, const char *item)
{
    char msg[2048];
    size_t len = (size_t)snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: String must be one of%s: ",
                                  item, e->name, key->choices_nocase ? " (case insensitive)" : "");
    for (const char *const *c = key->choices; *c && len < sizeof(msg); c++) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s", c == key->choices ? "" : ", ", *c);
    }
    entry_error(e, msg);
}

/* The row's validators, on a value that parsed (`shown`, the parsed text). */
static void run_validators(cv_entry_t *e, const cv_key_t *key, char **shown)
{
    char msg[2048];
    /* A password is "[hidden]" in messages too, as Kafka's Password prints. */
    const char *quoted = key->type == CV_PASSWORD ? "[hidden]" : *shown;
    if (key->has_min || key->has_max) {
        double v = strtod(*shown, NULL);
        if (key->has_min && v < (double)key->min) {
            snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: Value must be at least %lld", *shown,
                     e->name, (long long)key->min);
            entry_error(e, msg);
            return;
        }
        if (key->has_max && v > (double)key->max) {
            snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: Value must be no more than %lld",
                     *shown, e->name, (long long)key->max);
            entry_error(e, msg);
            return;
        }
    }
    if (key->choices) {
        if (key->type == CV_LIST) {
            char **items;
            size_t count = list_items(*shown, &items);
            bool bad = false;
            for (size_t i = 0; i < count && !bad; i++) {
                if (!in_choices(key, items[i])) {
                    choices_error(e, key, items[i]);
                    bad = true;
                }
            }
            free_items(items, count);
            if (bad) {
                return;
            }
        } else if (!in_choices(key, *shown)) {
            choices_error(e, key, quoted);
            return;
        }
    }
    if (key->plugin_validate) {
        char why[512] = "";
        int rc = key->plugin_validate(*shown, why, sizeof(why));
        why[sizeof(why) - 1] = '\0'; /* whatever the plugin wrote there */
        if (rc != 0) {
            snprintf(msg, sizeof(msg), "Invalid value %s for configuration %s: %s", quoted, e->name,
                     why[0] ? why : "the connector's validator refused it");
            entry_error(e, msg);
            return;
        }
    }
    if (key->check) {
        const char *canonical = NULL;
        msg[0] = '\0';
        if (key->check(key, e->name, *shown, &canonical, msg, sizeof(msg)) != 0) {
            entry_error(e, msg[0] ? msg : "invalid value");
        } else if (canonical) {
            free(*shown);
            *shown = xstrdup(canonical);
        }
    }
}

static void validate_one(cv_entry_t *e, const cv_key_t *key, const properties_t *config,
                         const properties_t *defaults)
{
    char msg[1024];
    const char *raw = properties_get(config, e->name);
    if (!raw && defaults) {
        raw = properties_get(defaults, e->name);
    }
    char *shown = NULL;
    if (raw) {
        shown = parse_value(e, key, raw);
    } else if (key->required) {
        snprintf(msg, sizeof(msg), "Missing required configuration \"%s\" which has no default value.", e->name);
        entry_error(e, msg);
    } else if (key->default_value) {
        shown = parse_value(e, key, key->default_value);
    }
    if (shown) {
        run_validators(e, key, &shown);
    }
    if (shown && key->type == CV_PASSWORD) {
        free(shown);
        shown = xstrdup("[hidden]");
    }
    e->value = shown;
}

void cv_validate_keys(cv_result_t *res, const cv_key_t *keys, const properties_t *config, const char *prefix,
                      const properties_t *defaults)
{
    for (const cv_key_t *key = keys; key && key->name; key++) {
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

const char *cv_type_name(cv_type_t type)
{
    static const char *const names[] = {"BOOLEAN", "STRING", "INT", "SHORT", "LONG",
                                        "DOUBLE",  "LIST",   "CLASS", "PASSWORD"};
    return type <= CV_PASSWORD ? names[type] : "STRING";
}

static const char *importance_name(cv_importance_t imp)
{
    return imp == CV_HIGH ? "HIGH" : imp == CV_LOW ? "LOW" : "MEDIUM";
}

static const char *width_name(cv_width_t width)
{
    static const char *const names[] = {"NONE", "SHORT", "MEDIUM", "LONG"};
    return width <= CV_WIDTH_LONG ? names[width] : "NONE";
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A default as ConfigKeyInfo shows it: parsed and written back. */
static json_t *default_json(const cv_key_t *key)
{
    if (!key->default_value) {
        return json_null();
    }
    if (key->type == CV_PASSWORD) {
        return json_string("[hidden]");
    }
    cv_entry_t scratch = {.name = (char *)key->name};
    char *shown = parse_value(&scratch, key, key->default_value);
    json_t *out = string_or_null(shown ? shown : key->default_value);
    free(shown);
    entry_clear(&scratch);
    return out;
}

json_t *cv_key_json(const cv_key_t *key, const char *name)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "name", json_string(name ? name : key->name));
    json_object_set_new(obj, "type", json_string(cv_type_name(key->type)));
    json_object_set_new(obj, "required", json_boolean(key->required));
    json_object_set_new(obj, "default_value", default_json(key));
    json_object_set_new(obj, "importance", json_string(importance_name(key->importance)));
    json_object_set_new(obj, "documentation", string_or_null(key->doc));
    json_object_set_new(obj, "group", string_or_null(key->group));
    json_object_set_new(obj, "width", json_string(width_name(key->width)));
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
