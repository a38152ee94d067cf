/*
 * config_def.c - reading settings by their rows; see config_def.h.
 *
 * Reading a value is two steps, each Kafka's: ConfigDef.parseType (trim,
 * parse as the type, or fail) and then the row's validators in order
 * (Range, ValidString / ValidList, the row's own).  Kafka also runs the
 * validators on a value that failed to parse, which only adds a second,
 * confusing "Value must be non-null"; we stop at the first problem.
 *
 * The canonical text is what Kafka's ConfigDef.convertToString writes of
 * the parsed value: integers in decimal, booleans lower-case, doubles as
 * Java's Double.toString, lists joined by "," without whitespace.  A field
 * is filled from that text, so what a struct holds is exactly what REST and
 * DescribeConfigs show.
 */
#include "config_def.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

/* ---- rows ------------------------------------------------------------------------------ */

const config_def_t *config_def_find(const config_def_t *defs, const char *name)
{
    for (const config_def_t *def = defs; def && def->name; def++) {
        if (strcmp(def->name, name) == 0) {
            return def;
        }
    }
    return NULL;
}

size_t config_def_count(const config_def_t *defs)
{
    size_t n = 0;
    while (defs && defs[n].name) {
        n++;
    }
    return n;
}

const char *config_def_type_name(config_def_type_t type)
{
    static const char *const names[] = {"BOOLEAN", "STRING", "INT",   "SHORT",   "LONG",
                                        "DOUBLE",  "LIST",   "CLASS", "PASSWORD"};
    return type <= CONFIG_DEF_PASSWORD ? names[type] : "STRING";
}

const char *config_def_importance_name(config_def_importance_t importance)
{
    return importance == CONFIG_DEF_HIGH ? "HIGH" : importance == CONFIG_DEF_LOW ? "LOW" : "MEDIUM";
}

const char *config_def_width_name(config_def_width_t width)
{
    static const char *const names[] = {"NONE", "SHORT", "MEDIUM", "LONG"};
    return width <= CONFIG_DEF_WIDTH_LONG ? names[width] : "NONE";
}

bool config_def_sensitive(const config_def_t *def)
{
    return def->type == CONFIG_DEF_PASSWORD || (def->flags & CONFIG_DEF_SENSITIVE);
}

static bool is_integer(config_def_type_t type)
{
    return type == CONFIG_DEF_INT || type == CONFIG_DEF_SHORT || type == CONFIG_DEF_LONG;
}

/* The values an integer type holds. */
static void type_limits(config_def_type_t type, int64_t *lo, int64_t *hi)
{
    *lo = type == CONFIG_DEF_SHORT ? INT16_MIN : type == CONFIG_DEF_INT ? INT32_MIN : INT64_MIN;
    *hi = type == CONFIG_DEF_SHORT ? INT16_MAX : type == CONFIG_DEF_INT ? INT32_MAX : INT64_MAX;
}

/* ---- parsing ----------------------------------------------------------------------------- */

/* Java's String.trim(): every byte up to ' ' goes, at both ends. */
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

/* Integer.parseInt and friends: an optional sign, then decimal digits
 * only, within [lo, hi]. */
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

/* Double.parseDouble of decimal text: [sign] (NaN | Infinity | digits
 * [. digits] [e [sign] digits]) [fFdD], with a digit somewhere in the
 * mantissa.  C's strtod also takes "inf", "nan" and hex, which Java
 * does not, so the text is checked before strtod reads it. */
static bool parse_double(const char *s, double *out)
{
    const char *p = s + (*s == '+' || *s == '-');
    if (strcmp(p, "NaN") == 0 || strcmp(p, "Infinity") == 0) {
        *out = strtod(s, NULL);
        return true;
    }
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t fraction = strspn(p + 1, "0123456789");
        digits += fraction;
        p += 1 + fraction;
    }
    if (digits == 0) {
        return false;
    }
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        size_t exponent = strspn(p, "0123456789");
        if (exponent == 0) {
            return false;
        }
        p += exponent;
    }
    if (*p && (strchr("fFdD", *p) == NULL || p[1] != '\0')) {
        return false;
    }
    *out = strtod(s, NULL); /* stops at a type suffix */
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

/* The items of a trimmed LIST value, split at commas with the whitespace
 * around them (Kafka's COMMA_WITH_WHITESPACE, \s*,\s*); "" has none.
 * Returns the count; *items and each item are malloc'd. */
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

char *config_def_parse(const config_def_t *def, const char *text)
{
    char *t = trimmed(text), buf[64];
    int64_t n, lo, hi;
    double d;
    switch (def->type) {
    case CONFIG_DEF_BOOLEAN:
        if (strcasecmp(t, "true") != 0 && strcasecmp(t, "false") != 0) {
            break;
        }
        snprintf(buf, sizeof(buf), "%s", strcasecmp(t, "true") == 0 ? "true" : "false");
        free(t);
        return xstrdup(buf);
    case CONFIG_DEF_INT:
    case CONFIG_DEF_SHORT:
    case CONFIG_DEF_LONG:
        type_limits(def->type, &lo, &hi);
        if (!parse_integer(t, lo, hi, &n)) {
            break;
        }
        snprintf(buf, sizeof(buf), "%lld", (long long)n);
        free(t);
        return xstrdup(buf);
    case CONFIG_DEF_DOUBLE:
        if (!parse_double(t, &d)) {
            break;
        }
        format_double(d, buf, sizeof(buf));
        free(t);
        return xstrdup(buf);
    case CONFIG_DEF_LIST: {
        char **items;
        size_t count = list_items(t, &items), len = 0;
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
    default: /* STRING, CLASS, PASSWORD: the trimmed text */
        return t;
    }
    free(t);
    return NULL;
}

/* ---- checking ----------------------------------------------------------------------------- */

static bool in_choices(const config_def_t *def, const char *s)
{
    for (const char *const *c = def->choices; *c; c++) {
        if ((def->flags & CONFIG_DEF_NOCASE) ? strcasecmp(*c, s) == 0 : strcmp(*c, s) == 0) {
            return true;
        }
    }
    return false;
}

/* The row's checks on a value that parsed (`*shown`, canonical), which a
 * validator may replace with a better form. */
static config_def_problem_t check(const config_def_t *def, const char *name, char **shown, char *detail,
                                  size_t detail_size)
{
    if (def->has_min || def->has_max) {
        bool low, high;
        if (def->type == CONFIG_DEF_DOUBLE) {
            double v = strtod(*shown, NULL);
            low = def->has_min && v < (double)def->min;
            high = def->has_max && v > (double)def->max;
        } else {
            long long v = strtoll(*shown, NULL, 10);
            low = def->has_min && v < def->min;
            high = def->has_max && v > def->max;
        }
        if (low || high) {
            return low ? CONFIG_DEF_TOO_SMALL : CONFIG_DEF_TOO_LARGE;
        }
    }
    if (def->choices && def->type == CONFIG_DEF_LIST) {
        char **items;
        size_t count = list_items(*shown, &items);
        for (size_t i = 0; i < count; i++) {
            if (!in_choices(def, items[i])) {
                snprintf(detail, detail_size, "%s", items[i]);
                free_items(items, count);
                return CONFIG_DEF_NOT_A_CHOICE;
            }
        }
        free_items(items, count);
    } else if (def->choices && !in_choices(def, *shown)) {
        snprintf(detail, detail_size, "%s", *shown);
        return CONFIG_DEF_NOT_A_CHOICE;
    }
    if (def->validate) {
        const char *canonical = NULL;
        config_def_problem_t problem = def->validate(def, name, *shown, &canonical, detail, detail_size);
        if (problem != CONFIG_DEF_OK) {
            return problem;
        }
        if (canonical) {
            free(*shown);
            *shown = xstrdup(canonical);
        }
    }
    return CONFIG_DEF_OK;
}

config_def_problem_t config_def_read(const config_def_t *def, const char *name, const char *text, char **shown,
                                     char *detail, size_t detail_size)
{
    *shown = NULL;
    if (detail_size > 0) {
        detail[0] = '\0';
    }
    if (!text) {
        if (!def->default_value) {
            return (def->flags & CONFIG_DEF_REQUIRED) ? CONFIG_DEF_MISSING : CONFIG_DEF_OK;
        }
        text = def->default_value;
    }
    *shown = config_def_parse(def, text);
    if (!*shown) {
        return CONFIG_DEF_NOT_OF_TYPE;
    }
    return check(def, name, shown, detail, detail_size);
}

/* "a, b, c" */
static void choices_text(const config_def_t *def, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const char *const *c = def->choices; *c && len < size; c++) {
        len += (size_t)snprintf(buf + len, size - len, "%s%s", c == def->choices ? "" : ", ", *c);
    }
}

/* What a number must be, for the short form: "an integer between 1 and
 * 100000", "a number of at least 0". */
static void number_text(const config_def_t *def, char *buf, size_t size)
{
    const char *what = def->type == CONFIG_DEF_DOUBLE ? "a number" : "an integer";
    int64_t lo = def->min, hi = def->max;
    bool has_min = def->has_min, has_max = def->has_max;
    if (is_integer(def->type)) {
        /* An integer always has the bounds of its type. */
        int64_t type_lo, type_hi;
        type_limits(def->type, &type_lo, &type_hi);
        lo = has_min ? lo : type_lo;
        hi = has_max ? hi : type_hi;
        has_min = has_max = true;
    }
    if (has_min && has_max) {
        snprintf(buf, size, "%s between %lld and %lld", what, (long long)lo, (long long)hi);
    } else if (has_min) {
        snprintf(buf, size, "%s of at least %lld", what, (long long)lo);
    } else if (has_max) {
        snprintf(buf, size, "%s of at most %lld", what, (long long)hi);
    } else {
        snprintf(buf, size, "%s", what);
    }
}

/* The short form of a problem: "key: expected ..., got 'value'". */
static void short_message(const config_def_t *def, const char *name, const char *text, config_def_problem_t problem,
                          const char *detail, char *errstr, size_t errstr_size)
{
    char *t = text ? trimmed(text) : NULL, expected[512];
    const char *got = config_def_sensitive(def) ? "[hidden]" : t;
    switch (problem) {
    case CONFIG_DEF_MISSING:
        snprintf(errstr, errstr_size, "%s: missing, and it has no default value", name);
        break;
    case CONFIG_DEF_NOT_OF_TYPE:
    case CONFIG_DEF_TOO_SMALL:
    case CONFIG_DEF_TOO_LARGE:
        if (def->type == CONFIG_DEF_BOOLEAN) {
            snprintf(expected, sizeof(expected), "true or false");
        } else {
            number_text(def, expected, sizeof(expected));
        }
        snprintf(errstr, errstr_size, "%s: expected %s, got '%s'", name, expected, got);
        break;
    case CONFIG_DEF_NOT_A_CHOICE:
        choices_text(def, expected, sizeof(expected));
        snprintf(errstr, errstr_size, "%s: expected one of %s%s, got '%s'", name, expected,
                 (def->flags & CONFIG_DEF_NOCASE) ? " (any case)" : "",
                 config_def_sensitive(def) ? "[hidden]" : detail);
        break;
    case CONFIG_DEF_REFUSED:
        snprintf(errstr, errstr_size, "%s: %s, got '%s'", name, *detail ? detail : "refused", got);
        break;
    case CONFIG_DEF_REFUSED_MESSAGE:
        snprintf(errstr, errstr_size, "%s", detail);
        break;
    case CONFIG_DEF_OK:
        break;
    }
    free(t);
}

bool config_def_normalize(const config_def_t *def, const char *name, const char *text, char **shown, char *errstr,
                          size_t errstr_size)
{
    char detail[512];
    config_def_problem_t problem = config_def_read(def, name, text, shown, detail, sizeof(detail));
    if (problem != CONFIG_DEF_OK) {
        short_message(def, name, text ? text : def->default_value, problem, detail, errstr, errstr_size);
        return false;
    }
    return true;
}

/* ---- filling ----------------------------------------------------------------------------------- */

bool config_def_set(const config_def_t *def, void *obj, const char *text, char *errstr, size_t errstr_size)
{
    char *shown;
    if (!config_def_normalize(def, def->name, text, &shown, errstr, errstr_size)) {
        free(shown);
        return false;
    }
    if (def->field == CONFIG_DEF_FIELD_NONE) {
        free(shown);
        return true;
    }
    char *field = (char *)obj + def->offset;
    long long n = 0;
    if (shown && is_integer(def->type)) {
        n = strtoll(shown, NULL, 10);
    } else if (shown && def->choices && def->field != CONFIG_DEF_FIELD_STRING) {
        /* The index, for an integer field; a string field (a LIST's among
         * them, whose value is several choices) keeps the text. */
        while (!((def->flags & CONFIG_DEF_NOCASE) ? strcasecmp(def->choices[n], shown) == 0
                                                  : strcmp(def->choices[n], shown) == 0)) {
            n++; /* it is one of them: the checks passed */
        }
    }
    switch (def->field) {
    case CONFIG_DEF_FIELD_NONE:
        break; /* returned above */
    case CONFIG_DEF_FIELD_BOOL:
        *(bool *)field = shown && strcmp(shown, "true") == 0;
        break;
    case CONFIG_DEF_FIELD_INT16:
        assert(n >= INT16_MIN && n <= INT16_MAX); /* config_def_table_check: the bounds fit */
        *(int16_t *)field = (int16_t)n;
        break;
    case CONFIG_DEF_FIELD_INT32:
        assert(n >= INT32_MIN && n <= INT32_MAX);
        *(int32_t *)field = (int32_t)n;
        break;
    case CONFIG_DEF_FIELD_INT64:
        *(int64_t *)field = n;
        break;
    case CONFIG_DEF_FIELD_DOUBLE:
        *(double *)field = shown ? strtod(shown, NULL) : 0;
        break;
    case CONFIG_DEF_FIELD_STRING:
        free(*(char **)field);
        *(char **)field = shown;
        return true;
    }
    free(shown);
    return true;
}

bool config_def_fill(const config_def_t *defs, void *obj, const properties_t *props, unsigned flags, char *errstr,
                     size_t errstr_size)
{
    for (const config_def_t *def = defs; def->name; def++) {
        const char *text = properties_get(props, def->name);
        if (text && !*text && (flags & CONFIG_DEF_EMPTY_IS_UNSET)) {
            text = NULL;
        }
        if (!config_def_set(def, obj, text, errstr, errstr_size)) {
            return false;
        }
    }
    return true;
}

void config_def_free(const config_def_t *defs, void *obj)
{
    for (const config_def_t *def = defs; def->name; def++) {
        if (def->field == CONFIG_DEF_FIELD_STRING) {
            char **field = (char **)((char *)obj + def->offset);
            free(*field);
            *field = NULL;
        }
    }
}

/* ---- tables ------------------------------------------------------------------------------------- */

void config_def_append(config_def_t *to, size_t size, const config_def_t *rows)
{
    size_t n = config_def_count(to);
    for (const config_def_t *row = rows; row->name; row++) {
        if (n + 1 >= size) {
            abort(); /* a table's size is the code's, not the user's */
        }
        to[n] = *row;
        to[n].field = CONFIG_DEF_FIELD_NONE;
        to[n].offset = 0;
        n++;
    }
}

/* Whether a row's field can hold every value the row accepts. */
static bool field_fits(const config_def_t *def)
{
    int64_t lo, hi;
    switch (def->field) {
    case CONFIG_DEF_FIELD_NONE:
        return true;
    case CONFIG_DEF_FIELD_BOOL:
        return def->type == CONFIG_DEF_BOOLEAN;
    case CONFIG_DEF_FIELD_INT16:
    case CONFIG_DEF_FIELD_INT32:
    case CONFIG_DEF_FIELD_INT64:
        if (def->type == CONFIG_DEF_STRING && def->choices) {
            return true; /* the index of a choice */
        }
        if (!is_integer(def->type)) {
            return false;
        }
        type_limits(def->type, &lo, &hi);
        lo = def->has_min ? def->min : lo;
        hi = def->has_max ? def->max : hi;
        if (def->field == CONFIG_DEF_FIELD_INT16) {
            return lo >= INT16_MIN && hi <= INT16_MAX;
        }
        return def->field == CONFIG_DEF_FIELD_INT64 || (lo >= INT32_MIN && hi <= INT32_MAX);
    case CONFIG_DEF_FIELD_DOUBLE:
        return def->type == CONFIG_DEF_DOUBLE;
    case CONFIG_DEF_FIELD_STRING:
        return def->type == CONFIG_DEF_STRING || def->type == CONFIG_DEF_LIST || def->type == CONFIG_DEF_CLASS ||
               def->type == CONFIG_DEF_PASSWORD;
    }
    return false;
}

bool config_def_table_check(const config_def_t *defs, char *errstr, size_t errstr_size)
{
    for (const config_def_t *def = defs; def->name; def++) {
        char err[512], *shown = NULL;
        if (!*def->name || config_def_find(defs, def->name) != def) {
            snprintf(errstr, errstr_size, "row '%s': empty or not unique", def->name);
            return false;
        }
        if (!def->doc) {
            snprintf(errstr, errstr_size, "row '%s': no doc", def->name);
            return false;
        }
        if (!field_fits(def)) {
            snprintf(errstr, errstr_size, "row '%s': its field does not fit its type and bounds", def->name);
            return false;
        }
        if (def->has_min && def->has_max && def->min > def->max) {
            snprintf(errstr, errstr_size, "row '%s': min above max", def->name);
            return false;
        }
        if (def->default_value && !config_def_normalize(def, def->name, NULL, &shown, err, sizeof(err))) {
            free(shown);
            snprintf(errstr, errstr_size, "row '%s': default refused: %s", def->name, err);
            return false;
        }
        free(shown);
    }
    return true;
}
