/*
 * pgc_tz.c - zones of the tz database (pgc_tz.h).
 *
 * A TZif file (RFC 8536) is read once: its version 2+ block of 64-bit
 * transition times, each with the index of its local time type (UTC
 * offset), and the footer, a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" that gives the rule after the last
 * transition (a "slim" file has few transitions and relies on it).  POSIX
 * offsets count west ("CET-1" is UTC+1); they are kept here east, as
 * everything else is.
 */
#include "pgc_tz.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

/* A TZif file bigger than this is not one (the largest are ~4 KiB). */
#define TZ_FILE_MAX (1 << 20)

/* When a POSIX rule switches: Jn (day 1-365, no Feb 29), n (day 0-365) or
 * Mm.w.d (day d of week w of month m, w = 5 the last), at `time` seconds
 * of local time. */
typedef struct tz_rule_date {
    char kind; /* 'J', 'D' (plain n) or 'M' */
    int day, week, month;
    int32_t time;
} tz_rule_date_t;

typedef struct tz_posix {
    bool valid;
    int32_t std_off, dst_off; /* east */
    bool has_dst;
    tz_rule_date_t start, end; /* start and end of DST */
} tz_posix_t;

struct pgc_tz {
    char *name;
    size_t ntrans;
    int64_t *trans;    /* transition instants, ascending */
    int32_t *offsets;  /* the offset from each transition on */
    int32_t first_off; /* before the first transition */
    tz_posix_t posix;  /* after the last one (or always, for a fixed offset) */
};

/* Java's ZoneId.SHORT_IDS. */
static const struct {
    const char *id, *zone;
} short_ids[] = {
    {"ACT", "Australia/Darwin"},
    {"AET", "Australia/Sydney"},
    {"AGT", "America/Argentina/Buenos_Aires"},
    {"ART", "Africa/Cairo"},
    {"AST", "America/Anchorage"},
    {"BET", "America/Sao_Paulo"},
    {"BST", "Asia/Dhaka"},
    {"CAT", "Africa/Harare"},
    {"CNT", "America/St_Johns"},
    {"CST", "America/Chicago"},
    {"CTT", "Asia/Shanghai"},
    {"EAT", "Africa/Addis_Ababa"},
    {"ECT", "Europe/Paris"},
    {"IET", "America/Indiana/Indianapolis"},
    {"IST", "Asia/Kolkata"},
    {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"},
    {"NET", "Asia/Yerevan"},
    {"NST", "Pacific/Auckland"},
    {"PLT", "Asia/Karachi"},
    {"PNT", "America/Phoenix"},
    {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"},
    {"SST", "Pacific/Guadalcanal"},
    {"VST", "Asia/Ho_Chi_Minh"},
    {"EST", "-05:00"},
    {"MST", "-07:00"},
    {"HST", "-10:00"},
};

/* ---- calendar ------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t year_of_days(int64_t z)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return yoe + era * 400 + (m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The local instant (seconds, in the offset the rule is given in) at
 * which `r` falls in year y. */
static int64_t rule_local(const tz_rule_date_t *r, int64_t y)
{
    int64_t days;
    if (r->kind == 'J') {
        days = days_from_civil(y, 1, 1) + r->day - 1 + (is_leap(y) && r->day >= 60);
    } else if (r->kind == 'D') {
        days = days_from_civil(y, 1, 1) + r->day;
    } else {
        int64_t first = days_from_civil(y, r->month, 1);
        int wday_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
        int64_t d = first + (r->day - wday_first + 7) % 7 + 7 * (r->week - 1);
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int len = mdays[r->month - 1] + (r->month == 2 && is_leap(y));
        while (d >= first + len) {
            d -= 7;
        }
        days = d;
    }
    return days * 86400 + r->time;
}

/* ---- POSIX TZ strings ---------------------------------------------------------------- */

/* A zone abbreviation: letters, or <...> with anything but '>'. */
static bool posix_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        const char *e = strchr(s, '>');
        if (!e) {
            return false;
        }
        *p = e + 1;
        return e - s >= 4;
    }
    while (isalpha((unsigned char)**p)) {
        (*p)++;
    }
    return *p - s >= 3;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 allows it in rule times). */
static bool posix_hms(const char **p, int32_t *out)
{
    int sign = 1;
    if (**p == '+' || **p == '-') {
        sign = **p == '-' ? -1 : 1;
        (*p)++;
    }
    if (!isdigit((unsigned char)**p)) {
        return false;
    }
    long h = strtol(*p, (char **)p, 10), m = 0, s = 0;
    if (**p == ':') {
        (*p)++;
        m = strtol(*p, (char **)p, 10);
        if (**p == ':') {
            (*p)++;
            s = strtol(*p, (char **)p, 10);
        }
    }
    if (h > 167 || m > 59 || s > 59) {
        return false;
    }
    *out = (int32_t)(sign * (h * 3600 + m * 60 + s));
    return true;
}

static bool posix_date(const char **p, tz_rule_date_t *r)
{
    char *end;
    r->time = 7200;
    if (**p == 'J') {
        r->kind = 'J';
        r->day = (int)strtol(*p + 1, &end, 10);
        if (end == *p + 1 || r->day < 1 || r->day > 365) {
            return false;
        }
    } else if (**p == 'M') {
        r->kind = 'M';
        r->month = (int)strtol(*p + 1, &end, 10);
        if (*end != '.') {
            return false;
        }
        r->week = (int)strtol(end + 1, &end, 10);
        if (*end != '.') {
            return false;
        }
        r->day = (int)strtol(end + 1, &end, 10);
        if (r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 || r->day < 0 || r->day > 6) {
            return false;
        }
    } else if (isdigit((unsigned char)**p)) {
        r->kind = 'D';
        r->day = (int)strtol(*p, &end, 10);
        if (r->day > 365) {
            return false;
        }
    } else {
        return false;
    }
    *p = end;
    if (**p == '/') {
        (*p)++;
        return posix_hms(p, &r->time);
    }
    return true;
}

static bool posix_parse(const char *s, tz_posix_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = s;
    int32_t west;
    if (!posix_name(&p) || !posix_hms(&p, &west)) {
        return false;
    }
    out->std_off = -west;
    if (*p == '\0') {
        out->valid = true;
        return true;
    }
    if (!posix_name(&p)) {
        return false;
    }
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (*p && *p != ',') {
        if (!posix_hms(&p, &west)) {
            return false;
        }
        out->dst_off = -west;
    }
    if (*p == '\0') {
        /* No rule: POSIX leaves it to the implementation; the tz database
         * always writes one, so default to the US rules as glibc does. */
        out->start = (tz_rule_date_t){'M', 0, 2, 3, 7200};
        out->end = (tz_rule_date_t){'M', 0, 1, 11, 7200};
        out->valid = true;
        return true;
    }
    if (*p++ != ',' || !posix_date(&p, &out->start) || *p++ != ',' || !posix_date(&p, &out->end) || *p) {
        return false;
    }
    out->valid = true;
    return true;
}

static int32_t posix_offset_at(const tz_posix_t *z, int64_t utc)
{
    if (!z->has_dst) {
        return z->std_off;
    }
    int64_t y = year_of_days(floor_div(utc + z->std_off, 86400));
    /* DST starts at a time given in standard time, and ends at one given
     * in daylight time. */
    int64_t start = rule_local(&z->start, y) - z->std_off;
    int64_t end = rule_local(&z->end, y) - z->dst_off;
    bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
    return dst ? z->dst_off : z->std_off;
}

/* ---- TZif ---------------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Reads the 64-bit block and the footer of a TZif file into tz. */
static bool tzif_parse(pgc_tz_t *tz, const unsigned char *buf, size_t len)
{
    if (len < 44 || memcmp(buf, "TZif", 4) != 0 || buf[4] < '2') {
        return false;
    }
    /* Skip the version 1 block: its counts are in its own header. */
    uint32_t c[6];
    for (int i = 0; i < 6; i++) {
        c[i] = be32(buf + 20 + 4 * i);
    }
    size_t v1 = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] + c[0];
    if (v1 + 44 > len || memcmp(buf + v1, "TZif", 4) != 0) {
        return false;
    }
    const unsigned char *h = buf + v1;
    uint32_t isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28), timecnt = be32(h + 32),
             typecnt = be32(h + 36), charcnt = be32(h + 40);
    size_t need = 44 + (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 12 + isstd + isut;
    if (typecnt == 0 || timecnt > 100000 || typecnt > 256 || v1 + need > len) {
        return false;
    }
    const unsigned char *times = h + 44, *idx = times + (size_t)timecnt * 8, *types = idx + timecnt;
    tz->ntrans = timecnt;
    tz->trans = xcalloc(timecnt + 1, sizeof(*tz->trans));
    tz->offsets = xcalloc(timecnt + 1, sizeof(*tz->offsets));
    for (uint32_t i = 0; i < timecnt; i++) {
        if (idx[i] >= typecnt) {
            return false;
        }
        tz->trans[i] = be64(times + 8 * i);
        tz->offsets[i] = (int32_t)be32(types + 6 * idx[i]);
    }
    /* Before the first transition: the first standard-time type
     * (RFC 8536 3.2 says type 0; localtime.c prefers a non-DST one). */
    tz->first_off = (int32_t)be32(types);
    for (uint32_t i = 0; i < typecnt; i++) {
        if (types[6 * i + 4] == 0) {
            tz->first_off = (int32_t)be32(types + 6 * i);
            break;
        }
    }
    const unsigned char *footer = h + need;
    size_t flen = len - v1 - need;
    if (flen >= 2 && footer[0] == '\n') {
        const unsigned char *nl = memchr(footer + 1, '\n', flen - 1);
        if (nl && nl > footer + 1) {
            char tzstr[128];
            size_t n = (size_t)(nl - footer - 1);
            if (n < sizeof(tzstr)) {
                memcpy(tzstr, footer + 1, n);
                tzstr[n] = '\0';
                posix_parse(tzstr, &tz->posix);
            }
        }
    }
    return true;
}

static bool region_name_ok(const char *name)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..") || strlen(name) > 100) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p)) {
            return false;
        }
    }
    return true;
}

static bool load_region(pgc_tz_t *tz, const char *name)
{
    if (!region_name_ok(name)) {
        return false;
    }
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    unsigned char *buf = xmalloc(TZ_FILE_MAX);
    size_t len = fread(buf, 1, TZ_FILE_MAX, f);
    fclose(f);
    bool ok = len < TZ_FILE_MAX && tzif_parse(tz, buf, len);
    free(buf);
    return ok;
}

/* ---- fixed offsets ------------------------------------------------------------------- */

/* Java's ZoneOffset.of forms: +h, +hh, +hh:mm, +hhmm, +hh:mm:ss, +hhmmss,
 * at most 18 hours. */
static bool parse_offset(const char *s, int32_t *out)
{
    if (*s != '+' && *s != '-') {
        return false;
    }
    int sign = *s == '-' ? -1 : 1;
    char digits[8];
    size_t nd = 0;
    const char *p = s + 1;
    /* The colon forms are the digit forms with ':' every two digits. */
    bool colons = strlen(p) > 2 && p[2] == ':';
    for (size_t i = 0; p[i]; i++) {
        if (colons && i % 3 == 2) {
            if (p[i] != ':') {
                return false;
            }
        } else if (isdigit((unsigned char)p[i]) && nd < 6) {
            digits[nd++] = p[i];
        } else {
            return false;
        }
    }
    if (nd == 0 || (nd > 2 && nd % 2) || (colons && nd < 4)) {
        return false;
    }
    int h = nd == 1 ? digits[0] - '0' : (digits[0] - '0') * 10 + digits[1] - '0';
    int m = nd >= 4 ? (digits[2] - '0') * 10 + digits[3] - '0' : 0;
    int sec = nd == 6 ? (digits[4] - '0') * 10 + digits[5] - '0' : 0;
    if (m > 59 || sec > 59 || h * 3600 + m * 60 + sec > 18 * 3600) {
        return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static void set_fixed(pgc_tz_t *tz, int32_t off)
{
    tz->posix.valid = true;
    tz->posix.std_off = off;
    tz->first_off = off;
}

/* ---- the API ------------------------------------------------------------------------ */

pgc_tz_t *pgc_tz_load(const char *name, char *errbuf, size_t errlen)
{
    pgc_tz_t *tz = xcalloc(1, sizeof(*tz));
    tz->name = xstrdup(name);
    int32_t off;
    const char *resolved = name;
    for (size_t i = 0; i < sizeof(short_ids) / sizeof(short_ids[0]); i++) {
        if (strcmp(name, short_ids[i].id) == 0) {
            resolved = short_ids[i].zone;
        }
    }
    if (strcmp(resolved, "Z") == 0 || strcmp(resolved, "UTC") == 0 || strcmp(resolved, "GMT") == 0 ||
        strcmp(resolved, "UT") == 0) {
        set_fixed(tz, 0);
        return tz;
    }
    if (parse_offset(resolved, &off)) {
        set_fixed(tz, off);
        return tz;
    }
    static const char *const prefixes[] = {"UTC", "GMT", "UT"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(resolved, prefixes[i], n) == 0 && parse_offset(resolved + n, &off)) {
            set_fixed(tz, off);
            return tz;
        }
    }
    if (load_region(tz, resolved)) {
        return tz;
    }
    snprintf(errbuf, errlen,
             "'%s' is not a time zone: use a region of the tz database (e.g. Europe/Paris), UTC, or an offset "
             "such as +02:00",
             name);
    pgc_tz_free(tz);
    return NULL;
}

void pgc_tz_free(pgc_tz_t *tz)
{
    if (!tz) {
        return;
    }
    free(tz->name);
    free(tz->trans);
    free(tz->offsets);
    free(tz);
}

const char *pgc_tz_name(const pgc_tz_t *tz)
{
    return tz->name;
}

int pgc_tz_is_utc(const pgc_tz_t *tz)
{
    return tz->ntrans == 0 && tz->posix.valid && !tz->posix.has_dst && tz->posix.std_off == 0;
}

int32_t pgc_tz_offset_at(const pgc_tz_t *tz, int64_t utc)
{
    if (tz->ntrans == 0 || utc >= tz->trans[tz->ntrans - 1]) {
        if (tz->posix.valid) {
            return posix_offset_at(&tz->posix, utc);
        }
        return tz->ntrans ? tz->offsets[tz->ntrans - 1] : tz->first_off;
    }
    if (utc < tz->trans[0]) {
        return tz->first_off;
    }
    size_t lo = 0, hi = tz->ntrans - 1; /* trans[lo] <= utc < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= utc) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return tz->offsets[lo];
}

int64_t pgc_tz_local_to_utc(const pgc_tz_t *tz, int64_t local)
{
    /* The offsets in force well before and well after: a zone changes its
     * offset at most once in any two days. */
    int32_t before = pgc_tz_offset_at(tz, local - 30 * 3600);
    int32_t after = pgc_tz_offset_at(tz, local + 30 * 3600);
    if (before == after || pgc_tz_offset_at(tz, local - before) == before) {
        return local - before; /* one offset, or an overlap's earlier instant */
    }
    if (pgc_tz_offset_at(tz, local - after) == after) {
        return local - after;
    }
    return local - before; /* a gap: later by its length */
}
