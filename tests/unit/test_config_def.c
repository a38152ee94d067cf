/* Unit tests for config_def.c: values parsed and written back as Kafka's
 * ConfigDef does, the checks in Kafka's order with their problem codes, the
 * short messages of start-up, filling a struct through its rows, and the
 * table check the broker's, worker's and connectors' tables are held to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_def.h"

static void test_parse(void **state)
{
    static const struct {
        config_def_type_t type;
        const char *text;
        const char *canonical; /* NULL: not of the type */
    } cases[] = {
        {CONFIG_DEF_BOOLEAN, "TRUE", "true"},
        {CONFIG_DEF_BOOLEAN, " False ", "false"},
        {CONFIG_DEF_BOOLEAN, "yes", NULL},
        {CONFIG_DEF_BOOLEAN, "", NULL},
        {CONFIG_DEF_INT, "+007", "7"},
        {CONFIG_DEF_INT, " -5\t", "-5"},
        {CONFIG_DEF_INT, "2147483647", "2147483647"},
        {CONFIG_DEF_INT, "2147483648", NULL},
        {CONFIG_DEF_INT, "12x", NULL},
        {CONFIG_DEF_INT, "-", NULL},
        {CONFIG_DEF_INT, "", NULL},
        {CONFIG_DEF_INT, "1.5", NULL},
        {CONFIG_DEF_INT, "0x10", NULL},
        {CONFIG_DEF_SHORT, "32767", "32767"},
        {CONFIG_DEF_SHORT, "32768", NULL},
        {CONFIG_DEF_LONG, "9223372036854775807", "9223372036854775807"},
        {CONFIG_DEF_LONG, "9223372036854775808", NULL},
        {CONFIG_DEF_LONG, "-9223372036854775808", "-9223372036854775808"},
        {CONFIG_DEF_DOUBLE, "2", "2.0"},
        {CONFIG_DEF_DOUBLE, "1e3", "1000.0"},
        {CONFIG_DEF_DOUBLE, "-0.00125", "-0.00125"},
        {CONFIG_DEF_DOUBLE, "12345678.5", "1.23456785E7"},
        {CONFIG_DEF_DOUBLE, "1e-5", "1.0E-5"},
        {CONFIG_DEF_DOUBLE, "2.50", "2.5"},
        {CONFIG_DEF_DOUBLE, ".5", "0.5"},
        {CONFIG_DEF_DOUBLE, "3d", "3.0"},
        {CONFIG_DEF_DOUBLE, "Infinity", "Infinity"},
        {CONFIG_DEF_DOUBLE, "-Infinity", "-Infinity"},
        {CONFIG_DEF_DOUBLE, "NaN", "NaN"},
        /* C's strtod takes these; Java's Double.parseDouble does not. */
        {CONFIG_DEF_DOUBLE, "inf", NULL},
        {CONFIG_DEF_DOUBLE, "nan", NULL},
        {CONFIG_DEF_DOUBLE, "0x10", NULL},
        {CONFIG_DEF_DOUBLE, "1e", NULL},
        {CONFIG_DEF_DOUBLE, ".", NULL},
        {CONFIG_DEF_DOUBLE, "x", NULL},
        {CONFIG_DEF_LIST, " a , b c ,d ", "a,b c,d"},
        {CONFIG_DEF_LIST, "a,,b", "a,,b"},
        {CONFIG_DEF_LIST, "", ""},
        {CONFIG_DEF_LIST, " , ", ","},
        {CONFIG_DEF_STRING, "  x y  ", "x y"},
        {CONFIG_DEF_CLASS, "org.X ", "org.X"},
        {CONFIG_DEF_PASSWORD, " secret", "secret"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_def_t def = {.name = "k", .type = cases[i].type};
        char *got = config_def_parse(&def, cases[i].text);
        if (cases[i].canonical ? !got || strcmp(got, cases[i].canonical) != 0 : got != NULL) {
            fail_msg("case %zu: %s '%s' parsed as %s, want %s", i, config_def_type_name(cases[i].type), cases[i].text,
                     got ? got : "(not of the type)", cases[i].canonical ? cases[i].canonical : "(not of the type)");
        }
        free(got);
    }
}

static const char *const modes[] = {"fast", "safe", NULL};

static config_def_problem_t not_tmp(const config_def_t *def, const char *name, const char *value,
                                    const char **canonical, char *why, size_t why_size)
{
    if (strcmp(value, "/tmp") == 0) {
        snprintf(why, why_size, "may not be /tmp");
        return CONFIG_DEF_REFUSED;
    }
    if (strcmp(value, "t") == 0) {
        *canonical = "/t";
    }
    return CONFIG_DEF_OK;
}

static const config_def_t rows[] = {
    {.name = "i", .type = CONFIG_DEF_INT, .default_value = "1", CONFIG_DEF_RANGE(1, 10), .doc = "i"},
    {.name = "d", .type = CONFIG_DEF_DOUBLE, CONFIG_DEF_AT_LEAST(0), .doc = "d"},
    {.name = "list", .type = CONFIG_DEF_LIST, .default_value = "", .choices = modes, .doc = "list"},
    {.name = "mode", .type = CONFIG_DEF_STRING, .default_value = "safe", .choices = modes, .doc = "mode"},
    {.name = "anycase", .type = CONFIG_DEF_STRING, .choices = modes, .flags = CONFIG_DEF_NOCASE, .doc = "anycase"},
    {.name = "req", .type = CONFIG_DEF_STRING, .flags = CONFIG_DEF_REQUIRED, .doc = "req"},
    {.name = "dir", .type = CONFIG_DEF_STRING, .validate = not_tmp, .doc = "dir"},
    {.name = "pw", .type = CONFIG_DEF_PASSWORD, .validate = not_tmp, .doc = "pw"},
    {.name = NULL},
};

/* config_def_read: the problem, its detail, and what is shown. */
static void test_read(void **state)
{
    static const struct {
        const char *key, *text;
        config_def_problem_t problem;
        const char *shown;  /* NULL: none */
        const char *detail; /* "" when none */
    } cases[] = {
        {"i", NULL, CONFIG_DEF_OK, "1", ""},
        {"i", " 7 ", CONFIG_DEF_OK, "7", ""},
        {"i", "abc", CONFIG_DEF_NOT_OF_TYPE, NULL, ""},
        {"i", "0", CONFIG_DEF_TOO_SMALL, "0", ""},
        {"i", "11", CONFIG_DEF_TOO_LARGE, "11", ""},
        {"d", NULL, CONFIG_DEF_OK, NULL, ""},
        {"d", "-0.5", CONFIG_DEF_TOO_SMALL, "-0.5", ""},
        {"list", NULL, CONFIG_DEF_OK, "", ""},
        {"list", " fast ,safe ", CONFIG_DEF_OK, "fast,safe", ""},
        {"list", "fast,slow", CONFIG_DEF_NOT_A_CHOICE, "fast,slow", "slow"},
        {"mode", "Fast", CONFIG_DEF_NOT_A_CHOICE, "Fast", "Fast"},
        {"anycase", "SAFE", CONFIG_DEF_OK, "SAFE", ""},
        {"anycase", "slow", CONFIG_DEF_NOT_A_CHOICE, "slow", "slow"},
        {"req", NULL, CONFIG_DEF_MISSING, NULL, ""},
        {"req", "", CONFIG_DEF_OK, "", ""},
        {"dir", "/tmp ", CONFIG_DEF_REFUSED, "/tmp", "may not be /tmp"},
        {"dir", "t", CONFIG_DEF_OK, "/t", ""},
        {"pw", "hunter2", CONFIG_DEF_OK, "hunter2", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *shown, detail[256];
        config_def_problem_t got = config_def_read(config_def_find(rows, cases[i].key), cases[i].key, cases[i].text,
                                                   &shown, detail, sizeof(detail));
        if (got != cases[i].problem) {
            fail_msg("case %zu (%s=%s): problem %d, want %d", i, cases[i].key, cases[i].text, got, cases[i].problem);
        }
        if (cases[i].shown ? !shown || strcmp(shown, cases[i].shown) != 0 : shown != NULL) {
            fail_msg("case %zu (%s=%s): shown %s, want %s", i, cases[i].key, cases[i].text, shown, cases[i].shown);
        }
        assert_string_equal(detail, cases[i].detail);
        free(shown);
    }
}

/* The short form the broker and the worker stop start-up with. */
static void test_short_messages(void **state)
{
    static const config_def_t more[] = {
        {.name = "l", .type = CONFIG_DEF_LONG, CONFIG_DEF_AT_LEAST(0), .doc = "l"},
        {.name = "b", .type = CONFIG_DEF_BOOLEAN, .default_value = "true", .doc = "b"},
        {.name = "s", .type = CONFIG_DEF_SHORT, .doc = "s"},
        {.name = "x", .type = CONFIG_DEF_DOUBLE, .doc = "x"},
        {.name = "secret", .type = CONFIG_DEF_STRING, .choices = modes, .flags = CONFIG_DEF_SENSITIVE, .doc = "s"},
        {.name = NULL},
    };
    static const struct {
        const config_def_t *defs;
        const char *key, *text, *message;
    } cases[] = {
        {rows, "i", "abc", "i: expected an integer between 1 and 10, got 'abc'"},
        {rows, "i", " 0 ", "i: expected an integer between 1 and 10, got '0'"},
        {rows, "i", "99999999999", "i: expected an integer between 1 and 10, got '99999999999'"},
        {rows, "d", "-1", "d: expected a number of at least 0, got '-1'"},
        {rows, "list", "fast, slow", "list: expected one of fast, safe, got 'slow'"},
        {rows, "anycase", "slow", "anycase: expected one of fast, safe (any case), got 'slow'"},
        {rows, "req", NULL, "req: missing, and it has no default value"},
        {rows, "dir", "/tmp", "dir: may not be /tmp, got '/tmp'"},
        {rows, "pw", "/tmp", "pw: may not be /tmp, got '[hidden]'"},
        {more, "l", "soon", "l: expected an integer between 0 and 9223372036854775807, got 'soon'"},
        {more, "b", "yes", "b: expected true or false, got 'yes'"},
        {more, "s", "40000", "s: expected an integer between -32768 and 32767, got '40000'"},
        {more, "x", "abc", "x: expected a number, got 'abc'"},
        {more, "secret", "slow", "secret: expected one of fast, safe, got '[hidden]'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *shown, err[256] = "";
        assert_false(config_def_normalize(config_def_find(cases[i].defs, cases[i].key), cases[i].key, cases[i].text,
                                          &shown, err, sizeof(err)));
        free(shown);
        if (strcmp(err, cases[i].message) != 0) {
            fail_msg("case %zu: '%s', want '%s'", i, err, cases[i].message);
        }
    }
}

typedef struct sample {
    int32_t mode; /* the index of its choice */
    bool on;
    int16_t small;
    int32_t count;
    int64_t ms;
    double ratio;
    char *name;
    char *hosts;
    char *unset;
} sample_t;

static const config_def_t sample_rows[] = {
    {.name = "mode",
     .type = CONFIG_DEF_STRING,
     .default_value = "safe",
     .choices = modes,
     .flags = CONFIG_DEF_NOCASE,
     CONFIG_DEF_FIELD(sample_t, mode),
     .doc = "mode"},
    {.name = "on", .type = CONFIG_DEF_BOOLEAN, .default_value = "true", CONFIG_DEF_FIELD(sample_t, on), .doc = "on"},
    {.name = "small",
     .type = CONFIG_DEF_SHORT,
     .default_value = "-3",
     CONFIG_DEF_FIELD(sample_t, small),
     .doc = "small"},
    {.name = "count",
     .type = CONFIG_DEF_INT,
     .default_value = "5",
     CONFIG_DEF_RANGE(1, 100),
     CONFIG_DEF_FIELD(sample_t, count),
     .doc = "count"},
    {.name = "ms",
     .type = CONFIG_DEF_LONG,
     .default_value = "60000",
     CONFIG_DEF_AT_LEAST(0),
     CONFIG_DEF_FIELD(sample_t, ms),
     .doc = "ms"},
    {.name = "ratio",
     .type = CONFIG_DEF_DOUBLE,
     .default_value = "0.5",
     CONFIG_DEF_FIELD(sample_t, ratio),
     .doc = "ratio"},
    {.name = "name", .type = CONFIG_DEF_STRING, .default_value = "n", CONFIG_DEF_FIELD(sample_t, name), .doc = "name"},
    {.name = "hosts", .type = CONFIG_DEF_LIST, CONFIG_DEF_FIELD(sample_t, hosts), .doc = "hosts"},
    {.name = "unset", .type = CONFIG_DEF_STRING, CONFIG_DEF_FIELD(sample_t, unset), .doc = "unset"},
    {.name = "checked.only", .type = CONFIG_DEF_INT, .doc = "a row without a field"},
    {.name = NULL},
};

static void test_fill(void **state)
{
    char err[256];
    assert_true(config_def_table_check(sample_rows, err, sizeof(err)));

    /* Nothing given: every default. */
    sample_t s = {0};
    properties_t *props = properties_create();
    assert_true(config_def_fill(sample_rows, &s, props, 0, err, sizeof(err)));
    assert_int_equal(s.mode, 1);
    assert_true(s.on);
    assert_int_equal(s.small, -3);
    assert_int_equal(s.count, 5);
    assert_true(s.ms == 60000);
    assert_true(s.ratio == 0.5);
    assert_string_equal(s.name, "n");
    assert_null(s.hosts);
    assert_null(s.unset);

    /* Values, read as Kafka reads them; filling again replaces them. */
    properties_set(props, "mode", "FAST");
    properties_set(props, "on", "FALSE ");
    properties_set(props, "count", "+42");
    properties_set(props, "ms", "0");
    properties_set(props, "ratio", "1e3");
    properties_set(props, "name", " x ");
    properties_set(props, "hosts", "a:1 , b:2");
    properties_set(props, "no.row", "ignored");
    assert_true(config_def_fill(sample_rows, &s, props, 0, err, sizeof(err)));
    assert_int_equal(s.mode, 0);
    assert_false(s.on);
    assert_int_equal(s.count, 42);
    assert_true(s.ms == 0);
    assert_true(s.ratio == 1000.0);
    assert_string_equal(s.name, "x");
    assert_string_equal(s.hosts, "a:1,b:2");

    /* An empty value is a value, unless the caller reads it as unset. */
    properties_set(props, "name", "");
    assert_true(config_def_fill(sample_rows, &s, props, 0, err, sizeof(err)));
    assert_string_equal(s.name, "");
    properties_set(props, "count", "");
    assert_false(config_def_fill(sample_rows, &s, props, 0, err, sizeof(err)));
    assert_string_equal(err, "count: expected an integer between 1 and 100, got ''");
    assert_true(config_def_fill(sample_rows, &s, props, CONFIG_DEF_EMPTY_IS_UNSET, err, sizeof(err)));
    assert_string_equal(s.name, "n");
    assert_int_equal(s.count, 5);

    /* A row without a field is checked all the same. */
    properties_set(props, "count", "5");
    properties_set(props, "checked.only", "many");
    assert_false(config_def_fill(sample_rows, &s, props, 0, err, sizeof(err)));
    assert_string_equal(err, "checked.only: expected an integer between -2147483648 and 2147483647, got 'many'");

    config_def_free(sample_rows, &s);
    assert_null(s.name);
    assert_null(s.hosts);
    properties_destroy(props);
}

/* The checks a table's unit test relies on. */
/* A LIST with choices fills its string field with the whole list, not the
 * index of one choice (several are given). */
typedef struct list_sample {
    char *modes;
} list_sample_t;

static void test_fill_list_of_choices(void **state)
{
    static const char *const algs[] = {"a1", "a2", "a3", NULL};
    const config_def_t list_rows[] = {
        {.name = "algs",
         .type = CONFIG_DEF_LIST,
         .default_value = "a1",
         .choices = algs,
         CONFIG_DEF_FIELD(list_sample_t, modes),
         .doc = "algs"},
        {.name = NULL},
    };
    char err[256];
    list_sample_t s = {0};
    properties_t *props = properties_create();
    properties_set(props, "algs", "a2 , a3");
    assert_true(config_def_fill(list_rows, &s, props, 0, err, sizeof(err)));
    assert_string_equal(s.modes, "a2,a3");
    properties_set(props, "algs", "a2,a4");
    assert_false(config_def_fill(list_rows, &s, props, 0, err, sizeof(err)));
    config_def_free(list_rows, &s);
    properties_destroy(props);
}

static void test_table_check(void **state)
{
    static const config_def_t twice[] = {
        {.name = "a", .type = CONFIG_DEF_INT, .doc = "a"},
        {.name = "a", .type = CONFIG_DEF_INT, .doc = "a"},
        {.name = NULL},
    };
    static const config_def_t bad_default[] = {
        {.name = "a", .type = CONFIG_DEF_INT, .default_value = "0", CONFIG_DEF_RANGE(1, 5), .doc = "a"},
        {.name = NULL},
    };
    /* An INT without bounds does not fit an int16_t. */
    static const config_def_t too_narrow[] = {
        {.name = "small", .type = CONFIG_DEF_INT, CONFIG_DEF_FIELD(sample_t, small), .doc = "small"},
        {.name = NULL},
    };
    static const config_def_t wrong_type[] = {
        {.name = "on", .type = CONFIG_DEF_STRING, CONFIG_DEF_FIELD(sample_t, on), .doc = "on"},
        {.name = NULL},
    };
    /* A STRING fills a number only with the index of its choice. */
    static const config_def_t no_choices[] = {
        {.name = "count", .type = CONFIG_DEF_STRING, CONFIG_DEF_FIELD(sample_t, count), .doc = "count"},
        {.name = NULL},
    };
    static const config_def_t no_doc[] = {
        {.name = "a", .type = CONFIG_DEF_INT},
        {.name = NULL},
    };
    static const struct {
        const config_def_t *defs;
        const char *message;
    } cases[] = {
        {twice, "row 'a': empty or not unique"},
        {bad_default, "row 'a': default refused: a: expected an integer between 1 and 5, got '0'"},
        {too_narrow, "row 'small': its field does not fit its type and bounds"},
        {wrong_type, "row 'on': its field does not fit its type and bounds"},
        {no_choices, "row 'count': its field does not fit its type and bounds"},
        {no_doc, "row 'a': no doc"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        assert_false(config_def_table_check(cases[i].defs, err, sizeof(err)));
        assert_string_equal(err, cases[i].message);
    }
}

/* A table laid out from others' rows: copies that fill nothing. */
static void test_append(void **state)
{
    config_def_t table[32] = {{.name = NULL}};
    config_def_append(table, 32, rows);
    config_def_append(table, 32, sample_rows);
    assert_int_equal(config_def_count(table), config_def_count(rows) + config_def_count(sample_rows));
    const config_def_t *on = config_def_find(table, "on");
    assert_non_null(on);
    assert_int_equal(on->field, CONFIG_DEF_FIELD_NONE);
    assert_string_equal(on->default_value, "true");
    char err[256];
    properties_t *props = properties_create();
    properties_set(props, "req", "x");
    assert_true(config_def_fill(table, NULL, props, 0, err, sizeof(err))); /* checks, fills nothing */
    properties_destroy(props);
}

static void test_names(void **state)
{
    assert_string_equal(config_def_type_name(CONFIG_DEF_PASSWORD), "PASSWORD");
    assert_string_equal(config_def_type_name(CONFIG_DEF_SHORT), "SHORT");
    assert_string_equal(config_def_importance_name(CONFIG_DEF_LOW), "LOW");
    assert_string_equal(config_def_width_name(CONFIG_DEF_WIDTH_MEDIUM), "MEDIUM");
    assert_true(config_def_sensitive(config_def_find(rows, "pw")));
    assert_false(config_def_sensitive(config_def_find(rows, "dir")));
    assert_int_equal(config_def_count(rows), 8);
    assert_null(config_def_find(rows, "nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),          cmocka_unit_test(test_read),
        cmocka_unit_test(test_short_messages), cmocka_unit_test(test_fill),
        cmocka_unit_test(test_table_check),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_append),         cmocka_unit_test(test_fill_list_of_choices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
