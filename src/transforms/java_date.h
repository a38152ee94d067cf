/*
 * java_date.h - the part of java.text.SimpleDateFormat Kafka's
 * TimestampConverter and TimestampRouter (and Values.parseString's ISO
 * literals) rely on, always in UTC, as those transforms set it.
 *
 *   java_date_t *fmt = java_date_compile("yyyy-MM-dd'T'HH:mm:ss.SSSX", errstr, sizeof(errstr));
 *   char *text = java_date_format(fmt, 86401234);      -> "1970-01-02T00:00:01.234Z"
 *   java_date_parse(fmt, "1970-01-02T00:00:01.234Z", &ms) -> 0, ms = 86401234
 *
 * Pattern letters: G y Y u M L d D E F H k K h a m s S z Z X, quoted text
 * ('T', '' for a quote), every other character literal.  A letter Java
 * does not know ("bad-format": b) is refused as Java's constructor refuses
 * it; w and W (week numbers, which depend on the JVM's locale) are refused
 * too.  Formatting follows Java: numbers zero-padded to the letter count,
 * yy the last two digits, M/L with 3 letters "Mar" and 4+ "March", E
 * "Thu"/"Thursday", a "AM"/"PM", z "UTC" ("Coordinated Universal Time" for
 * zzzz), Z "+0000", X "Z".
 *
 * Parsing is Java's lenient default: whitespace before a field is skipped,
 * numbers may have any width unless the next field is numeric too (then
 * the letter count is the width: "yyyyMMdd"), out-of-range values roll
 * over (month 13 is January of the next year), a two-digit yy lands within
 * 80 years before and 20 after now, zones accept UTC/GMT/Z and +hh, +hhmm,
 * +hh:mm, GMT+hh:mm offsets, and text after the pattern is ignored (Java's
 * DateFormat.parse(String) does not require the whole string).
 *
 * Not matched: the Julian calendar before 1582-10-15 (proleptic Gregorian
 * here), Y as a week year (read as y), and localised names other than
 * English.
 */
#ifndef CONNECTD_TRANSFORMS_JAVA_DATE_H
#define CONNECTD_TRANSFORMS_JAVA_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct java_date java_date_t;

/* A compiled pattern, or NULL with errstr ("Illegal pattern character 'b'",
 * Java's IllegalArgumentException message). */
java_date_t *java_date_compile(const char *pattern, char *errstr, size_t errstr_size);
void java_date_free(java_date_t *fmt); /* NULL is fine */
/* The pattern as given (Java's toPattern()); borrowed. */
const char *java_date_pattern(const java_date_t *fmt);

/* `ms` since the epoch, formatted in UTC; malloc'd. */
char *java_date_format(const java_date_t *fmt, int64_t ms);
/* Parses the start of `text`; 0 with *ms set, or -1 when it does not fit. */
int java_date_parse(const java_date_t *fmt, const char *text, int64_t *ms);

/* Floor division and civil dates, shared with the transforms that split a
 * time into days and the time of day. */
int64_t java_date_floor_div(int64_t a, int64_t b);
int64_t java_date_floor_mod(int64_t a, int64_t b);

#define JAVA_DATE_MS_PER_DAY 86400000LL

#endif
