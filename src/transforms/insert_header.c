/*
 * insert_header.c - Kafka's InsertHeader: appends header `header` with the
 * value `value.literal` to every record (after any header of that name).
 *
 * The literal is read as Kafka's Values.parseString reads it, which gives
 * the header a schema:
 *
 *   "42" -> INT8 42      "300" -> INT16     "1e3" -> INT16 1000   "1.0" -> INT8 1
 *   "70000" -> INT32     "5000000000" -> INT64                    "1.5" -> FLOAT32
 *   "true"/"false" -> BOOLEAN               "null" -> null, no schema
 *   "2017-03-09" -> Date "12:30:00.000Z" -> Time "2017-03-09T12:30:00.000Z" -> Timestamp
 *   anything else -> the STRING itself ("" included)
 *
 * Numbers take the narrowest integer type that holds them exactly, else
 * FLOAT32 when they have a fractional part or exponent and fit, else
 * FLOAT64.  Not matched: Kafka's array ("[1,2]") and map ("{a:1}")
 * literals, and integers beyond int64, which Kafka makes a Decimal; both
 * stay STRING here.  Kafka parses the ISO literals in the JVM's zone; here
 * in UTC.
 */
#include "field_common.h"
#include "java_date.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cd_config_def_t insert_header_config[] = {
    {.name = "header", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "The name of the header."},
    {.name = "value.literal", .type = CD_CFG_STRING, .required = true, .importance = CD_IMPORTANCE_HIGH,
     .doc = "The literal value that is to be set as the header value on all records."},
    {.name = NULL},
};

typedef struct insert_header {
    char *header;
    cd_schema_t *schema; /* NULL for the null literal */
    cd_value_t *value;
} insert_header_t;

/* ---- Values.parseString ------------------------------------------------------- */

/* BigDecimal's syntax: [+-] (digits [. digits] | . digits) [e [+-] digits].
 * Fills the significant digits (no point), the scale and the sign. */
static bool decimal_syntax(const char *s, char *digits, size_t cap, long *scale, bool *neg)
{
    size_t n = 0, frac = 0;
    bool point = false, any = false;
    *neg = *s == '-';
    if (*s == '+' || *s == '-') {
        s++;
    }
    for (; isdigit((unsigned char)*s) || (*s == '.' && !point); s++) {
        if (*s == '.') {
            point = true;
            continue;
        }
        any = true;
        if (n + 1 >= cap) {
            return false;
        }
        digits[n++] = *s;
        frac += point;
    }
    digits[n] = '\0';
    if (!any) {
        return false;
    }
    long exp = 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        int sign = 1;
        if (*s == '+' || *s == '-') {
            sign = *s == '-' ? -1 : 1;
            s++;
        }
        if (!isdigit((unsigned char)*s)) {
            return false;
        }
        int k = 0;
        for (; isdigit((unsigned char)*s); s++, k++) {
            if (k >= 9) {
                return false; /* BigDecimal refuses exponents beyond int */
            }
            exp = exp * 10 + (*s - '0');
        }
        exp *= sign;
    }
    *scale = (long)frac - exp;
    return *s == '\0';
}

/* The exact integer a decimal stands for, if it is one within int64. */
static bool decimal_exact_long(const char *digits, long scale, bool neg, int64_t *out)
{
    size_t n = strlen(digits);
    size_t int_len = n;
    if (scale > 0) {
        for (size_t i = (size_t)scale >= n ? 0 : n - (size_t)scale; i < n; i++) {
            if (digits[i] != '0') {
                return false; /* a fractional part */
            }
        }
        int_len = (size_t)scale >= n ? 0 : n - (size_t)scale;
    }
    uint64_t acc = 0;
    bool nonzero = false;
    for (size_t i = 0; i < int_len + (scale < 0 ? (size_t)-scale : 0); i++) {
        int d = i < int_len ? digits[i] - '0' : 0;
        nonzero |= d != 0;
        if (!nonzero) {
            continue;
        }
        if (scale < 0 && (size_t)-scale > 19) {
            return false;
        }
        if (acc > (UINT64_MAX - (uint64_t)d) / 10) {
            return false;
        }
        acc = acc * 10 + (uint64_t)d;
    }
    if ((!neg && acc > (uint64_t)INT64_MAX) || (neg && acc > (uint64_t)INT64_MAX + 1)) {
        return false;
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

static int parse_number(const char *text, cd_schema_t **schema, cd_value_t **value)
{
    char digits[512];
    long scale;
    bool neg;
    if (!decimal_syntax(text, digits, sizeof(digits), &scale, &neg)) {
        return -1;
    }
    int64_t v;
    if (decimal_exact_long(digits, scale, neg, &v)) {
        cd_type_t type = v == (int8_t)v     ? CD_TYPE_INT8
                         : v == (int16_t)v  ? CD_TYPE_INT16
                         : v == (int32_t)v  ? CD_TYPE_INT32
                                            : CD_TYPE_INT64;
        *schema = data_schema_new(type, false);
        *value = data_value_int(type, v);
        return 0;
    }
    if (scale == 0) {
        return -1; /* Kafka: a Decimal */
    }
    errno = 0;
    float f = strtof(text, NULL);
    if (!isinf(f)) {
        *schema = data_schema_new(CD_TYPE_FLOAT32, false);
        *value = data_value_float(CD_TYPE_FLOAT32, f);
        return 0;
    }
    double d = strtod(text, NULL);
    if (!isinf(d)) {
        *schema = data_schema_new(CD_TYPE_FLOAT64, false);
        *value = data_value_float(CD_TYPE_FLOAT64, d);
        return 0;
    }
    return -1;
}

/* Values' ISO 8601 literals, told apart by length as Kafka does. */
static int parse_temporal(const char *text, cd_schema_t **schema, cd_value_t **value)
{
    static const struct {
        size_t len;
        const char *pattern;
        const char *logical;
    } forms[] = {
        {13, "HH:mm:ss.SSS'Z'", SMT_LOGICAL_TIME},
        {24, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", SMT_LOGICAL_TIMESTAMP},
        {10, "yyyy-MM-dd", SMT_LOGICAL_DATE},
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
        if (strlen(text) != forms[i].len) {
            continue;
        }
        char why[128];
        java_date_t *fmt = java_date_compile(forms[i].pattern, why, sizeof(why));
        int64_t ms;
        int rc = fmt ? java_date_parse(fmt, text, &ms) : -1;
        java_date_free(fmt);
        if (rc < 0) {
            return -1;
        }
        bool is_ts = strcmp(forms[i].logical, SMT_LOGICAL_TIMESTAMP) == 0;
        *schema = data_schema_new(is_ts ? CD_TYPE_INT64 : CD_TYPE_INT32, false);
        data_schema_set_name(*schema, forms[i].logical);
        data_schema_set_version(*schema, 1);
        if (strcmp(forms[i].logical, SMT_LOGICAL_DATE) == 0) {
            *value = data_value_int(CD_TYPE_INT32, java_date_floor_div(ms, JAVA_DATE_MS_PER_DAY));
        } else if (strcmp(forms[i].logical, SMT_LOGICAL_TIME) == 0) {
            *value = data_value_int(CD_TYPE_INT32, java_date_floor_mod(ms, JAVA_DATE_MS_PER_DAY));
        } else {
            *value = data_value_int(CD_TYPE_INT64, ms);
        }
        return 0;
    }
    return -1;
}

static void values_parse_string(const char *text, cd_schema_t **schema, cd_value_t **value)
{
    if (strcmp(text, "null") == 0) {
        *schema = NULL;
        *value = data_value_null();
        return;
    }
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        *schema = data_schema_new(CD_TYPE_BOOLEAN, false);
        *value = data_value_bool(text[0] == 't');
        return;
    }
    if (isdigit((unsigned char)text[0]) && parse_temporal(text, schema, value) == 0) {
        return;
    }
    bool numeric = isdigit((unsigned char)text[0]) || text[0] == '+' || text[0] == '-';
    if (numeric && parse_number(text, schema, value) == 0) {
        return;
    }
    *schema = data_schema_new(CD_TYPE_STRING, false);
    *value = data_value_string(text, strlen(text));
}

/* ---- the transform ------------------------------------------------------------- */

static void insert_header_destroy(void *instance)
{
    insert_header_t *ih = instance;
    if (ih) {
        free(ih->header);
        data_schema_unref(ih->schema);
        data_value_free(ih->value);
        free(ih);
    }
}

static void *insert_header_create(const properties_t *config, transform_target_t target, char *errstr,
                                  size_t errstr_size)
{
    (void)target;
    insert_header_t *ih = calloc(1, sizeof(*ih));
    char *literal = smt_trimmed_copy(smt_config(config, "value.literal", ""));
    if (!ih || !literal || !(ih->header = smt_trimmed_copy(smt_config(config, "header", "")))) {
        snprintf(errstr, errstr_size, "out of memory");
        free(literal);
        insert_header_destroy(ih);
        return NULL;
    }
    values_parse_string(literal, &ih->schema, &ih->value);
    free(literal);
    return ih;
}

static int insert_header_apply(void *instance, cd_record_t *rec, cd_record_t **out, char *errstr,
                               size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    insert_header_t *ih = instance;
    data_record_add_header(rec, ih->header, ih->schema ? data_schema_ref(ih->schema) : NULL,
                           data_value_copy(ih->value));
    *out = rec;
    return 0;
}

const transform_def_t transform_insert_header = {
    .name = "InsertHeader",
    .package = SMT_PACKAGE,
    .doc = "Add a header to each record.",
    .config = insert_header_config,
    .create = insert_header_create,
    .apply = insert_header_apply,
    .destroy = insert_header_destroy,
};
