/*
 * jdbc_sink_value.c - Connect values as parameter text (jdbc_sink_value.h).
 *
 * Dates are proleptic Gregorian on both sides (Connect counts days since
 * 1970-01-01, PostgreSQL reads ISO dates), years before 1 written with
 * PostgreSQL's " BC" (year 0 is 1 BC).  Decimals are converted digit by
 * digit from the unscaled two's complement bytes, so any precision is
 * exact.
 */
#include "jdbc_sink_value.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MS_PER_DAY INT64_C(86400000)

/* ---- the buffer ----------------------------------------------------------------------- */

void jdbc_buf_reset(jdbc_buf_t *b)
{
    b->len = 0;
}

void jdbc_buf_free(jdbc_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void reserve(jdbc_buf_t *b, size_t more)
{
    if (b->len + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) {
        cap *= 2;
    }
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

static void put(jdbc_buf_t *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void putc_(jdbc_buf_t *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = c;
}

static void putf(jdbc_buf_t *b, const char *fmt, ...) CD_PRINTF(2, 3);

static void putf(jdbc_buf_t *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void jdbc_copy_field(jdbc_buf_t *b, const char *text)
{
    if (!text) {
        put(b, "\\N", 2);
        return;
    }
    size_t n = strlen(text);
    reserve(b, 2 * n);
    for (const char *p = text; *p; p++) {
        char esc = *p == '\\' ? '\\' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : 0;
        if (esc) {
            b->data[b->len++] = '\\';
            b->data[b->len++] = esc;
        } else {
            b->data[b->len++] = *p;
        }
    }
}

void jdbc_copy_field_end(jdbc_buf_t *b, bool last)
{
    putc_(b, last ? '\n' : '\t');
}

_Static_assert(JDBC_COPY_CHUNK <= INT_MAX, "a COPY piece's length must fit PQputCopyData's int");

int jdbc_copy_send(const char *data, size_t len, size_t max, jdbc_copy_put_fn put_fn, void *arg)
{
    for (size_t done = 0; done < len;) {
        size_t n = len - done < max ? len - done : max;
        if (put_fn(arg, data + done, (int)n) != 1) {
            return -1;
        }
        done += n;
    }
    return 0;
}

/* ---- formats -------------------------------------------------------------------------- */

static const char *type_name(cd_type_t t)
{
    static const char *const names[] = {"NULL",    "INT8",   "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",   "STRUCT"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "UNKNOWN";
}

static int primitive_kind(cd_type_t t, jdbc_fmt_kind_t *kind)
{
    switch (t) {
    case CD_TYPE_INT8:
    case CD_TYPE_INT16:
    case CD_TYPE_INT32:
    case CD_TYPE_INT64:
        *kind = JDBC_FMT_INT;
        return 0;
    case CD_TYPE_FLOAT32:
        *kind = JDBC_FMT_FLOAT32;
        return 0;
    case CD_TYPE_FLOAT64:
        *kind = JDBC_FMT_FLOAT64;
        return 0;
    case CD_TYPE_BOOLEAN:
        *kind = JDBC_FMT_BOOL;
        return 0;
    case CD_TYPE_STRING:
        *kind = JDBC_FMT_STRING;
        return 0;
    case CD_TYPE_BYTES:
        *kind = JDBC_FMT_BYTES;
        return 0;
    default:
        return -1;
    }
}

int jdbc_fmt_for(const cd_host_api_t *host, const cd_schema_t *schema, bool epoch, bool nanos, const pgc_tz_t *tz,
                 bool dates_in_tz, jdbc_fmt_t *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    cd_type_t type = host->schema_type(schema);
    const char *name = host->schema_name(schema);
    if (name && strcmp(name, JDBC_LOGICAL_DECIMAL) == 0 && type == CD_TYPE_BYTES) {
        const char *scale = host->schema_parameter(schema, "scale");
        out->kind = JDBC_FMT_DECIMAL;
        out->scale = 0;
        if (scale) {
            /* The record's own schema says it: a scale beyond what a
             * PostgreSQL numeric can hold would have each value written
             * with that many zeros. */
            char *end;
            errno = 0;
            long v = strtol(scale, &end, 10);
            if (!*scale || *end || errno == ERANGE || v < -16383 || v > 16383) {
                snprintf(errbuf, errlen, "Decimal scale '%s' is not an integer from -16383 to 16383", scale);
                return -1;
            }
            out->scale = (int32_t)v;
        }
        return 0;
    }
    if (name && strcmp(name, JDBC_LOGICAL_DATE) == 0 && type == CD_TYPE_INT32) {
        out->kind = JDBC_FMT_DATE;
        out->tz = dates_in_tz ? tz : NULL;
        return 0;
    }
    if (name && strcmp(name, JDBC_LOGICAL_TIME) == 0 && type == CD_TYPE_INT32) {
        out->kind = JDBC_FMT_TIME;
        out->tz = tz;
        return 0;
    }
    if (name && strcmp(name, JDBC_LOGICAL_TIMESTAMP) == 0 && type == CD_TYPE_INT64) {
        out->kind = JDBC_FMT_TIMESTAMP;
        out->tz = tz;
        return 0;
    }
    if (epoch && (type == CD_TYPE_INT64 || type == CD_TYPE_STRING)) {
        out->kind = nanos ? JDBC_FMT_EPOCH_NANOS : JDBC_FMT_EPOCH_MICROS;
        out->tz = tz;
        return 0;
    }
    if (primitive_kind(type, &out->kind) == 0) {
        return 0;
    }
    if (type == CD_TYPE_ARRAY) {
        /* pgJDBC's primitive arrays, as Confluent's PostgreSQL dialect binds them. */
        cd_type_t items = host->schema_type(host->schema_items(schema));
        if (primitive_kind(items, &out->elem) == 0 && out->elem != JDBC_FMT_BYTES) {
            out->kind = JDBC_FMT_ARRAY;
            return 0;
        }
    }
    snprintf(errbuf, errlen, "Unsupported source data type: %s", type_name(type));
    return -1;
}

/* ---- numbers -------------------------------------------------------------------------- */

/* The shortest text that reads back as the same float or double. */
static void float_text(double v, bool f32, jdbc_buf_t *b)
{
    if (isnan(v)) {
        put(b, "NaN", 3);
        return;
    }
    if (isinf(v)) {
        v > 0 ? put(b, "Infinity", 8) : put(b, "-Infinity", 9);
        return;
    }
    char tmp[40];
    if (f32) {
        float f = (float)v;
        for (int prec = 6; prec <= 9; prec++) {
            snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)f);
            if (strtof(tmp, NULL) == f) {
                break;
            }
        }
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
            if (strtod(tmp, NULL) == v) {
                break;
            }
        }
    }
    put(b, tmp, strlen(tmp));
}

void jdbc_decimal_text(const unsigned char *bytes, size_t len, int32_t scale, jdbc_buf_t *b)
{
    bool negative = len > 0 && (bytes[0] & 0x80);
    unsigned char *mag = xmemdup(bytes, len);
    if (negative) {
        /* Two's complement: invert, add one. */
        for (size_t i = 0; i < len; i++) {
            mag[i] = (unsigned char)~mag[i];
        }
        for (size_t i = len; i-- > 0;) {
            if (++mag[i] != 0) {
                break;
            }
        }
    }
    /* Base 256 to base 10^9, by repeated division. */
    size_t nlimbs = 0, cap = len / 3 + 2;
    uint32_t *limbs = xmalloc(cap * sizeof(*limbs));
    size_t start = 0;
    while (start < len) {
        uint64_t rem = 0;
        for (size_t i = start; i < len; i++) {
            uint64_t cur = (rem << 8) | mag[i];
            mag[i] = (unsigned char)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        limbs[nlimbs++] = (uint32_t)rem;
        while (start < len && mag[start] == 0) {
            start++;
        }
    }
    char *digits = xmalloc(nlimbs * 9 + 2);
    size_t nd = 0;
    if (nlimbs == 0) {
        digits[nd++] = '0';
    } else {
        nd = (size_t)snprintf(digits, 12, "%" PRIu32, limbs[nlimbs - 1]);
        for (size_t i = nlimbs - 1; i-- > 0;) {
            nd += (size_t)snprintf(digits + nd, 10, "%09" PRIu32, limbs[i]);
        }
    }
    if (negative) {
        putc_(b, '-');
    }
    if (scale <= 0) {
        put(b, digits, nd);
        for (int32_t i = 0; i < -scale && !(nd == 1 && digits[0] == '0'); i++) {
            putc_(b, '0');
        }
    } else if ((size_t)scale >= nd) {
        put(b, "0.", 2);
        for (size_t i = nd; i < (size_t)scale; i++) {
            putc_(b, '0');
        }
        put(b, digits, nd);
    } else {
        put(b, digits, nd - (size_t)scale);
        putc_(b, '.');
        put(b, digits + nd - (size_t)scale, (size_t)scale);
    }
    free(digits);
    free(limbs);
    free(mag);
}

/* ---- dates and times ------------------------------------------------------------------ */

/* Howard Hinnant's civil_from_days: proleptic Gregorian, any int64 day. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* The date part; returns whether the year is BC (the caller ends the text
 * with " BC"). */
static bool date_part(int64_t days, jdbc_buf_t *b)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    bool bc = y <= 0;
    putf(b, "%04" PRId64 "-%02u-%02u", bc ? 1 - y : y, m, d);
    return bc;
}

void jdbc_date_text(int64_t days, jdbc_buf_t *b)
{
    if (date_part(days, b)) {
        put(b, " BC", 3);
    }
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A UTC offset in seconds as PostgreSQL reads it after a time: "+02",
 * "-05:30", "+00:09:21". */
static void offset_text(int32_t off, jdbc_buf_t *b)
{
    char sign = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    putf(b, "%c%02d", sign, (int)(a / 3600));
    if (a % 3600) {
        putf(b, ":%02d", (int)(a / 60 % 60));
    }
    if (a % 60) {
        putf(b, ":%02d", (int)(a % 60));
    }
}

/* `units` per second (1000, 10^6 or 10^9) since the epoch as the wall
 * clock of tz (NULL: UTC) with its offset there, the fraction in as many
 * digits. */
static void timestamp_text(int64_t t, int64_t units, int digits, const pgc_tz_t *tz, jdbc_buf_t *b)
{
    int64_t secs = floor_div(t, units), frac = t - secs * units;
    int32_t off = tz ? pgc_tz_offset_at(tz, secs) : 0;
    secs += off;
    int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
    bool bc = date_part(days, b);
    putf(b, " %02d:%02d:%02d.%0*" PRId64, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), digits, frac);
    offset_text(off, b);
    if (bc) {
        put(b, " BC", 3);
    }
}

/* An epoch count given as a string (timestamp.fields.list): digits with an
 * optional sign, as Long.parseLong. */
static int parse_epoch(const char *s, size_t len, int64_t *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof(tmp)) {
        return -1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end || errno) {
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- values --------------------------------------------------------------------------- */

static int check_string(const char *s, size_t len, char *errbuf, size_t errlen)
{
    if (memchr(s, '\0', len)) {
        snprintf(errbuf, errlen, "the string has a NUL character (U+0000), which PostgreSQL's text types cannot hold");
        return -1;
    }
    return 0;
}

static bool is_int(cd_type_t t)
{
    return t >= CD_TYPE_INT8 && t <= CD_TYPE_INT64;
}

static int wrong_type(const jdbc_fmt_t *fmt, cd_type_t t, char *errbuf, size_t errlen)
{
    snprintf(errbuf, errlen, "a %s value where the schema says %s", type_name(t),
             fmt->kind == JDBC_FMT_ARRAY ? "ARRAY" : "another type");
    return -1;
}

/* An array element as PostgreSQL's array input reads it. */
static int array_elem(const cd_host_api_t *host, jdbc_fmt_kind_t kind, const cd_value_t *v, jdbc_buf_t *b, char *errbuf,
                      size_t errlen)
{
    cd_type_t t = v ? host->value_type(v) : CD_TYPE_NULL;
    if (t == CD_TYPE_NULL) {
        put(b, "NULL", 4);
        return 0;
    }
    switch (kind) {
    case JDBC_FMT_INT:
        if (!is_int(t)) {
            break;
        }
        putf(b, "%" PRId64, host->value_get_int(v));
        return 0;
    case JDBC_FMT_FLOAT32:
    case JDBC_FMT_FLOAT64:
        if (t != CD_TYPE_FLOAT32 && t != CD_TYPE_FLOAT64) {
            break;
        }
        float_text(host->value_get_float(v), kind == JDBC_FMT_FLOAT32, b);
        return 0;
    case JDBC_FMT_BOOL:
        if (t != CD_TYPE_BOOLEAN) {
            break;
        }
        put(b, host->value_get_bool(v) ? "t" : "f", 1);
        return 0;
    case JDBC_FMT_STRING: {
        if (t != CD_TYPE_STRING) {
            break;
        }
        size_t len;
        const char *s = host->value_get_string(v, &len);
        if (check_string(s, len, errbuf, errlen) < 0) {
            return -1;
        }
        putc_(b, '"');
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '"' || s[i] == '\\') {
                putc_(b, '\\');
            }
            putc_(b, s[i]);
        }
        putc_(b, '"');
        return 0;
    }
    default:
        break;
    }
    snprintf(errbuf, errlen, "an array element of type %s where the schema says another", type_name(t));
    return -1;
}

void jdbc_value_int_text(int64_t n, jdbc_buf_t *b, size_t *off)
{
    *off = b->len;
    putf(b, "%" PRId64, n);
    putc_(b, '\0');
}

int jdbc_value_string_text(const char *s, size_t len, jdbc_buf_t *b, size_t *off, char *errbuf, size_t errlen)
{
    if (check_string(s, len, errbuf, errlen) < 0) {
        return -1;
    }
    *off = b->len;
    put(b, s, len);
    putc_(b, '\0');
    return 0;
}

int jdbc_value_text(const cd_host_api_t *host, const jdbc_fmt_t *fmt, const cd_value_t *v, jdbc_buf_t *b, size_t *off,
                    char *errbuf, size_t errlen)
{
    cd_type_t t = v ? host->value_type(v) : CD_TYPE_NULL;
    if (t == CD_TYPE_NULL) {
        return 1;
    }
    size_t start = b->len;
    *off = start;
    switch (fmt->kind) {
    case JDBC_FMT_INT:
        if (!is_int(t)) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        putf(b, "%" PRId64, host->value_get_int(v));
        break;
    case JDBC_FMT_FLOAT32:
    case JDBC_FMT_FLOAT64:
        if (t != CD_TYPE_FLOAT32 && t != CD_TYPE_FLOAT64) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        float_text(host->value_get_float(v), fmt->kind == JDBC_FMT_FLOAT32, b);
        break;
    case JDBC_FMT_BOOL:
        if (t != CD_TYPE_BOOLEAN) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        host->value_get_bool(v) ? put(b, "true", 4) : put(b, "false", 5);
        break;
    case JDBC_FMT_STRING: {
        if (t != CD_TYPE_STRING) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        size_t len;
        const char *s = host->value_get_string(v, &len);
        return jdbc_value_string_text(s, len, b, off, errbuf, errlen);
    }
    case JDBC_FMT_BYTES: {
        if (t != CD_TYPE_BYTES) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        static const char hex[] = "0123456789abcdef";
        size_t len;
        const unsigned char *p = host->value_get_bytes(v, &len);
        reserve(b, 2 + 2 * len);
        b->data[b->len++] = '\\';
        b->data[b->len++] = 'x';
        for (size_t i = 0; i < len; i++) {
            b->data[b->len++] = hex[p[i] >> 4];
            b->data[b->len++] = hex[p[i] & 15];
        }
        break;
    }
    case JDBC_FMT_DECIMAL: {
        if (t != CD_TYPE_BYTES) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        size_t len;
        const unsigned char *p = host->value_get_bytes(v, &len);
        jdbc_decimal_text(p, len, fmt->scale, b);
        break;
    }
    case JDBC_FMT_DATE:
        if (!is_int(t)) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        if (fmt->tz) {
            timestamp_text(host->value_get_int(v) * MS_PER_DAY, 1000, 3, fmt->tz, b);
        } else {
            jdbc_date_text(host->value_get_int(v), b);
        }
        break;
    case JDBC_FMT_TIME: {
        if (!is_int(t)) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        /* The time of day on 1970-01-01, as java.sql.Time is, on the wall
         * clock of the zone. */
        int64_t ms = host->value_get_int(v);
        int32_t zoff = fmt->tz ? pgc_tz_offset_at(fmt->tz, floor_div(ms, 1000)) : 0;
        int64_t tod = ms + zoff * INT64_C(1000);
        tod -= floor_div(tod, MS_PER_DAY) * MS_PER_DAY;
        putf(b, "%02d:%02d:%02d.%03d", (int)(tod / 3600000), (int)(tod / 60000 % 60), (int)(tod / 1000 % 60),
             (int)(tod % 1000));
        offset_text(zoff, b);
        break;
    }
    case JDBC_FMT_TIMESTAMP:
        if (!is_int(t)) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        timestamp_text(host->value_get_int(v), 1000, 3, fmt->tz, b);
        break;
    case JDBC_FMT_EPOCH_MICROS:
    case JDBC_FMT_EPOCH_NANOS: {
        bool nanos = fmt->kind == JDBC_FMT_EPOCH_NANOS;
        int64_t n;
        if (is_int(t)) {
            n = host->value_get_int(v);
        } else if (t == CD_TYPE_STRING) {
            size_t len;
            const char *s = host->value_get_string(v, &len);
            if (parse_epoch(s, len, &n) < 0) {
                snprintf(errbuf, errlen, "'%.*s' is not a count of %s since the epoch (timestamp.fields.list)",
                         (int)(len < 64 ? len : 64), s, nanos ? "nanoseconds" : "microseconds");
                return -1;
            }
        } else {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        timestamp_text(n, nanos ? 1000000000 : 1000000, nanos ? 9 : 6, fmt->tz, b);
        break;
    }
    case JDBC_FMT_ARRAY: {
        if (t != CD_TYPE_ARRAY) {
            return wrong_type(fmt, t, errbuf, errlen);
        }
        putc_(b, '{');
        size_t n = host->value_count(v);
        for (size_t i = 0; i < n; i++) {
            if (i) {
                putc_(b, ',');
            }
            if (array_elem(host, fmt->elem, host->value_array_at(v, i), b, errbuf, errlen) < 0) {
                b->len = start;
                return -1;
            }
        }
        putc_(b, '}');
        break;
    }
    }
    putc_(b, '\0');
    return 0;
}
