/* Unit tests for connectors/pgcommon/pgc_tz.c: Java's ZoneId names, the tz
 * database's transitions and POSIX footer rules, and local times in a gap
 * or an overlap resolved as java.time does.  Expected values are from
 * java.time (ZonedDateTime.ofLocal, ZoneRules.getOffset) for the same
 * instants, written out as epoch seconds here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgc_tz.h"

/* 2024-01-15T12:00:00Z and friends. */
#define T_2024_01_15 INT64_C(1705320000)
#define T_2024_07_15 INT64_C(1721044800)
#define T_2100_01_15 INT64_C(4103697600)
#define T_2100_07_15 INT64_C(4119422400)
#define T_1900_07_01 INT64_C(-2193307200)

static const struct {
    const char *zone;
    int64_t utc;
    int32_t offset;
} offsets[] = {
    {"UTC", T_2024_07_15, 0},
    {"Z", T_2024_07_15, 0},
    {"GMT", T_2024_07_15, 0},
    {"+02:00", T_2024_07_15, 7200},
    {"-0530", T_2024_07_15, -19800},
    {"+5", T_2024_07_15, 18000},
    {"-10:30:15", T_2024_07_15, -37815},
    {"UTC+01:00", T_2024_07_15, 3600},
    {"GMT-3", T_2024_07_15, -10800},
    {"EST", T_2024_07_15, -18000}, /* a fixed -05:00 in Java's SHORT_IDS, no DST */
    {"PST", T_2024_07_15, -25200}, /* America/Los_Angeles, in DST */
    {"PST", T_2024_01_15, -28800},
    {"Europe/Paris", T_2024_01_15, 3600},
    {"Europe/Paris", T_2024_07_15, 7200},
    {"Europe/Paris", T_2100_01_15, 3600}, /* past the last transition: the footer's rule */
    {"Europe/Paris", T_2100_07_15, 7200},
    {"Europe/Paris", T_1900_07_01, 561}, /* Paris mean time, +00:09:21 */
    {"Australia/Sydney", T_2024_01_15, 39600},
    {"Australia/Sydney", T_2024_07_15, 36000},
    {"Australia/Sydney", T_2100_01_15, 39600}, /* a southern rule: DST across the new year */
    {"Australia/Sydney", T_2100_07_15, 36000},
    {"Asia/Kolkata", T_2024_07_15, 19800},
    {"America/New_York", INT64_C(1710054000), -14400}, /* 2024-03-10T07:00Z, just after the switch */
    {"America/New_York", INT64_C(1710053999), -18000},
};

static void test_offsets(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        char err[256] = "";
        pgc_tz_t *tz = pgc_tz_load(offsets[i].zone, err, sizeof(err));
        if (!tz) {
            fail_msg("%s: %s", offsets[i].zone, err);
        }
        int32_t got = pgc_tz_offset_at(tz, offsets[i].utc);
        if (got != offsets[i].offset) {
            fail_msg("%s at %lld: %d, want %d", offsets[i].zone, (long long)offsets[i].utc, got, offsets[i].offset);
        }
        assert_string_equal(pgc_tz_name(tz), offsets[i].zone);
        pgc_tz_free(tz);
    }
}

static const struct {
    const char *zone;
    int64_t local; /* seconds of wall-clock time since 1970-01-01 00:00 */
    int64_t utc;
} locals[] = {
    {"UTC", INT64_C(1705320000), INT64_C(1705320000)},
    {"+02:00", INT64_C(1705320000), INT64_C(1705312800)},
    {"Europe/Paris", INT64_C(1705320000), INT64_C(1705316400)},     /* 2024-01-15 12:00 CET */
    {"Europe/Paris", INT64_C(1721044800), INT64_C(1721037600)},     /* 2024-07-15 12:00 CEST */
    {"Europe/Paris", INT64_C(1711852200), INT64_C(1711848600)},     /* 2024-03-31 02:30, in the gap: 03:30 CEST */
    {"Europe/Paris", INT64_C(1729996200), INT64_C(1729989000)},     /* 2024-10-27 02:30, twice: the earlier, CEST */
    {"Europe/Paris", INT64_C(1730001600), INT64_C(1729998000)},     /* 2024-10-27 04:00 CET, after the overlap */
    {"Australia/Sydney", INT64_C(4103697600), INT64_C(4103658000)}, /* 2100-01-15 12:00 AEDT */
};

static void test_local_to_utc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(locals) / sizeof(locals[0]); i++) {
        char err[256] = "";
        pgc_tz_t *tz = pgc_tz_load(locals[i].zone, err, sizeof(err));
        assert_non_null(tz);
        int64_t got = pgc_tz_local_to_utc(tz, locals[i].local);
        if (got != locals[i].utc) {
            fail_msg("%s local %lld: %lld, want %lld", locals[i].zone, (long long)locals[i].local, (long long)got,
                     (long long)locals[i].utc);
        }
        pgc_tz_free(tz);
    }
}

static void test_is_utc(void **state)
{
    (void)state;
    const char *utc[] = {"UTC", "Z", "GMT", "UT", "+00:00", "UTC+00:00"};
    for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
        char err[256];
        pgc_tz_t *tz = pgc_tz_load(utc[i], err, sizeof(err));
        assert_non_null(tz);
        assert_true(pgc_tz_is_utc(tz));
        pgc_tz_free(tz);
    }
    char err[256];
    pgc_tz_t *tz = pgc_tz_load("Europe/London", err, sizeof(err));
    assert_non_null(tz);
    assert_false(pgc_tz_is_utc(tz));
    pgc_tz_free(tz);
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "Nowhere/Atlantis",
                         "../../etc/passwd",
                         "/etc/localtime",
                         "+25:00",
                         "+1:00",
                         "+123",
                         "UTC+",
                         "Europe/Paris ",
                         "utc",
                         "+02:60",
                         "Europe/../Paris"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        pgc_tz_t *tz = pgc_tz_load(bad[i], err, sizeof(err));
        if (tz) {
            fail_msg("'%s' was accepted", bad[i]);
        }
        assert_non_null(strstr(err, "is not a time zone"));
    }
    pgc_tz_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_is_utc),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
