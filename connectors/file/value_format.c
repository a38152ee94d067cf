/*
 * value_format.c - Java toString() text of Connect values (value_format.h).
 *
 * Floating point follows Double.toString / Float.toString of current JDKs:
 * the shortest decimal that reads back as the same number, in plain
 * notation when 10^-3 <= |x| < 10^7 ("0.001", "1234567.0") and computerized
 * scientific notation otherwise ("1.0E7", "1.0E-4"); always a digit after
 * the point; "NaN", "Infinity", "-Infinity".
 */
#include "value_format.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

int strbuf_append(strbuf_t *sb, const void *data, size_t len)
{
    if (sb->cap - sb->len < len + 1) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap - sb->len < len + 1) {
            cap *= 2;
        }
        char *p = realloc(sb->data, cap);
        if (p == NULL) {
            return -1;
        }
        sb->data = p;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

static int append_str(strbuf_t *sb, const char *s)
{
    return strbuf_append(sb, s, strlen(s));
}

/* The shortest digits of x (positive, finite) that read back as x in its
 * own precision: digits without the point into d, decimal exponent of the
 * first digit into *exp10. */
static void shortest_digits(double x, bool single, char d[24], int *exp10)
{
    char txt[40];
    int max = single ? 9 : 17;
    for (int prec = 1; prec <= max; prec++) {
        snprintf(txt, sizeof(txt), "%.*e", prec - 1, x);
        if (single ? strtof(txt, NULL) == (float)x : strtod(txt, NULL) == x) {
            break;
        }
    }
    /* txt is "D.DDDe+NN" (or "De+NN" for one digit). */
    size_t n = 0;
    const char *p = txt;
    for (; *p != 'e'; p++) {
        if (*p != '.') {
            d[n++] = *p;
        }
    }
    while (n > 1 && d[n - 1] == '0') {
        n--;
    }
    d[n] = '\0';
    *exp10 = atoi(p + 1);
}

static int append_float(strbuf_t *sb, double x, bool single)
{
    if (isnan(x)) {
        return append_str(sb, "NaN");
    }
    if (isinf(x)) {
        return append_str(sb, x > 0 ? "Infinity" : "-Infinity");
    }
    if (x == 0) {
        return append_str(sb, signbit(x) ? "-0.0" : "0.0");
    }
    char d[24], out[64];
    int e;
    shortest_digits(fabs(x), single, d, &e);
    int n = (int)strlen(d);
    size_t o = 0;
    if (x < 0) {
        out[o++] = '-';
    }
    if (e >= -3 && e < 7) {
        if (e < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = -1; i > e; i--) {
                out[o++] = '0';
            }
            memcpy(out + o, d, (size_t)n);
            o += (size_t)n;
        } else {
            for (int i = 0; i <= e; i++) {
                out[o++] = i < n ? d[i] : '0';
            }
            out[o++] = '.';
            if (n > e + 1) {
                memcpy(out + o, d + e + 1, (size_t)(n - e - 1));
                o += (size_t)(n - e - 1);
            } else {
                out[o++] = '0';
            }
        }
        out[o] = '\0';
    } else {
        snprintf(out + o, sizeof(out) - o, "%c.%sE%d", d[0], n > 1 ? d + 1 : "0", e);
    }
    return append_str(sb, out);
}

static int append_base64(strbuf_t *sb, const unsigned char *p, size_t len)
{
    char *text = malloc(base64_encoded_len(len) + 1);
    if (!text) {
        return -1;
    }
    size_t n = base64_encode(p, len, text);
    int rc = strbuf_append(sb, text, n);
    free(text);
    return rc;
}

static int format(const cd_host_api_t *host, const cd_value_t *v, const cd_schema_t *schema, bool top,
                  strbuf_t *sb)
{
    char num[32];
    size_t len;
    int rc = 0;
    cd_type_t type = v == NULL ? CD_TYPE_NULL : host->value_type(v);
    switch (type) {
    case CD_TYPE_NULL:
        return append_str(sb, "null");
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        snprintf(num, sizeof(num), "%" PRId64, host->value_get_int(v));
        return append_str(sb, num);
    case CD_TYPE_FLOAT32:
    case CD_TYPE_FLOAT64:
        return append_float(sb, host->value_get_float(v), type == CD_TYPE_FLOAT32);
    case CD_TYPE_BOOLEAN:
        return append_str(sb, host->value_get_bool(v) ? "true" : "false");
    case CD_TYPE_STRING: {
        const char *s = host->value_get_string(v, &len);
        return strbuf_append(sb, s, len);
    }
    case CD_TYPE_BYTES: {
        const void *b = host->value_get_bytes(v, &len);
        return top ? strbuf_append(sb, b, len) : append_base64(sb, b, len);
    }
    case CD_TYPE_ARRAY: {
        const cd_schema_t *items = schema ? host->schema_items(schema) : NULL;
        size_t n = host->value_count(v);
        rc = append_str(sb, "[");
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0 && append_str(sb, ", ") != 0) {
                return -1;
            }
            rc = format(host, host->value_array_at(v, i), items, false, sb);
        }
        return rc != 0 ? rc : append_str(sb, "]");
    }
    case CD_TYPE_MAP: {
        const cd_schema_t *ks = schema ? host->schema_keys(schema) : NULL;
        const cd_schema_t *vs = schema ? host->schema_values(schema) : NULL;
        size_t n = host->value_count(v);
        rc = append_str(sb, "{");
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0 && append_str(sb, ", ") != 0) {
                return -1;
            }
            rc = format(host, host->value_map_key_at(v, i), ks, false, sb);
            if (rc == 0) {
                rc = append_str(sb, "=");
            }
            if (rc == 0) {
                rc = format(host, host->value_map_value_at(v, i), vs, false, sb);
            }
        }
        return rc != 0 ? rc : append_str(sb, "}");
    }
    case CD_TYPE_STRUCT: {
        if (schema == NULL) {
            return -2;
        }
        bool first = true;
        int n = host->schema_field_count(schema);
        rc = append_str(sb, "Struct{");
        for (int i = 0; i < n && rc == 0; i++) {
            const char *name = host->schema_field_name(schema, i);
            const cd_value_t *fv = host->value_struct_get(v, name);
            if (fv == NULL || host->value_type(fv) == CD_TYPE_NULL) {
                continue; /* Struct.toString leaves null fields out */
            }
            if ((!first && append_str(sb, ",") != 0) || append_str(sb, name) != 0 || append_str(sb, "=") != 0) {
                return -1;
            }
            rc = format(host, fv, host->schema_field_schema(schema, i), false, sb);
            first = false;
        }
        return rc != 0 ? rc : append_str(sb, "}");
    }
    }
    return -2; /* a type newer than this plugin */
}

int value_format_java(const cd_host_api_t *host, const cd_value_t *value, const cd_schema_t *schema,
                      strbuf_t *out)
{
    size_t mark = out->len;
    int rc = format(host, value, schema, true, out);
    if (rc != 0) {
        out->len = mark;
    }
    return rc;
}
