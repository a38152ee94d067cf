/*
 * java_date.c - a SimpleDateFormat subset in UTC (java_date.h).
 *
 * A pattern compiles to a list of tokens, each literal text or one pattern
 * letter with its repeat count ("yyyy" is y x4).  Formatting splits the
 * instant into a proleptic Gregorian civil date and a time of day (Howard
 * Hinnant's days_from_civil / civil_from_days, exact for any int64 day
 * count we meet) and writes each token.  Parsing walks the same tokens over
 * the text, collecting fields, and rebuilds the instant the way a lenient
 * java.util.Calendar does: fields out of range simply carry into the next
 * larger one, because the arithmetic below never clamps.
 */
#include "java_date.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct date_token {
    char letter; /* 0: literal text */
    int count;
    char *text; /* the literal, for letter 0 */
} date_token_t;

struct java_date {
    char *pattern;
    date_token_t *tokens;
    size_t count;
};

static const char *const month_long[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
static const char *const month_short[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_long[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const day_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Java's legal letters minus w and W, whose values depend on the JVM's
 * locale (first day of week, minimal days in the first week). */
#define JAVA_LETTERS "GyMdkHmsSEDFwWahKzZYuXL"
#define SUPPORTED_LETTERS "GyMdkHmsSEDFahKzZYuXL"

int64_t java_date_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t java_date_floor_mod(int64_t a, int64_t b)
{
    return a - java_date_floor_div(a, b) * b;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = java_date_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    days += 719468;
    int64_t era = java_date_floor_div(days, 146097);
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ---- compiling ------------------------------------------------------------------ */

static int add_token(java_date_t *fmt, char letter, int count, const char *text, size_t len)
{
    date_token_t *grown = realloc(fmt->tokens, (fmt->count + 1) * sizeof(*grown));
    if (!grown) {
        return -1;
    }
    fmt->tokens = grown;
    date_token_t *tok = &fmt->tokens[fmt->count];
    *tok = (date_token_t){letter, count, NULL};
    if (!letter) {
        /* Adjacent literals merge, as Java's compiled pattern does. */
        if (fmt->count > 0 && fmt->tokens[fmt->count - 1].letter == 0) {
            date_token_t *prev = &fmt->tokens[fmt->count - 1];
            size_t old = strlen(prev->text);
            char *joined = realloc(prev->text, old + len + 1);
            if (!joined) {
                return -1;
            }
            memcpy(joined + old, text, len);
            joined[old + len] = '\0';
            prev->text = joined;
            return 0;
        }
        tok->text = strndup(text, len);
        if (!tok->text) {
            return -1;
        }
    }
    fmt->count++;
    return 0;
}

java_date_t *java_date_compile(const char *pattern, char *errstr, size_t errstr_size)
{
    java_date_t *fmt = calloc(1, sizeof(*fmt));
    if (!fmt || !(fmt->pattern = strdup(pattern))) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    for (const char *p = pattern; *p;) {
        if (*p == '\'') {
            if (p[1] == '\'') { /* '' outside quotes: one quote */
                if (add_token(fmt, 0, 0, "'", 1) < 0) {
                    goto oom;
                }
                p += 2;
                continue;
            }
            p++;
            for (;;) {
                if (!*p) {
                    snprintf(errstr, errstr_size, "Unterminated quote");
                    goto fail;
                }
                if (*p == '\'' && p[1] == '\'') {
                    if (add_token(fmt, 0, 0, "'", 1) < 0) {
                        goto oom;
                    }
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    size_t n = strcspn(p, "'");
                    if (add_token(fmt, 0, 0, p, n) < 0) {
                        goto oom;
                    }
                    p += n;
                }
            }
        } else if (isalpha((unsigned char)*p)) {
            char letter = *p;
            int count = 0;
            while (*p == letter) {
                count++;
                p++;
            }
            if (!strchr(JAVA_LETTERS, letter)) {
                snprintf(errstr, errstr_size, "Illegal pattern character '%c'", letter);
                goto fail;
            }
            if (!strchr(SUPPORTED_LETTERS, letter)) {
                snprintf(errstr, errstr_size,
                         "pattern letter '%c' (week numbers depend on the JVM's locale) is not supported", letter);
                goto fail;
            }
            if (letter == 'X' && count > 3) {
                snprintf(errstr, errstr_size, "invalid ISO 8601 format: length=%d", count);
                goto fail;
            }
            if (add_token(fmt, letter, count, NULL, 0) < 0) {
                goto oom;
            }
        } else {
            size_t n = 1;
            while (p[n] && p[n] != '\'' && !isalpha((unsigned char)p[n])) {
                n++;
            }
            if (add_token(fmt, 0, 0, p, n) < 0) {
                goto oom;
            }
            p += n;
        }
    }
    return fmt;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    java_date_free(fmt);
    return NULL;
}

void java_date_free(java_date_t *fmt)
{
    if (!fmt) {
        return;
    }
    for (size_t i = 0; i < fmt->count; i++) {
        free(fmt->tokens[i].text);
    }
    free(fmt->tokens);
    free(fmt->pattern);
    free(fmt);
}

const char *java_date_pattern(const java_date_t *fmt)
{
    return fmt->pattern;
}

/* ---- formatting ----------------------------------------------------------------- */

typedef struct out_buf {
    char *data;
    size_t len, cap;
    bool failed;
} out_buf_t;

static void out_append(out_buf_t *out, const char *s, size_t n)
{
    if (out->failed) {
        return;
    }
    if (out->len + n + 1 > out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        while (cap < out->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(out->data, cap);
        if (!grown) {
            out->failed = true;
            return;
        }
        out->data = grown;
        out->cap = cap;
    }
    memcpy(out->data + out->len, s, n);
    out->len += n;
    out->data[out->len] = '\0';
}

static void out_str(out_buf_t *out, const char *s)
{
    out_append(out, s, strlen(s));
}

/* Java's zeroPaddingNumber: at least `width` digits. */
static void out_number(out_buf_t *out, int64_t v, int width)
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%0*lld", width > 40 ? 40 : width, (long long)v);
    out_str(out, buf);
}

char *java_date_format(const java_date_t *fmt, int64_t ms)
{
    int64_t days = java_date_floor_div(ms, JAVA_DATE_MS_PER_DAY);
    int64_t tod = ms - days * JAVA_DATE_MS_PER_DAY;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    int hour = (int)(tod / 3600000), minute = (int)(tod / 60000 % 60), second = (int)(tod / 1000 % 60);
    int milli = (int)(tod % 1000);
    int wday = (int)java_date_floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    int64_t yday = days - days_from_civil(year, 1, 1) + 1;
    int64_t era_year = year > 0 ? year : 1 - year;

    out_buf_t out = {0};
    out_str(&out, "");
    for (size_t i = 0; i < fmt->count; i++) {
        const date_token_t *tok = &fmt->tokens[i];
        int n = tok->count;
        switch (tok->letter) {
        case 0:
            out_str(&out, tok->text);
            break;
        case 'G':
            out_str(&out, year > 0 ? "AD" : "BC");
            break;
        case 'y':
        case 'Y':
            if (n == 2) {
                out_number(&out, era_year % 100, 2);
            } else {
                out_number(&out, era_year, n);
            }
            break;
        case 'M':
        case 'L':
            if (n >= 4) {
                out_str(&out, month_long[month - 1]);
            } else if (n == 3) {
                out_str(&out, month_short[month - 1]);
            } else {
                out_number(&out, month, n);
            }
            break;
        case 'd':
            out_number(&out, day, n);
            break;
        case 'D':
            out_number(&out, yday, n);
            break;
        case 'E':
            out_str(&out, n >= 4 ? day_long[wday] : day_short[wday]);
            break;
        case 'u':
            out_number(&out, wday == 0 ? 7 : wday, n);
            break;
        case 'F':
            out_number(&out, (day - 1) / 7 + 1, n);
            break;
        case 'H':
            out_number(&out, hour, n);
            break;
        case 'k':
            out_number(&out, hour == 0 ? 24 : hour, n);
            break;
        case 'K':
            out_number(&out, hour % 12, n);
            break;
        case 'h':
            out_number(&out, hour % 12 == 0 ? 12 : hour % 12, n);
            break;
        case 'a':
            out_str(&out, hour < 12 ? "AM" : "PM");
            break;
        case 'm':
            out_number(&out, minute, n);
            break;
        case 's':
            out_number(&out, second, n);
            break;
        case 'S':
            out_number(&out, milli, n);
            break;
        case 'z':
            out_str(&out, n >= 4 ? "Coordinated Universal Time" : "UTC");
            break;
        case 'Z':
            out_str(&out, "+0000");
            break;
        case 'X':
            out_str(&out, "Z");
            break;
        }
    }
    if (out.failed) {
        free(out.data);
        return NULL;
    }
    return out.data;
}

/* ---- parsing -------------------------------------------------------------------- */

typedef struct parsed {
    int64_t year, month, day, yday, hour, minute, second, milli, offset_ms;
    bool bc, pm, have_ampm, hour12, have_month_or_day, have_yday;
} parsed_t;

static bool is_numeric_token(const date_token_t *tok)
{
    switch (tok->letter) {
    case 'y':
    case 'Y':
    case 'd':
    case 'D':
    case 'u':
    case 'F':
    case 'H':
    case 'k':
    case 'K':
    case 'h':
    case 'm':
    case 's':
    case 'S':
        return true;
    case 'M':
    case 'L':
        return tok->count <= 2;
    default:
        return false;
    }
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* A number: `width` digits at most when width > 0, else as many as there
 * are (with an optional minus).  Returns the end, or NULL for no digits. */
static const char *parse_number(const char *s, int width, int64_t *v, int *digits)
{
    bool neg = false;
    if (width == 0 && *s == '-') {
        neg = true;
        s++;
    }
    int64_t acc = 0;
    int n = 0;
    while (isdigit((unsigned char)*s) && (width == 0 || n < width)) {
        if (acc > (INT64_MAX - 9) / 10) {
            return NULL;
        }
        acc = acc * 10 + (*s - '0');
        s++;
        n++;
    }
    if (n == 0) {
        return NULL;
    }
    *v = neg ? -acc : acc;
    *digits = n;
    return s;
}

/* The longest case-insensitive match among names; its index, or -1. */
static int match_name(const char **s, const char *const *names, size_t count)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(names[i]);
        if (len > best_len && strncasecmp(*s, names[i], len) == 0) {
            best = (int)i;
            best_len = len;
        }
    }
    *s += best_len;
    return best;
}

/* [+-]hh, [+-]hhmm or [+-]hh:mm; the end, or NULL. */
static const char *parse_offset(const char *s, int64_t *offset_ms)
{
    if (*s != '+' && *s != '-') {
        return NULL;
    }
    int sign = *s == '-' ? -1 : 1;
    s++;
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) {
        return NULL;
    }
    int hh = (s[0] - '0') * 10 + (s[1] - '0');
    int mm = 0;
    s += 2;
    const char *t = *s == ':' ? s + 1 : s;
    if (isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1])) {
        mm = (t[0] - '0') * 10 + (t[1] - '0');
        s = t + 2;
    }
    if (hh > 23 || mm > 59) {
        return NULL;
    }
    *offset_ms = sign * (hh * 3600000LL + mm * 60000LL);
    return s;
}

static const char *parse_zone(const char *s, int64_t *offset_ms)
{
    static const char *const utc_names[] = {"Coordinated Universal Time", "Greenwich Mean Time", "UTC", "GMT", "UT"};
    const char *end = parse_offset(s, offset_ms);
    if (end) {
        return end;
    }
    if (*s == 'Z') {
        *offset_ms = 0;
        return s + 1;
    }
    for (size_t i = 0; i < sizeof(utc_names) / sizeof(*utc_names); i++) {
        size_t len = strlen(utc_names[i]);
        if (strncmp(s, utc_names[i], len) == 0) {
            s += len;
            *offset_ms = 0;
            if (i >= 2 && (end = parse_offset(s, offset_ms))) { /* GMT+01:00 */
                return end;
            }
            return s;
        }
    }
    return NULL;
}

/* Java resolves a two-digit yy into the century starting 80 years ago. */
static int64_t two_digit_year(int64_t yy)
{
    time_t now = time(NULL);
    int64_t this_year;
    int m, d;
    civil_from_days(java_date_floor_div((int64_t)now, 86400), &this_year, &m, &d);
    int64_t start = this_year - 80;
    int64_t ambiguous = start % 100;
    return yy + (start / 100) * 100 + (yy < ambiguous ? 100 : 0);
}

int java_date_parse(const java_date_t *fmt, const char *text, int64_t *ms)
{
    parsed_t f = {.year = 1970, .month = 1, .day = 1};
    const char *s = text;
    for (size_t i = 0; i < fmt->count; i++) {
        const date_token_t *tok = &fmt->tokens[i];
        if (tok->letter == 0) {
            size_t len = strlen(tok->text);
            if (strncmp(s, tok->text, len) != 0) {
                return -1;
            }
            s += len;
            continue;
        }
        s = skip_blanks(s);
        if (is_numeric_token(tok)) {
            /* Abutting numeric fields ("yyyyMMdd") take their letter count. */
            bool abutting = i + 1 < fmt->count && is_numeric_token(&fmt->tokens[i + 1]);
            int64_t v;
            int digits;
            s = parse_number(s, abutting ? tok->count : 0, &v, &digits);
            if (!s) {
                return -1;
            }
            switch (tok->letter) {
            case 'y':
            case 'Y':
                f.year = (tok->count <= 2 && digits == 2) ? two_digit_year(v) : v;
                break;
            case 'M':
            case 'L':
                f.month = v;
                f.have_month_or_day = true;
                break;
            case 'd':
                f.day = v;
                f.have_month_or_day = true;
                break;
            case 'D':
                f.yday = v;
                f.have_yday = true;
                break;
            case 'H':
                f.hour = v;
                f.hour12 = false;
                break;
            case 'k':
                f.hour = v == 24 ? 0 : v;
                f.hour12 = false;
                break;
            case 'K':
                f.hour = v;
                f.hour12 = true;
                break;
            case 'h':
                f.hour = v == 12 ? 0 : v;
                f.hour12 = true;
                break;
            case 'm':
                f.minute = v;
                break;
            case 's':
                f.second = v;
                break;
            case 'S':
                f.milli = v;
                break;
            default: /* u, F: only meaningful with week fields */
                break;
            }
            continue;
        }
        int idx;
        int64_t offset;
        switch (tok->letter) {
        case 'G':
            if (strncasecmp(s, "AD", 2) == 0) {
                f.bc = false;
            } else if (strncasecmp(s, "BC", 2) == 0) {
                f.bc = true;
            } else {
                return -1;
            }
            s += 2;
            break;
        case 'M':
        case 'L':
            idx = match_name(&s, month_long, 12);
            if (idx < 0) {
                idx = match_name(&s, month_short, 12);
            }
            if (idx < 0) {
                return -1;
            }
            f.month = idx + 1;
            f.have_month_or_day = true;
            break;
        case 'E':
            idx = match_name(&s, day_long, 7);
            if (idx < 0 && match_name(&s, day_short, 7) < 0) {
                return -1;
            }
            break;
        case 'a':
            if (strncasecmp(s, "AM", 2) == 0) {
                f.pm = false;
            } else if (strncasecmp(s, "PM", 2) == 0) {
                f.pm = true;
            } else {
                return -1;
            }
            f.have_ampm = true;
            s += 2;
            break;
        case 'z':
        case 'Z':
        case 'X':
            s = parse_zone(s, &offset);
            if (!s) {
                return -1;
            }
            f.offset_ms = offset;
            break;
        default:
            return -1;
        }
    }
    int64_t year = f.bc ? 1 - f.year : f.year;
    int64_t days;
    if (f.have_yday && !f.have_month_or_day) {
        days = days_from_civil(year, 1, 1) + f.yday - 1;
    } else {
        /* Lenient: month 13 is January of the next year, day 0 the last
         * of the previous month. */
        int64_t m0 = f.month - 1;
        year += java_date_floor_div(m0, 12);
        m0 = java_date_floor_mod(m0, 12);
        days = days_from_civil(year, m0 + 1, 1) + f.day - 1;
    }
    int64_t hour = f.hour + (f.hour12 && f.have_ampm && f.pm ? 12 : 0);
    *ms = days * JAVA_DATE_MS_PER_DAY + hour * 3600000LL + f.minute * 60000LL + f.second * 1000LL + f.milli -
          f.offset_ms;
    return 0;
}
