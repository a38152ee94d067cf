/*
 * es_buf.c - the growable buffer and JSON token writer of es_buf.h.
 */
#include "es_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

void es_buf_init(es_buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void es_buf_free(es_buf_t *b)
{
    free(b->data);
    es_buf_init(b);
}

void es_buf_reset(es_buf_t *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

char *es_buf_steal(es_buf_t *b, size_t *len)
{
    char *data = b->data;
    if (len) {
        *len = b->len;
    }
    es_buf_init(b);
    return data;
}

static void reserve(es_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    b->data = realloc(b->data, cap);
    if (!b->data) {
        abort();
    }
    b->cap = cap;
}

void es_buf_put(es_buf_t *b, const void *data, size_t len)
{
    reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void es_buf_puts(es_buf_t *b, const char *s)
{
    es_buf_put(b, s, strlen(s));
}

void es_buf_putc(es_buf_t *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void es_buf_printf(es_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void es_buf_json_string(es_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    reserve(b, len + 2);
    b->data[b->len++] = '"';
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        es_buf_put(b, s + i - run, run);
        run = 0;
        char esc[7] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
            break;
        }
        es_buf_put(b, esc, n);
    }
    es_buf_put(b, s + len - run, run);
    es_buf_putc(b, '"');
}

/* The decimal digits of u, written backwards from end; returns the first. */
static char *digits_before(char *end, uint64_t u)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

void es_buf_json_int(es_buf_t *b, int64_t v)
{
    char text[24], *end = text + sizeof(text);
    /* The magnitude as unsigned, so INT64_MIN has one too. */
    char *p = digits_before(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0) {
        *--p = '-';
    }
    es_buf_put(b, p, (size_t)(end - p));
}

/* NaN and the infinities as Java's Double.toString names them. */
static bool put_non_finite(es_buf_t *b, double v)
{
    if (isnan(v)) {
        es_buf_puts(b, "\"NaN\"");
    } else if (isinf(v)) {
        es_buf_puts(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    } else {
        return false;
    }
    return true;
}

/* A whole number gets ".0", as Jackson writes a double, so that dynamic
 * mapping makes the field a float, not a long. */
static void put_shortest(es_buf_t *b, char *text)
{
    es_buf_puts(b, text);
    if (!strpbrk(text, ".eEn")) {
        es_buf_puts(b, ".0");
    }
}

/* What "%.15g" prints for v, when v is a decimal of at most 15
 * significant digits in [1e-4, 1e15) (prices, quantities, measures),
 * without printf: m / 10^k == v for the smallest such k, with m and 10^k
 * exact doubles, means v rounded to 15 digits is m * 10^-k, which %g
 * prints in fixed notation without trailing zeros.  False for the rest,
 * which go to printf. */
static bool put_short_decimal(es_buf_t *b, double v)
{
    static const double tens[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15)) {
        return false;
    }
    for (int k = 0; k < 16; k++) {
        double scaled = a * tens[k];
        if (scaled >= 1e15) {
            return false;
        }
        uint64_t m = (uint64_t)(scaled + 0.5);
        if ((double)m / tens[k] != a) {
            continue;
        }
        char text[40], *end = text + sizeof(text), *p = end;
        uint64_t unit = (uint64_t)tens[k];
        if (k > 0) {
            p = digits_before(end, m % unit);
            while (end - p < k) {
                *--p = '0';
            }
            *--p = '.';
        }
        p = digits_before(p, m / unit);
        if (v < 0) {
            *--p = '-';
        }
        es_buf_put(b, p, (size_t)(end - p));
        if (k == 0) {
            es_buf_puts(b, ".0"); /* as put_shortest: a whole number is a double */
        }
        return true;
    }
    return false;
}

void es_buf_json_double(es_buf_t *b, double v)
{
    if (put_non_finite(b, v) || put_short_decimal(b, v)) {
        return;
    }
    char text[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, v);
        if (strtod(text, NULL) == v) {
            break;
        }
    }
    put_shortest(b, text);
}

void es_buf_json_float(es_buf_t *b, float v)
{
    if (put_non_finite(b, v)) {
        return;
    }
    char text[40];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, (double)v);
        if (strtof(text, NULL) == v) {
            break;
        }
    }
    put_shortest(b, text);
}

void es_buf_json_base64(es_buf_t *b, const void *data, size_t len)
{
    size_t n = base64_encoded_len(len);
    reserve(b, n + 2);
    b->data[b->len++] = '"';
    b->len += base64_encode(data, len, b->data + b->len);
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
}
